"""The OS image named by URL (a netbooted live system's `cos.payload=`): its facts before the
first write, then one streamed read that the pipeline decompresses, hashes and writes.

Before any disk is touched (preflight): the stored size (Content-Length), `URL.sha256`, the
compression (from the first MiB, fetched with a Range request) and the decompressed size,
from `URL.size` (`make netboot` and `netboot export` write it), the file size for a raw image,
or the GPT in the first MiB (for gzip checked against the trailer's size). When none of them
gives it, the install is refused: "big enough" cannot be checked, and downloading the image
twice to count it is not an option. The sha256 is checked while streaming (cos_installer.decode),
the download resumes after a broken connection (cos_installer.netboot.httpstream).
"""

from __future__ import annotations

import logging
import os
import tempfile

from cos_installer.install import gpt
from cos_installer.install.compression import detect_compression
from cos_installer.install.imagesize import SIZE_SUFFIX, SizeError, decoded_head, read_size_file
from cos_installer.install.payload import Payload, PayloadError, inspect_payload, parse_sha256
from cos_installer.install.signature import (
    SIG_SUFFIX,
    SignatureError,
    Trust,
    signature_path,
    signed_digest,
    verify_checksum_file,
)
from cos_installer.netboot.httpstream import (
    HttpError,
    RangeReader,
    Remote,
    Retry,
    fetch_range,
    fetch_small,
    probe,
)

__all__ = ["Payload", "PayloadError", "inspect_any", "inspect_remote", "notes_to"]
LOG = logging.getLogger("cos_installer.netboot")
HEAD_FETCH = 1 << 20
SHA_SUFFIX = ".sha256"


class Download:
    """The file object the decoders read: a RangeReader whose give-up is a PayloadError."""

    def __init__(self, remote: Remote, retry: Retry) -> None:
        self.reader = RangeReader(remote, retry)

    def readinto(self, view: memoryview | bytearray) -> int:
        try:
            return self.reader.readinto(view)
        except HttpError as exc:
            raise PayloadError(exc.cause, exc.hint) from exc

    def read(self, size: int = -1) -> bytes:
        try:
            return self.reader.read(size)
        except HttpError as exc:
            raise PayloadError(exc.cause, exc.hint) from exc

    def close(self) -> None:
        self.reader.close()

    def __enter__(self) -> Download:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def notes_to(stream: object) -> None:
    """The image's facts and every resume of its download as "note: ..." lines (install)."""
    if not LOG.handlers:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter("note: %(message)s"))
        LOG.addHandler(handler)
        LOG.setLevel(logging.INFO)
        LOG.propagate = False


def default_retry() -> Retry:
    return Retry(log=LOG.warning)


def inspect_any(path: str, trust: Trust | None = None) -> Payload:
    """A local image's facts, or (an http(s) URL: netbooted, cos.payload=) a remote one's."""
    if path.startswith(("http://", "https://")):
        return inspect_remote(path, trust=trust)
    digest, signer = signed_digest(path + SHA_SUFFIX, trust or Trust())
    return inspect_payload(path, digest, signer)


def inspect_remote(url: str, retry: Retry | None = None, trust: Trust | None = None) -> Payload:
    """Payload facts for an image on an HTTP server; PayloadError before any write when the
    size, the checksum (or its signature) or the image cannot be had."""
    retry = retry or default_retry()
    try:
        remote = probe(url, retry)
        digest, signer = _signed_sha256(url, retry, trust or Trust())
        head = fetch_range(remote, 0, HEAD_FETCH, retry)
        kind = detect_compression(head[:64])
        content, source = _content_size(remote, kind, head, retry)
    except HttpError as exc:
        raise PayloadError(exc.cause, exc.hint) from exc
    LOG.info("%s: %s, %d bytes stored, %d decompressed (%s)", url, kind, remote.size, content,
             source)  # fmt: skip
    return Payload(
        url, remote.size, kind, digest, url + SHA_SUFFIX, content, source, signer,
        opener=lambda: Download(remote, retry),
    )  # fmt: skip


def _signed_sha256(url: str, retry: Retry, trust: Trust) -> tuple[str, str]:
    """The digest in URL.sha256 and the key that signed it (URL.sha256.sig, checked by gpgv
    like a medium's, on copies of the two small files); the signer is "" when unsigned
    images are allowed."""
    data = fetch_small(url + SHA_SUFFIX, 4096, retry, missing_ok=True)
    if data is None:
        raise PayloadError(
            f"no checksum at {url}{SHA_SUFFIX} (HTTP 404)",
            "serve the image's .sha256 and .sha256.sig beside it",
        )
    signer = ""
    if not trust.allow_unsigned:
        sig = fetch_small(url + SHA_SUFFIX + SIG_SUFFIX, 1 << 16, retry, missing_ok=True)
        with tempfile.TemporaryDirectory(prefix="cos-sig-") as workdir:
            local = os.path.join(workdir, os.path.basename(url) + SHA_SUFFIX)
            with open(local, "wb") as f:
                f.write(data)
            if sig is not None:
                with open(signature_path(local), "wb") as f:
                    f.write(sig)
            try:
                signer = verify_checksum_file(local, data, trust)
            except SignatureError as exc:  # name the URL, not the scratch copy
                where = url + SHA_SUFFIX
                raise SignatureError(
                    exc.cause.replace(signature_path(local), where + SIG_SUFFIX).replace(
                        local, where
                    ),
                    exc.hint,
                ) from None
    return parse_sha256(url + SHA_SUFFIX, data), signer


def _declared(url: str, retry: Retry) -> int | None:
    """`URL.size`, checked by the same rule as a `.size` file beside a local image."""
    data = fetch_small(url + SIZE_SUFFIX, 200, retry, missing_ok=True)
    if data is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        name = os.path.join(tmp, "image")
        with open(name + SIZE_SUFFIX, "wb") as f:
            f.write(data)
        try:
            return read_size_file(name)
        except SizeError as exc:
            raise PayloadError(exc.cause.replace(name, url), exc.hint) from exc


def _content_size(remote: Remote, kind: str, head: bytes, retry: Retry) -> tuple[int, str]:
    declared = _declared(remote.url, retry)
    name = os.path.basename(remote.url) + SIZE_SUFFIX
    if kind == "raw":
        if declared is not None and declared != remote.size:
            raise PayloadError(
                f"{name} says {declared} bytes, but the server sends {remote.size}",
                "remove the .size file or correct it",
            )
        return remote.size, "its Content-Length"
    if declared is not None:
        return declared, name
    table = _gpt_of_head(head, kind)
    if table is not None and kind == "gzip":
        trailer = fetch_range(remote, remote.size - 4, 4, retry)
        if table % (1 << 32) != int.from_bytes(trailer, "little"):
            table = None
    if table is not None:
        return table, "the GPT in its first MiB"
    raise PayloadError(
        f"the decompressed size of {remote.url} cannot be established before the install "
        "(no .size beside it, no GPT in its first MiB)",
        f"serve {name} beside it holding the size in bytes (`make netboot` and "
        "`cos-installer netboot export` write it)",
    )


def _gpt_of_head(head: bytes, kind: str) -> int | None:
    with tempfile.NamedTemporaryFile() as f:
        f.write(head)
        f.flush()
        try:
            table = gpt.find_header(decoded_head(f.name, kind))
        except SizeError:
            return None
    return table.disk_bytes if table is not None else None

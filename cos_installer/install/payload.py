"""The OS image to install, as found before the first write: its compression, its expected
sha256 (from the `.sha256` file beside it) and its decompressed size (`imagesize`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from cos_installer.install.compression import detect_compression
from cos_installer.install.imagesize import SizeError, uncompressed_size


class PayloadError(Exception):
    """The payload is missing, unverifiable, damaged, truncated or has trailing data."""

    def __init__(self, cause: str, hint: str = "") -> None:
        super().__init__(cause)
        self.cause, self.hint = cause, hint


@dataclass(frozen=True)
class Payload:
    path: str
    stored_size: int
    compression: str  # raw, zstd, xz, gzip, bzip2
    sha256: str  # expected, from the .sha256 file
    sha256_file: str
    content_size: int  # decompressed size, established before the first write (imagesize)
    size_source: str = "its file size"  # where content_size came from, for messages
    signer: str = ""  # the fingerprint of the key that signed the .sha256; "" unsigned
    opener: Callable[[], BinaryIO] | None = field(default=None, compare=False)  # a download

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    def open_stored(self) -> BinaryIO:
        """The stored (compressed) bytes, read once from the start: the file, or the download
        (cos_installer.install.remote) for an image named by URL."""
        return self.opener() if self.opener else open(self.path, "rb", buffering=0)  # noqa: SIM115


CHECKSUM_READ_MAX = 1 << 16  # a sha256sum line is ~100 bytes: never read a huge or endless file


def read_checksum_bytes(path: str, hint: str) -> bytes:
    """The start of a checksum file, bounded (a .sha256 that is /dev/zero or 1 GiB is read no
    further); PayloadError naming the file when it cannot be read."""
    try:
        with open(path, "rb") as f:
            return f.read(CHECKSUM_READ_MAX)
    except OSError as exc:
        raise PayloadError(f"no checksum file {path} ({exc.strerror})", hint) from exc


def read_sha256_file(path: str) -> str:
    hint = "put the image's .sha256 file beside it (sha256sum IMAGE > IMAGE.sha256)"
    return parse_sha256(path, read_checksum_bytes(path, hint))


def parse_sha256(path: str, data: bytes) -> str:
    """The digest in a checksum file's bytes (sha256sum format: the first word)."""
    words = data.decode("utf-8", "replace").split()
    digest = words[0].lower() if words else ""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise PayloadError(f"{path} holds no sha256 checksum", "regenerate it with sha256sum")
    return digest


def inspect_payload(path: str, digest: str | None = None, signer: str = "") -> Payload:
    """Open-time facts about the payload: its compression, its .sha256 (digest: as already
    read and authenticated, install.signature), and its decompressed size (PayloadError when
    that cannot be established: "big enough" needs it)."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            size = os.fstat(f.fileno()).st_size
    except OSError as exc:
        raise PayloadError(
            f"cannot read the OS image {path}: {exc.strerror}",
            "check the path or the install media",
        ) from exc
    if size == 0:
        raise PayloadError(f"the OS image {path} is empty", "check the path or the install media")
    kind = detect_compression(head)
    digest = digest or read_sha256_file(path + ".sha256")
    try:
        content, source = uncompressed_size(path, kind, size)
    except SizeError as exc:
        raise PayloadError(exc.cause, exc.hint) from exc
    return Payload(path, size, kind, digest, path + ".sha256", content, source, signer)

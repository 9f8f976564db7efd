"""The OS image streamed over HTTP from a real server (tests/netboot/server.py) that cuts the
connection: resumed with Range, each byte fetched once, sha256 checked while streaming, and the
size known before the first write or the install refused."""

from __future__ import annotations

import hashlib
import os
import subprocess

import pytest

from cos_installer.install.backends.block import DeviceIO
from cos_installer.install.payload import PayloadError, inspect_payload
from cos_installer.install.remote import HEAD_FETCH, inspect_remote
from cos_installer.install.signature import Trust
from cos_installer.install.stream import copy_payload
from cos_installer.netboot.httpstream import Retry
from tests.netboot.server import Server
from tests.realparts import need_tools

UNSIGNED_OK = Trust(allow_unsigned=True)  # these test the stream; test_install_http the signature

NO_WAIT = Retry(attempts=4, sleep=lambda s: None)


@pytest.fixture(autouse=True)
def compressors() -> None:
    need_tools("zstd", "gzip")


def image_bytes(size: int) -> bytes:
    """Half random (so the compressed file is big enough to cut), half text."""
    out = bytearray()
    i = 0
    while len(out) < size:
        out += os.urandom(8192) if i % 2 == 0 else (f"block {i}\n" * 800).encode()
        i += 1
    return bytes(out[:size])


def serve_image(tmp, data: bytes, compression: str = "zstd", *, size_file: bool = True) -> str:
    root = tmp / "www"
    root.mkdir(exist_ok=True)
    raw = root / "cos-image.raw"
    raw.write_bytes(data)
    name = "cos-image.raw"
    if compression != "raw":
        ext, argv = {"zstd": (".zst", ["zstd", "-q", "-c"]), "gzip": (".gz", ["gzip", "-c"])}[
            compression
        ]
        name += ext
        with open(root / name, "wb") as out:
            subprocess.run([*argv, str(raw)], stdout=out, check=True)
        raw.unlink()
    digest = hashlib.sha256((root / name).read_bytes()).hexdigest()
    (root / f"{name}.sha256").write_text(f"{digest}  {name}\n")
    if size_file:
        (root / f"{name}.size").write_text(f"{len(data)}\n")
    return name


def write(payload, disk: str, capacity: int) -> int:
    io = DeviceIO(disk, os.path.basename(disk))
    try:
        return copy_payload(payload, io, capacity=capacity)
    finally:
        io.close()


def first_mib(disk: str) -> bytes:
    with open(disk, "rb") as f:
        return f.read(1 << 20)


def test_cut_connections_resume_where_they_broke_and_read_each_byte_once(
    loops, tmp_path, zstd_path
):
    data = image_bytes(12 << 20)
    name = serve_image(tmp_path, data)
    stored = (tmp_path / "www" / name).stat().st_size
    cuts = [stored // 3, stored // 4]
    with Server(tmp_path / "www") as server:
        server.faults.cuts = list(cuts)
        resumes: list[str] = []
        retry = Retry(sleep=lambda s: None, log=resumes.append)
        payload = inspect_remote(server.url(name), retry, trust=UNSIGNED_OK)
        assert payload.stored_size == stored and payload.content_size == len(data)
        disk = loops.device(16)
        assert write(payload, disk, 16 << 20) == len(data)
    with open(disk, "rb") as f:
        assert hashlib.sha256(f.read(len(data))).digest() == hashlib.sha256(data).digest()
    # the preflight's first MiB (compression, GPT) and then the image once, in three parts
    assert server.faults.ranges == [
        f"bytes=0-{HEAD_FETCH - 1}",
        f"bytes={cuts[0]}-",
        f"bytes={cuts[0] + cuts[1]}-",
    ]
    assert server.faults.sent[f"/{name}"] == HEAD_FETCH + stored
    assert len(resumes) == 2 and f"broke at byte {cuts[0]}" in resumes[0]


def test_a_download_that_keeps_breaking_gives_up_and_leaves_no_table(loops, tmp_path):
    data = image_bytes(8 << 20)
    name = serve_image(tmp_path, data)
    with Server(tmp_path / "www") as server:
        server.faults.cuts = [100_000] + [0] * 20  # then nothing more: no progress
        payload = inspect_remote(server.url(name), NO_WAIT, trust=UNSIGNED_OK)
        disk = loops.device(16)
        broke = r"the download broke at byte 100000 of \d+ .*4 attempt"
        with pytest.raises(PayloadError, match=broke):
            write(payload, disk, 16 << 20)
    assert first_mib(disk) == bytes(1 << 20)


def test_a_resume_the_server_answers_with_the_whole_file_is_refused(loops, tmp_path):
    name = serve_image(tmp_path, image_bytes(8 << 20))
    with Server(tmp_path / "www") as server:
        server.faults.cuts = [500_000]
        payload = inspect_remote(server.url(name), NO_WAIT, trust=UNSIGNED_OK)
        server.faults.ignore_range = True
        disk = loops.device(16)
        with pytest.raises(PayloadError, match="sent the whole file again"):
            write(payload, disk, 16 << 20)
    assert first_mib(disk) == bytes(1 << 20)


def test_a_wrong_checksum_is_found_while_streaming_and_the_table_not_written(loops, tmp_path):
    name = serve_image(tmp_path, image_bytes(6 << 20))
    (tmp_path / "www" / f"{name}.sha256").write_text("0" * 64 + f"  {name}\n")
    with Server(tmp_path / "www") as server:
        disk = loops.device(16)
        with pytest.raises(PayloadError, match="checksum mismatch"):
            write(inspect_remote(server.url(name), NO_WAIT, trust=UNSIGNED_OK), disk, 16 << 20)
    assert first_mib(disk) == bytes(1 << 20)


def test_a_server_that_does_not_say_the_size_is_refused_at_preflight(tmp_path):
    name = serve_image(tmp_path, image_bytes(2 << 20))
    with Server(tmp_path / "www") as server:
        server.faults.no_length = True
        server.faults.ignore_range = True
        with pytest.raises(PayloadError, match="does not say how big the image is"):
            inspect_remote(server.url(name), NO_WAIT, trust=UNSIGNED_OK)
        assert not any(r.startswith("GET") and "Range" in r for r in server.faults.ranges)


def test_no_checksum_beside_the_url_is_refused(tmp_path):
    name = serve_image(tmp_path, image_bytes(2 << 20))
    (tmp_path / "www" / f"{name}.sha256").unlink()
    with Server(tmp_path / "www") as server, pytest.raises(PayloadError, match="no checksum at"):
        inspect_remote(server.url(name), NO_WAIT, trust=UNSIGNED_OK)


def test_a_gzip_image_without_size_information_is_refused_and_its_size_file_accepted(tmp_path):
    data = image_bytes(3 << 20)  # no GPT in it, and gzip records no exact size
    name = serve_image(tmp_path, data, "gzip", size_file=False)
    with Server(tmp_path / "www") as server:
        with pytest.raises(PayloadError, match="cannot be established before the install"):
            inspect_remote(server.url(name), NO_WAIT, trust=UNSIGNED_OK)
        (tmp_path / "www" / f"{name}.size").write_text(f"{len(data)}\n")
        payload = inspect_remote(server.url(name), NO_WAIT, trust=UNSIGNED_OK)
    assert (payload.content_size, payload.size_source) == (len(data), f"{name}.size")


def test_a_hostile_size_file_is_named(tmp_path):
    name = serve_image(tmp_path, image_bytes(2 << 20))
    (tmp_path / "www" / f"{name}.size").write_bytes(b"12\x1b[2J 34")
    with Server(tmp_path / "www") as server, pytest.raises(PayloadError) as caught:
        inspect_remote(server.url(name), NO_WAIT, trust=UNSIGNED_OK)
    assert "\x1b" not in caught.value.cause and "expected the image's decompressed size" in (
        caught.value.cause
    )


def test_the_gpt_in_the_first_mib_gives_the_size_of_the_test_payload(payload, tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    for suffix in ("", ".sha256"):
        os.link(payload + suffix, root / (os.path.basename(payload) + suffix))
    name = os.path.basename(payload)
    with Server(root) as server:
        remote = inspect_remote(server.url(name), NO_WAIT, trust=UNSIGNED_OK)
    assert remote.content_size == inspect_payload(payload).content_size
    assert remote.size_source == "the GPT in its first MiB"

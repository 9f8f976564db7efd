"""Streaming: every compression, odd sizes, the held-back first MiB, payload inspection."""

from __future__ import annotations

import hashlib
import os
import subprocess

import pytest

from cos_installer.install.backends.block import DeviceIO
from cos_installer.install.compression import detect_compression
from cos_installer.install.payload import PayloadError, inspect_payload
from cos_installer.install.stream import copy_payload
from tests.payloadkit import COMPRESSORS, write_sha256
from tests.realparts import need_tools


@pytest.fixture(autouse=True)
def compressors() -> None:
    need_tools("zstd", "xz", "gzip", "bzip2")


def sample_bytes(size: int) -> bytes:
    """Compressible but not trivial: text-like runs mixed with random blocks."""
    out = bytearray()
    i = 0
    while len(out) < size:
        out += os.urandom(4096) if i % 3 == 0 else (f"line {i} of the image\n" * 200).encode()
        i += 1
    return bytes(out[:size])


def make_payload(tmp, data: bytes, compression: str) -> str:
    raw = tmp / "img.raw"
    raw.write_bytes(data)
    ext, argv = COMPRESSORS[compression]
    path = str(raw) + ext
    if argv:
        with open(path, "wb") as out:
            subprocess.run([*argv, str(raw)], stdout=out, check=True)
    write_sha256(path)
    return path


@pytest.mark.parametrize("compression", sorted(set(COMPRESSORS) - {"zstd"}))
def test_each_compression_is_detected_and_written_exactly(loops, tmp_path, compression):
    write_exactly(loops, tmp_path, compression)


def test_zstd_both_ways(loops, tmp_path, zstd_path):
    write_exactly(loops, tmp_path, "zstd")


def write_exactly(loops, tmp_path, compression):
    data = sample_bytes((9 << 20) + 4096 * 3)  # not a multiple of the 4 MiB buffer
    path = make_payload(tmp_path, data, compression)
    payload = inspect_payload(path)
    assert payload.compression == compression
    disk = loops.device(16)
    io = DeviceIO(disk, os.path.basename(disk))
    try:
        written = copy_payload(payload, io, capacity=16 << 20)
    finally:
        io.close()
    assert written == len(data)
    with open(disk, "rb") as f:
        assert hashlib.sha256(f.read(len(data))).digest() == hashlib.sha256(data).digest()


def test_odd_sized_raw_image_goes_through_the_buffered_descriptor(loops, tmp_path):
    data = sample_bytes((1 << 20) + 777)
    path = make_payload(tmp_path, data, "raw")
    disk = loops.device(8)
    io = DeviceIO(disk, os.path.basename(disk))
    try:
        assert copy_payload(inspect_payload(path), io, capacity=8 << 20) == len(data)
    finally:
        io.close()
    with open(disk, "rb") as f:
        assert f.read(len(data) + 10) == data + bytes(10)


class Recorder:
    """A sink in a file, recording the order of the writes."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self.offsets = []

    def pwrite(self, data, offset):
        self.offsets.append(offset)
        os.pwrite(self.fd, data, offset)

    def fsync(self):
        os.fsync(self.fd)

    def check(self):
        pass


def test_first_mib_is_written_last_and_only_after_verification(tmp_path, zstd_path):
    data = sample_bytes(6 << 20)
    path = make_payload(tmp_path, data, "zstd")
    sink = Recorder(tmp_path / "out")
    copy_payload(inspect_payload(path), sink, capacity=8 << 20)
    assert sink.offsets[-1] == 0 and 0 not in sink.offsets[:-1]
    assert (tmp_path / "out").read_bytes() == data
    with open(path, "r+b") as f:  # flip a byte in the middle of the compressed stream
        f.seek(os.path.getsize(path) // 2)
        byte = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([byte[0] ^ 0xFF]))
    sink = Recorder(tmp_path / "out2")
    with pytest.raises(PayloadError):
        copy_payload(inspect_payload(path), sink, capacity=8 << 20)
    assert 0 not in sink.offsets


def test_magic_and_content_size(tmp_path):
    assert detect_compression(b"\x28\xb5\x2f\xfd...") == "zstd"
    assert detect_compression(b"\xfd7zXZ\x00..") == "xz"
    assert detect_compression(b"\x1f\x8b\x08") == "gzip"
    assert detect_compression(b"BZh9") == "bzip2"
    assert detect_compression(b"\x00" * 16) == "raw"
    for size in (0, 100, 300, 70000, 5 << 20):
        path = make_payload(tmp_path, sample_bytes(size), "zstd")
        assert inspect_payload(path).content_size == size


def test_missing_or_bad_checksum_file_is_refused(tmp_path):
    path = tmp_path / "img.raw"
    path.write_bytes(b"x" * 4096)
    with pytest.raises(PayloadError, match=r"no checksum file .*img.raw.sha256"):
        inspect_payload(str(path))
    (tmp_path / "img.raw.sha256").write_text("not a checksum\n")
    with pytest.raises(PayloadError, match="holds no sha256 checksum"):
        inspect_payload(str(path))
    with pytest.raises(PayloadError, match="cannot read the OS image"):
        inspect_payload(str(tmp_path / "absent.zst"))


def test_zstd_frame_walk(tmp_path):
    """Multi-frame, multi-threaded, streamed (no content size) and skippable frames pass;
    cut or extended streams are named as such."""
    from cos_installer.install.imagesize import zstd_frames_problem

    data = sample_bytes(3 << 20)
    one = tmp_path / "one.zst"
    one.write_bytes(subprocess.run(["zstd", "-q", "-T0", "-c"], input=data, capture_output=True,
                                   check=True).stdout)  # fmt: skip
    skippable = b"\x50\x2a\x4d\x18" + (5).to_bytes(4, "little") + b"hello"
    good = one.read_bytes()
    for name, blob in (("one", good), ("two", good + good), ("skip", skippable + good + good)):
        path = tmp_path / f"{name}.bin"
        path.write_bytes(blob)
        assert zstd_frames_problem(str(path)) is None, name
    cut = tmp_path / "cut.bin"
    cut.write_bytes(good[: len(good) - 100])
    assert zstd_frames_problem(str(cut)) == "truncated"
    cut.write_bytes(good[:3])
    assert zstd_frames_problem(str(cut)) == "not a zstd stream"
    longer = tmp_path / "longer.bin"
    longer.write_bytes(good + b"junk")
    assert zstd_frames_problem(str(longer)) == f"trailing data at byte {len(good)}"


def test_streamed_zstd_without_content_size_is_still_checked_for_truncation(tmp_path, zstd_path):
    data = sample_bytes(6 << 20)
    path = tmp_path / "stream.zst"
    blob = subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True, check=True).stdout
    path.write_bytes(blob[: len(blob) * 2 // 3])
    write_sha256(str(path))  # the checksum matches the cut file: only the frames tell
    with pytest.raises(PayloadError, match="decompressing it to count failed"):
        inspect_payload(str(path))  # the first pass, counting its size, meets the cut
    (tmp_path / "stream.zst.size").write_text(f"{len(data)}\n")
    payload = inspect_payload(str(path))
    assert payload.content_size == len(data)
    sink = Recorder(tmp_path / "out")
    with pytest.raises(PayloadError, match="stream.zst is truncated"):
        copy_payload(payload, sink, capacity=8 << 20)
    assert 0 not in sink.offsets


def test_held_back_the_first_and_last_mib_are_handed_back_not_written(tmp_path):
    """What the install writes last (the partition table at both ends of the image)."""
    from cos_installer.install.stream import HOLD_BYTES, Held

    data = sample_bytes((5 << 20) + 4096 * 5)  # the tail starts on a 4 KiB boundary
    path = make_payload(tmp_path, data, "xz")
    sink, hold = Recorder(tmp_path / "out"), Held()
    assert copy_payload(inspect_payload(path), sink, capacity=8 << 20, hold=hold) == len(data)
    tail_at = len(data) - HOLD_BYTES  # a multiple of 4096 here
    assert (hold.head, hold.tail, hold.tail_offset) == (data[:HOLD_BYTES], data[tail_at:], tail_at)
    assert min(sink.offsets) == HOLD_BYTES
    written = (tmp_path / "out").read_bytes()
    assert written[HOLD_BYTES:] == data[HOLD_BYTES:tail_at] and written[:HOLD_BYTES] == bytes(
        HOLD_BYTES
    )


def test_a_checksum_file_that_never_ends_is_refused_not_read_forever(tmp_path):
    """A .sha256 that is /dev/zero (or huge) is read no further than a checksum line could
    be: refused as holding no checksum (the old unbounded read never returned)."""
    import subprocess
    import sys

    os.symlink("/dev/zero", tmp_path / "img.raw.sha256")
    path = str(tmp_path / "img.raw.sha256")
    code = (
        "from cos_installer.install.payload import PayloadError, read_sha256_file\n"
        f"try:\n    read_sha256_file({path!r})\nexcept PayloadError as e:\n    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert "holds no sha256 checksum" in done.stdout, done.stderr

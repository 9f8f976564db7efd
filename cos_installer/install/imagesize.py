"""How big the OS image is once decompressed, known before the first byte is written.

"Big enough" cannot be checked without it, and a write that meets the end of the disk has
already wiped it. The sources, cheapest first:
  - raw: the file's size; zstd: every frame's Frame_Content_Size; xz: the stream index;
  - `<payload>.size` beside the payload: the decompressed size in bytes, one decimal number
    (for gzip and bzip2, which do not record it: `zstd -dc IMG | wc -c > IMG.size`);
  - the GPT in the image's first sectors (only they are decompressed): the disk image ends
    with its backup header, so its size is (alternate LBA + 1) * sector size; for gzip it
    must agree with the trailer's ISIZE (the size modulo 2^32);
  - a first pass that decompresses the whole image to count its bytes.
A payload whose size none of them gives is refused before the disk is touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zlib

from cos_installer.install import gpt
from cos_installer.install.compression import DECODERS, XZ_MAGIC, ZSTD_MAGIC

SIZE_SUFFIX = ".size"
HEAD_BYTES = 8192 + 512  # LBA 1 of 4096-byte sectors ends here


class SizeError(Exception):
    """The decompressed size cannot be established (the cause, the next step)."""

    def __init__(self, cause: str, hint: str = "") -> None:
        super().__init__(cause)
        self.cause, self.hint = cause, hint


def zstd_walk(path: str) -> tuple[str | None, int | None]:
    """Walk the frame and block headers (RFC 8878) without decompressing. Returns (problem,
    content size): problem is 'truncated', 'trailing data at byte N', 'damaged at byte N' or
    None; the size is the sum of every frame's content size, None when a frame lacks one."""
    size = os.path.getsize(path)
    pos, frames, total = 0, 0, 0
    with open(path, "rb") as f:

        def at(offset: int, n: int) -> bytes:
            f.seek(offset)
            return f.read(n)

        while pos < size:
            head = at(pos, 18)
            if len(head) >= 8 and 0x50 <= head[0] <= 0x5F and head[1:4] == b"\x2a\x4d\x18":
                pos += 8 + int.from_bytes(head[4:8], "little")  # a skippable frame
                continue
            if not head.startswith(ZSTD_MAGIC):
                return (f"trailing data at byte {pos}" if frames else "not a zstd stream"), None
            if len(head) < 5:
                return "truncated", None
            fhd = head[4]
            single = (fhd >> 5) & 1
            fcs = (1 if single else 0, 2, 4, 8)[fhd >> 6]
            at_fcs = 5 + (0 if single else 1) + (0, 1, 2, 4)[fhd & 3]
            value = int.from_bytes(head[at_fcs : at_fcs + fcs], "little") if fcs else None
            if total is not None:
                total = None if value is None else total + value + (256 if fcs == 2 else 0)
            pos += at_fcs + fcs
            while True:
                block = at(pos, 3)
                if len(block) < 3:
                    return "truncated", None
                value = int.from_bytes(block, "little")
                kind = (value >> 1) & 3
                if kind == 3:
                    return f"damaged at byte {pos}", None
                pos += 3 + (1 if kind == 1 else value >> 3)
                if value & 1:
                    break
            pos += 4 if (fhd >> 2) & 1 else 0
            frames += 1
    if pos > size:
        return "truncated", None
    return None, total


def zstd_frames_problem(path: str) -> str | None:
    return zstd_walk(path)[0]


def _le(data: bytes) -> int:
    return int.from_bytes(data, "little")


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for i in range(9):
        if pos + i >= len(data):
            raise ValueError("truncated")
        value |= (data[pos + i] & 0x7F) << (7 * i)
        if not data[pos + i] & 0x80:
            return value, pos + i + 1
    raise ValueError("varint too long")


def xz_index_size(path: str) -> int | None:
    """The uncompressed size from the index of each xz stream (read from the end, backwards
    over stream padding and concatenated streams); None when anything does not check out."""
    total = 0
    with open(path, "rb") as f:
        end = f.seek(0, os.SEEK_END)
        while end > 0:
            while end >= 4:
                f.seek(end - 4)
                if f.read(4) != bytes(4):
                    break
                end -= 4  # stream padding
            if end < 24:
                return None
            f.seek(end - 12)
            footer = f.read(12)
            if footer[10:] != b"YZ" or zlib.crc32(footer[4:10]) != _le(footer[:4]):
                return None
            index_size = (_le(footer[4:8]) + 1) * 4
            if index_size > end - 24:
                return None
            f.seek(end - 12 - index_size)
            index = f.read(index_size)
            if index[0] != 0 or zlib.crc32(index[:-4]) != _le(index[-4:]):
                return None
            try:
                count, pos = _varint(index, 1)
                if count > len(index):
                    return None
                blocks = 0
                for _ in range(count):
                    unpadded, pos = _varint(index, pos)
                    size, pos = _varint(index, pos)
                    total += size
                    blocks += (unpadded + 3) & ~3
            except ValueError:
                return None
            end -= 12 + index_size + blocks + 12
            if end < 0:
                return None
            f.seek(end)
            if f.read(6) != XZ_MAGIC:
                return None
    return total


def read_size_file(path: str) -> int | None:
    """The size written in `<payload>.size`; None when there is none. SizeError when it does
    not hold one positive decimal number."""
    name = path + SIZE_SUFFIX
    try:
        with open(name, "rb") as f:
            raw = f.read(200)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SizeError(f"cannot read {name}: {exc.strerror}", "fix its permissions") from exc
    words = raw.split()
    if len(words) != 1 or not words[0].isdigit() or int(words[0]) == 0:
        shown = raw[:40].decode("ascii", "backslashreplace").encode("unicode_escape").decode()
        raise SizeError(
            f"{name} holds {shown!r}, expected the image's decompressed size in bytes",
            "write one decimal number to it, or remove it",
        )
    return int(words[0])


def _decoder(path: str, kind: str, stderr: object = subprocess.DEVNULL) -> subprocess.Popen:
    argv = DECODERS[kind]
    if shutil.which(argv[0]) is None:
        raise SizeError(
            f"{argv[0]} is not installed (needed for {os.path.basename(path)})", "install it"
        )
    with open(path, "rb") as src:
        return subprocess.Popen(argv, stdin=src, stdout=subprocess.PIPE, stderr=stderr)


def decoded_head(path: str, kind: str, size: int = HEAD_BYTES) -> bytes:
    """The first `size` decompressed bytes (the decoder is stopped there)."""
    proc = _decoder(path, kind)
    try:
        data = proc.stdout.read(size)
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    return data


def first_pass(path: str, kind: str) -> int:
    """Decompress the whole image to count its bytes; SizeError when the decoder fails."""
    name = os.path.basename(path)
    with tempfile.TemporaryFile() as err:
        proc = _decoder(path, kind, err)
        count = 0
        buf = bytearray(1 << 20)
        try:
            while n := proc.stdout.readinto(buf):
                count += n
        finally:
            proc.stdout.close()
            rc = proc.wait()
        err.seek(0)
        said = " ".join(err.read(300).decode("utf-8", "replace").split())
    if rc != 0:
        raise SizeError(
            f"the decompressed size of {name} cannot be established: decompressing it to count "
            f"failed ({said or f'{DECODERS[kind][0]} exit status {rc}'})",
            f"download the image again, or write its decompressed size in bytes to "
            f"{name}{SIZE_SUFFIX}",
        )
    return count


def gzip_isize(path: str) -> int:
    with open(path, "rb") as f:
        f.seek(-4, os.SEEK_END)
        return int.from_bytes(f.read(4), "little")


def uncompressed_size(path: str, kind: str, stored: int) -> tuple[int, str]:
    """(decompressed size, where it came from); SizeError when it cannot be established."""
    if kind == "raw":
        return stored, "its file size"
    exact, source = None, ""
    if kind == "zstd":
        exact, source = zstd_walk(path)[1], "its zstd frame headers"
    elif kind == "xz":
        exact, source = xz_index_size(path), "its xz index"
    declared = read_size_file(path)
    name = os.path.basename(path) + SIZE_SUFFIX
    if exact is not None:
        if declared is not None and declared != exact:
            raise SizeError(
                f"{name} says {declared} bytes, but {source} say {exact}",
                "remove the .size file or correct it",
            )
        return exact, source
    if declared is not None:
        return declared, name
    table = gpt.find_header(decoded_head(path, kind))
    if table is not None and (kind != "gzip" or table.disk_bytes % (1 << 32) == gzip_isize(path)):
        return table.disk_bytes, "the GPT in its first MiB"
    return first_pass(path, kind), "a first pass (decompressed to count it)"

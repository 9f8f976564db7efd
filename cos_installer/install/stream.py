"""Streaming the OS image to a disk: detect the compression, decompress, verify, write.

The `.sha256` beside a payload is the checksum of the file *as stored* (compressed): it can be
checked while streaming, with no second pass, and `sha256sum -c` checks the same file. A
reader thread (plus a feeder thread and the decompressor process for compressed payloads) fills
page-aligned buffers; the calling thread writes them with O_DIRECT-friendly sizes. The first
MiB (partition table, boot code) is held back until the checksum has passed, so a payload that
fails verification never leaves a bootable-looking disk behind; the install holds it (and the
backup GPT at the image's end) longer, until the whole install is complete (`Held`).
"""

from __future__ import annotations

import errno
import mmap
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from cos_installer.install.decode import DecodeError, Source, open_source
from cos_installer.install.imagesize import zstd_frames_problem
from cos_installer.install.payload import Payload, PayloadError

HOLD_BYTES = 1 << 20
BUF_BYTES = 4 << 20
NBUFS = 3


class WriteFailed(OSError):
    """Writing the disk failed below its size (EIO, or ENOSPC from a full backing store)."""

    def __init__(self, err: int, strerror: str, offset: int | None) -> None:
        where = f" writing at byte {offset}" if offset is not None else " flushing the disk"
        super().__init__(err, strerror + where)
        self.offset = offset


class Cancelled(Exception):
    """The user (Ctrl+C, SIGTERM, the wizard's cancel) stopped the write at a buffer boundary."""


class Sink(Protocol):
    """Where the image goes: the backend's file layer over the whole disk."""

    def pwrite(self, data: memoryview, offset: int) -> None: ...

    def fsync(self) -> None: ...

    def check(self) -> None:
        """Raise OSError when the device went away (unplugged, loop device detached)."""
        ...


@dataclass(frozen=True)
class Progress:
    done: int
    total: int  # content size, or an estimate from the compressed bytes read so far
    rate: float
    eta: float | None
    estimated: bool


@dataclass
class Held:
    """The image's partition table, held back from the disk: the first MiB (protective MBR,
    primary GPT, boot code) and its last MiB (the backup GPT), with where the latter goes.
    Written last (install: after the config stage), so a disk whose install stopped at any
    point carries no valid partition table, neither the new one nor the old one."""

    head: bytes = b""
    tail: bytes = b""
    tail_offset: int = 0


def _held_tail_offset(payload: Payload, hold: Held | None) -> int:
    if hold is None:
        return payload.content_size  # only the first MiB is held, and written at the end
    return max(HOLD_BYTES, (payload.content_size - HOLD_BYTES) // 4096 * 4096)


def copy_payload(
    payload: Payload,
    sink: Sink,
    *,
    capacity: int,
    cancel: threading.Event | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    bufsize: int = BUF_BYTES,
    nbufs: int = NBUFS,
    interval: float = 0.2,
    hold: Held | None = None,
) -> int:
    """Write the decompressed payload to the sink; returns the bytes written.

    Raises PayloadError (verification), OSError (the device; ENOSPC when it is too small)
    or Cancelled. The first HOLD_BYTES are written last, after every check passed; with
    `hold`, they and the image's last MiB are not written but handed back in it."""
    try:
        source = open_source(payload, bufsize, nbufs)
    except DecodeError as exc:
        raise PayloadError(str(exc), "install it") from exc
    head, tail = bytearray(), bytearray()
    tail_at = _held_tail_offset(payload, hold)
    offset = 0
    started = time.monotonic()
    last = started - interval  # the first buffer reports at once
    try:
        while True:
            item = source.full.get()
            if cancel is not None and cancel.is_set():  # before a decoder killed by the
                raise Cancelled(offset)  # same Ctrl+C (its process group) looks like damage
            if isinstance(item, BaseException):
                raise item
            buf, n = item
            if n == 0:
                break
            if offset + n > payload.content_size:
                raise PayloadError(
                    f"{payload.name} is larger than {payload.size_source} says "
                    f"({payload.content_size} bytes)",
                    AGAIN,
                )
            if offset + n > capacity:
                raise OSError(errno.ENOSPC, "the image is larger than the disk")
            with memoryview(buf)[:n] as view:
                _put(sink, view, offset, head, tail, tail_at)
            offset += n
            source.free.put(buf)
            now = time.monotonic()
            if now - last >= interval:
                last = now
                sink.check()
                if on_progress:
                    on_progress(_progress(payload, offset, now - started))
        if cancel is not None and cancel.is_set():
            raise Cancelled(offset)
        source.finish()
        if cancel is not None and cancel.is_set():
            raise Cancelled(offset)
        _verify(payload, source, offset)
        if cancel is not None and cancel.is_set():
            raise Cancelled(offset)
        sink.check()
        _flush(sink, b"" if hold is not None else head)
        if hold is not None:
            hold.head, hold.tail, hold.tail_offset = bytes(head), bytes(tail), tail_at
        if on_progress:
            on_progress(
                Progress(offset, offset, offset / max(time.monotonic() - started, 1e-6), 0, False)
            )
        return offset
    finally:
        source.close()


def _put(
    sink: Sink, view: memoryview, offset: int, head: bytearray, tail: bytearray, tail_at: int
) -> None:
    """Write the part of [offset, offset + len(view)) between the held first MiB and the
    held tail; keep the rest."""
    end = offset + len(view)
    if offset < HOLD_BYTES:
        head += view[: min(HOLD_BYTES, end) - offset]
    if end > tail_at:
        tail += view[max(tail_at, offset) - offset :]
    start, stop = max(offset, HOLD_BYTES), min(end, tail_at)
    if start < stop:
        try:
            sink.pwrite(view[start - offset : stop - offset], start)
        except OSError as exc:
            raise WriteFailed(exc.errno, exc.strerror, start) from exc


def _flush(sink: Sink, head: bytes) -> None:
    """Write the first MiB (when it is not held) and fsync."""
    try:
        if head:
            aligned = mmap.mmap(-1, len(head))  # O_DIRECT wants an aligned buffer
            try:
                aligned[:] = head
                with memoryview(aligned) as view:
                    sink.pwrite(view, 0)
            finally:
                aligned.close()
        sink.fsync()
    except OSError as exc:
        raise WriteFailed(exc.errno, exc.strerror, None) from exc


AGAIN = "download the image again or use another install medium"


def _verify(payload: Payload, source: Source, offset: int) -> None:
    """After the last byte: reading errors, decoder complaints, frame structure, checksum,
    and the size the image was said to have."""
    if source.fatal is not None:
        raise source.fatal
    if source.error is not None:
        raise PayloadError(f"cannot read {payload.name}: {source.error.strerror}", AGAIN)
    digest = source.sha.hexdigest()
    mismatch = digest != payload.sha256
    walk = payload.compression == "zstd" and payload.opener is None  # a download: sha256 only
    problem = zstd_frames_problem(payload.path) if walk else None
    failure = source.failure.lower()
    if problem or failure:
        also = " (and its sha256 does not match)" if mismatch else ""
        if (problem or "").startswith("trailing") or "trailing" in failure:
            what = f"has trailing data after its compressed image ({problem or failure})"
        elif problem == "truncated" or "end" in failure:
            what = "is truncated"
        else:
            what = f"is damaged ({problem or source.failure})"
        raise PayloadError(f"{payload.name} {what}{also}", AGAIN)
    if mismatch:
        raise PayloadError(
            f"checksum mismatch: {payload.name} has sha256 {digest[:16]}..., "
            f"{os.path.basename(payload.sha256_file)} expects {payload.sha256[:16]}...",
            AGAIN,
        )
    if payload.compression == "raw" and offset != payload.content_size:
        raise PayloadError(f"{payload.name} changed while it was written", AGAIN)
    if offset != payload.content_size:
        raise PayloadError(
            f"{payload.name} is {offset} bytes decompressed, but {payload.size_source} "
            f"says {payload.content_size}",
            AGAIN,
        )


def _progress(payload: Payload, done: int, elapsed: float) -> Progress:
    rate = done / elapsed if elapsed > 0 else 0.0
    total, estimated = payload.content_size, False
    eta = (total - done) / rate if rate > 0 and total >= done else None
    return Progress(done, max(total, done), rate, eta, estimated)

"""Sources that fill the writer's buffers with the decompressed image on a reader thread.

Each hashes the stored (compressed) bytes as it reads them. zstd is decoded in-process with
python-zstandard when it is installed (no pipe, fewer copies: as fast as `zstd -dc | dd` on
two cores); otherwise, and for xz, gzip and bzip2, the Debian program runs behind a pipe.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import mmap
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from typing import BinaryIO

from cos_installer.install.compression import DECODERS
from cos_installer.install.payload import Payload

F_SETPIPE_SZ = 1031
READ_SIZE = 1 << 20
ENV_PIPE = "COS_INSTALLER_ZSTD_PIPE"  # set to 1 to use the zstd program even with the module


class DecodeError(Exception):
    """The payload cannot be read, or its decompression failed (cause, decoder detail)."""


class Source:
    """Buffers go round: `free` -> reader thread fills -> `full` -> writer -> `free`."""

    def __init__(self, payload: Payload, bufsize: int, nbufs: int) -> None:
        self.payload = payload
        self.sha = hashlib.sha256()
        self.fed = 0  # stored bytes read so far
        self.stop = threading.Event()
        self.error: OSError | None = None  # reading the payload failed
        self.fatal: Exception | None = None  # the download gave up (raised by the writer)
        self.failure = ""  # the decoder's complaint, "" when it had none
        self.free: queue.Queue = queue.Queue()
        self.full: queue.Queue = queue.Queue()
        self.buffers = [mmap.mmap(-1, bufsize) for _ in range(nbufs)]
        for buf in self.buffers:
            self.free.put(buf)
        self.threads = [threading.Thread(target=self._read, daemon=True)]

    def start(self) -> Source:
        for t in self.threads:
            t.start()
        return self

    def _fill(self, view: memoryview) -> int:
        raise NotImplementedError

    def _read(self) -> None:
        try:
            while not self.stop.is_set():
                try:
                    buf = self.free.get(timeout=0.2)
                except queue.Empty:
                    continue
                with memoryview(buf) as view:
                    n = self._fill(view)
                self.full.put((buf, n))
                if n < len(buf):
                    if n:
                        self.full.put((None, 0))
                    return
        except BaseException as exc:  # handed to the writer, which reports it
            self.full.put(exc)

    def _status(self) -> None:
        """Subclasses: wait for the decoder and set self.failure."""

    def finish(self) -> None:
        for t in self.threads:
            t.join()
        self._status()

    def close(self) -> None:
        self.stop.set()
        for t in self.threads:
            if t.is_alive():
                t.join(timeout=5)
        for buf in self.buffers:
            with contextlib.suppress(BufferError):  # a live view: the GC frees it later
                buf.close()


def read_full(fd: int, view: memoryview) -> int:
    """Fill `view` from `fd` (a file or a pipe) until it is full or the input ends."""
    pos = 0
    while pos < len(view):
        n = os.readv(fd, [view[pos:]])
        if n == 0:
            break
        pos += n
    return pos


def read_file_full(file: BinaryIO, view: memoryview) -> int:
    """Fill `view` from a file object (a download) until it is full or the input ends."""
    pos = 0
    while pos < len(view):
        n = file.readinto(view[pos:])
        if not n:
            break
        pos += n
    return pos


class RawSource(Source):
    def __init__(self, payload: Payload, bufsize: int, nbufs: int) -> None:
        super().__init__(payload, bufsize, nbufs)
        self.file = payload.open_stored()

    def _fill(self, view: memoryview) -> int:
        pos = read_file_full(self.file, view)
        self.sha.update(view[:pos])
        self.fed += pos
        return pos

    def close(self) -> None:
        super().close()
        self.file.close()


class _HashingReader:
    """The file object python-zstandard reads from: counts what passes and hashes it on a
    thread of its own, so hashing runs on the other core while this one decompresses."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.file = source.payload.open_stored()
        self.chunks: queue.Queue = queue.Queue(maxsize=8)
        self.thread = threading.Thread(target=self._hash, daemon=True)
        self.thread.start()

    def _hash(self) -> None:
        while (data := self.chunks.get()) is not None:
            self.source.sha.update(data)

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.chunks.put(data)
        self.source.fed += len(data)
        return data

    def close(self) -> None:
        if self.thread.is_alive():
            self.chunks.put(None)
            self.thread.join()
        self.file.close()


class ZstdModuleSource(Source):
    def __init__(self, payload: Payload, bufsize: int, nbufs: int) -> None:
        import zstandard

        super().__init__(payload, bufsize, nbufs)
        self.errors = zstandard.ZstdError
        self.input = _HashingReader(self)
        self.reader = zstandard.ZstdDecompressor().stream_reader(
            self.input, read_size=READ_SIZE, read_across_frames=True
        )

    def _fill(self, view: memoryview) -> int:
        pos = 0
        try:
            while pos < len(view):
                n = self.reader.readinto(view[pos:])
                if n == 0:
                    break
                pos += n
        except self.errors as exc:
            self.failure = str(exc)
        except OSError as exc:
            self.error = exc
        return pos

    def _status(self) -> None:
        self.input.close()  # the digest is complete once the hashing thread has drained

    def close(self) -> None:
        super().close()
        self.input.close()


class PipeSource(Source):
    """The decompressor program; a feeder thread reads, hashes and pipes the payload to it."""

    def __init__(self, payload: Payload, bufsize: int, nbufs: int) -> None:
        super().__init__(payload, bufsize, nbufs)
        argv = DECODERS[payload.compression]
        if shutil.which(argv[0]) is None:
            raise DecodeError(f"{argv[0]} is not installed (needed for {payload.name})")
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, bufsize=0
        )
        self.fd = self.proc.stdout.fileno()
        with contextlib.suppress(OSError):
            fcntl.fcntl(self.fd, F_SETPIPE_SZ, READ_SIZE)
        self.threads.append(threading.Thread(target=self._feed, daemon=True))

    def _feed(self) -> None:
        out = self.proc.stdin.fileno()
        chunk = bytearray(READ_SIZE)
        view = memoryview(chunk)
        try:
            with self.payload.open_stored() as f:
                while not self.stop.is_set():
                    n = f.readinto(chunk)
                    if not n:
                        break
                    self.sha.update(view[:n])
                    self.fed += n
                    pos = 0
                    while pos < n:
                        pos += os.write(out, view[pos:n])
        except BrokenPipeError:
            pass  # the decompressor stopped early; its exit status says why
        except OSError as exc:
            self.error = exc
        except Exception as exc:  # a download that gave up (PayloadError): the writer raises it
            self.fatal = exc
        finally:
            self.proc.stdin.close()

    def _fill(self, view: memoryview) -> int:
        return read_full(self.fd, view)

    def _status(self) -> None:
        rc = self.proc.wait()
        self.stderr.seek(0)
        lines = [ln for ln in self.stderr.read().decode(errors="replace").splitlines() if ln]
        text = " ".join(ln.strip() for ln in lines)
        if rc != 0 or "trailing garbage" in text:
            self.failure = text[:300] or f"{self.proc.args[0]} exit status {rc}"

    def close(self) -> None:
        self.stop.set()
        if self.proc.poll() is None:
            self.proc.kill()
        super().close()
        self.proc.wait()
        self.proc.stdout.close()
        self.stderr.close()


def open_source(payload: Payload, bufsize: int, nbufs: int) -> Source:
    if payload.compression == "raw":
        return RawSource(payload, bufsize, nbufs).start()
    if payload.compression == "zstd" and not os.environ.get(ENV_PIPE):
        try:
            return ZstdModuleSource(payload, bufsize, nbufs).start()
        except ImportError:
            pass
    return PipeSource(payload, bufsize, nbufs).start()

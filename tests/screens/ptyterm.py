"""Drive the real `cos-installer` over a bare pty (no terminal emulator in between): bytes in
with one os.write per burst, the output read back with the escape sequences removed."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time

ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][0-9A-Za-z]|[=>78cDEHMNOZ])")


class PtyTerm:
    def __init__(self, argv: list[str], cols: int = 80, rows: int = 24) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: the pty is its controlling terminal and stdio
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            # the session's own temporary directory (tests/conftest.private_tmp): a dry run's
            # log directory and a shell's history land there, never in the real /tmp
            private = {k: os.environ[k] for k in ("TMPDIR", "XDG_RUNTIME_DIR") if k in os.environ}
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
                   "TERM": "linux", "HOME": private.get("TMPDIR", "/tmp"), **private}  # fmt: skip
            os.execve(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        self.raw = b""
        self.mark = 0  # wait_for() searches the text from here

    def _pump(self, timeout: float) -> None:
        ready, _w, _x = select.select([self.fd], [], [], timeout)
        if ready:
            with contextlib.suppress(OSError):  # EIO: the child has gone
                self.raw += os.read(self.fd, 65536)

    def text(self) -> str:
        return ESCAPES.sub(b"", self.raw).decode("utf-8", "replace")

    def wait_for(self, needle: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text()[self.mark :]:
            if time.monotonic() > deadline:
                tail = self.text()[-2000:]
                raise AssertionError(
                    f"{needle!r} not shown within {timeout} s; last output:\n{tail}"
                )
            self._pump(0.05)
        self.mark = self.text().index(needle, self.mark)

    def settle(self, seconds: float) -> str:
        """Read for `seconds` (real time); the text that arrived in it."""
        start = len(self.text())
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._pump(max(0.0, deadline - time.monotonic()))
        return self.text()[start:]

    def write(self, data: bytes) -> None:
        """One burst: every byte in a single write."""
        os.write(self.fd, data)

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        os.close(self.fd)

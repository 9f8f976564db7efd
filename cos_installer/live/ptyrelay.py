"""A program on a pty whose other end is this console: lets the wizard show on two consoles at
once and notices the first key, which decides the console that keeps it (live.consoles).

The wizard sees a terminal as before (its own controlling pty, the console's size), so Ctrl+C,
Esc and the arrows reach it unchanged; the console is put in raw mode while relaying.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import subprocess
import termios
import tty
from collections.abc import Callable

POLL = 0.5  # seconds between looks at whether another console took the wizard


def _controlling_tty() -> None:  # in the child, after setsid: the pty becomes its terminal
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _copy_size(src: int, dst: int) -> None:
    with contextlib.suppress(OSError):
        fcntl.ioctl(dst, termios.TIOCSWINSZ, fcntl.ioctl(src, termios.TIOCGWINSZ, bytes(8)))


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]


def relay(
    argv: list[str],
    claim: Callable[[], bool],
    lost: Callable[[], bool],
    *,
    started: Callable[[subprocess.Popen], None] = lambda child: None,
    stdin: int = 0,
    stdout: int = 1,
) -> int | None:
    """Run `argv` on a pty shown on this console. The first key calls `claim()`: True, it is
    passed on and this console keeps the program; False, or `lost()` while no key came, the
    program is stopped and None returned. Otherwise the program's exit status."""
    master, slave = os.openpty()
    _copy_size(stdin, slave)
    child = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                             start_new_session=True, preexec_fn=_controlling_tty)  # fmt: skip
    os.close(slave)
    started(child)
    saved = termios.tcgetattr(stdin) if os.isatty(stdin) else None
    if saved is not None:
        tty.setraw(stdin, termios.TCSANOW)
    watch, claimed = [stdin, master], False
    try:
        while True:
            ready, _, _ = select.select(watch, [], [], POLL)
            if master in ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the program closed the pty (it exited)
                    data = b""
                if not data:
                    break
                _write_all(stdout, data)
            if stdin in ready:
                data = os.read(stdin, 1024)
                if not data:
                    watch.remove(stdin)
                    continue
                if not claimed and not claim():
                    return _stop(child)
                claimed = True
                _write_all(master, data)
            elif not claimed and lost():
                return _stop(child)
        return child.wait()
    finally:
        if saved is not None:
            termios.tcsetattr(stdin, termios.TCSADRAIN, saved)
        os.close(master)


def _stop(child: subprocess.Popen) -> None:
    """Another console has the program: end it here (it restores its terminal on SIGTERM)."""
    with contextlib.suppress(ProcessLookupError):
        child.send_signal(signal.SIGTERM)
    try:
        child.wait(5)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
    return None

"""One install at a time: the lock the consoles share, and taking the installer over from
another console (Enter there stops it here; cos_installer.commands.autostart)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import sys
import termios
import time
import tty

HANDOVER_WAIT = 10.0  # seconds the taking console waits for the other to let go


def wait_key(seconds: float) -> bool:
    """True when a key was pressed on stdin within `seconds`."""
    if not sys.stdin.isatty():
        time.sleep(seconds)
        return False
    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd, termios.TCSANOW)  # not TCSAFLUSH: a key pressed already counts
        ready, _, _ = select.select([fd], [], [], seconds)
        if ready:
            os.read(fd, 64)
            return True
        return False
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)


def take_lock(path: str, console: str, fd: int | None = None) -> int:
    """Hold the installer lock (returns its fd); meanwhile tell this console where it runs.
    `fd`: the lock file already open (and perhaps held, by the autostart outside fbterm)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644) if fd is None else fd
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            holder = os.pread(fd, 100, 0).decode(errors="replace").split()
            where, pid = (holder + ["another console", "0"])[:2]
            if not told:
                sys.stdout.write("\x1b[H\x1b[2J")  # a clean screen, not firmware leftovers
                print(f"The COS installer is running on {where}.")
                print(f"Press Enter here to move it to {console} (it stops on {where}).")
                told = True
            if wait_key(2.0):
                with contextlib.suppress(ProcessLookupError, ValueError, PermissionError):
                    os.kill(int(pid), signal.SIGTERM)
                told = False
                if _lock_when_freed(fd, HANDOVER_WAIT):
                    break
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{console} {os.getpid()}\n".encode(), 0)
    return fd


def _lock_when_freed(fd: int, seconds: float) -> bool:
    """Right after asking the holder to stop: take the lock the moment it is freed, before
    systemd restarts the holder's console (RestartSec=1), which would take it back."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            time.sleep(0.05)
    return False


def claim(fd: int, console: str, tries: int = 20) -> bool:
    """Take the installer lock for this console (the first key was pressed here). False when
    another console holds it. A peer's short probe (claimed_elsewhere) is waited out."""
    for _ in range(tries):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            time.sleep(0.01)
            continue
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{console} {os.getpid()}\n".encode(), 0)
        return True
    return False


def claimed_elsewhere(fd: int) -> bool:
    """True when another console holds the installer lock (without taking it)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)
    return False

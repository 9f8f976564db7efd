"""`cos-installer` entry checks: root unless --dry-run, a terminal, readable answers and
profile; each refusal is one clear message, never a traceback."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import termios
import time

import pytest

from tests.realparts import need_root, need_tools

from .tmuxterm import INSTALLER, Tmux


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*args], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL, **kw
    )


def test_refuses_clearly_when_not_root():
    need_root()  # to drop to an unprivileged user
    need_tools("setpriv")
    done = run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", str(INSTALLER))
    assert done.returncode == 1
    assert "the installer must run as root" in done.stderr
    assert "--dry-run --machine demo" in done.stderr
    assert "Traceback" not in done.stderr


def test_refuses_without_a_terminal():
    done = run(str(INSTALLER), "--dry-run", "--machine", "demo")
    assert done.returncode == 2
    assert "the wizard needs a terminal" in done.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("--machine nosuch", "machine profile 'nosuch': no bundled profile of that name"),
        ("--machine demo --answers /nonexistent.yaml", "/nonexistent.yaml"),
    ],
)
def test_bad_profile_or_answers_file_is_one_clear_line(extra, message):
    need_tools("tmux")
    term = Tmux()
    try:
        term.run(f"{INSTALLER} --dry-run {extra}")
        term.wait_for("EXIT=2")
        shown = term.joined()
        assert message in shown
        assert "Traceback" not in shown
    finally:
        term.kill()


def test_serial_tty_reporting_no_size_gets_an_80x24_ascii_frame():
    """A serial console reports 0x0: the wizard draws 80x24, ASCII only (TERM=vt220)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(TERM="vt220", LANG="C.UTF-8")
        os.execv(str(INSTALLER), [str(INSTALLER), "--dry-run", "--machine", "demo"])
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 0, 0, 0, 0))
        seen, deadline = b"", time.monotonic() + 10
        while b"Found 3 network" not in seen and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.2)[0]:
                seen += os.read(fd, 65536)
        os.write(fd, b"\x03")
        time.sleep(0.2)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(fd)
    text = seen.decode("utf-8", "replace")
    assert "Found 3 network" in text
    assert "enlarge the terminal" not in text
    border = "+" + "-" * 35 + " Welcome " + "-" * 34 + "+"
    assert len(border) == 80 and border in text, "an 80-column ASCII frame"
    assert not any(ch in text for ch in "┌─│└"), "no line-drawing glyphs on a serial line"

"""Which console shows the wizard first (cos_installer.live.consoles) and the first-key hand-off
between two consoles, on real ptys with autostart's own code."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cos_installer.i18n import cjk_capable
from cos_installer.live import consoles
from cos_installer.live.boot import parse_cmdline

DEFAULT = "boot=live quiet console=tty0 console=ttyS0,115200n8"  # iso/live/cmdline's order
LOCAL_FIRST = "boot=live quiet console=ttyS0,115200n8 console=tty0"


def plan(console: str, cmdline: str, env: dict | None = None, fb: bool = True, fbterm=True):
    return consoles.plan(console, parse_cmdline(cmdline), env or {}, framebuffer=fb, fbterm=fbterm)


def test_the_default_boot_shows_the_wizard_on_both_consoles() -> None:
    assert plan("tty1", DEFAULT).mirror and plan("ttyS0", DEFAULT).mirror


def test_a_local_screen_boot_keeps_the_serial_line_on_the_take_over() -> None:
    assert not plan("tty1", LOCAL_FIRST).mirror and not plan("ttyS0", LOCAL_FIRST).mirror


@pytest.mark.parametrize(
    "extra", ["cos.answers=cdrom:/a.yaml cos.autoinstall", "cos.answers=http://10.0.2.2/a.yaml"]
)
def test_an_install_or_a_download_runs_on_one_console(extra: str) -> None:
    assert not plan("tty1", f"{DEFAULT} {extra}").mirror
    assert not plan("ttyS0", f"{DEFAULT} {extra}").mirror


def test_answers_on_the_medium_still_show_both() -> None:
    assert plan("tty1", f"{DEFAULT} cos.answers=label:COSCFG:/answers.yaml").mirror


def test_terminal_per_console() -> None:
    assert plan("ttyS0", DEFAULT) == consoles.Plan("vt220", False, True)
    assert plan("tty1", DEFAULT) == consoles.Plan("linux", True, True)  # fbterm goes first
    assert plan("tty1", DEFAULT, fb=False).fbterm is False  # no framebuffer: text console
    assert plan("tty1", DEFAULT, fbterm=False).fbterm is False
    inside = plan("tty1", DEFAULT, {consoles.IN_FBTERM: "1"})
    assert inside.term == "fbterm" and not inside.fbterm


def test_chinese_is_offered_inside_fbterm_only() -> None:
    assert cjk_capable({"TERM": "fbterm", "LANG": "C.UTF-8"})
    assert not cjk_capable({"TERM": "linux", "LANG": "C.UTF-8"})


def test_fbterm_gets_the_cjk_font() -> None:
    argv = consoles.fbterm_command(["cos-installer", "autostart", "--console", "tty1"])
    assert argv[0] == consoles.FBTERM and "--font-names=WenQuanYi Micro Hei Mono" in argv
    assert argv[argv.index("--") + 1 :] == ["cos-installer", "autostart", "--console", "tty1"]


STUB_WIZARD = """
import sys
print("Welcome to the COS installer", flush=True)
line = sys.stdin.readline()
print("wizard got " + line.strip(), flush=True)
sys.stdin.readline()
"""
AUTOSTART = """
import argparse, os, sys
from cos_installer.live import consoles
from cos_installer.commands import autostart
consoles.FBTERM = os.environ.get("TEST_FBTERM", consoles.FBTERM)  # a stand-in, when given
consoles.FRAMEBUFFER = os.environ.get("TEST_FRAMEBUFFER", consoles.FRAMEBUFFER)
autostart.installer = lambda: [sys.executable, "-c", sys.argv[4]]
autostart.prepare_terminal = lambda *args: None  # leaves the host's dmesg level alone
args = argparse.Namespace(console=sys.argv[1], cmdline=sys.argv[2], lock=sys.argv[3],
                          countdown=10, medium="/nonexistent")
sys.exit(autostart.run(args))
"""


class Console:
    """One autostart on its own pty, as the systemd unit runs it on tty1 or ttyS0."""

    def __init__(self, name: str, tmp: Path, fbterm: Path | None = None) -> None:
        self.master, slave = os.openpty()
        env = {k: v for k, v in os.environ.items() if k != consoles.IN_FBTERM}
        if fbterm is None:
            env[consoles.IN_FBTERM] = "1"  # as inside fbterm: no framebuffer needed on the host
        else:  # tty1 starts the stand-in fbterm, which runs this same autostart inside
            cmdline, lock = str(tmp / "cmdline"), str(tmp / "lock")
            env.update(TEST_FBTERM=str(fbterm), TEST_FRAMEBUFFER=cmdline, TEST_LOCK=lock,
                       TEST_PYTHON=sys.executable, TEST_INNER=AUTOSTART, TEST_CMDLINE=cmdline,
                       TEST_WIZARD=STUB_WIZARD)  # fmt: skip
        argv = [sys.executable, "-c", AUTOSTART, name, str(tmp / "cmdline"), str(tmp / "lock"),
                STUB_WIZARD]  # fmt: skip
        repo = Path(__file__).parents[2]
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     cwd=repo, start_new_session=True)  # fmt: skip
        os.close(slave)
        self.seen = b""

    def expect(self, text: bytes, seconds: float = 20) -> None:
        end = time.monotonic() + seconds
        while text not in self.seen:
            ready, _, _ = select.select([self.master], [], [], max(0.0, end - time.monotonic()))
            assert ready, f"no {text!r} within {seconds} s: {self.seen!r}"
            try:
                self.seen += os.read(self.master, 4096)
            except OSError:  # EIO: autostart has exited
                raise AssertionError(f"exited ({self.proc.wait(10)}) without {text!r}: "
                                     f"{self.seen!r}") from None  # fmt: skip

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        os.close(self.master)


def test_first_key_keeps_the_wizard_and_the_other_console_can_take_it_over(
    tmp_path: Path,
) -> None:
    (tmp_path / "cmdline").write_text(DEFAULT)
    tty1, ttys0 = Console("tty1", tmp_path), Console("ttyS0", tmp_path)
    try:
        tty1.expect(b"Welcome to the COS installer")  # no key pressed: the wizard on both
        ttys0.expect(b"Welcome to the COS installer")
        os.write(tty1.master, b"hello\r")
        tty1.expect(b"wizard got hello")
        ttys0.expect(b"The COS installer is running on tty1.")
        ttys0.expect(b"Press Enter here to move it to ttyS0")
        assert (tmp_path / "lock").read_text().startswith("tty1 ")
        ttys0.seen = b""  # it said COS-INSTALLER-START when its own wizard showed
        os.write(ttys0.master, b"\r")  # the take-over, as before
        ttys0.expect(b"COS-INSTALLER-START on ttyS0")
        ttys0.expect(b"Welcome to the COS installer")
        assert tty1.proc.wait(10) == 0  # stopped by the take-over; systemd restarts it
        assert (tmp_path / "lock").read_text().startswith("ttyS0 ")
    finally:
        tty1.close()
        ttys0.close()


def test_a_local_screen_boot_asks_the_serial_line_for_a_key(tmp_path: Path) -> None:
    (tmp_path / "cmdline").write_text(LOCAL_FIRST)
    tty1, ttys0 = Console("tty1", tmp_path), Console("ttyS0", tmp_path)
    try:
        tty1.expect(b"Welcome to the COS installer")
        ttys0.expect(b"The COS installer is running on tty1.")
        assert b"Welcome" not in ttys0.seen
    finally:
        tty1.close()
        ttys0.close()


FAKE_FBTERM = """#!/bin/sh
# fbterm's stand-in: slow to start, as fbterm and a second Python start are under TCG
sleep 4
exec "$TEST_PYTHON" -c "$TEST_INNER" tty1 "$TEST_CMDLINE" "$TEST_LOCK" "$TEST_WIZARD"
"""


def test_tty1_in_fbterm_keeps_the_lock_it_took_before_fbterm_started(tmp_path: Path) -> None:
    """A local-screen boot: tty1 starts fbterm (slow) and the autostart inside it; ttyS0,
    3 s later, must still find tty1 holding the installer and offer the take-over."""
    (tmp_path / "cmdline").write_text(LOCAL_FIRST)
    fbterm = tmp_path / "fbterm"
    fbterm.write_text(FAKE_FBTERM)
    fbterm.chmod(0o755)
    tty1, ttys0 = Console("tty1", tmp_path, fbterm), Console("ttyS0", tmp_path)
    try:
        ttys0.expect(b"The COS installer is running on tty1.")
        tty1.expect(b"Welcome to the COS installer")
        holder = (tmp_path / "lock").read_text().split()
        assert holder[0] == "tty1" and int(holder[1]) != tty1.proc.pid  # the one inside fbterm
        os.write(ttys0.master, b"\r")
        ttys0.expect(b"COS-INSTALLER-START on ttyS0")
        assert (tmp_path / "lock").read_text().startswith("ttyS0 ")
    finally:
        tty1.close()
        ttys0.close()

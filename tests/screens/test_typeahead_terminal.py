"""Typed-ahead keys in a real terminal: a burst of keys on the Docker data disk screen (tmux
send-keys with several keys; a single os.write over a bare pty) stops at the Summary, and
only a deliberate Tab + Enter after its first second erases (dry run)."""

from __future__ import annotations

import threading
import time

import pytest

from .ptyterm import PtyTerm
from .test_terminal import start, system_and_nic
from .tmuxterm import INSTALLER

pytestmark = pytest.mark.realparts
GUARD_AND_MORE_S = 1.5  # longer than the Summary's one-second guard (real time, not asserted)


def test_a_burst_in_tmux_stops_at_the_summary(term):
    start(term, "screen")
    term.keys("Enter")
    term.wait_for("Which role")
    term.keys("Enter")
    term.wait_for("HTTP Port:")
    term.keys("Enter")
    term.wait_for("Enable the controller HA")
    term.keys("Enter")
    system_and_nic(term, "controller1", 0)
    term.wait_for("Pre-filled from the DHCP answer on eth0")
    term.keys("Enter")
    term.wait_for("This machine (192.168.122.101) is:")
    term.keys("Tab")
    term.send_text("192.168.122.102")
    term.keys("Tab")
    term.send_text("192.168.122.103")
    term.keys("Enter")
    term.wait_for("Choose the disk")
    term.keys("Enter")
    term.wait_for("Optional: a second disk")
    term.burst("Enter", "Tab", "Enter", "Enter")  # a double Enter, and more, in one read
    term.wait_for("[ Erase and install ]")
    time.sleep(GUARD_AND_MORE_S)
    shown = term.screen()
    assert "Summary" in shown.splitlines()[0], shown
    assert "Installing" not in shown
    term.burst("Tab", "Enter")  # now deliberate: the Summary has been up for over a second
    term.wait_for("Press Enter to review the Cloud Config", 30)


@pytest.fixture
def pty_wizard():
    t = PtyTerm([str(INSTALLER), "--dry-run", "--machine", "demo"])
    try:
        yield t
    finally:
        t.close()


def test_a_burst_over_a_pty_stops_at_the_summary(pty_wizard):
    t = pty_wizard
    for expect, keys in [
        ("Found 3 network card(s)", b"\r"),
        ("Which role", b"\r"),  # Controller
        ("HTTP Port:", b"\r"),
        ("Enable the controller HA", b"\r"),
        ("HostName:", b"controller1\tx\tx\r"),
        ("Network card", b"\r"),  # eth0
        ("Pre-filled from the DHCP answer on eth0", b"\r"),
        ("This machine (192.168.122.101) is:", b"\t192.168.122.102\t192.168.122.103\r"),
        ("Choose the disk", b"\r"),
    ]:
        t.wait_for(expect)
        t.write(keys)
    t.wait_for("Optional: a second disk")
    t.write(b"\r\r\t\r\r")  # one os.write
    t.wait_for("[ Erase and install ]")
    later = t.settle(GUARD_AND_MORE_S)
    assert "Installing" not in later and "Installation finished" not in later
    t.write(b"\t\r")
    t.wait_for("Installation finished", 30)


def test_a_100k_paste_over_a_pty_is_cut_and_the_wizard_answers(pty_wizard):
    t = pty_wizard
    for expect, keys in [("Found 3 network card(s)", b"\r"), ("Which role", b"\x1b[B")]:
        t.wait_for(expect)
        t.write(keys)
    t.settle(0.3)
    t.write(b" \r")  # Agent
    t.wait_for("InstallCode:")
    paste = (b"192.168.122.170:80," * 5300)[:100_000]
    writer = threading.Thread(target=t.write, args=(paste,))  # a tty buffers 4 KiB
    writer.start()
    t.wait_for("cut at 4096 characters", 30)
    writer.join()
    t.write(b"\t8070")  # the wizard answers at once: Tab to the InstallCode, typed there
    t.wait_for("8070")

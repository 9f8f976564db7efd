"""The datacenter network stack in the real `cos-installer --dry-run --machine demo` in tmux
(80x24, tmux's TERM and vt100 for the serial console): Space marks two NICs, the bond mode,
VLAN/MTU/IPv6 on the address screen with the engine's messages on the fields, the stack's one
line on the Summary; Enter without marks still takes the highlighted NIC alone."""

from __future__ import annotations

import re

import pytest

from cos_installer.answers import validate
from tests.screens.test_terminal import finish, start

pytestmark = pytest.mark.realparts
STACK = "bond0 (eth0+eth1, 802.3ad, MTU 9000) > vlan100 > 192.168.122.101/24, 2001:db8:122::101/64"


def flat(screen: str) -> str:
    """The pane's text without the box's sides, lines joined: a message wrapped under its
    field reads as one sentence."""
    rows = [line.strip().strip("│|").strip() for line in screen.splitlines()]
    return " ".join(" ".join(rows).split())


def wait_flat(t, text: str, timeout: float = 10.0) -> str:
    """Wait until `text` (white space normalised) is on the pane, wrapped or not."""
    import time

    want = " ".join(text.split())
    deadline = time.monotonic() + timeout
    while True:
        shown = t.screen()
        if want in flat(shown):
            return shown
        assert time.monotonic() < deadline, f"{text!r} not shown in {timeout} s:\n{shown}"
        time.sleep(0.03)


def fill_group(t, own: str) -> None:
    """The HA controller's group, which follows the address screen: this machine first."""
    t.wait_for(f"This machine ({own}) is:", 15)
    t.keys("Tab")
    t.send_text("192.168.122.110")
    t.keys("Tab")
    t.send_text("192.168.122.111")
    t.keys("Enter")


def to_nic_screen(t, termname: str) -> str:
    start(t, termname)
    t.keys("Enter")
    t.wait_for("Which role")
    t.keys("Enter")  # Controller
    t.wait_for("HTTP Port:")
    t.keys("Enter")
    t.wait_for("Enable the controller HA")
    t.keys("Enter")
    t.wait_for("HostName:")
    t.send_text("controller1")
    t.keys("Tab")
    t.send_text("s3cret")
    t.keys("Tab")
    t.send_text("s3cret")
    t.keys("Enter")
    return t.wait_for("Network card")


@pytest.mark.parametrize("termname", ["screen", "vt100"])
def test_two_nics_bonded_with_vlan_mtu_and_ipv6_reach_the_summary(term, termname):
    shown = to_nic_screen(term, termname)
    assert re.search(r"\[ \] eth0 +\[Linked\]", shown), shown
    term.keys("Space", "Down", "Space")
    shown = term.wait_for("Enter: a bond of eth0+eth1")
    assert re.search(r"\[x\] eth0 +\[Linked\]", shown) and re.search(
        r"\[x\] eth1 +\[Linked\]", shown
    )
    assert re.search(r"\[ \] eth2 +\[NoLink\]", shown), "the unmarked row keeps its link state"
    if termname == "vt100":
        assert shown.isascii(), "the marks and rows draw on a serial console"
    term.keys("Enter")
    shown = term.wait_for("How they share the traffic")
    assert "(*) active-backup" in shown and "802.3ad" in shown and "balance-alb" in shown
    term.keys("Down", "Space", "Enter")  # 802.3ad: both members have a link, no warning
    shown = term.wait_for("Pre-filled from the DHCP answer", 15)
    assert "192.168.122.101/24" in shown
    term.keys("Tab", "Tab", "Tab")  # Gateway, DnsMaster, VLAN
    term.send_text("4095")
    term.keys("Tab")
    term.send_text("100")  # MTU
    term.keys("Tab", "Right", "Right", "Right", "Space")  # IPv6 static
    term.wait_for("IPv6/Prefix:")
    term.keys("Tab")
    term.send_text("2001:db8:122::101/64")
    term.keys("Tab")
    term.send_text("2001:db8:999::1")
    term.keys("Enter")
    # each bad field gets the engine's own message, the first bad one focused for the fix
    addr6 = validate.address6("2001:db8:122::101/64")
    expected = [
        ("4095", validate.error_of(validate.vlan_id, "4095"), "100"),
        ("100", validate.error_of(validate.mtu, "100"), "9000"),
        ("2001:db8:999::1", validate.error_of(validate.gateway6, "2001:db8:999::1", addr6),
         "2001:db8:122::1"),
    ]  # fmt: skip
    for wrong, message, right in expected:
        assert message
        wait_flat(term, message)
        term.keys(*["BSpace"] * len(wrong))
        term.send_text(right)
        term.keys("Enter")
    fill_group(term, "192.168.122.101")
    term.wait_for("Choose the disk", 15)
    term.keys("Enter")
    term.wait_for("Optional: a second disk")
    term.keys("Down", "Space", "Enter")
    shown = wait_flat(term, STACK)
    assert "IPv6 gateway" in shown
    finish(term, "192.168.122.101/24", "2001:db8:122::101/64", "VLAN")


def test_enter_without_marks_takes_the_highlighted_nic_alone(term):
    shown = to_nic_screen(term, "screen")
    assert "[x]" not in shown
    term.keys("Down")  # eth1, nothing marked
    term.wait_for("Enter: eth1 alone.")
    term.keys("Enter")
    shown = term.wait_for("IP/Mask:", 15)
    assert "Address of eth1:" in shown and "Bond mode" not in shown
    term.send_text("192.168.122.102/24")
    term.keys("Tab")
    term.send_text("192.168.122.1")
    term.keys("Tab")
    term.send_text("192.168.122.1")
    term.keys("Enter")
    fill_group(term, "192.168.122.102")
    term.wait_for("Choose the disk")
    term.keys("Enter")
    term.wait_for("Optional: a second disk")
    term.keys("Enter")
    shown = term.wait_for("Summary")
    assert "eth1 > 192.168.122.102/24" in shown and "bond0" not in shown


def test_marks_unmarked_again_leave_one_nic(term):
    """Space twice on a row takes its mark away: Enter then takes the highlighted NIC."""
    to_nic_screen(term, "screen")
    term.keys("Space", "Down", "Space")
    term.wait_for("Enter: a bond of eth0+eth1")
    term.keys("Space")
    shown = term.wait_for("Enter: eth0 alone.")
    assert "[x] eth0" in shown and "[ ] eth1" in shown


def test_dhcp_is_asked_again_over_the_bond_and_the_vlan_typed(term):
    """The first probe runs before the VLAN is asked: the address screen's button asks again
    over the stack as now typed (bond > VLAN), and the answer pre-fills the address."""
    to_nic_screen(term, "screen")
    term.keys("Space", "Down", "Space", "Enter")
    term.wait_for("How they share the traffic")
    term.keys("Enter")  # active-backup
    wait_flat(term, "Asking for an address by DHCP on bond (eth0+eth1, active-backup)...")
    wait_flat(term, "Pre-filled from the DHCP answer on bond (eth0+eth1, active-backup);", 15)
    term.keys("Tab", "Tab", "Tab")  # Gateway, DnsMaster, VLAN
    term.send_text("100")
    term.keys("Tab", "Tab", "Tab")  # MTU, IPv6, the button
    assert re.search(r"\[ Ask DHCP again with the VLAN above \]", term.screen())
    term.keys("Enter")
    stack = "bond (eth0+eth1, active-backup) > VLAN 100"
    wait_flat(term, f"Asking for an address by DHCP on {stack}...")
    shown = wait_flat(term, f"Pre-filled from the DHCP answer on {stack};", 15)
    assert re.search(r"VLAN: +100 ", shown) and "192.168.122.101/24" in shown

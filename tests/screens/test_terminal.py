"""The real `cos-installer --dry-run --machine demo` in a real terminal (tmux, 80x24): one
walk per role from Welcome to Done on tmux's own TERM, on TERM=linux (VGA console) and on
TERM=vt100 (serial, ASCII drawing); Ctrl+C restores the terminal; resizing; live link."""

from __future__ import annotations

import re
import secrets
import subprocess
import time
from pathlib import Path

import pytest

from tests.realparts import need_root, need_tools

from .tmuxterm import INSTALLER, Tmux

DEMO = Path(__file__).resolve().parents[2] / "cos_installer" / "profiles" / "demo.yaml"
pytestmark = pytest.mark.realparts


def colours(t: Tmux) -> str:
    return t._tmux("capture-pane", "-p", "-e", "-t", "t")


def review_text(t: Tmux) -> str:
    """Every page of the scrollable Cloud Config review."""
    pages = [t.wait_for("#cloud-config")]
    for _ in range(12):
        t.keys("PageDown")
        pages.append(_changed(t, pages[-1]))
        if pages[-1] == pages[-2]:
            break  # the end of the file
    return "\n".join(pages)


def _changed(t: Tmux, before: str, polls: int = 100) -> str:
    """The screen once a key has redrawn it, the same on two captures in a row (polled, not
    slept on: a loaded machine redraws late, and a page captured before or while it was drawn
    was a page skipped); the same screen when the key changed nothing."""
    shown = before
    for _ in range(polls):
        time.sleep(0.02)
        now = t.screen()
        if now == shown and now != before:
            return now  # changed, and the same on two captures: drawn to the end
        shown = now
    return shown


def start(t: Tmux, termname: str, extra: str = "") -> None:
    t.run(f"{INSTALLER} --dry-run --machine demo {extra}".strip(), term=termname)
    shown = t.wait_for("Found 3 network card(s) and 4 disk(s).")
    assert "Welcome to the COS installer" in shown
    assert shown.splitlines()[-1].strip().startswith("Enter begin"), "key bar at the bottom"
    if termname == "vt100":
        assert shown.isascii() and "+-----" in shown.splitlines()[1]
    else:
        assert "┌" in shown


def system_and_nic(t: Tmux, hostname: str, nic_downs: int) -> str:
    t.wait_for("HostName:")
    t.send_text(hostname)
    t.keys("Tab")
    t.send_text("s3cret")
    t.keys("Tab")
    t.send_text("s3cret")
    t.keys("Enter")
    shown = t.wait_for("Network card")
    assert re.search(r"eth0 +\[Linked\]", shown) and re.search(r"eth2 +\[NoLink\]", shown)
    assert "52:54:00:c0:50:03" in shown and "ixgbe" in shown and "1 Gb/s" in shown
    nolink = next(line for line in colours(t).splitlines() if "NoLink" in line)
    t.keys(*["Down"] * nic_downs, "Space", "Enter")
    return nolink


def finish(t: Tmux, *expected: str) -> None:
    shown = t.wait_for("ALL DATA WILL BE ERASED ON")
    assert "/dev/sda (INTEL SSDSC2KB240G8, serial PHYF912345AB240AGN, 223.6 GiB)" in shown
    t.confirm_summary()
    shown = t.wait_for("Press Enter to review the Cloud Config", 30)
    assert "Installation finished." in shown and "Dry run: would have done (" in shown
    t.keys("Escape")  # no way back after the wipe confirmation
    t.wait_for("there is no going back")
    t.keys("Enter")
    review = review_text(t)
    for value in expected:
        assert value in review, f"{value!r} not in the reviewed cloud-config"
    t.keys("Enter")
    t.wait_for("The installation is complete.")
    t.keys("Enter")
    shown = t.wait_for("EXIT=0")
    assert "dry run: would reboot now" in shown


@pytest.mark.parametrize("termname", ["screen", "linux", "vt100"])
def test_controller_walk(term, termname):
    start(term, termname)
    term.keys("Enter")
    term.wait_for("Which role")
    term.keys("Enter")  # Controller (the highlighted row)
    shown = term.wait_for("HTTP Port:")
    assert "80" in shown and "(*) 3" in shown
    term.keys("Tab", "Down", "Space", "Enter")  # cluster size 5
    term.wait_for("Enable the controller HA")
    term.keys("Enter")  # Yes
    nolink = system_and_nic(term, "controller1", 0)
    if termname != "vt100":  # red
        assert re.search(r"\x1b\[[0-9;]*(31|91)m(\x1b\[[0-9;]*m)*\[NoLink\]", nolink), nolink
    else:  # monochrome: reverse video
        assert re.search(r"\x1b\[[0-9;]*7m(\x1b\[[0-9;]*m)*\[NoLink\]", nolink), nolink
    term.wait_for("Asking for an address by DHCP on eth0")
    shown = term.wait_for("Pre-filled from the DHCP answer on eth0")
    assert "192.168.122.101/24" in shown
    term.keys("Enter")
    ha_group(term)
    shown = term.wait_for("Choose the disk")
    assert "not offered: install media" in shown and "not offered: too small" in shown
    term.keys("Enter")
    term.wait_for("Optional: a second disk")
    term.keys("Down", "Space", "Enter")  # /dev/sdb for Docker data
    shown = term.wait_for("Summary")
    assert "cluster size 5" in shown and "/dev/sdb (ST2000NM0055-1V4104" in shown
    assert "192.168.122.101 (primary, this machine), 192.168.122.102," in flat(term)
    finish(term, 'hostname: "controller1"', "192.168.122.101/24",
           "192.168.122.101 192.168.122.102 192.168.122.103")  # fmt: skip


def flat(t: Tmux) -> str:
    """The screen's rows inside the box joined by a space (a message wraps over rows)."""
    return " ".join(line.strip().strip("│|").strip() for line in t.screen().splitlines())


def wait_flat(t: Tmux, text: str) -> str:
    deadline = time.monotonic() + 10
    while text not in flat(t):
        assert time.monotonic() < deadline, f"{text!r} not shown:\n{t.screen()}"
        time.sleep(0.03)
    return flat(t)


def retype(t: Tmux, value: str) -> None:
    t.keys(*["BSpace"] * 20)
    t.send_text(value)


def ha_group(t: Tmux) -> None:
    """The HA group: a duplicate, then this machine left out, then the right three."""
    shown = t.wait_for("This machine (192.168.122.101) is:")
    assert "(*) controller1" in shown and re.search(r"controller1: +192\.168\.122\.101", shown)
    t.keys("Tab")
    t.send_text("192.168.122.101")
    t.keys("Tab")
    t.send_text("192.168.122.103")
    t.keys("Enter")
    wait_flat(t, "an address appears twice")  # under controller2, which has the focus
    retype(t, "192.168.122.102")
    t.keys("BTab")
    retype(t, "192.168.122.110")
    t.keys("Enter")
    wait_flat(t, "this machine's address 192.168.122.101 is not in the group")
    retype(t, "192.168.122.101")  # the focus is on this machine's place
    t.keys("Enter")


@pytest.mark.parametrize("termname", ["screen", "linux", "vt100"])
def test_agent_walk(term, termname):
    start(term, termname)
    term.keys("Enter")
    term.wait_for("Which role")
    term.keys("Down", "Space", "Enter")
    term.wait_for("InstallCode:")
    term.send_text("192.168.122.170:80,192.168.122.171:80")
    term.keys("Tab")
    term.send_text("80x0")
    term.keys("Enter")
    term.wait_for("the install code is exactly 4 digits")
    term.keys("BSpace", "BSpace", "7", "0", "Tab", "Tab", "Tab")
    term.send_text("192.168.122.200/24-192.168.122.250/24")
    term.wait_for("(*) This agent sets the pool at its first boot")
    term.keys("Enter")
    system_and_nic(term, "node1", 1)  # eth1: linked, nobody answers DHCP
    term.wait_for("The network model Docker uses")
    term.keys("Down", "Space", "Enter")  # Ipvlan
    shown = term.wait_for("IP/Mask:", 15)
    assert "no DHCP answer" in shown or "DHCP" in shown
    term.send_text("192.168.122.103/24")
    shown = term.wait_for("next agent takes 192.168.122.105")
    term.keys("Tab")
    term.send_text("192.168.122.1")
    term.keys("Tab")
    term.send_text("192.168.122.1")
    term.keys("Enter")
    term.wait_for("Choose the disk")
    term.keys("Enter")
    term.wait_for("Optional: a second disk")
    term.keys("Enter")
    shown = term.wait_for("Summary")
    assert "Agent: Ipvlan, install code 8070" in shown
    assert "Agent: Ipvlan" in shown and "Role" in shown, "the Summary fits: nothing scrolled off"
    assert "IP pool     192.168.122.200/24-192.168.122.250/24 (this agent sets it)" in shown
    finish(term, 'hostname: "node1"', "192.168.122.170:80", "8070", "192.168.122.103/24")


def test_ctrl_c_leaves_and_restores_the_terminal(term):
    start(term, "linux")
    term.keys("Enter")
    term.wait_for("Which role")
    term.keys("C-c")
    shown = term.wait_for("EXIT=130")
    assert "left before installing: no disk was changed" in shown
    term.send_text("clear; stty -a | tr ';' '\\n' | grep -E '^ *(intr|susp) =|isig|icanon'")
    term.send_text("; echo STTY-$((40+2))")
    term.keys("Enter")
    shown = term.wait_for("STTY-42")
    assert "intr = ^C" in shown and "susp = ^Z" in shown
    assert re.search(r"(^|\s)isig", shown) and re.search(r"(^|\s)icanon", shown)
    assert "-isig" not in shown and "-icanon" not in shown


def test_ctrl_d_restarts_from_welcome(term):
    start(term, "screen")
    term.keys("Enter", "Enter")
    term.wait_for("HTTP Port:")
    term.keys("C-d")
    term.wait_for("Welcome to the COS installer")
    term.keys("Enter")
    assert "( ) Controller" in term.wait_for("Which role")


def test_small_terminal_shows_a_notice_and_resizing_back_restores(term):
    start(term, "linux")
    term.resize(70, 20)
    term.wait_for("enlarge the terminal to 80x24")
    term.resize(80, 24)
    shown = term.wait_for("Welcome to the COS installer")
    assert "enlarge" not in shown


def test_link_change_in_the_profile_shows_within_a_second(term, tmp_path):
    profile = tmp_path / "demo.yaml"
    profile.write_text(DEMO.read_text())
    term.run(f"{INSTALLER} --dry-run --machine {profile}", term="linux")
    term.wait_for("Found 3 network")
    term.keys("Enter", "Enter", "Enter", "Enter")
    system_and_nic_screen = term.wait_for("HostName:")
    assert system_and_nic_screen
    term.send_text("c1")
    term.keys("Tab")
    term.send_text("x")
    term.keys("Tab")
    term.send_text("x")
    term.keys("Enter")
    assert re.search(r"eth2 +\[NoLink\]", term.wait_for("Network card"))
    text = profile.read_text()
    plugged = text.replace("linked: false         # no cable", "linked: true")
    assert plugged != text
    profile.write_text(plugged)
    started = time.monotonic()
    deadline = started + 1.0
    while not re.search(r"eth2 +\[Linked\]", term.screen()):
        assert time.monotonic() < deadline, "the link change did not show within 1 s"
        time.sleep(0.02)


def test_answers_file_prefills_every_screen(term):
    sample = Path(__file__).resolve().parents[2] / "cos_installer" / "samples" / "agent-ipvlan.yaml"
    start(term, "screen", f"--answers {sample}")
    expect = [
        ("Which role", "(*) Agent"),
        ("InstallCode:", "192.168.122.170:80,192.168.122.171:80,192.168.122.172:80"),
        ("HostName:", "keep the password (hash) from the answers file"),
        ("Network card", "Enter: eth0 alone."),
        ("The network model Docker uses", "(*) Ipvlan"),
        ("IP/Mask:", "192.168.122.103/24"),
        ("Choose the disk", "(*) /dev/sda"),
        ("Optional: a second disk", "(*) /dev/sdb"),
    ]
    for title, value in expect:
        term.keys("Enter")
        shown = term.wait_for(title)
        assert value in shown, f"{title}: {value!r} not pre-filled:\n{shown}"
    term.keys("Enter")
    finish(term, 'hostname: "node2"', "192.168.122.103/24", "192.168.122.172:80")


@pytest.fixture
def veth_netns():
    """A veth pair: `vcit0` in a namespace of its own (where the wizard runs), its peer in a
    second namespace, so taking the peer down drops vcit0's carrier."""
    need_root()
    need_tools("ip")
    tag = secrets.token_hex(3)
    ns, peer_ns = f"cit-w{tag}", f"cit-p{tag}"
    run = lambda *a: subprocess.run(["ip", *a], check=True, capture_output=True)  # noqa: E731
    try:
        run("netns", "add", ns)
        run("netns", "add", peer_ns)
        run("link", "add", "vcit0", "netns", ns, "type", "veth", "peer", "vcit1",
            "netns", peer_ns)  # fmt: skip
        run("-n", ns, "link", "set", "vcit0", "up")
        run("-n", peer_ns, "link", "set", "vcit1", "down")
        yield ns, lambda up: run("-n", peer_ns, "link", "set", "vcit1", "up" if up else "down")
    finally:
        for name in (ns, peer_ns):
            subprocess.run(["ip", "netns", "del", name], capture_output=True)


def test_veth_link_change_shows_within_a_second(term, veth_netns):
    ns, set_peer = veth_netns
    term.run(f"ip netns exec {ns} {INSTALLER} --dry-run --all-nics", term="linux")
    term.wait_for("Found 1 network card(s)", 20)
    term.keys("Enter", "Enter", "Enter", "Enter")
    term.wait_for("HostName:")
    term.send_text("c1")
    term.keys("Tab")
    term.send_text("x")
    term.keys("Tab")
    term.send_text("x")
    term.keys("Enter")
    shown = term.wait_for("Network card")
    assert re.search(r"vcit0 +\[NoLink\]", shown) and "veth" in shown
    for up, state in ((True, "Linked"), (False, "NoLink")):
        set_peer(up)
        deadline = time.monotonic() + 1.0
        while not re.search(rf"vcit0 +\[{state}\]", term.screen()):
            assert time.monotonic() < deadline, f"[{state}] did not show within 1 s"
            time.sleep(0.02)

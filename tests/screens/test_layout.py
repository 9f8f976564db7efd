"""Every screen's layout at 80x24, golden-compared as text (UPDATE_GOLDEN=1 rewrites them)."""

from __future__ import annotations

import os
import threading

import pytest

from .conftest import AGENT_VALUES, CONTROLLER_VALUES, GOLDEN, FakeMachine, Harness, at, changed

HASH = "$6$saltsalt$" + "A" * 86  # a fixed password hash: the rendered config stays the same
# the datacenter stack: two NICs bonded, VLAN 100 on top, jumbo frames, IPv6 static
STACK_VALUES = changed(
    CONTROLLER_VALUES, network__interface=["eth0", "eth1"], network__bond={"mode": "active-backup"},
    network__vlan=100, network__mtu=9000, network__ipv6="static",
    network__address6="2001:db8:122::101/64", network__gateway6="2001:db8:122::1",
)  # fmt: skip

CASES = {
    "welcome": ("welcome", {}),
    "role": ("role", {}),
    "controller": ("controller", {"role": "controller"}),
    "ha": ("ha", {"role": "controller"}),
    "agent": ("agent", changed(AGENT_VALUES, agent__install_code="")),
    "system": ("system", CONTROLLER_VALUES),
    "nic": ("nic", CONTROLLER_VALUES),
    "network_model": ("network_model", AGENT_VALUES),
    "address": ("address", CONTROLLER_VALUES),
    "address_ipvlan": ("address", AGENT_VALUES),
    "address_dhcp": ("address", changed(CONTROLLER_VALUES, network__dhcp=True)),
    "group": ("group", changed(CONTROLLER_VALUES, controller__group=None)),
    "address_stack": ("address", STACK_VALUES),
    "bond": ("bond", STACK_VALUES),
    "bond_lacp_nolink": (
        "bond",
        changed(
            STACK_VALUES, network__interface=["eth0", "eth2"], network__bond={"mode": "802.3ad"}
        ),
    ),  # fmt: skip
    "nic_bond": ("nic", STACK_VALUES),
    "confirm_stack": ("confirm", STACK_VALUES),
    "done_stack": ("done", STACK_VALUES),
    "disk": ("disk", CONTROLLER_VALUES),
    "data_disk": ("data_disk", CONTROLLER_VALUES),
    "confirm_controller": ("confirm", CONTROLLER_VALUES),
    "confirm_agent": ("confirm", AGENT_VALUES),
    "confirm_agent_pool": (
        "confirm",
        changed(AGENT_VALUES, agent__ip_pool="192.168.122.200/24-192.168.122.250/24"),
    ),
    "progress": (
        "progress",
        changed(CONTROLLER_VALUES, system__password=None, system__password_hash=HASH),
    ),
    "done": ("done", CONTROLLER_VALUES),
}


def check_golden(name: str, lines: list[str]) -> None:
    assert len(lines) == 24, f"{name}: {len(lines)} rows"
    assert all(len(line) <= 80 for line in lines)
    path = GOLDEN / f"{name}.txt"
    got = "\n".join(lines) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1" or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(got)
    assert got == path.read_text(), f"{name} differs from {path} (UPDATE_GOLDEN=1 to accept)"


@pytest.mark.parametrize("name", sorted(CASES))
def test_screen_layout_matches_golden(name):
    step, values = CASES[name]
    h = installed(values) if step == "progress" else at(step, values)
    assert h.step == step
    check_golden(name, h.text())


def installed(values: dict) -> Harness:
    h = at("confirm", values)
    h.confirm()
    return h


def test_review_layout_matches_golden():
    h = installed(changed(CONTROLLER_VALUES, system__password=None, system__password_hash=HASH))
    assert h.app.install_state == "finished"
    h.press("enter")
    assert h.step == "review"
    lines = h.text()
    assert "#cloud-config" in lines[2]
    check_golden("review", lines)
    h.press(*["page down"] * 3)
    assert h.text()[2:22] != lines[2:22], "the review scrolls"


def test_dhcp_layout_matches_golden_and_esc_skips_the_probe():
    machine = SlowDhcpMachine()
    h = at("nic", CONTROLLER_VALUES, machine=machine)
    h.app.work.sync = False  # the probe runs in a thread; the screen waits for it
    h.press("enter")
    assert h.step == "dhcp"
    h.app.view.tick(3.2)
    check_golden("dhcp", h.text())
    assert machine.started.wait(5)
    h.press("esc")  # skips: on to the address screen, values kept, no lease applied
    assert h.step == "address"
    assert "192.168.122.101/24" in h.show()
    machine.release.set()


class SlowDhcpMachine(FakeMachine):
    def __init__(self) -> None:
        super().__init__()
        self.started, self.release = threading.Event(), threading.Event()

    def dhcp(self, interface, timeout=10.0):
        self.started.set()
        self.release.wait(timeout)
        return super().dhcp(interface, timeout)


def test_media_not_ready_screen_replaces_the_wizard():
    h = Harness.__new__(Harness)
    machine = FakeMachine(media_ok=False)
    from .conftest import FakeEngine

    Harness.__init__(h, FakeEngine(machine, dry_run=False))
    text = h.show()
    assert "CDROM Device Not Ready" in text and "volume label CDROM" in text
    check_golden("media", h.text())
    machine.media_ok = True
    assert "Welcome to the COS installer" in h.press("enter")


@pytest.mark.parametrize(
    "name",
    ["welcome", "disk", "confirm_controller", "address_ipvlan", "nic_bond", "bond_lacp_nolink",
     "address_stack", "confirm_stack", "done_stack"],
)  # fmt: skip
def test_ascii_mode_draws_only_ascii(name):
    step, values = CASES[name]
    h = at(step, values, ascii_only=True)
    text = h.show()
    assert text.isascii(), [c for c in text if not c.isascii()][:5]
    assert text.splitlines()[1].startswith("+---")


def held_machine(mounted: bool) -> FakeMachine:
    """/dev/sda was a RAID1 member with an LVM volume group on the array (a reused server)."""
    from dataclasses import replace

    from .conftest import demo_disks

    disks = demo_disks()
    part = replace(disks[0].partitions[0], mountpoint="/srv" if mounted else None)
    holder = "md0 (RAID raid1, also on /dev/sdb1)"
    disks[0] = replace(disks[0], holders=(holder,), partitions=(part,))
    return FakeMachine(disks_list=disks)


def test_summary_says_leftover_raid_is_stopped_and_the_install_clears_it():
    h = at("confirm", CONTROLLER_VALUES, machine=held_machine(mounted=False))
    shown = " ".join(line.strip("│ ") for line in h.text())
    assert "/dev/sda is held by md0 (RAID raid1, also on /dev/sdb1): installing stops it" in shown
    assert "(on every disk it is on) and erases its RAID/LVM metadata on /dev/sda." in shown
    assert "is in use" not in shown
    assert len(h.text()) == 24 and "Move to [Erase and install] (Tab) and press Enter" in shown
    h.confirm()
    assert h.engine.cleared == [True]


def test_summary_refuses_nothing_but_says_a_mounted_disk_is_in_use():
    h = at("confirm", CONTROLLER_VALUES, machine=held_machine(mounted=True))
    shown = " ".join(line.strip() for line in h.text())
    assert "/dev/sda is in use: /dev/sda1 is mounted on /srv; held by md0" in shown
    assert "installing stops it" not in shown


def test_a_disk_nothing_holds_is_installed_without_clearing():
    h = at("confirm", CONTROLLER_VALUES)
    h.confirm()
    assert h.engine.cleared == [False]

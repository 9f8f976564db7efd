"""The NIC marks, the bond mode and the address screen's VLAN/MTU/IPv6 on the screen-test
harness: an answers file prefills them all, Esc keeps what was typed, the checks are the
engine's."""

from __future__ import annotations

from cos_installer.answers import validate
from cos_installer.answers.model import BondSettings, NetworkSettings

from .conftest import CONTROLLER_VALUES, FakeEngine, FakeMachine, Harness, at, changed

STACK_FILE = {
    **CONTROLLER_VALUES,
    "controller": {**CONTROLLER_VALUES["controller"],
                   "group": ["10.0.0.5", "10.0.0.6", "10.0.0.7"]},
    "network": {
        "interface": ["eth0", "eth1"], "bond": {"mode": "802.3ad", "miimon": 100},
        "vlan": 100, "mtu": 9000, "dhcp": False, "address": "10.0.0.5/24",
        "gateway": "10.0.0.1", "dns": "10.0.0.2", "ipv6": "static",
        "address6": "2001:db8:1::5/64", "gateway6": "fe80::1",
    },
}  # fmt: skip


def test_an_answers_file_with_a_bond_vlan_and_ipv6_prefills_every_screen():
    h = Harness(FakeEngine(), answers=STACK_FILE)
    for _ in range(5):  # Welcome, Role, Controller, HA, System
        h.press("enter")
    text = h.show()
    assert h.step == "nic" and "[x] eth0" in text and "[x] eth1" in text and "[ ] eth2" in text
    assert "(*) 802.3ad" in h.press("enter")
    text = h.press("enter")  # the DHCP probe (eth0 answers; the file's address is kept)
    assert h.step == "address"
    for value in ("10.0.0.5/24", "100", "9000", "(*) static", "2001:db8:1::5/64", "fe80::1"):
        assert value in text, value
    h.press("enter")
    assert h.step == "group" and "10.0.0.6" in h.show(), "the file's group prefills it"
    h.press("enter", "enter", "enter")  # group, disk, data disk
    assert h.step == "confirm", h.show()
    net = h.app.facts.config.network
    assert net.interfaces == ["eth0", "eth1"] and net.bond.mode == "802.3ad"
    assert net.bond.miimon == 100, "the file's other bond settings are kept"
    assert (net.vlan, net.mtu, str(net.address6)) == (100, 9000, "2001:db8:1::5/64")
    assert net.macs == {"eth0": "52:54:00:12:34:56", "eth1": "52:54:00:12:34:57"}


def test_esc_keeps_the_marks_the_mode_and_the_stack_fields():
    h = at("nic", CONTROLLER_VALUES)
    h.press(" ", "down", " ", "enter")
    h.press("down", "down", " ", "enter")  # balance-alb
    h.press("esc")
    assert h.step == "bond" and "(*) balance-alb" in h.show()
    h.press("esc")
    assert h.step == "nic" and "Enter: a bond of eth0+eth1" in h.show()
    h.press("enter", "enter")
    assert h.step == "address"
    h.press("tab", "tab", "tab")
    h.type("42")
    h.press("esc")
    h.press("enter")  # the bond mode again
    assert h.step == "address" and "42" in h.show()


def test_the_ipv6_address_rows_show_only_for_static():
    h = at("address", CONTROLLER_VALUES)
    assert "IPv6/Prefix" not in h.show()
    h.press("tab", "tab", "tab", "tab", "tab", "right", "right", "right", " ")
    assert "IPv6/Prefix" in h.show()
    h.press("left", " ")  # DHCPv6
    assert "IPv6/Prefix" not in h.show()
    h.press("enter")
    assert h.step == "group"  # an HA controller's group comes next
    assert h.app.wizard.answers["network"]["ipv6"] == "dhcp"


def test_an_mtu_below_what_ipv6_takes_is_refused_on_the_mtu_field():
    h = at("address", CONTROLLER_VALUES)
    h.press("tab", "tab", "tab", "tab")
    h.type("1000")
    h.press("tab", "right", " ")  # SLAAC
    text = h.press("enter")
    assert h.step == "address"
    assert "1000 is below 1280" in " ".join(text.replace("│", " ").split())


def test_dhcp_with_a_bad_vlan_is_refused_too():
    h = at("address", changed(CONTROLLER_VALUES, network__dhcp=True, network__vlan="0"))
    text = h.press("enter")
    message = validate.error_of(validate.vlan_id, "0")
    assert h.step == "address" and message
    assert message in " ".join(text.replace("│", " ").split())


def test_no_mark_and_a_single_nic_clears_what_a_bond_left():
    h = at("nic", changed(CONTROLLER_VALUES, network__interface=["eth0", "eth1"],
                          network__bond={"mode": "802.3ad"}))  # fmt: skip
    h.press(" ", "down", " ")  # unmark both: eth1 highlighted
    h.press("enter")
    assert h.step == "address"
    h.press("enter", "enter", "enter", "enter")  # address, group, disk, data disk
    assert h.step == "confirm" and h.app.facts.config_errors == []
    net = h.app.facts.config.network
    assert net.interfaces == ["eth1"] and net.bond is None


def test_marked_rows_keep_their_live_link_and_the_lacp_warning_follows_the_cable():
    h = at("nic", CONTROLLER_VALUES)
    h.press(" ", "down", "down", " ")  # eth0 and eth2 (no cable)
    machine = h.app.machine
    machine.links["eth2"] = True
    h.app.view.update_links(machine.link_states(h.app.view.names))
    text = h.show()
    assert "[x] eth2        [Linked]" in text and "[x] eth0        [Linked]" in text
    machine.links["eth2"] = False
    h.app.view.update_links(machine.link_states(h.app.view.names))
    assert "[x] eth2        [NoLink]" in h.show()
    h.press("enter")
    text = " ".join(h.press("down", " ").replace("│", " ").split())  # 802.3ad
    lacp = NetworkSettings(interfaces=["eth0", "eth2"], bond=BondSettings(mode="802.3ad"))
    [(_path, warning)] = validate.stack_problems(lacp, machine.nics_list)  # eth2: no cable
    assert " ".join(warning.split()) in text, "the engine's rule, as a warning"
    machine.links["eth2"] = True
    h.app.view.update_links(machine.link_states(h.app.view.names))
    assert " ".join(warning.split()) not in " ".join(h.show().replace("│", " ").split())


def test_the_summary_judges_802_3ad_on_the_links_as_they_are_now():
    """The engine's hardware rules run on the NICs with their current links: a cable plugged
    in since the probe lets the Summary go on; without it the Summary lists the rule."""
    lacp = changed(STACK_FILE, network__interface=["eth0", "eth2"])
    h = at("confirm", lacp)
    assert any("network.bond.mode" in e and "eth2" in e for e in h.app.facts.config_errors)
    h.app.machine.links["eth2"] = True
    h = at("confirm", lacp, machine=h.app.machine)
    assert h.app.facts.config_errors == []
    assert h.app.facts.config.network.macs["eth2"] == "52:54:00:12:34:58"


def test_a_summary_taller_than_the_screen_opens_at_its_top_with_the_erase_list_in_sight():
    """Role and hostname were scrolled off the top of a bond + VLAN + IPv6 HA Summary, with
    no way to see them. The body scrolls (PgDn/PgUp), a line says more is there, and what is
    erased and the buttons stay in sight; Enter after scrolling still presses [Back]."""
    machine = FakeMachine()
    machine.links["eth1"] = False  # a warning under the rows, and HA with Cluster Size 1 another
    tall = changed(STACK_FILE, network__bond={"mode": "active-backup"}, controller__cluster_size=1)
    h = at("confirm", tall, machine=machine)
    assert h.step == "confirm" and h.app.facts.config_errors == []
    text = h.show()
    rows = text.splitlines()
    assert "Role" in rows[2] and "HostName" in rows[3], text
    assert "Down/PgDn: more of the summary below" in text
    assert "ALL DATA WILL BE ERASED ON" in text and "[ Erase and install ]" in text
    h.app.view.guard.admit = lambda: True  # the second-long key guard is tested elsewhere
    scrolled = h.press("page down")
    assert "Role" not in scrolled.splitlines()[2] and "Up/PgUp" in scrolled
    assert "ALL DATA WILL BE ERASED ON" in scrolled and "[ Erase and install ]" in scrolled
    assert h.app.view.focused_button.label == "Back"
    assert "Role" in h.press("page up").splitlines()[2]
    h.press("page down", "enter")
    assert h.step != "confirm" and h.step != "progress", "Enter pressed [Back]"


def test_a_stack_probe_is_reported_under_the_stacks_name_not_the_probes_link():
    from cos_installer.screens.dhcp import stack_result

    from cos_installer.hardware.stackprobe import StackProbe
    from cos_installer.hardware.types import DhcpResult, Stack

    class App:
        notes: list[str] = []

        def note(self, line: str) -> None:
            self.notes.append(line)

    stack = Stack(("eth0", "eth1"), vlan=100)
    seen = DhcpResult("cosprobe-v", message="no DHCP answer on cosprobe-v in 10 s")
    app = App()
    result = stack_result(app, StackProbe(stack, seen, None, ("bond up",)))
    label = "bond (eth0+eth1, active-backup) > VLAN 100"
    assert result.interface == label and result.message == f"no DHCP answer on {label} in 10 s"
    assert app.notes == ["dhcp: bond up"]
    failed = stack_result(app, StackProbe(stack, None, None, (), error="ip link add: EPERM"))
    assert failed.message == "ip link add: EPERM" and failed.lease is None


def test_the_dhcp_probe_takes_only_a_vlan_and_bond_mode_the_field_checks_accept():
    """The stack brought up for the probe comes from the answers as entered (a prefilled file
    too): a value the field refuses is left out, never tagged or passed to `ip`."""
    from cos_installer.screens.dhcp import probed_stack

    def vlan(value):
        stack = probed_stack({"network": {"interface": "eth0", "vlan": value}})
        return None if stack is None else stack.vlan

    assert vlan(100) == vlan("100") == vlan(" 100 ") == 100
    for bad in (True, 0, 4095, 99999, "0x64", "1\x00", [1], {"a": 1}, "", None):
        assert vlan(bad) is None, bad  # True was VLAN 1, 99999 went to `ip link add`
    bond = {"interface": ["eth0", "eth1"], "bond": {"mode": "x; rm -rf /"}}
    assert probed_stack({"network": bond}).bond_mode == "active-backup"
    bond["bond"] = {"mode": "802.3ad"}
    assert probed_stack({"network": bond}).bond_mode == "802.3ad"

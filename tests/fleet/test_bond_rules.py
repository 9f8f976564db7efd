"""Fleet rules that pick a bond's members ("the two linked 10G NICs"), resolved against a
machine profile; the permanent MACs the installed system matches them by; the rules'
shape errors; the stack rules that need the machine (MTU over a NIC's max, 802.3ad links)."""

from __future__ import annotations

import pytest

from cos_installer.answers.document import AnswersError, dump_yaml
from cos_installer.answers.fleet import FleetError, check_entries, resolve
from cos_installer.answers.fleet_rules import describe_rule
from cos_installer.answers.loader import load_for_machine
from cos_installer.cli import main
from cos_installer.hardware import open_machine
from tests.fleet.conftest import PASSWORD, profile_path
from tests.netunits import network_files

BOND_RACK = profile_path("rack-bond")
P1, P2 = "52:54:00:b0:10:01", "52:54:00:b0:10:02"  # ens1f0, ens1f1 (ens1f1's current MAC differs)
E1 = "52:54:00:b0:00:01"  # eno1


def answers(interface, **network) -> dict:
    return {
        "role": "controller",
        "controller": {"ha": False},  # a single controller: no HA group needed
        "system": {"hostname": "controller1", "password": PASSWORD},
        "network": {"interface": interface, "address": "192.168.122.170/24",
                    "gateway": "192.168.122.1", "dns": "192.168.122.1", **network},
        "disk": "/dev/sda",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "names", "macs"),
    [
        ({"members": 2, "linked": True, "min_speed": "10G"}, ["ens1f0", "ens1f1"], [P1, P2]),
        ({"members": 2, "linked": True, "driver": "ixgbe"}, ["ens1f0", "ens1f1"], [P1, P2]),
        ({"members": "all", "driver": "ixgbe"}, ["ens1f0", "ens1f1", "ens2f0"], None),
        ({"members": 2, "min_speed": 1000}, None, None),  # eno1 is 1G: three fit
        ({"mac": [P2.upper(), P1]}, ["ens1f0", "ens1f1"], [P1, P2]),  # by permanent MAC
        ({"mac": ["02:00:00:00:00:99", E1]}, ["eno1", "ens1f1"], [E1, P2]),
        ({"name": ["eno1", "eno2"]}, ["eno1", "eno2"], None),
    ],
)  # fmt: skip
def test_member_rules_pick_nics_and_their_permanent_macs(rule, names, macs):
    machine = open_machine(BOND_RACK)
    if names is None:
        with pytest.raises(FleetError, match=r"network.interface: bond members: 2 NICs with "):
            resolve(answers(rule), machine, source="f.yaml")
        return
    network = resolve(answers(rule), machine, source="f.yaml")["network"]
    assert network["interface"] == names
    if macs is not None:
        assert network["mac"] == macs


def test_too_many_or_too_few_fit_lists_every_nic_and_why():
    machine = open_machine(BOND_RACK)
    with pytest.raises(FleetError) as caught:
        resolve(answers({"members": 2, "driver": "ixgbe"}), machine, source="f.yaml")
    (message,) = caught.value.errors
    assert message.startswith("f.yaml: network.interface: bond members: 2 NICs with driver ixgbe:")
    assert "3 NICs fit, 2 wanted: eno1 52:54:00:b0:00:01 (driver e1000e);" in message
    assert f"ens1f1 {P2} (fits)" in message and message.endswith("or the hardware")
    with pytest.raises(FleetError, match="2 NICs fit, 3 wanted"):
        resolve(answers({"members": 3, "linked": True, "min_speed": "10G"}), machine, source="f")


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ({"members": 1}, "members: expected a number of NICs from 2, or all, got 1"),
        ({"members": "two"}, "got 'two'"),
        ({"members": 2, "linked": "first"}, "a rule for bond members takes linked: true"),
        ({"members": 2, "min_speed": "fast"}, "min_speed: 'fast' is not a speed"),
        ({"members": 2, "colour": "red"}, "unknown rule key 'colour' in a rule for bond members"),
        ({"mac": [P1, P1]}, "names a NIC twice"),
        ({"mac": [P1, "52:54"]}, "mac: '52:54' is not a MAC address"),
        ({"members": 3, "mac": [P1, P2]}, "members: 3, but 2 NICs are listed"),
        ({"members": 2, "matched": True}, "unknown rule key 'matched'"),
    ],
)
def test_member_rule_shape_errors(rule, problem):
    errors = check_entries(answers(rule), "f.yaml")
    assert any(e.startswith("f.yaml: network.interface: ") and problem in e for e in errors), errors


def test_describe_and_check_answers_without_a_machine(tmp_path, capsys):
    rule = {"members": 2, "linked": True, "min_speed": "10G"}
    assert describe_rule(rule) == "bond members: 2 NICs with linked True, min_speed 10G"
    path = tmp_path / "f.yaml"
    path.write_text(dump_yaml(answers(rule, bond={"mode": "802.3ad"}, vlan=100)))
    assert main(["check-answers", str(path)]) == 0, capsys.readouterr()
    assert "bond members: 2 NICs" in capsys.readouterr().out


def test_a_fleet_bond_renders_members_matched_by_permanent_mac(tmp_path, capsys):
    path = tmp_path / "f.yaml"
    data = answers({"members": 2, "linked": True, "min_speed": "10G"},
                   bond={"mode": "802.3ad", "lacp_rate": "fast"}, mtu=9000)  # fmt: skip
    path.write_text(dump_yaml(data))
    config = load_for_machine(str(path), open_machine(BOND_RACK))
    assert config.network.macs == {"ens1f0": P1, "ens1f1": P2}
    assert main(["render", "--answers", str(path), "--machine", BOND_RACK]) == 0
    files = network_files(capsys.readouterr().out)
    assert files["/etc/systemd/network/10-ens1f1.network"].startswith(
        f"[Match]\nPermanentMACAddress={P2}\n\n[Link]\nMTUBytes=9000\n\n[Network]\nBond=bond0\n"
    )
    assert "Mode=802.3ad\n" in files["/etc/systemd/network/20-bond0.netdev"]


@pytest.mark.parametrize(
    ("interface", "network", "path", "fragment"),
    [
        ({"name": ["eno1", "ens1f0"]}, {"mtu": 9000}, "network.mtu",
         "9000 is more than eno1 takes (its driver's maximum is 8996)"),
        ({"members": "all", "driver": "ixgbe"}, {"bond": {"mode": "802.3ad"}},
         "network.bond.mode", "802.3ad needs a link on every member, and ens2f0 has none"),
        (["eno1", "eth7"], {}, "network.interface", "eth7 is not a NIC of this machine"),
        ("ens1f1", {"mac": "52:54:00:b0:00:01"}, "network.mac",
         "52:54:00:b0:00:01 is pinned for ens1f1, but ens1f1 here has the MAC " + P2),
    ],
)  # fmt: skip
def test_stack_rules_with_the_machine(tmp_path, interface, network, path, fragment):
    file = tmp_path / "f.yaml"
    file.write_text(dump_yaml(answers(interface, **network)))
    with pytest.raises(AnswersError) as caught:
        load_for_machine(str(file), open_machine(BOND_RACK))
    assert any(f"f.yaml: {path}: {fragment}" in e for e in caught.value.errors), caught.value.errors


@pytest.mark.parametrize("pinned", [None, "02:00:00:00:00:99", P2])
def test_a_named_nic_gets_its_permanent_mac_and_a_pinned_one_may_be_either(tmp_path, pinned):
    file = tmp_path / "f.yaml"
    extra = {"mac": pinned} if pinned else {}
    file.write_text(dump_yaml(answers("ens1f1", **extra)))
    config = load_for_machine(str(file), open_machine(BOND_RACK))
    assert config.network.macs == {"ens1f1": P2}


FLEET_NET = [
    # (shared network keys, host 1's network override, the line after FILE)
    ({"interface": ["eth0", "eth1"], "bond": {"mode": "802.3ad"}, "vlan": 100}, {}, None),
    ({"interface": {"members": 2, "linked": True}, "mtu": 9000, "ipv6": "slaac"}, {}, None),
    ({"interface": ["eth0", "eth1"]}, {"vlan": 4095},
     " hosts[1] (node-b): network.vlan: 4095 is out of range: a VLAN ID is a number from 1"),
    ({"interface": ["eth0", "eth1"]}, {"interface": "eth0", "bond": {"mode": "802.3ad"}},
     " hosts[1] (node-b): network.bond: a bond of one NIC (eth0)"),
    ({"ipv6": "static"}, {"address6": "2001:db8::11/64", "gateway6": "2001:db9::1"},
     " hosts[1] (node-b): network.gateway6: 2001:db9::1 is not inside 2001:db8::/64"),
    ({"ipv6": "static"}, {"address6": "2001:db8::11/64"},
     " hosts[0] (node-a): network.address6: missing: a value is required"),
    ({"interface": {"members": 1}}, {},
     ": network.interface: members: expected a number of NICs from 2, or all, got 1"),
    ({"mtu": 100}, {}, " hosts[0] (node-a): network.mtu: 100 is out of range"),
]  # fmt: skip


@pytest.mark.parametrize(("shared", "override", "expected"), FLEET_NET)
def test_fleet_network_sections_in_check_answers(capsys, tmp_path, fleet, shared, override,
                                                 expected):  # fmt: skip
    fleet["network"].update(shared)
    fleet["hosts"][1]["network"].update(override)
    path = tmp_path / "f.yaml"
    path.write_text(dump_yaml(fleet))
    code = main(["check-answers", str(path)])
    err = capsys.readouterr().err
    if expected is None:
        assert code == 0, err
    else:
        assert code == 2 and f"{path}{expected}" in err, err

"""Disk and NIC rules resolved against machine profiles."""

from __future__ import annotations

import pytest

from cos_installer.answers.document import from_mapping
from cos_installer.answers.fleet import FleetError, resolve
from cos_installer.answers.fleet_rules import describe_rule, parse_size
from tests.fleet.conftest import PASSWORD


def plain(**over) -> dict:
    """A one-machine answers mapping (no hosts:) with `over` replacing top-level keys."""
    base = {
        "role": "controller",
        "controller": {"ha": False},
        "system": {"hostname": "controller1", "password": PASSWORD},
        "network": {"interface": "eth0", "address": "192.168.122.170/24",
                    "gateway": "192.168.122.1", "dns": "192.168.122.1"},
        "disk": "/dev/sda",
    }  # fmt: skip
    base.update(over)
    return base


@pytest.mark.parametrize(
    ("profile", "rule", "expected"),
    [
        ("rack-a", {"smallest": True}, "/dev/sda"),  # 10 GiB: above the 8 GiB floor
        ("rack-a", {"smallest": True, "min_size": "20G"}, "/dev/sdb"),  # sde 30G is mounted
        ("rack-a", {"smallest": True, "min_size": 21474836480}, "/dev/sdb"),
        ("rack-a", {"largest": True}, "/dev/sdc"),  # sdd is the install stick
        ("rack-a", {"serial": "a-data"}, "/dev/sdc"),
        ("rack-a", {"model": "OS-SSD"}, "/dev/sdb"),
        ("rack-a", {"min_size": "1T"}, "/dev/sdc"),  # exactly one fits: no tie-break needed
        ("rack-a", {"max_size": "15GiB"}, "/dev/sda"),
        ("rack-b", {"smallest": True}, "/dev/nvme0n1"),  # equal sizes: path order breaks ties
        ("rack-b", {"largest": True}, "/dev/nvme0n1"),
        ("rack-b", {"serial": "B-TWIN"}, "/dev/nvme1n1"),
    ],
)
def test_disk_rules(machine, profile, rule, expected):
    resolved = resolve(plain(disk=rule), machine(profile), source="a.yaml")
    assert resolved["disk"] == expected
    assert from_mapping(resolved, "a.yaml").disk == expected


@pytest.mark.parametrize(
    ("profile", "rule", "words"),
    [
        ("rack-a", {"serial": "A-BUSY"}, ["no disk fits", "/dev/sde 30.0 GiB serial A-BUSY "
                                          "(/dev/sde1 is mounted on /srv)"]),
        ("rack-a", {"serial": "A-STICK"}, ["no disk fits", "/dev/sdd", "(install media)"]),
        ("rack-a", {"min_size": "3T"}, ["no disk fits", "/dev/sdc 2.0 TiB serial A-DATA "
                                        "(smaller than 3T)"]),
        ("rack-b", {"min_size": "20G"}, ["several disks fit", "/dev/nvme1n1 447.0 GiB serial "
                                         "B-TWIN (fits)"]),
    ],
)  # fmt: skip
def test_disk_rule_failures_list_every_disk_and_why(machine, profile, rule, words):
    with pytest.raises(FleetError) as caught:
        resolve(plain(disk=rule), machine(profile), source="a.yaml")
    (message,) = caught.value.errors
    assert message.startswith(f"a.yaml: disk: {describe_rule(rule)}: ")
    assert message.endswith("; change the rule or the hardware")
    for word in words:
        assert word in message


def test_data_disk_rule_never_picks_the_os_disk(machine):
    got = resolve(plain(disk={"largest": True}, data_disk={"largest": True}), machine("rack-a"),
                  source="a")  # fmt: skip
    assert (got["disk"], got["data_disk"]) == ("/dev/sdc", "/dev/sdb")
    with pytest.raises(FleetError, match=r"/dev/sdc 2.0 TiB serial A-DATA \(the OS disk\)"):
        resolve(plain(disk="/dev/sdc", data_disk={"serial": "A-DATA"}), machine("rack-a"),
                source="a")  # fmt: skip


@pytest.mark.parametrize(
    ("profile", "rule", "name", "mac"),
    [
        ("rack-a", {"linked": "first"}, "eth0", "52:54:00:aa:00:01"),
        ("rack-a", {"linked": "only"}, "eth0", "52:54:00:aa:00:01"),  # veth9 is virtual
        ("rack-b", {"linked": "first"}, "ens4", "52:54:00:bb:00:02"),
        ("rack-b", {"mac": "52:54:00:BB:00:03"}, "ens5", "52:54:00:bb:00:03"),
        ("rack-b", {"mac": "52:54:00:bb:00:01"}, "ens3", "52:54:00:bb:00:01"),  # no link: fine
        ("rack-a", {"mac": "52:54:00:aa:00:09"}, "veth9", "52:54:00:aa:00:09"),
        ("rack-b", {"name": "ens5"}, "ens5", "52:54:00:bb:00:03"),
    ],
)
def test_interface_rules_set_the_name_and_the_mac(machine, profile, rule, name, mac):
    answers = plain(network={**plain()["network"], "interface": rule})
    got = resolve(answers, machine(profile), source="a")
    assert (got["network"]["interface"], got["network"]["mac"]) == (name, mac)
    config = from_mapping(got, "a")
    assert (config.network.interface, config.network.mac) == (name, mac)


@pytest.mark.parametrize(
    ("profile", "rule", "words"),
    [
        ("rack-b", {"linked": "only"}, "several NICs fit: ens3 52:54:00:bb:00:01 [NoLink]; "
                                       "ens4 52:54:00:bb:00:02 [Linked]"),
        ("rack-b", {"name": "eth0"}, "no NIC fits: ens3"),
        ("rack-a", {"mac": "52:54:00:00:00:01"}, "no NIC fits: eth0 52:54:00:aa:00:01 [Linked]"),
    ],
)  # fmt: skip
def test_interface_rule_failures(machine, profile, rule, words):
    answers = plain(network={**plain()["network"], "interface": rule})
    with pytest.raises(FleetError) as caught:
        resolve(answers, machine(profile), source="a")
    assert caught.value.errors[0].startswith("a: network.interface: the ")
    assert words in caught.value.errors[0]


def test_matched_takes_the_nic_whose_mac_matched_the_entry(machine, fleet):
    fleet["hosts"][0]["network"]["interface"] = {"matched": True}
    got = resolve(fleet, machine("rack-a"), source="f")  # node-a: matched by eth1's MAC
    assert (got["network"]["interface"], got["network"]["mac"]) == ("eth1", "52:54:00:aa:00:02")


def test_matched_needs_a_mac_in_the_match(fleet):
    fleet["network"]["interface"] = {"matched": True}
    with pytest.raises(FleetError) as caught:
        resolve(fleet, None, source="f")
    expected = "network.interface: {matched: true} needs match: {mac: ...} in this entry"
    assert f"f: hosts[1] (node-b): {expected}" in caught.value.errors
    assert not any("hosts[0]" in e for e in caught.value.errors)


def test_a_rule_in_a_host_entry_is_named_by_its_entry(machine, fleet):
    fleet["hosts"][0]["disk"] = {"serial": "NOPE"}
    with pytest.raises(FleetError) as caught:
        resolve(fleet, machine("rack-a"), source="f")
    assert caught.value.errors[0].startswith("f: hosts[0].disk: the one disk with serial NOPE: ")
    fleet["disk"] = {"serial": "NOPE-TOO"}
    with pytest.raises(FleetError) as caught:
        resolve(fleet, machine("rack-b"), source="f")  # node-b uses the shared rule
    assert caught.value.errors[0].startswith("f: disk: the one disk with serial NOPE-TOO: ")


@pytest.mark.parametrize(
    ("rule", "field", "expected"),
    [
        ({"smallest": "yes"}, "disk", "a: disk: smallest: expected true or false, got 'yes'"),
        ({"smallest": True, "largest": True}, "disk", "a: disk: smallest and largest exclude"),
        ({"min_size": "lots"}, "disk", "a: disk: min_size: 'lots' is not a size: expected e.g."),
        ({"size": "20G"}, "disk", "a: disk: unknown rule key 'size': expected serial, model, "),
        ({}, "disk", "a: disk: an empty rule: give a name or path, or a rule with"),
        ({"linked": "last"}, "interface", "a: network.interface: linked: expected first or only"),
        ({"mac": "zz"}, "interface", "a: network.interface: mac: 'zz' is not a MAC address"),
        ({"smallest": True}, "data_disk", "a: data_disk: unknown rule key") ,
    ],
)  # fmt: skip
def test_bad_rules_are_reported_before_any_hardware_is_read(rule, field, expected):
    if field == "interface":
        answers = plain(network={**plain()["network"], "interface": rule})
    elif field == "data_disk":
        answers = plain(data_disk={**rule, "bogus": 1})
    else:
        answers = plain(disk=rule)
    with pytest.raises(FleetError) as caught:
        resolve(answers, None, source="a")
    assert any(e.startswith(expected) for e in caught.value.errors), caught.value.errors


def test_without_a_machine_rules_are_resolved_at_install_time():
    with pytest.raises(FleetError, match="a: disk: the smallest disk is resolved at install time"):
        resolve(plain(disk={"smallest": True}), None, source="a")


@pytest.mark.parametrize(
    ("text", "size"),
    [("20G", 20 * 1024**3), ("20GiB", 20 * 1024**3), ("20 GB", 20 * 10**9), ("1.5T", 1.5 * 1024**4),
     (512, 512), ("0", 0)],
)  # fmt: skip
def test_sizes(text, size):
    assert parse_size(text) == int(size)


@pytest.mark.parametrize("text", ["20X", "-1", "", True, None, "G"])
def test_bad_sizes(text):
    with pytest.raises(ValueError, match="is not a size"):
        parse_size(text)

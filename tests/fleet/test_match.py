"""Which host entry a machine gets: by MAC, disk serial, DMI serial/UUID; none or several."""

from __future__ import annotations

from pathlib import Path

import pytest

from cos_installer.answers.fleet import FleetError, match_host, resolve
from tests.fleet.conftest import FLEET

CANDIDATES = [
    "hosts[0] (node-a) by mac 52:54:00:aa:00:02",
    "hosts[1] (node-b) by disk_serial b-os",
    "hosts[2] (node-c) by system_serial sys-c",
    "hosts[3] (node-d) by system_uuid 44444444-dddd-4ddd-8ddd-000000000004",
    "hosts[4] (node-e) by mac 52:54:00:ee:00:01 and system_serial sys-nope",
]


@pytest.mark.parametrize(
    ("profile", "index", "why"),
    [
        ("rack-a", 0, "mac 52:54:00:aa:00:02"),  # its second, unlinked NIC; file in upper case
        ("rack-b", 1, "disk_serial b-os"),
        ("rack-c", 2, "system_serial sys-c"),
        ("rack-d", 3, "system_uuid 44444444-dddd-4ddd-8ddd-000000000004"),  # firmware: UPPER
    ],
)
def test_one_entry_matches(machine, fleet, profile, index, why):
    assert match_host(fleet, machine(profile), source="f.yaml") == (index, why)
    resolved = resolve(fleet, machine(profile), source="f.yaml")
    assert resolved["system"]["hostname"] == fleet["hosts"][index]["system"]["hostname"]
    assert "hosts" not in resolved and "match" not in resolved


def test_no_entry_matches_names_every_candidate_and_the_machine(machine, fleet):
    # bare has node-e's MAC but not its system serial: every key of a match must hit
    with pytest.raises(FleetError) as caught:
        match_host(fleet, machine("bare"), source="f.yaml")
    (message,) = caught.value.errors
    assert message.startswith("f.yaml: hosts: no entry matches this machine (")
    assert "mac 52:54:00:ee:00:01" in message and "disk_serial e-1" in message
    for candidate in CANDIDATES:
        assert candidate in message


def test_several_entries_match_names_them(machine, fleet):
    with pytest.raises(FleetError) as caught:
        resolve(fleet, machine("twin"), source="f.yaml")
    (message,) = caught.value.errors
    assert "2 entries match this machine" in message
    assert "hosts[0] (node-a) by mac 52:54:00:aa:00:02" in message
    assert "hosts[1] (node-b) by disk_serial b-os" in message
    assert "node-c" not in message


def test_a_list_of_values_matches_any_of_them(machine, fleet):
    fleet["hosts"][2]["match"] = {"mac": ["52:54:00:00:00:99", "52-54-00-dd-00-01"]}
    fleet["hosts"][3]["match"] = {"system_uuid": "elsewhere"}
    assert match_host(fleet, machine("rack-d"), source="f") == (2, "mac 52:54:00:dd:00:01")


def test_every_key_of_a_match_must_hit(machine, fleet):
    fleet["hosts"][4]["match"]["system_serial"] = "SYS-A"  # node-e: bare's MAC and rack-a's serial
    fleet["hosts"][0]["match"] = {"mac": "52:54:00:aa:00:01", "system_serial": "SYS-A"}
    assert match_host(fleet, machine("rack-a"), source="f") == (
        0,
        "mac 52:54:00:aa:00:01 and system_serial sys-a",
    )
    with pytest.raises(FleetError, match="no entry matches"):
        match_host(fleet, machine("bare"), source="f")


@pytest.mark.parametrize(
    ("host", "index"),
    [("52:54:00:aa:00:02", 0), ("52-54-00-AA-00-02", 0), ("node-c", 2), ("node-e", 4)],
)
def test_host_option_picks_by_mac_or_hostname_without_a_machine(fleet, host, index):
    assert match_host(fleet, None, source="f", host=host)[0] == index


def test_host_option_unknown(fleet):
    with pytest.raises(FleetError, match="no entries have the hostname 'node-z'"):
        match_host(fleet, None, source="f", host="node-z")
    with pytest.raises(
        FleetError, match=r"no entry matches this machine \(mac 52:54:00:00:00:01\)"
    ):
        match_host(fleet, None, source="f", host="52:54:00:00:00:01")


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"system": {"hostname": "x"}}, "f: hosts[5].match: missing: say which machine"),
        ({"match": {}}, "f: hosts[5].match: missing"),
        ({"match": {"serial": "X"}}, "f: hosts[5].match.serial: unknown key: expected mac, "),
        ({"match": {"mac": "52:54:00"}}, "f: hosts[5].match.mac: '52:54:00' is not a MAC"),
        ({"match": {"system_uuid": {"a": 1}}}, "f: hosts[5].match.system_uuid: expected the DMI"),
        ({"match": {"disk_serial": "b-os"}}, "f: hosts[5].match.disk_serial: b-os also matches "
                                             "hosts[1] (node-b)"),
        ("just text", "f: hosts[5]: expected a mapping with match:"),
    ],
)  # fmt: skip
def test_bad_entries_are_named(fleet, machine, entry, expected):
    fleet["hosts"].append(entry)
    with pytest.raises(FleetError) as caught:
        resolve(fleet, machine("rack-a"), source="f")
    assert any(e.startswith(expected) for e in caught.value.errors), caught.value.errors


@pytest.mark.parametrize("hosts", [[], {}, "x"])
def test_hosts_must_be_a_non_empty_list(fleet, hosts):
    fleet["hosts"] = hosts
    with pytest.raises(FleetError, match="f: hosts: expected a non-empty list"):
        resolve(fleet, None, source="f")


def test_fleet_constant_is_not_changed_by_resolving(machine, fleet):
    resolve(fleet, machine("rack-a"), source="f")
    assert fleet == FLEET


def test_load_for_machine_reads_picks_resolves_and_checks(tmp_path, machine, fleet):
    from cos_installer.answers.document import AnswersError, dump_yaml
    from cos_installer.answers.loader import load_for_machine

    path = tmp_path / "fleet.yaml"
    path.write_text(dump_yaml(fleet))
    config = load_for_machine(str(path), machine("rack-b"))
    assert (config.system.hostname, config.disk, config.network.interface) == (
        "node-b",
        "/dev/nvme0n1",
        "ens4",
    )
    assert config.system.password_hash.startswith("$6$")
    fleet["hosts"][1]["network"]["address"] = "192.168.122.0/24"
    path.write_text(dump_yaml(fleet))
    with pytest.raises(AnswersError) as caught:
        load_for_machine(str(path), machine("rack-b"))
    assert caught.value.errors[0].startswith(f"{path} hosts[1] (node-b): network.address: ")
    with pytest.raises(FleetError, match="no entry matches"):
        load_for_machine(str(path), machine("bare"))
    sample = Path(__file__).parents[2] / "cos_installer" / "samples" / "agent-bridge.yaml"
    assert load_for_machine(str(sample), machine("bare")).role.value == "agent"

"""Shared defaults merged with a host entry; plain answers files pass through."""

from __future__ import annotations

import copy

import pytest

from cos_installer.answers.document import AnswersError, from_mapping
from cos_installer.answers.fleet import expand_all, host_entry, merge, resolve
from cos_installer.answers.model import Role


def test_nested_sections_merge_key_by_key_and_values_replace():
    base = {"network": {"gateway": "10.0.0.1", "dns": ["10.0.0.2", "10.0.0.3"]}, "disk": "/dev/a"}
    over = {"network": {"address": "10.0.0.5/24", "dns": ["10.0.0.9"]}, "disk": {"largest": True}}
    before = copy.deepcopy(base)
    assert merge(base, over) == {
        "network": {"gateway": "10.0.0.1", "dns": ["10.0.0.9"], "address": "10.0.0.5/24"},
        "disk": {"largest": True},
    }
    assert base == before


def test_null_removes_a_default():
    base = {"data_disk": "/dev/sdb", "agent": {"docker_dns": "10.0.0.2", "network_model": "bridge"}}
    got = merge(base, {"data_disk": None, "agent": {"docker_dns": None}})
    assert got == {"agent": {"network_model": "bridge"}}


def test_the_merged_result_does_not_share_objects_with_the_input():
    base = {"network": {"dns": ["10.0.0.2"]}}
    got = merge(base, {})
    got["network"]["dns"].append("x")
    assert base == {"network": {"dns": ["10.0.0.2"]}}


def test_shared_role_sections_apply_only_to_their_role(fleet):
    fleet["controller"] = {"http_port": 8080, "ha": False}
    fleet["hosts"][1]["role"] = "controller"
    entries = dict(expand_all(fleet, "f"))
    node_b = entries["hosts[1] (node-b)"]
    assert "agent" not in node_b and node_b["controller"] == {"http_port": 8080, "ha": False}
    assert "controller" not in entries["hosts[0] (node-a)"]
    for label, merged in entries.items():
        merged["disk"], merged["network"]["interface"] = "/dev/sda", "eth0"
        config = from_mapping(merged, f"f {label}")
        assert config.role is (Role.CONTROLLER if label.startswith("hosts[1]") else Role.AGENT)
    assert from_mapping(node_b, "f").controller.http_port == 8080


def test_an_entry_own_section_for_the_other_role_is_kept_and_reported(fleet):
    fleet["hosts"][1].update(role="controller", agent={"network_model": "ipvlan"})
    merged = host_entry(fleet, 1)
    merged["disk"], merged["network"]["interface"] = "/dev/sda", "eth0"
    with pytest.raises(AnswersError, match="agent: this section is for role agent"):
        from_mapping(merged, "f")


def test_a_plain_file_passes_through_unchanged(machine):
    plain = {
        "role": "agent",
        "agent": {"controllers": "192.168.122.170:80", "install_code": "8070"},
        "system": {"hostname": "node1", "password": "x"},
        "network": {"interface": "eth9", "address": "192.168.122.101/24",
                    "gateway": "192.168.122.1", "dns": "192.168.122.1"},
        "disk": "/dev/nowhere",
    }  # fmt: skip
    assert resolve(plain, None, source="a") == plain
    assert resolve(plain, machine("rack-a"), source="a") == plain  # names are not checked here
    assert expand_all(plain, "a") == [("", plain)]


def test_expand_all_labels_every_entry_and_keeps_rules(fleet):
    entries = expand_all(fleet, "f")
    assert [label for label, _ in entries] == [
        "hosts[0] (node-a)", "hosts[1] (node-b)", "hosts[2] (node-c)", "hosts[3] (node-d)",
        "hosts[4] (node-e)",
    ]  # fmt: skip
    for (_, merged), entry in zip(entries, fleet["hosts"], strict=True):
        assert merged["disk"] == {"smallest": True, "min_size": "20G"}
        assert merged["network"]["address"] == entry["network"]["address"]
        assert merged["network"]["gateway"] == "192.168.122.1"
        assert "match" not in merged and "hosts" not in merged

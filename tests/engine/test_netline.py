"""The network stack in one line (answers.netline.stack_line), as the Summary, the Done screen
and `install` show it: built from the real engine's InstallConfig."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from cos_installer.answers.document import from_mapping
from cos_installer.answers.netline import stack_line
from tests.install.conftest import run_cli

SAMPLE = (
    Path(__file__).resolve().parents[2] / "cos_installer" / "samples" / "controller-single.yaml"
)
BOND = {"interface": ["eth0", "eth1"], "bond": {"mode": "active-backup"}}
V6 = {"ipv6": "static", "address6": "2001:db8:122::101/64", "gateway6": "2001:db8:122::1"}

CASES = [
    ({}, "eth0 > 192.168.122.170/24"),
    ({"dhcp": True, "address": None, "gateway": None, "dns": None}, "eth0 > DHCP"),
    ({"mtu": 9000}, "eth0 (MTU 9000) > 192.168.122.170/24"),
    ({"vlan": 100, "ipv6": "slaac"}, "eth0 > vlan100 > 192.168.122.170/24, SLAAC"),
    ({"ipv6": "dhcp"}, "eth0 > 192.168.122.170/24, DHCPv6"),
    ({**BOND, "vlan": 100, **V6},
     "bond0 (eth0+eth1, active-backup) > vlan100 > 192.168.122.170/24, 2001:db8:122::101/64"),
    ({**BOND, "bond": {"mode": "802.3ad"}, "mtu": 9000},
     "bond0 (eth0+eth1, 802.3ad, MTU 9000) > 192.168.122.170/24"),
]  # fmt: skip


def answers(**network) -> dict:
    data = copy.deepcopy(yaml.safe_load(SAMPLE.read_text()))
    for key, value in network.items():
        if value is None:
            data["network"].pop(key, None)
        else:
            data["network"][key] = value
    return data


@pytest.mark.parametrize(("network", "line"), CASES)
def test_the_stack_in_one_line(network, line):
    assert stack_line(from_mapping(answers(**network)).network) == line


def test_install_prints_the_stack(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers(**BOND, vlan=100, **V6)))
    proc = run_cli("--answers", str(path), "--machine", "demo", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    expected = (
        "bond0 (eth0+eth1, active-backup) > vlan100 > 192.168.122.170/24, 2001:db8:122::101/64"
    )
    assert f"network: {expected}\n" in proc.stderr

"""The network stack in one line (NetworkSettings.stack_text), as the Summary, the Done screen
and `install` show it: built from the real engine's InstallConfig (tests/engine/test_netstack.py
has the other forms)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from cos_installer.answers.document import from_mapping
from tests.install.conftest import run_cli

SAMPLE = (
    Path(__file__).resolve().parents[2] / "cos_installer" / "samples" / "controller-single.yaml"
)
BOND = {"interface": ["eth0", "eth1"], "bond": {"mode": "active-backup"}}
V6 = {"ipv6": "static", "address6": "2001:db8:122::101/64", "gateway6": "2001:db8:122::1"}

CASES = [
    ({"dhcp": True, "address": None, "gateway": None, "dns": None}, "eth0 > DHCP"),
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
    assert from_mapping(answers(**network)).network.stack_text == line


def test_install_prints_the_stack(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers(**BOND, vlan=100, **V6)))
    proc = run_cli("--answers", str(path), "--machine", "demo", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    expected = (
        "bond0 (eth0+eth1, active-backup) > vlan100 > 192.168.122.170/24, 2001:db8:122::101/64"
    )
    assert f"network: {expected}\n" in proc.stderr

"""The host identity of install events: every NIC's permanent MAC (ethtool -P), read with
the kernel's ioctl on real interfaces, the current address where a driver has none."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cos_installer.answers.loader import load_answers
from cos_installer.hardware import open_machine
from cos_installer.hardware.nicfacts import permanent_mac
from cos_installer.install.reporting import machine_identity
from tests.realparts import need_root, need_tools

SAMPLE = Path(__file__).resolve().parents[2] / "cos_installer" / "samples" / "agent-bridge.yaml"


def test_a_nic_with_a_burned_in_address_reports_it():
    for nic in Path("/sys/class/net").iterdir():
        perm = permanent_mac(nic.name)
        assert perm is None or len(perm.split(":")) == 6
        if perm and (nic / "addr_assign_type").read_text().strip() == "0":
            assert perm == (nic / "address").read_text().strip()  # never changed: the same
    assert permanent_mac("no-such-nic0") is None and permanent_mac("lo") is None


@pytest.mark.realparts
def test_a_veth_has_no_permanent_mac_and_its_address_stands_in():
    need_root()
    need_tools("ip")
    subprocess.run(["ip", "link", "add", "cosev0", "type", "veth", "peer", "name", "cosev1"],
                   check=True)  # fmt: skip
    try:
        subprocess.run(["ip", "link", "set", "cosev0", "address", "52:54:00:ee:00:01"], check=True)
        assert permanent_mac("cosev0") is None
        machine = open_machine(None, all_nics=True)
        host = machine_identity(load_answers(SAMPLE), machine, bootif="52:54:00:AA:00:09")
        assert host["mac"][0] == "52:54:00:aa:00:09"  # BOOTIF first
        assert "52:54:00:ee:00:01" in host["mac"]
    finally:
        subprocess.run(["ip", "link", "del", "cosev0"], check=False)


def test_a_profile_machine_gives_its_own_macs_and_dmi():
    host = machine_identity(load_answers(SAMPLE), open_machine("demo"))
    assert host["mac"] and host["hostname"] == "node1" and host["role"] == "agent"

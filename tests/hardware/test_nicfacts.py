"""The NIC facts the network stack needs: the permanent MAC (sysfs tree fixtures for a bond
member, whose `address` is the bond's; a veth pair for a NIC without one) and the driver's
maximum MTU read by netlink on a real veth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cos_installer.hardware.nicfacts import max_mtus, permanent_mac
from tests.hardware.conftest import sh


def nic_tree(root: Path, name: str, address: str, assign: int, perm: str | None = None) -> None:
    base = root / "class" / "net" / name
    base.mkdir(parents=True)
    (base / "address").write_text(address + "\n")
    (base / "addr_assign_type").write_text(f"{assign}\n")
    if perm is not None:
        (base / "bonding_slave").mkdir()
        (base / "bonding_slave" / "perm_hwaddr").write_text(perm + "\n")


def test_permanent_mac_from_a_sysfs_tree(tmp_path):
    # a bond member: its address is the bond's, bonding_slave/perm_hwaddr its own
    nic_tree(tmp_path, "eth1", "52:54:00:00:00:01", 3, perm="52:54:00:00:00:02")
    nic_tree(tmp_path, "eth0", "52:54:00:AB:00:01", 0)  # NET_ADDR_PERM: the address is its own
    nic_tree(tmp_path, "veth0", "02:11:22:33:44:55", 3)  # set by hand, no permanent one
    nic_tree(tmp_path, "lo", "00:00:00:00:00:00", 0)
    root = str(tmp_path)
    assert permanent_mac("eth1", root) == "52:54:00:00:00:02"
    assert permanent_mac("eth0", root) == "52:54:00:ab:00:01"
    assert permanent_mac("veth0", root) is None
    assert permanent_mac("lo", root) is None
    assert permanent_mac("absent", root) is None
    assert max_mtus(root) == {}  # netlink only for the live /sys


PROBE = """
import json
from cos_installer.hardware.nics import probe_nics
print(json.dumps({n.name: [n.perm_mac, n.max_mtu, n.mac] for n in probe_nics(all_nics=True)}))
"""


@pytest.mark.realparts
def test_a_veth_has_no_permanent_mac_and_its_max_mtu_is_the_kernels(veth):
    out = veth.py_json(PROBE)
    perm, most, mac = out[veth.cli]
    assert mac == veth.cli_mac and perm is None  # a veth's MAC is set, not burned in
    shown = json.loads(sh("ip", "-n", veth.cli_ns, "-d", "-j", "link", "show", veth.cli).stdout)
    assert most == shown[0]["max_mtu"] and most >= 1500

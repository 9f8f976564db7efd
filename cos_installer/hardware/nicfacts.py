"""The NIC facts the network stack's rules need: the permanent (burned-in) MAC, which the
installed system matches the NIC by, and the largest MTU the driver takes.

A NIC's `address` is not always its own: a bond member carries the bond's MAC while enslaved
(the live probe bonds NICs to ask DHCP over the bond), and an operator may have changed it.
The kernel keeps the permanent one: sysfs `bonding_slave/perm_hwaddr` for a member, ethtool's
ETHTOOL_GPERMADDR for any NIC whose driver has one, and `addr_assign_type` 0 (NET_ADDR_PERM)
says the current address is the permanent one. Virtual NICs (veth, bridges) have none.
The maximum MTU is not in sysfs; netlink has it (IFLA_MAX_MTU), which `ip -d -j link` prints.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import re
import shutil
import socket
import struct
import subprocess
from pathlib import Path

from cos_installer.hardware.sysfs import read_attr, read_int

SIOCETHTOOL = 0x8946
ETHTOOL_GPERMADDR = 0x00000020
MAX_ADDR_LEN = 32
NET_ADDR_PERM = 0
_MAC = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}\Z")


def _usable(mac: str) -> str | None:
    mac = mac.strip().lower()
    return mac if _MAC.match(mac) and mac != "00:00:00:00:00:00" else None


def ethtool_permanent_mac(name: str) -> str | None:
    """ETHTOOL_GPERMADDR: the driver's permanent address (None: none, or no such NIC)."""
    buf = ctypes.create_string_buffer(struct.pack("II", ETHTOOL_GPERMADDR, MAX_ADDR_LEN), 8 + 32)
    ifr = struct.pack("16sP", name.encode()[:15], ctypes.addressof(buf))
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            fcntl.ioctl(sock, SIOCETHTOOL, ifr)
    except OSError:
        return None
    size = struct.unpack("I", buf.raw[4:8])[0]
    if size != 6:
        return None
    return _usable(":".join(f"{b:02x}" for b in buf.raw[8:14]))


def permanent_mac(name: str, sysfs_root: str = "/sys") -> str | None:
    """The NIC's burned-in MAC, or None when the kernel knows none (veth, bridge, tun)."""
    base = Path(sysfs_root) / "class" / "net" / name
    found = _usable(read_attr(base / "bonding_slave" / "perm_hwaddr"))
    if found is None and sysfs_root == "/sys":
        found = ethtool_permanent_mac(name)
    if found is None and read_int(base / "addr_assign_type") == NET_ADDR_PERM:
        found = _usable(read_attr(base / "address"))
    return found


def max_mtus(sysfs_root: str = "/sys") -> dict[str, int]:
    """Each interface's largest MTU by netlink (`ip -d -j link`); {} for a sysfs tree fixture,
    without `ip`, or when it fails."""
    ip = shutil.which("ip")
    if sysfs_root != "/sys" or ip is None:
        return {}
    try:
        out = subprocess.run([ip, "-d", "-j", "link", "show"], capture_output=True, text=True,
                             timeout=5, check=True).stdout  # fmt: skip
        links = json.loads(out)
    except (OSError, subprocess.SubprocessError, ValueError):
        return {}
    found: dict[str, int] = {}
    for link in links if isinstance(links, list) else []:
        most = link.get("max_mtu") if isinstance(link, dict) else None
        if isinstance(most, int) and most > 0 and isinstance(link.get("ifname"), str):
            found[link["ifname"]] = most
    return found

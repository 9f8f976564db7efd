"""NIC probe: sysfs for identity and carrier, netifaces for addresses, ioctls to bring up.

Carrier is only readable on an interface that is administratively up (EINVAL otherwise), so,
like other installers, the probe brings a down interface up before reading it. It never
changes addresses.
"""

from __future__ import annotations

import ctypes
import fcntl
import ipaddress
import os
import socket
import struct
import time
from pathlib import Path

from cos_installer.hardware.nicfacts import max_mtus, permanent_mac
from cos_installer.hardware.sysfs import read_attr, read_int
from cos_installer.hardware.types import Nic

SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
SIOCETHTOOL = 0x8946
ETHTOOL_GDRVINFO = 0x00000003
IFF_UP = 0x1
ARPHRD_LOOPBACK = 772


def is_physical(name: str, sysfs_root: str = "/sys") -> bool:
    """A NIC backed by a device (PCI, USB, virtio); veth, bridge, tun, bond are virtual."""
    return (Path(sysfs_root) / "class" / "net" / name / "device").exists()


def list_nic_names(all_nics: bool = False, sysfs_root: str = "/sys") -> list[str]:
    """Physical NICs, or with all_nics every interface but loopback."""
    base = Path(sysfs_root) / "class" / "net"
    try:
        names = sorted(os.listdir(base))
    except OSError:
        return []
    result = []
    for name in names:
        if name == "lo" or read_int(base / name / "type") == ARPHRD_LOOPBACK:
            continue
        if all_nics or is_physical(name, sysfs_root):
            result.append(name)
    return result


def _ifreq_flags(sock: socket.socket, name: str) -> int:
    ifr = struct.pack("16sh", name.encode()[:15], 0)
    return struct.unpack("16sh", fcntl.ioctl(sock, SIOCGIFFLAGS, ifr)[:18])[1]


def bring_up(name: str) -> bool:
    """Set IFF_UP on a down interface; True when this call brought it up."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            flags = _ifreq_flags(sock, name)
            if flags & IFF_UP:
                return False
            fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sh", name.encode()[:15], flags | IFF_UP))
            return True
        except OSError:
            return False


def driver_of(name: str, sysfs_root: str = "/sys") -> str:
    """Kernel driver: the device's driver link, else ethtool's answer (veth, bridge, tun)."""
    link = Path(sysfs_root) / "class" / "net" / name / "device" / "driver"
    if link.exists():
        return os.path.basename(os.path.realpath(link))
    if sysfs_root != "/sys":
        return ""
    buf = ctypes.create_string_buffer(struct.pack("I", ETHTOOL_GDRVINFO), 196)
    ifr = struct.pack("16sP", name.encode()[:15], ctypes.addressof(buf))
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            fcntl.ioctl(sock, SIOCETHTOOL, ifr)
    except OSError:
        return ""
    return buf.raw[4:36].split(b"\0", 1)[0].decode("ascii", "replace")


def read_carrier(name: str, sysfs_root: str = "/sys", bring_up_down: bool = True) -> bool:
    """[Linked] or [NoLink]; an administratively down NIC is brought up to read it."""
    path = Path(sysfs_root) / "class" / "net" / name / "carrier"
    value = read_attr(path)
    if value == "" and bring_up_down and sysfs_root == "/sys" and bring_up(name):
        time.sleep(0.05)  # the carrier file becomes readable once IFF_UP is set
        value = read_attr(path)
    return value == "1"


def ipv4_addresses(name: str) -> tuple[ipaddress.IPv4Interface, ...]:
    """Current IPv4 addresses with their prefix, from netifaces."""
    try:
        import netifaces

        entries = netifaces.ifaddresses(name).get(netifaces.AF_INET, [])
    except (ImportError, ValueError, OSError):
        return ()
    result = []
    for entry in entries:
        addr, mask = entry.get("addr"), entry.get("netmask") or entry.get("mask")
        if not addr:
            continue
        try:
            result.append(ipaddress.IPv4Interface(f"{addr}/{mask}" if mask else addr))
        except ValueError:
            continue
    return tuple(result)


def probe_nic(
    name: str, sysfs_root: str = "/sys", bring_up_down: bool = True, max_mtu: int | None = None
) -> Nic:
    base = Path(sysfs_root) / "class" / "net" / name
    linked = read_carrier(name, sysfs_root, bring_up_down)
    speed = read_int(base / "speed")
    return Nic(
        name=name,
        mac=read_attr(base / "address"),
        linked=linked,
        driver=driver_of(name, sysfs_root),
        speed_mbps=speed if linked and speed and speed > 0 else None,
        addresses=ipv4_addresses(name) if sysfs_root == "/sys" else (),
        virtual=not is_physical(name, sysfs_root),
        perm_mac=permanent_mac(name, sysfs_root),
        max_mtu=max_mtu,
    )


def probe_nics(all_nics: bool = False, sysfs_root: str = "/sys") -> list[Nic]:
    names = list_nic_names(all_nics, sysfs_root)
    most = max_mtus(sysfs_root) if names else {}
    return [probe_nic(n, sysfs_root, max_mtu=most.get(n)) for n in names]


def link_states(names: list[str], sysfs_root: str = "/sys") -> dict[str, bool]:
    """Cheap carrier re-read for a UI poll (one small file read per NIC)."""
    return {name: read_carrier(name, sysfs_root) for name in names}

"""What the wizard knows about the machine: disks, NICs, DHCP answers, the install media.

Real probes (pyudev, sysfs, netifaces, a DHCP client) and machine profiles (YAML files for
dry runs and tests) both produce these plain objects behind the `Machine` protocol, so the
screens and the install pipeline never know which one they talk to.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Protocol

from cos_installer.i18n import _

LOCAL = "local"  # the profile name for this computer itself, probed (--machine local)
MIN_DISK_BYTES = 8 * 1024**3  # smallest OS disk offered (the COS image plus room to grow)


@dataclass(frozen=True)
class Partition:
    path: str
    size: int  # bytes
    fstype: str | None = None
    label: str | None = None
    mountpoint: str | None = None  # where it is mounted now, "[SWAP]" for active swap


@dataclass(frozen=True)
class OtherName:
    """The disk's storage in use under another name (cos_installer.hardware.storage): a loop device
    over its image file, over one of its partitions or over a byte range of it."""

    label: str  # "/dev/loop7 (another name for /dev/loop3: the same file /x.img)"
    mountpoint: str | None = None  # where it is mounted now, "[SWAP]" for active swap
    holders: tuple[str, ...] = ()  # RAID/LVM/dm on it: "dm-3 (LVM vg1-x)"


@dataclass(frozen=True)
class Disk:
    path: str  # /dev/sda
    size: int  # bytes
    model: str = ""
    serial: str = ""
    by_id: str | None = None  # /dev/disk/by-id/... stable name, when there is one
    transport: str = ""  # sata, sas, nvme, usb, virtio, ... ("" when unknown)
    rotational: bool = False
    removable: bool = False
    read_only: bool = False
    partitions: tuple[Partition, ...] = ()
    # RAID/LVM/dm devices holding it or its partitions; the first word is the kernel name:
    # "md0 (RAID raid1)", "dm-0 (LVM vg0-root)"
    holders: tuple[str, ...] = ()
    is_install_media: bool = False
    # A filesystem on the whole disk, without a partition table (isohybrid stick, bare LUN).
    fstype: str | None = None
    label: str | None = None
    mountpoint: str | None = None  # where the whole disk is mounted now, "[SWAP]" for swap
    aliases: tuple[OtherName, ...] = ()  # other names of its storage that are in use

    @property
    def mounted(self) -> list[str]:
        """Mounted or swapping on the disk or its partitions, or in use under another name,
        each named: never cleared by the installer (someone is using it)."""
        named = [(self.path, self.mountpoint)] + [(p.path, p.mountpoint) for p in self.partitions]
        named += [(a.label, a.mountpoint) for a in self.aliases]
        reasons = [
            _("{dev} is active swap").format(dev=dev)
            if where == "[SWAP]"
            else _("{dev} is mounted on {where}").format(dev=dev, where=where)
            for dev, where in named
            if where
        ]
        reasons += [
            _("{dev} is held by {holder}").format(dev=a.label, holder=h)
            for a in self.aliases
            for h in a.holders
        ]
        return reasons

    @property
    def in_use(self) -> list[str]:
        """Why the disk is busy: mounted/swap partitions and RAID/LVM holders, each named."""
        return self.mounted + [_("held by {holder}").format(holder=h) for h in self.holders]

    def reason_not_offered(self, min_bytes: int = MIN_DISK_BYTES) -> str | None:
        """Why this disk cannot be the OS disk, or None when it can."""
        if self.is_install_media:
            return _("install media")
        if self.read_only:
            return _("read-only")
        if self.size < min_bytes:
            return _("too small: {size} < {minimum}").format(
                size=human_size(self.size), minimum=human_size(min_bytes)
            )
        return None


@dataclass(frozen=True)
class Nic:
    name: str
    mac: str
    linked: bool  # carrier: [Linked] / [NoLink]
    driver: str = ""
    speed_mbps: int | None = None  # None when unknown (no link, virtual NIC)
    addresses: tuple[ipaddress.IPv4Interface, ...] = ()
    virtual: bool = False
    perm_mac: str | None = None  # the burned-in MAC (a bond member's `address` is the bond's)
    max_mtu: int | None = None  # the largest MTU the driver takes, when the kernel says


@dataclass(frozen=True)
class DhcpLease:
    address: ipaddress.IPv4Interface
    gateway: ipaddress.IPv4Address | None = None
    dns: tuple[ipaddress.IPv4Address, ...] = ()
    hostname: str | None = None


@dataclass(frozen=True)
class Stack:
    """What the operator chose for the network: one NIC or several (a bond), an optional VLAN
    tag (hardware/netstack.py brings it up in the live system for a probe)."""

    members: tuple[str, ...]
    bond_mode: str = "active-backup"
    vlan: int | None = None
    miimon: int = 100
    lacp_rate: str | None = None
    primary: str | None = None

    def describe(self) -> str:
        base = self.members[0]
        if len(self.members) > 1:
            base = f"bond ({'+'.join(self.members)}, {self.bond_mode})"
        return f"{base} > VLAN {self.vlan}" if self.vlan else base


@dataclass(frozen=True)
class DhcpResult:
    """A lease, or a message the UI shows when there is none."""

    interface: str
    lease: DhcpLease | None = None
    message: str = ""  # "no DHCP answer on eth0 in 10 s - enter the address by hand"


@dataclass(frozen=True)
class InstallMedia:
    device: str  # the device labelled CDROM
    payload: str | None  # path of the OS image found on it (None when not mounted/known)


class MediaNotReady(RuntimeError):
    """The guide's `CDROM Device Not Ready`: no device labelled CDROM, or no payload on it."""


class Machine(Protocol):
    """Every probe the wizard and the installer use; real hardware or a profile."""

    def disks(self) -> list[Disk]: ...

    def nics(self, all_nics: bool = False) -> list[Nic]: ...

    def link_states(self, names: list[str]) -> dict[str, bool]:
        """Cheap re-read of carriers, polled by the NIC screen to show plugged cables live."""
        ...

    def dhcp(self, interface: str, timeout: float = 10.0) -> DhcpResult: ...

    def install_media(self) -> InstallMedia: ...

    def disk(self, path: str) -> Disk | None:
        """Re-read one disk (install preflight); None when it is gone or not a whole disk."""
        ...

    def dmi(self) -> dict[str, str]:
        """System identity for fleet matching: keys system_serial, system_uuid ("" unknown)."""
        ...


def human_size(size: int) -> str:
    """Sizes as disk vendors and lsblk print them (decimal units would surprise nobody less)."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if value < 1024 or unit == "PiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


@dataclass
class MachineSnapshot:
    """Everything probed at one moment: what `probe --json` prints and the wizard shows."""

    disks: list[Disk] = field(default_factory=list)
    nics: list[Nic] = field(default_factory=list)

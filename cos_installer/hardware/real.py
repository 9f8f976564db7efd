"""`Machine` backed by this computer's hardware: sysfs, pyudev, netifaces, a DHCP client."""

from __future__ import annotations

import os
import time

from cos_installer.hardware import nics as nicprobe
from cos_installer.hardware import stackprobe
from cos_installer.hardware.dhcp import run_dhcp
from cos_installer.hardware.disks import (
    ProbeContext,
    is_listed_disk,
    probe_block_device,
    probe_disks,
)
from cos_installer.hardware.media import find_install_media, media_dir
from cos_installer.hardware.profile import no_link
from cos_installer.hardware.stackprobe import StackProbe
from cos_installer.hardware.sysfs import read_attr
from cos_installer.hardware.types import DhcpResult, Disk, InstallMedia, Nic, Stack

LINK_WAIT = 3.0  # seconds a freshly brought-up NIC gets to negotiate before DHCP gives up


class RealMachine:
    """Probes the live system; the roots are parameters so tests can use a fake sysfs."""

    def __init__(self, all_nics: bool = False, sysfs_root: str = "/sys") -> None:
        self.all_nics = all_nics
        self.sysfs_root = sysfs_root

    def _context(self) -> ProbeContext:
        return ProbeContext(sysfs_root=self.sysfs_root, media_dir=media_dir())

    def disks(self) -> list[Disk]:
        return probe_disks(self._context())

    def disk(self, path: str) -> Disk | None:
        try:
            disk = probe_block_device(path, self._context())
        except FileNotFoundError:
            return None
        name = disk.path.rsplit("/", 1)[-1]
        return disk if is_listed_disk(name, self.sysfs_root) else None

    def nics(self, all_nics: bool = False) -> list[Nic]:
        return nicprobe.probe_nics(all_nics or self.all_nics, self.sysfs_root)

    def nic_names(self, all_nics: bool = False) -> list[str]:
        return nicprobe.list_nic_names(all_nics or self.all_nics, self.sysfs_root)

    def link_states(self, names: list[str]) -> dict[str, bool]:
        return nicprobe.link_states(names, self.sysfs_root)

    def dhcp(self, interface: str, timeout: float = 10.0) -> DhcpResult:
        """Bounded DHCP probe; the interface's addresses stay as they were."""
        start = time.monotonic()
        if not os.path.isdir(f"{self.sysfs_root}/class/net/{interface}"):
            return DhcpResult(interface, message=f"no NIC named {interface} on this machine")
        if not nicprobe.read_carrier(interface, self.sysfs_root):
            # freshly brought up: real NICs need a moment to negotiate the link
            wait_until = start + min(LINK_WAIT, timeout)
            while time.monotonic() < wait_until:
                time.sleep(0.1)
                if nicprobe.read_carrier(interface, self.sysfs_root):
                    break
            else:
                return DhcpResult(interface, message=no_link(interface))
        remaining = max(0.5, timeout - (time.monotonic() - start))
        result = run_dhcp(interface, remaining)
        if result.lease is None and "no DHCP answer" in result.message:
            from cos_installer.hardware.dhcp import no_answer

            return DhcpResult(interface, message=no_answer(interface, timeout))
        return result

    def probe_stack(self, stack: Stack, timeout: float = 10.0) -> StackProbe:
        """DHCP and IPv6 router advertisements on the stack the operator chose (a bond, a
        VLAN), brought up for the probe and taken down after (hardware/stackprobe.py)."""
        return stackprobe.probe(stack, self.dhcp, timeout)

    def install_media(self) -> InstallMedia:
        return find_install_media(self.sysfs_root)

    def dmi(self) -> dict[str, str]:
        base = f"{self.sysfs_root}/class/dmi/id"
        return {
            "system_serial": read_attr(f"{base}/product_serial"),
            "system_uuid": read_attr(f"{base}/product_uuid"),
        }

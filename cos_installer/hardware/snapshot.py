"""The probe results as plain JSON data: `probe --json` and the diagnostics bundle."""

from __future__ import annotations

from typing import Any

from cos_installer.hardware.types import MIN_DISK_BYTES, Disk, Machine, Nic, human_size


def disk_json(disk: Disk, min_bytes: int = MIN_DISK_BYTES) -> dict[str, Any]:
    reason = disk.reason_not_offered(min_bytes)
    return {
        "path": disk.path,
        "by_id": disk.by_id,
        "size": disk.size,
        "size_human": human_size(disk.size),
        "model": disk.model,
        "serial": disk.serial,
        "transport": disk.transport,
        "rotational": disk.rotational,
        "removable": disk.removable,
        "read_only": disk.read_only,
        "fstype": disk.fstype,
        "label": disk.label,
        "mountpoint": disk.mountpoint,
        "partitions": [
            {
                "path": p.path,
                "size": p.size,
                "fstype": p.fstype,
                "label": p.label,
                "mountpoint": p.mountpoint,
            }
            for p in disk.partitions
        ],
        "holders": list(disk.holders),
        "install_media": disk.is_install_media,
        "in_use": disk.in_use,
        "offered": reason is None,
        "reason": reason,
    }


def nic_json(nic: Nic) -> dict[str, Any]:
    return {
        "name": nic.name,
        "mac": nic.mac,
        "linked": nic.linked,
        "driver": nic.driver,
        "speed_mbps": nic.speed_mbps,
        "addresses": [str(a) for a in nic.addresses],
        "virtual": nic.virtual,
    } | {k: v for k, v in (("perm_mac", nic.perm_mac), ("max_mtu", nic.max_mtu)) if v is not None}


def snapshot_json(machine: Machine, all_nics: bool = False) -> dict[str, Any]:
    """One object with `disks`, `nics` (as the wizard shows them) and `dmi`."""
    return {
        "disks": [disk_json(d) for d in machine.disks()],
        "nics": [nic_json(n) for n in machine.nics(all_nics)],
        "dmi": machine.dmi(),
    }


def profile_data(machine: Machine, all_nics: bool = False) -> dict[str, Any]:
    """A machine profile (profiles/README.md) recording what the probes see now.

    DHCP answers are not probed here (that would take seconds per NIC): every NIC records
    `dhcp: null`; edit the file to add them.
    """
    disks = []
    for disk in machine.disks():
        entry = {k: v for k, v in disk_json(disk).items() if k in _DISK_PROFILE_KEYS}
        entry["install_media"] = disk.is_install_media
        disks.append(entry)
    nics = []
    for nic in machine.nics(all_nics):
        entry = {k: v for k, v in nic_json(nic).items() if k != "addresses" or v}
        entry["dhcp"] = None
        nics.append(entry)
    return {"dmi": machine.dmi(), "nics": nics, "disks": disks}


_DISK_PROFILE_KEYS = {
    *("path", "size", "model", "serial", "by_id", "transport", "rotational", "removable"),
    *("read_only", "holders", "fstype", "label", "mountpoint", "partitions"),
}

"""The facts about a real disk that preflight checks before anything is written."""

from __future__ import annotations

from cos_installer.hardware.holders import holders, stacked_devices
from cos_installer.install import blockdev, devusage
from cos_installer.install.backends.base import DeviceFacts


def disk_facts(name: str, sysfs: str = "/sys") -> DeviceFacts:
    """What preflight decides on, read fresh from sysfs, /proc and the device: size, whole disk
    or partition, read-only, identity, and everything that uses it under any name."""
    device = f"/dev/{name}"
    whole = not blockdev.is_partition(name, sysfs)
    stack = holders(name, sysfs)  # walked once: mounts look through it too
    parts = [p.name for p in blockdev.kernel_partitions(name, sysfs)]
    own = {name, *parts, *stacked_devices(stack, sysfs)}
    other = devusage.alias_use(name, own, sysfs)
    return DeviceFacts(
        device=device,
        size=blockdev.device_size(device),
        whole_disk=whole,
        parent="" if whole else "/dev/" + blockdev.parent_disk(name, sysfs),
        read_only=blockdev.read_only(device),
        serial=blockdev.serial_of(name, sysfs),
        by_id=tuple(blockdev.by_id_links(name)),
        mounts=tuple(devusage.mounts(name, sysfs, stack=stack)) + other.busy,
        holders=tuple(stack),
        openers=tuple(devusage.openers([*parts, *other.names], sysfs)),
        alias_holders=other.held,
        aliases=other.idle,
    )

"""Who uses a disk: mounts and swap (on it, on what is stacked on it, or on another name of
the same storage), processes holding it open. The holders themselves are
cos_installer.hardware.holders; the other names, cos_installer.hardware.storage.

The sysfs and proc roots are parameters, so these are tested on sysfs tree fixtures.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from cos_installer.hardware.holders import Holder, Tree, holders, stacked_devices
from cos_installer.hardware.storage import StorageMap
from cos_installer.hardware.sysfs import read_attr
from cos_installer.install.blockdev import kernel_partitions


def _devnums(disk: str, sysfs: str, stack: list[Holder] | None) -> dict[str, str]:
    """major:minor -> device path for the disk, its partitions and everything stacked on them
    (a mounted LVM volume on a RAID on the disk uses the disk too)."""
    out = {}
    names = {n: f"/dev/{n}" for n in [disk] + [p.name for p in kernel_partitions(disk, sysfs)]}
    found = holders(disk, sysfs) if stack is None else stack
    for name, path in stacked_devices(found, sysfs).items():
        names.setdefault(name, path)
    for name, path in names.items():
        num = read_attr(f"{sysfs}/class/block/{name}/dev")
        if num:
            out[num] = path
    return out


def mounts(
    disk: str, sysfs: str = "/sys", proc: str = "/proc", stack: list[Holder] | None = None
) -> list[str]:
    """Mounted filesystems and active swap on the disk, its partitions or what is stacked on
    them, as sentences. `stack`: the disk's holders when the caller has them already."""
    return _users(_devnums(disk, sysfs, stack), proc)


def _users(nums: dict[str, str], proc: str) -> list[str]:
    """'<name> is mounted on /mnt', '<name> is active swap' for the devices in `nums`
    (major:minor -> how to name the device)."""
    found = []
    try:
        with open(f"{proc}/self/mountinfo") as f:
            for line in f:
                fields = line.split()
                if fields[2] in nums:
                    found.append(f"{nums[fields[2]]} is mounted on {fields[4]}")
    except OSError:
        pass
    try:
        with open(f"{proc}/swaps") as f:
            for line in list(f)[1:]:
                path = line.split()[0]
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                num = f"{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}"
                if stat.S_ISBLK(st.st_mode) and num in nums:
                    found.append(f"{nums[num]} is active swap")
    except OSError:
        pass
    return sorted(set(found))


@dataclass(frozen=True)
class AliasUse:
    """The disk's storage as other devices reach it (cos_installer.hardware.storage)."""

    busy: tuple[str, ...] = ()  # "/dev/loop7 (another name for ...) is mounted on /mnt"
    held: tuple[str, ...] = ()  # "/dev/loop7 (...) is held by LVM /dev/mapper/vg1-a"
    idle: tuple[str, ...] = ()  # "/dev/loop7 (...)": attached, nothing on it
    names: tuple[str, ...] = ()  # kernel names of them all (for `openers`)


def alias_use(disk: str, own: set[str], sysfs: str = "/sys", proc: str = "/proc") -> AliasUse:
    """Mounts, swap and holders on every other name of the disk's storage. `own`: the disk's
    partitions and stack, which `mounts` and the holders checks already cover."""
    block = f"{sysfs}/class/block"
    found = StorageMap(block).aliases(disk, own)
    busy = _users({read_attr(f"{block}/{a.name}/dev"): a.label for a in found}, proc)
    tree = Tree(block)
    held = []
    for alias in found:
        for name in alias.holders:
            h = tree.describe(name, alias.name, 0, set())
            held.append(f"{alias.label} is held by {h.kind} {h.detail}")
    used = {a.label for a in found if any(b.startswith(a.label + " is ") for b in busy + held)}
    idle = tuple(a.label for a in found if a.label not in used)
    return AliasUse(tuple(busy), tuple(held), idle, tuple(a.name for a in found))


def openers(names: list[str], sysfs: str = "/sys", proc: str = "/proc") -> list[str]:
    """Processes holding the named block devices open: 'loop0p5 (pid 42, python3)'."""
    nums = {}
    for name in names:
        num = read_attr(f"{sysfs}/class/block/{name}/dev")
        if num:
            major, minor = num.split(":")
            nums[os.makedev(int(major), int(minor))] = name
    me = os.getpid()
    found = []
    for pid in (p for p in os.listdir(proc) if p.isdigit() and int(p) != me):
        try:
            fds = os.listdir(f"{proc}/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                st = os.stat(f"{proc}/{pid}/fd/{fd}")
            except OSError:
                continue
            if stat.S_ISBLK(st.st_mode) and st.st_rdev in nums:
                comm = read_attr(f"{proc}/{pid}/comm", "?")
                found.append(f"/dev/{nums[st.st_rdev]} (pid {pid}, {comm})")
                break
    return sorted(set(found))

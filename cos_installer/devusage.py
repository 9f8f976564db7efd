"""Who uses a disk: RAID/LVM/dm holders, mounts, swap, processes holding it open.

The sysfs and proc roots are parameters, so holder detection is tested on a sysfs tree
fixture (the development host has no md or dm).
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass

from cos_installer.blockdev import kernel_partitions, read_sysfs


@dataclass(frozen=True)
class Holder:
    name: str  # md0, dm-0
    held: str  # the disk, partition or holder it holds (sda, sda2, md0)
    kind: str  # "RAID", "LVM", "device-mapper"
    detail: str  # "md0 (raid1)", "vg0-root"
    depth: int = 0  # 0: holds the disk or a partition; 1: stacked on such a holder; ...

    def __str__(self) -> str:
        return f"{self.held} is held by {self.kind} {self.detail}"


def _describe_holder(name: str, held: str, sysfs: str, depth: int) -> Holder:
    base = f"{sysfs}/class/block/{name}"
    if name.startswith("md"):
        level = read_sysfs(f"{base}/md/level")
        detail = f"/dev/{name}" + (f" ({level})" if level else "")
        return Holder(name, held, "RAID", detail, depth)
    dm_name = read_sysfs(f"{base}/dm/name")
    uuid = read_sysfs(f"{base}/dm/uuid")
    detail = f"/dev/mapper/{dm_name}" if dm_name else f"/dev/{name}"
    return Holder(name, held, dm_kind(uuid), detail, depth)


def dm_kind(uuid: str) -> str:
    """What a device-mapper device is, from its dm uuid's prefix (LVM-..., CRYPT-..., mpath-...)."""
    prefix = uuid.split("-", 1)[0]
    return {"LVM": "LVM", "CRYPT": "dm-crypt", "mpath": "multipath"}.get(prefix, "device-mapper")


def _holder_names(name: str, sysfs: str) -> list[str]:
    try:
        return sorted(os.listdir(f"{sysfs}/class/block/{name}/holders"))
    except OSError:
        return []


def holders(disk: str, sysfs: str = "/sys") -> list[Holder]:
    """RAID/LVM/dm devices stacked on the disk or any of its partitions, and whatever is
    stacked on those in turn (an LVM volume group on a RAID1 of two partitions), each named
    once, in the order they were found (the disk's first)."""
    found: list[Holder] = []
    seen: set[str] = set()

    def walk(held: str, depth: int) -> None:
        for name in _holder_names(held, sysfs):
            found.append(_describe_holder(name, held, sysfs, depth))
            if name not in seen:
                seen.add(name)
                walk(name, depth + 1)

    for held in [disk] + [p.name for p in kernel_partitions(disk, sysfs)]:
        walk(held, 0)
    return found


def volume_group(dm_name: str) -> str:
    """The VG of an LVM volume's device-mapper name: 'my--vg-root' -> 'my-vg' (LVM doubles
    the dashes inside VG and LV names)."""
    match = re.match(r"((?:[^-]|--)+)-", dm_name)
    return (match.group(1) if match else dm_name).replace("--", "-")


def holder_clear_commands(found: list[Holder]) -> list[list[str]]:
    """Commands that stop leftover RAID/LVM on the target, the top of each stack first (a
    volume group before the RAID under it); a RAID member on the target also loses its
    superblock at once, so udev cannot assemble the array again before the wipe."""
    cmds: list[list[str]] = []
    for h in sorted(found, key=lambda h: -h.depth):
        if h.kind == "RAID":
            group = [["mdadm", "--stop", f"/dev/{h.name}"]]
            if h.depth == 0:
                group.append(["mdadm", "--zero-superblock", f"/dev/{h.held}"])
        elif h.kind == "LVM":
            group = [["vgchange", "-an", volume_group(h.detail.removeprefix("/dev/mapper/"))]]
        else:
            group = [["dmsetup", "remove", "--retry", h.detail.removeprefix("/dev/mapper/")]]
        cmds += [cmd for cmd in group if cmd not in cmds]
    return cmds


def holder_clear_text(found: list[Holder]) -> str:
    """The same commands as one line, for messages: 'vgchange -an vg0; mdadm --stop ...'."""
    return "; ".join(" ".join(cmd) for cmd in holder_clear_commands(found))


def _devnums(disk: str, sysfs: str) -> dict[str, str]:
    """major:minor -> device path for the disk, its partitions and everything stacked on them
    (a mounted LVM volume on a RAID on the disk uses the disk too)."""
    out = {}
    names = {n: f"/dev/{n}" for n in [disk] + [p.name for p in kernel_partitions(disk, sysfs)]}
    for h in holders(disk, sysfs):
        names.setdefault(h.name, h.detail.split(" ")[0])
    for name, path in names.items():
        num = read_sysfs(f"{sysfs}/class/block/{name}/dev")
        if num:
            out[num] = path
    return out


def mounts(disk: str, sysfs: str = "/sys", proc: str = "/proc") -> list[str]:
    """Mounted filesystems and active swap on the disk, its partitions or what is stacked on
    them, as sentences."""
    nums = _devnums(disk, sysfs)
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


def openers(names: list[str], sysfs: str = "/sys", proc: str = "/proc") -> list[str]:
    """Processes holding the named block devices open: 'loop0p5 (pid 42, python3)'."""
    nums = {}
    for name in names:
        num = read_sysfs(f"{sysfs}/class/block/{name}/dev")
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
                comm = read_sysfs(f"{proc}/{pid}/comm", "?")
                found.append(f"/dev/{nums[st.st_rdev]} (pid {pid}, {comm})")
                break
    return sorted(set(found))

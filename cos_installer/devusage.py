"""Who uses a disk: RAID/LVM/dm holders, mounts, swap, processes holding it open.

The sysfs and proc roots are parameters, so holder detection is tested on a sysfs tree
fixture (the development host has no md or dm).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from cos_installer.blockdev import kernel_partitions, read_sysfs


@dataclass(frozen=True)
class Holder:
    name: str  # md0, dm-0
    held: str  # the disk or partition it holds (sda, sda2)
    kind: str  # "RAID", "LVM", "device-mapper"
    detail: str  # "md0 (raid1)", "vg0-root"

    def __str__(self) -> str:
        return f"{self.held} is held by {self.kind} {self.detail}"


def _describe_holder(name: str, held: str, sysfs: str) -> Holder:
    base = f"{sysfs}/class/block/{name}"
    if name.startswith("md"):
        level = read_sysfs(f"{base}/md/level")
        return Holder(name, held, "RAID", f"/dev/{name}" + (f" ({level})" if level else ""))
    dm_name = read_sysfs(f"{base}/dm/name")
    uuid = read_sysfs(f"{base}/dm/uuid")
    kind = "LVM" if uuid.startswith("LVM-") else "device-mapper"
    return Holder(name, held, kind, f"/dev/mapper/{dm_name}" if dm_name else f"/dev/{name}")


def holders(disk: str, sysfs: str = "/sys") -> list[Holder]:
    """RAID/LVM/dm devices stacked on the disk or any of its partitions, each named."""
    found = []
    for held in [disk] + [p.name for p in kernel_partitions(disk, sysfs)]:
        try:
            names = sorted(os.listdir(f"{sysfs}/class/block/{held}/holders"))
        except OSError:
            names = []
        found += [_describe_holder(n, held, sysfs) for n in names]
    return found


def holder_clear_commands(found: list[Holder]) -> list[list[str]]:
    """Commands that stop leftover RAID/LVM on the target; the metadata is wiped afterwards."""
    cmds: list[list[str]] = []
    for h in found:
        if h.kind == "RAID":
            cmd = ["mdadm", "--stop", f"/dev/{h.name}"]
        elif h.kind == "LVM":
            vg = h.detail.removeprefix("/dev/mapper/").split("-")[0]
            cmd = ["vgchange", "-an", vg]
        else:
            cmd = ["dmsetup", "remove", "--retry", h.detail.removeprefix("/dev/mapper/")]
        if cmd not in cmds:
            cmds.append(cmd)
    return cmds


def _devnums(disk: str, sysfs: str) -> dict[str, str]:
    """major:minor -> kernel name for the disk and its partitions."""
    out = {}
    for name in [disk] + [p.name for p in kernel_partitions(disk, sysfs)]:
        num = read_sysfs(f"{sysfs}/class/block/{name}/dev")
        if num:
            out[num] = name
    return out


def mounts(disk: str, sysfs: str = "/sys", proc: str = "/proc") -> list[str]:
    """Mounted filesystems and active swap on the disk or its partitions, as sentences."""
    nums = _devnums(disk, sysfs)
    found = []
    try:
        with open(f"{proc}/self/mountinfo") as f:
            for line in f:
                fields = line.split()
                if fields[2] in nums:
                    found.append(f"/dev/{nums[fields[2]]} is mounted on {fields[4]}")
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
                    found.append(f"/dev/{nums[num]} is active swap")
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

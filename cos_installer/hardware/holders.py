"""RAID, LVM and device-mapper stacked on a disk: found in sysfs, named, stopped top first.

A reused server carries stacks such as an LVM volume group on an md RAID1 of two partitions,
a dm-crypt volume inside a logical volume, or an Intel firmware RAID (a container holding
the disks and a volume inside it). Preflight names every layer and every device off the
target the stack also uses; --clear-holders stops the layers in an order each command can
succeed in (whatever sits on a device first), then zeroes the target's RAID superblocks.
The sysfs root is a parameter: the development host has no md and no dm, so the stacks are
tested on sysfs tree fixtures and for real in the QEMU guest (iso/e2e_faults.py).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from cos_installer.hardware.sysfs import read_attr


@dataclass(frozen=True)
class Holder:
    name: str  # md0, dm-0
    held: str  # the kernel name of what it sits on: sda1, md0, md126p1, dm-2
    kind: str  # "RAID", "LVM", "dm-crypt", "multipath", "device-mapper"
    detail: str  # "/dev/md0 (raid1)", "/dev/mapper/vg0-root"
    depth: int = 0  # 0: on the disk or one of its partitions; 1: on such a holder; ...
    unit: str = ""  # what one stop command acts on: "md0", "vg:vg0", "dm:dm-3"
    also: tuple[str, ...] = ()  # devices off the target that it (or its VG) also uses
    held_as: str = ""  # how to name `held` to a person: /dev/mapper/vg0-b for dm-2
    container: str = ""  # for a volume of a firmware RAID: its container (md127)

    def __str__(self) -> str:
        text = f"{self.held_as or self.held} is held by {self.kind} {self.detail}"
        if self.also:
            text += f", which also uses {', '.join(self.also)}"
        return text


def dm_kind(uuid: str) -> str:
    """What a device-mapper device is, from its dm uuid's prefix (LVM-..., CRYPT-..., mpath-...)."""
    prefix = uuid.split("-", 1)[0]
    return {"LVM": "LVM", "CRYPT": "dm-crypt", "mpath": "multipath"}.get(prefix, "device-mapper")


def volume_group(dm_name: str) -> str:
    """The VG of an LVM volume's device-mapper name: 'my--vg-root' -> 'my-vg' (LVM doubles
    the dashes inside VG and LV names)."""
    match = re.match(r"((?:[^-]|--)+)-", dm_name)
    return (match.group(1) if match else dm_name).replace("--", "-")


def stacked(name: str) -> str:
    """The md or dm device `name` is (or is a partition of: md126p1 -> md126); '' for a
    plain disk or partition."""
    if name.startswith("md"):
        return re.sub(r"p\d+$", "", name)
    return name if name.startswith("dm-") else ""


class Tree:
    """The block devices under one sysfs directory (`/sys/class/block`, or `/sys/block`)."""

    def __init__(self, block_dir: str) -> None:
        self.dir = block_dir

    def _list(self, name: str, sub: str) -> list[str]:
        try:
            return sorted(os.listdir(f"{self.dir}/{name}/{sub}"))
        except OSError:
            return []

    def holders_of(self, name: str) -> list[str]:
        return self._list(name, "holders")

    def partitions(self, name: str) -> list[str]:
        entries = self._list(name, "")
        return [e for e in entries if os.path.exists(f"{self.dir}/{name}/{e}/partition")]

    def attr(self, name: str, path: str) -> str:
        return read_attr(f"{self.dir}/{name}/{path}")

    def leaves(self, name: str, seen: set[str] | None = None) -> set[str]:
        """The plain disks and partitions under a stacked device, through every layer."""
        seen = seen if seen is not None else set()
        found: set[str] = set()
        for slave in self._list(name, "slaves"):
            below = stacked(slave)
            if below and below not in seen:
                seen.add(below)
                found |= self.leaves(below, seen)
            elif not below:
                found.add(slave)
        return found

    def volume_group_members(self, uuid: str) -> list[str]:
        """Every dm device of the LVM VG whose uuid starts like `uuid` (LVM-<vg uuid><lv uuid>)."""
        prefix = uuid[:36]
        names = [n for n in self._list("", "") if n.startswith("dm-")]
        return [n for n in names if self.attr(n, "dm/uuid")[:36] == prefix]

    def describe(self, name: str, held: str, depth: int, target: set[str]) -> Holder:
        held_as = f"/dev/mapper/{self.attr(held, 'dm/name')}" if held.startswith("dm-") else ""
        held_as = "" if held_as == "/dev/mapper/" else held_as
        if name.startswith("md"):
            level = self.attr(name, "md/level")
            version = self.attr(name, "md/metadata_version")  # external:/md127/0 in a container
            inside = version.split("/")[1] if version.startswith("external:/") else ""
            also = self.leaves(name) - target
            detail = f"/dev/{name}" + (f" ({level})" if level else "")
            return Holder(name, held, "RAID", detail, depth, name, _devs(also), held_as, inside)
        dm_name, uuid = self.attr(name, "dm/name"), self.attr(name, "dm/uuid")
        kind = dm_kind(uuid)
        detail = f"/dev/mapper/{dm_name}" if dm_name else f"/dev/{name}"
        if kind == "LVM" and dm_name:
            members = self.volume_group_members(uuid) or [name]
            also = set().union(*(self.leaves(m) for m in members)) - target
            unit = "vg:" + volume_group(dm_name)
        else:
            also, unit = self.leaves(name) - target, "dm:" + name
        return Holder(name, held, kind, detail, depth, unit, _devs(also), held_as)


def _devs(names: set[str]) -> tuple[str, ...]:
    return tuple(f"/dev/{n}" for n in sorted(names))


def holders(disk: str, sysfs: str = "/sys") -> list[Holder]:
    """Every layer stacked on the disk or its partitions, and on those layers (their
    partitions included: md126p1), each named once per device it sits on."""
    tree = Tree(f"{sysfs}/class/block")
    target = [disk, *tree.partitions(disk)]
    found: list[Holder] = []
    seen: set[str] = set()

    def walk(held: str, depth: int) -> None:
        for name in tree.holders_of(held):
            found.append(tree.describe(name, held, depth, set(target)))
            if name not in seen:
                seen.add(name)
                for device in [name, *tree.partitions(name)]:
                    walk(device, depth + 1)

    for device in target:
        walk(device, 0)
    return found


def stacked_devices(found: list[Holder], sysfs: str = "/sys") -> dict[str, str]:
    """kernel name -> path of everything a stop would take away: the holders, their
    partitions, and the other volumes of each volume group (mounted ones block the stop)."""
    tree = Tree(f"{sysfs}/class/block")
    out: dict[str, str] = {}
    for h in found:
        names = [h.name, *tree.partitions(h.name)]
        if h.unit.startswith("vg:"):
            names += tree.volume_group_members(tree.attr(h.name, "dm/uuid"))
        for name in names:
            dm_name = tree.attr(name, "dm/name") if name.startswith("dm-") else ""
            out.setdefault(name, f"/dev/mapper/{dm_name}" if dm_name else f"/dev/{name}")
    return out


def _stop_order(found: list[Holder]) -> list[Holder]:
    """One holder per stop unit, each before every unit it sits on (Kahn's algorithm)."""
    first: dict[str, Holder] = {}
    for h in found:
        first.setdefault(h.unit, h)
    owner = {h.name: h.unit for h in found}
    above: dict[str, set[str]] = {unit: set() for unit in first}
    for h in found:
        below = owner.get(stacked(h.held) or h.held)
        if below and below != h.unit:
            above[below].add(h.unit)
        if h.container in above:  # a firmware RAID volume stops before its container
            above[h.container].add(h.unit)
    order: list[Holder] = []
    remaining = set(first)
    while remaining:
        ready = sorted(u for u in remaining if not above[u] & remaining) or sorted(remaining)
        order += [first[u] for u in ready]
        remaining -= set(ready)
    return order


def holder_clear_commands(found: list[Holder]) -> list[list[str]]:
    """Commands that stop leftover RAID/LVM on the target, each layer before what it sits on;
    then the target's RAID members lose their superblocks, so udev cannot assemble the
    arrays again before the wipe."""
    cmds: list[list[str]] = []
    for h in _stop_order(found):
        if h.kind == "RAID":
            cmds.append(["mdadm", "--stop", f"/dev/{h.name}"])
        elif h.unit.startswith("vg:"):
            cmds.append(["vgchange", "-an", h.unit[3:]])
        else:
            cmds.append(["dmsetup", "remove", "--retry", h.detail.removeprefix("/dev/mapper/")])
    for h in found:
        zero = ["mdadm", "--zero-superblock", f"/dev/{h.held}"]
        if h.kind == "RAID" and h.depth == 0 and zero not in cmds:
            cmds.append(zero)
    return cmds


def holder_clear_text(found: list[Holder]) -> str:
    """The same commands as one line, for messages: 'vgchange -an vg0; mdadm --stop ...'."""
    return "; ".join(" ".join(cmd) for cmd in holder_clear_commands(found))

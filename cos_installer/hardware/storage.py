"""Identity by storage: which bytes of which disk or file a block device reads and writes.

A name says little: an image file attached twice is two loop devices, a loop device over a
partition (or over a byte range of a disk or file) is a third name for part of that disk, and
a by-id link is a fourth. Each block device is resolved here to its *extents*: byte ranges of
a base, the plain disk (`("dev", "sda")`) or the file (`("file", st_dev, st_ino)`) it
finally reads and writes. Two devices whose extents overlap are the same storage: whatever
uses one uses the other.

sysfs says what a loop device reads (`loop/backing_file`, `loop/offset`, `size`; on the live
system the LOOP_GET_STATUS64 ioctl gives the backing inode itself, which a renamed or deleted
path no longer shows) and what an md or dm device sits on (`slaves/`), but not where inside
it: an md or dm device is taken to cover the whole of everything below it, so no alias is
ever missed. The block directory is a parameter: sysfs tree fixtures test what this host's
kernel cannot make (dm, md).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import struct
from dataclasses import dataclass

from cos_installer.hardware.sysfs import read_attr

LOOP_GET_STATUS64 = 0x4C05
LOOP_INFO64 = struct.Struct("=5Q4I64s64s32s2Q")  # struct loop_info64 (linux/loop.h)
UNKNOWN = 1 << 63  # the end of a device whose size sysfs does not give: everything


@dataclass(frozen=True)
class Extent:
    base: tuple  # ("dev", "sda") or ("file", st_dev, st_ino)
    start: int  # bytes
    end: int

    def overlaps(self, other: Extent) -> bool:
        return self.base == other.base and self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Device:
    name: str  # loop7, loop7p1, sda, dm-2
    devnum: str  # "7:7"
    extents: tuple[Extent, ...]
    exact: bool  # the extents are known to the byte (a disk, a partition, a loop device)
    what: str  # how it reaches its storage: "a loop device over /x.img", "partition 1 of ..."


@dataclass(frozen=True)
class Alias:
    """Another block device over (part of) the same storage as a disk."""

    name: str
    path: str  # /dev/loop7, /dev/mapper/vg0-a
    label: str  # "/dev/loop7 (another name for /dev/loop3: the same file /x.img)"
    holders: tuple[str, ...]  # md/dm devices on it that are not stacked on the disk itself


def overlap(a: tuple[Extent, ...], b: tuple[Extent, ...]) -> bool:
    return any(x.overlaps(y) for x in a for y in b)


def dev_path(name: str, block_dir: str) -> str:
    """How to name a device to a person: /dev/mapper/<name> for device-mapper."""
    dm_name = read_attr(f"{block_dir}/{name}/dm/name") if name.startswith("dm-") else ""
    return f"/dev/mapper/{dm_name}" if dm_name else f"/dev/{name}"


class StorageMap:
    """The block devices under one sysfs directory (`/sys/class/block` or `/sys/block`),
    each resolved once to its extents."""

    def __init__(self, block_dir: str) -> None:
        self.dir = block_dir
        self.live = os.path.realpath(block_dir).startswith("/sys/")  # ioctls on /dev nodes
        self._devices: dict[str, Device] = {}
        self._parents: dict[str, str] = {}  # partition -> its disk
        self._by_num: dict[str, str] = {}
        for disk in self._list(""):
            if os.path.exists(f"{self.dir}/{disk}/partition"):
                continue  # listed again under its disk (in /sys/class/block)
            self._note(disk, "")
            for entry in self._list(disk):
                if os.path.exists(f"{self.dir}/{disk}/{entry}/partition"):
                    self._note(entry, disk)

    def _list(self, sub: str) -> list[str]:
        try:
            return sorted(os.listdir(f"{self.dir}/{sub}"))
        except OSError:
            return []

    def _note(self, name: str, parent: str) -> None:
        self._parents[name] = parent
        num = read_attr(f"{self._sysdir(name)}/dev")
        if num:
            self._by_num.setdefault(num, name)

    def _sysdir(self, name: str) -> str:
        parent = self._parents.get(name, "")
        return f"{self.dir}/{parent}/{name}" if parent else f"{self.dir}/{name}"

    def names(self) -> list[str]:
        return list(self._parents)

    def partitions(self, name: str) -> list[str]:
        return [p for p, disk in self._parents.items() if disk == name]

    def by_devnum(self, major: int, minor: int) -> str | None:
        return self._by_num.get(f"{major}:{minor}")

    def holders_of(self, name: str) -> list[str]:
        try:
            return sorted(os.listdir(f"{self._sysdir(name)}/holders"))
        except OSError:
            return []

    def above(self, name: str) -> set[str]:
        """The device, its partitions and everything stacked on them, through every layer."""
        found: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in found:
                continue
            found.add(current)
            todo += self.partitions(current) + self.holders_of(current)
        return found

    def device(self, name: str) -> Device:
        if name not in self._devices:
            self._devices[name] = Device(name, "", (), True, "")  # a cycle resolves to nothing
            self._devices[name] = self._resolve(name)
        return self._devices[name]

    def _size(self, name: str) -> int:
        text = read_attr(f"{self._sysdir(name)}/size")
        return int(text) * 512 if text.isdigit() else UNKNOWN

    def _resolve(self, name: str) -> Device:
        base = self._sysdir(name)
        num = read_attr(f"{base}/dev")
        parent = self._parents.get(name, "")
        if parent:
            start = _number(read_attr(f"{base}/start")) * 512
            number = read_attr(f"{base}/partition")
            extents, exact = self._within(self.device(parent), start, self._size(name))
            return Device(name, num, extents, exact, f"partition {number} of /dev/{parent}")
        if os.path.isdir(f"{base}/loop"):
            return self._loop(name, num)
        slaves = self._list(f"{name}/slaves")
        if slaves:  # md, dm: somewhere inside what they sit on
            extents = tuple(e for s in slaves for e in self.device(s).extents)
            kind = "RAID" if name.startswith("md") else "device-mapper"
            over = ", ".join(f"/dev/{s}" for s in slaves)
            return Device(name, num, extents, False, f"{kind} {dev_path(name, self.dir)} on {over}")
        return Device(name, num, (Extent(("dev", name), 0, self._size(name)),), True, "")

    def _within(self, below: Device, start: int, size: int) -> tuple[tuple[Extent, ...], bool]:
        """The extents of bytes [start, start+size) of `below` (all of it when inexact)."""
        if not below.exact or len(below.extents) != 1:
            return below.extents, False
        (e,) = below.extents
        begin = min(e.start + start, e.end)
        return (Extent(e.base, begin, min(e.end, begin + size)),), True

    def _loop(self, name: str, num: str) -> Device:
        info = self._loop_status(name, num)
        backing = read_attr(f"{self.dir}/{name}/loop/backing_file")
        if info is None and backing:
            info = _stat_backing(backing.removesuffix(" (deleted)"))
        if info is None:  # unbound, or its file cannot be found: only itself
            return Device(name, num, (Extent(("dev", name), 0, self._size(name)),), True, "")
        file_id, rdev, offset = info
        if offset is None:
            offset = _number(read_attr(f"{self.dir}/{name}/loop/offset"))
        size = self._size(name)
        what = f"a loop device over {backing or 'a deleted file'}"
        what += f" from byte {offset}" if offset else ""
        if rdev:
            below = self.by_devnum(os.major(rdev), os.minor(rdev))
            if below is None:
                return Device(name, num, (Extent(("dev", name), 0, size),), True, what)
            extents, exact = self._within(self.device(below), offset, size)
            return Device(name, num, extents, exact, what)
        return Device(name, num, (Extent(("file", *file_id), offset, offset + size),), True, what)

    def _loop_status(self, name: str, num: str) -> tuple[tuple[int, int], int, int] | None:
        """((st_dev, st_ino), rdev, offset) of a live loop device's backing file."""
        node = f"/dev/{name}"
        if not self.live:
            return None
        try:
            st = os.stat(node)
            if f"{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}" != num:
                return None  # another device under that name (a container's /dev)
            fd = os.open(node, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
        except OSError:
            return None
        try:
            raw = fcntl.ioctl(fd, LOOP_GET_STATUS64, bytes(LOOP_INFO64.size))
        except OSError:  # ENXIO: not bound to a file
            return None
        finally:
            with contextlib.suppress(OSError):
                os.close(fd)
        dev, ino, rdev, offset = LOOP_INFO64.unpack(raw)[:4]
        return (dev, ino), rdev, offset

    def aliases(self, name: str, own: set[str] | None = None) -> list[Alias]:
        """Every other device over some of the disk's storage: loop devices over the same
        file or over a range of it or of the disk, their partitions, md/dm devices on them.
        `own`: the disk's own partitions and stack (default: everything above it)."""
        own = self.above(name) if own is None else own | {name}
        target = self.device(name)
        found = []
        for other in self.names():
            if other in own:
                continue
            dev = self.device(other)
            if not overlap(dev.extents, target.extents):
                continue
            label = f"{dev_path(other, self.dir)} ({self._relation(dev, target)})"
            held = tuple(h for h in self.holders_of(other) if h not in own)
            found.append(Alias(other, dev_path(other, self.dir), label, held))
        return found

    def _relation(self, dev: Device, target: Device) -> str:
        name = f"/dev/{target.name}"
        same = dev.exact and target.exact and set(dev.extents) == set(target.extents)
        inside = dev.exact and all(
            any(t.base == e.base and t.start <= e.start and e.end <= t.end for t in target.extents)
            for e in dev.extents
        )
        files = {e.base for e in target.extents if e.base[0] == "file"}
        what = dev.what
        if same and dev.what.startswith("a loop device over ") and files:
            what = "the same file " + dev.what.removeprefix("a loop device over ")
        relation = (
            f"another name for {name}"
            if same
            else f"part of {name}"
            if inside
            else f"sharing storage with {name}"
        )
        return f"{relation}: {what}" if what else relation


def _number(text: str) -> int:
    """A sysfs number; 0 when the file is missing or unreadable."""
    return int(text) if text.isdigit() else 0


def _stat_backing(path: str) -> tuple[tuple[int, int], int, None] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    rdev = st.st_rdev if stat.S_ISBLK(st.st_mode) else 0
    return (st.st_dev, st.st_ino), rdev, None


def file_extent(path: str) -> Extent | None:
    """The whole of a regular file, to compare with the extents of devices."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return Extent(("file", st.st_dev, st.st_ino), 0, max(st.st_size, 1))

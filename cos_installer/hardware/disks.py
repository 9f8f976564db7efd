"""Disk probe: whole disks from sysfs (pyudev adds names when the udev database has them).

sysfs is the ground truth because the udev database is empty in containers and early in a
live boot; udev only adds what sysfs lacks (decoded model/serial, by-id links, fs labels).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from cos_installer.hardware.holders import Tree, dm_kind
from cos_installer.hardware.storage import StorageMap
from cos_installer.hardware.sysfs import (
    best_by_id,
    blkid_info,
    by_id_links,
    devno_of_sysfs,
    mount_table,
    read_attr,
    read_int,
    swaps_by_devno,
)
from cos_installer.hardware.types import Disk, OtherName, Partition

MEDIA_LABEL = "CDROM"  # the guide: a USB stick must carry the volume label CDROM

# Kernel names that are never an OS disk: virtual, optical, floppy, network, RAID arrays
# (their member disks are listed and flagged as held) and device-mapper (except multipath).
UDEV_DATA = "/run/udev/data"  # udev's database; absent in containers and before udevd runs

EXCLUDED_PREFIXES = ("loop", "ram", "zram", "sr", "fd", "nbd", "md", "mtdblock", "dm-")


@dataclass
class ProbeContext:
    """Where the probe reads from; one snapshot of mounts/swaps/by-id for a whole listing."""

    sysfs_root: str = "/sys"
    dev_root: str = "/dev"
    mountinfo: str = "/proc/self/mountinfo"
    swaps: str = "/proc/swaps"
    by_id_dir: str = "/dev/disk/by-id"
    media_dir: str | None = None  # where the install medium is mounted (flags its disk)
    use_udev: bool = True
    _mounts: dict[tuple[int, int], tuple[str, str]] | None = field(default=None, repr=False)
    _swaps: set[tuple[int, int]] | None = field(default=None, repr=False)
    _by_id: dict[str, list[str]] | None = field(default=None, repr=False)
    _storage: StorageMap | None = field(default=None, repr=False)

    def storage(self) -> StorageMap:
        if self._storage is None:
            self._storage = StorageMap(f"{self.sysfs_root}/block")
        return self._storage

    def mountpoint(self, devno: tuple[int, int] | None) -> str | None:
        if devno is None:
            return None
        if self._swaps is None:
            self._swaps = swaps_by_devno(self.swaps)
        if devno in self._swaps:
            return "[SWAP]"
        return self._mount(devno)[0]

    def mounted_fstype(self, devno: tuple[int, int] | None) -> str | None:
        """The fstype the mount table gives (when blkid may not open the device)."""
        return self._mount(devno)[1] if devno is not None else None

    def _mount(self, devno: tuple[int, int]) -> tuple[str | None, str | None]:
        if self._mounts is None:
            self._mounts = {}
            for number, mountpoint, fstype in mount_table(self.mountinfo):
                self._mounts.setdefault(number, (mountpoint, fstype))
        return self._mounts.get(devno, (None, None))

    def by_id(self, path: str) -> str | None:
        if self._by_id is None:
            self._by_id = by_id_links(self.by_id_dir)
        return best_by_id(self._by_id.get(os.path.realpath(path), []))


def is_listed_disk(name: str, sysfs_root: str = "/sys") -> bool:
    """Whether /sys/block/<name> is a whole disk the wizard may show."""
    base = Path(sysfs_root) / "block" / name
    if name.startswith("dm-"):
        return read_attr(base / "dm" / "uuid").startswith("mpath-")
    if name.startswith(EXCLUDED_PREFIXES):
        return False
    if read_attr(base / "hidden") == "1":  # NVMe multipath path devices
        return False
    return (read_int(base / "size") or 0) > 0  # empty card readers


def list_disk_names(sysfs_root: str = "/sys") -> list[str]:
    try:
        names = sorted(os.listdir(Path(sysfs_root) / "block"))
    except OSError:
        return []
    return [n for n in names if is_listed_disk(n, sysfs_root)]


def transport_of(sysdir: Path, name: str) -> str:
    """sata/sas/nvme/usb/virtio/mmc/scsi from the device's place in the sysfs tree."""
    real = os.path.realpath(sysdir)
    rules = (
        ("/usb", "usb"),
        ("/nvme", "nvme"),
        ("/virtio", "virtio"),
        ("/end_device-", "sas"),
        ("/ata", "sata"),
        ("/mmc", "mmc"),
        ("/session", "iscsi"),
        ("/target", "scsi"),
    )
    if name.startswith("nvme"):
        return "nvme"
    for needle, transport in rules:
        if needle in real:
            return transport
    return ""


def holders_of(sysdir: Path) -> list[str]:
    try:
        return sorted(os.listdir(sysdir / "holders"))
    except OSError:
        return []


def describe_holder(
    holder: str, sysfs_root: str = "/sys", disk: frozenset[str] = frozenset()
) -> str:
    """'md0 (RAID raid1, also on /dev/sdb1)', 'dm-0 (LVM vg0-root)': what a person needs to
    find and stop it, and which other disks lose it (`disk`: this disk's kernel names)."""
    tree = Tree(f"{sysfs_root}/block")
    base = Path(tree.dir) / holder
    also = sorted(tree.leaves(holder) - disk)
    tail = f", also on {', '.join('/dev/' + n for n in also)}" if also else ""
    if holder.startswith("md"):
        level = read_attr(base / "md" / "level")
        return f"{holder} (RAID{' ' + level if level else ''}{tail})"
    if holder.startswith("dm-"):
        uuid = read_attr(base / "dm" / "uuid")
        name = read_attr(base / "dm" / "name")
        kind = dm_kind(uuid)
        return f"{holder} ({kind}{' ' + name if name else ''}{tail})"
    return holder


def _serial_model(sysdir: Path) -> tuple[str, str]:
    dev = sysdir / "device"
    model = read_attr(dev / "model")
    vendor = read_attr(dev / "vendor")
    if vendor and vendor not in ("ATA", "NVMe") and not vendor.startswith("0x"):
        model = f"{vendor} {model}".strip()
    serial = read_attr(sysdir / "serial") or read_attr(dev / "serial")
    if not serial:
        try:
            raw = (dev / "vpd_pg80").read_bytes()
            serial = raw[4 : 4 + raw[3]].decode("ascii", "replace").strip(" \x00")
        except (OSError, IndexError):
            serial = ""
    return serial, model


def _udev_props(sysdir: Path, ctx: ProbeContext) -> dict[str, str]:
    """udev properties when its database knows the device; {} otherwise (containers)."""
    if not ctx.use_udev or ctx.sysfs_root != "/sys" or not os.path.isdir(UDEV_DATA):
        return {}
    try:
        import pyudev

        device = pyudev.Devices.from_sys_path(pyudev.Context(), os.path.realpath(sysdir))
        return dict(device.properties)
    except Exception:  # noqa: BLE001 - udev is an optional enrichment
        return {}


def _partition_dirs(sysdir: Path) -> list[Path]:
    try:
        entries = [sysdir / e for e in os.listdir(sysdir)]
    except OSError:
        return []
    parts = [e for e in entries if (e / "partition").exists()]
    return sorted(parts, key=lambda p: read_int(p / "partition") or 0)


def other_names(name: str, ctx: ProbeContext) -> tuple[OtherName, ...]:
    """The disk's storage in use under another name: a mounted loop device over one of its
    partitions or over its image file, RAID/LVM on such a loop device."""
    storage = ctx.storage()
    own = storage.above(name)
    found = []
    for alias in storage.aliases(name, own):
        major, _, minor = storage.device(alias.name).devnum.partition(":")
        where = ctx.mountpoint((int(major), int(minor))) if minor.isdigit() else None
        mine = frozenset({alias.name, *own})  # "also on": devices beyond these
        held = tuple(describe_holder(h, ctx.sysfs_root, mine) for h in alias.holders)
        if where or held:
            found.append(OtherName(alias.label, where, held))
    return tuple(found)


def probe_block_device(path: str, ctx: ProbeContext | None = None) -> Disk:
    """Everything the disk screen shows about one whole block device (any kind, loop too)."""
    ctx = ctx or ProbeContext()
    name = os.path.basename(os.path.realpath(path))
    sysdir = Path(ctx.sysfs_root) / "block" / name
    if not sysdir.is_dir():
        raise FileNotFoundError(f"{path}: no such block device (not in {ctx.sysfs_root}/block)")
    dev_path = os.path.join(ctx.dev_root, name)
    part_dirs = _partition_dirs(sysdir)
    part_paths = [os.path.join(ctx.dev_root, p.name) for p in part_dirs]
    fs = blkid_info([dev_path, *part_paths]) if ctx.sysfs_root == "/sys" else {}
    props = _udev_props(sysdir, ctx)
    serial, model = _serial_model(sysdir)
    serial = serial or props.get("ID_SERIAL_SHORT", "")
    model = model or props.get("ID_MODEL", "").replace("_", " ")

    partitions = []
    mine = frozenset([name, *(p.name for p in part_dirs)])
    holders = [describe_holder(h, ctx.sysfs_root, mine) for h in holders_of(sysdir)]
    for pdir, ppath in zip(part_dirs, part_paths, strict=True):
        info = fs.get(ppath, {})
        devno = devno_of_sysfs(pdir)
        partitions.append(
            Partition(
                path=ppath,
                size=(read_int(pdir / "size") or 0) * 512,
                fstype=info.get("TYPE") or ctx.mounted_fstype(devno),
                label=info.get("LABEL") or None,
                mountpoint=ctx.mountpoint(devno),
            )
        )
        for holder in holders_of(pdir):
            described = describe_holder(holder, ctx.sysfs_root, mine)
            if described not in holders:
                holders.append(described)
    whole = fs.get(dev_path, {})
    labels = [whole.get("LABEL")] + [p.label for p in partitions]
    mounts = [ctx.mountpoint(devno_of_sysfs(sysdir))] + [p.mountpoint for p in partitions]
    media = MEDIA_LABEL in labels or (ctx.media_dir is not None and ctx.media_dir in mounts)
    return Disk(
        path=dev_path,
        size=(read_int(sysdir / "size") or 0) * 512,
        model=model,
        serial=serial,
        by_id=ctx.by_id(dev_path),
        transport=transport_of(sysdir, name) or props.get("ID_BUS", ""),
        rotational=read_attr(sysdir / "queue" / "rotational") == "1",
        removable=read_attr(sysdir / "removable") == "1",
        read_only=read_attr(sysdir / "ro") == "1",
        partitions=tuple(partitions),
        holders=tuple(holders),
        is_install_media=media,
        fstype=whole.get("TYPE") or ctx.mounted_fstype(devno_of_sysfs(sysdir)),
        label=whole.get("LABEL") or None,
        mountpoint=mounts[0],
        aliases=other_names(name, ctx),
    )


def probe_disks(ctx: ProbeContext | None = None) -> list[Disk]:
    """All whole disks the wizard lists, in kernel name order."""
    ctx = ctx or ProbeContext()
    return [probe_block_device(name, ctx) for name in list_disk_names(ctx.sysfs_root)]

"""Stage 1: everything that can be checked before a disk is touched.

The target is a whole disk, is not the install media, is big enough, is the disk the user
chose, and nothing uses it (mounts, swap, RAID/LVM/dm holders, each named); the payload and
its checksum file are readable; the configuration renders and passes the cloud-config rules.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable

from cos_installer.hardware.holders import holder_clear_text
from cos_installer.hardware.storage import StorageMap, file_extent, overlap
from cos_installer.hardware.types import human_size
from cos_installer.install import blockdev
from cos_installer.install.backends.base import Backend, DeviceFacts
from cos_installer.install.remote import Payload, PayloadError, inspect_any  # local or URL

LIVE_MEDIUM = "/run/live/medium"
XFS_MIN_BYTES = 300 * 1000 * 1000  # mkfs.xfs refuses smaller filesystems


class CheckError(Exception):
    """A preflight finding that stops the install: the device, the cause, the next step."""

    def __init__(self, device: str, cause: str, hint: str = "", err: int | None = None) -> None:
        super().__init__(cause)
        self.device, self.cause, self.hint, self.errno = device, cause, hint, err


def render(config: object) -> str:
    """The cloud-config for this install; raises CheckError naming what does not render."""
    from cos_installer.render.config import RenderError, render_config

    try:
        return render_config(config)
    except RenderError as exc:
        raise CheckError(
            getattr(config, "disk", ""),
            f"the configuration does not render: {exc}",
            "fix the answers and run again",
        ) from exc


def find_payload(payload: str | None, machine: object | None, dry_run: bool) -> Payload | None:
    """The OS image: the one given, else the install media's; None only in a dry run."""
    if payload is None:
        if machine is None:
            if dry_run:
                return None
            raise CheckError("", "no OS image given", "pass --image PAYLOAD")
        from cos_installer.hardware.types import MediaNotReady

        try:
            media = machine.install_media()
        except MediaNotReady as exc:
            if dry_run:
                return None
            raise CheckError(
                "",
                f"CDROM Device Not Ready: {exc}",
                "insert the install medium (a USB stick must be labelled CDROM)",
            ) from exc
        if media.payload is None:
            if dry_run:
                return None
            raise CheckError(media.device, "CDROM Device Not Ready: no OS image on the medium")
        payload = media.payload
    try:
        return inspect_any(payload)
    except PayloadError as exc:
        raise CheckError("", exc.cause, exc.hint) from exc


def check_target(
    backend: Backend,
    config: object,
    payload: Payload | None,
    machine: object | None,
    *,
    role: str = "OS disk",
    sysfs: str = "/sys",
    warn: Callable[[str], None] = lambda _m: None,
    media_files: tuple[str, ...] = (),
    allow_holders: bool = False,
    chosen: object | None = None,
) -> DeviceFacts:
    """Raise CheckError for the first problem found; warn about softer ones.

    media_files: more files the install reads (the OS image, when checking the data disk):
    the disk holding them is the install media. allow_holders: --clear-holders will stop
    them once every check of every disk has passed. chosen: the Disk the operator confirmed
    (the wizard's probe): the target must still have its size, serial and by-id name."""
    facts = backend.facts()
    _check_shape_and_size(backend, facts, payload, machine, role, allow_holders, chosen)
    if facts.real:
        _check_use(backend, facts, config, payload, machine, role, sysfs, warn, media_files,
                   allow_holders)  # fmt: skip
    return facts


def _check_shape_and_size(
    backend: Backend,
    facts: DeviceFacts,
    payload: Payload | None,
    machine: object | None,
    role: str,
    allow_holders: bool,
    chosen: object | None,
) -> None:
    """A whole, writable disk, still the one shown, not the install media, big enough."""
    dev = backend.describe()

    if not facts.whole_disk:
        raise CheckError(
            dev,
            f"{backend.device} is a partition, not a whole disk",
            f"choose the whole disk {facts.parent}",
        )
    if facts.read_only:
        raise CheckError(dev, f"{backend.device} is read-only", "choose a writable disk")
    if chosen is not None:
        _is_chosen(backend, facts, chosen)
    disk = machine.disk(backend.device) if machine is not None else None
    if disk is not None:
        if disk.is_install_media:
            raise CheckError(dev, f"{backend.device} is the install media", "choose another disk")
        _is_chosen(backend, facts, disk)
        busy = disk.mounted if allow_holders else disk.in_use
        if not facts.real and busy:
            raise CheckError(dev, f"{backend.device} is in use: {'; '.join(busy)}")
    size = facts.size if facts.size is not None else (disk.size if disk else None)
    if payload is not None and size is not None:
        need = payload.content_size or 0
        if need > size:
            raise CheckError(
                dev,
                f"the disk is too small (ENOSPC): {payload.name} needs {human_size(need)}, "
                f"{backend.device} has {human_size(size)}",
                "choose a bigger disk",
                errno.ENOSPC,
            )
    if role == "data disk" and size is not None and size < XFS_MIN_BYTES:
        raise CheckError(
            dev,
            f"the data disk is too small: {backend.device} has {human_size(size)}, XFS needs "
            f"{human_size(XFS_MIN_BYTES)}",
            "choose a bigger data disk",
            errno.ENOSPC,
        )


def _check_use(
    backend: Backend,
    facts: DeviceFacts,
    config: object,
    payload: Payload | None,
    machine: object | None,
    role: str,
    sysfs: str,
    warn: Callable[[str], None],
    media_files: tuple[str, ...],
    allow_holders: bool,
) -> None:
    """On a real disk: the one the config names, not holding what the install reads, and
    used by nothing (mounts, RAID/LVM, another name of the same storage); warnings for the
    softer cases."""
    dev = backend.describe()
    chosen = getattr(config, "disk", "") if role == "OS disk" else ""
    if chosen and os.path.exists(chosen):
        mine = {os.path.realpath(backend.target), os.path.realpath(backend.device)}
        if os.path.realpath(chosen) not in mine:
            raise CheckError(
                dev,
                f"the configuration chose {chosen}, but the target is {backend.target}",
                "name the same disk in both places",
            )
    smap = StorageMap(f"{sysfs}/class/block")
    mine = smap.device(os.path.basename(os.path.realpath(backend.device))).extents
    reads = [LIVE_MEDIUM, *media_files]
    if payload is not None:
        reads += [payload.path, payload.sha256_file]
    if _holds_media(smap, mine, machine, reads, sysfs):
        raise CheckError(
            dev,
            f"{backend.device} is the install media (the OS image is read from it)",
            "choose another disk",
        )
    _not_backed_by(backend, mine, reads[1:])
    if facts.mounts:
        raise CheckError(
            dev,
            f"{backend.device} is in use: {'; '.join(facts.mounts)}",
            "unmount it (swapoff for swap) and run again",
            errno.EBUSY,
        )
    if facts.holders and not allow_holders:
        cmds = holder_clear_text(list(facts.holders))
        raise CheckError(
            dev,
            f"{backend.device} is in use: {'; '.join(str(h) for h in facts.holders)} "
            "(leftover RAID/LVM metadata makes the partition table re-read fail)",
            f"stop them ({cmds}) or run again with --clear-holders",
            errno.EBUSY,
        )
    if facts.alias_holders:
        raise CheckError(
            dev,
            f"{backend.device} is in use under another name: {'; '.join(facts.alias_holders)}",
            "stop them (--clear-holders stops only what sits on the disk itself) and detach "
            "the other name (losetup -d), then run again",
            errno.EBUSY,
        )
    if facts.aliases:
        warn(
            f"the same storage is also {'; '.join(facts.aliases)}: it is overwritten too; "
            "detach it (losetup -d) and do not use it until the install has finished"
        )
    if facts.openers:
        warn(f"open by other programs: {', '.join(facts.openers)}")


def _holds_media(
    smap: StorageMap, mine: tuple, machine: object | None, reads: list[str], sysfs: str
) -> bool:
    """The target shares storage with the install media, or with the filesystem a file the
    install reads lives on (whatever name either goes by)."""
    devices = []
    if machine is not None:
        try:
            media_dev = machine.install_media().device
            if media_dev and os.path.exists(media_dev) and stat.S_ISBLK(os.stat(media_dev).st_mode):
                devices.append(blockdev.kernel_name(media_dev, sysfs))
        except Exception:  # no media known: nothing to protect
            pass
    for path in reads:
        try:
            num = os.stat(path).st_dev
        except OSError:
            continue
        found = smap.by_devnum(os.major(num), os.minor(num))  # None: tmpfs, overlay, ...
        devices += [found] if found else []
    return any(overlap(smap.device(name).extents, mine) for name in devices)


def _not_backed_by(backend: Backend, mine: tuple, files: list[str]) -> None:
    """A loop device (an image-file target) must not be backed by a file the install reads:
    writing it would destroy the OS image while it is read."""
    for path in files:
        extent = file_extent(path)
        if extent is not None and overlap((extent,), mine):
            raise CheckError(
                backend.describe(),
                f"{backend.device} is backed by {path}, which the install reads",
                "choose another image file or disk",
            )


def describe_target(backend: Backend, facts: DeviceFacts, machine: object | None) -> str:
    """Name the disk about to be erased the way the operator chose it: size, model, serial."""
    disk = machine.disk(backend.device) if machine is not None else None
    size = facts.size if facts.size is not None else (disk.size if disk else None)
    parts = [human_size(size)] if size is not None else []
    parts += [disk.model] if disk is not None and disk.model else []
    serial = facts.serial or (disk.serial if disk else "")
    parts += [f"serial {serial}"] if serial else []
    by_id = facts.by_id[0] if facts.by_id else (disk.by_id if disk else None)
    parts += [by_id] if by_id else []
    return f"target {backend.describe()}" + (f": {', '.join(parts)}" if parts else "")


def _is_chosen(backend: Backend, facts: DeviceFacts, disk: object) -> None:
    """The device still is the disk that was chosen: same size, serial and by-id name."""
    if not facts.real:
        return
    dev, renamed = backend.describe(), "disks were renamed; start again and choose the disk"
    if disk.size != facts.size:
        raise CheckError(
            dev,
            f"{backend.device} is not the disk chosen: it has {human_size(facts.size or 0)}, "
            f"the chosen one {human_size(disk.size)}",
            renamed,
        )
    if disk.serial and facts.serial and disk.serial != facts.serial:  # udev may know more
        raise CheckError(
            dev,
            f"{backend.device} is not the disk chosen: serial {facts.serial}, "
            f"expected {disk.serial}",
            renamed,
        )
    if disk.by_id and os.path.realpath(disk.by_id) != os.path.realpath(backend.device):
        raise CheckError(
            dev,
            f"{backend.device} is not the disk chosen: {disk.by_id} is "
            f"{os.path.realpath(disk.by_id) if os.path.exists(disk.by_id) else 'gone'}",
            renamed,
        )

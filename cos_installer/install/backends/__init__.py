"""Targets behind one protocol: a block device, an image file (via a loop device), a dry run."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable

from cos_installer.hardware.storage import StorageMap, overlap
from cos_installer.install.backends.base import Backend, BackendError, DeviceFacts, FileSpec, Reread
from cos_installer.install.backends.block import BlockDeviceBackend, DeviceIO
from cos_installer.install.backends.dryrun import DryRunBackend
from cos_installer.install.backends.image import ImageFileBackend, check_image_file, create_sparse

__all__ = [
    "Backend",
    "BackendError",
    "BlockDeviceBackend",
    "DeviceFacts",
    "DeviceIO",
    "DryRunBackend",
    "FileSpec",
    "ImageFileBackend",
    "Reread",
    "open_backend",
    "open_data_disk",
    "same_storage",
]


def open_backend(
    target: str,
    *,
    dry_run: bool = False,
    create_size: int | None = None,
    image_file: bool = False,
    force: bool = False,
) -> Backend:
    """The backend for a target path: a block device, or, with dry_run, a recorder that
    touches nothing. An image file only with `image_file` (the install command's explicit
    --target FILE): created sparse at `create_size` when absent, and an existing one only
    written when it is empty or a disk image, or with `force` (check_image_file)."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        if dry_run:  # a machine profile's disks exist only in the profile
            return DryRunBackend(target, create_size=create_size if image_file else None)
        if not image_file:
            raise BackendError(*NO_SUCH_DISK(target)) from None
        if not create_size:
            raise BackendError(
                f"{target} does not exist",
                "name a disk (/dev/sdX) or give --size to create an image file",
            ) from None
        parent = os.path.dirname(os.path.abspath(target))
        if not os.path.isdir(parent):
            raise BackendError(f"{parent} is not a directory", "create it first") from None
        create_sparse(target, create_size)
        return ImageFileBackend(target)
    except OSError as exc:
        if dry_run:
            return DryRunBackend(target, create_size=create_size)
        raise BackendError(f"cannot use {target}: {exc.strerror}") from exc
    if stat.S_ISREG(st.st_mode) and image_file:
        check_image_file(target, force=force)
    elif not stat.S_ISBLK(st.st_mode):
        raise BackendError(*not_a_disk(target, image_file))
    if dry_run:
        return DryRunBackend(target, create_size=create_size)
    return BlockDeviceBackend(target) if stat.S_ISBLK(st.st_mode) else ImageFileBackend(target)


def NO_SUCH_DISK(target: str) -> tuple[str, str]:  # noqa: N802 - a message, used like a constant
    return f"{target} does not exist", "name a disk that is attached (ls -l /dev/disk/by-id)"


def not_a_disk(target: str, image_file: bool = True) -> tuple[str, str]:
    if image_file or not os.path.isfile(target):
        return (
            f"{target} is neither a block device nor a regular file",
            "name a whole disk such as /dev/sda, or an image file",
        )
    return (
        f"{target} is a regular file, not a block device",
        "name a whole disk such as /dev/sda; an image file is written only when named with "
        "install --target FILE",
    )


def open_data_disk(path: str, os_disk: Backend, opened: Callable[[Backend], None]) -> Backend:
    """The data disk's backend (`opened` gets it at once, to close it whatever happens);
    refused when it is the OS disk under another name."""
    try:
        data = open_backend(path, dry_run=os_disk.dry_run)
    except BackendError as exc:  # its hint would speak of --target and --size
        raise BackendError(
            f"data disk: {exc.cause}",
            "fix data_disk in the answers, or attach that disk",
            device=path,
        ) from exc
    opened(data)
    if same_storage(data, os_disk):
        same = f"{path} is {os_disk.describe()}"
        raise BackendError(
            f"the data disk is the OS disk ({same})", "choose another", device=data.describe()
        )
    return data


def same_storage(a: Backend, b: Backend) -> bool:
    """The same disk under two names, or two names for overlapping storage: a symlink, two
    loop devices over one image file, a loop device over the disk or one of its partitions."""
    if a.dry_run or b.dry_run:
        return os.path.realpath(a.target) == os.path.realpath(b.target)
    smap = StorageMap(f"{getattr(a, 'sysfs', '/sys')}/class/block")
    return overlap(smap.device(a.name).extents, smap.device(b.name).extents)

"""Targets behind one protocol: a block device, an image file (via a loop device), a dry run."""

from __future__ import annotations

import os
import stat

from cos_installer.backends.base import Backend, BackendError, DeviceFacts, FileSpec, Reread
from cos_installer.backends.block import BlockDeviceBackend, DeviceIO
from cos_installer.backends.dryrun import DryRunBackend
from cos_installer.backends.image import ImageFileBackend, create_sparse

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
]


def open_backend(target: str, *, dry_run: bool = False, create_size: int | None = None) -> Backend:
    """The backend for a target path: a block device, an image file (created sparse at
    `create_size` when absent) or, with dry_run, a recorder that touches nothing."""
    if dry_run:
        if os.path.exists(target) and not _disk_or_file(target):
            raise BackendError(*NOT_A_DISK(target))
        return DryRunBackend(target, create_size=create_size)
    try:
        st = os.stat(target)
    except FileNotFoundError:
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
        raise BackendError(f"cannot use {target}: {exc.strerror}") from exc
    if stat.S_ISBLK(st.st_mode):
        return BlockDeviceBackend(target)
    if stat.S_ISREG(st.st_mode):
        return ImageFileBackend(target)
    raise BackendError(*NOT_A_DISK(target))


def NOT_A_DISK(target: str) -> tuple[str, str]:  # noqa: N802 - a message, used like a constant
    return (
        f"{target} is neither a block device nor a regular file",
        "name a whole disk such as /dev/sda, or an image file",
    )


def _disk_or_file(target: str) -> bool:
    mode = os.stat(target).st_mode
    return stat.S_ISBLK(mode) or stat.S_ISREG(mode)

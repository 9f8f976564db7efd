"""Why the kernel did not take a disk's new partition table, said the way an operator can act
on: a device without partition support (EINVAL), or partitions someone holds open (EBUSY)."""

from __future__ import annotations

import errno

from cos_installer.install.backends.base import BackendError


def kernel_kept_old_table(device: str, err: OSError | None, busy: list[str]) -> BackendError:
    """`busy`: what holds the disk's partitions open (devusage.openers), named in the cause."""

    hint = "close what holds the disk, or reboot and install again"
    if err is not None and err.errno == errno.EINVAL:
        return BackendError(
            f"the kernel cannot re-read partitions on {device} (EINVAL: the device "
            "does not support partitions; a loop device needs losetup --partscan)",
            "attach the disk with partition support, or reboot and install again",
            err.errno,
        )
    held = f": {', '.join(busy)} held open" if busy else ": a partition is in use"
    return BackendError(
        f"the kernel keeps the old partition table of {device} (EBUSY{held})",
        hint,
        errno.EBUSY,
    )

"""The OS disk's partition table, kept in memory until the install is complete.

The wipe zeroes both GPT headers of the old install; the write stage holds back the image's
first and last MiB (stream.Held: protective MBR, primary GPT, boot code, backup GPT). The
config stage reaches ROOT through partitions registered with the kernel from that table
(BLKPG), and the table is written, synced and re-read last. A hard kill (power loss, SIGKILL)
at any point before that leaves a disk with no valid partition table: it neither boots half
installed nor looks like the old install.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable

from cos_installer.install import blkpg, blockdev
from cos_installer.install.backends.base import BackendError
from cos_installer.install.stream import Held

Log = Callable[[str], None]
STATE_HELD = (
    "the partition table is held in memory until the install is complete: until then "
    "{device} carries none (an install stopped now leaves a disk that is neither bootable "
    "nor the old install)"
)
STATE_DONE = "{device} carries its partition table: the install is complete"


def register(device: str, name: str, table: list[blockdev.TablePart], sysfs: str, log: Log) -> list:
    """Drop the kernel's old partitions of the disk and register `table` (BLKPG); returns the
    kernel's partitions. OSError (errno set) when the kernel keeps an old one or refuses."""
    err = blockdev.reread_ioctl(device)  # the disk has no table now: the old partitions go
    if err is not None:
        log(f"BLKRRPART on {device}: {err.strerror}")
    for part in blockdev.kernel_partitions(name, sysfs):
        try:
            blkpg.delete_partition(device, part.number)
        except OSError as exc:
            log(f"BLKPG delete {part.name}: {exc.strerror}")
    if blockdev.kernel_partitions(name, sysfs):
        raise err or OSError(errno.EBUSY, os.strerror(errno.EBUSY))
    for part in table:
        log(f"BLKPG add partition {part.number} of {device}: {part.start} +{part.size} sectors")
        blkpg.add_partition(device, part.number, part.start * 512, part.size * 512)
    blockdev.settle(log=log)
    return blockdev.kernel_partitions(name, sysfs)


def write_held(device: str, held: Held) -> None:
    """The image's last MiB (its backup GPT) first, then the first MiB, each synced."""
    fd = os.open(device, os.O_WRONLY | os.O_CLOEXEC)
    try:
        for data, offset in ((held.tail, held.tail_offset), (held.head, 0)):
            done = 0
            while done < len(data):
                done += os.pwrite(fd, data[done:], offset + done)
            os.fsync(fd)
    finally:
        os.close(fd)


def commit(device: str, name: str, held: Held, image_size: int, sysfs: str, log: Log) -> None:
    """Write the held table; move the backup GPT to the end of a bigger disk (as sfdisk
    does); re-read it, or keep the partitions registered when they are the same."""
    write_held(device, held)
    if blockdev.device_size(device) > image_size:
        log(f"move the backup GPT of {device} to the end of the disk")
        blockdev.run(["sfdisk", "--relocate", "gpt-bak-std", device], log=log, check=False)
    table = blockdev.read_table(device, log=log)
    if not table:
        raise BackendError(
            f"the partition table written to {device} cannot be read back",
            "check the disk and the kernel log (dmesg)",
        )
    err = blockdev.reread_ioctl(device)
    if err is not None:
        log(f"BLKRRPART on {device}: {err.strerror} (the partitions registered stay)")
    blockdev.settle(log=log)
    if not blockdev.table_matches(table, blockdev.kernel_partitions(name, sysfs)):
        blockdev.run(["partx", "-u", device], log=log, check=False)
        if not blockdev.table_matches(table, blockdev.kernel_partitions(name, sysfs)):
            raise BackendError(
                f"the kernel does not show the partitions written to {device}",
                "reboot: the disk is installed and its table is on it",
            )

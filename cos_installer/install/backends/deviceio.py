"""The backend's file layer: the one place the image's bytes are written to the disk.

Fault tests subclass it to inject I/O errors at a chosen offset (the host has no dm-flakey).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time

from cos_installer.hardware.sysfs import read_attr
from cos_installer.hardware.types import human_size
from cos_installer.install import blockdev
from cos_installer.install.stream import WriteFailed

FULL_BELOW = 1 << 20  # a filesystem with less free space than this counts as full


class DeviceIO:
    """The backend's file layer: every byte of the image goes through `pwrite` here.

    O_EXCL keeps others from claiming the disk while it is written (mounts fail), O_DIRECT
    avoids filling the page cache with a whole OS image. Writes whose size is not a multiple
    of the logical block size go through a second, buffered descriptor. An exclusive BSD
    lock tells udev not to probe the half-written disk (systemd's block device locking)."""

    def __init__(self, device: str, name: str, sysfs: str = "/sys") -> None:
        self.device, self.name, self.sysfs = device, name, sysfs
        flags = os.O_WRONLY | os.O_EXCL | os.O_CLOEXEC
        self.fd = os.open(device, flags | os.O_DIRECT)
        self.fd_buffered = os.open(device, flags & ~os.O_EXCL)
        self.block = blockdev.logical_block_size(self.fd)
        self.autoclear = self._loop_flag("autoclear")
        for _ in range(20):  # udev holds a shared lock for a moment while it probes
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                time.sleep(0.1)

    def _loop_flag(self, leaf: str) -> str | None:
        path = f"{self.sysfs}/block/{self.name}/loop/{leaf}"
        return read_attr(path) if os.path.exists(f"{self.sysfs}/block/{self.name}") else None

    def pwrite(self, data: memoryview, offset: int) -> None:
        fd = self.fd if len(data) % self.block == 0 and offset % self.block == 0 else None
        if fd is None:
            os.fsync(self.fd)
            fd = self.fd_buffered
        done = 0
        while done < len(data):
            n = os.pwrite(fd, data[done:], offset + done)
            if n == 0:
                raise OSError(errno.ENOSPC, "no space left on the device")
            done += n

    def fsync(self) -> None:
        os.fsync(self.fd_buffered)
        os.fsync(self.fd)

    def check(self) -> None:
        if not os.path.exists(f"{self.sysfs}/block/{self.name}"):
            raise OSError(errno.ENODEV, "the device disappeared")
        if self.autoclear is not None and self._loop_flag("autoclear") != self.autoclear:
            raise OSError(errno.ENXIO, "the loop device was detached")

    def close(self) -> None:
        for fd in (self.fd, self.fd_buffered):
            with contextlib.suppress(OSError):
                os.close(fd)


def full_backing_store(exc: OSError, device: str, name: str, sysfs: str = "/sys") -> str | None:
    """Why a write below the disk's size failed, when the storage behind the disk is full:
    ENOSPC from a disk that still has room is a thin-provisioned disk (a sparse file, a thin
    pool, a datastore) whose backing store ran out; EIO counts too when the loop device's
    backing file is on a full filesystem (buffered writes report that). None otherwise."""
    if not isinstance(exc, WriteFailed) or exc.errno not in (errno.ENOSPC, errno.EIO):
        return None
    where = "" if exc.offset is None else f" at byte {exc.offset}"
    backing = blockdev.loop_backing(name, sysfs)
    free = None
    if backing:
        with contextlib.suppress(OSError):
            st = os.statvfs(backing)
            free = st.f_bavail * st.f_frsize
    if exc.errno == errno.EIO and (free is None or free >= FULL_BELOW):
        return None
    behind = (
        f"its backing file {backing} ({human_size(free)} free there)"
        if backing
        else ("its backing store (a thin pool or a datastore)")
    )
    return (
        f"the storage behind {device} is full: a write{where}, below the disk's size, failed "
        f"({os.strerror(exc.errno)}); {device} is thin provisioned and {behind} ran out of space"
    )

"""Tell the kernel about partitions that are not (yet) on the disk: the BLKPG ioctl.

The install keeps the partition table in memory until the end (stream.Held), so the config
stage reaches ROOT through partitions registered from that table (linux/blkpg.h). Works on
any disk that supports partitions: SATA/SAS/NVMe/virtio, and loop devices with partscan.
"""

from __future__ import annotations

import ctypes
import fcntl
import os

BLKPG = 0x1269
ADD_PARTITION = 1
DEL_PARTITION = 2


class _Partition(ctypes.Structure):  # struct blkpg_partition
    _fields_ = [
        ("start", ctypes.c_longlong),  # bytes
        ("length", ctypes.c_longlong),
        ("pno", ctypes.c_int),
        ("devname", ctypes.c_char * 64),
        ("volname", ctypes.c_char * 64),
    ]


class _Arg(ctypes.Structure):  # struct blkpg_ioctl_arg
    _fields_ = [
        ("op", ctypes.c_int),
        ("flags", ctypes.c_int),
        ("datalen", ctypes.c_int),
        ("data", ctypes.c_void_p),
    ]


def _call(device: str, op: int, number: int, start: int = 0, length: int = 0) -> None:
    part = _Partition(start, length, number, b"", b"")
    arg = _Arg(op, 0, ctypes.sizeof(part), ctypes.cast(ctypes.pointer(part), ctypes.c_void_p))
    fd = os.open(device, os.O_RDONLY | os.O_CLOEXEC)
    try:
        fcntl.ioctl(fd, BLKPG, arg)
    finally:
        os.close(fd)


def add_partition(device: str, number: int, start: int, length: int) -> None:
    """Register partition `number` (start and length in bytes); OSError from the kernel."""
    _call(device, ADD_PARTITION, number, start, length)


def delete_partition(device: str, number: int) -> None:
    """Drop partition `number` from the kernel's view (EBUSY while it is open)."""
    _call(device, DEL_PARTITION, number)

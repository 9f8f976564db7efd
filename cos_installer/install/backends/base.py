"""The one small protocol every target implements: a real disk, an image file, a dry run.

The install pipeline (install.pipeline) decides *what* happens and reports it; a backend
does it to one whole disk. Every action a backend takes is also appended to `plan` as a
sentence an operator can read, so a dry run and the log of a real run read the same way.
"""

from __future__ import annotations

import errno as errno_
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from cos_installer.hardware.holders import Holder
from cos_installer.install.blockdev import TablePart
from cos_installer.install.payload import Payload
from cos_installer.install.stream import Progress


class BackendError(Exception):
    """A device operation failed: the cause (with errno when there is one) and the next step."""

    def __init__(
        self, cause: str, hint: str = "", errno: int | None = None, device: str = ""
    ) -> None:
        super().__init__(cause)
        self.cause, self.hint, self.errno = cause, hint, errno
        self.device = device  # when it is not the stage's own device (the data disk)


# What to do next about an errno from a device operation (the stage names the device).
ERRNO_HINTS = {
    errno_.EACCES: "run the installer as root",
    errno_.EPERM: "run the installer as root",
    errno_.EROFS: "the disk is read-only (a write-protect switch?); choose a writable disk",
    errno_.EBUSY: "something else uses the disk: unmount it or stop what holds it, then retry",
    errno_.ENOSPC: "choose a bigger disk",
    errno_.ENODEV: "the disk went away: check its cable or slot and start again",
    errno_.ENXIO: "the disk went away: check its cable or slot and start again",
}


@dataclass(frozen=True)
class DeviceFacts:
    """What preflight checks on the target, read directly from the kernel (or a profile)."""

    device: str  # the whole-disk node written to (/dev/sda, /dev/loop3)
    size: int | None  # bytes; None when unknown (dry run of an absent device)
    whole_disk: bool = True
    parent: str = ""  # the disk a partition belongs to, when whole_disk is False
    read_only: bool = False
    serial: str = ""
    by_id: tuple[str, ...] = ()
    mounts: tuple[str, ...] = ()  # "/dev/sda2 is mounted on /boot", "/dev/sda3 is active swap"
    holders: tuple[Holder, ...] = ()
    openers: tuple[str, ...] = ()  # "/dev/sda5 (pid 42, python3)" - a warning, not a blocker
    # The same storage under other names (cos_installer.hardware.storage): md/dm on them block the
    # install (--clear-holders stops only the disk's own stack; their mounts are in
    # `mounts`); the idle ones are named in a warning.
    alias_holders: tuple[str, ...] = ()  # "/dev/loop7 (...) is held by LVM /dev/mapper/x"
    aliases: tuple[str, ...] = ()  # "/dev/loop7 (another name for /dev/loop3: the same ...)"
    real: bool = True  # False: facts of a dry run, nothing was probed


@dataclass(frozen=True)
class FileSpec:
    """A file to create inside the installed root filesystem."""

    path: str  # absolute path inside the target root
    data: bytes = field(repr=False)
    mode: int = 0o600
    dir_mode: int = 0o700
    describe: str = ""  # what the plan says instead of the content (never secrets)


@dataclass(frozen=True)
class Reread:
    table: tuple[TablePart, ...]
    nodes: dict[int, str]  # partition number -> /dev node
    how: str  # "kernel" (BLKRRPART) or "partx" (registered from user space)


ProgressFn = Callable[[Progress], None]


@runtime_checkable
class Backend(Protocol):
    target: str  # what the user named: /dev/sda, /srv/vm/disk.img
    device: str  # the whole-disk block device used (the loop device of an image file)
    dry_run: bool
    plan: list[str]

    def describe(self) -> str:
        """'/dev/sda' or '/dev/loop3 (image file /srv/vm/disk.img)', for messages."""
        ...

    def facts(self) -> DeviceFacts: ...

    def clear_holders(self, holders: list[Holder]) -> None:
        """Stop leftover RAID/LVM stacked on the disk (its metadata goes with the wipe)."""
        ...

    def wipe(self) -> None:
        """Erase signatures at the start and end of the disk and of its old partitions."""
        ...

    def write_image(
        self,
        payload: Payload | None,
        *,
        cancel: threading.Event | None = None,
        on_progress: ProgressFn | None = None,
    ) -> int:
        """Stream, verify and fsync the image; returns the bytes written."""
        ...

    def reread(self) -> Reread:
        """Make the kernel show the new partitions: the OS disk's from the partition table
        held in memory (BLKPG), the data disk's from the disk (BLKRRPART, partx)."""
        ...

    def commit(self) -> None:
        """The install's last step: write the held partition table, sync, re-read it."""
        ...

    def write_files(self, node: str, files: list[FileSpec], fstype: str = "ext4") -> None:
        """Mount the partition privately, write the files, unmount with retries."""
        ...

    def make_data_disk(self, label: str) -> str:
        """One GPT partition with XFS labelled `label`; returns the partition node."""
        ...

    def reset(self) -> None:
        """After a failure: leave no half-valid disk (no partition table, no signatures)."""
        ...

    def close(self) -> None: ...

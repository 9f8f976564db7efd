"""A real whole-disk block device (/dev/sda, /dev/nvme0n1, /dev/loop3)."""

from __future__ import annotations

import errno
import os
import threading

from cos_installer.hardware.holders import Holder, holder_clear_commands
from cos_installer.hardware.sysfs import read_attr
from cos_installer.hardware.types import human_size
from cos_installer.install import blockdev, devusage, gpt
from cos_installer.install.backends import heldtable
from cos_installer.install.backends.base import (
    BackendError,
    DeviceFacts,
    FileSpec,
    ProgressFn,
    Reread,
)
from cos_installer.install.backends.deviceio import DeviceIO, full_backing_store
from cos_installer.install.backends.facts import disk_facts
from cos_installer.install.backends.files import write_files
from cos_installer.install.backends.rereadfail import kernel_kept_old_table
from cos_installer.install.payload import Payload
from cos_installer.install.stream import Held, copy_payload

MIB = 1 << 20


class BlockDeviceBackend:
    dry_run = False

    def __init__(self, device: str, *, sysfs: str = "/sys", io_factory: type = DeviceIO) -> None:
        self.target = device  # as named (may be a /dev/disk/by-id link)
        self.sysfs = sysfs
        self.io_factory = io_factory
        self.plan: list[str] = []
        self.log_lines: list[str] = []  # commands and their errors, for the install log
        self.name = blockdev.kernel_name(device, sysfs)
        self.device = f"/dev/{self.name}"
        self.identity = self._identity()
        self._written = 0
        self.changed = False  # True from the first byte erased: only then is a reset due
        self.cleared: list[str] = []  # --clear-holders commands that ran
        self._held: Held | None = None  # the image's partition table, until commit()

    def _identity(self) -> tuple[str, str]:
        """diskseq grows each time a disk (or loop device) is attached: a reused name differs."""
        base = f"{self.sysfs}/class/block/{self.name}"
        return read_attr(f"{base}/diskseq"), blockdev.serial_of(self.name, self.sysfs)

    def _same_disk(self) -> None:
        """Refuse to touch a device that is no longer the disk preflight checked."""
        if not os.path.exists(self.device) or self._identity() != self.identity:
            raise BackendError(
                f"{self.device} is no longer the disk that was checked (detached or replaced)",
                "check the disk and start again",
            )

    def log(self, line: str) -> None:
        self.log_lines.append(line)

    def describe(self) -> str:
        return self.device

    def _did(self, line: str) -> None:
        self.plan.append(line)
        self.log(line)

    def facts(self) -> DeviceFacts:
        return disk_facts(self.name, self.sysfs)

    def clear_holders(self, holders: list[Holder]) -> None:
        """Run the stop commands in order; `cleared` keeps what already ran, so a failure
        halfway is reported as such, not as "no disk was changed"."""
        for argv in holder_clear_commands(holders):
            self._did("stop " + " ".join(argv))
            try:
                blockdev.run(argv, log=self.log)
            except blockdev.CommandError as exc:
                left = "cat /proc/mdstat and dmsetup ls show what is still active"
                hint = f"stop the rest by hand ({left}) and run again"
                raise BackendError(str(exc), hint) from exc
            self.cleared.append(" ".join(argv))

    def _zero(self, fd: int, start: int, length: int, size: int) -> None:
        start, end = max(0, start), min(size, start + length)
        if end > start:
            os.pwrite(fd, bytes(end - start), start)

    def wipe(self) -> None:
        """wipefs the disk, then zero the first and last MiB of it and of each old partition."""
        self._same_disk()
        size = blockdev.device_size(self.device)
        old = blockdev.read_table(self.device, log=self.log) or []
        self._did(
            f"wipe signatures on {self.device} (start and end)"
            + (f" and on its {len(old)} old partitions" if old else "")
        )
        fd = self._open_exclusive()  # held while wipefs runs: nothing can mount it meanwhile
        self.changed = True
        try:
            blockdev.run(["wipefs", "--all", "--force", self.device], log=self.log, check=False)
            for p in old:
                start, end = p.start * 512, (p.start + p.size) * 512
                self._zero(fd, start, MIB, size)
                self._zero(fd, end - MIB, MIB, size)
            self._zero(fd, 0, MIB, size)
            self._zero(fd, size - MIB, MIB, size)
            os.fsync(fd)
        finally:
            os.close(fd)

    def _open_exclusive(self) -> int:
        """O_EXCL fails (EBUSY) while the disk or a partition is mounted or claimed: the last
        word on what preflight checked, taken just before the first byte is erased."""
        try:
            return os.open(self.device, os.O_WRONLY | os.O_EXCL | os.O_CLOEXEC)
        except OSError as exc:
            if exc.errno != errno.EBUSY:
                raise
            raise BackendError(
                f"{self.device} is in use (EBUSY): it or one of its partitions was mounted "
                "or claimed after the checks",
                "unmount it (or stop what uses it) and run again",
                errno.EBUSY,
            ) from exc

    def write_image(
        self,
        payload: Payload | None,
        *,
        cancel: threading.Event | None = None,
        on_progress: ProgressFn | None = None,
    ) -> int:
        if payload is None:
            raise BackendError("no OS image given", "pass --image or insert the install media")
        self._did(
            f"write {payload.name} ({payload.compression}, {payload.stored_size} bytes) "
            f"to {self.device}, verifying sha256 from {os.path.basename(payload.sha256_file)}"
        )
        self._same_disk()
        try:
            io = self.io_factory(self.device, self.name, self.sysfs)
        except OSError as exc:
            hint = "something else uses the disk" if exc.errno == errno.EBUSY else ""
            raise BackendError(
                f"cannot open {self.device}: {exc.strerror}", hint, exc.errno
            ) from exc
        try:
            self._written = payload.content_size or payload.stored_size
            capacity = blockdev.device_size(self.device)
            held = Held()
            self._written = copy_payload(
                payload, io, capacity=capacity, cancel=cancel, on_progress=on_progress, hold=held
            )
            self._held = held
            self.log(heldtable.STATE_HELD.format(device=self.device))
            return self._written
        except OSError as exc:
            thin = full_backing_store(exc, self.device, self.name, self.sysfs)
            if thin is not None:
                hint = "free space on the backing store (or grow the thin pool), then retry"
                raise BackendError(thin, hint, errno.ENOSPC) from exc
            if exc.errno != errno.ENOSPC:
                raise
            raise BackendError(
                f"the disk is too small (ENOSPC): the image is larger than {self.device} "
                f"({human_size(capacity)})",
                "choose a bigger disk",
                errno.ENOSPC,
            ) from exc
        finally:
            io.close()

    def reread(self) -> Reread:
        """The OS disk: register the held table's partitions (BLKPG). The data disk, or an
        image without a GPT (its table is then written now): re-read the table on the disk."""
        self._same_disk()
        if self._held is not None:
            table = gpt.partitions(self._held.head)
            if table is not None:
                return self._register_held(table)
            self._did(f"write the image's partition table (not a GPT) to {self.device} now")
            heldtable.write_held(self.device, self._held)
            self._held = None
        size = blockdev.device_size(self.device)
        table = blockdev.read_table(self.device, log=self.log)
        if not table:
            raise BackendError(f"no partition table on {self.device} after writing the image")
        if self._written and size > self._written:
            self._did(f"move the backup GPT of {self.device} to the end of the disk")
            blockdev.run(
                ["sfdisk", "--relocate", "gpt-bak-std", self.device], log=self.log, check=False
            )
        self._did(f"re-read the partition table of {self.device}")
        err = blockdev.reread_ioctl(self.device)
        if err is not None:
            self.log(f"BLKRRPART on {self.device}: {err.strerror}")
        blockdev.settle(log=self.log)
        kernel = blockdev.kernel_partitions(self.name, self.sysfs)
        how = "kernel"
        if not blockdev.table_matches(table, kernel):
            how = "partx"
            self._did(f"register the {len(table)} partitions of {self.device} with the kernel")
            flag = "-u" if kernel else "-a"
            blockdev.run(["partx", flag, self.device], log=self.log, check=False)
            blockdev.settle(log=self.log)
            kernel = blockdev.kernel_partitions(self.name, self.sysfs)
        if not blockdev.table_matches(table, kernel):
            raise self._kept_old_table(err, kernel)
        return self._nodes(table, kernel, how)

    def _register_held(self, table: list[blockdev.TablePart]) -> Reread:
        self._did(
            f"register the {len(table)} partitions of the image with the kernel (BLKPG) from "
            f"the partition table held in memory; {self.device} carries none yet"
        )
        try:
            kernel = heldtable.register(self.device, self.name, table, self.sysfs, self.log)
        except OSError as exc:
            raise self._kept_old_table(
                exc, blockdev.kernel_partitions(self.name, self.sysfs)
            ) from exc
        if not blockdev.table_matches(table, kernel):
            raise self._kept_old_table(None, kernel)
        return self._nodes(table, kernel, "blkpg")

    def _nodes(self, table: list, kernel: list[blockdev.KernelPart], how: str) -> Reread:
        nodes = {p.number: f"/dev/{p.name}" for p in kernel}
        for node in nodes.values():
            if not blockdev.wait_for_node(node):
                raise BackendError(f"{node} did not appear", "check that udev is running")
        return Reread(tuple(table), nodes, how)

    def commit(self) -> None:
        """Write the partition table held since the write stage: the install's last step."""
        if self._held is None:
            return
        held, self._held = self._held, None
        self._same_disk()
        self._did(f"write the partition table of {self.device} last, sync and re-read it")
        heldtable.commit(self.device, self.name, held, self._written, self.sysfs, self.log)
        self.log(heldtable.STATE_DONE.format(device=self.device))

    def _kept_old_table(self, err: OSError | None, kernel: list) -> BackendError:
        busy = devusage.openers([p.name for p in kernel], self.sysfs)
        return kernel_kept_old_table(self.device, err, busy)

    def write_files(self, node: str, files: list[FileSpec], fstype: str = "ext4") -> None:
        write_files(node, files, fstype, did=self._did, log=self.log)

    def make_data_disk(self, label: str) -> str:
        self.wipe()
        self._did(f"create one GPT partition named {label} on {self.device}")
        script = f"label: gpt\nstart=2048, type=linux, name={label}\n"
        try:
            blockdev.run(
                ["sfdisk", "--quiet", "--wipe", "always", self.device], log=self.log, input=script
            )
        except blockdev.CommandError as exc:
            raise BackendError(f"sfdisk failed on {self.device}: {exc.reason}") from exc
        self._written = 0
        node = self.reread().nodes[1]
        self._did(f"make an XFS filesystem labelled {label} on {node}")
        try:
            blockdev.run(["mkfs.xfs", "-f", "-q", "-L", label, node], log=self.log, timeout=600)
        except blockdev.CommandError as exc:
            raise BackendError(f"mkfs.xfs failed on {node}: {exc.reason}") from exc
        return node

    def reset(self) -> None:
        """Zero both ends of the disk and the end of the image written; drop stale partitions."""
        self._same_disk()
        self._did(f"reset the partition table of {self.device}")
        size = blockdev.device_size(self.device)
        if size == 0:
            raise BackendError(f"{self.device} is gone (size 0); nothing could be reset")
        fd = os.open(self.device, os.O_WRONLY | os.O_CLOEXEC)
        try:
            self._zero(fd, 0, MIB, size)
            self._zero(fd, size - MIB, MIB, size)
            if self._written:
                self._zero(fd, self._written - MIB, MIB, size)
            os.fsync(fd)
        finally:
            os.close(fd)
        if blockdev.reread_ioctl(self.device, tries=1) is not None or blockdev.kernel_partitions(
            self.name, self.sysfs
        ):
            blockdev.run(["partx", "-d", self.device], log=self.log, check=False)

    def close(self) -> None:
        pass

"""A dry run: records, as sentences an operator can read, every action it would take."""

from __future__ import annotations

import os
import stat
import threading

from cos_installer.hardware.holders import Holder, holder_clear_commands
from cos_installer.hardware.types import human_size
from cos_installer.install import blockdev
from cos_installer.install.backends.base import DeviceFacts, FileSpec, ProgressFn, Reread
from cos_installer.install.payload import Payload

MEDIA_PAYLOAD = "cos/cos-image.raw.zst"


class DryRunBackend:
    dry_run = True

    def __init__(self, target: str, *, create_size: int | None = None) -> None:
        self.target = target
        self.device = target
        self.plan: list[str] = []
        self.log_lines: list[str] = []
        self.size: int | None = None
        try:
            st = os.stat(target)
            if stat.S_ISREG(st.st_mode):
                self.size = st.st_size
                self.plan.append(f"attach the image file {target} as a loop device")
        except OSError:
            if create_size:
                self.size = create_size
                self.plan.append(
                    f"create the sparse image file {target} ({human_size(create_size)}) "
                    "and attach it as a loop device"
                )

    def describe(self) -> str:
        return self.target

    def facts(self) -> DeviceFacts:
        """Nothing is probed, except what makes a dry run refuse what the real run refuses:
        a partition, a read-only disk, a disk too small."""
        try:
            if not stat.S_ISBLK(os.stat(self.target).st_mode):
                raise OSError("not a block device")
            name = blockdev.kernel_name(self.target)
            whole = not blockdev.is_partition(name)
            return DeviceFacts(
                device=self.device,
                size=blockdev.device_size(self.target),
                whole_disk=whole,
                parent="" if whole else "/dev/" + blockdev.parent_disk(name),
                read_only=blockdev.read_only(self.target),
                real=False,
            )
        except OSError:  # absent, or not readable by this user: plan without it
            return DeviceFacts(device=self.device, size=self.size, real=False)

    def clear_holders(self, holders: list[Holder]) -> None:
        for argv in holder_clear_commands(holders):
            self.plan.append("stop " + " ".join(argv))

    def wipe(self) -> None:
        self.plan.append(f"wipe signatures on {self.device} (start and end) and on its partitions")

    def write_image(
        self,
        payload: Payload | None,
        *,
        cancel: threading.Event | None = None,
        on_progress: ProgressFn | None = None,
    ) -> int:
        if payload is None:
            self.plan.append(f"OS image: none given, would use the install media's {MEDIA_PAYLOAD}")
            self.plan.append(f"write it to {self.device}, verifying its sha256, then fsync")
            return 0
        size = human_size(payload.content_size or payload.stored_size)
        self.plan.append(
            f"write {payload.name} ({payload.compression}, {size}) to {self.device}, verify "
            f"sha256 {payload.sha256[:16]}... from {os.path.basename(payload.sha256_file)} "
            "while writing, then fsync; hold back its partition table (first and last MiB)"
        )
        return 0

    def reread(self) -> Reread:
        self.plan.append(
            f"register the image's partitions of {self.device} with the kernel (BLKPG) from "
            "the partition table held in memory"
        )
        return Reread((), {}, "dry-run")

    def commit(self) -> None:
        self.plan.append(f"write the partition table of {self.device} last, sync and re-read it")

    def write_files(self, node: str, files: list[FileSpec], fstype: str = "ext4") -> None:
        self.plan.append(f"mount {node} privately")
        for spec in files:
            what = spec.describe or f"{len(spec.data)} bytes"
            self.plan.append(f"write {spec.path} ({spec.mode:04o}, {what}) on {node}")
        self.plan.append(f"unmount {node}")

    def make_data_disk(self, label: str) -> str:
        self.plan.append(f"wipe signatures on {self.device} (start and end)")
        self.plan.append(f"create one GPT partition named {label} on {self.device}")
        node = f"partition 1 of {self.device}"
        self.plan.append(f"make an XFS filesystem labelled {label} on {node}")
        return node

    def reset(self) -> None:
        self.plan.append(f"reset the partition table of {self.device}")

    def close(self) -> None:
        pass

"""A regular file used as a disk (what QEMU boots): attached as a loop device with partition
scanning, then written by exactly the block-device code path."""

from __future__ import annotations

import errno
import os

from cos_installer.install import blockdev
from cos_installer.install.backends.base import BackendError
from cos_installer.install.backends.block import BlockDeviceBackend, DeviceIO

MBR_SIGNATURE = (510, b"\x55\xaa")
GPT_SIGNATURES = ((512, b"EFI PART"), (4096, b"EFI PART"))  # LBA 1 of 512 and 4096-byte sectors


def check_image_file(path: str, *, force: bool = False) -> None:
    """An existing file is written only when it is empty (no byte written: a new sparse
    file), already a disk image (a partition table at its start), or with --force: a
    database or a backup named by mistake is not erased."""
    if force:
        return
    try:
        with open(path, "rb") as f:
            head = f.read(4096 + 8)
            empty = not head or _holes_only(f.fileno())
    except OSError as exc:
        raise BackendError(f"cannot read {path}: {exc.strerror}") from exc
    if empty or any(
        head[at : at + len(sig)] == sig for at, sig in (MBR_SIGNATURE, *GPT_SIGNATURES)
    ):
        return
    raise BackendError(
        f"{path} is a regular file with data but no partition table at its start (not empty "
        "and not a disk image)",
        "check that this is the image file you mean (an image whose install was cut short "
        "looks like this too: the partition table is written last); run again with --force "
        "to overwrite it",
    )


def _holes_only(fd: int) -> bool:
    """No data anywhere in the file (a sparse file nothing was written to)."""
    try:
        os.lseek(fd, 0, os.SEEK_DATA)
    except OSError as exc:
        return exc.errno == errno.ENXIO
    return False


def create_sparse(path: str, size: int) -> None:
    """A sparse image file of `size` bytes (rounded up to whole MiB)."""
    size = -(-size // (1 << 20)) * (1 << 20)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    try:
        os.ftruncate(fd, size)
    finally:
        os.close(fd)


class ImageFileBackend(BlockDeviceBackend):
    def __init__(self, path: str, *, sysfs: str = "/sys", io_factory: type = DeviceIO) -> None:
        self.image = os.path.abspath(path)
        try:
            proc = blockdev.run(["losetup", "--find", "--show", "--partscan", self.image])
        except blockdev.CommandError as exc:
            raise BackendError(
                f"cannot attach {self.image} as a loop device: {exc.reason}",
                "run as root on a kernel with loop device support",
            ) from exc
        loop = proc.stdout.strip()
        try:
            super().__init__(loop, sysfs=sysfs, io_factory=io_factory)
        except BaseException:
            blockdev.run(["losetup", "--detach", loop], check=False)
            raise
        self.target = self.image
        self.log(f"attached {self.image} as {loop}")

    def describe(self) -> str:
        return f"{self.device} (image file {self.image})"

    def close(self) -> None:
        """Detach the loop device, unless it was detached already and its name now serves
        another image (a parallel build): that one is never touched."""
        if self.device and (
            not os.path.exists(self.device)
            or self._identity() != self.identity
            or blockdev.loop_backing(self.name, self.sysfs) != os.path.realpath(self.image)
        ):
            self.log(f"{self.device} no longer holds {self.image}: left alone")
            self.device = ""
        if self.device:
            blockdev.run(["partx", "-d", self.device], log=self.log, check=False)
            blockdev.run(["losetup", "--detach", self.device], log=self.log, check=False)
            self.log(f"detached {self.device}")
            self.device = ""

    def __enter__(self) -> ImageFileBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

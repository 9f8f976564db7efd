"""A regular file used as a disk (what QEMU boots): attached as a loop device with partition
scanning, then written by exactly the block-device code path."""

from __future__ import annotations

import os

from cos_installer import blockdev as bd
from cos_installer.backends.base import BackendError
from cos_installer.backends.block import BlockDeviceBackend, DeviceIO


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
            proc = bd.run(["losetup", "--find", "--show", "--partscan", self.image])
        except bd.CommandError as exc:
            raise BackendError(
                f"cannot attach {self.image} as a loop device: {exc.reason}",
                "run as root on a kernel with loop device support",
            ) from exc
        loop = proc.stdout.strip()
        try:
            super().__init__(loop, sysfs=sysfs, io_factory=io_factory)
        except BaseException:
            bd.run(["losetup", "--detach", loop], check=False)
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
            or bd.loop_backing(self.name, self.sysfs) != os.path.realpath(self.image)
        ):
            self.log(f"{self.device} no longer holds {self.image}: left alone")
            self.device = ""
        if self.device:
            bd.run(["partx", "-d", self.device], log=self.log, check=False)
            bd.run(["losetup", "--detach", self.device], log=self.log, check=False)
            self.log(f"detached {self.device}")
            self.device = ""

    def __enter__(self) -> ImageFileBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

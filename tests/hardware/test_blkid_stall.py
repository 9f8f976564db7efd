"""A device that stalls when opened (QEMU's empty floppy did on the live ISO) must not hide
the labels of the other devices: the CDROM medium would then be reported missing."""

import os
import subprocess
import time

from cos_installer.hardware.sysfs import blkid_info
from tests.realparts import need_tools


def test_a_stalling_device_loses_only_its_own_answer(tmp_path):
    need_tools("blkid", "mkfs.ext4")
    image = tmp_path / "medium.img"
    image.write_bytes(b"")
    os.truncate(image, 8 << 20)
    subprocess.run(["mkfs.ext4", "-q", "-L", "CDROM", str(image)], check=True)
    stall = tmp_path / "stall"
    os.mkfifo(stall)  # opening a FIFO with no writer blocks, like a drive that never answers

    started = time.monotonic()
    info = blkid_info([str(stall), str(image)], timeout=1.0)

    assert info[str(image)]["LABEL"] == "CDROM"
    assert str(stall) not in info
    assert time.monotonic() - started < 5

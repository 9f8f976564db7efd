"""The same storage under another name, on real loop devices: an image file attached twice,
a loop device over a partition (or a byte range) of the target, a by-id style link. A mount
through any of them refuses the install, names the other device, and nothing is written."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from cos_installer.answers.loader import load_answers
from cos_installer.install.backends import open_backend
from cos_installer.install.pipeline import run_install
from tests.install.conftest import (
    Events,
    answers_file,
    make_old_table,
    partition_table,
    run_cli,
    sh,
)

pytestmark = pytest.mark.realparts


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Mounted:
    """An ext4 made on `device` and mounted, holding a file whose checksums are compared."""

    def __init__(self, loops, device: str, where: Path) -> None:
        # no lazy init: the kernel would zero inode tables after the mount, changing the file
        sh("mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0", device)
        where.mkdir()
        sh("mount", "-o", "noatime", device, str(where))
        loops.devices.append(device)
        self.device, self.where = device, str(where)
        self.file = os.path.join(self.where, "database")
        with open(self.file, "wb") as f:
            f.write(os.urandom(1 << 20))
        sh("sync", "-f", self.file)
        sh("fsfreeze", "--freeze", self.where)  # the journal checkpointed: nothing left to write
        sh("fsfreeze", "--unfreeze", self.where)
        self.digest = sha256(self.file)

    def unmount(self) -> None:
        sh("umount", self.where, check=False)

    def intact(self) -> bool:
        """The file as the device holds it (debugfs reads the device, not the page cache of
        the mounted filesystem; no remount, which a mount namespace elsewhere may delay)."""
        proc = subprocess.run(["debugfs", "-R", "cat /database", self.device],
                              capture_output=True, check=True)  # fmt: skip
        return hashlib.sha256(proc.stdout).hexdigest() == self.digest


def attach(loops, *args: str) -> str:
    dev = sh("losetup", "--find", "--show", *args).stdout.strip()
    loops.devices.append(dev)
    return dev


@pytest.fixture
def mounted_image(loops, tmp_path):
    """An image file attached as loop A, an ext4 on loop A mounted: (image, A, mount)."""
    image = loops.file(128, "vm.img")
    loop_a = attach(loops, image)
    fs = Mounted(loops, loop_a, tmp_path / "mnt")
    try:
        yield image, loop_a, fs
    finally:
        fs.unmount()


def test_image_file_target_mounted_through_another_loop_device_is_refused(
    payload, loops, mounted_image, tmp_path
):
    """--target FILE attaches a second loop device B over the file; the ext4 mounted from
    loop A was overwritten through B."""
    image, loop_a, fs = mounted_image
    before = sha256(image)
    answers = answers_file(tmp_path, disk="/dev/sda")
    argv = ["--answers", answers, "--target", image, "--image", payload, "--yes"]
    argv += ["--log", str(tmp_path / "install.log")]
    proc = run_cli(*argv)  # an ext4, no partition table: only --force would write it
    assert proc.returncode == 2 and "run again with --force" in proc.stderr, proc.stderr
    proc = run_cli(*argv, "--force")  # and even --force never writes a mounted filesystem
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"{loop_a} (another name for /dev/loop" in proc.stderr, proc.stderr
    assert f"the same file {image}) is mounted on {fs.where}" in proc.stderr
    assert "no disk was changed" in proc.stderr
    assert sha256(image) == before and fs.intact()
    assert loops.attached_to(image) == [loop_a]  # our loop device B was detached


def test_second_loop_device_over_a_mounted_image_is_refused(
    payload, loops, mounted_image, tmp_path
):
    image, loop_a, fs = mounted_image
    loop_b = attach(loops, image)
    before = sha256(image)
    result = run_install(
        load_answers(answers_file(tmp_path, disk=loop_b)), backend=open_backend(loop_b),
        payload=payload, listener=Events(),
    )  # fmt: skip
    assert not result.ok and result.stage == "preflight", result.message
    assert f"{loop_b} is in use: {loop_a} (another name for {loop_b}: the same file {image})" in (
        result.message
    )
    assert f"is mounted on {fs.where}" in result.message
    assert sha256(image) == before and fs.intact()


def test_by_id_style_link_resolves_to_the_same_storage(payload, loops, mounted_image, tmp_path):
    """A by-path style symlink to loop B, and a symlink to the image file itself: both are the
    storage loop A has mounted."""
    image, loop_a, fs = mounted_image
    loop_b = attach(loops, image)
    by_path = tmp_path / "pci-0000:00:1f.2-ata-1"
    by_path.symlink_to(loop_b)
    file_link = tmp_path / "vm-link.img"
    file_link.symlink_to(image)
    before = sha256(image)
    answers = answers_file(tmp_path, disk="/dev/sda")
    for target in (by_path, file_link):
        proc = run_cli("--answers", answers, "--target", str(target), "--image", payload,
                       "--yes", "--force", "--log", str(tmp_path / "install.log"))  # fmt: skip
        assert proc.returncode == 1, (target, proc.stderr)
        assert f"{loop_a} (another name for /dev/loop" in proc.stderr, proc.stderr
        assert f"is mounted on {fs.where}" in proc.stderr
    assert sha256(image) == before and fs.intact()


def partition_start_size(disk: str, number: int) -> tuple[int, int]:
    name = os.path.basename(disk)
    base = f"/sys/class/block/{name}p{number}"
    start = int(Path(f"{base}/start").read_text()) * 512
    return start, int(Path(f"{base}/size").read_text()) * 512


@pytest.mark.parametrize("how", ["over-partition", "byte-range"])
def test_loop_device_over_a_partition_of_the_target_mounted_is_refused(
    payload, loops, tmp_path, how
):
    """losetup /dev/loopXp1, or losetup -o START --sizelimit SIZE over the disk's image
    file: a third name for partition 1, mounted; the install of the disk stops."""
    disk = loops.device(128)
    backing = loops.files[-1]
    make_old_table(disk, 2, size_mib=32)
    start, size = partition_start_size(disk, 1)
    if how == "over-partition":
        over = attach(loops, f"{disk}p1")
        relation = f"part of {disk}: a loop device over {disk}p1"
    else:
        over = attach(loops, "-o", str(start), "--sizelimit", str(size), backing)
        relation = f"part of {disk}: a loop device over {backing} from byte {start}"
    fs = Mounted(loops, over, tmp_path / "mnt")
    try:
        table = partition_table(disk)
        result = run_install(
            load_answers(answers_file(tmp_path, disk=disk)), backend=open_backend(disk),
            payload=payload, listener=Events(),
        )  # fmt: skip
        assert not result.ok and result.stage == "preflight", result.message
        assert f"{over} ({relation}) is mounted on {fs.where}" in result.message
        assert "no disk was changed" in result.message
        assert partition_table(disk) == table and fs.intact()
    finally:
        fs.unmount()


def test_an_idle_other_name_is_named_in_a_warning(payload, loops, tmp_path):
    """Attached but unused (nothing mounted, no holder): the install goes on and says that
    the other name is overwritten too."""
    disk = loops.device(128)
    backing = loops.files[-1]
    other = attach(loops, backing)
    events = Events()
    result = run_install(
        load_answers(answers_file(tmp_path, disk=disk)), backend=open_backend(disk),
        payload=payload, listener=events,
    )  # fmt: skip
    assert result.ok, result.message
    said = " ".join(e.message for e in events)
    assert f"the same storage is also {other} (another name for {disk}" in said
    assert "detach it (losetup -d)" in said

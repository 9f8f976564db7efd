"""A hard kill (SIGKILL, a power cut) at any stage boundary leaves no valid partition table:
neither the new one (a bootable-looking disk without its cloud-config) nor the old install's.
The install stops at an exact boundary through the test hook COS_INSTALLER_TEST_PAUSE_AT
(cos_installer/install/testhook.py) and is killed there, as a real process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from cos_installer.install.blockdev import device_size
from tests.install.conftest import (
    answers_file,
    make_old_table,
    partition_table,
    run_cli,
    sh,
)
from tests.install.test_size import digest

IMAGE = 64 << 20  # the test payload's disk image


def kill_before(stage: str, tmp, target: str, payload: str, data_disk: str | None = None) -> str:
    """Run the CLI install until the hook pauses it before `stage`, SIGKILL it; its log."""
    log = tmp / "install.log"
    disk = target if target.startswith("/dev/") else "/dev/sda"  # a file only with --target
    answers = answers_file(tmp, disk=disk, data_disk=data_disk)
    argv = [sys.executable, "-m", "cos_installer.cli", "install", "--answers", answers]
    argv += ["--target", target, "--image", payload, "--yes", "--log", str(log)]
    env = dict(os.environ, COS_INSTALLER_TEST_PAUSE_AT=stage)
    proc = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True, env=env)
    said = []
    try:
        for line in proc.stderr:
            said.append(line)
            if line.startswith(f"test hook: paused before stage {stage}"):
                proc.send_signal(signal.SIGKILL)
                break
    finally:
        if proc.poll() is None and proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, "".join(said)
    assert said[-1].startswith("test hook: paused"), "".join(said)
    return log.read_text()


def gpt_signatures(path: str) -> list[int]:
    """Where 'EFI PART' is found: LBA 1, the image's last sector, the disk's last sector."""
    size = device_size(path) if path.startswith("/dev/") else os.path.getsize(path)
    found = []
    with open(path, "rb") as f:
        for offset in (512, IMAGE - 512, size - 512, 4096):
            f.seek(offset)
            if f.read(8) == b"EFI PART":
                found.append(offset)
    return found


def assert_no_table(path: str) -> None:
    assert gpt_signatures(path) == []
    verify = sh("sgdisk", "-v", path, check=False).stdout
    assert "Creating new GPT entries in memory" in verify, verify  # it found no GPT at all
    assert sh("blkid", "-p", path, check=False).returncode == 2  # no table, no filesystem
    assert partition_table(path) is None


@pytest.mark.parametrize("stage", ["write", "reread", "config", "finish"])
def test_a_kill_at_a_stage_boundary_leaves_no_partition_table(payload, loops, tmp_path, stage):
    disk = loops.device(128)  # bigger than the image: its backup GPT is not at the disk's end
    make_old_table(disk, 3)
    log = kill_before(stage, tmp_path, disk, payload)
    assert_no_table(disk)
    if stage in ("config", "finish"):  # the image is written, its table held in memory
        assert f"until then {disk} carries none" in log, log


def test_a_kill_before_the_wipe_leaves_the_disk_as_it_was(payload, loops, tmp_path):
    disk = loops.device(128)
    make_old_table(disk, 3)
    before = digest(disk)
    kill_before("wipe", tmp_path, disk, payload)
    assert digest(disk) == before


def test_a_kill_before_the_data_disk_leaves_no_table_on_a_disk_the_image_fills(
    payload, loops, tmp_path
):
    """The disk is the image's size: the image's backup GPT would be the disk's last LBA."""
    disk, data = loops.device(64), loops.device(400)
    make_old_table(disk, 2)
    log = kill_before("data-disk", tmp_path, disk, payload, data)
    assert_no_table(disk)
    assert "BLKPG add partition 3" in log  # ROOT reached the config stage through BLKPG


def test_an_image_file_killed_before_finish_has_no_table(payload, loops, tmp_path):
    image = loops.file(128, "vm.img")
    sh("sfdisk", "--quiet", image, input="label: gpt\nsize=16MiB, type=linux\n")
    kill_before("finish", tmp_path, image, payload)
    assert_no_table(image)


def test_a_complete_install_writes_a_valid_table_last(payload, payload_table, loops, tmp_path):
    disk = loops.device(128)
    make_old_table(disk, 3)
    log = tmp_path / "install.log"
    answers = answers_file(tmp_path, disk=disk)
    proc = run_cli(
        "--answers", answers, "--target", disk, "--image", payload, "--yes", "--log", str(log)
    )
    assert proc.returncode == 0, proc.stderr
    assert partition_table(disk) == payload_table
    verify = sh("sgdisk", "-v", disk).stdout
    assert "No problems found" in verify, verify
    found = gpt_signatures(disk)
    assert 512 in found and (128 << 20) - 512 in found  # the backup moved to the disk's end
    text = log.read_text()
    assert text.index("[config]") < text.index(f"write the partition table of {disk} last")
    assert f"{disk} carries its partition table: the install is complete" in text

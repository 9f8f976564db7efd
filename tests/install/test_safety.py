"""Safety review: no disk changes before every check of every disk passed, one disk under two
names is caught, a cancel before the first write changes nothing, secrets stay out of argv."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cos_installer.answers.loader import load_answers
from cos_installer.install.backends import BlockDeviceBackend, open_backend
from cos_installer.install.pipeline import run_install
from tests.install.conftest import (
    CancelOn,
    Events,
    answers_file,
    make_old_table,
    partition_table,
    run_cli,
    sh,
)
from tests.install.test_holders import held_loop_disk
from tests.payloadkit import build_test_payload


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def mounted_fs(loops, tmp_path: Path, size_mib: int = 320) -> tuple[str, str]:
    """A loop disk with ext4 on it, mounted; returns (disk, mountpoint). Unmounted by loops."""
    disk = loops.device(size_mib)
    sh("mkfs.ext4", "-q", "-F", disk)
    mnt = tmp_path / f"mnt{len(loops.devices)}"
    mnt.mkdir()
    sh("mount", disk, str(mnt))
    loops.mounts = [*getattr(loops, "mounts", []), str(mnt)]
    return disk, str(mnt)


def unmount_all(loops) -> None:
    for mnt in getattr(loops, "mounts", []):
        sh("umount", "-l", mnt, check=False)


def test_clear_holders_waits_until_the_data_disk_passed_too(payload, loops, tmp_path):
    """--clear-holders used to stop RAID/LVM on the OS disk before any other check ran."""
    disk, _, sysfs, before = held_loop_disk(loops, tmp_path)
    try:
        data, mnt = mounted_fs(loops, tmp_path)
        config = load_answers(answers_file(tmp_path, disk=disk, data_disk=data))
        backend = BlockDeviceBackend(disk, sysfs=sysfs)
        result = run_install(
            config, backend=backend, payload=payload, listener=Events(), clear_holders=True
        )
    finally:
        unmount_all(loops)
    assert not result.ok and result.stage == "preflight" and result.device == data
    assert f"{data} is mounted on {mnt}" in result.message
    assert not [line for line in backend.plan if line.startswith("stop ")], backend.plan
    assert "no disk was changed" in result.message and partition_table(disk) == before


def test_cancel_right_after_preflight_changes_no_disk(payload, loops, tmp_path):
    disk = loops.device(128)
    make_old_table(disk, 3)
    before = partition_table(disk)
    listener = CancelOn("stage-end", "preflight")
    result = run_install(
        load_answers(answers_file(tmp_path, disk=disk)), backend=open_backend(disk),
        payload=payload, listener=listener, cancel=listener.cancel,
    )  # fmt: skip
    assert not result.ok and result.stage == "wipe" and "cancelled" in result.cause
    assert "no disk was changed" in result.message
    assert partition_table(disk) == before


def test_cancel_before_the_data_disk_stage_leaves_the_data_disk(payload, loops, tmp_path):
    disk, data = loops.device(128), loops.device(320)
    make_old_table(data, 2)
    before = partition_table(data)
    listener = CancelOn("stage-end", "config")
    result = run_install(
        load_answers(answers_file(tmp_path, disk=disk, data_disk=data)),
        backend=open_backend(disk), payload=payload, listener=listener, cancel=listener.cancel,
    )  # fmt: skip
    assert not result.ok and result.stage == "data-disk"
    assert "the partition table was reset" in result.message
    assert partition_table(disk) is None  # the OS disk was written, so it was reset
    assert partition_table(data) == before  # the data disk was never written


def test_data_disk_is_the_os_disk_under_another_name(payload, loops, tmp_path):
    """A by-id style symlink, the image file behind the OS loop device, a loop device over
    the OS disk: each is the OS disk (the image file, not being a disk, is refused as such),
    and each is refused before anything is written."""
    disk = loops.device(320)
    backing = loops.files[-1]
    make_old_table(disk, 2)
    before = partition_table(disk)
    link = tmp_path / "by-id-link"
    link.symlink_to(disk)
    over = sh("losetup", "--find", "--show", disk).stdout.strip()
    loops.devices.append(over)
    config = load_answers(answers_file(tmp_path, disk=disk))
    for other in (str(link), backing, over):
        result = run_install(
            dataclasses.replace(config, data_disk=other), backend=open_backend(disk),
            payload=payload, listener=Events(),
        )  # fmt: skip
        assert not result.ok and result.stage == "preflight", (other, result.message)
        if other == backing:  # an image file is never a data disk
            assert f"data disk: {backing} is a regular file, not a block device" in result.message
        else:
            assert "the data disk is the OS disk" in result.message, result.message
        assert partition_table(disk) == before
    assert loops.attached_to(backing) == [disk]  # the data disk's own loop was detached


def test_image_file_target_that_is_the_payload_is_refused(loops, tmp_path):
    """Writing a loop device over the OS image would destroy it while it is read."""
    payload = build_test_payload(str(tmp_path / "raw"), size_mib=16, compression="raw")
    loops.files.append(payload)
    digest = sha256(payload)
    config = dataclasses.replace(
        load_answers(answers_file(tmp_path, disk="/dev/sda")), disk=payload
    )
    backend = open_backend(payload, image_file=True)  # install --target FILE
    try:
        result = run_install(config, backend=backend, payload=payload, listener=Events())
    finally:
        backend.close()
    assert not result.ok and result.stage == "preflight"
    assert f"is backed by {payload}, which the install reads" in result.message
    assert "no disk was changed" in result.message and sha256(payload) == digest


def test_data_disk_holding_the_payload_is_the_install_media(loops, tmp_path):
    """The disk the OS image is read from is refused as a data disk too (not only as the OS
    disk); here its filesystem is mounted, the media check names the real reason first."""
    disk = loops.device(128)
    try:
        data, mnt = mounted_fs(loops, tmp_path)
        payload = build_test_payload(os.path.join(mnt, "cos"), size_mib=16)
        config = load_answers(answers_file(tmp_path, disk=disk, data_disk=data))
        result = run_install(config, backend=open_backend(disk), payload=payload, listener=Events())
    finally:
        unmount_all(loops)
    assert not result.ok and result.stage == "preflight" and result.device == data
    assert f"{data} is the install media (the OS image is read from it)" in result.message
    assert partition_table(disk) is None


def test_wipe_refuses_a_disk_mounted_after_the_checks(loops, tmp_path):
    """O_EXCL on the disk is the last word: a partition mounted between preflight and the
    wipe (an automounter) stops the wipe with EBUSY before a byte is erased."""
    from cos_installer.install.backends import BackendError

    disk = loops.device(128)
    make_old_table(disk, 1)
    sh("mkfs.ext4", "-q", "-F", f"{disk}p1")
    backend = open_backend(disk)
    mnt = tmp_path / "late"
    mnt.mkdir()
    sh("mount", f"{disk}p1", str(mnt))
    try:
        before = partition_table(disk)
        try:
            backend.wipe()
            raise AssertionError("the wipe went ahead on a mounted disk")
        except BackendError as exc:
            assert f"{disk} is in use (EBUSY)" in exc.cause
        assert partition_table(disk) == before
        assert sh("blkid", "-p", "-o", "value", "-s", "TYPE", f"{disk}p1").stdout.strip() == "ext4"
    finally:
        sh("umount", str(mnt), check=False)


def test_unreadable_target_without_yes_is_a_message_not_a_traceback(payload, loops):
    """Run as an unprivileged user: the confirmation reads the disk's size and fails."""
    disk = loops.device(128)
    if shutil.which("setpriv") is None:
        raise AssertionError("setpriv (util-linux) is needed")
    shared = tempfile.mkdtemp(prefix="cos-safety-", dir="/tmp")  # nobody reaches it; removed
    try:
        os.chmod(shared, 0o755)
        answers = answers_file(Path(shared), disk=disk)
        os.chmod(answers, 0o644)
        image = shutil.copy(payload, shared)
        shutil.copy(payload + ".sha256", shared)
        argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        argv += [sys.executable, "-m", "cos_installer.cli", "install", "--answers", answers]
        argv += ["--target", disk, "--image", image]
        as_nobody = lambda *extra: subprocess.run(  # noqa: E731
            argv + list(extra), capture_output=True, text=True, timeout=60,
            cwd=str(Path(__file__).parents[2]),
        )  # fmt: skip
        asked = as_nobody()
        unlogged = as_nobody("--yes", "--log", os.path.join(shared, "no", "install.log"))
        os.chmod(shared, 0o1777)  # /tmp-like: a shared, non-sticky directory is refused
        logged = as_nobody("--yes", "--log", os.path.join(shared, "install.log"))
    finally:
        shutil.rmtree(shared, ignore_errors=True)
    for proc in (asked, unlogged, logged):
        assert "Traceback" not in proc.stderr, proc.stderr
    assert asked.returncode == 2, asked.stderr
    assert f"cannot read {disk}: Permission denied; run as root" in asked.stderr
    assert unlogged.returncode == 1, unlogged.stderr
    assert "cannot write the install log" in unlogged.stderr
    assert "or run the installer as root; no disk was changed" in unlogged.stderr
    assert logged.returncode == 1, logged.stderr
    assert "Permission denied (errno 13); run the installer as root" in logged.stderr
    assert partition_table(disk) is None


def test_unwritable_log_stops_preflight_without_a_traceback(payload, loops, tmp_path):
    disk = loops.device(128)
    (tmp_path / "file").write_text("")
    log = str(tmp_path / "file" / "install.log")  # a log "directory" that is a file
    result = run_install(
        load_answers(answers_file(tmp_path, disk=disk)), backend=open_backend(disk),
        payload=payload, listener=Events(), log_path=log,
    )  # fmt: skip
    assert not result.ok and result.stage == "preflight"
    assert f"cannot write the install log {log}: Not a directory" in result.message
    assert "no disk was changed" in result.message and partition_table(disk) is None


def test_empty_payload_and_a_directory_target_are_refused(loops, tmp_path):
    from cos_installer.install.payload import PayloadError, inspect_payload

    empty = tmp_path / "empty.raw"
    empty.write_bytes(b"")
    (tmp_path / "empty.raw.sha256").write_text(hashlib.sha256(b"").hexdigest() + "\n")
    try:
        inspect_payload(str(empty))
        raise AssertionError("an empty OS image was accepted")
    except PayloadError as exc:
        assert f"the OS image {empty} is empty" in exc.cause
    answers = answers_file(tmp_path, disk="/dev/sda")
    for extra in (["--dry-run"], ["--yes"]):
        proc = run_cli("--answers", answers, "--target", str(tmp_path), "--image", str(empty),
                       *extra)  # fmt: skip
        assert proc.returncode == 2, proc.stderr
        assert f"{tmp_path} is neither a block device nor a regular file" in proc.stderr


def test_sigterm_at_the_prompt_detaches_the_image_files_loop_device(payload, loops, tmp_path):
    import pty
    import select
    import signal

    image = loops.file(128, "vm.img")
    argv = [sys.executable, "-m", "cos_installer.cli", "install", "--target", image]
    argv += ["--answers", answers_file(tmp_path, disk="/dev/sda"), "--image", payload]
    argv += ["--log", str(tmp_path / "log")]
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    seen = b""
    try:
        while b"Type 'yes' to install:" not in seen:
            ready, _, _ = select.select([master], [], [], 30)
            assert ready, seen.decode(errors="replace")
            seen += os.read(master, 4096)
        assert loops.attached_to(image), "the prompt comes after the loop device is attached"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 1
        with contextlib.suppress(OSError):
            while select.select([master], [], [], 1)[0]:
                chunk = os.read(master, 4096)
                if not chunk:
                    break
                seen += chunk
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    text = seen.decode(errors="replace")
    assert "cancelled; nothing was written" in text and "Traceback" not in text, text
    assert loops.attached_to(image) == []
    assert partition_table(image) is None


def test_serial_is_read_like_the_disk_screen_reads_it(tmp_path):
    """A SATA disk: no serial file, VPD page 0x80 and a longer wwid. The install's identity
    check must read the serial the operator saw, or it refuses every SATA disk."""
    from cos_installer.hardware.disks import _serial_model
    from cos_installer.install import blockdev

    dev = tmp_path / "class" / "block" / "sda" / "device"
    dev.mkdir(parents=True)
    serial = b"S3Z1NB0K123456A"
    (dev / "vpd_pg80").write_bytes(b"\x00\x80\x00" + bytes([len(serial) + 2]) + serial + b"  ")
    (dev / "wwid").write_text("t10.ATA     Samsung SSD 860 EVO 500GB   S3Z1NB0K123456A\n")
    (dev / "model").write_text("Samsung SSD 860\n")
    assert blockdev.serial_of("sda", str(tmp_path)) == "S3Z1NB0K123456A"
    assert blockdev.serial_of("sda", str(tmp_path)) == _serial_model(dev.parent)[0]


def test_a_disk_other_than_the_one_chosen_is_refused(payload, loops, tmp_path):
    """The wizard passes the Disk the operator confirmed; a different size or a by-id name
    that now points elsewhere stops preflight."""
    from cos_installer.hardware.types import Disk

    disk, other = loops.device(128), loops.device(160)
    make_old_table(disk, 1)
    before = partition_table(disk)
    config = load_answers(answers_file(tmp_path, disk=disk))
    link = tmp_path / "by-id-chosen"
    link.symlink_to(other)
    for chosen, cause in (
        (Disk(disk, 160 << 20), "it has 128.0 MiB, the chosen one 160.0 MiB"),
        (Disk(disk, 128 << 20, by_id=str(link)), f"{link} is {other}"),
    ):
        result = run_install(
            config, backend=open_backend(disk), payload=payload, listener=Events(), chosen=chosen
        )
        assert not result.ok and result.stage == "preflight", result.message
        assert f"{disk} is not the disk chosen: {cause}" in result.message
        assert "disks were renamed; start again" in result.message
    assert partition_table(disk) == before
    result = run_install(
        config, backend=open_backend(disk), payload=payload, listener=Events(),
        chosen=Disk(disk, 128 << 20),
    )  # fmt: skip
    assert result.ok, result.message


def test_closing_an_image_file_never_detaches_a_reused_loop_name(loops, tmp_path):
    """Our loop device was detached behind our back and its name now serves another image
    (a parallel build on the same host): close() leaves that one attached."""
    mine, theirs = loops.file(64, "mine.img"), loops.file(64, "theirs.img")
    backend = open_backend(mine, image_file=True)
    loop = backend.device
    sh("losetup", "--detach", loop)
    sh("losetup", loop, theirs)
    loops.devices.append(loop)  # the fixture detaches it at the end
    backend.close()
    assert loops.attached_to(theirs) == [loop]
    third = loops.file(64, "third.img")
    (tmp_path / "via").symlink_to(tmp_path)
    other = open_backend(str(tmp_path / "via" / "third.img"), image_file=True)  # via a symlink
    other.close()  # an ordinary close still detaches
    assert loops.attached_to(third) == []


def test_dry_run_refuses_a_partition_like_the_real_run(payload, loops, tmp_path):
    disk = loops.device(128)
    make_old_table(disk, 2)
    answers = answers_file(tmp_path, disk=f"{disk}p1")
    proc = run_cli("--answers", answers, "--image", payload, "--dry-run")
    assert proc.returncode == 1, proc.stderr
    assert f"{disk}p1 is a partition, not a whole disk; choose the whole disk {disk}" in (
        proc.stderr
    )
    proc = run_cli("--answers", answers, "--target", disk, "--image", payload, "--dry-run")
    assert proc.returncode == 0, proc.stderr


def test_missing_data_disk_is_named_as_the_data_disk(payload, loops, tmp_path):
    disk = loops.device(128)
    absent = str(tmp_path / "no-such-disk")
    config = load_answers(answers_file(tmp_path, disk=disk))
    result = run_install(
        dataclasses.replace(config, data_disk=absent), backend=open_backend(disk),
        payload=payload, listener=Events(),
    )  # fmt: skip
    assert not result.ok and result.stage == "preflight" and result.device == absent
    assert f"data disk: {absent} does not exist; fix data_disk in the answers" in result.message
    assert "--size" not in result.message and "no disk was changed" in result.message


def test_a_log_that_fills_up_does_not_break_the_install(payload, loops, tmp_path):
    """A full /var/log (a small tmpfs, filled up) fails the log's writes with ENOSPC: the
    install goes on and says so nowhere it cannot; the disk is installed."""
    small = tmp_path / "varlog"
    small.mkdir()
    sh("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small))
    try:
        log = small / "install.log"
        log.touch()
        with open(small / "filler", "wb", buffering=0) as f, contextlib.suppress(OSError):
            while True:
                f.write(b"x" * 4096)
        disk = loops.device(128)
        result = run_install(
            load_answers(answers_file(tmp_path, disk=disk)), backend=open_backend(disk),
            payload=payload, listener=Events(), log_path=str(log),
        )  # fmt: skip
    finally:
        if sh("umount", str(small), check=False).returncode != 0:
            sh("umount", "-l", str(small), check=False)
    assert result.ok, result.message
    assert partition_table(disk) is not None


def test_a_disk_mounted_between_preflight_and_wipe_is_neither_wiped_nor_reset(
    payload, loops, tmp_path
):
    """The wipe's O_EXCL open fails (EBUSY) and nothing was erased, so no reset either: the
    mounted filesystem and its partition table stay as they were."""
    disk = loops.device(128)
    make_old_table(disk, 1)
    sh("mkfs.ext4", "-q", "-F", f"{disk}p1")
    before = partition_table(disk)
    mnt = tmp_path / "automounted"
    mnt.mkdir()

    def automounter(event):
        if event.kind == "stage-end" and event.stage == "preflight":
            sh("mount", f"{disk}p1", str(mnt))

    try:
        result = run_install(
            load_answers(answers_file(tmp_path, disk=disk)), backend=open_backend(disk),
            payload=payload, listener=automounter,
        )  # fmt: skip
        assert not result.ok and result.stage == "wipe"
        assert f"{disk} is in use (EBUSY)" in result.message
        assert "no disk was changed" in result.message
        assert partition_table(disk) == before
        assert sh("blkid", "-p", "-o", "value", "-s", "TYPE", f"{disk}p1").stdout.strip() == "ext4"
    finally:
        sh("umount", str(mnt), check=False)

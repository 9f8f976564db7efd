"""The fault matrix: each failure names the stage, the device and the cause, exits 1, resets
the partition table (or leaves an untouched disk when preflight stops it) and keeps the log."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cos_installer.answers.loader import load_answers
from cos_installer.install.backends import BlockDeviceBackend, DeviceIO
from cos_installer.install.pipeline import run_install
from cos_installer.support.advice import explain
from tests.install.conftest import (
    CancelOn,
    Events,
    answers_file,
    copy_payload,
    holding_open,
    make_old_table,
    no_signatures,
    partition_table,
    run_cli,
    sh,
)
from tests.payloadkit import write_sha256


def cli_install(tmp: Path, disk: str, payload: str, *extra: str) -> tuple[int, str, str]:
    log = tmp / "install.log"
    answers = answers_file(tmp, disk=disk)
    proc = run_cli(
        "--answers", answers, "--target", disk, "--image", payload, "--yes", "--log", str(log),
        *extra,
    )  # fmt: skip
    return proc.returncode, proc.stderr, log.read_text()


def assert_reported(stderr: str, log: str, stage: str, device: str, *causes: str) -> None:
    error = next(line for line in stderr.splitlines() if line.startswith(("error: ", "ERROR ")))
    assert f"stage {stage}" in error and device in error, error
    # a failure on the disk opens with the guide's line (FAQ 5.3), as it is; a refusal or a
    # cancel with "error: Install failed ..."
    guide = f"ERROR on Installing COS To Device {device}: stage {stage} failed: "
    plain = f"error: Install failed at stage {stage} on {device}: "
    cancel = causes[0].startswith("cancelled by the user")
    assert error.startswith(plain if stage == "preflight" or cancel else guide), error
    for cause in causes:
        assert cause in error, error
    assert f"[{stage}] error: " in log and causes[0] in log


def test_target_too_small_is_stopped_before_touching_it(payload, loops, tmp_path):
    disk = loops.device(32)
    make_old_table(disk, 1, size_mib=8)
    before = partition_table(disk)
    rc, err, log = cli_install(tmp_path, disk, payload)
    assert rc == 1
    assert_reported(err, log, "preflight", disk, "too small (ENOSPC)", "needs 64.0 MiB")
    assert "no disk was changed" in err
    assert partition_table(disk) == before


@pytest.mark.parametrize("use", ["mount", "swap"])
def test_mounted_partition_is_named(payload, loops, tmp_path, use):
    disk = loops.device(128)
    make_old_table(disk, 2)
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if use == "mount":
        sh("mkfs.ext4", "-q", f"{disk}p2")
        sh("mount", f"{disk}p2", str(mnt))
        expected = f"{disk}p2 is mounted on {mnt}"
    else:
        sh("mkswap", f"{disk}p2")
        sh("swapon", f"{disk}p2")
        expected = f"{disk}p2 is active swap"
    try:
        rc, err, log = cli_install(tmp_path, disk, payload)
    finally:
        sh("umount", str(mnt)) if use == "mount" else sh("swapoff", f"{disk}p2")
    assert rc == 1
    assert_reported(err, log, "preflight", disk, expected, "unmount it")
    assert len(partition_table(disk)) == 2  # untouched


@pytest.mark.parametrize(
    "damage, stage_cause",
    [
        ("checksum", "checksum mismatch: cos-image.raw.zst has sha256"),
        ("truncated", "cos-image.raw.zst is truncated"),
        ("trailing", "cos-image.raw.zst has trailing data"),
    ],
)
def test_damaged_payload_leaves_no_table(payload, loops, tmp_path, damage, stage_cause, zstd_path):
    bad = copy_payload(payload, tmp_path / "bad")
    if damage == "checksum":
        Path(bad + ".sha256").write_text("0" * 64 + "  cos-image.raw.zst\n")
    elif damage == "truncated":
        os.truncate(bad, os.path.getsize(bad) // 2)  # the .sha256 still names the full file
    else:
        with open(bad, "ab") as f:
            f.write(b"trailing junk after the last frame\n")
        write_sha256(bad)  # the checksum passes: only the decompressor can notice
    disk = loops.device(128)
    make_old_table(disk, 3)
    rc, err, log = cli_install(tmp_path, disk, bad)
    assert rc == 1
    assert_reported(err, log, "write", disk, stage_cause, "download the image again")
    assert "partition table was reset" in err and no_signatures(disk)


def test_reread_failure_names_the_partition_held_open(payload, loops, tmp_path):
    disk = loops.device(128)
    make_old_table(disk, 5, size_mib=20)
    with holding_open(f"{disk}p5") as holder:
        rc, err, log = cli_install(tmp_path, disk, payload)
    assert rc == 1
    assert f"ERROR on Installing COS To Device {disk}" in err
    assert_reported(
        err, log, "reread", disk, "EBUSY", f"{disk}p5 (pid {holder.pid}, sleep) held open"
    )
    assert "reboot and install again" in err
    assert "partition table was reset" in err and no_signatures(disk)


@pytest.fixture(scope="module")
def big_payload(real_parts, tmp_path_factory) -> str:
    """512 MiB of zeros: long enough to be interrupted mid-write, cheap to build."""
    out = tmp_path_factory.mktemp("big")
    raw = out / "zeros.raw"
    with open(raw, "wb") as f:
        f.truncate(512 << 20)
    sh("zstd", "-q", "-1", "--rm", str(raw), "-o", str(raw) + ".zst")
    write_sha256(str(raw) + ".zst")
    return str(raw) + ".zst"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_mid_write_stops_at_a_buffer_and_resets(big_payload, loops, tmp_path, sig):
    disk = loops.device(600)
    make_old_table(disk, 2)
    log = tmp_path / "install.log"
    answers = answers_file(tmp_path, disk=disk)
    argv = [sys.executable, "-m", "cos_installer.cli", "install", "--answers", answers]
    argv += ["--target", disk, "--image", big_payload, "--yes", "--log", str(log)]
    proc = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if line.startswith("[write]") and "%" in line:
            proc.send_signal(sig)
            break
    lines += proc.stderr.readlines()
    assert proc.wait(timeout=60) == 1
    err = "".join(lines)
    assert_reported(err, log.read_text(), "write", disk, "cancelled by the user after")
    written = int(err.split("cancelled by the user after ")[1].split()[0])
    assert 0 < written < 512 << 20 and written % (4 << 20) == 0  # a buffer boundary
    assert no_signatures(disk)


def test_ctrl_c_on_the_terminal_is_a_cancel_not_a_damaged_image(big_payload, loops, tmp_path):
    """Ctrl+C reaches the whole process group: the zstd program dies with the installer's
    SIGINT. That is reported as a cancel (not 'download the image again'), and no decoder
    process is left behind."""
    disk = loops.device(600)
    log = tmp_path / "install.log"
    answers = answers_file(tmp_path, disk=disk)
    argv = [sys.executable, "-m", "cos_installer.cli", "install", "--answers", answers]
    argv += ["--target", disk, "--image", big_payload, "--yes", "--log", str(log)]
    env = dict(os.environ, COS_INSTALLER_ZSTD_PIPE="1")
    proc = subprocess.Popen(
        argv, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    lines = []
    try:
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("[write]") and "%" in line:
                os.killpg(proc.pid, signal.SIGINT)
                break
        lines += proc.stderr.readlines()
        assert proc.wait(timeout=60) == 1
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = "".join(lines)
    assert_reported(err, log.read_text(), "write", disk, "cancelled by the user after")
    assert "download the image again" not in err
    left = sh("pgrep", "-s", str(proc.pid), check=False).stdout.split()
    assert left == [], f"processes left in the session: {left}"
    assert no_signatures(disk)


def test_cancel_event_from_the_wizard_thread(payload, loops, tmp_path):
    disk = loops.device(128)
    make_old_table(disk, 2)
    events = CancelOn("progress")
    result = run_install(
        load_answers(answers_file(tmp_path, disk=disk)), backend=BlockDeviceBackend(disk),
        payload=payload, listener=events, cancel=events.cancel,
    )  # fmt: skip
    assert not result.ok and result.stage == "write" and "cancelled" in result.cause
    assert result.message.startswith(f"Install failed at stage write on {disk}: cancelled")
    assert events[-1].kind == "error" and events[-1].stage == "write"
    assert no_signatures(disk)


class FaultyIO(DeviceIO):
    """The backend's file layer with an I/O error at 8 MiB, as a failing disk gives."""

    def pwrite(self, data, offset):
        if offset <= 8 << 20 < offset + len(data):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        super().pwrite(data, offset)


def test_io_error_at_an_offset(payload, loops, tmp_path):
    disk = loops.device(128)
    make_old_table(disk, 2)
    log = tmp_path / "log"
    result = run_install(
        load_answers(answers_file(tmp_path, disk=disk)),
        backend=BlockDeviceBackend(disk, io_factory=FaultyIO), payload=payload,
        listener=Events(), log_path=str(log),
    )  # fmt: skip
    assert not result.ok and result.stage == "write" and result.device == disk
    assert result.message.startswith(
        f"ERROR on Installing COS To Device {disk}: stage write failed: "
        "Input/output error writing at byte 8388608 (errno 5); check the disk"
    ), result.message
    assert "partition table was reset" in result.message and no_signatures(disk)
    assert "[write] error: " in log.read_text()


def test_loop_device_detached_mid_write(payload, loops, tmp_path):
    disk = loops.device(128)
    backing = loops.files[-1]
    make_old_table(disk, 2)

    def detach(event):
        if event.kind == "progress" and event.done < event.total:
            sh("losetup", "--detach", disk)

    result = run_install(
        load_answers(answers_file(tmp_path, disk=disk)), backend=BlockDeviceBackend(disk),
        payload=payload, listener=detach, log_path=str(tmp_path / "log"),
    )  # fmt: skip
    assert not result.ok and result.stage == "write"
    guide = f"ERROR on Installing COS To Device {disk}: stage write failed: "
    assert result.message.startswith(guide + "the loop device was detached"), result.message
    assert "could not be reset" in result.message  # the device is gone ...
    assert no_signatures(backing)  # ... but the first MiB was held back: no table on the file
    assert "[write] error: " in (tmp_path / "log").read_text()


def test_keep_on_error_leaves_the_disk(payload, loops, tmp_path):
    bad = copy_payload(payload, tmp_path / "bad")
    Path(bad + ".sha256").write_text("f" * 64 + "\n")
    disk = loops.device(128)
    make_old_table(disk, 3)
    rc, err, _ = cli_install(tmp_path, disk, bad, "--keep-on-error")
    assert rc == 1 and "left as it is (--keep-on-error)" in err


def test_a_reused_device_name_is_never_reset(payload, loops, tmp_path):
    """The loop device is detached mid-write and its name attached to another image before
    the clean-up: diskseq differs, so the other image is left alone."""
    disk = loops.device(128)
    other = loops.file(128, "other.img")
    make_old_table(disk, 2)
    sh("sfdisk", "--quiet", other, input="label: gpt\nsize=8MiB, type=linux\n")
    before = partition_table(other)

    class Reattaching(BlockDeviceBackend):
        def reset(self):
            sh("losetup", self.device, other)  # the freed name now holds another disk
            super().reset()

    def detach(event):
        if event.kind == "progress" and event.done < event.total:
            sh("losetup", "--detach", disk)

    result = run_install(
        load_answers(answers_file(tmp_path, disk=disk)), backend=Reattaching(disk),
        payload=payload, listener=detach,
    )  # fmt: skip
    assert not result.ok and result.stage == "write"
    assert "no longer the disk that was checked" in result.message
    assert partition_table(other) == before


def test_a_full_thin_backing_store_is_not_called_a_too_small_disk(payload, tmp_path):
    """A 64 MiB disk over a sparse file on an 8 MiB tmpfs: the 64 MiB image fits the disk,
    and the write fails (ENOSPC) near 8 MiB, below the disk's size."""
    store = tmp_path / "store"
    store.mkdir()
    sh("mount", "-t", "tmpfs", "-o", "size=8M", "tmpfs", str(store))
    disk = ""
    try:
        backing = store / "thin.img"
        with open(backing, "wb") as f:
            f.truncate(64 << 20)
        disk = sh("losetup", "--find", "--show", "--partscan", str(backing)).stdout.strip()
        rc, err, log = cli_install(tmp_path, disk, payload)
    finally:
        if disk:
            sh("partx", "-d", disk, check=False)
            sh("losetup", "--detach", disk, check=False)
        sh("umount", str(store), check=False)
    assert rc == 1
    assert_reported(
        err, log, "write", disk, f"the storage behind {disk} is full: a write at byte ",
        f"below the disk's size, failed (No space left on device); {disk} is thin provisioned "
        f"and its backing file {backing}", "free space on the backing store",
    )  # fmt: skip
    offset = int(err.split("a write at byte ")[1].split(",")[0])
    assert 1 << 20 <= offset <= 8 << 20  # where the 8 MiB store ran out, far below 64 MiB
    assert "too small" not in err and "larger than" not in err
    cause = err.split("stage write failed: ")[1]
    advice = explain("write", disk, cause).advice  # what the wizard's error screen says
    assert advice[0].startswith("The disk is thin provisioned and the storage behind it is full")


def test_an_io_error_is_a_full_store_only_when_the_backing_filesystem_is_full(tmp_path):
    """Buffered writes to a loop device over a full filesystem fail with EIO, not ENOSPC:
    that EIO names the store; an EIO with room behind the disk stays a disk error."""
    from cos_installer.install.backends.deviceio import full_backing_store
    from cos_installer.install.stream import WriteFailed

    store = tmp_path / "store"
    store.mkdir()
    sh("mount", "-t", "tmpfs", "-o", "size=4M", "tmpfs", str(store))
    disk = ""
    try:
        with open(store / "thin.img", "wb") as f:
            f.truncate(64 << 20)
        disk = sh("losetup", "--find", "--show", str(store / "thin.img")).stdout.strip()
        name = os.path.basename(disk)
        eio = WriteFailed(errno.EIO, os.strerror(errno.EIO), 12 << 20)
        assert full_backing_store(eio, disk, name) is None  # 4 MiB free: a failing disk
        with open(store / "filler", "wb") as f, pytest.raises(OSError):
            f.write(bytes(8 << 20))
        said = full_backing_store(eio, disk, name)
        assert said is not None and said.startswith(f"the storage behind {disk} is full: ")
        assert f"its backing file {store}/thin.img (" in said
    finally:
        if disk:
            sh("losetup", "--detach", disk, check=False)
        sh("umount", str(store), check=False)

"""The error screen for each fault of the install fault matrix (tests/install/test_faults.py):
the pipeline's own StageError sentence and InstallResult, shown at 80x24 in English and in
Chinese with the advice that fits (the guide's FAQ where it applies)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from cos_installer.install.stages import InstallResult, StageError
from cos_installer.support.events import Event
from tests.i18n.conftest import assert_fits, untranslated
from tests.screens.conftest import CONTROLLER_VALUES, FakeEngine, Harness, changed

DISK = "/dev/loop7"
IMG = "cos-image.raw.zst"
AGAIN = "download the image again or use another install medium"


@dataclass
class Fault:
    stage: str
    cause: str
    hint: str
    reset: str
    advice_en: str  # a fragment of the advice the operator must see
    advice_zh: str


FAULTS = {
    "too-small-preflight": Fault(
        "preflight",
        f"the disk is too small (ENOSPC): {IMG} needs 64.0 MiB, {DISK} has 32.0 MiB",
        "choose a bigger disk", "; no disk was changed",
        "Choose a bigger disk", "请选择更大的磁盘"),
    "too-small-write": Fault(
        "write", f"the image is larger than {DISK}: the disk is too small (ENOSPC)",
        "choose a bigger disk", "; the partition table was reset",
        "Choose a bigger disk", "请选择更大的磁盘"),
    "mounted": Fault(
        "preflight", f"{DISK} is in use: {DISK}p2 is mounted on /tmp/mnt",
        "unmount it (swapoff for swap) and run again", "; no disk was changed",
        "stop it (unmount, swapoff", "umount, swapoff"),
    "swap": Fault(
        "preflight", f"{DISK} is in use: {DISK}p2 is active swap",
        "unmount it (swapoff for swap) and run again", "; no disk was changed",
        "stop it (unmount, swapoff", "umount, swapoff"),
    "held-by-raid": Fault(
        "preflight", f"{DISK} is in use: held by md0 (RAID raid1)",
        "run cos-installer with --clear-holders, or: mdadm --stop /dev/md0",
        "; no disk was changed", "stop RAID/LVM", "停止 RAID/LVM"),
    "checksum": Fault(
        "write", f"checksum mismatch: {IMG} has sha256 0123..., expected 0000...", AGAIN,
        "; the partition table was reset", "burn the ISO again", "重新刻录ISO"),
    "truncated": Fault(
        "write", f"{IMG} is truncated", AGAIN, "; the partition table was reset",
        "burn the ISO again", "重新刻录ISO"),
    "trailing": Fault(
        "write", f"{IMG} has trailing data after the last frame", AGAIN,
        "; the partition table was reset", "burn the ISO again", "重新刻录ISO"),
    "reread-busy": Fault(
        "reread",
        f"the kernel keeps the old partition table of {DISK} (EBUSY: {DISK}p5 (pid 4242, "
        "sleep) held open)",
        "close what holds the disk, or reboot and install again",
        "; the partition table was reset",
        "Reboot the server so the partition table takes effect", "重启服务器, 使分区表更新生效"),
    "wipe-read-only": Fault(
        "wipe", "Read-only file system (errno 30)",
        "the disk is read-only (a write-protect switch?); choose a writable disk",
        "; no disk was changed", "The disk is read-only", "磁盘是只读的"),
    "config-io-error": Fault(
        "config", "Input/output error (errno 5)", "check the disk and the kernel log (dmesg)",
        "; the partition table was reset", "I/O error: check the disk", "磁盘报告了I/O错误"),
    "data-disk-reread": Fault(
        "data-disk", f"the kernel keeps the old partition table of {DISK} (EBUSY)",
        "close what holds the disk, or reboot and install again",
        "; the partition table was reset",
        "Reboot the server so the partition table takes effect", "重启服务器, 使分区表更新生效"),
    "cancelled": Fault(
        "write", "cancelled by the user after 16777216 bytes", "",
        "; the partition table was reset", "Ctrl+D to start the wizard again",
        "按 Ctrl+D 重新开始"),
    "io-error": Fault(
        "write", "Input/output error writing at byte 8388608 (errno 5)",
        "check the disk and the kernel log", "; the partition table was reset",
        "I/O error: check the disk", "磁盘报告了I/O错误"),
    "detached": Fault(
        "write", "the loop device was detached (No such device or address, errno 6)",
        "check the disk and the kernel log", "; the partition table could not be reset",
        "disappeared during the install", "安装过程中磁盘消失了"),
    "media": Fault(
        "preflight", "CDROM Device Not Ready: no OS image on the medium", "",
        "; no disk was changed", "volume label CDROM", "卷标为 CDROM"),
}  # fmt: skip


class FaultyEngine(FakeEngine):
    """The install ends the way the pipeline ends on this fault: its error event, its result."""

    def __init__(self, fault: Fault) -> None:
        super().__init__(dry_run=False)
        self.fault = fault

    def run_install(self, config, *, listener, cancel, machine, payload, **disks):
        f = self.fault
        err = StageError(f.stage, DISK, f.cause, f.hint)
        message = err.sentence(f.reset)
        listener(Event("stage-start", f.stage, "", data={"device": DISK}))
        listener(Event("error", f.stage, message, data={"device": DISK, "cause": f.cause}))
        return InstallResult(False, f.stage, message, "", [], DISK, f.cause, f.hint)


def failed(fault: Fault) -> Harness:
    from cos_installer.flow import Step

    h = Harness(FaultyEngine(fault))
    h.app.wizard.answers.update(changed(CONTROLLER_VALUES, disk=DISK))
    h.app.show(Step.CONFIRM)
    h.confirm()
    assert h.app.install_state == "failed"
    return h


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_error_screen_in_english(name):
    fault = FAULTS[name]
    h = failed(fault)
    lines = assert_fits(h)
    text = h.app.view.failure
    joined = " ".join(" ".join(line.strip("│ ").split()) for line in lines)
    assert "Installation failed" in lines[0]
    assert fault.cause[:40] in joined, "the cause, as the pipeline said it"
    assert fault.advice_en in joined, "the advice"
    assert "diagnostics bundle" in joined and "Ctrl+D restart wizard" in lines[-1]
    guide = f"ERROR on Installing COS To Device {DISK}: stage {fault.stage} failed"
    if on_the_disk(fault):  # the guide's own words, so FAQ 5.3 is found
        assert guide in joined and "The install failed while" not in joined
    else:  # preflight refused the disk untouched, or the operator cancelled
        assert "ERROR on Installing" not in joined
    assert text.stage == fault.stage and text.device == DISK


def on_the_disk(fault: Fault) -> bool:
    """The faults the guide's line is for: a stage that writes to the disk, no cancel."""
    return fault.stage not in ("preflight", "media") and "cancelled" not in fault.cause


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_error_screen_in_chinese(zh, name):
    fault = FAULTS[name]
    h = failed(fault)
    lines = assert_fits(h)
    joined = "".join("".join(line.strip("│ ").split()) for line in lines)
    assert "安装失败" in lines[0]
    assert "".join(fault.advice_zh.split()) in joined
    assert "诊断信息包" in joined and "Ctrl+D 重新开始" in lines[-1]
    guide = f"ERROR on Installing COS To Device {DISK}: 安装COS到磁盘失败"
    assert (guide.replace(" ", "") in joined) is on_the_disk(fault)
    # only the pipeline's own cause and report stay English (they are quoted, not prose)
    quoted = " ".join(" ".join(q.split()) for q in (fault.cause, fault.hint, *details(h)))
    prose = [line for line in untranslated(lines) if english(line)[:20] not in quoted.lower()]
    assert not prose, prose


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_the_error_screen_and_the_cli_sentence_open_alike(name):
    """The wizard's first line and the CLI's sentence say the same up to the cause."""
    fault = FAULTS[name]
    h = failed(fault)
    what = h.app.view.failure.what
    sentence = StageError(fault.stage, DISK, fault.cause, fault.hint).sentence(fault.reset)
    if on_the_disk(fault):
        head = f"ERROR on Installing COS To Device {DISK}: stage {fault.stage} failed"
        assert what.startswith(head + " (") and sentence.startswith(f"{head}: {fault.cause}")
    else:
        assert sentence.startswith(f"Install failed at stage {fault.stage} on {DISK}: ")
        assert "ERROR" not in what


def english(line: str) -> str:
    """The row from its first Latin letter on (past the box, a dash, a Chinese label)."""
    return " ".join(re.sub(r"^[^A-Za-z]*", "", line.rstrip("│ ")).split()).lower()


def details(h: Harness) -> list[str]:
    return list(h.app.view.failure.details)


def test_action_keys_that_come_in_one_read_act_one_by_one():
    h = failed(FAULTS["reread-busy"])
    h.paste("xl")  # one input batch: the wizard takes it as a paste, the screen key by key
    assert h.app.view.showing_log
    h.paste("qq")
    assert not h.app.view.showing_log


def test_enter_and_esc_keep_the_error_screen_and_ctrl_d_restarts():
    h = failed(FAULTS["reread-busy"])
    h.press("enter", "esc")
    assert "Installation failed" in h.show()
    assert "will not boot" in h.app.keys.disk_state()
    h.press("ctrl d")
    assert h.step == "welcome" and "Welcome to the COS installer" in h.show()


def test_shell_from_the_error_screen_comes_back(monkeypatch, tmp_path, capfd):
    """`!` runs $SHELL on the terminal (here a script that leaves a mark) and returns."""
    mark = tmp_path / "ran"
    shell = tmp_path / "sh"
    shell.write_text(f"#!/bin/sh\necho shell-ran > {mark}\n")
    shell.chmod(0o755)
    monkeypatch.setenv("SHELL", str(shell))
    h = failed(FAULTS["mounted"])
    h.press("!")
    assert mark.read_text() == "shell-ran\n"
    assert "type exit to return to the installer" in capfd.readouterr().out
    assert "Installation failed" in h.show()

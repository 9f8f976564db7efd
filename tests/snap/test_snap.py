"""The diagnostics bundle: a failed dry run through the real wizard, engine and pipeline
leaves a bundle with the expected files and no secret; the CLI; missing tools; redaction."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from cos_installer.commands.wizard_engine import WizardEngine
from cos_installer.flow import Step
from cos_installer.support import bundle, installlog, redact
from tests.screens.conftest import Harness

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Pl41n-Secret-pw"
EXPECTED = {
    "install.log", "probe.json", installlog.CONFIG_NAME, "lsblk.txt", "blkid.txt", "ip-addr.txt",
    "ip-route.txt", "kernel-log.txt", "commands.txt",
}  # fmt: skip


def _unused_code(*texts: str) -> str:
    """An install code that appears nowhere on this machine yet (dmesg, addresses...), so
    finding it in the bundle can only mean it leaked."""
    seen = "\n".join(texts)
    return next(f"{n:04d}" for n in range(7391, 9999) if f"{n:04d}" not in seen)


def _machine_text() -> str:
    out = []
    for argv in (["dmesg"], ["ip", "addr"], ["ip", "route"], ["lsblk", "-J", "-O"], ["blkid"]):
        with contextlib.suppress(OSError):
            out.append(subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout)
    return "\n".join(out)


def members(path: str) -> dict[str, str]:
    with tarfile.open(path) as tar:
        return {
            Path(m.name).name: tar.extractfile(m).read().decode("utf-8", "replace")
            for m in tar.getmembers()
            if m.isfile()
        }


@pytest.fixture
def failed_dry_run(tmp_path):
    """The wizard on the demo profile, an agent install onto the install media (/dev/sdd):
    the dry-run pipeline's preflight refuses it."""
    log = tmp_path / "log" / "install.log"
    code = _unused_code(_machine_text(), str(tmp_path))
    engine = WizardEngine(dry_run=True, profile="demo", log_path=str(log))
    engine.snap_dir = str(tmp_path / "out")
    h = Harness(engine)
    agent = {
        "controllers": "192.168.122.170:80,192.168.122.171:80",
        "install_code": code,
        "network_model": "bridge",
    }
    answers = {
        "role": "agent", "agent": agent, "system": {"hostname": "node1", "password": PASSWORD},
        "network": {"interface": "eth0", "dhcp": False, "address": "192.168.122.103/24",
                    "gateway": "192.168.122.1", "dns": "192.168.122.1"},
        "disk": "/dev/sdd",
    }  # fmt: skip
    h.app.wizard.answers.update(answers)
    for step, patch, entered in [(Step.AGENT, {"agent": agent}, {}),
                                 (Step.SYSTEM, {"system": answers["system"]},
                                  {"password_again": PASSWORD})]:  # fmt: skip
        h.app.show(step)
        h.app.done(patch, **entered)  # logged as choices, like Enter on the screen
    h.app.show(Step.CONFIRM)
    config = h.app.facts.config
    assert config is not None, h.app.facts.config_errors
    h.confirm()
    assert h.app.install_state == "failed"
    return h, code, config.system.password_hash, log


def test_a_failed_dry_run_leaves_a_bundle_without_secrets(failed_dry_run):
    h, code, pw_hash, log = failed_dry_run
    screen = h.show()
    assert "Installation failed" in screen and "install media" in screen
    h.press("s")
    path = h.app.view.failure and h.app.view.bundle.text.split("Diagnostics bundle: ")[1]
    path = path.split("\n")[0].strip()
    assert os.path.exists(path) and path.endswith(".tar.gz")
    assert os.stat(path).st_mode & 0o077 == 0, "the bundle is private"
    files = members(path)
    assert set(files) >= EXPECTED, EXPECTED - set(files)
    # what a support engineer needs is there
    assert "[preflight] error: " in files["install.log"] and "install media" in files["install.log"]
    assert (
        "choice: agent: " in files["install.log"] and "probe: disk /dev/sdd" in files["install.log"]
    )
    assert '"path": "/dev/sdd"' in files["probe.json"]
    assert files[installlog.CONFIG_NAME].startswith("#cloud-config")
    assert "passwd: <redacted>" in files[installlog.CONFIG_NAME]
    assert "COS_INSTALL_CODE=<redacted>" in files[installlog.CONFIG_NAME]
    assert "lsblk" in files["commands.txt"] and "exit 0" in files["commands.txt"]
    # and no secret, in any file
    with open(path, "rb") as f:
        raw = f.read()
    for name, text in files.items():
        for secret in (PASSWORD, pw_hash, code):
            assert secret not in text, f"{secret!r} in {name}"
    assert PASSWORD.encode() not in raw
    # nor in what stays on the live system beside the log
    for kept in log.parent.iterdir():
        text = kept.read_text()
        for secret in (PASSWORD, pw_hash, code):
            assert secret not in text, f"{secret!r} in {kept}"


def test_error_screen_shows_the_log(failed_dry_run):
    h, _code, _hash, _log = failed_dry_run
    text = h.press("l")
    assert "[preflight] error:" in text and "Esc back to the error" in text
    assert "Installation failed" in h.press("esc")


def test_snap_command_prints_the_bundle_path(tmp_path):
    log = tmp_path / "install.log"
    log.write_text("2026-01-01T00:00:00Z [write] error: boom\n")
    proc = subprocess.run(
        [sys.executable, "-m", "cos_installer.cli", "snap", "--machine", "demo",
         "--log", str(log), "-o", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    path = proc.stdout.strip()
    assert Path(path).parent == tmp_path / "out"
    assert Path(path).name.startswith("cos-installer-snap-")
    files = members(path)
    assert files["install.log"].endswith("[write] error: boom\n")
    assert set(files) >= {"probe.json", "commands.txt", "ip-addr.txt"}


def test_missing_tools_are_recorded_not_fatal(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {**os.environ, "PATH": str(empty)}
    proc = subprocess.run(
        [sys.executable, "-m", "cos_installer.cli", "snap", "--machine", "demo",
         "--log", str(tmp_path / "none.log"), "-o", str(tmp_path)],
        capture_output=True, text=True, timeout=60, cwd=ROOT, env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    files = members(proc.stdout.strip())
    notes = files["commands.txt"]
    assert "lsblk -J -O: not run: lsblk is not installed" in notes
    assert "install.log: not found at" in notes
    assert "probe.json" in files
    assert (
        files["lsblk.txt"] == "# no output: lsblk -o NAME,KNAME,SIZE,TYPE,FSTYPE,LABEL,"
        "MOUNTPOINT,MODEL,SERIAL,TRAN,RO,RM,HOTPLUG: not run: lsblk is not installed\n"
    )


def test_a_command_that_prints_nothing_still_has_its_member(tmp_path, monkeypatch):
    """A fresh machine's `blkid` prints nothing (no signatures): the bundle says so."""
    monkeypatch.setattr(
        bundle,
        "COMMANDS",
        [("blkid.txt", [["true"]]), ("kernel-log.txt", [["false"], ["echo", "x"]])],
    )
    files = bundle.collect(str(tmp_path / "none.log"), "demo")
    assert files["blkid.txt"].startswith("# no output: true: exit 0 in ")
    assert files["kernel-log.txt"] == "x\n", "the first candidate that printed something"


def test_snap_command_reports_an_unwritable_directory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    proc = subprocess.run(
        [sys.executable, "-m", "cos_installer.cli", "snap", "--machine", "demo",
         "--log", str(tmp_path / "none.log"), "-o", str(blocker / "sub")],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "cannot write the bundle" in proc.stderr and "Traceback" not in proc.stderr


def test_a_command_that_hangs_is_cut_at_its_timeout():
    out, line = bundle._run(["sleep", "5"], timeout=0.2)
    assert out == "" and "timed out after 0 s" in line


def test_redact():
    pw_hash = "$6$saltsalt$" + "x" * 86
    text = (
        "#cloud-config\nusers:\n  - name: cos\n    passwd: " + pw_hash + "\n"
        "COS_INSTALL_CODE=8070\n  install_code: 8070\nlog: hash " + pw_hash + " here\n"
        "my password is hunter22\n"
    )
    out = redact.redact(text, ["hunter22"])
    assert pw_hash not in out and "8070" not in out and "hunter22" not in out
    assert "passwd: <redacted>" in out and "COS_INSTALL_CODE=<redacted>" in out
    assert out.startswith("#cloud-config\nusers:\n  - name: cos\n")

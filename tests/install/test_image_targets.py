"""An image file is a target only when named with `install --target FILE`: `disk:` in an
answers or fleet file (and the wizard, and the data disk) names block devices only, and an
existing file is written only when it is empty, already a disk image, or with --force."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cos_installer.install.backends import BackendError, open_backend
from cos_installer.install.backends.image import check_image_file
from tests.install.conftest import answers_file, partition_table, run_cli, sh

FLEET = """system: {password: "cos-e2e-1"}
network: {interface: eth0, dhcp: false, gateway: 192.168.122.1, dns: 192.168.122.1}
disk: /dev/sda
agent: {controllers: "192.168.122.170:80", install_code: "8070", network_model: bridge}
hosts:
  - match: {mac: "52:54:00:c0:50:01"}
    role: agent
    system: {hostname: node1}
    network: {address: 192.168.122.173/24}
    disk: %s
"""


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def database(tmp_path: Path, size: int = 4 << 20) -> str:
    """A regular file full of data (a database, a backup) that must never be erased."""
    path = tmp_path / "pg-main.db"
    path.write_bytes(os.urandom(size))
    return str(path)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cos_installer.cli", *args],
                          capture_output=True, text=True, timeout=60)  # fmt: skip


def test_a_regular_file_as_disk_in_answers_or_fleet_is_refused(tmp_path):
    db = database(tmp_path)
    digest = sha256(db)
    answers = answers_file(tmp_path, disk=db)
    shown = repr(db) if len(repr(db)) <= 40 else repr(db)[:37] + "...'"  # shortened when long
    expected = (
        f"disk: {shown} is a regular file, not a block device: expected a whole disk such as "
        "/dev/sda (an image file is named only with install --target FILE)"
    )
    for argv in (
        ["install", "--answers", answers, "--yes", "--image", db],
        ["install", "--answers", answers, "--dry-run", "--machine", "demo"],
        ["check-answers", answers],
        ["render", "--answers", answers],
    ):
        proc = cli(*argv)
        assert proc.returncode == 2, (argv, proc.stderr)
        assert f"{answers}: {expected}" in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(FLEET % db)
    proc = cli("install", "--answers", str(fleet), "--machine", "demo", "--dry-run")
    assert proc.returncode == 2, proc.stderr
    assert f"{fleet} hosts[0] (node1): {expected}" in proc.stderr
    data = Path(answers_file(tmp_path, disk="/dev/sda", data_disk=db))
    proc = cli("check-answers", str(data))
    assert proc.returncode == 2 and f"data_disk: {shown} is a regular file" in proc.stderr
    assert sha256(db) == digest


def test_size_and_force_need_an_image_file_on_the_command_line(tmp_path):
    answers = answers_file(tmp_path, disk=str(tmp_path / "new.img"))
    for flag in (["--size", "128M"], ["--force"]):
        proc = run_cli("--answers", answers, "--yes", *flag)
        assert proc.returncode == 2, proc.stderr
        assert f"{flag[0]} applies to an image file named with --target FILE" in proc.stderr
    assert not (tmp_path / "new.img").exists()


def test_the_wizard_and_the_data_disk_never_open_a_regular_file(tmp_path):
    """Their backends come from open_backend without image_file (screens/engine.py and
    backends.open_data_disk): a file that appeared at the disk's path is refused."""
    db = database(tmp_path, 4096)
    for dry_run in (False, True):
        with pytest.raises(BackendError) as err:
            open_backend(db, dry_run=dry_run)
        assert err.value.cause == f"{db} is a regular file, not a block device"
    with pytest.raises(BackendError, match="does not exist"):
        open_backend(str(tmp_path / "absent"), create_size=1 << 20)
    assert not (tmp_path / "absent").exists()


def headed(tmp_path: Path, name: str, at: int, signature: bytes) -> str:
    path = tmp_path / name
    content = bytearray(os.urandom(8192))
    content[at : at + len(signature)] = signature
    path.write_bytes(bytes(content))
    return str(path)


def test_what_an_existing_image_file_may_hold(tmp_path):
    empty = tmp_path / "empty.img"
    empty.write_bytes(b"")
    sparse = tmp_path / "sparse.img"
    sparse.write_bytes(b"")
    os.truncate(sparse, 64 << 20)
    for path in (
        str(empty),
        str(sparse),
        headed(tmp_path, "mbr.img", 510, b"\x55\xaa"),
        headed(tmp_path, "gpt512.img", 512, b"EFI PART"),
        headed(tmp_path, "gpt4k.img", 4096, b"EFI PART"),
    ):
        check_image_file(path)  # accepted
    for path in (
        database(tmp_path),
        headed(tmp_path, "almost.img", 511, b"\x55\xaa"),
        headed(tmp_path, "gpt-elsewhere.img", 1024, b"EFI PART"),
    ):
        with pytest.raises(BackendError) as err:
            check_image_file(path)
        assert "with data but no partition table at its start" in err.value.cause
        assert "run again with --force to overwrite it" in err.value.hint
        check_image_file(path, force=True)


@pytest.mark.realparts
def test_target_file_with_data_needs_force(payload, loops, tmp_path):
    image = database(tmp_path, 128 << 20)
    loops.files.append(image)
    digest = sha256(image)
    answers = answers_file(tmp_path, disk="/dev/sda")
    argv = ["--answers", answers, "--target", image, "--image", payload, "--yes"]
    argv += ["--log", str(tmp_path / "install.log")]
    for extra in ([], ["--dry-run"]):  # the dry run refuses what the real run refuses
        proc = run_cli(*argv, *extra)
        assert proc.returncode == 2, proc.stderr
        assert f"{image} is a regular file with data but no partition table" in proc.stderr
        assert "run again with --force to overwrite it" in proc.stderr
        assert sha256(image) == digest and loops.attached_to(image) == []
    proc = run_cli(*argv, "--force")
    assert proc.returncode == 0, proc.stderr
    assert partition_table(image) is not None and loops.attached_to(image) == []


@pytest.mark.realparts
@pytest.mark.parametrize("start", ["sparse", "gpt", "mbr"])
def test_target_file_that_is_empty_or_a_disk_image_is_written(payload, loops, tmp_path, start):
    image = loops.file(128, "vm.img")
    if start != "sparse":
        with open(image, "r+b") as f:  # old data after the partition table
            f.seek(1 << 20)
            f.write(os.urandom(1 << 20))
        label = "gpt" if start == "gpt" else "dos"
        sh("sfdisk", "--quiet", image, input=f"label: {label}\nsize=8MiB, type=L\n")
    answers = answers_file(tmp_path, disk="/dev/sda")
    proc = run_cli("--answers", answers, "--target", image, "--image", payload, "--yes",
                   "--log", str(tmp_path / "install.log"))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert [p["name"] for p in partition_table(image) or []][-1:] == ["ROOT"]

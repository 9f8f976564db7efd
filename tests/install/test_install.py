"""Installs onto real loop devices and image files, checked from the outside afterwards."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

from cos_installer.answers.loader import load_answers
from cos_installer.install.backends import BlockDeviceBackend, open_backend
from cos_installer.install.pipeline import run_install
from cos_installer.render.config import render_config
from tests.install.conftest import (
    INSTALL_CODE,
    PASSWORD,
    Events,
    answers_file,
    make_old_table,
    no_signatures,
    partition_table,
    read_root_file,
    run_cli,
    sh,
)

USER_DATA = "/var/lib/coreos-install/user_data"


def test_cli_installs_into_a_new_image_file(payload, payload_table, loops, tmp_path):
    image = str(tmp_path / "vm.img")
    answers = answers_file(tmp_path, disk="/dev/sda")  # an image file only with --target
    log = tmp_path / "install.log"
    loops.files.append(image)  # cleanup checks that no loop device stays attached to it
    proc = run_cli(
        "--answers", answers, "--target", image, "--size", "128M", "--image", payload,
        "--yes", "--log", str(log),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert os.path.getsize(image) == 128 << 20
    assert loops.attached_to(image) == []  # the image file backend detached its loop device
    assert partition_table(image) == payload_table
    content, mode, dir_mode = read_root_file(image, USER_DATA)
    assert content.decode() == render_config(load_answers(answers))
    assert (mode, dir_mode) == ("0600", "0700")
    assert re.search(r"\[write\] +\d+%.*MB/s.*ETA", proc.stderr), proc.stderr
    assert "[finish] finished: COS installed on /dev/loop" in log.read_text()
    redacted, mode, _ = read_root_file(image, "/var/log/cos-installer/answers.yaml")
    assert b"<redacted>" in redacted and mode == "0600"
    assert_next_steps_follow_success(proc.stderr, load_answers(answers))


def assert_next_steps_follow_success(stderr: str, config) -> None:
    """The guide's post-install steps for the role come last on stderr, after the success line,
    each command whole on its own line (the agent sample: bridge, no data disk)."""
    from cos_installer.render.nextsteps import plain_text, steps_of

    success = stderr.index("COS installed on ")
    steps = stderr.index("Next steps (sections of the install guide in brackets):")
    assert success < steps and stderr.endswith(plain_text(steps_of(config, every_command=True))), (
        stderr
    )
    tail = stderr[steps:]
    assert "\n      net-plugin ip-range --ip-start=<first IP>/24 --ip-end=<last IP>/24\n" in tail
    assert "do not reboot it" in tail and "move it to XFS (3.5)" in tail
    assert "172.17.0.1/16" not in tail, "the Ipvlan range is for Ipvlan agents only"


def test_api_installs_onto_a_loop_device_with_a_data_disk(payload, payload_table, loops, tmp_path):
    disk, data = loops.device(128), loops.device(320)  # XFS needs 300 MB
    config = load_answers(answers_file(tmp_path, disk=disk, data_disk=data))
    events = Events()
    result = run_install(
        config, backend=open_backend(disk), payload=payload, listener=events,
        log_path=str(tmp_path / "log"),
    )  # fmt: skip
    assert result.ok, result.message
    assert result.stage == "finished" and result.root == f"{disk}p3"
    assert partition_table(disk) == payload_table
    content, mode, _ = read_root_file(disk, USER_DATA)
    assert content.decode() == result.user_data == render_config(config)
    assert "COSDATA" in result.user_data and mode == "0600"
    assert sh("blkid", "-p", "-o", "value", "-s", "TYPE", f"{data}p1").stdout.strip() == "xfs"
    assert sh("blkid", "-p", "-o", "value", "-s", "LABEL", f"{data}p1").stdout.strip() == "COSDATA"
    stages = [e.stage for e in events.kinds("stage-end")]
    assert stages == ["preflight", "wipe", "write", "reread", "config", "data-disk", "finish"]
    progress = events.kinds("progress")
    assert progress and progress[-1].done == progress[-1].total == 64 << 20
    assert events[-1].kind == "finished"


def test_install_replaces_an_old_busy_looking_table(payload, payload_table, loops, tmp_path):
    """Old partitions registered with the kernel are replaced by the image's (partx -u)."""
    disk = loops.device(128)
    make_old_table(disk, 5)
    config = load_answers(answers_file(tmp_path, disk=disk))
    result = run_install(config, backend=open_backend(disk), payload=payload, listener=Events())
    assert result.ok, result.message
    names = sorted(n for n in os.listdir("/sys/class/block") if n.startswith(disk[5:] + "p"))
    assert names == [f"{disk[5:]}p{i}" for i in (1, 2, 3)]
    assert partition_table(disk) == payload_table


def test_dry_run_plans_and_touches_nothing(payload, loops, tmp_path):
    disk = loops.device(128)
    before = sh("sha256sum", loops.files[-1]).stdout.split()[0]
    answers = answers_file(tmp_path, disk=disk, data_disk="/dev/sdz")
    proc = run_cli("--answers", answers, "--target", disk, "--image", payload, "--dry-run")
    assert proc.returncode == 0, proc.stderr
    plan = proc.stdout
    assert f"wipe signatures on {disk} (start and end)" in plan
    assert f"write cos-image.raw.zst (zstd, 64.0 MiB) to {disk}, verify sha256" in plan
    assert "write /var/lib/coreos-install/user_data (0600, the cloud-config)" in plan
    assert "make an XFS filesystem labelled COSDATA" in plan
    assert "Next steps" not in proc.stderr, "a dry run installed nothing to follow up"
    assert sh("sha256sum", loops.files[-1]).stdout.split()[0] == before


def test_dry_run_with_a_data_disk_counts_the_steps_it_lists(tmp_path):
    """The count covers both disks' steps, as the list does (the demo profile: no root)."""
    answers = answers_file(tmp_path, disk="/dev/sda", data_disk="/dev/sdb")
    proc = run_cli("--answers", answers, "--machine", "demo", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    listed = re.findall(r"(?m)^ *(\d+)\. (.*)$", proc.stdout)
    assert [int(n) for n, _line in listed] == list(range(1, len(listed) + 1))
    assert any("/dev/sdb" in line for _n, line in listed), proc.stdout
    counted = re.search(r"Dry run: nothing was written; (\d+) steps planned\.", proc.stderr)
    assert counted and int(counted.group(1)) == len(listed), (proc.stderr, proc.stdout)


def test_dry_run_without_a_payload_names_the_media_image(tmp_path):
    config = load_answers(answers_file(tmp_path, disk="/dev/sda"))
    backend = open_backend("/dev/sda", dry_run=True)
    result = run_install(config, backend=backend, payload=None, listener=Events())
    assert result.ok, result.message
    assert "OS image: none given, would use the install media's cos/cos-image.raw.zst" in (
        result.plan
    )
    assert result.user_data == render_config(config)


def test_secrets_reach_no_log_and_no_output(payload, loops, tmp_path):
    disk = loops.device(128)
    answers = answers_file(tmp_path, disk=disk, plain=True)
    log = tmp_path / "install.log"
    seen = []
    for extra in (["--dry-run", "--json"], ["--yes", "--json"]):
        proc = run_cli(
            "--answers", answers, "--target", disk, "--image", payload, "--log", str(log), *extra
        )
        assert proc.returncode == 0, proc.stderr
        seen += [proc.stdout, proc.stderr]
    seen.append(log.read_text())
    seen += [read_root_file(disk, p)[0].decode() for p in (
        "/var/log/cos-installer/answers.yaml", "/var/log/cos-installer/install.log")]  # fmt: skip
    for text in seen:
        assert PASSWORD not in text
        assert not re.search(rf"(?<!\d){INSTALL_CODE}(?!\d)", text), text
    user_data = read_root_file(disk, USER_DATA)[0].decode()
    assert PASSWORD not in user_data and "$6$" in user_data


def test_target_that_is_a_partition_is_refused(payload, loops, tmp_path):
    disk = loops.device(128)
    make_old_table(disk, 2)
    config = load_answers(answers_file(tmp_path, disk=f"{disk}p1"))
    config = dataclasses.replace(config, disk=f"{disk}p1")
    result = run_install(
        config, backend=BlockDeviceBackend(f"{disk}p1"), payload=payload, listener=Events()
    )
    assert not result.ok and result.stage == "preflight"
    assert f"{disk}p1 is a partition, not a whole disk" in result.message
    assert f"choose the whole disk {disk}" in result.message
    assert partition_table(disk) is not None  # untouched


def test_invalid_input_exits_2_with_the_key_path(tmp_path):
    bad = Path(answers_file(tmp_path, disk="/dev/sda"))
    bad.write_text(bad.read_text().replace('install_code: "6271"', "install_code: 12"))
    proc = run_cli("--answers", str(bad), "--target", "/dev/sda", "--dry-run")
    assert proc.returncode == 2 and "agent.install_code" in proc.stderr, proc.stderr
    good = answers_file(tmp_path, disk="/dev/sda")
    proc = run_cli("--answers", good, "--target", str(tmp_path / "absent.img"), "--yes")
    assert proc.returncode == 2
    assert "absent.img does not exist; name a disk (/dev/sdX) or give --size" in proc.stderr
    proc = run_cli("--answers", good, "--target", "x.img", "--size", "lots", "--yes")
    assert proc.returncode == 2 and "--size: 'lots' is not a size" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_without_yes_and_without_a_terminal_nothing_is_erased(payload, loops, tmp_path):
    disk = loops.device(128)
    answers = answers_file(tmp_path, disk=disk)
    proc = run_cli("--answers", answers, "--target", disk, "--image", payload)
    assert proc.returncode == 2
    assert f"refusing to erase {disk}, 128.0 MiB without --yes" in proc.stderr
    assert partition_table(disk) is None and no_signatures(disk)


def test_config_that_does_not_render_stops_preflight(payload, loops, tmp_path):
    disk = loops.device(128)
    config = load_answers(answers_file(tmp_path, disk=disk))
    bad_nic = dataclasses.replace(config.network, interfaces=["eth0\nx"])
    result = run_install(
        dataclasses.replace(config, network=bad_nic), backend=open_backend(disk),
        payload=payload, listener=Events(),
    )  # fmt: skip
    assert not result.ok and result.stage == "preflight"
    assert "the configuration does not render: a systemd setting cannot be multi-line" in (
        result.message
    )
    assert "no disk was changed" in result.message


def test_data_disk_must_not_be_the_os_disk(payload, loops, tmp_path):
    disk = loops.device(128)
    config = load_answers(answers_file(tmp_path, disk=disk))
    config = dataclasses.replace(config, data_disk=disk)  # the wizard's config, not a file
    result = run_install(config, backend=open_backend(disk), payload=payload, listener=Events())
    assert not result.ok and result.stage == "preflight"
    assert "the data disk is the OS disk" in result.message


def _on_a_terminal(argv: list[str], answer: str, ahead: bytes = b"") -> tuple[int, str]:
    """Run the CLI with a pty as its terminal; type `answer` at the confirmation prompt (and
    `ahead` before it is shown)."""
    import select
    import subprocess
    import sys

    master, slave = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cos_installer.cli", "install", *argv],
        stdin=slave, stdout=slave, stderr=slave, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    os.write(master, ahead)
    seen, answered = b"", False
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 30)
            assert ready, seen.decode(errors="replace")
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            if not answered and b"Type 'yes' to install:" in seen:
                os.write(master, answer.encode() + b"\n")
                answered = True
    finally:
        os.close(master)
    return proc.wait(timeout=60), seen.decode(errors="replace")


def test_confirmation_on_the_terminal_names_the_disk(payload, loops, tmp_path):
    disk = loops.device(128)
    argv = ["--answers", answers_file(tmp_path, disk=disk), "--target", disk, "--image", payload]
    argv += ["--log", str(tmp_path / "log")]
    rc, text = _on_a_terminal(argv, "no")
    assert f"ALL DATA ON {disk}, 128.0 MiB WILL BE ERASED" in text
    assert rc == 2 and partition_table(disk) is None
    rc, text = _on_a_terminal(argv, "yes")
    assert rc == 0, text
    assert "\r[write]" in text  # progress redraws one line on a terminal
    assert partition_table(disk) is not None


def test_yes_typed_before_the_question_is_no_answer_to_it(payload, loops, tmp_path):
    disk = loops.device(128)
    argv = ["--answers", answers_file(tmp_path, disk=disk), "--target", disk, "--image", payload]
    rc, text = _on_a_terminal(argv + ["--log", str(tmp_path / "log")], "no", ahead=b"yes\n")
    assert "WILL BE ERASED" in text
    assert rc == 2 and partition_table(disk) is None, "the typed-ahead yes erased the disk"


def test_data_disk_too_small_for_xfs_is_refused_before_any_write(payload, loops, tmp_path):
    disk, data = loops.device(128), loops.device(64)
    make_old_table(disk, 2)
    before = partition_table(disk)
    config = load_answers(answers_file(tmp_path, disk=disk, data_disk=data))
    result = run_install(config, backend=open_backend(disk), payload=payload, listener=Events())
    assert not result.ok and result.stage == "preflight" and result.device == data
    assert f"the data disk is too small: {data} has 64.0 MiB, XFS needs 286.1 MiB" in (
        result.message
    )
    assert partition_table(disk) == before  # the OS disk was not touched either

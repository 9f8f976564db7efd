"""Install events from real installs (issue 15): the CLI on a loop device reports to a real
HTTP receiver on 127.0.0.1 with no secret in any body; a black-holed report server neither
slows nor fails the install; hostile report URLs are refused before anything is written."""

from __future__ import annotations

import re
import threading

import pytest

from cos_installer.answers.loader import load_answers
from cos_installer.install.reporting import ReportTarget
from cos_installer.install.session import Session
from cos_installer.install.stages import TITLES
from cos_installer.support.report import Sender
from tests.events.receiver import BlackHole, receiver
from tests.install.conftest import (
    INSTALL_CODE,
    PASSWORD,
    answers_file,
    partition_table,
    run_cli,
    sh,
)


def with_report(answers: str, url: str) -> str:
    with open(answers, "a") as f:
        f.write(f"report: {url}\n")
    return answers


def no_kernel_option(tmp_path) -> str:
    cmdline = tmp_path / "cmdline"
    cmdline.write_text("boot=live quiet\n")
    return str(cmdline)


def test_an_install_reports_each_stage_and_done_with_no_secret(payload, loops, tmp_path):
    disk = loops.device(128)
    log = tmp_path / "install.log"
    with receiver() as server:
        answers = with_report(answers_file(tmp_path, disk=disk, plain=True), server.url)
        proc = run_cli("--answers", answers, "--target", disk, "--image", payload, "--yes",
                       "--log", str(log), "--cmdline", no_kernel_option(tmp_path))  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        bodies, events = list(server.bodies), server.wait_for(8)
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "started" and kinds[-1] == "done", kinds
    stages = [e["stage"] for e in events if e["kind"] == "stage"]
    assert stages == [s for s in TITLES if s != "data-disk"]
    assert [e["seq"] for e in events] == list(range(len(events)))
    assert all(6 <= e["percent"] <= 95 for e in events if e["kind"] == "progress")
    assert events[-1]["percent"] == 100 and events[0]["host"]["hostname"] == "node1"
    assert f"events: sent to {server.url} (report: in the answers)" in log.read_text()
    assert bodies
    for body in bodies:  # every byte the server received
        text = body.decode()
        assert PASSWORD not in text and "$6$" not in text
        assert not re.search(rf"(?<!\d){INSTALL_CODE}(?!\d)", text), text
        assert "install_code" not in text and "password" not in text


class Waits:
    """The backoff wait as the tests inject it: time never passes until close."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, stop: threading.Event, seconds: float) -> None:
        self.count += 1
        stop.wait()


def test_a_black_holed_report_server_neither_slows_nor_fails_the_install(
    payload, payload_table, loops, tmp_path
):
    disk = loops.device(128)
    log = tmp_path / "install.log"
    config = load_answers(answers_file(tmp_path, disk=disk))
    hole, senders = BlackHole(), []

    def sender(url, note):
        senders.append(Sender(url, note, wait=Waits(), timeout=0.5))
        return senders[-1]

    try:
        session = Session(config, dry_run=False, payload=payload, log_path=str(log),
                          report=ReportTarget(hole.url, "--report"), sender=sender)  # fmt: skip
        session.open()
        result = session.run(lambda event: None)
    finally:
        hole.close()
    assert result.ok, result.message
    assert partition_table(disk) == payload_table
    assert senders[0].attempts <= 2 and hole.accepted <= 2  # one while installing, one at close
    text = log.read_text()
    assert re.search(rf"events: \d+ stage events not sent to {re.escape(hole.url)}", text), text
    assert re.search(r"events: 1 done event not sent to .*timed out", text), text
    assert session.report_lines and all(line in text for line in session.report_lines)


def test_the_kernel_option_wins_over_the_answers_and_the_log_says_so(tmp_path):
    answers_plain = answers_file(tmp_path, disk="/dev/sda")
    with receiver() as kernel, receiver() as answered:
        answers = with_report(answers_plain, answered.url)
        cmdline = tmp_path / "cmdline"
        cmdline.write_text(f"boot=live cos.report={kernel.url} BOOTIF=01-52-54-00-aa-bb-cc\n")
        log = tmp_path / "dry.log"
        proc = run_cli("--answers", answers, "--machine", "demo", "--dry-run", "--log",
                       str(log), "--cmdline", str(cmdline))  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        events = kernel.wait_for(2)
        assert answered.bodies == []
    assert events[0]["host"]["mac"][0] == "52:54:00:aa:bb:cc"  # BOOTIF first
    assert "(cos.report= on the kernel command line)" in log.read_text()


HOSTILE = ["file:///etc/passwd", "javascript:alert(1)", "http://admin:hunter2@10.0.0.1/e",
           "http://10.0.0.1/e\x1b]0;pwned\x07", "http://10.0.0.1/" + "a" * 10240]  # fmt: skip


@pytest.mark.parametrize("url", HOSTILE)
def test_a_hostile_report_url_is_exit_2_naming_where_it_came_from(url, tmp_path):
    answers = answers_file(tmp_path, disk="/dev/sda")
    cmdline = no_kernel_option(tmp_path)
    common = ("--machine", "demo", "--dry-run", "--cmdline")
    proc = run_cli("--answers", answers, *common, cmdline, "--report", url)
    assert proc.returncode == 2 and proc.stderr.startswith("cos-installer install: --report: ")
    bad_kernel = tmp_path / "bad-cmdline"
    bad_kernel.write_text(f"boot=live cos.report={url}\n")
    proc2 = run_cli("--answers", answers, *common, str(bad_kernel))
    assert proc2.returncode == 2 and "cos-installer install: cos.report: " in proc2.stderr
    proc3 = run_cli("--answers", with_report(answers, f'"{url}"' if "\x1b" not in url else
                    '"http://10.0.0.1/e\\e]0;pwned\\a"'), *common, cmdline)  # fmt: skip
    assert proc3.returncode == 2 and "answers.yaml: report: " in proc3.stderr, proc3.stderr
    for out in (proc, proc2, proc3):
        assert "Traceback" not in out.stderr and "hunter2" not in out.stderr
        assert "\x1b" not in out.stderr and len(out.stderr) < 2000
        assert "Plan (dry run" not in out.stdout


def test_nothing_is_written_when_the_report_url_is_refused(payload, loops, tmp_path):
    disk = loops.device(128)
    before = sh("sha256sum", loops.files[-1]).stdout.split()[0]
    answers = answers_file(tmp_path, disk=disk)
    proc = run_cli(
        "--answers",
        answers,
        "--target",
        disk,
        "--image",
        payload,
        "--yes",
        "--report",
        "file:///etc/passwd",
        "--cmdline",
        no_kernel_option(tmp_path),
    )
    assert proc.returncode == 2, proc.stderr
    assert sh("sha256sum", loops.files[-1]).stdout.split()[0] == before


def test_a_refused_report_url_fails_nothing_and_the_log_says_what_was_not_sent(tmp_path):
    """The CLI as shipped (real waits and timeouts): nothing listens on the port."""
    from tests.events.receiver import refused_url

    url = refused_url()
    log = tmp_path / "dry.log"
    proc = run_cli("--answers", answers_file(tmp_path, disk="/dev/sda"), "--machine", "demo",
                   "--dry-run", "--log", str(log), "--report", url,
                   "--cmdline", no_kernel_option(tmp_path))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    text = log.read_text()
    assert re.search(rf"events: 1 done event not sent to {re.escape(url)}: .*refused", text), text
    assert re.search(rf"events: \d+ stage events not sent to {re.escape(url)}", text), text
    assert "events: 1 started event not sent" in text

"""The pipeline's events as wire events (install.reporting), through the one Session both
front ends use, to a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from cos_installer.answers.loader import load_answers
from cos_installer.install.reporting import SPANS, Reporter, ReportTarget, choose_target
from cos_installer.install.session import Session
from cos_installer.install.stages import TITLES
from cos_installer.support import advice
from cos_installer.support.events import Event
from cos_installer.support.eventwire import check_event, host_identity
from tests.events.receiver import receiver

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "cos_installer" / "samples" / "agent-bridge.yaml"


class Queued(list):
    """Stands in for the Sender where only what is queued matters (no network)."""

    shown = "http://test/events"

    def put(self, event: dict) -> None:
        self.append(check_event(dict(event)))


def test_every_stage_has_a_share_of_the_percent():
    assert list(SPANS) == list(TITLES)
    ends = [SPANS[s] for s in TITLES]
    assert ends[0][0] == 0 and ends[-1][1] == 100
    assert all(a[1] == b[0] for a, b in zip(ends, ends[1:], strict=False))


def test_a_dry_run_reports_started_each_stage_in_order_and_done(tmp_path):
    config = load_answers(SAMPLE)
    log = tmp_path / "install.log"
    with receiver() as server:
        target = ReportTarget(server.url, "--report")
        session = Session(config, dry_run=True, log_path=str(log), report=target)
        result = session.run(lambda event: None)
        assert result.ok, result.message
        events = server.wait_for(8)
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "started" and kinds[-1] == "done" and set(kinds[1:-1]) == {"stage"}
    stages = [e["stage"] for e in events if e["kind"] == "stage"]
    assert stages == [s for s in TITLES if s != "data-disk"]  # the sample has no data disk
    assert all(e["stage_title"] == TITLES[e["stage"]] for e in events if e["stage"])
    assert [e["seq"] for e in events] == list(range(len(events)))
    assert len({e["run"] for e in events}) == 1
    percents = [e["percent"] for e in events]
    assert percents == sorted(percents) and percents[-1] == 100
    assert events[0]["host"]["hostname"] == "node1" and events[0]["host"]["role"] == "agent"
    assert f"events: sent to {server.url} (--report)" in log.read_text()
    assert session.report_lines == []


def test_progress_is_at_most_one_per_two_seconds_over_a_long_write():
    clock = [0.0]
    queued = Queued()
    reporter = Reporter(queued, host_identity("n"), clock=lambda: clock[0], now=lambda: 0.0)
    reporter(Event("stage-start", "write", TITLES["write"]))
    total = 10_000
    for done in range(1, total + 1):  # 100 s of writing, an event every 10 ms
        clock[0] += 0.01
        reporter(Event("progress", "write", "", done * 4096, total * 4096))
    progress = [e for e in queued if e["kind"] == "progress"]
    assert 49 <= len(progress) <= 51  # 100 s / 2 s, never more
    percents = [e["percent"] for e in progress]
    assert percents == sorted(percents) and percents[0] >= 6 and percents[-1] <= 95


def test_a_failure_carries_the_cause_and_hint_the_error_screen_shows(tmp_path):
    config = load_answers(SAMPLE)
    queued = Queued()
    session = Session(config, dry_run=True, payload=str(tmp_path / "absent.raw.zst"),
                      report=ReportTarget("http://test/events", "--report"),
                      sender=lambda url, log: _closing(queued))  # fmt: skip
    result = session.run(lambda event: None)
    assert not result.ok
    screen = advice.from_result(result, config.disk)  # what screens/progress shows
    failed = queued[-1]
    assert failed["kind"] == "failed" and failed["stage"] == result.stage == "preflight"
    assert (failed["cause"], failed["hint"]) == (screen.cause, screen.hint)
    assert failed["cause"] and failed["message"] == screen.what


def test_a_disk_that_cannot_be_opened_is_reported_as_the_error_screen_says(tmp_path):
    config = load_answers(SAMPLE)
    queued = Queued()
    session = Session(config, dry_run=False, report=ReportTarget("http://t/e", "--report"),
                      sender=lambda url, log: _closing(queued))  # fmt: skip
    with pytest.raises(Exception) as caught:
        session.open(str(tmp_path / "absent.img"))
    screen = advice.from_result(caught.value, str(tmp_path / "absent.img"))
    assert [e["kind"] for e in queued] == ["started", "failed"]
    assert (queued[-1]["cause"], queued[-1]["hint"]) == (screen.cause, screen.hint)


def test_the_flag_wins_over_the_kernel_which_wins_over_the_answers():
    assert choose_target("http://a/e", "http://k/e", "http://f/e").url == "http://a/e"
    chosen = choose_target(None, "http://k/e", "http://f/e", "52:54:00:00:00:01")
    assert chosen.url == "http://k/e" and chosen.source.startswith("cos.report=")
    assert choose_target(None, "", "http://f/e").source == "report: in the answers"
    assert choose_target(None, "", "") is None


def _closing(queued: Queued) -> Queued:
    queued.close = lambda: []  # type: ignore[attr-defined]
    return queued


def test_the_url_used_is_the_one_the_installed_system_reports_its_first_boot_to():
    config = load_answers(SAMPLE)
    assert config.report == ""
    session = Session(config, dry_run=True, report=ReportTarget("http://k:1/e", "cos.report="))
    assert "\n      URL=http://k:1/e\n" in session.render()
    assert "cos-report-firstboot" not in Session(config, dry_run=True).render()


def test_the_wizard_engine_reports_through_the_same_session(tmp_path):
    """The wizard's install (WizardEngine.run_install) takes cos.report= from the kernel
    command line, as `install` does, over the answers' report:."""
    import threading

    from cos_installer.commands.wizard_engine import WizardEngine

    with receiver() as server:
        cmdline = tmp_path / "cmdline"
        cmdline.write_text(f"boot=live cos.report={server.url}\n")
        engine = WizardEngine(dry_run=True, profile="demo", log_path=str(tmp_path / "w.log"),
                              cmdline=str(cmdline))  # fmt: skip
        config = load_answers(SAMPLE)
        result = engine.run_install(config, listener=lambda e: None, cancel=threading.Event(),
                                    machine=engine.open_machine(), payload=None)  # fmt: skip
        assert result.ok, result.message
        events = server.wait_for(8)
    assert (events[0]["kind"], events[-1]["kind"]) == ("started", "done")
    assert "(cos.report= on the kernel command line)" in (tmp_path / "w.log").read_text()
    bad = tmp_path / "bad"
    bad.write_text("cos.report=file:///etc/passwd\n")
    engine = WizardEngine(dry_run=True, log_path=str(tmp_path / "b.log"), cmdline=str(bad))
    assert engine.report_target(config) is None  # said in the log, not fatal
    assert "events: cos.report: " in (tmp_path / "b.log").read_text()

"""App behaviour around the screens: terminal detection, a failed install, DHCP that
overruns its timeout, the install's event feed."""

from __future__ import annotations

import copy

import pytest
from cos_installer.screens import dhcp, theme

from cos_installer.support.events import Event

from .conftest import CONTROLLER_VALUES, FakeEngine, FakeMachine, Harness, _Result, at


@pytest.mark.parametrize(
    ("env", "ascii_only", "colours"),
    [
        ({"TERM": "linux", "LANG": "C.UTF-8"}, False, 16),
        ({"TERM": "xterm-256color", "LC_ALL": "en_US.UTF-8"}, False, 16),
        ({"TERM": "vt100", "LANG": "C.UTF-8"}, True, 1),
        ({"TERM": "vt220", "LANG": "C.UTF-8"}, True, 1),
        ({"TERM": "linux", "LANG": "C"}, True, 16),
        ({"TERM": "linux", "LANG": "en_US.ISO-8859-1"}, True, 16),
        ({"TERM": "vt220", "LANG": "C.UTF-8", "COS_COLOURS": "16"}, True, 16),  # serial, live ISO
        ({"TERM": "vt220", "COS_COLOURS": "16", "NO_COLOR": ""}, True, 1),
    ],
)
def test_terminal_detection(env, ascii_only, colours):
    assert theme.ascii_mode(env) is ascii_only
    assert theme.colour_count(env) == colours


class FailingEngine(FakeEngine):
    def run_install(self, config, *, listener, cancel, machine, payload, **disks):
        listener(Event("stage-start", stage="reread"))
        listener(Event("error", stage="reread", message="BLKRRPART failed: device busy"))
        return _Result(ok=False, stage="reread", message="re-reading /dev/sda failed: reboot")


def test_a_failed_install_says_so_with_the_guides_words_and_stays():
    h = Harness(FailingEngine(dry_run=False))
    h.app.wizard.answers.update(copy.deepcopy(CONTROLLER_VALUES))
    from cos_installer.flow import Step

    h.app.show(Step.CONFIRM)
    text = h.confirm()
    assert "ERROR on Installing COS To Device /dev/sda" in text
    assert "re-reading /dev/sda failed: reboot" in text
    assert "BLKRRPART failed: device busy" in text
    h.press("enter", "esc")
    assert h.step == "progress", "neither Enter nor Esc leaves a failed install"
    assert "will not boot" in h.app.keys.disk_state()


def test_progress_shows_percent_rate_and_time_left():
    h = at("confirm", CONTROLLER_VALUES)
    h.confirm()
    view = h.app.view
    view.on_event(Event("stage-start", stage="write"))
    view.on_event(Event("progress", stage="write", done=3 << 30, total=4 << 30,
                        rate=100 << 20, eta=75.0))  # fmt: skip
    text = h.show()
    assert "75 %" in text
    assert "3.0 GiB of 4.0 GiB   100.0 MiB/s   1:15 left" in text
    assert "Writing the COS image..." in text


def test_the_event_relay_collapses_runs_of_progress_events():
    from cos_installer.screens.relay import EventRelay

    class Work:
        sync = False

        class loop:  # noqa: N801 - stands in for MainLoop.call_from_thread
            calls: list = []

            @classmethod
            def call_from_thread(cls, fn):
                cls.calls.append(fn)

    got = []
    feed = EventRelay(Work, got.append)
    feed(Event("stage-start", stage="write"))
    for n in range(50):
        feed(Event("progress", stage="write", done=n, total=50))
    feed(Event("stage-end", stage="write"))
    assert len(Work.loop.calls) == 1, "one wake-up of the main loop for the whole burst"
    Work.loop.calls[0]()
    assert [e.kind for e in got] == ["stage-start", "progress", "stage-end"]
    assert got[1].done == 49


def test_dhcp_that_overruns_its_timeout_is_given_up():
    machine = FakeMachine()
    h = at("nic", CONTROLLER_VALUES, machine=machine)
    h.app.work.sync = False
    h.app.machine.dhcp = lambda interface, timeout: __import__("time").sleep(0.2)
    h.press("enter")
    assert h.step == "dhcp"
    dhcp.gave_up(h.app, "eth0")  # what the alarm at timeout + grace calls
    assert h.step == "address"
    assert "no DHCP answer on eth0 in 10 s" in h.show()

"""The background sender (support.report) against real HTTP on 127.0.0.1: retries, drops,
the queue's bound, and servers that refuse, never answer or never accept. Waits and clocks
are injected: the tests count attempts, never seconds."""

from __future__ import annotations

import threading

from cos_installer.install.stages import TITLES
from cos_installer.support.eventwire import host_identity, make_event
from cos_installer.support.report import Sender
from tests.events.receiver import BlackHole, NeverAccepts, receiver, refused_url

HOST = host_identity("node1", "agent", ["52:54:00:aa:bb:01"])


def ev(seq: int, kind: str = "stage") -> dict:
    stage = "write" if kind in ("stage", "progress") else ""
    return make_event(run="cd" * 16, seq=seq, kind=kind, host=HOST, now=1.0, stage=stage,
                      stage_title=TITLES.get(stage, ""), percent=seq % 101)  # fmt: skip


class Waits:
    """The sender's backoff wait: records each delay; `block`: time never passes until close
    (the stop event), so every attempt made is counted deterministically."""

    def __init__(self, block: bool = False) -> None:
        self.delays: list[float] = []
        self.block = block

    def __call__(self, stop: threading.Event, seconds: float) -> None:
        self.delays.append(seconds)
        if self.block:
            stop.wait()


def test_a_500_is_retried_with_backoff_and_the_204_after_it_delivers():
    waits, lines = Waits(), []
    with receiver([500, 503, 204]) as server:
        sender = Sender(server.url, lines.append, wait=waits, jitter=lambda: 1.0)
        sender.put(ev(0))
        assert [e["seq"] for e in server.wait_for(1)] == [0]
        assert sender.close(limit=10) == [] and lines == []
    assert server.answered == [500, 503, 204] and sender.attempts == 3
    assert waits.delays == [1.0, 2.0]  # 1, 2, 4 ... (jitter 1.0: the full delay)
    assert [e["seq"] for e in server.events] == [0]


def test_a_400_drops_the_batch_and_says_so_in_the_log():
    lines = []
    with receiver([400, 204]) as server:
        sender = Sender(server.url, lines.append, wait=Waits())
        sender.put(ev(0))
        sender.close(limit=10)
        assert sender.attempts == 1 and server.answered == [400]
    assert lines == [f"events: 1 stage event not sent to {server.url}: "
                     "the server refused them (HTTP 400)"]  # fmt: skip


def test_the_queue_is_bounded_and_keeps_one_progress_and_the_last_event():
    lines, gate = [], threading.Event()

    def post(url, body, timeout):  # the server is down until the test opens the gate
        gate.wait()
        raise ConnectionRefusedError(111, "Connection refused")

    sender = Sender("http://127.0.0.1:9/events", lines.append, post=post, wait=Waits(True),
                    max_queue=50)  # fmt: skip
    for seq in range(200):
        sender.put(ev(seq, "progress" if seq % 2 else "stage"))
    sender.put(ev(200, "done"))
    with sender.lock:
        queued = list(sender.queue)
    assert len(queued) == 50
    assert [e["kind"] for e in queued].count("progress") == 1
    assert queued[-1]["kind"] == "done" and queued[-2]["seq"] == 199  # the newest progress
    gate.set()
    sender.close(limit=1)
    assert len(lines) == 3 and all("127.0.0.1:9/events" in line for line in lines)
    assert any(line.startswith("events: 1 done event not sent") for line in lines), lines
    assert sender.dropped["stage"] + sender.dropped["progress"] + 1 == 201 - 99  # coalesced


def test_a_refused_server_costs_a_bounded_number_of_attempts():
    lines = []
    sender = Sender(refused_url(), lines.append, wait=Waits(True))
    for seq in range(20):
        sender.put(ev(seq))
    sender.close(limit=2)
    assert sender.attempts <= 2 and sender.sent == 0
    assert lines and "20 stage events not sent" in lines[0] and "ConnectionRefused" in lines[0]


def test_a_black_hole_costs_a_bounded_number_of_attempts_and_close_returns():
    hole = BlackHole()
    try:
        lines = []
        sender = Sender(hole.url, lines.append, wait=Waits(True), timeout=0.5)
        for seq in range(10):
            sender.put(ev(seq))
        sender.close(limit=1)
        assert sender.attempts <= 2 and hole.accepted <= 2 and sender.sent == 0
        assert lines and "10 stage events not sent" in lines[0], lines
    finally:
        hole.close()


def test_a_server_that_never_accepts_costs_a_bounded_number_of_attempts():
    never = NeverAccepts()
    try:
        lines = []
        sender = Sender(never.url, lines.append, wait=Waits(True), timeout=0.5)
        sender.put(ev(0))
        sender.close(limit=1)
        assert sender.attempts <= 2 and sender.sent == 0
        assert len(lines) == 1 and "timeout" in lines[0].lower().replace(" ", ""), lines
    finally:
        never.close()


def test_put_never_blocks_while_a_post_hangs():
    started, release = threading.Event(), threading.Event()

    def post(url, body, timeout):
        started.set()
        release.wait()
        return 204

    sender = Sender("http://127.0.0.1:9/events", [].append, post=post, wait=Waits())
    sender.put(ev(0))
    assert started.wait(10)
    for seq in range(1, 1000):  # the thread is stuck in its POST; put only queues
        sender.put(ev(seq, "progress"))
    release.set()
    assert sender.close(limit=10) == []
    assert sender.sent == 2  # the first, and the one progress event left after coalescing

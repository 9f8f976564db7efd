"""Sends install events to the report URL from its own thread, so that a dead, refusing or
black-holed server never slows or fails an install: `put` only queues, `close` waits a
bounded time, and what could not be sent is said in the log, one line per kind of event.

The queue keeps at most MAX_QUEUE events (the oldest is dropped first, a run's last event
last), and only the newest progress event. Retries: 5xx, 408, 429, timeouts and refused
connections, with a jittered backoff of 1, 2, 4 ... 30 s; any other 4xx drops the batch
(the server said it will never take it). The clock, the wait and the POST are parameters:
the tests count attempts instead of measuring seconds.
"""

from __future__ import annotations

import random
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from typing import Any

from cos_installer.common.shown import url_shown
from cos_installer.support.eventwire import FINAL_KINDS, MAX_BATCH, MAX_BODY, encode_batch

MAX_QUEUE = 500
BACKOFF_CAP = 30.0
TIMEOUT = 5.0  # seconds one POST may take
FLUSH_LIMIT = 3.0  # seconds `close` waits for the queue to drain

Post = Callable[[str, bytes, float], int]  # (url, body, timeout) -> HTTP status; raises OSError


def http_post(url: str, body: bytes, timeout: float) -> int:
    """POST the body as JSON; the status (an HTTP error's too). OSError when there is none."""
    request = urllib.request.Request(
        url, data=body, method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "cos-installer"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read(4096)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except urllib.error.URLError as exc:
        reason = exc.reason
        raise reason if isinstance(reason, OSError) else OSError(str(reason)) from None


def retried(status: int) -> bool:
    return status >= 500 or status in (408, 429)


class Sender:
    """One report URL's queue and thread. `log`: where the lines about unsent events go."""

    def __init__(
        self,
        url: str,
        log: Callable[[str], None],
        *,
        post: Post = http_post,
        clock: Callable[[], float] = time.monotonic,
        wait: Callable[[threading.Event, float], Any] | None = None,  # (stop, seconds)
        jitter: Callable[[], float] = random.random,
        timeout: float = TIMEOUT,
        max_queue: int = MAX_QUEUE,
    ) -> None:
        self.url, self.shown, self.log = url, url_shown(url), log
        self.post, self.clock, self.jitter = post, clock, jitter
        self.wait = wait or (lambda event, seconds: event.wait(seconds))
        self.timeout, self.max_queue = timeout, max_queue
        self.queue: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.wake = threading.Event()  # new events, or close
        self.stop = threading.Event()  # close: ends a backoff wait (new events do not)
        self.closing = False
        self.deadline = float("inf")
        self.attempts = 0
        self.sent = 0
        self.dropped: Counter[str] = Counter()
        self.why: dict[str, str] = {}  # kind -> the last reason one was dropped
        self.last_error = ""
        self.thread = threading.Thread(target=self._loop, name="cos-report", daemon=True)
        self.thread.start()

    # --- the install's side: never blocks -----------------------------------------------------

    def put(self, event: dict[str, Any]) -> None:
        """Queue one event (a progress event replaces the queued one)."""
        with self.lock:
            if self.closing:
                return
            if event["kind"] == "progress":
                self.queue = [e for e in self.queue if e["kind"] != "progress"]
            self.queue.append(event)
            while len(self.queue) > self.max_queue:
                victim = next((e for e in self.queue if e["kind"] not in FINAL_KINDS), None)
                victim = victim or self.queue[0]
                self.queue.remove(victim)
                self._drop([victim], "the queue was full")
        self.wake.set()

    def close(self, limit: float = FLUSH_LIMIT) -> list[str]:
        """Send what is queued for at most `limit` seconds, then stop; the log lines about what
        was not sent (also passed to `log`)."""
        with self.lock:
            self.closing = True
            self.deadline = self.clock() + limit
        self.stop.set()
        self.wake.set()
        self.thread.join(limit + 0.5)  # a POST in flight is bounded by the deadline too
        with self.lock:
            left, self.queue = self.queue, []
            self._drop(left, f"not sent before the install ended ({self.last_error or 'busy'})")
            lines = [
                f"events: {count} {kind} event{'s' if count > 1 else ''} not sent to "
                f"{self.shown}: {self.why[kind]}"
                for kind, count in sorted(self.dropped.items())
            ]
        for line in lines:
            self.log(line)
        return lines

    # --- the thread ---------------------------------------------------------------------------

    def _drop(self, events: list[dict[str, Any]], why: str) -> None:
        for event in events:
            self.dropped[event["kind"]] += 1
            self.why[event["kind"]] = why

    def _batch(self) -> list[dict[str, Any]]:
        with self.lock:
            batch = self.queue[:MAX_BATCH]
        while len(batch) > 1 and len(encode_batch(batch)) > MAX_BODY:
            batch = batch[: len(batch) // 2]
        return batch

    def _loop(self) -> None:
        failures = 0
        while True:
            batch = self._batch()
            if not batch:
                if self.closing:
                    return
                self.wake.wait()
                self.wake.clear()
                continue
            if self._send(batch):
                failures = 0
                continue
            failures += 1
            if self.closing:
                return  # one try per batch after close: the rest is said in the log
            delay = min(BACKOFF_CAP, 2.0 ** (failures - 1)) * (0.5 + self.jitter() / 2)
            self.wait(self.stop, delay)

    def _send(self, batch: list[dict[str, Any]]) -> bool:
        """One attempt; True when the batch left the queue (sent, or refused for good)."""
        timeout = self.timeout
        if self.closing:
            timeout = min(timeout, self.deadline - self.clock())
            if timeout <= 0:
                return False
        self.attempts += 1
        try:
            status = self.post(self.url, encode_batch(batch), timeout)
        except Exception as exc:  # refused, reset, timed out, no route: retried
            self.last_error = f"last error: {type(exc).__name__}: {url_shown(str(exc))[:200]}"
            return False
        if retried(status):
            self.last_error = f"last error: HTTP {status}"
            return False
        with self.lock:
            self.queue = [e for e in self.queue if not any(e is b for b in batch)]
            if 200 <= status < 300:
                self.sent += len(batch)
            else:
                self._drop(batch, f"the server refused them (HTTP {status})")
        return True

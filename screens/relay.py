"""Install events from the worker thread to the screen, without flooding the main loop:
stage and error events arrive in order, runs of progress events collapse to the latest."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any


class EventRelay:
    """Called with each event on the install's worker thread; delivers them on the main loop."""

    def __init__(self, work: Any, deliver: Callable[[Any], None]) -> None:
        self._work = work  # work.ScreenWork: its loop and whether it runs inline
        self._deliver = deliver
        self._lock = threading.Lock()
        self._pending: list[Any] = []
        self._scheduled = False

    def __call__(self, event: Any) -> None:
        with self._lock:
            pending = self._pending
            if event.kind == "progress" and pending and pending[-1].kind == "progress":
                pending[-1] = event
            else:
                pending.append(event)
            if self._scheduled:
                return
            self._scheduled = True
        if self._work.sync:
            self.flush()
            return
        with contextlib.suppress(RuntimeError):  # the loop has stopped: nobody is watching
            self._work.loop.call_from_thread(self.flush)

    def flush(self) -> None:
        with self._lock:
            events, self._pending, self._scheduled = self._pending, [], False
        for event in events:
            self._deliver(event)

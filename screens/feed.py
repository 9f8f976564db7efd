"""Install events from the worker thread to the screen, without flooding the main loop:
stage and error events arrive in order, runs of progress events collapse to the latest."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any


class Feed:
    def __init__(self, app: Any, deliver: Callable[[Any], None]) -> None:
        self._app = app
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
        if self._app.sync:
            self.flush()
            return
        with contextlib.suppress(RuntimeError):  # the loop has stopped: nobody is watching
            self._app.loop.call_from_thread(self.flush)

    def flush(self) -> None:
        with self._lock:
            events, self._pending, self._scheduled = self._pending, [], False
        for event in events:
            self._deliver(event)

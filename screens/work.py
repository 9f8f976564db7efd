"""Work for the screen that is shown: off the main loop (`spawn`), on a timer (`every`,
`after`); when the screen changes, results and timers of the old one are dropped."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any


class ScreenWork:
    """`sync`: tests run the work inline instead of in a thread."""

    def __init__(self, sync: bool = False) -> None:
        self.loop: Any = None  # the urwid main loop, set once it exists
        self.sync = sync
        self._token = 0  # bumps on every screen change: stale thread results are dropped
        self._alarms: list[Any] = []

    def drop(self) -> None:
        """What was started for the current screen no longer reaches it (a new screen)."""
        self._token += 1

    def clear(self) -> None:
        """A new screen: drop pending results and stop the old screen's timers."""
        self.drop()
        for handle in self._alarms:
            self.loop.remove_alarm(handle)
        self._alarms.clear()

    def spawn(self, work: Callable[[], Any], then: Callable[[Any], None]) -> None:
        """Run `work` off the main loop and hand its result (or exception) to `then` on it."""
        token = self._token

        def deliver(result: Any) -> None:
            if token == self._token:
                then(result)

        if self.sync:
            deliver(_capture(work))
            return

        def worker() -> None:
            result = _capture(work)
            with contextlib.suppress(RuntimeError):  # the loop has stopped: nobody waits
                self.loop.call_from_thread(deliver, result)

        threading.Thread(target=worker, daemon=True).start()

    def every(self, seconds: float, callback: Callable[[], None]) -> None:
        """Call `callback` every `seconds` while the current screen is shown."""
        token = self._token

        def fire(*_: Any) -> None:
            if token != self._token:
                return
            callback()
            self._alarms.append(self.loop.set_alarm_in(seconds, fire))

        self._alarms.append(self.loop.set_alarm_in(seconds, fire))

    def after(self, seconds: float, callback: Callable[[], None]) -> None:
        """Call `callback` once after `seconds`, unless the screen has changed by then."""
        token = self._token

        def fire(*_: Any) -> None:
            if token == self._token:
                callback()

        self._alarms.append(self.loop.set_alarm_in(seconds, fire))


def _capture(work: Callable[[], Any]) -> Any:
    try:
        return work()
    except Exception as exc:  # shown on the screen that waits for it, never a traceback
        return exc

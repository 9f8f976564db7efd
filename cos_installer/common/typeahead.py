"""Typed-ahead keys never answer a destructive question.

A double Enter, a bouncing key, keys queued on a slow serial line or a paste arrive before the
operator has read the question. A confirmation therefore counts a key only once it has been on
screen for `GUARD_S` seconds; what arrived earlier is dropped, and what the terminal still holds
unread is flushed when the question is drawn. One rule for every confirmation (the wizard's
Summary, `install`'s prompt); the clock is injectable so tests need not sleep.
"""

from __future__ import annotations

import contextlib
import os
import termios
import time
from collections.abc import Callable

GUARD_S = 1.0


def flush_input(fd: int | None) -> bool:
    """Drop what the terminal on `fd` has received but nobody has read (TCIFLUSH).
    False when `fd` is not a terminal (a pipe's contents are an answers script, not typing)."""
    if fd is None:
        return False
    with contextlib.suppress(OSError, termios.error):
        if os.isatty(fd):
            termios.tcflush(fd, termios.TCIFLUSH)
            return True
    return False


class Guard:
    """When a question may take an answer: `shown()` when it is first drawn, then `ready()`
    from `seconds` later on. Keys before that are not a deliberate answer."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, seconds: float = GUARD_S
    ) -> None:
        self.clock, self.seconds = clock, seconds
        self.shown_at: float | None = None
        self.discarded = 0  # keys dropped, for the log

    def shown(self) -> bool:
        """Record the first drawing; True that first time only."""
        if self.shown_at is not None:
            return False
        self.shown_at = self.clock()
        return True

    def ready(self) -> bool:
        return self.shown_at is not None and self.clock() - self.shown_at >= self.seconds

    def admit(self) -> bool:
        """True when a key arriving now may act; counts the ones that may not."""
        if self.ready():
            return True
        self.discarded += 1
        return False

"""Events the install pipeline emits; the TUI, the plain-text output and the log listen to them.

Proxmox's installer reads one JSON line per event from its low-level installer; we keep the
same idea in-process: a listener is any callable taking an `Event`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    kind: str  # "stage-start" | "stage-end" | "progress" | "message" | "error" | "finished"
    stage: str = ""  # preflight, wipe, write, reread, config, data-disk, finish
    message: str = ""
    done: int = 0  # bytes done (progress)
    total: int = 0  # bytes in all (progress), 0 when unknown
    rate: float = 0.0  # bytes per second (progress)
    eta: float | None = None  # seconds left (progress)
    data: dict[str, Any] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", 0, 0.0, None, {})}


Listener = Callable[[Event], None]


class EventBus:
    """Fans one event out to every listener; a failing listener never stops the install."""

    def __init__(self, *listeners: Listener) -> None:
        self._listeners: list[Listener] = list(listeners)

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def emit(self, event: Event) -> None:
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):  # a broken view must not break the disk write
                listener(event)

    __call__ = emit

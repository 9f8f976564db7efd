"""The install's events for a report server (issue 15): one more listener on the pipeline's
bus, turning its events into wire events (support.eventwire) that a Sender (support.report)
posts from its own thread. The Session hooks it in once, for the wizard and `install` alike.

What goes out: the host's identity (hostname and role from the answers; every NIC's MAC,
BOOTIF first, and the DMI uuid and serial from the hardware), the stage (a key of
stages.TITLES) and its title, the percent over the whole install, at most one progress event
per PROGRESS_EVERY seconds, and at the end "done" or "failed" with the cause and the hint the
error screen shows (support.advice.from_result). Never the answers, a password, its hash or
the install code: only the values named here are read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cos_installer.install.stages import TITLES
from cos_installer.support import advice
from cos_installer.support.events import Event
from cos_installer.support.eventwire import host_identity, make_event, new_run
from cos_installer.support.report import Sender

PROGRESS_EVERY = 2.0  # seconds between two progress events of a run (the contract's limit)
# the share of the whole install each stage starts and ends at (write: by bytes)
SPANS = {
    "preflight": (0, 5), "wipe": (5, 6), "write": (6, 95), "reread": (95, 96),
    "config": (96, 97), "data-disk": (97, 99), "finish": (99, 100),
}  # fmt: skip


@dataclass(frozen=True)
class ReportTarget:
    """Where events go and why there: `source` is said in the log."""

    url: str
    source: str  # "--report", "cos.report= on the kernel command line", "the answers' report:"
    bootif: str | None = None  # the NIC the machine booted from: its MAC first


def choose_target(
    flag: str | None, kernel: str | None, answers: str, bootif: str | None = None
) -> ReportTarget | None:
    """--report, else the kernel's cos.report=, else the answers' report: (None: no events)."""
    for url, source in ((flag, "--report"), (kernel, "cos.report= on the kernel command line"),
                        (answers, "report: in the answers")):  # fmt: skip
        if url:
            return ReportTarget(url, source, bootif)
    return None


def machine_identity(config: Any, machine: Any, bootif: str | None = None) -> dict[str, Any]:
    """The host object; what the hardware cannot tell stays empty (never an error)."""
    macs: list[str] = [bootif] if bootif else []
    dmi: dict[str, str] = {}
    try:
        if machine is None:
            from cos_installer.hardware import open_machine

            machine = open_machine(None)
        nics = sorted(machine.nics(True), key=lambda n: n.name)
        macs += [n.perm_mac or n.mac for n in nics if n.mac]  # the probe read perm_mac once
        dmi = machine.dmi() if hasattr(machine, "dmi") else {}
    except Exception:  # noqa: BLE001 - an identity with less in it still tells the run
        pass
    return host_identity(config.system.hostname, config.role.value, macs,
                         dmi.get("system_uuid", ""), dmi.get("system_serial", ""))  # fmt: skip


class Reporter:
    """One install run's events. Call it with the bus's events; `finish` with the result."""

    def __init__(
        self, sender: Sender, host: dict[str, Any], *,
        clock: Callable[[], float] = time.monotonic, now: Callable[[], float] = time.time,
    ) -> None:  # fmt: skip
        self.sender, self.host, self.clock, self.now = sender, host, clock, now
        self.run, self.seq = new_run(), 0
        self.stage, self.percent = "", 0
        self.last_progress: float | None = None
        self.ended = False

    def emit(self, kind: str, message: str = "", **extra: Any) -> None:
        if self.ended:
            return
        stage = extra.pop("stage", self.stage if kind != "started" else "")
        event = make_event(
            run=self.run, seq=self.seq, kind=kind, host=self.host, now=self.now(), stage=stage,
            stage_title=TITLES.get(stage, ""), percent=self.percent, message=message, **extra,
        )  # fmt: skip
        self.seq += 1
        self.ended = kind in ("failed", "done")
        self.sender.put(event)

    def __call__(self, event: Event) -> None:
        if event.kind == "stage-start" and event.stage in TITLES:
            self.stage, self.percent = event.stage, SPANS[event.stage][0]
            self.emit("stage", TITLES[event.stage], stage=event.stage)
        elif event.kind == "progress" and event.total:
            start, end = SPANS.get(event.stage, (self.percent, self.percent))
            self.percent = start + (end - start) * min(event.done, event.total) // event.total
            now = self.clock()
            if self.last_progress is None or now - self.last_progress >= PROGRESS_EVERY:
                self.last_progress = now
                self.emit("progress", f"{self.percent}%", stage=event.stage)

    def finish(self, result: Any, device: str = "") -> None:
        """The run's last event: "done", or "failed" with the error screen's cause and hint
        (`result`: the InstallResult, or the exception that stopped the install)."""
        if getattr(result, "ok", False):
            self.percent = 100
            self.emit("done", result.message, stage="finish")
            return
        failure = advice.from_result(result, device)
        stage = failure.stage if failure.stage in TITLES else self.stage
        self.emit("failed", failure.what, stage=stage, cause=failure.cause, hint=failure.hint)

"""Screen 11, Progress: the install stages, percent, throughput and time left, fed by the
app from the install worker (`on_event`), then the outcome (`finished`)."""

from __future__ import annotations

from typing import Any

import urwid

from .widgets import Screen, blank, text

STAGES = {
    "preflight": "Checking the disk and the image",
    "wipe": "Clearing old signatures",
    "write": "Writing the COS image",
    "reread": "Re-reading the partition table",
    "config": "Writing the cloud-config",
    "data-disk": "Preparing the Docker data disk (XFS, prjquota)",
    "finish": "Finishing",
}


def _size(n: float) -> str:
    from cos_installer.hardware.types import human_size

    return human_size(int(n))


class View(Screen):
    title = "Installing"
    keys = "Please wait...  Ctrl+C quit (asks first)"

    def __init__(self, ctx: Any) -> None:
        self.disk = ctx.values.get("disk", "")
        self.stage = text(f"Installing COS on {self.disk}...")
        self.bar = urwid.ProgressBar("bar_todo", "bar_done", 0, 100)
        self.detail = text("")
        self.log = urwid.Pile([])
        self.outcome = text("")
        self.ok: bool | None = None
        rows = [blank(), self.stage, blank(), self.bar, self.detail, blank(), self.log, blank()]
        rows.append(self.outcome)
        super().__init__(ctx, rows)

    def _log(self, markup: Any) -> None:
        contents = self.log.contents
        contents.append((urwid.Text(markup), self.log.options()))
        del contents[:-9]  # the last lines fit under the bar at 80x24

    def on_event(self, event: Any) -> None:
        kind = event.kind
        if kind == "stage-start":
            label = STAGES.get(event.stage, event.stage)
            self.stage.set_text(("title", f"{label}..."))
            self._log(f"  {label}")
        elif kind == "stage-end":
            self._log(("dim", f"  {STAGES.get(event.stage, event.stage)}: done"))
        elif kind == "progress" and event.total:
            percent = 100.0 * event.done / event.total
            self.bar.set_completion(percent)
            detail = f"{_size(event.done)} of {_size(event.total)}"
            if event.rate:
                detail += f"   {_size(event.rate)}/s"
            if event.eta is not None:
                detail += f"   {int(event.eta) // 60}:{int(event.eta) % 60:02d} left"
            self.detail.set_text(detail)
        elif kind == "error":
            self._log(("error", f"  {event.message}"))
        elif kind == "message" and event.message:
            self._log(("dim", f"  {event.message}"))

    def finished(self, result: Any) -> None:
        if isinstance(result, BaseException):
            self.ok, message = False, f"{type(result).__name__}: {result}"
        else:
            self.ok, message = bool(result.ok), result.message
        if self.ok:
            self.bar.set_completion(100)
            self.stage.set_text(("title", "Installation finished."))
            plan = getattr(result, "plan", None) or []
            if self.ctx.dry_run and plan:
                self._log(("note", "Dry run: would have done:"))
                for step in list(plan)[-6:]:
                    self._log(("note", _clip(f"  {step}")))
            self.outcome.set_text("Press Enter to review the Cloud Config.")
            self.ctx.set_keys("Enter review the Cloud Config  Ctrl+C quit")
        else:
            self.stage.set_text(("error", f"ERROR on Installing COS To Device {self.disk}"))
            self.outcome.set_text(
                [
                    ("error", message or "the install failed"),
                    "\nReboot and try again; Ctrl+C leaves the installer.",
                ]
            )
            self.ctx.set_keys("Ctrl+C quit (the disk will not boot)")

    def submit(self) -> None:
        if self.ok:
            self.ctx.done({})


def _clip(line: str, width: int = 76) -> str:
    """One row per log line, so the outcome below always stays on the 80x24 screen."""
    return line if len(line) <= width else line[: width - 3] + "..."

"""Screen 11, Progress: the install stages, percent, throughput and time left, fed by the
app from the install worker (`on_event`), then the outcome (`finished`)."""

from __future__ import annotations

import threading
from typing import Any

import urwid

from cos_installer.hardware.types import human_size
from cos_installer.i18n import N_, _
from cos_installer.support import advice

from .relay import EventRelay
from .widgets import Screen, blank, text

STAGES = {
    "preflight": N_("Checking the disk and the image"),
    "wipe": N_("Clearing old signatures"),
    "write": N_("Writing the COS image"),
    "reread": N_("Re-reading the partition table"),
    "config": N_("Writing the cloud-config"),
    "data-disk": N_("Preparing the Docker data disk (XFS, prjquota)"),
    "finish": N_("Finishing"),
}


def _size(n: float) -> str:
    return human_size(int(n))


class View(Screen):
    title = N_("Installing")
    keys = N_("Please wait...  Ctrl+C quit (asks first)")

    def __init__(self, ctx: Any) -> None:
        self.disk = ctx.facts.config.disk if ctx.facts.config is not None else ""
        self.stage = text(_("Installing COS on {disk}...").format(disk=self.disk))
        self.bar = urwid.ProgressBar("bar_todo", "bar_done", 0, 100)
        self.detail = text("")
        self.log = urwid.Pile([])
        self.outcome = text("")
        self.ok: bool | None = None
        self.errors: list[str] = []  # the error events' messages, for the error screen
        self.stage_rows: dict[str, urwid.Text] = {}  # a stage's log line, marked done in place
        rows = [blank(), self.stage, blank(), self.bar, self.detail, blank(), self.log, blank()]
        rows.append(self.outcome)
        super().__init__(ctx, rows)

    def _log(self, markup: Any) -> urwid.Text:
        contents = self.log.contents
        row = urwid.Text(markup)
        contents.append((row, self.log.options()))
        del contents[:-9]  # the last lines fit under the bar at 80x24
        return row

    def on_event(self, event: Any) -> None:
        kind = event.kind
        if kind == "stage-start":
            label = _(STAGES.get(event.stage, event.stage))
            self.stage.set_text(("title", f"{label}..."))
            self.stage_rows[event.stage] = self._log(f"  {label}...")
        elif kind == "stage-end":
            done = _("{stage}: done").format(stage=_(STAGES.get(event.stage, event.stage)))
            row = self.stage_rows.pop(event.stage, None)  # one line per stage, not two
            if row is not None and any(row is w for w, _o in self.log.contents):
                row.set_text(("dim", f"  {done}"))
            else:
                self._log(("dim", f"  {done}"))
        elif kind == "progress" and event.total:
            percent = 100.0 * event.done / event.total
            self.bar.set_completion(percent)
            detail = _("{done} of {total}").format(done=_size(event.done), total=_size(event.total))
            if event.rate:
                detail += f"   {_size(event.rate)}/s"
            if event.eta is not None:
                left = f"{int(event.eta) // 60}:{int(event.eta) % 60:02d}"
                detail += "   " + _("{time} left").format(time=left)
            self.detail.set_text(detail)
        elif kind == "error":
            self.errors.append(event.message)
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
            self.stage.set_text(("title", _("Installation finished.")))
            self.outcome.set_text(_("Press Enter to review the Cloud Config."))
            self.ctx.set_keys(_("Enter review the Cloud Config  Ctrl+C quit"))
            plan = getattr(result, "plan", None) or []
            if self.ctx.dry_run and plan:
                self._show_plan(list(plan))
        else:
            # the app shows the error screen next; this stays visible until it does
            self.stage.set_text(("error", _("The install failed.")))
            self.outcome.set_text(("error", message or _("The install failed.")))

    def _show_plan(self, plan: list[str]) -> None:
        """The dry run's whole plan under the outcome, one scrollable row per step (each
        may wrap: a step is read, not copied); it says all the log said, so it replaces it
        and starts on the first screen."""
        self.log.contents.clear()
        self.walker.append(
            text(("note", _("Dry run: would have done ({count} steps):").format(count=len(plan))))
        )
        self.walker += [text(("note", f"  {step}")) for step in plan]
        self.ctx.set_keys(_("Up/Down/PgUp/PgDn scroll  Enter review the Cloud Config  Ctrl+C quit"))

    def submit(self) -> None:
        if self.ok:
            self.ctx.done({})


# --- the install behind the screen: one session in a worker thread ---------------------------


def start_install(app: Any) -> None:
    """Run the install of the confirmed InstallConfig on the disks shown on the Summary."""
    if app.install_state != "idle":
        return
    app.install_state = "running"
    view, config, facts = app.view, app.facts.config, app.facts
    relay = EventRelay(app.work, view.on_event)
    finished = threading.Event()
    # The disks as probed and shown on the confirmation: what the operator agreed to erase.
    shown = {disk.path: disk for disk in facts.disks or []}
    disks = [shown.get(d) for d in (config.disk, config.data_disk) if d]
    # the Summary said that installing stops the RAID/LVM it showed on these disks
    clear_holders = any(d is not None and d.holders for d in disks)

    def work() -> Any:
        try:
            return app.engine.run_install(
                config,
                listener=relay,
                cancel=app.cancel,
                machine=app.machine,
                payload=facts.payload,
                chosen=shown.get(config.disk),
                chosen_data=shown.get(config.data_disk) if config.data_disk else None,
                clear_holders=clear_holders,
            )
        finally:
            finished.set()

    app.install_done = finished
    app.work.spawn(work, lambda result: installed(app, result))


def installed(app: Any, result: Any) -> None:
    app.facts.result = result
    ok = not isinstance(result, BaseException) and bool(getattr(result, "ok", False))
    app.install_state = "finished" if ok else "failed"
    message = getattr(result, "message", "") or repr(result)
    app.note(f"install: {'finished' if ok else 'failed'}: {message}")
    if ok:
        app.facts.user_data = getattr(result, "user_data", "") or ""
    app.view.finished(result)
    if not ok:
        reported = list(getattr(app.view, "errors", []))
        app.errors.show(advice.from_result(result, app.facts.config.disk, reported))

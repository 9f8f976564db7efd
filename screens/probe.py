"""The hardware probe behind the Welcome screen (at start and on Ctrl+D): NICs, disks and, on
a real install, the install medium's payload; what was found goes to the log."""

from __future__ import annotations

import contextlib
from typing import Any

from cos_installer.flow import Step
from cos_installer.hardware.types import MediaNotReady
from cos_installer.i18n import _
from cos_installer.support import advice


def probe(app: Any) -> None:
    """Probe off the main loop; the result lands in `app.facts` and `app.machine`."""
    app.facts.probing = True
    engine, dry_run = app.engine, app.dry_run

    def work() -> dict[str, Any]:
        machine = engine.open_machine()
        found: dict[str, Any] = {"machine": machine, "payload": None, "media_error": ""}
        if not dry_run:
            try:
                found["payload"] = machine.install_media().payload
            except MediaNotReady as exc:
                found["media_error"] = str(exc) or "no device labelled CDROM"
        found["nics"] = machine.nics(engine.all_nics)
        found["disks"] = machine.disks()
        return found

    app.work.spawn(work, lambda result: probed(app, result))


def probed(app: Any, result: Any) -> None:
    app.facts.probing = False
    if type(result).__name__ == "ProfileError":  # a bad --machine: nothing to retry
        app.exit(2, f"cos-installer: {result}")
    if isinstance(result, BaseException):
        app.facts.probe_error = _("probing the hardware failed: {error}").format(error=result)
        if app.wizard.step is Step.WELCOME:
            app.errors.show(advice.explain("probe", "", str(result) or repr(result)))
        return
    app.machine = result.pop("machine")
    for name, value in result.items():
        setattr(app.facts, name, value)
    note_probe(app)
    if app.wizard.step is Step.WELCOME:
        app.show(Step.WELCOME)
        begin, app.facts.begin_when_probed = app.facts.begin_when_probed, False
        if begin and not app.facts.media_error:
            app.show(app.wizard.advance())


def note_probe(app: Any) -> None:
    """What was found, one log line per NIC and disk (and the probe JSON beside the log)."""
    facts = app.facts
    for nic in facts.nics or []:
        link = "Linked" if nic.linked else "NoLink"
        app.note(f"probe: nic {nic.name} [{link}] mac {nic.mac} driver {nic.driver or '-'}")
    for disk in facts.disks or []:
        why = disk.reason_not_offered()
        state = f"not offered: {why}" if why else "offered"
        busy = f"; in use: {'; '.join(disk.in_use)}" if disk.in_use else ""
        app.note(
            f"probe: disk {disk.path} {disk.size} bytes model {disk.model or '-'} "
            f"serial {disk.serial or '-'} {disk.transport or '-'} [{state}]{busy}"
        )
    if facts.media_error:
        app.note(f"probe: install media: {facts.media_error}")
    elif facts.payload:
        app.note(f"probe: install media payload {facts.payload}")
    with contextlib.suppress(Exception):
        app.engine.keep_probe(app.machine)

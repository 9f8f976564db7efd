"""Mixed into App: the error screen and its actions (log, diagnostics bundle, shell), the
language switch, and what the wizard writes to the install log (probes, choices, outcomes;
secrets never: the password and the install code are replaced before a line is written)."""

from __future__ import annotations

import contextlib
from typing import Any

import urwid

from cos_installer import i18n
from cos_installer.flow import Step
from cos_installer.i18n import _
from cos_installer.support import advice

from . import theme

SECRET_KEYS = {"password", "password2", "password_hash", "install_code"}


def redacted(values: dict[str, Any]) -> str:
    """`key=value` pairs for the log, the secrets shown only as set or empty."""
    shown = []
    for key, value in sorted(values.items()):
        if key in SECRET_KEYS:
            value = "<set>" if value else "<empty>"
        shown.append(f"{key}={value!r}" if isinstance(value, str) else f"{key}={value}")
    return " ".join(shown)


class Failures:
    """The error screen (`show_error`), `set_language`, and the log notes."""

    failure: advice.Failure | None = None

    def note(self, line: str) -> None:
        with contextlib.suppress(Exception):  # the log never breaks the wizard
            self.services.note(line)

    def note_probe(self, facts: dict[str, Any]) -> None:
        for nic in facts.get("nics", []):
            link = "Linked" if nic.linked else "NoLink"
            self.note(f"probe: nic {nic.name} [{link}] mac {nic.mac} driver {nic.driver or '-'}")
        for disk in facts.get("disks", []):
            why = disk.reason_not_offered()
            state = f"not offered: {why}" if why else "offered"
            busy = f"; in use: {'; '.join(disk.in_use)}" if disk.in_use else ""
            self.note(
                f"probe: disk {disk.path} {disk.size} bytes model {disk.model or '-'} "
                f"serial {disk.serial or '-'} {disk.transport or '-'} [{state}]{busy}"
            )
        if facts.get("media_error"):
            self.note(f"probe: install media: {facts['media_error']}")
        elif facts.get("payload"):
            self.note(f"probe: install media payload {facts['payload']}")
        with contextlib.suppress(Exception):
            self.services.keep_probe(self.machine)

    def _probed(self, result: Any) -> None:
        self.facts["probing"] = False
        if type(result).__name__ == "ProfileError":  # a bad --machine: nothing to retry
            self.exit(2, f"cos-installer: {result}")
        if isinstance(result, BaseException):
            self.facts["probe_error"] = _("probing the hardware failed: {error}").format(
                error=result
            )
            if self.wizard.step is Step.WELCOME:
                self.show_error(advice.explain("probe", "", str(result) or repr(result)))
            return
        self.machine = result.pop("machine")
        self.facts.update(result)
        self.note_probe(self.facts)
        if self.wizard.step is Step.WELCOME:
            self.show(Step.WELCOME)
            if self.facts.pop("begin_when_probed", False) and not self.facts.get("media_error"):
                self.show(self.wizard.advance())

    def set_language(self, lang: str) -> None:
        """Switch the wizard's language now (Welcome screen) and redraw the current screen."""
        if i18n.language() == i18n.normalise(lang):
            return
        i18n.set_language(lang)
        self.note(f"choice: language {i18n.language()}")
        self.show(self.wizard.step)

    # --- the error screen ---------------------------------------------------------------------

    def show_error(self, failure: advice.Failure) -> None:
        from .error import View

        self.failure = failure
        self._token += 1  # results of work started for the previous screen are dropped
        where = f" on {failure.device}" if failure.device else ""
        self.note(f"error screen: stage {failure.stage or '-'}{where}: {failure.cause}")
        ctx = self.context()
        ctx.actions = {
            "snap": self.write_bundle,
            "shell": self.open_shell,
            "log_text": self.services.log_text,
            "log_path": lambda: self.services.log_path or "",
        }
        self.view = View(ctx, failure)
        mode = _("  [dry run]") if self.dry_run else ""
        self._header.set_text(f" {_('COS Installer')}{mode}   {self.view.title}")
        self._keybar.set_text(" " + self.view.keys)
        self._frame.body = urwid.LineBox(
            urwid.Padding(self.view, left=1, right=1),
            title=self.view.title,
            **theme.box_chars(self.ascii_only),
        )
        self._set_status("")

    def write_bundle(self, then: Any) -> None:
        """Write the diagnostics bundle off the main loop; `then(path or exception)`."""

        def done(result: Any) -> None:
            self.note(f"snap: {result}")
            then(result)

        self.spawn(self.services.write_bundle, done)

    def open_shell(self) -> None:
        """Stop the screen, run a shell on the terminal, and come back to the error screen."""
        self.note("shell: started from the error screen")
        screen = self.loop.screen
        with contextlib.suppress(Exception):
            screen.stop()
        try:
            self.services.shell()
        finally:
            with contextlib.suppress(Exception):
                screen.start()
            self.loop.screen_size = None
            with contextlib.suppress(Exception):
                self.loop.draw_screen()
        self.note("shell: ended")

"""The wizard application: main loop, frame (header, screen, key bar), global keys, and the
work that must not block the screen (probes, DHCP, the install) run in threads.

Which screen comes next is `cos_installer.flow.Wizard`'s decision; each screen is a view in
its own module, built with a `Context` and reporting back through `done(values)`/`back()`.
"""

from __future__ import annotations

import contextlib
import importlib
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

import urwid

from cos_installer.answers.model import Role
from cos_installer.common.typeahead import flush_input
from cos_installer.flow import STEPS, Step, Wizard, can_go_back
from cos_installer.i18n import _

from . import theme
from .failures import Failures, redacted
from .keys import Keys
from .services import from_answers
from .stepwork import StepWork
from .widgets import Context


class App(StepWork, Keys, Failures):
    """One run of the wizard. `run()` returns the exit code; `exit_message` is printed after
    the terminal is restored."""

    def __init__(
        self,
        services: Any,
        *,
        dry_run: bool,
        answers: dict[str, Any] | None = None,
        screen: urwid.BaseScreen | None = None,
        ascii_only: bool = False,
        colours: int = 16,
        sync: bool = False,
        offer_language: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.services = services
        self.clock = clock  # tests step it: the confirmations' one-second guard
        self.offer_language = offer_language  # the terminal can show Chinese (i18n.choose)
        self.dry_run = dry_run
        self.answers = answers
        self.ascii_only = ascii_only
        self.sync = sync  # tests: run probes inline instead of in threads
        self.wizard = Wizard()
        self.wizard.values.update(from_answers(answers or {}))
        self.machine: Any = None
        self.facts: dict[str, Any] = {}
        self.view: Any = None
        self.exit_code = 0
        self.exit_message = ""
        self.after_exit: str | None = None  # "reboot"
        self._token = 0  # bumps on every screen change: stale thread results are dropped
        self._alarms: list[Any] = []
        self.install_done: threading.Event | None = None
        self.cancel = threading.Event()
        self.install_state = "idle"  # idle | running | finished | failed
        self._header = urwid.Text("")
        self._status = urwid.Text("")
        self._keybar = urwid.Text("")
        self._footer = urwid.Pile([urwid.AttrMap(self._keybar, "keybar")])
        self._frame = urwid.Frame(
            urwid.SolidFill(" "),
            header=urwid.AttrMap(self._header, "header"),
            footer=self._footer,
        )
        self._dialog: urwid.Widget | None = None
        self.guard = theme.SizeGuard(urwid.AttrMap(self._frame, "body"))
        self.loop = urwid.MainLoop(
            self.guard,
            theme.PALETTE,
            screen=screen or theme.SerialSafeScreen(),
            input_filter=self._input_filter,
            unhandled_input=self._unhandled,
            handle_mouse=False,
        )
        if hasattr(self.loop.screen, "set_terminal_properties"):
            self.loop.screen.set_terminal_properties(colors=colours)
        self.show(Step.WELCOME)

    # --- running ------------------------------------------------------------------------------

    def run(self) -> int:
        screen = self.loop.screen
        old_keys = None
        if hasattr(screen, "tty_signal_keys"):
            # Ctrl+C / Ctrl+Z / Ctrl+\ arrive as keys: the wizard decides (and asks during install)
            old_keys = screen.tty_signal_keys("undefined", "undefined", None, None, "undefined")
        old_term = signal.signal(signal.SIGTERM, _interrupt)  # restore the terminal on kill
        try:
            self.loop.set_alarm_in(0, lambda *_: self.probe())
            self.loop.run()
        except KeyboardInterrupt:  # SIGINT/SIGTERM from outside: leave like Ctrl+C
            self.cancel.set()
            self.exit_code, self.exit_message = 130, self._leave_message()
        finally:
            signal.signal(signal.SIGTERM, old_term)
            if old_keys:
                screen.tty_signal_keys(*old_keys)
        return self.exit_code

    def exit(self, code: int, message: str = "", after: str | None = None) -> None:
        self.exit_code, self.exit_message, self.after_exit = code, message, after
        raise urwid.ExitMainLoop

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

    # --- probes -------------------------------------------------------------------------------

    def probe(self) -> None:
        """Fresh probes (at start and on Ctrl+D): NICs, disks and, on a real install, the media."""
        self.facts["probing"] = True

        def work() -> dict[str, Any]:
            machine = self.services.open_machine()
            facts: dict[str, Any] = {"machine": machine, "payload": None, "media_error": ""}
            if not self.dry_run:
                from cos_installer.hardware.types import MediaNotReady

                try:
                    facts["payload"] = machine.install_media().payload
                except MediaNotReady as exc:
                    facts["media_error"] = str(exc) or "no device labelled CDROM"
            facts["nics"] = machine.nics(self.services.all_nics)
            facts["disks"] = machine.disks()
            return facts

        self.spawn(work, self._probed)

    # --- screens ------------------------------------------------------------------------------

    def context(self) -> Context:
        return Context(
            values=dict(self.wizard.values),
            facts=self.facts,
            done=self.done,
            back=self.back,
            dry_run=self.dry_run,
            ascii_only=self.ascii_only,
            set_keys=lambda keys: self._keybar.set_text(" " + keys),
            set_status=self._set_status,
            offer_language=self.offer_language,
            set_language=self.set_language,
            clock=self.clock,
            flush_input=self.flush_input,
        )

    def flush_input(self) -> None:
        """Drop the keys the terminal holds unread (typed before a confirmation was drawn)."""
        fileno = getattr(self.loop.screen, "_input_fileno", lambda: None)
        if flush_input(fileno()):
            self.note("confirmation drawn: the terminal's unread input was flushed")

    def show(self, step: Step) -> None:
        self._token += 1
        for handle in self._alarms:
            self.loop.remove_alarm(handle)
        self._alarms.clear()
        dropped = getattr(getattr(self.view, "guard", None), "discarded", 0)
        if dropped:
            self.note(f"{self.wizard.step.value}: dropped {dropped} key(s) typed too early")
        self.wizard.step = step
        getattr(self, f"_before_{step.value}", lambda: None)()
        name = "media" if step is Step.WELCOME and self.facts.get("media_error") else step.value
        module = importlib.import_module(f".{name}", __package__)
        self.view = module.View(self.context())
        total = len(STEPS[self.wizard.role or Role.CONTROLLER])
        index = self.wizard.position[0] or 1
        mode = _("  [dry run]") if self.dry_run else ""
        where = _("Step {index} of {total}: {title}").format(
            index=index, total=total, title=self.view.title
        )
        self._header.set_text(f" {_('COS Installer')}{mode}   {where}")
        self._keybar.set_text(" " + self.view.keys)
        body = urwid.LineBox(
            urwid.Padding(self.view, left=1, right=1),
            title=self.view.title,
            **theme.box_chars(self.ascii_only),
        )
        self._frame.body = body
        self._set_status("")
        getattr(self, f"_enter_{step.value}", lambda: None)()

    def done(self, values: dict[str, Any]) -> None:
        step = self.wizard.step
        if values:
            self.note(f"choice: {step.value}: {redacted(values)}")
        self.wizard.values.update(values)
        if step is Step.WELCOME and self.facts.get("media_error"):
            self.facts["media_error"] = ""
            self.probe()  # "Enter retries" on the CDROM Device Not Ready screen
            return
        if step is Step.WELCOME and (self.facts.get("probing") or self.machine is None):
            # Enter is not lost: the wizard begins as soon as the probes are in.
            self.facts["begin_when_probed"] = True
            self._set_status(_("Still probing the hardware; a moment please."))
            return
        if step is Step.CONFIRM and self.facts.get("config") is None:
            return
        if step is Step.DONE:
            self.exit(0, after="reboot")
        self.show(self.wizard.advance())

    def back(self) -> None:
        if self.wizard.step is Step.DHCP:  # Esc on DHCP skips the probe, it does not go back
            self.facts["dhcp"] = None
            self.facts["dhcp_message"] = _("DHCP skipped: enter the address by hand.")
            self.note("dhcp: skipped by the user (Esc)")
            self.show(self.wizard.advance())
            return
        if can_go_back(self.wizard.step, self.wizard.role):
            # what was typed here is kept too (unchecked: it is checked when Enter is pressed)
            self.wizard.values.update(self.view.snapshot())
        prev = self.wizard.back()
        if prev is None:
            if self.wizard.past_point_of_no_return:
                self._set_status(_("The disk has been written: there is no going back."))
            return
        self.note(f"back: {self.wizard.step.value} -> {prev.value}")
        if prev is Step.DHCP:  # a transient screen: going back passes over it
            prev = self.wizard.back() or prev
        self.show(prev)

    def restart(self) -> None:
        if self.install_state == "running":
            self._set_status(_("The install is running: Ctrl+D is not available now."))
            return
        self.note("restart: Ctrl+D, the wizard starts again")
        self.failure = None
        self.wizard.restart()
        self.wizard.values.update(from_answers(self.answers or {}))
        self.machine = None
        self.facts = {}
        self.install_state = "idle"
        self.cancel = threading.Event()
        self.show(Step.WELCOME)
        self.probe()


def _capture(work: Callable[[], Any]) -> Any:
    try:
        return work()
    except Exception as exc:  # shown on the screen that waits for it, never a traceback
        return exc


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt

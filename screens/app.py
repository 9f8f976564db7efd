"""The wizard application: the main loop, the screen change, back and restart, and work that
must not block the screen (probes, DHCP, the install) run in threads.

Which screen comes next is `cos_installer.flow.Wizard`'s decision; which view shows a step, and
the work around it, is the registry in `steps.py`. A view is built with a `Context` and reports
through `done(patch)`/`back()`: a patch in the answers file's nested shape, merged into the one
answers mapping (state.py). Around the views: `Frame` (header, status, key bar, dialogs),
`GlobalKeys` (Esc, Ctrl+D, Ctrl+C), `ScreenWork` (threads and timers for the screen shown),
`error.ErrorScreen` and the hardware `probe`.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

import urwid

from cos_installer import i18n
from cos_installer.answers.model import Role
from cos_installer.common.typeahead import flush_input
from cos_installer.flow import Step, Wizard, can_go_back, steps_for
from cos_installer.i18n import _

from . import probe, theme
from .error import ErrorScreen
from .frame import Frame
from .globalkeys import GlobalKeys
from .state import Context, Entered, Facts, entered_from, merge, prefill, redacted
from .steps import BEFORE, ENTER, view_for
from .work import ScreenWork


class App:
    """One run of the wizard. `run()` returns the exit code; `exit_message` is printed after
    the terminal is restored. `engine`: commands.wizard_engine.WizardEngine (or a test's fake)."""

    def __init__(
        self,
        engine: Any,
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
        self.engine = engine
        self.clock = clock  # tests step it: the confirmations' one-second guard
        self.offer_language = offer_language  # the terminal can show Chinese (i18n.choose)
        self.dry_run = dry_run
        self.answers = answers  # as given: Ctrl+D starts again from them
        self.ascii_only = ascii_only
        self.wizard = Wizard(answers=prefill(answers or {}))
        self.entered: Entered = entered_from(self.wizard.answers)
        self.machine: Any = None
        self.facts = Facts()
        self.view: Any = None
        self.exit_code, self.exit_message = 0, ""
        self.after_exit: str | None = None  # "reboot"
        self.work = ScreenWork(sync)  # spawn, every, after: for the screen shown
        self.install_done: threading.Event | None = None
        self.cancel = threading.Event()
        self.install_state = "idle"  # idle | running | finished | failed
        self.frame = Frame(ascii_only)
        self.keys = GlobalKeys(self)
        self.errors = ErrorScreen(self)
        self.loop = urwid.MainLoop(
            self.frame.widget,
            theme.PALETTE,
            screen=screen or theme.SerialSafeScreen(),
            input_filter=self.keys.filter,
            unhandled_input=self.keys.unhandled,
            handle_mouse=False,
        )
        self.work.loop = self.loop
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
            self.exit_code, self.exit_message = 130, self.keys.leave_message()
        finally:
            signal.signal(signal.SIGTERM, old_term)
            if old_keys:
                screen.tty_signal_keys(*old_keys)
        return self.exit_code

    def exit(self, code: int, message: str = "", after: str | None = None) -> None:
        self.exit_code, self.exit_message, self.after_exit = code, message, after
        raise urwid.ExitMainLoop

    def probe(self) -> None:
        """Fresh probes (at start and on Ctrl+D): NICs, disks and, on a real install, the media."""
        probe.probe(self)

    def note(self, line: str) -> None:
        with contextlib.suppress(Exception):  # the log never breaks the wizard
            self.engine.note(line)

    # --- screens ------------------------------------------------------------------------------

    def context(self) -> Context:
        return Context(
            answers=copy.deepcopy(self.wizard.answers),
            entered=dataclasses.replace(self.entered),
            facts=self.facts,
            done=self.done,
            back=self.back,
            dry_run=self.dry_run,
            ascii_only=self.ascii_only,
            set_keys=self.frame.set_keys,
            set_status=self.frame.set_status,
            offer_language=self.offer_language,
            set_language=self.set_language,
            clock=self.clock,
            flush_input=self.flush_input,
            reprobe=self.reprobe,
        )

    def flush_input(self) -> None:
        """Drop the keys the terminal holds unread (typed before a confirmation was drawn)."""
        fileno = getattr(self.loop.screen, "_input_fileno", lambda: None)
        if flush_input(fileno()):
            self.note("confirmation drawn: the terminal's unread input was flushed")

    def show(self, step: Step) -> None:
        self.work.clear()
        dropped = getattr(getattr(self.view, "guard", None), "discarded", 0)
        if dropped:
            self.note(f"{self.wizard.step.value}: dropped {dropped} key(s) typed too early")
        self.wizard.step = step
        if step in BEFORE:
            BEFORE[step](self)
        self.view = view_for(step, media_missing=bool(self.facts.media_error))(self.context())
        total = len(steps_for(self.wizard.role or Role.CONTROLLER, self.wizard.answers))
        index = self.wizard.position[0] or 1
        where = _("Step {index} of {total}: {title}").format(
            index=index, total=total, title=self.view.title
        )
        self.frame.show_view(self.view, where, self.dry_run)
        if step in ENTER:
            ENTER[step](self)

    def set_language(self, lang: str) -> None:
        """Switch the wizard's language now (Welcome screen) and redraw the current screen."""
        if i18n.language() == i18n.normalise(lang):
            return
        i18n.set_language(lang)
        self.note(f"choice: language {i18n.language()}")
        self.show(self.wizard.step)

    def done(self, patch: dict[str, Any], **entered: Any) -> None:
        """A screen's answers (a patch in the answers' shape) and UI-only state (`Entered`)."""
        step = self.wizard.step
        if patch or entered:
            self.note(f"choice: {step.value}: {redacted(patch, entered)}")
        self.keep(patch, entered)
        if step is Step.WELCOME and self.facts.media_error:
            self.facts.media_error = ""
            self.probe()  # "Enter retries" on the CDROM Device Not Ready screen
            return
        if step is Step.WELCOME and (self.facts.probing or self.machine is None):
            # Enter is not lost: the wizard begins as soon as the probes are in.
            self.facts.begin_when_probed = True
            self.frame.set_status(_("Still probing the hardware; a moment please."))
            return
        if step is Step.CONFIRM and self.facts.config is None:
            return
        if step is Step.DONE:
            self.exit(0, after="reboot")
        self.show(self.wizard.advance())

    def keep(self, patch: dict[str, Any], entered: dict[str, Any]) -> None:
        merge(self.wizard.answers, patch)
        self.entered = dataclasses.replace(self.entered, **entered)

    def back(self) -> None:
        if self.wizard.step is Step.DHCP:  # Esc on DHCP skips the probe, it does not go back
            self.facts.dhcp = None
            self.facts.dhcp_message = _("DHCP skipped: enter the address by hand.")
            self.note("dhcp: skipped by the user (Esc)")
            self.show(self.wizard.advance())
            return
        if can_go_back(self.wizard.step, self.wizard.role, self.wizard.answers):
            # what was typed here is kept too (unchecked: it is checked when Enter is pressed)
            self.keep(self.view.snapshot(), self.view.snapshot_entered())
        prev = self.wizard.back()
        if prev is None:
            if self.wizard.past_point_of_no_return:
                self.frame.set_status(_("The disk has been written: there is no going back."))
            return
        self.note(f"back: {self.wizard.step.value} -> {prev.value}")
        if prev is Step.DHCP:  # a transient screen: going back passes over it
            prev = self.wizard.back() or prev
        self.show(prev)

    def reprobe(self, patch: dict[str, Any], entered: dict[str, Any]) -> None:
        """The address screen's "ask DHCP again": keep what it shows (its VLAN too), go back
        to the DHCP step, which probes the stack now chosen and comes back to the address."""
        self.keep(patch, entered)
        if self.wizard.back() is not Step.DHCP:
            self.show(self.wizard.step)
            return
        self.note("dhcp: asked again from the address screen")
        self.show(Step.DHCP)

    def restart(self) -> None:
        if self.install_state == "running":
            self.frame.set_status(_("The install is running: Ctrl+D is not available now."))
            return
        self.note("restart: Ctrl+D, the wizard starts again")
        self.errors.failure = None
        self.wizard.restart()
        self.wizard.answers.update(prefill(self.answers or {}))
        self.entered = entered_from(self.wizard.answers)
        self.machine = None
        self.facts = Facts()
        self.install_state = "idle"
        self.cancel = threading.Event()
        self.show(Step.WELCOME)
        self.probe()

    # --- leaving ------------------------------------------------------------------------------

    def install_thread_alive(self) -> bool:
        return self.install_done is not None and not self.install_done.is_set()

    def wait_for_install(self, timeout: float) -> None:
        """After Ctrl+C during the install: let the cancelled worker clean up before exiting."""
        if self.install_done is not None:
            self.install_done.wait(timeout)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt

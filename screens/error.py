"""The error screen, for any failure (the install, the hardware probe): what failed in one
sentence, the cause, what to try (the guide's FAQ where it applies), and the actions: view the
log (l), write the diagnostics bundle (s), restart the wizard (Ctrl+D), a shell (!)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import urwid

from cos_installer.i18n import N_, _

from .paste import Paste
from .widgets import Screen, blank, text

LOG_LINES = 500


class View(Screen):
    title = N_("Installation failed")
    keys = N_("l log  s diagnostics bundle  Ctrl+D restart wizard  ! shell  Ctrl+C quit")

    def __init__(self, ctx: Any, failure: Any) -> None:
        self.failure = failure
        self.actions: dict[str, Callable[..., Any]] = dict(getattr(ctx, "actions", {}) or {})
        self.bundle = text("")
        rows = [
            text(("error", failure.what)),
            blank(),
            text([("title", _("Cause: ")), failure.cause]),
            *[text(("dim", line)) for line in getattr(failure, "details", [])],
        ]
        if getattr(failure, "disk_state", ""):
            rows.append(text(("note", failure.disk_state)))
        rows += [
            blank(),
            text(("title", _("What to try:"))),
            *[_bullet(line) for line in failure.advice],
            blank(),
        ]
        log_path = self.actions.get("log_path", lambda: "")()
        if log_path:
            rows.append(text(("dim", _("Log: {path}").format(path=log_path))))
        rows.append(self.bundle)
        super().__init__(ctx, rows)
        self._main = self._w
        self.showing_log = False

    def submit(self) -> None:
        """Enter does nothing here: the keys below name the actions."""

    # --- actions ------------------------------------------------------------------------------

    def keypress(self, size: tuple[int, int], key: str) -> str | None:
        if isinstance(key, Paste):  # keys that came together: one by one (Screen replays them)
            return super().keypress(size, key)
        if self.showing_log:
            if key in ("esc", "l", "q", "enter"):
                self.show_main()
                return None
            return self._w.keypress(size, key)
        if key == "l":
            self.show_log()
        elif key == "s":
            self.write_bundle()
        elif key == "!":
            if "shell" in self.actions:
                self.actions["shell"]()
        elif key == "esc":
            return None  # nothing to go back to: the failure stays on screen
        else:
            return super().keypress(size, key)
        return None

    def write_bundle(self) -> None:
        if "snap" not in self.actions:
            return
        self.bundle.set_text(("note", _("Writing the diagnostics bundle...")))
        self.actions["snap"](self.bundle_written)

    def bundle_written(self, result: Any) -> None:
        """`result`: the bundle's path, or the exception that stopped it."""
        if isinstance(result, BaseException):
            self.bundle.set_text(
                (
                    "error",
                    _("The diagnostics bundle could not be written: {error}").format(error=result),
                )  # fmt: skip
            )
            return
        self.bundle.set_text(
            [
                ("title", _("Diagnostics bundle: {path}").format(path=result)),
                "\n" + _("Send it with a description of the problem to support."),
            ]
        )

    def show_log(self) -> None:
        read = self.actions.get("log_text")
        content = read() if read else ""
        lines = (content or _("(the log is empty)")).expandtabs(2).splitlines()[-LOG_LINES:]
        walker = urwid.SimpleFocusListWalker([_Line(line) for line in lines])
        listbox = urwid.ListBox(walker)
        if lines:
            listbox.set_focus(len(lines) - 1)
        self._w = listbox
        self.showing_log = True
        self.ctx.set_keys(_("Up/Down/PgUp/PgDn scroll  Esc back to the error  Ctrl+C quit"))

    def show_main(self) -> None:
        self._w = self._main
        self.showing_log = False
        self.ctx.set_keys(self.keys)


def _bullet(line: str) -> urwid.Widget:
    """` - advice` with the wrapped lines indented under the text, not under the dash."""
    return urwid.Columns([(3, text(" -")), text(line)])


class _Line(urwid.Text):
    """A selectable log line, so Up/Down scroll one line at a time."""

    def selectable(self) -> bool:
        return True

    def keypress(self, size: tuple[int], key: str) -> str | None:
        return key


class ErrorScreen:
    """Shows a failure in place of the current screen and runs its actions: the log, the
    diagnostics bundle (off the main loop) and a shell on the terminal."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.failure: Any = None  # support.advice.Failure, while it is shown

    def show(self, failure: Any) -> None:
        app = self.app
        self.failure = failure
        app.work.drop()  # results of work started for the previous screen are dropped
        where = f" on {failure.device}" if failure.device else ""
        app.note(f"error screen: stage {failure.stage or '-'}{where}: {failure.cause}")
        ctx = app.context()
        ctx.actions = {
            "snap": self.write_bundle,
            "shell": self.open_shell,
            "log_text": app.engine.log_text,
            "log_path": lambda: app.engine.log_path or "",
        }
        app.view = View(ctx, failure)
        app.frame.show_view(app.view, app.view.title, app.dry_run)

    def write_bundle(self, then: Callable[[Any], None]) -> None:
        """Write the diagnostics bundle off the main loop; `then(path or exception)`."""

        def done(result: Any) -> None:
            self.app.note(f"snap: {result}")
            then(result)

        self.app.work.spawn(self.app.engine.write_bundle, done)

    def open_shell(self) -> None:
        """Stop the screen, run a shell on the terminal, and come back to the error screen."""
        app = self.app
        app.note("shell: started from the error screen")
        screen = app.loop.screen
        with contextlib.suppress(Exception):
            screen.stop()
        try:
            app.engine.shell()
        finally:
            with contextlib.suppress(Exception):
                screen.start()
            app.loop.screen_size = None
            with contextlib.suppress(Exception):
                app.loop.draw_screen()
        app.note("shell: ended")

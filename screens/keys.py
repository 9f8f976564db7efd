"""Global keys: Esc back, Ctrl+D restart, Ctrl+C leave (at once before the install; once
it has started, ask first and say what state the disk is in); the status line."""

from __future__ import annotations

from typing import Any

import urwid

from cos_installer.i18n import _

from . import theme
from .dialogs import QuitDialog
from .paste import coalesce


class Keys:
    """Mixed into App."""

    def _input_filter(self, keys: list[Any], raw: list[int]) -> list[Any]:
        rest = []
        for key in keys:
            if self._dialog is not None and key not in ("window resize",):
                rest.append(key)
            elif key == "ctrl c":
                self.request_quit()
            elif key == "ctrl d":
                self.restart()
            else:
                if isinstance(key, str) and self._status.text:
                    self._set_status("")
                rest.append(key)
        return coalesce(rest)

    def _unhandled(self, key: Any) -> bool | None:
        if key == "esc":
            self.back()
            return True
        return None

    def _set_status(self, message: str) -> None:
        contents = self._footer.contents
        self._status.set_text(("note", " " + message) if message else "")
        if message and len(contents) == 1:
            contents.insert(0, (self._status, self._footer.options()))
        elif not message and len(contents) == 2:
            del contents[0]

    def request_quit(self) -> None:
        if self.install_state == "idle":
            self.exit(130, self._leave_message())
        self.open_dialog(QuitDialog(self.disk_state(), self._quit_answer))

    def _quit_answer(self, leave: bool) -> None:
        self.close_dialog()
        if not leave:
            return
        if self.install_state == "running":
            self.cancel.set()
        self.exit(130, self._leave_message())

    def disk_state(self) -> str:
        """What leaving now leaves on the disk, for the Ctrl+C question and the exit line."""
        disk = self.wizard.answers.get("disk") or _("the disk")
        if self.install_state == "idle":
            return _("no disk was changed.")
        if self.dry_run:
            return _("dry run: nothing was written to {disk}.").format(disk=disk)
        if self.install_state == "running":
            return _(
                "{disk} is partly written and will not boot; run cos-installer again to install it."
            ).format(disk=disk)
        if self.install_state == "failed":
            return _("the install failed: {disk} will not boot; see the install log.").format(
                disk=disk
            )
        return _("COS is installed on {disk}; it starts at the next boot.").format(disk=disk)

    def _leave_message(self) -> str:
        if self.install_state == "idle":
            return _("cos-installer: left before installing: {state}").format(
                state=self.disk_state()
            )
        return _("cos-installer: left the installer: {state}").format(state=self.disk_state())

    def open_dialog(self, dialog: urwid.Widget) -> None:
        self._dialog = dialog
        overlay = urwid.Overlay(
            urwid.LineBox(dialog, **theme.box_chars(self.ascii_only)),
            urwid.AttrMap(self._frame, "body"),
            "center",
            64,
            "middle",
            10,
        )
        self.guard.set_inner(overlay)

    def close_dialog(self) -> None:
        self._dialog = None
        self.guard.set_inner(urwid.AttrMap(self._frame, "body"))

    def install_thread_alive(self) -> bool:
        return self.install_done is not None and not self.install_done.is_set()

    def wait_for_install(self, timeout: float) -> None:
        """After Ctrl+C during the install: let the cancelled worker clean up before exiting."""
        if self.install_done is not None:
            self.install_done.wait(timeout)

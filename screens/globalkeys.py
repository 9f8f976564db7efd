"""The keys every screen shares: Esc back, Ctrl+D restart, Ctrl+C leave (at once before the
install; once it has started, ask first and say what state the disk is in)."""

from __future__ import annotations

from typing import Any

from cos_installer.i18n import _

from .dialogs import QuitDialog
from .paste import coalesce


class GlobalKeys:
    """The main loop's input filter and unhandled-key handler, and the quit question."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def filter(self, keys: list[Any], raw: list[int]) -> list[Any]:
        app, rest = self.app, []
        for key in keys:
            if app.frame.dialog is not None and key not in ("window resize",):
                rest.append(key)
            elif key == "ctrl c":
                self.request_quit()
            elif key == "ctrl d":
                app.restart()
            else:
                if isinstance(key, str) and app.frame.status.text:
                    app.frame.set_status("")
                rest.append(key)
        return coalesce(rest)

    def unhandled(self, key: Any) -> bool | None:
        if key == "esc":
            self.app.back()
            return True
        return None

    def request_quit(self) -> None:
        if self.app.install_state == "idle":
            self.app.exit(130, self.leave_message())
        self.app.frame.open_dialog(QuitDialog(self.disk_state(), self._quit_answer))

    def _quit_answer(self, leave: bool) -> None:
        self.app.frame.close_dialog()
        if not leave:
            return
        if self.app.install_state == "running":
            self.app.cancel.set()
        self.app.exit(130, self.leave_message())

    def disk_state(self) -> str:
        """What leaving now leaves on the disk, for the Ctrl+C question and the exit line."""
        app = self.app
        disk = app.wizard.answers.get("disk") or _("the disk")
        if app.install_state == "idle":
            return _("no disk was changed.")
        if app.dry_run:
            return _("dry run: nothing was written to {disk}.").format(disk=disk)
        if app.install_state == "running":
            return _(
                "{disk} is partly written and will not boot; run cos-installer again to install it."
            ).format(disk=disk)
        if app.install_state == "failed":
            return _("the install failed: {disk} will not boot; see the install log.").format(
                disk=disk
            )
        return _("COS is installed on {disk}; it starts at the next boot.").format(disk=disk)

    def leave_message(self) -> str:
        if self.app.install_state == "idle":
            return _("cos-installer: left before installing: {state}").format(
                state=self.disk_state()
            )
        return _("cos-installer: left the installer: {state}").format(state=self.disk_state())

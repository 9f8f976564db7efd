"""Screen 4c, HA: deploy the controller as part of an HA group (MongoDB replica set rs0)?"""

from __future__ import annotations

from typing import Any

from cos_installer.answers.model import DEFAULT_HA
from cos_installer.i18n import N_, _

from .widgets import KEYS_LIST, RadioList, Screen, blank, text


class View(Screen):
    title = N_("Controller HA")
    keys = KEYS_LIST

    def __init__(self, ctx: Any) -> None:
        self.choice = RadioList(
            [(True, _("Yes   this controller is one of an HA group of 3")), (False, _("No"))],
            selected=ctx.values.get("ha", DEFAULT_HA),
        )
        rows = [
            blank(),
            text(_("Enable the controller HA deployment?")),
            blank(),
            self.choice,
            blank(),
            text(
                (
                    "dim",
                    _(
                        "With HA, the monitor service starts the controller, prometheus and "
                        "agent on the replica set's primary (MongoDB replica set rs0)."
                    ),
                )
            ),
        ]
        super().__init__(ctx, rows)
        self.focus_widget(self.choice)

    def snapshot(self) -> dict[str, Any]:
        selected = self.choice.selected
        return {} if selected is None else {"ha": selected}

    def submit(self) -> None:
        self.ctx.done({"ha": bool(self.choice.select_focused_if_none())})

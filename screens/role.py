"""Screen 2, Role: Controller (central management) or Agent (a node running containers)."""

from __future__ import annotations

from typing import Any

from .widgets import KEYS_LIST, RadioList, Screen, blank, text

ROLES = [
    ("controller", "Controller    install a central controller"),
    ("agent", "Agent         install an agent node (runs the containers)"),
]


class View(Screen):
    title = "Role"
    keys = KEYS_LIST

    def __init__(self, ctx: Any) -> None:
        self.choice = RadioList(ROLES, selected=ctx.values.get("role"))
        rows = [
            blank(),
            text("Which role does this machine take in the COS cluster?"),
            blank(),
            self.choice,
            blank(),
            text(("dim", "A cluster has 3 controllers (an HA group) and any number of agents.")),
        ]
        super().__init__(ctx, rows)
        self.focus_widget(self.choice)

    def snapshot(self) -> dict[str, Any]:
        selected = self.choice.selected
        return {} if selected is None else {"role": selected}

    def submit(self) -> None:
        role = self.choice.select_focused_if_none()
        if role is not None:
            self.ctx.done({"role": role})

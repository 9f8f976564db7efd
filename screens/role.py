"""Screen 2, Role: Controller (central management) or Agent (a node running containers)."""

from __future__ import annotations

from typing import Any

from cos_installer.i18n import N_, _

from .widgets import KEYS_LIST, RadioList, Screen, blank, text

ROLES = [
    ("controller", N_("Controller    install a central controller")),
    ("agent", N_("Agent         install an agent node (runs the containers)")),
]


# the guide: 1 controller, or 3 as an HA group (2, 3.1); agents: at least Cluster Size (3.2)
CLUSTER_NOTE = N_(
    "A cluster has 1 controller, or 3 as an HA group, and at least Cluster Size agents "
    "(3 by default)."
)


class View(Screen):
    title = N_("Role")
    keys = KEYS_LIST

    def __init__(self, ctx: Any) -> None:
        self.choice = RadioList(
            [(key, _(label)) for key, label in ROLES], selected=ctx.values.get("role")
        )
        rows = [
            blank(),
            text(_("Which role does this machine take in the COS cluster?")),
            blank(),
            self.choice,
            blank(),
            text(("dim", _(CLUSTER_NOTE))),
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

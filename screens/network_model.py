"""Screen 6a (agents), Network model: Bridge (recommended) or Ipvlan (vSphere only)."""

from __future__ import annotations

from typing import Any

from cos_installer.i18n import N_, _

from .widgets import KEYS_LIST, RadioList, Screen, blank, text

MODELS = [
    ("bridge", N_("Bridge   Docker's default; fits most sites (recommended)")),
    ("ipvlan", N_("Ipvlan   only for sites virtualised with vSphere")),
]


class View(Screen):
    title = N_("Network model")
    keys = KEYS_LIST

    def __init__(self, ctx: Any) -> None:
        self.choice = RadioList(
            [(key, _(label)) for key, label in MODELS],
            selected=ctx.values.get("network_model", "bridge"),
        )
        rows = [
            blank(),
            text(_("The network model Docker uses on this agent.")),
            text(("note", _("All agents of a cluster must use the same network model."))),
            blank(),
            self.choice,
            blank(),
            text(
                ("dim", _("With Ipvlan, the addresses of different agents must not be consecutive"))
            ),
            text(("dim", _("(e.g. .101, .103, .105)."))),
        ]
        super().__init__(ctx, rows)
        self.focus_widget(self.choice)

    def snapshot(self) -> dict[str, Any]:
        selected = self.choice.selected
        return {} if selected is None else {"network_model": selected}

    def submit(self) -> None:
        self.ctx.done({"network_model": self.choice.select_focused_if_none() or "bridge"})

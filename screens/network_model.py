"""Screen 6a (agents), Network model: Bridge (recommended) or Ipvlan (vSphere only)."""

from __future__ import annotations

from typing import Any

from cos_installer.answers.model import NetworkModel
from cos_installer.i18n import N_, _

from .choice import ChoiceScreen
from .state import section
from .widgets import blank, text

MODELS = [
    (NetworkModel.BRIDGE.value, N_("Bridge   Docker's default; fits most sites (recommended)")),
    (NetworkModel.IPVLAN.value, N_("Ipvlan   only for sites virtualised with vSphere")),
]


class View(ChoiceScreen):
    title = N_("Network model")
    answer = ("agent", "network_model")

    def __init__(self, ctx: Any) -> None:
        chosen = section(ctx.answers, "agent").get("network_model")
        if chosen not in {key for key, _label in MODELS}:
            chosen = NetworkModel.BRIDGE.value  # the model's default
        above = [
            blank(),
            text(_("The network model Docker uses on this agent.")),
            text(("note", _("All agents of a cluster must use the same network model."))),
            blank(),
        ]
        below = [
            blank(),
            text(
                ("dim", _("With Ipvlan, the addresses of different agents must not be consecutive"))
            ),
            text(("dim", _("(e.g. .101, .103, .105)."))),
        ]
        super().__init__(ctx, [(key, _(label)) for key, label in MODELS], chosen, above, below)

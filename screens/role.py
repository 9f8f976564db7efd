"""Screen 2, Role: Controller (central management) or Agent (a node running containers)."""

from __future__ import annotations

from typing import Any

from cos_installer.i18n import N_, _

from .choice import ChoiceScreen
from .widgets import blank, text

ROLES = [
    ("controller", N_("Controller    install a central controller")),
    ("agent", N_("Agent         install an agent node (runs the containers)")),
]


# the guide: 1 controller, or 3 as an HA group (2, 3.1); agents: at least Cluster Size (3.2)
CLUSTER_NOTE = N_(
    "A cluster has 1 controller, or 3 as an HA group, and at least Cluster Size agents "
    "(3 by default)."
)


class View(ChoiceScreen):
    title = N_("Role")
    answer = ("role",)

    def __init__(self, ctx: Any) -> None:
        above = [blank(), text(_("Which role does this machine take in the COS cluster?")), blank()]
        below = [blank(), text(("dim", _(CLUSTER_NOTE)))]
        items = [(key, _(label)) for key, label in ROLES]
        super().__init__(ctx, items, ctx.answers.get("role"), above, below)

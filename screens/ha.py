"""Screen 4c, HA: deploy the controller as part of an HA group (MongoDB replica set rs0)?"""

from __future__ import annotations

from typing import Any

from cos_installer.answers.model import DEFAULT_HA
from cos_installer.i18n import N_, _

from .choice import ChoiceScreen
from .state import section, yes_no_or
from .widgets import blank, text

HA_NOTE = N_(
    "With HA, the monitor service starts the controller, prometheus and "
    "agent on the replica set's primary (MongoDB replica set rs0)."
)


class View(ChoiceScreen):
    title = N_("Controller HA")
    answer = ("controller", "ha")

    def __init__(self, ctx: Any) -> None:
        items = [(True, _("Yes   this controller is one of an HA group of 3")), (False, _("No"))]
        selected = yes_no_or(section(ctx.answers, "controller").get("ha"), DEFAULT_HA)
        above = [blank(), text(_("Enable the controller HA deployment?")), blank()]
        below = [blank(), text(("dim", _(HA_NOTE)))]
        super().__init__(ctx, items, selected, above, below)

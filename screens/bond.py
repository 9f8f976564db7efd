"""Bond mode (after the NIC screen, only when several cards were marked: flow.Step.BOND): how
the marked cards work together, one line each on when to use it. 802.3ad (LACP) with a card
that has no link now gets a warning: the switch group needs every member cabled."""

from __future__ import annotations

import dataclasses
from typing import Any

from cos_installer.answers import validate
from cos_installer.answers.model import BOND_MODES, DEFAULT_BOND_MODE, BondSettings, NetworkSettings
from cos_installer.i18n import N_, _

from .choice import ChoiceScreen
from .nic import _members
from .state import section
from .widgets import blank, text

# when to use each of the engine's modes (model.BOND_MODES, in its order)
WHEN = {
    "active-backup": N_("one card carries, another takes over; any switch"),
    "802.3ad": N_("LACP: all cards carry; switch ports set as an LACP group"),
    "balance-alb": N_("all cards carry, both ways; any switch, no switch setup"),
    "balance-tlb": N_("all cards send, one receives; any switch"),
    "balance-rr": N_("packets in turn; the switch ports form a static group"),
    "balance-xor": N_("one card per peer; the switch ports form a static group"),
    "broadcast": N_("every packet on every card; rarely wanted"),
}


class View(ChoiceScreen):
    title = N_("Bond mode")

    def __init__(self, ctx: Any) -> None:
        network = section(ctx.answers, "network")
        self.bond = dict(section(network, "bond"))
        self.names = _members(network.get("interface"))
        self.nics = {nic.name: nic for nic in ctx.facts.nics or [] if nic.name in self.names}
        chosen = self.bond.get("mode")
        if chosen not in BOND_MODES:
            chosen = DEFAULT_BOND_MODE
        self.warning = text("")
        above = [
            blank(),
            text(
                _("The cards {nics} work together as one (a bond).").format(
                    nics="+".join(self.names)
                )
            ),
            text(_("How they share the traffic:")),
            blank(),
        ]
        items = [(mode, f"{mode:<15}{_(WHEN.get(mode, ''))}") for mode in BOND_MODES]
        below = [blank(), self.warning]
        super().__init__(ctx, items, chosen, above, below, on_change=lambda _key: self._warn())
        self._warn()

    def update_links(self, states: dict[str, bool]) -> None:
        """Carrier states re-read by the app (screens/nic.watch_links)."""
        for name, up in states.items():
            if name in self.nics and self.nics[name].linked != up:
                self.nics[name] = dataclasses.replace(self.nics[name], linked=up)
        self._warn()

    def _warn(self) -> None:
        """The engine's rules on the mode with these cards as they are now (802.3ad needs a
        link on every member): a warning here, as a cable may still be plugged in."""
        net = NetworkSettings(
            interfaces=list(self.names), bond=BondSettings(mode=str(self.choice.selected))
        )
        problems = validate.stack_problems(net, list(self.nics.values()))
        warning = " ".join(msg for path, msg in problems if path == "network.bond.mode")
        self.warning.set_text(("note", warning))

    def patch(self, value: Any) -> dict[str, Any]:
        """The mode, with the answers' other bond settings (miimon, lacp_rate, primary) kept."""
        return {"network": {"bond": {**self.bond, "mode": value}}}

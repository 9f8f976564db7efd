"""Bond mode (after the NIC screen, only when several cards were marked: flow.Step.BOND): how
the marked cards work together, one line each on when to use it. 802.3ad (LACP) with a card
that has no link now gets a warning: the switch group needs every member cabled."""

from __future__ import annotations

from typing import Any

from cos_installer.i18n import N_, _

from .choice import ChoiceScreen
from .nic import _members
from .state import section
from .widgets import blank, text

DEFAULT_MODE = "active-backup"
# when to use each mode; the valid modes themselves are the engine's (validate.bond_mode)
MODES = [
    ("active-backup", N_("one card carries, another takes over; any switch")),
    ("802.3ad", N_("LACP: all cards carry; the switch ports form an LACP group")),
    ("balance-alb", N_("all cards carry, both ways; any switch, no switch setup")),
    ("balance-tlb", N_("all cards send, one receives; any switch")),
    ("balance-rr", N_("packets in turn; the switch ports form a static group")),
    ("balance-xor", N_("one card per peer; the switch ports form a static group")),
    ("broadcast", N_("every packet on every card; rarely wanted")),
]
LACP = "802.3ad"


class View(ChoiceScreen):
    title = N_("Bond mode")

    def __init__(self, ctx: Any) -> None:
        network = section(ctx.answers, "network")
        self.bond = dict(section(network, "bond"))
        self.names = _members(network.get("interface"))
        nics = {nic.name: nic for nic in ctx.facts.nics or []}
        self.linked = {name: bool(getattr(nics.get(name), "linked", False)) for name in self.names}
        chosen = self.bond.get("mode")
        if chosen not in {key for key, _label in MODES}:
            chosen = DEFAULT_MODE
        self.warning = text("")
        above = [
            blank(),
            text(_("The cards {nics} work together as one (a bond).").format(
                nics="+".join(self.names)
            )),
            text(_("How they share the traffic:")),
            blank(),
        ]
        items = [(key, f"{key:<15}{_(label)}") for key, label in MODES]
        below = [blank(), self.warning]
        super().__init__(ctx, items, chosen, above, below, on_change=lambda _key: self._warn())
        self._warn()

    def update_links(self, states: dict[str, bool]) -> None:
        """Carrier states re-read by the app (screens/nic.watch_links)."""
        self.linked.update({name: bool(up) for name, up in states.items() if name in self.linked})
        self._warn()

    def _warn(self) -> None:
        down = [name for name in self.names if not self.linked.get(name)]
        warning = ""
        if self.choice.selected == LACP and down:
            warning = _(
                "{nics}: no link now. 802.3ad needs every card cabled to the switch's LACP "
                "group; check the cables or choose active-backup."
            ).format(nics=", ".join(down))
        self.warning.set_text(("note", warning))

    def patch(self, value: Any) -> dict[str, Any]:
        """The mode, with the answers' other bond settings (miimon, lacp_rate, primary) kept."""
        return {"network": {"bond": {**self.bond, "mode": value}}}

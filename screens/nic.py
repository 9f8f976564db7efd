"""Screen 6, NIC: every detected network card, [Linked] green / [NoLink] red, with MAC,
driver and speed; the link state follows the cable live (the app polls and calls
`update_links`). Exactly one NIC is configured now; the others after the install."""

from __future__ import annotations

from typing import Any

from cos_installer.i18n import N_, _

from .choice import ChoiceScreen
from .state import section
from .widgets import blank, text


def _speed(mbps: int | None) -> str:
    if not mbps or mbps < 0:
        return "-"
    return f"{mbps // 1000} Gb/s" if mbps >= 1000 and mbps % 1000 == 0 else f"{mbps} Mb/s"


class View(ChoiceScreen):
    title = N_("Network card")
    answer = ("network", "interface")
    missing = N_("Choose a network card (Space), then press Enter.")

    def __init__(self, ctx: Any) -> None:
        self.nics = list(ctx.facts.nics)
        self.names = [nic.name for nic in self.nics]
        self.linked = {nic.name: nic.linked for nic in self.nics}
        chosen = section(ctx.answers, "network").get("interface")
        if chosen not in self.linked:  # default: the first NIC with a cable
            chosen = next((n.name for n in self.nics if n.linked), None)
        self.message = text("")
        above = [
            blank(),
            text(_("Choose the network card this node uses in the COS cluster; the others")),
            text(_("can be configured after the install.")),
            blank(),
            text(("dim", _("    NIC         Link      MAC                Driver       Speed"))),
        ]
        items = [(nic.name, self._label(nic)) for nic in self.nics]
        super().__init__(ctx, items, chosen, above, [blank(), self.message])
        if not self.nics:
            self.walker[len(above)] = text(("error", _("No network card was found.")))
            self.listbox.set_focus(0)

    def _label(self, nic: Any) -> list[Any]:
        linked = self.linked.get(nic.name, nic.linked)
        state = ("linked", "[Linked]") if linked else ("nolink", "[NoLink]")
        speed = _speed(nic.speed_mbps) if linked else "-"
        return [
            f"{nic.name:<11} ",
            state,
            f"  {nic.mac:<18} {(nic.driver or '-')[:12]:<12} {speed}",
        ]

    def update_links(self, states: dict[str, bool]) -> None:
        """Carrier states re-read by the app; redraw only the rows that changed."""
        for nic in self.nics:
            state = states.get(nic.name)
            if state is not None and state != self.linked.get(nic.name):
                self.linked[nic.name] = state
                self.choice.choices[nic.name].set_label(self._label(nic))

    def submit(self) -> None:
        name = self.choice.select_focused_if_none()
        if name is not None:
            self.message.set_text("" if self.linked.get(name) else _(" (no cable detected now)"))
        super().submit()


LINK_POLL_S = 0.5


def watch_links(app: Any) -> None:
    """While the NIC screen is shown: re-read the carriers and redraw the rows that changed."""
    view, machine = app.view, app.machine
    names = list(getattr(view, "names", []))
    if machine is None or not names:
        return
    app.work.every(LINK_POLL_S, lambda: view.update_links(machine.link_states(names)))

"""Screen 6, NIC: every detected network card, [Linked] green / [NoLink] red, with MAC,
driver and speed; the link state follows the cable live (the app polls and calls
`update_links`). Enter takes the highlighted card (the guide's way); Space marks several,
and the marked cards become a bond (its mode is the next screen's question, flow.Step.BOND).
The other cards are configured after the install."""

from __future__ import annotations

from typing import Any

from cos_installer.i18n import N_, _

from .marklist import MarkList
from .state import section
from .widgets import KEYS_LIST, Screen, blank, text


def _speed(mbps: int | None) -> str:
    if not mbps or mbps < 0:
        return "-"
    return f"{mbps // 1000} Gb/s" if mbps >= 1000 and mbps % 1000 == 0 else f"{mbps} Mb/s"


def _members(value: Any) -> list[str]:
    """The answers' interface as a list of names: one name, or a bond's members."""
    if isinstance(value, list | tuple):
        return [str(name) for name in value]
    return [str(value)] if value else []


class View(Screen):
    title = N_("Network card")
    keys = KEYS_LIST

    def __init__(self, ctx: Any) -> None:
        self.nics = list(ctx.facts.nics or [])
        self.names = [nic.name for nic in self.nics]
        self.linked = {nic.name: nic.linked for nic in self.nics}
        given = [name for name in _members(section(ctx.answers, "network").get("interface"))]
        given = [name for name in given if name in self.linked]
        marked = given if len(given) > 1 else []  # one name: highlighted, as Enter takes it
        focus = given[0] if given else next((n.name for n in self.nics if n.linked), None)
        self.message = text("")
        self.plan = text("")
        above = [
            blank(),
            text(_("Choose the network card this node uses in the COS cluster; the others")),
            text(_("can be configured after the install. Enter takes the highlighted card;")),
            text(_("Space marks several cards, which then work together as one (a bond).")),
            blank(),
            text(("dim", _("    NIC         Link      MAC                Driver       Speed"))),
        ]
        items = [(nic.name, self._label(nic)) for nic in self.nics]
        self.choice = MarkList(items, marked, focus, on_change=lambda _m: self._show_plan())
        rows = [*above, self.choice, blank(), self.plan, self.message]
        if not self.nics:
            rows[len(above)] = text(("error", _("No network card was found.")))
        super().__init__(ctx, rows)
        if self.nics:
            self.focus_widget(self.choice)
        self._show_plan()

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
                self.choice.lines[nic.name].set_label(self._label(nic))

    def chosen(self) -> list[str]:
        """What Enter takes: the marked cards, else the highlighted one."""
        marked = [str(name) for name in self.choice.marked]
        if marked:
            return marked
        focused = self.choice.focused_key
        return [str(focused)] if focused is not None else []

    def _show_plan(self) -> None:
        names = self.chosen()
        if len(names) > 1:
            plan = _("Enter: a bond of {nics}; its mode is asked next.").format(
                nics="+".join(names)
            )
        elif names:
            plan = _("Enter: {nic} alone.").format(nic=names[0])
        else:
            plan = ""
        self.plan.set_text(("note", plan))

    def keypress(self, size: tuple[int, int], key: Any) -> str | None:
        key = super().keypress(size, key)
        self._show_plan()  # the highlighted card may have changed
        return key

    def snapshot(self) -> dict[str, Any]:
        """The card(s) by name; the engine adds their permanent MACs from the probe."""
        names = self.chosen()
        if not names:
            return {}
        return {"network": {"interface": names if len(names) > 1 else names[0]}}

    def submit(self) -> None:
        names = self.chosen()
        if not names:
            self.message.set_text(("error", _("Choose a network card (Space), then press Enter.")))
            return
        if len(names) == 1 and not self.linked.get(names[0]):
            self.message.set_text(_(" (no cable detected now)"))
        self.ctx.done(self.snapshot())


LINK_POLL_S = 0.5


def watch_links(app: Any) -> None:
    """While a screen with NIC rows is shown (NIC, bond mode): re-read the carriers and let it
    redraw what changed."""
    view, machine = app.view, app.machine
    names = list(getattr(view, "names", []))
    if machine is None or not names:
        return
    app.work.every(LINK_POLL_S, lambda: view.update_links(machine.link_states(names)))

"""Screen 8b, HA group (HA controller only): the three controllers' addresses, the primary
first (rs0's member order, guide 3.1.2.2), this machine's own address pre-filled in the place
the operator says is its own (the first by default). The engine's validator judges the group;
its message shows under the address it is about."""

from __future__ import annotations

from typing import Any

from cos_installer.answers import validate
from cos_installer.answers.model import HA_GROUP_SIZE
from cos_installer.i18n import N_, _

from .radiolist import RadioList
from .state import as_text, own_address, section
from .widgets import KEYS_FORM_LIST, Field, Screen, blank, text


def group_items(value: Any) -> list[str]:
    """The group as three field values (an answers file's list or 'a, b, c'); any extra
    addresses stay in the last field, for the validator to name."""
    items = as_text(value).replace(",", " ").split()
    items += [""] * (HA_GROUP_SIZE - len(items))
    return items[: HA_GROUP_SIZE - 1] + [", ".join(items[HA_GROUP_SIZE - 1 :])]


class View(Screen):
    title = N_("HA group")
    keys = KEYS_FORM_LIST

    def __init__(self, ctx: Any) -> None:
        self.addr = own_address(ctx.answers)[0]
        own = str(self.addr.ip) if self.addr is not None else ""
        items = group_items(section(ctx.answers, "controller").get("group"))
        place = items.index(own) if own and own in items else 0
        if own and own not in items and not items[place]:
            items[place] = own
        self.place = RadioList(
            [(n, _("controller{n}").format(n=n + 1)) for n in range(HA_GROUP_SIZE)],
            selected=place,
            on_change=self._move_own,
        )
        primary = _("the primary")
        self.members = [
            Field(
                _("controller{n}").format(n=n + 1),
                items[n],
                width=16,
                hint=primary if n == 0 else "",
            )  # fmt: skip
            for n in range(HA_GROUP_SIZE)
        ]
        shown = own or _("DHCP: an HA group needs a static address (Esc)")
        rows = [
            blank(),
            text(_("The addresses of the HA group's three controllers, the primary first.")),
            text(("dim", _("At first boot the primary sets up MongoDB's replica set rs0 with"))),
            text(("dim", _("them in this order (guide 3.1.2): give all three the same list."))),
            blank(),
            text(_("This machine ({ip}) is:").format(ip=shown)),
            self.place,
            blank(),
            *self.members,
        ]
        super().__init__(ctx, rows)
        self.focus_widget(self.members[0] if place == 0 and own else self.place)

    def _move_own(self, place: Any) -> None:
        """This machine's address moves to the place chosen (swapped with what was there)."""
        own = str(self.addr.ip) if self.addr is not None else ""
        values = [field.value.strip() for field in self.members]
        if own in values:
            old = values.index(own)
            values[old], values[place] = values[place], values[old]
        elif not values[place]:
            values[place] = own
        for field, value in zip(self.members, values, strict=True):
            field.value = value

    def snapshot(self) -> dict[str, Any]:
        return {"controller": {"group": [field.value for field in self.members]}}

    def submit(self) -> None:
        values = [field.value.strip() for field in self.members]
        message, member = None, None
        try:
            validate.ha_group(values, self.addr)
        except validate.GroupError as exc:
            message, member = str(exc), exc.member
        if member is None:
            member = self.place.selected or 0  # about this machine's place, or the whole group
        results = [
            (field, message if n == member else None) for n, field in enumerate(self.members)
        ]
        if not self.check(results):
            return
        self.ctx.done({"controller": {"group": values}})

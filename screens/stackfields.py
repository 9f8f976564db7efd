"""The address screen's optional network stack fields: the VLAN tag and the MTU (on the NIC or
the bond), and IPv6 (off, SLAAC, DHCPv6 or static, with its address and gateway shown only
for static). The rules are the engine's validators; this module shows them on the fields."""

from __future__ import annotations

from typing import Any

import urwid

from cos_installer.answers import validate
from cos_installer.answers.model import (
    DEFAULT_IPV6,
    MTU_BYTES,
    VLAN_IDS,
    Ipv6Mode,
    NetworkSettings,
)
from cos_installer.i18n import _

from .radiolist import RadioList
from .state import as_text
from .widgets import LABEL_WIDTH, Field, blank, text

IPV6_MODES = [
    (Ipv6Mode.OFF.value, "off"),
    (Ipv6Mode.SLAAC.value, "SLAAC"),
    (Ipv6Mode.DHCP.value, "DHCPv6"),
    (Ipv6Mode.STATIC.value, "static"),
]
KEYS = ("vlan", "mtu", "ipv6", "address6", "gateway6")


def ipv6_shown(value: Any) -> str:
    """The answers' ipv6 as one of the modes offered (the engine reports a bad one)."""
    try:
        return validate.ipv6_mode(value).value if value not in (None, "") else DEFAULT_IPV6.value
    except validate.FieldError:
        return DEFAULT_IPV6.value


class StackFields:
    """The rows (`rows`, a list the screen's walker holds), their values and their checks.
    `walker`: set by the screen once built, so the IPv6 address rows can come and go."""

    def __init__(self, network: dict[str, Any], nics: list[Any] | None = None) -> None:
        interface = network.get("interface")
        self.members = [str(n) for n in (interface if isinstance(interface, list) else [interface])]
        self.nics = [nic for nic in nics or [] if nic.name in self.members]
        values = {key: as_text(network.get(key)) for key in KEYS}
        optional = _("optional, {low}-{high}")
        self.vlan = Field(_("VLAN"), values["vlan"], width=6, max_len=6,
                          hint=optional.format(low=VLAN_IDS[0], high=VLAN_IDS[1]))  # fmt: skip
        self.mtu = Field(_("MTU"), values["mtu"], width=6, max_len=6,
                         hint=optional.format(low=MTU_BYTES[0], high=MTU_BYTES[1]))  # fmt: skip
        eg = _("e.g. {example}")
        self.address6 = Field(_("IPv6/Prefix"), values["address6"], width=34,
                              hint=eg.format(example="2001:db8::10/64"))  # fmt: skip
        self.gateway6 = Field(_("IPv6 gateway"), values["gateway6"], width=34,
                              hint=eg.format(example="fe80::1"))  # fmt: skip
        self.mode = RadioList(IPV6_MODES, selected=ipv6_shown(network.get("ipv6")),
                              on_change=lambda _mode: self._show_static(), across=True)  # fmt: skip
        self.mode_row = urwid.Columns(
            [(LABEL_WIDTH, text(_("IPv6") + ":")), ("pack", self.mode),
             text(("dim", " " + _("Left/Right, Space")))], dividechars=1)  # fmt: skip
        self.rows: list[urwid.Widget] = [self.vlan, self.mtu, blank(), self.mode_row]
        self.walker: Any = None

    @property
    def static(self) -> bool:
        return self.mode.selected == Ipv6Mode.STATIC.value

    def attach(self, walker: Any) -> None:
        self.walker = walker
        self._show_static()

    def _show_static(self) -> None:
        """address6 and gateway6 right under the IPv6 row, only while static is chosen."""
        where = self.walker.index(self.mode_row) + 1
        shown = self.address6 in self.walker
        if self.static and not shown:
            self.walker[where:where] = [self.address6, self.gateway6]
        elif not self.static and shown:
            del self.walker[where : where + 2]

    def values(self) -> dict[str, Any]:
        """As shown (for Esc): an empty optional field is no key (None removes it)."""
        fields = {"vlan": self.vlan, "mtu": self.mtu,
                  "address6": self.address6, "gateway6": self.gateway6}  # fmt: skip
        patch: dict[str, Any] = {key: f.value.strip() or None for key, f in fields.items()}
        patch["ipv6"] = self.mode.selected
        return patch

    def checks(self) -> list[tuple[Field, str | None]]:
        """Each field with the engine's message (None: good, or empty where optional)."""
        results = [(f, _optional(f, check)) for f, check in
                   ((self.vlan, validate.vlan_id), (self.mtu, validate.mtu))]  # fmt: skip
        if not self.static:
            return results
        addr_error = validate.error_of(validate.address6, self.address6.value)
        addr6 = None if addr_error else validate.address6(self.address6.value)
        gw_error = _optional(self.gateway6, lambda value: validate.gateway6(value, addr6))
        return [*results, (self.address6, addr_error), (self.gateway6, gw_error)]

    def stack_checks(self) -> list[tuple[Field, str | None]]:
        """The engine's rules between the fields and the cards (an MTU above a card's maximum,
        below IPv6's least), on the MTU field; run once every field is good on its own."""
        mtu = validate.mtu(self.mtu.value) if self.mtu.value.strip() else None
        net = NetworkSettings(interfaces=self.members, mtu=mtu,
                              ipv6=validate.ipv6_mode(self.mode.selected))  # fmt: skip
        problems = validate.stack_problems(net, self.nics)
        return [(self.mtu, " ".join(m for path, m in problems if path == "network.mtu") or None)]


def _optional(field: Field, check: Any) -> str | None:
    """The validator's message for a field that may stay empty."""
    return validate.error_of(check, field.value) if field.value.strip() else None

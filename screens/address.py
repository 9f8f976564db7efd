"""Screen 8, NIC address: Static (default: the guide's cluster needs fixed addresses) or DHCP
kept on the installed system; IP/Mask, Gateway, DnsMaster pre-filled from the DHCP probe; then
the optional VLAN, MTU and IPv6 of the stack (stackfields.py), which hold with either."""

from __future__ import annotations

from typing import Any

import urwid

from cos_installer.answers import validate
from cos_installer.answers.model import BOND_NAME, DEFAULT_DHCP
from cos_installer.i18n import N_, _

from .guarded import Button
from .radiolist import RadioList
from .stackfields import StackFields
from .state import as_text, section, yes_no_or
from .widgets import KEYS_FORM_LIST, Field, Screen, blank, text


class View(Screen):
    title = N_("NIC address")
    keys = KEYS_FORM_LIST

    def __init__(self, ctx: Any) -> None:
        agent = section(ctx.answers, "agent")
        self.ipvlan = ctx.answers.get("role") == "agent" and agent.get("network_model") == "ipvlan"
        network = section(ctx.answers, "network")
        values = {key: as_text(value) for key, value in network.items() if key != "dhcp"}
        self.shown_address = values.get("address", "")
        dhcp = yes_no_or(network.get("dhcp"), DEFAULT_DHCP)
        members = network.get("interface")
        interface = values.get("interface", "")
        if isinstance(members, list) and len(members) > 1:  # the bond the members make
            interface = f"{BOND_NAME} ({'+'.join(str(m) for m in members)})"
        self.mode = RadioList(
            [
                (False, _("Static   fixed address (recommended for cluster nodes)")),
                (True, _("DHCP     the installed system asks DHCP at every boot")),
            ],
            selected=dhcp,
            on_change=lambda dhcp: self._set_mode(bool(dhcp)),
        )
        eg = _("e.g. {example}")
        self.address = Field(
            _("IP/Mask"),
            values.get("address", ""),
            width=20,
            hint=eg.format(example="192.168.1.10/24"),
        )
        self.gateway = Field(
            _("Gateway"), values.get("gateway", ""), width=20, hint=eg.format(example="192.168.1.1")
        )
        several = _("several: {example}").format(example="10.0.0.2,10.0.0.3")  # the one separator
        self.dns = Field(_("DnsMaster"), values.get("dns", ""), width=30, hint=several)
        self.note = text("")
        message = ctx.facts.dhcp_message or ""
        lease = getattr(ctx.facts.dhcp, "lease", None)
        if lease is not None and ctx.entered.address_source == "dhcp":
            message = _("Pre-filled from the DHCP answer on {nic}; change anything needed.").format(
                nic=getattr(ctx.facts.dhcp, "interface", "") or interface
            )
        rows = [
            text(_("Address of {nic}:").format(nic=interface)),
            self.mode,
            blank(),
            self.address,
            self.gateway,
            self.dns,
            blank(),
        ]
        self.stack = StackFields(network, ctx.facts.nics)
        self.again = Button(_("Ask DHCP again with the VLAN above"), self._ask_again)
        rows += [*self.stack.rows, blank(), self.again, blank(), self.note,
                 text(("dim", message))]  # fmt: skip
        super().__init__(ctx, rows)
        self.stack.attach(self.walker)
        urwid.connect_signal(self.address.edit, "postchange", self._update_note)
        self._set_mode(dhcp)
        self.focus_widget(self.mode if dhcp else self.address)

    def _set_mode(self, dhcp: bool) -> None:
        for field in (self.address, self.gateway, self.dns):
            field.set_enabled(not dhcp)
        self._update_note()

    def _update_note(self, *_args: Any) -> None:
        note = ""
        if self.ipvlan and self.address.enabled:
            try:
                note = validate.ipvlan_note(validate.address(self.address.value))
            except validate.FieldError:
                note = _("Ipvlan: agents' addresses must not be consecutive (.101, .103, .105).")
        self.note.set_text(("note", note))

    def snapshot(self) -> dict[str, Any]:
        return {"network": self._fields(bool(self.mode.selected), lambda field: field.value)}

    def snapshot_entered(self) -> dict[str, Any]:
        return {"address_source": "user"} if self._typed() else {}

    def _typed(self) -> bool:
        """The address differs from the one shown: a DHCP lease no longer replaces it."""
        return self.address.value.strip() != self.shown_address.strip()

    def _fields(self, dhcp: bool, read: Any) -> dict[str, Any]:
        return {
            **self.stack.values(),
            "dhcp": dhcp,
            "address": read(self.address),
            "gateway": read(self.gateway),
            "dns": read(self.dns),
        }

    def _ask_again(self) -> None:
        """DHCP over the bond and the VLAN typed here (the first probe ran before the VLAN
        was asked)."""
        if self.check(self.stack.checks()):
            self.ctx.reprobe(self.snapshot(), self.snapshot_entered())

    def submit(self) -> None:
        if self.listbox.focus is self.again:  # Enter on the button asks; elsewhere goes on
            self._ask_again()
            return
        dhcp = bool(self.mode.selected)
        if dhcp:
            if self.check(self.stack.checks()) and self.check(self.stack.stack_checks()):
                self.ctx.done({"network": {**self.stack.values(), "dhcp": True}})
            return
        addr_error = validate.error_of(validate.address, self.address.value)
        if addr_error:  # no network to judge it against yet: its syntax only
            gw_error = validate.error_of(validate.ipv4, self.gateway.value)
        else:
            addr = validate.address(self.address.value)
            gw_error = validate.error_of(validate.gateway, self.gateway.value, addr)
        results = [
            (self.address, addr_error),
            (self.gateway, gw_error),
            (self.dns, validate.error_of(validate.dns_servers, self.dns.value)),
            *self.stack.checks(),
        ]
        if not self.check(results) or not self.check(self.stack.stack_checks()):
            return
        network = self._fields(False, lambda field: field.value.strip())
        self.ctx.done({"network": network}, **self.snapshot_entered())

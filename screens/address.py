"""Screen 8, NIC address: Static (default: the guide's cluster needs fixed addresses) or DHCP
kept on the installed system; IP/Mask, Gateway, DnsMaster pre-filled from the DHCP probe."""

from __future__ import annotations

from typing import Any

import urwid

from cos_installer.answers import validate
from cos_installer.i18n import N_, _

from .widgets import KEYS_FORM_LIST, Field, RadioList, Screen, blank, text


class View(Screen):
    title = N_("NIC address")
    keys = KEYS_FORM_LIST

    def __init__(self, ctx: Any) -> None:
        values = ctx.values
        self.ipvlan = values.get("role") == "agent" and values.get("network_model") == "ipvlan"
        interface = values.get("interface", "")
        self.mode = RadioList(
            [
                (False, _("Static   fixed address (recommended for cluster nodes)")),
                (True, _("DHCP     the installed system asks DHCP at every boot")),
            ],
            selected=bool(values.get("dhcp", False)),
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
        self.dns = Field(
            _("DnsMaster"), values.get("dns", ""), width=34, hint=eg.format(example="192.168.1.1")
        )
        self.note = text("")
        message = ctx.facts.get("dhcp_message") or ""
        lease = getattr(ctx.facts.get("dhcp"), "lease", None)
        if lease is not None and values.get("address_source") == "dhcp":
            message = _("Pre-filled from the DHCP answer on {nic}; change anything needed.").format(
                nic=interface
            )
        rows = [
            text(_("Address of {nic}:").format(nic=interface)),
            self.mode,
            blank(),
            self.address,
            self.gateway,
            self.dns,
            blank(),
            self.note,
            text(("dim", message)),
        ]
        super().__init__(ctx, rows)
        urwid.connect_signal(self.address.edit, "postchange", self._update_note)
        self._set_mode(bool(values.get("dhcp", False)))
        self.focus_widget(self.mode if values.get("dhcp") else self.address)

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
        kept = {
            "dhcp": bool(self.mode.selected),
            "address": self.address.value,
            "gateway": self.gateway.value,
            "dns": self.dns.value,
        }
        if kept["address"] != self.ctx.values.get("address"):
            kept["address_source"] = "user"
        return kept

    def submit(self) -> None:
        dhcp = bool(self.mode.selected)
        if dhcp:
            self.ctx.done({"dhcp": True})
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
        ]
        if not self.check(results):
            return
        values = {
            "dhcp": False,
            "address": self.address.value.strip(),
            "gateway": self.gateway.value.strip(),
            "dns": self.dns.value.strip(),
        }
        if values["address"] != self.ctx.values.get("address"):
            values["address_source"] = "user"
        self.ctx.done(values)

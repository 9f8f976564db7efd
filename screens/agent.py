"""Screen 3a, Agent settings: the controllers (primary first), the InstallCode, the optional
container gateway/DNS of the guide's section 5.5, and the optional container IP pool (3.4)
with whether this agent sets it at first boot (by default: when a pool is given here)."""

from __future__ import annotations

from typing import Any

import urwid

from cos_installer.answers import validate
from cos_installer.answers.model import IPVLAN_POOL
from cos_installer.i18n import N_, _

from .radiolist import RadioList
from .state import as_text, own_address, section, yes_no_or
from .widgets import KEYS_FORM_LIST, Field, Screen, blank, text

CONTROLLERS_MAX = 4096  # a few KiB: five controllers by host name take about 1,300


class View(Screen):
    title = N_("Agent settings")
    keys = KEYS_FORM_LIST

    def __init__(self, ctx: Any) -> None:
        agent = section(ctx.answers, "agent")
        values = {key: as_text(value) for key, value in agent.items()}
        self.controllers = Field(
            _("Controller"), values.get("controllers", ""), width=61, max_len=CONTROLLERS_MAX
        )
        self.code = Field(_("InstallCode"), values.get("install_code", ""), width=6)
        self.gateway = Field(_("Docker GW"), values.get("docker_gateway", ""), width=16)
        self.dns = Field(_("Docker DNS"), values.get("docker_dns", ""), width=16)
        self.pool = Field(_("IP pool"), values.get("ip_pool", ""), width=61)
        # this agent sets the pool: as the answers say, else when a pool is given here
        self.owner_chosen = "ip_pool_owner" in agent
        self.owner = RadioList(
            [(True, _("This agent sets the pool at its first boot")),
             (False, _("Another agent sets it (give every agent the same pool)"))],
            selected=yes_no_or(agent.get("ip_pool_owner"), bool(self.pool.value.strip())),
            on_change=lambda _key: setattr(self, "owner_chosen", True),
        )  # fmt: skip
        ipvlan = _("Ipvlan: that agent also sets {start}-{end} (3.4).")
        rows = [
            text(_("Controller: address:port of every controller, separated by ',',")),
            text(_("the current primary first, e.g. 192.168.122.170:80,192.168.122.171:80")),
            self.controllers,
            blank(),
            text(_("InstallCode: the 4 digits shown on the controller's web page.")),
            self.code,
            blank(),
            text(("dim", _("Optional, for servers with several NICs (empty: Docker's defaults):"))),
            text(("dim", _("gateway and DNS server the containers use."))),
            self.gateway,
            self.dns,
            text(_("Optional: the containers' IP pool (3.4), START-END in the hosts' mask,")),
            text(_("ranges separated by ',', e.g. 192.168.122.200/24-192.168.122.250/24")),
            self.pool,
            self.owner,
            text(("dim", ipvlan.format(start=IPVLAN_POOL[0], end=IPVLAN_POOL[1]))),
        ]
        super().__init__(ctx, rows)
        urwid.connect_signal(self.pool.edit, "postchange", self._owner_follows_pool)
        self.focus_widget(self.controllers)

    def _owner_follows_pool(self, *_args: Any) -> None:
        """Until the operator chooses, this agent sets the pool when one is given here."""
        if not self.owner_chosen:
            self.owner.select(bool(self.pool.value.strip()), notify=False)

    def snapshot(self) -> dict[str, Any]:
        return {"agent": self._fields(lambda field: field.value)}

    def _fields(self, read: Any) -> dict[str, Any]:
        return {
            "controllers": read(self.controllers),
            "install_code": read(self.code),
            "docker_gateway": read(self.gateway),
            "docker_dns": read(self.dns),
            "ip_pool": read(self.pool) or None,  # none given: no key (the engine's default)
            "ip_pool_owner": bool(self.owner.selected),
        }

    def submit(self) -> None:
        results = [
            (self.controllers, validate.error_of(validate.controller_list, self.controllers.value)),
            (self.code, validate.error_of(validate.install_code, self.code.value)),
            (self.gateway, validate.error_of(validate.optional_ipv4, self.gateway.value)),
            (self.dns, validate.error_of(validate.optional_ipv4, self.dns.value)),
            (self.pool, self._pool_error()),
        ]
        if not self.check(results):
            return
        self.ctx.done({"agent": self._fields(lambda field: field.value.strip())})

    def _pool_error(self) -> str | None:
        """Checked against this machine's address when it is known (Esc back from later); the
        Summary checks it again against the address entered."""
        if not self.pool.value.strip():
            return None
        addr, gateway = own_address(self.ctx.answers)
        return validate.error_of(validate.ip_pool, self.pool.value, addr, gateway)

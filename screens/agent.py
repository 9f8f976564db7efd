"""Screen 3a, Agent settings: the controllers (primary first), the InstallCode, and the
optional container gateway/DNS of the guide's section 5.5."""

from __future__ import annotations

from typing import Any

from cos_installer.answers import validate
from cos_installer.i18n import N_, _

from .state import as_text, section
from .widgets import KEYS_FORM, Field, Screen, blank, text

CONTROLLERS_MAX = 4096  # a few KiB: five controllers by host name take about 1,300


class View(Screen):
    title = N_("Agent settings")
    keys = KEYS_FORM

    def __init__(self, ctx: Any) -> None:
        values = {key: as_text(value) for key, value in section(ctx.answers, "agent").items()}
        self.controllers = Field(
            _("Controller"), values.get("controllers", ""), width=61, max_len=CONTROLLERS_MAX
        )
        self.code = Field(_("InstallCode"), values.get("install_code", ""), width=6)
        self.gateway = Field(_("Docker GW"), values.get("docker_gateway", ""), width=16)
        self.dns = Field(_("Docker DNS"), values.get("docker_dns", ""), width=16)
        rows = [
            blank(),
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
        ]
        super().__init__(ctx, rows)
        self.focus_widget(self.controllers)

    def snapshot(self) -> dict[str, Any]:
        return {"agent": self._fields(lambda field: field.value)}

    def _fields(self, read: Any) -> dict[str, str]:
        return {
            "controllers": read(self.controllers),
            "install_code": read(self.code),
            "docker_gateway": read(self.gateway),
            "docker_dns": read(self.dns),
        }

    def submit(self) -> None:
        results = [
            (self.controllers, validate.error_of(validate.controller_list, self.controllers.value)),
            (self.code, validate.error_of(validate.install_code, self.code.value)),
            (self.gateway, validate.error_of(validate.optional_ipv4, self.gateway.value)),
            (self.dns, validate.error_of(validate.optional_ipv4, self.dns.value)),
        ]
        if not self.check(results):
            return
        self.ctx.done({"agent": self._fields(lambda field: field.value.strip())})

"""Screen 3c, Controller settings: HTTP Port (default 80) and Cluster Size (1/3/5/7/9, 3)."""

from __future__ import annotations

from typing import Any

from cos_installer.answers import validate
from cos_installer.answers.model import CLUSTER_SIZES, DEFAULT_CLUSTER_SIZE, DEFAULT_HTTP_PORT
from cos_installer.i18n import N_, _

from .widgets import KEYS_FORM_LIST, Field, RadioList, Screen, blank, text


class View(Screen):
    title = N_("Controller settings")
    keys = KEYS_FORM_LIST

    def __init__(self, ctx: Any) -> None:
        values = ctx.values
        self.port = Field(_("HTTP Port"), str(values.get("http_port", DEFAULT_HTTP_PORT)), width=8)
        size = values.get("cluster_size", DEFAULT_CLUSTER_SIZE)
        self.size = RadioList(
            [
                (n, f"{n}" + (_("   (default, strongly recommended)") if n == 3 else ""))
                for n in CLUSTER_SIZES
            ],
            selected=int(size) if str(size).isdigit() else DEFAULT_CLUSTER_SIZE,
        )
        rows = [
            blank(),
            text(_("HTTP port the controller serves its web interface and API on.")),
            self.port,
            blank(),
            text(_("Cluster Size: initial size of the etcd cluster.")),
            text(
                ("dim", _("At least this many agents must be installed before the cluster starts."))
            ),
            self.size,
        ]
        super().__init__(ctx, rows)
        self.focus_widget(self.port)

    def snapshot(self) -> dict[str, Any]:
        return {"http_port": self.port.value, "cluster_size": self.size.selected or 3}

    def submit(self) -> None:
        if not self.check([(self.port, validate.error_of(validate.http_port, self.port.value))]):
            return
        self.ctx.done(
            {"http_port": self.port.value.strip(), "cluster_size": self.size.selected or 3}
        )

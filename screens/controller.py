"""Screen 3c, Controller settings: HTTP Port (default 80) and Cluster Size (1/3/5/7/9, 3)."""

from __future__ import annotations

from typing import Any

from cos_installer.answers import validate
from cos_installer.answers.model import CLUSTER_SIZES, DEFAULT_CLUSTER_SIZE, DEFAULT_HTTP_PORT
from cos_installer.i18n import N_, _

from .radiolist import RadioList
from .state import as_text, section
from .widgets import KEYS_FORM_LIST, Field, Screen, blank, text


class View(Screen):
    title = N_("Controller settings")
    keys = KEYS_FORM_LIST

    def __init__(self, ctx: Any) -> None:
        values = section(ctx.answers, "controller")
        port = as_text(values.get("http_port", DEFAULT_HTTP_PORT))
        self.port = Field(_("HTTP Port"), port, width=8)
        size = as_text(values.get("cluster_size", DEFAULT_CLUSTER_SIZE)).strip()
        self.size = RadioList(
            [
                (n, f"{n}" + (_("   (default, strongly recommended)") if n == 3 else ""))
                for n in CLUSTER_SIZES
            ],
            selected=int(size) if size.isascii() and size.isdigit() else DEFAULT_CLUSTER_SIZE,
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
        size = self.size.selected or DEFAULT_CLUSTER_SIZE
        return {"controller": {"http_port": self.port.value, "cluster_size": size}}

    def submit(self) -> None:
        if not self.check([(self.port, validate.error_of(validate.http_port, self.port.value))]):
            return
        port = validate.http_port(self.port.value)
        size = self.size.selected or DEFAULT_CLUSTER_SIZE
        self.ctx.done({"controller": {"http_port": port, "cluster_size": size}})

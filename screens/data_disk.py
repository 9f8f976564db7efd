"""Screen 9b, Docker data disk (optional, the guide's section 3.5): a second disk formatted
XFS, mounted on /xfs with prjquota (container disk quotas), holding /var/lib/docker."""

from __future__ import annotations

from typing import Any

from cos_installer.answers.model import DATA_MOUNT_POINT
from cos_installer.i18n import N_, _

from .disk import HEADER, disk_rows
from .widgets import KEYS_LIST, RadioList, Screen, blank, text

MIN_DATA_BYTES = 1024**3


class View(Screen):
    title = N_("Docker data disk")
    keys = KEYS_LIST

    def __init__(self, ctx: Any) -> None:
        os_disk = ctx.values.get("disk")

        def reason(disk: Any) -> str | None:
            if disk.path == os_disk:
                return _("the OS disk")
            return disk.reason_not_offered(MIN_DATA_BYTES)

        disks = list(ctx.facts.get("disks", []))
        items: list[tuple[Any, Any]] = [("", _("None: keep Docker data on the OS disk"))]
        items += disk_rows(disks, reason)
        chosen = ctx.values.get("data_disk") or ""
        offered = {d.path for d in disks if not reason(d)}
        self.choice = RadioList(items, selected=chosen if chosen in offered else "")
        rows = [
            text(_("Optional: a second disk for Docker's data (recommended by the guide).")),
            text(
                _(
                    "It is formatted XFS, mounted on {mount} with prjquota, and "
                    "/var/lib/docker moves there. Everything on it will be erased."
                ).format(mount=DATA_MOUNT_POINT)
            ),
            blank(),
            text(("dim", _(HEADER))),
            self.choice,
        ]
        super().__init__(ctx, rows)
        self.focus_widget(self.choice)

    def snapshot(self) -> dict[str, Any]:
        selected = self.choice.selected
        return {} if selected is None else {"data_disk": selected}

    def submit(self) -> None:
        selected = self.choice.selected
        self.ctx.done({"data_disk": selected or ""})

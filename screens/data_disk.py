"""Screen 9b, Docker data disk (optional, the guide's section 3.5): a second disk formatted
XFS, mounted on /xfs with prjquota (container disk quotas), holding /var/lib/docker."""

from __future__ import annotations

from typing import Any

from cos_installer.answers.model import DATA_MOUNT_POINT
from cos_installer.i18n import N_, _

from .choice import ChoiceScreen
from .disk import HEADER, disk_rows
from .widgets import blank, text

MIN_DATA_BYTES = 1024**3


class View(ChoiceScreen):
    title = N_("Docker data disk")
    answer = ("data_disk",)

    def __init__(self, ctx: Any) -> None:
        os_disk = ctx.answers.get("disk")

        def reason(disk: Any) -> str | None:
            if disk.path == os_disk:
                return _("the OS disk")
            return disk.reason_not_offered(MIN_DATA_BYTES)

        disks = list(ctx.facts.disks or [])
        items: list[tuple[Any, Any]] = [("", _("None: keep Docker data on the OS disk"))]
        items += disk_rows(disks, reason)
        chosen = ctx.answers.get("data_disk") or ""
        offered = {d.path for d in disks if not reason(d)}
        above = [
            text(_("Optional: a second disk for Docker's data (recommended by the guide).")),
            text(
                _(
                    "It is formatted XFS, mounted on {mount} with prjquota, and "
                    "/var/lib/docker moves there. Everything on it will be erased."
                ).format(mount=DATA_MOUNT_POINT)
            ),
            blank(),
            text(("dim", _(HEADER))),
        ]
        super().__init__(ctx, items, chosen if chosen in offered else "", above)

    def patch(self, value: Any) -> dict[str, Any]:
        return {"data_disk": value or None}  # None: no data disk (the key is removed)

"""Screen 9, Disk: every disk with size, model, serial, transport and existing partitions;
the install media and too-small disks are listed but not offered, with the reason; a disk
in use (mounted, swap, RAID/LVM member) is marked."""

from __future__ import annotations

from typing import Any

from cos_installer.i18n import N_, _

from . import diskinfo
from .choice import ChoiceScreen
from .widgets import blank, text

WIDTH = 72  # a RadioList row's width inside the 80-column frame
MAX_PART_LINES = 3
HEADER = N_("    Device              Size Model                Serial           Transport")


def disk_rows(disks: list[Any], reason: Any) -> list[tuple[Any, Any]]:
    """RadioList rows: offered disks get a key, the others a None key (shown, not offered)."""
    rows: list[tuple[Any, Any]] = []
    for disk in disks:
        why_not = reason(disk)
        if why_not:
            rows.append((None, [("dim", diskinfo.headline(disk))]))
            rows.append((None, ("dim", _("  not offered: {reason}").format(reason=why_not))))
            continue
        parts = diskinfo.partition_lines(disk)
        if len(parts) > MAX_PART_LINES:
            more = len(parts) - MAX_PART_LINES + 1
            parts = parts[: MAX_PART_LINES - 1] + [_("(and {n} more)").format(n=more)]
        markup: list[Any] = [diskinfo.headline(disk)]
        for line in parts:
            markup += ["\n", ("dim", f"  {line}"[:WIDTH])]
        if disk.in_use:
            in_use = _(" IN USE: {what} ").format(what="; ".join(disk.in_use))
            markup += ["\n", ("warn", in_use[:WIDTH])]
        rows.append((disk.path, markup))
    return rows


class View(ChoiceScreen):
    title = N_("Disk")
    answer = ("disk",)
    missing = N_("Choose a disk (Space), then press Enter.")

    def __init__(self, ctx: Any) -> None:
        disks = list(ctx.facts.disks or [])
        self.disks = disks
        offered = [d.path for d in disks if not d.reason_not_offered()]
        chosen = ctx.answers.get("disk")
        self.message = text("")
        above = [
            text(_("Choose the disk to install COS on. Everything on it will be erased.")),
            blank(),
            text(("dim", _(HEADER))),
        ]
        items = disk_rows(disks, lambda d: d.reason_not_offered())
        selected = chosen if chosen in offered else None
        super().__init__(ctx, items, selected, above, [blank(), self.message])
        if not offered:
            self.message.set_text(("error", _("No disk can take COS (see the reasons above).")))

    def patch(self, value: Any) -> dict[str, Any]:
        if self.ctx.answers.get("data_disk") == value:
            return {"disk": value, "data_disk": None}  # the OS disk cannot also hold Docker data
        return {"disk": value}

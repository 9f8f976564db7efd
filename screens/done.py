"""Screen 13, Done: COS is installed; Enter reboots (a dry run only says it would)."""

from __future__ import annotations

from typing import Any

from cos_installer.i18n import N_, _

from .widgets import Screen, blank, text


class View(Screen):
    title = N_("Done")
    keys = N_("Enter reboot  Ctrl+C quit")

    def __init__(self, ctx: Any) -> None:
        disk = ctx.values.get("disk", "")
        hostname = ctx.values.get("hostname", "")
        rows = [
            blank(),
            blank(),
            text(("title", _("The installation is complete.")), "center"),
            blank(),
            text(
                _("COS ({host}) is installed on {disk}.").format(host=hostname, disk=disk), "center"
            ),
            text(_("Remove the install medium, then press Enter to reboot."), "center"),
        ]
        if ctx.dry_run:
            rows += [
                blank(),
                text(("note", _("Dry run: nothing was written; Enter exits.")), "center"),
            ]
        super().__init__(ctx, rows)

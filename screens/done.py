"""Screen 13, Done: COS is installed; Enter reboots (a dry run only says it would)."""

from __future__ import annotations

from typing import Any

from .widgets import Screen, blank, text


class View(Screen):
    title = "Done"
    keys = "Enter reboot  Ctrl+C quit"

    def __init__(self, ctx: Any) -> None:
        disk = ctx.values.get("disk", "")
        hostname = ctx.values.get("hostname", "")
        rows = [
            blank(),
            blank(),
            text(("title", "The installation is complete."), "center"),
            blank(),
            text(f"COS ({hostname}) is installed on {disk}.", "center"),
            text("Remove the install medium, then press Enter to reboot.", "center"),
        ]
        if ctx.dry_run:
            rows += [
                blank(),
                text(("note", "Dry run: nothing was written; Enter exits."), "center"),
            ]
        super().__init__(ctx, rows)

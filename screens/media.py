"""The guide's `CDROM Device Not Ready` screen, shown instead of the wizard when the install
medium is not found; Enter looks again."""

from __future__ import annotations

from typing import Any

from .widgets import Screen, blank, text


class View(Screen):
    title = "CDROM Device Not Ready"
    keys = "Enter look again  Ctrl+C quit"

    def __init__(self, ctx: Any) -> None:
        rows = [
            blank(),
            text(("warn", " CDROM Device Not Ready "), "center"),
            blank(),
            text(("error", ctx.facts.get("media_error", ""))),
            blank(),
            text("The installer reads COS from its install medium and could not find it."),
            blank(),
            text("Check:"),
            text(" - a USB stick must have the volume label CDROM (exactly, upper case);"),
            text(" - the stick or CD is still plugged in and was not removed after boot;"),
            text(" - if it still fails, burn the ISO to a CD and boot from the CD drive."),
            blank(),
            text("Press Enter to look for the medium again."),
        ]
        super().__init__(ctx, rows)

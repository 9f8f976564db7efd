"""The guide's `CDROM Device Not Ready` screen, shown instead of the wizard when the install
medium is not found; Enter looks again."""

from __future__ import annotations

from typing import Any

from cos_installer.i18n import N_, _

from .widgets import Screen, blank, text


class View(Screen):
    title = N_("CDROM Device Not Ready")
    keys = N_("Enter look again  Ctrl+C quit")

    def __init__(self, ctx: Any) -> None:
        rows = [
            blank(),
            text(("warn", _(" CDROM Device Not Ready ")), "center"),
            blank(),
            text(("error", ctx.facts.media_error)),
            blank(),
            text(_("The installer reads COS from its install medium and could not find it.")),
            blank(),
            text(_("Check:")),
            text(_(" - a USB stick must have the volume label CDROM (exactly, upper case);")),
            text(_(" - the stick or CD is still plugged in and was not removed after boot;")),
            text(_(" - if it still fails, burn the ISO to a CD and boot from the CD drive.")),
            blank(),
            text(_("Press Enter to look for the medium again.")),
        ]
        super().__init__(ctx, rows)

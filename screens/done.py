"""Screen 13, Done: COS is installed; Enter reboots (a dry run only says it would).

Below that, the guide's steps that follow an install of this role (cos_installer.render.nextsteps):
the screen quotes the commands that fit 80x24 and names the guide's sections.
"""

from __future__ import annotations

from typing import Any

import urwid

from cos_installer.i18n import N_, _
from cos_installer.render.nextsteps import HEADING, steps_of

from . import clusterinfo
from .widgets import Screen, blank, text


class View(Screen):
    title = N_("Done")
    keys = N_("Enter reboot  Ctrl+C quit")

    def __init__(self, ctx: Any) -> None:
        config = ctx.facts.config  # the InstallConfig that was installed
        disk, hostname = config.disk, config.system.hostname
        rows = [
            blank(),
            text(("title", _("The installation is complete.")), "center"),
            blank(),
            text(
                _("COS ({host}) is installed on {disk}.").format(host=hostname, disk=disk), "center"
            ),
            text(_("Network: {stack}").format(stack=config.network.stack_text), "center"),
            text(_("Remove the install medium, then press Enter to reboot."), "center"),
        ]
        if ctx.dry_run:
            rows.append(text(("note", _("Dry run: nothing was written; Enter exits.")), "center"))
        shown = clusterinfo.rows(config)  # the HA group / the IP pool, as installed
        rows += [blank()] * bool(shown) + [_step_row("say", f"{k}: {v}") for k, v in shown]
        steps = steps_of(config)
        if steps:
            rows += [blank(), text(("title", _(HEADING)))]
            rows += [_step_row(kind, line) for kind, line in steps]
        super().__init__(ctx, rows)


def _step_row(kind: str, line: str) -> urwid.Widget:
    """A sentence hangs after "- "; a command is indented, and stays indented when it wraps."""
    if kind == "run":
        return urwid.Padding(text(("note", line)), left=4)
    return urwid.Columns([(2, text("-")), text(line)])

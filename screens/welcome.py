"""Screen 1, Welcome: what the wizard will do; Enter begins (once the hardware is probed).
Where the terminal can draw Chinese, a language choice (Space switches at once)."""

from __future__ import annotations

from typing import Any

import urwid

from cos_installer.i18n import LANGUAGES, N_, _, language

from .radiolist import RadioList
from .widgets import Screen, blank, text

INTRO = N_(
    "This wizard installs COS, the container OS, on this machine as a cluster "
    "Controller or Agent. It asks for the role and its settings, the host name "
    "and the password of the cos account, one network card and its address, "
    "and the disk to install on."
)
KEYS_HELP = [
    N_("Up/Down  move           Space  select        Enter  confirm"),
    N_("Tab      next field     Esc    go back (values are kept)"),
    N_("Ctrl+D   start again    Ctrl+C leave the installer"),
]


class View(Screen):
    title = N_("Welcome")
    keys = N_("Enter begin  Ctrl+D restart  Ctrl+C quit")

    def __init__(self, ctx: Any) -> None:
        facts = ctx.facts
        if facts.probe_error:
            status: Any = ("error", facts.probe_error + _("  (Ctrl+D probes again)"))
        elif facts.nics is None:
            status = ("note", _("Probing the hardware..."))
        else:
            nics, disks = facts.nics, facts.disks or []
            status = _("Found {nics} network card(s) and {disks} disk(s).").format(
                nics=len(nics), disks=len(disks)
            )
        self.language = None
        rows = [
            blank(),
            text(("title", _("Welcome to the COS installer")), "center"),
            blank(),
            text(_(INTRO)),
            blank(),
            text(_("Nothing is written to any disk until you confirm on the summary screen.")),
            blank(),
            *[text(_(line)) for line in KEYS_HELP],
            blank(),
            text(status),
            blank(),
            text(("title", _("Press Enter to begin.")), "center"),
        ]
        if ctx.dry_run:
            rows.insert(6, text(("note", _("Dry run: no disk will be touched."))))
        if ctx.offer_language:
            self.language = RadioList(
                list(LANGUAGES.items()), selected=language(), on_change=ctx.set_language
            )
            label = text("Language / 语言:")
            rows[0] = urwid.Columns([(17, label), self.language])
        super().__init__(ctx, rows)
        if self.language is not None:
            self.listbox.set_focus(0)

"""Screen 1, Welcome: what the wizard will do; Enter begins (once the hardware is probed)."""

from __future__ import annotations

from typing import Any

from .widgets import Screen, blank, text

INTRO = (
    "This wizard installs COS, the container OS, on this machine as a cluster "
    "Controller or Agent. It asks for the role and its settings, the host name "
    "and the password of the cos account, one network card and its address, "
    "and the disk to install on."
)
KEYS_HELP = [
    "Up/Down  move           Space  select        Enter  confirm",
    "Tab      next field     Esc    go back (values are kept)",
    "Ctrl+D   start again    Ctrl+C leave the installer",
]


class View(Screen):
    title = "Welcome"
    keys = "Enter begin  Ctrl+D restart  Ctrl+C quit"

    def __init__(self, ctx: Any) -> None:
        facts = ctx.facts
        if facts.get("probe_error"):
            status: Any = ("error", facts["probe_error"] + "  (Ctrl+D probes again)")
        elif facts.get("probing", True) and "nics" not in facts:
            status = ("note", "Probing the hardware...")
        else:
            nics, disks = facts.get("nics", []), facts.get("disks", [])
            status = f"Found {len(nics)} network card(s) and {len(disks)} disk(s)."
        rows = [
            blank(),
            text(("title", "Welcome to the COS installer"), "center"),
            blank(),
            text(INTRO),
            blank(),
            text("Nothing is written to any disk until you confirm on the summary screen."),
            blank(),
            *[text(line) for line in KEYS_HELP],
            blank(),
            text(status),
            blank(),
            text(("title", "Press Enter to begin."), "center"),
        ]
        if ctx.dry_run:
            rows.insert(6, text(("note", "Dry run: no disk will be touched.")))
        super().__init__(ctx, rows)

"""Screen 7, DHCP: a spinner while the app asks for a lease on the chosen NIC (off the main
loop, at most its timeout) to pre-fill the address screen. Esc skips it."""

from __future__ import annotations

from typing import Any

from cos_installer.i18n import N_, _

from .state import section
from .widgets import Screen, blank, text

SPIN = "|/-\\"  # ASCII: the VGA console font has no braille or block spinner glyphs


class View(Screen):
    title = N_("DHCP")
    keys = N_("Esc skip DHCP and enter the address by hand  Ctrl+D restart  Ctrl+C quit")

    def __init__(self, ctx: Any) -> None:
        self.interface = section(ctx.answers, "network").get("interface", "")
        self.count = 0
        self.spinner = text("", "center")
        self.elapsed = text("", "center")
        rows = [
            blank(),
            blank(),
            text(
                _("Asking for an address by DHCP on {nic}...").format(nic=self.interface), "center"
            ),
            blank(),
            self.spinner,
            self.elapsed,
            blank(),
            text(
                ("dim", _("The answer pre-fills the next screen, where it can be changed.")),
                "center",
            ),
        ]
        super().__init__(ctx, rows)
        self.tick(0.0)

    def tick(self, seconds: float) -> None:
        self.count += 1
        self.spinner.set_text(f"[ {SPIN[self.count % len(SPIN)]} ]")
        self.elapsed.set_text(
            (
                "dim",
                _("{seconds} s (gives up after 10 s; Esc skips)").format(seconds=f"{seconds:.0f}"),
            )
        )

    def submit(self) -> None:
        """Enter does nothing here: the probe moves on by itself, Esc skips it."""

    def keypress(self, size: tuple[int, int], key: str) -> str | None:
        if key == "esc":
            self.ctx.back()  # the app treats Esc on DHCP as "skip", not "back"
            return None
        return super().keypress(size, key)

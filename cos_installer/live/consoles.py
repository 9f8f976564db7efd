"""Which console shows the wizard first, and in which terminal.

The default boot names ttyS0 last (the kernel's primary console: boot messages and an
emergency shell go to the serial line a BMC logs). The wizard then starts on the local screen
(tty1: VGA, a BMC's KVM window) and on the serial line at once; the first of the two to get a
key keeps it, the other says where it runs and takes it over on Enter. With no key pressed an
operator sees the wizard on either. A boot that names tty0 last (the local screen primary), an
unattended install and an answers download run on one console only, as they must.

On tty1 the wizard runs inside fbterm with a CJK font when the machine has a framebuffer, so
Chinese is offered on the local console too; without one, the text console (TERM=linux).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cos_installer.live.boot import BootOptions

FBTERM = "/usr/bin/fbterm"
FONT = "WenQuanYi Micro Hei Mono"  # fonts-wqy-microhei; its Latin letters are monospaced
FONT_SIZE = 16
FRAMEBUFFER = "/dev/fb0"
IN_FBTERM = "COS_FBTERM"  # set for the autostart that runs inside fbterm


def is_serial(console: str) -> bool:
    return console.startswith(("ttyS", "ttyAMA", "ttyUSB", "hvc"))


@dataclass(frozen=True)
class Plan:
    term: str  # TERM the wizard runs with
    fbterm: bool  # start fbterm on this console and run autostart inside it
    mirror: bool  # show the wizard at once; the first console with a key keeps it


def plan(
    console: str,
    options: BootOptions,
    environ: dict[str, str] | None = None,
    *,
    framebuffer: bool | None = None,
    fbterm: bool | None = None,
) -> Plan:
    """What this console runs (framebuffer/fbterm: None looks at the live system)."""
    env = os.environ if environ is None else environ
    if is_serial(console):
        term, wrap = "vt220", False
    elif env.get(IN_FBTERM) == "1":
        term, wrap = "fbterm", False
    else:
        fb = os.path.exists(FRAMEBUFFER) if framebuffer is None else framebuffer
        has_fbterm = os.access(FBTERM, os.X_OK) if fbterm is None else fbterm
        term, wrap = "linux", fb and has_fbterm
    return Plan(term, wrap, mirrored(console, options))


def mirrored(console: str, options: BootOptions) -> bool:
    """The serial line is the kernel's primary console and this is it or the local screen;
    one console only for an unattended install or an answers download (they run once)."""
    primary = options.primary_console
    if primary == "tty1" or console not in ("tty1", primary):
        return False
    answers = options.answers or ""
    return not options.autoinstall and not answers.startswith(("http://", "https://"))


def fbterm_command(inner: list[str]) -> list[str]:
    """fbterm on this VT with the CJK font, running `inner` (autostart again) inside."""
    return [FBTERM, f"--font-names={FONT}", f"--font-size={FONT_SIZE}", "--", *inner]

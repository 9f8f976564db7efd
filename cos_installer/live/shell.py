"""The live system's console helpers the wizard offers: an interactive shell on the installer's
terminal (the error screen's `!`) and the reboot after the install."""

from __future__ import annotations

import os
import subprocess

from cos_installer.i18n import _


def interactive_shell() -> int:
    """A shell on this terminal until the operator types exit (the caller stops its screen)."""
    print("\n" + _("A shell: type exit to return to the installer.") + "\n", flush=True)
    return subprocess.call([os.environ.get("SHELL") or "/bin/sh"])


def reboot(dry_run: bool) -> int:
    """Reboot now; a dry run only says it would (exit 0)."""
    if dry_run:
        print("dry run: would reboot now")
        return 0
    return subprocess.call(["systemctl", "reboot"])

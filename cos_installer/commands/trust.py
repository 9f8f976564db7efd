"""--keyring and --allow-unsigned: how the OS image must be authenticated, for `install` and
the wizard alike (cos_installer.install.signature does the checking)."""

from __future__ import annotations

import argparse
import sys

from cos_installer.install.signature import DEFAULT_KEYRING, KEYRING_ENV, UNSIGNED_WARNING, Trust


def add_trust_arguments(parser: argparse.ArgumentParser) -> None:
    """--keyring and --allow-unsigned: shared by `install` and the wizard."""
    parser.add_argument(
        "--keyring",
        metavar="FILE",
        help="the OpenPGP public keyring the OS image's PAYLOAD.sha256.sig is checked against "
        f"(default ${KEYRING_ENV}, else {DEFAULT_KEYRING})",
    )
    parser.add_argument(
        "--allow-unsigned",
        action="store_true",
        help="DEVELOPMENT ONLY: install an image whose signature is missing or not checked "
        "(logged as a warning)",
    )


def trust_of(args: argparse.Namespace) -> Trust:
    """The Trust the options ask for; --allow-unsigned is said on stderr at once."""
    allow = bool(getattr(args, "allow_unsigned", False))
    if allow:
        print(f"cos-installer: {UNSIGNED_WARNING}", file=sys.stderr)
    return Trust(getattr(args, "keyring", None) or "", allow)

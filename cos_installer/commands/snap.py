"""`cos-installer snap`: write the diagnostics bundle and print its path (the guide's
`cspherectl snap`): send it with the problem description to support."""

from __future__ import annotations

import argparse
import sys
import tempfile

HELP = "write a diagnostics bundle (.tar.gz, secrets redacted) for a support request"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--machine",
        metavar="PROFILE",
        default=argparse.SUPPRESS,
        help="probe this machine profile instead of the hardware",
    )
    parser.add_argument(
        "--log",
        dest="snap_log",
        metavar="FILE",
        help="the install log to include (default: the live system's, "
        "/var/log/cos-installer/install.log)",
    )
    parser.add_argument(
        "-o",
        "--output-dir",
        dest="snap_dir",
        metavar="DIR",
        help="where to write (default $TMPDIR or /tmp)",
    )


def run(args: argparse.Namespace) -> int:
    from cos_installer.support.bundle import write_bundle
    from cos_installer.support.installlog import DEFAULT_LOG

    log = args.snap_log or getattr(args, "log", None) or DEFAULT_LOG
    try:
        path = write_bundle(log, getattr(args, "machine", None), args.snap_dir)
    except OSError as exc:
        where = args.snap_dir or tempfile.gettempdir()
        print(f"cos-installer snap: cannot write the bundle in {where}: {exc.strerror}",
              file=sys.stderr)  # fmt: skip
        return 1
    print(path)
    return 0

"""`cos-installer check-config`: coreos-cloudinit's validation rules, without coreos-cloudinit.

Prints one `line N: error|warning|info: ...` entry per problem, like `coreos-cloudinit
--validate`, and exits 1 when there is any (cloudinit treats every entry as a failure).
Entries of the installer's own, stricter rules end in "(cos-installer rule: why)".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cos_installer.render.checker import check

HELP = "check a cloud-config file against coreos-cloudinit's rules (exit 1 on any entry)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the cloud-config to check ('-': stdin)")


def run(args: argparse.Namespace) -> int:
    try:
        raw = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
        text = raw.decode("utf-8")
    except OSError as exc:
        print(f"cos-installer: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:  # a finding about the file, like any other: exit 1
        print(f"line 1: error: byte {exc.start}: not UTF-8 text")
        return 1
    reports = check(text)
    for report in reports:
        print(report)
    return 1 if reports else 0

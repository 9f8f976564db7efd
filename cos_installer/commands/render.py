"""`cos-installer render`: answers file in, the cloud-config it would install out."""

from __future__ import annotations

import argparse
import sys

from ..answers import AnswersError, load_answers
from ..render import RenderError, render_config

HELP = "print the cloud-config an answers file produces (exit 2 and list every error if bad)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--answers", metavar="FILE", required=True, help="the answers file (YAML)")
    parser.add_argument(
        "--machine",
        metavar="PROFILE",
        help="machine profile to check the interface and disks against (accepted; not used yet)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        text = render_config(load_answers(args.answers))
    except AnswersError as exc:
        print(str(exc), file=sys.stderr)
        print(f"cos-installer: {len(exc.errors)} problem(s) in {args.answers}", file=sys.stderr)
        return 2
    except RenderError as exc:
        print(f"cos-installer: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0

"""`cos-installer status --url URL [--watch]`: a serve's /status as a table on this terminal
(hosts x stage, percent, result), once or redrawn every few seconds until Ctrl+C.

Exit 0 when shown, 1 when the server cannot be read (the URL and the cause are named).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request

HELP = "show a serve's install status as a table (hosts x stage, percent, result)"
MAX_STATUS = 64 << 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url",
        required=True,
        metavar="URL",
        help="serve's status, e.g. http://10.0.0.1:8080/status",
    )
    parser.add_argument("--watch", action="store_true", help="redraw until Ctrl+C")
    parser.add_argument(
        "--interval",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="between redraws with --watch (default 2)",
    )


def fetch(url: str) -> dict:
    """GET the status; ValueError with the URL and the cause."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            data = json.loads(response.read(MAX_STATUS))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise ValueError(
            f"{url}: {getattr(exc, 'reason', None) or exc}; is serve running "
            "there? (the URL ends in /status)"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("hosts"), list):
        raise ValueError(f"{url}: not a serve status (no hosts list); the URL ends in /status")
    return data


def run(args: argparse.Namespace) -> int:
    from cos_installer.common.shown import printable
    from cos_installer.serve.table import render

    if not args.url.startswith(("http://", "https://")) or args.interval < 0.2:
        print(
            f"cos-installer status: --url {printable(args.url)!r} --interval {args.interval}: "
            "expected an http(s) URL and at least 0.2 s",
            file=sys.stderr,
        )
        return 2
    try:
        return _loop(args, render, printable)
    except KeyboardInterrupt:
        return 0


def _loop(args: argparse.Namespace, render, printable) -> int:
    while True:
        try:
            text = render(fetch(args.url))
        except ValueError as exc:
            text = f"cos-installer status: {printable(str(exc))}\n"
            if not args.watch:
                sys.stderr.write(text)
                return 1
        if args.watch:
            sys.stdout.write("\x1b[H\x1b[2J")
        sys.stdout.write(text)
        sys.stdout.flush()
        if not args.watch:
            return 0
        time.sleep(args.interval)

"""`cos-installer serve`: serve a rack's network install from one fleet file, collect the
install events and show every host's progress (GET / for people, GET /status as JSON).

Exit 2 when the fleet file or an option is refused (nothing is served), 1 when the server
cannot start (the address is taken, the certificate cannot be read).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys

HELP = "serve the netboot tree and answers, collect install events, show status (GET /)"
DEFAULT_LISTEN = "0.0.0.0:8080"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fleet", required=True, metavar="FILE", help="the fleet answers file")
    parser.add_argument(
        "--boot-dir",
        metavar="DIR",
        help="`make netboot`'s output (build/netboot): the files served",
    )
    parser.add_argument(
        "--listen", default=DEFAULT_LISTEN, metavar="ADDR:PORT", help=f"default {DEFAULT_LISTEN}"
    )
    parser.add_argument("--tls-cert", metavar="FILE", help="serve https with this certificate")
    parser.add_argument("--tls-key", metavar="FILE", help="and this key (with --tls-cert)")
    parser.add_argument(
        "--events-only",
        action="store_true",
        help="only POST /events, GET /status and the page: the site's nginx serves the files",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=min(os.cpu_count() or 1, 8),
        metavar="N",
        help="event loops (threads) on the one port, sharing the status (default: the CPUs, "
        "at most 8): files go out by sendfile on all of them",
    )
    parser.add_argument(
        "--files-log",
        metavar="FILE",
        help="append a line per file sent: client, request, status, body bytes sent (- when "
        "the connection broke), Range",
    )
    parser.add_argument(
        "--no-autoinstall",
        action="store_true",
        help="boot.ipxe starts the wizard, pre-filled, instead of installing",
    )
    parser.add_argument(
        "--after",
        choices=("poweroff", "reboot", "wizard"),
        default="poweroff",
        help="after an unattended install (default poweroff)",
    )


def _err(line: str) -> int:
    from cos_installer.common.shown import printable

    print(f"cos-installer serve: {printable(line)}", file=sys.stderr)
    return 2


def listen_address(text: str) -> tuple[str, int]:
    """ADDR:PORT ([v6]:PORT too); ValueError naming the value and what is expected."""
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        shown = text.encode("unicode_escape").decode("ascii")[:80]
        raise ValueError(
            f"--listen {shown!r}: expected ADDR:PORT, e.g. 0.0.0.0:8080 or 10.0.0.1:80"
        )
    return host, int(port)


def _options(args: argparse.Namespace) -> tuple[str, int] | str:
    """The listen address, or why the options are refused."""
    try:
        where = listen_address(args.listen)
    except ValueError as exc:
        return str(exc)
    if args.events_only and args.boot_dir:
        return "--events-only serves no files: leave out --boot-dir"
    if not args.events_only and not args.boot_dir:
        return "--boot-dir DIR: missing (make netboot writes build/netboot), or give --events-only"
    if args.boot_dir and not os.path.isdir(args.boot_dir):
        return f"--boot-dir {args.boot_dir}: not a directory (run `make netboot`)"
    if not 1 <= args.workers <= 64:
        return f"--workers {args.workers}: expected 1 to 64"
    if bool(args.tls_cert) != bool(args.tls_key):
        return "--tls-cert and --tls-key go together"
    return where


def run(args: argparse.Namespace) -> int:
    from cos_installer.answers.passwords import hash_password
    from cos_installer.commands.netboot import _check_fleet
    from cos_installer.netboot.documents import ExportError

    where = _options(args)
    if isinstance(where, str):
        return _err(where)
    try:
        import aiohttp  # noqa: F401
        import jsonschema  # noqa: F401
    except ImportError as exc:
        return _err(f"{exc.name} is not installed: pip install 'cos-installer[serve]'")
    mapping, errors = _check_fleet(args.fleet)
    if errors:
        for line in errors:
            _err(line)
        return 2
    try:
        from cos_installer.serve import fleetindex
        from cos_installer.serve.board import Board

        index = fleetindex.build(mapping, args.fleet, functools.lru_cache(hash_password))
    except ExportError as exc:
        for line in exc.errors:
            _err(line)
        return 2
    return _start(args, where, Board(index))


def _tls(args: argparse.Namespace):
    """The server's TLS context (None: plain http); OSError/SSLError when it cannot be read."""
    import ssl

    if not args.tls_cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.tls_cert, args.tls_key)
    return context


def _start(args: argparse.Namespace, where: tuple[str, int], board) -> int:
    import ssl

    from cos_installer.serve import runner
    from cos_installer.serve.app import Options, make_app

    try:
        context = _tls(args)
    except (OSError, ssl.SSLError) as exc:
        print(f"cos-installer serve: --tls-cert {args.tls_cert} --tls-key {args.tls_key}: "
              f"{exc}; give a PEM certificate and its key", file=sys.stderr)  # fmt: skip
        return 1
    log = None
    if args.files_log:
        try:
            out = open(args.files_log, "a", encoding="utf-8", buffering=1)  # noqa: SIM115
        except OSError as exc:
            print(f"cos-installer serve: --files-log {args.files_log}: {exc.strerror}; choose a "
                  "writable file", file=sys.stderr)  # fmt: skip
            return 1
        log = lambda line: out.write(line + "\n")  # noqa: E731 - one write: threads share it
    options = Options(
        None if args.events_only else args.boot_dir,
        autoinstall=not args.no_autoinstall,
        after=args.after,
        files_log=log,
    )
    scheme = "https" if context else "http"
    host, port = where
    banner = (f"cos-installer serve: {len(board.hosts)} host(s) from {args.fleet}; status at "
              f"{scheme}://{host}:{port}/ ; events to {scheme}://{host}:{port}/events")  # fmt: skip
    try:
        runner.run(lambda: make_app(board, options), host, port, context, args.workers,
                   lambda: print(banner, flush=True))  # fmt: skip
    except OSError as exc:
        print(f"cos-installer serve: --listen {args.listen}: {exc.strerror or exc}; choose "
              "another address or port, or stop what uses it", file=sys.stderr)  # fmt: skip
        return 1
    return 0

"""`cos-installer install`: the unattended install from an answers file.

Exit status: 0 installed (or dry run planned), 2 invalid input (arguments, answers file,
target path), 1 the install failed (preflight finding, I/O, verification, cancel).
Progress goes to stderr; a dry run prints its plan on stdout.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import os
import signal
import sys
import threading

from cos_installer.commands.printer import Printer, print_network, print_next_steps, print_warnings
from cos_installer.commands.trust import add_trust_arguments, trust_of
from cos_installer.common.typeahead import flush_input
from cos_installer.hardware.types import human_size
from cos_installer.live.reportopt import CMDLINE
from cos_installer.support.installlog import DEFAULT_LOG

HELP = "install COS unattended from an answers file onto a disk or an image file"
EPILOG = """\
Nothing is written before every check passed (answers, cloud-config, target and data disk:
whole disk, not the install media, not mounted or held under any of its names, no RAID/LVM,
big enough; the OS image, its .sha256 and the .sha256.sig over it, checked with gpgv against
the keyring, then the whole image hashed against it). Ctrl+C or SIGTERM cancels at a buffer
boundary and resets the disk. An image file is a target only with --target FILE; an existing
one is written only when it is empty or already a disk image (a partition table at its start),
or with --force.

exit status: 0 installed (or dry run planned), 1 the install failed or was cancelled,
2 invalid input (arguments, answers file, target path) or erasing not confirmed"""


def add_arguments(parser) -> None:
    parser.add_argument(
        "--answers", metavar="FILE", required=True, help="the answers file (plain or fleet)"
    )
    parser.add_argument(
        "--target",
        metavar="PATH",
        help="a whole disk (/dev/sdX) or an image file (only here: the answers' disk is "
        "always a block device); overrides the answers' disk (default: the answers' disk)",
    )
    parser.add_argument(
        "--host",
        metavar="MAC|HOSTNAME",
        help="in a fleet file, take this host entry instead of matching this machine",
    )
    parser.add_argument(
        "--image",
        metavar="PAYLOAD",
        help="the OS image (raw, .zst, .xz, .gz or .bz2) with PAYLOAD.sha256 beside it "
        "(default: the install media's); an http(s) URL is streamed (URL.sha256 and URL.size "
        "beside it, resumed after a broken connection)",
    )
    add_trust_arguments(parser)
    parser.add_argument(
        "--size",
        metavar="SIZE",
        help="create the --target image file at this size if it does not exist (8G, 512M)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="write an existing --target image file even though it holds data and no "
        "partition table (default: only an empty file or a disk image is written)",
    )
    parser.add_argument(
        "--yes",
        action="store_true",
        help="erase the disk without asking (needed without a terminal)",
    )
    parser.add_argument(
        "--dry-run",
        dest="install_dry_run",
        action="store_true",
        help="check the answers and print the plan; write nothing",
    )
    parser.add_argument(
        "--keep-on-error",
        action="store_true",
        help="after a failure, leave the half-written disk for diagnosis (default: reset its "
        "partition table)",
    )
    parser.add_argument(
        "--clear-holders",
        action="store_true",
        help="stop leftover RAID/LVM on the target and the data disk once every check passed",
    )
    parser.add_argument(
        "--log", dest="install_log", metavar="FILE", help=f"the install log (default {DEFAULT_LOG})"
    )
    parser.add_argument("--json", action="store_true", help="one JSON line per event on stdout")
    parser.add_argument(
        "--report",
        metavar="URL",
        help="POST install events (JSON) to this http(s) URL, e.g. http://10.0.0.1:8080/events "
        "(default: cos.report= on the kernel command line, else the answers' report:)",
    )
    parser.add_argument("--cmdline", default=CMDLINE, help=argparse.SUPPRESS)  # tests
    parser.add_argument(  # autostart: where the answers came from (cos_installer.boot)
        "--answers-note", action="append", default=[], help=argparse.SUPPRESS
    )
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def parse_size(text: str) -> int:
    """--size: the shared size rule (cos_installer.common.units), and never zero."""
    from cos_installer.common.units import parse_size as bytes_of

    try:
        size = bytes_of(text)
    except ValueError:
        size = 0
    if size == 0:
        raise ValueError(f"--size: {text!r} is not a size: expected a number with K, M, G or T")
    return size


def _confirm(what: str) -> bool:
    if not sys.stdin.isatty():
        print(
            f"cos-installer install: refusing to erase {what} without --yes "
            "(stdin is not a terminal)",
            file=sys.stderr,
        )
        return False
    flush_input(sys.stdin.fileno())  # what was typed before the question is no answer to it
    sys.stderr.write(f"ALL DATA ON {what} WILL BE ERASED. Type 'yes' to install: ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() == "yes"


def _needs_machine(args) -> bool:
    """Probe only when something needs it: no --image (the media's payload), a profile, or a
    fleet file whose host entry and disk/NIC rules are matched against this machine."""
    from cos_installer.answers.loader import read_mapping

    if args.machine or not args.image:
        return True
    mapping = read_mapping(args.answers)
    return "hosts" in mapping or any(
        isinstance(v, dict) for v in (mapping.get("disk"), mapping.get("data_disk"))
    )


def _load(args):
    """(config, machine) for plain and fleet answers files alike."""
    from cos_installer.answers.loader import load_for_machine
    from cos_installer.hardware import open_machine

    machine = open_machine(args.machine) if _needs_machine(args) else None
    note = lambda text: print(f"note: {text}", file=sys.stderr)  # noqa: E731
    return load_for_machine(args.answers, machine, host=args.host, report=note), machine


def _confirm_erase(backend) -> int | None:
    """Ask before erasing the target, named by size, serial and by-id; the exit status when
    the answer is not yes (or the question cannot be asked), None to go on."""
    try:
        facts = backend.facts()
        what = backend.describe() + (f", {human_size(facts.size)}" if facts.size else "")
        what += f", serial {facts.serial}" if facts.serial else ""
        what += f", {facts.by_id[0]}" if facts.by_id else ""
        return None if _confirm(what) else 2
    except OSError as exc:
        hint = "; run as root" if exc.errno in (errno.EACCES, errno.EPERM) else ""
        print(
            f"cos-installer install: cannot read {backend.describe()}: {exc.strerror or exc}{hint}",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print("\ncos-installer install: cancelled; nothing was written", file=sys.stderr)
        return 1


def _image_problem(args, size: int | None) -> str | None:
    """What is wrong with --size/--force/--image, before anything is opened (None: nothing)."""
    if not args.target and (size or args.force):
        flag = "--size" if size else "--force"
        return (f"{flag} applies to an image file named with --target FILE; the answers' disk "
                "is a block device")  # fmt: skip
    remote = (args.image or "").startswith(("http://", "https://"))
    if remote:
        from cos_installer.install.remote import notes_to  # an image over HTTP: its notes

        notes_to(sys.stderr)
    if args.image and not remote and not os.path.exists(args.image):
        return f"--image: {args.image} does not exist"
    return None


def run(args) -> int:
    from cos_installer.answers.document import AnswersError
    from cos_installer.answers.fleet import FleetError
    from cos_installer.hardware import ProfileError
    from cos_installer.install.backends import BackendError
    from cos_installer.install.session import Session

    dry_run = bool(args.install_dry_run or getattr(args, "dry_run", False))
    try:
        size = parse_size(args.size) if args.size else None
        target = _report_target(args)
        config, machine = _load(args)
    except (AnswersError, FleetError) as exc:
        for error in exc.errors:
            print(f"cos-installer install: {error}", file=sys.stderr)
        return 2
    except (ValueError, ProfileError) as exc:
        print(f"cos-installer install: {exc}", file=sys.stderr)
        return 2
    image_file = bool(args.target)  # an image file only when named on the command line
    problem = _image_problem(args, size)
    if problem:
        print(f"cos-installer install: {problem}", file=sys.stderr)
        return 2
    if not args.target:
        args.target = config.disk
    if config.disk != args.target:
        print(f"note: --target {args.target} replaces disk: {config.disk}", file=sys.stderr)
        config = dataclasses.replace(config, disk=args.target)
    log = args.install_log or (None if dry_run else DEFAULT_LOG)
    session = Session(config, dry_run=dry_run, payload=args.image, machine=machine, log_path=log,
                      report=target and target(config.report))  # fmt: skip
    try:
        backend = session.open(
            args.target, create_size=size, image_file=image_file, force=args.force
        )
    except BackendError as exc:
        hint = f"; {exc.hint}" if exc.hint else ""
        print(f"cos-installer install: {exc.cause}{hint}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"cos-installer install: {args.target}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    cancel = threading.Event()
    trust = trust_of(args)  # --allow-unsigned is said first: the loudest line
    print_warnings(config, machine)  # before the question, as on the Summary
    # Until the install starts, SIGTERM too interrupts (the prompt); `finally` detaches a loop.
    before = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        if not (dry_run or args.yes):
            refused = _confirm_erase(backend)
            if refused is not None:
                return refused
        previous = {
            s: signal.signal(s, lambda *_: cancel.set()) for s in (signal.SIGINT, signal.SIGTERM)
        }
        try:  # the session closes the backend and keeps the redacted config for `snap`
            result = session.run(
                Printer(as_json=args.json),
                cancel=cancel,
                keep_on_error=args.keep_on_error,
                clear_holders=args.clear_holders,
                trust=trust,
                notes=tuple(args.answers_note),
            )
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    finally:
        session.close()  # an early return (not confirmed) detaches an image file's loop too
        signal.signal(signal.SIGTERM, before)
    _report(result, config, dry_run=dry_run, as_json=args.json, log=log)
    return 0 if result.ok else 1


def _report_target(args):
    """Where events go, as a function of the answers' report: (checked before the answers:
    a bad --report or cos.report= is exit 2 whatever the file says). ValueError names it."""
    from cos_installer.install.reporting import choose_target
    from cos_installer.live.reportopt import kernel_report, report_option

    flag = report_option(args.report, "--report") if args.report is not None else None
    kernel, bootif = kernel_report(args.cmdline)
    return lambda answers: choose_target(flag, kernel, answers, bootif)


def _report(result, config, *, dry_run: bool, as_json: bool, log: str | None) -> None:
    """After the install: the network stack, a dry run's plan, the guide's next steps, or
    where the log is."""
    print_network(config, as_json)
    if dry_run and not as_json and result.plan:
        print("Plan (dry run, nothing was written):")
        for i, line in enumerate(result.plan, 1):
            print(f"{i:3d}. {line}")
    if result.ok and not dry_run:
        print_next_steps(config)
    if log and not result.ok and os.path.exists(log):
        print(
            f"the log is {log}; for a support request run: cos-installer snap --log {log}",
            file=sys.stderr,
        )

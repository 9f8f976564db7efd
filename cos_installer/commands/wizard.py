"""The interactive wizard (`cos-installer` with no subcommand): checks, then the urwid app.

Start-up is kept fast: only urwid and the screens are imported here; hardware, YAML and
Jinja are imported by the services when first needed.
"""

from __future__ import annotations

import argparse
import os
import sys

HELP = "the interactive install wizard (the default when no subcommand is given)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The wizard's options live on the top-level parser (cli.add_wizard_arguments)."""


def _read_answers(path: str) -> dict | None:
    from cos_installer.answers import read_mapping

    try:
        data = read_mapping(path)
    except FileNotFoundError:
        print(f"cos-installer: --answers {path}: no such file", file=sys.stderr)
        return None
    except Exception as exc:  # a parse error: say where, never a traceback
        errors = getattr(exc, "errors", None)
        detail = "; ".join(errors) if errors else str(exc)
        print(f"cos-installer: --answers {path}: {detail}", file=sys.stderr)
        return None
    if not isinstance(data, dict):
        print(f"cos-installer: --answers {path}: expected a mapping of keys", file=sys.stderr)
        return None
    return data


def run(args: argparse.Namespace) -> int:
    dry_run = bool(getattr(args, "dry_run", False))
    if not dry_run and os.geteuid() != 0:
        print(
            "cos-installer: the installer must run as root: it probes and writes disks.\n"
            "  Run it as root (e.g. sudo cos-installer), or try it with "
            "`cos-installer --dry-run --machine demo`.",
            file=sys.stderr,
        )
        return 1
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(
            "cos-installer: the wizard needs a terminal (a console, serial line or ssh -t).\n"
            "  For unattended installs use `cos-installer install --answers FILE`.",
            file=sys.stderr,
        )
        return 2
    answers = None
    if getattr(args, "answers", None):
        answers = _read_answers(args.answers)
        if answers is None:
            return 2

    from cos_installer import i18n
    from cos_installer.screens import theme
    from cos_installer.screens.app import App
    from cos_installer.screens.services import Services
    from cos_installer.snap import default_log

    lang, offer = i18n.choose(getattr(args, "lang", None))
    i18n.set_language(lang)
    services = Services(
        dry_run=dry_run,
        profile=getattr(args, "machine", None),
        all_nics=bool(getattr(args, "all_nics", False)),
        log_path=getattr(args, "log", None) or default_log(dry_run),
    )
    services.note(
        f"wizard: start, {'dry run, ' if dry_run else ''}language {lang} "
        f"(choice {'offered' if offer else 'not offered'}), TERM={os.environ.get('TERM', '')}, "
        f"machine profile {getattr(args, 'machine', None) or 'none (real hardware)'}"
    )
    app = App(
        services,
        dry_run=dry_run,
        answers=answers,
        ascii_only=theme.ascii_mode(),
        colours=theme.colour_count(),
        offer_language=offer,
    )
    code = app.run()
    services.note(f"wizard: exit {code}" + (f": {app.exit_message}" if app.exit_message else ""))
    if app.exit_message:
        print(app.exit_message, file=sys.stderr)
    if app.install_thread_alive():
        app.wait_for_install(timeout=30.0)
    if app.after_exit == "reboot":
        return services.reboot()
    return code

"""The interactive wizard (`cos-installer` with no subcommand): checks, then the urwid app.

Start-up is kept fast: only urwid and the screens are imported here; hardware, YAML and
Jinja are imported by the wizard engine when first needed.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys

HELP = "the interactive install wizard (the default when no subcommand is given)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The wizard's options live on the top-level parser (cli.add_wizard_arguments)."""


def _read_answers(path: str) -> dict | None:
    from cos_installer.answers.loader import read_mapping

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


def for_this_machine(data: dict, args: argparse.Namespace) -> tuple[dict, str]:
    """A fleet file pre-fills the wizard with this machine's entry, rules resolved; when no
    entry matches (or a rule finds nothing), with the shared defaults and no rule values.
    Returns the mapping and what was done, for the log."""
    from cos_installer.answers import fleet
    from cos_installer.answers.fleet_rules import RULE_FIELDS, get_path

    if not fleet.is_fleet(data):
        return data, ""
    from cos_installer.hardware import ProfileError, open_machine

    try:
        machine = open_machine(getattr(args, "machine", None),
                               all_nics=bool(getattr(args, "all_nics", False)))  # fmt: skip
        resolved = fleet.resolve(data, machine, source=args.answers)
        return resolved, "a fleet file: this machine's entry"
    except (fleet.FleetError, ProfileError) as exc:
        why = "; ".join(getattr(exc, "errors", None) or [str(exc)])
    defaults = copy.deepcopy({k: v for k, v in data.items() if k != "hosts"})
    for field in RULE_FIELDS:
        if isinstance(get_path(defaults, field), dict):
            head, _, leaf = field.rpartition(".")
            (get_path(defaults, head) if head else defaults).pop(leaf, None)
    return defaults, f"a fleet file, shared defaults only ({why})"


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
    answers, answers_note = None, ""
    if getattr(args, "answers", None):
        answers = _read_answers(args.answers)
        if answers is None:
            return 2
        answers, answers_note = for_this_machine(answers, args)

    from cos_installer import i18n
    from cos_installer.commands.wizard_engine import WizardEngine
    from cos_installer.screens import theme
    from cos_installer.screens.app import App
    from cos_installer.support.installlog import default_log

    lang, offer = i18n.choose(getattr(args, "lang", None))
    i18n.set_language(lang)
    engine = WizardEngine(
        dry_run=dry_run,
        profile=getattr(args, "machine", None),
        all_nics=bool(getattr(args, "all_nics", False)),
        log_path=getattr(args, "log", None) or default_log(dry_run),
    )
    if answers_note:
        engine.note(f"wizard: answers {args.answers}: {answers_note}")
    engine.note(
        f"wizard: start, {'dry run, ' if dry_run else ''}language {lang} "
        f"(choice {'offered' if offer else 'not offered'}), TERM={os.environ.get('TERM', '')}, "
        f"machine profile {getattr(args, 'machine', None) or 'none (real hardware)'}"
    )
    app = App(
        engine,
        dry_run=dry_run,
        answers=answers,
        ascii_only=theme.ascii_mode(),
        colours=theme.colour_count(),
        offer_language=offer,
    )
    code = app.run()
    engine.note(f"wizard: exit {code}" + (f": {app.exit_message}" if app.exit_message else ""))
    if app.exit_message:
        print(app.exit_message, file=sys.stderr)
    if app.install_thread_alive():
        app.wait_for_install(timeout=30.0)
    if app.after_exit == "reboot":
        return engine.reboot()
    return code

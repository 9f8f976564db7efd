"""`cos-installer`: the wizard by default, plus subcommands for unattended work and checks."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from cos_installer.commands import (
    autostart,
    check_answers,
    check_config,
    fleet,
    install,
    netboot,
    netprobe,
    probe,
    render,
    serve,
    snap,
    status,
    wizard,
)

# subcommand name -> its module (each has HELP, add_arguments(parser) and run(args))
SUBCOMMANDS: dict[str, ModuleType] = {
    "render": render,
    "check-config": check_config,
    "check-answers": check_answers,
    "probe": probe,
    "netprobe": netprobe,
    "install": install,
    "fleet": fleet,
    "snap": snap,
    "autostart": autostart,
    "netboot": netboot,
    "serve": serve,
    "status": status,
}


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, ModuleType]]:
    parser = argparse.ArgumentParser(
        prog="cos-installer",
        description="Install COS on this machine (wizard), or run one of the subcommands.",
    )
    add_wizard_arguments(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules: dict[str, ModuleType] = {}
    for command, module in SUBCOMMANDS.items():
        sub = subparsers.add_parser(command, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        _accept_shared_options(sub)
        modules[command] = module
    return parser, modules


def _accept_shared_options(sub: argparse.ArgumentParser) -> None:
    """`--machine`/`--all-nics` may also follow the subcommand (`install ... --machine demo`);
    SUPPRESS keeps a value given before the subcommand."""
    if "--machine" not in sub._option_string_actions:
        sub.add_argument(
            "--machine",
            metavar="PROFILE",
            default=argparse.SUPPRESS,
            help="use a machine profile (a bundled name such as 'demo', or a YAML file) "
            "instead of this machine's hardware",
        )
    if "--all-nics" not in sub._option_string_actions:
        sub.add_argument(
            "--all-nics",
            action="store_true",
            default=argparse.SUPPRESS,
            help="list virtual NICs too (veth, bridge, tun)",
        )


def add_wizard_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="walk the whole wizard and show what would be written; touch no disk",
    )
    parser.add_argument(
        "--machine",
        metavar="PROFILE",
        help="use a machine profile (a bundled name such as 'demo', or a YAML file) "
        "instead of probing this machine's hardware",
    )
    parser.add_argument(
        "--answers", metavar="FILE", help="pre-fill the wizard from an answers file"
    )
    parser.add_argument(
        "--all-nics", action="store_true", help="list virtual NICs too (veth, bridge, tun)"
    )
    parser.add_argument("--log", metavar="FILE", help="write the install log here")
    from cos_installer.commands.trust import add_trust_arguments

    add_trust_arguments(parser)
    parser.add_argument(  # autostart: where the answers came from, for the log
        "--answers-note", action="append", default=[], help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--lang",
        metavar="LANG",
        choices=["en", "zh_CN"],
        help="the wizard's language: en or zh_CN (default: zh_CN where the locale asks for it "
        "and the terminal can show Chinese, else en)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser, modules = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command:
            return int(modules[args.command].run(args) or 0)
        return int(wizard.run(args) or 0)
    except KeyboardInterrupt:
        print("cos-installer: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    sys.exit(main())

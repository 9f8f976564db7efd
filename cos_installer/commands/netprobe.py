"""`cos-installer netprobe`: the address screen's DHCP pre-fill on a whole stack (one NIC, or a
bond of several, with an optional VLAN on top), and what IPv6 router advertisements say,
one line per fact. The stack exists only while the probe runs."""

from __future__ import annotations

import argparse
import signal
import sys

from cos_installer.answers.model import BOND_MODES, DEFAULT_BOND_MODE, VLAN_IDS

HELP = "bring up a NIC, bond or VLAN for a moment: DHCP and IPv6 router advertisements seen"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("nics", nargs="+", metavar="NIC", help="one NIC, or several: a bond")
    modes = ", ".join(BOND_MODES)
    parser.add_argument("--bond", metavar="MODE", default=DEFAULT_BOND_MODE,
                        help=f"the bond mode with several NICs: {modes}")  # fmt: skip
    parser.add_argument(
        "--vlan", metavar="ID", help="an 802.1Q tag ({}-{}) on top".format(*VLAN_IDS)
    )
    parser.add_argument("--timeout", metavar="S", type=float, default=10.0,
                        help="seconds DHCP is given (default 10)")  # fmt: skip


def _problem(args: argparse.Namespace, names: list[str]) -> str:
    """The first thing wrong with the command line, naming the value given, or ''."""
    for nic in args.nics:
        if nic not in names:
            return f"NIC {nic!r} is not a NIC of this machine (NICs: {', '.join(names) or 'none'})"
    if len(set(args.nics)) != len(args.nics):
        return f"NICs {' '.join(args.nics)!r}: a NIC is named twice; name each once"
    if args.bond not in BOND_MODES:
        return f"--bond {args.bond!r} is not a bond mode (expected one of {', '.join(BOND_MODES)})"
    low, high = VLAN_IDS
    if args.vlan is not None and not (args.vlan.isdigit() and low <= int(args.vlan) <= high):
        return f"--vlan {args.vlan!r} is not a VLAN id (expected a whole number {low}-{high})"
    if not 1 <= args.timeout <= 120:
        return f"--timeout {args.timeout:g} is out of range (expected 1-120 seconds)"
    return ""


def run(args: argparse.Namespace) -> int:
    from cos_installer.hardware import open_machine
    from cos_installer.hardware.netstack import PREFIX
    from cos_installer.hardware.nics import list_nic_names
    from cos_installer.hardware.stackprobe import probe
    from cos_installer.hardware.types import Stack

    names = [n for n in list_nic_names(all_nics=True) if not n.startswith(PREFIX)]
    problem = _problem(args, names)
    if problem:
        print(f"cos-installer netprobe: {problem}", file=sys.stderr)
        return 2
    stack = Stack(tuple(args.nics), args.bond, int(args.vlan) if args.vlan else None)
    # SIGTERM/SIGHUP end the probe through its cleanup (the stack is taken down)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda number, _frame: sys.exit(128 + number))
    machine = open_machine(all_nics=True)
    result = probe(stack, machine.dhcp, timeout=args.timeout)
    print(f"netprobe: {stack.describe()}")
    for fact in result.facts:
        print(f"  {fact}")
    return 1 if result.error else 0

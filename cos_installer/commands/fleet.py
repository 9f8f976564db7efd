"""`cos-installer fleet`: a starter fleet answers file with the guide's names and addresses.

controller1..N take --first-address and the next ones; node1..M follow (Ipvlan agents two
apart, as the guide requires: .101, .103, .105). Only the guide's shapes: one controller, or
its HA group of exactly three (MongoDB replica set rs0 of three members), and at least
Cluster Size agents, because the cluster initialises only once that many are installed.
Each host entry is matched by a placeholder MAC the operator replaces; the agents' install
code is a placeholder too, because the real one appears on the controller's web page only
after the controllers are installed. The file passes `check-answers` as written (which warns
about the placeholders).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path

import yaml

from cos_installer.answers import validate
from cos_installer.answers.fleet_rules import rule_problems
from cos_installer.answers.model import (
    DEFAULT_CLUSTER_SIZE,
    DEFAULT_HTTP_PORT,
    HA_GROUP_SIZE,
    NetworkModel,
)
from cos_installer.commands.fleet_file import Plan, fleet_text

HELP = "write a starter fleet answers file (controller1..N, node1..M) to stdout or -o FILE"
DEFAULT_DISK = "{smallest: true, min_size: 20G}"
DEFAULT_INTERFACE = "{matched: true}"
CONTROLLER_COUNTS = (1, HA_GROUP_SIZE)
MAX_HOSTS = 10000  # a rack row; the placeholder MACs have two bytes for the number


class _Bad(Exception):
    """A bad option: the message names it, what was given and what is expected."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--controllers", type=int, default=3, metavar="N", help="1, or 3 for an HA group (default)"
    )
    parser.add_argument(
        "--agents", type=int, default=3, metavar="N", help="at least --cluster-size, default 3"
    )
    parser.add_argument(
        "--first-address",
        required=True,
        metavar="CIDR",
        help="controller1's address, e.g. 192.168.122.170/24; the others follow",
    )
    parser.add_argument(
        "--agent-address", metavar="CIDR", help="node1's address (default: after the controllers)"
    )
    parser.add_argument("--gateway", metavar="IP", help="default: the network's first host")
    parser.add_argument("--dns", metavar="IP[,IP]", help="default: the gateway")
    parser.add_argument(
        "--network-model", choices=[m.value for m in NetworkModel], default="bridge"
    )
    parser.add_argument("--controller-port", default=str(DEFAULT_HTTP_PORT), metavar="PORT")
    parser.add_argument("--cluster-size", default=str(DEFAULT_CLUSTER_SIZE), metavar="N")
    parser.add_argument(
        "--disk", default=DEFAULT_DISK, metavar="RULE", help=f"path or rule, default {DEFAULT_DISK}"
    )
    parser.add_argument("--data-disk", metavar="RULE", help="path or rule, e.g. '{largest: true}'")
    parser.add_argument("--interface", default=DEFAULT_INTERFACE, metavar="RULE")
    parser.add_argument(
        "--ip-pool",
        action="append",
        default=[],
        metavar="START-END",
        help="container IP pool, e.g. 192.168.122.200-192.168.122.250; repeat for more ranges",
    )
    parser.add_argument("--password-hash", metavar="HASH", help="'$6$...' instead of 'cos'")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here (mode 0600)")


def _rule(text: str, option: str, field: str) -> object:
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        value = None
    if isinstance(value, str) and value.startswith("/"):
        return value
    if isinstance(value, str) and field == "network.interface":
        return validate.interface_name(value)
    if not isinstance(value, dict):
        raise _Bad(f"{option} {text!r}: expected a path or a rule like {DEFAULT_DISK}")
    problems = rule_problems(field, value)
    if problems:
        raise _Bad(f"{option} {text!r}: {'; '.join(problems)}")
    return value


def _addresses(first: ipaddress.IPv4Interface, count: int, step: int, who: str) -> list:
    out = []
    for n in range(1, count + 1):
        try:
            ip = first.ip + (n - 1) * step
            out.append(validate.address(f"{ip}/{first.network.prefixlen}"))
        except (validate.FieldError, ValueError) as exc:
            raise _Bad(f"{who}{n}'s address: {exc}; choose another start address") from None
    return out


def _opt(option: str, check, value: object) -> object:
    """Validate one option's value; the message names the option."""
    try:
        return check(value)
    except validate.FieldError as exc:
        raise _Bad(f"{option}: {exc}") from None


def _pool(texts: list[str], start: ipaddress.IPv4Interface, gateway: object,
          hosts: list[ipaddress.IPv4Interface]) -> list:  # fmt: skip
    """--ip-pool START-END ranges, checked as agent.ip_pool is, and against every host."""
    if not texts:
        return []
    pool = _opt("--ip-pool", lambda v: validate.ip_pool(v, start, gateway), " ".join(texts))
    problem = validate.pool_conflicts(pool, sorted(h.ip for h in hosts))
    if problem:
        raise _Bad(f"--ip-pool: {problem}")
    return pool


def build(args: argparse.Namespace) -> str:
    """The fleet file's text; raises _Bad for options that cannot make a valid fleet."""
    return fleet_text(args, _plan(args))


def _plan(args: argparse.Namespace) -> Plan:
    for name in ("controllers", "agents"):
        if not 0 <= getattr(args, name) <= MAX_HOSTS:
            raise _Bad(f"--{name} {getattr(args, name)}: expected a number from 0 to {MAX_HOSTS}")
    if args.controllers < 1:
        raise _Bad("--controllers 0: the agents need at least one controller")
    if args.controllers not in CONTROLLER_COUNTS:
        raise _Bad(
            f"--controllers {args.controllers}: expected 1 (a single controller) or "
            f"{HA_GROUP_SIZE} (the guide's HA group: MongoDB replica set rs0 of three members)"
        )
    first = _opt("--first-address", validate.address, args.first_address)
    port = _opt("--controller-port", validate.port, args.controller_port)
    cluster = _opt("--cluster-size", validate.cluster_size, args.cluster_size)
    if args.agents < cluster:
        raise _Bad(
            f"--agents {args.agents} is fewer than --cluster-size {cluster}: the guide: at least "
            "Cluster Size agents must be installed before the cluster initialises; give "
            f"--agents {cluster} or more, or a smaller --cluster-size"
        )
    ipvlan = args.network_model == NetworkModel.IPVLAN.value
    step = 2 if ipvlan else 1
    ctl = _addresses(first, args.controllers, 1, "controller")
    if args.agent_address:
        agent_start = _opt("--agent-address", validate.address, args.agent_address)
    else:  # Ipvlan: leave the address after the last controller free too
        agent_start = ipaddress.IPv4Interface(f"{ctl[-1].ip + step}/{first.network.prefixlen}")
    agents = _addresses(agent_start, args.agents, step, "node")
    gateway = _opt("--gateway", validate.ipv4, args.gateway) if args.gateway else first.network[1]
    dns = _opt("--dns", validate.dns_servers, args.dns) if args.dns else [gateway]
    pw_hash = (
        _opt("--password-hash", validate.password_hash, args.password_hash or "")
        if (args.password_hash)
        else None
    )
    for name, addr in [(f"controller{i}", a) for i, a in enumerate(ctl, 1)] + [
        (f"node{i}", a) for i, a in enumerate(agents, 1)
    ]:
        try:
            validate.gateway(str(gateway), addr)
        except validate.FieldError as exc:
            raise _Bad(f"{name} {addr}: gateway {exc}; give --gateway or other addresses") from None
    pool = _pool(args.ip_pool, agent_start, gateway, ctl + agents)
    disk = _rule(args.disk, "--disk", "disk")
    data_disk = _rule(args.data_disk, "--data-disk", "data_disk") if args.data_disk else None
    interface = _rule(args.interface, "--interface", "network.interface")
    return Plan(first, ctl, agents, port, cluster, ipvlan, gateway, dns, pw_hash, disk,
                 data_disk, interface, pool)  # fmt: skip


def run(args: argparse.Namespace) -> int:
    try:
        text = build(args)
    except _Bad as exc:
        print(f"cos-installer fleet: {exc}", file=sys.stderr)
        return 2
    if not args.output or args.output == "-":
        sys.stdout.write(text)
        return 0
    path = Path(args.output)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds a password
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        print(f"cos-installer fleet: cannot write {path}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"cos-installer fleet: wrote {path}; fill in the MACs and the install code, then "
          f"run: cos-installer check-answers {path}", file=sys.stderr)  # fmt: skip
    return 0

"""Answers file: YAML in, a validated InstallConfig out, every problem reported at once.

The wizard builds the same nested mapping from its screens and calls `from_mapping`, so the
rules (through `answers.validate`) and the messages are the same for both. Each message
is "SOURCE: key.path: what is wrong and what is expected". Secrets (the plain password, the
install code) are never echoed back.
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Callable, Sequence
from typing import Any

from cos_installer.answers import model, validate
from cos_installer.answers.netdoc import BOND_KEYS, network_settings
from cos_installer.answers.passwords import hash_password
from cos_installer.answers.yamlfile import YamlInt, dump_yaml
from cos_installer.common.shown import printable
from cos_installer.hardware.types import Nic

__all__ = ["AnswersError", "dump_yaml", "from_mapping"]

KEYS: dict[str, tuple[str, ...]] = {
    "": ("role", "controller", "agent", "system", "network", "disk", "data_disk"),
    "controller": ("http_port", "cluster_size", "ha", "group"),
    "agent": (
        "controllers",
        "install_code",
        "network_model",
        "docker_gateway",
        "docker_dns",
        "ip_pool",
        "ip_pool_owner",
    ),  # fmt: skip
    "system": ("hostname", "password", "password_hash"),
    "network": (
        "interface",
        "dhcp",
        "address",
        "gateway",
        "dns",
        "mac",
        "bond",
        "vlan",
        "mtu",
        "ipv6",
        "address6",
        "gateway6",
    ),  # fmt: skip
    "network.bond": BOND_KEYS,
}
EXAMPLES = {
    "role": "controller or agent",
    "agent.controllers": '"192.168.122.170:80,192.168.122.171:80"',
    "agent.install_code": '"8070"',
    "system.hostname": "node1",
    "network.interface": "eth0",
    "network.address": "192.168.122.101/24",
    "network.gateway": "192.168.122.1",
    "network.dns": "192.168.122.1",
    "network.address6": "2001:db8:122::101/64",
    "disk": "/dev/sda",
}
LIST_FIELDS = {"agent.controllers", "network.dns", "controller.group", "network.interface",
               "network.mac"}  # fmt: skip
RANGE_FIELDS = {"agent.ip_pool"}  # a list of {start, end} mappings, or one such mapping
TEXT_FIELDS = {"role", "system.hostname", "system.password_hash", "network.interface", "disk",
               "data_disk", "agent.network_model", "agent.install_code", "network.bond.mode",
               "network.bond.primary", "network.address6", "network.gateway6"}  # fmt: skip


class AnswersError(Exception):
    """One or more problems in an answers mapping; `.errors` holds one line per problem."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = [printable(e) for e in errors]  # keys/values from the file, escaped
        super().__init__("\n".join(self.errors))

    def __str__(self) -> str:
        return "\n".join(self.errors)


class _Checker:
    """Collects "SOURCE: path: message" lines while values are validated one by one."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(
            f"{self.source}: {path}: {message}" if path else f"{self.source}: {message}"
        )

    def section(self, data: dict, name: str, required: bool) -> dict | None:
        """The mapping under `name` with unknown keys reported, or None when absent/wrong."""
        value = data.get(name)
        if value is None:
            if required and name not in data:
                self.error(name, "missing: this section is required")
                return None
            if required:
                self.error(name, "is empty: expected a mapping of keys")
                return None
            return {} if name in data else None
        if not isinstance(value, dict):
            self.error(name, f"expected a mapping of keys ({', '.join(KEYS[name])}), "
                       f"got {kind_of(value)}")  # fmt: skip
            return None
        self.unknown_keys(value, name)
        return value

    def unknown_keys(self, data: dict, where: str) -> None:
        for key in data:
            if str(key) in KEYS[where] and isinstance(key, str):
                continue
            path = f"{where}.{key}" if where else str(key)
            hint = difflib.get_close_matches(str(key), KEYS[where], n=1)
            also = f"did you mean {hint[0]!r}? " if hint else ""
            self.error(path, f"unknown key: {also}expected one of {', '.join(KEYS[where])}")

    def value(self, data: dict, path: str, check: Callable[..., Any], *args: Any,
              required: bool = False, default: Any = None) -> Any:  # fmt: skip
        """Validate data[key]; record the problem and return None when it is not acceptable."""
        key = path.rpartition(".")[2]
        raw = data.get(key)
        blank = isinstance(raw, str) and not raw.strip() and path != "system.password"
        if raw is None or blank:
            if required:
                example = EXAMPLES.get(path)
                self.error(
                    path, "missing: a value is required" + (f", e.g. {example}" if example else "")
                )
            return default
        problem = _type_problem(path, raw)
        if problem:
            self.error(path, problem)
            return None
        if isinstance(raw, YamlInt):
            raw = int(raw)  # keep the model free of loader types
        try:
            return check(raw, *args)
        except validate.FieldError as exc:
            self.error(path, str(exc))
            return None


def kind_of(value: object) -> str:
    kinds = ((bool, "yes/no"), (int | float, "a number"), (dict, "a mapping"),
             (list | tuple, "a list"), (datetime.date, "a date"), (bytes, "binary data"),
             (set, "a set"))  # fmt: skip
    return next((name for kind, name in kinds if isinstance(value, kind)), "text")


def _type_problem(path: str, raw: object) -> str | None:
    """YAML typing gotchas: mappings and lists where one value belongs, unquoted yes/no or
    numbers that YAML changed (a leading zero lost, 1e3 read as 1000.0)."""
    if path in RANGE_FIELDS:
        return None  # its validator reads the mappings and names the range at fault
    if isinstance(raw, dict) or (isinstance(raw, list | tuple) and path not in LIST_FIELDS):
        return f"expected a single value, got {kind_of(raw)}"
    if isinstance(raw, list | tuple):
        bad = [item for item in raw if isinstance(item, dict | list | tuple)]
        return "expected a list of single values" if bad else None
    quote = f'put it in quotes, e.g. {path.rpartition(".")[2]}: "..."'
    if path == "system.password" and not isinstance(raw, str):
        return f"YAML read the password as {kind_of(raw)}, not text: {quote}"
    if isinstance(raw, YamlInt) and raw.source != str(int(raw)):
        return f"YAML read this as a number and changed it (a leading zero or 0x form): {quote}"
    if isinstance(raw, datetime.date | bytes | set) or (
        path in TEXT_FIELDS and isinstance(raw, bool | float)
    ):  # no field takes a date, bytes (!!binary) or a set: YAML changed what was written
        return f"YAML read this as {kind_of(raw)}, not text: {quote}"
    return None


def from_mapping(
    data: dict,
    source: str = "answers",
    hasher: Callable[[str], str] = hash_password,
    nics: Sequence[Nic] | None = None,
) -> model.InstallConfig:
    """Validate a nested answers mapping; raise AnswersError listing every problem. `hasher`:
    a check of many hosts sharing one password hashes it once (it is 5000 SHA-512 rounds).
    `nics`: this machine's NICs, for the network rules that need hardware facts."""
    c = _Checker(source)
    if not isinstance(data, dict):
        c.error("", f"expected a mapping of keys ({', '.join(KEYS[''])}), got {kind_of(data)}")
        raise AnswersError(c.errors)
    c.unknown_keys(data, "")
    role = c.value(data, "role", validate.role, required=True)
    for name, own in (("controller", model.Role.CONTROLLER), ("agent", model.Role.AGENT)):
        if role is not None and role is not own and name in data:
            c.error(name, f"this section is for role {own}, but role is {role}: remove it")
    controller_data = agent_data = None
    if role in (model.Role.CONTROLLER, None):
        controller_data = c.section(data, "controller", required=False)
    if role in (model.Role.AGENT, None):
        agent_data = c.section(data, "agent", required=role is model.Role.AGENT)

    controller = None
    if role is model.Role.CONTROLLER or controller_data:
        d = controller_data or {}
        controller = model.ControllerSettings(
            http_port=c.value(
                d, "controller.http_port", validate.http_port, default=model.DEFAULT_HTTP_PORT
            ),
            cluster_size=c.value(
                d,
                "controller.cluster_size",
                validate.cluster_size,
                default=model.DEFAULT_CLUSTER_SIZE,
            ),  # fmt: skip
            ha=c.value(d, "controller.ha", validate.yes_no, default=model.DEFAULT_HA),
        )
    agent = None
    if agent_data is not None:
        d = agent_data
        agent = model.AgentSettings(
            controllers=c.value(d, "agent.controllers", validate.controller_list, required=True),
            install_code=c.value(d, "agent.install_code", validate.install_code, required=True),
            network_model=c.value(
                d, "agent.network_model", validate.network_model, default=model.NetworkModel.BRIDGE
            ),
            docker_gateway=c.value(d, "agent.docker_gateway", validate.optional_ipv4),
            docker_dns=c.value(d, "agent.docker_dns", validate.optional_ipv4),
            ip_pool_owner=c.value(d, "agent.ip_pool_owner", validate.yes_no, default=False),
        )
    system = _system(c, c.section(data, "system", required=True), hasher)
    net_data = c.section(data, "network", required=True)
    network = network_settings(c, net_data, nics) if net_data is not None else None
    _group_and_pool(c, controller_data, agent_data, controller, agent, network)
    disk = c.value(data, "disk", validate.disk_path, required=True)
    data_disk = c.value(data, "data_disk", validate.data_disk, disk or "")
    if c.errors:
        raise AnswersError(c.errors)
    return model.InstallConfig(
        role=role,
        system=system,
        network=network,
        disk=disk,
        controller=controller if role is model.Role.CONTROLLER else None,
        agent=agent if role is model.Role.AGENT else None,
        data_disk=data_disk,
    )


def _group_and_pool(c: _Checker, controller_data: dict | None, agent_data: dict | None,
                    controller: model.ControllerSettings | None,
                    agent: model.AgentSettings | None,
                    network: model.NetworkSettings | None) -> None:  # fmt: skip
    """The fields checked against this machine's address: the HA group and the IP pool."""
    addr = network.address if network is not None and not network.dhcp else None
    gateway = network.gateway if network is not None else None
    if controller is not None and controller_data:
        group = c.value(controller_data, "controller.group", validate.ha_group, addr)
        if group is not None and controller.ha is False:
            c.error("controller.group", "is for an HA group: set ha: true, or remove group")
        controller.group = group
    if agent is not None and agent_data:
        pool = c.value(agent_data, "agent.ip_pool", validate.ip_pool, addr, gateway)
        agent.ip_pool = pool or []


def _system(
    c: _Checker, d: dict | None, hasher: Callable[[str], str]
) -> model.SystemSettings | None:
    if d is None:
        return None
    hostname = c.value(d, "system.hostname", validate.hostname, required=True)
    has_plain, has_hash = d.get("password") is not None, d.get("password_hash") is not None
    password_hash = None
    if has_plain and has_hash:
        c.error("system", "give either password or password_hash, not both")
    elif has_hash:
        password_hash = c.value(d, "system.password_hash", validate.password_hash)
    elif has_plain:
        plain = c.value(d, "system.password", validate.password)
        password_hash = hasher(plain) if plain is not None else None
    else:
        c.error("system.password", "missing: give password (stored only as a SHA-512 hash) "
                "or password_hash ('$6$...')")  # fmt: skip
    return model.SystemSettings(hostname=hostname, password_hash=password_hash)

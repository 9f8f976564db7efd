"""What the wizard keeps between screens: the nested answers mapping (the shape an answers file
has: role, controller, agent, system, network, disk, data_disk) that the screens edit, and the
few things only the UI needs (the password typed again, where the address came from).

A screen reads the mapping and reports a patch in the same shape (`merge`); the Summary turns
`chosen(answers)` into the one InstallConfig with the engine's `from_mapping`. No other shape.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cos_installer.answers import validate
from cos_installer.answers.document import KEYS
from cos_installer.answers.model import DEFAULT_DHCP, DEFAULT_HA

# The keys the wizard edits: an answers file's keys but the NIC's MAC (the NIC chosen on screen
# may be another one than the file's; the networkd file then matches on the name).
EDITED: dict[str, tuple[str, ...]] = {
    where: tuple(key for key in keys if key != "mac") for where, keys in KEYS.items()
}
SECRETS = {"password", "password_hash", "install_code", "password_again"}


@dataclass
class Context:
    """What a view gets: the answers so far (a copy, in the answers file's nested shape), the
    UI-only state, what was probed, and the two callbacks. `done(patch, entered)` reports a
    patch in the answers' shape and, for the UI-only state, keyword values of `Entered`."""

    answers: dict[str, Any]
    entered: Entered
    facts: Facts
    done: Callable[..., None]
    back: Callable[[], None]
    dry_run: bool = False
    ascii_only: bool = False
    set_keys: Callable[[str], None] = lambda keys: None
    set_status: Callable[[str], None] = lambda message: None  # the line above the key bar
    offer_language: bool = False  # Welcome: the terminal can show Chinese
    set_language: Callable[[str], None] = lambda lang: None
    actions: dict[str, Callable[..., Any]] = field(default_factory=dict)  # the error screen
    clock: Callable[[], float] = time.monotonic  # when a confirmation may take a key
    flush_input: Callable[[], None] = lambda: None  # drop typed-ahead keys the tty holds
    # the address screen: keep what it shows and ask DHCP again on the stack now chosen
    reprobe: Callable[[dict[str, Any], dict[str, Any]], None] = lambda patch, entered: None


@dataclass
class Entered:
    """UI-only state: never part of the answers, never validated by the engine."""

    password_again: str = ""  # the System screen's confirmation field
    address_source: str = ""  # "answers", "dhcp" or "user": may a DHCP lease replace it?


@dataclass
class Facts:
    """What the wizard found or worked out so far, for the screens to show (never answers).
    Reset by Ctrl+D."""

    probing: bool = False
    probe_error: str = ""  # the hardware probe failed (Welcome says so)
    media_error: str = ""  # the install medium was not found (the CDROM screen)
    payload: str | None = None  # the OS image on the install medium
    nics: list[Any] | None = None  # None until probed
    disks: list[Any] | None = None
    begin_when_probed: bool = False  # Enter on Welcome came before the probes
    dhcp: Any = None  # the DHCP probe's result for the chosen NIC (hardware.types.DhcpResult)
    dhcp_message: str = ""
    dhcp_results: dict[str, Any] = field(default_factory=dict)  # leases by NIC, asked once
    config: Any = None  # the InstallConfig the Summary validated (model.InstallConfig)
    config_errors: list[str] = field(default_factory=list)  # or the engine's messages
    warnings: list[str] = field(default_factory=list)  # risky choices in the config (Summary)
    user_data: str = ""  # the cloud-config the install wrote (the Review screen)
    result: Any = None  # the install's outcome


def prefill(data: Any) -> dict[str, Any]:
    """The part of an answers mapping the wizard edits: unknown keys, an unknown role and fleet
    rule mappings (resolved before this, or dropped) are left out; values stay as written, for
    the screens to show and the engine to judge."""
    if not isinstance(data, dict):
        return {}
    answers: dict[str, Any] = {}
    for key in EDITED[""]:
        value = data.get(key)
        if key in EDITED and isinstance(value, dict):
            value = {k: pool_text(v) if k == "ip_pool" else v for k, v in value.items()}
            inner = {k: v for k, v in value.items() if k in EDITED[key] and _plain(v, k)}
            if inner:
                answers[key] = copy.deepcopy(inner)
        elif key not in EDITED and value is not None and _plain(value):
            answers[key] = value
    if answers.get("role") not in ("controller", "agent"):
        answers.pop("role", None)
    return answers


def pool_text(value: Any) -> Any:
    """An answers file's IP pool ({start, end} mappings) as the Agent screen's field shows it:
    START-END, ranges separated by ', ' (the form the engine's validator also reads)."""
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, list | tuple):
        return value
    if not all(isinstance(i, dict) and set(i) == {"start", "end"} for i in items):
        return value  # left out of the wizard; the engine names what is wrong with it
    return ", ".join(f"{as_text(i['start'])}-{as_text(i['end'])}" for i in items)


def own_address(answers: dict[str, Any]) -> Any:
    """This machine's static address (IPv4Interface) and gateway as entered so far, each None
    when not known (DHCP, not entered yet, or not valid: the Summary says so)."""
    network = section(answers, "network")
    if yes_no_or(network.get("dhcp"), DEFAULT_DHCP):
        return None, None
    try:
        addr = validate.address(network.get("address"))
    except validate.FieldError:
        return None, None
    try:
        return addr, validate.gateway(network.get("gateway"), addr)
    except validate.FieldError:
        return addr, None


NESTED = {"bond"}  # the keys whose value is a mapping of plain values (network.bond)


def _plain(value: Any, key: str = "") -> bool:
    """A value a screen can show: no mapping (a fleet rule) but a bond's settings, no list of
    mappings."""
    if key in NESTED and isinstance(value, dict):
        return all(_plain(leaf) for leaf in value.values())
    if isinstance(value, list | tuple):
        return all(not isinstance(item, dict | list | tuple) for item in value)
    return not isinstance(value, dict)


def entered_from(answers: dict[str, Any]) -> Entered:
    """The UI state an answers file implies: its password counts as typed twice."""
    system, network = section(answers, "system"), section(answers, "network")
    return Entered(
        password_again=as_text(system.get("password")),
        address_source="answers" if network.get("address") else "",
    )


def merge(answers: dict[str, Any], patch: dict[str, Any]) -> None:
    """Apply a screen's patch: sections are updated key by key; None removes a key."""
    for key, value in patch.items():
        if isinstance(value, dict):
            inner = answers.setdefault(key, {})
            if not isinstance(inner, dict):
                inner = answers[key] = {}
            for name, leaf in value.items():
                if leaf is None:
                    inner.pop(name, None)
                else:
                    inner[name] = leaf
        elif value is None:
            answers.pop(key, None)
        else:
            answers[key] = value


def chosen(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers that apply to what was chosen, for validation: the other role's section,
    a static address under DHCP and a file's password hash once a password is typed are kept
    in the wizard (Esc back and forth) but are not part of this install."""
    mapping = copy.deepcopy(answers)
    role = mapping.get("role")
    mapping.pop("agent" if role == "controller" else "controller", None)
    controller = mapping.get("controller")
    if isinstance(controller, dict) and not yes_no_or(controller.get("ha"), DEFAULT_HA):
        controller.pop("group", None)  # asked of an HA controller only
    network = mapping.get("network")
    if isinstance(network, dict):
        _network_chosen(network)
    system = mapping.setdefault("system", {})
    if system.get("password"):
        system.pop("password_hash", None)
    elif system.get("password_hash"):
        system.pop("password", None)  # empty: the file's hash is kept (the System screen says so)
    else:
        system["password"] = ""  # the engine says what is wrong, with its key path
    return mapping


def _network_chosen(network: dict[str, Any]) -> None:
    """Drop what the network choices left aside: the static IPv4 under DHCP, the IPv6 address
    unless static, the bond settings of a single NIC."""
    if yes_no_or(network.get("dhcp"), DEFAULT_DHCP):
        for key in ("address", "gateway", "dns"):
            network.pop(key, None)
    if str(network.get("ipv6", "")).lower() != "static":
        for key in ("address6", "gateway6"):
            network.pop(key, None)
    interface = network.get("interface")
    if not (isinstance(interface, list | tuple) and len(interface) > 1):
        network.pop("bond", None)


def section(answers: dict[str, Any], name: str) -> dict[str, Any]:
    value = answers.get(name)
    return value if isinstance(value, dict) else {}


def yes_no_or(value: Any, default: bool) -> bool:
    """The engine's reading of yes/no ("no", "false", 0 are No); `default` when it is neither
    (the engine reports such a value if it reaches the Summary)."""
    try:
        return validate.yes_no(value)
    except validate.FieldError:
        return default


def as_text(value: Any) -> str:
    """A value as a field shows it: a list as `a,b`, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def redacted(patch: dict[str, Any], entered: dict[str, Any] | None = None) -> str:
    """`key=value` pairs for the log, the secrets shown only as set or empty."""
    leaves: dict[str, Any] = {}
    for key, value in {**patch, **(entered or {})}.items():
        leaves.update(value if isinstance(value, dict) else {key: value})
    shown = []
    for key, value in sorted(leaves.items()):
        if key in SECRETS:
            value = "<set>" if value else "<empty>"
        shown.append(f"{key}={value!r}" if isinstance(value, str) else f"{key}={value}")
    return " ".join(shown)

"""The cluster fields: the controller's port, size and HA; the agent's controller list,
install code, network model and Docker gateway/DNS."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from cos_installer.answers.model import CLUSTER_SIZES, ControllerAddress, NetworkModel, Role
from cos_installer.answers.validate.base import FieldError, as_text, quoted
from cos_installer.answers.validate.network import ipv4
from cos_installer.answers.validate.system import host_problem
from cos_installer.i18n import _

# --- controller settings -------------------------------------------------------------------


def port(value: object) -> int:
    """A TCP port, 1-65535, written as shown everywhere: "080" is refused (one spelling per
    port, so the Summary, the Done screen's URL and the config never disagree)."""
    text = as_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif not text:
        raise FieldError(_("required: a port number from 1 to 65535, e.g. 80"))
    elif text.isascii() and text.isdigit() and len(text) > 1 and text.startswith("0"):
        plain = text.lstrip("0")[:6] or "0"
        example = plain if 1 <= int(plain) <= 65535 else "80"
        raise FieldError(
            _("{value} has a leading zero: write the port without it, e.g. {example}").format(
                value=quoted(value), example=example
            )
        )
    elif text.isascii() and text.isdigit() and len(text) <= 6:  # int() of huge text raises
        number = int(text)
    else:
        raise FieldError(
            _("{value} is not a port: expected a number from 1 to 65535").format(
                value=quoted(value)
            )
        )
    if not 1 <= number <= 65535:
        raise FieldError(
            _("{number} is out of range: a port is a number from 1 to 65535").format(number=number)
        )
    return number


http_port = port


def cluster_size(value: object) -> int:
    text = as_text(value)
    allowed = ", ".join(str(n) for n in CLUSTER_SIZES)
    if not (text.isascii() and text.isdigit() and len(text) <= 2) or int(text) not in CLUSTER_SIZES:
        raise FieldError(
            _("{value} is not a cluster size: expected one of {allowed}").format(
                value=quoted(value), allowed=allowed
            )
        )
    return int(text)


def yes_no(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = as_text(value).lower()
    if text in {"yes", "y", "true", "on", "1"}:
        return True
    if text in {"no", "n", "false", "off", "0"}:
        return False
    raise FieldError(_("{value} is not yes or no").format(value=quoted(value)))


def role(value: object) -> Role:
    text = as_text(value).lower()
    try:
        return Role(text)
    except ValueError:
        raise FieldError(
            _("{value} is not a role: expected controller or agent").format(value=quoted(value))
        ) from None


# --- agent settings --------------------------------------------------------------------------


def controller_list(value: object) -> list[ControllerAddress]:
    """`host:port[,host:port...]` (or a YAML list), the current primary controller first."""
    items: Iterable[object] = (
        value if isinstance(value, list | tuple) else as_text(value).split(",")
    )
    expected = _(
        "expected host:port items separated by ',', primary first, e.g. 192.168.122.170:80"
    )
    result: list[ControllerAddress] = []
    seen: set[ControllerAddress] = set()  # a list's `in` made a long paste quadratic
    entries = [as_text(item) for item in items]
    if not any(entries):
        raise FieldError(_("no controller given: {expected}").format(expected=expected))
    for position, entry in enumerate(entries, start=1):
        if not entry:
            raise FieldError(
                _("item {position} is empty: {expected}").format(
                    position=position, expected=expected
                )
            )
        host, sep, port_text = entry.rpartition(":")
        host = host.strip()
        if not sep or not host:
            raise FieldError(
                _("item {position} {entry} has no port: {expected}").format(
                    position=position, entry=repr(entry), expected=expected
                )
            )
        try:
            number = port(port_text.strip())
        except FieldError as exc:
            raise FieldError(
                _("item {position} {entry}: {exc}").format(
                    position=position, entry=repr(entry), exc=exc
                )
            ) from None
        if re.fullmatch(r"[0-9.]+", host):
            try:
                ipaddress.IPv4Address(host)
            except ValueError:
                raise FieldError(
                    _("item {position} {entry}: {host} is not an IPv4 address").format(
                        position=position, entry=repr(entry), host=repr(host)
                    )
                ) from None
        else:
            problem = host_problem(host)
            if problem:
                raise FieldError(
                    _("item {position} {entry}: {host} is not a host name: {problem}").format(
                        position=position, entry=repr(entry), host=repr(host), problem=problem
                    )
                )
        address = ControllerAddress(host, number)
        if address in seen:
            raise FieldError(
                _("item {position} {entry} repeats an earlier controller").format(
                    position=position, entry=repr(entry)
                )
            )
        result.append(address)
        seen.add(address)
    return result


def install_code(value: object) -> str:
    text = as_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)  # YAML may read 8070 as a number; 0123 would lose its zero
    if len(text) != 4 or not (text.isascii() and text.isdigit()):
        raise FieldError(
            _(
                "the install code is exactly 4 digits, as shown on the controller's web page "
                "(e.g. 8070)"
            )
        )
    return text


def network_model(value: object) -> NetworkModel:
    text = as_text(value).lower()
    try:
        return NetworkModel(text)
    except ValueError:
        raise FieldError(
            _("{value} is not a network model: expected bridge or ipvlan").format(
                value=quoted(value)
            )
        ) from None


def optional_ipv4(value: object) -> ipaddress.IPv4Address | None:
    """COS_CUSTOM_DOCKERGW / COS_CUSTOM_DOCKERDNS: empty (the default) or one IPv4 address."""
    text = as_text(value)
    if not text:
        return None
    return ipv4(text)

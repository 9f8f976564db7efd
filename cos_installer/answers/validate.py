"""One validator per field: text in, typed value out, or a FieldError saying what is expected.

The wizard and the answers file both call these, so each rule lives here and nowhere else.
`error_of` turns a validator into the "message or None" form the screens show next to a field.
"""

from __future__ import annotations

import ipaddress
import os
import re
import stat
from collections.abc import Callable, Iterable
from typing import Any

from cos_installer.answers.model import CLUSTER_SIZES, ControllerAddress, NetworkModel, Role
from cos_installer.i18n import _


class FieldError(ValueError):
    """A value a user typed is not acceptable; the message says what is expected."""


def error_of(validator: Callable[..., Any], *args: Any) -> str | None:
    """Run a validator; return its message, or None when the value is good."""
    try:
        validator(*args)
    except FieldError as exc:
        return str(exc)
    return None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # YAML yes/no: never a number or a name
        return str(value).lower()
    return str(value).strip()


def _show(value: object) -> str:
    """Quote what the user gave, shortened, for messages (never used for secrets)."""
    shown = repr(_text(value)) if not isinstance(value, int | float) else str(value)
    return shown if len(shown) <= 40 else shown[:37] + "...'"


# --- controller settings -------------------------------------------------------------------


def port(value: object) -> int:
    text = _text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif text.isascii() and text.isdigit() and len(text) <= 6:  # int() of huge text raises
        number = int(text)
    else:
        raise FieldError(
            _("{value} is not a port: expected a number from 1 to 65535").format(value=_show(value))
        )
    if not 1 <= number <= 65535:
        raise FieldError(
            _("{number} is out of range: a port is a number from 1 to 65535").format(number=number)
        )
    return number


http_port = port


def cluster_size(value: object) -> int:
    text = _text(value)
    allowed = ", ".join(str(n) for n in CLUSTER_SIZES)
    if not (text.isascii() and text.isdigit() and len(text) <= 2) or int(text) not in CLUSTER_SIZES:
        raise FieldError(
            _("{value} is not a cluster size: expected one of {allowed}").format(
                value=_show(value), allowed=allowed
            )
        )
    return int(text)


def yes_no(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in {"yes", "y", "true", "on", "1"}:
        return True
    if text in {"no", "n", "false", "off", "0"}:
        return False
    raise FieldError(_("{value} is not yes or no").format(value=_show(value)))


def role(value: object) -> Role:
    text = _text(value).lower()
    try:
        return Role(text)
    except ValueError:
        raise FieldError(
            _("{value} is not a role: expected controller or agent").format(value=_show(value))
        ) from None


# --- agent settings --------------------------------------------------------------------------

_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)\Z")  # \Z: "$" would let a "\n" through
HOSTNAME_MAX = 253  # RFC 1123 (the wizard's field takes no more)
PASSWORD_MAX = 256  # crypt(3) hashing stays bounded (the wizard's field takes no more)


def _host_problem(name: str) -> str | None:
    """Why `name` is not an RFC 1123 host name, or None when it is one."""
    if not name:
        return _("it is empty")
    if len(name) > HOSTNAME_MAX:
        return _("it is {count} characters long; at most 253 are allowed").format(count=len(name))
    for label in name.split("."):
        if not label:
            return _("it has an empty label (two dots in a row, or a dot at an end)")
        if "_" in label:
            return _("'_' is not allowed in host names (RFC 1123): use '-' instead, e.g. node-1")
        if label.lower() != label and _DNS_LABEL.match(label.lower()):
            return _("upper-case letters are not allowed: use lower case")
        if len(label) > 63:
            return _("the label '{start}...' is {count} characters; at most 63 are allowed").format(
                start=label[:20], count=len(label)
            )
        if label.startswith("-") or label.endswith("-"):
            return _("the label {label} starts or ends with '-'").format(label=repr(label))
        if not _DNS_LABEL.match(label):
            bad = sorted({c for c in label if not (c.isascii() and (c.isalnum() or c == "-"))})
            shown = " ".join(repr(c) for c in bad) or "characters"
            return _("{shown} not allowed: only a-z, 0-9 and '-'").format(shown=shown)
    return None


def controller_list(value: object) -> list[ControllerAddress]:
    """`host:port[,host:port...]` (or a YAML list), the current primary controller first."""
    items: Iterable[object] = value if isinstance(value, list | tuple) else _text(value).split(",")
    expected = _(
        "expected host:port items separated by ',', primary first, e.g. 192.168.122.170:80"
    )
    result: list[ControllerAddress] = []
    seen: set[ControllerAddress] = set()  # a list's `in` made a long paste quadratic
    entries = [_text(item) for item in items]
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
            problem = _host_problem(host)
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
    text = _text(value)
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
    text = _text(value).lower()
    try:
        return NetworkModel(text)
    except ValueError:
        raise FieldError(
            _("{value} is not a network model: expected bridge or ipvlan").format(
                value=_show(value)
            )
        ) from None


def optional_ipv4(value: object) -> ipaddress.IPv4Address | None:
    """COS_CUSTOM_DOCKERGW / COS_CUSTOM_DOCKERDNS: empty (the default) or one IPv4 address."""
    text = _text(value)
    if not text:
        return None
    return ipv4(text)


# --- system ----------------------------------------------------------------------------------


def hostname(value: object) -> str:
    text = _text(value)
    problem = _host_problem(text)
    if problem:
        raise FieldError(
            _("{value} is not a valid host name: {problem}").format(
                value=_show(value), problem=problem
            )
        )
    return text


def password(value: object) -> str:
    """The plain password: non-empty. Never echoed back in a message."""
    if not isinstance(value, str) or value == "":
        raise FieldError(_("the password of the cos account cannot be empty"))
    if "\n" in value or "\r" in value:
        raise FieldError(_("the password cannot contain a line break"))
    if "\x00" in value or len(value) > PASSWORD_MAX:  # crypt(3) stops at NUL; bounded hashing
        raise FieldError(_("the password cannot contain a NUL character or exceed 256 characters"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise FieldError(_("the password contains characters that cannot be encoded")) from None
    return value


def password_confirmation(first: str, again: str) -> str:
    password(first)
    if first != again:
        raise FieldError(_("the two passwords differ: type the same password twice"))
    return first


_CRYPT_SHA512 = re.compile(r"^\$6\$(rounds=\d{4,9}\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}\Z")


def password_hash(value: object) -> str:
    text = _text(value)
    if not _CRYPT_SHA512.match(text):
        raise FieldError(_("not a SHA-512 crypt hash: expected '$6$<salt>$<86 characters>'"))
    return text


# --- network ---------------------------------------------------------------------------------


def interface_name(value: object) -> str:
    """Kernel rules (at most 15 characters, no '/', ':' or white space), printable ASCII only,
    and nothing networkd's [Match] Name= reads as a pattern (globs, white space between several
    names, a leading '!' negation): it would configure other NICs than the one chosen."""
    text = _text(value)
    if (
        not text
        or len(text) > 15
        or text in {".", ".."}
        or text.startswith("!")
        or not all(c.isascii() and c.isprintable() and c not in "/: *?[]\\\"'" for c in text)
    ):
        raise FieldError(
            _("{value} is not a network interface name (e.g. eth0, ens3)").format(
                value=_show(value)
            )
        )
    return text


def mac_address(value: object) -> str:
    """The chosen NIC's MAC (optional), so the networkd file also matches on it."""
    text = _text(value).lower()
    if not re.fullmatch(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}", text):
        raise FieldError(
            _("{value} is not a MAC address: expected six hex pairs like 52:54:00:12:34:56").format(
                value=_show(value)
            )
        )
    return text


def ipv4(value: object) -> ipaddress.IPv4Address:
    text = _text(value)
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        raise FieldError(
            _(
                "{value} is not an IPv4 address: expected four numbers 0-255 like 192.168.1.2"
            ).format(value=_show(value))
        ) from None


def address(value: object) -> ipaddress.IPv4Interface:
    """IP/Mask in CIDR form, e.g. 192.168.159.129/24."""
    text = _text(value)
    expected = _("expected an address with its prefix in CIDR form, e.g. 192.168.159.129/24")
    if "/" not in text:
        raise FieldError(
            _("{value} has no prefix: {expected}").format(value=_show(value), expected=expected)
        )
    try:
        iface = ipaddress.IPv4Interface(text)
    except ValueError:
        raise FieldError(
            _("{value} is not valid: {expected}").format(value=_show(value), expected=expected)
        ) from None
    net = iface.network
    if net.prefixlen == 32:
        raise FieldError(
            _("{text}: a /32 leaves no room for a gateway: {expected}").format(
                text=text, expected=expected
            )
        )
    if net.prefixlen < 31 and iface.ip in (net.network_address, net.broadcast_address):
        which = _("network") if iface.ip == net.network_address else _("broadcast")
        raise FieldError(
            _("{text} is the {which} address of {net}: choose a host address").format(
                text=text, which=which, net=net
            )
        )
    if iface.ip.is_loopback or iface.ip.is_multicast or iface.ip.is_unspecified:
        raise FieldError(
            _("{text} is not a usable host address: {expected}").format(
                text=text, expected=expected
            )
        )
    return iface


def gateway(value: object, addr: ipaddress.IPv4Interface) -> ipaddress.IPv4Address:
    """An address inside the NIC's network other than the NIC's own (a /31 is legal)."""
    gw = ipv4(value)
    net = addr.network
    if gw not in net:
        raise FieldError(
            _("{gw} is not inside {net}: the gateway must be on the NIC's network").format(
                gw=gw, net=net
            )
        )
    if gw == addr.ip:
        raise FieldError(
            _("{gw} is this machine's own address: the gateway is another host").format(gw=gw)
        )
    if net.prefixlen < 31 and gw in (net.network_address, net.broadcast_address):
        raise FieldError(
            _("{gw} is the network or broadcast address of {net}").format(gw=gw, net=net)
        )
    return gw


def dns_servers(value: object) -> list[ipaddress.IPv4Address]:
    """One or more IPv4 addresses separated by ',' or spaces (or a YAML list)."""
    if isinstance(value, list | tuple):
        items = [_text(v) for v in value]
    else:
        items = re.split(r"[,\s]+", _text(value))
    items = [i for i in items if i]
    if not items:
        raise FieldError(
            _("no DNS server given: expected one or more IPv4 addresses, e.g. 10.0.0.2")
        )
    servers = []
    for item in items:
        servers.append(ipv4(item))
    return servers


def ipvlan_note(addr: ipaddress.IPv4Interface) -> str:
    """The guide's rule for Ipvlan agents, shown next to the address (a note, not an error)."""
    nxt = addr.ip + 2
    return _(
        "Ipvlan: agents' addresses must not be consecutive; after {ip} the next agent "
        "takes {next}, not {adjacent}"
    ).format(ip=addr.ip, next=nxt, adjacent=addr.ip + 1)


# --- disks -----------------------------------------------------------------------------------


def disk_path(value: object) -> str:
    """A whole disk by its path. What exists there must be a block device: an answers file, a
    fleet file and the wizard never name an image file (only `install --target FILE` does),
    so a database file named by mistake is never erased."""
    text = _text(value)
    if not text.startswith("/") or not all(c.isprintable() and not c.isspace() for c in text):
        raise FieldError(
            _("{value} is not a device path: expected e.g. /dev/sda").format(value=_show(value))
        )
    try:
        mode = os.stat(text).st_mode
    except (OSError, ValueError):  # absent here (a profile, another machine): checked at install
        return text
    if not stat.S_ISBLK(mode):
        kind = _("a regular file") if stat.S_ISREG(mode) else _("a special file")
        if stat.S_ISDIR(mode):
            kind = _("a directory")
        raise FieldError(
            _(
                "{value} is {kind}, not a block device: expected a whole disk such as /dev/sda "
                "(an image file is named only with install --target FILE)"
            ).format(value=_show(value), kind=kind)
        )
    return text


def data_disk(value: object, os_disk: str) -> str | None:
    text = _text(value)
    if not text:
        return None
    path = disk_path(text)
    if path == os_disk:
        raise FieldError(
            _("{path} is already the OS disk: choose another disk for Docker data").format(
                path=path
            )
        )
    return path

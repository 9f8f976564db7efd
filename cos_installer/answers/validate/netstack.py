"""The network stack's fields: the NIC or bond members, the bond's options, the VLAN, the MTU
and IPv6. One validator per field (the wizard calls them one by one); `stack_problems` holds
the rules between fields, the only place they live."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

from cos_installer.answers.model import (
    BOND_MODES,
    BOND_NAME,
    LACP_RATES,
    MTU_BYTES,
    VLAN_IDS,
    Ipv6Mode,
)
from cos_installer.answers.validate.base import FieldError, as_text, quoted
from cos_installer.answers.validate.network import interface_name
from cos_installer.i18n import _

PRIMARY_MODES = ("active-backup", "balance-tlb", "balance-alb")  # the kernel's primary= modes
MIIMON_MS = (1, 60000)


def _number(value: object, low: int, high: int, expected: str) -> int:
    """A whole number from `low` to `high` (YAML's int or its text), else FieldError."""
    text = as_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif text.isascii() and text.isdigit() and len(text) <= 6:
        number = int(text)
    else:
        raise FieldError(
            _("{value} is not a number: {expected}").format(value=quoted(value), expected=expected)
        )
    if not low <= number <= high:
        raise FieldError(
            _("{number} is out of range: {expected}").format(number=number, expected=expected)
        )
    return number


def interface_list(value: object) -> list[str]:
    """One NIC name, or several (a YAML list, or names separated by ',') for a bond; each
    named once. Not white space: `eth 0` is a typo, not a bond of `eth` and `0`. The bond's
    and the VLAN's names (bond0, vlanN) are the installer's, not NICs'."""
    items = value if isinstance(value, list | tuple) else as_text(value).split(",")
    names = [as_text(item) for item in items]
    if not any(names):
        raise FieldError(
            _(
                "no NIC given: expected a NIC name such as eth0, or several for a bond such as "
                "[eth0, eth1]"
            )
        )
    result: list[str] = []
    for position, name in enumerate(names, start=1):
        try:
            name = interface_name(name)
        except FieldError as exc:
            if len(names) == 1:
                raise
            raise FieldError(
                _("item {position}: {exc}").format(position=position, exc=exc)
            ) from None
        if name == BOND_NAME or re.fullmatch(r"vlan[0-9]+", name):
            raise FieldError(
                _(
                    "{value} is the name the installer gives the bond or the VLAN: name the NICs "
                    "themselves, e.g. eth0"
                ).format(value=quoted(name))
            )
        if name in result:
            raise FieldError(
                _("{value} is named twice: each NIC joins the bond once").format(value=quoted(name))
            )
        result.append(name)
    return result


def bond_mode(value: object) -> str:
    text = as_text(value).lower()
    if text not in BOND_MODES:
        raise FieldError(
            _("{value} is not a bond mode: expected one of {modes}").format(
                value=quoted(value), modes=", ".join(BOND_MODES)
            )
        )
    return text


def miimon(value: object) -> int:
    """How often (milliseconds) the bond checks its members' links."""
    return _number(value, *MIIMON_MS, _("expected milliseconds from 1 to 60000, e.g. 100"))


def lacp_rate(value: object) -> str:
    text = as_text(value).lower()
    if text not in LACP_RATES:
        raise FieldError(
            _("{value} is not an LACP rate: expected slow or fast").format(value=quoted(value))
        )
    return text


def bond_primary(value: object, members: Sequence[str]) -> str:
    """The member preferred while it has a link: one of the bond's NICs."""
    text = as_text(value)
    if text not in members:
        raise FieldError(
            _("{value} is not a member of the bond: expected one of {members}").format(
                value=quoted(value), members=", ".join(members) or "?"
            )
        )
    return text


def vlan_id(value: object) -> int:
    return _number(value, *VLAN_IDS, _("a VLAN ID is a number from 1 to 4094"))


def mtu(value: object) -> int:
    return _number(value, *MTU_BYTES, _("an MTU is a number of bytes from 576 to 9216, e.g. 9000"))


def ipv6_mode(value: object) -> Ipv6Mode:
    if value is False:  # YAML reads an unquoted `off` as false
        return Ipv6Mode.OFF
    text = as_text(value).lower() if not isinstance(value, bool) else repr(value)
    try:
        return Ipv6Mode(text)
    except ValueError:
        raise FieldError(
            _("{value} is not an IPv6 mode: expected off, slaac, dhcp or static").format(
                value=quoted(value)
            )
        ) from None


def ipv6(value: object) -> ipaddress.IPv6Address:
    text = as_text(value)
    try:
        return ipaddress.IPv6Address(text)
    except ValueError:
        raise FieldError(
            _(
                "{value} is not an IPv6 address: expected hex groups separated by ':' like "
                "2001:db8::1"
            ).format(value=quoted(value))
        ) from None


def address6(value: object) -> ipaddress.IPv6Interface:
    """A global or unique-local IPv6 address with its prefix, e.g. 2001:db8:122::101/64."""
    text = as_text(value)
    expected = _("expected an IPv6 address with its prefix, e.g. 2001:db8:122::101/64")
    try:
        iface = ipaddress.IPv6Interface(text)
    except ValueError:
        iface = None
    if iface is None:
        msg = _("{value} is not valid: {expected}")
        raise FieldError(msg.format(value=quoted(value), expected=expected))
    if "/" not in text:
        msg = _("{value} has no prefix: {expected}")
        raise FieldError(msg.format(value=quoted(value), expected=expected))
    ip = iface.ip
    if (
        ip.is_link_local
        or ip.is_multicast
        or ip.is_loopback
        or ip.is_unspecified
        or (ip.ipv4_mapped is not None)
    ):
        raise FieldError(
            _(
                "{value} is not a host address this machine can be given (link-local, multicast, "
                "loopback or IPv4-mapped): {expected}"
            ).format(value=quoted(value), expected=expected)
        )
    if iface.network.prefixlen < 127 and ip == iface.network.network_address:
        raise FieldError(
            _("{value} is the subnet-router address of {net}: choose a host address").format(
                value=quoted(value), net=iface.network
            )
        )
    return iface


def gateway6(value: object, addr6: ipaddress.IPv6Interface | None) -> ipaddress.IPv6Address:
    """A link-local router address (fe80::1, any link), or one inside address6's prefix."""
    gw = ipv6(value)
    if gw.is_multicast or gw.is_loopback or gw.is_unspecified:
        raise FieldError(_("{gw} cannot be a gateway: expected a router's address").format(gw=gw))
    if gw.is_link_local or addr6 is None:
        return gw
    if gw not in addr6.network:
        raise FieldError(
            _(
                "{gw} is not inside {net}: the IPv6 gateway is in address6's prefix, or a "
                "link-local address such as fe80::1"
            ).format(gw=gw, net=addr6.network)
        )
    if gw == addr6.ip:
        raise FieldError(
            _("{gw} is this machine's own address: the gateway is another host").format(gw=gw)
        )
    return gw

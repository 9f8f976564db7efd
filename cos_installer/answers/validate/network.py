"""The network fields: the interface, its MAC, the address, gateway and DNS servers."""

from __future__ import annotations

import ipaddress
import re

from cos_installer.answers.validate.base import FieldError, as_text, quoted
from cos_installer.i18n import _

# --- network ---------------------------------------------------------------------------------


def interface_name(value: object) -> str:
    """Kernel rules (at most 15 characters, no '/', ':' or white space), printable ASCII only,
    and nothing networkd's [Match] Name= reads as a pattern (globs, white space between several
    names, a leading '!' negation): it would configure other NICs than the one chosen."""
    text = as_text(value)
    if (
        not text
        or len(text) > 15
        or text in {".", ".."}
        or text.startswith("!")
        or not all(c.isascii() and c.isprintable() and c not in "/: *?[]\\\"'" for c in text)
    ):
        raise FieldError(
            _("{value} is not a network interface name (e.g. eth0, ens3)").format(
                value=quoted(value)
            )
        )
    return text


def mac_address(value: object) -> str:
    """The chosen NIC's MAC (optional), so the networkd file also matches on it."""
    text = as_text(value).lower()
    if not re.fullmatch(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}", text):
        raise FieldError(
            _("{value} is not a MAC address: expected six hex pairs like 52:54:00:12:34:56").format(
                value=quoted(value)
            )
        )
    return text


def ipv4(value: object) -> ipaddress.IPv4Address:
    text = as_text(value)
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        raise FieldError(
            _(
                "{value} is not an IPv4 address: expected four numbers 0-255 like 192.168.1.2"
            ).format(value=quoted(value))
        ) from None


def address(value: object) -> ipaddress.IPv4Interface:
    """IP/Mask in CIDR form, e.g. 192.168.159.129/24."""
    text = as_text(value)
    expected = _("expected an address with its prefix in CIDR form, e.g. 192.168.159.129/24")
    if "/" not in text:
        raise FieldError(
            _("{value} has no prefix: {expected}").format(value=quoted(value), expected=expected)
        )
    try:
        iface = ipaddress.IPv4Interface(text)
    except ValueError:
        raise FieldError(
            _("{value} is not valid: {expected}").format(value=quoted(value), expected=expected)
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


def ip_address(value: object) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """One IPv4 or IPv6 address (a DNS server may be either)."""
    text = as_text(value)
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        raise FieldError(
            _(
                "{value} is not an IP address: expected IPv4 like 192.168.1.2 or IPv6 like "
                "2001:db8::53"
            ).format(value=quoted(value))
        ) from None


def dns_servers(value: object) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """One or more IPv4 or IPv6 addresses separated by ',' or spaces (or a YAML list)."""
    if isinstance(value, list | tuple):
        items = [as_text(v) for v in value]
    else:
        items = re.split(r"[,\s]+", as_text(value))
    items = [i for i in items if i]
    if not items:
        raise FieldError(_("no DNS server given: expected one or more IP addresses, e.g. 10.0.0.2"))
    servers: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for item in items:
        servers.append(ip_address(item))
    return servers


def ipvlan_note(addr: ipaddress.IPv4Interface) -> str:
    """The guide's rule for Ipvlan agents, shown next to the address (a note, not an error)."""
    nxt = addr.ip + 2
    return _(
        "Ipvlan: agents' addresses must not be consecutive; after {ip} the next agent "
        "takes {next}, not {adjacent}"
    ).format(ip=addr.ip, next=nxt, adjacent=addr.ip + 1)

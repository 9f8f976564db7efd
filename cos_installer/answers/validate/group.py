"""The fields the installer needs to finish the cluster itself: the HA group's three addresses
(guide 3.1.2.2, the primary first) and the containers' IP pool (guide 3.4, in the hosts' mask).

Both are checked against this machine's address (the network it is in, its own address, its
gateway); `pool_conflicts` is also what a fleet check uses against every host it knows.
"""

from __future__ import annotations

import bisect
import ipaddress

from cos_installer.answers.model import HA_GROUP_SIZE, IpRange
from cos_installer.answers.validate.base import FieldError, as_text, quoted
from cos_installer.answers.validate.network import ipv4
from cos_installer.i18n import _


class GroupError(FieldError):
    """A problem with the HA group; `member` is the 0-based place it is about (the wizard shows
    the message under that address), None when it is about the group as a whole."""

    def __init__(self, message: str, member: int | None = None) -> None:
        super().__init__(message)
        self.member = member


def ha_group(value: object, addr: ipaddress.IPv4Interface | None) -> list[ipaddress.IPv4Address]:
    """Exactly three distinct IPv4 addresses in this machine's network, this machine among
    them; the first becomes rs0's primary."""
    items = value if isinstance(value, list | tuple) else as_text(value).replace(",", " ").split()
    if len(items) != HA_GROUP_SIZE:
        raise GroupError(
            _(
                "{value}: expected exactly 3 controller addresses, the primary first, "
                "e.g. [192.168.122.170, 192.168.122.171, 192.168.122.172]"
            ).format(value=quoted(", ".join(as_text(i) for i in items)))
        )
    group = []
    for n, item in enumerate(items):
        try:
            group.append(ipv4(item))
        except FieldError as exc:
            raise GroupError(str(exc), n) from None
    twice = next((n for n, ip in enumerate(group) if ip in group[:n]), None)
    if twice is not None:
        raise GroupError(
            _("{value}: an address appears twice: the 3 controllers have 3 addresses").format(
                value=quoted(", ".join(str(g) for g in group))
            ),
            twice,
        )
    if addr is None:
        raise GroupError(
            _("an HA group needs this machine's static address (network.address), not DHCP")
        )
    outside = [n for n, g in enumerate(group) if g not in addr.network]
    if outside:
        raise GroupError(
            _("{value} is not inside {net}: the group is in this machine's network").format(
                value=", ".join(str(group[n]) for n in outside), net=addr.network
            ),
            outside[0],
        )
    if addr.ip not in group:
        raise GroupError(
            _(
                "this machine's address {ip} is not in the group {value}: put it in its place"
            ).format(ip=addr.ip, value=", ".join(str(g) for g in group))
        )
    return group


def _end(value: object, which: str, prefix: int | None) -> ipaddress.IPv4Interface:
    text = as_text(value)
    ip = ipv4(text.partition("/")[0])
    if "/" in text:
        given = text.partition("/")[2]
        if not (given.isascii() and given.isdigit()) or (
            prefix is not None and int(given) != prefix
        ):
            raise FieldError(
                _("{which} {value}: the pool's mask must be the hosts' mask /{prefix}").format(
                    which=which, value=quoted(value), prefix=prefix if prefix is not None else "?"
                )
            )
        prefix = int(given)
    if prefix is None:
        raise FieldError(
            _("{which} {value}: give the hosts' mask, e.g. 192.168.122.200/24").format(
                which=which, value=quoted(value)
            )
        )
    return ipaddress.IPv4Interface(f"{ip}/{prefix}")


def _range_text(text: str) -> dict | str:
    """'192.168.122.200-192.168.122.250' as {start, end}; anything else as given."""
    low, sep, high = text.partition("-")
    return {"start": low, "end": high} if sep and low and high else text


def ip_pool(value: object, addr: ipaddress.IPv4Interface | None,
            gateway: ipaddress.IPv4Address | None = None) -> list[IpRange]:  # fmt: skip
    """One or more {start, end} ranges in the hosts' mask, start <= end, inside the hosts'
    network, not overlapping each other, this machine's address or its gateway."""
    if isinstance(value, str):  # the wizard's and --ip-pool's form: START-END[, START-END]
        value = [_range_text(part) for part in value.replace(",", " ").split()]
    items = value if isinstance(value, list | tuple) else [value]
    prefix = addr.network.prefixlen if addr is not None else None
    ranges: list[IpRange] = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or set(item) != {"start", "end"}:
            raise FieldError(
                _(
                    "range {n}: {value}: expected {{start: 192.168.122.200, end: "
                    "192.168.122.250}} or 192.168.122.200-192.168.122.250"
                ).format(n=n, value=quoted(item))
            )
        start = _end(item["start"], "start", prefix)
        end = _end(item["end"], "end", start.network.prefixlen)
        net = addr.network if addr is not None else start.network
        for point in (start, end):
            if point.ip not in net or point.ip in (net.network_address, net.broadcast_address):
                raise FieldError(
                    _(
                        "range {n}: {ip} is not a host address inside {net}: the containers "
                        "must reach the hosts"
                    ).format(n=n, ip=point.ip, net=net)  # fmt: skip
                )
        if start.ip > end.ip:
            raise FieldError(
                _("range {n}: start {start} is after end {end}").format(
                    n=n, start=start.ip, end=end.ip
                )
            )
        ranges.append(IpRange(start, end))
    taken = sorted(a for a in (addr.ip if addr else None, gateway) if a is not None)
    problem = pool_conflicts(ranges, taken)
    if problem:
        raise FieldError(problem)
    return ranges


def pool_conflicts(ranges: list[IpRange], taken: list[ipaddress.IPv4Address]) -> str | None:
    """The first overlap of the ranges with each other or with an address in use (`taken`,
    sorted: a fleet's check passes its 10,000 addresses once for every agent)."""
    spans = sorted(ranges, key=lambda r: (r.start.ip, r.end.ip))
    for low, high in zip(spans, spans[1:], strict=False):
        if high.start.ip <= low.end.ip:
            return _("ranges {a} and {b} overlap: give each address once").format(a=low, b=high)
    for r in ranges:  # the first taken address at or after the range's start
        at = bisect.bisect_left(taken, r.start.ip)
        if at < len(taken) and taken[at] <= r.end.ip:
            return _(
                "range {range} contains {ip}, a host's address or gateway: containers "
                "would take it; leave it out of the pool"
            ).format(range=r, ip=taken[at])
    return None

"""IPv6 router advertisements seen on a link, to pre-fill the IPv6 part of the address screen.

A raw ICMPv6 socket bound to the interface, filtered to type 134, listens for a bounded time
after sending one router solicitation (routers answer it at once instead of at their next
periodic advertisement, which may be minutes away). Python's socket module does this without
a new package in the live system (ndisc6's `rdisc6` would add one and print text to parse).
An advertisement counts only with hop limit 255 from a link-local source (RFC 4861 6.1.2):
anything else was forwarded and is not from this link's router.
"""

from __future__ import annotations

import contextlib
import ipaddress
import select
import socket
import struct
import time
from dataclasses import dataclass

ICMP6_FILTER = 1  # <netinet/icmp6.h>, not exported by Python's socket module
IPV6_RECVHOPLIMIT = getattr(socket, "IPV6_RECVHOPLIMIT", 51)
IPV6_HOPLIMIT = getattr(socket, "IPV6_HOPLIMIT", 52)
SO_BINDTODEVICE = getattr(socket, "SO_BINDTODEVICE", 25)
ROUTER_SOLICITATION, ROUTER_ADVERTISEMENT = 133, 134
ALL_ROUTERS = "ff02::2"


@dataclass(frozen=True)
class Prefix:
    network: ipaddress.IPv6Network
    autonomous: bool  # the A flag: hosts may form addresses from it (SLAAC)
    on_link: bool


@dataclass(frozen=True)
class RouterAdvert:
    router: ipaddress.IPv6Address  # the link-local source: a usable gateway6
    lifetime: int  # seconds as default router; 0: not a default router
    managed: bool  # M flag: addresses from DHCPv6
    other: bool  # O flag: other settings (DNS) from DHCPv6
    prefixes: tuple[Prefix, ...] = ()
    dns: tuple[ipaddress.IPv6Address, ...] = ()
    mtu: int | None = None

    def suggestion(self) -> str:
        """The ipv6 mode this link suggests: dhcp (M flag), slaac (an autonomous /64), else
        static (a prefix known, the host part to be typed)."""
        if self.managed:
            return "dhcp"
        if any(p.autonomous and p.network.prefixlen == 64 for p in self.prefixes):
            return "slaac"
        return "static"

    def facts(self, interface: str) -> list[str]:
        """One line per thing seen, as the probe prints them."""
        lines = [f"IPv6 router advertisement on {interface} from {self.router}"]
        if self.lifetime:
            lines.append(f"IPv6 default router {self.router} (lifetime {self.lifetime} s)")
        for p in self.prefixes:
            how = "SLAAC allowed" if p.autonomous else "no SLAAC"
            lines.append(f"IPv6 prefix {p.network} ({how})")
        if self.managed or self.other:
            what = "addresses" if self.managed else "other settings"
            lines.append(f"IPv6 {what} from DHCPv6 (flags{' M' * self.managed}{' O' * self.other})")
        lines += [f"IPv6 DNS server {d}" for d in self.dns]
        if self.mtu:
            lines.append(f"IPv6 link MTU {self.mtu}")
        lines.append(f"IPv6 suggestion: {self.suggestion()}")
        return lines


def parse_ra(data: bytes, source: str) -> RouterAdvert | None:
    """A router advertisement's ICMPv6 message (no IPv6 header); None when it is not one."""
    if len(data) < 16 or data[0] != ROUTER_ADVERTISEMENT or data[1] != 0:
        return None
    flags, lifetime = data[5], struct.unpack("!H", data[6:8])[0]
    prefixes, dns, mtu = [], [], None
    offset = 16
    while offset + 2 <= len(data):
        kind, units = data[offset], data[offset + 1]
        if units == 0:
            return None  # RFC 4861 4.6: a zero length option invalidates the packet
        option = data[offset : offset + units * 8]
        if len(option) < units * 8:
            return None
        if kind == 3 and units == 4:  # prefix information
            network = ipaddress.IPv6Network((option[16:32], option[2]), strict=False)
            prefixes.append(Prefix(network, bool(option[3] & 0x40), bool(option[3] & 0x80)))
        elif kind == 25 and units >= 3:  # recursive DNS servers (RFC 8106)
            dns += [ipaddress.IPv6Address(option[i : i + 16]) for i in range(8, units * 8, 16)]
        elif kind == 5 and units == 1:  # MTU
            mtu = struct.unpack("!I", option[4:8])[0]
        offset += units * 8
    return RouterAdvert(
        router=ipaddress.IPv6Address(source.split("%")[0]),
        lifetime=lifetime,
        managed=bool(flags & 0x80),
        other=bool(flags & 0x40),
        prefixes=tuple(prefixes),
        dns=tuple(dns),
        mtu=mtu,
    )


def _socket(interface: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, interface.encode())
        blocked = [0xFF] * 32  # a set bit blocks that ICMPv6 type
        blocked[ROUTER_ADVERTISEMENT >> 3] &= ~(1 << (ROUTER_ADVERTISEMENT & 7)) & 0xFF
        sock.setsockopt(socket.IPPROTO_ICMPV6, ICMP6_FILTER, bytes(blocked))
        sock.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
        sock.setsockopt(
            socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, socket.if_nametoindex(interface)
        )
    except OSError:
        sock.close()
        raise
    return sock


def _hop_limit(ancillary: list) -> int | None:
    for level, kind, value in ancillary:
        if level == socket.IPPROTO_IPV6 and kind == IPV6_HOPLIMIT and len(value) >= 4:
            return struct.unpack("=i", value[:4])[0]
    return None


def solicit(sock: socket.socket, interface: str) -> None:
    """One router solicitation to all routers; a link without an IPv6 address yet refuses it
    (the routers' periodic advertisements are still heard)."""
    packet = bytes([ROUTER_SOLICITATION, 0, 0, 0, 0, 0, 0, 0])  # the kernel fills the checksum
    with contextlib.suppress(OSError):
        sock.sendto(packet, (ALL_ROUTERS, 0, 0, socket.if_nametoindex(interface)))


def listen(interface: str, timeout: float = 4.0) -> tuple[RouterAdvert | None, str]:
    """The first valid router advertisement on the interface within `timeout` seconds, or
    (None, why not)."""
    try:
        sock = _socket(interface)
    except OSError as error:
        return None, f"cannot listen for IPv6 router advertisements on {interface}: {error}"
    deadline = time.monotonic() + timeout
    solicited_again = False
    with sock:
        solicit(sock, interface)
        while (left := deadline - time.monotonic()) > 0:
            if not solicited_again and left < timeout / 2:
                solicit(sock, interface)  # the first went out before the link-local address
                solicited_again = True
            ready, _, _ = select.select([sock], [], [], min(left, 0.5))
            if not ready:
                continue
            data, ancillary, _, address = sock.recvmsg(65535, socket.CMSG_SPACE(4))
            source = ipaddress.IPv6Address(address[0].split("%")[0])
            if _hop_limit(ancillary) != 255 or not source.is_link_local:
                continue
            ra = parse_ra(data, address[0])
            if ra is not None:
                return ra, ""
    return None, f"no IPv6 router advertisement on {interface} in {timeout:g} s"

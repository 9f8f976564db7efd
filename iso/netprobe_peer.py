#!/usr/bin/env python3
"""The switch side for e2e (p), run INSIDE the live system (python3 only, nothing to install):
a DHCPv4 server and an IPv6 router advertiser on one interface (the VLAN interface of a bridge
over the bond members' peers). The live ISO has no dnsmasq; this answers DISCOVER and REQUEST
with one fixed pool and sends an RA with one SLAAC prefix every second.

Usage: netprobe_peer.py IFACE SERVER_IP PREFIX6   (e.g. br0.100 10.100.0.1 2001:db8:100::)
"""

from __future__ import annotations

import ipaddress
import select
import socket
import struct
import sys
import time

SO_BINDTODEVICE = 25


def dhcp_socket(iface: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, iface.encode())
    sock.bind(("", 67))
    return sock


def options(data: bytes) -> dict[int, bytes]:
    found, i = {}, 240
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        found[data[i]] = data[i + 2 : i + 2 + data[i + 1]]
        i += 2 + data[i + 1]
    return found


def reply(data: bytes, server: str, leases: dict[bytes, str]) -> bytes | None:
    """OFFER for a DISCOVER, ACK for a REQUEST; None for anything else."""
    if len(data) < 240 or data[0] != 1 or data[236:240] != b"\x63\x82\x53\x63":
        return None
    kind = options(data).get(53, b"\0")[0]
    if kind not in (1, 3):
        return None
    mac = data[28:34]
    net = ipaddress.IPv4Interface(f"{server}/24").network
    leases.setdefault(mac, str(net.network_address + 50 + len(leases)))
    srv = socket.inet_aton(server)
    head = bytes([2, 1, 6, 0]) + data[4:8] + b"\0\0" + data[10:12] + b"\0" * 4
    head += socket.inet_aton(leases[mac]) + srv + b"\0" * 4 + data[28:236]
    opts = bytes([53, 1, 2 if kind == 1 else 5, 54, 4]) + srv
    opts += bytes([51, 4]) + struct.pack("!I", 3600) + bytes([1, 4, 255, 255, 255, 0])
    opts += bytes([3, 4]) + srv + bytes([6, 4]) + srv + b"\xff"
    return head + b"\x63\x82\x53\x63" + opts


def ra_socket(iface: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, iface.encode())
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, socket.if_nametoindex(iface))
    return sock


def advert(prefix: str) -> bytes:
    """RA: hop limit 64, no M/O flags, router lifetime 1800 s, one on-link autonomous /64."""
    head = bytes([134, 0, 0, 0, 64, 0]) + struct.pack("!HII", 1800, 0, 0)
    pio = bytes([3, 4, 64, 0xC0]) + struct.pack("!III", 86400, 14400, 0)
    return head + pio + ipaddress.IPv6Address(prefix).packed


def main() -> int:
    iface, server, prefix = sys.argv[1:4]
    dhcp, ra, leases = dhcp_socket(iface), ra_socket(iface), {}
    index = socket.if_nametoindex(iface)
    print(f"netprobe-peer: DHCP and RA on {iface}", flush=True)
    next_ra = 0.0
    while True:
        if time.monotonic() >= next_ra:
            try:
                ra.sendto(advert(prefix), ("ff02::1", 0, 0, index))
            except OSError as error:  # no link-local address yet (DAD)
                print(f"netprobe-peer: RA not sent: {error}", flush=True)
            next_ra = time.monotonic() + 1.0
        ready, _, _ = select.select([dhcp], [], [], 0.3)
        if ready:
            data, _ = dhcp.recvfrom(2048)
            answer = reply(data, server, leases)
            if answer:
                dhcp.sendto(answer, ("255.255.255.255", 68))
                print(f"netprobe-peer: DHCP {'ACK' if answer[242] == 5 else 'OFFER'} "
                      f"{socket.inet_ntoa(answer[16:20])}", flush=True)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())

"""A peer machine on VLAN 100 for e2e (h), in user space on the host (its kernel has no 8021q).

QEMU joins the guest's NICs in a hub whose uplink is a UDP socket netdev; each datagram is one
Ethernet frame. The peer answers only frames tagged with its VLAN: ARP and ICMP echo for its
IPv4 address, neighbour solicitation and ICMPv6 echo for its IPv6 address, as any host on
that VLAN would, and, given a `lease`, DHCPv4 (offer and ack of that one address, the peer as
gateway and DNS) as the VLAN's DHCP server; untagged frames and other VLANs are counted and
ignored. What it saw (the guest MACs, the largest frame, the echoes answered, the leases
acked) is kept for the phase's checks.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import threading
from dataclasses import dataclass, field

TPID = 0x8100


def checksum(data: bytes) -> int:
    data += b"\0" * (len(data) % 2)
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total >> 16) + (total & 0xFFFF)
    return ~total & 0xFFFF


@dataclass
class Seen:
    macs: set[str] = field(default_factory=set)
    biggest: int = 0  # the largest tagged frame, bytes without the FCS
    echo4: int = 0
    echo6: int = 0
    untagged: int = 0
    other_vlan: int = 0
    acked: list[str] = field(default_factory=list)  # the client MACs a lease was acked to


class L2Peer:
    def __init__(self, vlan: int, ip4: str, ip6: str, mac: str = "52:54:00:99:99:01",
                 lease: str | None = None) -> None:  # fmt: skip
        self.vlan, self.mac = vlan, bytes.fromhex(mac.replace(":", ""))
        self.lease = ipaddress.IPv4Interface(lease) if lease else None  # e.g. 10.100.0.50/24
        self.ip4, self.ip6 = ipaddress.IPv4Address(ip4), ipaddress.IPv6Address(ip6)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.qemu: tuple[str, int] | None = None  # where QEMU listens (localaddr)
        self.seen = Seen()
        self._stop = False

    def netdev(self, qemu_port: int) -> str:
        """The QEMU -netdev for the hub's uplink to this peer."""
        self.qemu = ("127.0.0.1", qemu_port)
        return f"socket,id=uplink,udp=127.0.0.1:{self.port},localaddr=127.0.0.1:{qemu_port}"

    def start(self) -> None:
        self.sock.settimeout(0.5)
        threading.Thread(target=self._loop, daemon=True).start()

    def stop(self) -> None:
        self._stop = True

    def _loop(self) -> None:
        while not self._stop:
            try:
                frame = self.sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            out = self.answer(frame)
            if out and self.qemu:
                self.sock.sendto(out, self.qemu)

    def answer(self, frame: bytes) -> bytes | None:
        if len(frame) < 18:
            return None
        src, kind = frame[6:12], struct.unpack("!H", frame[12:14])[0]
        if kind != TPID:
            self.seen.untagged += 1
            return None
        if struct.unpack("!H", frame[14:16])[0] & 0xFFF != self.vlan:
            self.seen.other_vlan += 1
            return None
        self.seen.macs.add(src.hex(":"))
        self.seen.biggest = max(self.seen.biggest, len(frame))
        inner, payload = struct.unpack("!H", frame[16:18])[0], frame[18:]
        reply = None
        if inner == 0x0806:
            reply = self._arp(payload)
        elif inner == 0x0800:
            reply = self._dhcp(payload) or self._icmp4(payload)
        elif inner == 0x86DD:
            reply = self._icmp6(payload)
        if reply is None:
            return None
        ether, body = reply
        tag = struct.pack("!HH", TPID, self.vlan)
        return src + self.mac + tag + struct.pack("!H", ether) + body

    def _arp(self, p: bytes) -> tuple[int, bytes] | None:
        if len(p) < 28 or p[6:8] != b"\0\1" or p[24:28] != self.ip4.packed:
            return None
        return 0x0806, p[:6] + b"\0\2" + self.mac + self.ip4.packed + p[8:14] + p[14:18]

    def _dhcp(self, p: bytes) -> tuple[int, bytes] | None:
        """DISCOVER -> OFFER, REQUEST -> ACK of the one lease, broadcast to port 68."""
        hl = (p[0] & 15) * 4
        if self.lease is None or p[9] != 17 or len(p) < hl + 8 + 240:
            return None
        if struct.unpack("!H", p[hl + 2 : hl + 4])[0] != 67:
            return None
        bootp = p[hl + 8 :]
        if bootp[0] != 1 or bootp[236:240] != b"\x63\x82\x53\x63":
            return None
        options, i = {}, 240
        while i + 1 < len(bootp) and bootp[i] != 255:
            if bootp[i] == 0:
                i += 1
                continue
            options[bootp[i]] = bootp[i + 2 : i + 2 + bootp[i + 1]]
            i += 2 + bootp[i + 1]
        kind = {1: 2, 3: 5}.get((options.get(53) or b"\0")[0])  # DISCOVER->OFFER, REQUEST->ACK
        if kind is None:
            return None
        chaddr = bootp[28:34]
        if kind == 5:
            self.seen.acked.append(chaddr.hex(":"))
        ip4, lease = self.ip4.packed, self.lease
        opts = (bytes([53, 1, kind, 54, 4]) + ip4 + bytes([51, 4]) + struct.pack("!I", 3600)
                + bytes([1, 4]) + lease.network.netmask.packed + bytes([3, 4]) + ip4
                + bytes([6, 4]) + ip4 + bytes([255]))  # fmt: skip
        reply = (bytes([2, 1, 6, 0]) + bootp[4:8] + b"\0\0" + bootp[10:12] + bytes(4)
                 + lease.ip.packed + ip4 + bytes(4) + bootp[28:44] + bytes(192)
                 + b"\x63\x82\x53\x63" + opts)  # fmt: skip
        udp = struct.pack("!HHHH", 67, 68, 8 + len(reply), 0) + reply  # no UDP checksum (IPv4)
        head = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                                     ip4, b"\xff" * 4))  # fmt: skip
        head[10:12] = struct.pack("!H", checksum(bytes(head)))
        return 0x0800, bytes(head) + udp

    def _icmp4(self, p: bytes) -> tuple[int, bytes] | None:
        hl = (p[0] & 15) * 4
        if p[9] != 1 or p[16:20] != self.ip4.packed or p[hl] != 8:
            return None
        self.seen.echo4 += 1
        icmp = b"\0\0\0\0" + p[hl + 4 :]
        icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
        head = bytearray(p[:hl])
        head[12:16], head[16:20], head[8], head[10:12] = p[16:20], p[12:16], 64, b"\0\0"
        head[6:8] = b"\x40\0"  # DF, no fragments
        head[10:12] = struct.pack("!H", checksum(bytes(head)))
        return 0x0800, bytes(head) + icmp

    def _icmp6(self, p: bytes) -> tuple[int, bytes] | None:
        if len(p) < 48 or p[6] != 58:
            return None
        src, dst, icmp = p[8:24], p[24:40], p[40:]
        if icmp[0] == 135 and icmp[8:24] == self.ip6.packed:  # neighbour solicitation
            body = bytes([136, 0, 0, 0, 0x60, 0, 0, 0]) + self.ip6.packed + bytes([2, 1]) + self.mac
            to = src if src != bytes(16) else ipaddress.IPv6Address("ff02::1").packed
        elif icmp[0] == 128 and dst == self.ip6.packed:
            self.seen.echo6 += 1
            body, to = bytes([129, 0, 0, 0]) + icmp[4:], src
        else:
            return None
        pseudo = self.ip6.packed + to + struct.pack("!I3xB", len(body), 58)
        body = body[:2] + struct.pack("!H", checksum(pseudo + body)) + body[4:]
        head = struct.pack("!IHBB", 0x60000000, len(body), 58, 255) + self.ip6.packed + to
        return 0x86DD, head + body

"""The e2e (h) peer answers on its VLAN only, with valid checksums (frames built here; the
phase proves it against the installed system's kernel in QEMU)."""

from __future__ import annotations

import ipaddress
import struct
import subprocess
import sys
from pathlib import Path

ISO = Path(__file__).resolve().parents[2] / "iso"
sys.path.insert(0, str(ISO))
from l2peer import L2Peer, checksum  # noqa: E402

from tests.realparts import need_root  # noqa: E402

GUEST = bytes.fromhex("525400c05e01")
G4, G6 = ipaddress.IPv4Address("10.100.0.101"), ipaddress.IPv6Address("2001:db8:100::101")


def peer() -> L2Peer:
    return L2Peer(100, "10.100.0.1", "2001:db8:100::1")


def frame(ether: int, body: bytes, vlan: int | None = 100) -> bytes:
    tag = struct.pack("!HH", 0x8100, vlan) if vlan is not None else b""
    return b"\xff" * 6 + GUEST + tag + struct.pack("!H", ether) + body


def arp_request(target: str) -> bytes:
    return (b"\0\1\x08\0\6\4\0\1" + GUEST + G4.packed + b"\0" * 6
            + ipaddress.IPv4Address(target).packed)  # fmt: skip


def test_arp_for_its_address_is_answered_tagged():
    out = peer().answer(frame(0x0806, arp_request("10.100.0.1")))
    assert out[:6] == GUEST and out[12:16] == b"\x81\x00\x00\x64" and out[16:18] == b"\x08\x06"
    arp = out[18:]
    assert arp[6:8] == b"\0\2" and arp[14:18] == ipaddress.IPv4Address("10.100.0.1").packed
    assert arp[18:24] == GUEST and arp[24:28] == G4.packed


def test_untagged_and_other_vlans_and_other_addresses_are_ignored():
    p = peer()
    assert p.answer(frame(0x0806, arp_request("10.100.0.1"), vlan=None)) is None
    assert p.answer(frame(0x0806, arp_request("10.100.0.1"), vlan=200)) is None
    assert p.answer(frame(0x0806, arp_request("10.100.0.9"))) is None
    assert (p.seen.untagged, p.seen.other_vlan) == (1, 1)


def test_icmp_echo_reply_has_valid_checksums_and_size():
    data = bytes(range(256)) * 35  # a jumbo payload: 8960 bytes
    icmp = b"\x08\0\0\0\x12\x34\0\1" + data
    icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 1, 0x4000, 64, 1, 0,
                     G4.packed, ipaddress.IPv4Address("10.100.0.1").packed)  # fmt: skip
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    p = peer()
    out = p.answer(frame(0x0800, ip + icmp))
    reply = out[18:]
    assert checksum(reply[:20]) == 0 and checksum(reply[20:]) == 0
    assert reply[16:20] == G4.packed and reply[20] == 0 and reply[28:] == data
    assert p.seen.echo4 == 1 and p.seen.biggest == len(frame(0x0800, ip + icmp))


def icmp6(src: bytes, dst: bytes, body: bytes) -> bytes:
    pseudo = src + dst + struct.pack("!I3xB", len(body), 58)
    body = body[:2] + struct.pack("!H", checksum(pseudo + body)) + body[4:]
    return struct.pack("!IHBB", 0x60000000, len(body), 58, 255) + src + dst + body


def test_neighbour_solicitation_and_echo6_are_answered_with_valid_checksums():
    p = peer()
    me = ipaddress.IPv6Address("2001:db8:100::1").packed
    ns = icmp6(G6.packed, ipaddress.IPv6Address("ff02::1:ff00:1").packed,
               bytes([135, 0, 0, 0, 0, 0, 0, 0]) + me)  # fmt: skip
    na = p.answer(frame(0x86DD, ns))[18:]
    assert na[40] == 136 and na[48:64] == me and na[24:40] == G6.packed
    assert checksum(na[8:40] + struct.pack("!I3xB", len(na) - 40, 58) + na[40:]) == 0
    echo = icmp6(G6.packed, me, bytes([128, 0, 0, 0, 0, 7, 0, 1]) + b"hello")
    reply = p.answer(frame(0x86DD, echo))[18:]
    assert reply[40] == 129 and reply[-5:] == b"hello" and p.seen.echo6 == 1
    assert checksum(reply[8:40] + struct.pack("!I3xB", len(reply) - 40, 58) + reply[40:]) == 0


def test_demo_os_ping_reaches_loopback_with_a_big_payload():
    """cos-demo-ping (the demo OS has no iputils-ping) as the report runs it: root, raw
    sockets, "don't fragment"; lo's MTU takes 8000 bytes in one packet."""
    need_root()
    for addr in ("127.0.0.1", "::1"):
        out = subprocess.run([sys.executable, str(ISO / "demo-os" / "cos-demo-ping"), addr, "8000"],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
        assert out.strip() == "ok"
    out = subprocess.run([sys.executable, str(ISO / "demo-os" / "cos-demo-ping"), "127.0.0.1",
                          "70000"], capture_output=True, text=True).stdout  # fmt: skip
    assert out.startswith("fail")


def dhcp_frame(kind: int, vlan: int | None = 100) -> bytes:
    bootp = (bytes([1, 1, 6, 0]) + b"\xca\xfe\xf0\x0d" + bytes(20) + GUEST + bytes(10)
             + bytes(192) + b"\x63\x82\x53\x63" + bytes([53, 1, kind, 255]))  # fmt: skip
    udp = struct.pack("!HHHH", 68, 67, 8 + len(bootp), 0) + bootp
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, bytes(4),
                     b"\xff" * 4)  # fmt: skip
    return frame(0x0800, ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:] + udp, vlan)


def options_of(bootp: bytes) -> dict[int, bytes]:
    found, i = {}, 240
    while bootp[i] != 255:
        found[bootp[i]] = bootp[i + 2 : i + 2 + bootp[i + 1]]
        i += 2 + bootp[i + 1]
    return found


def test_dhcp_offers_and_acks_its_one_lease_on_its_vlan_only():
    p = L2Peer(100, "10.100.0.1", "2001:db8:100::1", lease="10.100.0.50/24")
    for asked, answer in ((1, 2), (3, 5)):  # DISCOVER -> OFFER, REQUEST -> ACK
        out = p.answer(dhcp_frame(asked))
        assert out[:6] == GUEST and out[12:16] == b"\x81\x00\x00\x64"
        ip = out[18:38]
        assert checksum(ip) == 0 and ip[9] == 17 and ip[16:20] == b"\xff" * 4
        udp, bootp = out[38:46], out[46:]
        assert struct.unpack("!HH", udp[:4]) == (67, 68)
        assert bootp[0] == 2 and bootp[4:8] == b"\xca\xfe\xf0\x0d" and bootp[28:34] == GUEST
        assert ipaddress.IPv4Address(bootp[16:20]) == ipaddress.IPv4Address("10.100.0.50")
        opts = options_of(bootp)
        assert opts[53] == bytes([answer]) and opts[1] == b"\xff\xff\xff\x00"
        assert opts[3] == opts[6] == opts[54] == ipaddress.IPv4Address("10.100.0.1").packed
    assert p.seen.acked == [GUEST.hex(":")]
    assert p.answer(dhcp_frame(1, vlan=None)) is None  # untagged: not this VLAN's client
    assert peer().answer(dhcp_frame(1)) is None  # a peer without a lease serves no DHCP


def test_a_dhcp_message_cut_short_or_with_an_empty_type_gets_no_answer():
    """An empty message-type option raised IndexError, which ends the peer's thread."""
    p = L2Peer(100, "10.100.0.1", "2001:db8:100::1", lease="10.100.0.50/24")
    empty_type = dhcp_frame(1).replace(bytes([53, 1, 1, 255]), bytes([53, 0, 255, 0]))
    assert p.answer(empty_type) is None
    whole = dhcp_frame(1)
    for cut in (len(whole) - 3, len(whole) - 200, 30):
        assert p.answer(whole[:cut]) is None
    assert p.answer(whole) is not None and p.seen.acked == []

"""The stack probe on real links: veth pairs in namespaces, dnsmasq serving DHCPv4 and IPv6
router advertisements (SLAAC, DHCPv6) on the peer. The host kernel has no bonding or 8021q
module: here a bond or a VLAN fails to come up, which proves the failure path (named, nothing
left); the working bond and VLAN are proved in QEMU (iso/e2e_netprobe.py)."""

from __future__ import annotations

import fcntl
import subprocess
import time

import pytest

from tests.hardware.conftest import REPO, ns_pids, sh
from tests.realparts import need_tools

pytestmark = pytest.mark.realparts

PROBE = """
import json
from cos_installer.hardware import open_machine, netstack, stackprobe
stack = netstack.Stack(tuple({members!r}), vlan={vlan!r})
r = stackprobe.probe(stack, open_machine(all_nics=True).dhcp, timeout=20, ra_timeout={ra})
print(json.dumps({{"facts": r.facts, "error": r.error, "prefix6": r.prefix6,
  "suggestion": r.advert.suggestion() if r.advert else None,
  "router": str(r.advert.router) if r.advert else None,
  "lease": str(r.dhcp.lease.address) if r.dhcp and r.dhcp.lease else None}}))
"""


def serve(veth, tmp_path, v6range: str | None) -> subprocess.Popen:
    """dnsmasq on the srv end: DHCPv4, and with `v6range` router advertisements too."""
    need_tools("dnsmasq")
    sh("ip", "-n", veth.srv_ns, "addr", "add", "10.77.5.1/24", "dev", veth.srv)
    sh("ip", "-n", veth.srv_ns, "addr", "add", "2001:db8:5::1/64", "dev", veth.srv, "nodad")
    sh("ip", "-n", veth.srv_ns, "link", "set", veth.srv, "up")
    v6 = [f"--dhcp-range={v6range}", "--enable-ra"] if v6range else []
    proc = subprocess.Popen(
        ["ip", "netns", "exec", veth.srv_ns, "dnsmasq", "--no-daemon", "--conf-file=/dev/null",
         "--port=0", f"--interface={veth.srv}", "--bind-interfaces",
         "--dhcp-range=10.77.5.50,10.77.5.90,255.255.255.0,1h", "--dhcp-option=3,10.77.5.1",
         *v6, f"--dhcp-leasefile={tmp_path / 'leases'}", "--pid-file="],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(0.3)
    assert proc.poll() is None, proc.stderr.read()
    return proc


def run_probe(veth, members: list[str], vlan: int | None = None, ra: float = 6.0) -> dict:
    return veth.py_json(PROBE.format(members=members, vlan=vlan, ra=ra), timeout=90)


def cli_state(veth) -> dict:
    """What the probe must leave as it found it on the client side."""
    ns = veth.cli_ns
    return {
        "links": sh("ip", "-n", ns, "-o", "link", "show").stdout.count("cosprobe"),
        "addr4": sh("ip", "-n", ns, "-4", "-o", "addr", "show", veth.cli).stdout.strip(),
        "addr6": sh("ip", "-n", ns, "-6", "-o", "addr", "show", veth.cli, "scope", "global")
        .stdout.strip(),
        "accept_ra": sh("ip", "netns", "exec", ns, "cat",
                        f"/proc/sys/net/ipv6/conf/{veth.cli}/accept_ra").stdout.strip(),
        "pids": ns_pids(ns),
    }  # fmt: skip


def test_slaac_router_advert_and_dhcp_on_a_plain_nic(veth, tmp_path):
    server = serve(veth, tmp_path, "2001:db8:5::,ra-only,64")
    try:
        sh("ip", "-n", veth.cli_ns, "link", "set", veth.cli, "up")
        before = cli_state(veth)
        out = run_probe(veth, [veth.cli])
    finally:
        server.terminate()
    assert out["error"] == ""
    assert out["lease"] is not None and out["lease"].startswith("10.77.5.")
    assert out["prefix6"] == "2001:db8:5::/64"
    assert out["suggestion"] == "slaac"
    assert out["router"].startswith("fe80::")
    assert "IPv6 prefix 2001:db8:5::/64 (SLAAC allowed)" in out["facts"]
    assert f"IPv6 default router {out['router']}" in " ".join(out["facts"])
    assert any(f.startswith(f"DHCP on {veth.cli}: 10.77.5.") for f in out["facts"])
    # the kernel did not take a SLAAC address from what the probe heard; all as it was
    assert cli_state(veth) == before


def test_dhcpv6_router_advert_suggests_dhcp(veth, tmp_path):
    server = serve(veth, tmp_path, "2001:db8:5::10,2001:db8:5::ff,64")
    try:
        sh("ip", "-n", veth.cli_ns, "link", "set", veth.cli, "up")
        out = run_probe(veth, [veth.cli])
    finally:
        server.terminate()
    assert out["suggestion"] == "dhcp", out["facts"]
    assert any(f.startswith("IPv6 addresses from DHCPv6 (flags M") for f in out["facts"])


def test_no_router_advert_is_said(veth, tmp_path):
    server = serve(veth, tmp_path, None)
    try:
        sh("ip", "-n", veth.cli_ns, "link", "set", veth.cli, "up")
        out = run_probe(veth, [veth.cli], ra=2.0)
    finally:
        server.terminate()
    assert out["lease"] is not None
    assert out["prefix6"] == ""
    assert f"no IPv6 router advertisement on {veth.cli} in 2 s" in out["facts"]


def test_leftover_of_a_killed_probe_is_removed_first(veth, tmp_path):
    """A `cosprobe-v` and the DHCP client a killed probe left on it (its hook script in a
    `cos-dhcp-` directory) are removed before the next probe; other processes are not."""
    need_tools("udhcpc")
    ns = veth.cli_ns
    sh("ip", "-n", ns, "link", "add", "cosprobe-v", "type", "veth", "peer", "name", "x0")
    sh("ip", "-n", ns, "link", "set", "cosprobe-v", "up")
    hook = tmp_path / "cos-dhcp-left" / "hook.sh"
    client = subprocess.Popen(["ip", "netns", "exec", ns, "udhcpc", "-f", "-i", "cosprobe-v",
                               "-s", str(hook), "-t", "1000", "-T", "1"],
                              start_new_session=True, stderr=subprocess.DEVNULL)  # fmt: skip
    bystander = subprocess.Popen(["ip", "netns", "exec", ns, "sleep", "300"])
    server = serve(veth, tmp_path, None)
    try:
        sh("ip", "-n", ns, "link", "set", veth.cli, "up")
        out = run_probe(veth, [veth.cli], ra=1.0)
        client.wait(timeout=10)  # killed by the probe, else this raises
        assert bystander.poll() is None
    finally:
        server.terminate()
        for proc in (client, bystander):
            proc.kill()
            proc.wait()
    assert (
        f"removed what an earlier probe left: cosprobe-v, DHCP client {client.pid}" in out["facts"]
    )
    assert cli_state(veth)["links"] == 0


def second_nic(veth) -> str:
    """A second NIC in the client namespace (its peer in the server namespace), down."""
    name = veth.cli[:-1] + "d"
    sh("ip", "link", "add", name, "netns", veth.cli_ns, "type", "veth", "peer", "name",
       veth.srv[:-1] + "e", "netns", veth.srv_ns)  # fmt: skip
    return name


@pytest.mark.parametrize("vlan", [None, 100])
def test_stack_that_cannot_come_up_is_named_and_nothing_is_left(veth, vlan):
    """This kernel has no bonding (nor 8021q): the probe says which command failed and why,
    and the members are as they were (cli up, the other down), with no link of ours left."""
    if sh("ip", "link", "add", "cosprobe-t", "type", "bond", check=False).returncode == 0:
        sh("ip", "link", "del", "cosprobe-t")
        pytest.skip("this kernel has bonding: the QEMU phase proves the working stack")
    other = second_nic(veth)
    sh("ip", "-n", veth.cli_ns, "link", "set", veth.cli, "up")
    before = cli_state(veth)
    out = run_probe(veth, [veth.cli, other], vlan=vlan, ra=1.0)
    assert out["error"].startswith("ip link add cosprobe-b type bond mode active-backup"), out
    assert any(f.startswith("the stack bond (") and "could not be brought up: ip link add" in f
               for f in out["facts"])  # fmt: skip
    assert cli_state(veth) == before
    flags = sh("ip", "-n", veth.cli_ns, "-o", "link", "show", other).stdout
    assert ",UP" not in flags and "<UP" not in flags


def test_vlan_on_a_plain_nic_that_cannot_come_up_leaves_nothing(veth):
    if sh("ip", "link", "add", "link", "lo", "name", "cosprobe-t", "type", "vlan", "id", "5",
          check=False).returncode == 0:  # fmt: skip
        sh("ip", "link", "del", "cosprobe-t")
        pytest.skip("this kernel has 8021q: the QEMU phase proves the working VLAN")
    before = cli_state(veth)
    out = run_probe(veth, [veth.cli], vlan=100, ra=1.0)
    assert out["error"].startswith(f"ip link add link {veth.cli} name cosprobe-v type vlan id 100")
    after = cli_state(veth)
    assert after == before


def test_a_second_probe_at_the_same_time_is_refused(tmp_path, monkeypatch):
    from cos_installer.hardware import netstack, stackprobe

    lock = tmp_path / "lock"
    monkeypatch.setattr(netstack, "LOCK", str(lock))
    with open(lock, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = stackprobe.probe(netstack.Stack(("nonexistent0",)), lambda i, t: None)
    assert result.error == "another network probe is running; try again when it ends"


SENDER = """
import socket, struct, sys, time, ipaddress
sys.path.insert(0, "iso")
from netprobe_peer import advert
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.SOL_SOCKET, 25, {iface!r}.encode())
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, {hops})
for _ in range(40):
    try:
        s.sendto(advert("2001:db8:7::"), ("ff02::1", 0, 0, socket.if_nametoindex({iface!r})))
    except OSError:
        pass
    time.sleep(0.2)
"""
LISTEN = """
import json
from cos_installer.hardware import ra
advert, why = ra.listen({iface!r}, 4.0)
print(json.dumps({{"prefix": str(advert.prefixes[0].network) if advert else None, "why": why}}))
"""


@pytest.mark.parametrize("hops", [255, 64])
def test_only_an_advert_with_hop_limit_255_counts(veth, hops):
    """RFC 4861: a router advertisement with another hop limit was forwarded from elsewhere."""
    sh("ip", "-n", veth.srv_ns, "link", "set", veth.srv, "up")
    sh("ip", "-n", veth.cli_ns, "link", "set", veth.cli, "up")
    sender = subprocess.Popen(["ip", "netns", "exec", veth.srv_ns, "python3", "-c",
                               SENDER.format(iface=veth.srv, hops=hops)], cwd=REPO)  # fmt: skip
    try:
        out = veth.py_json(LISTEN.format(iface=veth.cli))
    finally:
        sender.kill()
        sender.wait()
    if hops == 255:
        assert out["prefix"] == "2001:db8:7::/64", out
    else:
        assert out == {"prefix": None, "why": f"no IPv6 router advertisement on {veth.cli} in 4 s"}


@pytest.mark.parametrize(
    "data",
    [
        b"\x86\0\0\0@\0\x07\x08" + b"\0" * 8 + b"\x03\0" + b"\0" * 30,  # an option of length 0
        b"\x86\0\0\0@\0\x07\x08" + b"\0" * 8 + b"\x03\x04" + b"\0" * 10,  # option cut short
        b"\x87\0\0\0" + b"\0" * 20,  # a neighbour solicitation
        b"\x86\x01\0\0" + b"\0" * 12,  # code 1
    ],
)
def test_malformed_router_adverts_are_refused(data):
    from cos_installer.hardware.ra import parse_ra

    assert parse_ra(data, "fe80::1") is None

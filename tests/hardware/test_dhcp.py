"""DHCP probe against dnsmasq across a veth pair; each installed client, and the timeout."""

from __future__ import annotations

import shutil
import time

import pytest

from cos_installer.hardware.dhcp import CLIENT_ORDER, parse_lease
from tests.hardware.conftest import ns_pids, sh
from tests.realparts import unavailable

pytestmark = pytest.mark.realparts

PROBE = """
import json, time
from cos_installer.hardware.dhcp import find_client, run_dhcp
from cos_installer.hardware import open_machine
t = time.monotonic()
if {client!r}:
    r = run_dhcp({iface!r}, {timeout}, find_client(({client!r},)))
else:
    r = open_machine().dhcp({iface!r}, timeout={timeout})
lease = r.lease
print(json.dumps({{
    "elapsed": time.monotonic() - t, "message": r.message,
    "lease": lease and {{"address": str(lease.address), "gateway": str(lease.gateway),
                         "dns": [str(d) for d in lease.dns], "hostname": lease.hostname}},
}}))
"""

CLIENTS = [c for c in CLIENT_ORDER if shutil.which(c) or shutil.which(c, path="/usr/sbin:/sbin")]


def probe(veth, timeout: float, client: str = "") -> dict:
    sh("ip", "-n", veth.cli_ns, "link", "set", veth.cli, "up")
    out = veth.py_json(PROBE.format(client=client, iface=veth.cli, timeout=timeout), timeout=60)
    time.sleep(0.1)  # let killed helpers vanish from /proc
    return out


def assert_left_nothing(veth) -> None:
    assert ns_pids(veth.cli_ns) == [], "a DHCP client process outlived the probe"
    addrs = sh("ip", "-n", veth.cli_ns, "-4", "-o", "addr", "show", veth.cli).stdout
    assert addrs.strip() == "", f"the probe configured an address: {addrs}"


@pytest.mark.parametrize("client", ["udhcpc", "dhclient", "dhcpcd"])
def test_lease_from_dnsmasq(veth, dnsmasq, client):
    if client not in CLIENTS:
        if client == "dhcpcd":
            pytest.skip("dhcpcd not installed (optional; udhcpc and dhclient are in the list)")
        unavailable(f"DHCP client {client} not installed")
    out = probe(veth, 30, client)  # a bound for a loaded machine, not a speed test
    assert out["lease"] == {
        "address": f"{dnsmasq.address}/24",
        "gateway": dnsmasq.gateway,
        "dns": [dnsmasq.dns],
        "hostname": dnsmasq.hostname,
    }, out
    assert client in out["message"]
    assert_left_nothing(veth)


def test_machine_dhcp_uses_first_installed_client(veth, dnsmasq):
    if not CLIENTS:
        unavailable("no DHCP client installed")
    out = probe(veth, 30)
    assert out["lease"] is not None, out
    assert out["lease"]["address"] == f"{dnsmasq.address}/24"
    assert out["message"] == f"lease from DHCP ({CLIENTS[0]})"
    print(f"DHCP lease via {CLIENTS[0]} in {out['elapsed'] * 1000:.0f} ms")
    assert_left_nothing(veth)


@pytest.mark.parametrize("client", ["", *CLIENTS])
def test_no_answer_times_out_cleanly(veth, dnsmasq, client):
    dnsmasq.stop()
    timeout = 2
    out = probe(veth, timeout, client)
    assert out["lease"] is None
    assert out["message"] == (
        f"no DHCP answer on {veth.cli} in {timeout} s - enter the address by hand"
    )
    assert out["elapsed"] < timeout + 15, out  # gave up (a hang guard, not a speed test)
    assert_left_nothing(veth)


def test_no_link_answers_at_once(veth):
    out = probe(veth, 1)  # the srv end is down: no carrier
    assert out["lease"] is None
    assert out["message"].startswith(f"no link on {veth.cli}")
    assert out["elapsed"] < 16, out  # gave up (a hang guard, not a speed test)
    assert_left_nothing(veth)


def test_parse_lease_variants():
    lease = parse_lease(
        "ip=10.1.2.3\nmask=255.255.254.0\nrouter=10.1.2.1 10.1.2.2\ndns=1.1.1.1 x\n"
    )
    assert str(lease.address) == "10.1.2.3/23"
    assert str(lease.gateway) == "10.1.2.1"
    assert [str(d) for d in lease.dns] == ["1.1.1.1"]
    assert lease.hostname is None
    assert parse_lease("ip=\n") is None
    assert str(parse_lease("ip=10.0.0.9\ncidr=8\nmask=255.255.255.0").address) == "10.0.0.9/8"

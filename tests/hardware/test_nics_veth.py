"""NIC probe on veth pairs: the probe runs inside a namespace of its own (host untouched)."""

from __future__ import annotations

import json
import time

import pytest

from tests.hardware.conftest import sh

pytestmark = pytest.mark.realparts

LIST_NICS = """
import json
from cos_installer.hardware import open_machine, nic_json
m = open_machine()
physical = [n.name for n in m.nics()]
every = [nic_json(n) for n in m.nics(all_nics=True)]
print(json.dumps({"physical": physical, "all": every}))
"""

WATCH_LINK = """
import json, sys, time
from cos_installer.hardware import NicWatcher, open_machine
m = open_machine(all_nics=True)
w = NicWatcher(m, all_nics=True)
print(json.dumps({"ready": w.states}), flush=True)
end = time.monotonic() + 8
while time.monotonic() < end:
    for change in w.poll():
        print(json.dumps({"t": time.monotonic(), "kind": change.kind, "name": change.name,
                          "linked": change.linked}), flush=True)
    time.sleep(0.05)
"""


def test_virtual_nics_only_with_all_nics_and_down_nic_brought_up(veth):
    sh("ip", "-n", veth.cli_ns, "addr", "add", "10.250.3.9/26", "dev", veth.cli)
    out = veth.py_json(LIST_NICS)
    assert veth.cli not in out["physical"]  # a veth is virtual
    [nic] = [n for n in out["all"] if n["name"] == veth.cli]
    assert "lo" not in [n["name"] for n in out["all"]]
    assert nic["mac"] == veth.cli_mac
    assert nic["driver"] == "veth"
    assert nic["virtual"] is True
    assert nic["linked"] is False  # peer is down
    assert nic["addresses"] == ["10.250.3.9/26"]
    # the probe brought the administratively down interface up to read its carrier
    flags = sh("ip", "-n", veth.cli_ns, "-o", "link", "show", veth.cli).stdout
    assert ",UP" in flags or "<UP" in flags


def test_plugged_cable_shows_within_one_second(veth):
    proc = veth.py(WATCH_LINK)
    try:
        ready = json.loads(proc.stdout.readline())
        assert ready["ready"] == {veth.cli: False}
        time.sleep(0.3)  # a few polls with [NoLink]
        t0 = time.monotonic()
        sh("ip", "-n", veth.srv_ns, "link", "set", veth.srv, "up")
        change = json.loads(proc.stdout.readline())
        assert change["kind"] == "link" and change["name"] == veth.cli
        assert change["linked"] is True
        elapsed = change["t"] - t0
        assert elapsed < 15, f"link change seen after {elapsed:.3f} s"  # seen at all
        t1 = time.monotonic()
        sh("ip", "-n", veth.srv_ns, "link", "set", veth.srv, "down")
        change = json.loads(proc.stdout.readline())
        assert (change["kind"], change["linked"]) == ("link", False)
        assert change["t"] - t1 < 1.0
        print(f"link up seen after {elapsed * 1000:.0f} ms, down after "
              f"{(change['t'] - t1) * 1000:.0f} ms")  # fmt: skip
    finally:
        proc.kill()
        proc.communicate()


def test_hotplug_add_and_remove_reported(veth):
    proc = veth.py(WATCH_LINK)
    extra = veth.cli[:-1] + "x"
    try:
        json.loads(proc.stdout.readline())
        t0 = time.monotonic()
        sh("ip", "-n", veth.cli_ns, "link", "add", extra, "type", "veth", "peer", "name",
           extra + "p")  # fmt: skip
        seen = {}
        while {"added"} - set(seen):
            change = json.loads(proc.stdout.readline())
            seen.setdefault(change["kind"], change)
        assert seen["added"]["name"] in (extra, extra + "p")
        assert seen["added"]["t"] - t0 < 1.0
        sh("ip", "-n", veth.cli_ns, "link", "del", extra)
        while True:
            change = json.loads(proc.stdout.readline())
            if change["kind"] == "removed":
                break
        assert change["name"] in (extra, extra + "p")
    finally:
        proc.kill()
        proc.communicate()
        sh("ip", "-n", veth.cli_ns, "link", "del", extra, check=False)


def test_link_states_read_carrier_directly(veth):
    sh("ip", "-n", veth.srv_ns, "link", "set", veth.srv, "up")
    code = (
        "import json, time\nfrom cos_installer.hardware import open_machine\n"
        "m = open_machine()\nt = time.perf_counter()\n"
        f"s = m.link_states([{veth.cli!r}, 'cit-none'])\n"
        "t2 = time.perf_counter()\n"
        f"s2 = m.link_states([{veth.cli!r}])\n"
        "print(json.dumps({'s': s, 'cost': time.perf_counter() - t2}))"
    )
    out = veth.py_json(code)
    assert out["s"] == {veth.cli: True, "cit-none": False}
    assert out["cost"] < 0.01  # cheap enough to poll several times a second

"""An answers URL on a live system without network: DHCP from dnsmasq across a veth pair is
applied (address, default route, DNS), then the answers file is downloaded over HTTP from a
server in the other namespace, as `cos.answers=http://...` does at boot."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.hardware.conftest import sh

pytestmark = pytest.mark.realparts

BRING_UP = """
import json, tempfile
from cos_installer import boot, livenet
from cos_installer.hardware import open_machine
said = []
name = livenet.bring_up(open_machine(None, all_nics=True), said.append, 10, {resolv!r})
again = livenet.bring_up(open_machine(None, all_nics=True), said.append, 10, {resolv!r})
path = boot.fetch_answers({url!r}, tempfile.mkdtemp(), log=said.append, http_deadline=20)
print(json.dumps({{"name": name, "again": again, "said": said, "answers": open(path).read()}}))
"""


def test_dhcp_then_the_answers_url(veth, dnsmasq, tmp_path):
    served = tmp_path / "www"
    served.mkdir()
    (served / "answers.yaml").write_text("role: agent\n# served over HTTP\n")
    port = 8000 + int(veth.srv[3:5], 16)
    server = subprocess.Popen(
        ["ip", "netns", "exec", veth.srv_ns, sys.executable, "-m", "http.server",
         "--bind", dnsmasq.gateway, "--directory", str(served), str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        time.sleep(0.5)
        resolv = tmp_path / "resolv.conf"
        url = f"http://{dnsmasq.gateway}:{port}/answers.yaml"
        out = veth.py_json(BRING_UP.format(resolv=str(resolv), url=url), timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=5)
    assert out["name"] == veth.cli, out["said"]
    assert out["again"] is None, "a second call must see the default route and do nothing"
    assert any(f"{veth.cli} is {dnsmasq.address}/24 via {dnsmasq.gateway}" in s
               for s in out["said"]), out["said"]  # fmt: skip
    addrs = sh("ip", "-n", veth.cli_ns, "-4", "-o", "addr", "show", veth.cli).stdout
    assert f"{dnsmasq.address}/24" in addrs
    route = sh("ip", "-n", veth.cli_ns, "-4", "route", "show", "default").stdout
    assert f"default via {dnsmasq.gateway} dev {veth.cli}" in route
    assert f"nameserver {dnsmasq.dns}" in resolv.read_text()
    assert out["answers"] == "role: agent\n# served over HTTP\n"


def test_no_lease_anywhere_is_said_and_nothing_configured(veth, tmp_path):
    """No DHCP server: every NIC tried, the reason said, no address and no route left."""
    sh("ip", "-n", veth.srv_ns, "link", "set", veth.srv, "up")  # a link, but nobody answers
    code = (
        "import json\nfrom cos_installer import livenet\n"
        "from cos_installer.hardware import open_machine\nsaid = []\n"
        f"name = livenet.bring_up(open_machine(None, all_nics=True), said.append, 2, "
        f"{str(tmp_path / 'resolv.conf')!r})\n"
        "print(json.dumps({'name': name, 'said': said}))\n"
    )
    out = veth.py_json(code, timeout=60)
    assert out["name"] is None
    assert f"no DHCP answer on {veth.cli}" in " ".join(out["said"])
    assert "the answers URL cannot be reached" in out["said"][-1]
    assert sh("ip", "-n", veth.cli_ns, "-4", "-o", "addr", "show", veth.cli).stdout.strip() == ""
    assert not (tmp_path / "resolv.conf").exists()


APPLY = """
import json
from cos_installer import livenet
from cos_installer.hardware import open_machine
said = []
name = livenet.bring_up(open_machine(None, all_nics=True), said.append, 10, {resolv!r})
print(json.dumps({{"name": name, "said": said}}))
"""


def test_a_lease_that_cannot_be_applied_is_taken_back(veth, dnsmasq, tmp_path):
    """resolv.conf cannot be written (its directory is missing): the address and the route
    set a moment before are removed again, and the message says why."""
    resolv = tmp_path / "missing-dir" / "resolv.conf"
    out = veth.py_json(APPLY.format(resolv=str(resolv)), timeout=60)
    assert out["name"] is None
    assert f"{veth.cli}: the lease {dnsmasq.address}/24 was not applied: cannot write" in (
        " ".join(out["said"])
    )
    assert "no DHCP lease could be applied" in out["said"][-1]
    assert sh("ip", "-n", veth.cli_ns, "-4", "-o", "addr", "show", veth.cli).stdout.strip() == ""
    assert sh("ip", "-n", veth.cli_ns, "-4", "route", "show", "default").stdout.strip() == ""


def test_a_symlinked_resolv_conf_is_replaced_not_written_through(veth, dnsmasq, tmp_path):
    stub = tmp_path / "resolver-stub.conf"
    stub.write_text("nameserver 127.0.0.53\n")
    resolv = tmp_path / "resolv.conf"
    resolv.symlink_to(stub)
    out = veth.py_json(APPLY.format(resolv=str(resolv)), timeout=60)
    assert out["name"] == veth.cli, out["said"]
    assert not resolv.is_symlink() and f"nameserver {dnsmasq.dns}" in resolv.read_text()
    assert stub.read_text() == "nameserver 127.0.0.53\n"

"""An answers URL on a live system without network: DHCP from dnsmasq across a veth pair is
applied (address, default route, DNS), then the answers file is downloaded over HTTP from a
server in the other namespace, as `cos.answers=http://...` does at boot."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hardware.conftest import sh

pytestmark = pytest.mark.realparts

BRING_UP = """
import json, tempfile
from cos_installer.live import boot, livenet
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
        "import json\nfrom cos_installer.live import livenet\n"
        "from cos_installer.hardware import open_machine\nsaid = []\n"
        f"name = livenet.bring_up(open_machine(None, all_nics=True), said.append, 2, "
        f"{str(tmp_path / 'resolv.conf')!r}, deadline=3)\n"
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
from cos_installer.live import livenet
from cos_installer.hardware import open_machine
said = []
name = livenet.bring_up(open_machine(None, all_nics=True), said.append, 10, {resolv!r},
                        deadline=3)
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


def test_a_lease_that_cannot_reach_the_answers_server_is_dropped_for_the_next_nic(tmp_path):
    """Two linked NICs, each with its own DHCP server; only the second network has the answers
    server (the first is, say, a management network). The first lease is applied, found not
    to reach the server, taken back; the second is kept."""
    import secrets

    from tests.realparts import need_root, need_tools

    need_root()
    need_tools("ip", "dnsmasq")
    tag = secrets.token_hex(3)
    cli, nets = f"cit-{tag}-c", {}
    servers: list[subprocess.Popen] = []
    try:
        sh("ip", "netns", "add", cli)
        for side, third in (("a", 61), ("b", 62)):
            ns, net = f"cit-{tag}-{side}", f"10.{third}.{int(tag[:2], 16)}"
            nets[side] = (ns, f"cit{tag}{side}", net)
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "add", f"cit{tag}s{side}", "netns", ns, "type", "veth", "peer",
               "name", f"cit{tag}{side}", "netns", cli)  # fmt: skip
            sh("ip", "-n", ns, "addr", "add", f"{net}.1/24", "dev", f"cit{tag}s{side}")
            sh("ip", "-n", ns, "link", "set", f"cit{tag}s{side}", "up")
            sh("ip", "-n", cli, "link", "set", f"cit{tag}{side}", "up")
            servers.append(subprocess.Popen(
                ["ip", "netns", "exec", ns, "dnsmasq", "--no-daemon", "--conf-file=/dev/null",
                 "--port=0", f"--interface=cit{tag}s{side}", "--bind-interfaces",
                 f"--dhcp-range={net}.50,{net}.90,255.255.255.0,1h",
                 f"--dhcp-option=3,{net}.1", f"--dhcp-leasefile={tmp_path / side}",
                 "--pid-file="], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
        b_ns, _, b_net = nets["b"]
        http = ["ip", "netns", "exec", b_ns, sys.executable, "-m", "http.server", "--bind"]
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        servers.append(subprocess.Popen([*http, f"{b_net}.1", "8080"], **quiet))
        time.sleep(0.8)
        code = (
            "import json\nfrom cos_installer.live import livenet\n"
            "from cos_installer.hardware import open_machine\nsaid = []\n"
            "name = livenet.bring_up(open_machine(None, all_nics=True), said.append, 10, "
            f"{str(tmp_path / 'resolv.conf')!r}, "
            f"reach=livenet.server_of('http://{b_net}.1:8080/answers.yaml'))\n"
            "print(json.dumps({'name': name, 'said': said}))\n"
        )
        done = subprocess.run(["ip", "netns", "exec", cli, sys.executable, "-c", code],
                              capture_output=True, text=True, timeout=90,
                              cwd=Path(__file__).parents[2])  # fmt: skip
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout.strip().splitlines()[-1])
        a_nic, b_nic = nets["a"][1], nets["b"][1]
        assert out["name"] == b_nic, out["said"]
        assert f"network: {a_nic} is {nets['a'][2]}." in out["said"][0], out["said"]
        assert "cannot be reached from it" in out["said"][0], out["said"]
        assert sh("ip", "-n", cli, "-4", "-o", "addr", "show", a_nic).stdout.strip() == ""
        route = sh("ip", "-n", cli, "-4", "route", "show", "default").stdout
        assert route.startswith(f"default via {b_net}.1 dev {b_nic}"), route
    finally:
        for proc in servers:
            proc.terminate()
            proc.wait(timeout=5)
        for ns in [cli, *(n[0] for n in nets.values())]:
            sh("ip", "netns", "del", ns, check=False)


def test_a_dhcp_server_that_answers_late_is_asked_again(veth, tmp_path):
    """The first pass finds no lease (the server starts 4 s late, as behind a switch port
    still in spanning-tree learning); a later pass within the deadline gets it."""
    net = f"10.{int(veth.srv[3:5], 16) % 200 + 20}.{int(veth.srv[5:7], 16)}"
    sh("ip", "-n", veth.srv_ns, "addr", "add", f"{net}.1/24", "dev", veth.srv)
    sh("ip", "-n", veth.srv_ns, "link", "set", veth.srv, "up")
    dnsmasq = (f"sleep 4; exec dnsmasq --no-daemon --conf-file=/dev/null --port=0 "
               f"--interface={veth.srv} --bind-interfaces --dhcp-range={net}.50,{net}.90,"
               f"255.255.255.0,1h --dhcp-option=3,{net}.1 --dhcp-leasefile={tmp_path / 'l'} "
               "--pid-file=")  # fmt: skip
    server = subprocess.Popen(["ip", "netns", "exec", veth.srv_ns, "sh", "-c", dnsmasq],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        code = (
            "import json\nfrom cos_installer.live import livenet\n"
            "from cos_installer.hardware import open_machine\nsaid = []\n"
            "name = livenet.bring_up(open_machine(None, all_nics=True), said.append, 2, "
            f"{str(tmp_path / 'resolv.conf')!r}, deadline=20)\n"
            "print(json.dumps({'name': name, 'said': said}))\n"
        )
        out = veth.py_json(code, timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=5)
    assert out["name"] == veth.cli, out["said"]
    assert "network: no usable lease yet; asking again" in out["said"], out["said"]
    assert out["said"][-1].startswith(f"network: {veth.cli} is {net}."), out["said"]

"""e2e (e): one ISO, one fleet file, two machines told apart by their NIC's MAC.

The fleet file (shared defaults + `hosts:` entries matched by `mac:`, shaped like
`cos-installer fleet` writes it) is served over HTTP from the host; the ISO boots twice with
`cos.answers=http://10.0.2.2:PORT/fleet.yaml cos.autoinstall` (the live system brings up DHCP
for the download), each time with another MAC and its own small OS disk (no data disk), and
installs unattended as node1 and node2. Each installed disk then boots and its report must
show that host's hostname and static address.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import e2e_shared

# name -> (MAC, address); QEMU's user network is 10.0.2.0/24 with the gateway at .2
HOSTS = {
    "node1": ("52:54:00:c0:f1:01", "10.0.2.21/24"),
    "node2": ("52:54:00:c0:f1:02", "10.0.2.22/24"),
}


def fleet_yaml(password: str) -> str:
    """A fleet file shaped like `cos-installer fleet` writes, cut down to one controller and
    the two agents this phase boots (so `check-answers` would call it too few agents)."""
    hosts = "".join(
        f"""  - match: {{mac: "{mac}"}}
    role: agent
    system: {{hostname: {name}}}
    network: {{address: {address}}}
"""
        for name, (mac, address) in HOSTS.items()
    )
    return f"""# e2e (e): one file for the cluster; each VM is one hosts: entry by its MAC
system:
  password: "{password}"
network:
  interface: {{matched: true}}
  dhcp: false
  gateway: 10.0.2.2
  dns: 10.0.2.3
disk: /dev/vda
controller:
  http_port: 80
  cluster_size: 3
  ha: false
agent:
  controllers: "10.0.2.10:80,10.0.2.11:80"
  install_code: "8070"
  network_model: bridge
hosts:
  - match: {{mac: "52:54:00:c0:f1:10"}}
    role: controller
    system: {{hostname: controller1}}
    network: {{address: 10.0.2.10/24}}
{hosts}"""


class Served(http.server.SimpleHTTPRequestHandler):
    """The fleet file for the guests (QEMU's user network: the host is 10.0.2.2)."""

    requests: list[str] = []

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        Served.requests.append(f"{self.client_address[0]} {self.requestline}")


def serve(directory: Path) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(Served, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(workdir: Path, iso: str, accel: str, kernel: str, initrd: str, password: str) -> list:
    """Install both hosts from the ISO one after the other, then boot and check each."""
    problems: list[str] = []
    www = workdir / "www-fleet"
    www.mkdir()
    (www / "fleet.yaml").write_text(fleet_yaml(password))
    server = serve(www)
    url = f"http://10.0.2.2:{server.server_address[1]}/fleet.yaml"
    disks = {name: e2e_shared.qcow2(workdir / f"os-{name}.qcow2", "8G") for name in HOSTS}
    try:
        for name, (mac, _address) in HOSTS.items():
            text = e2e_shared.unattended_install(
                workdir, iso, accel, None, disks[name], None, kernel, initrd,
                name=f"e2e-e-install-{name}", mac=mac, answers=url,
            )  # fmt: skip
            problems += check_install(text, name, mac)
    finally:
        server.shutdown()
    fetched = [r for r in Served.requests if "GET /fleet.yaml" in r]
    ok = len(fetched) == len(HOSTS)
    print(f"  {'ok  ' if ok else 'FAIL'} each VM downloaded the fleet file once ({fetched})")
    if not ok:
        problems.append(f"fleet: expected {len(HOSTS)} downloads of the fleet file: {fetched}")
    for name, (mac, address) in HOSTS.items():
        report = e2e_shared.installed_report(
            workdir, accel, disks[name], None, name=f"e2e-e-installed-{name}", mac=mac
        )
        found = e2e_shared.check_report(
            report, password, hostname=name, address=address, data_disk=False
        )
        problems += [f"fleet {name}: {p}" for p in found]
    return problems


def check_install(text: str, name: str, mac: str) -> list[str]:
    """The serial text of one install: the live system got a network for the URL, and the
    fleet entry matched by this VM's MAC was installed."""
    problems = []
    net = re.search(r"network: (ens16 is 10\.0\.2\.15/24 via 10\.0\.2\.2)", text)
    ok = net is not None
    print(f"  {'ok  ' if ok else 'FAIL'} DHCP for the answers URL: "
          f"{net.group(1) if net else 'no network line'}", flush=True)  # fmt: skip
    if not ok:
        problems.append(f"fleet {name}: the live system did not bring up ens16 by DHCP")
    picked = re.search(r"this machine is (hosts\[\d+\] \(\S+\)), matched by (.*)", text)
    got = f"{picked.group(1)} by {picked.group(2).strip()}" if picked else "no match line"
    ok = picked is not None and f"({name})" in picked.group(1) and mac in picked.group(2)
    print(f"  {'ok  ' if ok else 'FAIL'} {mac} installs as {name} (got {got})", flush=True)
    if not ok:
        problems.append(f"fleet: {mac} should install as {name} (got {got})")
    return problems

"""e2e (g): a rack installed over the network, no installer medium anywhere.

A network namespace holds a bridge (10.77.0.1/24) with one tap device per VM, dnsmasq (DHCP +
TFTP, from the exported dnsmasq.conf) and `cos-installer serve` (files, boot.ipxe, the answers
by identity, install events, /status) serving the tree that `cos-installer netboot export`
wrote from `make netboot`'s files and one fleet file, whose `report:` names serve's /events.
Two VMs with only a disk and a NIC boot from the NIC's iPXE ROM (QEMU's, Debian's ipxe-qemu):
DHCP gives iPXE the boot.ipxe URL, the live system comes over HTTP (live-boot `fetch=`), finds
its answers document by its MAC and installs unattended, streaming the payload from serve;
both at the same time. A third VM whose MAC no fleet entry names gets no answers and must leave
its disk untouched (stopped once that is seen). serve's /status must then show each installing
host's events ending in `done` and the third machine unmatched; serve's files log must show
each installing VM fetched the payload once; one installed disk then boots and is checked
(hostname, address).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import e2e_fleet
import e2e_shared
import vm

NS = f"cosg{os.getpid()}"
BRIDGE_IP = "10.77.0.1"
SERVER = f"http://{BRIDGE_IP}/"
STRANGER = "52:54:00:c0:f1:99"  # no fleet entry names it
PAYLOAD_URL_PATH = "/cos/cos-image.raw.zst"
HEAD_FETCH = 1 << 20  # the install's preflight reads the first MiB (cos_installer.install.remote)


def ip(*args: str) -> None:
    subprocess.run(["ip", "-n", NS, *args], check=True, capture_output=True)


@contextlib.contextmanager
def namespace(taps: list[str]):
    subprocess.run(["ip", "netns", "add", NS], check=True)
    try:
        ip("link", "set", "lo", "up")
        ip("link", "add", "br0", "type", "bridge")
        ip("addr", "add", f"{BRIDGE_IP}/24", "dev", "br0")
        ip("link", "set", "br0", "up")
        for tap in taps:
            ip("tuntap", "add", "dev", tap, "mode", "tap")
            ip("link", "set", tap, "master", "br0", "up")
        yield
    finally:
        subprocess.run(["ip", "netns", "delete", NS], check=False)


def export_tree(workdir: Path, netboot: str, password: str) -> Path:
    fleet = workdir / "g-fleet.yaml"
    # (e)'s file, with a cluster its two agents complete (netboot export checks it whole)
    text = e2e_fleet.fleet_yaml(password).replace("cluster_size: 3", "cluster_size: 1")
    fleet.write_text(text.replace("\nsystem:\n", f"\nreport: {SERVER}events\nsystem:\n", 1))
    fleet.chmod(0o600)
    tree = workdir / "g-tree"
    proc = subprocess.run(
        [sys.executable, "-m", "cos_installer.cli", "netboot", "export", "--fleet", str(fleet),
         "--server", SERVER, "--out", str(tree), "--boot-files", netboot,
         "--dhcp-range", "10.77.0.100,10.77.0.150/24", "--router", BRIDGE_IP,
         "--interface", "br0"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"netboot export failed:\n{proc.stderr}")
    print(proc.stdout, end="", flush=True)
    return tree


def servers(workdir: Path, tree: Path) -> list[subprocess.Popen]:
    """dnsmasq (the exported config) and `cos-installer serve` in the namespace."""
    netns = ["ip", "netns", "exec", NS]
    dnsmasq = netns + ["dnsmasq", "--keep-in-foreground", f"--conf-file={tree}/dnsmasq.conf",
                       f"--pid-file={workdir}/g-dnsmasq.pid", "--user=root",
                       f"--dhcp-leasefile={workdir}/g-dnsmasq.leases",
                       f"--log-facility={workdir}/g-dnsmasq.log"]  # fmt: skip
    serve = netns + [sys.executable, "-m", "cos_installer.cli", "serve",
                     "--fleet", str(workdir / "g-fleet.yaml"), "--boot-dir", str(tree),
                     "--listen", f"{BRIDGE_IP}:80",
                     "--files-log", str(workdir / "g-files.log")]  # fmt: skip
    procs = [subprocess.Popen(dnsmasq)]
    procs.append(subprocess.Popen(serve, stdout=subprocess.PIPE, text=True))
    banner = procs[-1].stdout.readline()  # said once it listens
    print(f"  {banner.strip() or 'serve did not start'}", flush=True)
    if not banner:
        for p in procs:
            p.terminate()
        raise SystemExit("netboot: cos-installer serve did not start")
    return procs


def serve_status() -> dict:
    """GET serve's /status from inside the namespace."""
    get = (
        "import sys, urllib.request; "
        "sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())"
    )
    argv = ["ip", "netns", "exec", NS, sys.executable, "-c", get, f"{SERVER}status"]
    out = subprocess.run(argv, capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(out.stdout)


def reported(hosts: list, problems: list[str]) -> None:
    """Each installing host's events end in done (the sender may still be flushing: a minute)
    and the machine no entry names is unmatched."""
    names = [name for name, _ in hosts]
    for _ in range(30):
        status = serve_status()
        rows = {h["hostname"]: h for h in status["hosts"]}
        if all(rows[n]["history"][-1:] == ["done"] for n in names):
            break
        time.sleep(2)
    argv = ["ip", "netns", "exec", NS, sys.executable, "-m", "cos_installer.cli", "status",
            "--url", f"{SERVER}status"]  # fmt: skip
    table = subprocess.run(argv, capture_output=True, text=True, check=False)
    print(table.stdout, end="", flush=True)
    for name in names:
        row = rows[name]
        want(row["history"][-1:] == ["done"] and row["result"] == "done",
             f"{name}'s install events end in done (serve: {row['result']}, "
             f"{', '.join(row['history'][-6:])})", problems)  # fmt: skip
    odd = [u for u in status["unmatched"] if STRANGER in u["identity"].get("mac", [])]
    want(bool(odd), f"serve lists the machine no entry names ({STRANGER}) as unmatched: "
         f"{odd[0]['reason'][:80] if odd else status['unmatched']}", problems)  # fmt: skip


def tap_nic(guest: vm.VM, tap: str, mac: str) -> None:
    """A NIC on an existing tap device in the bridge, first in the boot order: the firmware
    boots through the NIC's own iPXE ROM (QEMU's default for virtio-net-pci, Debian's
    ipxe-qemu; an explicit romfile= is not offered as a boot device by SeaBIOS)."""
    guest.nics += 1
    n = guest.nics
    device = f"virtio-net-pci,netdev=n{n},mac={mac},addr={0x0F + n:#x},bootindex=1"
    guest.args += ["-netdev", f"tap,id=n{n},ifname={tap},script=no,downscript=no",
                   "-device", device]  # fmt: skip


def netboot_vm(workdir: Path, name: str, tap: str, mac: str, disk: Path) -> vm.VM:
    guest = vm.VM(name, str(workdir))
    guest.prefix = ["nice", "-n", "5", "ip", "netns", "exec", NS]
    guest.disk(str(disk), "qcow2")
    tap_nic(guest, tap, mac)
    return guest


def install(guest: vm.VM, accel: str, results: dict) -> None:
    try:
        guest.start(accel)
        guest.expect(r"COS-INSTALLER-START on ttyS0", 900)
        guest.expect(r"Unattended install onto /dev/vda", 180)
        found = guest.expect(r"COS-INSTALL-DONE|install failed|cos-installer: answers", 900)
        if "DONE" not in found.group(0):
            raise RuntimeError(f"the install failed:\n{guest.text()[-3000:]}")
        guest.wait_exit(180)
        results[guest.name] = guest.text()
    except BaseException as exc:  # reported by the caller
        results[guest.name] = exc
    finally:
        guest.stop()


def stranger(guest: vm.VM, accel: str, results: dict) -> None:
    try:
        guest.start(accel)
        guest.expect(r"no document for this machine", 900)
        results[guest.name] = guest.text()
    except BaseException as exc:
        results[guest.name] = exc
    finally:
        guest.stop()


def untouched(disk: Path) -> bool:
    """No byte of the qcow2 disk was ever written (every extent unallocated and zero)."""
    out = subprocess.run(["qemu-img", "map", "--output=json", str(disk)], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    return all(not extent["data"] for extent in json.loads(out))


def payload_fetches(workdir: Path) -> dict[str, int]:
    """Body bytes of the payload serve sent, per client address (its --files-log)."""
    sent: dict[str, int] = {}
    for line in (workdir / "g-files.log").read_text().splitlines():
        found = re.match(r'(\S+) "GET (\S+) [^"]*" (\d+) (\d+)', line)
        if found and found.group(2) == PAYLOAD_URL_PATH:
            sent[found.group(1)] = sent.get(found.group(1), 0) + int(found.group(4))
    return sent


def want(ok: bool, what: str, problems: list[str]) -> None:
    print(f"  {'ok  ' if ok else 'FAIL'} {what}", flush=True)
    if not ok:
        problems.append(f"netboot: {what}")


def run(workdir: Path, netboot: str, accel: str, password: str) -> list[str]:
    problems: list[str] = []
    tree = export_tree(workdir, netboot, password)
    stored = (tree / "cos" / "cos-image.raw.zst").stat().st_size
    hosts = list(e2e_fleet.HOSTS.items())
    disks = {name: e2e_shared.qcow2(workdir / f"g-os-{name}.qcow2", "8G") for name, _ in hosts}
    disks["stranger"] = e2e_shared.qcow2(workdir / "g-os-stranger.qcow2", "8G")
    taps = [f"cosgtap{i}" for i in range(3)]
    with namespace(taps):
        procs = servers(workdir, tree)
        try:
            results: dict = {}
            guests = [netboot_vm(workdir, f"e2e-g-{name}", taps[i], mac, disks[name])
                      for i, (name, (mac, _)) in enumerate(hosts)]  # fmt: skip
            odd = netboot_vm(workdir, "e2e-g-stranger", taps[2], STRANGER, disks["stranger"])
            threads = [threading.Thread(target=install, args=(g, accel, results)) for g in guests]
            threads.append(threading.Thread(target=stranger, args=(odd, accel, results)))
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            reported(hosts, problems)
        finally:
            for p in procs:
                p.terminate()
                p.wait()
    for name, (mac, _) in hosts:
        got = results.get(f"e2e-g-{name}")
        if isinstance(got, BaseException):
            want(False, f"{name} ({mac}) netbooted and installed: {got}", problems)
            continue
        want(True, f"{name} ({mac}) netbooted (iPXE ROM, no medium) and installed", problems)
        want(f"answers/mac/{mac}.yaml: found for mac {mac}" in got,
             f"{name} found its answers by MAC", problems)  # fmt: skip
    got = results.get("e2e-g-stranger")
    said = got if isinstance(got, BaseException) else "no document for this machine"
    want(not isinstance(got, BaseException),
         f"the machine no entry names got no answers ({said})", problems)  # fmt: skip
    want(untouched(disks["stranger"]), "the machine without answers left its disk untouched",
         problems)  # fmt: skip
    fetched = payload_fetches(workdir)
    want(len(fetched) == 2 and all(n == stored + HEAD_FETCH for n in fetched.values()),
         f"each installing VM fetched the payload once ({stored} + {HEAD_FETCH} bytes): {fetched}",
         problems)  # fmt: skip
    name, (mac, address) = hosts[0]
    if not isinstance(results.get(f"e2e-g-{name}"), BaseException):
        report = e2e_shared.installed_report(workdir, accel, disks[name], None,
                                             name=f"e2e-g-installed-{name}", mac=mac)  # fmt: skip
        found = e2e_shared.check_report(
            report, password, hostname=name, address=address, data_disk=False
        )
        problems += [f"netboot {name}: {p}" for p in found]
    return problems

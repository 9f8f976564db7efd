"""Real parts for the hardware probes: network namespaces with veth pairs, dnsmasq, loop disks.

Everything made here has a unique `cit-<random>` name and is removed in teardown.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.realparts import need_root, need_tools

REPO = Path(__file__).resolve().parents[2]


def sh(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, check=check, timeout=30)


def ns_pids(ns: str) -> list[int]:
    out = sh("ip", "netns", "pids", ns, check=False).stdout
    return [int(p) for p in out.split()]


@dataclass
class VethPair:
    """srv end in namespace `srv_ns`, cli end (the probed NIC) in namespace `cli_ns`."""

    srv_ns: str
    cli_ns: str
    srv: str
    cli: str
    cli_mac: str

    def py(self, code: str, timeout: float = 30) -> subprocess.Popen:
        """Start a python program inside the client namespace (its own /sys/class/net)."""
        return subprocess.Popen(
            ["ip", "netns", "exec", self.cli_ns, sys.executable, "-c", code],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def py_json(self, code: str, timeout: float = 30) -> dict:
        proc = self.py(code)
        out, err = proc.communicate(timeout=timeout)
        assert proc.returncode == 0, err
        return json.loads(out.strip().splitlines()[-1])


@pytest.fixture
def veth():
    need_root()
    need_tools("ip")
    tag = secrets.token_hex(3)
    pair = VethPair(
        f"cit-{tag}-s",
        f"cit-{tag}-c",
        f"cit{tag}s",
        f"cit{tag}c",
        "02:c1:7e:" + ":".join(tag[i : i + 2] for i in (0, 2, 4)),
    )
    try:
        sh("ip", "netns", "add", pair.srv_ns)
        sh("ip", "netns", "add", pair.cli_ns)
        sh("ip", "link", "add", pair.srv, "netns", pair.srv_ns, "type", "veth", "peer", "name",
           pair.cli, "netns", pair.cli_ns, "address", pair.cli_mac)  # fmt: skip
        sh("ip", "-n", pair.srv_ns, "link", "set", "lo", "up")
        sh("ip", "-n", pair.cli_ns, "link", "set", "lo", "up")
        yield pair
    finally:
        for ns in (pair.srv_ns, pair.cli_ns):
            for pid in ns_pids(ns):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            sh("ip", "netns", "del", ns, check=False)


@dataclass
class Dnsmasq:
    proc: subprocess.Popen
    gateway: str
    dns: str
    address: str  # the fixed address given to the client's MAC
    hostname: str

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def dnsmasq(veth, tmp_path):
    """dnsmasq serving DHCP on the srv end; the client's MAC gets a fixed address and name."""
    need_tools("dnsmasq")
    net = f"10.{int(veth.srv[3:5], 16) % 200 + 20}.{int(veth.srv[5:7], 16)}"
    server = Dnsmasq(None, f"{net}.1", f"{net}.53", f"{net}.77", "cit-node7")  # type: ignore[arg-type]
    sh("ip", "-n", veth.srv_ns, "addr", "add", f"{net}.1/24", "dev", veth.srv)
    sh("ip", "-n", veth.srv_ns, "link", "set", veth.srv, "up")
    server.proc = subprocess.Popen(
        ["ip", "netns", "exec", veth.srv_ns, "dnsmasq", "--no-daemon", "--conf-file=/dev/null",
         "--port=0", f"--interface={veth.srv}", "--bind-interfaces",
         f"--dhcp-range={net}.50,{net}.90,255.255.255.0,1h",
         f"--dhcp-host={veth.cli_mac},{server.address},{server.hostname}",
         f"--dhcp-option=3,{server.gateway}", f"--dhcp-option=6,{server.dns}",
         f"--dhcp-leasefile={tmp_path / 'leases'}", "--pid-file="],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(0.3)
    assert server.proc.poll() is None, server.proc.stderr.read()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class LoopDisk:
    path: str
    partitions: list[str]


@pytest.fixture
def make_loop_disk(tmp_path):
    """Factory: a sparse file with a GPT (sfdisk) on a loop device, partitions via partx -a.

    The CI kernel parses no partition tables, so `partx -a` (BLKPG) adds loopNpM.
    """
    need_root()
    need_tools("losetup", "sfdisk", "partx")
    made: list[tuple[str, list[str]]] = []
    mounts: list[str] = []

    def make(size_mib: int, parts_mib: list[int], read_only: bool = False) -> LoopDisk:
        image = tmp_path / f"cit-{secrets.token_hex(3)}.img"
        with open(image, "wb") as f:
            f.truncate(size_mib * 1024 * 1024)
        if parts_mib:
            script = "label: gpt\n" + "".join(f"size={m}MiB\n" for m in parts_mib)
            subprocess.run(["sfdisk", "-q", str(image)], input=script, text=True, check=True,
                           capture_output=True)  # fmt: skip
        dev = sh("losetup", "-f", "--show", *(["-r"] if read_only else []), str(image)).stdout
        dev = dev.strip()
        made.append((dev, []))
        parts = []
        if parts_mib:
            sh("partx", "-a", dev, check=False)
            parts = [f"{dev}p{i}" for i in range(1, len(parts_mib) + 1)]
            for p in parts:
                for _ in range(50):
                    if os.path.exists(p):
                        break
                    time.sleep(0.05)
                assert os.path.exists(p), f"partx -a {dev} made no {p}"
        return LoopDisk(dev, parts)

    def mount(device: str, where: Path) -> None:
        where.mkdir(parents=True, exist_ok=True)
        sh("mount", device, str(where))
        mounts.append(str(where))

    make.mount = mount  # type: ignore[attr-defined]
    try:
        yield make
    finally:
        for where in reversed(mounts):
            sh("umount", "-l", where, check=False)
        for dev, _ in made:
            sh("partx", "-d", dev, check=False)
            sh("losetup", "-d", dev, check=False)

"""`serve` against nginx on the same files in the same run (a script, not a timed test).

1. Downloads of a squashfs-sized file (default 256 MiB) by 1, 10 and 50 concurrent clients
   (curl, one process each, bodies discarded): aggregate throughput per server, the median of
   5 rounds in which the two servers take turns going first.
2. Answers look-ups in a 1,000-host fleet (`cos-installer fleet --agents 997`): 2,000 GETs of
   random hosts' answers/mac/<MAC>.yaml over one kept-alive connection; p50 and p99 latency.
   nginx serves `netboot export`'s tree of the same fleet (one file per identity).

nginx runs with the server block `netboot export` renders (cos_installer.netboot.configs) and
`worker_processes auto`, as a site's would; serve is the real `cos-installer serve` command.
Goals: throughput at 50 clients >= 0.9 x nginx's; serve's look-up p99 <= 20 ms.
Run: benchmarks/serve [--size-mib N]  (needs nginx and curl; exit 1 when a goal is missed)
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COS = [sys.executable, "-m", "cos_installer.cli"]
SQUASHFS = "live/filesystem.squashfs"
LOOKUPS = 2000
ROUNDS = 5  # each download figure is the median of 5 (nginx alone moves by up to 30% per run)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int) -> None:
    for _ in range(600):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port}")


def cos(*args: str) -> str:
    done = subprocess.run([*COS, *args], capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"cos-installer {args[0]} failed:\n{done.stderr}")
    return done.stdout


def rack(work: Path, size: int) -> tuple[Path, Path, list[str]]:
    """The 1,000-host fleet, boot files with a `size`-byte squashfs, and the MACs."""
    fleet = work / "fleet.yaml"
    cos("fleet", "--agents", "997", "--first-address", "10.1.0.10/16", "-o", str(fleet))
    boot = work / "boot"
    for rel, data in {"live/vmlinuz": b"k", "live/initrd.img": b"i",
                      "cos/cos-image.raw.zst": b"image"}.items():  # fmt: skip
        (boot / rel).parent.mkdir(parents=True, exist_ok=True)
        (boot / rel).write_bytes(data)
    (boot / "cos/cos-image.raw.zst.sha256").write_text("0" * 64 + "  cos-image.raw.zst\n")
    with open(boot / SQUASHFS, "wb") as f:
        block = os.urandom(1 << 20)
        for _ in range(size >> 20):
            f.write(block)
    macs = [line.split('"')[1] for line in fleet.read_text().splitlines()
            if line.strip().startswith("- match: {mac:")]  # fmt: skip
    return fleet, boot, macs


@contextlib.contextmanager
def nginx(work: Path, fleet: Path, boot: Path):
    port = free_port()
    tree = work / "tree"
    cos("netboot", "export", "--fleet", str(fleet), "--server", f"http://127.0.0.1:{port}/",
        "--out", str(tree), "--boot-files", str(boot), "--dhcp-range",
        "10.1.0.100,10.1.0.199/16")  # fmt: skip
    (work / "nginx").mkdir()
    conf = work / "nginx" / "nginx.conf"
    conf.write_text(f"""daemon off;
user root;
worker_processes auto;
pid {work}/nginx/nginx.pid;
error_log {work}/nginx/error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; client_body_temp_path {work}/nginx/body; include {tree}/nginx.conf; }}
""")
    with running(["nginx", "-c", str(conf)], port) as server:
        yield server


@contextlib.contextmanager
def serve(fleet: Path, boot: Path):
    port = free_port()
    argv = [*COS, "serve", "--fleet", str(fleet), "--boot-dir", str(boot), "--listen",
            f"127.0.0.1:{port}"]  # fmt: skip
    with running(argv, port) as server:
        yield server


@contextlib.contextmanager
def running(argv: list[str], port: int):
    """(port, pid) of a server started from argv, once it listens on port; stopped after."""
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        wait_port(port)
        yield port, proc.pid
    finally:
        proc.terminate()
        proc.wait(30)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, its threads and its children (nginx's workers)."""
    parents, times = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            child = int(stat.parent.name)
            parents[child] = int(fields[1])
            times[child] = int(fields[11]) + int(fields[12])
    family, changed = {pid}, True
    while changed:
        more = {c for c, p in parents.items() if p in family} - family
        family |= more
        changed = bool(more)
    return sum(times.get(p, 0) for p in family) / os.sysconf("SC_CLK_TCK")


def downloads(server: tuple[int, int], clients: int, size: int) -> tuple[float, float]:
    """MB/s over all clients, from the first start to the last finish; the server's CPU
    seconds per GB sent (less swayed by the other jobs on a shared machine)."""
    port, pid = server
    url = f"http://127.0.0.1:{port}/{SQUASHFS}"
    cpu = cpu_seconds(pid)
    started = time.perf_counter()
    argv = ["curl", "-sf", "-o", "/dev/null", "-w", "%{size_download}", url]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) for _ in range(clients)]
    got = [int(p.communicate()[0] or 0) for p in procs]
    took = time.perf_counter() - started
    if got != [size] * clients:
        raise SystemExit(f"port {port}: incomplete downloads: {got}")
    return clients * size / took / 1e6, (cpu_seconds(pid) - cpu) / (clients * size / 1e9)


def lookups(server: tuple[int, int], macs: list[str]) -> tuple[float, float]:
    """p50 and p99 milliseconds of one answers GET, kept-alive connection."""
    port = server[0]
    rng = random.Random(15)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    took = []
    for _ in range(LOOKUPS):
        path = f"/answers/mac/{rng.choice(macs)}.yaml"
        started = time.perf_counter()
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        took.append((time.perf_counter() - started) * 1000)
        if resp.status != 200 or b"hosts:" not in body:
            raise SystemExit(f"port {port}: GET {path}: {resp.status}")
    conn.close()
    qs = statistics.quantiles(took, n=100)
    return qs[49], qs[98]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=256)
    size = parser.parse_args().size_mib << 20
    for tool in ("nginx", "curl"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (scripts/install-debs.sh)")
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        work = Path(tmp)
        fleet, boot, macs = rack(work, size)
        runs: dict[tuple[str, int], list[tuple[float, float]]] = {}
        with nginx(work, fleet, boot) as ng, serve(fleet, boot) as sv:
            servers = [("nginx", ng), ("serve", sv)]
            for _name, server in servers:
                downloads(server, 1, size)  # warm the page cache and the server
            for turn in range(ROUNDS):  # alternate who goes first: the machine is shared
                for clients in (1, 10, 50):
                    for name, server in servers[:: 1 if turn % 2 else -1]:
                        runs.setdefault((name, clients), []).append(
                            downloads(server, clients, size)
                        )
            looked = {"serve": lookups(sv, macs), "nginx": lookups(ng, macs)}
        rows = {key: statistics.median(v[0] for v in values) for key, values in runs.items()}
        cpu = {key: statistics.median(v[1] for v in values) for key, values in runs.items()}
    print(
        f"squashfs-sized file: {size >> 20} MiB; {len(macs)}-host fleet; nginx workers: auto "
        f"({os.cpu_count()} CPUs); load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'clients':>8} {'serve MB/s':>11} {'nginx MB/s':>11} {'serve/nginx':>12} "
        f"{'CPU s/GB serve':>15} {'nginx':>6}"
    )
    for clients in (1, 10, 50):
        s, n = rows["serve", clients], rows["nginx", clients]
        print(
            f"{clients:>8} {s:>11.0f} {n:>11.0f} {s / n:>12.2f} "
            f"{cpu['serve', clients]:>15.2f} {cpu['nginx', clients]:>6.2f}"
        )
    for name, (p50, p99) in looked.items():
        print(f"answers look-up {name}: p50 {p50:.2f} ms, p99 {p99:.2f} ms ({LOOKUPS} GETs)")
    ratio = rows["serve", 50] / rows["nginx", 50]
    ok = ratio >= 0.9 and looked["serve"][1] <= 20
    print(f"goals: 50 clients >= 0.9 x nginx: {ratio:.3f} {'ok' if ratio >= 0.9 else 'MISSED'}; "
          f"look-up p99 <= 20 ms: {looked['serve'][1]:.2f} "
          f"{'ok' if looked['serve'][1] <= 20 else 'MISSED'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

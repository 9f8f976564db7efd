"""Write-stage throughput and memory against `zstd -dc | dd` (a script, not a timed test).

On one machine, in one run, writes the same ~1 GiB zstd payload to the same loop device with
1. `zstd -dc PAYLOAD | dd of=LOOP bs=4M iflag=fullblock oflag=direct conv=fsync`
2. the installer's write stage (BlockDeviceBackend.write_image: decompress, sha256 of the
   stored file while streaming, first MiB held back, fsync), in a fresh Python process,
alternating, and prints both rates, their ratio and the peak RSS of the installer process
(and of its zstd child). The payload is real OS content (files under /usr, padded with
zeros), so it compresses like an OS image does.

Goal: ratio >= 0.95, peak RSS <= 60 MB. Exit 1 when a goal is missed.
Run as root: benchmarks/write_throughput [--size-mib 1024] [--rounds 3] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MIB = 1 << 20


def make_payload(workdir: Path, size: int) -> Path:
    """Concatenate files under /usr up to `size` bytes, compress with zstd -3."""
    raw = workdir / "os.raw"
    done = 0
    with open(raw, "wb") as out:
        for top, dirs, files in os.walk("/usr"):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(top, name)
                if done >= size or os.path.islink(path) or not os.path.isfile(path):
                    continue
                try:
                    with open(path, "rb") as f:
                        while done < size and (data := f.read(min(MIB, size - done))):
                            out.write(data)
                            done += len(data)
                except OSError:
                    continue
            if done >= size:
                break
        out.truncate(size)  # pad with zeros, like the free space of an image
    payload = workdir / "os.raw.zst"
    subprocess.run(
        ["zstd", "-q", "-3", "-T0", "-f", "--rm", str(raw), "-o", str(payload)], check=True
    )
    from tests.payloadkit import write_sha256

    write_sha256(str(payload))
    return payload


def run_dd(payload: Path, loop: str) -> float:
    cmd = (
        f"zstd -dcq '{payload}' | dd of={loop} bs=4M iflag=fullblock oflag=direct "
        "conv=fsync status=none"
    )
    start = time.monotonic()
    subprocess.run(["bash", "-o", "pipefail", "-c", cmd], check=True)
    return time.monotonic() - start


def run_ours(payload: Path, loop: str) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", loop, str(payload)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout)


def decoder() -> str:
    if os.environ.get("COS_INSTALLER_ZSTD_PIPE"):
        return "the zstd program through a pipe (COS_INSTALLER_ZSTD_PIPE set)"
    try:
        import zstandard
    except ImportError:
        return "the zstd program through a pipe (python-zstandard not installed)"
    return f"in-process, python-zstandard {zstandard.__version__}"


def vm_hwm_kib() -> int:
    """Peak RSS of this process image (VmHWM); ru_maxrss would include the parent's at exec."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))


def child(loop: str, payload: str) -> None:
    """The write stage in a fresh process; prints seconds and peak RSS as JSON."""
    from cos_installer.install.backends.block import BlockDeviceBackend
    from cos_installer.install.payload import inspect_payload

    backend = BlockDeviceBackend(loop)
    info = inspect_payload(payload)
    base = vm_hwm_kib()
    start = time.monotonic()
    written = backend.write_image(info)
    seconds = time.monotonic() - start
    result = {
        "seconds": seconds,
        "written": written,
        "rss_kib_before": base,
        "rss_kib": vm_hwm_kib(),
        # ru_maxrss of a child carries over its parent's size at exec: an upper bound
        "child_rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }
    print(json.dumps(result))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", default="/var/tmp")
    parser.add_argument("--child", nargs=2, metavar=("LOOP", "PAYLOAD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    if os.geteuid() != 0:
        print("write_throughput: needs root (loop devices)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="cos-bench-", dir=args.workdir))
    loop = ""
    try:
        size = args.size_mib * MIB
        t0 = time.monotonic()
        payload = make_payload(work, size)
        print(
            f"payload: {size // MIB} MiB of /usr content -> {payload.stat().st_size / MIB:.0f} "
            f"MiB zstd ({size / payload.stat().st_size:.2f}x), built in "
            f"{time.monotonic() - t0:.0f} s"
        )
        disk = work / "disk.img"
        with open(disk, "wb") as f:
            f.truncate(size + 64 * MIB)
        loop = subprocess.run(
            ["losetup", "--find", "--show", str(disk)], check=True, capture_output=True, text=True
        ).stdout.strip()
        run_dd(payload, loop)  # warm-up: page cache of the payload, backing file allocated
        dd_times, ours, cpu = [], [], os.cpu_count()
        for i in range(args.rounds):
            dd_times.append(run_dd(payload, loop))
            ours.append(run_ours(payload, loop))
            print(
                f"round {i + 1}: dd {size / dd_times[-1] / 1e6:7.1f} MB/s   write stage "
                f"{size / ours[-1]['seconds'] / 1e6:7.1f} MB/s"
            )
        dd_rate = size / statistics.median(dd_times) / 1e6
        our_rate = size / statistics.median(o["seconds"] for o in ours) / 1e6
        dd_best = size / min(dd_times) / 1e6
        our_best = size / min(o["seconds"] for o in ours) / 1e6
        rss = max(o["rss_kib"] for o in ours) / 1024
        zstd_rss = max(o["child_rss_kib"] for o in ours) / 1024
        ratio = our_rate / dd_rate
        print(f"machine: {cpu} CPUs, loop device {loop} over a sparse file in {args.workdir}")
        print(f"zstd decoding in the write stage: {decoder()}")
        print(f"zstd -dc | dd (median): {dd_rate:.1f} MB/s")
        print(f"write stage, sha256 verified (median): {our_rate:.1f} MB/s")
        print(f"best of {args.rounds}: dd {dd_best:.1f} MB/s, write stage {our_best:.1f} MB/s")
        print(
            f"ratio of the medians: {ratio:.3f} (goal >= 0.95); of the best runs: "
            f"{our_best / dd_best:.3f}"
        )
        print(f"peak RSS of the installer process: {rss:.1f} MB (goal <= 60 MB)")
        print(f"peak RSS of its zstd decompressor: <= {zstd_rss:.1f} MB")
        print(f"(the installer process before writing: {ours[0]['rss_kib_before'] / 1024:.1f} MB)")
        return 0 if ratio >= 0.95 and rss <= 60 else 1
    finally:
        if loop:
            subprocess.run(["losetup", "--detach", loop], check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

"""Power-on to the first wizard frame on the VGA console and on the serial line, for two ISOs
booted side by side (same machine, same load): the one built before a change and after it.

Each ISO boots through its GRUB menu (BIOS, QEMU standard VGA, TCG unless KVM works) and no key
is pressed anywhere. Serial: the Welcome text on the line. VGA: the Welcome read by OCR from a
QMP screendump taken every 2 s once the installer has started on the serial line (OCR before
that would slow both boots; so +-2 s plus the OCR time). An ISO whose VGA console shows no
wizard without a key counts as "none". Also prints each ISO's live part (/live on the medium).

Goal: each time <= 1.1x the ISO before the change.
Run: .venv/bin/python benchmarks/boot_to_wizard.py BEFORE.iso AFTER.iso [--workdir DIR]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "iso"))
import e2e_vga  # noqa: E402
import vm  # noqa: E402

LIMIT = 600  # seconds


def live_part(iso: str) -> dict[str, int]:
    listing = subprocess.run(["xorriso", "-indev", iso, "-lsl", "/live"], capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    sizes = {}
    for line in listing.splitlines():
        found = re.search(r"\s(\d+)\s+\S+\s+\S+\s+\S+\s+'([^']+)'$", line)
        if found:
            sizes[found.group(2)] = int(found.group(1))
    return sizes


def boot(iso: str, name: str, workdir: Path, accel: str, result: dict) -> None:
    guest = vm.VM(name, str(workdir))
    guest.args += ["-vga", "std"]
    guest.cdrom(iso, bootindex=1)
    guest.nic(link=True)
    guest.start(accel)
    started = guest.started
    result.update(serial=None, vga=None)
    try:
        while time.monotonic() - started < LIMIT and None in (result["serial"], result["vga"]):
            guest._pump(0.5)
            now = time.monotonic() - started
            if result["serial"] is None and e2e_vga.WELCOME in guest.text():
                result["serial"] = now
            up = "COS-INSTALLER-START" in guest.text()  # OCR only from then: it costs CPU
            if up and result["vga"] is None and result.get("next_shot", 0) <= now:
                result["next_shot"] = now + 2
                shot = e2e_vga.screenshot(guest, workdir, f"{name}-vga")
                text = e2e_vga.squeeze(e2e_vga.ocr(shot))
                if e2e_vga.squeeze(e2e_vga.WELCOME) in text:
                    result["vga"] = now
                elif "installerisrunningontty" in text.lower() and result["serial"] is not None:
                    result["vga"] = "none"  # the take-over prompt, no wizard without a key
    finally:
        guest.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="boot-to-wizard-"))
    workdir.mkdir(parents=True, exist_ok=True)
    kernel = vm.extract_from_iso(args.after, str(workdir), "/live/vmlinuz")[0]
    accel = vm.accelerator(kernel)
    results: dict[str, dict] = {"before": {}, "after": {}}
    threads = [threading.Thread(target=boot, args=(iso, f"bench-{key}", workdir, accel,
                                                   results[key]))
               for key, iso in (("before", args.before), ("after", args.after))]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    def fmt(value: object) -> str:
        return f"{value:6.1f} s" if isinstance(value, float) else f"{value!s:>8}"

    print(f"accelerator {accel}; power-on to the first wizard frame, no key pressed:")
    print(f"{'ISO':8} {'serial':>8} {'VGA':>8}  live part (/live)")
    for key, iso in (("before", args.before), ("after", args.after)):
        sizes = live_part(iso)
        total = sum(sizes.values())
        parts = ", ".join(f"{n} {s / 2**20:.1f}" for n, s in sorted(sizes.items()))
        r = results[key]
        print(f"{key:8} {fmt(r['serial'])} {fmt(r['vga'])}  {total / 2**20:.1f} MiB ({parts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

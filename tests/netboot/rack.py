"""A worked rack for the netboot tests: `cos-installer fleet`'s 3 controllers + 3 agents with
the placeholders filled in, matched by MAC, DMI UUID, DMI serial and disk serial."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import yaml

PASSWORD = "Rack-Pass-7731"
MATCHES = [
    {"mac": "52:54:00:aa:00:01"},
    {"system_uuid": "6B1C0A52-3F0E-4D2C-9A55-0C05E0D0A001"},  # the demo profile's
    {"system_serial": "RACK-SN-3"},
    {"mac": ["52:54:00:aa:01:01", "52:54:00:aa:01:11"]},
    {"disk_serial": "S3Z1NB0K"},
    {"mac": "52:54:00:aa:01:03", "system_serial": "RACK-SN-6"},
]


def fleet_file(tmp: Path, *, matches: list[dict] = MATCHES) -> Path:
    text = subprocess.run(
        [sys.executable, "-m", "cos_installer.cli", "fleet", "--first-address", "10.0.0.10/24"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    data = yaml.safe_load(text)
    data["system"]["password"] = PASSWORD
    data["agent"]["install_code"] = "6271"
    data["network"]["interface"] = {"linked": "first"}  # not every entry matches by MAC
    for entry, match in zip(data["hosts"], matches, strict=True):
        entry["match"] = match
    path = tmp / "rack.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def boot_files(tmp: Path) -> Path:
    """Stand-ins for `make netboot`'s output (the live system and the payload)."""
    root = tmp / "bootfiles"
    for rel, data in {
        "live/vmlinuz": b"kernel",
        "live/initrd.img": b"initrd",
        "live/filesystem.squashfs": b"squashfs",
        "cos/cos-image.raw.zst": b"image",
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    digest = hashlib.sha256(b"image").hexdigest()
    (root / "cos/cos-image.raw.zst.sha256").write_text(f"{digest}  cos-image.raw.zst\n")
    (root / "cos/cos-image.raw.zst.size").write_text("5\n")
    return root


def export(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cos_installer.cli", "netboot", "export", *args],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip

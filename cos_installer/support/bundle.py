"""The diagnostics bundle (the guide's `cspherectl snap`, FAQ 5.1): one .tar.gz a support
engineer can use, with no secret in it.

It holds the install log, a fresh probe (JSON), the last rendered cloud-config (kept beside the
log by the wizard, redacted), lsblk/blkid/ip addr/ip route output and the kernel log tail.
Each command runs with a timeout; a missing tool or a failing command is recorded in
commands.txt, never fatal; a command that printed nothing still gets its member, saying
so. Everything is passed through `redact()` on the way in, so a secret
that reached a file by mistake still does not leave the machine.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time

from cos_installer.common import private
from cos_installer.support.installlog import CONFIG_NAME, PROBE_NAME
from cos_installer.support.redact import redact

TIMEOUT_S = 10.0
KERNEL_LINES = 300
COMMANDS: list[tuple[str, list[list[str]]]] = [
    (
        "lsblk.txt",
        [
            [
                "lsblk",
                "-o",
                "NAME,KNAME,SIZE,TYPE,FSTYPE,LABEL,MOUNTPOINT,MODEL,SERIAL,TRAN,RO,RM,HOTPLUG",
            ]
        ],
    ),  # fmt: skip
    ("lsblk.json", [["lsblk", "-J", "-O"]]),
    ("blkid.txt", [["blkid"]]),
    ("ip-addr.txt", [["ip", "addr"]]),
    ("ip-route.txt", [["ip", "route"]]),
    ("kernel-log.txt", [["dmesg", "-T"], ["dmesg"], ["journalctl", "-k", "-b", "--no-pager"]]),
    ("uname.txt", [["uname", "-a"]]),
]


def _run(argv: list[str], timeout: float) -> tuple[str, str]:
    """(output, one line for commands.txt); never raises."""
    if shutil.which(argv[0]) is None:
        return "", f"{' '.join(argv)}: not run: {argv[0]} is not installed"
    started = time.monotonic()
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, errors="replace", timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return "", f"{' '.join(argv)}: timed out after {timeout:.0f} s"
    except OSError as exc:
        return "", f"{' '.join(argv)}: could not run: {exc.strerror}"
    took = time.monotonic() - started
    line = f"{' '.join(argv)}: exit {proc.returncode} in {took:.1f} s"
    if proc.stderr.strip():
        line += f"; stderr: {proc.stderr.strip()[:500]}"
    return proc.stdout, line


def _probe(profile: str | None, kept: str) -> tuple[str, str]:
    try:
        from cos_installer.hardware import open_machine, snapshot_json

        snap = snapshot_json(open_machine(profile))
        return json.dumps(snap, indent=2, default=str) + "\n", "probe: ok"
    except Exception as exc:  # a probe that fails is itself worth reporting
        note = f"probe: failed: {exc}"
        kept_text = _read(kept)
        if kept_text is not None:
            return kept_text, note + f" (the wizard's probe from {kept} is included)"
        return json.dumps({"error": str(exc)}) + "\n", note


def _read(path: str) -> str | None:
    try:
        return private.read_text(path)
    except OSError:
        return None


def _first_output(name: str, candidates: list[list[str]], timeout: float, notes: list[str]) -> str:
    """The output of the first candidate command that prints something; when none does, what
    each did instead (an empty `blkid` on a disk without signatures is itself a fact)."""
    tried = []
    for argv in candidates:
        out, line = _run(argv, timeout)
        notes.append(line)
        tried.append(line)
        if out.strip():
            if name == "kernel-log.txt":
                out = "\n".join(out.splitlines()[-KERNEL_LINES:]) + "\n"
            return out
    return "".join(f"# no output: {line}\n" for line in tried)


def collect(
    log_path: str, profile: str | None = None, timeout: float = TIMEOUT_S
) -> dict[str, str]:
    """name -> text of every file of the bundle, redacted."""
    logdir = os.path.dirname(os.path.abspath(log_path))
    files: dict[str, str] = {}
    notes: list[str] = []
    for name, path in (("install.log", log_path), (CONFIG_NAME, os.path.join(logdir, CONFIG_NAME))):
        text = _read(path)
        if text is None:
            notes.append(f"{name}: not found at {path}")
        else:
            files[name] = text
    files[PROBE_NAME], note = _probe(profile, os.path.join(logdir, PROBE_NAME))
    notes.append(note)
    for name, candidates in COMMANDS:
        files[name] = _first_output(name, candidates, timeout, notes)
    from cos_installer import __version__

    header = [
        f"cos-installer {__version__} diagnostics bundle",
        f"host {socket.gethostname()}, {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}",
        f"log {log_path}" + (f", machine profile {profile}" if profile else ""),
        "",
    ]
    files["commands.txt"] = "\n".join(header + notes) + "\n"
    return {name: redact(text) for name, text in files.items()}


def write_bundle(
    log_path: str,
    profile: str | None = None,
    out_dir: str | None = None,
    timeout: float = TIMEOUT_S,
) -> str:
    """Write the bundle; returns the path of the .tar.gz (mode 0600), by default in $TMPDIR
    or /tmp. Raises OSError (UnsafePathError for a planted name or a foreign directory)."""
    host = re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname()) or "host"
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    base = f"cos-installer-snap-{host}-{stamp}"
    path = os.path.join(out_dir or tempfile.gettempdir(), base + ".tar.gz")
    files = collect(log_path, profile, timeout)
    fd = private.open_new(path)  # O_EXCL|O_NOFOLLOW: a name planted in /tmp is refused
    with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for name in sorted(files):
            data = files[name].encode("utf-8")
            info = tarfile.TarInfo(f"{base}/{name}")
            info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
            tar.addfile(info, io.BytesIO(data))
    return path

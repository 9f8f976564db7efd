"""Start-up and memory of the wizard, in one run (a script, not a timed test).

1. Time from starting `cos-installer --dry-run --machine demo` in an 80x24 pty to its first
   complete Welcome frame (the key bar, the last row, drawn), and to the frame showing the
   probe results; against `python -c 'import urwid'` with the same interpreter.
2. Peak RSS (VmHWM) of the wizard over a full controller dry-run walk, driven in tmux.

Goal: first frame <= 2x the bare import; peak RSS <= 60 MB.
Run: benchmarks/startup  (or .venv/bin/python benchmarks/startup.py)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import secrets
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
INSTALLER = [str(BIN / "cos-installer"), "--dry-run", "--machine", "demo"]
FIRST_FRAME = b"Enter begin"  # the key bar: the last row of the Welcome frame
PROBED = b"Found 3 network"
RUNS = 7


def bare_import() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import urwid"], check=True)
    return time.perf_counter() - started


def to_first_frame() -> tuple[float, float]:
    """Seconds to the first complete Welcome frame and to the frame with the probe results."""
    pid, fd = pty.fork()
    if pid == 0:  # child: the wizard on the pty
        os.environ.update(TERM="linux", LANG="C.UTF-8")
        os.execv(INSTALLER[0], INSTALLER)
    started = time.perf_counter()
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen, first, probed = b"", None, None
    try:
        while probed is None and time.perf_counter() - started < 10:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
            now = time.perf_counter() - started
            if first is None and FIRST_FRAME in seen:
                first = now
            if PROBED in seen:
                probed = now
        os.write(fd, b"\x03")  # Ctrl+C: leave
        time.sleep(0.05)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(fd)
    if first is None or probed is None:
        raise SystemExit(f"no Welcome frame seen; output was:\n{seen[-2000:]!r}")
    return first, probed


class Tmux:
    def __init__(self) -> None:
        self.socket = f"bench-{secrets.token_hex(4)}"
        cmd = " ".join(INSTALLER) + "; sleep 5"
        self.tmux("new-session", "-d", "-x", "80", "-y", "24", "-s", "b", f"cd {ROOT} && {cmd}")
        self.tmux("set-option", "-t", "b", "escape-time", "0")

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True
        ).stdout

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "b", key)

    def text(self, text: str) -> None:
        self.tmux("send-keys", "-t", "b", "-l", text)

    def wait(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.tmux("capture-pane", "-p", "-t", "b"):
            if time.monotonic() > deadline:
                raise SystemExit(f"walk: {text!r} not shown")
            time.sleep(0.03)

    def installer_pid(self) -> int:
        shell = self.tmux("display-message", "-p", "-t", "b", "#{pane_pid}").strip()
        out = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True).stdout
        return int(out.split()[0]) if out.split() else int(shell)

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def peak_rss_walk() -> int:
    """VmHWM (kB) of the wizard at the Done screen of a full controller dry-run walk."""
    t = Tmux()
    try:
        t.wait("Found 3 network")
        pid = t.installer_pid()
        head = ["Which role", "HTTP Port:", "Enable the controller HA", "HostName:"]
        for key, marker in [("Enter", m) for m in head]:
            t.keys(key)
            t.wait(marker)
        t.text("controller1")
        t.keys("Tab")
        t.text("cos")
        t.keys("Tab")
        t.text("cos")
        for key, marker in [("Enter", "[NoLink]"), ("Enter", "Pre-filled"),
                            ("Enter", "Choose the disk"), ("Enter", "Optional: a second"),
                            ("Down", "Optional"), ("Space", "Optional"), ("Enter", "ALL DATA"),
                            ("Tab", "[ Erase and install ]"),  # the Summary drops it: too early
                            ("Enter", "Press Enter to review"), ("Enter", "#cloud-config"),
                            ("Enter", "installation is complete")]:  # fmt: skip
            if marker == "Press Enter to review":  # the Summary takes keys after 1 s: Tab, Enter
                time.sleep(1.3)
                t.keys("Tab")
            t.keys(key)
            t.wait(marker)
        status = Path(f"/proc/{pid}/status").read_text()
        hwm = next(line for line in status.splitlines() if line.startswith("VmHWM"))
        t.keys("Enter")
        return int(hwm.split()[1])
    finally:
        t.kill()


def main() -> int:
    os.chdir(ROOT)
    bare = [bare_import() for _ in range(RUNS)]
    frames = [to_first_frame() for _ in range(RUNS)]
    bare_s = statistics.median(bare)
    first_s = statistics.median(f for f, _ in frames)
    probed_s = statistics.median(p for _, p in frames)
    print(f"python -c 'import urwid'          median of {RUNS}: {bare_s * 1000:6.0f} ms")
    print(f"first complete Welcome frame       median of {RUNS}: {first_s * 1000:6.0f} ms "
          f"({first_s / bare_s:.2f}x the bare import; goal <= 2x)")  # fmt: skip
    print(f"Welcome frame with probe results   median of {RUNS}: {probed_s * 1000:6.0f} ms")
    ok = first_s <= 2 * bare_s
    if shutil.which("tmux"):
        kb = peak_rss_walk()
        print(f"peak RSS over a full dry-run walk: {kb / 1024:6.1f} MB (goal <= 60 MB)")
        ok = ok and kb <= 60 * 1024
    else:
        print("peak RSS: skipped (tmux not installed)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

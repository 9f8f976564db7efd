"""Drive the real `cos-installer` in a real terminal: tmux on a private socket, 80x24,
send-keys and capture-pane, polling with a timeout instead of fixed sleeps."""

from __future__ import annotations

import os
import secrets
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = Path(sys.executable).parent / "cos-installer"


PRIVATE_TMP = ("TMPDIR", "XDG_RUNTIME_DIR")  # the session's own (tests/conftest.py private_tmp)


class Tmux:
    def __init__(self, cols: int = 80, rows: int = 24) -> None:
        self.socket = f"cit-{secrets.token_hex(4)}"
        self.cols, self.rows = cols, rows
        self._tmux("new-session", "-d", "-x", str(cols), "-y", str(rows), "-s", "t",
                   "env", "-i", f"PATH={os.environ.get('PATH', '/usr/bin:/bin')}",
                   "HOME=/tmp", "LANG=C.UTF-8", "TERM=screen", "PS1=$ ",
                   *(f"{k}={os.environ[k]}" for k in PRIVATE_TMP if k in os.environ),
                   "bash", "--norc", "--noprofile")  # fmt: skip
        self._tmux("set-option", "-t", "t", "status", "off")
        self._tmux("set-option", "-t", "t", "escape-time", "0")
        self._tmux("set-window-option", "-t", "t", "aggressive-resize", "off")
        self.wait_for("$")

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, timeout=10, check=True)  # fmt: skip
        return done.stdout

    def run(self, command: str, term: str = "screen") -> None:
        """Type a shell command line (TERM set for the program only) and Enter."""
        self.send_text(f"cd {shlex.quote(str(ROOT))} && TERM={term} {command}; echo EXIT=$?")
        self.keys("Enter")

    def send_text(self, text: str) -> None:
        self._tmux("send-keys", "-t", "t", "-l", text)

    def keys(self, *keys: str) -> None:
        for key in keys:
            self._tmux("send-keys", "-t", "t", key)

    def burst(self, *keys: str) -> None:
        """Several keys in one send-keys: they reach the program in one read, like a double
        press, a bounce or keys queued on a serial line."""
        self._tmux("send-keys", "-t", "t", *keys)

    def confirm_summary(self) -> None:
        """Erase on the Summary as an operator does: after it has been read for more than the
        one-second guard, Tab to [Erase and install], Enter."""
        self.wait_for("[ Erase and install ]")
        time.sleep(1.3)
        self.keys("Tab", "Enter")

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "t")

    def joined(self) -> str:
        """The pane with wrapped lines joined back (for messages longer than a row)."""
        return self._tmux("capture-pane", "-p", "-J", "-t", "t")

    def wait_for(self, text: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if text in shown:
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not shown within {timeout} s; screen:\n{shown}")
            time.sleep(0.03)

    def resize(self, cols: int, rows: int) -> None:
        self._tmux("resize-window", "-t", "t", "-x", str(cols), "-y", str(rows))

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True,
                       timeout=10)  # fmt: skip

"""The install log: one readable line per event, plus the commands the backends ran, and the
wizard's notes (`Journal`); where it lives, and the files kept beside it for the bundle.

It is one more listener on the event bus. It never sees the rendered config or the answers
(only their sizes), so neither the password nor the install code can reach it.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterable

from cos_installer.common import private
from cos_installer.support.events import Event
from cos_installer.support.redact import redact

DEFAULT_LOG = "/var/log/cos-installer/install.log"
CONFIG_NAME = "cloud-config.redacted.yaml"
PROBE_NAME = "probe.json"


def default_log(dry_run: bool, environ: dict[str, str] | None = None) -> str:
    """/var/log/cos-installer/install.log on the live system. A dry run (a laptop user may not
    write /var/log) logs under $XDG_RUNTIME_DIR when it is this user's private directory, else
    in a fresh mkdtemp directory: never a fixed /tmp name another user could plant first."""
    if not dry_run and os.geteuid() == 0:
        return DEFAULT_LOG
    runtime = (os.environ if environ is None else environ).get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(runtime):
        try:
            private.check_dir(runtime)
            return os.path.join(runtime, "cos-installer", "install.log")
        except OSError:
            pass
    return os.path.join(private.fresh_dir(f"cos-installer-{os.geteuid()}-"), "install.log")


def _write_private(path: str, text: str) -> None:
    private.replace_file(path, text.encode("utf-8"))


def keep_config(user_data: str, log_path: str, secrets: Iterable[str] = ()) -> str:
    """Keep the rendered cloud-config, redacted, beside the log; returns its path."""
    path = os.path.join(os.path.dirname(os.path.abspath(log_path)), CONFIG_NAME)
    _write_private(path, redact(user_data, secrets))
    return path


def keep_probe(snapshot: dict, log_path: str) -> str:
    """Keep what the wizard probed (snapshot_json) beside the log; returns its path."""
    path = os.path.join(os.path.dirname(os.path.abspath(log_path)), PROBE_NAME)
    _write_private(path, json.dumps(snapshot, indent=2, default=str) + "\n")
    return path


def _stamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class LogListener:
    def __init__(self, path: str) -> None:
        self.path = path
        fd = private.open_append(path)  # never through a planted symlink or foreign directory
        self._file = os.fdopen(fd, "a", encoding="utf-8")
        self._lines: list[str] = []
        self.error: OSError | None = None  # the log file stopped taking lines (ENOSPC)
        self._lock = threading.Lock()
        self._last_tenth = -1
        self._last_time = 0.0

    def _write(self, line: str) -> None:
        with self._lock:
            self._lines.append(line)
            if not self._file.closed and self.error is None:
                try:
                    self._file.write(line + "\n")
                    self._file.flush()
                except OSError as exc:  # a full /var/log must not stop (or half-stop) a write
                    self.error = exc

    def note(self, text: str) -> None:
        for line in text.rstrip("\n").splitlines():
            self._write(f"{_stamp()}   {line}")

    def __call__(self, event: Event) -> None:
        if event.kind == "progress":
            tenth = event.done * 10 // event.total if event.total else -1
            now = time.monotonic()
            if tenth == self._last_tenth and now - self._last_time < 5:
                return
            self._last_tenth, self._last_time = tenth, now
            pct = f"{100 * event.done / event.total:.0f}%" if event.total else "?"
            line = f"{event.done} bytes ({pct}), {event.rate / 1e6:.1f} MB/s"
        else:
            line = event.message
        self._write(f"{_stamp()} [{event.stage or '-'}] {event.kind}: {line}".rstrip(": "))

    def redacted_copy(self) -> bytes:
        """The whole log file (the wizard's probes and choices precede this run's stages),
        redacted again; this run's lines when the file cannot be read."""
        try:
            text = private.read_text(self.path)  # not /dev/stdout, a fifo or a symlink
        except (OSError, TypeError):
            text = self.text()
        return redact(text).encode()

    def text(self) -> str:
        with self._lock:
            return "\n".join(self._lines) + "\n"

    def close(self) -> None:
        with self._lock:
            try:
                self._file.close()
            except OSError as exc:  # the last flush failed
                self.error = self.error or exc


class Journal:
    """The wizard's side of the install log: probes, choices, outcomes, one line each, into
    the same file (and through the same LogListener) the install pipeline appends to."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._log = LogListener(path)

    def note(self, text: str) -> None:
        self._log.note(redact(text))

    def close(self) -> None:
        self._log.close()

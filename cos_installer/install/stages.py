"""The install's stages and how one install runs through them: each stage announced on the
event bus (the one list of stage titles that the wizard, `install`'s printer and the log
share), any failure in it turned into a StageError with the stage, the device, the cause and
the next step, and the result."""

from __future__ import annotations

import contextlib
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field

from cos_installer.install import blockdev, testhook
from cos_installer.install.backends.base import ERRNO_HINTS, Backend, BackendError
from cos_installer.install.payload import PayloadError
from cos_installer.install.preflight import (
    CheckError,
)
from cos_installer.install.stream import Cancelled, Progress
from cos_installer.support.advice import on_the_disk
from cos_installer.support.events import Event, EventBus, Listener
from cos_installer.support.installlog import LogListener

TITLES = {
    "preflight": "Checking the disks, the OS image and the configuration",
    "wipe": "Erasing old signatures",
    "write": "Writing the OS image",
    "reread": "Re-reading the partition table",
    "config": "Writing the cloud-config",
    "data-disk": "Preparing the Docker data disk",
    "finish": "Finishing",
}


@dataclass
class InstallResult:
    ok: bool
    stage: str  # the stage that failed, or "finished"
    message: str  # one sentence: stage, device, cause, next step
    user_data: str = ""
    plan: list[str] = field(default_factory=list)
    device: str = ""
    cause: str = ""
    hint: str = ""
    root: str = ""  # the ROOT partition written to


class StageError(Exception):
    def __init__(self, stage: str, device: str, cause: str, hint: str = "") -> None:
        super().__init__(cause)
        self.stage, self.device, self.cause, self.hint = stage, device, cause, hint

    def sentence(self, reset: str) -> str:
        """A failure on the disk opens with the guide's line (FAQ 5.3), as the wizard's error
        screen does (advice.explain); preflight and a cancel keep the plain form."""
        if on_the_disk(self.stage, self.cause):
            head = f"ERROR on Installing COS To Device {self.device}: stage {self.stage} failed"
        else:
            where = f" on {self.device}" if self.device else ""
            head = f"Install failed at stage {self.stage}{where}"
        hint = f"; {self.hint}" if self.hint else ""
        return f"{head}: {self.cause}{hint}{reset}."


class Run:
    """One install: the bus, the log, the disks touched, the current stage."""

    def __init__(self, listener: Listener, log_path: str | None, cancel: threading.Event | None):
        self.log: LogListener | None = None
        self.log_error: OSError | None = None  # reported by preflight, before any disk change
        try:
            self.log = LogListener(log_path) if log_path else None
        except OSError as exc:
            self.log_error = exc
        self.bus = EventBus(listener, *([self.log] if self.log else []))
        self.cancel = cancel
        self.touched: list[Backend] = []
        self.backends: list[Backend] = []

    def note(self, line: str) -> None:
        if self.log:
            self.log.note(line)

    def flush_backend_logs(self) -> None:
        for b in self.backends:
            lines = getattr(b, "log_lines", None)
            if lines:
                for line in lines:
                    self.note(line)
                lines.clear()

    @contextlib.contextmanager
    def stage(self, name: str, backend: Backend, *, writes: bool = False) -> Iterator[None]:
        """One stage; `writes`: it changes the disk, which is then reset after a failure
        (only then: a cancel before the first write leaves the disk as it was)."""
        device = backend.describe()
        testhook.pause_before(name)
        if self.cancel is not None and self.cancel.is_set():
            raise StageError(name, device, "cancelled by the user before this stage")
        if writes and backend not in self.touched:
            self.touched.append(backend)
        self.bus.emit(Event("stage-start", name, TITLES[name], data={"device": device}))
        try:
            yield
        except StageError:
            raise
        except CheckError as exc:
            raise StageError(name, exc.device or device, exc.cause, exc.hint) from exc
        except (BackendError, PayloadError) as exc:
            where = getattr(exc, "device", "") or device
            raise StageError(name, where, exc.cause, exc.hint) from exc
        except Cancelled as exc:
            raise StageError(
                name, device, f"cancelled by the user after {exc.args[0]} bytes"
            ) from exc
        except blockdev.CommandError as exc:
            raise StageError(name, device, str(exc)) from exc
        except OSError as exc:
            cause = f"{exc.strerror or exc} (errno {exc.errno})"
            hint = ERRNO_HINTS.get(exc.errno, "check the disk and the kernel log (dmesg)")
            raise StageError(name, device, cause, hint) from exc
        except Exception as exc:  # a bug: report it like a failure, keep the traceback in the log
            self.note(traceback.format_exc())
            raise StageError(name, device, f"internal error: {exc!r}", "report a bug") from exc
        finally:
            self.flush_backend_logs()
        self.bus.emit(Event("stage-end", name, data={"device": device}))

    def progress(self, p: Progress) -> None:
        self.flush_backend_logs()
        self.bus.emit(
            Event(
                "progress", "write", "", p.done, p.total, p.rate, p.eta, {"estimated": p.estimated}
            )
        )

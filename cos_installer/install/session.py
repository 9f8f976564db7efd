"""One install, for both front ends (the wizard and `cos-installer install`): open the target's
backend, run the pipeline over the InstallConfig, close the backend (an image file's loop
device is detached there), and keep the rendered cloud-config, redacted, beside the log for the
diagnostics bundle (`cos-installer snap`).

    session = Session(config, dry_run=False, log_path=log)
    backend = session.open()          # BackendError / OSError: nothing was written
    result = session.run(listener, cancel=cancel)   # closes the backend, keeps the config

With a report target (`report=`, or the answers' `report:`), the run's events also go to that
URL (install.reporting): a failure to open the disk is reported too, and the lines about
events that could not be sent end up in the log (`report_lines`).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

from cos_installer.answers.model import InstallConfig
from cos_installer.install import backends
from cos_installer.install.backends.base import Backend
from cos_installer.install.pipeline import run_install
from cos_installer.install.reporting import Reporter, ReportTarget, choose_target, machine_identity
from cos_installer.install.stages import InstallResult
from cos_installer.render.config import render_config
from cos_installer.support.events import EventBus, Listener
from cos_installer.support.installlog import Journal, keep_config
from cos_installer.support.report import Sender


class Session:
    """`config`: the validated answers; `payload`: the OS image (None: the install media's,
    found through `machine`); `log_path`: the install log the pipeline appends to (None:
    none kept); `report`: where events go (--report or cos.report=; None: the answers'
    report:, if any); `sender`: makes the Sender (tests give it a fake clock)."""

    def __init__(
        self,
        config: InstallConfig,
        *,
        dry_run: bool,
        payload: str | None = None,
        machine: Any = None,
        log_path: str | None = None,
        report: ReportTarget | None = None,
        sender: Callable[..., Sender] = Sender,
    ) -> None:
        if report is not None and report.url != config.report:  # the first boot's unit too
            config = dataclasses.replace(config, report=report.url)
        self.config = config
        self.dry_run = dry_run
        self.payload = payload
        self.machine = machine
        self.log_path = log_path
        self.backend: Backend | None = None
        self.problem: str | None = None  # why the rendered config could not be kept
        self.target = report or choose_target(None, None, config.report)
        self.make_sender = sender
        self.reporter: Reporter | None = None
        self.report_lines: list[str] = []  # what could not be sent (also in the log)

    @property
    def secrets(self) -> list[str]:
        """What is redacted from the kept config besides the password hash."""
        agent = self.config.agent
        return [agent.install_code] if agent is not None and agent.install_code else []

    def open(self, target: str | None = None, **options: Any) -> Backend:
        """The backend for `target` (default: the config's disk); `options` as open_backend's
        (create_size, image_file, force). Raises BackendError or OSError."""
        try:
            self.backend = backends.open_backend(
                target or self.config.disk, dry_run=self.dry_run, **options
            )
        except Exception as exc:
            self._end_report(exc, target or self.config.disk)
            raise
        return self.backend

    def close(self) -> None:
        if self.backend is not None:
            self.backend.close()
            self.backend = None

    def run(
        self, listener: Listener, *, cancel: threading.Event | None = None, **options: Any
    ) -> InstallResult:
        """Run the pipeline (`options` as run_install's: keep_on_error, clear_holders, chosen,
        chosen_data), then close the backend and keep the rendered config. Expected failures
        are in the result; opening the backend here may raise as `open` does."""
        backend = self.backend or self.open()
        reporter = self._start_report(backend.device)
        if reporter is not None and self.target is not None:
            listener = EventBus(listener, reporter)
            said = f"events: sent to {reporter.sender.shown} ({self.target.source})"
            options["notes"] = (*options.get("notes", ()), said)
        try:
            result = run_install(
                self.config,
                backend=backend,
                payload=self.payload,
                listener=listener,
                cancel=cancel,
                machine=self.machine,
                log_path=self.log_path,
                **options,
            )
        except BaseException as exc:
            self._end_report(exc, backend.device)
            raise
        finally:
            self.close()
        self._end_report(result, backend.device)
        self.problem = self.keep_config(result.user_data)
        return result

    def _start_report(self, device: str) -> Reporter | None:
        """The run's reporter, once, its "started" event queued (None: no report target)."""
        if self.target is None or self.reporter is not None:
            return self.reporter
        sender = self.make_sender(self.target.url, self._log_line)
        host = machine_identity(self.config, self.machine, self.target.bootif)
        self.reporter = Reporter(sender, host)
        self.reporter.emit("started", f"install of {host['hostname']} onto {device} started")
        return self.reporter

    def _end_report(self, outcome: object, device: str) -> None:
        """The last event ("done" or "failed"), then the bounded flush."""
        reporter = self._start_report(device)
        if reporter is None or reporter.ended:
            return
        reporter.finish(outcome, device)
        self.report_lines = reporter.sender.close()

    def _log_line(self, line: str) -> None:
        if not self.log_path:
            return
        try:
            journal = Journal(self.log_path)
            journal.note(line)
            journal.close()
        except OSError:
            pass  # the install's own log problem is reported by its preflight

    def keep_config(self, user_data: str) -> str | None:
        """Keep `user_data`, redacted, beside the log. Returns why it could not, or None."""
        if not self.log_path or not user_data:
            return None
        try:
            keep_config(user_data, self.log_path, self.secrets)
        except OSError as exc:
            return f"could not keep the rendered config: {exc}"
        return None

    def render(self) -> str:
        """The cloud-config as the install would write it (before the install, for the
        bundle). Raises what rendering raises; the pipeline's preflight reports it properly."""
        return render_config(self.config)

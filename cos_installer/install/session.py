"""One install, for both front ends (the wizard and `cos-installer install`): open the target's
backend, run the pipeline over the InstallConfig, close the backend (an image file's loop
device is detached there), and keep the rendered cloud-config, redacted, beside the log for the
diagnostics bundle (`cos-installer snap`).

    session = Session(config, dry_run=False, log_path=log)
    backend = session.open()          # BackendError / OSError: nothing was written
    result = session.run(listener, cancel=cancel)   # closes the backend, keeps the config
"""

from __future__ import annotations

import threading
from typing import Any

from cos_installer.answers.model import InstallConfig
from cos_installer.install import backends
from cos_installer.install.backends.base import Backend
from cos_installer.install.pipeline import run_install
from cos_installer.install.stages import InstallResult
from cos_installer.render.config import render_config
from cos_installer.support.events import Listener
from cos_installer.support.installlog import keep_config


class Session:
    """`config`: the validated answers; `payload`: the OS image (None: the install media's,
    found through `machine`); `log_path`: the install log the pipeline appends to (None:
    none kept)."""

    def __init__(
        self,
        config: InstallConfig,
        *,
        dry_run: bool,
        payload: str | None = None,
        machine: Any = None,
        log_path: str | None = None,
    ) -> None:
        self.config = config
        self.dry_run = dry_run
        self.payload = payload
        self.machine = machine
        self.log_path = log_path
        self.backend: Backend | None = None
        self.problem: str | None = None  # why the rendered config could not be kept

    @property
    def secrets(self) -> list[str]:
        """What is redacted from the kept config besides the password hash."""
        agent = self.config.agent
        return [agent.install_code] if agent is not None and agent.install_code else []

    def open(self, target: str | None = None, **options: Any) -> Backend:
        """The backend for `target` (default: the config's disk); `options` as open_backend's
        (create_size, image_file, force). Raises BackendError or OSError."""
        self.backend = backends.open_backend(
            target or self.config.disk, dry_run=self.dry_run, **options
        )
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
        finally:
            self.close()
        self.problem = self.keep_config(result.user_data)
        return result

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

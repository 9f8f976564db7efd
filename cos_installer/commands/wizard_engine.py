"""What the wizard asks of the installer, behind one small object the wizard command hands to
the app: the hardware probe, the install log's lines, the config check, the install `Session`,
the diagnostics bundle, the shell and the reboot. The screens import none of these modules;
tests replace this object's hardware and install by fakes.

The engine modules are imported when first needed: the wizard's first frame is drawn before
the hardware probe, YAML or Jinja are loaded (benchmarks/startup.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from cos_installer.live import shell


class WizardEngine:
    """`profile`: a machine profile (`--machine`) instead of this machine's hardware; `log_path`:
    the install log (None: no log is kept)."""

    def __init__(
        self,
        *,
        dry_run: bool,
        profile: str | None = None,
        all_nics: bool = False,
        log_path: str | None = None,
        trust: Any = None,
        cmdline: str = "/proc/cmdline",
    ) -> None:
        self.dry_run = dry_run
        self.cmdline = cmdline  # its cos.report= wins over the answers' report:
        self.trust = trust  # install.signature.Trust (--keyring, --allow-unsigned); None: default
        self.profile = profile
        self.all_nics = all_nics
        self.log_path = log_path
        self.snap_dir: str | None = None  # where bundles go (default /tmp)
        self._journal: Any = (
            None  # cos_installer.support.installlog.Journal, once a line is written
        )

    # --- the log and the diagnostics bundle -------------------------------------------------

    def note(self, line: str) -> None:
        """One line in the install log (redacted); nothing when no log is kept."""
        if not self.log_path:
            return
        try:
            if self._journal is None:
                from cos_installer.support.installlog import Journal

                self._journal = Journal(self.log_path)
            self._journal.note(line)
        except OSError:
            self.log_path = None  # an unwritable log must not stop the install

    def keep_probe(self, machine: Any) -> None:
        if not self.log_path:
            return
        from cos_installer.hardware import snapshot_json
        from cos_installer.support.installlog import keep_probe

        try:
            keep_probe(snapshot_json(machine, all_nics=self.all_nics), self.log_path)
        except Exception as exc:  # the wizard goes on; the log says why the file is missing
            self.note(f"probe: could not keep the probe JSON: {exc}")

    def log_text(self) -> str:
        if not self.log_path:
            return ""
        from cos_installer.common.private import read_text

        try:
            return read_text(self.log_path)
        except OSError as exc:
            return f"{self.log_path}: {exc.strerror}"

    def write_bundle(self) -> str:
        """The diagnostics bundle's path (cos_installer.support.bundle); may raise OSError."""
        from cos_installer.support.bundle import write_bundle
        from cos_installer.support.installlog import default_log

        log = self.log_path or default_log(self.dry_run)
        return write_bundle(log, self.profile, self.snap_dir)

    def shell(self) -> int:
        """An interactive shell on the installer's terminal (the screen is stopped meanwhile)."""
        return shell.interactive_shell()

    def reboot(self) -> int:
        """Called after the screen is restored. In a dry run: say so and exit 0."""
        return shell.reboot(self.dry_run)

    # --- the machine, the config, the install ------------------------------------------------

    def open_machine(self) -> Any:
        from cos_installer.hardware import open_machine

        return open_machine(self.profile, all_nics=self.all_nics)

    def build_config(
        self, answers: dict[str, Any], nics: list[Any] | None = None
    ) -> tuple[Any, list[str]]:
        """(InstallConfig, []) for good answers, (None, the engine's messages) otherwise.
        `nics`: the machine's NICs as probed; the network rules that need them run, and each
        chosen NIC's permanent MAC goes into the config (the installed system matches it)."""
        from cos_installer.answers.document import AnswersError, from_mapping

        try:
            return from_mapping(answers, "wizard", nics=nics), []
        except AnswersError as exc:
            return None, list(exc.errors)

    def risks(self, config: Any, linked: bool | dict[str, bool] | None) -> list[str]:
        """The Summary's warnings: choices that install but are likely to hurt later."""
        from cos_installer.answers.risks import risks

        return risks(config, linked)

    def keep_rendered(self, config: Any) -> str:
        """The config as it would be written, redacted, beside the log (for the bundle); the
        line for the log. Never raises: the pipeline's preflight reports a config that does
        not render."""
        from cos_installer.install.session import Session

        session = Session(config, dry_run=self.dry_run, log_path=self.log_path)
        try:
            user_data = session.render()
        except Exception as exc:
            return f"config: does not render: {exc}"
        problem = session.keep_config(user_data)
        if problem:
            self.note(f"config: {problem}")
        return f"config: rendered, {len(user_data)} bytes"

    def report_target(self, config: Any) -> Any:
        """Where the install's events go: cos.report= on the kernel command line, else the
        answers' report: (None: nowhere). A bad cos.report= is said in the log, not fatal."""
        from cos_installer.install.reporting import choose_target
        from cos_installer.live.reportopt import kernel_report

        try:
            kernel, bootif = kernel_report(self.cmdline)
        except ValueError as exc:
            self.note(f"events: {exc}; the answers' report: is used instead, if any")
            kernel, bootif = "", None
        return choose_target(None, kernel, config.report, bootif)

    def run_install(
        self,
        config: Any,
        *,
        listener: Callable[[Any], None],
        cancel: threading.Event,
        machine: Any,
        payload: str | None,
        chosen: Any = None,
        chosen_data: Any = None,
        clear_holders: bool = False,
    ) -> Any:
        """chosen, chosen_data: the Disks shown on the confirmation screen; the pipeline
        refuses disks that are no longer those (size, serial, by-id). clear_holders: the
        confirmation said RAID/LVM on them would be stopped (after every check passed)."""
        from cos_installer.install.session import Session

        session = Session(
            config,
            dry_run=self.dry_run,
            payload=None if self.dry_run else payload,
            machine=machine,
            log_path=self.log_path,
            report=self.report_target(config),
        )
        session.open()
        if self._journal is not None:
            self._journal.close()  # the pipeline appends to the same file with its own listener
            self._journal = None
        result = session.run(
            listener,
            cancel=cancel,
            chosen=chosen,
            chosen_data=chosen_data,
            clear_holders=clear_holders,
            trust=self.trust,
        )
        if session.problem:
            self.note(f"config: {session.problem}")
        return result

"""What the UI asks of the rest of the installer, behind one small object.

The screens never import the hardware, engine or install modules: the app calls these
services, which import them lazily (fast start-up) and which tests may replace by fakes of
the collaborators. Also here: the wizard values <-> answers mapping conversions (pure).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

# --- wizard values <-> the nested answers mapping ---------------------------------------------


def _number(text: Any) -> Any:
    """'80' -> 80 so the mapping looks like an answers file; anything else is passed through
    for the engine to report with its key path."""
    if isinstance(text, str) and text.strip().isascii() and text.strip().isdigit():
        return int(text.strip())
    return text


def to_mapping(values: dict[str, Any]) -> dict[str, Any]:
    """The nested answers mapping the engine's `from_mapping` takes, from the wizard's values."""
    role = values.get("role")
    mapping: dict[str, Any] = {"role": role}
    if role == "controller":
        mapping["controller"] = {
            "http_port": _number(values.get("http_port", "80")),
            "cluster_size": _number(values.get("cluster_size", 3)),
            "ha": bool(values.get("ha", True)),
        }
    else:
        mapping["agent"] = {
            "controllers": values.get("controllers", ""),
            "install_code": values.get("install_code", ""),
            "network_model": values.get("network_model", "bridge"),
            "docker_gateway": values.get("docker_gateway", ""),
            "docker_dns": values.get("docker_dns", ""),
        }
    system: dict[str, Any] = {"hostname": values.get("hostname", "")}
    if values.get("password"):
        system["password"] = values["password"]
    elif values.get("password_hash"):
        system["password_hash"] = values["password_hash"]
    else:
        system["password"] = ""
    mapping["system"] = system
    dhcp = bool(values.get("dhcp", False))
    network: dict[str, Any] = {"interface": values.get("interface", ""), "dhcp": dhcp}
    if not dhcp:
        network.update(
            address=values.get("address", ""),
            gateway=values.get("gateway", ""),
            dns=values.get("dns", ""),
        )
    mapping["network"] = network
    mapping["disk"] = values.get("disk", "")
    if values.get("data_disk"):
        mapping["data_disk"] = values["data_disk"]
    return mapping


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def _yes_no(value: Any) -> bool | None:
    """The engine's reading of yes/no ("no", "false", 0 are No); None when it is neither,
    so the screen keeps its default and the engine reports the value at the Summary."""
    from cos_installer.answers.validate import FieldError, yes_no

    try:
        return yes_no(value)
    except FieldError:
        return None


def from_answers(data: dict[str, Any]) -> dict[str, Any]:
    """Wizard values pre-filled from an answers mapping; unknown or missing keys are skipped
    (each screen still validates what it shows)."""
    values: dict[str, Any] = {}
    if not isinstance(data, dict):
        return values
    if data.get("role") in ("controller", "agent"):
        values["role"] = data["role"]
    ctl = data.get("controller") or {}
    if isinstance(ctl, dict):
        if "http_port" in ctl:
            values["http_port"] = _text(ctl["http_port"])
        if "cluster_size" in ctl:
            values["cluster_size"] = _number(_text(ctl["cluster_size"]))
        if _yes_no(ctl.get("ha")) is not None:
            values["ha"] = _yes_no(ctl["ha"])
    agent = data.get("agent") or {}
    if isinstance(agent, dict):
        for key in ("controllers", "install_code", "docker_gateway", "docker_dns"):
            if key in agent:
                values[key] = _text(agent[key])
        if agent.get("network_model") in ("bridge", "ipvlan"):
            values["network_model"] = agent["network_model"]
    system = data.get("system") or {}
    if isinstance(system, dict):
        if "hostname" in system:
            values["hostname"] = _text(system["hostname"])
        if system.get("password"):
            values["password"] = values["password2"] = _text(system["password"])
        if system.get("password_hash"):
            values["password_hash"] = _text(system["password_hash"])
    net = data.get("network") or {}
    if isinstance(net, dict):
        if isinstance(net.get("interface"), str):  # a fleet rule is resolved before this
            values["interface"] = net["interface"]
        if _yes_no(net.get("dhcp")) is not None:
            values["dhcp"] = _yes_no(net["dhcp"])
        for key in ("address", "gateway", "dns"):
            if net.get(key):
                values[key] = _text(net[key])
        if net.get("address"):
            values["address_source"] = "answers"
    for key in ("disk", "data_disk"):
        if data.get(key) and isinstance(data[key], str):
            values[key] = data[key]
    return values


# --- the services ---------------------------------------------------------------------------


class ConfigError(Exception):
    """The engine refused the values; `errors` are its messages, each with a key path."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


class Services:
    """The real collaborators: hardware probes, the engine, the install pipeline, reboot."""

    def __init__(
        self,
        *,
        dry_run: bool,
        profile: str | None = None,
        all_nics: bool = False,
        log_path: str | None = None,
    ) -> None:
        self.dry_run = dry_run
        self.profile = profile
        self.all_nics = all_nics
        self.log_path = log_path
        self.snap_dir: str | None = None  # where bundles go (default /tmp)
        self._journal: Any = None

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

    def keep_config(self, user_data: str, secrets: list[str]) -> None:
        """The rendered cloud-config, redacted, beside the log for the diagnostics bundle."""
        if not self.log_path or not user_data:
            return
        from cos_installer.support.installlog import keep_config

        try:
            keep_config(user_data, self.log_path, secrets)
        except OSError as exc:
            self.note(f"config: could not keep the rendered config: {exc}")

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
        import os
        import subprocess

        from cos_installer.i18n import _

        print("\n" + _("A shell: type exit to return to the installer.") + "\n", flush=True)
        return subprocess.call([os.environ.get("SHELL") or "/bin/sh"])

    def open_machine(self) -> Any:
        from cos_installer.hardware import open_machine

        return open_machine(self.profile, all_nics=self.all_nics)

    def build_config(self, mapping: dict[str, Any]) -> Any:
        from cos_installer.answers.document import AnswersError, from_mapping

        try:
            return from_mapping(mapping, "wizard")
        except AnswersError as exc:
            raise ConfigError(list(exc.errors)) from None

    def render(self, config: Any) -> str:
        from cos_installer.render.config import render_config

        return render_config(config)

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
        from cos_installer.install.backends import open_backend
        from cos_installer.install.pipeline import run_install

        backend = open_backend(config.disk, dry_run=self.dry_run)
        if self._journal is not None:
            self._journal.close()  # the pipeline appends to the same file with its own listener
            self._journal = None
        try:
            result = run_install(
                config,
                backend=backend,
                payload=None if self.dry_run else payload,
                listener=listener,
                cancel=cancel,
                machine=machine,
                log_path=self.log_path,
                chosen=chosen,
                chosen_data=chosen_data,
                clear_holders=clear_holders,
            )
        finally:
            backend.close()  # an image-file target detaches its loop device here
        secrets = [config.agent.install_code] if config.agent is not None else []
        self.keep_config(getattr(result, "user_data", ""), secrets)
        return result

    def reboot(self) -> int:
        """Called after the screen is restored. In a dry run: say so and exit 0."""
        if self.dry_run:
            print("dry run: would reboot now")
            return 0
        import subprocess

        return subprocess.call(["systemctl", "reboot"])

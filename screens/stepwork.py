"""The work behind some steps, run by the app around a screen: live link polling on the NIC
screen, the DHCP probe, building the config for the summary, and the install itself.
Long work runs in threads (`App.spawn`) and reports back on the main loop."""

from __future__ import annotations

import threading
import time
from typing import Any

from cos_installer.i18n import _
from cos_installer.support import advice

from .services import ConfigError, to_mapping

LINK_POLL_S = 0.5
TICK_S = 0.2
DHCP_TIMEOUT_S = 10.0
DHCP_GRACE_S = 2.0  # the screen moves on at most this long after the probe's own timeout


class StepWork:
    """Mixed into App: `_before_<step>` runs before a screen is built, `_enter_<step>` after."""

    def _enter_nic(self) -> None:
        names = list(self.view.names) if hasattr(self.view, "names") else []
        if self.machine is None or not names:
            return

        def poll() -> None:
            self.view.update_links(self.machine.link_states(names))

        self.every(LINK_POLL_S, poll)

    def _enter_dhcp(self) -> None:
        interface = self.wizard.values.get("interface", "")
        cache = self.facts.setdefault("dhcp_results", {})
        if interface in cache:
            self._dhcp_result(cache[interface])
            return
        started = time.monotonic()
        self.every(TICK_S, lambda: self.view.tick(time.monotonic() - started))
        self.spawn(lambda: self.machine.dhcp(interface, timeout=DHCP_TIMEOUT_S), self._dhcp_result)
        self.after(DHCP_TIMEOUT_S + DHCP_GRACE_S, lambda: self._dhcp_gave_up(interface))

    def _dhcp_gave_up(self, interface: str) -> None:
        """The client overran its timeout: move on anyway (its late answer is dropped)."""
        from cos_installer.hardware.types import DhcpResult

        message = _("no DHCP answer on {nic} in {seconds} s: enter the address by hand").format(
            nic=interface, seconds=f"{DHCP_TIMEOUT_S:.0f}"
        )
        self._dhcp_result(DhcpResult(interface, message=message))

    def _dhcp_result(self, result: Any) -> None:
        if isinstance(result, BaseException):
            self.facts["dhcp"] = None
            self.facts["dhcp_message"] = _(
                "DHCP probe failed ({error}): enter the address by hand"
            ).format(error=result)
            self.note(f"dhcp: probe failed: {result!r}")
        else:
            if result.lease is not None:  # no lease: ask again next time this NIC is chosen
                self.facts.setdefault("dhcp_results", {})[result.interface] = result
            self.facts["dhcp"] = result
            self.facts["dhcp_message"] = result.message
            self.note(f"dhcp: {result.interface}: lease {result.lease} ({result.message})")
            values = self.wizard.values
            lease = result.lease
            if lease and (not values.get("address") or values.get("address_source") == "dhcp"):
                values.update(
                    address=str(lease.address),
                    gateway=str(lease.gateway or ""),
                    dns=",".join(str(d) for d in lease.dns),
                    address_source="dhcp",
                )
        self.show(self.wizard.advance())

    def _before_confirm(self) -> None:
        self.facts["config"] = None
        try:
            self.facts["config"] = self.services.build_config(to_mapping(self.wizard.values))
            self.facts["config_errors"] = []
        except ConfigError as exc:
            self.facts["config_errors"] = exc.errors
            self.note("config: refused: " + "; ".join(exc.errors))
            return
        self._keep_rendered(self.facts["config"])

    def _keep_rendered(self, config: Any) -> None:
        """The config as it would be written, redacted, beside the log (for the bundle)."""
        try:
            user_data = self.services.render(config)
        except Exception as exc:  # the pipeline's preflight reports it properly
            self.note(f"config: does not render: {exc}")
            return
        code = self.wizard.values.get("install_code", "")
        self.services.keep_config(user_data, [code] if code else [])
        self.note(f"config: rendered, {len(user_data)} bytes")

    def _enter_progress(self) -> None:
        if self.install_state != "idle":
            return
        self.install_state = "running"
        from .feed import Feed

        feed = Feed(self, self.view.on_event)
        config = self.facts["config"]
        done_event = threading.Event()
        # The disks as probed and shown on the confirmation: what the operator agreed to erase.
        shown = {disk.path: disk for disk in self.facts.get("disks", [])}
        chosen = [shown.get(d) for d in (config.disk, config.data_disk) if d]
        # the Summary said that installing stops the RAID/LVM it showed on these disks
        clear_holders = any(d is not None and d.holders for d in chosen)

        def work() -> Any:
            try:
                return self.services.run_install(
                    config,
                    listener=feed,
                    cancel=self.cancel,
                    machine=self.machine,
                    payload=self.facts.get("payload"),
                    chosen=shown.get(config.disk),
                    chosen_data=shown.get(config.data_disk) if config.data_disk else None,
                    clear_holders=clear_holders,
                )
            finally:
                done_event.set()

        self.install_done = done_event
        self.spawn(work, self._installed)

    def _installed(self, result: Any) -> None:
        self.facts["result"] = result
        ok = not isinstance(result, BaseException) and bool(getattr(result, "ok", False))
        self.install_state = "finished" if ok else "failed"
        message = getattr(result, "message", "") or repr(result)
        self.note(f"install: {'finished' if ok else 'failed'}: {message}")
        if ok:
            self.facts["user_data"] = getattr(result, "user_data", "") or ""
        self.view.finished(result)
        if not ok:
            reported = list(getattr(self.view, "errors", []))
            disk = self.wizard.values.get("disk", "")
            self.show_error(advice.from_result(result, disk, reported))

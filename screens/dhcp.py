"""Screen 7, DHCP: a spinner while the app asks for a lease on the chosen NIC (off the main
loop, at most its timeout) to pre-fill the address screen. Esc skips it."""

from __future__ import annotations

import time
from typing import Any

from cos_installer.answers import validate
from cos_installer.answers.model import DEFAULT_BOND_MODE
from cos_installer.hardware.types import DhcpResult, Stack
from cos_installer.i18n import N_, _

from .state import merge, section
from .widgets import Screen, blank, text

SPIN = "|/-\\"  # ASCII: the VGA console font has no braille or block spinner glyphs


class View(Screen):
    title = N_("DHCP")
    keys = N_("Esc skip DHCP and enter the address by hand  Ctrl+D restart  Ctrl+C quit")

    def __init__(self, ctx: Any) -> None:
        self.interface = probed_label(ctx.answers, ctx.facts)
        self.count = 0
        self.spinner = text("", "center")
        self.elapsed = text("", "center")
        rows = [
            blank(),
            blank(),
            text(
                _("Asking for an address by DHCP on {nic}...").format(nic=self.interface), "center"
            ),
            blank(),
            self.spinner,
            self.elapsed,
            blank(),
            text(
                ("dim", _("The answer pre-fills the next screen, where it can be changed.")),
                "center",
            ),
        ]
        super().__init__(ctx, rows)
        self.tick(0.0)

    def tick(self, seconds: float) -> None:
        self.count += 1
        self.spinner.set_text(f"[ {SPIN[self.count % len(SPIN)]} ]")
        self.elapsed.set_text(
            (
                "dim",
                _("{seconds} s (gives up after 10 s; Esc skips)").format(seconds=f"{seconds:.0f}"),
            )
        )

    def submit(self) -> None:
        """Enter does nothing here: the probe moves on by itself, Esc skips it."""

    def keypress(self, size: tuple[int, int], key: str) -> str | None:
        if key == "esc":
            self.ctx.back()  # the app treats Esc on DHCP as "skip", not "back"
            return None
        return super().keypress(size, key)


# --- the probe behind the screen: off the main loop, at most its timeout ----------------------

TICK_S = 0.2
DHCP_TIMEOUT_S = 10.0
DHCP_GRACE_S = 2.0  # the screen moves on at most this long after the probe's own timeout
STACK_GRACE_S = 15.0  # a stack also waits for the bond's link and an IPv6 advertisement


def probed_nic(answers: dict[str, Any], facts: Any) -> str:
    """The NIC asked: the chosen one; for a bond, its first member with a link (the bond is
    made by the installed system; until then a member reaches the same DHCP server)."""
    interface = section(answers, "network").get("interface", "")
    if not isinstance(interface, list | tuple):
        return str(interface or "")
    linked = {nic.name for nic in facts.nics or [] if nic.linked}
    return next((str(n) for n in interface if n in linked), str(interface[0]) if interface else "")


def probed_stack(answers: dict[str, Any]) -> Stack | None:
    """The bond and/or VLAN chosen, brought up in the live system for the probe (taken down
    after); None for one untagged NIC, asked directly. A VLAN or bond mode the field checks
    refuse is left out (the address screen names it)."""
    network = section(answers, "network")
    interface = network.get("interface")
    members = [str(m) for m in interface] if isinstance(interface, list | tuple) else []
    tag = _valid(validate.vlan_id, network.get("vlan"))
    if len(members) < 2 and tag is None:
        return None
    bond = network.get("bond") if isinstance(network.get("bond"), dict) else {}
    mode = _valid(validate.bond_mode, bond.get("mode")) or DEFAULT_BOND_MODE
    return Stack(tuple(members or [str(interface or "")]), bond_mode=mode, vlan=tag)


def _valid(check: Any, value: Any) -> Any:
    """check(value), or None when the value is absent or refused."""
    if value is None or value == "" or validate.error_of(check, value):
        return None
    return check(value)


def probed_label(answers: dict[str, Any], facts: Any, stack: Stack | None = None) -> str:
    """What the probe asks on, as the screens name it: the stack, else the NIC."""
    stack = stack or probed_stack(answers)
    return stack.describe() if stack is not None else probed_nic(answers, facts)


def start_probe(app: Any) -> None:
    """Ask for a lease on the chosen NIC or stack (once per one that answered) to pre-fill
    the address."""
    stack = probed_stack(app.wizard.answers)
    label = probed_label(app.wizard.answers, app.facts, stack)
    if label in app.facts.dhcp_results:
        answered(app, app.facts.dhcp_results[label])
        return
    started, view, machine = time.monotonic(), app.view, app.machine
    app.work.every(TICK_S, lambda: view.tick(time.monotonic() - started))
    if stack is None:
        app.work.spawn(
            lambda: machine.dhcp(label, timeout=DHCP_TIMEOUT_S), lambda r: answered(app, r)
        )
    else:  # the result is read on the main loop (it writes the log)
        app.work.spawn(
            lambda: machine.probe_stack(stack, timeout=DHCP_TIMEOUT_S),
            lambda r: answered(app, r if isinstance(r, BaseException) else stack_result(app, r)),
        )
    grace = DHCP_GRACE_S if stack is None else STACK_GRACE_S
    app.work.after(DHCP_TIMEOUT_S + grace, lambda: gave_up(app, label))


def stack_result(app: Any, probe: Any) -> DhcpResult:
    """A stack probe's DHCP answer under the stack's name; what it saw goes to the log."""
    label = probe.stack.describe()
    for fact in probe.facts:
        app.note(f"dhcp: {fact}")
    if probe.error:
        return DhcpResult(label, message=probe.error)
    result = probe.dhcp or DhcpResult(label, message="")
    # the probe's own link name (e.g. cosprobe-b) means nothing to the operator
    message = result.message.replace(result.interface, label) if result.interface else ""
    return DhcpResult(label, lease=result.lease, message=message or result.message)


def gave_up(app: Any, interface: str) -> None:
    """The client overran its timeout: move on anyway (its late answer is dropped)."""
    message = _("no DHCP answer on {nic} in {seconds} s: enter the address by hand").format(
        nic=interface, seconds=f"{DHCP_TIMEOUT_S:.0f}"
    )
    answered(app, DhcpResult(interface, message=message))


def answered(app: Any, result: Any) -> None:
    """The probe's result (or exception): a lease pre-fills an address not typed by hand."""
    facts = app.facts
    if isinstance(result, BaseException):
        facts.dhcp = None
        facts.dhcp_message = _("DHCP probe failed ({error}): enter the address by hand").format(
            error=result
        )
        app.note(f"dhcp: probe failed: {result!r}")
    else:
        if result.lease is not None:  # no lease: ask again next time this NIC is chosen
            facts.dhcp_results[result.interface] = result
        facts.dhcp, facts.dhcp_message = result, result.message  # no lease: why (translated)
        if result.lease is not None:  # the client's own words are for the log only
            facts.dhcp_message = _(
                "DHCP on {nic} offers {address}; the address entered is kept."
            ).format(nic=result.interface, address=result.lease.address)
        app.note(f"dhcp: {result.interface}: lease {result.lease} ({result.message})")
        typed = section(app.wizard.answers, "network").get("address")
        lease = result.lease
        if lease and (not typed or app.entered.address_source == "dhcp"):
            dns = ",".join(str(d) for d in lease.dns)
            lent = {"address": str(lease.address), "gateway": str(lease.gateway or "")}
            merge(app.wizard.answers, {"network": {**lent, "dns": dns}})
            app.entered.address_source = "dhcp"
    app.show(app.wizard.advance())

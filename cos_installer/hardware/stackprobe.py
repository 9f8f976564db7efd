"""The address screen's pre-fill on the stack the operator chose: bring up the bond and VLAN
(netstack), ask DHCP on the top interface while listening for an IPv6 router advertisement
(ra), take the stack down, and say what was seen, one line per fact."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from cos_installer.hardware import netstack, ra
from cos_installer.hardware.netstack import StackError
from cos_installer.hardware.types import DhcpResult, Stack

Dhcp = Callable[[str, float], DhcpResult]
RA_TIMEOUT = 4.0  # seconds: a router answers a solicitation at once


@dataclass(frozen=True)
class StackProbe:
    stack: Stack
    dhcp: DhcpResult | None
    advert: ra.RouterAdvert | None
    facts: tuple[str, ...]
    error: str = ""  # the stack could not be brought up: what failed

    @property
    def prefix6(self) -> str:
        """The first advertised prefix, to pre-fill address6 ('' when none was seen)."""
        prefixes = self.advert.prefixes if self.advert else ()
        return str(prefixes[0].network) if prefixes else ""


def _bond_state(facts: list[str]) -> None:
    active = netstack.SYS_NET + f"/{netstack.BOND}/bonding/active_slave"
    try:
        with open(active, encoding="ascii") as f:
            name = f.read().strip()
    except OSError:
        return
    facts.append(f"bond {netstack.BOND}: active member {name or '(none: no member has a link)'}")


def _dhcp_facts(result: DhcpResult, shown: str, facts: list[str]) -> None:
    lease = result.lease
    if lease is None:
        facts.append(f"DHCP: {result.message.replace(result.interface, shown)}")
        return
    via = f" via {lease.gateway}" if lease.gateway else ""
    dns = f", DNS {' '.join(str(d) for d in lease.dns)}" if lease.dns else ""
    facts.append(f"DHCP on {shown}: {lease.address}{via}{dns} ({result.message})")


def probe(stack: Stack, dhcp: Dhcp, timeout: float = 10.0, ra_timeout: float = RA_TIMEOUT,
          *, ipv4: bool = True) -> StackProbe:  # fmt: skip
    """Bounded by `timeout` (+ the bond's link-up wait inside `dhcp`); never leaves a link,
    an address or a process behind. `dhcp(interface, timeout)` is the machine's DHCP probe."""
    facts: list[str] = []
    got: dict[str, tuple[ra.RouterAdvert | None, str]] = {}
    result = None
    try:
        with netstack.brought_up(stack, facts) as top:
            shown = f"{stack.describe()} ({top})" if top != stack.members[0] else top
            listener = threading.Thread(
                target=lambda: got.update(ra=ra.listen(top, ra_timeout)), daemon=True
            )
            listener.start()
            if ipv4:
                result = dhcp(top, timeout)
                _dhcp_facts(result, shown, facts)
            listener.join(ra_timeout + 1.0)
            advert, why = got.get("ra", (None, f"no IPv6 router advertisement on {top}"))
            facts += advert.facts(shown) if advert else [why.replace(top, shown)]
            if len(stack.members) > 1:
                _bond_state(facts)
    except StackError as error:
        facts.append(f"the stack {stack.describe()} could not be brought up: {error}")
        return StackProbe(stack, None, None, tuple(facts), str(error))
    return StackProbe(stack, result, advert, tuple(facts))


def simulated(stack: Stack, dhcp: Dhcp, timeout: float = 10.0) -> StackProbe:
    """A machine profile's answer (dry runs, screen tests): nothing is brought up; the lease
    is the first member's that has one, as a bond's DHCP would get through any linked member."""
    facts = [f"{stack.describe()}: a machine profile, nothing brought up"]
    result = None
    for member in stack.members:
        result = dhcp(member, timeout)
        if result.lease is not None:
            break
    if result is not None:
        _dhcp_facts(result, stack.describe(), facts)
    return StackProbe(stack, result, None, tuple(facts))

"""The answers file's `network:` section -> NetworkSettings, each key through its validator,
then the rules between keys (`validate.stack_problems`). `document.from_mapping` calls it with
its checker, so messages read "SOURCE: network.bond.mode: ..." like every other key's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from cos_installer.answers import model, validate
from cos_installer.hardware.types import Nic

BOND_KEYS = ("mode", "miimon", "lacp_rate", "primary")


class Checker(Protocol):
    """What document's checker offers: record an error, validate one key, flag unknown keys."""

    def error(self, path: str, message: str) -> None: ...

    def value(
        self,
        data: dict,
        path: str,
        check: Any,
        *args: Any,
        required: bool = False,
        default: Any = None,
    ) -> Any: ...

    def unknown_keys(self, data: dict, where: str) -> None: ...


def network_settings(
    c: Checker, d: dict, nics: Sequence[Nic] | None = None
) -> model.NetworkSettings | None:
    """Every key of the section checked; None when a key the model needs is unusable."""
    interfaces = c.value(d, "network.interface", validate.interface_list, required=True)
    dhcp = c.value(d, "network.dhcp", validate.yes_no, default=model.DEFAULT_DHCP)
    static = dhcp is False
    address = c.value(d, "network.address", validate.address, required=static)
    if address is not None:
        gateway = c.value(d, "network.gateway", validate.gateway, address, required=static)
    else:
        gateway = c.value(d, "network.gateway", validate.ipv4, required=static)
    dns = c.value(d, "network.dns", _dns_or_empty, required=static, default=[])
    ipv6 = c.value(d, "network.ipv6", validate.ipv6_mode, default=model.DEFAULT_IPV6)
    address6 = c.value(
        d, "network.address6", validate.address6, required=ipv6 is model.Ipv6Mode.STATIC
    )
    gateway6 = c.value(d, "network.gateway6", validate.gateway6, address6)
    net = model.NetworkSettings(
        interfaces=interfaces or [],
        dhcp=bool(dhcp),
        address=address,
        gateway=gateway,
        dns=dns or [],
        macs=_macs(c, d, interfaces or []),
        bond=_bond(c, d, interfaces or []),
        vlan=c.value(d, "network.vlan", validate.vlan_id),
        mtu=c.value(d, "network.mtu", validate.mtu),
        ipv6=ipv6 or model.DEFAULT_IPV6,
        address6=address6,
        gateway6=gateway6,
    )
    if nics is not None:
        _learn_macs(c, net, nics)
    for path, message in validate.stack_problems(net, nics):
        c.error(path, message)
    return net


def _learn_macs(c: Checker, net: model.NetworkSettings, nics: Sequence[Nic]) -> None:
    """Each named NIC's permanent MAC from the machine's facts, so the installed system
    matches the NIC whatever its name there; a MAC the file pins must be that NIC's."""
    by_name = {nic.name: nic for nic in nics}
    for name in net.interfaces:
        nic = by_name.get(name)
        if nic is None:
            continue  # stack_problems names it
        own = {m.lower() for m in (nic.perm_mac, nic.mac) if m}
        known = (nic.perm_mac or nic.mac or "").lower() or None
        pinned = net.macs.get(name)
        if pinned is not None and own and pinned not in own:
            c.error("network.mac", f"{pinned} is pinned for {name}, but {name} here has the MAC "
                    f"{known}: another NIC has this name on this machine; correct the name or "
                    "the MAC")  # fmt: skip
        elif known is not None:
            net.macs[name] = known


def _dns_or_empty(value: object) -> list:
    if value == "" or value == []:
        return []
    return validate.dns_servers(value)


def _mac_list(value: object) -> list[str]:
    items = value if isinstance(value, list | tuple) else [value]
    return [validate.mac_address(item) for item in items]


def _macs(c: Checker, d: dict, interfaces: list[str]) -> dict[str, str]:
    """network.mac: one MAC per NIC, in network.interface's order (one, or a list)."""
    macs = c.value(d, "network.mac", _mac_list, default=[])
    if not macs or not interfaces:
        return {}
    if len(macs) != len(interfaces):
        c.error(
            "network.mac",
            f"{len(macs)} MAC address(es) for {len(interfaces)} NIC(s): give "
            "one per NIC, in network.interface's order",
        )
        return {}
    if len(set(macs)) != len(macs):
        c.error("network.mac", "a MAC address is given twice: each NIC has its own")
        return {}
    return dict(zip(interfaces, macs, strict=True))


def _bond(c: Checker, d: dict, interfaces: list[str]) -> model.BondSettings | None:
    """network.bond: {mode, miimon, lacp_rate, primary}; several NICs without it: defaults."""
    raw = d.get("bond")
    if raw is None:
        return model.BondSettings() if len(interfaces) > 1 else None
    if not isinstance(raw, dict):
        c.error(
            "network.bond",
            f"expected a mapping such as {{mode: {model.DEFAULT_BOND_MODE}}} "
            f"with keys {', '.join(BOND_KEYS)}",
        )
        return None
    c.unknown_keys(raw, "network.bond")
    return model.BondSettings(
        mode=c.value(raw, "network.bond.mode", validate.bond_mode, default=model.DEFAULT_BOND_MODE)
        or model.DEFAULT_BOND_MODE,
        miimon=c.value(raw, "network.bond.miimon", validate.miimon, default=model.DEFAULT_MIIMON_MS)
        or model.DEFAULT_MIIMON_MS,  # fmt: skip
        lacp_rate=c.value(raw, "network.bond.lacp_rate", validate.lacp_rate),
        primary=c.value(raw, "network.bond.primary", validate.bond_primary, interfaces),
    )

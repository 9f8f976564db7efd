"""The answers an install used, in the answers file's shape with every default filled in and
the secrets replaced: what the log, `check-answers` and the kept config show."""

from __future__ import annotations

from typing import Any

from cos_installer.answers import model
from cos_installer.common.shown import REDACTED


def redacted_answers(config: model.InstallConfig) -> dict:
    """The effective answers (defaults filled in) in the file's shape, secrets redacted."""
    out: dict[str, Any] = {"role": config.role.value}
    if config.controller is not None:
        ctl = config.controller
        out["controller"] = {"http_port": ctl.http_port, "cluster_size": ctl.cluster_size,
                             "ha": ctl.ha}  # fmt: skip
        if ctl.group:
            out["controller"]["group"] = [str(ip) for ip in ctl.group]
    if config.agent is not None:
        ag = config.agent
        out["agent"] = {
            "controllers": ag.controllers_text,
            "install_code": REDACTED,
            "network_model": ag.network_model.value,
            "docker_gateway": str(ag.docker_gateway or ""),
            "docker_dns": str(ag.docker_dns or ""),
        }
        if ag.ip_pool:
            out["agent"]["ip_pool"] = [
                {"start": str(r.start), "end": str(r.end)} for r in ag.ip_pool
            ]
        if ag.ip_pool_owner:
            out["agent"]["ip_pool_owner"] = True
    out["system"] = {"hostname": config.system.hostname, "password_hash": REDACTED}
    out["network"] = network_mapping(config.network)
    out["disk"] = config.disk
    if config.data_disk:
        out["data_disk"] = config.data_disk
    return out


def network_mapping(net: model.NetworkSettings) -> dict[str, Any]:
    """The network section as an answers file writes it (a bond: interface and mac as lists)."""
    several = len(net.interfaces) > 1
    network: dict[str, Any] = {
        "interface": list(net.interfaces) if several else net.interfaces[0],
        "dhcp": net.dhcp,
    }
    if net.address is not None:
        network["address"] = str(net.address)
    if net.gateway is not None:
        network["gateway"] = str(net.gateway)
    if net.dns:
        network["dns"] = ",".join(str(s) for s in net.dns)
    if net.macs:
        macs = [net.macs[n] for n in net.interfaces if n in net.macs]
        if len(macs) == len(net.interfaces):
            network["mac"] = macs if several else macs[0]
    if net.bond is not None:
        bond = {"mode": net.bond.mode, "miimon": net.bond.miimon,
                "lacp_rate": net.bond.lacp_rate, "primary": net.bond.primary}  # fmt: skip
        network["bond"] = {k: v for k, v in bond.items() if v is not None}
    for key in ("vlan", "mtu"):
        if getattr(net, key) is not None:
            network[key] = getattr(net, key)
    if net.ipv6 is not model.Ipv6Mode.OFF:
        network["ipv6"] = net.ipv6.value
    for key in ("address6", "gateway6"):
        if getattr(net, key) is not None:
            network[key] = str(getattr(net, key))
    return network

"""The guide's hand steps after an install, done at boot by one-shot units the cloud-config
carries: the HA group's replica set rs0 (3.1.2) and the container IP pool (3.4); and, with
`report:`, the first boot's event for the install's report server (issue 15).

Their logic is a shell script in write_files (so it can be run and tested outside COS), the
unit only orders it after the services it needs. coreos-cloudinit starts the units at every
boot, so each script is idempotent: rs0 once initiated is left alone; a pool range once set is
in a marker file.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

import jinja2

from cos_installer.answers.model import IPVLAN_POOL, MONGO_PORT, InstallConfig, NetworkModel

HA_SCRIPT = "/opt/bin/cos-ha-group"
HA_UNIT = "cos-ha-group.service"
POOL_SCRIPT = "/opt/bin/cos-ip-pool"
POOL_UNIT = "cos-ip-pool.service"
REPORT_SCRIPT = "/opt/bin/cos-report-firstboot"
REPORT_UNIT = "cos-report-firstboot.service"
STATE_DIR = "/var/lib/cos-installer"


def replica_set_document(hosts: Sequence[object]) -> str:
    """The guide's rs.initiate() call (3.1.2.2), members in the given order: the first is
    the primary."""
    members = ", ".join(
        f'{{ _id: {n}, host: "{host}:{MONGO_PORT}"}}' for n, host in enumerate(hosts)
    )
    return f'rs.initiate({{ _id: "rs0", version: 1, members: [ {members} ] }});'


def ha_group(config: InstallConfig) -> list[ipaddress.IPv4Address] | None:
    """The group this controller initiates rs0 with, or None (not an HA controller with a
    known group: the operator follows 3.1.2 by hand)."""
    ctl = config.controller
    if ctl is None or not ctl.ha or not ctl.group:
        return None
    return list(ctl.group)


def pool_ranges(config: InstallConfig) -> list[tuple[str, str]]:
    """(start, end) as net-plugin takes them, for the agent that sets the pool: its own
    ranges, then the fixed Ipvlan range on an Ipvlan cluster; [] on any other node."""
    agent = config.agent
    if agent is None or not agent.ip_pool_owner:
        return []
    ranges = [(str(r.start), str(r.end)) for r in agent.ip_pool]
    if agent.network_model is NetworkModel.IPVLAN:
        ranges.append(IPVLAN_POOL)
    return ranges


def context(env: jinja2.Environment, config: InstallConfig, base: dict[str, Any]) -> dict:
    """The scripts and units for `config` (empty when it needs none), for the templates."""
    out: dict[str, Any] = {"ha_sh": None, "pool_sh": None, "ha_unit": HA_UNIT,
                           "pool_unit": POOL_UNIT, "ha_script": HA_SCRIPT,
                           "pool_script": POOL_SCRIPT, "report_sh": None,
                           "report_unit": REPORT_UNIT, "report_script": REPORT_SCRIPT}  # fmt: skip
    ctx = base | out
    group = ha_group(config)
    if group is not None:
        ctx |= {
            "group": [str(ip) for ip in group],
            "self_ip": str(config.network.address.ip),
            "mongo_port": MONGO_PORT,
            "initiate": replica_set_document(group),
        }
        out["ha_sh"] = env.get_template("ha-group.sh.j2").render(ctx)
        out["ha_service"] = env.get_template("ha-group.service.j2").render(ctx)
    ranges = pool_ranges(config)
    if ranges:
        ctx |= {"pool_ranges": ranges, "state_dir": STATE_DIR}
        out["pool_sh"] = env.get_template("ip-pool.sh.j2").render(ctx)
        out["pool_service"] = env.get_template("ip-pool.service.j2").render(ctx)
    if config.report:  # issue 15: the first boot of the installed system, reported once
        ctx |= {"report_url": config.report, "state_dir": STATE_DIR}
        out["report_sh"] = env.get_template("report-firstboot.sh.j2").render(ctx)
        out["report_service"] = env.get_template("report-firstboot.service.j2").render(ctx)
    return out

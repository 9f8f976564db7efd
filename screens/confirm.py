"""Screen 10, Summary and wipe confirmation: the InstallConfig the answers make, then the disk
that will be erased named by path, model, serial and size; the point of no return. It opens
with the focus on [Back] and takes no key in its first second (screens/guarded.py): erasing is
moving to [Erase and install] and pressing Enter there. When the answers do not make a config,
it lists the engine's messages instead and offers no erase."""

from __future__ import annotations

import dataclasses
from typing import Any

import urwid

from cos_installer.answers.model import DATA_MOUNT_POINT, USER_DATA_PATH, Role
from cos_installer.i18n import N_, _

from . import clusterinfo, diskinfo
from .guarded import GuardedConfirm
from .state import chosen
from .widgets import blank, text

# the guide (3.5): container disk quotas need every agent's Docker data on XFS with prjquota
NO_XFS = N_(
    "Container disk quotas need Docker data on XFS, prjquota (guide 3.5): choose a data disk "
    "(Esc) or do 3.5 by hand."
)


def _row(label: str, value: Any) -> Any:
    return urwid.Columns([(12, urwid.Text(label)), urwid.Text(value)])


def _role(config: Any) -> str:
    if config.role is Role.CONTROLLER:
        ctl = config.controller
        return _("Controller: HTTP port {port}, cluster size {size}, HA {ha}").format(
            port=ctl.http_port, size=ctl.cluster_size, ha=_("yes") if ctl.ha else _("no")
        )
    agent = config.agent
    return _("Agent: {model}, install code {code}, controllers {controllers}").format(
        model=agent.network_model.value.capitalize(),
        code=agent.install_code,
        controllers=agent.controllers_text,
    )


def _routes(config: Any) -> str:
    """Under the stack's line (NetworkSettings.stack_text): the gateways and DNS servers."""
    net, parts = config.network, []
    if not net.dhcp:
        parts.append(_("gateway {gateway}  DNS {dns}").format(
            gateway=net.gateway, dns=",".join(str(server) for server in net.dns)
        ))  # fmt: skip
    if net.gateway6 is not None:
        parts.append(_("IPv6 gateway {gateway}").format(gateway=net.gateway6))
    return "  ".join(parts)


def config_rows(config: Any, os_disk: Any, data_disk: Any) -> list[urwid.Widget]:
    """The choices, as the InstallConfig holds them."""
    data_text = (
        _("{disk}: XFS on {mount} (prjquota)").format(
            disk=diskinfo.identity(data_disk), mount=DATA_MOUNT_POINT
        )
        if data_disk
        else _("none (Docker data stays on the OS disk)")
    )
    host = _("{host}   (password of cos: set)").format(host=config.system.hostname)
    rows = [
        _row(_("Role"), _role(config)),
        _row(_("HostName"), host),
        _row(_("Network"), config.network.stack_text),
        *[_row("", routes) for routes in [_routes(config)] if routes],
        _row(_("OS disk"), diskinfo.identity(os_disk) if os_disk else config.disk),
        _row(_("Data disk"), data_text),
    ]
    if config.role is Role.AGENT and (config.agent.docker_gateway or config.agent.docker_dns):
        rows.insert(1, _row(_("Docker"), _docker(config.agent)))  # empty: Docker's defaults
    rows += [_row(label, value) for label, value in clusterinfo.rows(config)]
    if config.role is Role.AGENT and data_disk is None:
        rows.append(_row("", ("note", _(NO_XFS))))
    return rows


def _docker(agent: Any) -> str:
    """COS_CUSTOM_DOCKERGW/DNS as the config gets them (an empty one: Docker's own)."""
    default = _("default")
    return _("gateway {gateway}  DNS {dns}").format(
        gateway=agent.docker_gateway or default, dns=agent.docker_dns or default
    )


def warning_rows(warnings: list[str]) -> list[urwid.Widget]:
    """The engine's warnings about risky choices (answers/risks.py): installable, but read."""
    return [urwid.Columns([(2, text(("warn", "!"))), text(("warn", w))]) for w in warnings]


def erase_rows(disks: list[Any]) -> list[urwid.Widget]:
    """The disks that will be erased, and what holds or uses them."""
    rows = [text(("warn", _(" ALL DATA WILL BE ERASED ON: ")), "center")]
    rows += [text(("warn", f" {diskinfo.identity(d)} "), "center") for d in disks]
    for disk in disks:
        if disk.mounted:
            busy = _("{dev} is in use: {what}").format(dev=disk.path, what="; ".join(disk.in_use))
            rows.append(text(("error", busy)))
        elif disk.holders:
            held = _(
                "{dev} is held by {what}: installing stops it (on every disk it "
                "is on) and erases its RAID/LVM metadata on {dev}."
            ).format(dev=disk.path, what="; ".join(disk.holders))
            rows.append(text(("warn", held)))
    return rows


class View(GuardedConfirm):
    title = N_("Summary")

    def __init__(self, ctx: Any) -> None:
        config, disks = ctx.facts.config, ctx.facts.disks or []
        self.errors = list(ctx.facts.config_errors)
        rows: list[urwid.Widget] = []
        chosen: list[Any] = []
        if config is not None:
            os_disk = diskinfo.by_path(disks, config.disk)
            data_disk = diskinfo.by_path(disks, config.data_disk)
            chosen = [d for d in (os_disk, data_disk) if d is not None]
            rows += config_rows(config, os_disk, data_disk)
            rows += warning_rows(ctx.facts.warnings)
            rows.append(blank())
            if ctx.dry_run:
                dry = _(
                    "Dry run: would write the COS image to {disk} and the "
                    "cloud-config to {path}; nothing is written."
                ).format(disk=config.disk, path=USER_DATA_PATH)
                rows += [text(("note", dry)), blank()]
        fixed: list[urwid.Widget] = []
        if self.errors:
            rows.append(text(("error", _("The installer cannot go on; go back (Esc) and fix:"))))
            rows += [text(("error", f" - {err}")) for err in self.errors]
        else:  # what is erased stays in sight however far the summary is scrolled
            fixed = [*erase_rows(chosen), blank()]
        super().__init__(ctx, rows, can_erase=not self.errors, fixed=fixed)

    def erase(self) -> None:
        if not self.errors:
            self.ctx.done({})


def _nics_now(app: Any) -> list[Any] | None:
    """The probed NICs with their links as they are now (a cable plugged in since the probe
    counts), for the engine's hardware rules and the chosen NICs' permanent MACs."""
    nics = app.facts.nics
    if nics is None or app.machine is None:
        return nics
    states = app.machine.link_states([nic.name for nic in nics])
    return [dataclasses.replace(nic, linked=states.get(nic.name, nic.linked)) for nic in nics]


def validate_answers(app: Any) -> None:
    """Before the Summary is drawn: the answers that apply, validated into the InstallConfig
    (or the engine's messages), and the rendered config kept for the diagnostics bundle."""
    config, errors = app.engine.build_config(chosen(app.wizard.answers), _nics_now(app))
    app.facts.config, app.facts.config_errors = config, errors
    app.facts.warnings = []
    if errors:
        app.note("config: refused: " + "; ".join(errors))
        return
    app.note(app.engine.keep_rendered(config))  # the bundle has it even if never installed
    members = config.network.interfaces  # a bond's members each, not bond0
    linked = app.machine.link_states(members) if app.machine is not None else None
    app.facts.warnings = app.engine.risks(config, linked)
    for warning in app.facts.warnings:
        app.note(f"config: warning: {warning}")

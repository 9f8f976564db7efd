"""Screen 10, Summary and wipe confirmation: every choice, then the disk that will be erased
named by path, model, serial and size; the point of no return. It opens with the focus on
[Back] and takes no key in its first second (screens/guarded.py): erasing is moving to
[Erase and install] and pressing Enter there."""

from __future__ import annotations

from typing import Any

from cos_installer.answers.model import DATA_MOUNT_POINT, USER_DATA_PATH
from cos_installer.i18n import N_, _

from . import diskinfo
from .guarded import GuardedConfirm
from .widgets import blank, text

# the guide (3.5): container disk quotas need every agent's Docker data on XFS with prjquota
NO_XFS = N_(
    "Container disk quotas need Docker data on XFS, prjquota (guide 3.5): choose a data disk "
    "(Esc) or do 3.5 by hand."
)


def _row(label: str, value: Any) -> Any:
    import urwid

    return urwid.Columns([(12, urwid.Text(label)), urwid.Text(value)])


class View(GuardedConfirm):
    title = N_("Summary")

    def __init__(self, ctx: Any) -> None:
        v, facts = ctx.values, ctx.facts
        disks = facts.get("disks", [])
        os_disk = diskinfo.by_path(disks, v.get("disk"))
        data_disk = diskinfo.by_path(disks, v.get("data_disk"))
        self.errors = list(facts.get("config_errors") or [])
        if v.get("role") == "controller":
            role = _("Controller: HTTP port {port}, cluster size {size}, HA {ha}").format(
                port=v.get("http_port", 80),
                size=v.get("cluster_size", 3),
                ha=_("yes") if v.get("ha", True) else _("no"),
            )
        else:
            role = _("Agent: {model}, install code {code}, controllers {controllers}").format(
                model=v.get("network_model", "bridge").capitalize(),
                code=v.get("install_code", ""),
                controllers=v.get("controllers", ""),
            )
        if v.get("dhcp"):
            net = _("{nic}: DHCP at every boot").format(nic=v.get("interface", ""))
        else:
            net = _("{nic}: {address}  gateway {gateway}  DNS {dns}").format(
                nic=v.get("interface", ""),
                address=v.get("address", ""),
                gateway=v.get("gateway", ""),
                dns=v.get("dns", ""),
            )
        os_text = diskinfo.identity(os_disk) if os_disk else v.get("disk", "")
        data_text = (
            _("{disk}: XFS on {mount} (prjquota)").format(
                disk=diskinfo.identity(data_disk), mount=DATA_MOUNT_POINT
            )
            if data_disk
            else _("none (Docker data stays on the OS disk)")
        )
        rows = [
            _row(_("Role"), role),
            _row(
                _("HostName"),
                _("{host}   (password of cos: set)").format(host=v.get("hostname", "")),
            ),
            _row(_("Network"), net),
            _row(_("OS disk"), os_text),
            _row(_("Data disk"), data_text),
        ]
        if v.get("role") == "agent" and data_disk is None:
            rows.append(_row("", ("note", _(NO_XFS))))
        rows.append(blank())
        if ctx.dry_run:
            rows.append(
                text(
                    (
                        "note",
                        _(
                            "Dry run: would write the COS image to {disk} and the "
                            "cloud-config to {path}; nothing is written."
                        ).format(disk=v.get("disk", ""), path=USER_DATA_PATH),
                    )
                )
            )
            rows.append(blank())
        if self.errors:
            rows.append(text(("error", _("The installer cannot go on; go back (Esc) and fix:"))))
            rows += [text(("error", f" - {err}")) for err in self.errors]
        else:
            erased = [diskinfo.identity(d) for d in (os_disk, data_disk) if d is not None]
            rows.append(text(("warn", _(" ALL DATA WILL BE ERASED ON: ")), "center"))
            rows += [text(("warn", f" {line} "), "center") for line in erased]
            for disk in (os_disk, data_disk):
                if disk is not None and disk.mounted:
                    busy = _("{dev} is in use: {what}").format(
                        dev=disk.path, what="; ".join(disk.in_use)
                    )
                    rows.append(text(("error", busy)))
                elif disk is not None and disk.holders:
                    held = _(
                        "{dev} is held by {what}: installing stops it (on every disk it "
                        "is on) and erases its RAID/LVM metadata on {dev}."
                    ).format(dev=disk.path, what="; ".join(disk.holders))
                    rows.append(text(("warn", held)))
        rows.append(blank())
        super().__init__(ctx, rows, can_erase=not self.errors)

    def erase(self) -> None:
        if not self.errors:
            self.ctx.done({})

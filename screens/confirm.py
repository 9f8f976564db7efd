"""Screen 10, Summary and wipe confirmation: every choice, then the disk that will be erased
named by path, model, serial and size. Enter confirms; this is the point of no return."""

from __future__ import annotations

from typing import Any

from cos_installer.model import DATA_MOUNT_POINT, USER_DATA_PATH

from . import diskinfo
from .widgets import Screen, blank, text


def _row(label: str, value: Any) -> Any:
    import urwid

    return urwid.Columns([(12, urwid.Text(label)), urwid.Text(value)])


class View(Screen):
    title = "Summary"
    keys = "Enter ERASE the disk and install  Esc back  Ctrl+D restart  Ctrl+C quit"

    def __init__(self, ctx: Any) -> None:
        v, facts = ctx.values, ctx.facts
        disks = facts.get("disks", [])
        os_disk = diskinfo.by_path(disks, v.get("disk"))
        data_disk = diskinfo.by_path(disks, v.get("data_disk"))
        self.errors = list(facts.get("config_errors") or [])
        if v.get("role") == "controller":
            role = (
                f"Controller: HTTP port {v.get('http_port', 80)}, cluster size "
                f"{v.get('cluster_size', 3)}, HA {'yes' if v.get('ha', True) else 'no'}"
            )
        else:
            role = (
                f"Agent: {v.get('network_model', 'bridge').capitalize()}, install code "
                f"{v.get('install_code', '')}, controllers {v.get('controllers', '')}"
            )
        if v.get("dhcp"):
            net = f"{v.get('interface', '')}: DHCP at every boot"
        else:
            net = (
                f"{v.get('interface', '')}: {v.get('address', '')}  gateway "
                f"{v.get('gateway', '')}  DNS {v.get('dns', '')}"
            )
        os_text = diskinfo.identity(os_disk) if os_disk else v.get("disk", "")
        data_text = (
            f"{diskinfo.identity(data_disk)}: XFS on {DATA_MOUNT_POINT} (prjquota)"
            if data_disk
            else "none (Docker data stays on the OS disk)"
        )
        rows = [
            _row("Role", role),
            _row("HostName", f"{v.get('hostname', '')}   (password of cos: set)"),
            _row("Network", net),
            _row("OS disk", os_text),
            _row("Data disk", data_text),
            blank(),
        ]
        if ctx.dry_run:
            rows.append(
                text(
                    (
                        "note",
                        f"Dry run: would write the COS image to {v.get('disk', '')} and the "
                        f"cloud-config to {USER_DATA_PATH}; nothing is written.",
                    )
                )
            )
            rows.append(blank())
        if self.errors:
            rows.append(text(("error", "The installer cannot go on; go back (Esc) and fix:")))
            rows += [text(("error", f" - {err}")) for err in self.errors]
        else:
            erased = [diskinfo.identity(d) for d in (os_disk, data_disk) if d is not None]
            rows.append(text(("warn", " ALL DATA WILL BE ERASED ON: "), "center"))
            rows += [text(("warn", f" {line} "), "center") for line in erased]
            for disk in (os_disk, data_disk):
                if disk is not None and disk.in_use:
                    rows.append(text(("error", f"{disk.path} is in use: {'; '.join(disk.in_use)}")))
            rows.append(blank())
            rows.append(text("Press Enter to erase and install, or Esc to go back.", "center"))
        super().__init__(ctx, rows)

    def submit(self) -> None:
        if not self.errors:
            self.ctx.done({})

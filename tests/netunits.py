"""The systemd-networkd files a rendered cloud-config carries, by the path they end up at.

They are `coreos.units` named *.network/*.netdev/*.link: coreos-cloudinit writes such a unit to
/etc/systemd/network (/run with `runtime: true`) and restarts systemd-networkd for it. This is
that rule written down again for the tests, not imported from the renderer.
"""

from __future__ import annotations

import yaml

NETWORK_SUFFIXES = (".network", ".netdev", ".link")


def network_files(config: str | dict) -> dict[str, str]:
    """path -> content of every network unit, in the order of the config."""
    doc = yaml.safe_load(config) if isinstance(config, str) else config
    return {
        f"/{'run' if unit.get('runtime') else 'etc'}/systemd/network/{unit['name']}": unit[
            "content"
        ]
        for unit in (doc.get("coreos") or {}).get("units") or []
        if str(unit.get("name", "")).endswith(NETWORK_SUFFIXES)
    }

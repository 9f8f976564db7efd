"""Machine profile files: parse and check them, with errors that name file and key path.

The format is documented in cos_installer/profiles/README.md; in short:

    dmi: {system_serial: STR, system_uuid: STR}
    media_payload: PATH            # optional; relative to the profile file
    nics:
      - {name, mac, driver, speed_mbps, linked, virtual, addresses: [CIDR],
         dhcp: {address: CIDR, gateway: IP, dns: [IP], hostname: STR} | null, dhcp_delay: SECONDS}
    disks:
      - {path, size, model, serial, by_id, transport, rotational, removable, read_only,
         install_media, holders: [STR], fstype, label, mountpoint,
         partitions: [{path, size, fstype, label, mountpoint}]}
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from cos_installer.common.units import parse_size
from cos_installer.hardware.types import DhcpLease, Disk, Nic, Partition


class ProfileError(Exception):
    """A machine profile that cannot be used; the message names file, key path and fix."""


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, expected: str, got: Any) -> ProfileError:
        return ProfileError(
            f"machine profile {self.source}: {where}: expected {expected}, got {got!r}"
        )

    def mapping(self, value: Any, where: str, allowed: set[str], required: set[str] = frozenset()):
        if not isinstance(value, dict):
            raise self.fail(where, "a mapping (key: value)", value)
        for key in value:
            if key not in allowed:
                raise self.fail(
                    f"{where}.{key}", f"one of the keys {', '.join(sorted(allowed))}", key
                )
        for key in required:
            if key not in value:
                raise ProfileError(f"machine profile {self.source}: {where}: missing key '{key}'")
        return value

    def seq(self, value: Any, where: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(where, "a list", value)
        return value

    def text(self, value: Any, where: str, default: str = "") -> str:
        if value is None:
            return default
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise self.fail(where, "a string", value)
        return str(value)

    def opt_text(self, value: Any, where: str) -> str | None:
        return None if value is None else self.text(value, where)

    def flag(self, value: Any, where: str, default: bool = False) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(where, "true or false", value)
        return value

    def number(self, value: Any, where: str, default: float = 0.0) -> float:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.fail(where, "a number of seconds >= 0", value)
        return float(value)

    def size(self, value: Any, where: str) -> int:
        try:
            return parse_size(value)
        except ValueError:
            raise self.fail(
                where, "a size in bytes or like '16GiB', '500 MB', '2T'", value
            ) from None

    def parsed(self, value: Any, where: str, parse: Callable[[str], Any], example: str):
        try:
            return parse(str(value))
        except ValueError:
            raise self.fail(where, example, value) from None


def _lease(c: _Checker, raw: Any, where: str) -> DhcpLease | None:
    if raw is None:
        return None
    c.mapping(raw, where, {"address", "gateway", "dns", "hostname"}, {"address"})
    address = c.parsed(
        raw["address"],
        f"{where}.address",
        ipaddress.IPv4Interface,
        "an address/prefix like 10.0.0.5/24",
    )
    gateway = raw.get("gateway")
    if gateway is not None:
        gateway = c.parsed(gateway, f"{where}.gateway", ipaddress.IPv4Address, "an IPv4 address")
    dns = tuple(
        c.parsed(d, f"{where}.dns[{i}]", ipaddress.IPv4Address, "an IPv4 address")
        for i, d in enumerate(c.seq(raw.get("dns"), f"{where}.dns"))
    )
    return DhcpLease(address, gateway, dns, c.opt_text(raw.get("hostname"), f"{where}.hostname"))


NIC_KEYS = {"name", "mac", "driver", "speed_mbps", "linked", "virtual", "addresses", "dhcp",
            "dhcp_delay", "perm_mac", "max_mtu"}  # fmt: skip
DISK_KEYS = {"path", "size", "model", "serial", "by_id", "transport", "rotational", "removable",
             "read_only", "install_media", "holders", "fstype", "label", "mountpoint",
             "partitions"}  # fmt: skip
PART_KEYS = {"path", "size", "fstype", "label", "mountpoint"}


def _mac(c: _Checker, value: Any, where: str) -> str:
    if value is not None and not isinstance(value, str):  # YAML 1.1 reads 52:54:00:.. as a number
        raise c.fail(where, 'a quoted MAC address like "52:54:00:12:34:56"', value)
    return value or ""


def _nic(c: _Checker, raw: Any, where: str) -> tuple[Nic, DhcpLease | None, float]:
    c.mapping(raw, where, NIC_KEYS, {"name", "linked"})
    speed, most = raw.get("speed_mbps"), raw.get("max_mtu")
    if speed is not None and (isinstance(speed, bool) or not isinstance(speed, int)):
        raise c.fail(f"{where}.speed_mbps", "a whole number of Mbit/s", speed)
    if most is not None and (isinstance(most, bool) or not isinstance(most, int) or most < 68):
        raise c.fail(f"{where}.max_mtu", "a whole number of bytes, at least 68", most)
    nic = Nic(
        name=c.text(raw["name"], f"{where}.name"),
        mac=_mac(c, raw.get("mac"), f"{where}.mac"),
        linked=c.flag(raw["linked"], f"{where}.linked"),
        driver=c.text(raw.get("driver"), f"{where}.driver"),
        speed_mbps=speed,
        addresses=tuple(
            c.parsed(a, f"{where}.addresses[{i}]", ipaddress.IPv4Interface, "an address/prefix")
            for i, a in enumerate(c.seq(raw.get("addresses"), f"{where}.addresses"))
        ),
        virtual=c.flag(raw.get("virtual"), f"{where}.virtual"),
        perm_mac=_mac(c, raw.get("perm_mac"), f"{where}.perm_mac") or None,
        max_mtu=most,
    )
    lease = _lease(c, raw.get("dhcp"), f"{where}.dhcp")
    return nic, lease, c.number(raw.get("dhcp_delay"), f"{where}.dhcp_delay")


def _disk(c: _Checker, raw: Any, where: str) -> Disk:
    c.mapping(raw, where, DISK_KEYS, {"path", "size"})
    parts = []
    for i, p in enumerate(c.seq(raw.get("partitions"), f"{where}.partitions")):
        pw = f"{where}.partitions[{i}]"
        c.mapping(p, pw, PART_KEYS, {"path", "size"})
        parts.append(
            Partition(
                path=c.text(p["path"], f"{pw}.path"),
                size=c.size(p["size"], f"{pw}.size"),
                fstype=c.opt_text(p.get("fstype"), f"{pw}.fstype"),
                label=c.opt_text(p.get("label"), f"{pw}.label"),
                mountpoint=c.opt_text(p.get("mountpoint"), f"{pw}.mountpoint"),
            )
        )
    label = c.opt_text(raw.get("label"), f"{where}.label")
    media = c.flag(raw.get("install_media"), f"{where}.install_media")
    media = media or "CDROM" in [label, *(p.label for p in parts)]
    return Disk(
        path=c.text(raw["path"], f"{where}.path"),
        size=c.size(raw["size"], f"{where}.size"),
        model=c.text(raw.get("model"), f"{where}.model"),
        serial=c.text(raw.get("serial"), f"{where}.serial"),
        by_id=c.opt_text(raw.get("by_id"), f"{where}.by_id"),
        transport=c.text(raw.get("transport"), f"{where}.transport"),
        rotational=c.flag(raw.get("rotational"), f"{where}.rotational"),
        removable=c.flag(raw.get("removable"), f"{where}.removable"),
        read_only=c.flag(raw.get("read_only"), f"{where}.read_only"),
        partitions=tuple(parts),
        holders=tuple(
            c.text(h, f"{where}.holders[{i}]")
            for i, h in enumerate(c.seq(raw.get("holders"), f"{where}.holders"))
        ),
        is_install_media=media,
        fstype=c.opt_text(raw.get("fstype"), f"{where}.fstype"),
        label=label,
        mountpoint=c.opt_text(raw.get("mountpoint"), f"{where}.mountpoint"),
    )


def parse_profile(data: Any, source: str) -> dict[str, Any]:
    """Checked profile: {'dmi', 'media_payload', 'nics': [(Nic, lease, delay)], 'disks'}."""
    c = _Checker(source)
    c.mapping(data, "(top level)", {"description", "dmi", "media_payload", "nics", "disks"})
    dmi_raw = data.get("dmi") or {}
    c.mapping(dmi_raw, "dmi", {"system_serial", "system_uuid"})
    dmi = {k: c.text(dmi_raw.get(k), f"dmi.{k}") for k in ("system_serial", "system_uuid")}
    nics = [_nic(c, n, f"nics[{i}]") for i, n in enumerate(c.seq(data.get("nics"), "nics"))]
    disks = [_disk(c, d, f"disks[{i}]") for i, d in enumerate(c.seq(data.get("disks"), "disks"))]
    for kind, names in (("nics", [n.name for n, _, _ in nics]), ("disks", [d.path for d in disks])):
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise c.fail(kind, "unique names", dupes[0])
    return {
        "dmi": dmi,
        "media_payload": c.opt_text(data.get("media_payload"), "media_payload"),
        "nics": nics,
        "disks": disks,
    }

"""The JSON Schema's building blocks (patterns, value kinds) and the network section's
fields; `schema` assembles the whole schema from them (split only to keep modules small)."""

from __future__ import annotations

from typing import Any

from cos_installer.answers import model

__all__ = ["NETWORK_FIELDS", "YES_NO", "_CIDR", "_IP_OR_CIDR", "_IPV4", "_MAC", "_SIZE", "_enum",
           "_ipv4_or_empty", "_number", "_text", "_yes_no"]  # fmt: skip

YES_NO = ["yes", "no", "y", "n", "true", "false", "on", "off", "1", "0"]
_IPV4 = r"^\s*(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}\s*$"
_CIDR = _IPV4[:-4] + r"/([0-9]|[12][0-9]|3[0-2])\s*$"
_IP_OR_CIDR = _IPV4[:-4] + r"(/([0-9]|[12][0-9]|3[0-2]))?\s*$"
_MAC = r"^\s*[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}\s*$"
_IPV6 = r"^\s*[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\s*$"  # loose: check-answers is the authority
_CIDR6 = r"^\s*[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8])\s*$"
_NAME = {"type": "string", "minLength": 1, "maxLength": 15}
_SIZE = r"^\s*[0-9]+(\.[0-9]+)?\s*([KMGTkmgt]([iI]?[bB])?|[bB])?\s*$"


def _text(description: str, **extra: Any) -> dict:
    return {"type": "string", "description": description, **extra}


def _enum(values: list, description: str, default: Any) -> dict:
    variants = [x for v in values for x in dict.fromkeys([v, v.title(), v.upper()])]
    out = {"type": "string", "enum": variants, "description": description}
    return out | ({"default": default} if default is not None else {})


def _yes_no(description: str, default: bool) -> dict:
    return {
        "anyOf": [{"type": "boolean"}, {"type": "string", "enum": YES_NO}],
        "default": default,
        "description": description,
    }


def _ipv4_or_empty(description: str) -> dict:
    return {
        "type": "string",
        "pattern": f"{_IPV4}|^\\s*$",
        "default": "",
        "description": description,
    }


def _number(low: int, high: int, description: str) -> dict:
    return {
        "anyOf": [
            {"type": "integer", "minimum": low, "maximum": high},
            {"type": "string", "pattern": r"^\s*[0-9]{1,5}\s*$"},
        ],
        "description": description,
    }


NETWORK_FIELDS: dict[str, dict] = {
    "network.interface": {
        "anyOf": [
            _NAME,
            {"type": "array", "items": _NAME, "minItems": 1, "uniqueItems": True},
            {"$ref": "#/$defs/interface_rule"},
        ],
        "description": "the NIC to configure: a name (eth0) or a rule; several names (a list) "
        "are bonded",
    },
    "network.dhcp": _yes_no(
        "configure the NIC by DHCP instead of a static address", model.DEFAULT_DHCP
    ),
    "network.address": _text("IP/Mask in CIDR form, e.g. 192.168.159.129/24", pattern=_CIDR),
    "network.gateway": _text("gateway: an IPv4 address on the NIC's network", pattern=_IPV4),
    "network.dns": {
        "anyOf": [
            {"type": "string"},
            {"type": "array", "items": {"type": "string", "pattern": f"{_IPV4}|{_IPV6}"}},
        ],
        "description": "DnsMaster: one or more IPv4 or IPv6 addresses (',' separated, or a list)",
    },
    "network.mac": {
        "anyOf": [
            {"type": "string", "pattern": _MAC},
            {"type": "array", "items": {"type": "string", "pattern": _MAC}, "minItems": 1},
        ],
        "description": "the NIC's permanent MAC address (a bond: one per NIC, in interface's "
        "order): the installed system matches the NIC by it, whatever its name there",
    },
    "network.bond": {
        "type": "object",
        "description": "the bond of the NICs listed in interface (named bond0)",
        "properties": {
            "mode": _enum(list(model.BOND_MODES), "bonding mode", model.DEFAULT_BOND_MODE),
            "miimon": {
                "anyOf": [
                    {"type": "integer", "minimum": 1, "maximum": 60000},
                    {"type": "string", "pattern": r"^\s*[0-9]{1,5}\s*$"},
                ],
                "default": model.DEFAULT_MIIMON_MS,
                "description": "link check interval in milliseconds",
            },
            "lacp_rate": _enum(list(model.LACP_RATES), "802.3ad only: LACPDU rate", None),
            "primary": _text("the member preferred while it has a link", minLength=1),
        },
        "additionalProperties": False,
    },
    "network.vlan": _number(*model.VLAN_IDS, "802.1Q VLAN ID on the NIC or bond (vlanN)"),
    "network.mtu": _number(*model.MTU_BYTES, "MTU in bytes on every layer, e.g. 9000"),
    "network.ipv6": {
        "anyOf": [
            _enum([m.value for m in model.Ipv6Mode], "IPv6 mode", None),
            {"type": "boolean", "enum": [False]},
        ],
        "default": model.DEFAULT_IPV6.value,
        "description": "IPv6 on the top interface: off, slaac, dhcp (DHCPv6) or static",
    },
    "network.address6": _text(
        "with ipv6 static: IPv6 address/prefix, e.g. 2001:db8::101/64", pattern=_CIDR6
    ),  # fmt: skip
    "network.gateway6": _text(
        "IPv6 gateway: in address6's prefix, or link-local (fe80::1)", pattern=_IPV6
    ),
}

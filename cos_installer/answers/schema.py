"""JSON Schema of the answers file (and its fleet extension), built from the model.

Editors (YAML language servers) use it for completion and early errors; `check-answers`
stays the authority (it knows cross-field rules such as "gateway inside the network").
Key names come from `answers.KEYS`, enums and defaults from `model`, so a field added there
without a schema entry fails `answers_schema()` and the committed-file test.

Regenerate: python -m cos_installer.answers.schema > cos_installer/answers/answers.schema.json
"""

from __future__ import annotations

import json
import sys

from cos_installer.answers import model
from cos_installer.answers.fleet import MATCH_KEYS
from cos_installer.answers.fleet_members import MEMBER_RULE_KEYS
from cos_installer.answers.fleet_rules import DISK_RULE_KEYS, LINKED_CHOICES, NIC_RULE_KEYS
from cos_installer.answers.schema_parts import (  # noqa: F401 (YES_NO: used by tests)
    _IP_OR_CIDR,
    _IPV4,
    _MAC,
    _SIZE,
    NETWORK_FIELDS,
    YES_NO,
    _enum,
    _ipv4_or_empty,
    _text,
    _yes_no,
)


def _path_or_rule(description: str, rule: str, nullable: bool = False) -> dict:
    kinds = [{"type": "string", "pattern": r"^/\S+$"}, {"$ref": f"#/$defs/{rule}"}]
    return {"anyOf": kinds + ([{"type": "null"}] if nullable else []), "description": description}


FIELDS: dict[str, dict] = {
    "role": _enum([r.value for r in model.Role], "what this machine becomes", None),
    "controller.http_port": {
        "anyOf": [
            {"type": "integer", "minimum": 1, "maximum": 65535},
            {"type": "string", "pattern": r"^\s*[0-9]{1,5}\s*$"},
        ],
        "default": model.DEFAULT_HTTP_PORT,
        "description": "HTTP Port: the port the controller serves on",
    },
    "controller.cluster_size": {
        "enum": list(model.CLUSTER_SIZES) + [str(n) for n in model.CLUSTER_SIZES],
        "default": model.DEFAULT_CLUSTER_SIZE,
        "description": "Cluster Size: initial size of the etcd cluster (3 strongly recommended)",
    },
    "controller.ha": _yes_no("deploy the controllers as an HA group", model.DEFAULT_HA),
    "controller.group": {
        "anyOf": [
            {
                "type": "array",
                "items": {"type": "string", "pattern": _IPV4},
                "minItems": 3,
                "maxItems": 3,
            },
            {"type": "string", "minLength": 1},
        ],
        "description": "the HA group's three controller addresses, the PRIMARY first (rs0's "
        "member order); this machine's among them. rs0 is then set up at first boot",
    },  # fmt: skip
    "agent.controllers": {
        "anyOf": [
            {"type": "string", "minLength": 1},
            {"type": "array", "items": {"type": "string"}, "minItems": 1},
        ],
        "description": "controller addresses host:port, the current PRIMARY first, "
        "e.g. 192.168.122.170:80,192.168.122.171:80",
    },
    "agent.install_code": {
        "anyOf": [
            {"type": "string", "pattern": r"^\s*[0-9]{4}\s*$"},
            {"type": "integer", "minimum": 1000, "maximum": 9999},
        ],
        "description": "InstallCode: the 4 digits shown on the controller's web page (quote it)",
    },
    "agent.network_model": _enum(
        [m.value for m in model.NetworkModel],
        "Docker network model of all agents: bridge (recommended) or ipvlan (vSphere only)",
        model.NetworkModel.BRIDGE.value,
    ),
    "agent.docker_gateway": _ipv4_or_empty("COS_CUSTOM_DOCKERGW: containers' gateway, or empty"),
    "agent.docker_dns": _ipv4_or_empty("COS_CUSTOM_DOCKERDNS: containers' DNS, or empty"),
    "agent.ip_pool": {
        "anyOf": [
            {"$ref": "#/$defs/ip_range"},
            {"type": "array", "items": {"$ref": "#/$defs/ip_range"}, "minItems": 1},
        ],
        "description": "the containers' IP pool: {start, end} ranges in the hosts' mask, "
        "set at first boot by the agent with ip_pool_owner (a fleet: its first agent)",
    },  # fmt: skip
    "agent.ip_pool_owner": _yes_no(
        "this agent sets the IP pool (and Ipvlan's 172.17.0.1/16 range) at first boot", False
    ),
    "system.hostname": _text("HostName (RFC 1123), e.g. controller1 or node1", minLength=1),
    "system.password": _text(
        "password of the cos account; stored only as a SHA-512 hash", minLength=1
    ),
    "system.password_hash": _text("SHA-512 crypt of the password ($6$...)", pattern=r"^\$6\$"),
    **NETWORK_FIELDS,
    "disk": _path_or_rule("the OS disk (ALL DATA ERASED): a path or a rule", "disk_rule"),
    "data_disk": _path_or_rule(
        "optional Docker data disk: XFS, mounted on /xfs with prjquota", "disk_rule", True
    ),
}
DESCRIPTIONS = {
    "controller": "controller settings (role controller only)",
    "agent": "agent settings (role agent only)",
    "system": "host name and the cos account's password (give password or password_hash)",
    "network": "the NIC (or bond of NICs) configured at install time, an optional VLAN on "
    "top, IPv4 and optional IPv6",
}
RULE_SCHEMAS: dict[str, dict] = {
    "serial": _text("the disk with this serial number"),
    "model": _text("the disk of this model"),
    "min_size": {
        "anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": _SIZE}],
        "description": "at least this big: 20G (GiB), 20GB (10^9 bytes) or bytes",
    },
    "smallest": {"type": "boolean", "description": "the smallest disk that fits"},
    "largest": {"type": "boolean", "description": "the largest disk that fits"},
    "mac": {
        "anyOf": [
            {"type": "string", "pattern": _MAC},
            {"type": "array", "items": {"type": "string", "pattern": _MAC}, "minItems": 2},
        ],
        "description": "the NIC with this MAC address; a list: these bond members",
    },
    "name": {
        "anyOf": [
            {"type": "string", "minLength": 1},
            {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 2},
        ],
        "description": "the NIC with this name; a list: these bond members",
    },
    "linked": {
        "enum": list(LINKED_CHOICES) + [True],
        "description": "first: the first NIC with a cable; only: the one NIC with one; "
        "true (with members): every member has a cable",
    },
    "members": {
        "anyOf": [{"type": "integer", "minimum": 2}, {"const": "all"}],
        "description": "bond members: exactly this many NICs must fit the rule (all: every "
        "NIC that fits, at least 2)",
    },
    "min_speed": {
        "anyOf": [
            {"type": "integer", "minimum": 1},
            {"type": "string", "pattern": r"^\s*[0-9]+(\.[0-9]+)?\s*[gGmM]?"},
        ],
        "description": "NICs linked at this speed or faster: 10G, 2.5G, 1000M (Mbit/s)",
    },
    "driver": _text("NICs driven by this kernel driver, e.g. ixgbe"),
    "matched": {
        "type": "boolean",
        "description": "the NIC whose MAC this host entry's match: names",
    },
}
RULE_SCHEMAS["max_size"] = dict(RULE_SCHEMAS["min_size"], description="at most this big")


def _sections(keys: dict[str, tuple[str, ...]]) -> dict[str, dict]:
    """Answers properties, one per key of `answers.KEYS`; KeyError for a field without schema."""
    props: dict[str, dict] = {}
    for name in keys[""]:
        if name not in keys:
            props[name] = FIELDS[name]
            continue
        section = {key: FIELDS[f"{name}.{key}"] for key in keys[name]}
        props[name] = {
            "type": "object",
            "description": DESCRIPTIONS[name],
            "properties": section,
            "additionalProperties": False,
        }
    props["system"]["not"] = {"required": ["password", "password_hash"]}
    return props


def _rule(keys: tuple[str, ...], description: str) -> dict:
    return {
        "type": "object",
        "description": description,
        "minProperties": 1,
        "properties": {k: RULE_SCHEMAS[k] for k in keys},
        "additionalProperties": False,
    }


def answers_schema() -> dict:
    """The JSON Schema (draft 2020-12) of answers and fleet files."""
    from cos_installer.answers.document import KEYS

    props = _sections(KEYS)
    match = {
        k: {
            "anyOf": [
                {"type": "string", "minLength": 1},
                {"type": "array", "items": {"type": "string"}, "minItems": 1},
            ],
            "description": f"{d} (a list: any of them)",
        }
        for k, d in MATCH_KEYS.items()
    }
    match["mac"]["anyOf"] = [
        {"type": "string", "pattern": _MAC},
        {"type": "array", "items": {"type": "string", "pattern": _MAC}},
    ]
    host = {
        "type": "object",
        "description": "one machine: match: says which; every other key overrides the "
        "shared defaults (nested sections key by key; null removes a default)",
        "properties": {
            "match": {
                "type": "object",
                "properties": match,
                "minProperties": 1,
                "additionalProperties": False,
                "description": "all keys given must match this machine",
            },
            **props,
        },
        "required": ["match"],
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "COS installer answers file",
        "description": "Answers for an unattended COS install; with hosts: a fleet file whose "
        "top level holds shared defaults. Check with: cos-installer check-answers FILE",
        "type": "object",
        "properties": {
            **props,
            "hosts": {
                "type": "array",
                "items": {"$ref": "#/$defs/host"},
                "minItems": 1,
                "description": "fleet: one entry per machine",
            },
        },
        "additionalProperties": False,
        "if": {"not": {"required": ["hosts"]}},
        "then": {"required": ["role", "system", "network", "disk"]},
        "$defs": {
            "host": host,
            "disk_rule": _rule(DISK_RULE_KEYS, "choose the disk on the machine by a rule"),
            "interface_rule": _rule(
                NIC_RULE_KEYS + MEMBER_RULE_KEYS[:1] + ("min_speed", "driver"),
                "choose the NIC, or a bond's members, on the machine by a rule",
            ),
            "ip_range": {
                "type": "object",
                "description": "one range of the pool, e.g. {start: 192.168.122.200, end: "
                "192.168.122.250} (the hosts' mask may be added: /24)",
                "properties": {
                    "start": _text("first address", pattern=_IP_OR_CIDR),
                    "end": _text("last address", pattern=_IP_OR_CIDR),
                },
                "required": ["start", "end"],
                "additionalProperties": False,
            },  # fmt: skip
        },
    }


def main() -> int:
    sys.stdout.write(json.dumps(answers_schema(), indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

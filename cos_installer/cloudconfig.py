"""The rules `coreos-cloudinit --validate` applies, checked before a config is written.

coreos-cloudinit exits non-zero on *any* report entry (errors, warnings and infos), so the
installer must produce none. The schema below follows coreos-cloudinit's config structs
(config/config.go, file.go, unit.go, user.go, update.go, locksmith.go, flannel.go, oem.go)
and its validate/rules.go: known keys and compatible types (warnings), `valid:` patterns
(errors), keys spelled with '-' (infos), deprecated etcd/etcd2/fleet (warnings), write_files
under /usr (error). Additions, stricter than upstream on purpose: `permissions` must be a
quoted string (unquoted 0644 is the YAML number 420, which cloudinit applies as mode 0420),
write_files paths must be absolute, and a key given twice is a warning (YAML keeps the last).
Line numbers come from the YAML parser, so each entry points at the exact line.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import zlib
from dataclasses import dataclass
from urllib.parse import urlparse

import yaml

from cos_installer import yamlguard
from cos_installer.shown import printable

HEADER = "#cloud-config"


@dataclass(frozen=True)
class Report:
    line: int
    level: str  # "error" | "warning" | "info", as coreos-cloudinit prints them
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.level}: {printable(self.message)}"


@dataclass(frozen=True)
class Scalar:
    kind: str  # string | int | bool | float64
    valid: str | None = None  # a regular expression the value must match


@dataclass(frozen=True)
class Seq:
    item: object


@dataclass(frozen=True)
class Deprecated:
    """A section still parsed by cloudinit but flagged; its inside is not checked further."""

    why: str


class Struct(dict):
    kind = "struct"


STR, BOOL = Scalar("string"), Scalar("bool")
ENCODINGS = r"^(base64|b64|gz|gzip|gz\+base64|gzip\+base64|gz\+b64|gzip\+b64)$"
UNIT_COMMANDS = r"^(start|stop|restart|reload|try-restart|reload-or-restart|reload-or-try-restart)$"
NOT_SHIPPED = "{} is no longer shipped in Container Linux"


def _fields(strings: str, **others: object) -> Struct:
    """A struct whose space-separated `strings` keys are strings, plus `others`."""
    return Struct(dict.fromkeys(strings.split(), STR), **others)


SCHEMA = _fields(
    "hostname",
    ssh_authorized_keys=Seq(STR),
    coreos=Struct(
        etcd=Deprecated(NOT_SHIPPED.format("etcd")),
        etcd2=Deprecated(NOT_SHIPPED.format("etcd2")),
        fleet=Deprecated(NOT_SHIPPED.format("fleet")),
        flannel=_fields(
            "etcd_endpoints etcd_cafile etcd_certfile etcd_keyfile etcd_prefix ip_masq "
            "subnet_file interface public_ip"
        ),
        locksmith=_fields(
            "endpoint etcd_cafile etcd_certfile etcd_keyfile etcd_username etcd_password group",
            window_start=Scalar(
                "string",
                r"^((?i:sun|mon|tue|wed|thu|fri|sat|sun) )?"
                r"0*([0-9]|1[0-9]|2[0-3]):0*([0-9]|[1-5][0-9])$",
            ),
            window_length=Scalar("string", r"^[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+$"),
        ),
        oem=_fields("id name version_id home_url bug_report_url"),
        update=_fields(
            "group server",
            reboot_strategy=Scalar("string", r"^(best-effort|etcd-lock|reboot|off)$"),
        ),
        units=Seq(
            _fields(
                "name content",
                mask=BOOL,
                enable=BOOL,
                runtime=BOOL,
                command=Scalar("string", UNIT_COMMANDS),
                drop_ins=Seq(_fields("name content")),
            )
        ),
    ),
    write_files=Seq(
        _fields(
            "content owner path",
            encoding=Scalar("string", ENCODINGS),
            permissions=Scalar("string", r"^0?[0-7]{3,4}$"),
        )
    ),
    users=Seq(
        _fields(
            "name passwd coreos_ssh_import_github coreos_ssh_import_url gecos homedir "
            "primary_group shell",
            ssh_authorized_keys=Seq(STR),
            coreos_ssh_import_github_users=Seq(STR),
            groups=Seq(STR),
            no_create_home=BOOL,
            no_user_group=BOOL,
            system=BOOL,
            no_log_init=BOOL,
        )
    ),
    manage_etc_hosts=Scalar("string", r"^localhost$"),
)
USER_IMPORTS = "trying to fetch from a remote endpoint introduces too many intermittent errors"
DEPRECATED_USER_KEYS = {
    "coreos_ssh_import_github",
    "coreos_ssh_import_github_users",
    "coreos_ssh_import_url",
}

_KIND_OF_TAG = {
    "tag:yaml.org,2002:str": "string",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float64",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:timestamp": "string",  # cloudinit's YAML library has no timestamps
    "tag:yaml.org,2002:binary": "string",
    "tag:yaml.org,2002:null": "null",
}


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "struct"
    if isinstance(node, yaml.SequenceNode):
        return "slice"
    return _KIND_OF_TAG.get(node.tag, "string")


def _human(spec: object) -> str:
    if isinstance(spec, Seq):
        return "[]" + _human(spec.item)
    return "struct" if isinstance(spec, Struct) else spec.kind  # type: ignore[union-attr]


def _compatible(kind: str, spec: object) -> bool:
    if isinstance(spec, Struct):
        return kind == "struct"
    if isinstance(spec, Seq):
        return kind == "slice"
    want = spec.kind  # type: ignore[union-attr]
    if want == "string":
        return kind in {"string", "int", "float64", "bool"}
    if want == "float64":
        return kind in {"float64", "int"}
    return kind == want


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class _Checker:
    def __init__(self) -> None:
        self.reports: list[Report] = []

    def add(self, line: int, level: str, message: str) -> None:
        self.reports.append(Report(line, level, message))

    def node(self, name: str, line: int, node: yaml.Node, spec: object) -> None:
        if not _compatible(_kind(node), spec):
            self.add(line, "warning", f'incorrect type for "{name}" (want {_human(spec)})')
            return
        if isinstance(spec, Struct):
            self.mapping(name, node, spec)
        elif isinstance(spec, Seq):
            for index, item in enumerate(node.value):
                self.node(f"{name}[{index}]", _line(item), item, spec.item)
        elif spec.valid and not re.search(spec.valid, str(node.value)):  # type: ignore[union-attr]
            self.add(line, "error", f"invalid value {node.value}")

    def mapping(self, name: str, node: yaml.MappingNode, spec: Struct) -> None:
        seen: set[str] = set()
        for key_node, value in node.value:
            line = _line(key_node)
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "<complex key>"
            if "-" in key:
                self.add(line, "info", f"\"{key}\" uses '-' instead of '_'")
                key = key.replace("-", "_")
            if key in seen:
                self.add(line, "warning", f'duplicate key "{key}": YAML keeps only the last one')
            seen.add(key)
            child = spec.get(key)
            if child is None:
                self.add(line, "warning", f'unrecognized key "{key}"')
            elif isinstance(child, Deprecated):
                self.add(line, "warning", f'deprecated key "{key}" ({child.why})')
            else:
                if spec is SCHEMA["users"].item and key in DEPRECATED_USER_KEYS:
                    self.add(line, "warning", f'deprecated key "{key}" ({USER_IMPORTS})')
                self.node(key, line, value, child)
        if name == "coreos" and "write_files" in seen:
            wf = next(k for k, _ in node.value if str(k.value).replace("-", "_") == "write_files")
            self.add(_line(wf), "info", "write_files doesn't belong under coreos")


def _child(node: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value in node.value:
        if str(key_node.value).replace("-", "_") == key:
            return key_node, value
    return None


def _decode(content: str, encoding: str) -> None:
    data = content.encode("utf-8")
    if "b64" in encoding or "base64" in encoding:
        data = base64.b64decode(data, validate=True)
    if encoding.startswith("gz"):
        gzip.decompress(data)


def _write_files(root: yaml.MappingNode, checker: _Checker) -> None:
    found = _child(root, "write_files")
    if not found or not isinstance(found[1], yaml.SequenceNode):
        return
    for item in found[1].value:
        path, encoding, content = (_child(item, k) for k in ("path", "encoding", "content"))
        if path and isinstance(path[1], yaml.ScalarNode):
            text, line = str(path[1].value), _line(path[0])
            if not text.startswith("/"):
                checker.add(line, "error", f"path {text!r} is not absolute")
            elif text.rsplit("/", 1)[0].startswith("/usr"):
                checker.add(line, "error", "file cannot be written to a read-only filesystem")
        if encoding and isinstance(encoding[1], yaml.ScalarNode):
            value = content[1].value if content and isinstance(content[1], yaml.ScalarNode) else ""
            try:
                _decode(str(value), str(encoding[1].value))
            except (binascii.Error, OSError, EOFError, zlib.error, ValueError):
                at = _line(content[0]) if content else _line(encoding[0])
                checker.add(at, "error", f'content cannot be decoded as "{encoding[1].value}"')
        perms = _child(item, "permissions")
        if perms and _kind(perms[1]) != "string":
            checker.add(
                _line(perms[0]),
                "error",
                f'permissions {perms[1].value} must be a quoted octal string like "0644" '
                "(unquoted, YAML reads it as a number)",
            )


def _discovery(root: yaml.MappingNode, checker: _Checker) -> None:
    etcd = _child(root, "coreos")
    etcd = _child(etcd[1], "etcd") if etcd else None
    found = _child(etcd[1], "discovery") if etcd else None
    if found and isinstance(found[1], yaml.ScalarNode):
        url = urlparse(str(found[1].value))
        if not (url.scheme or str(found[1].value).startswith("/")):
            checker.add(_line(found[0]), "warning", "discovery URL is not valid")


def check(text: str) -> list[Report]:
    """Every entry coreos-cloudinit's validator would report for `text`, by line."""
    first = text.split("\n", 1)[0].removesuffix("\r")
    if first != HEADER:
        return [Report(1, "error", f'the first line must be exactly "{HEADER}"')]
    try:
        root = yamlguard.compose(text)  # size, depth and alias expansion capped
    except yamlguard.LimitError as exc:
        return [Report(1, "error", str(exc))]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return [Report(line, "error", exc.problem or exc.context or "not valid YAML")]
    except yaml.YAMLError as exc:
        return [Report(1, "error", f"not valid YAML ({type(exc).__name__})")]
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode):
        return [Report(_line(root), "error", "the document must be a mapping of keys")]
    checker = _Checker()
    _discovery(root, checker)
    checker.mapping("", root, SCHEMA)
    _write_files(root, checker)
    return sorted(checker.reports, key=lambda r: r.line)

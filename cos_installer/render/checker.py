"""The rules `coreos-cloudinit --validate` (v1.14.0) applies, checked before a config is written.

coreos-cloudinit exits non-zero on *any* report entry (errors, warnings and infos), so the
installer must produce none. `cloudconfig_schema` follows its config structs; the checks here
follow its validate/rules.go and YAML library: known keys and compatible types (warnings, with
YAML 1.1 booleans such as y/n), `valid:` patterns on non-empty values (errors), deprecated
etcd/etcd2/fleet (warnings), content that does not decode (errors; base64 may span lines, as
Go's decoder skips line breaks), write_files whose directory, cleaned as Go's path.Dir
does, starts with /usr (error). Keys spelled with '-' are read as '_' without a word, as
v1.14.0 does. The project adds rules of its own on purpose, each message marked OWN_RULE:
the first line, quoted permissions, absolute paths, duplicate keys and manage_etc_hosts.
Line numbers come from the YAML parser, so each entry points at the exact line.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import posixpath
import re
import zlib
from dataclasses import dataclass
from urllib.parse import urlparse

import yaml

from cos_installer.answers import yamlguard
from cos_installer.common.shown import printable
from cos_installer.render.coreos_rules import (
    DEPRECATED_USER_KEYS,
    SCHEMA,
    USER_IMPORTS,
    Deprecated,
    Seq,
    Struct,
)

HEADER = "#cloud-config"
OWN_RULE = "(cos-installer rule: {})"
YAML11_Y_N = {"y", "Y", "n", "N"}  # booleans to coreos-cloudinit's YAML 1.1 library, not PyYAML


@dataclass(frozen=True)
class Report:
    line: int
    level: str  # "error" | "warning" | "info", as coreos-cloudinit prints them
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.level}: {printable(self.message)}"


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
    if node.style is None and node.value in YAML11_Y_N and node.tag.endswith(":str"):
        return "bool"  # plain y/Y/n/N: PyYAML leaves them strings, YAML 1.1 does not
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
        elif spec.valid and node.value != "" and not re.search(spec.valid, str(node.value)):  # type: ignore[union-attr]
            self.add(line, "error", f"invalid value {node.value}")  # upstream skips empty ones

    def mapping(self, name: str, node: yaml.MappingNode, spec: Struct) -> None:
        seen: set[str] = set()
        for key_node, value in node.value:
            line = _line(key_node)
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "<complex key>"
            key = key.replace("-", "_")  # as coreos-cloudinit reads it (v1.14.0 says nothing)
            if key in seen:
                why = OWN_RULE.format("YAML keeps only the last one without a word")
                self.add(line, "warning", f'duplicate key "{key}" {why}')
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
    if "b64" in encoding or "base64" in encoding:  # Go's decoder skips \r and \n, nothing else
        data = base64.b64decode(data.replace(b"\r", b"").replace(b"\n", b""), validate=True)
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
                why = OWN_RULE.format("coreos-cloudinit writes it under /, cloud-init under its "
                                      "working directory: write the full path")  # fmt: skip
                checker.add(line, "error", f"path {text!r} is not absolute {why}")
            elif go_dir(text).startswith("/usr"):
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
            checker.add(_line(perms[0]), "error", _unquoted_permissions(perms[1]))


def go_dir(path: str) -> str:
    """Go's path.Dir, which coreos-cloudinit's /usr check uses: the part before the last '/',
    cleaned ('/etc/../usr/x' -> '/usr', '/usr/../etc/x' -> '/etc', '//usr/x' -> '/usr')."""
    cleaned = posixpath.normpath(path[: path.rfind("/") + 1] or ".")
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def _unquoted_permissions(node: yaml.Node) -> str:
    """coreos-cloudinit reads the text (644 and 0644 are both rw-r--r--), but cloud-init (the
    demo OS, most clouds) takes a YAML number as the mode: 644 is decimal 644, mode 1204."""
    text = str(node.value)
    number = yaml.safe_load(text) if _kind(node) == "int" else None
    if isinstance(number, int) and re.fullmatch(r"0?[0-7]{3,4}", text) and number != int(text, 8):
        why = (f"cloud-init reads an unquoted {text} as the number {number}, which is mode "
               f"{number:o}, not {int(text, 8):o}")  # fmt: skip
    elif re.fullmatch(r"0[0-7]{3}", text):
        why = (f"YAML 1.1 readers take {text} as octal, YAML 1.2 readers as the number "
               f"{int(text)}, which is mode {int(text):o}")  # fmt: skip
    else:
        why = "an unquoted value is read as a number or a boolean, not as a mode"
    return (f'permissions {text} must be a quoted octal string like "0644" '
            f"{OWN_RULE.format(why)}")  # fmt: skip


def _manage_etc_hosts(root: yaml.MappingNode, checker: _Checker) -> None:
    found = _child(root, "manage_etc_hosts")
    if found and isinstance(found[1], yaml.ScalarNode) and found[1].value not in ("", "localhost"):
        why = OWN_RULE.format(
            "the validator lets it pass, but at boot coreos-cloudinit stops with "
            '"Invalid option to manage_etc_hosts" and applies nothing'
        )
        checker.add(_line(found[0]), "error", f'manage_etc_hosts must be "localhost" {why}')


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
    first = text.split("\n", 1)[0].rstrip()  # coreos-cloudinit trims trailing white space
    if first != HEADER:
        why = OWN_RULE.format("coreos-cloudinit would take it as a script or no user data, "
                              "but an installed system's user_data is a cloud-config")  # fmt: skip
        own = not text.strip() or first.startswith("#!")
        return [Report(1, "error", f'the first line must be "{HEADER}"{" " + why if own else ""}')]
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
    _manage_etc_hosts(root, checker)
    return sorted(checker.reports, key=lambda r: r.line)

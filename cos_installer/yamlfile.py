"""YAML in and out for hand-edited files: safe loading that keeps what YAML would hide.

Plain `yaml.safe_load` reads `install_code: 0123` as the octal number 83 and silently keeps
the last of two equal keys; both are classic answers-file mistakes, so this loader remembers
each integer's text and refuses repeated keys. Errors name the line and column.
"""

from __future__ import annotations

import yaml


class YamlInt(int):
    """An int read from YAML that remembers its source text (`source`)."""

    source: str = ""


class YamlFileError(ValueError):
    """A file is not readable YAML; the message names the line and column when known."""


class _Loader(yaml.SafeLoader):
    def construct_yaml_int(self, node: yaml.ScalarNode) -> YamlInt:
        number = YamlInt(super().construct_yaml_int(node))
        number.source = node.value
        return number

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {key_node.value!r} appears twice", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def load_yaml(raw: bytes | str) -> object:
    """Parse one YAML document. Raises YamlFileError ("line N, column M: ...")."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except UnicodeDecodeError as exc:
        raise YamlFileError(f"byte {exc.start}: not UTF-8 text") from None
    except yaml.MarkedYAMLError as exc:
        # Built from the parts, not str(exc): that would quote the line, password and all.
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = exc.problem or exc.context or "not valid YAML"
        raise YamlFileError(f"{where}YAML syntax error: {what}") from None
    except yaml.YAMLError as exc:
        raise YamlFileError(f"not valid YAML ({type(exc).__name__})") from None


def dump_yaml(mapping: dict) -> str:
    """Block-style YAML in the mapping's own key order."""
    return yaml.safe_dump(mapping, sort_keys=False, default_flow_style=False, allow_unicode=True)

"""YAML in and out for hand-edited files: safe loading that keeps what YAML would hide.

Plain `yaml.safe_load` reads `install_code: 0123` as the octal number 83 and silently keeps
the last of two equal keys; both are classic answers-file mistakes, so this loader remembers
each integer's text and refuses repeated keys. Errors name the line and column.

A hostile file must not exhaust the live system (little memory) or the stack: the size, the
nesting depth and the number of values -- counted with every alias expanded, so a "billion
laughs" document is refused before anything is built -- are capped (`limits`). The caps fit a
fleet file of 10,000 hosts with room to spare.
"""

from __future__ import annotations

import yaml

from cos_installer.answers import yamlguard

MAX_INT_CHARS = 1000  # far below sys.get_int_max_str_digits() in any base


class YamlInt(int):
    """An int read from YAML that remembers its source text (`source`)."""

    source: str = ""


class YamlFileError(ValueError):
    """A file is not readable YAML; the message names the line and column when known."""


class _Loader(yamlguard.GuardedLoader):
    def construct_object(self, node: yaml.Node, deep: bool = False) -> object:
        """An explicit tag on a value it does not fit (`!!float eth0`, `!!int ""`, `!!bool x`)
        makes PyYAML's constructors raise anything; one YAML error naming the place and the
        tag, never the value (it may be the password). Built deep (depth is capped), so a
        collection's own errors are raised here too, with its place."""
        try:
            return super().construct_object(node, deep=True)
        except (ValueError, KeyError, IndexError, TypeError, AttributeError, OverflowError):
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            raise yaml.constructor.ConstructorError(
                None, None, f"the value cannot be read as {tag}", node.start_mark
            ) from None

    def construct_yaml_int(self, node: yaml.ScalarNode) -> YamlInt:
        if len(node.value) > MAX_INT_CHARS:  # str() of it would fail (int_max_str_digits)
            raise yaml.constructor.ConstructorError(
                None, None, f"a number of {len(node.value)} characters is too long",
                node.start_mark,
            )  # fmt: skip
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
        yamlguard.check_size(text)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            yamlguard.check_expansion(node)
            return loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yamlguard.LimitError as exc:
        raise YamlFileError(str(exc)) from None
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

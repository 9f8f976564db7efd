"""Caps on what a YAML document may cost before it is built: size, depth, values.

PyYAML composes and constructs recursively and expands nothing up front, so a deep document
overflows the stack (RecursionError) and a small one of nested aliases ("billion laughs")
turns into millions of values for every walk over it. The caps are checked on the composed
node graph, aliases counted as often as they are used, before any Python object is built.

Sized for a fleet file of 10,000 hosts (about 1.1 MiB and 130,000 values with a match, a
hostname and an address each) with room to spare; 400,000 composed nodes stay near 200 MB.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import yaml

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 400_000


class LimitError(ValueError):
    """The document is over one of the caps; the message names it and the line."""


def check_size(text: str) -> None:
    if len(text) > MAX_BYTES:
        raise LimitError(
            f"the file has {len(text):,} characters, more than the {MAX_BYTES // 2**20} MiB an "
            "answers or fleet file may have: split it"
        )


def _where(node: yaml.Node | yaml.Event) -> str:
    mark = node.start_mark
    return f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""


def compose_node_with_depth(compose: Callable) -> Callable:
    """Wrap Composer.compose_node so that nesting deeper than MAX_DEPTH (the composer recurses
    once per level) or more than MAX_NODES nodes stop composing."""

    @functools.wraps(compose)
    def compose_node(self, parent, index):
        self._guard_count = getattr(self, "_guard_count", 0) + 1
        if self._guard_count > MAX_NODES:
            raise LimitError(f"{_where(self.peek_event())}more than {MAX_NODES:,} values: an "
                             "answers or fleet file is far smaller")  # fmt: skip
        depth = getattr(self, "_guard_depth", 0)
        if depth >= MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise LimitError(
                f"line {mark.line + 1}, column {mark.column + 1}: nested more than {MAX_DEPTH} "
                "levels deep: an answers file needs three"
            )
        self._guard_depth = depth + 1
        try:
            return compose(self, parent, index)
        finally:
            self._guard_depth = depth

    return compose_node


class GuardedLoader(yaml.SafeLoader):
    """SafeLoader composing under the depth and node caps."""

    compose_node = compose_node_with_depth(yaml.SafeLoader.compose_node)


def compose(text: str) -> yaml.Node | None:
    """The node graph of one document within every cap (LimitError, yaml.YAMLError)."""
    check_size(text)
    loader = GuardedLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    check_expansion(node)
    return node


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def check_expansion(root: yaml.Node | None) -> None:
    """Count every node as often as aliases repeat it, and the depth it reaches, without
    recursion (a node's totals are kept once computed); refuse a node that contains itself."""
    if root is None:
        return
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            kids = _children(node)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            open_nodes.discard(key)
            if size[key] > MAX_NODES:
                raise LimitError(
                    f"{_where(node)}more than {MAX_NODES:,} values (aliases counted each time "
                    "they are used): an answers or fleet file is far smaller"
                )
            if depth[key] > MAX_DEPTH:
                raise LimitError(f"{_where(node)}nested more than {MAX_DEPTH} levels deep "
                                 "once its aliases are expanded")  # fmt: skip
            continue
        if key in size:
            continue
        if key in open_nodes:
            raise LimitError(f"{_where(node)}an alias refers to a value that contains it")
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((kid, False) for kid in _children(node) if id(kid) not in size)

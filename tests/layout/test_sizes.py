"""Small modules and functions: none over 300 lines (modules) or 80 lines (functions) in the
installer and its ISO scripts unless its docstring says why, in a paragraph starting "Size:".
Tests aside."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULE_LINES = 300
FUNCTION_LINES = 80
TREES = ("cos_installer", "screens", "iso", "benchmarks")


def sources() -> list[Path]:
    return sorted(p for tree in TREES for p in (ROOT / tree).rglob("*.py"))


def excused(node: ast.AST) -> bool:
    doc = ast.get_docstring(node) or ""
    return any(part.strip().startswith("Size:") for part in doc.split("\n\n"))


def oversized(path: Path) -> list[str]:
    text = path.read_text()
    tree = ast.parse(text)
    name = path.relative_to(ROOT)
    found = []
    lines = text.count("\n")
    if lines > MODULE_LINES and not excused(tree):
        found.append(f"{name}: {lines} lines (at most {MODULE_LINES})")
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > FUNCTION_LINES and not excused(node):
                found.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    return found


def test_no_module_or_function_is_too_long_without_a_reason() -> None:
    found = [problem for path in sources() for problem in oversized(path)]
    assert not found, "split these, or say why in a 'Size:' paragraph:\n" + "\n".join(found)


@pytest.mark.parametrize("reason", ["", '"""What it does.\n\nSize: one step per method."""\n'])
def test_the_check_sees_a_long_function(tmp_path: Path, reason: str) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(FUNCTION_LINES + 5))
    doc = f"    {reason}" if reason else ""
    path = tmp_path / "cos_installer" / "long.py"
    path.parent.mkdir()
    path.write_text(f"def long():\n{doc}{body}\n")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert bool(oversized(path)) is (not reason)
    finally:
        ROOT = saved

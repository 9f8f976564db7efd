"""The catalogue's source of truth: every literal marked `_()`, `N_()` or `ngettext()` in the
wizard (screens/) and the engine (cos_installer/), found with `ast` (no Babel needed).

`python -m tests.i18n.extract` prints the msgids missing from the zh_CN catalogue."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "screens", ROOT / "cos_installer"]
MARKERS = {"_", "N_"}


def marked(path: Path) -> list[tuple[str, int]]:
    """(msgid, line) of every marked literal in one file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        args = node.args
        if node.func.id in MARKERS or node.func.id == "ngettext":
            for arg in args[: 2 if node.func.id == "ngettext" else 1]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.append((arg.value, node.lineno))
    return found


def messages() -> dict[str, list[str]]:
    """msgid -> the places it is marked (relative path:line)."""
    out: dict[str, list[str]] = {}
    for base in SOURCES:
        for path in sorted(base.rglob("*.py")):
            for msgid, line in marked(path):
                out.setdefault(msgid, []).append(f"{path.relative_to(ROOT)}:{line}")
    return out


if __name__ == "__main__":
    from cos_installer.i18n import load_catalogue

    have = load_catalogue("zh_CN").entries
    missing = [m for m in messages() if m not in have]
    for m in missing:
        print(repr(m))
    sys.exit(1 if missing else 0)

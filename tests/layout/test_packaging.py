"""Every package of the source tree is in the wheel: pyproject.toml lists packages by hand
(screens/ and templates/ are mapped into cos_installer), so a new package that is not listed
would be missing from the ISO's installer while every test on the source tree passes."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def listed() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    return set(config["packages"])


def on_disk() -> set[str]:
    found = set()
    for init in (ROOT / "cos_installer").rglob("__init__.py"):
        parts = init.parent.relative_to(ROOT).parts
        found.add(".".join(parts))
    for tree in ("screens", "templates"):
        if (ROOT / tree / "__init__.py").exists():
            found.add(f"cos_installer.{tree}")
    return found


def test_every_package_is_listed_for_the_wheel() -> None:
    missing = sorted(on_disk() - listed())
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {missing}"


def test_every_listed_package_exists() -> None:
    assert not sorted(listed() - on_disk())

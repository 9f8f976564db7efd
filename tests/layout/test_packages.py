"""Every package under cos_installer/ is in the wheel: pyproject.toml lists packages by name, and
one left out installs fine in the editable venv but is missing from the live system's wheel
(the ISO build then stops at "the installed cos-installer does not start")."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_is_listed_for_the_wheel() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"
    ])  # fmt: skip
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "cos_installer").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert found <= listed, f"missing from pyproject.toml packages: {sorted(found - listed)}"

"""The layering written in pyproject.toml ([tool.importlinter]) holds, checked by import-linter
on the package as a wheel lays it out: screens/ and templates/ inside cos_installer (the
editable install maps them there, where grimp cannot see them, so a copy is checked)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def wheel_layout(dest: Path) -> Path:
    """cos_installer/ with screens/ and templates/ inside it, and the contracts beside it."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "cos_installer", dest / "cos_installer", ignore=ignore)
    shutil.copytree(ROOT / "screens", dest / "cos_installer" / "screens", ignore=ignore)
    shutil.copytree(ROOT / "templates", dest / "cos_installer" / "templates", ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    if not LINT_IMPORTS.exists():
        pytest.fail(f"{LINT_IMPORTS} is missing: `make venv` installs import-linter")
    env = dict(os.environ, PYTHONPATH=str(tree))
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=env, capture_output=True, text=True
    )


def test_the_contracts_hold(tmp_path: Path) -> None:
    done = lint_imports(wheel_layout(tmp_path))
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout
    assert "screens" in (tmp_path / "pyproject.toml").read_text()


@pytest.mark.parametrize(
    ("module", "line", "reported"),
    [
        ("hardware/sysfs.py", "from cos_installer.screens import theme", "hardware.sysfs ->"),
        ("install/stream.py", "import urwid", "install.stream -> urwid"),
        ("answers/model.py", "from cos_installer.install import pipeline", "answers.model ->"),
        ("screens/theme.py", "from cos_installer.commands import install", "screens.theme ->"),
    ],
)
def test_a_wrong_import_breaks_a_contract(
    tmp_path: Path, module: str, line: str, reported: str
) -> None:
    """The checker sees the screens and the engine: one import against the layering, added to
    a copy, is reported (so a green run above means something)."""
    tree = wheel_layout(tmp_path)
    path = tree / "cos_installer" / module
    path.write_text(path.read_text() + f"\n{line}  # noqa\n")
    done = lint_imports(tree)
    assert done.returncode != 0
    assert f"cos_installer.{reported}" in done.stdout, done.stdout[-3000:]

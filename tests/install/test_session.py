"""One install session for both front ends: `Session` opens the backend, runs the pipeline,
closes the backend and keeps the rendered config, redacted, beside the log; the wizard's engine
and `cos-installer install` both go through it, and the screens import no backend, no render,
no subprocess."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cos_installer.answers.loader import load_answers
from cos_installer.install.session import Session
from cos_installer.support.installlog import CONFIG_NAME

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "cos_installer" / "samples" / "agent-ipvlan.yaml"


class Closing:
    """Records whether the backend it wraps was closed."""

    def __init__(self, backend) -> None:
        self.backend, self.closed = backend, False

    def __getattr__(self, name):
        return getattr(self.backend, name)

    def close(self) -> None:
        self.closed = True
        self.backend.close()


def test_a_session_runs_closes_the_backend_and_keeps_the_config_redacted(tmp_path):
    config = load_answers(SAMPLE)
    log = tmp_path / "log" / "install.log"
    session = Session(config, dry_run=True, log_path=str(log))
    session.backend = backend = Closing(session.open())
    events = []
    result = session.run(events.append)
    assert result.ok, result.message
    assert backend.closed and session.backend is None
    assert any(event.kind == "stage-start" for event in events)
    kept = (log.parent / CONFIG_NAME).read_text()
    assert kept.startswith("#cloud-config")
    assert config.agent.install_code not in kept and "<redacted>" in kept
    assert session.problem is None


def test_the_cli_and_the_wizard_engine_both_install_through_the_session():
    for path in ("cos_installer/commands/install.py", "cos_installer/commands/wizard_engine.py"):
        names = _imports(ROOT / path)
        assert "cos_installer.install.session" in names, path
        direct = {"cos_installer.install.pipeline", "cos_installer.install.backends.open_backend"}
        assert not names & direct, (path, names)


def test_screens_import_no_backend_render_hardware_internals_or_subprocess():
    banned = ("cos_installer.install", "cos_installer.render", "cos_installer.live",
              "cos_installer.hardware.", "subprocess", "importlib")  # fmt: skip
    for path in sorted((ROOT / "screens").glob("*.py")):
        for name in _imports(path):
            if name.startswith(("cos_installer.hardware.types", "cos_installer.render.nextsteps")):
                continue  # the types the screens display; the guide's next steps (text)
            assert not name.startswith(banned) and name != "cos_installer.hardware", (path, name)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_backends_open_the_data_disk_and_refuse_the_os_disk_under_another_name(tmp_path):
    from cos_installer.install.backends import BackendError, open_backend, open_data_disk

    disk = tmp_path / "sda"  # absent: a dry run's profile disk
    alias = tmp_path / "by-id-link"
    alias.symlink_to(disk)
    os_disk, opened = open_backend(str(disk), dry_run=True), []
    with pytest.raises(BackendError) as refused:
        open_data_disk(str(alias), os_disk, opened.append)
    assert refused.value.cause.startswith("the data disk is the OS disk")
    assert refused.value.device == opened[0].describe(), "the message names the data disk"
    other = open_data_disk(str(tmp_path / "sdb"), os_disk, opened.append)
    assert opened[-1] is other and other.target == str(tmp_path / "sdb")

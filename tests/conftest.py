"""Fixtures shared by several test areas."""

import os
import tempfile

import pytest

from tests.realparts import need_tools


@pytest.fixture
def term():
    """A private tmux server at 80x24 running the real installer (see tests/screens/tmuxterm)."""
    from tests.screens.tmuxterm import Tmux

    need_tools("tmux")
    t = Tmux()
    try:
        yield t
    finally:
        t.kill()


@pytest.fixture(scope="session", autouse=True)
def private_tmp(tmp_path_factory):
    """Dry-run logs and bundles go under the session's own directory, never the real /tmp:
    $TMPDIR and $XDG_RUNTIME_DIR point there (for subprocesses too) while the tests run."""
    runtime = tmp_path_factory.mktemp("run")
    runtime.chmod(0o700)
    saved = {k: os.environ.get(k) for k in ("TMPDIR", "XDG_RUNTIME_DIR")}
    os.environ["TMPDIR"] = os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    before, tempfile.tempdir = tempfile.tempdir, str(runtime)
    yield runtime
    tempfile.tempdir = before
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value

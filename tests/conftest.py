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
def signing_key(tmp_path_factory):
    """Every test payload is signed (tests.payloadkit.write_sha256) by a session key whose
    public keyring the installer trusts ($COS_KEYRING, for subprocesses too), as on the ISO."""
    import shutil

    from cos_installer.install.signature import KEYRING_ENV
    from tests.payloadkit import SIGNING_HOME_ENV
    from tests.signkit import make_key, stop_agent

    if shutil.which("gpg") is None or shutil.which("gpgv") is None:
        yield None  # the install tests then fail naming the missing signature
        return
    key = make_key(tmp_path_factory.mktemp("keys"), "session")
    saved = {k: os.environ.get(k) for k in (SIGNING_HOME_ENV, KEYRING_ENV)}
    os.environ[SIGNING_HOME_ENV], os.environ[KEYRING_ENV] = key.home, key.keyring
    yield key
    stop_agent(key)
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


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

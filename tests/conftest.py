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
    saved = {k: os.environ.get(k) for k in ("TMPDIR", "XDG_RUNTIME_DIR", "TMUX_TMPDIR")}
    os.environ["TMPDIR"] = os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    os.environ["TMUX_TMPDIR"] = str(runtime)  # the tests' tmux servers' sockets too
    before, tempfile.tempdir = tempfile.tempdir, str(runtime)
    yield runtime
    tempfile.tempdir = before
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


REAL_TMP = "/tmp"  # where no test may leave the installer's files (each has its own directory)
LEAK_PREFIX = "cos-installer-"  # a dry run's log directory, a diagnostics bundle


def _installer_files_in_real_tmp() -> set[str]:
    try:
        return {name for name in os.listdir(REAL_TMP) if name.startswith(LEAK_PREFIX)}
    except OSError:
        return set()


@pytest.fixture(autouse=True)
def no_installer_files_in_the_real_tmp(private_tmp):
    """A test after which a new cos-installer-* (a dry run's log directory, a diagnostics
    bundle) is in the real /tmp fails: a child process was started without the session's
    TMPDIR (private_tmp), or the code ignores $TMPDIR. Another process on this machine
    making one in the same moment would be blamed too; the message names the entries."""
    before = _installer_files_in_real_tmp()
    yield
    new = sorted(_installer_files_in_real_tmp() - before)
    if new:
        pytest.fail(
            f"left in {REAL_TMP}: {', '.join(new)}: tests write under their own temporary "
            f"directory ($TMPDIR is {os.environ.get('TMPDIR')}); pass it to child processes"
        )

"""Fixtures shared by several test areas."""

import os
import subprocess
import sys
import tempfile
import warnings
from typing import Any

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


TESTS = os.path.dirname(os.path.abspath(__file__))
REAL_TMP = "/tmp"  # where no test may leave the installer's files (each has its own directory)
LEAK_PREFIX = "cos-installer-"  # a dry run's log directory, a diagnostics bundle


def _started_by_a_test() -> str | None:
    """The tests/ file that (through the standard library) is starting a child, if any."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(TESTS + os.sep) and not name.endswith("conftest.py"):
            return os.path.relpath(name, os.path.dirname(TESTS))
        if "cos_installer" in name:
            return None  # the code under test starts its own children as it does in use
        frame = frame.f_back
    return None


def _check_child_env(env: Any, where: str) -> None:
    if env is None:
        return  # inherits os.environ: the session's TMPDIR
    tmpdir = os.environ.get("TMPDIR")
    if env.get("TMPDIR") != tmpdir or env.get("XDG_RUNTIME_DIR") != tmpdir:
        raise AssertionError(
            f"{where} starts a child with an environment of its own that lacks the session's "
            f"TMPDIR/XDG_RUNTIME_DIR ({tmpdir}): a dry run's log directory or a diagnostics "
            f"bundle would land in the real {REAL_TMP}; copy them into that environment"
        )


@pytest.fixture(autouse=True)
def children_keep_the_session_tmpdir(private_tmp, monkeypatch):
    """A test that starts a child with an environment of its own making (subprocess env=,
    os.execve) passes the session's TMPDIR and XDG_RUNTIME_DIR, or fails at that call: the
    child would write cos-installer-* into the real /tmp. Checked at the call because a
    listing of /tmp cannot say whose a new entry is when other test runs share the machine."""
    real_popen_init, real_execve = subprocess.Popen.__init__, os.execve

    def popen_init(self, *args, **kwargs):
        where = _started_by_a_test()
        if where:
            _check_child_env(kwargs.get("env"), where)
        real_popen_init(self, *args, **kwargs)

    def execve(path, argv, env):
        where = _started_by_a_test()
        try:
            if where:
                _check_child_env(env, where)
        except AssertionError as exc:  # in a forked child: say it there and end it, never
            os.write(2, f"{exc}\n".encode())  # let it return into the test run
            os._exit(127)
        real_execve(path, argv, env)

    monkeypatch.setattr(subprocess.Popen, "__init__", popen_init)
    monkeypatch.setattr(os, "execve", execve)
    before = _installer_files_in_real_tmp()
    yield
    new = sorted(_installer_files_in_real_tmp() - before)
    if new:  # another process on this machine may have made it: said, not failed
        warnings.warn(f"new in {REAL_TMP} while this test ran: {', '.join(new)}", stacklevel=1)


def _installer_files_in_real_tmp() -> set[str]:
    try:
        return {name for name in os.listdir(REAL_TMP) if name.startswith(LEAK_PREFIX)}
    except OSError:
        return set()

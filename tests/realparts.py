"""Helpers for real-part tests (`from tests.realparts import need_root`).

On a developer machine a missing real part is a skip with the reason; under CI=true it is a
failure, so a green CI run means every real-part test ran."""

from __future__ import annotations

import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> None:
    """Skip (developer machine) or fail (CI) a test whose real part is missing."""
    if IN_CI:
        pytest.fail(f"real part unavailable under CI=true: {reason}")
    pytest.skip(reason)


def need_root() -> None:
    if os.geteuid() != 0:
        unavailable("needs root (loop devices, network namespaces)")


def need_tools(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        unavailable(f"missing tools: {', '.join(missing)} (run scripts/install-debs.sh as root)")

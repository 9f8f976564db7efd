"""A test-only hook, inert unless its variable is set: COS_INSTALLER_TEST_PAUSE_AT=<stage>
makes the install stop just before that stage starts (the previous one has ended), print
"test hook: paused before stage <stage>" on stderr and wait to be killed. The hard-kill tests
use it to SIGKILL an install at an exact stage boundary (tests/install/test_hardkill.py)."""

from __future__ import annotations

import os
import sys
import time

ENV = "COS_INSTALLER_TEST_PAUSE_AT"


def pause_before(stage: str) -> None:
    if os.environ.get(ENV) != stage:
        return
    sys.stderr.write(f"test hook: paused before stage {stage}\n")
    sys.stderr.flush()
    while True:
        time.sleep(3600)

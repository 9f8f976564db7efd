"""The installer's own install events (cos.report= / --report / report:) reach serve: a dry-run
install of the demo machine from a served rack's fleet file shows its host's run in /status,
from started to done."""

from __future__ import annotations

import subprocess
import sys
import time

from tests.serve.served import Served, status

COS = [sys.executable, "-m", "cos_installer.cli"]


def test_a_dry_run_install_reports_its_run_to_serve(rack):
    with Served(rack[0], None) as served:
        done = subprocess.run([*COS, "install", "--answers", str(rack[0]), "--machine", "demo",
                               "--dry-run", "--yes", "--report", served.url("events")],
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        for _ in range(40):  # the sender's thread may still be flushing: bounded, not timed
            (row,) = [h for h in status(served)["hosts"] if h["hostname"] == "controller2"]
            if row["history"][-1:] == ["done"]:
                break
            time.sleep(0.25)
        others = [h["result"] for h in status(served)["hosts"] if h["hostname"] != "controller2"]
        strangers = status(served)["unmatched"]
    assert row["history"][0] == "started" and row["history"][-1] == "done", row
    assert "stage" in row["history"]
    assert (row["result"], row["percent"], row["stage_title"]) == ("done", 100, "Finishing")
    assert others == ["pending"] * 5
    assert strangers == []

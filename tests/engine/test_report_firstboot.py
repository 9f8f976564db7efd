"""The installed system's first boot, reported (issue 15): with `report:` the cloud-config
carries a script and a unit that POST one "firstboot" event; without it, nothing. The
script is run here, as the installed system would, against a real HTTP receiver."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from cos_installer.answers.loader import load_answers
from cos_installer.render.config import render_config
from cos_installer.render.oneshots import REPORT_SCRIPT, REPORT_UNIT, STATE_DIR
from tests.engine.helpers import GOLDEN, SAMPLES, run_cli
from tests.events.receiver import receiver

NAME = "agent-bridge-report"
# a query with shell metacharacters: the script must pass it as one word, untouched
URL = "http://10.0.0.1:8080/events?site='a'&x=$(touch${IFS}/tmp/pwned)"


def rendered(url: str = URL) -> str:
    config = load_answers(SAMPLES / "agent-bridge.yaml")
    return render_config(dataclasses.replace(config, report=url))


def session_env(**extra: str) -> dict[str, str]:
    """A bare environment that keeps the test session's TMPDIR and XDG_RUNTIME_DIR."""
    keep = ("TMPDIR", "XDG_RUNTIME_DIR", "HOME")
    return {k: os.environ[k] for k in keep if k in os.environ} | extra


def test_golden_with_report():
    text = rendered()
    golden = GOLDEN / f"{NAME}.cloud-config"
    if os.environ.get("COS_UPDATE_GOLDEN") == "1":
        golden.write_text(text)
    assert text == golden.read_text()


def test_check_config_passes_and_the_unit_never_holds_up_the_boot(tmp_path):
    path = tmp_path / "user_data"
    path.write_text(rendered())
    proc = run_cli("check-config", str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = yaml.safe_load(path.read_text())
    (unit,) = [u for u in doc["coreos"]["units"] if u["name"] == REPORT_UNIT]
    assert unit["command"] == "start" and "Type=simple" in unit["content"]
    assert f"ExecStart={REPORT_SCRIPT}" in unit["content"]
    plain = render_config(load_answers(SAMPLES / "agent-bridge.yaml"))
    assert REPORT_UNIT not in plain and REPORT_SCRIPT not in plain


def script_for(url: str, state: str) -> str:
    doc = yaml.safe_load(rendered(url))
    (script,) = [f["content"] for f in doc["write_files"] if f["path"] == REPORT_SCRIPT]
    return script.replace(STATE_DIR, state)


@pytest.mark.parametrize("client", ["curl", "python3"])
def test_the_script_posts_one_firstboot_event_once(client, tmp_path):
    if client == "curl" and shutil.which("curl") is None:
        pytest.skip("no curl on this machine (the python3 fallback is tested)")
    bin_dir = tmp_path / "bin"  # PATH without curl: the demo OS has python3 only
    bin_dir.mkdir()
    for tool in ("sh", "tr", "cut", "date", "sleep", "mkdir", "touch", "curl"):
        if tool != "curl" or client == "curl":
            os.symlink(os.path.realpath(shutil.which(tool)), bin_dir / tool)
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    os.symlink(os.path.realpath(python), bin_dir / "python3")  # not a pyenv shim
    with receiver() as server:
        script = tmp_path / "report"
        script.write_text(script_for(server.url + "?site='a'&x=$(touch${IFS}/tmp/pwned)",
                                     str(tmp_path / "state")))  # fmt: skip
        for _ in range(2):  # the second boot sends nothing: the marker is there
            proc = subprocess.run(["sh", str(script)], capture_output=True, text=True,
                                  env=session_env(PATH=str(bin_dir)), timeout=60)  # fmt: skip
            assert proc.returncode == 0, proc.stderr
        (event,) = server.wait_for(1)
    assert event["kind"] == "firstboot" and event["percent"] == 100 and event["seq"] == 0
    assert event["host"]["hostname"] == "node1" and event["host"]["role"] == "agent"
    assert len(event["run"]) == 32 and (tmp_path / "state" / "firstboot-reported").exists()
    assert not os.path.exists("/tmp/pwned")

"""`install` prints the warnings the wizard's Summary shows (answers/risks.py) before anything
is written: an unattended install is where nobody looks at a Summary."""

from __future__ import annotations

import re
from pathlib import Path

from tests.install.conftest import run_cli

SAMPLE = Path(__file__).parents[2] / "cos_installer" / "samples" / "agent-ipvlan.yaml"


def ipvlan_on_dhcp(tmp_path: Path) -> str:
    text = SAMPLE.read_text().replace("  dhcp: false\n", "  dhcp: true\n")
    text = re.sub(r"(?m)^  (address|gateway|dns): .*\n", "", text)
    path = tmp_path / "answers.yaml"
    path.write_text(text)
    return str(path)


def test_a_risky_choice_is_warned_of_before_the_dry_run_plan(tmp_path):
    proc = run_cli("--answers", ipvlan_on_dhcp(tmp_path), "--machine", "demo", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "warning: Ipvlan agent on DHCP" in proc.stderr
    assert "matched by name" not in proc.stderr  # the demo profile knows eth0's MAC


def test_a_plain_choice_gets_no_warning(tmp_path):
    proc = run_cli("--answers", str(SAMPLE), "--machine", "demo", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "warning:" not in proc.stderr

"""`cos-installer netprobe`: hostile command lines exit 2 naming the value and what is
expected (nothing is brought up); a machine profile answers without touching links."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cos_installer.hardware import open_machine
from cos_installer.hardware.types import Stack
from tests.hardware.conftest import REPO, sh

pytestmark = pytest.mark.realparts


def netprobe(veth, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["ip", "netns", "exec", veth.cli_ns, sys.executable, "-m", "cos_installer.cli",
         "netprobe", *args], cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eth9"], "NIC 'eth9' is not a NIC of this machine (NICs: {cli})"),
        (["{cli}", "{cli}"], "NICs '{cli} {cli}': a NIC is named twice; name each once"),
        (["{cli}", "--bond", "fast\\x1b"],
         "--bond 'fast\\x1b' is not a bond mode (expected one of active-backup, 802.3ad, "
         "balance-alb, balance-tlb, balance-rr, balance-xor, broadcast)"),
        (["{cli}", "--vlan", "4095"],
         "--vlan '4095' is not a VLAN id (expected a whole number 1-4094)"),
        (["{cli}", "--timeout", "0"], "--timeout 0 is out of range (expected 1-120 seconds)"),
    ],
)  # fmt: skip
def test_hostile_command_line_exits_2_and_changes_nothing(veth, args, message):
    args = [a.format(cli=veth.cli).replace("\\x1b", "\x1b") for a in args]
    before = sh("ip", "-n", veth.cli_ns, "-o", "link").stdout
    done = netprobe(veth, *args)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == "cos-installer netprobe: " + message.format(cli=veth.cli)
    assert "Traceback" not in done.stderr
    assert sh("ip", "-n", veth.cli_ns, "-o", "link").stdout == before


def test_profile_machine_answers_without_links():
    machine = open_machine("demo")
    result = machine.probe_stack(Stack(("eth0", "eth1"), vlan=100), timeout=3)
    assert (
        result.facts[0] == "bond (eth0+eth1, active-backup) > VLAN 100: a machine profile, "
        "nothing brought up"
    )
    assert result.dhcp is not None and result.dhcp.lease is not None

"""The NIC an unattended install configures is found by its MAC on the installed system.

`install --machine local` (what the live system's autostart runs) probes this machine's NICs,
so the chosen NIC's MAC goes into the networkd file: the installed OS may name the NIC
otherwise (another slot, naming scheme or kernel). Without a machine the file can only match
the name, and install says so. Real parts: a veth NIC with a known MAC in its own network
namespace (install runs there, so that NIC is "this machine's"), a loop device as the disk.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.install.conftest import answers_file, read_root_file, sh
from tests.realparts import need_tools

pytestmark = pytest.mark.realparts

USER_DATA = "/var/lib/coreos-install/user_data"


@pytest.fixture
def namespace_nic():
    """(namespace, NIC name, its MAC): a veth pair inside a fresh network namespace."""
    need_tools("ip")
    tag = secrets.token_hex(3)
    ns, nic = f"cim-{tag}", f"cim{tag}"
    mac = "02:5a:" + ":".join(tag[i : i + 2] for i in (0, 2, 4)) + ":01"
    sh("ip", "netns", "add", ns)
    try:
        sh("ip", "-n", ns, "link", "add", nic, "address", mac, "type", "veth", "peer", "name",
           f"{nic}p")  # fmt: skip
        yield ns, nic, mac
    finally:
        sh("ip", "netns", "del", ns, check=False)


def install_in(ns: str, *args: str) -> subprocess.CompletedProcess:
    argv = ["ip", "netns", "exec", ns, sys.executable, "-m", "cos_installer.cli", "install"]
    return subprocess.run([*argv, *args], capture_output=True, text=True, timeout=180,
                          cwd=Path(__file__).parents[2])  # fmt: skip


def with_nic(answers: str, nic: str) -> str:
    text = Path(answers).read_text()
    Path(answers).write_text(re.sub(r"(?m)^  interface: .*$", f"  interface: {nic}", text))
    return answers


def test_install_on_this_machine_matches_the_nic_by_its_mac(payload, loops, tmp_path,
                                                           namespace_nic):  # fmt: skip
    ns, nic, mac = namespace_nic
    disk = loops.device(128)
    answers = with_nic(answers_file(tmp_path, disk=disk), nic)
    proc = install_in(ns, "--answers", answers, "--target", disk, "--image", payload,
                      "--machine", "local", "--yes")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "matched by name" not in proc.stderr
    user_data = read_root_file(disk, USER_DATA)[0].decode()
    assert f"PermanentMACAddress={mac}\n" in user_data
    assert f"Name={nic}\n" not in user_data


def test_install_without_the_machine_matches_the_name_and_says_so(payload, loops, tmp_path,
                                                                 namespace_nic):  # fmt: skip
    ns, nic, _mac = namespace_nic
    disk = loops.device(128)
    answers = with_nic(answers_file(tmp_path, disk=disk), nic)
    proc = install_in(ns, "--answers", answers, "--target", disk, "--image", payload, "--yes")
    assert proc.returncode == 0, proc.stderr
    assert f"network.interface {nic}: matched by name" in proc.stderr
    assert "--machine local" in proc.stderr
    assert f"Name={nic}\n" in read_root_file(disk, USER_DATA)[0].decode()

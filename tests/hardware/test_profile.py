"""Machine profiles: the bundled demo (golden), live re-read, DHCP answers, bad files."""

from __future__ import annotations

import json
import os
import shutil
import time
from importlib import resources
from pathlib import Path

import pytest

from cos_installer import cli
from cos_installer.hardware import (
    MediaNotReady,
    NicWatcher,
    ProfileError,
    open_machine,
    snapshot_json,
)

GOLDEN = Path(__file__).parent / "golden" / "demo.json"
DEMO = Path(str(resources.files("cos_installer") / "profiles" / "demo.yaml"))


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "argv",
    [["probe", "--json", "--machine", "demo"], ["--machine", "demo", "probe", "--json"]],
)
def test_demo_probe_json_matches_golden(argv, capsys):
    code, out, err = run_cli(argv, capsys)
    assert code == 0, err
    assert json.loads(out) == json.loads(GOLDEN.read_text())


def test_demo_snapshot_says_why_disks_are_not_offered():
    snap = snapshot_json(open_machine("demo"))
    offered = {d["path"]: (d["offered"], d["reason"]) for d in snap["disks"]}
    assert offered == {
        "/dev/sda": (True, None),
        "/dev/sdb": (True, None),
        "/dev/sdc": (False, "too small: 4.0 GiB < 8.0 GiB"),
        "/dev/sdd": (False, "install media"),
    }
    assert [(n["name"], n["linked"]) for n in snap["nics"]] == [
        ("eth0", True),
        ("eth1", True),
        ("eth2", False),
    ]


def test_demo_dhcp_answers_and_media():
    machine = open_machine("demo")
    t = time.monotonic()
    result = machine.dhcp("eth0")
    assert 1.4 < time.monotonic() - t < 3  # the spinner gets to spin
    assert str(result.lease.address) == "192.168.122.101/24"
    assert str(result.lease.gateway) == "192.168.122.1"
    assert result.lease.hostname == "node1"
    assert machine.dhcp("eth1", timeout=1).message == (
        "no DHCP answer on eth1 in 1 s - enter the address by hand"
    )
    assert machine.dhcp("eth2").message.startswith("no link on eth2")
    assert machine.dhcp("eth9").message == "no NIC named eth9 on this machine"
    media = machine.install_media()
    assert media.device == "/dev/sdd1"
    assert machine.dmi()["system_serial"] == "DEMO-0001"
    assert machine.disk("/dev/sdb").model == "ST2000NM0055-1V4104"
    assert machine.disk("/dev/disk/by-id/ata-ST2000NM0055-1V4104_ZC20ABCD").path == "/dev/sdb"
    assert machine.disk("/dev/sdz") is None


def test_editing_the_file_plugs_a_cable(tmp_path):
    profile = tmp_path / "live.yaml"
    shutil.copy(DEMO, profile)
    machine = open_machine(str(profile))
    watcher = NicWatcher(machine)
    assert machine.link_states(["eth2"]) == {"eth2": False}
    text = profile.read_text().replace("linked: false         # no cable", "linked: true")
    profile.write_text(text)
    os.utime(profile, ns=(time.time_ns(), time.time_ns() + 1_000_000))
    assert machine.link_states(["eth2", "eth0"]) == {"eth2": True, "eth0": True}
    changes = watcher.poll()
    assert [(c.kind, c.name, c.linked) for c in changes] == [("link", "eth2", True)]
    profile.write_text("nics: [")  # half-written: the last good state stays
    assert machine.link_states(["eth2"]) == {"eth2": True}


def test_media_not_ready_without_cdrom(tmp_path, monkeypatch):
    monkeypatch.delenv("COS_MEDIA_DIR", raising=False)
    profile = tmp_path / "p.yaml"
    profile.write_text("disks: [{path: /dev/sda, size: 100GiB}]\nnics: []\n")
    with pytest.raises(MediaNotReady, match="^CDROM Device Not Ready: no device"):
        open_machine(str(profile)).install_media()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("disks: [{path: /dev/sda, size: big}]",
         "disks[0].size: expected a size in bytes or like '16GiB', '500 MB', '2T', got 'big'"),
        ("nics: [{name: eth0, linked: yes-ish}]",
         "nics[0].linked: expected true or false, got 'yes-ish'"),
        ("nics: [{name: eth0, linked: true, dhcp: {address: 10.0.0.5/24, gateway: 10.0.0}}]",
         "nics[0].dhcp.gateway: expected an IPv4 address, got '10.0.0'"),
        ("nics: [{name: eth0, linked: true, speed: 1000}]",
         "nics[0].speed: expected one of the keys"),
        ("disks: [{size: 1}]", "disks[0]: missing key 'path'"),
        ("nics: {name: eth0}", "nics: expected a list"),
        ("nics:\n  - {name: eth0, linked: true}\n  - {name: eth0, linked: false}\n",
         "nics: expected unique names, got 'eth0'"),
        ("nics: [", "not valid YAML at line"),
        ("nics: [{name: eth0, linked: true, mac: 52:54:00:12:34:56}]",
         'nics[0].mac: expected a quoted MAC address like "52:54:00:12:34:56", got'),
    ],
)  # fmt: skip
def test_bad_profiles_name_file_and_key(tmp_path, text, message, capsys):
    profile = tmp_path / "bad.yaml"
    profile.write_text(text)
    with pytest.raises(ProfileError) as err:
        open_machine(str(profile))
    assert str(err.value).startswith(f"machine profile {profile}: ")
    assert message in str(err.value)
    code, out, errtext = run_cli(["probe", "--machine", str(profile)], capsys)
    assert code == 2 and message in errtext and "Traceback" not in errtext


def test_unknown_profile_names_the_bundled_ones(tmp_path):
    with pytest.raises(ProfileError, match=r"'nosuch': no bundled profile .*\(bundled: demo"):
        open_machine("nosuch")
    with pytest.raises(ProfileError, match="no such file"):
        open_machine(str(tmp_path / "missing.yaml"))


def test_virtual_profile_nics_only_with_all_nics(tmp_path):
    profile = tmp_path / "v.yaml"
    profile.write_text(
        "nics:\n  - {name: eth0, linked: true}\n  - {name: br0, linked: true, virtual: true}\n"
    )
    assert [n.name for n in open_machine(str(profile)).nics()] == ["eth0"]
    assert [n.name for n in open_machine(str(profile)).nics(all_nics=True)] == ["eth0", "br0"]
    assert [n.name for n in open_machine(str(profile), all_nics=True).nics()] == ["eth0", "br0"]


def test_saved_profile_round_trips(tmp_path, capsys):
    saved = tmp_path / "rec.yaml"
    code, out, err = run_cli(["probe", "--machine", "demo", "--save-profile", str(saved)], capsys)
    assert code == 0, err
    assert "[NoLink]" in out
    demo, copy = open_machine("demo"), open_machine(str(saved))
    assert snapshot_json(copy) == snapshot_json(demo)
    assert copy.dhcp("eth0", timeout=0.2).lease is None  # DHCP answers are not recorded


def test_both_machines_implement_the_whole_protocol():
    from cos_installer.hardware import Machine
    from cos_installer.hardware.profile import ProfileMachine
    from cos_installer.hardware.real import RealMachine

    wanted = {n for n in vars(Machine) if not n.startswith("_")}
    assert {"disks", "disk", "nics", "link_states", "dhcp", "install_media", "dmi"} <= wanted
    for cls in (RealMachine, ProfileMachine):
        assert {n for n in wanted if callable(getattr(cls, n, None))} == wanted, cls
    assert isinstance(open_machine(), RealMachine)

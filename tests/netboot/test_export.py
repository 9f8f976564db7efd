"""`cos-installer netboot export`: the tree, its answers documents per identity, configs that
dnsmasq and nginx accept, and hostile fleet values refused with nothing written."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from cos_installer.answers.passwords import verify_password
from cos_installer.netboot.contract import file_name, relative_path
from tests.netboot.rack import PASSWORD, boot_files, export, fleet_file
from tests.realparts import need_tools

SERVER = "http://10.0.0.1/cos/"


@pytest.fixture
def rack(tmp_path) -> tuple[Path, Path, Path]:
    return fleet_file(tmp_path), boot_files(tmp_path), tmp_path / "tree"


def run_export(rack, *extra: str) -> subprocess.CompletedProcess:
    fleet, files, out = rack
    return export("--fleet", str(fleet), "--server", SERVER, "--out", str(out),
                  "--boot-files", str(files), *extra)  # fmt: skip


EXPECTED = {
    "answers/mac/52:54:00:aa:00:01.yaml": ["controller1"],
    "answers/system_uuid/6b1c0a52-3f0e-4d2c-9a55-0c05e0d0a001.yaml": ["controller2"],
    "answers/system_serial/rack-sn-3.yaml": ["controller3"],
    "answers/mac/52:54:00:aa:01:01.yaml": ["node1"],
    "answers/mac/52:54:00:aa:01:11.yaml": ["node1"],
    "answers/disk_serial/s3z1nb0k.yaml": ["node2"],
    "answers/mac/52:54:00:aa:01:03.yaml": ["node3"],
    "answers/system_serial/rack-sn-6.yaml": ["node3"],
}


def test_the_tree_has_the_boot_files_and_one_document_per_identity(rack):
    proc = run_export(rack, "--dhcp-range", "10.0.0.100,10.0.0.199/24", "--router", "10.0.0.1")
    assert proc.returncode == 0, proc.stderr
    out = rack[2]
    files = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert files == set(EXPECTED) | {
        "boot.ipxe", "dnsmasq.conf", "nginx.conf", "live/vmlinuz", "live/initrd.img",
        "live/filesystem.squashfs", "cos/cos-image.raw.zst", "cos/cos-image.raw.zst.sha256",
        "cos/cos-image.raw.zst.size", "tftp/undionly.kpxe", "tftp/snponly.efi", "tftp/ipxe.efi",
    }  # fmt: skip
    for rel, names in EXPECTED.items():
        doc = yaml.safe_load((out / rel).read_text())
        assert [h["system"]["hostname"] for h in doc["hosts"]] == names
        assert doc["disk"] == {"smallest": True, "min_size": "20G"}, "rules stay rules"
        assert "password" not in doc["system"]
        assert verify_password(PASSWORD, doc["system"]["password_hash"])
        assert f"  {SERVER}{rel}" in proc.stdout
    for path in out.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path
    script = (out / "boot.ipxe").read_text()
    assert script.startswith("#!ipxe\n")
    assert f"set base {SERVER}\n" in script
    words = ("fetch=${base}live/filesystem.squashfs", "cos.payload=${base}cos/cos-image.raw.zst",
             "cos.answers=${base}answers/", "cos.autoinstall", "BOOTIF=01-${netX/mac:hexhyp}",
             "initrd ${base}live/initrd.img")  # fmt: skip
    for word in words:
        assert word in script


def test_the_kernel_command_line_is_the_isos():
    from cos_installer.netboot.ipxe import LIVE_CMDLINE

    iso = Path(__file__).resolve().parents[2] / "iso" / "live" / "cmdline"
    assert iso.read_text().strip() == LIVE_CMDLINE


def test_without_autoinstall_the_wizard_starts_prefilled(rack):
    assert run_export(rack, "--proxy-dhcp", "10.0.0.0/24", "--no-autoinstall").returncode == 0
    script = (rack[2] / "boot.ipxe").read_text()
    assert "cos.answers=${base}answers/" in script and "cos.autoinstall" not in script


@pytest.mark.parametrize(
    "mode", [["--dhcp-range", "10.0.0.100,10.0.0.199/24", "--router", "10.0.0.1",
              "--interface", "br0"], ["--proxy-dhcp", "10.0.0.0/24"]],
)  # fmt: skip
def test_dnsmasq_accepts_its_config(rack, mode):
    need_tools("dnsmasq")
    assert run_export(rack, *mode).returncode == 0
    conf = rack[2] / "dnsmasq.conf"
    proc = subprocess.run(["dnsmasq", "--test", "-C", str(conf)], capture_output=True, text=True)
    assert proc.returncode == 0 and "syntax check OK" in proc.stderr, proc.stderr
    text = conf.read_text()
    assert f"tftp-root={rack[2]}/tftp\n" in text
    assert f"dhcp-boot=tag:ipxe,{SERVER}boot.ipxe\n" in text
    assert ("proxy" in text) == ("--proxy-dhcp" in mode)


def nginx_main(tmp: Path, server_block: Path) -> Path:
    """A whole nginx.conf around the exported server block (pid, logs, temp under tmp)."""
    (tmp / "logs").mkdir(exist_ok=True)
    main = tmp / "nginx-main.conf"
    main.write_text(f"""daemon off;
user root;  # pytest's temporary directories are 0700
pid {tmp}/nginx.pid;
error_log {tmp}/logs/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {tmp}/logs/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    include {server_block};
}}
""")
    return main


def test_nginx_accepts_its_server_block(rack, tmp_path):
    need_tools("nginx")
    assert run_export(rack, "--proxy-dhcp", "10.0.0.0/24").returncode == 0
    main = nginx_main(tmp_path, rack[2] / "nginx.conf")
    proc = subprocess.run(["nginx", "-t", "-c", str(main), "-p", str(tmp_path)],
                          capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 0 and "test is successful" in proc.stderr, proc.stderr


def test_the_file_names_keep_every_value_inside_its_directory():
    assert file_name("../../etc/passwd") == "~2e.~2f..~2fetc~2fpasswd"
    assert file_name("to be filled by o.e.m.") == "to~20be~20filled~20by~20o.e.m."
    assert relative_path("mac", "52:54:00:aa:00:01") == "answers/mac/52:54:00:aa:00:01.yaml"
    assert "/" not in file_name("a/b\\c%2f")


def assert_refused(proc, out: Path, *words: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".netboot-")]


@pytest.mark.parametrize(
    ("match", "words"),
    [
        ({"disk_serial": "S1\x1b[2J"}, ["hosts[4].match.disk_serial", "'s1\\\\x1b[2j'",
                                          "control characters"]),
        ({"system_serial": "X" * 200}, ["hosts[4].match.system_serial", "200 characters"]),
        ({"mac": "52:54:00:aa:00:01\nINJECT"}, ["hosts[4].match.mac", "not a MAC address"]),
    ],
)  # fmt: skip
def test_hostile_match_values_are_refused_and_nothing_is_written(tmp_path, match, words):
    from tests.netboot.rack import MATCHES

    matches = list(MATCHES)
    matches[4] = match
    fleet = fleet_file(tmp_path, matches=matches)
    out = tmp_path / "tree"
    files = boot_files(tmp_path)
    proc = export("--fleet", str(fleet), "--server", SERVER, "--out", str(out),
                  "--boot-files", str(files), "--proxy-dhcp", "10.0.0.0/24")  # fmt: skip
    assert_refused(proc, out, *words)
    assert "\x1b" not in proc.stderr


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--server", "http://10.0.0.1/cos/;include /etc", ["--server", "expected the http URL"]),
        ("--server", "http://10.0.0.1/cos/\nkernel x", ["--server", "\\n"]),
        ("--server", "https://10.0.0.1/cos/", ["--server", "plain http"]),
        ("--proxy-dhcp", "10.0.0.0/33", ["--proxy-dhcp", "expected a subnet"]),
        ("--root", "/srv/cos tree", ["--root", "expected an absolute path"]),
    ],
)
def test_hostile_options_are_refused_and_nothing_is_written(rack, option, value, words):
    fleet, files, out = rack
    args = {"--server": SERVER, "--proxy-dhcp": "10.0.0.0/24", "--root": str(out), option: value}
    argv = [x for k, v in args.items() for x in (k, v)]
    proc = export("--fleet", str(fleet), "--out", str(out), "--boot-files", str(files), *argv)
    assert_refused(proc, out, *words)


def test_a_fleet_the_checker_refuses_is_refused_here_too(rack):
    fleet, files, out = rack
    data = yaml.safe_load(fleet.read_text())
    data["hosts"][1]["system"]["hostname"] = "bad\nname"
    fleet.write_text(yaml.safe_dump(data))
    proc = run_export(rack, "--proxy-dhcp", "10.0.0.0/24")
    assert_refused(proc, out, "hosts[1]", "system.hostname")


def test_an_existing_tree_is_not_overwritten(rack):
    out = rack[2]
    out.mkdir()
    (out / "old").write_text("x")
    proc = run_export(rack, "--proxy-dhcp", "10.0.0.0/24")
    assert proc.returncode == 2 and "not an empty directory" in proc.stderr
    assert os.listdir(out) == ["old"]


def test_missing_boot_files_are_named(rack, tmp_path):
    os.unlink(rack[1] / "live" / "filesystem.squashfs")
    proc = run_export(rack, "--proxy-dhcp", "10.0.0.0/24")
    assert_refused(proc, rack[2], "filesystem.squashfs", "make netboot")


def test_each_document_keeps_what_the_whole_fleet_decides(tmp_path):
    """A document holds one entry of the fleet: the HA group (three controller entries) and
    the one pool owner (the first agent) are written into it, or each controller lost its
    group and every agent became its own document's first agent, the pool's owner."""
    import yaml as _yaml

    from cos_installer.answers.loader import read_mapping
    from cos_installer.netboot.documents import documents

    from .rack import fleet_file

    mapping = read_mapping(fleet_file(tmp_path))
    mapping["agent"]["ip_pool"] = [{"start": "10.0.0.200/24", "end": "10.0.0.210/24"}]
    docs = [_yaml.safe_load(t) for t in documents(mapping, "rack", lambda p: "$6$x$y").values()]
    hosts = {d["hosts"][0]["system"]["hostname"]: d["hosts"][0] for d in docs}
    group = [hosts[f"controller{n}"]["controller"]["group"] for n in (1, 2, 3)]
    assert group == [["10.0.0.10", "10.0.0.11", "10.0.0.12"]] * 3
    owners = {name: h["agent"]["ip_pool_owner"] for name, h in hosts.items() if "agent" in h}
    assert owners == {"node1": True, "node2": False, "node3": False}

"""The answers URL contract end to end: an exported tree served by a real nginx, asked by the
live system's lookup for machines described by profiles (MAC, DMI, disk serial)."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest

from cos_installer.answers.loader import load_for_machine
from cos_installer.hardware import open_machine
from cos_installer.install.remote import inspect_remote
from cos_installer.install.signature import Trust
from cos_installer.netboot.httpstream import Retry
from cos_installer.netboot.lookup import NoAnswers, fetch_by_identity, identities
from tests.netboot.rack import boot_files, export, fleet_file
from tests.netboot.test_export import nginx_main
from tests.realparts import need_root, need_tools

UNSIGNED_OK = Trust(allow_unsigned=True)  # these test the stream; test_install_http the signature


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(answers base URL, tree URL) of an exported rack served by nginx on 127.0.0.1."""
    need_root()
    need_tools("nginx")
    tmp = tmp_path_factory.mktemp("nginx")
    port = free_port()
    base = f"http://127.0.0.1:{port}/cos/"
    proc = export("--fleet", str(fleet_file(tmp)), "--server", base, "--out", str(tmp / "tree"),
                  "--boot-files", str(boot_files(tmp)), "--proxy-dhcp", "10.0.0.0/24")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    main = nginx_main(tmp, tmp / "tree" / "nginx.conf")
    nginx = subprocess.Popen(["nginx", "-c", str(main), "-p", str(tmp)])
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield base + "answers/", base
    finally:
        nginx.terminate()
        nginx.wait()


def profile(tmp: Path, name: str, *, macs=(), serial="", uuid="", disks=("",)) -> object:
    macs = list(macs) or ["52:54:00:ff:ff:ff"]  # a NIC for the rule {linked: first}
    nics = "".join(f'  - {{name: eth{i}, mac: "{m}", linked: true}}\n' for i, m in enumerate(macs))
    disk_lines = "".join(
        f'  - {{path: /dev/sd{chr(97 + i)}, size: 100GiB, serial: "{s}"}}\n'
        for i, s in enumerate(disks)
    )
    path = tmp / f"{name}.yaml"
    empty = "  []\n"
    path.write_text(f'dmi: {{system_serial: "{serial}", system_uuid: "{uuid}"}}\n'
                    f"nics:\n{nics or empty}disks:\n{disk_lines or empty}")  # fmt: skip
    return open_machine(str(path))


def lookup(served, machine, tmp: Path, bootif=None) -> tuple[str, list[str], Path]:
    said: list[str] = []
    dest = tmp / "answers.yaml"
    retry = Retry(attempts=2, sleep=lambda s: None)
    url = fetch_by_identity(
        served[0], str(dest), machine, bootif=bootif, retry=retry, log=said.append
    )
    return url, said, dest


def test_each_identity_finds_its_host(served, tmp_path):
    uuid = "6B1C0A52-3F0E-4D2C-9A55-0C05E0D0A001"
    cases = [
        (dict(macs=["52:54:00:00:99:99", "52:54:00:AA:00:01"]), "mac/52:54:00:aa:00:01",
         "controller1"),
        (dict(uuid=uuid), f"system_uuid/{uuid.lower()}", "controller2"),
        (dict(serial="rack-sn-3"), "system_serial/rack-sn-3", "controller3"),
        (dict(macs=["52:54:00:aa:01:11"]), "mac/52:54:00:aa:01:11", "node1"),
        (dict(disks=["X1", "S3Z1NB0K"]), "disk_serial/s3z1nb0k", "node2"),
        (dict(macs=["52:54:00:aa:01:03"], serial="RACK-SN-6"), "mac/52:54:00:aa:01:03", "node3"),
    ]  # fmt: skip
    for i, (ids, rel, host) in enumerate(cases):
        machine = profile(tmp_path, f"m{i}", **ids)
        url, said, dest = lookup(served, machine, tmp_path)
        assert url == f"{served[0]}{rel}.yaml", said
        assert oct(dest.stat().st_mode & 0o777) == "0o600"
        config = load_for_machine(str(dest), machine)
        assert config.system.hostname == host


def test_the_order_is_bootif_then_nics_then_dmi_then_disks(tmp_path):
    machine = profile(tmp_path, "m", macs=["52:54:00:00:00:02", "52:54:00:00:00:01"],
                      serial="SN", uuid="UU", disks=["D2", "D1"])  # fmt: skip
    assert identities(machine, "52:54:00:00:00:01") == [
        ("mac", "52:54:00:00:00:01"), ("mac", "52:54:00:00:00:02"), ("system_uuid", "uu"),
        ("system_serial", "sn"), ("disk_serial", "d2"), ("disk_serial", "d1"),
    ]  # fmt: skip


def test_a_document_whose_entry_needs_another_key_too_is_passed_over(served, tmp_path):
    machine = profile(tmp_path, "m", macs=["52:54:00:aa:01:03"], serial="OTHER")
    with pytest.raises(NoAnswers, match="no document for this machine"):
        lookup(served, machine, tmp_path)
    assert not (tmp_path / "answers.yaml").exists()


def test_a_machine_without_an_entry_gets_404s_and_no_answers(served, tmp_path):
    machine = profile(tmp_path, "m", macs=["52:54:00:de:ad:01"], serial="NOPE", disks=["Z"])
    with pytest.raises(NoAnswers) as caught:
        lookup(served, machine, tmp_path)
    assert "asked 3 URL(s)" in str(caught.value)
    assert f"{served[0]}mac/52:54:00:de:ad:01.yaml" in str(caught.value)


def test_nginx_serves_the_image_with_its_size_and_range(served):
    payload = inspect_remote(
        served[1] + "cos/cos-image.raw.zst", Retry(attempts=2), trust=UNSIGNED_OK
    )
    assert (payload.stored_size, payload.content_size, payload.compression) == (5, 5, "raw")
    with payload.open_stored() as f:
        f.reader.pos = 2  # as after a break at byte 2: the rest comes by Range
        assert f.read() == b"age"

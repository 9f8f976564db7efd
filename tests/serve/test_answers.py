"""serve's answers: the URL contract of `netboot export` from the fleet in memory (200 with the
same document, 404 naming the value, 409 naming the entries), boot.ipxe for the URL asked, and
a machine that matched nothing listed as unmatched until it finds its answers."""

from __future__ import annotations

import functools

import pytest
import yaml

from cos_installer.answers.loader import read_mapping
from cos_installer.answers.passwords import hash_password
from cos_installer.netboot.documents import documents
from tests.serve.served import Served, request, status

IDENTITIES = {
    "answers/mac/52:54:00:aa:00:01.yaml": "controller1",
    "answers/system_uuid/6b1c0a52-3f0e-4d2c-9a55-0c05e0d0a001.yaml": "controller2",
    "answers/system_serial/rack-sn-3.yaml": "controller3",
    "answers/mac/52:54:00:aa:01:11.yaml": "node1",
    "answers/disk_serial/s3z1nb0k.yaml": "node2",
    "answers/system_serial/rack-sn-6.yaml": "node3",
}


def test_each_identity_gets_its_entry_as_export_writes_it(served, rack):
    exported = documents(read_mapping(rack[0]), str(rack[0]), functools.lru_cache(hash_password))
    for rel, hostname in IDENTITIES.items():
        code, headers, body = request(served.url(rel))
        assert code == 200, (rel, body)
        doc = yaml.safe_load(body)
        assert [h["system"]["hostname"] for h in doc["hosts"]] == [hostname]
        # the same lines as export's but the password hash (salted: one per hashing)
        same = [line for line in exported[rel].splitlines() if "password_hash" not in line]
        assert [line for line in body.decode().splitlines() if "password_hash" not in line] == same
        assert "Rack-Pass-7731" not in body.decode()
    assert [h["result"] for h in status(served)["hosts"]] == ["pending"] * 6
    assert status(served)["unmatched"] == []


def test_no_entry_is_a_404_naming_the_value_and_the_machine_is_unmatched(served):
    code, _, body = request(served.url("answers/mac/52:54:00:c0:f1:99.yaml"))
    assert code == 404
    assert body.decode().startswith("no fleet entry has match: mac 52:54:00:c0:f1:99: add a hosts:")
    code, _, _ = request(served.url("answers/system_serial/nobody.yaml"))
    assert code == 404
    (stranger,) = status(served)["unmatched"]
    assert stranger["identity"] == {"address": ["127.0.0.1"], "mac": ["52:54:00:c0:f1:99"],
                                    "system_serial": ["nobody"]}  # fmt: skip
    assert "no fleet entry has match: system_serial nobody" in stranger["reason"]
    # the same address then finds its answers by another identity: no longer unmatched
    assert request(served.url("answers/disk_serial/s3z1nb0k.yaml"))[0] == 200
    assert status(served)["unmatched"] == []
    assert status(served)["hosts"][4]["message"] == "answers sent to 127.0.0.1"


def test_a_value_several_entries_name_is_a_409_naming_them(tmp_path, rack):
    fleet = read_mapping(rack[0])
    data = yaml.safe_load(rack[0].read_text())
    data["hosts"][2]["match"] = {"mac": "52:54:00:aa:01:03", "system_serial": "RACK-SN-3"}
    shared = tmp_path / "shared.yaml"
    shared.write_text(yaml.safe_dump(data, sort_keys=False))
    assert fleet["hosts"][5]["match"]["mac"] == "52:54:00:aa:01:03"
    with Served(shared, rack[1]) as s:
        code, _, body = request(s.url("answers/mac/52:54:00:aa:01:03.yaml"))
        assert code == 409
        assert body.decode().startswith(
            "2 fleet entries name answers/mac/52:54:00:aa:01:03.yaml: hosts[2] (controller3), "
            "hosts[5] (node3)"
        )
        # each is told apart by its serial
        for serial, name in (("rack-sn-3", "controller3"), ("rack-sn-6", "node3")):
            code, _, body = request(s.url(f"answers/system_serial/{serial}.yaml"))
            assert code == 200 and yaml.safe_load(body)["hosts"][0]["system"]["hostname"] == name


def test_boot_ipxe_points_at_the_address_it_was_asked_by(served):
    code, _, body = request(served.url("boot.ipxe"))
    assert code == 200
    assert f"set base http://127.0.0.1:{served.port}/\n" in body.decode()
    code, _, body = request(served.url("boot.ipxe"), headers={"Host": "10.77.0.1:8080"})
    assert "set base http://10.77.0.1:8080/\n" in body.decode()


def test_nothing_outside_the_boot_dir_is_served(served, rack):
    outside = rack[1].parent / "secret.txt"
    outside.write_text("secret")
    (rack[1] / "live" / "link").symlink_to(outside)
    for rel in ("../secret.txt", "%2e%2e/secret.txt", "live/%2e%2e/%2e%2e/secret.txt",
                "live/link", "live", "live/", "nothing"):  # fmt: skip
        code, _, body = request(served.url(rel))
        assert code == 404, rel
        assert b"secret" not in body
    assert request(served.url("cos/cos-image.raw.zst"))[2] == b"image"


def test_events_only_serves_no_files_and_no_answers(rack):
    with Served(rack[0], None) as s:
        for rel in ("boot.ipxe", "live/vmlinuz", "answers/mac/52:54:00:aa:00:01.yaml"):
            assert request(s.url(rel))[0] == 404, rel
        assert len(status(s)["hosts"]) == 6
        assert request(s.url(""))[0] == 200


@pytest.mark.parametrize(
    "host",
    [
        "10.0.0.1:8080 cos.answers=http://evil/",  # words added to the kernel line
        "evil/x",  # a path in the base
        "h:99999",  # no such port
        "a" * 300,  # longer than a DNS name
        "h\tx",
        "",
    ],
)
def test_a_host_header_that_is_no_host_gets_no_boot_script(served, host):
    """boot.ipxe is written for the Host it was asked by: anything but host[:port] would be
    copied into the iPXE script and the live kernel's command line, so it is refused."""
    code, _, body = request(served.url("boot.ipxe"), headers={"Host": host})
    assert code == 400 and b"Host" in body
    assert b"#!ipxe" not in body

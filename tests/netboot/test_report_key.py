"""`report:` in a fleet file's shared section (issue 15): every served answers document
carries it, each host's resolved answers take it, and a hostile one is refused by the fleet
checks with its key path before anything is written."""

from __future__ import annotations

import yaml

from cos_installer.answers.document import from_mapping
from cos_installer.answers.fleet import expand_all
from tests.netboot.rack import boot_files, export, fleet_file

SERVER = "http://10.0.0.1/cos/"
REPORT = "http://10.0.0.1:8080/events"


def with_report(tmp_path, value: str):
    fleet = fleet_file(tmp_path)
    data = yaml.safe_load(fleet.read_text())
    data["report"] = value
    fleet.write_text(yaml.safe_dump(data, sort_keys=False))
    return fleet


def run(tmp_path, fleet):
    out = tmp_path / "tree"
    proc = export(
        "--fleet",
        str(fleet),
        "--server",
        SERVER,
        "--out",
        str(out),
        "--boot-files",
        str(boot_files(tmp_path)),
        "--proxy-dhcp",
        "10.0.0.0/24",
    )
    return proc, out  # fmt: skip


def test_every_served_document_carries_the_shared_report_url(tmp_path):
    proc, out = run(tmp_path, with_report(tmp_path, REPORT))
    assert proc.returncode == 0, proc.stderr
    documents = list((out / "answers").rglob("*.yaml"))
    assert len(documents) == 8
    for path in documents:
        doc = yaml.safe_load(path.read_text())
        assert doc["report"] == REPORT
        for _label, merged in expand_all(doc, str(path)):  # each host's answers
            merged["network"]["interface"], merged["disk"] = "eth0", "/dev/sda"  # rules
            assert from_mapping(merged, str(path)).report == REPORT


def test_a_hostile_report_url_in_the_fleet_is_refused_naming_the_key(tmp_path):
    proc, out = run(tmp_path, with_report(tmp_path, "javascript:alert(1)"))
    assert proc.returncode != 0 and not out.exists()
    assert "report: 'javascript:alert(1)': expected an http:// or https:// URL" in proc.stderr
    assert "Traceback" not in proc.stderr

"""coreos-cloudinit's validation rules: each rule, its level, and the exact line it names."""

import base64
import gzip

import pytest

from cos_installer.render.checker import Report, check
from tests.engine.helpers import GOLDEN, run_cli

GOOD = """\
#cloud-config
hostname: "node1"
users:
  - name: "cos"
    passwd: "x"
    groups: ["sudo"]
write_files:
  - path: "/etc/a"
    permissions: "0600"
    content: |
      hello
coreos:
  update:
    reboot_strategy: "off"
  units:
    - name: "a.service"
      command: "start"
      enable: true
"""


def test_a_good_config_has_no_entries():
    assert check(GOOD) == []
    assert check("#cloud-config\n") == []


def test_report_prints_like_coreos_cloudinit():
    assert (
        str(Report(3, "warning", 'unrecognized key "x"')) == 'line 3: warning: unrecognized key "x"'
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hostname: a\n", [(1, "error", 'the first line must be "#cloud-config"')]),
        ("#!/bin/sh\necho hi\n", [(1, "error", 'the first line must be "#cloud-config"')]),
        ("#cloud-config\nhostname: a\n  bad: [\n", [(3, "error", "")]),
        ("#cloud-config\n- a\n", [(2, "error", "must be a mapping")]),
        ("#cloud-config\nhostname: a\nfoo: 1\n", [(3, "warning", 'unrecognized key "foo"')]),
        ("#cloud-config\ncoreos:\n  etcd2:\n    name: x\n",
         [(3, "warning", 'deprecated key "etcd2" (etcd2 is no longer shipped')]),
        ("#cloud-config\ncoreos:\n  fleet: {}\n  etcd: {}\n",
         [(3, "warning", 'deprecated key "fleet"'), (4, "warning", 'deprecated key "etcd"')]),
        ("#cloud-config\nhostname:\n",
         [(2, "warning", 'incorrect type for "hostname" (want string)')]),
        ("#cloud-config\nusers: x\n",
         [(2, "warning", 'incorrect type for "users" (want []struct)')]),
        ("#cloud-config\ncoreos:\n  units:\n    - name: a\n      enable: yes please\n",
         [(5, "warning", 'incorrect type for "enable" (want bool)')]),
        ("#cloud-config\ncoreos:\n  units:\n    - name: a\n      command: begin\n",
         [(5, "error", "invalid value begin")]),
        ("#cloud-config\ncoreos:\n  update:\n    reboot_strategy: sometimes\n",
         [(4, "error", "invalid value sometimes")]),
        ("#cloud-config\nwrite_files:\n  - path: /etc/a\n    permissions: \"0999\"\n",
         [(4, "error", "invalid value 0999")]),
        ("#cloud-config\nwrite_files:\n  - path: /etc/a\n    permissions: 0600\n",
         [(4, "error", 'permissions 0600 must be a quoted octal string like "0644"')]),
        ("#cloud-config\nwrite_files:\n  - path: /usr/bin/x\n",
         [(3, "error", "file cannot be written to a read-only filesystem")]),
        ("#cloud-config\nwrite_files:\n  - path: etc/x\n", [(3, "error", "is not absolute")]),
        ("#cloud-config\nwrite_files:\n  - path: /etc/x\n    encoding: b64\n    content: '@@'\n",
         [(5, "error", 'content cannot be decoded as "b64"')]),
        ("#cloud-config\nwrite_files:\n  - path: /etc/x\n    encoding: rot13\n",
         [(4, "error", "invalid value rot13")]),
        ("#cloud-config\nusers:\n  - name: a\n    coreos_ssh_import_url: http://x\n",
         [(4, "warning", 'deprecated key "coreos_ssh_import_url"')]),
        ("#cloud-config\nmanage_etc_hosts: yes\n",
         [(2, "error", 'manage_etc_hosts must be "localhost"')]),
        ("#cloud-config\ncoreos:\n  write_files: []\n",
         [(3, "warning", 'unrecognized key "write_files"'),
          (3, "info", "write_files doesn't belong under coreos")]),
        ("#cloud-config\nhostname: a\nhostname: b\n", [(3, "warning", 'duplicate key')]),
    ],
)  # fmt: skip
def test_rules(text, expected):
    reports = check(text)
    assert [(r.line, r.level) for r in reports] == [(line, level) for line, level, _ in expected]
    for report, (_, _, fragment) in zip(reports, expected, strict=True):
        assert fragment in report.message


def config(body: str) -> str:
    return "#cloud-config\n" + body


B64 = base64.b64encode(b"hello, a file long enough to wrap over lines\n" * 2).decode()
GZB64 = base64.b64encode(gzip.compress(b"hi\n")).decode()


@pytest.mark.parametrize(
    "text",
    [
        "#cloud-config \t\nhostname: a\n",  # the header's trailing white space is trimmed
        *(config(f"coreos:\n  update:\n    reboot_strategy: {s}\n")
          for s in ("reboot", "etcd-lock", "off", '""')),
        config("coreos:\n  flannel:\n    etcd_username: u\n    etcd_password: p\n"),
        config("write_files:\n  - path: /usr/../etc/x\n  - path: /usrx/../opt/y\n"),
        *(config(f"coreos:\n  units:\n    - name: a\n      enable: {b}\n      runtime: {b}\n")
          for b in ("y", "Y", "n", "N", "yes", "NO", "On", "off", "TRUE")),
        config("write_files:\n  - path: /etc/x\n    encoding: base64\n    content: |\n"
               + "".join(f"      {B64[i:i + 20]}\n" for i in range(0, len(B64), 20))),
        config("write_files:\n  - path: /etc/x\n    encoding: gz+b64\n    content: "
               f'"{GZB64[:12]}\\r\\n{GZB64[12:]}"\n'),
        config("coreos:\n  units:\n    - name: a\n      drop-ins:\n        - name: b.conf\n"
               "          content: x\n"),  # '-' for '_': v1.14.0 reads it without a word
        config('manage_etc_hosts: "localhost"\n'),
        config('manage_etc_hosts: ""\n'),
    ],
)  # fmt: skip
def test_what_coreos_cloudinit_v1_14_accepts_passes(text):
    assert check(text) == []


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (config("coreos:\n  update:\n    reboot_strategy: best-effort\n"), 4,
         "invalid value best-effort"),
        (config("write_files:\n  - path: /etc/../usr/x\n"), 3,
         "file cannot be written to a read-only filesystem"),
        (config("write_files:\n  - path: //usr/x\n"), 3,
         "file cannot be written to a read-only filesystem"),
        (config("coreos:\n  units:\n    - name: a\n      enable: 'y'\n"), 5,
         'incorrect type for "enable" (want bool)'),
        (config("coreos:\n  units:\n    - name: a\n      enable: yEs\n"), 5,
         'incorrect type for "enable" (want bool)'),
        (config(f"write_files:\n  - path: /etc/x\n    encoding: b64\n    content: '{B64[:8]} "
                f"{B64[8:]}'\n"), 5, 'content cannot be decoded as "b64"'),
    ],
)  # fmt: skip
def test_what_coreos_cloudinit_v1_14_rejects_fails(text, line, message):
    assert check(text) == [Report(line, "error" if "type" not in message else "warning", message)]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (config("write_files:\n  - path: /etc/a\n    permissions: 644\n"),
         "cloud-init reads an unquoted 644 as the number 644, which is mode 1204, not 644"),
        (config("write_files:\n  - path: /etc/a\n    permissions: 0644\n"),
         "YAML 1.1 readers take 0644 as octal, YAML 1.2 readers as the number 644"),
        (config("write_files:\n  - path: etc/a\n"),
         "coreos-cloudinit writes it under /, cloud-init under its working directory"),
        (config("hostname: a\nhostname: b\n"), "YAML keeps only the last one"),
        (config("manage_etc_hosts: true\n"), "the validator lets it pass, but at boot"),
        ("#!/bin/sh\necho hi\n", "coreos-cloudinit would take it as a script"),
        ("", "coreos-cloudinit would take it as a script or no user data"),
    ],
)  # fmt: skip
def test_the_projects_own_rules_say_so_and_why(text, reason):
    (report,) = check(text)
    assert f"(cos-installer rule: {reason}" in report.message


def test_coreos_cloudinits_own_rules_are_not_marked():
    texts = [config("coreos:\n  units:\n    - name: a\n      command: go\n"),
             config("write_files:\n  - path: /usr/x\n"),
             config("foo: 1\n"), "hostname: a\n"]  # fmt: skip
    for text in texts:
        (report,) = check(text)
        assert "cos-installer rule" not in report.message


def test_every_problem_is_listed_in_line_order():
    text = "#cloud-config\nfoo: 1\ncoreos:\n  units:\n    - name: a\n      command: go\nbar: 2\n"
    assert [(r.line, r.level) for r in check(text)] == [
        (2, "warning"),
        (6, "error"),
        (7, "warning"),
    ]


def test_valid_encodings_decode():
    payload = base64.b64encode(gzip.compress(b"hi")).decode()
    text = (
        "#cloud-config\nwrite_files:\n  - path: /etc/x\n    encoding: gzip+base64\n"
        f"    content: {payload}\n"
    )
    assert check(text) == []


def test_check_config_cli_exit_codes(tmp_path):
    good = run_cli("check-config", str(GOLDEN / "controller-ha.cloud-config"))
    assert (good.returncode, good.stdout, good.stderr) == (0, b"", b"")
    bad = tmp_path / "user_data"
    bad.write_text("#cloud-config\ncoreos:\n  etcd2: {name: x}\n  units:\n    - command: go\n")
    result = run_cli("check-config", str(bad))
    assert result.returncode == 1
    assert result.stdout.decode().splitlines() == [
        'line 3: warning: deprecated key "etcd2" (etcd2 is no longer shipped in Container Linux)',
        "line 5: error: invalid value go",
    ]
    missing = run_cli("check-config", str(tmp_path / "nope"))
    assert (
        missing.returncode == 2
        and b"cannot read" in missing.stderr
        and b"Traceback" not in missing.stderr
    )
    stdin = run_cli("check-config", "-", stdin=b"#cloud-config\nhostname: a\n")
    assert stdin.returncode == 0

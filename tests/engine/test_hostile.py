"""Hostile answers files (issue 12, item 7): each ends with the command's documented exit code
and a message naming the key path; never a traceback, a hang, a raw escape sequence or an
echoed secret. The in-process CLI (tests/engine/hostile.py) runs render, check-answers and
install --dry-run --machine demo on each."""

from __future__ import annotations

import pytest

from cos_installer.answers import yamlguard
from cos_installer.support.redact import redact
from tests.engine.hostile import BASE, SECRET, assert_harmless, document

COMMANDS = ("render", "check-answers", "install")


def with_(extra: str = "", **changes: str) -> str:
    values = dict(BASE)
    values.update({k.replace("__", "."): v for k, v in changes.items()})
    return document(values, extra)


# name -> (document, what stderr must say)
CASES = {
    "python tag": (with_(role="!!python/object/apply:os.system ['true']"),
                   "could not determine a constructor"),
    "tag that does not fit": (with_(agent__controllers="!!bool eth0"),
                              "line 3, column 16: YAML syntax error: the value cannot be "
                              "read as !!bool"),
    "empty !!int": (with_(agent__install_code='!!int ""'), "cannot be read as !!int"),
    "set of a list": (with_(disk="!!set [1]"), "cannot be read as !!set"),
    "password not a !!float": (with_(system__password=f"!!float x{SECRET}"),
                               "line 8, column 13: YAML syntax error: the value cannot"),
    "long integer": (with_(disk="9" * 5000), "line 15, column 7: YAML syntax error: a number "
                     "of 5000 characters is too long"),
    "long hex integer": (with_(agent__install_code="0x" + "f" * 5000), "line 4"),
    "deep nesting": (with_(disk="[" * 3000 + "]" * 3000), "nested more than 64 levels deep"),
    "deep mapping": ("a:\n" + "".join(" " * i + "b:\n" for i in range(1, 1200)),
                     "nested more than 64 levels deep"),
    "billion laughs": (with_("".join(f"l{i}: &l{i} [" + ", ".join(
        [f"*l{i - 1}" if i else "x"] * 9) + "]\n" for i in range(9))),
        "more than 400,000 values (aliases counted each time they are used)"),
    "self-reference": (with_("loop: &a [*a]\n"), "an alias refers to a value that contains it"),
    "merge key": (with_("<<: {rolle: controller}\n"), "rolle: unknown key: did you mean 'role'?"),
    "bad merge": (with_("<<: 1\n"), "expected a mapping or list of mappings for merging"),
    "password as !!float": (with_(system__password=f"!!float {SECRET}"),
                            "system.password: YAML read the password as a number"),
    "password as a list": (with_(system__password=f"[{SECRET}]"),
                           "system.password: expected a single value, got a list"),
    "password as binary": (with_(system__password=f"!!binary {SECRET}"),
                           "line 8, column 13: YAML syntax error: failed to decode base64"),
    "install code as timestamp": (with_(agent__install_code="!!timestamp 2001-12-14"),
                                  "agent.install_code"),
    "implicit timestamp": (with_(system__hostname="2001-12-14 21:59:43.10 -5"),
                           "system.hostname: YAML read this as a date"),
    "escape in a key": (with_('"\\e[2Jevil": 1\n'), "\\x1b[2Jevil: unknown key"),
    "escape in a section key": (with_().replace("  hostname:", '  "\\e]0;t\\a": 1\n  hostname:'),
                                "system.\\x1b]0;t\\x07: unknown key"),
    "escape in a value": (with_(disk='"\\e[31m/dev/sda"'), "disk: '\\x1b[31m/dev/sda'"),
    "negated interface": (with_(network__interface='"!eth0"'),
                          "network.interface: '!eth0' is not a network interface name"),
    "glob interface": (with_(network__interface='"en*"'), "network.interface: 'en*'"),
    "several interfaces": (with_(network__interface='"eth0 eth1"'), "network.interface"),
}  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_answers_file(name, command, tmp_path):
    text, said = CASES[name]
    code, err = assert_harmless(command, text, tmp_path)
    assert code == 2, err
    assert said in err, err


def test_check_config_survives_deep_nesting_and_aliases(tmp_path):
    for body in ("a: " + "[" * 3000 + "]" * 3000, "a: &a [*a]\n", "x: !!python/name:os.system\n",
                 "users:\n  - name: \"\\e[31m\"\n    \"\\e[2J\": 1\n"):  # fmt: skip
        code, err = assert_harmless("check-config", "#cloud-config\n" + body + "\n", tmp_path)
        assert code == 1


def test_check_config_reports_bytes_that_are_not_utf8_as_a_finding(tmp_path):
    code, _ = assert_harmless("check-config", "#cloud-config\nhostname: \udcff\n", tmp_path)
    assert code == 1


def test_check_config_escapes_keys(tmp_path, capsys):
    from cos_installer.cli import main

    path = tmp_path / "c.yaml"
    path.write_text('#cloud-config\n"\\e[2Jx": 1\n')
    assert main(["check-config", str(path)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[2Jx" in out


def fleet(hosts: int) -> str:
    head = (
        'role: agent\nagent: {controllers: "10.0.0.1:80", install_code: "8070"}\n'
        'system: {password: "Secret-pass1"}\n'
        "network: {interface: eth0, gateway: 10.0.0.1, dns: 10.0.0.1}\ndisk: /dev/sda\nhosts:\n"
    )
    rows = []
    for i in range(hosts):
        a = i + 2
        mac = f"52:54:00:{a >> 16 & 255:02x}:{a >> 8 & 255:02x}:{a & 255:02x}"
        rows.append(
            f'  - match: {{mac: "{mac}"}}\n    system: {{hostname: node-{i:05d}}}\n'
            f"    network: {{address: 10.{a >> 16 & 255}.{a >> 8 & 255}.{a & 255}/8}}\n"
        )
    return head + "".join(rows)  # fmt: skip


def test_a_fleet_of_10000_hosts_is_accepted(tmp_path):
    text = fleet(10_000)
    assert len(text) < yamlguard.MAX_BYTES // 3, "the cap leaves room for richer entries"
    code, err = assert_harmless("check-answers", text, tmp_path)
    assert code == 0, err[:2000]


def test_a_file_over_the_size_cap_is_refused_before_parsing(tmp_path, monkeypatch):
    """The 50 MB file of unknown keys: refused on its size, nothing parsed (counted)."""
    import yaml

    parsed = []
    monkeypatch.setattr(yaml.SafeLoader, "get_single_node", lambda self: parsed.append(1))
    text = "".join(f"k{i}: {i}\n" for i in range(yamlguard.MAX_BYTES // 8))
    code, err = assert_harmless("check-answers", text, tmp_path)
    assert code == 2 and "more than the 4 MiB an answers or fleet file may have" in err
    assert parsed == []


def test_too_many_values_within_the_size_cap_stop_composing(tmp_path, monkeypatch):
    monkeypatch.setattr(yamlguard, "MAX_NODES", 5000)
    text = "a: [" + "1," * 20_000 + "1]\n"
    assert len(text) < yamlguard.MAX_BYTES
    code, err = assert_harmless("check-answers", text, tmp_path)
    assert code == 2 and "line 1, column" in err and "more than 5,000 values" in err


def test_redact_covers_hashes_with_rounds():
    hashed = "$6$rounds=5000$saltsalt$" + "a" * 86
    text = f"users: [{{passwd: '{hashed}'}}]\nseen {hashed} in a line\nfrom $6$rounds=656000$s$x"
    out = redact(text)
    assert "a" * 86 not in out and "saltsalt" not in out
    assert out.count("<redacted>") == 2

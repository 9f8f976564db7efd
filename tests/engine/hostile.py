"""Hostile YAML documents and the in-process CLI runner shared by the hostile-input tests."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

from hypothesis import strategies as st

from cos_installer.cli import main

SECRET = "271828.1828"  # the password; as a number YAML reads it as a float
CODES = {"render": {0, 2}, "check-answers": {0, 2}, "install": {0, 1, 2}, "check-config": {0, 1}}
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # \n and \t are the program's own
BASE = {
    "role": "agent",
    "agent.controllers": '"192.168.122.170:80"',
    "agent.install_code": '"8070"',
    "agent.network_model": "bridge",
    "system.hostname": "node1",
    "system.password": f'"{SECRET}"',
    "network.interface": "eth0",
    "network.dhcp": "false",
    "network.address": "192.168.122.101/24",
    "network.gateway": "192.168.122.1",
    "network.dns": "192.168.122.1",
    "disk": "/dev/sda",
}


def document(values: dict[str, str], extra: str = "") -> str:
    """Block-style YAML of dotted keys -> YAML value text, one level of sections."""
    lines, section = [], None
    for path, value in values.items():
        head, _, leaf = path.rpartition(".")
        if head and head != section:
            lines.append(f"{head}:")
        section = head or None
        lines.append(f"  {leaf}: {value}" if head else f"{leaf}: {value}")
    return "\n".join(lines) + "\n" + extra


def run(command: str, path: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of the CLI, in-process."""
    argv = {
        "render": ["render", "--answers", path],
        "check-answers": ["check-answers", path],
        "install": ["install", "--answers", path, "--dry-run", "--machine", "demo"],
        "check-config": ["check-config", path],
    }[command]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def assert_harmless(command: str, text: str, tmp: Path) -> tuple[int, str]:
    """Run `command` on `text`; the documented exit code, no traceback, no raw control
    character, no echoed secret. Returns (code, stderr)."""
    path = tmp / f"doc-{os.getpid()}.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    code, out, err = run(command, str(path))
    assert code in CODES[command], (command, code, err)
    assert "Traceback" not in err
    assert not RAW_CONTROL.search(err), err
    assert SECRET not in err and SECRET not in out, (command, err)
    return code, err


# --- generated documents ---------------------------------------------------------------------

WORDS = st.sampled_from(["eth0", "agent", "node1", "/dev/sda", "yes", "~", "0x1F", "0o17", "1e3",
                         ".inf", ".nan", "2001-12-14", "2001-12-14 21:59:43.10 -5", "12:30:45",
                         "8070", "0123", "-", "''", '""', "'!eth0'", "'eth*'",
                         "'a b'"])  # fmt: skip
TAGS = st.sampled_from(["!!int", "!!float", "!!bool", "!!str", "!!timestamp", "!!binary",
                        "!!null", "!!set", "!!omap", "!!python/object/apply:os.system",
                        "!!python/name:os.system", "!custom", "!<tag:x>"])  # fmt: skip
QUOTED = st.text(st.characters(codec="utf-8", exclude_characters='"\\'), max_size=12).map(
    lambda t: '"' + t.encode("unicode_escape").decode("ascii").replace('"', "") + '"'
)
ESCAPES = st.sampled_from(['"\\e[31mred"', '"\\e]0;title\\a"', '"a\\x9bb"', '"\\u202eevil"',
                           '"tab\\there"', '"nul\\0"', '"line\\nbreak"'])  # fmt: skip
DIGITS = st.integers(1, 6000).map(lambda n: "9" * n)
SCALAR = st.one_of(WORDS, QUOTED, ESCAPES, DIGITS, st.tuples(TAGS, WORDS | QUOTED).map(" ".join))
DEEP = st.integers(1, 3000).map(lambda n: "[" * n + "]" * n)


def _flow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    seq = st.lists(children, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]")
    pairs = st.lists(st.tuples(st.one_of(WORDS, ESCAPES, QUOTED), children), max_size=3)
    return seq | pairs.map(lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}")


VALUE = st.recursive(SCALAR, _flow, max_leaves=8) | DEEP | st.just("&a [x, x] ")
LAUGHS = "".join(
    f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}" if i else "x"] * 9) + "]\n" for i in range(9)
)
EXTRA = st.sampled_from(["", "<<: {role: agent}\n", LAUGHS, "x: *a\n", "? [a, b]\n: 1\n",
                         "\"\\e[2Jkey\": 1\n", "role: agent\n", "---\nb: 1\n",
                         "%YAML 1.1\n"])  # fmt: skip


@st.composite
def documents(draw) -> str:
    values = dict(BASE)
    for path in draw(st.lists(st.sampled_from(sorted(BASE)), max_size=3, unique=True)):
        values[path] = draw(VALUE)
    if draw(st.booleans()):
        values["system.password"] = draw(st.sampled_from(
            [SECRET, f"!!float {SECRET}", f"[{SECRET}]", f"{{a: {SECRET}}}", f"!!str {SECRET}",
             f"!!binary {SECRET}", f'"{SECRET}\\e[1m"']))  # fmt: skip
    return document(values, draw(EXTRA))

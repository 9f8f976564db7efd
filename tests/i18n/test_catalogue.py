"""The zh_CN catalogue: every marked string translated, placeholders kept, no stale entries;
the .po reader; when Chinese is offered."""

from __future__ import annotations

import string

import pytest

from cos_installer import i18n

from .extract import ROOT, marked, messages

PO = i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_every_marked_string_is_translated():
    catalogue = i18n.load_catalogue("zh_CN").entries
    missing = {m: places[0] for m, places in messages().items() if not catalogue.get(m)}
    assert not missing, f"not in {PO.relative_to(ROOT)}: {missing}"


def test_translations_keep_the_placeholders():
    catalogue = i18n.load_catalogue("zh_CN").entries
    wrong = {m: t for m, t in catalogue.items() if _fields(m) != _fields(t)}
    assert not wrong


def test_no_stale_entries():
    stale = set(i18n.load_catalogue("zh_CN").entries) - set(messages())
    assert not stale, f"entries no source marks any more: {sorted(stale)}"


def test_the_guides_terms_are_used():
    t = i18n.load_catalogue("zh_CN").entries
    assert "安装中心控制器" in t["Controller    install a central controller"]
    assert "节点" in t["Agent         install an agent node (runs the containers)"]
    assert t["InstallCode"] == "安装码"
    assert t["Network model"] == "网络模型"
    assert "所有数据都会被清空" in t[" ALL DATA WILL BE ERASED ON: "]


def test_the_extractor_finds_marked_literals(tmp_path):
    src = tmp_path / "sample.py"
    src.write_text(
        'from cos_installer.i18n import _, N_, ngettext\n'
        'A = N_("marked constant")\n'
        'b = _("joined " "literal")\n'
        'c = ngettext("one disk", "{n} disks", 2)\n'
        'd = _(A)  # dynamic: the constant is marked where it is defined\n'
        'e = "not marked"\n'
    )  # fmt: skip
    found = [m for m, _line in marked(src)]
    assert found == ["marked constant", "joined literal", "one disk", "{n} disks"]


def test_po_reader_handles_continuations_escapes_plurals_and_fuzzy():
    entries = i18n.parse_po(
        '# comment\nmsgid ""\nmsgstr "Language: zh_CN\\n"\n\n'
        '#, python-brace-format\nmsgid "a {x} "\n"b \\"q\\""\nmsgstr "甲 {x} "\n"乙"\n\n'
        '#, fuzzy\nmsgid "old"\nmsgstr "旧"\n\n'
        'msgid "one"\nmsgid_plural "many"\nmsgstr[0] "多"\n'
    )
    assert entries[1]["msgid"] == 'a {x} b "q"' and entries[1]["msgstr"] == "甲 {x} 乙"
    assert "fuzzy" in entries[2]["flags"]
    assert entries[3]["msgid_plural"] == "many" and entries[3]["msgstr_plural"] == ["多"]
    with pytest.raises(ValueError, match="not a .po line"):
        i18n.parse_po('msgid "x"\nmsgstrr "y"\n')


def test_switching_language_changes_later_lookups():
    try:
        assert i18n._("Welcome") == "Welcome"
        assert i18n.set_language("zh_CN.UTF-8") == "zh_CN"
        assert i18n._("Welcome") == "欢迎"
        assert i18n._("a string nobody marked") == "a string nobody marked"
    finally:
        i18n.set_language("en")
    assert i18n._("Welcome") == "Welcome"


@pytest.mark.parametrize(
    ("env", "capable"),
    [
        ({"TERM": "linux", "LANG": "zh_CN.UTF-8"}, False),  # the VGA console: no CJK glyphs
        ({"TERM": "xterm-256color", "LANG": "C.UTF-8"}, True),  # ssh from a UTF-8 terminal
        ({"TERM": "screen", "LC_ALL": "en_US.utf8"}, True),
        ({"TERM": "vt220", "LANG": "C.UTF-8"}, False),  # a serial console drawing ASCII
        ({"TERM": "xterm", "LANG": "C"}, False),
        ({"TERM": "xterm", "LANG": "zh_CN.GB2312"}, False),
    ],
)
def test_chinese_is_offered_only_where_it_can_be_drawn(env, capable):
    assert i18n.cjk_capable(env) is capable
    assert i18n.choose(None, env)[1] is capable


def test_lang_option_forces_the_language():
    vga = {"TERM": "linux", "LANG": "C.UTF-8"}
    assert i18n.choose("zh_CN", vga) == ("zh_CN", True)
    assert i18n.choose("en", {"TERM": "xterm", "LANG": "zh_CN.UTF-8"}) == ("en", True)
    assert i18n.choose(None, {"TERM": "xterm", "LANG": "zh_CN.UTF-8"}) == ("zh_CN", True)
    assert i18n.choose(None, {"TERM": "linux", "LANG": "zh_CN.UTF-8"}) == ("en", False)

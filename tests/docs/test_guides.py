"""The operator guides cannot drift from the code: each picture's source data is what the
wizard draws now, every step is pictured in each language, each guide shows every picture,
every message its Troubleshooting section quotes exists in the code or the catalogue, and
no document points outside the repository."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from cos_installer import i18n
from cos_installer.flow import Step

from . import canvasdata, svg
from .scenes import LANGUAGES, shoot

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SCREENS = DOCS / "screens"
GUIDES = {"en": DOCS / "guide.en.md", "zh_CN": DOCS / "guide.zh_CN.md"}
RUN = "run `make docs` and commit docs/screens"
TROUBLE = re.compile(r"^## .*(Troubleshooting|故障排除)", re.M)


@cache
def drawn(lang: str) -> dict:
    return shoot(lang)


def committed(lang: str) -> dict[str, dict]:
    return {p.stem: canvasdata.load(p) for p in sorted((SCREENS / lang).glob("*.json"))}


def first_difference(old: dict, new: dict) -> str:
    for key in ("step", "size", "palette"):
        if old.get(key) != new.get(key):
            return f"{key}: {old.get(key)!r} -> {new.get(key)!r}"
    for y, (a, b) in enumerate(zip(old["rows"], new["rows"], strict=False)):
        if a != b:
            what = "text" if a["text"] != b["text"] else "colours"
            return f"row {y} ({what}):\n  was {a['text'].rstrip()!r}\n  now {b['text'].rstrip()!r}"
    return f"{len(old['rows'])} rows -> {len(new['rows'])} rows"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_picture_is_what_the_wizard_draws_now(lang):
    now, then = drawn(lang), committed(lang)
    assert sorted(now) == sorted(then), (
        f"docs/screens/{lang}: pictures added {sorted(set(now) - set(then))}, "
        f"gone {sorted(set(then) - set(now))}: {RUN}"
    )
    changed = [
        f"docs/screens/{lang}/{name}.json: {first_difference(then[name], now[name])}"
        for name in sorted(now)
        if now[name] != then[name]
    ]
    assert not changed, (
        "the wizard draws these screens differently now; " + RUN + ":\n" + ("\n".join(changed))
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_svg_is_drawn_from_its_data(lang):
    stale = [
        name
        for name, data in committed(lang).items()
        if (SCREENS / lang / f"{name}.svg").read_text(encoding="utf-8") != svg.render(data)
    ]
    assert not stale, f"docs/screens/{lang}: {stale} not drawn from their .json; {RUN}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_wizard_step_has_a_picture(lang):
    steps = {data["step"] for data in committed(lang).values()}
    missing = [step.value for step in Step if step.value not in steps]
    assert not missing, f"docs/screens/{lang}: no picture of the steps {missing}"
    assert "error" in steps


def test_the_chinese_pictures_are_chinese_and_the_english_ones_english():
    zh, en = committed("zh_CN"), committed("en")
    assert all(re.search(r"[\u4e00-\u9fff]", canvasdata.plain_text(d)) for d in zh.values())
    assert "Welcometo" in canvasdata.plain_text(en["controller-welcome"])
    assert "WenQuanYi Micro Hei" in (SCREENS / "zh_CN" / "controller-welcome.svg").read_text()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_guide_shows_every_picture_of_its_language(lang):
    text = GUIDES[lang].read_text(encoding="utf-8")
    shown = set(re.findall(rf"\(screens/{lang}/([\w-]+)\.svg\)", text))
    pictures = set(committed(lang))
    assert pictures - shown == set(), f"{GUIDES[lang].name} does not show {pictures - shown}"
    assert shown - pictures == set(), f"{GUIDES[lang].name} shows missing {shown - pictures}"
    other = [lg for lg in LANGUAGES if lg != lang]
    assert not any(f"screens/{lg}/" in text for lg in other), "pictures of the other language"


# --- the messages the Troubleshooting sections quote ------------------------------------------


def quotes(guide: Path) -> list[str]:
    """`messages` on the `> ` lines of the Troubleshooting section (to the next ## heading)."""
    text = guide.read_text(encoding="utf-8")
    found = TROUBLE.search(text)
    assert found, f"{guide.name}: no Troubleshooting section"
    section = text[found.end() :]
    section = section[: m.start()] if (m := re.search(r"^## ", section, re.M)) else section
    lines = [line for line in section.splitlines() if line.startswith(">")]
    return [q for line in lines for q in re.findall(r"`([^`]+)`", line)]


def squeeze(text: str) -> str:
    return "".join(text.split())


@cache
def corpus() -> tuple[str, ...]:
    """Every string constant of the installer's code (f-strings: their constant parts), every
    msgid and msgstr of the zh_CN catalogue, and the words of every picture."""
    found: list[str] = []
    pkg = Path(i18n.__file__).parent
    for path in pkg.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.append(squeeze(node.value))
    po = pkg / "locale" / "zh_CN" / "LC_MESSAGES" / "cos-installer.po"
    for entry in i18n.parse_po(po.read_text(encoding="utf-8")):
        found += [squeeze(str(entry.get("msgid", ""))), squeeze(str(entry.get("msgstr", "")))]
    for lang in LANGUAGES:
        found += [canvasdata.plain_text(d) for d in committed(lang).values()]
    return tuple(found)


def missing_quotes(guide: Path) -> list[str]:
    """Quoted messages (parts between '…' stand for what varies) found nowhere."""
    texts = corpus()
    return [
        q
        for q in quotes(guide)
        for part in q.split("…")
        if squeeze(part) and not any(squeeze(part) in t for t in texts)
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_the_troubleshooting_quotes_exists(lang):
    quoted = quotes(GUIDES[lang])
    assert len(quoted) >= 12, f"{GUIDES[lang].name}: only {len(quoted)} quoted messages"
    assert missing_quotes(GUIDES[lang]) == [], "the code no longer says these; fix the guide"


def test_a_message_the_code_does_not_say_is_caught(tmp_path):
    guide = tmp_path / "g.md"
    guide.write_text(
        "## 7. Troubleshooting\n> `CDROM Device Not Ready`\n> `no link on … (cable unplugged?)`"
        "\n> `The disk exploded`\n## 8. Next\n> `not quoted here`\n"
    )
    assert missing_quotes(guide) == ["The disk exploded"]


# --- links ---------------------------------------------------------------------------------


def test_the_readme_opens_with_both_guides_and_no_document_points_outside():
    head = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:8])
    assert "(docs/guide.zh_CN.md)" in head and "(docs/guide.en.md)" in head
    for doc in [ROOT / "README.md", *DOCS.glob("*.md")]:
        text = doc.read_text(encoding="utf-8")
        assert "shared/seed" not in text and "/work/" not in text, doc.name
        for target in re.findall(r"\]\(([^)#\s]+)", text):
            if re.match(r"[a-z]+:", target):
                continue
            assert (doc.parent / target).exists(), f"{doc.name}: broken link {target}"

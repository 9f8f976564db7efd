"""Translations: `_()` / `ngettext` bound to the domain "cos-installer", English by default.

The catalogue source is `locale/<lang>/LC_MESSAGES/cos-installer.po` in this package; it is
read at first use (a few hundred entries, milliseconds), so there is no compiled .mo to keep
in step and no build step. Strings are looked up when a screen is built, never at import, so
switching the language (Welcome screen, `--lang`) takes effect on the next screen drawn.

Chinese is offered only where the terminal can draw it: a UTF-8 locale and not the Linux VGA
console (TERM=linux), whose font has no CJK glyphs; a serial terminal or SSH with UTF-8 can.
"""

from __future__ import annotations

import ast
import gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "cos-installer"
LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = {"en": "English", "zh_CN": "中文 (简体)"}
DEFAULT = "en"
# the VGA console has no CJK glyphs; vt100-class terminals draw ASCII only (screens.theme)
NO_CJK_TERMS = {"linux", "vt100", "vt102", "vt220", "vt52", "dumb", "ansi"}

_current: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT
_cache: dict[str, gettext.NullTranslations] = {}


class PoTranslations(gettext.NullTranslations):
    """A catalogue read straight from a .po file (fuzzy and empty entries are skipped)."""

    def __init__(self, entries: dict[str, str], plurals: dict[str, list[str]]) -> None:
        super().__init__()
        self.entries, self.plurals = entries, plurals

    def gettext(self, message: str) -> str:
        return self.entries.get(message) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        forms = self.plurals.get(singular)
        if forms and forms[0]:
            return forms[0]  # Chinese has one plural form
        return singular if n == 1 else plural


def _unquote(line: str) -> str:
    return ast.literal_eval(line) if line.startswith('"') else ""


def parse_po(text: str) -> list[dict[str, object]]:
    """The entries of a .po file: msgid, msgid_plural, msgstr (or msgstr[n] list), flags."""
    entries: list[dict[str, object]] = []
    entry: dict[str, object] = {}
    key: str | None = None
    for raw in text.splitlines() + [""]:
        line = raw.strip()
        if not line or (line.startswith("#") and not line.startswith("#,")):
            if not line and "msgid" in entry:
                entries.append(entry)
                entry, key = {}, None
            continue
        if line.startswith("#,"):
            entry["flags"] = {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith('"'):
            if key is None:
                raise ValueError(f"a continuation line outside an entry: {raw!r}")
            if key.startswith("msgstr["):
                forms = entry["msgstr_plural"]
                forms[-1] += _unquote(line)  # type: ignore[index,operator]
            else:
                entry[key] = str(entry[key]) + _unquote(line)
            continue
        word, _sep, rest = line.partition(" ")
        if word.startswith("msgstr["):
            entry.setdefault("msgstr_plural", [])
            entry["msgstr_plural"].append(_unquote(rest))  # type: ignore[union-attr]
        elif word in ("msgid", "msgid_plural", "msgstr", "msgctxt"):
            if word == "msgid" and "msgid" in entry:
                entries.append(entry)  # entries are normally separated by a blank line
                entry = {}
        else:
            raise ValueError(f"not a .po line: {raw!r}")
        key = word
        if not word.startswith("msgstr["):
            entry[word] = _unquote(rest)
    return entries


def load_catalogue(lang: str) -> PoTranslations:
    """The catalogue of `lang`; raises FileNotFoundError when it has none."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    entries: dict[str, str] = {}
    plurals: dict[str, list[str]] = {}
    for e in parse_po(path.read_text(encoding="utf-8")):
        msgid = str(e["msgid"])
        if not msgid or "fuzzy" in e.get("flags", set()):  # type: ignore[operator]
            continue
        if "msgid_plural" in e:
            plurals[msgid] = list(e.get("msgstr_plural", []))  # type: ignore[call-overload]
        elif e.get("msgstr"):
            entries[msgid] = str(e["msgstr"])
    return PoTranslations(entries, plurals)


def set_language(lang: str | None) -> str:
    """Switch every later `_()` to `lang` ("en", "zh_CN"); unknown -> English. Returns it."""
    global _current, _language
    lang = normalise(lang)
    if lang == DEFAULT:
        _current, _language = gettext.NullTranslations(), DEFAULT
        return _language
    if lang not in _cache:
        _cache[lang] = load_catalogue(lang)
    _current, _language = _cache[lang], lang
    return _language


def language() -> str:
    return _language


def normalise(lang: str | None) -> str:
    """'zh', 'zh_CN.UTF-8', 'zh-cn' -> 'zh_CN'; 'C', '' or anything unknown -> 'en'."""
    text = (lang or "").split(".")[0].replace("-", "_").lower()
    if text.startswith("zh"):
        return "zh_CN"
    return DEFAULT


def _(message: str) -> str:
    """Translate a user-facing string (English when no language is set)."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for the catalogue without translating it yet (module constants)."""
    return message


def _locale_of(env: Mapping[str, str]) -> str:
    return env.get("LC_ALL") or env.get("LC_CTYPE") or env.get("LANG") or ""


def cjk_capable(environ: Mapping[str, str] | None = None) -> bool:
    """True where the terminal can draw Chinese: UTF-8 locale and not the VGA console."""
    env = os.environ if environ is None else environ
    charset = _locale_of(env).lower().replace("utf8", "utf-8")
    term = env.get("TERM", "")
    if term in NO_CJK_TERMS or term.startswith(("vt1", "vt2")):
        return False
    return "utf-8" in charset


def choose(forced: str | None, environ: Mapping[str, str] | None = None) -> tuple[str, bool]:
    """(language to start in, whether to offer the choice on the Welcome screen).

    `--lang` forces the language (and the choice stays offered); otherwise Chinese is the
    start language only when the locale asks for it and the terminal can show it."""
    env = os.environ if environ is None else environ
    capable = cjk_capable(env)
    if forced:
        lang = normalise(forced)
        return lang, capable or lang != DEFAULT
    wanted = env.get("LC_ALL") or env.get("LC_MESSAGES") or env.get("LANG") or ""
    lang = normalise(wanted) if capable else DEFAULT
    return lang, capable

"""Pieces every screen shares: a form field with its error under it, the key help texts, and
the `Screen` base class (Tab moves between fields, Enter submits); the radio list is in
radiolist.py.

A screen is a view: it shows values and reports what the user chose through its context's
`done(patch)` / `back()`; it never touches hardware or files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import urwid

from cos_installer.i18n import N_, _

from .paste import CappedEdit, Paste

LABEL_WIDTH = 14

KEYS_LIST = N_("Up/Down move  Space select  Enter next  Esc back  Ctrl+D restart  Ctrl+C quit")
KEYS_FORM = N_("Tab/Up/Down field  Enter next  Esc back  Ctrl+D restart  Ctrl+C quit")
KEYS_FORM_LIST = N_("Tab field  Space select  Enter next  Esc back  Ctrl+D restart  Ctrl+C quit")
KEYS_NEXT = N_("Enter continue  Esc back  Ctrl+D restart  Ctrl+C quit")
MAX_LEN = 255  # characters a field takes unless it says otherwise (a paste is cut there)


def text(markup: Any, align: str = "left") -> urwid.Text:
    return urwid.Text(markup, align=align)


def clip(line: str, width: int) -> str:
    """`line` cut to `width` terminal columns (a CJK character takes two), '...' marking a cut."""
    if urwid.str_util.calc_width(line, 0, len(line)) <= width:
        return line
    end, _col = urwid.str_util.calc_text_pos(line, 0, len(line), width - 3)
    return line[:end] + "..."


def blank() -> urwid.Divider:
    return urwid.Divider()


class Field(urwid.WidgetWrap):
    """`Label: [value]` with the validator's message shown right under it when there is one.
    `max_len` caps what can be typed or pasted (the validators say what is valid)."""

    def __init__(
        self,
        label: str,
        value: str = "",
        *,
        mask: str | None = None,
        hint: str = "",
        width: int = 40,
        max_len: int = MAX_LEN,
    ) -> None:
        self.label = label
        self.max_len = max_len
        self.edit = CappedEdit(value or "", mask, max_len, self._cut)
        self.edit_box = urwid.AttrMap(self.edit, "edit", "edit_focus")
        parts: list[Any] = [(LABEL_WIDTH, urwid.Text(label + ":")), (width, self.edit_box)]
        if hint:
            parts.append(urwid.Text(("dim", " " + hint)))
        self._row = urwid.Columns(parts, dividechars=1)
        self._error = urwid.Text("")
        self._pile = urwid.Pile([self._row])
        self.enabled = True
        urwid.connect_signal(self.edit, "postchange", lambda *_: self.set_error(None))
        super().__init__(self._pile)

    @property
    def value(self) -> str:
        return self.edit.edit_text

    @value.setter
    def value(self, new: str) -> None:
        self.edit.set_edit_text(new or "")
        self.edit.set_edit_pos(len(self.edit.edit_text))

    def paste(self, text: str) -> bool:
        """Insert `text` at the cursor in one go, cut at `max_len` (and say so); True if cut."""
        room = max(self.max_len - len(self.edit.edit_text), 0)
        if text[:room]:
            self.edit.insert_text(text[:room])
        if len(text) > room:
            self._cut()
        return len(text) > room

    def _cut(self) -> None:
        self.set_error(
            _("cut at {count} characters: this field takes at most {count}").format(
                count=self.max_len
            )
        )

    @property
    def error(self) -> str | None:
        return self._error.text or None

    def set_error(self, message: str | None) -> None:
        """Show (or clear) the validator's message, indented under the value."""
        if message == (self._error.text or None):
            return
        self._error.set_text(("error", message or ""))
        contents = self._pile.contents
        if message and len(contents) == 1:
            pad = urwid.Padding(self._error, left=LABEL_WIDTH + 1)
            contents.append((pad, self._pile.options()))
        elif not message and len(contents) == 2:
            del contents[1]
        self._pile.focus_position = 0

    def set_enabled(self, on: bool) -> None:
        """A disabled field is skipped by the cursor and drawn dim (e.g. addresses under DHCP)."""
        self.enabled = on
        self.edit_box.set_attr_map({None: "edit" if on else "dim"})
        self.edit_box.set_focus_map({None: "edit_focus" if on else "dim"})
        if not on:
            self.set_error(None)

    def selectable(self) -> bool:
        return self.enabled


class Screen(urwid.WidgetWrap):
    """Base of every screen: a scrolling list of rows; Tab/Shift+Tab move between fields and
    Enter calls `submit()`. Subclasses set `title` and `keys` and implement `submit()`."""

    title = ""
    keys = KEYS_NEXT

    def __init__(self, ctx: Any, rows: Sequence[urwid.Widget]) -> None:
        self.ctx = ctx
        # class attributes are marked with N_(); translated here, when the screen is built
        self.title = _(type(self).title) if type(self).title else ""
        self.keys = _(type(self).keys)
        self.walker = urwid.SimpleFocusListWalker(list(rows))
        self.listbox = urwid.ListBox(self.walker)
        super().__init__(self.listbox)

    def submit(self) -> None:
        self.ctx.done({})

    def snapshot(self) -> dict[str, Any]:
        """The answers as shown (a patch), unchecked, kept when the user goes back with Esc."""
        return {}

    def snapshot_entered(self) -> dict[str, Any]:
        """The UI-only state as shown (`Entered` fields), kept with Esc like `snapshot`."""
        return {}

    def focus_widget(self, widget: urwid.Widget) -> None:
        if widget in self.walker:
            self.listbox.set_focus(self.walker.index(widget))

    def _tab(self, step: int) -> None:
        count = len(self.walker)
        if not count:
            return
        start = self.listbox.focus_position
        for offset in range(1, count + 1):
            index = (start + step * offset) % count
            if self.walker[index].selectable():
                self.listbox.set_focus(index, "below" if step > 0 else "above")
                return

    def check(self, results: Sequence[tuple[Field, str | None]]) -> bool:
        """Show each field's message; focus the first bad field. True when all are good."""
        first_bad = None
        for field_widget, message in results:
            field_widget.set_error(message)
            if message and first_bad is None:
                first_bad = field_widget
        if first_bad is not None:
            self.focus_widget(first_bad)
        return first_bad is None

    def keypress(self, size: tuple[int, int], key: Any) -> str | None:
        if isinstance(key, Paste):
            self._paste(size, key.text)
            return None
        if key in ("tab", "shift tab"):
            self._tab(1 if key == "tab" else -1)
            return None
        key = super().keypress(size, key)
        if key == "enter":
            self.submit()
            return None
        return key

    def _paste(self, size: tuple[int, int], text: str) -> None:
        """A run of characters: into the focused field at once, else key by key as typed."""
        focus = self.listbox.focus
        if isinstance(focus, Field) and focus.enabled:
            if focus.paste(text):  # the message under a tall field may be off screen
                self.ctx.set_status(f"{focus.label}: {focus.error}")
            self.listbox.make_cursor_visible(size)
            return
        for char in text:
            self.keypress(size, char)

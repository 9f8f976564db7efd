"""What surrounds every screen: the header (title, dry-run mark, step count), the boxed body,
the status line above the key bar, a modal dialog over it all, and the 80x24 size guard."""

from __future__ import annotations

from typing import Any

import urwid

from cos_installer.i18n import _

from . import theme


class Frame:
    """`widget` is what the main loop draws; the app swaps views and dialogs through it."""

    def __init__(self, ascii_only: bool = False) -> None:
        self.ascii_only = ascii_only
        self.header = urwid.Text("")
        self.status = urwid.Text("")
        self.keybar = urwid.Text("")
        self.footer = urwid.Pile([urwid.AttrMap(self.keybar, "keybar")])
        self.frame = urwid.Frame(
            urwid.SolidFill(" "),
            header=urwid.AttrMap(self.header, "header"),
            footer=self.footer,
        )
        self.dialog: urwid.Widget | None = None
        self.widget = theme.SizeGuard(urwid.AttrMap(self.frame, "body"))

    def show_view(self, view: Any, where: str, dry_run: bool) -> None:
        """Draw `view` boxed under its title; `where`: the header's right part."""
        mode = _("  [dry run]") if dry_run else ""
        self.header.set_text(f" {_('COS Installer')}{mode}   {where}")
        self.set_keys(view.keys)
        self.frame.body = urwid.LineBox(
            urwid.Padding(view, left=1, right=1),
            title=view.title,
            **theme.box_chars(self.ascii_only),
        )
        self.set_status("")

    def set_keys(self, keys: str) -> None:
        self.keybar.set_text(" " + keys)

    def set_status(self, message: str) -> None:
        """The line above the key bar (shown only while it has something to say)."""
        contents = self.footer.contents
        self.status.set_text(("note", " " + message) if message else "")
        if message and len(contents) == 1:
            contents.insert(0, (self.status, self.footer.options()))
        elif not message and len(contents) == 2:
            del contents[0]

    def open_dialog(self, dialog: urwid.Widget) -> None:
        self.dialog = dialog
        overlay = urwid.Overlay(
            urwid.LineBox(dialog, **theme.box_chars(self.ascii_only)),
            urwid.AttrMap(self.frame, "body"),
            "center",
            64,
            "middle",
            10,
        )
        self.widget.set_inner(overlay)

    def close_dialog(self) -> None:
        self.dialog = None
        self.widget.set_inner(urwid.AttrMap(self.frame, "body"))

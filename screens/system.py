"""Screen 5, System: HostName and the password of the cos account, typed twice, masked."""

from __future__ import annotations

from typing import Any

from cos_installer.answers import validate
from cos_installer.i18n import N_, _

from .state import as_text, section
from .widgets import KEYS_FORM, Field, Screen, blank, text


class View(Screen):
    title = N_("System")
    keys = KEYS_FORM

    def __init__(self, ctx: Any) -> None:
        values = section(ctx.answers, "system")
        self.keep_hash = bool(values.get("password_hash")) and not values.get("password")
        name, secret = as_text(values.get("hostname")), as_text(values.get("password"))
        self.hostname = Field(_("HostName"), name, width=40, max_len=validate.HOSTNAME_MAX)
        cap = validate.PASSWORD_MAX
        self.password = Field(_("Password"), secret, mask="*", width=30, max_len=cap)
        again = ctx.entered.password_again
        self.again = Field(_("Again"), again, mask="*", width=30, max_len=cap)
        rows = [
            blank(),
            text(_("Host name of this machine (e.g. controller1, node1, node1.example.com):")),
            text(_("a-z, 0-9 and '-', and '.' between the parts of a full name.")),
            self.hostname,
            blank(),
            text(_("Password of the default account cos, typed twice.")),
            self.password,
            self.again,
        ]
        if self.keep_hash:
            rows.append(text(("note", _("Empty: keep the password (hash) from the answers file."))))
        super().__init__(ctx, rows)
        self.focus_widget(self.hostname)

    def snapshot(self) -> dict[str, Any]:
        return {"system": {"hostname": self.hostname.value, "password": self.password.value}}

    def snapshot_entered(self) -> dict[str, Any]:
        return {"password_again": self.again.value}

    def submit(self) -> None:
        first, again = self.password.value, self.again.value
        if self.keep_hash and not first and not again:
            pw_error = again_error = None
        else:
            pw_error = validate.error_of(validate.password, first)
            again_error = (
                None
                if pw_error
                else validate.error_of(validate.password_confirmation, first, again)
            )
        results = [
            (self.hostname, validate.error_of(validate.hostname, self.hostname.value)),
            (self.password, pw_error),
            (self.again, again_error),
        ]
        if not self.check(results):
            return
        system = {"hostname": self.hostname.value.strip(), "password": first}
        self.ctx.done({"system": system}, password_again=again)

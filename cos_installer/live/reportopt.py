"""`cos.report=URL` on the live kernel command line: where the install's events go.

Kept out of live.boot (which parses every other cos.* option) so that it does not grow: boot
calls `report_option` for the value, and the install command and the wizard read the kernel's
choice with `kernel_report` (it wins over the answers' `report:`; `install --report` wins
over both). The rule for the URL is the answers' one (answers.validate.report_url).
"""

from __future__ import annotations

from cos_installer.answers.validate import FieldError, report_url
from cos_installer.common.shown import printable
from cos_installer.live import cmdline
from cos_installer.netboot.contract import bootif_mac

OPTION = "cos.report"
CMDLINE = cmdline.PATH


def report_option(value: str, name: str = OPTION, error: type[ValueError] = ValueError) -> str:
    """The URL of `cos.report=VALUE` (or `--report VALUE`); `error` (a ValueError) naming the
    option, the value (escaped, cut short, never its userinfo) and what is expected."""
    try:
        return report_url(value)
    except FieldError as exc:
        raise error(printable(f"{name}: {exc}")) from None


def kernel_report(path: str = CMDLINE) -> tuple[str, str | None]:
    """(cos.report's URL or "", BOOTIF's MAC or None) of the kernel command line at `path`;
    ValueError for a cos.report= value that is not acceptable. An unreadable file: none."""
    try:
        text = cmdline.read(path)
    except OSError:
        return "", None
    url, bootif = "", None
    for word in cmdline.words(text):
        key, _, value = word.partition("=")
        if key == OPTION:
            url = report_option(value)
        elif key == "BOOTIF":
            try:
                bootif = bootif_mac(value)
            except ValueError:
                bootif = None
    return url, bootif

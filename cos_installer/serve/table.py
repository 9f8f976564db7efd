"""`cos-installer status`: GET /status as a plain table on a terminal, 80 columns wide (one
row per host: name, role, stage, percent, result; a failed host's cause on the next line;
then the unmatched machines). Text from the server is escaped (common.shown.printable) and
cut to its column: a hostname cannot move the cursor or widen the table."""

from __future__ import annotations

from cos_installer.common.shown import printable

WIDTH = 80
COLUMNS = (("HOST", 18), ("ROLE", 10), ("STAGE", 30), ("%", 4), ("RESULT", 12))


def _fit(text: object, width: int) -> str:
    line = printable(str(text))
    return line if len(line) <= width else line[: width - 1] + "~"


def _line(values: list[object]) -> str:
    cells = []
    for (name, width), value in zip(COLUMNS, values, strict=True):
        text = _fit(value, width)
        cells.append(text.rjust(width) if name == "%" else text.ljust(width))
    return " ".join(cells).rstrip()


def render(status: dict) -> str:
    """The table for one /status answer; every line at most WIDTH characters."""
    hosts = status.get("hosts") or []
    counts: dict[str, int] = {}
    lines = [_line([name for name, _ in COLUMNS])]
    for h in hosts:
        result = str(h.get("result", "")) + ("+boot" if h.get("firstboot") else "")
        counts[str(h.get("result"))] = counts.get(str(h.get("result")), 0) + 1
        stage = h.get("stage_title") or h.get("stage") or "-"
        lines.append(
            _line(
                [h.get("hostname") or "?", h.get("role") or "-", stage, h.get("percent", 0), result]
            )
        )
        if h.get("result") == "failed":
            why = " ".join(str(h.get(k) or "") for k in ("cause", "hint")).strip()
            lines.append(_fit("  ! " + (why or str(h.get("message", ""))), WIDTH))
    strangers = status.get("unmatched") or []
    if strangers:
        lines.append(f"unmatched ({len(strangers)}):")
        for u in strangers:
            who = "; ".join(
                f"{k} {','.join(map(str, v))}" for k, v in (u.get("identity") or {}).items() if v
            )
            lines.append(_fit(f"  {u.get('hostname') or '?'} {who}: {u.get('reason', '')}", WIDTH))
    summary = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("done", "running", "failed", "pending"))
    lines.append(_fit(f"{len(hosts)} hosts: {summary}; {len(strangers)} unmatched", WIDTH))
    return "\n".join(lines) + "\n"

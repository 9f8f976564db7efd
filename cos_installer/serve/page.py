"""GET /: the status page for people. One row per fleet host (stage, a progress bar, result, a
failure's cause and hint), then the unmatched machines; a few lines of script poll /status
every 2 s and redraw the rows. Everything from the fleet or an event is text: the server
escapes it (html.escape) and the script only ever sets textContent, so a hostname or a cause
holding <script> shows as those characters.
"""

from __future__ import annotations

import html

STYLE = """
body{font:15px/1.4 sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .3em} #sum{margin:0 0 1em;color:#555}
table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:.3em .6em;
border-bottom:1px solid #ddd;vertical-align:top} th{background:#f3f3f3}
.bar{display:inline-block;vertical-align:middle;width:8em;height:.9em;background:#eee;
border:1px solid #bbb;margin-right:.4em}
.fill{height:100%;background:#3a7bd5} tr.done .fill{background:#2e9d4a}
tr.failed{background:#fde8e8} tr.failed .fill{background:#c62828}
.cause{color:#b00020;font-weight:bold} .hint{color:#555}
"""

SCRIPT = """
const RESULT_CLASS = {pending: 'pending', running: 'running', done: 'done', failed: 'failed'};
function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); return td;
}
function bar(tr, percent) {
  const td = document.createElement('td'), outer = document.createElement('div'),
        fill = document.createElement('div'), n = Math.max(0, Math.min(100, Number(percent) || 0));
  outer.className = 'bar'; fill.className = 'fill'; fill.style.width = n + '%';
  outer.appendChild(fill); td.appendChild(outer); td.appendChild(document.createTextNode(n + '%'));
  tr.appendChild(td);
}
function row(h) {
  const tr = document.createElement('tr');
  tr.className = RESULT_CLASS[h.result] || '';
  cell(tr, h.hostname); cell(tr, h.role); cell(tr, h.mac);
  cell(tr, h.stage_title || h.stage); bar(tr, h.percent);
  cell(tr, h.result + (h.firstboot ? ', booted' : ''));
  const td = cell(tr, h.message);
  if (h.cause) { const c = document.createElement('div'); c.className = 'cause';
    c.textContent = h.cause; td.appendChild(c); }
  if (h.hint) { const c = document.createElement('div'); c.className = 'hint';
    c.textContent = h.hint; td.appendChild(c); }
  return tr;
}
function stranger(u) {
  const tr = document.createElement('tr'), who = Object.entries(u.identity || {})
    .filter(([k, v]) => v.length).map(([k, v]) => k + ' ' + v.join(', ')).join('; ');
  cell(tr, u.hostname || '?'); cell(tr, who); cell(tr, u.result || 'asked');
  cell(tr, u.reason); return tr;
}
async function refresh() {
  try {
    const r = await fetch('status', {cache: 'no-store'}), s = await r.json();
    document.getElementById('hosts').replaceChildren(...s.hosts.map(row));
    document.getElementById('strangers').replaceChildren(...s.unmatched.map(stranger));
    const n = k => s.hosts.filter(h => h.result === k).length;
    document.getElementById('sum').textContent = s.hosts.length + ' hosts: ' + n('done') +
      ' done, ' + n('running') + ' running, ' + n('failed') + ' failed, ' + n('pending') +
      ' pending; ' + s.unmatched.length + ' unmatched. Refreshed ' +
      new Date().toLocaleTimeString() + '.';
    document.body.dataset.refreshed = 'yes';
  } catch (e) { document.getElementById('sum').textContent = 'status unavailable: ' + e; }
}
refresh(); setInterval(refresh, 2000);
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _row(h: dict) -> str:
    n = max(0, min(100, int(h.get("percent") or 0)))
    extra = "".join(f'<div class="{k}">{_e(h[k])}</div>' for k in ("cause", "hint") if h.get(k))
    booted = ", booted" if h.get("firstboot") else ""
    return (
        f'<tr class="{_e(h["result"])}"><td>{_e(h["hostname"])}</td><td>{_e(h["role"])}</td>'
        f"<td>{_e(h['mac'])}</td><td>{_e(h['stage_title'] or h['stage'])}</td>"
        f'<td><div class="bar"><div class="fill" style="width:{n}%"></div></div>{n}%</td>'
        f"<td>{_e(h['result'])}{booted}</td><td>{_e(h['message'])}{extra}</td></tr>"
    )


def _stranger(u: dict) -> str:
    who = "; ".join(f"{k} {', '.join(v)}" for k, v in u.get("identity", {}).items() if v)
    return (
        f"<tr><td>{_e(u.get('hostname') or '?')}</td><td>{_e(who)}</td>"
        f"<td>{_e(u.get('result') or 'asked')}</td><td>{_e(u.get('reason'))}</td></tr>"
    )


def render(status: dict, title: str = "COS rack install") -> str:
    """The page with the current rows (readable without script), which the script redraws."""
    rows = "".join(_row(h) for h in status["hosts"])
    strangers = "".join(_stranger(u) for u in status["unmatched"])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style></head>
<body><h1>{_e(title)}</h1><p id="sum">{len(status["hosts"])} hosts</p>
<table><thead><tr><th>Host</th><th>Role</th><th>MAC</th><th>Stage</th><th>Progress</th>
<th>Result</th><th>Message</th></tr></thead><tbody id="hosts">{rows}</tbody></table>
<h2>Unmatched machines</h2>
<table><thead><tr><th>Hostname</th><th>Identity</th><th>Result</th><th>Why</th></tr></thead>
<tbody id="strangers">{strangers}</tbody></table>
<script>{SCRIPT}</script></body></html>
"""

"""``zoneverify report ZONE -o report.html``: one self-contained HTML page.

The verdict; the findings in a table that can be filtered by code and
severity; RRSIG counts per algorithm and status, and per key; a timeline
of signature expiration and inception per key tag and algorithm, with the
verification time and the ``--expire-within`` margin marked.

No network fetch: the style, the filter script (a few lines of plain
JavaScript) and the timeline (inline SVG drawn here, aggregated into at
most :data:`BINS` bins per key, so that a 1M-delegation zone makes a page
of the same size as a small one) are all in the file. Matplotlib would
give the same picture for a dependency of 40 MB and a slower start; SVG
written here is a few hundred elements, crisp at any zoom, with a tooltip
per bar. Everything taken from the zone (owner names, reasons that quote
RDATA, file names) is HTML-escaped, and no value from the zone is put into
the script: a hostile zone cannot put markup or script into the page.
"""

from __future__ import annotations

import html
import os
import time
from typing import TYPE_CHECKING, Any

from . import __version__, _native
from ._files import write_atomically
from ._time import format_time

if TYPE_CHECKING:
    from .report import Report

#: Bins of the timeline (per key and row).
BINS = 240
#: Findings listed in the table (all are counted above it).
MAX_ROWS = 5000

_CSS = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}
th{background:#f0f0f0}.ok{color:#fff;background:#2a7d2a;padding:2px 8px}.fail{color:#fff;background:#b22;padding:2px 8px}
.num{text-align:right}.error{color:#b22}.warning{color:#a60}code{font-size:.95em}
#filters{margin:.5em 0}svg{font-size:11px}
"""

# Static: reads the rows' data attributes, never a value from the zone.
_JS = """
function zvFilter(){
  var c=document.getElementById('f-code').value, s=document.getElementById('f-sev').value, n=0;
  var rows=document.querySelectorAll('#findings tbody tr');
  for(var i=0;i<rows.length;i++){
    var r=rows[i], show=(!c||r.dataset.code===c)&&(!s||r.dataset.severity===s);
    r.style.display=show?'':'none'; if(show)n++;
  }
  document.getElementById('f-count').textContent=n+' shown';
}
// A filter may come in the address: report.html#code=bad-signature&severity=error
var zvHash=new URLSearchParams(location.hash.slice(1));
if(zvHash.get('code'))document.getElementById('f-code').value=zvHash.get('code');
if(zvHash.get('severity'))document.getElementById('f-sev').value=zvHash.get('severity');
document.getElementById('f-code').addEventListener('change',zvFilter);
document.getElementById('f-sev').addEventListener('change',zvFilter);
zvFilter();
"""


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _unix(t, now: int):
    import numpy as np

    d = t.astype(np.int64) - (now & 0xFFFFFFFF)
    return now + ((d + 2**31) % 2**32 - 2**31)


def _keys(report: "Report") -> list[dict[str, Any]]:
    """Per key tag and algorithm: counts and the times as UNIX seconds."""
    import numpy as np

    if len(report) == 0:
        return []
    tag = np.asarray(report.key_tag, dtype=np.int64)
    alg = np.asarray(report.algorithm, dtype=np.int64)
    st = np.asarray(report.status)
    exp = _unix(np.asarray(report.expiration), report.now)
    inc = _unix(np.asarray(report.inception), report.now)
    key = alg << 16 | tag
    out = []
    for k in np.unique(key):
        m = key == k
        valid = int((st[m] == 0).sum())
        out.append({"key_tag": int(k) & 0xFFFF, "algorithm": int(k) >> 16, "rrsigs": int(m.sum()),
                    "valid": valid, "expiration": exp[m], "inception": inc[m]})
    return out


def _timeline(keys: list[dict[str, Any]], now: int, margin: int | None) -> str:
    import numpy as np

    if not keys:
        return "<p>No RRSIGs.</p>"
    lo = min(min(int(k["inception"].min()) for k in keys), now)
    hi = max(max(int(k["expiration"].max()) for k in keys), now + (margin or 0))
    span = max(hi - lo, 86400)
    lo -= span // 40
    hi += span // 40
    width, left, row_h = 1000, 170, 26
    plot_w = width - left - 10
    x = lambda t: left + (t - lo) * plot_w / (hi - lo)  # noqa: E731
    height = 30 + len(keys) * 2 * row_h + 32
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="signature timeline">']
    edges = np.linspace(lo, hi, BINS + 1)
    y = 20
    for k in keys:
        name = f"{k['key_tag']} alg {k['algorithm']}"
        for what, values, colour in (("expiration", k["expiration"], "#3465a4"), ("inception", k["inception"], "#888")):
            counts, _ = np.histogram(values, bins=edges)
            top = max(int(counts.max()), 1)
            parts.append(f'<text x="4" y="{y + row_h - 8}">{_e(name)} {what}</text>')
            parts.append(f'<line x1="{left}" y1="{y + row_h - 2}" x2="{left + plot_w}" y2="{y + row_h - 2}" stroke="#ddd"/>')
            for i in np.nonzero(counts)[0]:
                c = int(counts[i])
                h = max(2.0, (row_h - 4) * (c / top) ** 0.5)
                x0, x1 = x(edges[i]), x(edges[i + 1])
                a, b = format_time(int(edges[i])), format_time(int(edges[i + 1]))
                parts.append(
                    f'<rect class="bin" data-key="{k["key_tag"]}" data-what="{what}" x="{x0:.1f}" '
                    f'y="{y + row_h - 2 - h:.1f}" width="{max(x1 - x0, 1):.1f}" height="{h:.1f}" fill="{colour}">'
                    f'<title>{_e(name)}: {c} RRSIGs with {what} in {a}..{b}</title></rect>')
            y += row_h
    # Now and the margin, and the axis.
    parts.append(f'<line x1="{x(now):.1f}" y1="14" x2="{x(now):.1f}" y2="{y}" stroke="#c00" stroke-width="2"/>')
    parts.append(f'<text x="{x(now) + 3:.1f}" y="12" fill="#c00">now {format_time(now)}</text>')
    if margin:
        xm = x(now + margin)
        parts.append(f'<line x1="{xm:.1f}" y1="14" x2="{xm:.1f}" y2="{y}" stroke="#e80" stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{xm - 3:.1f}" y="{y + 24}" fill="#e80" text-anchor="end">'
                     f'now + --expire-within ({format_time(now + margin)[:8]})</text>')
    for t in np.linspace(lo, hi, 7)[1:-1]:
        d = format_time(int(t))
        parts.append(f'<text x="{x(t):.1f}" y="{y + 12}" fill="#555" text-anchor="middle">{d[:4]}-{d[4:6]}-{d[6:8]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render(report: "Report", source: str, margin: int | None = None) -> str:
    """The page for ``report`` (made with its columns) of the zone at
    ``source``; ``margin`` is the ``--expire-within`` margin in seconds."""
    keys = _keys(report)
    verdict = "OK" if report.ok else "FAIL"
    out = ["<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
           "script-src 'unsafe-inline'; img-src data:\">",
           f"<title>zoneverify: {_e(report.apex or '?')} {verdict}</title><style>{_CSS}</style></head><body>",
           f"<h1>zoneverify report: zone <code>{_e(report.apex or '?')}</code> "
           f"<span id=\"verdict\" class=\"{'ok' if report.ok else 'fail'}\">{verdict}</span></h1>",
           "<table><tbody>",
           f"<tr><th>file</th><td><code>{_e(source)}</code></td></tr>",
           f"<tr><th>SOA serial</th><td>{_e(report.serial if report.serial is not None else '-')}</td></tr>",
           f"<tr><th>verification time</th><td>{format_time(report.now)}</td></tr>",
           f"<tr><th>RRSIGs</th><td>{len(report)}</td></tr>",
           f"<tr><th>findings</th><td>{len(report.errors)} errors, {len(report.warnings)} warnings</td></tr>",
           f"<tr><th>zone-level checks</th><td>{'run' if report.zone_checks else 'NOT run'}</td></tr>",
           f"<tr><th>made</th><td>{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())} by zoneverify "
           f"{_e(__version__)}</td></tr>",
           "</tbody></table>"]
    out.append("<h2>RRSIGs per algorithm</h2><table id=\"algorithms\"><thead><tr><th>algorithm</th><th>status</th>"
               "<th>RRSIGs</th></tr></thead><tbody>")
    for alg, per in sorted(report.counts["by_algorithm"].items(), key=lambda kv: int(kv[0])):
        for status, n in sorted(per.items()):
            out.append(f"<tr><td>{_e(alg)} ({_e(_native.algorithm_name(int(alg)))})</td><td>{_e(status)}</td>"
                       f"<td class=\"num\">{n}</td></tr>")
    out.append("</tbody></table>")
    out.append("<h2>Keys</h2><table id=\"keys\"><thead><tr><th>key tag</th><th>algorithm</th><th>RRSIGs</th>"
               "<th>valid</th><th>earliest expiration</th><th>latest expiration</th><th>latest inception</th>"
               "</tr></thead><tbody>")
    for k in keys:
        out.append(f"<tr class=\"key\" data-key=\"{k['key_tag']}\"><td>{k['key_tag']}</td><td>{k['algorithm']} "
                   f"({_e(_native.algorithm_name(k['algorithm']))})</td><td class=\"num\">{k['rrsigs']}</td>"
                   f"<td class=\"num\">{k['valid']}</td><td>{format_time(int(k['expiration'].min()))}</td>"
                   f"<td>{format_time(int(k['expiration'].max()))}</td><td>{format_time(int(k['inception'].max()))}</td></tr>")
    out.append("</tbody></table>")
    out.append("<h2>Signature timeline</h2><p>RRSIGs per key by expiration and inception (bars: count, square "
               "root scale; hover for the dates). Red: the verification time"
               + ("; dashed: the --expire-within margin" if margin else "") + ".</p>")
    out.append(_timeline(keys, report.now, margin))
    findings = report.findings
    codes = sorted({f.code for f in findings})
    out.append(f"<h2>Findings ({len(findings)})</h2>")
    if len(findings) > MAX_ROWS:
        out.append(f"<p>The first {MAX_ROWS} are listed; <code>zoneverify check</code> with the same options "
                   "prints them all.</p>")
    out.append("<div id=\"filters\">code <select id=\"f-code\"><option value=\"\">all</option>"
               + "".join(f"<option value=\"{_e(c)}\">{_e(c)}</option>" for c in codes)
               + "</select> severity <select id=\"f-sev\"><option value=\"\">all</option>"
               "<option value=\"error\">error</option><option value=\"warning\">warning</option></select> "
               "<span id=\"f-count\"></span></div>")
    out.append("<table id=\"findings\"><thead><tr><th>where</th><th>owner</th><th>type</th><th>key tag</th>"
               "<th>code</th><th>severity</th><th>reason</th></tr></thead><tbody>")
    for f in findings[:MAX_ROWS]:
        where = f"{f.file}:{f.line}" if f.line else (f.file or "")
        out.append(f"<tr data-code=\"{_e(f.code)}\" data-severity=\"{_e(f.severity)}\"><td>{_e(where)}</td>"
                   f"<td><code>{_e(f.owner)}</code></td><td>{_e(f.type or '')}</td>"
                   f"<td>{_e(f.key_tag if f.key_tag is not None else '')}</td><td>{_e(f.code)}</td>"
                   f"<td class=\"{_e(f.severity)}\">{_e(f.severity)}</td><td>{_e(f.reason)}</td></tr>")
    out.append("</tbody></table>")
    out.append(f"<script>{_JS}</script></body></html>\n")
    return "\n".join(out)


def write_page(path: "str | os.PathLike[str]", text: str) -> None:
    """Writes the page atomically (see :func:`zoneverify._files.write_atomically`)."""
    write_atomically(path, text, ".zoneverify-report.")

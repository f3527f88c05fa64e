"""Shared pieces of the benchmark suites: the batch benchmark's summary table.

``test_bench_batch.py`` records each of its results with the ``batch_summary``
fixture; at the end of the session ``pytest_terminal_summary`` prints them
as one table (nothing is printed when no batch benchmark ran).
"""

from __future__ import annotations

import pytest

_SUMMARY = pytest.StashKey[dict]()

# Row order and labels of the summary table: key -> (label, issue target).
BATCH_ROWS = {
    "verify": ("Verifier.verify (dnspython pairs)", ">= 0.60"),
    "verify_raw": ("Verifier.verify_raw (buffers)", ">= 0.90"),
    "dnspython_loop": ("dns.dnssec.validate loop", "~0.25 (ref.)"),
}


@pytest.fixture(scope="session")
def batch_summary(pytestconfig) -> dict:
    """A dict the batch benchmark fills: ``rows`` (key -> figures) and session facts."""
    return pytestconfig.stash.setdefault(_SUMMARY, {"rows": {}})


def _fmt_rate(x) -> str:
    return "-" if x is None else f"{x:,.0f}"


def _fmt_frac(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def _fmt_cores(x) -> str:
    return "?" if x is None else f"{x:.2f}"


def _fmt_s(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def format_batch_summary(s: dict) -> list[str]:
    rows = s.get("rows", {})
    ceiling = s.get("ceiling") or {}
    out = []
    mode = "smoke mode (--benchmark-disable: one call each, figures not meaningful)" \
        if s.get("disabled") else "timed"
    out.append(f"zoneverify batch benchmark, {mode}")
    out.append(f"  N = {s.get('n', 0):,} RRsets, one ECDSAP256SHA256 RRSIG each "
               f"({s.get('records', 0):,} records; {s.get('mix', '')})")
    out.append(f"  cores = {s.get('cores')}, Verifier threads = {s.get('threads', '-')}, "
               f"verification time {s.get('now')}")
    if ceiling.get("verify_per_s"):
        out.append(f"  crypto ceiling = {ceiling['verify_per_s']:,.0f} verify/s "
                   f"({ceiling['command']}; others {_fmt_cores(ceiling.get('other_cores'))} cores)")
    else:
        out.append(f"  crypto ceiling: none ({ceiling.get('note', 'not measured')}); "
                   "fractions of the ceiling are not shown")
    out.append("")
    head = f"  {'path':36s} {'rounds':>6s} {'median s':>9s} {'min s':>8s} {'sigs/s':>9s} " \
           f"{'us/sig':>7s} {'of ceiling':>10s} {'others':>6s}  target"
    out.append(head)
    out.append("  " + "-" * (len(head) - 2))
    for key, (label, target) in BATCH_ROWS.items():
        r = rows.get(key)
        if r is None:
            out.append(f"  {label:36s} {'(not run)':>6s}")
            continue
        us = None if not r.get("sigs_per_s") else 1e6 / r["sigs_per_s"]
        out.append(f"  {label:36s} {r['rounds']:>6d} {_fmt_s(r.get('median_s')):>9s} "
                   f"{_fmt_s(r.get('min_s')):>8s} {_fmt_rate(r.get('sigs_per_s')):>9s} "
                   f"{'-' if us is None else f'{us:.1f}':>7s} "
                   f"{_fmt_frac(r.get('fraction_of_ceiling')):>10s} "
                   f"{_fmt_cores(r.get('other_cores')):>6s}  {target}")
    v = rows.get("verify")
    if v and v.get("timings"):
        t = v["timings"]
        total = t["total"] or float("nan")
        other = t["total"] - t["encode"] - t["verify"]
        n = s.get("n") or 1
        out.append("")
        out.append(f"  Verifier.verify time split (median over {v['rounds']} call(s)): "
                   f"total {t['total']:.3f} s = encode (Python, dnspython -> wire) {t['encode']:.3f} s "
                   f"({t['encode'] / total:.0%}, {t['encode'] / n * 1e6:.1f} us/RRset)"
                   f" + verify (Rust) {t['verify']:.3f} s ({t['verify'] / total:.0%})"
                   f" + other {other:.3f} s ({other / total:.0%})")
        if ceiling.get("verify_per_s"):
            rust = n / t["verify"]
            out.append(f"  Rust verify phase alone: {rust:,.0f} sigs/s = "
                       f"{rust / ceiling['verify_per_s']:.3f} of the ceiling")
    raw = rows.get("verify_raw")
    if raw and raw.get("timings") and raw["timings"].get("verify"):
        out.append(f"  Verifier.verify_raw: verify (Rust) {raw['timings']['verify']:.3f} s of "
                   f"total {raw['timings']['total']:.3f} s (median)")
    out.append("")
    out.append("  others: average cores busy with other processes during that measurement "
               "(/proc/stat, less this process and its children)")
    busy = [k for k, r in rows.items() if (r.get("other_cores") or 0) > 0.1]
    if (ceiling.get("other_cores") or 0) > 0.1:
        busy.insert(0, "ceiling")
    if busy:
        out.append(f"  WARNING: the machine was shared during {', '.join(busy)}: "
                   "those figures, and fractions built on them, are not reliable")
    steal = max([r.get("steal_cores") or 0 for r in rows.values()] + [ceiling.get("steal_cores") or 0])
    if steal > 0.05:
        out.append(f"  WARNING: up to {steal:.2f} cores stolen by the hypervisor during a measurement")
    if any((r.get("fraction_of_ceiling") or 0) > 1 for r in rows.values()):
        out.append("  a fraction above 1 need not be an error: the ceiling is openssl's EVP speed, "
                   "zoneverify verifies with ring (see benches/README.md)")
    for note in s.get("notes", []):
        out.append(f"  note: {note}")
    return out


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    s = config.stash.get(_SUMMARY, None)
    if not s or not s.get("rows"):
        return
    terminalreporter.section("zoneverify batch benchmark summary")
    for line in format_batch_summary(s):
        terminalreporter.write_line(line)

#!/usr/bin/env python3
"""The next publication: verifying a zone's next version with and without
the verified-signature cache, side by side in one run.

A registry verifies each version of its zone before publishing it, and the
version before was verified an hour ago. This benchmark takes a zone
(version 0, made by zonegen) and its next version (``zonegen.next_zone``:
the same signer and keys re-signed a fraction of the RRsets, registered and
removed some delegations, increased the serial), fills a cache by checking
version 0 once (``zoneverify check --cache``), and then times, round-robin,
``zoneverify check`` of the next version

- ``no cache``: without ``--cache``;
- ``cold``: with an empty cache directory (every signature verified, the
  cache file written: what the first run with a cache costs);
- ``warm``: with a copy of the cache version 0 left (made before the timed
  run, outside it): only the signatures that are new are verified.

Each run's JSON report is compared with the others with its timings and
cache counts left out: the findings, statuses and counts must be the same,
or the benchmark fails (exit 1). It prints wall times (median, min), peak
RSS (``wait4``), the cache's counts (verified, reused), each median over the
cold one's and over the one without a cache, the cache file's size, the
time to load and to write it, and, from one ``zoneverify bench --cache``
run on a copy of the warm cache, the CPU time of the lookups (the entries'
HMAC-SHA-256 and the search) per signature and as a share of the warm run.

    python benches/publication.py --variant p256 -N 1000000 --runs 3
    python benches/publication.py --previous V0.zone --next V1.zone --origin bench. --now 1798761600
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare  # noqa: E402
import zonegen  # noqa: E402

MODES = ("no cache", "cold", "warm")
# The targets for the warm run over the cold one (1M delegations,
# 1 % of the RRsets re-signed).
TARGETS = {"ECDSAP256SHA256": 0.15, "RSASHA256": 0.3}


def _check_argv(base: list[str], zone: str, origin: str, now: int, cache: Path | None) -> list[str]:
    argv = base + ["check", zone, "--origin", origin, "--now", str(now), "--format", "json"]
    if cache is not None:
        argv += ["--cache", str(cache)]
    return argv


def _comparable(report: dict) -> dict:
    return {k: v for k, v in report.items() if k not in ("timings", "cache")}



def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--previous", help="the version before (fills the cache)")
    ap.add_argument("--next", help="the version timed")
    ap.add_argument("--origin", help="zone origin (default: zonegen's)")
    ap.add_argument("--now", help="verification time, UNIX seconds or YYYYMMDDhhmmss "
                    "(default: zonegen's time inside its window)")
    ap.add_argument("--variant", choices=list(zonegen.VARIANTS), help="generate with zonegen")
    ap.add_argument("--delegations", "-N", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--step", type=int, default=1,
                    help="with --variant: time version STEP, the cache filled by version STEP-1")
    ap.add_argument("--resign-fraction", type=float, default=zonegen.NextParams.resign_fraction)
    ap.add_argument("--change-fraction", type=float, default=zonegen.NextParams.change_fraction)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=3600, help="per run, seconds")
    ap.add_argument("--work", type=Path, help="directory for the caches (default: a temporary one; "
                    "a cache of a 1M zone is 40 MB)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    a = ap.parse_args(argv)
    log = (lambda m: print(m, file=sys.stderr)) if a.json else print

    origin, now = a.origin, None
    meta: dict = {}
    if a.variant:
        p = zonegen.ZoneParams(a.delegations, a.variant, a.seed)
        n = zonegen.NextParams(a.step, a.resign_fraction, a.change_fraction)
        gen_log = lambda m: print(m, file=sys.stderr)  # noqa: E731
        nxt = zonegen.next_zone(p, n, log=gen_log)
        prev = zonegen.signed_zone(p, log=gen_log) if a.step == 1 else zonegen.next_zone(
            p, zonegen.NextParams(a.step - 1, a.resign_fraction, a.change_fraction), log=gen_log)
        previous, following = str(prev.path), str(nxt.path)
        origin, now, meta = origin or nxt.origin, nxt.now, nxt.meta
    elif a.previous and a.next:
        previous, following = a.previous, a.next
    else:
        ap.error("give --variant, or --previous and --next")
    if a.now:
        now = zonegen._sigtime(a.now)
        if now is None:
            ap.error("--now takes UNIX seconds or YYYYMMDDhhmmss")
    if now is None:
        now = int(time.time())
    if origin is None:
        origin = compare._soa_owner(following)
    base = compare._zoneverify_cmd()
    if base is None:
        raise SystemExit("zoneverify is not installed")
    for f in (previous, following):  # into the page cache
        with open(f, "rb") as fh:
            while fh.read(1 << 22):
                pass

    work = Path(tempfile.mkdtemp(prefix="zv-publication-", dir=a.work))
    try:
        primed = work / "primed"
        log(f"previous: {previous}\nnext:     {following}\n"
            f"filling the cache from the previous version ...")
        prime_run, prime_rep = compare.run_json(_check_argv(base, previous, origin, now, primed), a.timeout)
        log(f"  {prime_run.wall:.2f} s, {prime_rep['cache']['stored']:,} entries stored")
        runs: dict[str, list] = {m: [] for m in MODES}
        reports: dict[str, dict] = {}
        load_before = os.getloadavg()
        for r in range(a.runs):
            for mode in MODES:
                cache = None
                if mode != "no cache":
                    cache = work / mode
                    shutil.rmtree(cache, ignore_errors=True)
                    if mode == "warm":
                        shutil.copytree(primed, cache)
                run, rep = compare.run_json(_check_argv(base, following, origin, now, cache), a.timeout)
                runs[mode].append((run, rep.get("cache")))
                reports.setdefault(mode, rep)
                if _comparable(rep) != _comparable(reports["no cache"]):
                    log(f"FAILED: the {mode} report differs from the one without a cache")
                    return 1
                c = rep.get("cache") or {}
                log(f"  round {r + 1}/{a.runs} {mode:9s} {run.wall:8.2f} s  "
                    f"{compare._fmt_mib(run.maxrss_kib):>6s} MiB  exit {run.exit}"
                    + (f"  verified {c['verified']:,} reused {c['reused']:,}" if c else ""))
        load_after = os.getloadavg()
        # The lookups' CPU time, from the profiled path (zoneverify bench).
        bench_cache = work / "bench"
        shutil.rmtree(bench_cache, ignore_errors=True)
        shutil.copytree(primed, bench_cache)
        b = subprocess.run(base + ["bench", following, "--origin", origin, "--now", str(now),
                                   "--cache", str(bench_cache), "--format", "json"],
                           capture_output=True, text=True, check=False)
        bench = json.loads(b.stdout) if b.returncode in (0, 1) and b.stdout.strip() else None
        cache_file = work / "warm" / "signatures"
        cache_bytes = cache_file.stat().st_size if cache_file.exists() else None
    finally:
        shutil.rmtree(work, ignore_errors=True)

    med = {m: statistics.median(r.wall for r, _ in runs[m]) for m in MODES}
    rows = []
    for m in MODES:
        walls = [r.wall for r, _ in runs[m]]
        c = runs[m][-1][1] or {}
        rows.append({
            "mode": m, "median_s": med[m], "min_s": min(walls), "walls_s": walls,
            "peak_rss_kib": max(r.maxrss_kib for r, _ in runs[m]),
            "rss_floor_kib": max(r.rss_floor_kib for r, _ in runs[m]),
            "verified": c.get("verified"), "reused": c.get("reused"),
            "loaded": c.get("loaded"), "stored": c.get("stored"),
            "load_seconds": c.get("load_seconds"), "save_seconds": c.get("save_seconds"),
            "over_cold": med[m] / med["cold"], "over_no_cache": med[m] / med["no cache"],
        })
    rep = reports["no cache"]
    algs = sorted({int(k) for k in rep["counts"]["by_algorithm"]})
    lookups = None
    if bench and bench.get("cache"):
        bc = bench["cache"]
        lookups = {"lookups": bc.get("lookups"), "cpu_seconds": bc.get("lookup_cpu_seconds"),
                   "wall_seconds": bench["wall_seconds"], "threads": bench["threads"]}
    summary = {
        "previous": previous, "next": following, "origin": origin, "now": now,
        "next_meta": {k: meta.get(k) for k in ("rrsigs", "new_rrsigs", "kept_rrsigs", "serial",
                                               "removed_delegations", "added_delegations",
                                               "rrsigs_left_out", "next")} if meta else None,
        "rrsigs": rep["counts"]["rrsigs"], "ok": rep["ok"], "algorithms": algs,
        "runs": a.runs, "modes": rows, "cache_file_bytes": cache_bytes, "lookups": lookups,
        "prime_seconds": prime_run.wall,
        "loadavg_before": load_before, "loadavg_after": load_after,
        "identical_reports": True,
    }
    if a.json:
        print(json.dumps(summary, indent=2))
    else:
        print_table(summary)
    return 0


def print_table(s: dict) -> None:
    m = s["next_meta"]
    print()
    print(f"next version: {s['next']}")
    print(f"      {s['rrsigs']:,} RRSIGs, algorithms {s['algorithms']}, verdict "
          f"{'OK' if s['ok'] else 'FAIL'}; {s['runs']} runs per mode, round-robin")
    if m:
        print(f"      made from the previous version by dnssec-signzone: {m['new_rrsigs']:,} "
              f"signatures new ({m['rrsigs_left_out']:,} re-signed, the rest for the SOA and the "
              f"changes), {m['kept_rrsigs']:,} kept; {m['removed_delegations']} delegations removed, "
              f"{m['added_delegations']} added; serial {m['serial']}")
    la, lb = s["loadavg_before"], s["loadavg_after"]
    print(f"      load average before {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}, "
          f"after {lb[0]:.2f} {lb[1]:.2f} {lb[2]:.2f}")
    print()
    hdr = (f"{'mode':<9}  {'median s':>8}  {'min s':>6}  {'peak RSS MiB':>12}  {'verified':>10}  "
           f"{'reused':>10}  {'x cold':>6}  {'x no cache':>10}")
    print(hdr)
    print("-" * len(hdr))
    for r in s["modes"]:
        rss = compare._fmt_mib(r["peak_rss_kib"])
        if r["peak_rss_kib"] <= r["rss_floor_kib"]:
            rss = "<=" + rss
        v = "-" if r["verified"] is None else f"{r['verified']:,}"
        u = "-" if r["reused"] is None else f"{r['reused']:,}"
        print(f"{r['mode']:<9}  {r['median_s']:>8.2f}  {r['min_s']:>6.2f}  {rss:>12}  {v:>10}  {u:>10}  "
              f"{r['over_cold']:>6.2f}  {r['over_no_cache']:>10.2f}")
    print()
    print("findings, statuses and counts: identical in every run of every mode")
    warm = next(r for r in s["modes"] if r["mode"] == "warm")
    if s["cache_file_bytes"] is not None:
        print(f"cache file: {s['cache_file_bytes']:,} bytes ({warm['stored']:,} entries, "
              f"{s['cache_file_bytes'] / max(warm['stored'] or 1, 1):.1f} bytes each); warm run: "
              f"loaded in {warm['load_seconds']:.3f} s, written in {warm['save_seconds']:.3f} s")
    lk = s["lookups"]
    if lk and lk["lookups"]:
        per = lk["cpu_seconds"] / lk["lookups"] * 1e9
        print(f"lookups (zoneverify bench --cache, warm): {lk['lookups']:,} in {lk['cpu_seconds']:.3f} "
              f"CPU-s over {lk['threads']} threads ({per:.0f} ns each, HMAC-SHA-256 of the signed "
              f"data included) = {lk['cpu_seconds'] / lk['threads'] / warm['median_s']:.1%} of the "
              f"warm run's wall time if spread evenly")
    for name, target in TARGETS.items():
        num = {"ECDSAP256SHA256": 13, "RSASHA256": 8}[name]
        if s["algorithms"] == [num]:
            ok = warm["over_cold"] <= target
            print(f"target ({name}): warm <= {target}x cold: {warm['over_cold']:.2f}x "
                  f"{'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""A zone verified on one machine and with a Dask cluster's help, side by
side in one run.

Times, round-robin, ``zoneverify check ZONE`` and ``zoneverify check ZONE
--dask local:N`` (a LocalCluster of N worker processes, one thread each,
started and stopped inside the timed run, as an operator's command does),
compares their JSON reports (everything but timings, the pipeline's path
and the cluster's own counts must be equal, or the benchmark fails with
exit 1), and prints median and min wall time, the peak RSS (``wait4``:
the largest process of the run's tree, the client or, with local:N, a
worker process it started; a worker's own peak is also in the report's
cluster counts), the stages of the
cluster run (split, the workers' wall time, the final run), the
public-key operations done by the workers and by the final run, and the
ratio to the single-machine run. On this 2-core machine only the
overhead can be measured: the workers share the cores the single run
uses.

    python benches/cluster.py --variant p256 -N 1000000 --runs 3
    python benches/cluster.py --zone Z.signed --origin bench. --now 1798761600 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare  # noqa: E402
import zonegen  # noqa: E402

# The target: a local:2 run at most this many times the single one.
TARGET = 1.3
NOT_COMPARED = ("timings", "threads", "pipeline", "checked_by_name", "cluster")



def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--zone", help="the zone file (else --variant)")
    ap.add_argument("--origin", help="zone origin (default: zonegen's, or the SOA owner)")
    ap.add_argument("--now", help="verification time, UNIX seconds or YYYYMMDDhhmmss (default: zonegen's)")
    ap.add_argument("--variant", choices=list(zonegen.VARIANTS), help="generate with zonegen")
    ap.add_argument("--delegations", "-N", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2, help="--dask local:N (default 2)")
    ap.add_argument("--parts", type=int, help="--dask-parts (default: zoneverify's, by size)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=3600, help="per run, seconds")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    a = ap.parse_args(argv)
    log = (lambda m: print(m, file=sys.stderr)) if a.json else print

    origin, now = a.origin, None
    if a.variant:
        z = zonegen.signed_zone(zonegen.ZoneParams(a.delegations, a.variant, a.seed),
                                log=lambda m: print(m, file=sys.stderr))
        zone, origin, now = str(z.path), origin or z.origin, z.now
    elif a.zone:
        zone = a.zone
    else:
        ap.error("give --variant or --zone")
    if a.now:
        now = zonegen._sigtime(a.now)
        if now is None:
            ap.error("--now takes UNIX seconds or YYYYMMDDhhmmss")
    now = now or int(time.time())
    origin = origin or compare._soa_owner(zone)
    base = compare._zoneverify_cmd()
    if base is None:
        raise SystemExit("zoneverify is not installed")
    with open(zone, "rb") as fh:  # into the page cache
        while fh.read(1 << 22):
            pass
    single = base + ["check", zone, "--origin", origin, "--now", str(now), "--format", "json"]
    dask = single + ["--dask", f"local:{a.workers}"] + (["--dask-parts", str(a.parts)] if a.parts else [])
    modes = {"one machine": single, f"local:{a.workers}": dask}
    runs: dict[str, list] = {m: [] for m in modes}
    reports: dict[str, dict] = {}
    load_before = os.getloadavg()
    for _ in range(a.runs):
        for mode, args in modes.items():
            run, rep = compare.run_json(args, a.timeout)
            runs[mode].append((run, rep))
            same = {k: v for k, v in rep.items() if k not in NOT_COMPARED}
            if mode in reports and reports[mode] != same:
                raise SystemExit(f"{mode}: two runs gave different reports")
            reports[mode] = same
    first, *rest = reports.values()
    if any(r != first for r in rest):
        diff = sorted(k for r in rest for k in set(first) | set(r) if first.get(k) != r.get(k))
        raise SystemExit(f"the cluster run's report differs from the single machine's: {diff}")
    load_after = os.getloadavg()
    base_med = statistics.median(r.wall for r, _ in runs["one machine"])
    rows = []
    for mode, rr in runs.items():
        walls = [r.wall for r, _ in rr]
        c = rr[-1][1].get("cluster") or {}
        rows.append({
            "mode": mode, "median_s": statistics.median(walls), "min_s": min(walls),
            "peak_rss_mib": max(r.maxrss_kib for r, _ in rr) / 1024,
            "ratio": statistics.median(walls) / base_med, "cluster": c,
        })
    result = {"zone": zone, "rrsigs": first["counts"]["rrsigs"], "ok": first["ok"], "runs": a.runs, "workers": a.workers,
              "rows": rows, "load_before": load_before, "load_after": load_after,
              "target": TARGET, "target_met": rows[1]["ratio"] <= TARGET}
    if a.json:
        print(json.dumps(result))
        return 0
    print(f"zone: {zone}\n      {first['counts']['rrsigs']:,} RRSIGs, verdict {'OK' if first['ok'] else 'FAIL'}; "
          f"{a.runs} runs per mode, round-robin; reports identical\n"
          f"      load average before {' '.join(f'{x:.2f}' for x in load_before)}, "
          f"after {' '.join(f'{x:.2f}' for x in load_after)}\n")
    print(f"{'mode':<14}{'median s':>10}{'min s':>9}{'peak RSS MiB':>16}{'x one machine':>15}")
    print("-" * 64)
    for r in rows:
        print(f"{r['mode']:<14}{r['median_s']:>10.2f}{r['min_s']:>9.2f}{r['peak_rss_mib']:>16.0f}{r['ratio']:>15.2f}")
    c = rows[1]["cluster"]
    if c.get("final_run") == "parts":
        print(f"\ncluster (last run): {c['parts']} parts on {c['workers']} workers, each parsed, verified and checked "
              f"there; split {c['split_seconds']:.2f} s (cut points, apex, scans, plan), workers "
              f"{c['workers_seconds']:.2f} s wall (a part at most {c['part_seconds_max']:.2f} s, "
              f"{c['part_seconds_sum']:.2f} s in all), {c['hash_ranges']} hash ranges on the workers "
              f"{c['hash_ranges_seconds']:.2f} s, join and zone-wide checks {c['join_seconds']:.2f} s; "
              f"a worker's peak RSS {c['worker_peak_rss_bytes'] / 2**20:.0f} MiB\n"
              f"signatures: {c['rrsigs_seen']:,}, all verified on the workers")
    elif c.get("parts"):
        print(f"\ncluster (last run): {c['parts']} parts on {c['workers']} workers; split {c['split_seconds']:.2f} s, "
              f"workers {c['workers_seconds']:.2f} s wall (a part at most {c['part_seconds_max']:.2f} s; parse "
              f"{c['parse_seconds_sum']:.2f}, verify {c['verify_seconds_sum']:.2f} CPU-s in all), final run "
              f"{c['final_run_seconds']:.2f} s; a worker's peak RSS {c['worker_peak_rss_bytes'] / 2**20:.0f} MiB\n"
              f"signatures: {c['verified_by_workers']:,} verified by the workers, {c['reused']:,} reused by the final "
              f"run, {c['verified_by_final_run']:,} verified by it")
    print(f"target: local:2 <= {TARGET}x one machine: {rows[1]['ratio']:.2f}x "
          f"{'met' if result['target_met'] else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

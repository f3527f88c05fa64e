"""``zoneverify bench``: how long full verification of a zone takes, by phase.

One verification of the zone, exactly as ``zoneverify check`` does it with
the same policy, gate and cache options (every RRSIG, zone-level checks
unless ``--signatures-only``, the expectations, ``--previous``...; the
verdict and exit status are check's, the findings only counted), with CPU
time measured inside the verification phase, then a table:

- the path taken (``Report.pipeline``), and the wall time per phase:
  read, parse, verify, model (canonical order, RRset grouping), zone
  checks. A file of 8 MiB or more is read in 4 MiB parts while the parts
  before are parsed in parallel chunks: there "read" is the time to the
  first part, and the rest of the reading is inside "parse". On the
  streamed path each part's signatures are verified while the next part
  is parsed: "verify" is the time the verification took, most of it beside
  the parsing, and "parse" what the reading took beyond it;
- inside verify, CPU seconds summed over threads: canonical form and
  signed data, and signature verification per algorithm (hashing included:
  the crypto libraries hash inside their verify call);
- RRSIGs per second end to end, and per algorithm per CPU second;
- threads and the process's peak resident memory (``getrusage``; it
  includes the Python interpreter, about 30 MB);
- with a verified-signature cache (``--cache DIR``): the signatures
  reused and verified, the entries loaded and stored, the wall time to
  load and to write the file, and the lookups (each entry's HMAC-SHA-256
  and its search) in CPU seconds over the threads. Signature verification
  per algorithm then counts only the operations done.

The CPU seconds inside verify are spans of wall time on each verifying
thread: on the streamed path the reader runs beside them, and when the
threads outnumber the cores a span also holds the time its thread waited
for a core (on 2 cores the cache lookups of a 1M zone show 0.9-1.0 us
each there, 0.5-0.7 us alone: ``cargo test --release --lib lookup_cost --
--ignored --nocapture``).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from typing import Any

from . import _native
from ._time import NowLike, format_time, parse_now
from .api import build_policy
from .progress import Progress, run
from .report import Report


def bench_zone(path: str, origin: str | None = None, now: NowLike = None, jobs: int | None = None,
               zone_checks: bool = True, allow_include: bool = False, *,
               allow_unsupported: bool = False, warnings_as_errors: bool = False,
               progress: Progress | None = None, client: Any = None, parts: int | None = None,
               **options: Any) -> dict[str, Any]:
    """Verifies the zone file at ``path`` once with per-phase timing and
    returns the measurements as plain data (what ``--format json`` prints).
    Every other keyword argument is a policy option of
    :func:`zoneverify.verify_zone` (``expect_keys``, ``previous``,
    ``cache``, ...; see :func:`zoneverify.api.build_policy`), so that the
    run is the one ``verify_zone`` and ``zoneverify check`` make; ``ok`` is
    their verdict. ``progress`` is as for ``verify_zone``: counters to read
    from another thread, and the way to stop the run; ``client`` and
    ``parts`` too (a Dask cluster's help: the result's ``"cluster"`` has
    the time of each of its stages).

    >>> r = bench_zone("examples/sample.zone", now="20270101000000", jobs=1)
    >>> r["rrsigs"], r["ok"], r["threads"], [a["algorithm"] for a in r["algorithms"]]
    (45, True, 1, [13])
    """
    t = parse_now(now)
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    policy = build_policy(zone_checks=zone_checks, allow_unsupported=allow_unsupported, **options)
    policy["profile"] = True
    path = os.fspath(path)
    size = os.path.getsize(path)
    t0 = time.perf_counter()
    if client is not None:
        from .cluster import verify_on_cluster

        raw = verify_on_cluster(client, path, origin, t, jobs, allow_include, dict(policy), parts, progress)
    else:
        raw = _native.verify_file(path, origin, t, jobs, allow_include, policy,
                                  None if progress is None else progress._native)
    wall = time.perf_counter() - t0
    rep = Report(raw, allow_unsupported=allow_unsupported, warnings_as_errors=warnings_as_errors)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    tm = raw["timings"]
    n = len(rep)
    algs = []
    for alg, count, cpu in raw["crypto"]:
        rrsigs = sum(rep.counts["by_algorithm"].get(int(alg), {}).values())
        algs.append({
            "algorithm": int(alg),
            "name": _native.algorithm_name(int(alg)),
            "rrsigs": rrsigs,
            "verifications": int(count),
            "cpu_seconds": cpu,
            "per_cpu_second": count / cpu if cpu > 0 else None,
        })
    crypto_cpu = sum(a["cpu_seconds"] for a in algs)
    cache_info = None
    if rep.cache is not None:
        lookups, lookup_cpu = raw["cache_lookups"]
        cache_info = {**rep.cache, "lookups": int(lookups), "lookup_cpu_seconds": lookup_cpu}
    return {
        "zone": rep.apex,
        "file": path,
        "file_bytes": size,
        "records": raw["records"],
        "rrsigs": n,
        "ok": rep.ok,
        "errors": sum(1 for f in rep.findings if f.is_error),
        "warnings": sum(1 for f in rep.findings if not f.is_error),
        "zone_checks": zone_checks,
        "now": t,
        "now_text": format_time(t),
        "threads": raw["threads"],
        "wall_seconds": wall,
        "pipeline": raw.get("pipeline", ""),
        "checked_by_name": bool(raw.get("checked_by_name")),
        # Parts verified beside the parsing of the next: the streamed path
        # on a file read in parts (8 MiB or more, two threads or more, no
        # $INCLUDE); otherwise the file was parsed whole first.
        "overlapped": raw.get("pipeline") == "streamed" and size >= 8 << 20 and raw["threads"] >= 2
        and not allow_include,
        "rrsigs_per_second": n / wall if wall > 0 else None,
        "phases": {
            "read": tm["read"],
            "parse": tm["parse"],
            "model": tm["model"],
            "verify": tm["verify"],
            "checks": tm["checks"],
        },
        "verify_cpu": {
            "canonicalise": raw["canonicalise_cpu"],
            "signatures": crypto_cpu,
        },
        "algorithms": algs,
        "peak_rss_bytes": peak,
        "peak_rss_per_file_byte": peak / size if size else None,
        "cache": cache_info,
        "cluster": rep.cluster,
    }


def format_text(r: dict[str, Any]) -> str:
    """The human-readable table of :func:`bench_zone`'s result."""
    mib = 1024 * 1024
    lines = [
        f"zone {r['zone']}: {r['file']} ({r['file_bytes'] / mib:.1f} MiB, {r['records']:,} records, "
        f"{r['rrsigs']:,} RRSIGs), {r['threads']} threads, at {r['now_text']}: "
        f"{'OK' if r['ok'] else 'FAIL'}" + ("" if r["zone_checks"] else " (zone-level checks NOT run)"),
        *([f"findings: {r['errors']:,} errors, {r['warnings']:,} warnings (zoneverify check with the same "
           "options prints them)"] if r["errors"] or r["warnings"] else []),
        f"path: {r.get('pipeline') or '?'}"
        + (", checked name by name" if r.get("checked_by_name") else ", checked over the zone model"),
        "",
        f"{'phase':<34}{'wall s':>9}",
    ]
    ph = r["phases"]
    streamed = bool(r.get("overlapped"))
    labels = [("read", "read"), ("parse", "parse" + (" (beyond the verification)" if streamed else "")),
              ("verify", "verify (beside the parsing)" if streamed else "verify (parallel)"),
              ("model", "model (order, group, keys)"),
              ("checks", "zone checks" + (" (beside the parsing)" if r.get("checked_by_name") else ""))]
    for key, label in labels:
        lines.append(f"{label:<34}{ph[key]:>9.3f}")
    lines.append(f"{'total (wall, whole call)':<34}{r['wall_seconds']:>9.3f}")
    vc = r["verify_cpu"]
    lines += [
        "",
        f"inside verify, CPU seconds over {r['threads']} threads:",
        f"  canonical form + signed data   {vc['canonicalise']:>9.3f}",
        f"  signature verification         {vc['signatures']:>9.3f}  (hashing included)",
    ]
    for a in r["algorithms"]:
        rate = f"{a['per_cpu_second']:,.0f}/CPU-s" if a["per_cpu_second"] else "-"
        lines.append(f"    algorithm {a['algorithm']} ({a['name']}): {a['rrsigs']:,} RRSIGs, "
                     f"{a['verifications']:,} verifications, {a['cpu_seconds']:.3f} CPU-s, {rate}")
    c = r.get("cache")
    if c is not None:
        per = f", {c['lookup_cpu_seconds'] / c['lookups'] * 1e9:,.0f} ns each" if c["lookups"] else ""
        lines += [
            f"  cache lookups                  {c['lookup_cpu_seconds']:>9.3f}  ({c['lookups']:,}{per})",
            "",
            f"cache: {c['reused']:,} signatures reused, {c['verified']:,} verified; {c['loaded']:,} entries "
            f"loaded in {c['load_seconds']:.3f} s, {c['stored']:,} stored in {c['save_seconds']:.3f} s",
        ]
        lines += [f"cache warning: {w}" for w in c["warnings"]]
    lines += _cluster_lines(r.get("cluster"))
    lines += [
        "",
        f"end to end: {r['rrsigs_per_second']:,.0f} RRSIGs/s" if r["rrsigs_per_second"] else "end to end: -",
        f"peak RSS: {r['peak_rss_bytes'] / mib:.0f} MiB "
        f"({r['peak_rss_per_file_byte']:.2f}x the zone file; includes the Python interpreter)",
    ]
    return "\n".join(lines)


def _cluster_lines(c: dict[str, Any] | None) -> list[str]:
    """The stages of a run with a Dask cluster's help, for the table (the
    phases above are the final run's)."""
    if c is None:
        return []
    if not c.get("parts"):
        return ["", f"cluster: {c['workers']} workers; the zone verified whole by one of them in "
                f"{c['whole_zone_on_worker_seconds']:.3f} s (the phases above are that run's)"]
    if c.get("final_run") == "parts":
        return [
            "",
            f"cluster: {c['workers']} workers, {c['parts']} parts, each parsed, verified and checked on a worker "
            "(the phases above are the join's, here)",
            f"  {'split (cut points, apex, scans, plan)':<44}{c['split_seconds']:>9.3f} s",
            f"  {'workers (first part sent to last result)':<44}{c['workers_seconds']:>9.3f} s wall; per part at most "
            f"{c['part_seconds_max']:.3f} s, in all {c['part_seconds_sum']:.3f} s",
            f"  {'hash ranges (NSEC3 chain, subtrees)':<44}{c['hash_ranges_seconds']:>9.3f} s wall; "
            f"{c['hash_ranges']} ranges, each on a worker",
            f"  {'join and zone-wide checks (here)':<44}{c['join_seconds']:>9.3f} s wall",
            f"  {'peak RSS of a worker process':<44}{c['worker_peak_rss_bytes'] / 2**20:>9.0f} MiB",
            f"  {c['records_seen']:,} records and {c['rrsigs_seen']:,} signatures, all on the workers",
        ]
    return [
        "",
        f"cluster: {c['workers']} workers, {c['parts']} parts (the phases above are the final run's, on this machine)",
        f"  {'split (cut points, apex keys)':<44}{c['split_seconds']:>9.3f} s",
        f"  {'workers (first part sent to last result)':<44}{c['workers_seconds']:>9.3f} s wall; per part at most "
        f"{c['part_seconds_max']:.3f} s, in all {c['part_seconds_sum']:.3f} s "
        f"(parse {c['parse_seconds_sum']:.3f}, verify {c['verify_seconds_sum']:.3f})",
        f"  {'final run (every check, here)':<44}{c['final_run_seconds']:>9.3f} s wall",
        f"  {'peak RSS of a worker process':<44}{c['worker_peak_rss_bytes'] / 2**20:>9.0f} MiB",
        f"  signatures: {c['rrsigs_seen']:,} seen by the workers, {c['verified_by_workers']:,} public-key operations "
        f"there, {c['entries']:,} verified; the final run reused {c['reused']:,} and verified "
        f"{c['verified_by_final_run']:,}" + (f"; {c['unparsed_parts']} parts not parsed alone" if c["unparsed_parts"] else ""),
    ] + ([f"  not checked in parts: {c['not_in_parts']}"] if c.get("not_in_parts") else [])


def main_bench(args: Any, options: dict[str, Any], show_progress: bool = False) -> int:
    """``zoneverify bench`` (called by the CLI with parsed arguments and
    the policy options, ``verify_zone``'s keyword arguments, that the
    policy file and the flags give); with ``show_progress``, the bar on
    standard error while it runs."""
    import json

    from ._errors import ZoneParseError

    from .cli import _dask_client

    try:
        client, close = _dask_client(args)
    except (ValueError, OSError) as e:
        print(f"zoneverify: {'error: ' if isinstance(e, ValueError) else ''}{e}", file=sys.stderr)
        return 2
    try:
        if client is not None:
            from .progress import Progress

            watch = Progress()
            r = run(lambda _: bench_zone(args.zone, now=args.now, jobs=args.jobs, progress=watch, client=client,
                                         parts=args.dask_parts, **options),
                    args.zone, show=show_progress, cancellable=False, watch=watch)
        else:
            r = run(lambda p: bench_zone(args.zone, now=args.now, jobs=args.jobs, progress=p, **options),
                    args.zone, show=show_progress)
    except ZoneParseError as e:
        print(f"zoneverify: {e}", file=sys.stderr)
        return 2
    except (OSError, ValueError, TypeError) as e:
        print(f"zoneverify: {e}", file=sys.stderr)
        return 2
    finally:
        close()
    if args.format == "json":
        print(json.dumps(r))
    else:
        print(format_text(r))
    return 0 if r["ok"] else 1

#!/usr/bin/env python3
"""Side-by-side benchmark: zoneverify and the existing zone verifiers.

Runs every installed verifier on the same zone file at the same verification
time, several times, round-robin (one run of each tool, then the next round),
and prints wall time (median, min), peak RSS of the child (``os.wait4``
rusage, ``ru_maxrss``), exit code, and each tool's median relative to
zoneverify's. It then measures the machine's crypto ceiling with
``openssl speed -multi <cores>`` for the zone's algorithms: the time all
cores need just to verify the zone's signatures with this machine's
OpenSSL (a library faster than it, as zoneverify's is for Ed25519 and, on
CPUs with AVX-512 IFMA, for RSA up to 2078 bits, goes above 100 %).

    python benches/compare.py ZONE --origin bench. --now 1798761600
    python benches/compare.py --variant rsa2048 --delegations 100000   # via zonegen
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import zonegen  # noqa: E402

ALL_TOOLS = ["zoneverify", "ldns-verify-zone", "dnssec-verify", "kzonecheck", "validns"]

# DNSSEC algorithm number -> `openssl speed` algorithm name (RSA: by modulus)
_SPEED_NAMES = {13: "ecdsap256", 14: "ecdsap384", 15: "ed25519", 16: "ed448"}
_RSA_ALGS = {5, 7, 8, 10}


@dataclass
class Run:
    wall: float
    maxrss_kib: int
    exit: int
    first_err: str
    rss_floor_kib: int  # see run_once


# Signatures expiring after this (2^31 s: 2038-01-19T03:14:08Z) break peers that
# keep RRSIG timestamps in a signed 32-bit integer (RFC 4034 §3.1.5 makes them
# unsigned, compared with RFC 1982 serial arithmetic).
Y2038 = 2**31


@dataclass
class Tool:
    name: str
    argv: list[str] | None  # None: not installed / not runnable
    version: str = ""
    pinned: bool = True  # verification time set to --now
    note: str = ""
    runs: list[Run] = field(default_factory=list)


def _ts14(t: int) -> str:
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(t))


def _first_line(cmd: list[str]) -> str:
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    out = (r.stdout.strip() or r.stderr.strip()).splitlines()
    return out[0].strip() if out else ""


def _dpkg_version(pkg: str) -> str:
    if not shutil.which("dpkg-query"):
        return ""
    return _first_line(["dpkg-query", "-W", "-f", "${Version}", pkg])


def _zoneverify_cmd() -> list[str] | None:
    # The console script of this interpreter's environment first: a PATH entry
    # may be a wrapper (a pyenv shim costs ~0.1 s a run) or another install.
    here = Path(sys.executable).parent / "zoneverify"
    if here.is_file() and os.access(here, os.X_OK):
        return [str(here)]
    exe = shutil.which("zoneverify")
    if exe:
        return [exe]
    if importlib.util.find_spec("zoneverify") is not None:
        return [sys.executable, "-m", "zoneverify"]
    return None


def make_tools(names: list[str], zone: str, origin: str, now: int, cores: int,
               window: tuple[int | None, int | None]) -> list[Tool]:
    tools = []
    wall_now = int(time.time())
    inc, exp = window
    now_in_window = (inc is None or inc <= wall_now) and (exp is None or wall_now <= exp)
    for name in names:
        if name == "zoneverify":
            base = _zoneverify_cmd()
            if base is None:
                tools.append(Tool(name, None, note="not installed (not on PATH, not importable)"))
                continue
            helptext = subprocess.run(base + ["check", "--help"], capture_output=True,
                                      text=True, check=False).stdout
            argv = base + ["check", zone, "--now", str(now)]
            if "--origin" in helptext:
                argv += ["--origin", origin]
            ver = _first_line(base + ["--version"])
            if not ver:
                try:
                    from importlib.metadata import version
                    ver = version("zoneverify")
                except Exception:  # noqa: BLE001 - version is informative only
                    ver = "?"
            tools.append(Tool(name, argv, ver))
            continue
        exe = shutil.which(name)
        if exe is None:
            tools.append(Tool(name, None, note="not installed"))
            continue
        if name == "ldns-verify-zone":
            # -t pins the time; -V 1 prints the result and errors only
            # (the default, 3, also prints every name it checks).
            tools.append(Tool(name, [exe, "-V", "1", "-t", _ts14(now), zone],
                              _first_line([exe, "-v"]).replace("verify-zone version ", ""),
                              note="-t YYYYMMDDhhmmss"))
        elif name == "dnssec-verify":
            # BIND 9.18's dnssec-verify has no option for the verification
            # time: it always verifies at the current time.
            t = Tool(name, [exe, "-q", "-o", origin, zone], _first_line([exe, "-V"]), pinned=False,
                     note="cannot pin time: verifies at the current time")
            if not now_in_window:
                t.argv = None
                t.note += "; skipped: the zone's signatures are not all valid now"
            tools.append(t)
        elif name == "kzonecheck":
            tools.append(Tool(name, [exe, "-o", origin, "-d", "on", "-t", str(now), zone],
                              _first_line([exe, "-V"]).replace("kzonecheck (Knot DNS), ", ""),
                              note="-t UNIXTIME"))
        elif name == "validns":
            tools.append(Tool(name, [exe, "-n", str(cores), "-z", origin, "-t", str(now), zone],
                              _dpkg_version("validns") or "?", note=f"-t UNIXTIME, -n {cores}"))
        else:
            raise SystemExit(f"unknown tool {name!r}; known: {', '.join(ALL_TOOLS)}")
    return tools


def _completed(t: Tool) -> bool:
    """Did every run check the whole zone? zoneverify: exit 0 (valid) or 1
    (failures found), not 2 (bad input). A peer: exit 0, since its exit codes
    do not tell a finding from giving up."""
    ok = (0, 1) if t.name == "zoneverify" else (0,)
    return bool(t.runs) and all(r.exit in ok for r in t.runs)


def run_once(argv: list[str], timeout: float, stdout_path: str | None = None) -> Run:
    """One timed run of ``argv``; peak RSS from the child's ``wait4`` rusage.
    Its standard output goes to ``stdout_path`` when given.

    Linux carries the peak RSS of the address space a process replaces at
    exec into its ``ru_maxrss``; subprocess spawns with vfork, so that
    address space is this Python process's, and no child can report less
    than our own peak RSS. That floor is recorded with each run: a figure at
    the floor means "at most this much".
    """
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with (open(stdout_path, "w+b") if stdout_path else tempfile.TemporaryFile()) as out, \
            tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        timer = threading.Timer(timeout, p.kill)
        timer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        first = ""
        if p.returncode != 0:
            for f in (err, out):
                f.seek(0)
                lines = [ln.strip() for ln in f.read(65536).decode("utf-8", "replace").splitlines()
                         if ln.strip()]
                if lines:
                    first = lines[0][:160]
                    break
        return Run(wall, ru.ru_maxrss, p.returncode, first, floor)


def run_json(argv: list[str], timeout: float) -> tuple[Run, dict]:
    """One timed run of a ``zoneverify ... --format json`` command
    (:func:`run_once`) and its JSON report; exits with the reason when the
    command failed (exit other than 0 or 1) or printed no report."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        run = run_once(argv, timeout, stdout_path=out.name)
        try:
            report = json.loads(Path(out.name).read_text())
        except ValueError:
            raise SystemExit(f"{' '.join(argv)}: exit {run.exit}, no JSON report: {run.first_err}")
    if run.exit not in (0, 1):
        raise SystemExit(f"{' '.join(argv)}: exit {run.exit}: {run.first_err}")
    return run, report


_SPEED_LINE = re.compile(r"([\d.]+)\s+([\d.]+)\s*$")


def crypto_ceiling(algs: dict[str, int], cores: int, seconds: int) -> dict[str, float]:
    """verify/s on all cores per `openssl speed` algorithm name."""
    names = sorted(algs)
    if not names or not shutil.which("openssl"):
        return {}
    r = subprocess.run(["openssl", "speed", "-multi", str(cores), "-seconds", str(seconds), *names],
                       capture_output=True, text=True, check=False)
    rates: dict[str, float] = {}
    for line in r.stdout.splitlines():
        s = line.strip()
        m = _SPEED_LINE.search(s)
        if not m:
            continue
        low = s.lower()
        for n in names:
            if n.startswith("rsa"):
                hit = re.match(rf"rsa\s+{n[3:]}\s+bits", low)
            elif n.startswith("ecdsap"):
                hit = f"ecdsa (nistp{n[6:]})" in low
            else:
                hit = f"({n})" in low
            if hit:
                rates[n] = float(m.group(2))
    return rates


def speed_names(scan: dict) -> tuple[dict[str, int], list[int]]:
    """RRSIG counts per openssl algorithm name, and algorithms openssl lacks."""
    rsa_bits = {a: b for a, b in scan["dnskeys"] if a in _RSA_ALGS and b}
    out: dict[str, int] = {}
    unknown = []
    for alg, n in scan["rrsigs_by_algorithm"].items():
        if alg in _RSA_ALGS and alg in rsa_bits:
            # openssl speed has rsa1024/2048/3072/4096...; round to the nearest
            bits = min((512, 1024, 2048, 3072, 4096, 7680, 15360), key=lambda b: abs(b - rsa_bits[alg]))
            name = f"rsa{bits}"
        elif alg in _SPEED_NAMES:
            name = _SPEED_NAMES[alg]
        else:
            unknown.append(alg)
            continue
        out[name] = out.get(name, 0) + n
    return out, unknown


def _fmt_mib(kib: int) -> str:
    return f"{kib / 1024:.0f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("zone", nargs="?", help="signed zone file (or use --variant/--delegations)")
    ap.add_argument("--origin", help="zone origin (default: from zonegen, else the SOA owner)")
    ap.add_argument("--now", help="verification time: UNIX seconds or YYYYMMDDhhmmss "
                    "(default: zonegen's time inside its window, else the current time)")
    ap.add_argument("--variant", choices=list(zonegen.VARIANTS), help="generate with zonegen")
    ap.add_argument("--delegations", "-N", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--expiration", default=zonegen.EXPIRATION,
                    help="with --variant: RRSIG expiration (20371201000000 suits 32-bit peers)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tools", default=",".join(ALL_TOOLS),
                    help=f"comma-separated subset of {','.join(ALL_TOOLS)}")
    ap.add_argument("--cores", type=int, default=os.cpu_count() or 1,
                    help="cores for validns -n and openssl speed -multi")
    ap.add_argument("--timeout", type=float, default=3600, help="per run, seconds")
    ap.add_argument("--no-ceiling", action="store_true", help="skip openssl speed")
    ap.add_argument("--ceiling-seconds", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    a = ap.parse_args(argv)
    log = (lambda m: print(m, file=sys.stderr)) if a.json else print

    origin, now = a.origin, None
    if a.zone is None:
        if not a.variant:
            ap.error("give a zone file or --variant")
        z = zonegen.signed_zone(zonegen.ZoneParams(a.delegations, a.variant, a.seed,
                                                   expiration=a.expiration),
                                log=lambda m: print(m, file=sys.stderr))
        zone, origin, now = str(z.path), origin or z.origin, z.now
    else:
        zone = a.zone
    if a.now:
        now = zonegen._sigtime(a.now)
        if now is None:
            ap.error("--now takes UNIX seconds or YYYYMMDDhhmmss")
    if now is None:
        now = int(time.time())
    scan = zonegen.scan_zone(zone)
    if origin is None:
        origin = _soa_owner(zone)
    size = os.path.getsize(zone)
    with open(zone, "rb") as f:  # into the page cache, so no run pays the first read
        while f.read(1 << 22):
            pass

    names = [t.strip() for t in a.tools.split(",") if t.strip()]
    tools = make_tools(names, zone, origin, now, a.cores,
                       (scan["max_inception"], scan["min_expiration"]))
    runnable = [t for t in tools if t.argv]
    log(f"zone {zone}: {size / 1e6:.1f} MB, {scan['rrsigs']} RRSIGs "
        f"(by algorithm {scan['rrsigs_by_algorithm']}), origin {origin}, "
        f"now {now} ({_ts14(now)})")
    # The ceiling is measured before and after the runs and the faster figure
    # kept: on a machine with other work the slower one flatters the tools.
    counts, unknown = speed_names(scan)
    ceilings = []
    if not a.no_ceiling and counts:
        log(f"openssl speed -multi {a.cores} -seconds {a.ceiling_seconds} {' '.join(sorted(counts))} ...")
        ceilings.append(crypto_ceiling(counts, a.cores, a.ceiling_seconds))
    load_before = os.getloadavg()
    for r in range(a.runs):
        for t in runnable:
            run = run_once(t.argv, a.timeout)
            t.runs.append(run)
            log(f"  round {r + 1}/{a.runs} {t.name:17s} {run.wall:8.2f} s  "
                f"{_fmt_mib(run.maxrss_kib):>6s} MiB  exit {run.exit}")

    load_after = os.getloadavg()
    if ceilings:
        log("openssl speed again ...")
        ceilings.append(crypto_ceiling(counts, a.cores, a.ceiling_seconds))
    ceiling = {k: max(c[k] for c in ceilings if k in c)
               for k in counts if any(k in c for c in ceilings)}
    ceiling_time = None
    if counts and not unknown and all(n in ceiling for n in counts):
        ceiling_time = sum(n / ceiling[k] for k, n in counts.items())

    # zoneverify's figures are a baseline only when every run checked the
    # whole zone: exit 0 (all valid) or 1 (failures found), not 2 (bad input).
    zv = next((t for t in tools if t.name == "zoneverify" and t.runs), None)
    zv_med = statistics.median(r.wall for r in zv.runs) if zv and _completed(zv) else None
    results = []
    for t in tools:
        res = {"tool": t.name, "version": t.version, "installed": t.argv is not None,
               "command": t.argv, "time_pinned": t.pinned, "note": t.note}
        if t.runs:
            med = statistics.median(r.wall for r in t.runs)
            res.update({
                "median_s": med, "min_s": min(r.wall for r in t.runs),
                "walls_s": [r.wall for r in t.runs],
                "peak_rss_kib": max(r.maxrss_kib for r in t.runs),
                "rss_floor_kib": max(r.rss_floor_kib for r in t.runs),
                "exit_codes": [r.exit for r in t.runs],
                "first_error": next((r.first_err for r in t.runs if r.first_err), ""),
                "ratio_to_zoneverify": med / zv_med if zv_med else None,
                "ceiling_fraction": ceiling_time / med if (ceiling_time and _completed(t)) else None,
            })
        results.append(res)

    summary = {
        "zone": zone, "origin": origin, "now": now, "size_bytes": size,
        "rrsigs": scan["rrsigs"], "rrsigs_by_algorithm": scan["rrsigs_by_algorithm"],
        "runs": a.runs, "cores": a.cores, "tools": results,
        "loadavg_before": load_before, "loadavg_after": load_after,
        "openssl_verify_per_s": ceiling, "openssl_measurements": ceilings, "openssl_algorithms_missing": unknown,
        "ceiling_s": ceiling_time,
        "max_expiration_past_2038": (scan["max_expiration"] or 0) >= Y2038,
        "zoneverify_sigs_per_s": scan["rrsigs"] / zv_med if zv_med else None,
        "zoneverify_ceiling_fraction": ceiling_time / zv_med if (zv_med and ceiling_time) else None,
    }
    if a.json:
        print(json.dumps(summary, indent=2))
    else:
        print_table(summary)
    return 0


def _soa_owner(zone: str) -> str:
    with open(zone, encoding="ascii", errors="replace") as f:
        origin = None
        for line in f:
            toks = line.split(";")[0].split()
            if toks[:1] == ["$ORIGIN"] and len(toks) > 1:
                origin = toks[1]
            elif "SOA" in (t.upper() for t in toks[:5]) and line[:1] not in " \t":
                return origin if toks[0] == "@" else toks[0]
    raise SystemExit("cannot tell the zone origin; pass --origin")


def print_table(s: dict) -> None:
    print()
    print(f"zone: {s['zone']}")
    print(f"      {s['size_bytes']:,} bytes, {s['rrsigs']:,} RRSIGs "
          f"{dict(sorted(s['rrsigs_by_algorithm'].items()))}, origin {s['origin']}, "
          f"verification time {s['now']} ({_ts14(s['now'])}Z), {s['runs']} runs each, "
          f"{s['cores']} cores")
    lb, la = s["loadavg_before"], s["loadavg_after"]
    print(f"      load average (1, 5, 15 min) before {lb[0]:.2f} {lb[1]:.2f} {lb[2]:.2f}, "
          f"after {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}"
          + (" (other work was running: the times are skewed)" if lb[0] > 0.5 else ""))
    hdr = ["tool", "version", "median s", "min s", "peak RSS MiB", "RSS/size", "exit",
           "x zoneverify", "ceiling/median"]
    rows = []
    for t in s["tools"]:
        if "median_s" not in t:
            continue
        codes = sorted(set(t["exit_codes"]))
        rows.append([
            t["tool"] + ("" if t["time_pinned"] else " *"), t["version"][:28],
            f"{t['median_s']:.2f}", f"{t['min_s']:.2f}",
            ("<=" if t["peak_rss_kib"] <= t["rss_floor_kib"] else "") + _fmt_mib(t["peak_rss_kib"]),
            f"{t['peak_rss_kib'] * 1024 / s['size_bytes']:.1f}",
            ",".join(map(str, codes)) + ("" if codes == [0] else " !"),
            f"{t['ratio_to_zoneverify']:.2f}" if t["ratio_to_zoneverify"] else "-",
            f"{t['ceiling_fraction']:.0%}" if t["ceiling_fraction"] else "-",
        ])
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(hdr)]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(hdr, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
    print()
    for t in s["tools"]:
        if not t["installed"]:
            print(f"{t['tool']}: {t['note']}")
        elif not t["time_pinned"]:
            print(f"{t['tool']} *: {t['note']}")
        if t.get("first_error"):
            print(f"{t['tool']}: exit {','.join(map(str, sorted(set(t['exit_codes']))))}: "
                  f"{t['first_error']}")
    ran = {t["tool"] for t in s["tools"] if "median_s" in t}
    if s["max_expiration_past_2038"] and ran & {"ldns-verify-zone", "validns"}:
        print("note: signatures expire after 2038-01-19; ldns-verify-zone 1.8.3 and validns 0.8 "
              "reject such timestamps (32-bit), so they fail this valid zone and their times are "
              "not those of a full check. Compare them on a zone made with "
              "--expiration 20371201000000.")
    if s["openssl_verify_per_s"]:
        rates = ", ".join(f"{k} {v:,.0f} verify/s" for k, v in sorted(s["openssl_verify_per_s"].items()))
        print(f"crypto ceiling (openssl speed -multi {s['cores']}, the faster of before and "
              f"after the runs): {rates}")
    if s["openssl_algorithms_missing"]:
        print(f"no openssl speed figure for algorithms {s['openssl_algorithms_missing']}")
    if s["ceiling_s"]:
        print(f"ceiling: {s['ceiling_s']:.2f} s to verify this zone's {s['rrsigs']:,} signatures "
              f"on {s['cores']} cores ({s['rrsigs'] / s['ceiling_s']:,.0f} sigs/s)")
    if s["zoneverify_sigs_per_s"]:
        frac = s["zoneverify_ceiling_fraction"]
        print(f"zoneverify: {s['zoneverify_sigs_per_s']:,.0f} sigs/s"
              + (f" = {frac:.0%} of the crypto ceiling" if frac else ""))
    print("x zoneverify: tool median / zoneverify median (above 1: zoneverify is faster; "
          "only when zoneverify checked the whole zone). ceiling/median: crypto-only time / "
          "tool median, only for tools that completed. '!': non-zero exit; on a valid zone that tool's time is not comparable, "
          "it may have stopped early. '<=': at the spawner's RSS floor (see run_once).")


if __name__ == "__main__":
    sys.exit(main())

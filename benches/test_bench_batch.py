"""pytest-benchmark suite for the batch API (``zoneverify.Verifier``).

The same N RRsets, each with one ECDSAP256SHA256 RRSIG made by dnspython
(see ``batchgen.py``), verified three ways:

1. ``Verifier(dnskey_rrset, now=T).verify(pairs)`` over dnspython
   (rrset, rrsigset) pairs;
2. ``Verifier(...).verify_raw(signed_data, data_offsets, signatures, sig_offsets)``
   over buffers built once at generation time;
3. a Python loop over ``dns.dnssec.validate`` (dnspython + cryptography),
   one round only: it is slow.

Each records signatures per second and the fraction of the crypto ceiling
(``openssl speed -multi <cores> ecdsap256`` verify/s, measured once per
session) in ``benchmark.extra_info``; ``conftest.py`` prints a summary
table at the end of the session.

Real run (release build; N = 100,000, signed and cached on first use)::

    pytest benches/test_bench_batch.py --benchmark-only -s

CI smoke test (N = 500, each call once)::

    pytest benches --benchmark-disable

Environment: ``ZONEVERIFY_BENCH_RRSETS`` (N, in both modes),
``ZONEVERIFY_BENCH_ROUNDS`` (timed rounds of paths 1 and 2, default 5),
``ZONEVERIFY_BENCH_CEILING_SECONDS`` (``openssl speed -seconds``, default 3,
1 in smoke mode), ``ZONEVERIFY_BENCH_CACHE`` (cache directory).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time

import pytest

import batchgen

N_REAL = 100_000
N_SMOKE = 500


def _disabled(config) -> bool:
    try:
        return bool(config.getoption("benchmark_disable"))
    except ValueError:  # pytest-benchmark not loaded
        return True


def _env_int(name: str, default: int) -> int:
    v = os.environ.get(name, "").strip()
    return int(v) if v else default


def rrset_count(config) -> int:
    return _env_int("ZONEVERIFY_BENCH_RRSETS", N_SMOKE if _disabled(config) else N_REAL)


# ---------------------------------------------------------------- machine load

class OtherLoad:
    """CPU used by everything but this process (and its waited-for children)
    while a measurement runs, from /proc/stat: on a shared machine a
    benchmark's figures mean little when this is not near zero.

    ``stop()`` returns ``{"other_cores": ..., "steal_cores": ...}``, average
    cores busy with other processes and taken by the hypervisor (steal),
    or Nones where /proc is missing.
    """

    def __init__(self) -> None:
        self._t0 = time.perf_counter()
        self._a = self._read()

    @staticmethod
    def _read():
        try:
            with open("/proc/stat") as f:
                cpu = [int(x) for x in f.readline().split()[1:]]
            with open("/proc/self/stat") as f:
                own = [int(x) for x in f.read().rsplit(")", 1)[1].split()[11:15]]
        except (OSError, ValueError, IndexError):
            return None
        busy = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6]  # user nice system irq softirq
        steal = cpu[7] if len(cpu) > 7 else 0
        return busy, steal, sum(own)

    def stop(self) -> dict:
        b = self._read()
        wall = time.perf_counter() - self._t0
        if self._a is None or b is None or wall <= 0:
            return {"other_cores": None, "steal_cores": None}
        hz = os.sysconf("SC_CLK_TCK")
        busy, steal, own = (y - x for x, y in zip(self._a, b))
        return {"other_cores": max(0.0, (busy - own) / hz / wall), "steal_cores": steal / hz / wall}


def _load_text(x: dict) -> str:
    if x.get("other_cores") is None:
        return "unknown"
    return f"{x['other_cores']:.2f} cores busy with other processes, {x['steal_cores']:.2f} stolen"


# ---------------------------------------------------------------- ceiling

_NISTP256 = re.compile(r"^\s*256\s+bits\s+ecdsa\s+\(nistp256\)\s+(.*)$")


def parse_openssl_speed(text: str) -> float | None:
    """verify/s of the ``256 bits ecdsa (nistp256)`` line of ``openssl speed``.

    The line reads ``256 bits ecdsa (nistp256)  <sign s> <verify s>  <sign/s> <verify/s>``;
    verify/s is its last number.
    """
    for line in text.splitlines():
        m = _NISTP256.match(line)
        if m:
            # the timings end in "s", the rates do not
            rates = [t for t in m.group(1).split() if re.fullmatch(r"\d+(\.\d+)?", t)]
            if rates:
                return float(rates[-1])
    return None


def measure_ceiling(cores: int, seconds: int) -> dict:
    cmd = ["openssl", "speed", "-multi", str(cores), "-seconds", str(seconds), "ecdsap256"]
    out = {"verify_per_s": None, "command": " ".join(cmd), "cores": cores, "seconds": seconds}
    if shutil.which("openssl") is None:
        out["note"] = "openssl not found on PATH (apt-get install -y openssl)"
        return out
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=60 + 4 * seconds)
    except subprocess.TimeoutExpired:
        out["note"] = f"{out['command']} timed out"
        return out
    rate = parse_openssl_speed(r.stdout)
    if rate is None:
        err = (r.stderr.strip() or r.stdout.strip()).splitlines()
        out["note"] = (f"no '256 bits ecdsa (nistp256)' line in the output of {out['command']} "
                       f"(exit {r.returncode}{': ' + err[0][:120] if err else ''})")
    out["verify_per_s"] = rate
    return out


@pytest.fixture(scope="session")
def ceiling(pytestconfig, batch_summary) -> dict:
    cores = os.cpu_count() or 1
    seconds = _env_int("ZONEVERIFY_BENCH_CEILING_SECONDS", 1 if _disabled(pytestconfig) else 3)
    load = OtherLoad()
    c = measure_ceiling(cores, seconds)
    c.update(load.stop())
    batch_summary["ceiling"] = c
    if c["verify_per_s"] is None:
        batch_summary.setdefault("notes", []).append(f"no crypto ceiling: {c['note']}")
    return c


# ---------------------------------------------------------------- data

@pytest.fixture(scope="session")
def batch(pytestconfig, batch_summary) -> batchgen.BatchData:
    pytest.importorskip("dns.dnssec")
    pytest.importorskip("cryptography")
    pytest.importorskip("zoneverify")
    n = rrset_count(pytestconfig)
    t0 = time.perf_counter()
    d = batchgen.batch_data(batchgen.BatchParams(rrsets=n),
                            log=lambda m: print(f"\n[batchgen] {m}", file=sys.stderr, flush=True))
    load_s = time.perf_counter() - t0
    mix = ", ".join(f"{t} {k}" for t, k in sorted(d.meta["rrsets_by_type"].items(), key=lambda x: -x[1]))
    disabled = _disabled(pytestconfig)
    batch_summary.update(n=d.n, records=d.meta["records"], mix=mix, now=d.now,
                         cores=os.cpu_count(), disabled=disabled, data=str(d.path))
    notes = batch_summary.setdefault("notes", [])
    notes.append(f"data: {d.path} (loaded in {load_s:.1f} s; signed in "
                 f"{d.meta['sign_seconds']} s on {d.meta['sign_jobs']} process(es) when generated)")
    notes.append(f"load average at data load: {'/'.join(f'{x:.2f}' for x in os.getloadavg())}")
    assert d.n == n and len(d.data_offsets) == n + 1 and len(d.sig_offsets) == n + 1
    return d


def _rounds(config) -> tuple[int, int]:
    """(rounds, warmup rounds) of the two batch paths."""
    return max(1, _env_int("ZONEVERIFY_BENCH_ROUNDS", 5)), 1


def _record(benchmark, summary: dict, key: str, n: int, ceiling: dict, walls: list[float],
            load: dict, timings: list[dict] | None = None, **extra) -> None:
    """Puts sigs/s and the fraction of the ceiling in extra_info and the summary.

    Timed runs use pytest-benchmark's own figures; with --benchmark-disable
    (no stats) the single call's wall time.
    """
    stats = getattr(benchmark, "stats", None)
    if stats is not None and not benchmark.disabled:
        st = stats.stats
        median, best, rounds = st.median, st.min, st.rounds
        source = "pytest-benchmark median"
    else:
        median = best = walls[-1]
        rounds = 1
        source = "single call (benchmark disabled)"
    rate = n / median if median > 0 else None
    ceil = ceiling.get("verify_per_s")
    frac = rate / ceil if rate and ceil else None
    row = {"rounds": rounds, "median_s": median, "min_s": best, "sigs_per_s": rate,
           "fraction_of_ceiling": frac, "timing_source": source, **load}
    if timings:
        row["timings"] = {k: statistics.median(t[k] for t in timings)
                          for k in ("encode", "split", "verify", "total") if all(k in t for t in timings)}
    row.update(extra)
    summary["rows"][key] = row
    benchmark.extra_info.update({
        "rrsets": n, "rrsigs": n, "sigs_per_s": rate, "ceiling_verify_per_s": ceil,
        "fraction_of_ceiling": frac, "ceiling_command": ceiling.get("command"),
        "cores": os.cpu_count(), "timing_source": source, **load, **extra,
        "ceiling_other_cores": ceiling.get("other_cores"),
    })
    if ceil is None:
        benchmark.extra_info["fraction_of_ceiling_note"] = ceiling.get("note")
    if row.get("timings"):
        benchmark.extra_info["timings_median_s"] = row["timings"]


# ---------------------------------------------------------------- benchmarks

def test_batch_verify_dnspython(benchmark, batch, ceiling, batch_summary, pytestconfig):
    """Path 1: Verifier.verify over (rrset, rrsigset) pairs of dnspython objects."""
    from zoneverify import Verifier

    v = Verifier(batch.dnskey_rrset, now=batch.now)
    pairs = batch.pairs
    _time_verifier_path(benchmark, batch, ceiling, batch_summary, pytestconfig, "verify", v,
                        lambda: v.verify(pairs))


def test_batch_verify_raw(benchmark, batch, ceiling, batch_summary, pytestconfig):
    """Path 2: Verifier.verify_raw over the signed-data and signature buffers."""
    from zoneverify import Verifier

    v = Verifier(batch.dnskey_rrset, now=batch.now)
    args = (batch.signed_data, batch.data_offsets, batch.signatures, batch.sig_offsets)
    _time_verifier_path(benchmark, batch, ceiling, batch_summary, pytestconfig, "verify_raw", v,
                        lambda: v.verify_raw(*args))


def _time_verifier_path(benchmark, batch, ceiling, batch_summary, pytestconfig, name, v, call):
    """Times ``call()`` (one Verifier path over the whole batch), checks that
    every RRSIG is valid and records the figures under ``name``."""
    batch_summary["threads"] = v.threads
    timings: list[dict] = []

    def run():
        r = call()
        timings.append(r.timings)
        return r

    rounds, warmup = _rounds(pytestconfig)
    load = OtherLoad()
    result = benchmark.pedantic(run, rounds=rounds, warmup_rounds=warmup, iterations=1)
    load = load.stop()
    assert result.ok, result.failures()[:5]
    assert len(result) == batch.n and result.rrsets == batch.n
    kept = timings[warmup:] if not benchmark.disabled else timings
    _record(benchmark, batch_summary, name, batch.n, ceiling, [t["total"] for t in kept], load, kept,
            threads=result.threads)


def test_batch_dnspython_validate_loop(benchmark, batch, ceiling, batch_summary):
    """Path 3: a Python loop over dns.dnssec.validate (dnspython + cryptography), one round."""
    import dns.dnssec

    keys = {batch.origin: batch.dnskey_rrset}
    pairs = batch.pairs
    now = batch.now
    walls: list[float] = []

    def run():
        t0 = time.perf_counter()
        validate = dns.dnssec.validate
        k = 0
        for rrset, sigset in pairs:
            validate(rrset, sigset, keys, now=now)  # raises ValidationFailure
            k += 1
        walls.append(time.perf_counter() - t0)
        return k

    load = OtherLoad()
    assert benchmark.pedantic(run, rounds=1, iterations=1) == batch.n
    load = load.stop()
    _record(benchmark, batch_summary, "dnspython_loop", batch.n, ceiling, walls, load, threads=1)


# ---------------------------------------------------------------- checks (not timed)

def test_batch_detects_a_bad_signature(batch):
    """The benchmark's "all valid" is meaningful: one corrupted signature is caught."""
    import dns.rrset
    import numpy as np
    from zoneverify import Verifier
    from zoneverify._status import Status

    n = min(batch.n, 200)
    bad = n // 2
    v = Verifier(batch.dnskey_rrset, now=batch.now)

    sigs = bytearray(batch.signatures[:batch.sig_offsets[n]])
    sigs[batch.sig_offsets[bad] + 5] ^= 0x01
    # The first n items: the buffer is sliced too (zero-copy), since the
    # offsets must end at the buffer's length.
    data = memoryview(batch.signed_data)[:batch.data_offsets[n]]
    r = v.verify_raw(data, batch.data_offsets[:n + 1], bytes(sigs), batch.sig_offsets[:n + 1])
    assert not r.ok and [f.item for f in r.failures()] == [bad]
    assert r.failures()[0].status == Status.BAD_SIGNATURE

    pairs = list(batch.pairs[:n])
    rrset, sigset = pairs[bad]
    sig = sigset[0]
    broken = sig.replace(signature=bytes(sigs[batch.sig_offsets[bad]:batch.sig_offsets[bad + 1]]))
    pairs[bad] = (rrset, dns.rrset.from_rdata(sigset.name, sigset.ttl, broken))
    r = v.verify(pairs)
    assert not r.ok and [f.item for f in r.failures()] == [bad]
    assert int(np.count_nonzero(r.rrset_status == Status.VALID)) == n - 1


def test_parse_openssl_speed():
    text = (
        "Got: +F4:3:256:27764.000000:11145.000000 from 0\n"
        "version: 3.0.19\n"
        "                              sign    verify    sign/s verify/s\n"
        " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  65303.0  23028.0\n"
        " 384 bits ecdsa (nistp384)   0.0006s   0.0005s   1717.1   2037.5\n"
    )
    assert parse_openssl_speed(text) == 23028.0
    assert parse_openssl_speed("nothing here\n") is None


def test_rrset_count_env(monkeypatch, pytestconfig):
    monkeypatch.setenv("ZONEVERIFY_BENCH_RRSETS", "123")
    assert rrset_count(pytestconfig) == 123
    monkeypatch.delenv("ZONEVERIFY_BENCH_RRSETS")
    assert rrset_count(pytestconfig) == (N_SMOKE if _disabled(pytestconfig) else N_REAL)


def test_item_specs_are_deterministic():
    a = batchgen.item_specs(batchgen.BatchParams(rrsets=300, seed=3))
    assert a == batchgen.item_specs(batchgen.BatchParams(rrsets=300, seed=3))
    assert a != batchgen.item_specs(batchgen.BatchParams(rrsets=300, seed=4))
    types = {t for _, t, _, _ in a}
    assert types == {t for t, _ in batchgen.TYPE_MIX}
    assert len({(o, t) for o, t, _, _ in a}) == len(a)
    assert all(len(rd) == 2 for _, t, _, rd in a if t == "NS")

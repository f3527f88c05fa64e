"""pytest-benchmark suites for the phases of a zone verification.

On zones from ``zonegen`` (signed by BIND's dnssec-signzone), one benchmark
per phase and one for the whole path:

- ``parse``: zone text to records (``_native.parse_count``);
- ``canonicalise``: zone model, canonical form of every signed RRset and the
  signed data of every RRSIG, on all cores, nothing verified
  (``PreparedZone.canonicalise``);
- ``verify``: model, every signature, zone-level checks, on an already
  parsed zone (``PreparedZone.verify``);
- ``whole``: ``zoneverify.verify_zone`` on the file (read, parse, verify,
  checks).

CI runs them as smoke tests on 300-delegation zones
(``pytest benches --benchmark-disable``). A real run (release build):

    ZONEVERIFY_BENCH_DELEGATIONS=100000 pytest benches/test_bench_phases.py --benchmark-only

The zones come from zonegen's cache; the first run signs them.
"""

from __future__ import annotations

import os
import shutil

import pytest

import zonegen

VARIANTS = ["rsa2048", "p256", "ed25519", "rsa2048-nsec3", "rollover"]


def _delegations(config) -> int:
    env = os.environ.get("ZONEVERIFY_BENCH_DELEGATIONS", "").strip()
    return int(env) if env else 300


@pytest.fixture(scope="module", params=VARIANTS)
def zone(request):
    if shutil.which("dnssec-signzone") is None or shutil.which("dnssec-keygen") is None:
        pytest.skip("BIND tools missing: apt-get install -y bind9-utils")
    n = _delegations(request.config)
    params = zonegen.ZoneParams(delegations=n, variant=request.param)
    z = zonegen.signed_zone(params)
    return z, z.path.read_bytes()


def test_parse(benchmark, zone):
    from zoneverify import _native

    z, text = zone
    n = benchmark(_native.parse_count, text, str(z.path), z.origin)
    assert n > z.meta["rrsigs"]
    benchmark.extra_info["records"] = n


def test_canonicalise(benchmark, zone):
    from zoneverify import _native

    z, text = zone
    prepared = _native.PreparedZone(text, str(z.path), z.origin)
    n, octets = benchmark(prepared.canonicalise, os.cpu_count() or 1)
    assert n == z.meta["rrsigs"] and octets > 0
    benchmark.extra_info.update(rrsigs=n, signed_octets=octets)


def test_verify(benchmark, zone):
    from zoneverify import _native
    from zoneverify.report import Report

    z, text = zone
    prepared = _native.PreparedZone(text, str(z.path), z.origin)
    raw = benchmark(prepared.verify, z.now, None)
    r = Report(raw)
    assert r.ok, r.findings[:5]
    assert len(r) == z.meta["rrsigs"]


def test_whole(benchmark, zone):
    import zoneverify

    z, _ = zone
    r = benchmark(zoneverify.verify_zone, str(z.path), origin=z.origin, now=z.now)
    assert r.ok, r.findings[:5]
    assert len(r) == z.meta["rrsigs"]

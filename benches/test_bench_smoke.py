"""pytest-benchmark suite over small generated zones.

CI runs it as a smoke test (each benchmarked call runs once):

    pytest benches --benchmark-disable

A real measurement needs a release build of zoneverify:

    pytest benches --benchmark-only

The signed zones come from zonegen's on-disk cache (``$ZONEVERIFY_BENCH_CACHE``
or ``~/.cache/zoneverify-bench``); the first run signs them with BIND's
dnssec-signzone, which takes about a second each.
"""

from __future__ import annotations

import hashlib
import shutil

import pytest

import zonegen

SMALL = 300


def _signed(variant: str) -> zonegen.SignedZone:
    if shutil.which("dnssec-signzone") is None or shutil.which("dnssec-keygen") is None:
        pytest.skip("BIND tools missing: apt-get install -y bind9-utils")
    return zonegen.signed_zone(zonegen.ZoneParams(delegations=SMALL, variant=variant))


@pytest.mark.parametrize("variant", ["p256", "rsa2048"])
def test_verify_zone(benchmark, variant):
    zoneverify = pytest.importorskip("zoneverify")
    z = _signed(variant)
    report = benchmark(zoneverify.verify_zone, str(z.path), origin=z.origin, now=z.now)
    assert report.ok, getattr(report, "findings", report)
    assert len(report) == z.meta["rrsigs"]


def test_unsigned_zone_is_deterministic():
    p = zonegen.ZoneParams(delegations=SMALL, seed=5)
    a = zonegen.unsigned_zone_text(p)
    b = zonegen.unsigned_zone_text(zonegen.ZoneParams(delegations=SMALL, seed=5))
    assert a == b
    assert a != zonegen.unsigned_zone_text(zonegen.ZoneParams(delegations=SMALL, seed=6))
    # The signing window and the variant only reach the signer, not the zone data.
    assert a == zonegen.unsigned_zone_text(
        zonegen.ZoneParams(delegations=SMALL, seed=5, variant="ed25519", expiration="20371201000000"))


def test_unsigned_zone_is_pinned():
    # Every pseudo-random choice comes from SHA-256, so the zone does not change
    # with the Python version. If the generator is changed on purpose, bump
    # zonegen.GENERATOR_VERSION (it is part of the cache key) and this digest.
    text = zonegen.unsigned_zone_text(zonegen.ZoneParams(delegations=SMALL))
    assert zonegen.GENERATOR_VERSION == 1
    assert hashlib.sha256(text.encode()).hexdigest() == (
        "dbf5b7621b906f48227948d4c263767922c03cfc33044114605c146c0301f5c9")


def test_unsigned_zone_shape():
    n = 2000
    text = zonegen.unsigned_zone_text(zonegen.ZoneParams(delegations=n))
    rows = [line.split("\t") for line in text.splitlines() if not line.startswith("$")]
    ns_owners = {r[0] for r in rows if r[3] == "NS" and r[0] != "@"}
    ds = sum(r[3] == "DS" for r in rows)
    glue = {r[0] for r in rows if r[0].startswith("ns1.") and r[3] in ("A", "AAAA")}
    assert len(ns_owners) == n  # labels are unique
    assert 0.25 * n < ds < 0.35 * n
    assert 0.03 * n < len(glue) < 0.07 * n
    for r in rows:
        if r[3] == "DS":
            assert len(r[4].split()[3]) == 64  # SHA-256 digest


def test_scan_zone_counts(tmp_path):
    zone = tmp_path / "z"
    zone.write_text(
        "$ORIGIN example.\n"
        "@ 3600 IN SOA ns hostmaster 1 2 3 4 5\n"
        "  3600 RRSIG SOA 8 1 3600 20461101000000 20261101000000 1 example. AAAA\n"
        "  3600 NSEC a.example. SOA RRSIG NSEC ; a comment with RRSIG\n"
        "  3600 IN RRSIG NSEC 13 1 3600 (\n"
        "      20461101000000 20261101000000 1 example.\n"
        "      AAAA )\n"
        'a 3600 TXT "RRSIG ( not a record"\n'
        "a RRSIG TXT 13 2 3600 1800000000 1790000000 1 example. AAAA\n"
    )
    s = zonegen.scan_zone(zone)
    assert s["rrsigs"] == 3
    assert s["rrsigs_by_algorithm"] == {8: 1, 13: 2}
    assert s["max_inception"] == 1793491200  # 2026-11-01
    assert s["min_expiration"] == 1800000000
    assert zonegen.scan_zone(zone, "20261101000000")["rrsigs_with_inception"] == 2
    assert zonegen.scan_zone(zone, "1790000000")["rrsigs_with_inception"] == 1

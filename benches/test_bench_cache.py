"""pytest-benchmark suite: the next publication of a zone, verified cold
and warm (the verified-signature cache filled by the version before), and
the tests of the next version zonegen makes (``zonegen.next_zone``).

CI runs it as a smoke test (each benchmarked call runs once); the 1M side
by side with ratios is ``benches/publication.py``.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

import zonegen

SMALL = 300
# Enough changes for a 300-delegation zone to have some of each kind.
NEXT = zonegen.NextParams(step=1, resign_fraction=0.05, change_fraction=0.01)


def _zones(variant: str) -> tuple[zonegen.SignedZone, zonegen.SignedZone, zonegen.SignedZone]:
    if shutil.which("dnssec-signzone") is None or shutil.which("named-compilezone") is None:
        pytest.fail("BIND tools missing (tests/run.sh installs bind9-utils)")
    p = zonegen.ZoneParams(delegations=SMALL, variant=variant)
    return (zonegen.signed_zone(p), zonegen.next_zone(p, NEXT),
            zonegen.next_zone(p, zonegen.NextParams(2, NEXT.resign_fraction, NEXT.change_fraction)))


def _rrsigs(path) -> dict[tuple[str, int, str], int]:
    """(owner, covered type, signature) -> inception of every RRSIG."""
    import dns.zone

    z = dns.zone.from_file(str(path), "bench.", relativize=False)
    out = {}
    for name, node in z.items():
        for rds in node:
            if rds.rdtype == 46:  # RRSIG
                for rd in rds:
                    out[(name.to_text(), int(rd.type_covered), rd.signature.hex())] = rd.inception
    return out


def _delegations(path) -> set[str]:
    import dns.zone

    z = dns.zone.from_file(str(path), "bench.", relativize=False)
    return {n.to_text() for n, node in z.items() if n != z.origin and node.get_rdataset(1, 2) is not None}


@pytest.mark.parametrize("variant", ["p256", "rsa2048", "rsa2048-nsec3"])
def test_the_next_version_is_what_it_says(variant):
    """Signed by dnssec-signzone with the same keys: it verifies (BIND's
    dnssec-verify and zoneverify), keeps the signatures it says it keeps
    byte for byte, has new ones (a later inception) for the rest, removes
    and adds as many delegations as it says, and increases the serial;
    version 2 is made from version 1 the same way."""
    zoneverify = pytest.importorskip("zoneverify")
    base, v1, v2 = _zones(variant)
    for prev, z in ((base, v1), (v1, v2)):
        r = subprocess.run(["dnssec-verify", "-q", "-o", "bench.", str(z.path)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        rep = zoneverify.verify_zone(str(z.path), origin="bench.", now=z.now)
        assert rep.ok and len(rep) == z.meta["rrsigs"], rep.findings
        old, new = _rrsigs(prev.path), _rrsigs(z.path)
        kept = set(old) & set(new)
        inception = zonegen._sigtime(z.meta["inception"])
        fresh = {k for k, t in new.items() if t == inception}
        assert len(kept) == z.meta["kept_rrsigs"] and len(fresh) == z.meta["new_rrsigs"] > 0
        assert kept | fresh == set(new) and not kept & fresh
        assert z.meta["rrsigs_left_out"] > 0 and z.meta["new_rrsigs"] > z.meta["rrsigs_left_out"]
        gone, came = _delegations(prev.path) - _delegations(z.path), _delegations(z.path) - _delegations(prev.path)
        assert len(gone) == len(came) == z.meta["removed_delegations"] == z.meta["added_delegations"] == 3
        assert rep.serial == z.meta["serial"]
    assert v2.meta["serial"] == v1.meta["serial"] + 1


def _prime(base: zonegen.SignedZone, where) -> None:
    import zoneverify

    rep = zoneverify.verify_zone(str(base.path), origin="bench.", now=base.now, cache=where)
    assert rep.cache["stored"] == len(rep)


@pytest.mark.parametrize("variant", ["p256", "rsa2048"])
@pytest.mark.parametrize("mode", ["cold", "warm"])
def test_verify_the_next_version(benchmark, tmp_path, variant, mode):
    """zoneverify.verify_zone on version 1 with a cache that is empty
    (cold) or filled by version 0 (warm, a fresh copy for every round):
    the report is the one without a cache; the warm run verifies exactly
    the new signatures and reuses exactly the kept ones."""
    zoneverify = pytest.importorskip("zoneverify")
    base, v1, _ = _zones(variant)
    primed = tmp_path / "primed"
    if mode == "warm":
        _prime(base, primed)
    plain = zoneverify.verify_zone(str(v1.path), origin="bench.", now=v1.now)
    cache = tmp_path / "cache"

    def setup():
        shutil.rmtree(cache, ignore_errors=True)
        if mode == "warm":
            shutil.copytree(primed, cache)
        return (str(v1.path),), {"origin": "bench.", "now": v1.now, "cache": cache}

    rep = benchmark.pedantic(zoneverify.verify_zone, setup=setup, rounds=5)
    strip = lambda r: {k: v for k, v in r.to_dict(columns=True).items() if k not in ("timings", "cache")}  # noqa: E731
    assert strip(rep) == strip(plain)
    if mode == "warm":
        assert (rep.cache["verified"], rep.cache["reused"]) == (v1.meta["new_rrsigs"], v1.meta["kept_rrsigs"])
    else:
        assert (rep.cache["verified"], rep.cache["reused"]) == (len(plain), 0)

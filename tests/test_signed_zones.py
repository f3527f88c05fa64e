"""Zones signed at test time by BIND, ldns and Knot, verified by zoneverify.

Unmodified, every RRSIG must be VALID. Each mutation must produce exactly the
findings computed from the zone text (see mutations.py); each mutation is
first checked against dnspython (mutations.oracle) so that a wrong
expectation cannot hide behind a wrong verifier.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import dns.rdatatype
import numpy as np
import pytest

import mutations
import signers
import zonetext
import zoneverify
from zoneverify import Status

NOW = signers.NOW
NOW_TEXT = "20260601000000"
COMBOS = signers.MATRIX
MUTATIONS = ["flip-signature-byte", "change-rdata", "expired", "not-yet-valid", "remove-zsk"]


def supported(alg: int) -> bool:
    return alg in set(zoneverify.supported_algorithms())


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zoneverify", *args],
                          capture_output=True, timeout=120)


def expected_columns(text: str, origin: str) -> Counter:
    """(owner, type covered, alg, tag, inception, expiration, line) of every
    RRSIG of the text, as read by the test's own reader."""
    out = Counter()
    for r in zonetext.rrsigs(text, origin):
        out[(r.owner, dns.rdatatype.from_text(r.covered), r.algorithm, r.key_tag,
             signers.ts(r.rdata_text[5]), signers.ts(r.rdata_text[4]), r.start_line + 1)] += 1
    return out


def report_columns(r) -> Counter:
    names = [n.lower() for n in r.names]
    return Counter(
        (names[int(o)], int(t), int(a), int(k), int(i), int(e), int(ln))
        for o, t, a, k, i, e, ln in zip(r.owner, r.type_covered, r.algorithm, r.key_tag,
                                         r.inception, r.expiration, r.line))


# Warnings a clean signer output may legitimately carry: the test signers
# use 1024-bit RSA keys in places to keep signing fast, and the NSEC3
# variants a salt (RFC 9276 §3.1 advises none).
EXPECTED_WARNINGS = {"weak-rsa-key", "nsec3-iterations"}


def finding_set(r) -> set[mutations.Finding]:
    """The errors of a report (warnings are checked by no_unexpected_warnings)."""
    return {(f.owner.lower(), f.type, f.key_tag, f.code) for f in r.findings if f.severity == "error"}


def no_unexpected_warnings(r) -> None:
    unexpected = [str(f) for f in r.warnings if f.code not in EXPECTED_WARNINGS]
    assert not unexpected, unexpected


@pytest.fixture(params=COMBOS, ids=signers.combo_id)
def signed(request, signed_zone_factory, record_property):
    z = signed_zone_factory(*request.param)
    record_property("signer_version", z.version)
    return z


def test_signed_zone_all_valid(signed, cli):
    text = signed.text
    recs = zonetext.rrsigs(text, signed.origin)
    assert len(recs) > 20, "the signer produced suspiciously few RRSIGs"
    r = zoneverify.verify_zone(signed.path, now=NOW)
    info = f"{signed.signer} ({signed.version}) alg {signed.algorithm}"
    assert r.counts["rrsigs"] == len(recs), info
    assert len(r.status) == len(recs), info
    assert report_columns(r) == expected_columns(text, signed.origin), info
    if supported(signed.algorithm):
        assert r.ok, (info, r.findings[:5])
        assert (r.status == Status.VALID).all(), info
        assert r.errors == [], info
        no_unexpected_warnings(r)
        assert r.counts["by_status"].get("valid") == len(recs), info
        assert r.counts["by_algorithm"][signed.algorithm].get("valid") == len(recs), info
        p = cli("check", str(signed.path), "--now", NOW_TEXT)
        assert p.returncode == 0, (info, p.stdout[-2000:], p.stderr[-2000:])
    else:
        # Principle 1: never a false "valid". Unverifiable = unsupported.
        assert not r.ok, info
        assert (r.status == Status.UNSUPPORTED_ALGORITHM).all(), info
        # ... and nothing verified never passes, whatever the options.
        lax = zoneverify.verify_zone(signed.path, now=NOW, allow_unsupported=True)
        assert not lax.ok and [f.code for f in lax.errors] == ["nothing-verified"], info
        p = cli("check", str(signed.path), "--now", NOW_TEXT)
        assert p.returncode == 1, (info, p.stdout[-2000:], p.stderr[-2000:])


def test_signed_zone_from_text_and_bytes(signed):
    """The same zone given as text and as bytes gives the same verdicts."""
    text = signed.text
    a = zoneverify.verify_zone(signed.path, now=NOW)
    b = zoneverify.verify_zone(text, now=NOW)
    c = zoneverify.verify_zone(text.encode(), now=NOW)
    for other in (b, c):
        assert np.array_equal(a.status, other.status)
        assert np.array_equal(a.key_tag, other.key_tag)
        assert np.array_equal(a.line, other.line)


def mutate(z: signers.SignedZone, kind: str) -> tuple[str, set]:
    text = z.text
    zsk = z.zsk
    if kind == "flip-signature-byte":
        return mutations.flip_signature(text, z.origin, zsk.tag)
    if kind == "change-rdata":
        return mutations.change_a_rdata(text, z.origin)
    if kind == "expired":
        return mutations.splice_rrsig(text, z.past_path.read_text(), z.origin, zsk.tag, "expired")
    if kind == "not-yet-valid":
        return mutations.splice_rrsig(text, z.future_path.read_text(), z.origin, zsk.tag,
                                      "not-yet-valid")
    if kind == "remove-zsk":
        return mutations.remove_dnskey(text, z.origin, zsk.tag, zsk.algorithm)
    raise ValueError(kind)


@pytest.mark.parametrize("kind", MUTATIONS)
def test_mutation_reports_exactly_the_affected_rrsigs(signed, kind, tmp_path):
    if not supported(signed.algorithm):
        pytest.skip(f"zoneverify does not support algorithm {signed.algorithm}; "
                    "its zones are checked as all-unsupported in test_signed_zone_all_valid")
    text, expected = mutate(signed, kind)
    assert text != signed.text, "the mutation changed nothing"
    assert expected, "a mutation must have an expected effect"
    # The expectation itself is checked by an independent implementation.
    assert mutations.oracle(text, signed.origin, NOW) == expected

    path = tmp_path / f"{kind}.zone"
    path.write_text(text)
    r = zoneverify.verify_zone(path, now=NOW)
    info = f"{signed.signer} ({signed.version}) alg {signed.algorithm} {kind}"
    assert finding_set(r) == expected, info
    no_unexpected_warnings(r)
    assert not r.ok
    assert int((r.status != Status.VALID).sum()) == len(expected), info
    assert r.counts["rrsigs"] == len(zonetext.rrsigs(text, signed.origin))
    # every finding points at the RRSIG record it is about, in this file
    recs = {r_.start_line + 1: r_ for r_ in zonetext.rrsigs(text, signed.origin)}
    for f in r.errors:
        assert f.line in recs, (f, info)
        rec = recs[f.line]
        assert (rec.owner, rec.covered, rec.key_tag) == (f.owner.lower(), f.type, f.key_tag)
        assert f.status == Status[f.code.upper().replace("-", "_").replace("ORPHAN_RRSIG", "ORPHAN")]
        assert f.algorithm == signed.algorithm
        assert f.reason and "\n" not in f.reason
        assert str(path) in f.file or f.file.endswith(path.name)

    p = run_cli("check", str(path), "--now", NOW_TEXT)
    assert p.returncode == 1, (info, p.stdout[-2000:], p.stderr[-2000:])
    assert b"Traceback" not in p.stderr

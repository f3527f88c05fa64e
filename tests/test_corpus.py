"""Data-driven checks over ../shared/corpus (read in place, never copied).

These are the per-RRSIG verdicts (issue 2): they run with zone_checks=False;
the zone-level conformance over the same corpus is test_conformance.py.

Expected verdicts come from each file's own header ("expected:") or from
corpus/MANIFEST.md, which paraphrases the source project's test. They are
written out in the tables below so that a reader can check them against the
MANIFEST, and so that a new vector file cannot be silently skipped.
"""

from __future__ import annotations

import base64
import calendar
import re
import time
from pathlib import Path

import pytest

import zonetext
import zoneverify
from mutations import key_tag
from zoneverify import Status


def ts(s: str) -> int:
    return calendar.timegm(time.strptime(s, "%Y%m%d%H%M%S"))


def supported() -> set[int]:
    return set(zoneverify.supported_algorithms())


RSA_ALGS = {1, 5, 7, 8, 10}


def rsa_bits(dnskey_rdata: list[str]) -> int | None:
    """Modulus size of an RSA DNSKEY (RFC 3110 encoding), None if not RSA."""
    if zonetext.algorithm_number(dnskey_rdata[2]) not in RSA_ALGS:
        return None
    try:
        key = base64.b64decode("".join(dnskey_rdata[3:]))
    except ValueError:
        return None
    if not key:
        return None
    if key[0] == 0:
        elen, off = int.from_bytes(key[1:3], "big"), 3
    else:
        elen, off = key[0], 1
    mod = key[off + elen:].lstrip(b"\0")
    return len(mod) * 8 if mod else None


def allowed_statuses(wanted: Status, alg: int, key_bits: int | None) -> set[Status]:
    """What one RRSIG may be reported as, given the source's verdict.

    An algorithm zoneverify does not verify must be UNSUPPORTED_ALGORITHM
    (never VALID, never a crypto verdict). An RSA key below 1024 bits may be
    UNSUPPORTED_KEY (the API contract reports 512-bit RSA that way) instead
    of the verdict; it may never turn a bad signature into VALID."""
    if alg not in supported():
        return {Status.UNSUPPORTED_ALGORITHM}
    allowed = {wanted}
    if key_bits is not None and key_bits < 1024:
        allowed.add(Status.UNSUPPORTED_KEY)
    return allowed


# ------------------------------------------------------------ RRset vectors

V = Status.VALID
B = Status.BAD_SIGNATURE
E = Status.EXPIRED
N = Status.NOT_YET_VALID
U = Status.UNSUPPORTED_ALGORITHM

# file (relative to corpus) -> (verification time, verdict of its one RRSIG)
# Times: the header's "validation time:" or, where it gives only a window,
# a time inside it. Verdicts: the header's "expected:" line (and MANIFEST).
VECTORS: dict[str, tuple[int, Status]] = {
    "dnspython/derived-from-tests_test_dnssec.py/dsa_soa_bad_data.txt": (1290425644, B),
    "dnspython/derived-from-tests_test_dnssec.py/dsa_soa_good.txt": (1290425644, V),
    "dnspython/derived-from-tests_test_dnssec.py/ecdsap256_soa_bad_data.txt": (1379801800, B),
    "dnspython/derived-from-tests_test_dnssec.py/ecdsap256_soa_good.txt": (1379801800, V),
    "dnspython/derived-from-tests_test_dnssec.py/ecdsap384_soa_bad_data.txt": (1379804850, B),
    "dnspython/derived-from-tests_test_dnssec.py/ecdsap384_soa_good.txt": (1379804850, V),
    "dnspython/derived-from-tests_test_dnssec.py/ed25519_mx_key1_bad_data.txt": (1440021600, B),
    "dnspython/derived-from-tests_test_dnssec.py/ed25519_mx_key1_good.txt": (1440021600, V),
    "dnspython/derived-from-tests_test_dnssec.py/ed25519_mx_key2_good.txt": (1440021600, V),
    "dnspython/derived-from-tests_test_dnssec.py/ed448_mx_key1_bad_data.txt": (1440021600, B),
    "dnspython/derived-from-tests_test_dnssec.py/ed448_mx_key1_expired.txt": (1440021601, E),
    "dnspython/derived-from-tests_test_dnssec.py/ed448_mx_key1_good.txt": (1440021600, V),
    "dnspython/derived-from-tests_test_dnssec.py/ed448_mx_key1_not_yet_valid.txt": (1438207199, N),
    "dnspython/derived-from-tests_test_dnssec.py/ed448_mx_key2_good.txt": (1440021600, V),
    "dnspython/derived-from-tests_test_dnssec.py/gost_alg12_unsupported.txt": (1595783997, U),
    "dnspython/derived-from-tests_test_dnssec.py/rsamd5_ns_good.txt": (1595781671, V),
    "dnspython/derived-from-tests_test_dnssec.py/rsasha1_soa_bad_data.txt": (1290250287, B),
    "dnspython/derived-from-tests_test_dnssec.py/rsasha1_soa_duplicate_keytag_good.txt": (1290250287, V),
    "dnspython/derived-from-tests_test_dnssec.py/rsasha1_soa_good.txt": (1290250287, V),
    "dnspython/derived-from-tests_test_dnssec.py/rsasha512_ns_good.txt": (1595783997, V),
    "dnspython/derived-from-tests_test_dnssec.py/unknown_algorithm_100.txt": (1595783997, U),
    "dnspython/derived-from-tests_test_dnssec.py/wildcard_txt_good.txt": (1593541048, V),
    "dnsruby/derived-from-test_tc_verifier.rb/all.rr.org_naptr_alg7.txt": (1269388800, V),
    "dnsruby/derived-from-test_tc_verifier.rb/all.rr.org_txt_escapes_alg7.txt": (1269388800, V),
    "dnsruby/derived-from-test_tc_verifier.rb/real_in-addr-servers.arpa_nsec_uppercase.txt": (1269388800, V),
    "dnsruby/derived-from-test_tc_verifier.rb/real_rainiselevi.ee_ecdsap256.txt": (1593593644, V),
    "dnsruby/derived-from-test_tc_verifier.rb/rfc5702_6.1_rsasha256_9033.txt": (ts("20150101000000"), V),
    "dnsruby/derived-from-test_tc_verifier.rb/rfc5702_6.2_rsasha512_3740.txt": (ts("20150101000000"), V),
    "miekg-dns/derived-from-dnssec_test.go/rfc6605_6.1_ecdsap256.txt": (ts("20100901000000"), V),
    "miekg-dns/derived-from-dnssec_test.go/rfc6605_6.2_ecdsap384.txt": (ts("20100901000000"), V),
    "miekg-dns/derived-from-dnssec_test.go/rfc8080_6.1_ed25519_example1.txt": (ts("20150801000000"), V),
    "miekg-dns/derived-from-dnssec_test.go/rfc8080_6.1_ed25519_example2.txt": (ts("20150801000000"), V),
}
# not signature vectors: handled by test_key_tags
NON_SIGNATURE_VECTORS = {"ldns/derived-from-test_12-unit-tests-dnssec.c/keytags.txt"}

VECTOR_SOURCES = ("dnspython", "dnsruby", "miekg-dns", "ldns")


def test_every_vector_file_is_in_the_table(corpus):
    present = set()
    for src in VECTOR_SOURCES:
        for p in (corpus / src).glob("derived-from-*/*.txt"):
            present.add(str(p.relative_to(corpus)))
    assert present, "no vector files found"
    unknown = present - set(VECTORS) - NON_SIGNATURE_VECTORS
    assert not unknown, f"vector files without an expected verdict in the table: {sorted(unknown)}"
    missing = set(VECTORS) - present
    assert not missing, f"table lists files the corpus does not have: {sorted(missing)}"


def _header_consistent(text: str, wanted: Status) -> int | None:
    """The table must agree with the file's own expected: line."""
    m = re.search(r"^; expected: (.*)$", text, re.M)
    assert m, "vector without an expected: line"
    exp = m.group(1)
    if wanted == V:
        assert exp.startswith("VALID") or exp.startswith("the RRSIG verifies"), exp
    elif wanted == U:
        assert exp.startswith("UNSUPPORTED"), exp
    else:
        assert exp.startswith("INVALID"), exp
    vt = re.search(r"^; validation time: (\d+)", text, re.M)
    return int(vt.group(1)) if vt else None


def _vector_parts(text: str):
    recs = zonetext.parse(text)
    keys = [r for r in recs if r.rtype == "DNSKEY"]
    sigs = [r for r in recs if r.rtype == "RRSIG"]
    return keys, sigs


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_rrset_vector(corpus, name):
    path = corpus / name
    if not path.exists():
        pytest.fail(f"{name} is in the table but not in the corpus")
    text = path.read_text()
    now, wanted = VECTORS[name]
    header_time = _header_consistent(text, wanted)
    if header_time is not None:
        assert header_time == now, "table time differs from the header's validation time"
    keys, sigs = _vector_parts(text)
    assert len(sigs) == 1
    sig = sigs[0]
    origin = keys[0].owner
    signing = [k for k in keys if key_tag(k.rdata_text) == sig.key_tag] or keys
    small = min((b for b in (rsa_bits(k.rdata_text) for k in signing) if b), default=None)
    allowed = allowed_statuses(wanted, sig.algorithm, small)
    if wanted == U:
        allowed = {Status.UNSUPPORTED_ALGORITHM}
    r = zoneverify.verify_zone(path, origin=origin, now=now, zone_checks=False)
    assert len(r.status) == 1
    got = Status(int(r.status[0]))
    assert got in allowed, f"{name}: got {got.name}, allowed {[s.name for s in allowed]}"
    assert r.ok == (got == V)
    assert int(r.key_tag[0]) == sig.key_tag
    assert int(r.algorithm[0]) == sig.algorithm


def test_ed448_vectors(corpus):
    """Ed448 (16) is verified: the good dnspython vectors (RFC 8080 §6.2 as
    corrected by erratum 4935) are valid, the changed MX is not."""
    d = corpus / "dnspython/derived-from-tests_test_dnssec.py"
    results = {}
    for n in ("ed448_mx_key1_good", "ed448_mx_key2_good", "ed448_mx_key1_bad_data"):
        r = zoneverify.verify_zone(d / f"{n}.txt", origin="example.com.", now=1440021600, zone_checks=False)
        results[n] = Status(int(r.status[0]))
    assert 16 in supported()
    assert results == {"ed448_mx_key1_good": V, "ed448_mx_key2_good": V,
                       "ed448_mx_key1_bad_data": B}


# ------------------------------------------------------------ key tags


def test_key_tags(corpus):
    text = (corpus / "ldns/derived-from-test_12-unit-tests-dnssec.c/keytags.txt").read_text()
    pairs = re.findall(r"^([^;\n].*?)\n; expected key tag: (\d+)$", text, re.M)
    assert len(pairs) == 4
    for line, tag in pairs:
        assert zoneverify.key_tag(line) == int(tag), line
        rdata = re.split(r"\s(?:CDNSKEY|DNSKEY)\s", line, maxsplit=1)[1]
        assert zoneverify.key_tag(rdata) == int(tag), rdata


# ------------------------------------------------------------ Unbound


# file -> verification time (MANIFEST, unbound section)
UNBOUND = {
    "test_signatures.1": "20070818005004", "test_signatures.2": "20080414005004",
    "test_signatures.3": "20080416005004", "test_signatures.4": "20080416005004",
    "test_signatures.5": "20080416005004", "test_signatures.6": "20080416005004",
    "test_signatures.7": "20070829144150", "test_signatures.8": "20070829144150",
    "test_signatures.9": "20171215000000",
    "test_sigs.ecdsa_p256": "20100908100439", "test_sigs.ecdsa_p384": "20100908100439",
    "test_sigs.ed25519": "20170530140439", "test_sigs.ed448": "20180408143630",
    "test_sigs.gost": "20090807060504", "test_sigs.hinfo": "20090107100022",
    "test_sigs.revoked": "20080414005004", "test_sigs.rsasha256": "20070829144150",
    "test_sigs.rsasha256_draft": "20090101000000",
    "test_sigs.rsasha512_draft": "20070829144150",
    "test_sigs.sha1_and_256": "20070829144150",
}


def unbound_entries(text: str):
    """ENTRY blocks as (qname, [record lines])."""
    out = []
    for block in re.findall(r"^ENTRY_BEGIN\n(.*?)^ENTRY_END", text, re.M | re.S):
        qname, recs, section = None, [], None
        for line in block.splitlines():
            s = line.strip()
            if not s or s.startswith(";"):
                continue
            if s.startswith("SECTION"):
                section = s.split()[1]
                continue
            if section == "QUESTION":
                qname = s.split()[0].lower()
            elif section in ("ANSWER", "AUTHORITY", "ADDITIONAL"):
                recs.append(s)
            # other keywords (MATCH, REPLY, ...) are not records
        out.append((qname, recs))
    return out


def _norm(line: str) -> tuple:
    return tuple(t.text.lower() for t in zonetext.parse(line, ".")[0].rdata) + \
        (zonetext.parse(line, ".")[0].owner, zonetext.parse(line, ".")[0].rtype)


def unbound_cases(corpus: Path):
    for fname in sorted(UNBOUND):
        path = corpus / "unbound/testdata" / fname
        entries = unbound_entries(path.read_text())
        key_lines = [ln for ln in entries[0][1] if zonetext.parse(ln, ".")[0].rtype == "DNSKEY"]
        origin = zonetext.parse(key_lines[0], ".")[0].owner
        for i, (qname, lines) in enumerate(entries[1:], start=1):
            yield fname, i, qname, origin, key_lines, lines


def test_unbound_files_are_all_in_the_table(corpus):
    present = {p.name for p in (corpus / "unbound/testdata").glob("test_sig*")}
    assert present == set(UNBOUND)


@pytest.mark.parametrize("fname", sorted(UNBOUND))
def test_unbound_vectors(corpus, fname):
    now = ts(UNBOUND[fname])
    checked = 0
    problems = []
    for _f, i, qname, origin, key_lines, lines in unbound_cases(corpus):
        if _f != fname:
            continue
        recs = [zonetext.parse(ln, ".")[0] for ln in lines]
        sigs = [r for r in recs if r.rtype == "RRSIG"]
        if not sigs:
            continue  # unsigned RRsets are BOGUS for a resolver; nothing to verify here
        keyset = {_norm(k) for k in key_lines}
        body = [ln for ln in lines if _norm(ln) not in keyset]
        # $TTL: some vector records carry no TTL (it is not signed data)
        zone = "$TTL 3600\n" + "\n".join(key_lines + body) + "\n"
        bogus = (qname or "").startswith("bogus") or any(r.owner.startswith("bogus") for r in recs)
        keys = [zonetext.parse(k, ".")[0] for k in key_lines] + \
            [r for r in recs if r.rtype == "DNSKEY"]
        bits: dict[int, int | None] = {}
        for k in keys:
            b = rsa_bits(k.rdata_text)
            a = zonetext.algorithm_number(k.rdata_text[2])
            if b and (bits.get(a) is None or b < bits[a]):
                bits[a] = b
        r = zoneverify.verify_zone(zone, origin=origin, now=now, zone_checks=False)
        assert len(r.status) == len(sigs), (fname, i)
        got = [Status(int(s)) for s in r.status]
        algs = [int(a) for a in r.algorithm]
        for st, alg in zip(got, algs):
            if alg not in supported() and st != U:
                problems.append((fname, i, qname, f"alg {alg} unsupported but {st.name}"))
        if bogus:
            if all(st == V for st in got):
                problems.append((fname, i, qname, "BOGUS entry reported all VALID"))
        else:
            for st, alg in zip(got, algs):
                ok = allowed_statuses(V, alg, bits.get(alg))
                if st not in ok:
                    problems.append((fname, i, qname, f"SECURE entry: {st.name} (alg {alg})"))
        checked += 1
    assert checked, f"{fname}: no signed entry found"
    assert not problems, problems


# ------------------------------------------------------------ full zones


def all_statuses(path: Path, origin: str | None, now: int, wanted: Status, **kw):
    text = path.read_text(errors="replace")
    sigs = zonetext.rrsigs(text, origin or ".")
    r = zoneverify.verify_zone(path, origin=origin, now=now, zone_checks=False, **kw)
    assert r.counts["rrsigs"] == len(sigs) == len(r.status)
    bad = []
    for st, alg, tag, o, t in zip(r.status, r.algorithm, r.key_tag, r.owner, r.type_covered):
        exp = wanted if int(alg) in supported() else U
        if Status(int(st)) != exp:
            bad.append((r.names[int(o)], int(t), int(tag), Status(int(st)).name, exp.name))
    assert not bad, bad[:20]
    return r


FULL_VALID = [
    # (path, origin, time, note) - MANIFEST verdict VALID at that time
    ("validns/t/zones/example.sec.signed", "example.sec.", 1501789043),
    ("validns/t/issues/51-support-curved-algorithms/13.example.com.signed", "13.example.com.", 1459259658),
    ("validns/t/issues/51-support-curved-algorithms/14.example.com.signed", "14.example.com.", 1459259658),
    ("validns/t/issues/nsec-chain/example.com.signed", "example.com.", 1361306089),
    ("jschlyter-kskr-sentinel/root.zone.signed", ".", ts("20151101000000")),
    ("dnst/derived-from-src_commands_signzone.rs/rfc_4035_nsec_signed_zone_example.zone",
     "example.", ts("20040420000000")),
    # window 20051021000000..20150420235959 read from the zone's RRSIGs
    ("dnst/derived-from-src_commands_signzone.rs/rfc_5155_nsec3_signed_zone_example.zone",
     "example.", ts("20100101000000")),
]


@pytest.mark.parametrize("rel,origin,now", FULL_VALID, ids=[f[0].split("/")[-1] + "@" + f[0].split("/")[0] for f in FULL_VALID])
def test_full_zone_valid(corpus, rel, origin, now):
    r = all_statuses(corpus / rel, origin, now, V)
    assert r.ok == all(int(a) in supported() for a in r.algorithm)


def test_rfc5155_window_contains_the_test_time(corpus):
    text = (corpus / FULL_VALID[-1][0]).read_text()
    sigs = zonetext.rrsigs(text, "example.")
    assert all(ts(s.rdata_text[5]) <= FULL_VALID[-1][2] <= ts(s.rdata_text[4]) for s in sigs)


def test_validns_example_sec_too_new_and_too_old(corpus):
    p = corpus / "validns/t/zones/example.sec.signed"
    all_statuses(p, "example.sec.", 1303720010, N)
    all_statuses(p, "example.sec.", 1561789043, E)


def test_real_root_zone_2017(corpus):
    p = corpus / "pspacek-dnscache_simulator/root.zone"
    r = all_statuses(p, None, ts("20170827000000"), V)
    assert r.counts["rrsigs"] == 2950
    assert r.ok


def test_bind10_rfc5155_512_bit_keys_are_unsupported(corpus):
    p = corpus / "bind10/src/lib/testutils/testdata/rfc5155-example.zone.signed"
    now = ts("20100101000000")
    r = zoneverify.verify_zone(p, origin="example.", now=now, zone_checks=False)
    assert len(r.status) == len(zonetext.rrsigs(p.read_text(), "example.")) == 30
    assert (r.status == Status.UNSUPPORTED_KEY).all(), set(r.status.tolist())
    assert not r.ok
    # Nothing verified: no pass, whatever the options (with and without the
    # zone checks, which report it as nothing-verified).
    assert not zoneverify.verify_zone(p, origin="example.", now=now, allow_unsupported=True, zone_checks=False).ok
    full = zoneverify.verify_zone(p, origin="example.", now=now, allow_unsupported=True)
    assert not full.ok
    assert [f.code for f in full.errors] == ["nothing-verified"], [str(f) for f in full.errors]


def test_pdns_uppercase_nsec_rdata(corpus):
    """RFC 6840 s5.1: NSEC next names are not lower-cased for signing, so the
    12 NSEC RRSIGs (made over lower case) fail; everything else verifies."""
    p = corpus / ("pdns/regression-tests.nobackend/zonemd-test-cases/zones/"
                  "50-uppercase-nsec-rdata-names/arpa.zone.hashed")
    r = zoneverify.verify_zone(p, origin="arpa.", now=ts("20210701000000"), zone_checks=False)
    sigs = zonetext.rrsigs(p.read_text(), "arpa.")
    assert len(r.status) == len(sigs) == 25
    nsec = [s.covered == "NSEC" for s in sigs]
    assert sum(nsec) == 12
    by_line = {s.start_line + 1: s.covered for s in sigs}
    for st, ln in zip(r.status, r.line):
        exp = B if by_line[int(ln)] == "NSEC" else V
        assert Status(int(st)) == exp, (int(ln), by_line[int(ln)], Status(int(st)).name)
    assert {f.type for f in r.findings} == {"NSEC"} and len(r.findings) == 12

"""The batch API: Verifier over dnspython objects, wire RRs and raw signed data.

Zones come from a real signer (BIND's dnssec-signzone via the session
fixture); single RRsets are signed by dnspython with keys made here.
"""

from __future__ import annotations

import io
import random
import threading
from collections import Counter

import numpy as np
import pytest

dns = pytest.importorskip("dns")
import dns.dnssec  # noqa: E402
import dns.name  # noqa: E402
import dns.node  # noqa: E402
import dns.rdata  # noqa: E402
import dns.rdataset  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.rrset  # noqa: E402
import dns.zone  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, ed25519  # noqa: E402

import mutations  # noqa: E402
import signers  # noqa: E402
import zoneverify  # noqa: E402
from zoneverify import Status, Verifier, _wire  # noqa: E402

NOW = 1_800_000_000
ORIGIN = dns.name.from_text("example.")


@pytest.fixture(scope="module")
def p256():
    priv = ec.generate_private_key(ec.SECP256R1())
    key = dns.dnssec.make_dnskey(priv.public_key(), 13, flags=257)
    return priv, key, dns.rrset.from_rdata(ORIGIN, 3600, key)


def sign(rrset, priv, key, signer=ORIGIN, inception=NOW - 3600, expiration=NOW + 86400, **kw):
    sig = dns.dnssec.sign(rrset, priv, signer, key, inception=inception, expiration=expiration, **kw)
    return dns.rrset.from_rdata(rrset.name, rrset.ttl, sig)


def a_rrset(i: int, owner: str | None = None):
    return dns.rrset.from_text(owner or f"h{i}.example.", 300, "IN", "A",
                               f"192.0.2.{i % 250}", f"198.51.100.{i % 200}")


def wire_of(*rrsets) -> bytes:
    f = io.BytesIO()
    for rs in rrsets:
        rs.to_wire(f)
    return f.getvalue()


def statuses(r) -> list[str]:
    return [Status(int(s)).code for s in r.status]


# --- encoders -------------------------------------------------------------

RDATA_SAMPLES = [
    ("A", "192.0.2.1"), ("AAAA", "2001:db8::1"), ("AAAA", "::ffff:192.0.2.1"),
    ("NS", "ns1.Example.COM."), ("NS", "ns1"), ("CNAME", "target.example."), ("PTR", "p.example."),
    ("DNAME", "d.example."), ("DS", "12345 13 2 " + "ab" * 32), ("CDS", "0 0 0 00"),
    ("DNSKEY", "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="),
    ("CDNSKEY", "0 3 0 AA=="),
    ("RRSIG", "A 13 2 300 20300101000000 20200101000000 12345 Example. " + "AAEC" * 16),
    ("RRSIG", "NS 8 1 300 20300101000000 20200101000000 1 sub " + "AAEC" * 16),
    ("NSEC", "Next.example. A NS SOA RRSIG NSEC DNSKEY TYPE65534"), ("NSEC", "n A"),
    ("NSEC3", "1 1 10 aabb 2t7b4g4vsa5smi47k61mv5bv1a22bojr A RRSIG"),
    ("NSEC3", "1 0 0 - 2t7b4g4vsa5smi47k61mv5bv1a22bojr"),
    ("TXT", '"a" "" "bc\\"d"'), ("TXT", '"' + "x" * 255 + '"'),
    ("MX", "10 mail.example."), ("MX", "0 mail"), ("SRV", "1 2 3 srv"), ("SOA", "ns. host. 1 2 3 4 5"), ("SRV", "0 1 2 t.example."),
    ("CAA", '0 issue "ca.example"'), ("SVCB", "1 . alpn=h2"), ("NAPTR", '1 2 "s" "E2U" "" r.example.'),
]


@pytest.mark.parametrize("rdtype,text", RDATA_SAMPLES, ids=[f"{t}-{i}" for i, (t, _) in enumerate(RDATA_SAMPLES)])
def test_fast_encoders_match_dnspython_to_wire(rdtype, text):
    rd = dns.rdata.from_text("IN", rdtype, text, origin=ORIGIN, relativize=True, relativize_to=ORIGIN)
    assert _wire.rdata_wire(rd, ORIGIN) == rd.to_wire(origin=ORIGIN)


def test_relative_name_without_origin_is_a_clear_error():
    rd = dns.rdata.from_text("IN", "NS", "ns1", origin=ORIGIN, relativize=True, relativize_to=ORIGIN)
    with pytest.raises(ValueError, match="relative name 'ns1'"):
        _wire.rdata_wire(rd, None)


# --- Verifier construction -----------------------------------------------

def test_verifier_from_every_key_form(p256):
    priv, key, keys = p256
    text = keys.to_text() + "\n"
    wire = wire_of(keys)
    node = dns.node.Node()
    node.replace_rdataset(keys.to_rdataset())
    forms = [Verifier(keys), Verifier(keys.to_rdataset(), "example."), Verifier(node, ORIGIN),
             Verifier([key], "example"), Verifier(text), Verifier(wire), Verifier(text, "example."),
             Verifier({ORIGIN: keys}), Verifier({"example.": node}), Verifier({ORIGIN: keys}, "Example.")]
    tags = {Verifier(keys).keys[0].key_tag}
    assert tags == {dns.dnssec.key_id(key)}
    for v in forms:
        assert v.origin.lower() == "example."
        assert [(k.key_tag, k.algorithm, k.flags, k.bits, k.problem) for k in v.keys] == \
            [(dns.dnssec.key_id(key), 13, 257, 256, None)]


def test_verifier_argument_errors(p256):
    _, key, keys = p256
    with pytest.raises(ValueError, match="origin is required"):
        Verifier(keys.to_rdataset())
    with pytest.raises(ValueError, match="not the origin"):
        Verifier(keys, "other.")
    with pytest.raises(ValueError, match="no DNSKEY"):
        Verifier("example. 300 IN A 192.0.2.1\n")
    with pytest.raises(ValueError, match="no DNSKEY"):
        Verifier([], "example.")
    with pytest.raises(TypeError, match="expected DNSKEY"):
        Verifier(a_rrset(1), "h1.example.")
    with pytest.raises(ValueError, match="jobs"):
        Verifier(keys, jobs=0)
    with pytest.raises(zoneverify.ZoneParseError) as e:
        Verifier("example. 300 IN DNSKEY 257 3 13 !!!\n")
    assert e.value.line == 1
    with pytest.raises(ValueError, match="truncated"):
        Verifier(wire_of(keys)[:-3])
    with pytest.raises(TypeError):
        Verifier(42)
    with pytest.raises(ValueError, match="exactly one signer"):
        Verifier({ORIGIN: keys, dns.name.from_text("b."): keys})
    with pytest.raises(ValueError, match="is not the origin"):
        Verifier({ORIGIN: keys}, "other.")


def test_unusable_key_is_described(p256):
    v = Verifier("example. 300 IN DNSKEY 256 3 12 " + "A" * 88 + "\n"
                 "example. 300 IN DNSKEY 256 3 13 AAAA\n"
                 "example. 300 IN DNSKEY 256 3 16 " + "A" * 76 + "\n"
                 "example. 300 IN DNSKEY 256 3 16 " + "A" * 80 + "\n")
    probs = [k.problem for k in v.keys]
    assert probs[0] == "unsupported algorithm 12 (ECC-GOST)"
    assert probs[1] and "expected 64" in probs[1], probs
    # 57 zero octets: y = 0, a point of order 4.
    assert probs[2] and "prime-order subgroup" in probs[2], probs
    assert probs[3] and "Ed448 key of 60 octets, expected 57" in probs[3], probs
    assert [k.bits for k in v.keys] == [None] * 4


# --- verify() on dnspython objects ---------------------------------------

def test_every_status_from_dnspython_pairs(p256):
    priv, key, keys = p256
    v = Verifier(keys, now=NOW)
    good = a_rrset(1)
    other_zone = dns.name.from_text("other.")
    outside = a_rrset(2, "h2.elsewhere.")
    cases = [
        ("valid", good, sign(good, priv, key)),
        ("bad-signature", a_rrset(3), sign(a_rrset(4, "h3.example."), priv, key)),
        ("expired", good, sign(good, priv, key, inception=NOW - 10, expiration=NOW - 1)),
        ("not-yet-valid", good, sign(good, priv, key, inception=NOW + 1, expiration=NOW + 10)),
        ("signer-not-apex", good, sign(good, priv, key, signer=other_zone)),
        ("signer-not-apex", outside, sign(outside, priv, key)),
        ("no-rrsig", good, None),
    ]
    # An RRSIG whose key tag matches no key.
    other_priv = ec.generate_private_key(ec.SECP256R1())
    other_key = dns.dnssec.make_dnskey(other_priv.public_key(), 13)
    cases.append(("no-matching-key", good, sign(good, other_priv, other_key)))
    # Labels larger than the owner's.
    s = sign(good, priv, key)
    big = s[0].replace(labels=5)
    cases.append(("labels-too-large", good, dns.rrset.from_rdata(good.name, 300, big)))
    # An RRSIG over another type than the RRset's.
    aaaa = dns.rrset.from_text("h1.example.", 300, "IN", "AAAA", "2001:db8::1")
    cases.append(("orphan-rrsig", good, sign(aaaa, priv, key)))
    r = v.verify([(a, b) for _, a, b in cases])
    assert [Status(int(s)).code for s in r.rrset_status] == [c for c, _, _ in cases]
    assert r.rrsets == len(cases) and len(r) == len(cases) - 1
    assert not r.ok
    for f in r.failures():
        assert f.reason, f
    assert r.owner(0) == "h1.example."
    assert r.counts["rrsets_by_status"]["no-rrsig"] == 1


def test_rrset_verdict_is_the_first_failing_rrsig(p256):
    priv, key, keys = p256
    rs = a_rrset(7)
    ok = sign(rs, priv, key)[0]
    expired = sign(rs, priv, key, inception=NOW - 10, expiration=NOW - 1)[0]
    sigs = dns.rrset.from_rdata_list(rs.name, 300, [ok, expired])
    r = Verifier(keys, now=NOW).verify([(rs, sigs)])
    assert sorted(statuses(r)) == ["expired", "valid"]
    assert Status(int(r.rrset_status[0])) == Status.EXPIRED
    assert int(r.rrset_rrsigs[0]) == 2
    assert list(r.item) == [0, 0]


def test_tuple_forms_relative_names_and_case(p256):
    priv, key, keys = p256
    rs = a_rrset(8)
    sig = sign(rs, priv, key)
    rel = dns.name.from_text("h8", None)
    upper = dns.name.from_text("H8.EXAMPLE.")
    batch = [
        ((rs.name, rs.to_rdataset()), (sig.name, sig.to_rdataset())),
        ((rel, rs.to_rdataset()), (rel, sig.to_rdataset())),
        ((upper, rs.to_rdataset()), (upper, sig.to_rdataset())),
        (("h8.example.", rs.to_rdataset()), sig),
    ]
    r = Verifier(keys, now=NOW).verify(batch)
    assert statuses(r) == ["valid"] * 4


def test_zone_and_node_batches(p256):
    priv, key, keys = p256
    z = dns.zone.Zone(ORIGIN)
    for i in range(20):
        rs = a_rrset(i)
        sig = sign(rs, priv, key)
        node = z.find_node(rs.name.relativize(ORIGIN), create=True)
        node.replace_rdataset(rs.to_rdataset())
        node.replace_rdataset(sig.to_rdataset())
    # An unsigned RRset and an RRSIG without its RRset.
    n = z.find_node(dns.name.from_text("u", None), create=True)
    n.replace_rdataset(a_rrset(99, "u.example.").to_rdataset())
    lone = sign(dns.rrset.from_text("l.example.", 300, "IN", "TXT", "x"), priv, key)
    z.find_node(dns.name.from_text("l", None), create=True).replace_rdataset(lone.to_rdataset())
    v = Verifier(keys, now=NOW)
    for batch in (z, z.items(), list(z.nodes.items())):
        r = v.verify(batch)
        assert Counter(Status(int(s)).code for s in r.rrset_status) == \
            {"valid": 20, "no-rrsig": 1, "orphan-rrsig": 1}, batch


def test_batch_shape_errors(p256):
    _, _, keys = p256
    v = Verifier(keys, now=NOW)
    with pytest.raises(TypeError, match="batch item 0"):
        v.verify([a_rrset(1)])
    with pytest.raises(TypeError, match="batch item 1"):
        v.verify([(a_rrset(1), None), (1, 2)])
    with pytest.raises(TypeError, match="both"):
        v.verify([(None, None)])
    with pytest.raises(TypeError, match="batch item 0: expected an RRSIG rdataset"):
        v.verify([(a_rrset(1), a_rrset(1))])
    r = v.verify([])
    assert r.rrsets == 0 and len(r) == 0 and not r.ok


def test_unsupported_algorithm_is_never_valid():
    # DSA (3): dnspython signs it, zoneverify does not verify it.
    from cryptography.hazmat.primitives.asymmetric import dsa
    priv = dsa.generate_private_key(1024)
    key = dns.dnssec.make_dnskey(priv.public_key(), 3)
    keys = dns.rrset.from_rdata(ORIGIN, 3600, key)
    rs = a_rrset(1)
    allow = dns.dnssec.allow_all_policy  # dnspython's default policy refuses DSA
    sigs = sign(rs, priv, key, policy=allow)
    dns.dnssec.validate(rs, sigs, {ORIGIN: keys}, now=NOW, policy=allow)
    r = Verifier(keys, now=NOW).verify([(rs, sigs)])
    assert statuses(r) == ["unsupported-algorithm"] and not r.ok


def test_ed448_through_the_batch_api():
    from cryptography.hazmat.primitives.asymmetric import ed448
    priv = ed448.Ed448PrivateKey.generate()
    key = dns.dnssec.make_dnskey(priv.public_key(), 16)
    keys = dns.rrset.from_rdata(ORIGIN, 3600, key)
    v = Verifier(keys, now=NOW)
    assert [(k.algorithm, k.bits, k.problem) for k in v.keys] == [(16, 456, None)]
    rs = [a_rrset(i) for i in range(4)]
    sigs = [sign(x, priv, key) for x in rs]
    bad = sigs[3][0].replace(signature=bytes([sigs[3][0].signature[0] ^ 1]) + sigs[3][0].signature[1:])
    other_data = a_rrset(2, owner="h1.example.")  # the owner of sigs[1], other addresses
    r = v.verify([(rs[0], sigs[0]), (rs[1], sigs[1]), (other_data, sigs[1]),
                  (rs[3], dns.rrset.from_rdata(rs[3].name, 300, bad))])
    assert statuses(r) == ["valid", "valid", "bad-signature", "bad-signature"], r.failures()
    assert r.algorithm.tolist() == [16] * 4


# --- wire path --------------------------------------------------------------

def test_verify_wire_and_its_errors(p256):
    priv, key, keys = p256
    v = Verifier(keys, now=NOW)
    rs = a_rrset(1)
    sig = sign(rs, priv, key)
    wire = wire_of(rs, sig)
    r = v.verify_wire(wire, [2], [1])
    assert statuses(r) == ["valid"]
    for buf in (bytearray(wire), memoryview(wire), np.frombuffer(wire, np.uint8)):
        assert statuses(v.verify_wire(buf, np.array([2]), np.array([1]))) == ["valid"]
    with pytest.raises(ValueError, match="add up to 4"):
        v.verify_wire(wire, [2], [2])
    with pytest.raises(ValueError, match="rr_counts has 2 items"):
        v.verify_wire(wire, [2, 0], [1])
    with pytest.raises(ValueError, match="truncated"):
        v.verify_wire(wire[:-1], [2], [1])
    with pytest.raises(TypeError, match="wire"):
        v.verify_wire("text", [2], [1])


# --- raw path ---------------------------------------------------------------

def raw_inputs(pairs, origin):
    data, sigs, doff, soff = [], [], [0], [0]
    meta = []
    for i, (rrset, rrsigset) in enumerate(pairs):
        for rrsig in rrsigset:
            d = dns.dnssec._make_rrsig_signature_data(rrset, rrsig, origin)
            data.append(d)
            sigs.append(rrsig.signature)
            doff.append(doff[-1] + len(d))
            soff.append(soff[-1] + len(rrsig.signature))
            meta.append((i, rrsig.key_tag, rrsig.algorithm))
    return b"".join(data), np.array(doff), b"".join(sigs), np.array(soff), meta


def test_raw_path_buffers_key_index_and_algorithm(p256):
    priv, key, keys = p256
    v = Verifier(keys, now=NOW)
    pairs = [(a_rrset(i), sign(a_rrset(i), priv, key)) for i in range(100)]
    data, doff, sigs, soff, meta = raw_inputs(pairs, ORIGIN)
    for d in (data, bytearray(data), memoryview(data), np.frombuffer(data, np.uint8)):
        r = v.verify_raw(d, doff, sigs, soff)
        assert r.ok and len(r) == 100
    r = v.verify_raw(data, doff, sigs, soff, key_index=np.zeros(100, np.int64), algorithm=np.full(100, 13))
    assert r.ok
    assert list(r.key_tag) == [m[1] for m in meta] and set(r.algorithm) == {13}
    alg = np.full(100, 13)
    alg[5] = 8
    r = v.verify_raw(data, doff, sigs, soff, algorithm=alg)
    assert statuses(r)[5] == "malformed" and "algorithm[5]" in r.reason(5)
    # A flipped signature byte: exactly that item fails.
    bad = bytearray(sigs)
    bad[int(soff[7]) + 3] ^= 1
    r = v.verify_raw(data, doff, bad, soff)
    assert [i for i, s in enumerate(statuses(r)) if s != "valid"] == [7]
    assert statuses(r)[7] == "bad-signature"
    # Argument errors name the argument.
    with pytest.raises(ValueError, match="key_index\\[0\\] is 1"):
        v.verify_raw(data, doff, sigs, soff, key_index=np.ones(100, np.int64))
    with pytest.raises(ValueError, match="past the end"):
        v.verify_raw(data[:-1], doff, sigs, soff)
    with pytest.raises(ValueError, match="must not decrease"):
        v.verify_raw(data, doff[::-1].copy(), sigs, soff)
    with pytest.raises(ValueError, match="describes 100 items but sig_offsets 99"):
        v.verify_raw(data, doff, sigs[:int(soff[-2])], soff[:-1])
    with pytest.raises(ValueError, match="plus the buffer's length"):
        v.verify_raw(data, doff[:-1], sigs, soff[:-1])  # the end offset forgotten
    with pytest.raises(TypeError, match="must hold integers"):
        v.verify_raw(data, doff.astype(float), sigs, soff)
    with pytest.raises(ValueError, match="outside int64"):
        v.verify_raw(data, doff.astype(np.uint64) + np.uint64(2**63), sigs, soff)
    with pytest.raises(ValueError, match="one-dimensional"):
        v.verify_raw(data, doff.reshape(1, -1), sigs, soff)
    with pytest.raises(ValueError, match="C-contiguous"):
        v.verify_raw(np.frombuffer(data + data, np.uint8)[::2], doff, sigs, soff)


# --- three paths on a real signer's zone -----------------------------------

def per_rrsig(keys_and_status):
    return Counter(keys_and_status)


def test_raw_dnspython_and_file_paths_agree(signed_zone_factory, tmp_path):
    """On a BIND-signed zone with one flipped signature: verify_zone on the
    file, Verifier.verify on the dns.zone.Zone and Verifier.verify_raw on
    signed data built by dnspython give the same status for every RRSIG."""
    signed = signed_zone_factory("bind", 13, False)
    text, expected = mutations.flip_signature(signed.text, signed.origin, signed.zsk.tag)
    path = tmp_path / "flipped.zone"
    path.write_text(text)
    now = signers.NOW

    rep = zoneverify.verify_zone(path, now=now, zone_checks=False)
    names = [n.lower() for n in rep.names]
    file_view = Counter((names[int(o)], int(t), int(k), Status(int(s)).code)
                        for o, t, k, s in zip(rep.owner, rep.type_covered, rep.key_tag, rep.status))
    assert Counter(c for *_, c in file_view.elements())["bad-signature"] == 1

    zone = dns.zone.from_file(str(path), origin=signed.origin, relativize=False)
    v = Verifier(zone, now=now)
    r = v.verify(zone)
    # Items whose owners and RRSIGs line up with the report rows.
    obj_view = Counter()
    for row in range(len(r)):
        item = int(r.item[row])
        obj_view[(r.owner(item).lower(), int(r.type_covered[row]), int(r.key_tag[row]),
                  Status(int(r.status[row])).code)] += 1
    assert obj_view == file_view

    pairs = []
    for name, node in zone.items():
        for rds in node.rdatasets:
            if rds.rdtype == dns.rdatatype.RRSIG:
                covered = node.get_rdataset(rds.rdclass, rds.covers)
                pairs.append(((name, covered), rds))
    data, doff, sigs, soff, meta = raw_inputs(pairs, zone.origin)
    rr = v.verify_raw(data, doff, sigs, soff)
    raw_view = Counter()
    for row, (i, tag, _alg) in enumerate(meta):
        name, rds = pairs[i][0]
        raw_view[(name.to_text().lower(), rds.rdtype, tag, Status(int(rr.status[row])).code)] += 1
    assert raw_view == file_view
    # And verify_zone on the dns.zone.Zone gives the file's report.
    rz = zoneverify.verify_zone(zone, now=now, zone_checks=False)
    assert sorted(statuses(rz)) == sorted(statuses(rep))
    assert expected  # the mutation helper named the broken RRSIG


def test_verify_zone_accepts_a_dns_zone_with_zone_checks(signed_zone_factory):
    signed = signed_zone_factory("bind", 13, False)
    zone = dns.zone.from_file(str(signed.path), origin=signed.origin, relativize=True)
    a = zoneverify.verify_zone(signed.path, now=signers.NOW)
    b = zoneverify.verify_zone(zone, now=signers.NOW)
    assert a.ok and b.ok and len(a) == len(b)
    assert b.files == ["<dns.zone.Zone>"]
    # A zone defect is found in the dns.zone.Zone too: remove an NSEC.
    name = next(n for n, node in zone.items() if node.get_rdataset(1, dns.rdatatype.NSEC) and n != zone.origin
                and not node.get_rdataset(1, dns.rdatatype.NS))
    zone.find_node(name).delete_rdataset(1, dns.rdatatype.NSEC)
    zone.find_node(name).delete_rdataset(1, dns.rdatatype.RRSIG, dns.rdatatype.NSEC)
    c = zoneverify.verify_zone(zone, now=signers.NOW)
    assert not c.ok
    assert any(f.code.startswith("nsec") for f in c.errors), c.errors


# --- threads ----------------------------------------------------------------

def test_four_threads_share_one_verifier(p256):
    """Four Python threads use one Verifier at once: each gets its own
    correct answer, and the GIL is released while Rust works (the spans in
    which the threads' calls ran without the GIL overlap: with the GIL held
    they could not)."""
    priv, key, keys = p256
    v = Verifier(keys, now=NOW, jobs=1)
    pairs = [(a_rrset(i), sign(a_rrset(i), priv, key)) for i in range(300)]
    data, doff, sigs, soff, _ = raw_inputs(pairs, ORIGIN)
    # Big enough that one call takes a while: repeat the items.
    reps = 8
    big_data = data * reps
    big_doff = np.concatenate([doff[:-1] + k * len(data) for k in range(reps)] + [[len(data) * reps]])
    results: dict[int, object] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work(t: int) -> None:
        try:
            bad = bytearray(sigs * reps)
            flip = t * 10  # each thread breaks a different item
            soffs = np.concatenate([soff[:-1] + k * len(sigs) for k in range(reps)] + [[len(sigs) * reps]])
            bad[int(soffs[flip]) + 1] ^= 0xFF
            barrier.wait()
            r1 = v.verify_raw(big_data, big_doff, bytes(bad), soffs)
            r2 = v.verify(pairs[t::4])
            results[t] = (r1, r2, flip)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    spans = []
    for t, (r1, r2, flip) in results.items():
        assert [i for i, s in enumerate(statuses(r1)) if s != "valid"] == [flip]
        assert r2.ok and r2.rrsets == 75
        spans.append((r1.timings["detached_start"], r1.timings["detached_end"]))
    spans.sort()
    overlaps = sum(1 for a, b in zip(spans, spans[1:]) if b[0] < a[1])
    assert overlaps >= 1, spans


def test_jobs_do_not_change_results(p256):
    priv, key, keys = p256
    rng = random.Random(3)
    pairs = []
    for i in range(200):
        rs = a_rrset(i)
        sig = sign(rs, priv, key) if rng.random() < 0.8 else sign(a_rrset(i + 1, rs.name.to_text()), priv, key)
        pairs.append((rs, sig))
    a = Verifier(keys, now=NOW, jobs=1).verify(pairs)
    b = Verifier(keys, now=NOW, jobs=2).verify(pairs)
    assert list(a.status) == list(b.status) and a.threads == 1 and b.threads == 2
    assert 0 < int(np.sum(a.status != 0)) < 200

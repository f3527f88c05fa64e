"""zoneverify.dnssec against dns.dnssec: a differential test (hypothesis).

dnspython signs random RRsets of several types for algorithms 8, 13, 14
and 15 with random validity windows; zoneverify's validate must give the
same verdict as dns.dnssec.validate, and after a one-byte flip of the
signature or of the RRset's data both must reject it.
"""

from __future__ import annotations

import pytest

dns = pytest.importorskip("dns")
import dns.dnssec  # noqa: E402
import dns.name  # noqa: E402
import dns.node  # noqa: E402
import dns.rdata  # noqa: E402
import dns.rdataclass  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.rrset  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa  # noqa: E402
from hypothesis import HealthCheck, assume, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import zoneverify.dnssec as zdnssec  # noqa: E402

ORIGIN = dns.name.from_text("Example.")
NOW = 1_800_000_000
ALGORITHMS = [8, 13, 14, 15, 16]


def _private(alg: int):
    if alg == 8:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if alg == 13:
        return ec.generate_private_key(ec.SECP256R1())
    if alg == 14:
        return ec.generate_private_key(ec.SECP384R1())
    if alg == 15:
        return ed25519.Ed25519PrivateKey.generate()
    if alg == 16:
        return ed448.Ed448PrivateKey.generate()
    if alg == 3:
        return dsa.generate_private_key(1024)
    raise ValueError(alg)


_KEYS: dict[int, tuple] = {}


def keypair(alg: int):
    if alg not in _KEYS:
        priv = _private(alg)
        key = dns.dnssec.make_dnskey(priv.public_key(), alg, flags=256)
        _KEYS[alg] = (priv, key, {ORIGIN: dns.rrset.from_rdata(ORIGIN, 3600, key)})
    return _KEYS[alg]


label = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=1, max_size=12)
names = st.lists(label, min_size=1, max_size=3).map(lambda ls: ".".join(ls))
ipv4 = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))
ipv6 = st.lists(st.integers(0, 0xFFFF), min_size=8, max_size=8).map(lambda v: ":".join(f"{x:x}" for x in v))
txt = st.lists(st.binary(max_size=40).map(lambda b: '"' + "".join(f"\\{c:03d}" for c in b) + '"'),
               min_size=1, max_size=3).map(" ".join)
mx = st.tuples(st.integers(0, 65535), names).map(lambda t: f"{t[0]} {t[1]}.example.")
ns = names.map(lambda n: f"{n}.Example.net.")
ds = st.tuples(st.integers(0, 65535), st.binary(min_size=32, max_size=32)).map(lambda t: f"{t[0]} 13 2 {t[1].hex()}")
srv = st.tuples(st.integers(0, 65535), st.integers(0, 65535), st.integers(0, 65535), names).map(
    lambda t: f"{t[0]} {t[1]} {t[2]} {t[3]}.example.")
RDATA = {"A": ipv4, "AAAA": ipv6, "TXT": txt, "MX": mx, "NS": ns, "DS": ds, "SRV": srv}


@st.composite
def signed_rrsets(draw, alg):
    rdtype = draw(st.sampled_from(sorted(RDATA)))
    owner = draw(st.one_of(names.map(lambda n: f"{n}.Example."), st.just("Example.")))
    rdatas = draw(st.lists(RDATA[rdtype], min_size=1, max_size=4))
    ttl = draw(st.integers(0, 2**31 - 1))
    rrset = dns.rrset.from_text(owner, ttl, "IN", rdtype, *rdatas)
    # Windows: mostly valid, sometimes expired or not yet valid at NOW.
    kind = draw(st.sampled_from(["valid", "valid", "valid", "expired", "not-yet-valid"]))
    a, b = draw(st.integers(0, 10**7)), draw(st.integers(0, 10**7))
    inception, expiration = {"valid": (NOW - a, NOW + b), "expired": (NOW - a - b - 1, NOW - a - 1),
                             "not-yet-valid": (NOW + a + 1, NOW + a + b + 1)}[kind]
    priv, key, keys = keypair(alg)
    sig = dns.dnssec.sign(rrset, priv, ORIGIN, key, inception=inception, expiration=expiration)
    return rrset, dns.rrset.from_rdata(rrset.name, ttl, sig), keys


def verdict(fn, *args, **kw):
    try:
        fn(*args, **kw)
        return True
    except dns.dnssec.ValidationFailure:
        return False


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("alg", ALGORITHMS)
@SETTINGS
@given(data=st.data())
def test_same_verdict_as_dnspython_and_both_reject_a_flip(alg, data):
    rrset, sigset, keys = data.draw(signed_rrsets(alg))
    ours = verdict(zdnssec.validate, rrset, sigset, keys, now=NOW)
    theirs = verdict(dns.dnssec.validate, rrset, sigset, keys, now=NOW)
    event(f"alg {sigset[0].algorithm}, {rrset.rdtype.name}, dnspython says {'valid' if theirs else 'invalid'}")
    assert ours == theirs
    rrsig = sigset[0]
    assert verdict(zdnssec.validate_rrsig, rrset, rrsig, keys, now=NOW) == \
        verdict(dns.dnssec.validate_rrsig, rrset, rrsig, keys, now=NOW) == theirs

    # One byte of the signature flipped.
    pos = data.draw(st.integers(0, len(rrsig.signature) - 1))
    bad_sig = bytearray(rrsig.signature)
    bad_sig[pos] ^= data.draw(st.integers(1, 255))
    flipped = dns.rrset.from_rdata(rrset.name, rrset.ttl, rrsig.replace(signature=bytes(bad_sig)))
    assert not verdict(zdnssec.validate, rrset, flipped, keys, now=NOW)
    assert not verdict(dns.dnssec.validate, rrset, flipped, keys, now=NOW)

    # One byte of one RDATA flipped (XOR 1 never just changes a letter's
    # case, which canonical form would undo).
    rds = list(rrset)
    i = data.draw(st.integers(0, len(rds) - 1))
    wire = bytearray(rds[i].to_wire(origin=ORIGIN))
    pos = data.draw(st.integers(0, len(wire) - 1))
    wire[pos] ^= 1
    try:
        new = dns.rdata.from_wire(dns.rdataclass.IN, rrset.rdtype, bytes(wire), 0, len(wire), origin=None)
    except Exception:  # noqa: BLE001 - the flip broke the RDATA's syntax
        assume(False)
    assume(new not in rds)
    changed = dns.rrset.from_rdata_list(rrset.name, rrset.ttl, rds[:i] + [new] + rds[i + 1:])
    assert not verdict(zdnssec.validate, changed, sigset, keys, now=NOW)
    assert not verdict(dns.dnssec.validate, changed, sigset, keys, now=NOW)


def test_failure_names_the_reason_of_every_rrsig():
    priv, key, keys = keypair(13)
    rrset = dns.rrset.from_text("www.example.", 300, "IN", "A", "192.0.2.1")
    expired = dns.dnssec.sign(rrset, priv, ORIGIN, key, inception=NOW - 100, expiration=NOW - 10)
    wrong = dns.dnssec.sign(dns.rrset.from_text("www.example.", 300, "IN", "A", "192.0.2.2"),
                            priv, ORIGIN, key, inception=NOW - 100, expiration=NOW + 100)
    sigs = dns.rrset.from_rdata_list(rrset.name, 300, [expired, wrong])
    with pytest.raises(dns.dnssec.ValidationFailure, match="no RRSIGs validated") as e:
        zdnssec.validate(rrset, sigs, keys, now=NOW)
    msg = str(e.value)
    assert "expired" in msg and "bad-signature" in msg, msg
    with pytest.raises(dns.dnssec.ValidationFailure):
        dns.dnssec.validate(rrset, sigs, keys, now=NOW)
    # Exception identity: the drop-in raises dnspython's class.
    assert zdnssec.ValidationFailure is dns.dnssec.ValidationFailure


def test_keys_as_nodes_tuples_origin_and_policy():
    priv, key, keys = keypair(15)
    rrset = dns.rrset.from_text("www.example.", 300, "IN", "AAAA", "2001:db8::1")
    sig = dns.dnssec.sign(rrset, priv, ORIGIN, key, inception=NOW - 100, expiration=NOW + 100)
    sigset = dns.rrset.from_rdata(rrset.name, 300, sig)
    node = dns.node.Node()
    node.replace_rdataset(keys[ORIGIN].to_rdataset())
    zdnssec.validate(rrset, sigset, {ORIGIN: node}, now=NOW)
    rel = dns.name.from_text("www", None)
    zdnssec.validate((rel, rrset.to_rdataset()), (rel, sigset.to_rdataset()), keys, origin="example.", now=NOW)
    dns.dnssec.validate((rel, rrset.to_rdataset()), (rel, sigset.to_rdataset()), keys, origin="example.", now=NOW)
    for fn in (zdnssec.validate, dns.dnssec.validate):
        with pytest.raises(dns.dnssec.ValidationFailure):
            fn((rel, rrset.to_rdataset()), (rel, sigset.to_rdataset()), keys, now=NOW)
    deny = dns.dnssec.SimpleDeny(set(), {15}, set(), set())
    for fn in (zdnssec.validate, dns.dnssec.validate):
        with pytest.raises(dns.dnssec.ValidationFailure):
            fn(rrset, sigset, keys, now=NOW, policy=deny)
    for fn in (zdnssec.validate, dns.dnssec.validate):
        with pytest.raises(dns.dnssec.ValidationFailure):
            fn(rrset, sigset, {dns.name.from_text("other."): keys[ORIGIN]}, now=NOW)
        with pytest.raises(dns.dnssec.ValidationFailure, match="owner names do not match"):
            fn(dns.rrset.from_text("x.example.", 300, "IN", "AAAA", "2001:db8::1"), sigset, keys, now=NOW)


def test_dsa_is_reported_unsupported_not_valid():
    """A documented difference: dnspython verifies DSA (3), zoneverify does
    not (RFC 8624 §3.1: MUST NOT) and says so instead of passing."""
    priv, key, keys = keypair(3)
    allow = dns.dnssec.allow_all_policy  # dnspython's default policy refuses DSA
    rrset = dns.rrset.from_text("www.example.", 300, "IN", "A", "192.0.2.1")
    sig = dns.dnssec.sign(rrset, priv, ORIGIN, key, inception=NOW - 100, expiration=NOW + 100,
                          policy=allow)
    sigset = dns.rrset.from_rdata(rrset.name, 300, sig)
    dns.dnssec.validate(rrset, sigset, keys, now=NOW, policy=allow)
    with pytest.raises(dns.dnssec.ValidationFailure, match="unsupported-algorithm"):
        zdnssec.validate(rrset, sigset, keys, now=NOW, policy=allow)

"""RFC 5011 §2.1: a key with the REVOKE flag may validate only the RRSIG it
made over the DNSKEY RRset. Zones signed here with dnspython (an
independent signer) and an Ed25519 key."""

from __future__ import annotations

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

import zoneverify
from zoneverify import Status

NOW = 1_800_000_000
ORIGIN = dns.name.from_text("revoked.example.")


def _zone(flags: int) -> str:
    key = ed25519.Ed25519PrivateKey.generate()
    dnskey = dns.dnssec.make_dnskey(key.public_key(), dns.dnssec.Algorithm.ED25519, flags=flags)
    soa = dns.rrset.from_text(ORIGIN, 3600, "IN", "SOA", "ns. host. 1 2 3 4 5")
    keys = dns.rrset.from_rdata(ORIGIN, 3600, dnskey)
    lines = [soa.to_text(), keys.to_text()]
    for rrset in (soa, keys):
        sig = dns.dnssec.sign(rrset, key, ORIGIN, dnskey, inception=NOW - 86400, expiration=NOW + 86400)
        lines.append(dns.rrset.from_rdata(ORIGIN, 3600, sig).to_text())
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("flags", [256, 257])
def test_unrevoked_key_signs_everything(flags):
    r = zoneverify.verify_zone(_zone(flags), now=NOW, zone_checks=False)
    assert r.ok and len(r) == 2


@pytest.mark.parametrize("flags", [256 | 128, 257 | 128])
def test_revoked_key_signs_only_its_dnskey_rrset(flags):
    r = zoneverify.verify_zone(_zone(flags), now=NOW, zone_checks=False)
    got = {zoneverify._native.type_name(int(t)): Status(int(s)) for t, s in zip(r.type_covered, r.status)}
    assert got == {"SOA": Status.NO_MATCHING_KEY, "DNSKEY": Status.VALID}
    (f,) = r.findings
    assert "REVOKE" in f.reason and "5011" in f.reason


def _keyed_zone(keys: list[tuple[int, bool]]) -> str:
    """SOA and DNSKEY RRsets, every key in the DNSKEY RRset; `keys` is a list
    of (flags, signs the DNSKEY RRset). The SOA is signed by the first
    non-revoked key."""
    made = []
    for flags, _ in keys:
        k = ed25519.Ed25519PrivateKey.generate()
        made.append((k, dns.dnssec.make_dnskey(k.public_key(), dns.dnssec.Algorithm.ED25519, flags=flags)))
    soa = dns.rrset.from_text(ORIGIN, 3600, "IN", "SOA", "ns. host. 1 2 3 4 5")
    dnskeys = dns.rrset.from_rdata_list(ORIGIN, 3600, [d for _, d in made])
    lines = [soa.to_text(), dnskeys.to_text()]
    signer = next(i for i, (f, _) in enumerate(keys) if not f & 128)
    k, d = made[signer]
    sig = dns.dnssec.sign(soa, k, ORIGIN, d, inception=NOW - 86400, expiration=NOW + 86400)
    lines.append(dns.rrset.from_rdata(ORIGIN, 3600, sig).to_text())
    for (k, d), (_, signs) in zip(made, keys):
        if signs:
            sig = dns.dnssec.sign(dnskeys, k, ORIGIN, d, inception=NOW - 86400, expiration=NOW + 86400)
            lines.append(dns.rrset.from_rdata(ORIGIN, 3600, sig).to_text())
    return "\n".join(lines) + "\n"


def _errors(text: str, **kw) -> set[str]:
    r = zoneverify.verify_zone(text, now=NOW, **kw)
    return {f.code for f in r.errors}


def test_revoked_ksk_is_no_ksk():
    """RFC 5011 §2.1: a revoked key MUST NOT be used "for any other purpose
    except to validate the RRSIG it signed over the DNSKEY RRset": it is not
    the KSK --require-ksk asks for (it satisfied it before). A ZSK signs
    everything; the only SEP key is revoked and self-signs."""
    text = _keyed_zone([(256, True), (257 | 128, True)])
    base = _errors(text)
    assert "no-ksk-signature" not in base and "revoked-not-self-signed" not in base
    assert _errors(text, require_ksk=True) - base == {"no-ksk-signature"}
    # An unrevoked KSK beside it satisfies the policy.
    ok = _keyed_zone([(256, True), (257 | 128, True), (257, True)])
    assert "no-ksk-signature" not in _errors(ok, require_ksk=True)


def test_revoked_key_must_self_sign():
    """RFC 5011 §2.1: a published revoked key "MUST self-sign" the DNSKEY
    RRset; one that does not is an error."""
    text = _keyed_zone([(256, True), (257, True), (257 | 128, False)])
    r = zoneverify.verify_zone(text, now=NOW)
    (f,) = [f for f in r.errors if f.code == "revoked-not-self-signed"]
    zone_keys = dns.zone.from_text(text, origin=ORIGIN, check_origin=False).get_rdataset(ORIGIN, "DNSKEY")
    (revoked,) = [k for k in zone_keys if k.flags & 128]
    assert f.key_tag == dns.dnssec.key_id(revoked)
    assert "5011" in f.reason
    signed = _keyed_zone([(256, True), (257, True), (257 | 128, True)])
    assert "revoked-not-self-signed" not in _errors(signed)

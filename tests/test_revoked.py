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

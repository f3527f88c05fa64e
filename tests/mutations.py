"""Text mutations of signed zones, each with the set of findings it must cause.

A finding is keyed as (owner, covered type, key tag, status code), owner
absolute and lower case. Expectations are computed from the zone text (which
RRSIGs exist and what they cover), never from zoneverify's output.

`oracle()` is an independent per-RRSIG check with dnspython, used to prove
that each mutation does what the expectation says before zoneverify is asked.
"""

from __future__ import annotations

import base64
import struct

import zonetext
from zonetext import Record

Finding = tuple[str, str, int, str]


def key_tag(rdata_tokens: list[str]) -> int:
    """RFC 4034 Appendix B key tag of a DNSKEY given as presentation tokens."""
    flags, proto, alg = int(rdata_tokens[0]), int(rdata_tokens[1]), zonetext.algorithm_number(rdata_tokens[2])
    key = base64.b64decode("".join(rdata_tokens[3:]))
    wire = struct.pack("!HBB", flags, proto, alg) + key
    if alg == 1:
        return int.from_bytes(wire[-3:-1], "big")
    ac = 0
    for i, b in enumerate(wire):
        ac += b if i & 1 else b << 8
    ac += (ac >> 16) & 0xFFFF
    return ac & 0xFFFF


def finding(rec: Record, status: str) -> Finding:
    return (rec.owner, rec.covered, rec.key_tag, status)


def target_rrsig(records: list[Record], origin: str, zsk_tag: int,
                 owner_label: str = "www", covered: str = "A") -> Record:
    owner = (owner_label + "." + origin).lower()
    hits = [r for r in records if r.rtype == "RRSIG" and r.owner == owner
            and r.covered == covered and r.key_tag == zsk_tag]
    assert len(hits) == 1, (owner, covered, zsk_tag, hits)
    return hits[0]


def flip_signature(text: str, origin: str, zsk_tag: int) -> tuple[str, set[Finding]]:
    recs = zonetext.parse(text, origin)
    rec = target_rrsig(recs, origin, zsk_tag)
    new = zonetext.flip_signature_byte(text, rec)
    return new, {finding(rec, "bad-signature")}


def change_a_rdata(text: str, origin: str) -> tuple[str, set[Finding]]:
    """Change one address of www's A RRset; every RRSIG over it breaks."""
    recs = zonetext.parse(text, origin)
    owner = ("www." + origin).lower()
    a_recs = [r for r in recs if r.owner == owner and r.rtype == "A"]
    present = {r.rdata[0].text for r in a_recs}
    victim = a_recs[0]
    new_addr = next(f"192.0.2.{i}" for i in range(200, 255) if f"192.0.2.{i}" not in present)
    new = zonetext.replace_token(text, victim.rdata[0], new_addr)
    sigs = [r for r in recs if r.rtype == "RRSIG" and r.owner == owner and r.covered == "A"]
    assert sigs
    return new, {finding(s, "bad-signature") for s in sigs}


def splice_rrsig(text: str, donor_text: str, origin: str, zsk_tag: int,
                 status: str) -> tuple[str, set[Finding]]:
    """Replace the RRSIG(www A) made by the ZSK with its counterpart from a
    copy signed with the same keys but another window."""
    recs = zonetext.parse(text, origin)
    donor_recs = zonetext.parse(donor_text, origin)
    rec = target_rrsig(recs, origin, zsk_tag)
    donor = target_rrsig(donor_recs, origin, zsk_tag)
    assert donor.rdata_text[4:6] != rec.rdata_text[4:6], "donor has the same window"
    new = zonetext.replace_record(text, rec, donor_text, donor)
    return new, {finding(rec, status)}


def remove_dnskey(text: str, origin: str, tag: int, alg: int) -> tuple[str, set[Finding]]:
    """Drop the DNSKEY with this tag: its RRSIGs lose their key, and the
    RRSIGs of the other keys over the (now changed) DNSKEY RRset break."""
    recs = zonetext.parse(text, origin)
    origin_l = origin.lower()
    keys = [r for r in recs if r.rtype == "DNSKEY" and r.owner == origin_l]
    victims = [r for r in keys if key_tag(r.rdata_text) == tag
               and zonetext.algorithm_number(r.rdata_text[2]) == alg]
    assert len(victims) == 1, victims
    others = [r for r in keys if r is not victims[0]]
    assert all((key_tag(r.rdata_text), zonetext.algorithm_number(r.rdata_text[2])) != (tag, alg)
               for r in others), "key tag collision: expectation would be ambiguous"
    new = zonetext.remove_record(text, victims[0], recs)
    expected: set[Finding] = set()
    for s in recs:
        if s.rtype != "RRSIG":
            continue
        if s.key_tag == tag and s.algorithm == alg and s.signer == origin_l:
            expected.add(finding(s, "no-matching-key"))
        elif s.owner == origin_l and s.covered == "DNSKEY":
            expected.add(finding(s, "bad-signature"))
    return new, expected


# ----------------------------------------------------------------- oracle


def oracle(text: str, origin: str, now: int) -> set[Finding]:
    """Per-RRSIG verdicts from dnspython (an independent implementation):
    the set of non-valid RRSIGs with the same status vocabulary."""
    import dns.dnssec
    import dns.name
    import dns.rdataclass
    import dns.rdatatype
    import dns.rrset
    import dns.zone
    import dns._features

    if not dns._features.have("dnssec"):
        raise RuntimeError(
            "dnspython's DNSSEC support is disabled: this dnspython needs "
            f"{dns._features._requirements.get('dnssec')}; install a matching "
            "cryptography or dnspython<2.8")

    z = dns.zone.from_text(text, origin=origin, relativize=False, check_origin=False)
    apex = dns.name.from_text(origin)
    dnskeys = z.get_rdataset(apex, "DNSKEY")
    out: set[Finding] = set()
    policy = getattr(dns.dnssec, "allow_all_policy", None)
    for name, node in z.nodes.items():
        for rds in node.rdatasets:
            if rds.rdtype != dns.rdatatype.RRSIG:
                continue
            for sig in rds:
                covered = dns.rdatatype.to_text(sig.type_covered)
                key = (name.to_text().lower(), covered, sig.key_tag)
                target = node.get_rdataset(dns.rdataclass.IN, sig.type_covered)
                if target is None:
                    out.add(key + ("orphan-rrsig",))
                    continue
                cands = [k for k in (dnskeys or []) if k.algorithm == sig.algorithm
                         and dns.dnssec.key_id(k) == sig.key_tag and k.flags & 0x100
                         and k.protocol == 3]
                if not cands or sig.signer != apex:
                    out.add(key + ("no-matching-key",))
                    continue
                rrset = dns.rrset.from_rdata_list(name, target.ttl, list(target))
                sigset = dns.rrset.from_rdata_list(name, rds.ttl, [sig])
                mid = (sig.inception + sig.expiration) // 2
                keyset = dns.rrset.from_rdata_list(apex, dnskeys.ttl, list(dnskeys))
                try:
                    kw = {"policy": policy} if policy else {}
                    dns.dnssec.validate_rrsig(rrset, sig, {apex: keyset}, now=mid, **kw)
                except dns.dnssec.ValidationFailure:
                    out.add(key + ("bad-signature",))
                    continue
                if now > sig.expiration:
                    out.add(key + ("expired",))
                elif now < sig.inception:
                    out.add(key + ("not-yet-valid",))
    return out

"""Verdicts that must never be wrong (issue 10): each class of wrong verdict
found by running peers' test zones, rebuilt on zones signed at test time by
real signers (ldns, BIND) and, where a record is edited, re-signed with
dnspython using the signer's own key, so that only the intended property
differs. Expectations come from the RFC clause quoted in each test.
"""

from __future__ import annotations

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdatatype
import dns.rrset
import dns.zone
import numpy as np
import pytest

import signers
import zoneverify
from zoneedit import (APEX, IN, NOW, NOW_TEXT, check_clean, check_defect, cli, hashed_owner,
                      ldns_zone, load, n, nsec3_nodes, remove_nsec3s, resign, write)
from zoneverify import Status

BASE = f"""\
$ORIGIN {signers.ORIGIN}
$TTL 3600
@        IN SOA ns1 hostmaster 2026010101 7200 3600 1209600 300
@        IN NS  ns1
ns1      IN A   192.0.2.1
www      IN A   192.0.2.10
"""


@pytest.fixture(scope="module")
def tools(signing_tools):
    return signing_tools


def warnings(r) -> set[str]:
    return {f.code for f in r.findings if f.severity == "warning"}


# ----------------------------------------------------------------- item 1

OPTOUT_ENT = BASE + """\
a.optent IN NS  ns.provider.example.net.
b.optent IN NS  ns.provider.example.net.
"""


@pytest.fixture(scope="module")
def optout_ent(tools, tmp_path_factory):
    """ldns -n -p: opt-out flag on every NSEC3, every name still in the
    chain, including the empty non-terminal optent and the two insecure
    delegations below it."""
    return ldns_zone(tmp_path_factory.mktemp("optent"), OPTOUT_ENT, nsec3=True, optout=True)


def test_optout_ent_base_is_clean(optout_ent):
    path, _ = optout_ent
    chain = nsec3_nodes(load(path))
    for name in ("optent", "a.optent", "b.optent"):
        assert hashed_owner(name) in chain, name
    check_clean(path)


def test_ent_without_nsec3_above_delegation_in_chain(optout_ent, tmp_path):
    """RFC 5155 §7.1: an empty non-terminal may lack its NSEC3 only when it
    "is only derived from an insecure delegation covered by an Opt-Out NSEC3
    RR". a.optent keeps its NSEC3 (it is in the chain, not covered by an
    opt-out span): the ENT optent needs its NSEC3, else the NODATA answer
    for optent cannot be proven. (zoneverify passed this zone before.)"""
    path, keys = optout_ent
    z = load(path)
    remove_nsec3s(z, [hashed_owner("optent"), hashed_owner("b.optent")], keys)
    r = check_defect(write(z, tmp_path / "z.db"), {("nsec3-missing", "optent.zonetest.example.")})
    (f,) = [f for f in r.errors]
    assert "a name below it is in the chain" in f.reason


def test_ent_without_nsec3_above_opted_out_delegations_only(optout_ent, tmp_path):
    """With both delegations opted out as well, the ENT is derived only from
    insecure delegations covered by an opt-out NSEC3: it may go."""
    path, keys = optout_ent
    z = load(path)
    remove_nsec3s(z, [hashed_owner(x) for x in ("optent", "a.optent", "b.optent")], keys)
    check_clean(write(z, tmp_path / "z.db"))


# ----------------------------------------------------------------- item 2

CHAINS = BASE + """\
mail     IN A   192.0.2.25
sub.dept IN A   192.0.2.26
child    IN NS  ns.provider.example.net.
"""


@pytest.fixture(scope="module")
def two_chains(tools, tmp_path_factory):
    """The same zone signed by ldns twice with the same keys: once with no
    salt and 0 iterations, once with salt ab12 and 2 iterations (the new
    chain of a parameter change). Returns both paths and the keys."""
    d = tmp_path_factory.mktemp("chains")
    old, keys = ldns_zone(d / "old", CHAINS, nsec3=True)
    new, _ = ldns_zone(d / "new", CHAINS, nsec3=True, salt="ab12", iterations=2, keys_from=d / "old")
    return old, new, keys


def merged(old_path, new_path, keep=None) -> dns.zone.Zone:
    """The old zone plus the new chain's NSEC3 RRs with their RRSIGs (all of
    them, or those whose owner `keep` accepts)."""
    z = load(old_path)
    nz = load(new_path)
    for name, rd in nsec3_nodes(nz).items():
        if keep is not None and not keep(name):
            continue
        assert z.get_node(name) is None
        z.nodes[name] = nz.get_node(name)
        assert rd.salt == bytes.fromhex("ab12")
    return z


def test_two_complete_nsec3_chains(two_chains, tmp_path):
    """RFC 5155 §4: the chain the NSEC3PARAM names must be complete; a second,
    complete chain beside it is the new chain of a parameter change, checked
    on its own. Its records are neither nsec3-params, nsec3-chain nor
    nsec3-extra errors (zoneverify reported all three before)."""
    old, new, keys = two_chains
    check_clean(old)
    check_clean(new)
    p = write(merged(old, new), tmp_path / "both.db")
    check_clean(p)
    r = zoneverify.verify_zone(p, now=NOW)
    assert "nsec3-partial-chain" not in warnings(r)


def test_two_chains_both_named(two_chains, tmp_path):
    """Both chains named by an NSEC3PARAM (the apex NSEC3PARAM RRset
    re-signed): both complete, so the zone passes; the salted chain draws
    the RFC 9276 warning."""
    old, new, keys = two_chains
    z = merged(old, new)
    node = z.get_node(APEX)
    rds = node.get_rdataset(IN, dns.rdatatype.NSEC3PARAM)
    rds.add(dns.rdata.from_text(IN, dns.rdatatype.NSEC3PARAM, "1 0 2 ab12"))
    resign(z, APEX, dns.rdatatype.NSEC3PARAM, keys)
    p = write(z, tmp_path / "named.db")
    check_clean(p)
    assert "nsec3-iterations" in warnings(zoneverify.verify_zone(p, now=NOW))


def test_incomplete_second_chain(two_chains, tmp_path):
    """A second chain that no NSEC3PARAM names and that lacks names is a
    chain under construction: one warning, no error, the zone passes. Named
    by an NSEC3PARAM, it must be complete (RFC 5155 §4): errors."""
    old, new, keys = two_chains
    owners = sorted(nsec3_nodes(load(new)))
    keep = set(owners[: len(owners) // 2])
    z = merged(old, new, keep=lambda o: o in keep)
    p = write(z, tmp_path / "half.db")
    check_clean(p)
    r = zoneverify.verify_zone(p, now=NOW)
    partial = [f for f in r.findings if f.code == "nsec3-partial-chain"]
    assert len(partial) == 1 and partial[0].severity == "warning", [str(f) for f in r.findings]

    node = z.get_node(APEX)
    node.get_rdataset(IN, dns.rdatatype.NSEC3PARAM).add(
        dns.rdata.from_text(IN, dns.rdatatype.NSEC3PARAM, "1 0 2 ab12"))
    resign(z, APEX, dns.rdatatype.NSEC3PARAM, keys)
    r = zoneverify.verify_zone(write(z, tmp_path / "half-named.db"), now=NOW)
    assert not r.ok
    codes = {f.code for f in r.errors}
    assert "nsec3-missing" in codes and codes <= {"nsec3-missing", "nsec3-chain"}, codes


# ----------------------------------------------------------------- item 3

DNAME_APEX = f"""\
$ORIGIN {signers.ORIGIN}
$TTL 3600
@        IN SOA ns.provider.example.net. hostmaster 2026010101 7200 3600 1209600 300
@        IN NS  ns.provider.example.net.
@        IN DNAME target.example.net.
@        IN TXT "apex data"
"""


def test_dname_at_nsec3_apex(tools, tmp_path):
    """RFC 5155 §7.1 / RFC 6672 §2.4: a DNAME at the apex occludes names
    below it, but not the zone's own NSEC3 RRs at hashed owner names below
    the apex: they are authoritative, and their RRSIGs are not
    signed-non-authoritative (zoneverify reported them before)."""
    path, _ = ldns_zone(tmp_path, DNAME_APEX, nsec3=True)
    chain = nsec3_nodes(load(path))
    assert len(chain) == 1
    check_clean(path)
    # An ordinary name below the DNAME is still occluded data.
    z = load(path)
    occluded = z.get_node(n("www"), create=True)
    occluded.get_rdataset(IN, dns.rdatatype.A, create=True).add(
        dns.rdata.from_text(IN, dns.rdatatype.A, "192.0.2.80"))
    r = zoneverify.verify_zone(write(z, tmp_path / "occluded.db"), now=NOW)
    assert r.ok and not any(f.code.startswith("nsec3") for f in r.findings), [str(f) for f in r.findings]


# ----------------------------------------------------------------- item 4


def test_only_unsupported_signatures_never_pass(tools, tmp_path):
    """DESIGN.md principle 1: a zone in which no RRSIG could be verified does
    not pass, even with --allow-unsupported. The ldns-signed zone's
    algorithm is rewritten to 253 (PRIVATEDNS, which nobody verifies) in its
    DNSKEYs and RRSIGs, key tags recomputed: every RRSIG is then
    unsupported-algorithm. zoneverify exited 0 on this before."""
    path, _ = ldns_zone(tmp_path, BASE)
    z = load(path)
    tags = {}
    apex = z.get_node(APEX)
    keys = apex.get_rdataset(IN, dns.rdatatype.DNSKEY)
    new_keys = []
    for k in keys:
        nk = k.replace(algorithm=253)
        tags[dns.dnssec.key_id(k)] = dns.dnssec.key_id(nk)
        new_keys.append(nk)
    ttl = keys.ttl
    apex.delete_rdataset(IN, dns.rdatatype.DNSKEY)
    fresh = apex.get_rdataset(IN, dns.rdatatype.DNSKEY, create=True)
    fresh.update_ttl(ttl)
    for k in new_keys:
        fresh.add(k)
    for name, node in z.items():
        for rds in list(node.rdatasets):
            if rds.rdtype != dns.rdatatype.RRSIG:
                continue
            sigs = [s.replace(algorithm=253, key_tag=tags[s.key_tag]) for s in rds]
            node.delete_rdataset(IN, dns.rdatatype.RRSIG, covers=rds.covers)
            new = node.get_rdataset(IN, dns.rdatatype.RRSIG, covers=rds.covers, create=True)
            new.update_ttl(rds.ttl)
            for s in sigs:
                new.add(s)
    p = write(z, tmp_path / "alg253.db")
    r = zoneverify.verify_zone(p, now=NOW, allow_unsupported=True)
    assert (r.status == Status.UNSUPPORTED_ALGORITHM).all() and len(r) > 0
    assert not r.ok
    assert [f.code for f in r.errors] == ["nothing-verified"], [str(f) for f in r.errors]
    assert not zoneverify.verify_zone(p, now=NOW, allow_unsupported=True, zone_checks=False).ok
    proc = cli("check", str(p), "--now", NOW_TEXT, "--allow-unsupported")
    assert proc.returncode == 1 and "nothing-verified" in proc.stdout, proc.stdout


# ----------------------------------------------------------------- item 7


def test_redundant_failure_is_reported_as_such(tools, tmp_path):
    """Two ZSKs of one algorithm sign every RRset (ldns signs with each key
    given); one of www's RRSIGs is corrupted. By default that is a
    bad-signature error; with --redundant-failures warning it is the warning
    the README documents, redundant-failure, and the zone passes."""
    d = tmp_path / "two-zsk"
    path, keys = ldns_zone(d, BASE)
    # A second ZSK of the same algorithm, then sign again with all three keys.
    signers.run(["ldns-keygen", "-a", "ECDSAP256SHA256", signers.ORIGIN.rstrip(".")], d)
    path, keys = ldns_zone(d / "again", BASE, keys_from=d)
    z = load(path)
    sigs = z.get_node(n("www")).get_rdataset(IN, dns.rdatatype.RRSIG, covers=dns.rdatatype.A)
    assert len(sigs) == 2
    first, second = sorted(sigs, key=lambda s: s.key_tag)
    bad = bytearray(first.signature)
    bad[10] ^= 0x40
    sigs.discard(first)
    sigs.add(first.replace(signature=bytes(bad)))
    p = write(z, tmp_path / "redundant.db")
    r = zoneverify.verify_zone(p, now=NOW)
    assert [(f.code, f.key_tag) for f in r.errors] == [("bad-signature", first.key_tag)]
    r = zoneverify.verify_zone(p, now=NOW, redundant_failures="warning")
    assert r.ok, [str(f) for f in r.errors]
    (w,) = [f for f in r.findings if f.code == "redundant-failure"]
    assert w.severity == "warning" and w.status == Status.BAD_SIGNATURE and w.key_tag == first.key_tag
    assert w.reason.startswith("bad-signature")
    proc = cli("check", str(p), "--now", NOW_TEXT, "--redundant-failures", "warning")
    assert proc.returncode == 0 and "redundant-failure" in proc.stdout, proc.stdout


# ----------------------------------------------------------------- item 8


def test_verifier_on_a_valid_zone_with_delegations(tools, tmp_path):
    """RFC 4035 §2.2: delegation NS RRsets and glue MUST NOT be signed, so a
    batch holding them unsigned is not failing: NOT_AUTHORITATIVE, and ok is
    True (it was False before). An authoritative RRset without RRSIG still
    fails."""
    path, keys = ldns_zone(tmp_path, signers.UNSIGNED_ZONE)
    z = load(path)
    dnskeys = z.get_node(APEX).get_rdataset(IN, dns.rdatatype.DNSKEY)
    v = zoneverify.Verifier(dnskeys, origin=APEX, now=NOW)
    r = v.verify(z)
    assert r.ok, [f for f in r.failures()][:5]
    st = [Status(int(s)) for s in r.rrset_status]
    assert Status.NOT_AUTHORITATIVE in st and Status.NO_RRSIG not in st
    # child NS and its glue ns1.child A, ns2.child AAAA; the NS of "unsigned".
    assert st.count(Status.NOT_AUTHORITATIVE) == 4, st
    z.get_node(n("www")).delete_rdataset(IN, dns.rdatatype.RRSIG, covers=dns.rdatatype.A)
    r = v.verify(z)
    assert not r.ok and Status.NO_RRSIG in [Status(int(s)) for s in r.rrset_status]
    # Glue alone: nothing verified, not ok.
    glue = dns.rrset.from_text(n("ns1.child"), 3600, "IN", "A", "192.0.2.60")
    ns = dns.rrset.from_text(n("child"), 3600, "IN", "NS", "ns1.child.zonetest.example.")
    r = v.verify([(ns, None), (glue, None)])
    assert [Status(int(s)) for s in r.rrset_status] == [Status.NOT_AUTHORITATIVE] * 2
    assert not r.ok


# ----------------------------------------------------------------- item 9


def test_identical_rrs_are_one_rr_everywhere(tools, tmp_path):
    """RFC 2181 §5 / RFC 4034 §6.3: identical RRs are one RR. A byte-identical
    copy of an NSEC3 (an nsec3-extra error before) and of an A RR are both
    one RR, each a duplicate-rr warning, like the identical SOA copies; a
    copy with another TTL is also rrset-ttl (RFC 2181 §5.2)."""
    path, _ = ldns_zone(tmp_path, BASE, nsec3=True)
    text = path.read_text()
    nsec3_line = next(ln for ln in text.splitlines() if "\tNSEC3\t" in ln)
    a_line = next(ln for ln in text.splitlines() if ln.startswith("www.") and "\tA\t" in ln)
    p = tmp_path / "dups.db"
    p.write_text(text + nsec3_line + "\n" + a_line + "\n")
    r = zoneverify.verify_zone(p, now=NOW)
    assert r.ok, [str(f) for f in r.errors]
    dups = [f for f in r.findings if f.code == "duplicate-rr"]
    assert sorted(f.type for f in dups) == ["A", "NSEC3"] and all(f.severity == "warning" for f in dups)
    assert len(r) == len([ln for ln in text.splitlines() if "\tRRSIG\t" in ln])
    # The SOA closing an AXFR-style dump is framing, not a duplicate.
    soa_line = next(ln for ln in text.splitlines() if "\tSOA\t" in ln)
    p.write_text(text + soa_line + "\n")
    r = zoneverify.verify_zone(p, now=NOW)
    assert r.ok and not [f for f in r.findings if f.code == "duplicate-rr"], [str(f) for f in r.findings]
    # A copy with another TTL: the TTLs of an RRset must agree.
    fields = a_line.split("\t")
    fields[1] = "60"
    p.write_text(text + "\t".join(fields) + "\n")
    r = zoneverify.verify_zone(p, now=NOW)
    assert {f.code for f in r.errors} == {"rrset-ttl"}, [str(f) for f in r.errors]
    # An identical RRSIG copy: also duplicate-rr, and both copies verified.
    sig_line = next(ln for ln in text.splitlines() if ln.startswith("www.") and "\tRRSIG\t" in ln)
    p.write_text(text + sig_line + "\n")
    r = zoneverify.verify_zone(p, now=NOW)
    assert r.ok and [f.type for f in r.findings if f.code == "duplicate-rr"] == ["A"]
    assert np.count_nonzero(r.status == Status.VALID) == len(r)

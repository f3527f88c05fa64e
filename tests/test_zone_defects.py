"""Structural defects in zones signed at test time by real signers.

Each test signs a zone with BIND ``dnssec-signzone`` (or ``ldns-signzone``
for ZONEMD), checks that the unedited zone has no error finding, then edits
it to contain exactly ONE structural defect. Where the edit would break a
signature, the edited RRset is re-signed with dnspython using the signer's
own private key (read from the ``K*.private`` file), so that only the
structural defect remains. The test asserts the exact set of error findings
(code, owner), that ``Report.ok`` is False and that the CLI exits 1.

Expectations come from the zone content and the RFCs, never from
zoneverify's output.
"""

from __future__ import annotations

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone
import pytest

import signers
import zoneverify
from zoneedit import (APEX, IN, NOW, NOW_TEXT, ORIGIN, RRSIG, SigningKey, add_rrsig, bind_zone,  # noqa: F401
                      check_clean, check_defect, cli, errors, ldns_zonemd_zone, load, load_keys, n,
                      norm, resign, sigs, write)


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def tools(signing_tools):
    return signing_tools


@pytest.fixture(scope="module")
def nsec_zone(tools, tmp_path_factory):
    """BIND, ECDSA P-256 (alg 13), NSEC."""
    return bind_zone(tmp_path_factory.mktemp("def-nsec"), [(13, None, None)])


@pytest.fixture(scope="module")
def double_zone(tools, tmp_path_factory):
    """BIND, RSASHA256 (alg 8) and ECDSA P-256 (alg 13) keys, both signing."""
    return bind_zone(tmp_path_factory.mktemp("def-double"), [(8, 2048, 2048), (13, None, None)])


@pytest.fixture(scope="module")
def optout_zone(tools, tmp_path_factory):
    """BIND, alg 13, NSEC3 without salt, 0 iterations, opt-out."""
    return bind_zone(tmp_path_factory.mktemp("def-optout"), [(13, None, None)], nsec3_optout=True)


@pytest.fixture(scope="module")
def zonemd_zone(tools, tmp_path_factory):
    return ldns_zonemd_zone(tmp_path_factory.mktemp("def-zonemd"))


# ------------------------------------------------------------------ clean zones


def test_clean_nsec_zone(nsec_zone):
    path, _ = nsec_zone
    check_clean(path)


def test_clean_optout_zone(optout_zone):
    path, _ = optout_zone
    z = load(path)
    n3 = [rd for _, rds in z.iterate_rdatasets(dns.rdatatype.NSEC3) for rd in rds]
    assert n3 and all(rd.flags & 1 for rd in n3), "BIND -A must set opt-out on every NSEC3"
    check_clean(path)


# ------------------------------------------------------------------ 1. NSEC removed


@pytest.mark.parametrize("fix_chain", [True, False], ids=["chain-resigned", "chain-untouched"])
def test_nsec_removed(nsec_zone, tmp_path, fix_chain):
    """Delete mail's NSEC and its RRSIG.

    chain-untouched: the previous NSEC still names mail as next, which is
    right (mail has authoritative data): only ``nsec-missing`` at mail.

    chain-resigned: the previous NSEC (a.b.ent) is edited to skip mail and
    re-signed. RFC 4034 §4.1.1: the Next Domain field is the next owner name
    in canonical order *that has authoritative data*; mail has, so a.b.ent's
    NSEC now also breaks the chain: ``nsec-missing`` at mail and
    ``nsec-chain`` at a.b.ent (ldns-verify-zone reports both as well:
    "points to the wrong next owner name" and "no NSEC(3) for mail").
    """
    path, keys = nsec_zone
    z = load(path)
    victim = n("mail")
    vnode = z.get_node(victim)
    vnsec = vnode.get_rdataset(IN, dns.rdatatype.NSEC)
    assert vnsec is not None
    nxt = vnsec[0].next
    prev = [name for name, rds in z.iterate_rdatasets(dns.rdatatype.NSEC) if rds[0].next == victim]
    assert len(prev) == 1, prev
    prev = prev[0]
    assert prev == n("a.b.ent"), prev
    vnode.delete_rdataset(IN, dns.rdatatype.NSEC)
    vnode.delete_rdataset(IN, RRSIG, covers=dns.rdatatype.NSEC)
    expected = {("nsec-missing", victim.to_text().lower())}
    if fix_chain:
        pnode = z.get_node(prev)
        old = pnode.get_rdataset(IN, dns.rdatatype.NSEC)
        newrd = old[0].replace(next=nxt)
        ttl = old.ttl
        pnode.delete_rdataset(IN, dns.rdatatype.NSEC)
        pnode.get_rdataset(IN, dns.rdatatype.NSEC, create=True).update_ttl(ttl)
        pnode.get_rdataset(IN, dns.rdatatype.NSEC).add(newrd)
        resign(z, prev, dns.rdatatype.NSEC, keys)
        expected.add(("nsec-chain", prev.to_text().lower()))
    out = write(z, tmp_path / "nsec-removed.db")
    check_defect(out, expected)


# ------------------------------------------------------------------ 2. NSEC bitmap


@pytest.mark.parametrize("edit", ["drop-mx", "add-aaaa"])
def test_nsec_bitmap_edited_resigned(nsec_zone, tmp_path, edit):
    path, keys = nsec_zone
    z = load(path)
    node = z.get_node(APEX)
    rds = node.get_rdataset(IN, dns.rdatatype.NSEC)
    types = rds[0].to_text().split()
    assert "MX" in types and "AAAA" not in types, types
    if edit == "drop-mx":
        types.remove("MX")
    else:
        types.append("AAAA")
    newrd = dns.rdata.from_text(IN, dns.rdatatype.NSEC, " ".join(types), origin=None)
    ttl = rds.ttl
    node.delete_rdataset(IN, dns.rdatatype.NSEC)
    new = node.get_rdataset(IN, dns.rdatatype.NSEC, create=True)
    new.update_ttl(ttl)
    new.add(newrd)
    resign(z, APEX, dns.rdatatype.NSEC, keys)
    out = write(z, tmp_path / f"nsec-bitmap-{edit}.db")
    check_defect(out, {("nsec-bitmap", ORIGIN)})


# ------------------------------------------------------------------ 3. double-signed


def test_double_signed_missing_algorithm(double_zone, tmp_path):
    path, keys = double_zone
    assert {k.algorithm for k in keys} == {8, 13}
    check_clean(path)
    z = load(path)
    www = n("www")
    node = z.get_node(www)
    old = node.get_rdataset(IN, RRSIG, covers=dns.rdatatype.A)
    assert {s.algorithm for s in old} == {8, 13}
    keep = [s for s in old if s.algorithm != 13]
    ttl = old.ttl
    node.delete_rdataset(IN, RRSIG, covers=dns.rdatatype.A)
    for s in keep:
        add_rrsig(z, www, dns.rdatatype.A, s, ttl)
    out = write(z, tmp_path / "double-missing-13.db")
    r = check_defect(out, {("missing-algorithm", "www." + ORIGIN)})
    assert [f.type for f in r.errors] == ["A"]
    r2 = zoneverify.verify_zone(out, now=NOW, signed_by="any")
    assert r2.ok and r2.errors == [], [str(f) for f in r2.errors]
    p = cli("check", str(out), "--now", NOW_TEXT, "--signed-by", "any")
    assert p.returncode == 0, (p.stdout[-3000:], p.stderr[-2000:])


# ------------------------------------------------------------------ 4. TTL changed


def test_ttl_changed_not_resigned(nsec_zone, tmp_path):
    path, _ = nsec_zone
    z = load(path)
    rds = z.get_node(n("www")).get_rdataset(IN, dns.rdatatype.A)
    assert rds.ttl == 3600
    rds.ttl = 7200
    assert all(s.original_ttl == 3600 for s in sigs(z, n("www"), dns.rdatatype.A))
    out = write(z, tmp_path / "ttl.db")
    r = check_defect(out, {("ttl-mismatch", "www." + ORIGIN)})
    assert [f.type for f in r.errors] == ["A"]
    # the signature covers the Original TTL, so it still verifies
    assert (r.status == zoneverify.Status.VALID).all()
    assert not any(f.code == "bad-signature" for f in r.findings)


# ------------------------------------------------------------------ 5. orphan RRSIG


def test_orphan_rrsig_added(nsec_zone, tmp_path):
    path, _ = nsec_zone
    z = load(path)
    www = n("www")
    src = sigs(z, www, dns.rdatatype.A)
    assert z.get_node(www).get_rdataset(IN, dns.rdatatype.MX) is None
    add_rrsig(z, www, dns.rdatatype.MX, src[0].replace(type_covered=dns.rdatatype.MX), src.ttl)
    out = write(z, tmp_path / "orphan.db")
    r = check_defect(out, {("orphan-rrsig", "www." + ORIGIN)})
    assert [f.type for f in r.errors] == ["MX"]


# ------------------------------------------------------------------ 6. glue signed


def test_glue_signed(nsec_zone, tmp_path):
    path, keys = nsec_zone
    z = load(path)
    glue = n("ns1.child")
    rds = z.get_node(glue).get_rdataset(IN, dns.rdatatype.A)
    assert rds is not None and sigs(z, glue, dns.rdatatype.A) is None
    zsk = next(k for k in keys if not k.ksk)
    rrset = dns.rrset.from_rdata_list(glue, rds.ttl, list(rds))
    sig = dns.dnssec.sign(rrset, zsk.private, APEX, zsk.dnskey,
                          inception=signers.ts(signers.VALID_WINDOW[0]),
                          expiration=signers.ts(signers.VALID_WINDOW[1]))
    keyset = dns.rrset.from_rdata_list(APEX, 3600, [k.dnskey for k in keys])
    dns.dnssec.validate_rrsig(rrset, sig, {APEX: keyset}, now=NOW)
    add_rrsig(z, glue, dns.rdatatype.A, sig, rds.ttl)
    out = write(z, tmp_path / "glue-signed.db")
    r = check_defect(out, {("signed-non-authoritative", glue.to_text().lower())})
    assert [f.type for f in r.errors] == ["A"]


# ------------------------------------------------------------------ 7. NSEC3 opt-out cleared


def test_nsec3_optout_cleared(optout_zone, tmp_path):
    path, keys = optout_zone
    z = load(path)
    param = z.get_node(APEX).get_rdataset(IN, dns.rdatatype.NSEC3PARAM)[0]
    target = n("unsigned")
    h = dns.dnssec.nsec3_hash(target, param.salt, param.iterations, param.algorithm).upper()
    owners = sorted((name[0].decode().upper(), name)
                    for name, _ in z.iterate_rdatasets(dns.rdatatype.NSEC3))
    assert h not in {o for o, _ in owners}, "opt-out: the insecure delegation has no NSEC3"
    below = [o for o in owners if o[0] < h]
    cover = (below[-1] if below else owners[-1])[1]
    node = z.get_node(cover)
    rds = node.get_rdataset(IN, dns.rdatatype.NSEC3)
    assert rds[0].flags & 1
    newrd = rds[0].replace(flags=rds[0].flags & ~1)
    ttl = rds.ttl
    node.delete_rdataset(IN, dns.rdatatype.NSEC3)
    new = node.get_rdataset(IN, dns.rdatatype.NSEC3, create=True)
    new.update_ttl(ttl)
    new.add(newrd)
    resign(z, cover, dns.rdatatype.NSEC3, keys)
    out = write(z, tmp_path / "optout-cleared.db")
    check_defect(out, {("nsec3-missing", target.to_text().lower())})


# ------------------------------------------------------------------ 8. ZONEMD


def test_zonemd_clean(zonemd_zone):
    path, _ = zonemd_zone
    z = load(path)
    assert z.get_node(APEX).get_rdataset(IN, dns.rdatatype.ZONEMD) is not None
    r = zoneverify.verify_zone(path, now=NOW, require_zonemd=True)
    assert r.ok and r.findings == [], [str(f) for f in r.findings]
    p = cli("check", str(path), "--now", NOW_TEXT, "--require-zonemd")
    assert p.returncode == 0, (p.stdout[-3000:], p.stderr[-2000:])


def test_zonemd_digest_changed(zonemd_zone, tmp_path):
    path, keys = zonemd_zone
    z = load(path)
    node = z.get_node(APEX)
    rds = node.get_rdataset(IN, dns.rdatatype.ZONEMD)
    assert len(rds) == 1 and rds[0].scheme == 1 and rds[0].hash_algorithm == 1
    d = bytearray(rds[0].digest)
    d[0] ^= 0x01  # one hex digit of the digest
    newrd = rds[0].replace(digest=bytes(d))
    ttl = rds.ttl
    node.delete_rdataset(IN, dns.rdatatype.ZONEMD)
    new = node.get_rdataset(IN, dns.rdatatype.ZONEMD, create=True)
    new.update_ttl(ttl)
    new.add(newrd)
    resign(z, APEX, dns.rdatatype.ZONEMD, keys)
    out = write(z, tmp_path / "zonemd-changed.db")
    check_defect(out, {("zonemd-mismatch", ORIGIN)})


def test_zonemd_required_but_missing(nsec_zone):
    path, _ = nsec_zone
    r = zoneverify.verify_zone(path, now=NOW, require_zonemd=True)
    assert errors(r) == {("zonemd-missing", ORIGIN)}, [str(f) for f in r.errors]
    assert not r.ok
    p = cli("check", str(path), "--now", NOW_TEXT, "--require-zonemd")
    assert p.returncode == 1, (p.stdout[-3000:], p.stderr[-2000:])


# ------------------------------------------------------------------ time margins


# NOW is 151 days after inception (2026-01-01) and ~9.6 years before
# expiration (2036-01-01).
@pytest.mark.parametrize("option,value,code,flagged", [
    ("expire_within", "3660d", "expires-soon", True),
    ("expire_within", "1d", "expires-soon", False),
    ("inception_margin", "200d", "inception-too-recent", True),
    ("inception_margin", "1d", "inception-too-recent", False),
])
def test_time_margins(nsec_zone, option, value, code, flagged):
    path, _ = nsec_zone
    r = zoneverify.verify_zone(path, now=NOW, **{option: value})
    if flagged:
        assert {f.code for f in r.errors} == {code}
        hits = [f for f in r.errors if f.code == code]
        assert len(hits) == len(r), (len(hits), len(r))
        assert not r.ok
    else:
        assert r.errors == [] and r.ok, [str(f) for f in r.errors][:5]
    opt = "--" + option.replace("_", "-")
    p = cli("check", str(path), "--now", NOW_TEXT, opt, value)
    assert p.returncode == (1 if flagged else 0), (p.stdout[-3000:], p.stderr[-2000:])


def test_max_findings_one(nsec_zone):
    path, _ = nsec_zone
    r = zoneverify.verify_zone(path, now=NOW, expire_within="3660d")
    assert len(r.findings) > 1
    p = cli("check", str(path), "--now", NOW_TEXT, "--expire-within", "3660d", "--max-findings", "1")
    assert p.returncode == 1, (p.stdout[-3000:], p.stderr[-2000:])
    lines = p.stdout.splitlines()
    assert sum("expires-soon" in ln for ln in lines) == 1, p.stdout
    more = [ln for ln in lines if "more findings not shown" in ln]
    assert len(more) == 1, p.stdout
    assert more[0].startswith(f"... {len(r.findings) - 1} more findings not shown"), more


# ------------------------------------------------------------------ warnings as errors


def test_warnings_as_errors_weak_rsa(tools, tmp_path):
    path, keys = bind_zone(tmp_path / "weak", [(8, 2048, 1024)])
    r = zoneverify.verify_zone(path, now=NOW)
    assert r.errors == [], [str(f) for f in r.errors]
    assert {f.code for f in r.warnings} == {"weak-rsa-key"}
    assert r.ok
    assert not zoneverify.verify_zone(path, now=NOW, warnings_as_errors=True).ok
    p = cli("check", str(path), "--now", NOW_TEXT)
    assert p.returncode == 0, (p.stdout[-3000:], p.stderr[-2000:])
    p = cli("check", str(path), "--now", NOW_TEXT, "--warnings-as-errors")
    assert p.returncode == 1, (p.stdout[-3000:], p.stderr[-2000:])

"""The checks name by name in the stream (issue 11, rust/pipeline/names.rs).

The oracle (pipeline_oracle.py) already compares every verification of the
suite, in one part and in 4 KiB windows, with the whole-zone path. Here:
which zones are checked name by name (the layouts BIND and ldns write,
NSEC), that a zone which stops being in that layout after names were
dropped, or whose NSEC chain the summary cannot show to be right, gives
exactly the whole-zone path's report, and ``columns=False``.
"""

from __future__ import annotations

import re
import subprocess

import pytest

import bindsign
import signers
import zoneedit
import zoneverify
from zoneverify import _native

BY_NAME = [("bind", 13, False), ("ldns", 13, False), ("bind", 8, False), ("ldns", 15, False)]


def _native_report(path, **policy):
    return _native.verify_file(str(path), None, signers.NOW, 2, False, policy)


def _comparable(raw: dict) -> dict:
    return {k: v for k, v in raw.items() if k not in ("timings", "pipeline", "checked_by_name")}


@pytest.mark.parametrize("combo", BY_NAME, ids=signers.combo_id)
def test_signers_nsec_zones_are_checked_by_name(signed_zone_factory, combo):
    """BIND's and ldns's NSEC zones, with glue, an empty non-terminal, a
    wildcard and names below it (held until the cuts are known), are
    checked name by name, in one part and in 4 KiB windows, with the
    whole-zone path's report."""
    z = signed_zone_factory(*combo)
    r = zoneverify.verify_zone(z.path, now=signers.NOW)
    assert r.checked_by_name and r.pipeline == "streamed", r.pipeline
    assert r.ok, [str(f) for f in r.findings]
    small = _native_report(z.path, window_bytes=4096)
    whole = _native_report(z.path, whole_zone=True)
    assert small["checked_by_name"] and not whole["checked_by_name"]
    assert _comparable(small) == _comparable(whole)


@pytest.mark.parametrize("combo", [("bind", 8, True), ("ldns", 13, True)], ids=signers.combo_id)
def test_signers_nsec3_zones_are_checked_by_name(signed_zone_factory, combo):
    """BIND's NSEC3 zones (opt-out, salted, the NSEC3 records written after
    the other names) and ldns's, with glue, empty non-terminals and a
    wildcard: checked name by name against the NSEC3 chain's summary, in
    one part and in 4 KiB windows, with the whole-zone path's report (the
    RFC 9276 warning on BIND's salt included)."""
    z = signed_zone_factory(*combo)
    r = zoneverify.verify_zone(z.path, now=signers.NOW)
    assert r.checked_by_name and r.pipeline == "streamed", r.pipeline
    assert not r.errors, [str(f) for f in r.errors]
    small = _native_report(z.path, window_bytes=4096)
    whole = _native_report(z.path, whole_zone=True)
    assert small["checked_by_name"] and not whole["checked_by_name"]
    assert _comparable(small) == _comparable(whole)


def _rrs(text: str) -> tuple[list[str], list[str]]:
    head, rrs = [], []
    for line in text.splitlines():
        (head if not line.strip() or line.startswith((";", "$")) else rrs).append(line)
    return head, rrs


def test_a_name_that_comes_back_after_it_was_dropped(signed_zone_factory, tmp_path):
    """A record at the end of the file for a name checked and dropped long
    before: the stage gives up and the file is read again whole; the report
    is the whole-zone path's (that record breaks the RRset's signature)."""
    z = signed_zone_factory("ldns", 13, False)
    head, rrs = _rrs(z.text)
    # mail sorts early, www last: between them lie several 4 KiB windows.
    assert rrs[-1].startswith("www.") and any(r.startswith("mail.") for r in rrs)
    p = tmp_path / "back.zone"
    p.write_text("\n".join(head + rrs + [f"mail.{signers.ORIGIN} 3600 IN A 192.0.2.99"]) + "\n")
    small = _native_report(p, window_bytes=4096)
    assert not small["checked_by_name"]
    assert re.match(r"whole-zone: owner name mail\.zonetest\.example\. comes back at line \d+", small["pipeline"]), small["pipeline"]
    whole = _native_report(p, whole_zone=True)
    assert _comparable(small) == _comparable(whole)
    r = zoneverify.verify_zone(p, now=signers.NOW)
    assert not r.ok and any(f.code == "bad-signature" and f.owner.startswith("mail.") for f in r.findings)


def _deep_zone_text(origin: str = bindsign.ORIGIN) -> str:
    """Most names two or more labels below the apex: hosts under empty
    non-terminals, delegations one and two labels down with glue below
    them, a wildcard with a name under it, a CNAME chain; empty
    non-terminals above unsigned delegations only (which an opt-out NSEC3
    chain may leave out) and above a signed one (which it may not)."""
    lines = [f"$ORIGIN {origin.rstrip('.')}.", "$TTL 3600",
             "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300", "@ IN NS ns1", "ns1 IN A 192.0.2.1"]
    for e in range(6):
        lines += [f"d{k}.e{e} IN NS ns.provider.example.net." for k in range(3)]
        if e % 2 == 0:
            lines += [f"s.e{e} IN NS ns.provider.example.net.", f"s.e{e} IN DS {1000 + e} 13 2 {'CD' * 32}"]
    for g in range(40):
        lines += [f"h{h}.g{g} IN A 10.0.{g}.{h}" for h in range(25)]
        if g % 5 == 0:
            lines += [f"d.g{g} IN NS ns.d.g{g}", f"ns.d.g{g} IN A 192.0.2.{g}", f"x.ns.d.g{g} IN TXT \"occluded\""]
        if g % 7 == 0:
            lines += [f"c{g} IN NS ns1.c{g}", f"ns1.c{g} IN A 192.0.2.{100 + g}", f"a.b.c{g} IN A 192.0.2.{150 + g}"]
    lines += ["*.w IN A 192.0.2.200", "x.*.w IN TXT \"below a wildcard\"", "a.cn IN CNAME h1.g3"]
    return "\n".join(lines) + "\n"


def _sign_deep(d, signer: str, denial: str = "nsec"):
    """`denial`: "nsec", "nsec3" (no salt, no extra iterations) or
    "optout" (NSEC3 with opt-out; BIND also salted)."""
    (d / "deep.db").write_text(_deep_zone_text())
    if signer == "bind":
        keys = [bindsign.keygen(d, "ECDSAP256SHA256", ksk) for ksk in (True, False)]
        src = d / "deep.db"
        src.write_text(src.read_text() + "".join((d / f"{k.base}.key").read_text() for k in keys))
        nsec3 = {"nsec": [], "nsec3": ["-3", "-", "-H", "0"], "optout": ["-3", "aabbccdd", "-H", "0", "-A"]}[denial]
        subprocess.run(["dnssec-signzone", "-n", "2", "-o", bindsign.ORIGIN, "-s", "20260101000000",
                        "-e", "20360101000000", "-f", "deep.signed", *nsec3, "deep.db"] + [k.base for k in keys],
                       cwd=d, capture_output=True, text=True, check=True)
    else:
        for ksk in (True, False):
            subprocess.run(["ldns-keygen", "-a", "ECDSAP256SHA256"] + (["-k"] if ksk else []) + [bindsign.ORIGIN],
                           cwd=d, capture_output=True, text=True, check=True)
        keys = sorted(p.name[:-4] for p in d.glob("K*.key"))
        nsec3 = {"nsec": [], "nsec3": ["-n", "-t", "0"], "optout": ["-n", "-t", "0", "-p"]}[denial]
        subprocess.run(["ldns-signzone", "-i", "20260101000000", "-e", "20360101000000", "-f", "deep.signed",
                        *nsec3, "deep.db"] + keys, cwd=d, capture_output=True, text=True, check=True)
    return d / "deep.signed"


@pytest.mark.parametrize("signer", ["bind", "ldns"])
def test_deep_names_are_checked_subtree_by_subtree(tmp_path, signer):
    """A zone whose names lie mostly two labels or more below the apex,
    signed by dnssec-signzone on two threads (which writes a name now and
    then a few places out of canonical order) and by ldns-signzone:
    checked by name in windows of several sizes (the held names checked
    part by part), with exactly the whole-zone path's report."""
    p = _sign_deep(tmp_path, signer)
    whole = _native_report(p, whole_zone=True)
    assert sum(n for _, _, n in whole["status_counts"]) > 1000
    for window in (4096, 20000, 1 << 20):
        raw = _native_report(p, window_bytes=window)
        assert raw["checked_by_name"], (window, raw["pipeline"])
        assert _comparable(raw) == _comparable(whole), window
    r = zoneverify.verify_zone(p, now=signers.NOW)
    assert r.ok, [str(f) for f in r.findings]


@pytest.mark.parametrize("signer,denial", [("bind", "nsec3"), ("bind", "optout"), ("ldns", "nsec3"), ("ldns", "optout")])
def test_deep_nsec3_zones_are_checked_by_name(tmp_path, signer, denial):
    """The same zone with NSEC3, with and without opt-out: the empty
    non-terminals above held names (their NSEC3 needed, or left out under
    opt-out when only unsigned delegations lie below) come from the
    subtrees as they are checked; the report is the whole-zone path's, in
    windows of several sizes."""
    p = _sign_deep(tmp_path, signer, denial)
    whole = _native_report(p, whole_zone=True)
    assert sum(n for _, _, n in whole["status_counts"]) > 1000
    assert not [f for f in whole["zone_findings"] if f[1] == "error"], whole["zone_findings"][:3]
    for window in (4096, 20000, 1 << 20):
        raw = _native_report(p, window_bytes=window)
        assert raw["checked_by_name"], (window, raw["pipeline"])
        assert _comparable(raw) == _comparable(whole), window


def _nsec3_defects(text: str) -> dict[str, str]:
    """Zone texts, each with one NSEC3 defect: an NSEC3 record taken out,
    one with another TTL, one copied to an owner no name hashes to, and an
    NSEC record added (mixed denial)."""
    head, rrs = _rrs(text)
    n3 = [i for i, r in enumerate(rrs) if r.split()[3:4] == ["NSEC3"]]
    assert len(n3) > 10
    i = n3[len(n3) // 2]
    f = rrs[i].split()
    out = {
        "removed": rrs[:i] + rrs[i + 1:],
        "ttl": rrs[:i] + [" ".join([f[0], str(int(f[1]) + 1)] + f[2:])] + rrs[i + 1:],
        "extra": rrs + [" ".join(["0" * 32 + "." + f[0].split(".", 1)[1]] + f[1:])],
        "nsec": rrs + [f"zz.{bindsign.ORIGIN}. 300 IN NSEC {bindsign.ORIGIN}. A RRSIG NSEC"],
    }
    return {k: "\n".join(head + v) + "\n" for k, v in out.items()}


@pytest.mark.parametrize("signer", ["bind", "ldns"])
def test_nsec3_defects_give_the_whole_zone_paths_report(tmp_path, signer):
    """A defect the NSEC3 summary cannot show to be harmless makes the
    stage give up (after names were checked and dropped, in 4 KiB windows):
    the file is read again and the report is the whole-zone path's, which
    names the defect."""
    p = _sign_deep(tmp_path, signer, "optout")
    # One record per line, as named-compilezone writes them.
    flat = tmp_path / "flat.db"
    subprocess.run(["named-compilezone", "-q", "-s", "full", "-o", str(flat), bindsign.ORIGIN, str(p)],
                   capture_output=True, text=True, check=True)
    for what, text in _nsec3_defects(flat.read_text()).items():
        z = tmp_path / f"{what}.db"
        z.write_text(text)
        whole = _native_report(z, whole_zone=True)
        assert [f for f in whole["zone_findings"] if f[1] == "error"], what
        raw = _native_report(z, window_bytes=4096)
        assert not raw["checked_by_name"] and raw["pipeline"].startswith("whole-zone:"), (what, raw["pipeline"])
        assert _comparable(raw) == _comparable(whole), what


def _with_types(zone, owner, extra: str) -> None:
    """The NSEC3 at `owner` lists the types `extra` too (re-signed)."""
    import dns.rdata
    import dns.rdatatype

    rd = zoneedit.nsec3_nodes(zone)[owner]
    node = zone.get_node(owner)
    rds = node.get_rdataset(zoneedit.IN, dns.rdatatype.NSEC3)
    ttl = rds.ttl
    node.delete_rdataset(zoneedit.IN, dns.rdatatype.NSEC3)
    new = node.get_rdataset(zoneedit.IN, dns.rdatatype.NSEC3, create=True)
    new.update_ttl(ttl)
    new.add(dns.rdata.from_text(zoneedit.IN, dns.rdatatype.NSEC3, f"{rd.to_text()} {extra}"))


def test_nsec3_chain_defects_the_summary_finds_at_the_end(tmp_path):
    """Defects only the whole chain shows (each edit re-links the chain and
    re-signs with the signer's key, so the chain's order and signatures
    stay right): the summary matches names to NSEC3 records at the end and
    gives up exactly where the whole-zone path has an error; where opt-out
    allows the gap (an unsigned delegation, an empty non-terminal with
    only opted-out unsigned delegations below) the zone stays checked name
    by name, without error, as over the whole zone."""
    text = _deep_zone_text(zoneedit.ORIGIN)
    path, keys = zoneedit.ldns_zone(tmp_path / "signed", text, nsec3=True, optout=True)
    h = zoneedit.hashed_owner
    deleg_e1 = [h(f"d{k}.e1") for k in range(3)]
    cases = {
        # (edit, the whole-zone path finds an error)
        "a host's NSEC3": (lambda z: zoneedit.remove_nsec3s(z, [h("h3.g7")], keys), True),
        "an unsigned delegation's NSEC3": (lambda z: zoneedit.remove_nsec3s(z, [h("c7")], keys), False),
        "the NSEC3 of an empty non-terminal above a signed delegation": (lambda z: zoneedit.remove_nsec3s(z, [h("e0")], keys), True),
        "the NSEC3 of an empty non-terminal above unsigned delegations in the chain": (lambda z: zoneedit.remove_nsec3s(z, [h("e1")], keys), True),
        "that one and the delegations' too": (lambda z: zoneedit.remove_nsec3s(z, [h("e1"), *deleg_e1], keys), False),
        "a type listed that is not at the name": (lambda z: (_with_types(z, h("h3.g7"), "TXT"), zoneedit.resign(z, h("h3.g7"), 50, keys)), True),
    }
    for what, (edit, error) in cases.items():
        z = zoneedit.load(path)
        edit(z)
        p = zoneedit.write(z, tmp_path / "edited.db")
        whole = _native_report(p, whole_zone=True)
        errors = [f for f in whole["zone_findings"] if f[1] == "error"]
        assert bool(errors) == error, (what, errors[:3])
        for window in (4096, 1 << 20):
            raw = _native_report(p, window_bytes=window)
            assert raw["checked_by_name"] == (not error), (what, window, raw["pipeline"])
            assert _comparable(raw) == _comparable(whole), (what, window)


def _move_to_end(text: str, owner: str) -> str:
    head, rrs = _rrs(text)
    moved = [r for r in rrs if r.split()[0].lower() == owner.lower()]
    assert moved, owner
    return "\n".join(head + [r for r in rrs if r not in moved] + moved) + "\n"


@pytest.mark.parametrize("owner,top", [
    # a host under an empty non-terminal
    ("h3.g2", "g2"),
    # a delegation, after its glue was checked (as data of the zone, had
    # the stage not given up)
    ("c7", "c7"),
])
def test_a_name_in_a_subtree_already_checked(tmp_path, owner, top):
    """A name that comes in a subtree whose held names were checked (here:
    moved to the end of the file, far past the slack) makes the stage give
    up: the whole-zone path's report, exactly. In one part nothing was
    checked before it: by name, the same report."""
    owner, top = f"{owner}.{bindsign.ORIGIN}.", f"{top}.{bindsign.ORIGIN}."
    signed = _sign_deep(tmp_path, "ldns")
    p = tmp_path / "late.zone"
    p.write_text(_move_to_end(signed.read_text(), owner))
    whole = _native_report(p, whole_zone=True)
    small = _native_report(p, window_bytes=4096)
    assert not small["checked_by_name"]
    assert re.match(rf"whole-zone: owner name {re.escape(owner)} at line \d+ lies in the subtree of "
                    rf"{re.escape(top)}, whose names were checked and dropped", small["pipeline"]), small["pipeline"]
    assert _comparable(small) == _comparable(whole)
    one = _native_report(p)
    assert one["checked_by_name"], one["pipeline"]
    assert _comparable(one) == _comparable(whole)
    assert zoneverify.verify_zone(p, now=signers.NOW).ok


def test_a_broken_nsec_link_is_named_by_the_whole_zone_path(signed_zone_factory, tmp_path):
    """An NSEC whose next name skips a name: the summary of the chain
    cannot say which link is wrong, so the whole-zone path, whose finding
    names it, takes over; the result is exactly its own."""
    z = signed_zone_factory("ldns", 13, False)
    head, rrs = _rrs(z.text)
    nsecs = [i for i, r in enumerate(rrs) if "\tNSEC\t" in r]
    # The second NSEC of the chain names the fourth name instead of the third.
    second, third = nsecs[1], nsecs[2]
    fourth_owner = rrs[nsecs[3]].split()[0]
    parts = rrs[second].split("\t")
    nxt = parts[4].split(" ", 1)
    parts[4] = fourth_owner + " " + nxt[1]
    rrs[second] = "\t".join(parts)
    assert rrs[third]
    p = tmp_path / "chain.zone"
    p.write_text("\n".join(head + rrs) + "\n")
    for policy in ({}, {"window_bytes": 4096}):
        raw = _native_report(p, **policy)
        assert not raw["checked_by_name"], raw["pipeline"]
        assert "NSEC" in raw["pipeline"], raw["pipeline"]
        assert _comparable(raw) == _comparable(_native_report(p, whole_zone=True))
    r = zoneverify.verify_zone(p, now=signers.NOW)
    assert any(f.code == "nsec-chain" for f in r.findings), [str(f) for f in r.findings]


def _break_one_signature(text: str, tag: int, after_line: int) -> str:
    """One character changed in the signature of the first RRSIG by key
    `tag` after line `after_line` of a zone as dnssec-signzone writes it
    (the signature on the lines after the one with the key tag)."""
    lines = text.splitlines()
    i = next(n for n, l in enumerate(lines) if f" {tag} {signers.ORIGIN}" in l and n > after_line)
    c = lines[i + 1].strip()[3]
    lines[i + 1] = lines[i + 1].replace(c, "A" if c != "A" else "B", 1)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("combo", [("bind", 13, False), ("bind", 8, True)], ids=signers.combo_id)
def test_columns_false_keeps_every_finding(signed_zone_factory, combo, tmp_path):
    """columns=False (what `zoneverify check` asks): the same findings,
    counts and verdict, on a zone with a failing signature, checked by name
    or over the model; the columns not kept raise."""
    z = signed_zone_factory(*combo)
    p = tmp_path / "one-bad.zone"
    p.write_text(_break_one_signature(z.text, z.zsk.tag, after_line=20))
    full = zoneverify.verify_zone(p, now=signers.NOW, expire_within="3650d")
    thin = zoneverify.verify_zone(p, now=signers.NOW, expire_within="3650d", columns=False)
    assert not full.ok and not thin.ok
    assert [f.to_dict() for f in thin.findings] == [f.to_dict() for f in full.findings]
    assert thin.counts == full.counts and len(thin) == len(full)
    assert list(thin.status) == list(full.status) and list(thin.algorithm) == list(full.algorithm)
    for column in ("expiration", "owner", "line", "key_tag"):
        with pytest.raises(ValueError, match=f"the {column} column was not kept"):
            getattr(thin, column)
    with pytest.raises(ValueError):
        thin.to_dict(columns=True)
    assert thin.to_dict() == {**full.to_dict(), "timings": thin.to_dict()["timings"]}


@pytest.mark.parametrize("combo", [("bind", 13, False), ("ldns", 8, False)], ids=signers.combo_id)
def test_expectations_are_gathered_name_by_name(signed_zone_factory, combo):
    """The publication gate's expectations by name: a key expected to sign
    every RRset, a forbidden key (its RRSIGs counted, the first named), a
    pre-published algorithm (every RRset without its RRSIG found, in zone
    order): the same findings, in one part and in 4 KiB windows, as over
    the whole zone's model."""
    z = signed_zone_factory(*combo)
    ksk = next(k for k in z.keys if k.ksk)
    policy = {"expect_signing_keys": [z.zsk.tag, ksk.tag], "forbid_keys": [z.zsk.tag], "prepublished_algorithms": [15]}
    whole = _native_report(z.path, whole_zone=True, **policy)
    codes = {f[0] for f in whole["zone_findings"]}
    assert {"forbidden-key-present", "prepublished-missing"} <= codes, codes
    for extra in ({}, {"window_bytes": 4096}):
        raw = _native_report(z.path, **policy, **extra)
        assert raw["checked_by_name"], raw["pipeline"]
        assert _comparable(raw) == _comparable(whole)

def test_a_signing_key_that_misses_rrsets_is_counted_by_name(signed_zone_factory, tmp_path):
    """--expect-signing-key with a ZSK whose signatures over two RRsets far
    apart in the file are broken: counted part by part, and the first of
    them in canonical order named, as over the whole zone's model."""
    z = signed_zone_factory("ldns", 13, False)
    head, rrs = _rrs(z.text)
    sigs = [i for i, r in enumerate(rrs) if "\tRRSIG\t" in r and f" {z.zsk.tag} " in r]
    for i in (sigs[len(sigs) // 3], sigs[-2]):
        c = rrs[i][-10]
        rrs[i] = rrs[i][:-10] + ("A" if c != "A" else "B") + rrs[i][-9:]
    p = tmp_path / "two-bad.zone"
    p.write_text("\n".join(head + rrs) + "\n")
    policy = {"expect_signing_keys": [z.zsk.tag]}
    whole = _native_report(p, whole_zone=True, **policy)
    # (ldns signs the DNSKEY RRset with the KSK alone: that is a finding of its own.)
    found = [f for f in whole["zone_findings"] if f[0] == "expected-key-not-signing" and f[3] != 48]
    assert len(found) == 1 and "does not validly sign 2 of the zone's" in found[0][7], found
    for extra in ({}, {"window_bytes": 4096}):
        raw = _native_report(p, **policy, **extra)
        assert raw["checked_by_name"], raw["pipeline"]
        assert _comparable(raw) == _comparable(whole)

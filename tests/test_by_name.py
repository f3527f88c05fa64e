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
def test_nsec3_zones_are_checked_over_the_model(signed_zone_factory, combo):
    """NSEC3 needs every name's hash at once: the checks run over the zone
    model (the signatures still stream)."""
    z = signed_zone_factory(*combo)
    r = zoneverify.verify_zone(z.path, now=signers.NOW)
    assert r.pipeline == "streamed" and not r.checked_by_name
    assert r.ok


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


def _deep_zone_text() -> str:
    """Most names two or more labels below the apex: hosts under empty
    non-terminals, delegations one and two labels down with glue below
    them, a wildcard with a name under it, a CNAME chain."""
    lines = [f"$ORIGIN {bindsign.ORIGIN}.", "$TTL 3600",
             "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300", "@ IN NS ns1", "ns1 IN A 192.0.2.1"]
    for g in range(40):
        lines += [f"h{h}.g{g} IN A 10.0.{g}.{h}" for h in range(25)]
        if g % 5 == 0:
            lines += [f"d.g{g} IN NS ns.d.g{g}", f"ns.d.g{g} IN A 192.0.2.{g}", f"x.ns.d.g{g} IN TXT \"occluded\""]
        if g % 7 == 0:
            lines += [f"c{g} IN NS ns1.c{g}", f"ns1.c{g} IN A 192.0.2.{100 + g}", f"a.b.c{g} IN A 192.0.2.{150 + g}"]
    lines += ["*.w IN A 192.0.2.200", "x.*.w IN TXT \"below a wildcard\"", "a.cn IN CNAME h1.g3"]
    return "\n".join(lines) + "\n"


def _sign_deep(d, signer: str):
    (d / "deep.db").write_text(_deep_zone_text())
    if signer == "bind":
        keys = [bindsign.keygen(d, "ECDSAP256SHA256", ksk) for ksk in (True, False)]
        src = d / "deep.db"
        src.write_text(src.read_text() + "".join((d / f"{k.base}.key").read_text() for k in keys))
        subprocess.run(["dnssec-signzone", "-n", "2", "-o", bindsign.ORIGIN, "-s", "20260101000000",
                        "-e", "20360101000000", "-f", "deep.signed", "deep.db"] + [k.base for k in keys],
                       cwd=d, capture_output=True, text=True, check=True)
    else:
        for ksk in (True, False):
            subprocess.run(["ldns-keygen", "-a", "ECDSAP256SHA256"] + (["-k"] if ksk else []) + [bindsign.ORIGIN],
                           cwd=d, capture_output=True, text=True, check=True)
        keys = sorted(p.name[:-4] for p in d.glob("K*.key"))
        subprocess.run(["ldns-signzone", "-i", "20260101000000", "-e", "20360101000000", "-f", "deep.signed",
                        "deep.db"] + keys, cwd=d, capture_output=True, text=True, check=True)
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

"""The streaming pipeline against the whole-zone path (issue 11).

Every verification in the test suite is already run both ways by the
oracle in conftest.py (pipeline_oracle.py). Here: which path the zones of
the real signers take (the streaming one), the shapes that must take the
whole-zone path and still give exactly its result, and that the oracle is
not vacuous (it sees streamed zones, and it catches a difference).
"""

from __future__ import annotations

import random

import pytest

import pipeline_oracle
import signers
import zoneverify
from zoneverify import _native

COMBOS = [("bind", 13, False), ("bind", 8, True), ("ldns", 13, True), ("ldns", 8, False), ("knot", 13, False), ("knot", 15, True)]


@pytest.mark.parametrize("combo", COMBOS, ids=signers.combo_id)
def test_real_signers_output_is_streamed(signed_zone_factory, combo):
    """BIND, ldns and Knot write the apex first and each owner name once:
    their zones take the streaming path, and pass."""
    z = signed_zone_factory(*combo)
    r = zoneverify.verify_zone(z.path, now=signers.NOW)
    assert r.pipeline == "streamed", r.pipeline
    assert r.ok, [str(f) for f in r.findings]


def _lines(z) -> tuple[list[str], list[str]]:
    """(directives and comments, one RR per line) of an ldns-signed zone."""
    head, rrs = [], []
    for line in z.text.splitlines():
        if not line.strip() or line.startswith((";", "$")):
            head.append(line)
        else:
            rrs.append(line)
    return head, rrs


def _owner(line: str) -> str:
    return line.split()[0].lower()


def _variants(rrs: list[str]) -> dict[str, list[str]]:
    rnd = random.Random(11)
    apex = _owner(rrs[0])
    shuffled = rrs[:]
    rnd.shuffle(shuffled)
    # One of two signed TXT records (txt2) moved to the end: its RRset
    # grows after its RRSIG was verified. (Had the name only that record,
    # its RRSIG would wait for it and the zone would stream.)
    k = next(i for i, l in enumerate(rrs) if _owner(l) == "txt2." + apex and l.split()[3] == "TXT")
    split = rrs[:k] + rrs[k + 1:] + [rrs[k]]
    # Knot's layout: data, then every RRSIG, then the NSEC/NSEC3 records.
    denial = [l for l in rrs if l.split()[3] in ("NSEC", "NSEC3")]
    sigs = [l for l in rrs if l.split()[3] == "RRSIG"]
    data = [l for l in rrs if l not in denial and l not in sigs]
    # The apex records last.
    apex_last = [l for l in rrs if _owner(l) != apex] + [l for l in rrs if _owner(l) == apex]
    # Records of each owner shuffled among themselves: still streamable.
    within: list[str] = []
    run: list[str] = []
    for l in rrs + [""]:
        if run and (not l or _owner(l) != _owner(run[0])):
            rnd.shuffle(run)
            within += run
            run = []
        if l:
            run.append(l)
    return {"shuffled": shuffled, "owner-split": split, "apex-last": apex_last, "within-owner": within,
            "knot-layout": data + sigs + denial}


@pytest.mark.parametrize("nsec3", [False, True], ids=["nsec", "nsec3"])
@pytest.mark.parametrize("broken", [False, True], ids=["good", "one-bad-sig"])
def test_shapes(signed_zone_factory, tmp_path, nsec3, broken):
    """Read in small windows, shuffled records, a signed RRset that grows
    after its RRSIG and the apex last take the whole-zone path (and say
    why); records shuffled within each owner, and Knot's layout (data,
    RRSIGs, then the denial chain), stay streamed. All give the same report as the whole-zone path
    (the oracle compares them, in 4 KiB windows too) and the right verdict."""
    z = signed_zone_factory("ldns", 13, nsec3)
    head, rrs = _lines(z)
    if broken:
        i = next(i for i, l in enumerate(rrs) if "\tRRSIG\t" in l and "\tA " in l.replace("\tA\t", "\tA "))
        f = rrs[i].rsplit(None, 1)
        sig = f[1]
        rrs[i] = f"{f[0]} {('B' if sig[0] != 'B' else 'C') + sig[1:]}"
    expect = {
        "shuffled": "whole-zone: ",
        "owner-split": "whole-zone: owner name txt2.zonetest.example. comes back",
        "apex-last": "whole-zone: the first owner name",
        "within-owner": "streamed",
        "knot-layout": "streamed",
    }
    for name, lines in _variants(rrs).items():
        p = tmp_path / f"{name}.zone"
        p.write_text("\n".join(head + lines) + "\n")
        r = zoneverify.verify_zone(p, origin=z.origin if name != "apex-last" else None, now=signers.NOW)
        # In one part (a small file) every RRset is complete before any
        # RRSIG is verified: the stage takes every shape that starts with
        # the apex.
        apex_first = name not in ("shuffled", "apex-last")
        assert (r.pipeline == "streamed") == apex_first, (name, r.pipeline)
        # In 512-byte windows the shapes that need the whole zone say so.
        raw = _native.verify_file(str(p), None, signers.NOW, 2, False, {"window_bytes": 512})
        assert raw["pipeline"].startswith(expect[name]), (name, raw["pipeline"])
        if broken:
            assert not r.ok and [f.code for f in r.errors] == ["bad-signature"], (name, [str(f) for f in r.findings])
        else:
            assert r.ok, (name, [str(f) for f in r.findings])


def test_include(signed_zone_factory, tmp_path):
    """A zone split over $INCLUDE files: the same report both ways."""
    z = signed_zone_factory("ldns", 8, True)
    head, rrs = _lines(z)
    half = len(rrs) // 2
    (tmp_path / "part2.zone").write_text("\n".join(rrs[half:]) + "\n")
    top = tmp_path / "top.zone"
    top.write_text("\n".join(head + rrs[:half] + ["$INCLUDE part2.zone"]) + "\n")
    r = zoneverify.verify_zone(top, now=signers.NOW, allow_include=True)
    assert r.pipeline == "streamed" and r.ok, (r.pipeline, [str(f) for f in r.findings])
    assert len(set(r.file.tolist())) == 2


def test_the_oracle_sees_streamed_zones():
    """By now (this file runs after the corpus and conformance tests) the
    oracle has compared many streamed reports, not only whole-zone ones."""
    assert pipeline_oracle.TAKEN["streamed"] >= 20, dict(pipeline_oracle.TAKEN)
    # And many checked name by name in the stream (the zones real signers
    # write), against the checks over the whole zone's model.
    assert pipeline_oracle.TAKEN["checked by name"] >= 20, dict(pipeline_oracle.TAKEN)
    assert pipeline_oracle.TAKEN["NSEC3 checked by name"] >= 10, dict(pipeline_oracle.TAKEN)


def test_the_oracle_catches_a_difference():
    a = ("ok", {"status": b"\x00", "pipeline": "streamed", "timings": {}})
    b = ("ok", {"status": b"\x01", "pipeline": "whole-zone", "timings": {}})
    with pytest.raises(AssertionError, match="'status' differs"):
        pipeline_oracle._same(a, b, "test")
    pipeline_oracle._same(a, ("ok", dict(a[1], pipeline="whole-zone", timings={"x": 1})), "test")


def test_oracle_is_installed():
    assert _native.verify_file.__name__ == "verify_file" and _native.verify_file.__module__ == "pipeline_oracle"


def test_a_window_fallback_after_parts_starts_the_stage_again(tmp_path):
    """The windowed reader may hand over parts and then meet something only
    the sequential parser settles, and return the whole file: the streaming
    stage must then start again, not take those records a second time
    (found by the denial fuzz target once it read files in windows; its
    input is the regression seed fuzz/corpus/denial/regress-window-fallback-after-parts)."""
    from pathlib import Path

    seed = Path(__file__).resolve().parent.parent / "fuzz/corpus/denial/regress-window-fallback-after-parts"
    p = tmp_path / "fallback.zone"
    p.write_bytes(seed.read_bytes()[1:])
    now = 1_700_000_000
    windowed = _native.verify_file(str(p), None, now, 2, False, {"window_bytes": 256})
    whole = _native.verify_file(str(p), None, now, 2, False, {"whole_zone": True})
    keys = set(whole) - {"timings", "pipeline", "checked_by_name"}
    assert {k: windowed[k] for k in keys} == {k: whole[k] for k in keys}
    assert len(windowed["status"]) == len(whole["status"]) == 23

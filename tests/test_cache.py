"""The verified-signature cache (issue 14, rust/sig/cache.rs): a hit skips
only the public-key operation, so every report with the cache, cold or
warm, is the report without it; what breaks a signature is found again;
the cache's files are checked before anything in them is used.

The zones are signed by BIND, ldns and Knot (signers.py); the edits are
text mutations (mutations.py), never signatures made by zoneverify.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

import mutations
import signers
import zoneverify

COMBOS = [("ldns", 13, False), ("bind", 8, True), ("knot", 15, True), ("bind", 13, False)]


def _same(r) -> dict:
    d = r.to_dict(columns=True)
    for k in ("timings", "cache"):
        d.pop(k, None)
    return d


def _check(path, cache=None, **kw):
    return zoneverify.verify_zone(path, now=kw.pop("now", signers.NOW), cache=cache, **kw)


@pytest.mark.parametrize("combo", COMBOS, ids=signers.combo_id)
def test_cold_and_warm_runs_give_the_report_without_the_cache(signed_zone_factory, tmp_path, combo):
    """Without, cold, warm: the same statuses, findings, counts and lines;
    the warm run reuses every valid signature and verifies none."""
    z = signed_zone_factory(*combo)
    plain = _check(z.path)
    cold = _check(z.path, tmp_path / "c")
    warm = _check(z.path, tmp_path / "c")
    assert _same(cold) == _same(plain) == _same(warm)
    valid = plain.counts["by_status"].get("valid", 0)
    assert valid > 10
    assert (cold.cache["reused"], cold.cache["verified"], cold.cache["stored"]) == (0, valid, valid)
    assert (warm.cache["reused"], warm.cache["verified"], warm.cache["loaded"]) == (valid, 0, valid)
    assert cold.cache["warnings"] == warm.cache["warnings"] == []
    assert plain.cache is None


def _replace_zsk(text: str, other_text: str, origin: str, tag: int) -> str:
    """The ZSK's DNSKEY record replaced by another key's (same algorithm,
    from a zone another signer made)."""
    import zonetext

    mine = [r for r in zonetext.parse(text, origin) if r.rtype == "DNSKEY" and mutations.key_tag(r.rdata_text) == tag]
    theirs = [r for r in zonetext.parse(other_text, origin) if r.rtype == "DNSKEY" and r.rdata_text[0] == "256"]
    assert len(mine) == 1 and theirs
    return zonetext.replace_record(text, mine[0], other_text, theirs[0])


def test_a_warm_cache_finds_what_breaks_a_signature(signed_zone_factory, tmp_path):
    """The cache filled from the good zone; then a flipped signature, an
    altered RRset and a replaced DNSKEY: each report is the report without
    the cache (the broken signatures are verified again, not reused)."""
    z = signed_zone_factory("ldns", 13, False)
    other = signed_zone_factory("bind", 13, False)
    flipped, _ = mutations.flip_signature(z.text, z.origin, z.zsk.tag)
    altered, _ = mutations.change_a_rdata(z.text, z.origin)
    replaced = _replace_zsk(z.text, other.text, z.origin, z.zsk.tag)
    for what, text in (("flipped", flipped), ("altered", altered), ("replaced", replaced)):
        cache = tmp_path / what
        _check(z.path, cache)
        p = tmp_path / f"{what}.zone"
        p.write_text(text)
        plain = _check(p)
        warm = _check(p, cache)
        assert not plain.ok, what
        assert _same(warm) == _same(plain), what
        # Every signature still valid was valid, and stored, in the good
        # zone; none that broke is reused (the replaced ZSK, and the DNSKEY
        # RRset it was in, break them all).
        assert warm.cache["reused"] == plain.counts["by_status"].get("valid", 0), what
        assert (warm.cache["reused"] > 0) == (what != "replaced"), what


def test_entries_for_other_data_do_not_make_a_bad_signature_pass(signed_zone_factory, tmp_path):
    """A cache full of valid entries, made from other zones signed with
    other keys and from the zone's good copy: a flipped signature is still
    bad (its entry would be another digest)."""
    z = signed_zone_factory("ldns", 13, False)
    cache = tmp_path / "c"
    for combo in COMBOS:
        _check(signed_zone_factory(*combo).path, cache)
    flipped, expected = mutations.flip_signature(z.text, z.origin, z.zsk.tag)
    p = tmp_path / "flipped.zone"
    p.write_text(flipped)
    plain, warm = _check(p), _check(p, cache)
    assert _same(warm) == _same(plain)
    assert {(f.owner.lower(), f.type, f.key_tag, f.code) for f in warm.findings if f.status is not None} == expected


def test_time_still_matters(signed_zone_factory, tmp_path):
    """Signatures cached while valid, checked after they expired: expired,
    as without the cache (the window is compared at `now` on every run)."""
    z = signed_zone_factory("bind", 13, False)
    cache = tmp_path / "c"
    _check(z.path, cache)
    later = signers.ts("20370101000000")
    plain, warm = _check(z.path, now=later), _check(z.path, cache, now=later)
    assert warm.cache["reused"] > 0
    assert _same(warm) == _same(plain)
    assert warm.counts["by_status"].get("expired", 0) == len(warm) and not warm.ok


def test_bad_cache_files_are_ignored_with_a_warning_and_made_anew(signed_zone_factory, tmp_path):
    """Truncated, corrupt, of another format, another secret: the run warns,
    reuses nothing, gives the report without the cache, and writes a good
    file that the next run reuses."""
    z = signed_zone_factory("ldns", 13, False)
    cache = tmp_path / "c"
    plain = _check(z.path)
    _check(z.path, cache)
    good = (cache / "signatures").read_bytes()
    bad = {
        "truncated": (good[:-40], "truncated"),
        "corrupt": (good[:200] + bytes([good[200] ^ 4]) + good[201:], "checksum"),
        "format": (good[:8] + b"\x09" + good[9:], "format 9"),
        "empty": (b"", "shorter than a header"),
    }
    for what, (data, why) in bad.items():
        (cache / "signatures").write_bytes(data)
        r = _check(z.path, cache)
        assert r.cache["reused"] == 0 and len(r.cache["warnings"]) == 1 and why in r.cache["warnings"][0], (what, r.cache)
        assert _same(r) == _same(plain), what
        again = _check(z.path, cache)
        assert again.cache["warnings"] == [] and again.cache["reused"] == r.cache["stored"] > 0, what
    # Another secret: the old entries are void.
    (cache / "secret").write_bytes(os.urandom(32))
    r = _check(z.path, cache)
    assert r.cache["reused"] == 0 and "another secret" in r.cache["warnings"][0]
    # The files are the owner's only.
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o700
    for f in ("secret", "signatures"):
        assert stat.S_IMODE(os.stat(cache / f).st_mode) == 0o600, f


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zoneverify", *args], capture_output=True, text=True)


def test_the_command_line(signed_zone_factory, tmp_path):
    """--cache: the summary and JSON say what was reused; a bad file is a
    warning on stderr; --cache-max-entries bounds what is stored."""
    z = signed_zone_factory("ldns", 13, False)
    cache = str(tmp_path / "c")
    now = ["--now", "20260601000000"]
    cold = _cli("check", str(z.path), *now, "--cache", cache)
    assert cold.returncode == 0, cold.stderr
    assert "cache: 0 signatures reused" in cold.stdout
    warm = _cli("check", str(z.path), *now, "--cache", cache, "--format", "json")
    import json

    c = json.loads(warm.stdout)["cache"]
    assert c["reused"] > 0 and c["verified"] == 0
    (tmp_path / "c" / "signatures").write_bytes(b"garbage")
    r = _cli("check", str(z.path), *now, "--cache", cache)
    assert r.returncode == 0 and "zoneverify: warning: cache file" in r.stderr, r.stderr
    small = _cli("check", str(z.path), *now, "--cache", cache, "--cache-max-entries", "5", "--format", "json")
    assert json.loads(small.stdout)["cache"]["stored"] == 5
    assert "than the limit of 5 entries: 5 stored" in small.stderr
    unusable = tmp_path / "file"
    unusable.write_text("x")
    r = _cli("check", str(z.path), *now, "--cache", str(unusable))
    assert r.returncode == 2 and "cache directory" in r.stderr, (r.returncode, r.stderr)


def test_two_runs_at_once_and_a_run_killed_mid_way(signed_zone_factory, tmp_path):
    """Two processes on one cache at the same time: both reports are right
    and the file is good after (the last rename wins). Runs killed at
    several points: the next run is right, the file good or ignored with a
    warning, and no temporary file is left."""
    z = signed_zone_factory("bind", 8, True)
    cache = str(tmp_path / "c")
    plain = _check(z.path)
    now = ["--now", "20260601000000", "--format", "json"]
    import json

    procs = [subprocess.Popen([sys.executable, "-m", "zoneverify", "check", str(z.path), *now, "--cache", cache],
                              stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate()[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    for o in outs:
        assert json.loads(o)["counts"] == plain.to_dict()["counts"]
    r = _check(z.path, cache)
    assert r.cache["warnings"] == [] and r.cache["reused"] == plain.counts["by_status"]["valid"]
    import time

    for delay in (0.05, 0.2, 0.4, 0.6, 0.8):
        p = subprocess.Popen([sys.executable, "-m", "zoneverify", "check", str(z.path), *now, "--cache", cache],
                             stdout=subprocess.DEVNULL)
        time.sleep(delay)
        p.kill()
        p.wait()
        r = _check(z.path, cache)
        assert _same(r) == _same(plain), delay
        assert len(r.cache["warnings"]) <= 1, r.cache
    assert sorted(os.listdir(cache)) == ["secret", "signatures"]


def _statuses(res) -> list:
    return [(res.owner(int(i)), int(t), int(s)) for i, t, s in zip(res.item, res.type_covered, res.status)]


def test_the_batch_verifier_reuses_and_saves(signed_zone_factory, tmp_path):
    """Verifier(cache=DIR): the first verifier verifies and saves, the next
    reuses every good signature, with the statuses of a verifier without a
    cache; entries are the same on every path (a cache made by
    verify_zone serves the Verifier); a broken signature is verified again
    and found; repeated batches are one entry each; the bound holds."""
    import dns.zone

    z = signed_zone_factory("bind", 13, False)
    zone = dns.zone.from_file(str(z.path), z.origin, relativize=False)
    plain = zoneverify.Verifier(zone, now=signers.NOW).verify(zone)
    valid = int((plain.status == zoneverify.Status.VALID).sum())
    assert plain.ok and valid == len(plain) > 10
    cache = tmp_path / "c"
    with zoneverify.Verifier(zone, now=signers.NOW, cache=cache) as v:
        for _ in range(3):  # the same signatures three times: one entry each
            cold = v.verify(zone)
            assert _statuses(cold) == _statuses(plain)
        st = v.cache_stats
        assert (st["loaded"], st["reused"], st["verified"]) == (0, 0, 3 * valid)
        # Saved entries are reused by the same verifier's next batches.
        assert v.save_cache()["stored"] == valid
        again = v.verify(zone)
        assert _statuses(again) == _statuses(plain)
        st = v.cache_stats
        assert (st["loaded"], st["reused"], st["verified"]) == (valid, valid, 3 * valid)
    assert zoneverify.Verifier(zone, now=signers.NOW).cache_stats is None
    warm_v = zoneverify.Verifier(zone, now=signers.NOW, cache=cache)
    warm = warm_v.verify(zone)
    assert _statuses(warm) == _statuses(plain)
    assert warm_v.cache_stats["loaded"] == valid and warm_v.cache_stats["reused"] == valid
    assert warm_v.cache_stats["verified"] == 0
    saved = warm_v.save_cache()
    assert saved["stored"] == valid and saved["warnings"] == []
    # A cache made by the zone-file path serves the batch path.
    other = tmp_path / "from-file"
    _check(z.path, other)
    v = zoneverify.Verifier(zone, now=signers.NOW, cache=other)
    v.verify(zone)
    assert (v.cache_stats["reused"], v.cache_stats["verified"]) == (valid, 0)
    # A flipped signature on a warm cache: found, as without the cache.
    flipped, expected = mutations.flip_signature(z.text, z.origin, z.zsk.tag)
    p = tmp_path / "flipped.zone"
    p.write_text(flipped)
    fz = dns.zone.from_file(str(p), z.origin, relativize=False)
    bad_plain = zoneverify.Verifier(fz, now=signers.NOW).verify(fz)
    v = zoneverify.Verifier(fz, now=signers.NOW, cache=cache)
    bad_warm = v.verify(fz)
    assert not bad_warm.ok and _statuses(bad_warm) == _statuses(bad_plain)
    assert v.cache_stats["verified"] == len(expected) and v.cache_stats["reused"] == valid - len(expected)
    # Expired at a later time, though cached.
    late = zoneverify.Verifier(zone, now=signers.ts("20370101000000"), cache=cache).verify(zone)
    assert int((late.status == zoneverify.Status.EXPIRED).sum()) == len(late)
    # The bound: at most N entries stored, with a warning.
    small = zoneverify.Verifier(zone, now=signers.NOW, cache=tmp_path / "small", cache_max_entries=5)
    small.verify(zone)
    s = small.save_cache()
    assert s["stored"] == 5 and "than the limit of 5 entries" in s["warnings"][0]
    with pytest.raises(ValueError, match="no cache"):
        zoneverify.Verifier(zone, now=signers.NOW).save_cache()
    with pytest.raises(ValueError, match="needs cache"):
        zoneverify.Verifier(zone, cache_max_entries=5)
    unusable = tmp_path / "file"
    unusable.write_text("x")
    with pytest.raises(OSError, match="cache directory"):
        zoneverify.Verifier(zone, cache=unusable)


def test_bench_counts_the_cache(signed_zone_factory, tmp_path):
    """zoneverify bench --cache: reused and verified, the lookups counted
    (one per signature), verifications only for the operations done."""
    import json

    z = signed_zone_factory("ldns", 13, False)
    cache = str(tmp_path / "c")
    now = ["--now", "20260601000000"]
    cold = json.loads(_cli("bench", str(z.path), *now, "--cache", cache, "--format", "json").stdout)
    warm_run = _cli("bench", str(z.path), *now, "--cache", cache)
    assert warm_run.returncode == 0, warm_run.stderr
    assert "signatures reused" in warm_run.stdout and "cache lookups" in warm_run.stdout
    warm = json.loads(_cli("bench", str(z.path), *now, "--cache", cache, "--format", "json").stdout)
    n = cold["rrsigs"]
    assert (cold["cache"]["verified"], cold["cache"]["reused"], cold["cache"]["lookups"]) == (n, 0, n)
    assert (warm["cache"]["verified"], warm["cache"]["reused"], warm["cache"]["lookups"]) == (0, n, n)
    assert sum(a["verifications"] for a in cold["algorithms"]) == n
    assert sum(a["verifications"] for a in warm["algorithms"]) == 0
    assert warm["cache"]["lookup_cpu_seconds"] > 0
    plain = json.loads(_cli("bench", str(z.path), *now, "--format", "json").stdout)
    assert plain["cache"] is None

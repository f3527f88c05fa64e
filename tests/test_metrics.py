"""zoneverify check --metrics FILE (issue 15, part 3): the Prometheus text
format for node_exporter's textfile collector, read back with
prometheus_client's own parser and compared with what the zone holds
(read independently with dnspython) and with the report."""

from __future__ import annotations

import calendar
import os
import re
import stat
import subprocess
import sys

import pytest

import mutations
import signers

parser = pytest.importorskip("prometheus_client.parser")

NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zoneverify", *args], capture_output=True, text=True)


def _read(path) -> dict[str, list]:
    fams = {f.name: f for f in parser.text_string_to_metric_families(open(path).read())}
    return {name: [(s.labels, s.value) for s in f.samples] for name, f in fams.items()}, fams


def _earliest_by_key(path, origin) -> dict[tuple[int, int], int]:
    """Earliest expiration per (key tag, algorithm), read with dnspython."""
    import dns.zone

    z = dns.zone.from_file(str(path), origin, relativize=False)
    out: dict[tuple[int, int], int] = {}
    for _, node in z.items():
        for rds in node:
            if rds.rdtype == 46:
                for rd in rds:
                    k = (rd.key_tag, int(rd.algorithm))
                    out[k] = min(out.get(k, rd.expiration), rd.expiration)
    return out


def test_metrics_of_good_bad_and_unusable_zones(signed_zone_factory, tmp_path):
    z = signed_zone_factory("bind", 13, True)
    flipped, expected = mutations.flip_signature(z.text, z.origin, z.zsk.tag)
    bad = tmp_path / "flipped.zone"
    bad.write_text(flipped)
    missing = tmp_path / "missing.zone"
    out = tmp_path / "zones.prom"
    out.write_text("old content that must go\n")
    now = "20260601000000"
    r = _cli("check", str(z.path), str(bad), str(missing), "--now", now, "--metrics", str(out))
    assert r.returncode == 2, r.stderr  # the missing file
    assert "missing.zone" in r.stderr and "Traceback" not in r.stderr
    samples, fams = _read(out)
    for name, fam in fams.items():
        assert NAME.match(name) and name.startswith("zoneverify_"), name
        assert fam.type == "gauge", name
        assert fam.documentation, name
        if "timestamp" in name or "duration" in name:
            assert name.endswith("_seconds"), name
    good, flip = str(z.path), str(bad)

    def value(name, **labels):
        hits = [v for lab, v in samples[name] if all(lab.get(k) == str(w) for k, w in labels.items())]
        assert len(hits) == 1, (name, labels, samples.get(name))
        return hits[0]

    assert value("zoneverify_zone_checked", source=good, zone=z.origin) == 1
    assert value("zoneverify_zone_checked", source=str(missing), zone="") == 0
    assert value("zoneverify_zone_ok", source=good) == 1
    assert value("zoneverify_zone_ok", source=flip) == 0
    assert not [lab for lab, _ in samples["zoneverify_zone_ok"] if lab["source"] == str(missing)]
    import zoneverify

    for src in (good, flip):
        rep = zoneverify.verify_zone(src, now=now)
        for alg, per in rep.counts["by_algorithm"].items():
            for status, n in per.items():
                assert value("zoneverify_rrsigs", source=src, status=status, algorithm=alg) == n
        assert value("zoneverify_soa_serial", source=src) == rep.serial
        assert value("zoneverify_verification_timestamp_seconds", source=src) == signers.ts(now)
        codes: dict[tuple[str, str], int] = {}
        for f in rep.findings:
            codes[(f.code, f.severity)] = codes.get((f.code, f.severity), 0) + 1
        got = {(lab["code"], lab["severity"]): v for lab, v in samples.get("zoneverify_findings", [])
               if lab["source"] == src}
        assert got == codes
    assert ("bad-signature", "error") in {(lab["code"], lab["severity"]) for lab, _ in samples["zoneverify_findings"]}
    # The earliest expiration per key, as UNIX time, from the zone itself.
    want = _earliest_by_key(z.path, z.origin)
    got = {(int(lab["key_tag"]), int(lab["algorithm"])): v
           for lab, v in samples["zoneverify_signature_expiration_earliest_timestamp_seconds"] if lab["source"] == good}
    assert got == want and len(want) == 2  # KSK and ZSK
    for lab, v in samples["zoneverify_run_duration_seconds"]:
        assert 0 < v < 600
    # Atomic and readable by the collector; nothing left behind.
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o644
    assert sorted(os.listdir(tmp_path)) == ["flipped.zone", "zones.prom"]
    assert "old content" not in out.read_text()


def test_label_values_are_escaped(signed_zone_factory, tmp_path):
    """A file name with a double quote, a backslash and a newline comes
    back from the parser as it was (the format's escaping)."""
    z = signed_zone_factory("ldns", 13, False)
    odd = tmp_path / 'a"b\\c\nd.zone'
    odd.write_text(z.text)
    out = tmp_path / "m.prom"
    r = _cli("check", str(odd), "--now", "20260601000000", "--metrics", str(out))
    assert r.returncode == 0, r.stderr
    samples, _ = _read(out)
    assert [lab["source"] for lab, _ in samples["zoneverify_zone_ok"]] == [str(odd)]


def test_an_unwritable_metrics_file_is_an_error(signed_zone_factory, tmp_path):
    z = signed_zone_factory("ldns", 13, False)
    r = _cli("check", str(z.path), "--now", "20260601000000", "--metrics", str(tmp_path / "no" / "such" / "m.prom"))
    assert r.returncode == 2 and "--metrics" in r.stderr and "Traceback" not in r.stderr
    assert "RRSIGs" in r.stdout  # the report is still printed

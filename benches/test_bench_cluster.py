"""pytest-benchmark suite of verification with a Dask cluster's help
(LocalCluster of 2 worker processes on loopback) against one machine, on a
small generated zone; CI runs it as a smoke test (``--benchmark-disable``).
The real measurement on the 1M-delegation zone is ``benches/cluster.py``
(see the README's "On a Dask cluster")."""

from __future__ import annotations

import json
import shutil

import pytest

import cluster as cluster_bench
import zonegen

SMALL = 300


@pytest.fixture(scope="module")
def zone() -> zonegen.SignedZone:
    if shutil.which("dnssec-signzone") is None:
        pytest.fail("BIND tools missing (tests/run.sh installs bind9-utils)")
    return zonegen.signed_zone(zonegen.ZoneParams(delegations=SMALL, variant="p256"))


@pytest.fixture(scope="module")
def client():
    from zoneverify.cluster import connect

    c, close = connect("local:2")
    yield c
    close()


@pytest.mark.parametrize("mode", ["one machine", "local:2"])
def test_verify_with_and_without_a_cluster(benchmark, zone, client, mode):
    import zoneverify

    kw = {"client": client, "parts": 4} if mode == "local:2" else {}
    report = benchmark(zoneverify.verify_zone, str(zone.path), origin=zone.origin, now=zone.now, **kw)
    assert report.ok and len(report) == zone.meta["rrsigs"]
    if mode == "local:2":
        # zonegen's zones are written by dnssec-signzone: checked in parts.
        assert report.cluster["parts"] == 4 and report.cluster["final_run"] == "parts", report.cluster
        assert report.cluster["rrsigs_seen"] == len(report), report.cluster


def test_the_side_by_side_script(zone, capsys):
    """benches/cluster.py on the small zone: it runs both modes, finds the
    reports identical and prints the ratio."""
    assert cluster_bench.main(["--zone", str(zone.path), "--origin", zone.origin, "--now", str(zone.now),
                               "--runs", "1", "--parts", "3", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert [row["mode"] for row in r["rows"]] == ["one machine", "local:2"]
    assert r["rrsigs"] == zone.meta["rrsigs"] and r["ok"]
    c = r["rows"][1]["cluster"]
    assert c["parts"] == 3 and c["final_run"] == "parts" and c["rrsigs_seen"] == r["rrsigs"], c

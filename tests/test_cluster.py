"""Verifying on a Dask cluster (issue 16): the same report as on one
machine, on every corpus zone and every signer-made zone, on zones whose
defect sits exactly at a cut between two workers' parts, with a worker
killed during the run; exit 2 when the scheduler goes away. The clusters
are LocalClusters of worker processes on loopback (2 and 3 workers), and,
for the scheduler test, a `dask scheduler` and `dask worker` started here
and stopped afterwards."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import bindsign
import signers
import test_conformance as conformance
import test_corpus
import zoneverify
from zoneverify import _native, cluster
from zoneverify._errors import ClusterError
from zoneverify.api import build_policy
from zoneverify.progress import Progress
from zoneverify.report import Report

# What may differ between a run with a cluster's help and one without:
# where the time went (and on how many threads of a process), which path
# ran, and what the cluster did.
NOT_COMPARED = {"timings", "threads", "pipeline", "checked_by_name", "cluster"}


@pytest.fixture(scope="module", params=[2, 3], ids=["local:2", "local:3"])
def client(request):
    c, close = cluster.connect(f"local:{request.param}")
    try:
        yield c
    finally:
        close()


def _same(a, b, what: str) -> None:
    """Two outcomes of verify_zone (a Report, or the exception raised) are
    the same: statuses, reasons, findings with file and line, counts, the
    columns; or the same error."""
    if isinstance(a, BaseException) or isinstance(b, BaseException):
        assert type(a) is type(b) and str(a) == str(b), f"{what}: {a!r} / {b!r}"
        return
    da, db = a.to_dict(columns=True), b.to_dict(columns=True)
    for k in sorted((set(da) | set(db)) - NOT_COMPARED):
        assert da.get(k) == db.get(k), f"{what}: '{k}' differs:\n{str(da.get(k))[:1500]}\n---\n{str(db.get(k))[:1500]}"
    assert a.ok == b.ok and [str(f) for f in a.findings] == [str(f) for f in b.findings], what


def _outcome(fn):
    try:
        return fn()
    except (zoneverify.ZoneParseError, OSError, ValueError) as e:
        return e


def _corpus_runs(corpus: Path, tmp_path: Path):
    """(name, path, verify_zone keywords) of every conformance case and
    every full valid zone of the corpus."""
    for c in conformance.CASES:
        if c.skip:
            continue
        zone = corpus / c.path
        kw = conformance.case_options(c, corpus, tmp_path)
        yield c.id, zone, dict(origin=conformance._origin(c, zone), now=c.now, **kw)
    for rel, origin, now in test_corpus.FULL_VALID:
        yield rel, corpus / rel, dict(origin=origin, now=now)


def test_every_corpus_zone_gives_the_same_report(client, corpus, tmp_path):
    runs = list(_corpus_runs(corpus, tmp_path))
    assert len(runs) >= 100, len(runs)
    split = reused = in_parts = 0
    for k, (name, zone, kw) in enumerate(runs):
        one = _outcome(lambda: zoneverify.verify_zone(zone, **kw))
        # Cut into 2 to 7 parts: cuts fall in different places.
        many = _outcome(lambda: zoneverify.verify_zone(zone, client=client, parts=2 + k % 6, **kw))
        _same(one, many, name)
        if isinstance(many, Report):
            split += bool(many.cluster["parts"])
            reused += many.cluster.get("reused", 0)
            in_parts += many.cluster.get("final_run") == "parts"
    # Not vacuous: zones were split, the workers' operations reused by the
    # final run, and zones checked in parts (the real root zones among them).
    assert split > len(runs) // 2 and reused > 1000 and in_parts >= 3, (split, reused, in_parts)


@pytest.mark.parametrize("combo", signers.MATRIX, ids=signers.combo_id)
def test_every_signer_zone_gives_the_same_report(client, signed_zone_factory, combo):
    z = signed_zone_factory(*combo)
    for path, final in ((z.path, "here"), (z.past_path, "worker"), (z.future_path, "here")):
        one = zoneverify.verify_zone(path, now=signers.NOW)
        many = zoneverify.verify_zone(path, now=signers.NOW, client=client, parts=4, final_run=final)
        _same(one, many, f"{combo} {path.name} (final run {final})")
        assert many.cluster["parts"] >= 2 and many.cluster["final_run"] in (final, "parts"), many.cluster
    valid = zoneverify.verify_zone(z.path, now=signers.NOW, client=client, parts=4, final_run="worker")
    if valid.cluster["final_run"] == "parts":
        # Checked in parts: every signature was verified on the workers.
        assert valid.cluster["rrsigs_seen"] == len(valid), valid.cluster
    elif z.signer in ("bind", "ldns"):
        # Each owner name's records together: the workers verified them all.
        assert valid.cluster["reused"] == len(valid) and valid.cluster["verified_by_final_run"] == 0, valid.cluster
    if z.signer == "knot":
        # Knot writes the RRSIGs after all the data: not by name, not in parts.
        assert "name by name" in valid.cluster["not_in_parts"], valid.cluster


def _full_form(src: Path, dst: Path, origin: str) -> list[str]:
    """The zone one record per line, absolute names (named-compilezone)."""
    subprocess.run(["named-compilezone", "-q", "-s", "full", "-o", str(dst), origin, str(src)],
                   check=True, capture_output=True)
    return [l for l in dst.read_text().splitlines() if l.strip() and not l.startswith(";")]


def _cut_at(lines: list[str], k: int) -> tuple[str, list[int]]:
    """The text of `lines` and the cut points [0, start of line k, size]."""
    head = "".join(l + "\n" for l in lines[:k])
    text = head + "".join(l + "\n" for l in lines[k:])
    return text, [0, len(head.encode()), len(text.encode())]


def _at_a_cut(client, path: Path, points: list[int], now: str) -> tuple[Report, Report]:
    one = zoneverify.verify_zone(path, now=now)
    raw = cluster.verify_on_cluster(client, str(path), None, int(_native_now(now)), None, False, build_policy(),
                                    points=points)
    many = Report(raw)
    assert many.cluster["parts"] == len(points) - 1, many.cluster
    _same(one, many, path.name)
    return one, many


def _native_now(now: str) -> int:
    from zoneverify._time import parse_now

    return parse_now(now)


def _typ(line: str) -> str:
    return line.split()[3]


def test_defects_exactly_at_a_cut(client, signed_zone_factory, tmp_path):
    """Cuts put exactly where a defect is: an NSEC link broken between two
    parts, a missing NSEC3 at a part's edge, a delegation whose glue is in
    the next part, a cut inside one owner name's records."""
    origin = signers.ORIGIN
    # An NSEC zone (BIND): the NSEC of the name before the cut removed, so
    # the chain breaks exactly between the two parts.
    z = signed_zone_factory("bind", 13, False)
    lines = _full_form(z.path, tmp_path / "nsec.full", origin)
    k = next(i for i, l in enumerate(lines) if i > len(lines) // 2 and _typ(l) == "NSEC")
    owner = lines[k].split()[0]
    broken = [l for i, l in enumerate(lines) if i != k]
    cut = next(i for i, l in enumerate(broken) if i >= k and l.split()[0] != owner)
    text, points = _cut_at(broken, cut)
    p = tmp_path / "nsec-broken.zone"
    p.write_text(text)
    one, _ = _at_a_cut(client, p, points, signers.NOW)
    assert not one.ok and any("nsec" in f.code for f in one.findings), [str(f) for f in one.findings]

    # An NSEC3 zone: the NSEC3 record (and its RRSIG) at the start of a
    # part removed.
    z = signed_zone_factory("bind", 13, True)
    lines = _full_form(z.path, tmp_path / "nsec3.full", origin)
    k = [i for i, l in enumerate(lines) if _typ(l) == "NSEC3"][2]
    owner = lines[k].split()[0]
    kept = [l for l in lines if l.split()[0] != owner]
    text, points = _cut_at(kept, next(i for i, l in enumerate(kept) if i >= k - 1 and _typ(l) in ("NSEC3", "RRSIG")
                                      and l.split()[0] != lines[k - 1].split()[0]))
    p = tmp_path / "nsec3-missing.zone"
    p.write_text(text)
    one, _ = _at_a_cut(client, p, points, signers.NOW)
    assert not one.ok and any("nsec3" in f.code for f in one.findings), [str(f) for f in one.findings]

    # A delegation in one part, its glue in the next (a valid zone); and
    # a cut between a name's NS and DS records.
    z = signed_zone_factory("bind", 13, False)
    lines = _full_form(z.path, tmp_path / "glue.full", origin)
    glue = next(i for i, l in enumerate(lines) if l.split()[0].lower().startswith("ns1.child.") and _typ(l) in ("A", "AAAA"))
    for cut in (glue, next(i for i, l in enumerate(lines) if _typ(l) == "DS")):
        text, points = _cut_at(lines, cut)
        p = tmp_path / f"cut-{cut}.zone"
        p.write_text(text)
        one, many = _at_a_cut(client, p, points, signers.NOW)
        assert one.ok, [str(f) for f in one.findings]


def _tops(lines: list[str], origin: str) -> list[str]:
    """Each line's subtree: its owner's label directly below the origin."""
    def top(owner: str) -> str:
        rest = owner.lower()[: -len(origin) - 1] if owner.lower() != origin.lower() else ""
        return rest.rsplit(".", 1)[-1]
    return [top(l.split()[0]) for l in lines]


def _between_subtrees(lines: list[str], origin: str, near: int) -> int:
    """The line nearest `near` where the file can be cut between subtrees:
    no subtree on both sides."""
    tops = _tops(lines, origin)
    ok = [k for k in range(1, len(lines)) if tops[k] and not set(tops[:k]) & set(tops[k:])]
    return min(ok, key=lambda k: abs(k - near))


def test_in_parts_the_join_finds_what_crosses_a_cut(client, signed_zone_factory, tmp_path):
    """Checked in parts (cuts between subtrees): the valid zones give the
    single machine's report from the parts; a defect that only shows
    across a cut (a broken NSEC link, a missing NSEC3, glue moved into
    another part) makes the join give up, with the reason, and the final
    run over the whole file then reports it as one machine does."""
    origin = signers.ORIGIN
    for nsec3 in (False, True):
        z = signed_zone_factory("ldns", 13, nsec3)
        lines = _full_form(z.path, tmp_path / f"in-parts-{nsec3}.full", origin)
        cut = _between_subtrees(lines, origin, len(lines) // 2)
        text, points = _cut_at(lines, cut)
        p = tmp_path / f"in-parts-{nsec3}.zone"
        p.write_text(text)
        one, many = _at_a_cut(client, p, points, signers.NOW)
        assert one.ok and many.cluster["final_run"] == "parts", many.cluster
        # The denial record nearest the cut, and its RRSIG, gone.
        typ = "NSEC3" if nsec3 else "NSEC"
        k = min((i for i, l in enumerate(lines) if _typ(l) == typ), key=lambda i: abs(i - cut))
        out = {i for i, l in enumerate(lines)
               if i == k or (_typ(l) == "RRSIG" and l.split()[4] == typ and l.split()[0] == lines[k].split()[0])}
        gone = [l for i, l in enumerate(lines) if i not in out]
        text, points = _cut_at(gone, cut - sum(i < cut for i in out))
        p = tmp_path / f"in-parts-{nsec3}-gone.zone"
        p.write_text(text)
        one, many = _at_a_cut(client, p, points, signers.NOW)
        assert not one.ok and many.cluster["final_run"] != "parts", many.cluster
        # Found by a part, a hash range of the NSEC3 chain or the join.
        assert many.cluster["not_in_parts"].startswith(("part ", "hash range ", "join: ")), many.cluster
    # The NSEC before the cut names the apex as the next name: each part
    # is fine alone, the chain is not (two links back to the apex).
    lines = _full_form(signed_zone_factory("ldns", 13, False).path, tmp_path / "wrap.full", origin)
    cut = _between_subtrees(lines, origin, len(lines) // 2)
    k = max(i for i in range(cut) if _typ(lines[i]) == "NSEC")
    f = lines[k].split()
    lines[k] = " ".join(f[:4] + [origin] + f[5:])
    text, points = _cut_at(lines, cut)
    p = tmp_path / "wrap.zone"
    p.write_text(text)
    one, many = _at_a_cut(client, p, points, signers.NOW)
    assert not one.ok and many.cluster["not_in_parts"].startswith("join: "), many.cluster
    # Glue moved past the cut: its subtree is in two parts.
    z = signed_zone_factory("ldns", 13, False)
    lines = _full_form(z.path, tmp_path / "glue-moved.full", origin)
    g = next(i for i, l in enumerate(lines) if l.split()[0].lower().startswith("ns1.child.") and _typ(l) in ("A", "AAAA"))
    cut = _between_subtrees(lines, origin, len(lines) // 2)
    moved = lines[:g] + lines[g + 1:]
    moved.insert(cut if cut > g else cut + 1, lines[g])
    text, points = _cut_at(moved, cut if cut > g else cut + 1)
    p = tmp_path / "glue-moved.zone"
    p.write_text(text)
    one, many = _at_a_cut(client, p, points, signers.NOW)
    assert "subtree" in many.cluster["not_in_parts"], many.cluster


def _one_signature_broken(z, dst: Path) -> Path:
    """The signer's zone one record per line with one character of one
    RRSIG's signature (one over an A RRset, past the middle) changed."""
    lines = _full_form(z.path, dst.with_suffix(".full"), z.origin)
    k = next(i for i, l in enumerate(lines) if i > len(lines) // 2 and _typ(l) == "RRSIG" and l.split()[4] == "A")
    head, sig = lines[k].rsplit(" ", 1)
    c = sig[len(sig) // 2]
    lines[k] = head + " " + sig[:len(sig) // 2] + ("A" if c != "A" else "B") + sig[len(sig) // 2 + 1:]
    dst.write_text("\n".join(lines) + "\n")
    return dst


def test_a_changed_signature_is_found_as_without_a_cluster(client, signed_zone_factory, tmp_path):
    p = _one_signature_broken(signed_zone_factory("bind", 13, False), tmp_path / "broken.zone")
    one = zoneverify.verify_zone(p, now=signers.NOW)
    many = zoneverify.verify_zone(p, now=signers.NOW, client=client, parts=3)
    _same(one, many, "one broken signature")
    assert not many.ok and (many.cluster["final_run"] == "parts" or many.cluster["verified_by_final_run"] >= 1)


def test_a_worker_killed_during_the_run_changes_nothing(big_zone):
    one = zoneverify.verify_zone(big_zone, now=bindsign.NOW)
    c, close = cluster.connect("local:2")
    try:
        pids = c.run(os.getpid)
        p = Progress()
        out: dict = {}

        def work():
            try:
                out["report"] = zoneverify.verify_zone(big_zone, now=bindsign.NOW, client=c, parts=16, progress=p)
            except BaseException as e:  # noqa: BLE001
                out["error"] = e

        t = threading.Thread(target=work)
        t.start()
        t0 = time.monotonic()
        while time.monotonic() - t0 < 60 and (p.cluster_parts is None or p.cluster_parts[0] < 1):
            time.sleep(0.01)
        assert p.cluster_parts is not None and p.cluster_parts[0] < p.cluster_parts[1], p.cluster_parts
        os.kill(next(iter(pids.values())), signal.SIGKILL)
        t.join(120)
        assert "error" not in out, out.get("error")
        _same(one, out["report"], "a worker killed")
        assert out["report"].cluster["parts"] == 16
    finally:
        close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_scheduler_stopped_during_the_run_is_exit_2(big_zone, tmp_path):
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_LOGGING__DISTRIBUTED": "error"}
    procs: list[subprocess.Popen] = []
    try:
        sched = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", str(port), "--no-dashboard"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(sched)
        # One worker of one thread: the 40 parts take it some seconds, so
        # the scheduler goes away with parts left.
        procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", addr, "--nthreads", "1",
                                       "--nworkers", "1", "--no-dashboard"], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        run = subprocess.Popen([sys.executable, "-m", "zoneverify", "check", str(big_zone), "--now", bindsign.NOW,
                                "--dask", addr, "--dask-parts", "40", "--progress"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        procs.append(run)
        # Once the workers have done a part, the scheduler goes away.
        err = b""
        t0 = time.monotonic()
        while time.monotonic() - t0 < 60 and not re.search(rb"the workers verified [1-9]\d* of 40", err):
            os.set_blocking(run.stderr.fileno(), False)
            err += run.stderr.read() or b""
            if run.poll() is not None:
                break
            time.sleep(0.05)
        assert re.search(rb"the workers verified [1-9]\d* of 40", err), err[-500:]
        sched.kill()
        out, rest = run.communicate(timeout=120)
        err += rest
        assert run.returncode == 2, (run.returncode, out, err[-800:])
        assert b"the Dask scheduler went away" in err and b"Traceback" not in err, err[-800:]
        assert b"OK" not in out and b"FAIL" not in out, out  # no verdict at all
    finally:
        for pr in procs:
            if pr.poll() is None:
                pr.kill()
            pr.wait(30)


def test_a_worker_that_cannot_read_the_file_is_named(client, tmp_path, signed_zone_factory):
    gone = str(tmp_path / "not-there.zone")
    # A file the run itself cannot read (here --previous) is the error it
    # is without a cluster, not a lost scheduler.
    z = signed_zone_factory("bind", 13, False).path
    one = _outcome(lambda: zoneverify.verify_zone(z, now=signers.NOW, previous=gone))
    many = _outcome(lambda: zoneverify.verify_zone(z, now=signers.NOW, previous=gone, client=client))
    assert isinstance(one, OSError) and not isinstance(many, ClusterError), (one, many)
    _same(one, many, "previous missing")
    f = client.submit(cluster.run_zone_task, gone, None, 0, None, False, {}, pure=False)
    with pytest.raises(ClusterError, match=r"worker tcp://127\.0\.0\.1:\d+ cannot read .*not-there\.zone"):
        cluster.gather(client, [f])
    f = client.submit(cluster._part_task, gone, 0, 10, "x.", [], b"k" * 32, 0, pure=False)
    with pytest.raises(ClusterError, match="same path"):
        cluster.gather(client, [f])


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zoneverify", *args], capture_output=True, text=True)


def _without_cluster_line(out: str) -> str:
    return "\n".join(l for l in out.splitlines() if not l.startswith("cluster:"))


def test_check_with_dask_prints_what_check_prints(signed_zone_factory, tmp_path):
    good = signed_zone_factory("bind", 13, False)
    bad = _one_signature_broken(good, tmp_path / "bad.zone")
    ldns = signed_zone_factory("ldns", 8, True)
    zones = [str(good.path), str(bad), str(ldns.path)]
    now = str(signers.NOW)
    plain = _cli("check", *zones, "--now", now)
    for extra in (["--dask", "local:2"], ["--dask", "local:3", "--dask-parts", "5"]):
        r = _cli("check", *zones, "--now", now, *extra)
        assert (r.returncode, _without_cluster_line(r.stdout)) == (plain.returncode, _without_cluster_line(plain.stdout)), r.stderr
        assert plain.stdout.count("\n") + 3 == r.stdout.count("\n")
        assert r.stdout.count("\ncluster: ") + r.stdout.startswith("cluster: ") == 3, r.stdout
    assert plain.returncode == 1
    j1 = _cli("check", str(bad), "--now", now, "--format", "json")
    j2 = _cli("check", str(bad), "--now", now, "--format", "json", "--dask", "local:2", "--dask-parts", "3")
    import json

    a, b = json.loads(j1.stdout), json.loads(j2.stdout)
    for d in (a, b):
        for k in NOT_COMPARED:
            d.pop(k, None)
    assert a == b and j1.returncode == j2.returncode == 1


def test_dask_usage_errors(tmp_path, signed_zone_factory):
    z = str(signed_zone_factory("bind", 13, False).path)
    for args, msg in (
        (["--dask-parts", "3"], "--dask-parts needs --dask"),
        (["--dask", "local:0"], "number of workers"),
        (["--dask", "local:1", "--cache", str(tmp_path / "c")], "--cache with --dask"),
        (["--dask", "local:1", "--same-zone"], "--dask takes zone files"),
    ):
        r = _cli("check", z, *args)
        assert r.returncode == 2 and msg in r.stderr, (args, r.stderr)
    r = subprocess.run([sys.executable, "-m", "zoneverify", "check", "-", "--dask", "local:1"], input=b"",
                       capture_output=True)
    assert r.returncode == 2 and b"--dask takes zone files" in r.stderr
    port = _free_port()
    r = _cli("check", z, "--dask", f"tcp://127.0.0.1:{port}")
    assert r.returncode == 2 and "cannot reach the scheduler" in r.stderr, r.stderr
    with pytest.raises(ValueError, match="parts"):
        zoneverify.verify_zone(z, parts=3)
    with pytest.raises(ValueError, match="zone files"):
        zoneverify.verify_zone(b"x. 1 IN A 1.2.3.4\n", client=object())
    with pytest.raises(ValueError, match="final_run"):
        zoneverify.verify_zone(z, final_run="worker")


def test_bench_reports_the_cluster_stages(big_zone):
    import json

    r = _cli("bench", str(big_zone), "--now", bindsign.NOW, "--dask", "local:2", "--dask-parts", "6",
             "--format", "json")
    assert r.returncode == 0, r.stderr
    c = json.loads(r.stdout)["cluster"]
    # dnssec-signzone's layout: checked in parts, every signature there.
    assert c["parts"] == 6 and c["workers"] == 2 and c["final_run"] == "parts" and c["rrsigs_seen"] == 80015, c
    for k in ("split_seconds", "workers_seconds", "join_seconds", "part_seconds_max", "part_seconds_sum"):
        assert c[k] > 0, (k, c)
    t = _cli("bench", str(big_zone), "--now", bindsign.NOW, "--dask", "local:2", "--dask-parts", "6")
    assert "cluster: 2 workers, 6 parts, each parsed, verified and checked on a worker" in t.stdout, t.stdout
    assert "join and zone-wide checks (here)" in t.stdout, t.stdout


def test_a_compressed_zone_is_verified_whole_on_a_worker(client, signed_zone_factory, tmp_path):
    z = signed_zone_factory("bind", 13, True)
    gz = tmp_path / "zone.gz"
    subprocess.run(["gzip", "-c", str(z.path)], stdout=gz.open("wb"), check=True)
    one = zoneverify.verify_zone(gz, now=signers.NOW)
    many = zoneverify.verify_zone(gz, now=signers.NOW, client=client, parts=4)
    _same(one, many, "gzip")
    assert many.cluster["parts"] == 0 and many.cluster["workers"] >= 2, many.cluster


def test_in_parts_directives_before_a_cut_are_carried_over(client, signed_zone_factory, tmp_path):
    """A zone written with `$ORIGIN`, relative owner names and a `$TTL` line
    wherever the TTL changes (no TTL on the records): each part is parsed
    with the `$ORIGIN` and `$TTL` in force at its start and its first line's
    number, from the scans of the ranges before it, so the zone is still
    checked in parts and the report (lines included) is one machine's."""
    origin = signers.ORIGIN
    lines = _full_form(signed_zone_factory("ldns", 13, False).path, tmp_path / "dir.full", origin)
    cut = _between_subtrees(lines, origin, len(lines) // 2)
    out, ttl, cut_at = [f"$ORIGIN {origin}"], None, 0
    for i, l in enumerate(lines):
        owner, t, rest = l.split(None, 2)
        if t != ttl:
            if i == cut:
                cut_at = len(out)
            out.append(f"$TTL {t}")
            ttl = t
        elif i == cut:
            cut_at = len(out)
        rel = "@" if owner.lower() == origin.lower() else owner[: -len(origin) - 1]
        out.append(f"{rel} {rest}")
    head = "".join(l + "\n" for l in out[:cut_at])
    text = head + "".join(l + "\n" for l in out[cut_at:])
    p = tmp_path / "directives.zone"
    p.write_text(text)
    assert "$TTL" in text[len(head):] or "$TTL" in head, "no $TTL in the zone"
    one, many = _at_a_cut(client, p, [0, len(head.encode()), len(text.encode())], signers.NOW)
    assert one.ok and many.cluster["final_run"] == "parts", many.cluster


def test_in_parts_only_the_last_part_ends_the_zone(client, signed_zone_factory, tmp_path):
    """An identical copy of the SOA at the end of the apex's records, with a
    cut right after it: only the file's last record may be an AXFR-style
    closing SOA, so the copy is reported as one machine reports it."""
    origin = signers.ORIGIN
    lines = _full_form(signed_zone_factory("ldns", 13, False).path, tmp_path / "soa.full", origin)
    apex_end = next(i for i, l in enumerate(lines) if l.split()[0].lower() != origin.lower())
    soa = next(l for l in lines if _typ(l) == "SOA")
    lines.insert(apex_end, soa)
    text, points = _cut_at(lines, apex_end + 1)
    p = tmp_path / "soa-copy.zone"
    p.write_text(text)
    one, many = _at_a_cut(client, p, points, signers.NOW)
    assert many.cluster["final_run"] == "parts", many.cluster
    assert any(f.line == apex_end + 1 and "SOA" in f.reason for f in one.findings), [str(f) for f in one.findings]


def test_in_parts_a_hashed_owner_that_is_a_name_of_another_part(client, signed_zone_factory, tmp_path):
    """An NSEC3 zone where the owner of an NSEC3 record in the second part
    also owns an A record in the first: one machine sees one name with
    both; the parts each see a name of their own, and the hash ranges,
    which compare the hashed owners with the other parts' subtrees, give
    up."""
    origin = signers.ORIGIN
    lines = _full_form(signed_zone_factory("ldns", 13, True).path, tmp_path / "hashed.full", origin)
    cut = _between_subtrees(lines, origin, len(lines) // 2)
    owner = next(l.split()[0] for l in lines[cut:] if _typ(l) == "NSEC3")
    apex_end = next(i for i, l in enumerate(lines) if l.split()[0].lower() != origin.lower())
    lines.insert(apex_end, f"{owner} 3600 IN A 192.0.2.99")
    text, points = _cut_at(lines, cut + 1)
    p = tmp_path / "hashed-owner.zone"
    p.write_text(text)
    one, many = _at_a_cut(client, p, points, signers.NOW)
    assert not one.ok, [str(f) for f in one.findings]
    # Either check may come first (the hash ranges are checked apart): the
    # hashed owner that is another part's name, or that name's own
    # missing NSEC3.
    assert any(w in many.cluster["not_in_parts"] for w in ("hashed owner", "no NSEC3")), many.cluster

"""The command line: help text, --now spellings, stdin, JSON, several zones,
--jobs. Run both as `python -m zoneverify` and as the console script."""

from __future__ import annotations

import json

import pytest

import mutations
import signers

NOW_FORMS = ["20260601000000", "2026-06-01T00:00:00Z", str(signers.NOW)]
OPTIONS = ["--origin", "--now", "--jobs", "--format", "--allow-unsupported", "--allow-include"]


@pytest.fixture(scope="module")
def zones(signed_zone_factory, tmp_path_factory):
    """A valid zone, the same with one flipped signature, and the same with
    one RRSIG spliced from the expired copy (so that --now matters)."""
    z = signed_zone_factory("bind", 13, False)
    d = tmp_path_factory.mktemp("cli")
    flipped, flip_exp = mutations.flip_signature(z.text, z.origin, z.zsk.tag)
    expired, exp_exp = mutations.splice_rrsig(z.text, z.past_path.read_text(), z.origin,
                                              z.zsk.tag, "expired")
    (d / "good.zone").write_text(z.text)
    (d / "flipped.zone").write_text(flipped)
    (d / "expired.zone").write_text(expired)
    return {"dir": d, "good": d / "good.zone", "flipped": d / "flipped.zone",
            "expired": d / "expired.zone", "flip_expected": flip_exp,
            "expired_expected": exp_exp, "zone": z}


def clean(p):
    err = p.stderr.decode(errors="replace")
    assert "Traceback" not in err and "panicked" not in err, err[-3000:]
    return err


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"], ["bench", "--help"]], ids=["top", "check", "bench"])
def test_help_mentions_options_and_exit_codes(cli, args):
    p = cli(*args)
    clean(p)
    assert p.returncode == 0
    out = p.stdout.decode()
    if args[0] == "bench":
        # The same policy options as check: bench verifies exactly as check does.
        for opt in OPTIONS + ["--policy", "--signatures-only", "--expire-within", "--warnings-as-errors",
                              "--expect-key", "--forbid-algorithm", "--previous", "--unsigned", "--cache"]:
            assert opt in out, f"{opt} missing from bench --help"
        assert "--same-zone" not in out  # one zone file: no copies to compare
    elif args[0] == "check":
        for opt in OPTIONS:
            assert opt in out, f"{opt} missing from check --help"
        assert "text" in out and "json" in out
    else:
        assert "check" in out and "bench" in out
    low = out.lower()
    assert "exit" in low
    for code in ("0", "1", "2"):
        assert code in out


@pytest.mark.parametrize("now", NOW_FORMS, ids=["compact", "iso8601", "unix"])
def test_now_spellings_agree(cli, zones, now):
    p = cli("check", str(zones["expired"]), "--now", now, "--format", "json")
    clean(p)
    assert p.returncode == 1
    rep = json.loads(p.stdout)
    reference = cli("check", str(zones["expired"]), "--now", NOW_FORMS[0], "--format", "json")
    assert json.loads(reference.stdout)["counts"] == rep["counts"]
    assert rep["counts"]["by_status"].get("expired") == 1


def test_now_is_honoured(cli, zones):
    """Control for the test above: the valid zone passes in 2026, and at a
    time after the window every RRSIG is expired."""
    p = cli("check", str(zones["good"]), "--now", "20260601000000")
    assert p.returncode == 0, clean(p)
    p = cli("check", str(zones["good"]), "--now", "20400101000000", "--format", "json")
    clean(p)
    assert p.returncode == 1
    rep = json.loads(p.stdout)
    assert rep["counts"]["by_status"].get("expired") == rep["counts"]["rrsigs"] > 0


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-45", "20261301000000", "", "12abc"])
def test_bad_now_exits_2(cli, zones, bad):
    p = cli("check", str(zones["good"]), "--now", bad)
    err = clean(p)
    assert p.returncode == 2, (p.returncode, err)
    assert err.strip()


def test_usage_errors_exit_2(cli, zones):
    for args in (["check"], ["check", str(zones["good"]), "--format", "xml"],
                 ["check", str(zones["good"]), "--jobs", "zero"], ["frobnicate"]):
        p = cli(*args)
        err = clean(p)
        assert p.returncode == 2, (args, p.returncode, err)


def test_stdin(cli, zones):
    data = zones["flipped"].read_bytes()
    p = cli("check", "-", "--now", NOW_FORMS[0], "--format", "json", input=data)
    clean(p)
    assert p.returncode == 1
    q = cli("check", str(zones["flipped"]), "--now", NOW_FORMS[0], "--format", "json")
    a, b = json.loads(p.stdout), json.loads(q.stdout)
    assert a["counts"] == b["counts"]
    p = cli("check", "-", "--now", NOW_FORMS[0], input=zones["good"].read_bytes())
    assert p.returncode == 0, clean(p)


def _findings(rep) -> set:
    return {(f["owner"].lower(), f["type"], f["key_tag"], f["code"]) for f in rep["findings"]}


def test_json_has_the_findings(cli, zones):
    p = cli("check", str(zones["flipped"]), "--now", NOW_FORMS[0], "--format", "json")
    clean(p)
    assert p.returncode == 1
    rep = json.loads(p.stdout)
    assert _findings(rep) == zones["flip_expected"]
    assert rep["counts"]["by_status"]["bad-signature"] == 1


def test_text_output(cli, zones):
    p = cli("check", str(zones["flipped"]), "--now", NOW_FORMS[0])
    clean(p)
    assert p.returncode == 1
    out = p.stdout.decode()
    (owner, rtype, tag, code), = zones["flip_expected"]
    # Finding lines start with file:line:; the summary lines after them
    # name the codes too ("valid 35, bad-signature 1").
    failing = [ln for ln in out.splitlines() if code in ln and ln.startswith(f"{zones['flipped']}:")]
    assert len(failing) == 1, out
    assert str(tag) in failing[0] and rtype in failing[0]
    assert owner.rstrip(".") in failing[0].lower()
    assert "13" in out  # the per-algorithm summary names the algorithm


def test_several_zones(cli, zones):
    good, flipped, expired = (str(zones[k]) for k in ("good", "flipped", "expired"))
    p = cli("check", good, good, "--now", NOW_FORMS[0])
    assert p.returncode == 0, clean(p)
    p = cli("check", good, flipped, "--now", NOW_FORMS[0])
    clean(p)
    assert p.returncode == 1
    p = cli("check", flipped, good, "--now", NOW_FORMS[0])
    assert p.returncode == 1
    p = cli("check", good, expired, flipped, "--now", NOW_FORMS[0])
    assert p.returncode == 1
    out = p.stdout.decode()
    assert "bad-signature" in out and "expired" in out


def test_several_zones_with_unusable_one_exits_2(cli, zones):
    missing = zones["dir"] / "missing.zone"
    p = cli("check", str(zones["good"]), str(missing), "--now", NOW_FORMS[0])
    err = clean(p)
    assert p.returncode == 2 and str(missing) in err


def test_jobs_give_identical_results(cli, zones):
    outs = []
    for jobs in ("1", "2"):
        p = cli("check", str(zones["flipped"]), "--now", NOW_FORMS[0], "--format", "json",
                "--jobs", jobs)
        clean(p)
        assert p.returncode == 1
        rep = json.loads(p.stdout)
        outs.append((rep["counts"], rep["findings"]))
    assert outs[0] == outs[1]


def test_allow_unsupported_flag(cli, corpus):
    f = corpus / "bind10/src/lib/testutils/testdata/rfc5155-example.zone.signed"
    p = cli("check", str(f), "--origin", "example.", "--now", "20100101000000")
    clean(p)
    assert p.returncode == 1
    # Every RRSIG of this zone is unsupported (512-bit RSA keys): with
    # --allow-unsupported each is only a warning, but nothing at all was
    # verified, so the zone still fails (DESIGN.md principle 1).
    p = cli("check", str(f), "--origin", "example.", "--now", "20100101000000",
            "--allow-unsupported")
    clean(p)
    assert p.returncode == 1, p.stdout
    assert b"nothing-verified" in p.stdout


def test_bench_reports_phases_algorithms_and_memory(cli, zones):
    z = zones["zone"]
    p = cli("bench", str(zones["good"]), "--now", str(signers.NOW), "--format", "json", "--jobs", "2")
    clean(p)
    assert p.returncode == 0
    r = json.loads(p.stdout)
    assert r["ok"] and r["threads"] == 2 and r["zone_checks"]
    assert set(r["phases"]) == {"read", "parse", "model", "verify", "checks"}
    assert all(v >= 0 for v in r["phases"].values())
    assert r["rrsigs"] > 0 and r["peak_rss_bytes"] > r["file_bytes"] > 0
    (alg,) = r["algorithms"]
    assert alg["algorithm"] == z.algorithm and alg["rrsigs"] == r["rrsigs"]
    # Every RRSIG is verified once (no key-tag collision in these zones).
    assert alg["verifications"] == r["rrsigs"] and alg["cpu_seconds"] > 0
    p = cli("bench", str(zones["good"]), "--now", str(signers.NOW))
    clean(p)
    out = p.stdout.decode()
    for word in ("parse", "verify", "zone checks", "signature verification", "peak RSS", "RRSIGs/s"):
        assert word in out, word
    # A failing zone exits 1; a missing file exits 2 with one line.
    assert cli("bench", str(zones["flipped"]), "--now", str(signers.NOW)).returncode == 1
    p = cli("bench", str(zones["dir"] / "missing.zone"))
    assert p.returncode == 2 and clean(p).count("\n") == 1
    p = cli("bench", str(zones["good"]), "--jobs", "0")
    assert p.returncode == 2


def test_bench_verifies_with_the_policy_of_check(cli, zones, tmp_path):
    """bench takes check's policy options, from flags and a policy file,
    and its verdict is check's: an expected key that is missing, a
    signature expiring within the margin, warnings as errors; the usage
    errors are check's too."""
    z = zones["zone"]
    good = str(zones["good"])
    now = ["--now", str(signers.NOW)]
    for extra in ([], ["--expect-key", "1"], ["--expire-within", "36500d"],
                  ["--expire-within", "36500d", "--warnings-as-errors"], ["--expect-key", str(z.zsk.tag)]):
        c = cli("check", good, *now, *extra, "--format", "json")
        b = cli("bench", good, *now, *extra, "--format", "json")
        clean(b)
        assert b.returncode == c.returncode, (extra, b.returncode, c.returncode)
        cr, br = json.loads(c.stdout), json.loads(b.stdout)
        assert br["ok"] == cr["ok"], extra
        errors = sum(1 for f in cr["findings"] if f["severity"] == "error")
        assert (br["errors"], br["warnings"]) == (errors, len(cr["findings"]) - errors), extra
    assert json.loads(cli("bench", good, *now, "--expect-key", "1", "--format", "json").stdout)["errors"] > 0
    policy = tmp_path / "p.toml"
    policy.write_text("expect_keys = [1]\n")
    b = cli("bench", good, *now, "--policy", str(policy))
    assert b.returncode == 1 and b"findings: 1 errors" in b.stdout, b.stdout
    policy.write_text("expect_key = [1]\n")
    b = cli("bench", good, *now, "--policy", str(policy))
    assert b.returncode == 2 and "unknown key" in clean(b)
    b = cli("bench", good, *now, "--expect-key", "1", "--signatures-only")
    assert b.returncode == 2 and "need the zone-level checks" in clean(b)

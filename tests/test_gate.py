"""The publication gate, with zones signed by BIND's dnssec-signzone.

An algorithm rollover RSASHA256 -> ECDSAP256SHA256 in RFC 6781 §4.1.4's
order, stage by stage (each stage's expectations pass, the next stage's
fail with the right findings); the previous version (`--previous`); the
unsigned input (`--unsigned`); policy files.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import zoneverify
from zoneverify.policyfile import KEYS, PolicyFileError, load_policy

from bindsign import NOW, ORIGIN, K, break_one_signature, keygen, sign, zone_text  # noqa: E402


def run(cli, *args: str) -> subprocess.CompletedProcess:
    """The CLI's output as text."""
    p = cli(*args)
    return subprocess.CompletedProcess(p.args, p.returncode, p.stdout.decode(), p.stderr.decode())


def codes(report) -> set[str]:
    return {f.code for f in report.findings}


def errors(report) -> set[str]:
    return {f.code for f in report.errors}


@pytest.fixture(scope="module")
def rollover(signing_tools, tmp_path_factory):
    d = tmp_path_factory.mktemp("rollover")
    while True:
        k8, z8 = keygen(d, "RSASHA256", True, 2048), keygen(d, "RSASHA256", False, 2048)
        k13, z13 = keygen(d, "ECDSAP256SHA256", True), keygen(d, "ECDSAP256SHA256", False)
        if len({k.tag for k in (k8, z8, k13, z13)}) == 4:
            break
    t = zone_text()
    stages = {
        # RFC 6781 §4.1.4: initial; new RRSIGs; new DNSKEY; old DNSKEY and RRSIGs removed.
        1: sign(d, "stage1", t, [k8, z8], [k8, z8]),
        2: sign(d, "stage2", t, [k8, z8], [k8, z8, k13, z13]),
        3: sign(d, "stage3", t, [k8, z8, k13, z13], [k8, z8, k13, z13]),
        4: sign(d, "stage4", t, [k13, z13], [k13, z13]),
        # Out of order: 13's DNSKEYs published before its signatures.
        "early-key": sign(d, "early", t, [k8, z8, k13, z13], [k8, z8]),
    }
    policies = {
        1: dict(expect_algorithms=["RSASHA256"], forbid_algorithms=[13], expect_keys=[k8.tag],
                expect_signing_keys=[z8.tag], forbid_keys=[k13.tag, z13.tag], require_ksk=True),
        2: dict(expect_algorithms=[8], forbid_algorithms=[13], prepublished_algorithms=["ECDSAP256SHA256"],
                expect_signing_keys=[k8.tag, z8.tag], require_ksk=True),
        3: dict(expect_algorithms=[8, 13], expect_keys=[k8.tag, k13.tag],
                expect_signing_keys=[k8.tag, z8.tag, k13.tag, z13.tag], require_ksk=True),
        4: dict(expect_algorithms=[13], forbid_algorithms=[8], forbid_keys=[k8.tag, z8.tag],
                expect_signing_keys=[k13.tag, z13.tag], require_ksk=True),
    }
    return stages, policies, dict(k8=k8, z8=z8, k13=k13, z13=z13)


@pytest.mark.parametrize("stage", [1, 2, 3, 4])
def test_each_stage_passes_its_own_expectations(rollover, stage):
    stages, policies, _ = rollover
    r = zoneverify.verify_zone(stages[stage], now=NOW, **policies[stage])
    assert r.ok, [str(f) for f in r.errors]
    if stage == 2:
        # The pre-published signatures: warnings, never valid.
        pre = [f for f in r.findings if f.code == "prepublished-signature"]
        assert pre and all(f.algorithm == 13 and f.status.code == "no-matching-key" for f in pre)
        assert r.counts["by_status"].get("valid", 0) == len(r) - len(pre)


def test_stage1_fails_stage2s_expectations_no_new_signatures(rollover):
    stages, policies, _ = rollover
    r = zoneverify.verify_zone(stages[1], now=NOW, **policies[2])
    assert errors(r) == {"prepublished-missing"}
    assert all("algorithm 13" in f.reason for f in r.errors)


def test_stage2_fails_stage3s_expectations_the_new_key_is_missing(rollover):
    stages, policies, keys = rollover
    r = zoneverify.verify_zone(stages[2], now=NOW, **policies[3])
    missing = {f.key_tag for f in r.errors if f.code == "expected-key-missing"}
    assert missing == {keys["k13"].tag, keys["z13"].tag}
    assert any(f.code == "expected-algorithm-missing" and "algorithm 13" in f.reason for f in r.errors)
    # and the signatures of 13, without their key, are errors again
    assert "no-matching-key" in errors(r)
    # The seed scenario's two flags alone fail it too.
    r = zoneverify.verify_zone(stages[2], now=NOW, expect_keys=[keys["k13"].tag], expect_algorithms=[13],
                               prepublished_algorithms=[13])
    assert errors(r) == {"expected-key-missing", "expected-algorithm-missing"}


def test_stage3_fails_stage4s_expectations_the_old_key_is_still_there(rollover):
    stages, policies, keys = rollover
    r = zoneverify.verify_zone(stages[3], now=NOW, **policies[4])
    assert errors(r) == {"forbidden-algorithm-present", "forbidden-key-present"}
    forbidden = {f.key_tag for f in r.errors if f.code == "forbidden-key-present"}
    assert forbidden == {keys["k8"].tag, keys["z8"].tag}
    # Both the DNSKEYs and the RRSIGs by them are named.
    assert {f.type for f in r.errors if f.code == "forbidden-key-present"} >= {"DNSKEY"}
    assert any("RRSIG(s) with key tag" in f.reason for f in r.errors)


def test_stage4_fails_stage3s_expectations(rollover):
    stages, policies, keys = rollover
    r = zoneverify.verify_zone(stages[4], now=NOW, **policies[3])
    assert {f.key_tag for f in r.errors if f.code == "expected-key-missing"} == {keys["k8"].tag, keys["z8"].tag}
    assert "expected-algorithm-missing" in errors(r)


def test_prepublished_accepts_exactly_those_signatures(rollover):
    stages, policies, keys = rollover
    # Without the declaration, stage 2 fails: RRSIGs without their key.
    r = zoneverify.verify_zone(stages[2], now=NOW)
    assert errors(r) == {"no-matching-key"}
    # Declaring another algorithm does not accept them.
    r = zoneverify.verify_zone(stages[2], now=NOW, prepublished_algorithms=[15])
    assert "no-matching-key" in errors(r) and "prepublished-missing" in errors(r)
    # Once 13's key is published, the declaration is wrong: stage 3 is past it.
    r = zoneverify.verify_zone(stages[3], now=NOW, prepublished_algorithms=[13])
    assert errors(r) == {"prepublished-key-published"}
    # A broken signature of the old algorithm stays an error in stage 2.
    r = zoneverify.verify_zone(break_one_signature(stages[2].read_text(), keys["z8"].tag), now=NOW, **policies[2])
    assert "bad-signature" in errors(r)


def test_signing_out_of_order_fails_missing_algorithm(rollover):
    stages, policies, _ = rollover
    r = zoneverify.verify_zone(stages["early-key"], now=NOW)
    assert errors(r) == {"missing-algorithm"}
    assert all("algorithm 13" in f.reason for f in r.errors)


def test_expect_signing_key_names_the_rrsets_it_does_not_sign(rollover):
    stages, _, keys = rollover
    # A KSK (SEP flag) need only sign the DNSKEY RRset; a ZSK signs everything.
    r = zoneverify.verify_zone(stages[1], now=NOW, expect_signing_keys=[keys["z8"].tag, keys["k8"].tag])
    assert r.ok
    r = zoneverify.verify_zone(stages[4], now=NOW, expect_signing_keys=[keys["z8"].tag])
    assert errors(r) == {"expected-key-missing"}
    # In the out-of-order zone z13 is published but signs nothing.
    r = zoneverify.verify_zone(stages["early-key"], now=NOW, signed_by="any", expect_signing_keys=[keys["z13"].tag])
    assert errors(r) == {"expected-key-not-signing"}
    why = sorted(f.reason for f in r.errors)
    assert "does not validly sign the DNSKEY RRset" in why[0]
    assert "does not validly sign" in why[1] and "authoritative RRsets" in why[1]


def test_cli_walk_through(rollover, cli):
    stages, _, keys = rollover
    k13 = str(keys["k13"].tag)
    p = run(cli, "check", "--now", NOW, "--expect-key", k13, "--expect-algorithm", "13", str(stages[2]))
    assert p.returncode == 1
    assert "expected-key-missing" in p.stdout and "expected-algorithm-missing" in p.stdout
    p = run(cli, "check", "--now", NOW, "--expect-key", k13, "--expect-algorithm", "ECDSAP256SHA256", str(stages[3]))
    assert p.returncode == 0, p.stdout
    p = run(cli, "check", "--now", NOW, "--expect-algorithm", "NOSUCHALG", str(stages[3]))
    assert p.returncode == 2 and "NOSUCHALG" in p.stderr
    p = run(cli, "check", "--now", NOW, "--expect-key", "70000", str(stages[3]))
    assert p.returncode == 2 and "65535" in p.stderr


# ------------------------------------------------------------------ previous


@pytest.fixture(scope="module")
def versions(signing_tools, tmp_path_factory):
    d = tmp_path_factory.mktemp("versions")
    ksk, zsk = keygen(d, "ECDSAP256SHA256", True), keygen(d, "ECDSAP256SHA256", False)
    zsk2 = keygen(d, "ECDSAP256SHA256", False)
    v = {
        "v1": sign(d, "v1", zone_text(serial=1, delegations=20), [ksk, zsk], [ksk, zsk]),
        "same-serial": sign(d, "same", zone_text(serial=1, delegations=20, extra="new IN A 192.0.2.99\n"), [ksk, zsk], [ksk, zsk]),
        "v2": sign(d, "v2", zone_text(serial=2, delegations=20, extra="new IN A 192.0.2.99\n"), [ksk, zsk], [ksk, zsk]),
        "one-removed": sign(d, "removed", zone_text(serial=2, delegations=19), [ksk, zsk], [ksk, zsk]),
        "half-removed": sign(d, "half", zone_text(serial=3, delegations=10), [ksk, zsk], [ksk, zsk]),
        "zsk-replaced": sign(d, "zsk2", zone_text(serial=2, delegations=20), [ksk, zsk2], [ksk, zsk2]),
        "wrapped": sign(d, "wrapped", zone_text(serial=1 + 2**31 + 5, delegations=20), [ksk, zsk], [ksk, zsk]),
    }
    return v, dict(zsk=zsk, zsk2=zsk2)


def test_previous_serial_increased_and_changes_reported(versions):
    v, _ = versions
    r = zoneverify.verify_zone(v["v2"], now=NOW, previous=v["v1"])
    assert r.ok, [str(f) for f in r.errors]
    c = r.changes
    assert (c["previous_serial"], c["serial"]) == (1, 2)
    assert c["delegations"] == {"before": 20, "after": 20, "added": 0, "removed": 0, "changed": 0}
    assert c["rrsets"]["added"] == 1 and c["rrsets"]["removed"] == 0 and c["rrsets"]["changed"] == 0
    assert c["dnskey_added"] == [] and c["dnskey_removed"] == []
    assert not c["apex_ns_changed"]
    assert any("since" in line and "serial 1 -> 2" in line for line in r.summary_lines())
    assert r.to_dict()["changes"] == c


def test_previous_serial_not_increased(versions):
    v, _ = versions
    r = zoneverify.verify_zone(v["same-serial"], now=NOW, previous=v["v1"])
    assert errors(r) == {"serial-not-increased"}
    (f,) = r.errors
    assert f.type == "SOA" and f.line > 0 and "1" in f.reason
    # RFC 1982: more than 2^31 ahead is behind.
    r = zoneverify.verify_zone(v["wrapped"], now=NOW, previous=v["v1"])
    assert errors(r) == {"serial-not-increased"}
    assert "not greater (RFC 1982)" in r.errors[0].reason


def test_previous_delegation_removed(versions):
    v, _ = versions
    r = zoneverify.verify_zone(v["one-removed"], now=NOW, previous=v["v1"], flag_changes=["ds"])
    c = r.changes
    assert c["delegations"]["removed"] == 1 and c["delegations"]["added"] == 0
    assert c["examples"]["delegations_removed"] == [f"d19.{ORIGIN}."]
    # d19 had no DS (odd); the glue and NS RRsets went with it.
    assert c["rrsets"]["removed"] == 2
    assert "changed-ds" not in codes(r)
    assert r.ok
    r = zoneverify.verify_zone(v["half-removed"], now=NOW, previous=v["v1"], flag_changes=["ds"])
    assert c["ds"]["removed"] == 0
    assert r.changes["ds"]["removed"] == 5
    assert [f.code for f in r.warnings] == ["changed-ds"]


def test_previous_dnskey_replaced(versions):
    v, k = versions
    r = zoneverify.verify_zone(v["zsk-replaced"], now=NOW, previous=v["v1"])
    c = r.changes
    assert [t for t, _, _ in c["dnskey_added"]] == [k["zsk2"].tag]
    assert [t for t, _, _ in c["dnskey_removed"]] == [k["zsk"].tag]
    assert r.ok and "changed-dnskey" not in codes(r)  # information only...
    r = zoneverify.verify_zone(v["zsk-replaced"], now=NOW, previous=v["v1"], flag_changes=["dnskey"])
    (f,) = [f for f in r.findings if f.code == "changed-dnskey"]  # ... unless the policy says so
    assert str(k["zsk2"].tag) in f.reason and str(k["zsk"].tag) in f.reason and f.severity == "warning"
    r = zoneverify.verify_zone(v["zsk-replaced"], now=NOW, previous=v["v1"], flag_changes=["dnskey"], warnings_as_errors=True)
    assert not r.ok


def test_previous_change_over_the_limit(versions, cli):
    v, _ = versions
    r = zoneverify.verify_zone(v["half-removed"], now=NOW, previous=v["v1"], max_change=25)
    limits = [f for f in r.errors if f.code == "change-limit"]
    assert len(limits) == 2, [str(f) for f in r.findings]  # delegations removed, and data RRsets
    assert any("10 delegations removed of the previous zone's 20 (50.00 %)" in f.reason for f in limits)
    r = zoneverify.verify_zone(v["half-removed"], now=NOW, previous=v["v1"], max_change=60)
    assert "change-limit" not in codes(r)
    p = run(cli, "check", "--now", NOW, "--previous", str(v["v1"]), "--max-change", "25", "--format", "json", str(v["half-removed"]))
    assert p.returncode == 1
    d = json.loads(p.stdout)
    assert d["changes"]["delegations"]["removed"] == 10
    assert [f["code"] for f in d["findings"]].count("change-limit") == 2


def test_previous_that_cannot_be_read_is_a_usage_error(versions, cli, tmp_path):
    v, _ = versions
    bad = tmp_path / "bad.zone"
    bad.write_text(f"$ORIGIN {ORIGIN}.\n@ 3600 IN SOA ns1 hostmaster 1 2 3 4\n")
    p = run(cli, "check", "--now", NOW, "--previous", str(bad), str(v["v2"]))
    assert p.returncode == 2 and "bad.zone:2" in p.stderr
    p = run(cli, "check", "--now", NOW, "--previous", str(tmp_path / "missing.zone"), str(v["v2"]))
    assert p.returncode == 2 and "missing.zone" in p.stderr


# ------------------------------------------------------------------ unsigned


@pytest.fixture(scope="module")
def signer_runs(signing_tools, tmp_path_factory):
    d = tmp_path_factory.mktemp("unsigned")
    ksk, zsk = keygen(d, "ECDSAP256SHA256", True), keygen(d, "ECDSAP256SHA256", False)
    text = zone_text(delegations=6)
    unsigned = d / "input.db"
    unsigned.write_text(text)
    altered = text.replace("www IN A   192.0.2.10", "www IN A   192.0.2.66")
    assert altered != text
    dropped = text.replace("ns1.d3 IN A 192.0.2.103\n", "")
    assert dropped != text
    cds_rr = subprocess.run(["dnssec-dsfromkey", "-2", "-C", ksk.base], cwd=d, capture_output=True, text=True, check=True).stdout
    cds = text + cds_rr
    return {
        "unsigned": unsigned,
        "untouched": sign(d, "untouched", text, [ksk, zsk], [ksk, zsk]),
        # One record altered, its RRset signed with the zone's own keys:
        # every signature valid.
        "altered": sign(d, "altered", altered, [ksk, zsk], [ksk, zsk]),
        # One record dropped, the NSEC chain made again by the signer.
        "dropped": sign(d, "dropped", dropped, [ksk, zsk], [ksk, zsk]),
        "cds": sign(d, "cds", cds, [ksk, zsk], [ksk, zsk]),
    }


def test_unsigned_untouched_passes(signer_runs):
    r = zoneverify.verify_zone(signer_runs["untouched"], now=NOW, unsigned=signer_runs["unsigned"])
    assert r.ok, [str(f) for f in r.findings]
    u = r.unsigned
    assert (u["dropped"], u["added"], u["altered"]) == (0, 0, 0)
    assert u["unsigned_records"] == u["signed_records"] > 20


def test_unsigned_altered_record_is_named(signer_runs):
    s = signer_runs
    plain = zoneverify.verify_zone(s["altered"], now=NOW)
    assert plain.ok  # what signature verification alone sees
    r = zoneverify.verify_zone(s["altered"], now=NOW, unsigned=s["unsigned"])
    assert errors(r) == {"signer-altered-record"}
    (f,) = r.errors
    assert f.owner == f"www.{ORIGIN}." and f.type == "A"
    assert "has 3600 A 192.0.2.10, the signed zone 3600 A 192.0.2.66" in f.reason
    assert f.file.endswith("altered.signed") and f.line > 0
    assert "input.db:6" in f.reason


def test_unsigned_dropped_record_is_named(signer_runs):
    s = signer_runs
    assert zoneverify.verify_zone(s["dropped"], now=NOW).ok
    r = zoneverify.verify_zone(s["dropped"], now=NOW, unsigned=s["unsigned"])
    assert errors(r) == {"signer-dropped-record"}
    (f,) = r.errors
    assert f.owner == f"ns1.d3.{ORIGIN}." and f.type == "A" and "192.0.2.103" in f.reason
    # Located in the unsigned input, which the report's files now list.
    assert f.file.endswith("input.db") and f.line > 0
    assert r.unsigned["dropped"] == 1


def test_unsigned_cds_only_where_policy_allows(signer_runs, cli):
    s = signer_runs
    r = zoneverify.verify_zone(s["cds"], now=NOW, unsigned=s["unsigned"])
    assert errors(r) == {"signer-added-record"}
    assert r.errors[0].type == "CDS"
    r = zoneverify.verify_zone(s["cds"], now=NOW, unsigned=s["unsigned"], signer_adds_cds=True)
    assert "signer-added-record" not in codes(r)
    p = run(cli, "check", "--now", NOW, "--unsigned", str(s["unsigned"]), str(s["altered"]))
    assert p.returncode == 1 and "signer-altered-record" in p.stdout and "against the unsigned input" in p.stdout


# ------------------------------------------------------------------ policy files


def test_policy_file_round_trips_every_option(tmp_path):
    values = {
        "origin": "roll.example.", "zone_checks": True, "signed_by": "any", "redundant_failures": "warning",
        "require_ksk": True, "require_zonemd": False, "trust_anchor": "anchor.ds", "expire_within": "7d",
        "inception_margin": 3600, "warnings_as_errors": True, "allow_unsupported": False, "allow_include": True,
        "expect_keys": [1, 2], "expect_signing_keys": [3], "forbid_keys": [4], "expect_algorithms": [8, "ECDSAP256SHA256"],
        "forbid_algorithms": ["RSASHA1"], "prepublished_algorithms": [15], "max_change": 2.5,
        "flag_changes": ["dnskey", "ds"], "signer_adds_cds": True,
    }
    assert set(values) == set(KEYS), "a key of the policy file is not exercised here"

    def toml(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return "[" + ", ".join(toml(x) for x in v) + "]"
        return json.dumps(v)

    f = tmp_path / "stage.toml"
    f.write_text("# a rollover stage\n" + "".join(f"{k} = {toml(v)}\n" for k, v in values.items()))
    got = load_policy(f)
    want = dict(values, trust_anchor=str(tmp_path / "anchor.ds"), expect_algorithms=[8, 13],
                forbid_algorithms=[5], max_change=2.5)
    assert got == want
    # ... and verify_zone takes all of it.
    import inspect
    assert set(got) <= set(inspect.signature(zoneverify.verify_zone).parameters)


@pytest.mark.parametrize("text, line, key, why", [
    ("require_ksk = true\nexpect-keys = [1]\n", 2, "expect-keys", "unknown key (did you mean 'expect_keys'?)"),
    ("require_ksk = true\nexpect_keys = [1]\nnope = 1\n", 3, "nope", "unknown key"),
    ("expect_keys = [1, 70000]\n", 1, "expect_keys", "from 0 to 65535"),
    ("\n\nrequire_ksk = \"yes\"\n", 3, "require_ksk", "true or false"),
    ("expect_algorithms = [\"NOPE\"]\n", 1, "expect_algorithms", "NOPE"),
    ("max_change = -1\n", 1, "max_change", "percentage"),
    ("signed_by = \"all\"\n", 1, "signed_by", "every-algorithm"),
    ("flag_changes = [\"soa\"]\n", 1, "flag_changes", "dnskey"),
    ("expire_within = \"7x\"\n", 1, "expire_within", "bad duration"),
    ("require_ksk = true\nrequire_ksk = false\n", 2, None, "not valid TOML"),
    ("[table]\nx = 1\n", 1, "table", "unknown key"),
])
def test_bad_policy_files_name_file_line_and_key(tmp_path, cli, text, line, key, why):
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(PolicyFileError) as e:
        load_policy(f)
    assert (e.value.line, e.value.key) == (line, key) and why.split(" (")[0] in e.value.reason
    p = run(cli, "check", "--policy", str(f), "zone.db")
    assert p.returncode == 2
    assert f"bad.toml:{line}: " in p.stderr and (key is None or f"{key}:" in p.stderr) and why.split(" (")[0] in p.stderr


def test_policy_file_is_the_same_as_the_flags_and_flags_override_it(rollover, cli, tmp_path):
    stages, policies, keys = rollover
    f = tmp_path / "stage3.toml"
    f.write_text(f"expect_algorithms = [8, 13]\nexpect_keys = [{keys['k8'].tag}, {keys['k13'].tag}]\nrequire_ksk = true\n")
    by_file = run(cli, "check", "--now", NOW, "--policy", str(f), "--format", "json", str(stages[2]))
    by_flags = run(cli, "check", "--now", NOW, "--expect-algorithm", "8", "--expect-algorithm", "13", "--expect-key",
                   str(keys["k8"].tag), "--expect-key", str(keys["k13"].tag), "--require-ksk", "--format", "json", str(stages[2]))
    assert by_file.returncode == by_flags.returncode == 1
    strip = lambda p: [x["code"] + x["reason"] for x in json.loads(p.stdout)["findings"]]
    assert strip(by_file) == strip(by_flags)
    # A flag replaces the file's list: stage 2 expects algorithm 8 only.
    p = run(cli, "check", "--now", NOW, "--policy", str(f), "--expect-algorithm", "8", "--expect-key", str(keys["k8"].tag),
            "--prepublished-algorithm", "13", str(stages[2]))
    assert p.returncode == 0, p.stdout
    p = run(cli, "check", "--policy", str(tmp_path / "missing.toml"), str(stages[2]))
    assert p.returncode == 2 and "missing.toml" in p.stderr


def test_options_that_would_be_skipped_are_refused(rollover, tmp_path):
    stages, _, keys = rollover
    for kw in (dict(zone_checks=False, expect_keys=[keys["k8"].tag]), dict(max_change=5), dict(flag_changes=["ds"]),
               dict(signer_adds_cds=True), dict(expect_keys=["x"]), dict(flag_changes=["soa"], previous=stages[1])):
        with pytest.raises(ValueError):
            zoneverify.verify_zone(stages[1], now=NOW, **kw)
    with pytest.raises(FileNotFoundError):
        zoneverify.verify_zone(stages[1], now=NOW, previous=tmp_path / "nothing.zone")


def _private_ecdsa_p256(d: Path, k: K):
    """The zone's own key, read from BIND's private key file (cryptography)."""
    import base64

    from cryptography.hazmat.primitives.asymmetric import ec

    for line in (d / f"{k.base}.private").read_text().splitlines():
        if line.startswith("PrivateKey:"):
            return ec.derive_private_key(int.from_bytes(base64.b64decode(line.split()[1]), "big"), ec.SECP256R1())
    raise AssertionError("no PrivateKey in " + k.base)


def test_unsigned_record_altered_and_re_signed_with_the_zones_key(signing_tools, tmp_path):
    """BIND signs; then one record is altered and its RRset re-signed with
    the zone's ZSK by dnspython: every signature valid, the data not the
    signer's input."""
    import dns.dnssec
    import dns.name
    import dns.rdataset
    import dns.rdatatype
    import dns.zone

    ksk, zsk = keygen(tmp_path, "ECDSAP256SHA256", True), keygen(tmp_path, "ECDSAP256SHA256", False)
    text = zone_text(delegations=4)
    (tmp_path / "input.db").write_text(text)
    signed = sign(tmp_path, "signed", text, [ksk, zsk], [ksk, zsk])
    z = dns.zone.from_file(str(signed), origin=ORIGIN, relativize=False)
    origin = dns.name.from_text(ORIGIN)
    dnskey = next(r for r in z.find_rdataset(origin, "DNSKEY") if dns.dnssec.key_id(r) == zsk.tag)
    www = dns.name.from_text("www", origin)
    node = z.find_node(www)
    old = node.find_rdataset(dns.rdataclass.IN, dns.rdatatype.TXT)
    new = dns.rdataset.from_text("IN", "TXT", old.ttl, '"hello, altered"')
    node.replace_rdataset(new)
    sig = dns.dnssec.sign((www, new), _private_ecdsa_p256(tmp_path, zsk), origin, dnskey,
                          inception=1767225600, expiration=2082758400)
    rrsigs = node.find_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.TXT)
    node.replace_rdataset(dns.rdataset.from_rdata_list(rrsigs.ttl, [sig]))
    edited = tmp_path / "edited.signed"
    z.to_file(str(edited), relativize=False)

    r = zoneverify.verify_zone(edited, now=NOW)
    assert r.ok, [str(f) for f in r.errors]  # every signature valid
    r = zoneverify.verify_zone(edited, now=NOW, unsigned=tmp_path / "input.db")
    assert errors(r) == {"signer-altered-record"}
    (f,) = r.errors
    assert f.owner == f"www.{ORIGIN}." and f.type == "TXT"
    assert 'has 3600 TXT "hello", the signed zone 3600 TXT "hello, altered"' in f.reason


def test_unsigned_many_differences_are_counted_past_the_listed_ones(signer_runs, tmp_path):
    s = signer_runs
    more = s["unsigned"].read_text() + "".join(f"extra{i} IN TXT \"{i}\"\n" for i in range(1005))
    (tmp_path / "more.db").write_text(more)
    r = zoneverify.verify_zone(s["untouched"], now=NOW, unsigned=tmp_path / "more.db")
    dropped = [f for f in r.errors if f.code == "signer-dropped-record"]
    assert len(dropped) == 1000 and r.unsigned["dropped"] == 1005
    (rest,) = [f for f in r.errors if f.code == "signer-altered-record"]
    assert "5 more records" in rest.reason and "1005 dropped" in rest.reason

"""`zoneverify hook` in the publication path of the real servers: NSD's
verifier (a secondary that receives each version by AXFR from a primary,
both NSD 4.6.1 on loopback), Cascade's and OpenDNSSEC's contracts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from bindsign import NOW, ORIGIN, break_one_signature, keygen, sign, zone_text  # noqa: E402
from nameserver import Nsd, Zone, free_port  # noqa: E402

HOOK = [sys.executable, "-m", "zoneverify", "hook"]


@pytest.fixture(scope="module")
def versions(signing_tools, tmp_path_factory):
    d = tmp_path_factory.mktemp("versions")
    ksk, zsk = keygen(d, "ECDSAP256SHA256", True), keygen(d, "ECDSAP256SHA256", False)
    v = {s: sign(d, f"v{s}", zone_text(serial=s, delegations=10), [ksk, zsk], [ksk, zsk]) for s in (1, 2, 3)}
    v[2].write_text(break_one_signature(v[2].read_text(), zsk.tag, after_line=30))
    return v


def soa_serial(port: int) -> "int | str":
    """The SOA serial the server answers with, or the RCODE's name."""
    import dns.message
    import dns.query
    import dns.rcode

    q = dns.message.make_query(ORIGIN + ".", "SOA")
    r = dns.query.udp(q, "127.0.0.1", port=port, timeout=2)
    if r.rcode() != dns.rcode.NOERROR or not r.answer:
        return dns.rcode.to_text(r.rcode())
    return r.answer[0][0].serial


def wait_serial(port: int, want, timeout: float = 20):
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        try:
            got = soa_serial(port)
        except Exception as e:  # not up yet
            got = repr(e)
        if got == want:
            return got
        time.sleep(0.1)
    raise AssertionError(f"serial {want} not served within {timeout} s (last answer: {got})")


@pytest.mark.parametrize("feed", ["stdin", "axfr"])
def test_nsd_secondary_serves_only_verified_versions(versions, tmp_path, feed):
    primary_zone = tmp_path / "primary" / "zone.db"
    primary_zone.parent.mkdir()
    shutil.copy(versions[1], primary_zone)
    reports = tmp_path / "reports"
    secondary_port = free_port()
    primary = Nsd(tmp_path / "primary", [Zone(ORIGIN, primary_zone, extra=[f"notify: 127.0.0.1@{secondary_port} NOKEY"])])
    verifier = " ".join(HOOK + ["--now", NOW, "--report-dir", str(reports), "--timeout", "20"])
    with primary:
        secondary = Nsd(tmp_path / "secondary", [Zone(ORIGIN, tmp_path / "secondary" / "zone.copy", extra=[
            f"request-xfr: 127.0.0.1@{primary.port} NOKEY",
            "allow-notify: 127.0.0.1 NOKEY",
            "verify-zone: yes",
            f"verifier: {verifier}",
            f"verifier-feed-zone: {'yes' if feed == 'stdin' else 'no'}",
            "verifier-timeout: 30",
        ])], clauses=f"verify:\n    enable: yes\n    port: {free_port()}\n    ip-address: 127.0.0.1\n")
        secondary.port = secondary_port
        with secondary:
            wait_serial(secondary.port, 1)
            log = secondary.wait_log("exited with 0")
            mark = len(log)
            # Version 2, one RRSIG broken: refused, never served.
            shutil.copy(versions[2], primary_zone)
            os.utime(primary_zone, (time.time() + 5, time.time() + 5))
            primary.reload()
            log = secondary.wait_log("exited with 1", after=mark)
            time.sleep(0.5)
            after_bad = soa_serial(secondary.port)
            assert after_bad != 2
            # NSD 4.6.1 as packaged keeps serving the old version.
            assert after_bad == 1, after_bad
            mark = len(secondary.log())
            # Version 3, valid: served.
            shutil.copy(versions[3], primary_zone)
            os.utime(primary_zone, (time.time() + 10, time.time() + 10))
            primary.reload()
            secondary.wait_log("exited with 0", after=mark)
            wait_serial(secondary.port, 3)
            hook_log = secondary.log()
    names = sorted(p.name for p in reports.iterdir())
    assert names == [f"{ORIGIN}_1.json", f"{ORIGIN}_2.json", f"{ORIGIN}_3.json"]
    bad = json.loads((reports / f"{ORIGIN}_2.json").read_text())
    assert bad["ok"] is False and bad["hook"]["contract"] == "nsd"
    assert bad["hook"]["source"] == ("-" if feed == "stdin" else bad["hook"]["source"])
    if feed == "axfr":
        assert bad["hook"]["source"].startswith("axfr://127.0.0.1:")
    assert "REFUSED" in hook_log and "approved" in hook_log


def test_cascade_contract_by_axfr_from_the_review_server(versions, tmp_path):
    """Cascade's review hook environment, the zone served by a local NSD
    standing in for Cascade's review server."""
    with Nsd(tmp_path / "review", [Zone(ORIGIN, versions[1])]) as review:
        env = dict(os.environ, CASCADE_ZONE=ORIGIN, CASCADE_SERIAL="1", CASCADE_SERVER_IP="127.0.0.1",
                   CASCADE_SERVER_PORT=str(review.port))
        p = subprocess.run(HOOK + ["--now", NOW], env=env, capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        assert "cascade roll.example. serial 1: approved" in p.stderr
        # The serial under review must be the one served.
        env["CASCADE_SERIAL"] = "7"
        p = subprocess.run(HOOK + ["--now", NOW], env=env, capture_output=True, text=True)
        assert p.returncode == 1 and "not CASCADE_SERIAL 7" in p.stderr
        env.pop("CASCADE_SERVER_IP")
        env["CASCADE_SERIAL"] = "1"
        env["CASCADE_SERVER"] = f"127.0.0.1:{review.port}"
        p = subprocess.run(HOOK + ["--now", NOW], env=env, capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
    with Nsd(tmp_path / "review2", [Zone(ORIGIN, versions[2])]) as review:
        env = dict(os.environ, CASCADE_ZONE=ORIGIN, CASCADE_SERIAL="2", CASCADE_SERVER_IP="127.0.0.1",
                   CASCADE_SERVER_PORT=str(review.port))
        p = subprocess.run(HOOK + ["--now", NOW], env=env, capture_output=True, text=True)
        assert p.returncode == 1 and "REFUSED" in p.stderr and "bad-signature" in p.stderr


def test_opendnssec_notify_command_contract_then_runs_only_on_a_pass(versions, tmp_path):
    """OpenDNSSEC's NotifyCommand: `zoneverify hook ... %zone %zonefile`
    (tested by that contract: the signer is not run here)."""
    out = tmp_path / "published"
    then = f"cp %zonefile {out}/%zone.db && echo $ZONEVERIFY_SERIAL > {out}/serial"
    out.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VERIFY_", "CASCADE_"))}
    p = subprocess.run(HOOK + ["--now", NOW, "--then", then, ORIGIN, str(versions[1])], env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert (out / f"{ORIGIN}..db").exists() and (out / "serial").read_text().strip() == "1"
    shutil.rmtree(out)
    out.mkdir()
    p = subprocess.run(HOOK + ["--now", NOW, "--then", then, ORIGIN, str(versions[2])], env=env, capture_output=True, text=True)
    assert p.returncode == 1 and not any(out.iterdir())
    # A failing --then is reported and refuses.
    p = subprocess.run(HOOK + ["--now", NOW, "--then", "exit 7", ORIGIN, str(versions[1])], env=env, capture_output=True, text=True)
    assert p.returncode == 7 and "failed with status 7" in p.stderr


def test_hook_usage_and_timeout(versions, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VERIFY_", "CASCADE_"))}
    p = subprocess.run(HOOK, env=env, capture_output=True, text=True)
    assert p.returncode == 2 and "no contract found" in p.stderr
    # NSD's contract with an address that never answers: refused within --timeout.
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    env2 = dict(env, VERIFY_ZONE=ORIGIN, VERIFY_IP_ADDRESSES=f"127.0.0.1@{silent.getsockname()[1]}")
    t = time.monotonic()
    p = subprocess.run(HOOK + ["--timeout", "2"], env=env2, capture_output=True, text=True)
    silent.close()
    assert p.returncode == 2 and time.monotonic() - t < 15, p.stderr
    assert "timed out" in p.stderr or "--timeout" in p.stderr


def test_opendnssec_signer_runs_the_hook_and_publishes_only_passing_zones(signing_tools, tmp_path):
    """OpenDNSSEC's enforcer and signer (SoftHSM keys) sign a zone and run
    NotifyCommand = zoneverify hook --then publish; a policy the zone does
    not meet makes the next signing refused and unpublished."""
    import opendnssec

    why = opendnssec.available()
    if why:
        pytest.fail(f"OpenDNSSEC cannot run: {why}", pytrace=False)
    reports, published = tmp_path / "reports", tmp_path / "published"
    published.mkdir()
    publish = tmp_path / "publish.sh"
    publish.write_text(f'#!/bin/sh\ncp "$ZONEVERIFY_ZONEFILE" {published}/ && echo "$ZONEVERIFY_SERIAL" >> {published}/serials\n')
    publish.chmod(0o755)
    policy = tmp_path / "stage.toml"
    policy.write_text("expect_algorithms = [13]\nrequire_ksk = true\n")
    notify = " ".join(HOOK + ["--policy", str(policy), "--report-dir", str(reports), "--then", str(publish), "%zone", "%zonefile"])
    with opendnssec.OpenDnssec(tmp_path / "ods", ORIGIN, zone_text(delegations=5), notify) as ods:
        ods.sign()
        deadline = time.monotonic() + 60
        while not (published / "serials").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert (published / "serials").exists(), f"nothing published:\n{ods.logs()[-3000:]}\n{list(reports.glob('*'))}"
        first = (published / "serials").read_text().split()
        assert len(first) == 1 and (published / ORIGIN).exists()
        ok = json.loads(next(reports.glob("*.json")).read_text())
        assert ok["ok"] and ok["hook"]["contract"] == "opendnssec" and ok["counts"]["by_algorithm"] == {"13": {"valid": ok["counts"]["rrsigs"]}}
        # The next stage expects a key this zone does not have: refused.
        policy.write_text("expect_keys = [1]\n")
        before = set(reports.glob("*.json"))
        ods.sign()
        deadline = time.monotonic() + 60
        while set(reports.glob("*.json")) == before and time.monotonic() < deadline:
            time.sleep(0.2)
        new = set(reports.glob("*.json")) - before
        assert new, f"the hook did not run again:\n{ods.logs()[-3000:]}"
        refused = json.loads(new.pop().read_text())
        assert not refused["ok"] and "expected-key-missing" in refused["counts"]["findings"]
        time.sleep(1)
        assert (published / "serials").read_text().split() == first  # nothing more published


def test_contract_environments_are_read_as_the_servers_set_them():
    from zoneverify.hook import _cascade_source, _nsd_source

    # NSD 4.6.1, verifier-feed-zone: yes / no (read off the installed NSD).
    nsd = {"VERIFY_ZONE": "example", "VERIFY_IP_ADDRESSES": "127.0.0.1@5347", "VERIFY_IP_ADDRESS": "127.0.0.1",
           "VERIFY_PORT": "5347", "VERIFY_IPV4_ADDRESS": "127.0.0.1", "VERIFY_IPV4_PORT": "5347"}
    assert _nsd_source(dict(nsd, VERIFY_ZONE_ON_STDIN="yes")) == ("example", "-")
    assert _nsd_source(nsd) == ("example", "axfr://127.0.0.1:5347/example")
    assert _nsd_source({"VERIFY_ZONE": "example", "VERIFY_IP_ADDRESSES": "::1@5400 127.0.0.1@5347"})[1] == "axfr://[::1]:5400/example"
    assert _nsd_source({"VERIFY_ZONE": "example", "VERIFY_IPV6_ADDRESS": "::1", "VERIFY_IPV6_PORT": "53"})[1] == "axfr://[::1]:53/example"
    with pytest.raises(ValueError, match="neither"):
        _nsd_source({"VERIFY_ZONE": "example"})
    c = {"CASCADE_ZONE": "example.", "CASCADE_SERIAL": "7"}
    assert _cascade_source(dict(c, CASCADE_SERVER_IP="::1", CASCADE_SERVER_PORT="8053")) == ("example.", "axfr://[::1]:8053/example.", 7)
    for server, want in (("[::1]:53", "axfr://[::1]:53/example."), ("ns.example:5353", "axfr://ns.example:5353/example."),
                         ("192.0.2.1", "axfr://192.0.2.1:53/example."), ("2001:db8::1", "axfr://[2001:db8::1]:53/example.")):
        assert _cascade_source(dict(c, CASCADE_SERVER=server))[1] == want
    for bad in (dict(c, CASCADE_SERVER="bad:xx"), dict(c, CASCADE_SERVER_IP="::1", CASCADE_SERIAL="x"), c):
        with pytest.raises(ValueError):
            _cascade_source(bad)

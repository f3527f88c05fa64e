"""AXFR input against a real NSD on loopback (IPv4 and IPv6), with and
without TSIG; the errors a transfer can end in; fake servers for the
failures NSD does not produce (silence, a transfer cut short)."""

from __future__ import annotations

import base64
import socket
import struct
import subprocess
import threading
from pathlib import Path

import pytest

import zoneverify
from bindsign import NOW, ORIGIN, break_one_signature, keygen, sign, zone_text  # noqa: E402
from nameserver import Key, Nsd, Zone  # noqa: E402

SECRET = base64.b64encode(b"zoneverify-test-tsig-secret-0123").decode()
KEY = Key("xfr.test.", "hmac-sha256", SECRET)


@pytest.fixture(scope="module")
def zones(signing_tools, tmp_path_factory):
    d = tmp_path_factory.mktemp("axfr")
    ksk, zsk = keygen(d, "ECDSAP256SHA256", True), keygen(d, "ECDSAP256SHA256", False)
    good = sign(d, "good", zone_text(delegations=30), [ksk, zsk], [ksk, zsk])
    # One RRSIG broken: a character of a signature flipped.
    bad = d / "bad.signed"
    bad.write_text(break_one_signature(good.read_text(), zsk.tag, after_line=40))
    return d, good, bad


@pytest.fixture(scope="module")
def nsd(zones, tmp_path_factory):
    d, good, bad = zones
    acl = [("127.0.0.1", "NOKEY"), ("::1", KEY.name)]
    with Nsd(tmp_path_factory.mktemp("nsd"), [Zone(ORIGIN, good, acl)], [KEY]) as server:
        yield server


def label(url: str) -> str:
    """The name a report gives an axfr:// source: the zone absolute."""
    return url if url.endswith(".") else url + "."


def test_transfer_matches_the_file(nsd, zones):
    _, good, _ = zones
    by_file = zoneverify.verify_zone(good, now=NOW)
    by_axfr = zoneverify.verify_zone(nsd.url(ORIGIN), now=NOW)
    assert by_axfr.ok and by_file.ok
    assert by_axfr.files == [label(nsd.url(ORIGIN))]
    assert len(by_axfr) == len(by_file)
    assert by_axfr.counts["by_status"] == by_file.counts["by_status"]
    assert by_axfr.records == by_file.records
    assert by_axfr.pipeline == "streamed"
    # Same RRSIGs: (owner, covered type, key tag) as multisets.
    rows = lambda r: sorted(zip((r.names[o] for o in r.owner), r.type_covered.tolist(), r.key_tag.tolist()))
    assert rows(by_axfr) == rows(by_file)


def test_transfer_over_ipv6_with_tsig(nsd):
    url = nsd.url(ORIGIN, "::1")
    r = zoneverify.verify_zone(url, now=NOW, tsig=f"{KEY.name}:{KEY.algorithm}:{SECRET}")
    assert r.ok
    # Without the key the ACL refuses ::1.
    with pytest.raises(OSError, match="REFUSED"):
        zoneverify.verify_zone(url, now=NOW)


def test_tsig_key_file(nsd, tmp_path, cli):
    f = tmp_path / "xfr.key"
    f.write_text(f'key "{KEY.name}" {{\n\talgorithm {KEY.algorithm};\n\tsecret "{SECRET}";\n}};\n')
    p = cli("check", "--now", NOW, "--tsig-file", str(f), nsd.url(ORIGIN, "::1"))
    assert p.returncode == 0, p.stderr.decode()


def test_wrong_tsig_secret_exits_2_and_never_shows_the_secret(nsd, cli):
    wrong = base64.b64encode(b"not-the-secret-of-this-key-00000").decode()
    p = cli("check", "--now", NOW, "--tsig", f"{KEY.name}:{KEY.algorithm}:{wrong}", nsd.url(ORIGIN, "::1"))
    err = p.stderr.decode()
    assert p.returncode == 2 and "BADSIG" in err
    assert wrong not in err and wrong not in p.stdout.decode()
    p = cli("check", "--now", NOW, "--format", "json", "--tsig", f"{KEY.name}:{KEY.algorithm}:{SECRET}", nsd.url(ORIGIN, "::1"))
    assert p.returncode == 0 and SECRET not in p.stdout.decode() and SECRET not in p.stderr.decode()


def test_refused_and_unknown_zone_exit_2_with_the_reason(nsd, cli):
    p = cli("check", "--now", NOW, nsd.url(ORIGIN, "::1"))  # no key: refused by the ACL
    assert p.returncode == 2 and "REFUSED" in p.stderr.decode()
    p = cli("check", "--now", NOW, nsd.url("nosuch.example"))
    assert p.returncode == 2 and "NOTAUTH" in p.stderr.decode()


def test_several_sources_in_one_run(nsd, zones, cli):
    _, good, _ = zones
    p = cli("check", "--now", NOW, "--tsig", f"{KEY.name}:{KEY.algorithm}:{SECRET}", nsd.url(ORIGIN), str(good),
            nsd.url(ORIGIN, "::1"))
    out = p.stdout.decode()
    # The IPv4 ACL wants no key: that one is refused with the key given.
    assert p.returncode == 2 and out.count(": OK") == 2, (out, p.stderr.decode())


def test_bad_signature_in_a_transfer_is_located(zones, tmp_path):
    _, _, bad = zones
    with Nsd(tmp_path / "nsd", [Zone(ORIGIN, bad)]) as server:
        r = zoneverify.verify_zone(server.url(ORIGIN), now=NOW)
    assert not r.ok
    (f,) = r.errors
    assert f.code == "bad-signature" and f.file == label(server.url(ORIGIN))
    assert f.line > 1  # its position in the transfer


def test_connection_refused_and_bad_urls(cli):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = cli("check", "--now", NOW, f"axfr://127.0.0.1:{port}/{ORIGIN}")
    assert p.returncode == 2 and "cannot connect" in p.stderr.decode()
    for url, why in (("axfr://::1/x", "brackets"), ("axfr://host:0/x", "port"), ("axfr://host/", "no zone"),
                     ("axfr:///x", "no server"), ("axfr://[::1/x", "closing ]")):
        p = cli("check", "--now", NOW, url)
        assert p.returncode == 2 and why in p.stderr.decode(), (url, p.stderr.decode())


class _FakeServer:
    """A TCP server on 127.0.0.1 that answers one AXFR with `reply(query)`
    (bytes to send, then it closes), or stays silent."""

    def __init__(self, reply):
        self.reply = reply
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            n = struct.unpack("!H", conn.recv(2))[0]
            query = b""
            while len(query) < n:
                query += conn.recv(n - len(query))
            out = self.reply(query)
            if out is None:
                threading.Event().wait(30)  # silent
                return
            conn.sendall(out)

    def close(self):
        self.sock.close()


def _first_message_only(good: Path):
    """A reply that sends the first part of the real transfer (from dnspython,
    made from the signed file) and closes before the closing SOA."""
    import dns.message
    import dns.rrset
    import dns.zone

    z = dns.zone.from_file(str(good), origin=ORIGIN, relativize=False)

    def reply(query: bytes) -> bytes:
        q = dns.message.from_wire(query)
        r = dns.message.make_response(q)
        soa = z.find_rrset(z.origin, "SOA")
        r.answer.append(soa)
        for name, node in list(z.nodes.items())[1:5]:
            for rds in node.rdatasets:
                r.answer.append(dns.rrset.from_rdata_list(name, rds.ttl, list(rds)))
        w = r.to_wire()
        return struct.pack("!H", len(w)) + w

    return reply


def test_truncated_transfer_and_timeout(zones, cli):
    _, good, _ = zones
    server = _FakeServer(_first_message_only(good))
    p = cli("check", "--now", NOW, f"axfr://127.0.0.1:{server.port}/{ORIGIN}")
    server.close()
    err = p.stderr.decode()
    # One message was read: the records of the first names, then the end.
    assert p.returncode == 2 and "truncated transfer" in err and "closed the connection between messages" in err, err
    assert "after 0 records" not in err
    server = _FakeServer(lambda q: None)
    p = cli("check", "--now", NOW, "--timeout", "1", f"axfr://127.0.0.1:{server.port}/{ORIGIN}")
    server.close()
    assert p.returncode == 2 and "timed out" in p.stderr.decode(), p.stderr.decode()


@pytest.fixture(scope="module")
def copies(signing_tools, tmp_path_factory):
    d = tmp_path_factory.mktemp("copies")
    ksk, zsk = keygen(d, "ECDSAP256SHA256", True), keygen(d, "ECDSAP256SHA256", False)
    old = sign(d, "old", zone_text(serial=1, delegations=8), [ksk, zsk], [ksk, zsk])
    new = sign(d, "new", zone_text(serial=2, delegations=8), [ksk, zsk], [ksk, zsk])
    broken = d / "broken.signed"
    broken.write_text(break_one_signature(new.read_text(), zsk.tag, after_line=40))
    return old, new, broken


def test_same_zone_catches_a_stale_and_a_broken_server(copies, tmp_path, cli):
    old, new, broken = copies
    servers = [Nsd(tmp_path / f"ns{i}", [Zone(ORIGIN, z)]) for i, z in enumerate((new, new, old, broken))]
    try:
        for s in servers:
            s.start()
        urls = [s.url(ORIGIN) for s in servers]
        p = cli("check", "--now", NOW, "--same-zone", *urls[:2])
        assert p.returncode == 0, p.stdout.decode()
        assert "2 of 2 copies the same (serial 2): OK" in p.stdout.decode()
        p = cli("check", "--now", NOW, "--same-zone", *urls)
        out = p.stdout.decode()
        assert p.returncode == 1
        assert f"same-zone: {urls[2]}: differs from {urls[0]}: serial 1 where the others serve serial 2" in out
        assert f"same-zone: {urls[3]}: differs from {urls[0]}: " in out and "holds other records" in out
        assert "bad-signature" in out  # and the broken copy fails on its own too
        assert "2 of 4 copies the same (serial 2): FAIL" in out
        # A copy that cannot be transferred is not the same zone either.
        servers[1].stop()
        p = cli("check", "--now", NOW, "--same-zone", urls[0], urls[1])
        assert p.returncode == 2 and "1 of 2 copies could not be read" in p.stderr.decode()
    finally:
        for s in servers:
            s.stop()

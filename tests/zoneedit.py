"""Editing zones signed by real signers, for the structural-defect tests.

The signers (BIND, ldns) sign; an edit that would break a signature
re-signs the edited RRset with dnspython using the signer's own private key
(read from its ``K*.private`` file), so only the intended defect remains.
Also the checks shared by the defect suites: a clean zone passes (API and
CLI), a defective one has exactly the expected error findings.
"""

from __future__ import annotations

import base64
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import signers
import zoneverify

NOW = signers.NOW
NOW_TEXT = "20260601000000"
ORIGIN = signers.ORIGIN
APEX = dns.name.from_text(ORIGIN)
IN = dns.rdataclass.IN
RRSIG = dns.rdatatype.RRSIG


@dataclass
class SigningKey:
    tag: int
    algorithm: int
    ksk: bool
    dnskey: dns.rdata.Rdata
    private: object


def _private_key(path: Path):
    """The private key of a BIND-format ``K*.private`` file (BIND and ldns
    write the same format) as a ``cryptography`` key."""
    fields = {}
    for line in path.read_text().splitlines():
        k, _, v = line.partition(":")
        fields[k.strip()] = v.strip()
    alg = int(fields["Algorithm"].split()[0])

    def num(k: str) -> int:
        return int.from_bytes(base64.b64decode(fields[k]), "big")

    if alg == 13:
        return ec.derive_private_key(num("PrivateKey"), ec.SECP256R1())
    if alg == 14:
        return ec.derive_private_key(num("PrivateKey"), ec.SECP384R1())
    if alg in (5, 7, 8, 10):
        pub = rsa.RSAPublicNumbers(num("PublicExponent"), num("Modulus"))
        return rsa.RSAPrivateNumbers(
            num("Prime1"), num("Prime2"), num("PrivateExponent"), num("Exponent1"),
            num("Exponent2"), num("Coefficient"), pub).private_key()
    raise ValueError(f"algorithm {alg} not handled by the test")


def load_keys(workdir: Path) -> list[SigningKey]:
    out = []
    for kf in sorted(workdir.glob("K*.key")):
        line = next(ln for ln in kf.read_text().splitlines()
                    if ln.strip() and not ln.startswith(";") and "DNSKEY" in ln.split())
        parts = line.split()
        rdata = dns.rdata.from_text(IN, dns.rdatatype.DNSKEY,
                                    " ".join(parts[parts.index("DNSKEY") + 1:]))
        out.append(SigningKey(dns.dnssec.key_id(rdata), rdata.algorithm, bool(rdata.flags & 1),
                              rdata, _private_key(kf.with_suffix(".private"))))
    return out


def bind_keygen(workdir: Path, alg: int, ksk_bits=None, zsk_bits=None) -> None:
    name = signers.BIND_ALGS[alg][0]
    for ksk, bits in ((True, ksk_bits), (False, zsk_bits)):
        cmd = ["dnssec-keygen", "-q", "-K", ".", "-a", name]
        if bits:
            cmd += ["-b", str(bits)]
        if ksk:
            cmd += ["-f", "KSK"]
        signers.run(cmd + [ORIGIN.rstrip(".")], workdir)


def bind_zone(workdir: Path, algs: list[tuple[int, int | None, int | None]],
              nsec3_optout: bool = False) -> tuple[Path, list[SigningKey]]:
    """Sign UNSIGNED_ZONE with BIND's smart signing (-S) with one KSK and one
    ZSK per entry of `algs` (algorithm, KSK bits, ZSK bits)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "zone.db").write_text(signers.UNSIGNED_ZONE)
    for _ in range(5):
        for f in workdir.glob("K*"):
            f.unlink()
        for alg, kb, zb in algs:
            bind_keygen(workdir, alg, kb, zb)
        keys = load_keys(workdir)
        if len({(k.algorithm, k.tag) for k in keys}) == len(keys):
            break
    else:
        raise RuntimeError("key tag collision five times in a row")
    cmd = ["dnssec-signzone", "-S", "-K", ".", "-o", ORIGIN.rstrip("."),
           "-s", signers.VALID_WINDOW[0], "-e", signers.VALID_WINDOW[1], "-f", "signed.db"]
    if nsec3_optout:
        cmd += ["-3", "-", "-H", "0", "-A"]
    signers.run(cmd + ["zone.db"], workdir)
    return workdir / "signed.db", keys


def ldns_zonemd_zone(workdir: Path) -> tuple[Path, list[SigningKey]]:
    """ldns-signzone -z 1:1: SIMPLE / SHA-384 ZONEMD, ECDSA P-256 keys."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "zone.db").write_text(signers.UNSIGNED_ZONE)
    for _ in range(5):
        for f in workdir.glob("K*"):
            f.unlink()
        bases = []
        for ksk in (True, False):
            cmd = ["ldns-keygen", "-a", "ECDSAP256SHA256"] + (["-k"] if ksk else [])
            bases.append(signers.run(cmd + [ORIGIN.rstrip(".")], workdir).stdout.strip())
        keys = load_keys(workdir)
        if len({k.tag for k in keys}) == len(keys):
            break
    else:
        raise RuntimeError("key tag collision five times in a row")
    signers.run(["ldns-signzone", "-o", ORIGIN.rstrip("."), "-i", signers.VALID_WINDOW[0],
                 "-e", signers.VALID_WINDOW[1], "-z", "1:1", "-f", "signed.db", "zone.db", *bases],
                workdir)
    return workdir / "signed.db", keys


def load(path: Path) -> dns.zone.Zone:
    return dns.zone.from_text(path.read_text(), origin=APEX, relativize=False)


def write(zone: dns.zone.Zone, path: Path) -> Path:
    path.write_text(zone.to_text(relativize=False))
    return path


def n(text: str) -> dns.name.Name:
    return dns.name.from_text(text, APEX)


def sigs(zone, name, covered):
    return zone.get_node(name).get_rdataset(IN, RRSIG, covers=covered)


def resign(zone: dns.zone.Zone, name: dns.name.Name, rdtype, keys: list[SigningKey]) -> None:
    """Replace every RRSIG over (name, rdtype) by a fresh signature of the same
    key and window over the RRset as it now stands."""
    node = zone.get_node(name)
    rds = node.get_rdataset(IN, rdtype)
    old = node.get_rdataset(IN, RRSIG, covers=rdtype)
    assert rds is not None and old is not None, (name, rdtype)
    rrset = dns.rrset.from_rdata_list(name, rds.ttl, list(rds))
    by_tag = {(k.algorithm, k.tag): k for k in keys}
    new = []
    for s in old:
        k = by_tag[(s.algorithm, s.key_tag)]
        new.append(dns.dnssec.sign(rrset, k.private, APEX, k.dnskey, inception=s.inception,
                                   expiration=s.expiration))
    ttl = old.ttl
    node.delete_rdataset(IN, RRSIG, covers=rdtype)
    fresh = node.get_rdataset(IN, RRSIG, covers=rdtype, create=True)
    fresh.update_ttl(ttl)
    for s in new:
        fresh.add(s)
    # the re-made signatures verify (independent check with dnspython)
    keyset = dns.rrset.from_rdata_list(APEX, 3600, [k.dnskey for k in keys])
    for s in new:
        dns.dnssec.validate_rrsig(rrset, s, {APEX: keyset}, now=NOW)


def add_rrsig(zone, name, covered, sig, ttl) -> None:
    rds = zone.get_node(name, create=True).get_rdataset(IN, RRSIG, covers=covered, create=True)
    rds.update_ttl(ttl)
    rds.add(sig)


def norm(owner: str) -> str:
    return owner.lower().rstrip(".") + "."


def errors(r) -> set[tuple[str, str]]:
    return {(f.code, norm(f.owner)) for f in r.findings if f.severity == "error"}


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zoneverify", *args], capture_output=True,
                          text=True, timeout=120)


def check_clean(path: Path, **kw) -> None:
    r = zoneverify.verify_zone(path, now=NOW, **kw)
    assert r.ok, [str(f) for f in r.errors][:10]
    assert r.errors == [], [str(f) for f in r.errors][:10]
    p = cli("check", str(path), "--now", NOW_TEXT)
    assert p.returncode == 0, (p.stdout[-3000:], p.stderr[-2000:])


def check_defect(path: Path, expected: set[tuple[str, str]], cli_args=(), **kw):
    r = zoneverify.verify_zone(path, now=NOW, **kw)
    got = errors(r)
    assert got == expected, ("\n".join(str(f) for f in r.errors[:20]))
    assert not r.ok
    p = cli("check", str(path), "--now", NOW_TEXT, *cli_args)
    assert p.returncode == 1, (p.stdout[-3000:], p.stderr[-2000:])
    assert "Traceback" not in p.stderr
    return r


def ldns_zone(workdir: Path, text: str, nsec3: bool = False, optout: bool = False,
              salt: str = "-", iterations: int = 0, keys_from: Path | None = None,
              out: str = "signed.db") -> tuple[Path, list[SigningKey]]:
    """Sign `text` with ``ldns-signzone`` and an ECDSA P-256 KSK and ZSK made
    by ``ldns-keygen`` (or the keys already in `keys_from`, to sign a second
    time with the same keys). NSEC3 with `salt` ("-" none) and `iterations`,
    opt-out (-p: ldns sets the flag on every NSEC3 and keeps every name in
    the chain)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "zone.db").write_text(text)
    if keys_from is None:
        for _ in range(5):
            for f in workdir.glob("K*"):
                f.unlink()
            for ksk in (True, False):
                cmd = ["ldns-keygen", "-a", "ECDSAP256SHA256"] + (["-k"] if ksk else [])
                signers.run(cmd + [ORIGIN.rstrip(".")], workdir)
            keys = load_keys(workdir)
            if len({k.tag for k in keys}) == len(keys):
                break
        else:
            raise RuntimeError("key tag collision five times in a row")
    else:
        for f in keys_from.glob("K*"):
            (workdir / f.name).write_bytes(f.read_bytes())
        keys = load_keys(workdir)
    bases = sorted(p.name[:-len(".key")] for p in workdir.glob("K*.key"))
    cmd = ["ldns-signzone", "-o", ORIGIN.rstrip("."), "-i", signers.VALID_WINDOW[0],
           "-e", signers.VALID_WINDOW[1], "-f", out]
    if nsec3:
        cmd += ["-n", "-t", str(iterations)] + ([] if salt == "-" else ["-s", salt])
        if optout:
            cmd += ["-p"]
    signers.run(cmd + ["zone.db", *bases], workdir)
    return workdir / out, keys


def nsec3_nodes(zone: dns.zone.Zone) -> dict[dns.name.Name, dns.rdata.Rdata]:
    """Hashed owner -> its NSEC3 RR (one per owner in these zones)."""
    out = {}
    for name, node in zone.items():
        rds = node.get_rdataset(IN, dns.rdatatype.NSEC3)
        if rds is not None:
            (out[name],) = list(rds)
    return out


def hashed_owner(name: str, salt: str = "", iterations: int = 0) -> dns.name.Name:
    h = dns.dnssec.nsec3_hash(n(name) if not name.endswith(".") else dns.name.from_text(name),
                              salt, iterations, 1)
    return dns.name.from_text(h.lower(), APEX)


def remove_nsec3s(zone: dns.zone.Zone, owners: list[dns.name.Name], keys: list[SigningKey]) -> None:
    """Takes the NSEC3s (and their RRSIGs) at `owners` out of the chain and
    re-links it: every NSEC3 whose next hash is now gone points at the next
    one that remains, and is re-signed with the signer's key."""
    for o in owners:
        assert zone.get_node(o) is not None, o
        zone.delete_node(o)
    chain = nsec3_nodes(zone)
    order = sorted(chain, key=lambda x: x.labels[0].upper())
    for i, o in enumerate(order):
        rd = chain[o]
        want = base64.b32decode(order[(i + 1) % len(order)].labels[0].upper().translate(
            bytes.maketrans(b"0123456789ABCDEFGHIJKLMNOPQRSTUV", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")))
        if rd.next != want:
            node = zone.get_node(o)
            rds = node.get_rdataset(IN, dns.rdatatype.NSEC3)
            ttl = rds.ttl
            node.delete_rdataset(IN, dns.rdatatype.NSEC3)
            new = node.get_rdataset(IN, dns.rdatatype.NSEC3, create=True)
            new.update_ttl(ttl)
            new.add(rd.replace(next=want))
            resign(zone, o, dns.rdatatype.NSEC3, keys)

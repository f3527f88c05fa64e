"""Drive real DNSSEC signers (BIND, ldns, Knot) to produce test zones.

Every zone is signed three times with the same keys: once with the window
the tests verify in (VALID_WINDOW), once with a window entirely in the past
and once with a window entirely in the future (relative to NOW). The past
and future copies are the donors of the expired / not-yet-valid mutations.
"""

from __future__ import annotations

import calendar
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

ORIGIN = "zonetest.example."

# The test's verification time, and the three signing windows around it.
def ts(s: str) -> int:
    return calendar.timegm(time.strptime(s, "%Y%m%d%H%M%S"))


VALID_WINDOW = ("20260101000000", "20360101000000")
PAST_WINDOW = ("20200101000000", "20200201000000")
FUTURE_WINDOW = ("20300101000000", "20310101000000")
NOW = ts("20260601000000")

# A small but varied zone. Every feature named in the test plan appears:
# SOA, NS, A, AAAA, MX, TXT with escapes and spaces, SRV, CAA, a wildcard, a
# delegation with DS and in-bailiwick glue, an unsigned delegation, names
# with upper-case letters, an empty non-terminal (ent and b.ent).
UNSIGNED_ZONE = """\
$ORIGIN zonetest.example.
$TTL 3600
@               IN SOA  ns1 hostmaster 2026010101 7200 3600 1209600 300
@               IN NS   ns1
@               IN NS   ns2.Provider.example.net.
@               IN MX   10 mail
@               IN TXT  "v=spf1 -all"
@               IN CAA  0 issue "ca.example.net"
ns1             IN A    192.0.2.1
ns1             IN AAAA 2001:db8::1
mail            IN A    192.0.2.25
www             IN A    192.0.2.10
www             IN A    192.0.2.11
www             IN AAAA 2001:db8::10
MixedCase       IN A    192.0.2.20
Upper.SUB       IN CNAME www
txt             IN TXT  "hello world" "semi;colon" "quote\\"inside" "back\\\\slash" "\\065\\066C"
txt2            IN TXT  "second string set" with-no-quotes
TXT2            IN TXT  "dup owner differing only in case"
_sip._tcp       IN SRV  10 60 5060 sip
sip             IN A    192.0.2.30
*.wild          IN A    192.0.2.40
*.wild          IN TXT  "wildcard answer"
a.b.ent         IN A    192.0.2.50
child           IN NS   ns1.child
child           IN NS   ns2.child
child           IN DS   12345 13 2 8E1F0C6A3B4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E7
ns1.child       IN A    192.0.2.60
ns2.child       IN AAAA 2001:db8::60
unsigned        IN NS   ns.provider.example.net.
"""

BIND_ALGS = {
    8: ("RSASHA256", 2048, 1024),
    10: ("RSASHA512", 2048, 1024),
    13: ("ECDSAP256SHA256", None, None),
    14: ("ECDSAP384SHA384", None, None),
    15: ("ED25519", None, None),
    16: ("ED448", None, None),
}


@dataclass
class Key:
    tag: int
    algorithm: int
    ksk: bool


@dataclass
class SignedZone:
    signer: str
    version: str
    algorithm: int
    nsec3: bool
    origin: str
    path: Path
    past_path: Path
    future_path: Path
    keys: list[Key] = field(default_factory=list)

    @property
    def zsk(self) -> Key:
        zsks = [k for k in self.keys if not k.ksk]
        assert len(zsks) == 1, self.keys
        return zsks[0]

    @property
    def text(self) -> str:
        return self.path.read_text()


def run(cmd: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess:
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def tool_version(signer: str) -> str:
    if signer == "bind":
        out = subprocess.run(["dnssec-signzone", "-V"], capture_output=True, text=True)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    if signer == "ldns":
        out = subprocess.run(["ldns-signzone", "-v"], capture_output=True, text=True)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    if signer == "knot":
        out = subprocess.run(["kzonesign", "--version"], capture_output=True, text=True)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    raise ValueError(signer)


def _key_from_file(path: Path) -> Key:
    # K<name>+<alg>+<tag>.key ; flags in the DNSKEY line tell KSK/ZSK
    stem = path.name[:-len(".key")]
    _, alg, tag = stem.rsplit("+", 2)
    flags = None
    for line in path.read_text().splitlines():
        if line.startswith(";") or "DNSKEY" not in line:
            continue
        parts = line.split()
        flags = int(parts[parts.index("DNSKEY") + 1])
    assert flags is not None, path
    return Key(int(tag), int(alg), bool(flags & 1))


def _no_tag_collision(keys: list[Key]) -> bool:
    seen = {(k.algorithm, k.tag) for k in keys}
    return len(seen) == len(keys)


# --------------------------------------------------------------------- BIND


def sign_bind(workdir: Path, alg: int, nsec3: bool) -> SignedZone:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "zone.db").write_text(UNSIGNED_ZONE)
    name, kbits, zbits = BIND_ALGS[alg]
    origin = ORIGIN.rstrip(".")
    for _attempt in range(5):
        for f in workdir.glob("K*"):
            f.unlink()
        for ksk, bits in ((True, kbits), (False, zbits)):
            cmd = ["dnssec-keygen", "-q", "-K", ".", "-a", name]
            if bits:
                cmd += ["-b", str(bits)]
            if ksk:
                cmd += ["-f", "KSK"]
            run(cmd + [origin], workdir)
        keys = [_key_from_file(p) for p in sorted(workdir.glob("K*.key"))]
        if _no_tag_collision(keys):
            break
    else:
        raise RuntimeError("key tag collision five times in a row")

    def sign(window, out, verify=True):
        cmd = ["dnssec-signzone", "-S", "-K", ".", "-o", origin,
               "-s", window[0], "-e", window[1], "-f", out]
        if nsec3:
            # NSEC3, salt, no extra iterations (RFC 9276), opt-out (-A)
            cmd += ["-3", "aabbccdd", "-H", "0", "-A"]
        if not verify:
            cmd += ["-P"]  # the past/future copies do not verify "now"
        run(cmd + ["zone.db"], workdir)
        return workdir / out

    return SignedZone("bind", tool_version("bind"), alg, nsec3, ORIGIN,
                      sign(VALID_WINDOW, "signed.db"),
                      sign(PAST_WINDOW, "past.db", verify=False),
                      sign(FUTURE_WINDOW, "future.db", verify=False), keys)


# --------------------------------------------------------------------- ldns


def sign_ldns(workdir: Path, alg: int, nsec3: bool) -> SignedZone:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "zone.db").write_text(UNSIGNED_ZONE)
    name, kbits, zbits = BIND_ALGS[alg]
    origin = ORIGIN.rstrip(".")
    for _attempt in range(5):
        for f in workdir.glob("K*"):
            f.unlink()
        bases = []
        for ksk, bits in ((True, kbits), (False, zbits)):
            cmd = ["ldns-keygen", "-a", name]
            if bits:
                cmd += ["-b", str(bits)]
            if ksk:
                cmd += ["-k"]
            bases.append(run(cmd + [origin], workdir).stdout.strip())
        keys = [_key_from_file(workdir / (b + ".key")) for b in bases]
        if _no_tag_collision(keys):
            break
    else:
        raise RuntimeError("key tag collision five times in a row")

    def sign(window, out):
        cmd = ["ldns-signzone", "-o", origin, "-i", window[0], "-e", window[1],
               "-f", out]
        if nsec3:
            cmd += ["-n", "-s", "aabbccdd", "-t", "0"]
        run(cmd + ["zone.db"] + bases, workdir)
        return workdir / out

    return SignedZone("ldns", tool_version("ldns"), alg, nsec3, ORIGIN,
                      sign(VALID_WINDOW, "signed.db"),
                      sign(PAST_WINDOW, "past.db"),
                      sign(FUTURE_WINDOW, "future.db"), keys)


# --------------------------------------------------------------------- Knot

KNOT_ALGS = {8: "rsasha256", 13: "ecdsap256sha256", 14: "ecdsap384sha384",
             15: "ed25519", 16: "ed448"}

KNOT_CONF = """\
server:
    rundir: "{d}"
database:
    storage: "{d}"
    kasp-db: "{d}/kasp"
policy:
  - id: test
    manual: on
    algorithm: {alg}
    rrsig-lifetime: {lifetime}
    rrsig-refresh: 1d
    nsec3: {nsec3}
    nsec3-iterations: 0
    nsec3-salt-length: 4
template:
  - id: default
    storage: "{d}"
    file: "%s.zone"
    dnssec-signing: on
    dnssec-policy: test
zone:
  - domain: {origin}
"""


def sign_knot(workdir: Path, alg: int, nsec3: bool) -> SignedZone:
    """kzonesign (Knot 3.2) signs a zone of its configuration, with keys from
    the configured KASP database (made with keymgr). Knot sets inception to
    the signing time minus 90 minutes and expiration to the signing time plus
    rrsig-lifetime; the signing time is given with -t (UNIX seconds)."""
    origin = ORIGIN.rstrip(".")
    base = workdir / "base"
    base.mkdir(parents=True, exist_ok=True)
    (base / "kasp").mkdir(exist_ok=True)

    def conf(d: Path, lifetime: str) -> Path:
        p = d / "knot.conf"
        p.write_text(KNOT_CONF.format(d=d, alg=KNOT_ALGS[alg], lifetime=lifetime,
                                      nsec3="on" if nsec3 else "off", origin=origin))
        return p

    c = conf(base, "3650d")
    for _attempt in range(5):
        for ksk in (True, False):
            run(["keymgr", "-c", str(c), origin, "generate", f"algorithm={alg}",
                 f"ksk={'yes' if ksk else 'no'}", f"zsk={'no' if ksk else 'yes'}",
                 "created=20000101000000", "publish=20000101000000",
                 "active=20000101000000"], base)
        out = run(["keymgr", "-c", str(c), origin, "list"], base).stdout
        keys = []
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[2] in ("KSK", "ZSK"):
                keys.append(Key(int(parts[1]), alg, parts[2] == "KSK"))
        if _no_tag_collision(keys):
            break
        shutil.rmtree(base / "kasp")
        (base / "kasp").mkdir()
    else:
        raise RuntimeError("key tag collision five times in a row")

    def sign(name: str, t: int, lifetime: str) -> Path:
        d = workdir / name
        shutil.copytree(base, d)
        (d / f"{origin}.zone").write_text(UNSIGNED_ZONE)
        (d / "out").mkdir()
        c = conf(d, lifetime)
        run(["kzonesign", "-c", str(c), "-o", str(d / "out"), "-t", str(t), origin], d)
        return d / "out" / f"{origin}.zone"

    knot_lag = 90 * 60  # inception = t - 90 min
    return SignedZone(
        "knot", tool_version("knot"), alg, nsec3, ORIGIN,
        sign("valid", ts(VALID_WINDOW[0]) + knot_lag, "3650d"),
        sign("past", ts(PAST_WINDOW[0]) + knot_lag, "30d"),
        sign("future", ts(FUTURE_WINDOW[0]) + knot_lag, "365d"), keys)


SIGNERS = {"bind": sign_bind, "ldns": sign_ldns, "knot": sign_knot}

# (signer, algorithm, nsec3) combinations the suite signs.
MATRIX = [
    ("bind", 8, False), ("bind", 10, False), ("bind", 13, False),
    ("bind", 14, False), ("bind", 15, False), ("bind", 16, False), ("bind", 13, True),
    ("ldns", 8, False), ("ldns", 13, False), ("ldns", 15, False),
    ("ldns", 16, False), ("ldns", 8, True),
    ("knot", 13, False), ("knot", 15, True), ("knot", 16, False),
]


def combo_id(c) -> str:
    signer, alg, nsec3 = c
    return f"{signer}-alg{alg}-{'nsec3' if nsec3 else 'nsec'}"


def sign(signer: str, alg: int, nsec3: bool, workdir: Path) -> SignedZone:
    return SIGNERS[signer](workdir, alg, nsec3)

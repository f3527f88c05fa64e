#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/) and
the small signed zone the anchor target checks (fuzz/anchor_zone.txt).

Everything is made here: records written by hand for each RR type, zones
signed with dnspython at generation time (keys made and thrown away), the
project's own examples/sample.zone cut into pieces, and random zones in the
style of rust/parse/zonefile.rs's equivalence tests. Nothing is copied from
third-party material. Needs dnspython and cryptography (the test extras).

    python3 fuzz/make_seeds.py          # rewrites fuzz/corpus/* (keeps regress-*)
"""

from __future__ import annotations

import io
import random
import re
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

import dns._features

# dnspython >= 2.8 turns its DNSSEC support off below cryptography 50,
# whose new names it does not need for the algorithms used here.
dns._features.force("dnssec", True)

import dns.dnssec  # noqa: E402
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

HERE = Path(__file__).resolve().parent
TOP = HERE.parent
CORPUS = HERE / "corpus"
NOW = 1_700_000_000
INCEPTION = NOW - 86400 * 30
EXPIRATION = NOW + 86400 * 3650

# Index of each mnemonic in rust/dns/rrtype.rs's TYPES table: the targets
# choose a type by that index.
TYPES = [(int(n), m) for n, m in re.findall(r'\((\d+), "([^"]+)"\)', (TOP / "rust/dns/rrtype.rs").read_text().split("pub const TYPES")[1].split("];")[0])]
INDEX = {m: i for i, (_, m) in enumerate(TYPES)}

# One presentation RDATA (or several) per type, written for these seeds.
RDATA = {
    "A": ["192.0.2.1", "0.0.0.0", "255.255.255.255", "1.2.3"],
    "NS": ["ns1.example.", "ns1", "@", "\\.escaped\\032label.", "."],
    "MD": ["md.example."], "MF": ["mf"], "CNAME": ["target", "Target.Example."],
    "SOA": ["ns hostmaster 1 2 3 4 5", "ns.example. h.example. ( 2026010101 1h 15m 1w 1d )", "ns h 4294967295 0 0 0 0"],
    "MB": ["mb"], "MG": ["mg"], "MR": ["mr"], "NULL": ["\\# 3 010203", "\\# 0"],
    "WKS": ["192.0.2.1 6 25 80", "192.0.2.1 TCP smtp http"],
    "PTR": ["host.example."], "HINFO": ['"PC" "Linux"', "a b"], "MINFO": ["rmail emai"],
    "MX": ["10 mail", "0 .", "65535 mx.example."], "TXT": ['"hello world"', 'a "b c" \\"d', '"a;b(" ( "x" )', '""', '"\\255\\000"'],
    "RP": ["mbox.example. txt.example."], "AFSDB": ["1 afs"], "X25": ["311061700956"], "ISDN": ['"150862028003217" "004"'],
    "RT": ["0 relay"], "NSAP": ["0x47.0005.80.005a00.0000.0001.e133.ffffff000161.00"], "NSAP-PTR": ["foo."],
    "SIG": ["A 13 2 300 20300101000000 20200101000000 12345 example. AAAA"],
    "KEY": ["256 3 13 AAAA"], "PX": ["10 map822 mapx400"], "GPOS": ["-32.6882 116.8652 10.0"],
    "AAAA": ["2001:db8::1", "::", "::ffff:192.0.2.1", "1::2::3"],
    "LOC": ["52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m", "0 N 0 E 0"],
    "NXT": ["next.example. A NS SOA"], "EID": ["\\# 2 0102"], "NIMLOC": ["\\# 2 0102"],
    "SRV": ["0 5 5060 sip", "1 2 3 ."], "ATMA": ["+358400", "39246f00e7c9c0312000100100001234567800"],
    "NAPTR": ['100 10 "S" "SIP+D2U" "!^.*$!sip:info@example.com!" _sip._udp', '1 1 "" "" "" .'],
    "KX": ["10 kx"], "CERT": ["1 12345 8 AAAA", "PGP 0 0 AAAA"], "A6": ["0 2001:db8::1", "64 ::1 prefix", "128 prefix."],
    "DNAME": ["other.example."], "SINK": ["\\# 1 00"], "APL": ["1:192.0.2.0/24 !2:2001:db8::/32", ""],
    "DS": ["12345 13 2 " + "AB" * 32, "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"],
    "SSHFP": ["1 1 " + "ab" * 20], "IPSECKEY": ["10 0 2 . AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==", "10 1 2 192.0.2.38 AAAA", "10 3 0 gw.example."],
    "RRSIG": ["A 13 2 300 20300101000000 20200101000000 12345 example. AAAA", "SOA 8 1 3600 1700000000 1600000000 1 . ( AAAA BBBB )"],
    "NSEC": ["next A NS SOA RRSIG NSEC DNSKEY TYPE65534", "next.example.", "\\000.example. TYPE1234"],
    "DNSKEY": ["257 3 13 AAAA", "256 3 8 AwEAAc3H ( xyw= )"], "DHCID": ["AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA="],
    "NSEC3": ["1 0 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR A RRSIG", "1 1 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s NS SOA"],
    "NSEC3PARAM": ["1 0 0 -", "1 0 12 aabbccdd"], "TLSA": ["3 1 1 " + "cd" * 32], "SMIMEA": ["3 1 1 " + "ef" * 32],
    "HIP": ["2 200100107B1A74DF365639CC39F1D578 AwEAAbdxyhNuSutc5EMzxTs9LBPCIkOFH8cIvM4p9+LrV4e19WzK00+CI6zBCQTdtWsuxKbWIy87UOoJTwkUs7lBu+Upr1gsNrut79ryra+bSRGQb1slImA8YVJyuIDsj7kwzG7jnERNqnWxZ48AWkskmdHaVDP4BcelrTI3rMXdXF5D rvs.example.com."],
    "NINFO": ['"x"'], "RKEY": ["0 3 13 AAAA"], "TALINK": ["prev.example. next.example."],
    "CDS": ["0 0 0 00", "12345 13 2 " + "AB" * 32], "CDNSKEY": ["0 3 0 AA==", "257 3 13 AAAA"],
    "OPENPGPKEY": ["AAAA"], "CSYNC": ["66 3 A NS AAAA"],
    "ZONEMD": ["2018031900 1 1 " + "ab" * 48, "1 240 1 00"],
    "SVCB": ['1 . alpn=h2,h3 port=443', '0 alias.example.', '16 foo.example. key65333=ex ipv6hint=2001:db8::1 mandatory=alpn alpn="h2"'],
    "HTTPS": ['1 . alpn=h3 ech=AEj+DQBEAQAgACA= ipv4hint=192.0.2.1'], "DSYNC": ["CDS NOTIFY 5359 ds.example."],
    "SPF": ['"v=spf1 -all"'], "UINFO": ['"x"'], "UID": ["1"], "GID": ["2"], "UNSPEC": ["\\# 0"],
    "NID": ["10 0014:4fff:ff20:ee64"], "L32": ["10 10.1.2.0"], "L64": ["10 2001:0db8:1140:1000"], "LP": ["10 l64-subnet1.example."],
    "EUI48": ["00-00-5e-00-53-2a"], "EUI64": ["00-00-5e-ef-10-00-00-2a"],
    "TKEY": ["\\# 0"], "TSIG": ["\\# 0"], "URI": ['10 1 "ftp://ftp1.example.com/public"'], "CAA": ['0 issue "ca.example.net"', '128 tbs "Unknown"'],
    "AVC": ['"app-name:WOLFGANG|app-class:OAM"'], "DOA": ["0 1 2 \"\" aGVsbG8="], "AMTRELAY": ["10 0 1 203.0.113.15", "10 1 3 amtrelays.example.com."],
    "RESINFO": ["qnamemin exterr=15,16,17"],
}


def write(target: str, name: str, data: bytes) -> None:
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def sel(mnemonic: str) -> bytes:
    return struct.pack(">H", INDEX[mnemonic])


def bind_nsec3_zone(origin: str, body: str, optout: bool = False) -> bytes | None:
    """The zone signed with NSEC3 by BIND's dnssec-signzone (dnspython does
    not sign with NSEC3); None when BIND's tools are not installed."""
    if not shutil.which("dnssec-signzone"):
        return None
    with tempfile.TemporaryDirectory() as d:
        run = lambda *a: subprocess.run(a, cwd=d, check=True, capture_output=True, text=True).stdout.strip()
        ksk = run("dnssec-keygen", "-q", "-a", "13", "-f", "KSK", origin)
        zsk = run("dnssec-keygen", "-q", "-a", "13", origin)
        Path(d, "z").write_text(f"$ORIGIN {origin}\n" + body + f"$INCLUDE {ksk}.key\n$INCLUDE {zsk}.key\n")
        args = ["dnssec-signzone", "-q", "-3", "abcd", "-H", "1", "-o", origin, "-s", str(INCEPTION), "-e", str(EXPIRATION)]
        run(*args, *(["-A"] if optout else []), "-f", "z.signed", "z")
        return Path(d, "z.signed").read_bytes()


def signed_zone(origin: str, body: str, nsec3: bool, key: str = "p256") -> dns.zone.Zone:
    z = dns.zone.from_text(body, origin=origin, relativize=False)
    if key == "ed25519":
        priv = ed25519.Ed25519PrivateKey.generate()
        alg = dns.dnssec.Algorithm.ED25519
    else:
        priv = ec.generate_private_key(ec.SECP256R1())
        alg = dns.dnssec.Algorithm.ECDSAP256SHA256
    ksk = dns.dnssec.make_dnskey(priv.public_key(), alg, flags=257)
    dns.dnssec.sign_zone(z, keys=[(priv, ksk)], inception=INCEPTION, expiration=EXPIRATION)
    return z


ZONE_BODY = """$TTL 300
@ SOA ns hostmaster 1 7200 3600 1209600 300
@ NS ns
@ NS ns.other.test.
@ MX 10 mail
ns A 192.0.2.1
ns AAAA 2001:db8::1
mail A 192.0.2.2
www CNAME @
*.wild TXT "wildcard"
a.b.c A 192.0.2.3
sub NS ns.sub
sub DS 12345 13 2 {ds}
ns.sub A 192.0.2.4
""".format(ds="AB" * 32)


def zone_text(z: dns.zone.Zone) -> bytes:
    return z.to_text(relativize=False).encode()


def random_zone(rnd: random.Random, errors: bool) -> str:
    """As rust/parse/zonefile.rs's random_zone: directives, omitted fields,
    parentheses, comments, quotes, and now and then an error."""
    t = "$TTL 600\n" if rnd.random() < 0.5 else ""
    t += "@ 3600 IN SOA ns1 host 1 2 3 4 5\n"
    for i in range(10 + rnd.randrange(30)):
        owner = rnd.choice(["", "@", f"n{i}.example.", f"N{i}.Sub", f"n{i}", f"n{i}"])
        ws = " " if not owner else owner + " "
        ttl = f"{60 + rnd.randrange(1000)} " if rnd.random() < 0.3 else ""
        cls = rnd.choice(["", "", "IN ", "CH "])
        k = rnd.randrange(14)
        line = {
            0: f"$ORIGIN sub{rnd.randrange(3)}.example.\n",
            1: "$ORIGIN deeper\n",
            2: f"$TTL {100 + rnd.randrange(100)}\n",
            3: f'{ws}{ttl}{cls}TXT ( "a;b(" \n"c" ) ; note\n',
            4: f'{ws}{ttl}{cls}TXT (\nplain\n"q"\n)\n',
            5: f"{ws}{ttl}{cls}MX ( 10\n  mail{i} )\n",
            6: "; a comment line\n\n",
            7: f"{ws}{ttl}{cls}NS ns{rnd.randrange(5)}.example.\n",
            8: f"{ws}{ttl}{cls}A 300.1.2.3\n" if errors else "\n",
            9: f'{ws}{ttl}{cls}TXT ( "open"\n' if errors else "\n",
            10: f"{ws}{ttl}{cls}A 1.2.3.4 )\n" if errors else "\n",
            11: f'{ws}{ttl}{cls}TXT ( "x"\n$ORIGIN trap.example.\n$TTL 9\n)\n',
        }.get(k, f"{ws}{ttl}{cls}A 192.0.2.{rnd.randrange(255)}\n")
        t += line
    return t


def parse_zone_seeds(zones: list[bytes]) -> None:
    rnd = random.Random(1)
    seeds: list[bytes] = []
    sample = (TOP / "examples/sample.zone").read_bytes()
    lines = sample.split(b"\n")
    for a, b in [(0, 40), (40, 80), (80, 140), (140, 200), (0, 15), (200, 260)]:
        seeds.append(b"\n".join(lines[a:b]) + b"\n")
    seeds += zones
    for i in range(14):
        seeds.append(random_zone(rnd, i % 3 == 0).encode())
    seeds += [
        b"$ORIGIN example.\n$TTL 1h\n@ IN SOA ns hostmaster 1 2 3 4 5\nwww A 192.0.2.1\n$ORIGIN sub\nx A 192.0.2.2\n",
        b"a 300 IN A 1.2.3.4\n  IN 60 A 1.2.3.5\n\t A 1.2.3.6\nb CH 30 TXT x\n  CLASS1 TXT y\n  TYPE1 \\# 4 01020304\n",
        b"; header\r\n\r\n@ 3600 IN SOA ( ns.ex. ; primary\r\n h.ex. 1 2 3 4 5 )\r\nt1 TXT \"a;b(c)\" ; c\r\nt4 A\t1.2.3.4",
        b"a\\.b\\032c\\(.ex. 1 TXT \\\"x\\059 \"\\255\"\n",
        b"a TXT (\n\"x\"\nb\n)\nc A 192.0.2.1\n",
        b"a 5 TXT ( \"x\"\n$ORIGIN other.\n)\nb A 192.0.2.1\n",
        b"a 5 A 192.0.2.1\n@ SOA ns host 1 2 3 4 5\n",
        b"a 5 CH A 192.0.2.1\nb A 192.0.2.2\nc A 192.0.2.3\n",
        b"a 5 A 192.0.2.1\nb A 1.2.3\nc A 9.9.9.9.9\n",
        b"$INCLUDE other.zone\na A 192.0.2.1\n",
        b"$TTL 1d2h\n$origin Example.\n@ SOA ns h 1 2 3 4 600\na A 1.2.3.4\nb 7 A 1.2.3.4\n",
        b"300 300 A 1.2.3.4\nA 300 A 1.2.3.4\nIN IN 3 A 1.2.3.4\n  NS ns\n",
        b"\n  300 A 1.2.3.4\n",
        b"a 1 TXT \"abc",
        b"$GENERATE 1-2 a A 1.2.3.$\n",
        b"$ORIGIN ex.\n$TTL 60\n$GENERATE 0-20/3 h${1,3,x} 30 IN A 10.0.0.$\n  TXT after\n$GENERATE 4660-4662 ${0,6,n}r PTR h$\n",
        b'$ORIGIN ex.\n$GENERATE 1-3 \\$t${-2} TXT "v=$ \\$ $$"\n$GENERATE 1-2 m$ MX "10 mail${0,0,X}"\n',
    ]
    for i, s in enumerate(seeds):
        ctl = bytes([rnd.randrange(256), rnd.randrange(256)])
        write("parse_zone", f"seed-{i:03d}", ctl + s[:6000])


def parse_rdata_seeds() -> None:
    n = 0
    for m, texts in RDATA.items():
        for t in texts:
            write("parse_rdata", f"{m.lower()}-{n:03d}", sel(m) + t.encode() + b"\n")
            n += 1
    write("parse_rdata", "generic-typennn", struct.pack(">H", 0x8000 | 65280) + b"\\# 4 deadbeef\n")
    write("parse_rdata", "generic-a", struct.pack(">H", 0x8000 | 1) + b"\\# 4 c0000201\n")


def wire_of(origin: dns.name.Name, rtype: str, text: str) -> bytes | None:
    try:
        rd = dns.rdata.from_text("IN", rtype, text, origin=origin)
        return rd.to_wire(origin=origin)
    except Exception:
        return None


def validate_wire_seeds() -> None:
    origin = dns.name.from_text("example.")
    n = 0
    for m, texts in RDATA.items():
        for t in texts:
            w = wire_of(origin, m, t)
            if w is not None:
                write("validate_wire", f"{m.lower()}-{n:03d}", sel(m) + w)
                n += 1
    write("validate_wire", "bitmap-bad", sel("NSEC") + b"\x00\x00\x21\x00")
    write("validate_wire", "empty-ns", sel("NS"))
    write("validate_wire", "unknown", b"\xff\x00" + b"anything")


def rrsets(z: dns.zone.Zone):
    for name, node in z.nodes.items():
        sigs = {rds.covers: rds for rds in node.rdatasets if rds.rdtype == dns.rdatatype.RRSIG}
        for rds in node.rdatasets:
            if rds.rdtype != dns.rdatatype.RRSIG:
                yield name, rds, sigs.get(rds.rdtype)


def canon_seeds(z: dns.zone.Zone) -> None:
    def item(b: bytes) -> bytes:
        return bytes([len(b)]) + b
    n = 0
    for name, rds, sigs in rrsets(z):
        if sigs is None or rds.rdtype.name not in INDEX:
            continue
        sig = next(iter(sigs)).to_wire()[:255]
        body = item(sig) + item(name.to_wire()) + b"".join(item(rd.to_wire()[:255]) for rd in rds)
        write("canon", f"{rds.rdtype.name.lower()}-{n:03d}", sel(rds.rdtype.name) + b"\x01" + body)
        n += 1
    # Upper case names to fold, wildcards, labels field below the count.
    origin = dns.name.from_text("example.")
    for m, t in [("MX", "10 MAIL.Example."), ("SOA", "NS.Example. H.EXAMPLE. 1 2 3 4 5"), ("NSEC", "Next.Example. A"),
                 ("RRSIG", "A 13 1 300 20300101000000 20200101000000 1 EXAMPLE. AAAA"), ("NAPTR", '1 1 "S" "X" "" Repl.Example.'),
                 ("A6", "64 ::1 Prefix.Example."), ("HINFO", "CPU OS"), ("SRV", "0 0 1 Tgt.Example.")]:
        w = wire_of(origin, m, t)
        sig = wire_of(origin, "RRSIG", f"{m} 13 1 300 20300101000000 20200101000000 1 EXAMPLE. AAAA")
        owner = dns.name.from_text("*.Wild.Example.").to_wire()
        if w is None or sig is None:
            continue
        write("canon", f"case-{m.lower()}", sel(m) + b"\x01" + item(sig) + item(owner) + item(w) + item(w.lower()) + item(w))
    write("canon", "short", sel("RRSIG") + b"\x01\x05abcde\x00")


def denial_seeds(nsec: list[bytes], nsec3: list[bytes]) -> None:
    for i, t in enumerate(nsec):
        write("denial", f"nsec-{i:02d}", bytes([0x01 if i % 2 else 0x00]) + t)
    for i, t in enumerate(nsec3):
        write("denial", f"nsec3-{i:02d}", bytes([0x03 if i % 2 else 0x10]) + t)
    # Hand-made denial edge cases (the checks must cope with nonsense).
    write("denial", "nsec3-iterations", b"\x01$TTL 300\n@ SOA ns h 1 2 3 4 5\n@ NSEC3PARAM 1 0 65535 -\n"
          b"@ NS ns\nns A 192.0.2.1\n")
    write("denial", "nsec3-optout", b"\x01$TTL 300\n@ SOA ns h 1 2 3 4 5\n@ NSEC3PARAM 1 0 0 ab\n"
          b"2t7b4g4vsa5smi47k61mv5bv1a22bojr NSEC3 1 1 0 ab 2t7b4g4vsa5smi47k61mv5bv1a22bojr NS SOA RRSIG NSEC3PARAM\n")
    write("denial", "mixed", b"\x01$TTL 300\n@ SOA ns h 1 2 3 4 5\n@ NSEC a A\na NSEC @ NSEC\n@ NSEC3PARAM 1 0 0 -\n")


def anchor_seeds(z: dns.zone.Zone) -> None:
    apex = z.origin
    keys = z.get_rdataset(apex, "DNSKEY")
    for i, k in enumerate(keys):
        for j, d in enumerate(["SHA1", "SHA256", "SHA384"]):
            ds = dns.dnssec.make_ds(apex, k, d, policy=dns.dnssec.allow_all_policy)
            write("anchor", f"ds-{i}-{j}", f"{apex} 3600 IN DS {ds}\n".encode())
        write("anchor", f"dnskey-{i}", f"{apex} IN DNSKEY {k}\n".encode())
        ds = dns.dnssec.make_ds(apex, k, "SHA256")
        xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<TrustAnchor id="x" source="fuzz">\n<Zone>{apex}</Zone>\n'
               f'<KeyDigest id="k1" validFrom="2010-07-15T00:00:00+00:00">\n<KeyTag>{ds.key_tag}</KeyTag>\n'
               f'<Algorithm>{ds.algorithm}</Algorithm>\n<DigestType>{ds.digest_type}</DigestType>\n'
               f'<Digest>{ds.digest.hex().upper()}</Digest>\n</KeyDigest>\n</TrustAnchor>\n')
        write("anchor", f"xml-{i}", xml.encode())
        write("anchor", f"xml-{i}-twice", xml.replace("</TrustAnchor>", xml.split("<Zone>")[1].split("</Zone>\n")[1]).encode())
    write("anchor", "xml-broken", b"<TrustAnchor>\n<KeyDigest>\n<KeyTag>70000</KeyTag>\n</KeyDigest>")
    write("anchor", "xml-nodigest", b"<KeyDigest><KeyTag>1</KeyTag><Algorithm>8</Algorithm><DigestType>2</DigestType><Digest>zz</Digest></KeyDigest>")
    write("anchor", "ds-short", b". IN DS \\# 2 0102\n")
    write("anchor", "dnskey-short", b". IN DNSKEY \\# 3 010203\n")
    write("anchor", "ds-other", b"other. 1 IN DS 1 8 2 " + b"00" * 32 + b"\n. DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n")
    write("anchor", "empty", b"; nothing\n")


def rr_wire(name: dns.name.Name, rds) -> bytes:
    rrs = dns.rrset.from_rdata_list(name, rds.ttl, list(rds))
    f = io.BytesIO()
    rrs.to_wire(f, compress=None)
    return f.getvalue()


def batch_seeds(z: dns.zone.Zone) -> None:
    keys = [k.to_wire() for k in z.get_rdataset(z.origin, "DNSKEY")]
    head_keys = b"".join(struct.pack(">H", len(k)) + k for k in keys)
    items = [(name, rds, sigs) for name, rds, sigs in rrsets(z) if sigs is not None]
    for i in range(0, len(items), 2):
        group = items[i:i + 3]
        wire = b"".join(rr_wire(n, r) + rr_wire(n, s) for n, r, s in group)
        counts = bytes([len(r) | (len(s) << 4) for _, r, s in group])
        write("batch", f"items-{i:02d}", bytes([len(keys), len(group)]) + head_keys + counts + wire)
    name, rds, sigs = items[0]
    write("batch", "counts-wrong", bytes([len(keys), 1]) + head_keys + b"\x11" + rr_wire(name, rds))
    write("batch", "truncated", bytes([len(keys), 1]) + head_keys + b"\x11" + rr_wire(name, rds)[:-3])
    write("batch", "compressed", bytes([1, 0]) + head_keys[: 2 + len(keys[0])] + b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x01\x00\x00")
    write("batch", "nokeys", b"\x00\x00")
    write("batch", "shortkey", b"\x01\x00\x00\x02\x01\x01")


def python_seeds(z: dns.zone.Zone, zones: list[bytes], anchor_dir: Path) -> None:
    """Seeds of fuzz/python/fuzz_api.py: one octet naming the entry point."""
    for i, t in enumerate(zones):
        write("python_api", f"zone-{i:02d}", bytes([0, i & 15]) + t)
    keys = rr_wire(z.origin, z.get_rdataset(z.origin, "DNSKEY"))
    items = [(name, rds, sigs) for name, rds, sigs in rrsets(z) if sigs is not None]
    for i in range(0, 6, 2):
        group = items[i:i + 2]
        wire = b"".join(rr_wire(n, r) + rr_wire(n, s) for n, r, s in group)
        counts = bytes([len(r) | (len(s) << 4) for _, r, s in group])
        write("python_api", f"wire-{i:02d}", bytes([1, len(group)]) + struct.pack(">H", len(keys)) + keys + counts + wire)
    write("python_api", "wire-bad", bytes([1, 1]) + struct.pack(">H", len(keys)) + keys + b"\x11" + b"\x00\x00\x01")
    write("python_api", "raw-short", bytes([2, 0, 4, 1]) + b"abcdefgh")
    write("python_api", "raw-rrsig", bytes([2, 0, 40, 0]) + b"\x00\x06\x0f\x00" + b"\x00" * 14 + b"\x00" + b"\x00\x00\x06\x00\x01" + b"sig" * 20)
    for f in sorted((CORPUS / "anchor").iterdir()):
        write("python_api", f"anchor-{f.name}", bytes([3]) + f.read_bytes())
    write("python_api", "keys-wire", bytes([4]) + keys)
    write("python_api", "keys-text", bytes([4]) + b". 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n")
    write("python_api", "keys-none", bytes([4]) + b"; nothing\n")


def axfr_seeds(z: dns.zone.Zone) -> None:
    """Zone transfers as a server sends them (dnspython's wire form, names
    compressed): ID, then each message behind its length."""
    import dns.message
    import dns.rcode

    q = dns.message.make_query(z.origin, "AXFR")
    q.id = 0x1234
    soa = z.find_rrset(z.origin, "SOA")
    rrsets = [dns.rrset.from_rdata_list(n, rds.ttl, list(rds)) for n, node in z.nodes.items() for rds in node.rdatasets]
    rrsets = [r for r in rrsets if r.rdtype != dns.rdatatype.SOA]

    def frame(groups) -> bytes:
        out = struct.pack(">H", q.id)
        for g in groups:
            r = dns.message.make_response(q)
            r.answer.extend(g)
            w = r.to_wire(max_size=65535)
            out += struct.pack(">H", len(w)) + w
        return out

    whole = [soa] + rrsets + [soa]
    write("axfr", "one-message", frame([whole]))
    k = len(whole) // 3
    write("axfr", "three-messages", frame([whole[:k], whole[k:2 * k], whole[2 * k:]]))
    write("axfr", "truncated", frame([whole[:k]]))
    write("axfr", "cut-in-a-message", frame([whole])[:-7])
    r = dns.message.make_response(q)
    r.set_rcode(dns.rcode.REFUSED)
    w = r.to_wire()
    write("axfr", "refused", struct.pack(">HH", q.id, len(w)) + w)
    write("axfr", "no-soa-first", frame([rrsets[:3] + [soa]]))
    write("axfr", "url", b"axfr://[2001:db8::1]:5353/example.")
    loop = bytearray(frame([whole]))
    loop[2 + 2 + 12] = 0xC0  # the question's name: a pointer to itself
    loop[2 + 2 + 13] = 12
    write("axfr", "pointer-loop", bytes(loop))


def main() -> None:
    random.seed(7)
    # Inputs that found bugs (regress-*) stay; everything else is rewritten.
    for f in CORPUS.glob("*/*"):
        if not f.name.startswith("regress-"):
            f.unlink()
    nsec_zones, nsec3_zones = [], []
    for i, origin in enumerate(["example.", "Sub.Example.", "test."]):
        nsec_zones.append(zone_text(signed_zone(origin, ZONE_BODY, False)))
        z3 = bind_nsec3_zone(origin, ZONE_BODY, optout=i == 1)
        if z3 is not None:
            nsec3_zones.append(z3)
    small = signed_zone("example.", "$TTL 300\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n", False)
    parse_zone_seeds(nsec_zones[:2] + nsec3_zones[:1] + [zone_text(small)])
    parse_rdata_seeds()
    validate_wire_seeds()
    canon_seeds(dns.zone.from_text((nsec3_zones or nsec_zones)[0].decode(), origin="example.", relativize=False))
    denial_seeds(nsec_zones + [zone_text(small)], nsec3_zones)
    anchor_zone = HERE / "anchor_zone.txt"
    if not anchor_zone.exists() or not anchor_zone.read_bytes():
        az = signed_zone(".", "$TTL 3600\n@ SOA a.root-servers.net. nstld 1 2 3 4 5\n@ NS a.root-servers.net.\n", False, "ed25519")
        anchor_zone.write_bytes(zone_text(az))
    anchor_seeds(dns.zone.from_text(anchor_zone.read_text(), origin=".", relativize=False))
    batch_seeds(dns.zone.from_text(nsec_zones[0].decode(), origin="example.", relativize=False))
    axfr_seeds(dns.zone.from_text(nsec_zones[0].decode(), origin="example.", relativize=False))
    python_seeds(dns.zone.from_text(nsec_zones[0].decode(), origin="example.", relativize=False),
                 [zone_text(small), nsec_zones[2]] + nsec3_zones[:1] + [b"@ 1 A 1.2.3", b"$TTL 1\n@ SOA a b 1 2 3 4 5\n"], HERE)
    for d in sorted(CORPUS.iterdir()):
        print(f"{d.name}: {len(list(d.iterdir()))} seeds")


if __name__ == "__main__":
    main()

"""$GENERATE (issue 15, part 5), against BIND 9.18: the records zoneverify
reads from each directive are the records BIND's named-compilezone writes
for it; a zone signed by BIND's dnssec-signzone verifies with its records
given back as $GENERATE lines; bad directives and the bound are errors
naming the file, the line and the reason."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

import zoneverify
from zoneverify import _native

HEAD = "$ORIGIN example.\n$TTL 300\n@ SOA ns hostmaster 1 2 3 4 5\n@ NS ns\nns 77 A 192.0.2.1\n"

DIRECTIVES = [
    "$GENERATE 1-3 host$ A 10.0.0.$",
    "$GENERATE 0-8/4 h${1,3}x A 10.1.0.${0,0,d}",
    "$GENERATE 250-252 o${0,4,o}-x${0,3,x}-X${-200,2,X} 600 IN AAAA 2001:db8::${0,0,x}",
    "$GENERATE 10-11 ${0,4,n}ip6 PTR n${0,0,N}",
    "$GENERATE 10-11 x${0,3,n}y PTR n${0,6,N}",
    "$GENERATE 4660-4661 ${0,8,n}rev PTR h$.example.",
    '$GENERATE 1-2 \\$lit$ TXT "v=$ \\$ $$"',
    '$GENERATE 3-4 mx$ MX "10 mail$"',
    '$GENERATE 1-1 t$ TXT "a b"',
    "$GENERATE 1-2 a$ CNAME b${+1}",
    "$GENERATE 1-2 n${-5} A 1.2.3.$",
    "$GENERATE 1-3 w${-5,3} IN 60 A 1.2.3.$",
    "$GENERATE 7-9 @ 60 TXT x$",
    "$GENERATE 2147483645-2147483647 big$ TXT x",
    # A blank owner after the directive is the owner before it (ns), the
    # TTL the $TTL: the generated records change neither.
    "$GENERATE 1-2 g$ 60 A 1.2.3.$\n  TXT \"after\"",
]


def _bind(text: str, tmp_path) -> list[tuple]:
    if shutil.which("named-compilezone") is None:
        pytest.fail("named-compilezone missing (tests/run.sh installs bind9-utils)")
    src = tmp_path / "in.zone"
    src.write_text(text)
    r = subprocess.run(["named-compilezone", "-q", "-s", "full", "-o", "-", "example.", str(src)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    import dns.zone

    z = dns.zone.from_text(r.stdout, "example.", relativize=False)
    out = []
    for name, node in z.items():
        for rds in node:
            for rd in rds:
                out.append((name.to_text().lower(), rds.rdtype, rds.ttl, rd))
    return sorted(out, key=lambda t: (t[0], t[1], t[3].to_digestable()))


def _ours(text: str) -> list[tuple]:
    import dns.name
    import dns.rdata

    out = []
    gen_lines = {i for i, t in enumerate(text.splitlines(), 1) if t.startswith("$GENERATE")}
    for owner, rtype, rclass, ttl, wire, line in _native.parse_records(text.encode(), "in.zone", "example.", None):
        rd = dns.rdata.from_wire(rclass, rtype, wire, 0, len(wire))
        out.append((dns.name.from_text(owner).to_text().lower(), rtype, ttl, rd))
        # A generated record has its directive's line; no other record does.
        name = out[-1][0]
        if name not in ("example.", "ns.example.") or (rtype == 16 and name == "example."):
            assert line in gen_lines, (name, line)
        else:
            assert line not in gen_lines, (name, line)
    return sorted(out, key=lambda t: (t[0], t[1], t[3].to_digestable()))


@pytest.mark.parametrize("directive", DIRECTIVES)
def test_the_records_are_bind_s(directive, tmp_path):
    text = HEAD + directive + "\n"
    ours, bind = _ours(text), _bind(text, tmp_path)
    assert [(o, t, ttl, rd.to_text()) for o, t, ttl, rd in ours] == \
        [(o, t, ttl, rd.to_text()) for o, t, ttl, rd in bind]
    assert len(ours) >= 4  # the zone's three records and the generated ones


def test_a_signed_zone_with_its_records_as_generate_lines_verifies(tmp_path):
    """BIND signs a zone holding $GENERATE directives (its output has the
    records expanded); the signed file with those records taken out again
    and the directives put back verifies, every generated record's RRSIG
    valid; with one generated value changed, that RRset's signature fails."""
    for tool in ("dnssec-keygen", "dnssec-signzone", "named-compilezone"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} missing (tests/run.sh installs bind9-utils)")
    gen = ["$GENERATE 1-40 host$ A 10.0.0.$", "$GENERATE 1-40 host$ TXT \"id $ of 40\"",
           "$GENERATE 0-15 ${0,2,n}rev PTR host$.example."]
    (tmp_path / "in.zone").write_text(HEAD.replace("@ NS ns\n", "@ NS ns\n") + "\n".join(gen) + "\n")
    keys = []
    for extra in (["-f", "KSK"], []):
        r = subprocess.run(["dnssec-keygen", "-q", "-K", str(tmp_path), "-a", "ECDSAP256SHA256", *extra, "example."],
                           capture_output=True, text=True, check=True)
        keys.append(r.stdout.strip())
    keytext = "".join((tmp_path / f"{k}.key").read_text() for k in keys)
    (tmp_path / "in.zone").write_text((tmp_path / "in.zone").read_text() + keytext)
    subprocess.run(["dnssec-signzone", "-K", str(tmp_path), "-o", "example.", "-s", "20260101000000",
                    "-e", "20360101000000", "-f", str(tmp_path / "signed.zone"), str(tmp_path / "in.zone"), *keys],
                   capture_output=True, text=True, check=True, cwd=tmp_path)
    full = subprocess.run(["named-compilezone", "-q", "-s", "full", "-o", "-", "example.", str(tmp_path / "signed.zone")],
                          capture_output=True, text=True, check=True).stdout
    generated_types = {"A": "host", "TXT": "host", "PTR": "rev"}
    kept, removed = [], 0
    for line in full.splitlines():
        f = line.split()
        if len(f) > 3 and f[3] in generated_types and generated_types[f[3]] in f[0] and f[0] != "ns.example.":
            removed += 1
            continue
        kept.append(line)
    assert removed == 40 + 40 + 16
    text = "\n".join(kept + ["$ORIGIN example.", "$TTL 300"] + gen) + "\n"
    rep = zoneverify.verify_zone(text, now="20270101000000", filename="gen.zone")
    assert rep.ok, rep.findings[:5]
    assert rep.counts["by_status"] == {"valid": len(rep)}
    bad = text.replace("$GENERATE 1-40 host$ A 10.0.0.$", "$GENERATE 1-40 host$ A 10.0.${0,0,d}.$")
    rep = zoneverify.verify_zone(bad, now="20270101000000", filename="gen.zone")
    assert not rep.ok
    assert {f.code for f in rep.findings} == {"bad-signature"}
    # Each host's A is now 10.0.N.N: its RRSIG (at the RRSIG's line) fails.
    assert sorted((f.owner, f.type) for f in rep.findings) == sorted((f"host{i}.example.", "A") for i in range(1, 41))


@pytest.mark.parametrize("directive,why", [
    ("$GENERATE 5-1 a$ A 1.2.3.$", "invalid range '5-1': 5 is more than 1"),
    ("$GENERATE 1-2/0 a$ A 1.2.3.$", "the step is 0"),
    ("$GENERATE 1 a$ A 1.2.3.$", "invalid range '1'"),
    ("$GENERATE 0-4294967296 a$ A 1.2.3.4", "4294967296 is more than 2147483647"),
    ("$GENERATE 1-2 a${1,3 A 1.2.3.$", "unterminated modifier"),
    ("$GENERATE 1-2 a${1,3,q} A 1.2.3.$", "the base is not one of"),
    ("$GENERATE 1-1 a${0,300} A 1.2.3.1", "the width is more than 255"),
    ("$GENERATE 1-2 a$", "$GENERATE needs an RR type"),
    ("$GENERATE 1-2 a$ A", "$GENERATE needs a right-hand side"),
    ("$GENERATE 1-2 a$ A 1.2.3.$ extra", "trailing data 'extra'"),
    ("$GENERATE 1-2 a$ MX 10 mail", "trailing data 'mail'"),
    ("$GENERATE 250-260 a$ A 1.2.3.$", "$GENERATE at value 256: "),
    ("$GENERATE 1-2 a$ BOGUS x", "unknown RR type 'BOGUS'"),
    ("$GENERATE 0-1000000 a$ A 1.2.3.4", "makes 1000001 records, more than the limit of 1000000"),
    ("$GENERATE 1-2 ${-5,0,n} A 1.2.3.4", "nibble mode needs 0 or more"),
])
def test_bad_directives_name_the_line_and_the_reason(directive, why):
    text = HEAD + directive + "\n"
    with pytest.raises(zoneverify.ZoneParseError) as e:
        zoneverify.verify_zone(text, filename="bad.zone", now="20270101000000")
    msg = str(e.value)
    assert msg.startswith("bad.zone:6:"), msg
    assert why in msg, msg


def test_the_command_line_names_the_file_and_line(tmp_path):
    """A bad directive through `zoneverify check`: exit 2, one line
    naming the file, the line and the reason (the bound on all directives
    of a file together is a Rust unit test, with a smaller bound)."""
    p = tmp_path / "bad.zone"
    p.write_text(HEAD + "$GENERATE 0-2000000 a$ TXT x\n")
    r = subprocess.run([sys.executable, "-m", "zoneverify", "check", str(p)], capture_output=True, text=True)
    assert r.returncode == 2, r.stderr
    assert f"{p}:6:" in r.stderr and "more than the limit of 1000000" in r.stderr
    assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1

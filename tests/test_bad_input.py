"""Unusable input: the API raises ZoneParseError (or OSError for paths) with
a location; the CLI exits 2 with file:line: and a reason, never a traceback
or a Rust panic. Plus a deterministic fuzz loop run in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import signers
import zonetext
import zoneverify

NOW = signers.NOW
NOW_TEXT = "20260601000000"

GOOD_HEAD = """\
$ORIGIN bad.example.
$TTL 3600
@   IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@   IN NS  ns1
ns1 IN A   192.0.2.1
"""
HEAD_LINES = GOOD_HEAD.count("\n")  # the bad line below is line HEAD_LINES + 1

# name -> (zone text, 1-based line the error must be reported at, or None)
SINGLE_LINE_CASES = {
    "unknown-type": (GOOD_HEAD + "www IN FOOBAR 192.0.2.2\n", HEAD_LINES + 1),
    "unterminated-quote": (GOOD_HEAD + 'txt IN TXT "no closing quote\n', HEAD_LINES + 1),
    "bad-base64-signature": (
        GOOD_HEAD + "ns1 IN RRSIG A 13 3 3600 20360101000000 20260101000000 "
                    "12345 bad.example. !!!not*base64###\n", HEAD_LINES + 1),
    "bad-ipv4": (GOOD_HEAD + "www IN A 192.0.2.300\n", HEAD_LINES + 1),
    "garbage": ("this is not a zone file\nat all, really\n", 1),
    "long-line-200k": (GOOD_HEAD + "a" * 200_000 + "\n", HEAD_LINES + 1),
}


def _bytes_cases() -> dict[str, bytes]:
    return {
        "nul-and-ff": b"\x00\xff\xfe\x00garbage\n\xff\xff\n",
        "nul-in-record": GOOD_HEAD.encode() + b"www IN A 192.0.2.\x002\n",
    }


def assert_parse_error(exc: BaseException, line: int | None, nlines: int):
    assert isinstance(exc, zoneverify.ZoneParseError), type(exc)
    assert isinstance(exc, ValueError)
    assert exc.reason and isinstance(exc.reason, str)
    assert isinstance(exc.line, int) and 1 <= exc.line <= max(nlines, 1), exc.line
    if line is not None:
        assert exc.line == line, (exc.line, line, exc.reason)


def run_cli(base: list[str], *args: str, input: bytes | None = None):
    return subprocess.run([*base, *args], input=input, capture_output=True, timeout=120)


def assert_cli_error(p: subprocess.CompletedProcess, fname: str, line: int | None):
    err = p.stderr.decode(errors="replace")
    assert p.returncode == 2, (p.returncode, err[-2000:], p.stdout[-500:])
    assert "Traceback" not in err, err[-3000:]
    assert "panicked" not in err, err[-3000:]
    if line is not None:
        assert f"{fname}:{line}:" in err, err[-2000:]
    else:
        assert fname in err, err[-2000:]
    # a reason after the location, on one line
    assert len(err.strip()) > len(fname) + 3


@pytest.mark.parametrize("case", sorted(SINGLE_LINE_CASES))
def test_api_text_errors(case):
    text, line = SINGLE_LINE_CASES[case]
    with pytest.raises(zoneverify.ZoneParseError) as ei:
        zoneverify.verify_zone(text, now=NOW)
    assert_parse_error(ei.value, line, text.count("\n"))


def test_eight_bit_owner_octets_are_literal():
    """Zone files are bytes: an owner label may hold any octet (RFC 1035
    §3.1, RFC 4343), written raw or as \\DDD. Both spellings give the same
    name; neither is an error."""
    raw = GOOD_HEAD.encode() + b"\xff\xfe IN A 192.0.2.2\n"
    escaped = GOOD_HEAD.encode() + b"\\255\\254 IN A 192.0.2.2\n"
    a = zoneverify._native.parse_records(raw, "<raw>", None)
    b = zoneverify._native.parse_records(escaped, "<esc>", None)
    assert a[-1][0] == b[-1][0] == "\\255\\254.bad.example."
    assert a[-1][4] == b[-1][4]


@pytest.mark.parametrize("case", sorted(_bytes_cases()))
def test_api_bytes_errors(case):
    data = _bytes_cases()[case]
    with pytest.raises(zoneverify.ZoneParseError) as ei:
        zoneverify.verify_zone(data, now=NOW)
    assert_parse_error(ei.value, None, data.count(b"\n"))


@pytest.mark.parametrize("case", sorted(SINGLE_LINE_CASES))
def test_cli_text_errors(case, cli, tmp_path):
    text, line = SINGLE_LINE_CASES[case]
    f = tmp_path / f"{case}.zone"
    f.write_text(text)
    with pytest.raises(zoneverify.ZoneParseError) as ei:
        zoneverify.verify_zone(f, now=NOW)
    assert ei.value.filename and Path(ei.value.filename).name == f.name
    assert_cli_error(cli("check", str(f), "--now", NOW_TEXT), str(f), line)


@pytest.mark.parametrize("case", sorted(_bytes_cases()))
def test_cli_bytes_errors(case, cli, tmp_path):
    f = tmp_path / f"{case}.zone"
    f.write_bytes(_bytes_cases()[case])
    p = cli("check", str(f), "--now", NOW_TEXT)
    assert_cli_error(p, str(f), None)
    assert f"{f}:" in p.stderr.decode(errors="replace")


# ---------------------------------------------------------- truncations


@pytest.fixture(scope="module")
def bind_zone(signed_zone_factory):
    return signed_zone_factory("bind", 13, False)


def _truncations(z: signers.SignedZone) -> dict[str, tuple[str, int]]:
    """A BIND zone (multi-line RRSIGs) cut inside a parenthesised RRSIG and
    cut in the middle of an RRSIG's fixed fields; the line the record starts
    on (an error may be reported there or later, up to the end)."""
    text = z.text
    lines = text.split("\n")
    recs = zonetext.rrsigs(text, z.origin)
    multi = next(r for r in recs if r.end_line > r.start_line and r.covered == "A")
    # keep the record's first line and one more: "(" is open, ")" is gone
    mid_paren = "\n".join(lines[:multi.start_line + 2]) + "\n"
    # cut a record in the middle of its fixed fields, right after the type covered
    rec = recs[len(recs) // 2]
    first = lines[rec.start_line]
    cut = first.index("RRSIG") + len("RRSIG") + 1 + len(rec.covered)
    mid_record = "\n".join(lines[:rec.start_line] + [first[:cut]])
    return {"mid-parenthesis": (mid_paren, multi.start_line + 1),
            "mid-record": (mid_record, rec.start_line + 1)}


@pytest.mark.parametrize("case", ["mid-parenthesis", "mid-record"])
def test_truncated_signed_zone(bind_zone, case, cli, tmp_path):
    text, start = _truncations(bind_zone)[case]
    assert text != bind_zone.text and len(text) < len(bind_zone.text)
    nlines = text.count("\n") + 1
    with pytest.raises(zoneverify.ZoneParseError) as ei:
        zoneverify.verify_zone(text, now=NOW)
    assert_parse_error(ei.value, None, nlines)
    assert ei.value.line >= start, (ei.value.line, start)
    f = tmp_path / f"{case}.zone"
    f.write_text(text)
    p = cli("check", str(f), "--now", NOW_TEXT)
    assert_cli_error(p, str(f), None)
    assert f"{f}:{ei.value.line}:" in p.stderr.decode()


# ---------------------------------------------------------- paths


def test_empty_input(cli, tmp_path):
    f = tmp_path / "empty.zone"
    f.write_bytes(b"")
    with pytest.raises(zoneverify.ZoneParseError):
        zoneverify.verify_zone(f, now=NOW)
    with pytest.raises(zoneverify.ZoneParseError):
        zoneverify.verify_zone(b"", now=NOW)
    p = cli("check", str(f), "--now", NOW_TEXT)
    assert_cli_error(p, str(f), None)


def test_nonexistent_path(cli, tmp_path):
    f = tmp_path / "does-not-exist.zone"
    with pytest.raises(FileNotFoundError):
        zoneverify.verify_zone(f, now=NOW)
    with pytest.raises(FileNotFoundError):
        zoneverify.verify_zone(str(f), now=NOW)
    assert_cli_error(cli("check", str(f), "--now", NOW_TEXT), str(f), None)


def test_directory(cli, tmp_path):
    with pytest.raises((OSError, zoneverify.ZoneParseError)):
        zoneverify.verify_zone(tmp_path, now=NOW)
    assert_cli_error(cli("check", str(tmp_path), "--now", NOW_TEXT), str(tmp_path), None)


def test_stdin_error_names_stdin(cli):
    text, line = SINGLE_LINE_CASES["unknown-type"]
    p = cli("check", "-", "--now", NOW_TEXT, input=text.encode())
    err = p.stderr.decode()
    assert p.returncode == 2 and "Traceback" not in err and "panicked" not in err, err
    assert f":{line}:" in err, err


# ---------------------------------------------------------- fuzz

FUZZ_SCRIPT = textwrap.dedent("""
    import random, sys, json
    import zoneverify
    data = open(sys.argv[1], "rb").read()
    origin = sys.argv[2]
    rng = random.Random(20260601)
    counts = {"report": 0, "parse_error": 0}
    for i in range(int(sys.argv[3])):
        b = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            op = rng.choice(["flip", "delete", "truncate", "insert", "dup"])
            if not b:
                break
            p = rng.randrange(len(b))
            if op == "flip":
                b[p] ^= 1 << rng.randrange(8)
            elif op == "delete":
                del b[p:p + rng.randint(1, 64)]
            elif op == "truncate":
                del b[p:]
            elif op == "insert":
                b[p:p] = bytes([rng.choice(b'()";\\\\ \\t\\n\\x00\\xff$@*.0')])
            else:
                q = rng.randrange(len(b))
                b[p:p] = b[q:q + rng.randint(1, 200)]
        try:
            r = zoneverify.verify_zone(bytes(b), origin=origin if i % 2 else None,
                                       now=1780272000)
            assert isinstance(r.ok, bool)
            r.to_json()
            counts["report"] += 1
        except zoneverify.ZoneParseError as e:
            assert isinstance(e.line, int) and e.reason
            counts["parse_error"] += 1
        except BaseException as e:
            print(json.dumps({"iteration": i, "error": repr(e)}))
            open(sys.argv[4], "wb").write(bytes(b))
            sys.exit(3)
    print(json.dumps(counts))
""")


def test_fuzz_mutations_never_crash(bind_zone, tmp_path):
    script = tmp_path / "fuzz.py"
    script.write_text(FUZZ_SCRIPT)
    crash = tmp_path / "crash.zone"
    p = subprocess.run([sys.executable, str(script), str(bind_zone.path), bind_zone.origin,
                        "300", str(crash)], capture_output=True, timeout=540)
    out, err = p.stdout.decode(), p.stderr.decode()
    assert p.returncode == 0, (
        f"fuzz run failed (rc {p.returncode}; negative = killed by a signal); "
        f"input kept at {crash}\n{out[-2000:]}\n{err[-3000:]}")
    counts = json.loads(out.strip().splitlines()[-1])
    assert counts["report"] + counts["parse_error"] == 300
    # the loop must exercise both outcomes to be a meaningful test
    assert counts["report"] > 0 and counts["parse_error"] > 0, counts

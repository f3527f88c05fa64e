"""A small, independent reader of zone-file text, used only by the tests.

It exists so that the tests can compute their expectations from a signed
zone (which RRSIGs exist, what they cover, which key made them) and mutate a
signer's output *on the text*, keeping the signer's own layout (multi-line
parentheses, inherited owners, comments), without going through zoneverify
(whose parser is what is under test) or re-rendering the zone with dnspython.

It understands what the signers we drive print: $ORIGIN, $TTL, inherited
owners, parentheses, comments, quoted strings. It is not a general parser.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

CLASSES = {"IN", "CH", "HS", "CS", "ANY"}


@dataclass
class Token:
    line: int  # 0-based line index
    col: int  # 0-based column of the first character
    text: str


@dataclass
class Record:
    start_line: int  # 0-based, inclusive
    end_line: int  # 0-based, inclusive
    owner: str  # absolute, lower case, with trailing dot
    owner_text: str  # owner as written ("" when inherited)
    ttl: int | None
    rtype: str  # upper-case mnemonic
    rdata: list[Token] = field(default_factory=list)

    @property
    def rdata_text(self) -> list[str]:
        return [t.text for t in self.rdata]

    # RRSIG accessors (RFC 4034 s3.2 presentation order)
    @property
    def covered(self) -> str:
        return self.rdata[0].text.upper()

    @property
    def algorithm(self) -> int:
        return algorithm_number(self.rdata[1].text)

    @property
    def key_tag(self) -> int:
        return int(self.rdata[6].text)

    @property
    def signer(self) -> str:
        return absolute(self.rdata[7].text, self.owner)

    @property
    def signature_tokens(self) -> list[Token]:
        return self.rdata[8:]

    @property
    def signature(self) -> bytes:
        return base64.b64decode("".join(t.text for t in self.signature_tokens))


ALG_MNEMONICS = {
    "RSAMD5": 1, "DH": 2, "DSA": 3, "RSASHA1": 5, "DSA-NSEC3-SHA1": 6,
    "RSASHA1-NSEC3-SHA1": 7, "RSASHA256": 8, "RSASHA512": 10, "ECC-GOST": 12,
    "ECDSAP256SHA256": 13, "ECDSAP384SHA384": 14, "ED25519": 15, "ED448": 16,
}


def algorithm_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    return ALG_MNEMONICS[text.upper()]


def absolute(name: str, origin: str) -> str:
    if name == "@":
        return origin.lower()
    if name.endswith(".") and not name.endswith("\\."):
        return name.lower()
    if origin == ".":
        return (name + ".").lower()
    return (name + "." + origin).lower()


def _tokens_of_line(line: str, lineno: int, state: dict) -> list[Token]:
    """Split one physical line into tokens; '(' and ')' are tokens."""
    out: list[Token] = []
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c in " \t\r\n":
            i += 1
            continue
        if c == ";":
            break
        if c in "()":
            out.append(Token(lineno, i, c))
            i += 1
            continue
        start = i
        if c == '"':
            i += 1
            while i < n and line[i] != '"':
                i += 2 if line[i] == "\\" else 1
            i += 1
        else:
            while i < n and line[i] not in " \t\r\n;()":
                if line[i] == '"':
                    break
                i += 2 if line[i] == "\\" else 1
        out.append(Token(lineno, start, line[start:i]))
    return out


_TTL_RE = re.compile(r"^(\d+[smhdwSMHDW]?)+$")


def _ttl_value(text: str) -> int:
    if text.isdigit():
        return int(text)
    mult = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    total = 0
    for num, unit in re.findall(r"(\d+)([smhdwSMHDW]?)", text):
        total += int(num) * mult.get(unit.lower() or "s", 1)
    return total


def parse(text: str, origin: str | None = None) -> list[Record]:
    """Return the records of a zone text, with their line spans."""
    lines = text.split("\n")
    records: list[Record] = []
    cur_origin = (origin or ".").lower()
    if not cur_origin.endswith("."):
        cur_origin += "."
    last_owner = cur_origin
    default_ttl: int | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        toks = _tokens_of_line(line, i, {})
        if not toks:
            i += 1
            continue
        inherited = line[:1] in (" ", "\t")
        start = i
        # gather continuation lines while parentheses are open
        depth = sum(1 if t.text == "(" else -1 if t.text == ")" else 0 for t in toks)
        while depth > 0 and i + 1 < len(lines):
            i += 1
            more = _tokens_of_line(lines[i], i, {})
            depth += sum(1 if t.text == "(" else -1 if t.text == ")" else 0 for t in more)
            toks.extend(more)
        end = i
        i += 1
        toks = [t for t in toks if t.text not in "()"]
        if not toks:
            continue
        first = toks[0].text
        if not inherited and first.startswith("$"):
            d = first.upper()
            if d == "$ORIGIN":
                cur_origin = absolute(toks[1].text, cur_origin)
            elif d == "$TTL":
                default_ttl = _ttl_value(toks[1].text)
            continue
        if inherited:
            owner, owner_text, rest = last_owner, "", toks
        else:
            owner, owner_text, rest = absolute(first, cur_origin), first, toks[1:]
        ttl = default_ttl
        while rest and (rest[0].text.upper() in CLASSES or _TTL_RE.match(rest[0].text)):
            if rest[0].text.upper() not in CLASSES:
                ttl = _ttl_value(rest[0].text)
            rest = rest[1:]
        rtype = rest[0].text.upper()
        last_owner = owner
        records.append(Record(start, end, owner, owner_text, ttl, rtype, rest[1:]))
    return records


def rrsigs(text: str, origin: str | None = None) -> list[Record]:
    return [r for r in parse(text, origin) if r.rtype == "RRSIG"]


# ---------------------------------------------------------------- mutations


def replace_token(text: str, tok: Token, new: str) -> str:
    lines = text.split("\n")
    line = lines[tok.line]
    assert line[tok.col:tok.col + len(tok.text)] == tok.text
    lines[tok.line] = line[:tok.col] + new + line[tok.col + len(tok.text):]
    return "\n".join(lines)


def flip_signature_byte(text: str, rec: Record, index: int | None = None) -> str:
    """Flip one byte (xor 0x01) of the signature of `rec`, keeping the layout:
    the re-encoded base64 is cut back into the same chunks as the original."""
    sig = bytearray(rec.signature)
    if index is None:
        index = len(sig) // 2
    sig[index] ^= 0x01
    new_b64 = base64.b64encode(bytes(sig)).decode()
    toks = rec.signature_tokens
    assert sum(len(t.text) for t in toks) == len(new_b64)
    # Edit from the last token backwards so that column offsets stay valid.
    pieces = []
    pos = 0
    for t in toks:
        pieces.append((t, new_b64[pos:pos + len(t.text)]))
        pos += len(t.text)
    for t, new in reversed(pieces):
        if new != t.text:
            text = replace_token(text, t, new)
    return text


def _split_owner(line: str) -> tuple[str, str]:
    """(owner field, rest of the line) of a record's first line."""
    if line[:1] in (" ", "\t"):
        return "", line
    m = re.match(r"(\S+)(.*)$", line, re.S)
    assert m
    return m.group(1), m.group(2)


def remove_record(text: str, rec: Record, records: list[Record]) -> str:
    """Delete the lines of `rec`. If the next record inherited its owner from
    `rec`, write the owner out on it so that its meaning does not change."""
    lines = text.split("\n")
    following = [r for r in records if r.start_line > rec.end_line]
    nxt = min(following, key=lambda r: r.start_line) if following else None
    if rec.owner_text and nxt is not None and nxt.owner_text == "":
        first = lines[nxt.start_line]
        lines[nxt.start_line] = rec.owner + first if first[:1] in " \t" else first
    del lines[rec.start_line:rec.end_line + 1]
    return "\n".join(lines)


def replace_record(text: str, rec: Record, donor_text: str, donor: Record) -> str:
    """Put the lines of `donor` (a record of `donor_text`) in place of `rec`,
    keeping rec's owner field as it was written (explicit or inherited)."""
    lines = text.split("\n")
    dlines = donor_text.split("\n")[donor.start_line:donor.end_line + 1]
    own, _ = _split_owner(lines[rec.start_line])
    _, rest = _split_owner(dlines[0])
    if own == "" and rest[:1] not in (" ", "\t"):
        rest = "\t" + rest
    dlines[0] = own + rest
    lines[rec.start_line:rec.end_line + 1] = dlines
    return "\n".join(lines)

"""Ed448 (algorithm 16) against an independent implementation.

zoneverify verifies Ed448 with RustCrypto's ed448-goldilocks (rust/sig/crypto.rs);
here every verdict is compared with pyca/cryptography's Ed448 (OpenSSL), on
seeded random keys and messages, through the public batch API
(``Verifier(...).verify_raw``): the path pipeline tools use, keys parsed once
in the Verifier, all items in one call, on all cores.

For each of N keys: a random TXT RRset signed in RFC 4034 §3.1.8.1 form,
then the same with one bit of the signature flipped, one bit of the message
(the TXT string) flipped, and one bit of the public key flipped (re-signed
over data whose key tag field names the flipped key, so that only the key
differs). zoneverify's verdict (valid or not) must equal cryptography's in
every case. The test then checks the points where the two are known to
differ by design, with signatures crafted by tests/ed448_craft.py.
"""

from __future__ import annotations

import random
import struct
import time
from collections import Counter

import numpy as np
import pytest

ed448 = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ed448")
from cryptography.exceptions import InvalidSignature  # noqa: E402

import ed448_craft  # noqa: E402
import zoneverify  # noqa: E402
from zoneverify import Status, Verifier  # noqa: E402

N = 10_000
SEED = 20261201
NOW = 1_800_000_000
ORIGIN = "example."
TXT, IN, TTL = 16, 1, 3600
KIND = ("valid", "flip-signature", "flip-message", "flip-key")


def wire_name(text: str) -> bytes:
    out = b""
    for label in text.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dnskey_rdata(key: bytes) -> bytes:
    return struct.pack("!HBB", 256, 3, 16) + key


def signed_data(owner: bytes, key_tag: int, payload: bytes) -> tuple[bytes, int]:
    """RRSIG RDATA without the signature, then the one TXT RR; also the
    offset of the payload (the TXT string's octets) in it."""
    head = struct.pack("!HBBIIIH", TXT, 16, 2, TTL, NOW + 86400, NOW - 3600, key_tag) + wire_name(ORIGIN)
    rdata = bytes([len(payload)]) + payload
    rr = owner + struct.pack("!HHIH", TXT, IN, TTL, len(rdata)) + rdata
    return head + rr, len(head) + len(owner) + 10 + 1


def flip(b: bytes, bit: int) -> bytes:
    x = bytearray(b)
    x[bit // 8] ^= 1 << (bit % 8)
    return bytes(x)


UNLOADABLE: Counter = Counter()


def pyca_verdict(key: bytes, sig: bytes, data: bytes) -> bool:
    """cryptography's verdict; a key it cannot load is a failed verification."""
    try:
        pub = ed448.Ed448PublicKey.from_public_bytes(key)
    except ValueError:
        UNLOADABLE[key] += 1
        return False
    try:
        pub.verify(sig, data)
        return True
    except InvalidSignature:
        return False


def verify_items(keys: list[bytes], items: list[tuple[int, bytes, bytes]]):
    """zoneverify's statuses and reasons for (key index, data, signature)
    items, all in one verify_raw call over one Verifier of all the keys."""
    wire = b"".join(wire_name(ORIGIN) + struct.pack("!HHIH", 48, IN, TTL, len(rd)) + rd
                    for rd in map(dnskey_rdata, keys))
    v = Verifier(wire, ORIGIN, now=NOW)
    data = b"".join(d for _, d, _ in items)
    sigs = b"".join(s for _, _, s in items)
    doff = np.cumsum([0] + [len(d) for _, d, _ in items], dtype=np.int64)
    soff = np.cumsum([0] + [len(s) for _, _, s in items], dtype=np.int64)
    ki = np.array([k for k, _, _ in items], dtype=np.int64)
    r = v.verify_raw(data, doff, sigs, soff, ki)
    assert len(r) == len(items)
    return v, r


def test_ed448_differential_against_cryptography(record_property):
    t0 = time.perf_counter()
    rng = random.Random(SEED)
    keys: list[bytes] = []      # the DNSKEYs of the Verifier: good keys, then flipped ones
    items: list[tuple[int, bytes, bytes]] = []
    kinds: list[str] = []
    expect: list[bool] = []     # cryptography's verdict per item
    for i in range(N):
        sk = ed448.Ed448PrivateKey.from_private_bytes(rng.randbytes(57))
        key = sk.public_key().public_bytes_raw()
        owner = wire_name(f"k{i}.{ORIGIN}")
        payload = rng.randbytes(rng.randint(1, 255))
        tag = zoneverify.key_tag(dnskey_rdata(key))
        data, at = signed_data(owner, tag, payload)
        sig = sk.sign(data)
        keys.append(key)
        ki = len(keys) - 1
        cases = [
            ("valid", ki, data, sig),
            ("flip-signature", ki, data, flip(sig, rng.randrange(8 * len(sig)))),
            ("flip-message", ki, flip(data, 8 * at + rng.randrange(8 * len(payload))), sig),
        ]
        bad_key = flip(key, rng.randrange(8 * len(key)))
        bad_data, _ = signed_data(owner, zoneverify.key_tag(dnskey_rdata(bad_key)), payload)
        keys.append(bad_key)
        cases.append(("flip-key", len(keys) - 1, bad_data, sk.sign(bad_data)))
        for kind, k, d, s in cases:
            kinds.append(kind)
            items.append((k, d, s))
            expect.append(pyca_verdict(keys[k], s, d))
    t1 = time.perf_counter()
    v, r = verify_items(keys, items)
    t2 = time.perf_counter()

    problems = {i: k.problem for i, k in enumerate(v.keys) if k.problem is not None}
    tally: Counter = Counter()
    disagree = []
    for row, (kind, want) in enumerate(zip(kinds, expect)):
        st = Status(int(r.status[row]))
        ours = st == Status.VALID
        tally[(kind, "valid" if want else "invalid", st.code)] += 1
        if ours != want:
            disagree.append((row, kind, want, st.code, r.reason(row)))
            continue
        if kind == "valid":
            continue
        if kind == "flip-key" and st == Status.NO_MATCHING_KEY:
            # The flipped key is not a usable point: refused once, when
            # the Verifier parsed it, never "valid".
            k = items[row][0]
            assert k in problems and "Ed448 key" in problems[k], (row, problems.get(k))
            assert "malformed" in r.reason(row), r.reason(row)
        elif not ours:
            assert st == Status.BAD_SIGNATURE, (row, kind, st.code, r.reason(row))

    summary = {f"{k}/{w}/{c}": n for (k, w, c), n in sorted(tally.items())}
    summary["flip-key keys cryptography could not load"] = sum(1 for k in keys[1::2] if k in UNLOADABLE)
    record_property("ed448_differential", summary)
    print(f"\nEd448 differential, {N} keys and messages: {summary}; "
          f"cryptography side {t1 - t0:.1f} s, zoneverify verify_raw {t2 - t1:.1f} s "
          f"({len(items)} items, {r.threads} threads)")
    assert not disagree, disagree[:10]
    assert tally[("valid", "valid", "valid")] == N
    for kind in KIND[1:]:
        assert sum(n for (k, _, _), n in tally.items() if k == kind) == N
    # Each flip kind was judged invalid by both, as it must be, except with
    # negligible probability.
    assert sum(n for (k, w, _), n in tally.items() if k != "valid" and w == "valid") == 0
    # Both outcomes of a flipped key occurred: some decode to a usable
    # point (then bad-signature), some do not (refused key).
    assert tally[("flip-key", "invalid", "bad-signature")] > 0
    assert tally[("flip-key", "invalid", "no-matching-key")] > 0


# --- where zoneverify is stricter than OpenSSL, by design --------------------

def crafted_cases():
    """(name, key octets, signature, cryptography's verdict, zoneverify's
    expected status) over one signed TXT RRset."""
    s = ed448_craft.Signer(bytes(range(57)))
    good = ed448_craft.encode(s.point)
    junk_key = ed448_craft.encode(s.point, junk_bits=1)
    torsion_key = ed448_craft.encode(ed448_craft.add(s.point, ed448_craft.ORDER_2))
    owner = wire_name(f"crafted.{ORIGIN}")

    def data(key: bytes) -> bytes:
        return signed_data(owner, zoneverify.key_tag(dnskey_rdata(key)), b"crafted")[0]

    return [
        # name, key, data, signature, OpenSSL valid?, zoneverify status
        ("honest", good, data(good), s.sign(data(good)), True, "valid"),
        ("R with bit 448 set", good, data(good), s.sign(data(good), r_junk=1), False, "bad-signature"),
        ("R with bit 454 set", good, data(good), s.sign(data(good), r_junk=0x40), False, "bad-signature"),
        ("key with bit 448 set", junk_key, data(junk_key),
         s.sign(data(junk_key), key_octets=junk_key), False, "no-matching-key"),
        # OpenSSL verifies with the cofactor: small-order components vanish.
        ("R plus a point of order 4", good, data(good),
         s.sign(data(good), r_extra=ed448_craft.ORDER_4), True, "bad-signature"),
        ("R plus the point of order 2", good, data(good),
         s.sign(data(good), r_extra=ed448_craft.ORDER_2), True, "bad-signature"),
        ("key plus the point of order 2", torsion_key, data(torsion_key),
         s.sign(data(torsion_key), key_octets=torsion_key), True, "no-matching-key"),
    ]


def test_ed448_crafted_encodings_and_small_order_points():
    cases = crafted_cases()
    keys = []
    items = []
    for _, key, d, sig, _, _ in cases:
        keys.append(key)
        items.append((len(keys) - 1, d, sig))
    _, r = verify_items(keys, items)
    for row, (name, key, d, sig, openssl_valid, want) in enumerate(cases):
        assert pyca_verdict(key, sig, d) == openssl_valid, name
        assert Status(int(r.status[row])).code == want, (name, r.reason(row))
        if want == "no-matching-key":
            assert "malformed" in r.reason(row), (name, r.reason(row))

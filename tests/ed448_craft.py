"""Ed448 signatures that honest signers never make, for the strictness tests.

A small RFC 8032 §5.2 signer over Python integers (projective coordinates,
RFC 8032 §5.2.4 addition), written for these tests: it lets a test choose
the octets of R and of the public key (non-canonical encodings, points with
a small-order component) and still produce the S that makes the
verification equation hold. Slow and not constant-time: test use only.
"""

from __future__ import annotations

import hashlib

P = 2**448 - 2**224 - 1
L = 2**446 - 13818066809895115352007386748515426880336692474882178609894547503885
D = -39081 % P
B = (224580040295924300187604334099896036246789641632564134246125461686950415467406032909029192869357953282578032075146446173674602635247710,
     298819210078481492676017930443930673437544040154080242095928241372331506189835876003536878655418784733982303233503462500531545062832660)
#: Small-order points: of order 2 (0, -1) and of order 4 (1, 0).
ORDER_2 = (0, P - 1)
ORDER_4 = (1, 0)


def _add(p1, p2):
    """(X:Y:Z) + (X:Y:Z) on x^2 + y^2 = 1 + d x^2 y^2 (complete)."""
    x1, y1, z1 = p1
    x2, y2, z2 = p2
    a = z1 * z2 % P
    b = a * a % P
    c = x1 * x2 % P
    d = y1 * y2 % P
    e = D * c * d % P
    f = (b - e) % P
    g = (b + e) % P
    h = (x1 + y1) * (x2 + y2) % P
    return (a * f * (h - c - d) % P, a * g * (d - c) % P, f * g % P)


def _affine(p):
    x, y, z = p
    zi = pow(z, P - 2, P)
    return (x * zi % P, y * zi % P)


def add(p, q):
    return _affine(_add((*p, 1), (*q, 1)))


def mul(k: int, p):
    r, q = (0, 1, 1), (*p, 1)
    while k:
        if k & 1:
            r = _add(r, q)
        q = _add(q, q)
        k >>= 1
    return _affine(r)


def encode(point, junk_bits: int = 0) -> bytes:
    """RFC 8032 §5.2.2, with ``junk_bits`` OR-ed into bits 448-454."""
    x, y = point
    b = bytearray(y.to_bytes(57, "little"))
    b[56] |= ((x & 1) << 7) | (junk_bits & 0x7F)
    return bytes(b)


def _h(data: bytes) -> int:
    return int.from_bytes(hashlib.shake_256(b"SigEd448\x00\x00" + data).digest(114), "little")


class Signer:
    """An Ed448 key from a 57-octet seed (RFC 8032 §5.2.5)."""

    def __init__(self, seed: bytes):
        h = hashlib.shake_256(seed).digest(114)
        a = bytearray(h[:57])
        a[0] &= 0xFC
        a[55] |= 0x80
        a[56] = 0
        self.a = int.from_bytes(a, "little")
        self.prefix = h[57:]
        self.point = mul(self.a, B)

    def sign(self, msg: bytes, key_octets: bytes | None = None, r_extra=None, r_junk: int = 0) -> bytes:
        """R || S over ``msg``: R = [r]B (+ ``r_extra``), encoded with
        ``r_junk``; the hash takes ``key_octets`` (default: the key's
        encoding), so S = r + k a satisfies [S]B = [r]B + [k]A exactly."""
        key = encode(self.point) if key_octets is None else key_octets
        r = int.from_bytes(hashlib.shake_256(b"SigEd448\x00\x00" + self.prefix + msg).digest(114), "little") % L
        rp = mul(r, B)
        if r_extra is not None:
            rp = add(rp, r_extra)
        r_enc = encode(rp, r_junk)
        k = _h(r_enc + key + msg) % L
        return r_enc + ((r + k * self.a) % L).to_bytes(57, "little")

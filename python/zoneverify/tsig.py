"""TSIG keys for zone transfers (``axfr://`` sources).

A key is given as ``NAME:ALGORITHM:BASE64`` (the form of ``dig -y``) or as
a key file in BIND's format (what ``tsig-keygen`` writes)::

    key "xfr.example." {
        algorithm hmac-sha256;
        secret "K2tf3TRjvQkVCmJF3/Z9vA==";
    };

The secret is never printed: :class:`TsigKey`'s ``repr`` leaves it out,
and no error message here or in the core contains it. A key on the command
line is visible to other users of the machine (``ps``); a key file is not.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass, field

__all__ = ["TsigKey", "parse_tsig", "load_key_file"]


@dataclass(frozen=True)
class TsigKey:
    """A TSIG key: name, algorithm (``hmac-sha256``, ...) and secret."""

    name: str
    algorithm: str
    secret: bytes = field(repr=False)

    def as_native(self) -> tuple[str, str, bytes]:
        return (self.name, self.algorithm, self.secret)


def _secret(text: str, where: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{where}: the TSIG secret is not base64") from None


def parse_tsig(spec: str) -> TsigKey:
    """``NAME:ALGORITHM:BASE64`` (or ``ALGORITHM:NAME:BASE64``, dig's other order)."""
    parts = spec.split(":")
    if len(parts) != 3 or not all(p.strip() for p in parts):
        raise ValueError("a TSIG key is NAME:ALGORITHM:BASE64 (e.g. xfr.example:hmac-sha256:K2tf...)")
    a, b, secret = (p.strip() for p in parts)
    name, alg = (b, a) if a.lower().startswith("hmac-") else (a, b)
    return TsigKey(name, alg.lower(), _secret(secret, "--tsig"))


_KEY = re.compile(r'key\s+"?([^"\s{]+)"?\s*\{(.*?)\}\s*;', re.S)


def load_key_file(path: "str | os.PathLike[str]", name: str | None = None) -> TsigKey:
    """The key of a BIND key file (the one named ``name`` if it holds several)."""
    p = os.fspath(path)
    with open(p, encoding="utf-8") as f:
        text = f.read()
    # Comments: # and // to the end of the line.
    text = re.sub(r"(#|//)[^\n]*", "", text)
    keys = []
    for m in _KEY.finditer(text):
        body = m.group(2)
        line = text[: m.start()].count("\n") + 1
        alg = re.search(r"algorithm\s+\"?([\w.-]+)\"?\s*;", body)
        sec = re.search(r"secret\s+\"([^\"]*)\"\s*;", body)
        if not alg or not sec:
            raise ValueError(f"{p}:{line}: key {m.group(1)!r} needs an algorithm and a secret")
        keys.append(TsigKey(m.group(1), alg.group(1).lower(), _secret(sec.group(1), f"{p}:{line}")))
    if not keys:
        raise ValueError(f"{p}: no key {{ algorithm ...; secret \"...\"; }}; statement (BIND's key file format)")
    if name is not None:
        want = name.rstrip(".").lower()
        keys = [k for k in keys if k.name.rstrip(".").lower() == want]
        if not keys:
            raise ValueError(f"{p}: no key named {name!r}")
    if len(keys) > 1:
        raise ValueError(f"{p}: {len(keys)} keys; say which (NAME)")
    return keys[0]

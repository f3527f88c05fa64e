"""The verdict on one RRSIG, mirrored from the Rust core's ``Status``."""

from __future__ import annotations

import enum


class Status(enum.IntEnum):
    """Verdict on one RRSIG (values agree with the Rust core; a test checks).

    Each member has a stable ``code`` used in findings, JSON and the README.
    """

    VALID = 0
    BAD_SIGNATURE = 1
    NO_MATCHING_KEY = 2
    UNSUPPORTED_ALGORITHM = 3
    UNSUPPORTED_KEY = 4
    EXPIRED = 5
    NOT_YET_VALID = 6
    SIGNER_NOT_APEX = 7
    LABELS_TOO_LARGE = 8
    ORPHAN = 9
    MALFORMED = 10
    #: Per-RRset verdicts of the batch API only: the RRset has no RRSIG.
    NO_RRSIG = 11
    #: Per-RRset verdicts of the batch API only: the RRset has no RRSIG and
    #: must not have one (a delegation's NS RRset, glue, data below a zone
    #: cut or DNAME: RFC 4035 §2.2); it does not make the batch fail.
    NOT_AUTHORITATIVE = 12

    @property
    def code(self) -> str:
        return _CODES[self]

    @property
    def unsupported(self) -> bool:
        """True for statuses meaning "could not be checked" rather than "bad"."""
        return self in (Status.UNSUPPORTED_ALGORITHM, Status.UNSUPPORTED_KEY)

    @classmethod
    def from_code(cls, code: str) -> "Status":
        for s, c in _CODES.items():
            if c == code:
                return s
        raise ValueError(f"unknown status code {code!r}")


_CODES = {
    Status.VALID: "valid",
    Status.BAD_SIGNATURE: "bad-signature",
    Status.NO_MATCHING_KEY: "no-matching-key",
    Status.UNSUPPORTED_ALGORITHM: "unsupported-algorithm",
    Status.UNSUPPORTED_KEY: "unsupported-key",
    Status.EXPIRED: "expired",
    Status.NOT_YET_VALID: "not-yet-valid",
    Status.SIGNER_NOT_APEX: "signer-not-apex",
    Status.LABELS_TOO_LARGE: "labels-too-large",
    Status.ORPHAN: "orphan-rrsig",
    Status.MALFORMED: "malformed",
    Status.NO_RRSIG: "no-rrsig",
    Status.NOT_AUTHORITATIVE: "not-authoritative",
}

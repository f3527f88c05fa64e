//! The verdict on one RRSIG, shared by the zone and batch paths.

/// The verdict on one RRSIG. Mirrored in Python as `zoneverify.Status`
/// (an `IntEnum`; a test checks that the two agree).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// The signature verifies with an apex DNSKEY and `now` is inside its
    /// validity window.
    Valid = 0,
    /// Every candidate key was usable and none verifies the signature.
    BadSignature = 1,
    /// No apex DNSKEY has the RRSIG's algorithm and key tag, the Zone Key
    /// flag and protocol 3 (RFC 4035 §5.3.1).
    NoMatchingKey = 2,
    /// The algorithm is one we do not verify (RFC 8624 lists; never "valid").
    UnsupportedAlgorithm = 3,
    /// The algorithm is supported but the key is not (RSA below 1024 bits, ...).
    UnsupportedKey = 4,
    /// The signature verifies but `now` is after Signature Expiration.
    Expired = 5,
    /// The signature verifies but `now` is before Signature Inception.
    NotYetValid = 6,
    /// The Signer's Name is not the zone apex (RFC 4035 §5.3.1).
    SignerNotApex = 7,
    /// The Labels field exceeds the owner's label count (RFC 4035 §5.3.1).
    LabelsTooLarge = 8,
    /// No RRset of the covered type exists at the RRSIG's owner.
    Orphan = 9,
    /// The RRSIG RDATA cannot be decoded.
    Malformed = 10,
    /// Per-RRset verdicts of the batch API only: the RRset has no RRSIG.
    /// (A zone report has one row per RRSIG, so it never shows this; an
    /// unsigned RRset in a zone is the `no-rrsig` finding.)
    NoRrsig = 11,
    /// Per-RRset verdicts of the batch API only: the RRset has no RRSIG and
    /// must not have one: a delegation point's NS RRset, glue, or data
    /// below a zone cut or a DNAME of the batch (RFC 4035 §2.2). It does
    /// not make a batch fail.
    NotAuthoritative = 12,
}

impl Status {
    pub const ALL: [Status; 13] = [
        Status::Valid,
        Status::BadSignature,
        Status::NoMatchingKey,
        Status::UnsupportedAlgorithm,
        Status::UnsupportedKey,
        Status::Expired,
        Status::NotYetValid,
        Status::SignerNotApex,
        Status::LabelsTooLarge,
        Status::Orphan,
        Status::Malformed,
        Status::NoRrsig,
        Status::NotAuthoritative,
    ];

    /// Stable code used in findings, JSON and the README.
    pub fn code(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::BadSignature => "bad-signature",
            Status::NoMatchingKey => "no-matching-key",
            Status::UnsupportedAlgorithm => "unsupported-algorithm",
            Status::UnsupportedKey => "unsupported-key",
            Status::Expired => "expired",
            Status::NotYetValid => "not-yet-valid",
            Status::SignerNotApex => "signer-not-apex",
            Status::LabelsTooLarge => "labels-too-large",
            Status::Orphan => "orphan-rrsig",
            Status::Malformed => "malformed",
            Status::NoRrsig => "no-rrsig",
            Status::NotAuthoritative => "not-authoritative",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Status::Valid => "VALID",
            Status::BadSignature => "BAD_SIGNATURE",
            Status::NoMatchingKey => "NO_MATCHING_KEY",
            Status::UnsupportedAlgorithm => "UNSUPPORTED_ALGORITHM",
            Status::UnsupportedKey => "UNSUPPORTED_KEY",
            Status::Expired => "EXPIRED",
            Status::NotYetValid => "NOT_YET_VALID",
            Status::SignerNotApex => "SIGNER_NOT_APEX",
            Status::LabelsTooLarge => "LABELS_TOO_LARGE",
            Status::Orphan => "ORPHAN",
            Status::Malformed => "MALFORMED",
            Status::NoRrsig => "NO_RRSIG",
            Status::NotAuthoritative => "NOT_AUTHORITATIVE",
        }
    }

    /// Unsupported statuses say "could not be checked", not "bad".
    pub fn is_unsupported(self) -> bool {
        matches!(self, Status::UnsupportedAlgorithm | Status::UnsupportedKey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_are_distinct_and_dense() {
        for (i, s) in Status::ALL.iter().enumerate() {
            assert_eq!(*s as u8 as usize, i);
        }
        let mut codes: Vec<&str> = Status::ALL.iter().map(|s| s.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Status::ALL.len());
    }
}

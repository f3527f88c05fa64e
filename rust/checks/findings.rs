//! The findings vocabulary of the zone-level checks: codes, severities,
//! and the list a run collects.

use std::collections::HashMap;

use crate::dns::name::Name;
use crate::dns::record::Record;

/// How bad a finding is. Errors fail the zone (exit 1); warnings do not
/// unless the user asks (`--warnings-as-errors`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $v:ident = $s:literal, $sev:ident; )*) => {
        /// Stable finding codes of the zone-level checks (documented in the
        /// README). Per-RRSIG statuses have their own codes (`Status::code`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code { $( $(#[$doc])* $v, )* }
        impl Code {
            pub const ALL: &'static [Code] = &[ $( Code::$v, )* ];
            pub fn as_str(self) -> &'static str { match self { $( Code::$v => $s, )* } }
            pub fn default_severity(self) -> Severity { match self { $( Code::$v => Severity::$sev, )* } }
        }
    };
}

codes! {
    /// A record whose owner is not at or below the apex.
    OutOfZone = "out-of-zone", Error;
    /// The zone has no RRSIG at all: nothing is signed (DESIGN.md principle 1).
    NoRrsig = "no-rrsig", Error;
    /// No SOA at the apex, or more than one.
    SoaCount = "soa-count", Error;
    /// An RRSIG over data that is not authoritative (glue, or data below a
    /// zone cut or a DNAME): RFC 4035 §2.2.
    SignedNonAuthoritative = "signed-non-authoritative", Error;
    /// An RRSIG over the NS RRset of a delegation point (RFC 4035 §2.2:
    /// it "MUST NOT be signed").
    SignedDelegationNs = "signed-delegation-ns", Error;
    /// An authoritative RRset without an RRSIG of an algorithm of the apex
    /// DNSKEY RRset (RFC 4035 §2.2, RFC 6840 §5.11). A present RRSIG that
    /// fails is reported by its own status instead.
    MissingAlgorithm = "missing-algorithm", Error;
    /// An authoritative RRset without any RRSIG.
    Unsigned = "unsigned-rrset", Error;
    /// An RRSIG whose Type Covered is RRSIG (RFC 4035 §2.2: RRSIGs are not signed).
    RrsigOverRrsig = "rrsig-over-rrsig", Error;
    /// The same RR more than once (same owner, class, type and RDATA in
    /// canonical form; RRSIGs included): RFC 2181 §5 makes them one RR, and
    /// every check counts them once. The SOA copy that closes an AXFR-style
    /// dump (RFC 5936 §2.2) is not reported.
    DuplicateRr = "duplicate-rr", Warning;
    /// A failing RRSIG on an RRset that another RRSIG of the same algorithm
    /// validly signs, when downgraded by policy (`--redundant-failures warning`).
    RedundantFailure = "redundant-failure", Warning;
    /// RRSIGs, but not one of them could be verified: every one is of an
    /// unsupported algorithm or key. A zone passes only when at least one
    /// algorithm of its DNSKEY RRset was actually verified (DESIGN.md
    /// principle 1), whatever the policy (`--allow-unsupported` included).
    NothingVerified = "nothing-verified", Error;
    /// A published DNSKEY with the REVOKE flag that does not sign the DNSKEY
    /// RRset (RFC 5011 §2.1: "the key MUST self-sign").
    RevokedNotSelfSigned = "revoked-not-self-signed", Error;
    /// RRSIGs in a zone without an apex DNSKEY RRset.
    NoDnskey = "no-dnskey", Error;
    /// With `--require-ksk`: no valid RRSIG over the DNSKEY RRset by a key
    /// with the SEP flag, for some algorithm.
    NoKskSignature = "no-ksk-signature", Error;
    /// A signed zone with neither NSEC nor NSEC3 records (RFC 4035 §2.3).
    NoDenial = "no-denial", Error;
    /// A DS or CDS whose digest length does not fit its digest type
    /// (SHA-1 20, SHA-256 32, GOST 32, SHA-384 48 octets; RFC 4034 §5.1.4,
    /// RFC 4509, RFC 5933, RFC 6605).
    DsDigestLength = "ds-digest-length", Error;
    /// Two keys of the DNSKEY RRset share algorithm and key tag.
    KeyTagCollision = "key-tag-collision", Warning;
    /// An RSA key below 2048 bits (RFC 8624 §3.1 guidance).
    WeakRsaKey = "weak-rsa-key", Warning;
    /// A DNSKEY that cannot be used: malformed key, unsupported algorithm.
    UnusableDnskey = "unusable-dnskey", Warning;
    /// A CDS that matches no DNSKEY (RFC 7344 §4.1).
    CdsMismatch = "cds-mismatch", Error;
    /// A CDNSKEY that is not in the DNSKEY RRset (RFC 7344 §4.1).
    CdnskeyMismatch = "cdnskey-mismatch", Error;
    /// CDS and CDNSKEY RRsets that name different keys (RFC 7344 §4).
    CdsCdnskeyInconsistent = "cds-cdnskey-inconsistent", Error;
    /// A delete-form CDS/CDNSKEY next to other records (RFC 8078 §4).
    CdsDeleteMixed = "cds-delete-mixed", Error;
    /// No trust anchor matches a DNSKEY that validly signs the DNSKEY RRset.
    TrustAnchorNoMatch = "trust-anchor-no-match", Error;
    /// An authoritative name or delegation without its NSEC (RFC 4035 §2.3).
    NsecMissing = "nsec-missing", Error;
    /// An NSEC where none may be (non-authoritative name), or two at one name.
    NsecExtra = "nsec-extra", Error;
    /// The NSEC next name is not the next name in canonical order, or the
    /// chain does not close at the apex (RFC 4034 §4.1.1).
    NsecChain = "nsec-chain", Error;
    /// The NSEC type bitmap does not list exactly the types at its owner
    /// plus NSEC and RRSIG (RFC 4034 §4.1.2, RFC 4035 §2.3).
    NsecBitmap = "nsec-bitmap", Error;
    /// The NSEC TTL is not min(SOA MINIMUM, SOA TTL) (RFC 9077 §3).
    NsecTtl = "nsec-ttl", Warning;
    /// Both NSEC and NSEC3 records in the zone.
    MixedDenial = "mixed-denial", Error;
    /// No NSEC3PARAM at the apex of an NSEC3 zone, one elsewhere, or one
    /// with flags other than 0 or a hash algorithm other than SHA-1
    /// (RFC 5155 §4, §4.1.2).
    Nsec3Param = "nsec3param", Error;
    /// An NSEC3 whose RDATA cannot be decoded, or whose hash algorithm is not
    /// SHA-1 (RFC 5155 §3.1.1, §11).
    Nsec3Params = "nsec3-params", Error;
    /// An authoritative name or empty non-terminal without its NSEC3, not
    /// covered by an opt-out span (RFC 5155 §7.1).
    Nsec3Missing = "nsec3-missing", Error;
    /// An NSEC3 that matches no name of the zone, or a duplicate.
    Nsec3Extra = "nsec3-extra", Error;
    /// The NSEC3 chain is out of order, overlaps or does not close (RFC 5155 §7.1).
    Nsec3Chain = "nsec3-chain", Error;
    /// The NSEC3 type bitmap does not list exactly the types at its name (RFC 5155 §3.2.1).
    Nsec3Bitmap = "nsec3-bitmap", Error;
    /// NSEC3 iterations above 0 or a salt (RFC 9276 §3.1).
    Nsec3Iterations = "nsec3-iterations", Warning;
    /// A second NSEC3 chain (other hash parameters), named by no NSEC3PARAM,
    /// that lacks the NSEC3 of some names: a chain under construction
    /// (RFC 5155 §4 requires completeness of the chains NSEC3PARAM names).
    Nsec3PartialChain = "nsec3-partial-chain", Warning;
    /// NSEC3 hashing was stopped by the computation bound.
    Nsec3Bound = "nsec3-bound", Error;
    /// The NSEC3 TTL is not min(SOA MINIMUM, SOA TTL) (RFC 9077 §3).
    Nsec3Ttl = "nsec3-ttl", Warning;
    /// An RRset whose TTL differs from the Original TTL of its RRSIG (RFC 4034
    /// §3.1.4: the Original TTL is the TTL of the covered RRset as it appears
    /// in the authoritative zone).
    TtlMismatch = "ttl-mismatch", Error;
    /// RRs of one RRset with different TTLs (RFC 2181 §5.2: they must be equal).
    RrsetTtl = "rrset-ttl", Error;
    /// With `--expire-within`: a valid RRSIG that expires too soon.
    ExpiresSoon = "expires-soon", Error;
    /// With `--inception-margin`: a valid RRSIG whose inception is too recent.
    InceptionTooRecent = "inception-too-recent", Error;
    /// The ZONEMD digest does not match the zone (RFC 8976 §4).
    ZonemdMismatch = "zonemd-mismatch", Error;
    /// With `--require-zonemd`: no ZONEMD at the apex.
    ZonemdMissing = "zonemd-missing", Error;
    /// The ZONEMD serial is not the SOA serial (RFC 8976 §4).
    ZonemdSerial = "zonemd-serial", Error;
    /// Two ZONEMD RRs with the same scheme and hash algorithm (RFC 8976 §2.4).
    ZonemdDuplicate = "zonemd-duplicate", Error;
    /// No ZONEMD with a supported scheme and hash algorithm (RFC 8976 §4):
    /// the digest could not be checked. An error, like an unsupported
    /// RRSIG algorithm; a warning with `--allow-unsupported`.
    ZonemdUnsupported = "zonemd-unsupported", Error;
    /// A malformed ZONEMD: RDATA too short, digest under 12 octets or of the
    /// wrong length for its hash algorithm (RFC 8976 §2.2). (A ZONEMD below
    /// the apex is ordinary data: RFC 8976 Appendix A.2 has one.)
    ZonemdMalformed = "zonemd-malformed", Error;
    /// With `--expect-key` or `--expect-signing-key`: no DNSKEY with that
    /// key tag in the apex DNSKEY RRset.
    ExpectedKeyMissing = "expected-key-missing", Error;
    /// With `--expect-signing-key`: the key does not validly sign the
    /// DNSKEY RRset or, without the SEP flag, some authoritative RRset.
    ExpectedKeyNotSigning = "expected-key-not-signing", Error;
    /// With `--forbid-key`: a DNSKEY or an RRSIG with that key tag.
    ForbiddenKeyPresent = "forbidden-key-present", Error;
    /// With `--expect-algorithm`: no key of that algorithm in the apex
    /// DNSKEY RRset.
    ExpectedAlgorithmMissing = "expected-algorithm-missing", Error;
    /// With `--forbid-algorithm`: a key of that algorithm in the apex
    /// DNSKEY RRset.
    ForbiddenAlgorithmPresent = "forbidden-algorithm-present", Error;
    /// With `--prepublished-algorithm`: an RRSIG of that algorithm whose key
    /// is not published (yet), accepted unverified; its status stays
    /// `no-matching-key` (RFC 6781 §4.1.4).
    PrepublishedSignature = "prepublished-signature", Warning;
    /// With `--prepublished-algorithm`: an authoritative RRset without an
    /// RRSIG of that algorithm.
    PrepublishedMissing = "prepublished-missing", Error;
    /// With `--prepublished-algorithm`: a key of that algorithm is
    /// published, so the zone is past the pre-publication stage.
    PrepublishedKeyPublished = "prepublished-key-published", Error;
    /// With `--previous`: the SOA serial did not increase (RFC 1982), or a
    /// zone has no SOA to compare.
    SerialNotIncreased = "serial-not-increased", Error;
    /// With `--max-change`: more delegations added or removed, or more data
    /// RRsets changed, than the limit allows.
    ChangeLimit = "change-limit", Error;
    /// With `--previous` and `--flag-changes dnskey`: the apex DNSKEY RRset changed.
    ChangedDnskey = "changed-dnskey", Warning;
    /// With `--flag-changes cds`: the apex CDS or CDNSKEY RRset changed.
    ChangedCds = "changed-cds", Warning;
    /// With `--flag-changes ns`: the apex NS RRset changed.
    ChangedNs = "changed-ns", Warning;
    /// With `--flag-changes ds`: DS RRsets added, removed or changed.
    ChangedDs = "changed-ds", Warning;
    /// With `--unsigned`: a record of the unsigned input is not in the signed zone.
    SignerDroppedRecord = "signer-dropped-record", Error;
    /// With `--unsigned`: a data record of the signed zone is not in the unsigned input.
    SignerAddedRecord = "signer-added-record", Error;
    /// With `--unsigned`: a record whose RDATA or TTL the signer changed.
    SignerAlteredRecord = "signer-altered-record", Error;
}

/// One zone-level finding.
#[derive(Clone, Debug)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub owner: Name,
    /// The RR type the finding is about (0 when none).
    pub rtype: u16,
    pub key_tag: Option<u16>,
    /// File index and 1-based line of the record concerned (0: no record).
    pub file: u32,
    pub line: u32,
    pub reason: String,
}

/// Collects findings; severities can be overridden by policy.
#[derive(Debug, Default)]
pub struct Findings {
    pub list: Vec<Finding>,
    pub severity_override: HashMap<Code, Severity>,
}

impl Findings {
    /// Adds a finding about `owner`/`rtype`, located at record `at` if given.
    pub fn add(
        &mut self,
        code: Code,
        owner: &Name,
        rtype: u16,
        key_tag: Option<u16>,
        at: Option<&Record>,
        reason: impl Into<String>,
    ) {
        self.add_at(code, owner, rtype, key_tag, at.map(|r| (r.file, r.line)), reason);
    }

    /// [`Findings::add`] located by (file, line) where the record itself is
    /// no longer at hand.
    pub fn add_at(
        &mut self,
        code: Code,
        owner: &Name,
        rtype: u16,
        key_tag: Option<u16>,
        at: Option<(u32, u32)>,
        reason: impl Into<String>,
    ) {
        let severity = self.severity_override.get(&code).copied().unwrap_or(code.default_severity());
        let (file, line) = at.unwrap_or((0, 0));
        self.list.push(Finding { code, severity, owner: owner.clone(), rtype, key_tag, file, line, reason: reason.into() });
    }
}

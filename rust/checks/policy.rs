//! What the zone-level checks require.

use crate::parse::anchors::Anchor;

/// What the zone-level checks require (DESIGN.md principle 3: strict by
/// default, looser policies opt-in).
#[derive(Clone, Debug)]
pub struct Policy {
    /// Run the zone-level checks at all. `false` verifies RRSIGs only
    /// (`--signatures-only`, for RRset fragments); reports say so.
    pub zone_checks: bool,
    /// Every authoritative RRset must be validly signed by every algorithm
    /// of the apex DNSKEY RRset (RFC 4035 §2.2). `false`: by any one.
    pub every_algorithm: bool,
    /// Report a failing RRSIG as a warning (`redundant-failure`) when another
    /// RRSIG of the same algorithm validly signs the RRset.
    pub redundant_failures_warning: bool,
    /// The DNSKEY RRset must be signed by a SEP key of each algorithm.
    pub require_ksk: bool,
    /// A ZONEMD RRset must be present.
    pub require_zonemd: bool,
    /// Flag valid RRSIGs expiring within this many seconds of `now`.
    pub expire_within: Option<u64>,
    /// Flag valid RRSIGs whose inception is less than this many seconds before `now`.
    pub inception_margin: Option<u64>,
    /// Upper bound on NSEC3 SHA-1 compressions (names x (iterations + 1)),
    /// so hostile parameters cannot hang the check.
    pub nsec3_max_hashes: u64,
    /// RRSIGs whose algorithm or key is unsupported, and a ZONEMD of only
    /// unsupported schemes, are warnings, not errors (`--allow-unsupported`;
    /// never valid, and a zone in which nothing verified still fails).
    pub allow_unsupported: bool,
    /// Trust anchors (`--trust-anchor`); empty: no trust-anchor check.
    pub trust_anchors: Vec<Anchor>,
    /// The publication gate's expectations (`--expect-key`, ...).
    pub expect: Expectations,
    /// The publication gate's comparisons (`--previous`, `--unsigned`).
    pub gate: GatePolicy,
}

/// What the comparisons with the previous version and the unsigned input
/// allow ([`crate::gate`]).
#[derive(Clone, Debug, Default)]
pub struct GatePolicy {
    /// Bound, in percent of the previous zone, on delegations added, on
    /// delegations removed, and on data RRsets added, removed or changed.
    pub max_change: Option<f64>,
    /// Changes since the previous version reported as (warning) findings,
    /// not only as information.
    pub flag_changes: Vec<ChangeKind>,
    /// The signer may add or change CDS and CDNSKEY records (they are not
    /// compared with the unsigned input).
    pub signer_adds_cds: bool,
}

/// A kind of change `flag_changes` can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// The apex DNSKEY RRset.
    Dnskey,
    /// The apex CDS or CDNSKEY RRset.
    Cds,
    /// The apex NS RRset.
    Ns,
    /// DS RRsets.
    Ds,
}

impl ChangeKind {
    pub const ALL: &'static [(ChangeKind, &'static str)] =
        &[(ChangeKind::Dnskey, "dnskey"), (ChangeKind::Cds, "cds"), (ChangeKind::Ns, "ns"), (ChangeKind::Ds, "ds")];

    pub fn from_name(s: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.iter().find(|(_, n)| n.eq_ignore_ascii_case(s)).map(|(k, _)| *k)
    }
}

/// What this stage of a rollover expects of the apex DNSKEY RRset and the
/// signatures ([`crate::checks::expect`]). Key tags and algorithm numbers.
#[derive(Clone, Debug, Default)]
pub struct Expectations {
    /// A DNSKEY with this key tag is in the apex DNSKEY RRset.
    pub keys: Vec<u16>,
    /// ... and validly signs the DNSKEY RRset, and, without the SEP flag,
    /// every authoritative RRset.
    pub signing_keys: Vec<u16>,
    /// No DNSKEY and no RRSIG with this key tag.
    pub forbidden_keys: Vec<u16>,
    /// The apex DNSKEY RRset has a key of this algorithm.
    pub algorithms: Vec<u8>,
    /// The apex DNSKEY RRset has no key of this algorithm.
    pub forbidden_algorithms: Vec<u8>,
    /// Signatures of this algorithm are published ahead of its key (RFC
    /// 6781 §4.1.4): accepted unverified while no key of it is published,
    /// and required on every authoritative RRset.
    pub prepublished_algorithms: Vec<u8>,
}

impl Expectations {
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
            && self.signing_keys.is_empty()
            && self.forbidden_keys.is_empty()
            && self.algorithms.is_empty()
            && self.forbidden_algorithms.is_empty()
            && self.prepublished_algorithms.is_empty()
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            zone_checks: true,
            every_algorithm: true,
            redundant_failures_warning: false,
            require_ksk: false,
            require_zonemd: false,
            expire_within: None,
            inception_margin: None,
            nsec3_max_hashes: 200_000_000,
            allow_unsupported: false,
            trust_anchors: Vec::new(),
            expect: Expectations::default(),
            gate: GatePolicy::default(),
        }
    }
}

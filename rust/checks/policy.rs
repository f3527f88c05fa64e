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
    /// Trust anchors (`--trust-anchor`); empty: no trust-anchor check.
    pub trust_anchors: Vec<Anchor>,
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
            trust_anchors: Vec::new(),
        }
    }
}

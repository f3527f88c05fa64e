//! Zone-level checks (issue 3): structure, completeness per algorithm,
//! keys, TTLs and time margins; NSEC/NSEC3, ZONEMD, CDS and trust anchors
//! live in their own modules and are called from [`run`].

use crate::zone::{Finding, Findings, Policy, Zone};

/// Runs every zone-level check and returns the findings (unsorted).
pub fn run(z: &Zone<'_>, policy: &Policy, _reasons: &[(u32, String)]) -> Vec<Finding> {
    let mut out = Findings::default();
    crate::denial::check_nsec(z, &mut out);
    crate::denial::check_nsec3(z, policy, &mut out);
    crate::zonemd::check_zonemd(z, policy, &mut out);
    crate::anchor::check_cds(z, &mut out);
    if !policy.trust_anchors.is_empty() {
        crate::anchor::check_trust_anchor(z, &policy.trust_anchors, &mut out);
    }
    out.list
}

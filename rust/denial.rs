//! Authenticated denial: NSEC (RFC 4034 §4, RFC 4035 §2.3) and NSEC3
//! (RFC 5155, RFC 9276) chains and bitmaps. STUB: interface fixed.

use crate::zone::{Findings, Policy, Zone};

/// NSEC checks; does nothing when the zone has no NSEC records.
pub fn check_nsec(_z: &Zone<'_>, _out: &mut Findings) {}

/// NSEC3 checks; does nothing when the zone has no NSEC3/NSEC3PARAM records.
pub fn check_nsec3(_z: &Zone<'_>, _policy: &Policy, _out: &mut Findings) {}

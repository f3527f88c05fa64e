//! ZONEMD (RFC 8976). STUB: interface fixed, being written.

use crate::zone::{Findings, Policy, Zone};

/// Verifies the apex ZONEMD RRset (SIMPLE scheme, SHA-384 and SHA-512).
pub fn check_zonemd(_z: &Zone<'_>, _policy: &Policy, _out: &mut Findings) {}

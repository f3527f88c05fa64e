//! Trust anchors, DS digests and CDS/CDNSKEY (RFC 4034 §5, RFC 7344,
//! RFC 8078, IANA root-anchors.xml). STUB: interface fixed, being written.

use crate::error::CoreError;
use crate::zone::{Findings, Zone};

/// One trust anchor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// A DS: key tag, algorithm, digest type, digest.
    Ds { key_tag: u16, algorithm: u8, digest_type: u8, digest: Vec<u8> },
    /// A DNSKEY, as wire RDATA.
    Dnskey(Vec<u8>),
}

/// Parses a trust-anchor file: zone-file text holding a DS RRset or a
/// DNSKEY RRset, or IANA's `root-anchors.xml`. `filename` for messages.
pub fn parse_anchors(_text: &[u8], filename: &str) -> Result<Vec<Anchor>, CoreError> {
    Err(CoreError::parse(filename, 0, 0, "trust anchors not supported yet"))
}

/// DS digest (RFC 4034 §5.1.4) of a DNSKEY for digest types 1 (SHA-1),
/// 2 (SHA-256), 4 (SHA-384); `None` for others.
pub fn ds_digest(_owner: &crate::name::Name, _dnskey_rdata: &[u8], _digest_type: u8) -> Option<Vec<u8>> {
    None
}

/// With anchors: at least one must match an apex DNSKEY that validly signs
/// the DNSKEY RRset (`trust-anchor-no-match` otherwise).
pub fn check_trust_anchor(_z: &Zone<'_>, _anchors: &[Anchor], _out: &mut Findings) {}

/// CDS/CDNSKEY at the apex: each must match a DNSKEY, the two sets must name
/// the same keys, delete forms stand alone (RFC 7344 §4, RFC 8078 §4).
pub fn check_cds(_z: &Zone<'_>, _out: &mut Findings) {}

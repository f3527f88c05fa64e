//! Canonical form and RRSIG signed data (RFC 4034 §3.1.8.1, §6; RFC 6840
//! §5.1). STUB: interface fixed, body being written.

use crate::name::Name;

/// The fields of an RRSIG RDATA (RFC 4034 §3.1), borrowing the RDATA.
#[derive(Clone, Debug)]
pub struct Rrsig<'a> {
    pub type_covered: u16,
    pub algorithm: u8,
    pub labels: u8,
    pub original_ttl: u32,
    pub expiration: u32,
    pub inception: u32,
    pub key_tag: u16,
    /// Signer's name as written (not lower-cased).
    pub signer: Name,
    /// The RDATA up to the signature: the 18 octets of fixed fields and the
    /// signer's name as written.
    pub header: &'a [u8],
    pub signature: &'a [u8],
}

/// Splits RRSIG RDATA into its fields; `None` if it is too short or the
/// signer's name is not a valid uncompressed name.
pub fn parse_rrsig(_rdata: &[u8]) -> Option<Rrsig<'_>> {
    None
}

/// Canonical RDATA of one RR of type `rtype`, appended to `out`. Returns
/// false (and appends the RDATA unchanged) if the RDATA is malformed for
/// its type.
pub fn canonical_rdata(_rtype: u16, rdata: &[u8], out: &mut Vec<u8>) -> bool {
    out.extend_from_slice(rdata);
    true
}

/// The RDATAs of one RRset in canonical form, sorted in canonical RR order
/// (RFC 4034 §6.3) with duplicates removed (§6.3, RFC 2181 §5).
pub fn sorted_canonical_rdatas<'a, I: IntoIterator<Item = &'a [u8]>>(rtype: u16, rdatas: I) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = rdatas
        .into_iter()
        .map(|r| {
            let mut o = Vec::new();
            canonical_rdata(rtype, r, &mut o);
            o
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Writes the data an RRSIG signs (RFC 4034 §3.1.8.1) into `buf`, which is
/// cleared first: the RRSIG RDATA without signature, signer lower-cased;
/// then every RR of the RRset in canonical form with the RRSIG's original
/// TTL, owner lower-cased and, when the RRSIG Labels field is smaller than
/// the owner's label count, replaced by the wildcard it was expanded from
/// (RFC 4035 §5.3.2). `canonical_rdatas` comes from
/// [`sorted_canonical_rdatas`].
pub fn signed_data(
    buf: &mut Vec<u8>,
    _rrsig: &Rrsig<'_>,
    _owner: &Name,
    _class: u16,
    _canonical_rdatas: &[Vec<u8>],
) {
    buf.clear();
}

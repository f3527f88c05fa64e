//! Canonical form and RRSIG signed data (RFC 4034 §3.1.8.1, §6; RFC 6840
//! §5.1).
//!
//! RFC 4034 §6.2, "Canonical RR Form": "For the purposes of DNS security,
//! the canonical form of an RR is the wire format of the RR where:
//!  1. every domain name in the RR is fully expanded (no DNS name
//!     compression) and fully qualified;
//!  2. all uppercase US-ASCII letters in the owner name of the RR are
//!     replaced by the corresponding lowercase US-ASCII letters;
//!  3. if the type of the RR is NS, MD, MF, CNAME, SOA, MB, MG, MR, PTR,
//!     HINFO, MINFO, MX, HINFO, RP, AFSDB, RT, SIG, PX, NXT, NAPTR, KX,
//!     SRV, DNAME, A6, RRSIG, or NSEC, all uppercase US-ASCII letters in
//!     the DNS names contained within the RDATA are replaced by the
//!     corresponding lowercase US-ASCII letters;
//!  4. if the owner name of the RR is a wildcard name, the owner name is in
//!     its original unexpanded form, including the "*" label (no wildcard
//!     substitution); and
//!  5. the RR's TTL is set to its original value as it appears in the
//!     originating authoritative zone or the Original TTL field of the
//!     covering RRSIG RR."
//!
//! RFC 6840 §5.1 corrects item 3: "When canonicalizing DNS names (for both
//! ordering and signing), DNS names in the RDATA section of NSEC resource
//! records are not converted to lowercase. DNS names in the RDATA section
//! of RRSIG resource records are converted to lowercase." and "Section 6.2
//! of [RFC4034] also erroneously lists HINFO as a record that needs
//! downcasing, and twice at that. Since HINFO records contain no domain
//! names, they are not subject to downcasing."
//!
//! Names in RDATA arrive here uncompressed (the parser writes them so), so
//! item 1 holds already.

use crate::name::{wire_len, Name};

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

/// Octets of the fixed RRSIG fields before the signer's name.
const RRSIG_FIXED: usize = 18;

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_be_bytes([b[i], b[i + 1]])
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

/// Splits RRSIG RDATA into its fields; `None` if it is too short or the
/// signer's name is not a valid uncompressed name. An empty signature is
/// returned as such (the verifier reports it as not verifying).
pub fn parse_rrsig(rdata: &[u8]) -> Option<Rrsig<'_>> {
    if rdata.len() <= RRSIG_FIXED {
        return None;
    }
    let (signer, used) = Name::from_wire(&rdata[RRSIG_FIXED..])?;
    let end = RRSIG_FIXED + used;
    Some(Rrsig {
        type_covered: u16_at(rdata, 0),
        algorithm: rdata[2],
        labels: rdata[3],
        original_ttl: u32_at(rdata, 4),
        expiration: u32_at(rdata, 8),
        inception: u32_at(rdata, 12),
        key_tag: u16_at(rdata, 16),
        signer,
        header: &rdata[..end],
        signature: &rdata[end..],
    })
}

/// One field of an RDATA layout.
#[derive(Clone, Copy)]
enum Field {
    /// A fixed number of octets.
    Fixed(usize),
    /// An uncompressed domain name that RFC 4034 §6.2 (as corrected by RFC
    /// 6840 §5.1) lower-cases.
    Dname,
    /// An uncompressed domain name kept as written (NSEC next name).
    DnameKeepCase,
    /// A `<character-string>`: length octet and that many octets.
    CharString,
    /// Whatever remains (possibly nothing).
    Rest,
}

use Field::*;

/// The wire layout of the RDATA of each type that has names to fold, and
/// of NSEC and HINFO, which RFC 6840 §5.1 took off the list (parsed only to
/// check the RDATA is well formed). `None`: the RDATA is copied unchanged.
/// A6 is handled apart (its layout depends on the prefix length).
fn layout(rtype: u16) -> Option<&'static [Field]> {
    Some(match rtype {
        // NS, MD, MF, CNAME, MB, MG, MR, PTR, DNAME: one name.
        2 | 3 | 4 | 5 | 7 | 8 | 9 | 12 | 39 => &[Dname],
        // SOA: MNAME, RNAME, SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM.
        6 => &[Dname, Dname, Fixed(20)],
        // HINFO: CPU and OS character-strings; no names (RFC 6840 §5.1).
        13 => &[CharString, CharString],
        // MINFO (RMAILBX, EMAILBX), RP (mbox, txt).
        14 | 17 => &[Dname, Dname],
        // MX, AFSDB, RT, KX: 16-bit preference/subtype, then a name.
        15 | 18 | 21 | 36 => &[Fixed(2), Dname],
        // SIG, RRSIG: 18 octets of fixed fields, signer's name, signature.
        24 | 46 => &[Fixed(RRSIG_FIXED), Dname, Rest],
        // PX: PREFERENCE, MAP822, MAPX400.
        26 => &[Fixed(2), Dname, Dname],
        // NXT (RFC 2535 §5.2): next name, type bitmap. Still on the list.
        30 => &[Dname, Rest],
        // SRV: priority, weight, port, target.
        33 => &[Fixed(6), Dname],
        // NAPTR (RFC 3403 §4.1): ORDER, PREFERENCE, FLAGS, SERVICES,
        // REGEXP (character-strings, kept as written), REPLACEMENT.
        35 => &[Fixed(4), CharString, CharString, CharString, Dname],
        // NSEC: next domain name kept as written (RFC 6840 §5.1), bitmaps.
        47 => &[DnameKeepCase, Rest],
        _ => return None,
    })
}

/// The ranges of `rdata` holding names to lower-case, at most `N` of them,
/// or `None` when the RDATA does not fit the layout exactly.
fn name_ranges(fields: &[Field], rdata: &[u8], found: &mut [(usize, usize); 2]) -> Option<usize> {
    let mut p = 0;
    let mut k = 0;
    for f in fields {
        let rest = rdata.get(p..)?;
        match *f {
            Fixed(n) => {
                if rest.len() < n {
                    return None;
                }
                p += n;
            }
            Dname | DnameKeepCase => {
                let l = wire_len(rest)?;
                if let Dname = *f {
                    *found.get_mut(k)? = (p, p + l);
                    k += 1;
                }
                p += l;
            }
            CharString => {
                let l = *rest.first()? as usize;
                if rest.len() < 1 + l {
                    return None;
                }
                p += 1 + l;
            }
            Rest => p = rdata.len(),
        }
    }
    (p == rdata.len()).then_some(k)
}

/// A6 (RFC 2874 §3.1.1): "PREFIX LEN (1 octet, 0..128), ADDRESS SUFFIX
/// (0..16 octets: enough octets for 128 - PREFIX LEN bits), PREFIX NAME
/// (present only when PREFIX LEN is non-zero)". Returns the range of the
/// prefix name (empty when there is none).
fn a6_name_range(rdata: &[u8]) -> Option<(usize, usize)> {
    let plen = *rdata.first()? as usize;
    if plen > 128 {
        return None;
    }
    let start = 1 + (128 - plen).div_ceil(8);
    if rdata.len() < start {
        return None;
    }
    if plen == 0 {
        return (rdata.len() == start).then_some((start, start));
    }
    let l = wire_len(&rdata[start..])?;
    (start + l == rdata.len()).then_some((start, start + l))
}

/// Canonical RDATA of one RR of type `rtype`, appended to `out`. Returns
/// false (and appends the RDATA unchanged) if the RDATA is malformed for
/// its type.
///
/// Lower-cases the names embedded in the RDATA of exactly the types of RFC
/// 4034 §6.2 item 3 less NSEC (RFC 6840 §5.1): NS, MD, MF, CNAME, SOA, MB,
/// MG, MR, PTR, MINFO, MX, RP, AFSDB, RT, SIG, PX, NXT, NAPTR (its
/// REPLACEMENT only), KX, SRV, DNAME, A6 (its prefix name) and RRSIG (its
/// signer's name). HINFO holds character-strings only, which keep their
/// case; NSEC's next name keeps its case. Every other type is copied as is.
pub fn canonical_rdata(rtype: u16, rdata: &[u8], out: &mut Vec<u8>) -> bool {
    let start = out.len();
    out.extend_from_slice(rdata);
    let mut ranges = [(0usize, 0usize); 2];
    let n = if rtype == 38 {
        match a6_name_range(rdata) {
            Some(r) => {
                ranges[0] = r;
                1
            }
            None => return false,
        }
    } else {
        match layout(rtype) {
            None => return true,
            Some(fields) => match name_ranges(fields, rdata, &mut ranges) {
                Some(n) => n,
                None => return false,
            },
        }
    };
    for &(a, b) in &ranges[..n] {
        // Length octets are at most 63, below b'A', so folding the whole
        // wire form only touches label octets.
        out[start + a..start + b].make_ascii_lowercase();
    }
    true
}

/// The RDATAs of one RRset in canonical form, sorted in canonical RR order
/// (RFC 4034 §6.3) with duplicates removed (§6.3, RFC 2181 §5).
///
/// RFC 4034 §6.3: "RRs with the same owner name, class, and type are sorted
/// by treating the RDATA portion of the canonical form of each RR as a
/// left-justified unsigned octet sequence in which the absence of an octet
/// sorts before a zero octet." (the order of `Vec<u8>`), and "[RFC2181]
/// specifies that an RRset is not allowed to contain duplicate records
/// (multiple RRs with the same owner name, class, type, and RDATA).
/// Therefore, if an implementation detects duplicate RRs when putting the
/// RRset in canonical form, it MUST treat this as a protocol error. If the
/// implementation chooses to handle this protocol error in the spirit of
/// the robustness principle (being liberal in what it accepts), it MUST
/// remove all but one of the duplicate RR(s) for the purposes of
/// calculating the canonical form of the RRset." Duplicates are compared
/// in canonical form, so RDATAs differing only in the case of a folded
/// name are one.
pub fn sorted_canonical_rdatas<'a, I: IntoIterator<Item = &'a [u8]>>(rtype: u16, rdatas: I) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = rdatas
        .into_iter()
        .map(|r| {
            let mut o = Vec::with_capacity(r.len());
            canonical_rdata(rtype, r, &mut o);
            o
        })
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Offset in `owner`'s wire form where its rightmost `labels` labels start
/// (0 when it has no more than that).
fn suffix_offset(owner: &[u8], labels: usize) -> usize {
    let mut offs = 0usize;
    let mut count = 0usize;
    let mut p = 0usize;
    while p < owner.len() && owner[p] != 0 {
        count += 1;
        p += 1 + owner[p] as usize;
    }
    let skip = count.saturating_sub(labels);
    for _ in 0..skip {
        offs += 1 + owner[offs] as usize;
    }
    offs
}

/// Writes the data an RRSIG signs (RFC 4034 §3.1.8.1) into `buf`, which is
/// cleared first: the RRSIG RDATA without signature, signer lower-cased;
/// then every RR of the RRset in canonical form with the RRSIG's original
/// TTL, owner lower-cased and, when the RRSIG Labels field is smaller than
/// the owner's label count, replaced by the wildcard it was expanded from
/// (RFC 4035 §5.3.2). `canonical_rdatas` comes from
/// [`sorted_canonical_rdatas`].
///
/// RFC 4034 §3.1.8.1: "signature = sign(RRSIG_RDATA | RR(1) | RR(2)... )
/// where "|" denotes concatenation; RRSIG_RDATA is the wire format of the
/// RRSIG RDATA fields with the Signer's Name field in canonical form and
/// the Signature field excluded; RR(i) = owner | type | class | TTL |
/// RDATA length | RDATA". RFC 4035 §5.3.2 reconstructs the owner name:
///
/// ```text
/// if rrsig_labels = fqdn_labelcount,
///             name = fqdn
/// if rrsig_labels < fqdn_labelcount,
///             name = "*." |
///                      the rightmost rrsig_label labels of the
///                      fqdn
/// if rrsig_labels > fqdn_labelcount
///             the RRSIG RR did not pass the necessary validation
///             checks and MUST NOT be used to authenticate this
///             RRset.
/// ```
///
/// (the verifier rejects the last case before calling this; here the owner
/// is then used as is.) `fqdn_labelcount` does not count a leading `*`
/// label ([`Name::rrsig_labels`]), so an unexpanded wildcard owner stays.
///
/// Allocation-free when `buf` already has the capacity.
pub fn signed_data(
    buf: &mut Vec<u8>,
    rrsig: &Rrsig<'_>,
    owner: &Name,
    class: u16,
    canonical_rdatas: &[Vec<u8>],
) {
    buf.clear();
    let ow = owner.as_wire();
    let labels = rrsig.labels as usize;
    let (wild, suffix) = if labels < owner.rrsig_labels() {
        (true, &ow[suffix_offset(ow, labels)..])
    } else {
        (false, ow)
    };
    let owner_len = suffix.len() + if wild { 2 } else { 0 };
    let total = rrsig.header.len()
        + canonical_rdatas.iter().map(|r| owner_len + 10 + r.len()).sum::<usize>();
    buf.reserve(total);

    let h = rrsig.header;
    let fixed = RRSIG_FIXED.min(h.len());
    buf.extend_from_slice(&h[..fixed]);
    let signer_at = buf.len();
    buf.extend_from_slice(&h[fixed..]);
    buf[signer_at..].make_ascii_lowercase();

    let ttl = rrsig.original_ttl.to_be_bytes();
    let rtype = rrsig.type_covered.to_be_bytes();
    let class = class.to_be_bytes();
    let mut owner_at: Option<usize> = None;
    for rd in canonical_rdatas {
        match owner_at {
            Some(at) => buf.extend_from_within(at..at + owner_len),
            None => {
                let at = buf.len();
                if wild {
                    buf.extend_from_slice(&[1, b'*']);
                }
                buf.extend_from_slice(suffix);
                buf[at..].make_ascii_lowercase();
                owner_at = Some(at);
            }
        }
        buf.extend_from_slice(&rtype);
        buf.extend_from_slice(&class);
        buf.extend_from_slice(&ttl);
        buf.extend_from_slice(&(rd.len().min(u16::MAX as usize) as u16).to_be_bytes());
        buf.extend_from_slice(rd);
    }
}

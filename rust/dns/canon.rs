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

use crate::dns::name::{wire_len, Name};

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
    /// Signer's name as written (not lower-cased), in wire form: a valid
    /// uncompressed name, borrowed from the RDATA (an RRSIG is parsed
    /// several times per run; [`Rrsig::signer_name`] makes a [`Name`]).
    pub signer: &'a [u8],
    /// The RDATA up to the signature: the 18 octets of fixed fields and the
    /// signer's name as written.
    pub header: &'a [u8],
    pub signature: &'a [u8],
}

impl Rrsig<'_> {
    /// The signer's name as a [`Name`] (allocates; for messages).
    pub fn signer_name(&self) -> Name {
        Name::from_wire(self.signer).map(|(n, _)| n).expect("parse_rrsig checked the signer's name")
    }

    /// Whether the signer's name is `name`, ASCII case ignored.
    pub fn signer_is(&self, name: &Name) -> bool {
        self.signer.eq_ignore_ascii_case(name.as_wire())
    }
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
    let used = crate::dns::name::wire_len(&rdata[RRSIG_FIXED..])?;
    let end = RRSIG_FIXED + used;
    let signer = &rdata[RRSIG_FIXED..end];
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

/// Where the SERIAL field starts in SOA RDATA (after MNAME and RNAME), if
/// the RDATA holds it.
pub fn soa_serial_at(rdata: &[u8]) -> Option<usize> {
    let a = wire_len(rdata)?;
    let p = a + wire_len(rdata.get(a..)?)?;
    (rdata.len() >= p + 4).then_some(p)
}

/// The SERIAL of SOA RDATA (RFC 1035 §3.3.13), if it holds one.
pub fn soa_serial(rdata: &[u8]) -> Option<u32> {
    let p = soa_serial_at(rdata)?;
    Some(u32::from_be_bytes(rdata[p..p + 4].try_into().ok()?))
}

/// Whether a receiver decompresses the names in this type's RDATA (RFC
/// 3597 §4): the well-known types of RFC 1035, and RP, AFSDB, RT, SIG, PX,
/// NXT, NAPTR and SRV, which older specifications let senders compress.
/// Any other type's RDATA is taken as it is.
pub fn rdata_may_be_compressed(rtype: u16) -> bool {
    matches!(rtype, 2..=9 | 12 | 14 | 15 | 17 | 18 | 21 | 24 | 26 | 30 | 33 | 35)
}

/// The RDATA at `msg[start..start + len]` with every name written out in
/// full (RFC 1035 §4.1.4 pointers followed, `read_name` reads one name at
/// a position of the message and returns it with the position after it),
/// for the types of [`rdata_may_be_compressed`]; other types are copied.
/// `None` when the RDATA does not fit its type's layout or a name is bad.
pub fn decompress_rdata(
    rtype: u16,
    msg: &[u8],
    start: usize,
    len: usize,
    read_name: impl Fn(&[u8], usize) -> Option<(Vec<u8>, usize)>,
) -> Option<Vec<u8>> {
    let end = start.checked_add(len).filter(|&e| e <= msg.len())?;
    let fields = match layout(rtype) {
        Some(f) if rdata_may_be_compressed(rtype) => f,
        _ => return Some(msg[start..end].to_vec()),
    };
    let mut out = Vec::with_capacity(len + 32);
    let mut p = start;
    for f in fields {
        match *f {
            Fixed(n) => {
                out.extend_from_slice(msg.get(p..p + n).filter(|_| p + n <= end)?);
                p += n;
            }
            Dname | DnameKeepCase => {
                let (name, next) = read_name(&msg[..end], p)?;
                out.extend_from_slice(&name);
                p = next;
            }
            CharString => {
                let l = *msg.get(p).filter(|_| p < end)? as usize;
                out.extend_from_slice(msg.get(p..p + 1 + l).filter(|_| p + 1 + l <= end)?);
                p += 1 + l;
            }
            Rest => {
                out.extend_from_slice(&msg[p..end]);
                p = end;
            }
        }
    }
    (p == end).then_some(out)
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

/// A6 (RFC 2874 §3.1.1), in short: a prefix length octet (0..=128); the
/// address suffix in the fewest octets that hold 128 - prefix length bits;
/// the prefix name, present only when the prefix length is not zero.
/// Returns the range of the prefix name (empty when there is none).
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

/// Whether two RDATAs of type `rtype` are equal in canonical form (RFC 4034
/// §6.2): the test for identical RRs (RFC 2181 §5). Allocation-free unless
/// they differ only in letter case.
pub fn same_rdata(rtype: u16, a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() || !a.eq_ignore_ascii_case(b) {
        // Canonical form only folds letters: equal forms are equal ignoring case.
        return false;
    }
    if a == b {
        return true;
    }
    let (mut ca, mut cb) = (Vec::with_capacity(a.len()), Vec::with_capacity(b.len()));
    canonical_rdata(rtype, a, &mut ca) && canonical_rdata(rtype, b, &mut cb) && ca == cb
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sig::crypto::testutil::{corpus_records, Lcg};
    use crate::sig::crypto::Dnskey;
    use crate::dns::rrtype;

    fn n(s: &str) -> Name {
        Name::from_text(s, None).unwrap()
    }

    fn w(s: &str) -> Vec<u8> {
        n(s).as_wire().to_vec()
    }

    fn canon(rtype: u16, rd: &[u8]) -> (bool, Vec<u8>) {
        let mut out = vec![0xee]; // appended after what is there
        let ok = canonical_rdata(rtype, rd, &mut out);
        assert_eq!(out[0], 0xee);
        assert_eq!(out.len(), 1 + rd.len());
        (ok, out[1..].to_vec())
    }

    fn cat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    #[test]
    fn lower_cases_names_of_listed_types() {
        // MX: preference then a name.
        let (ok, c) = canon(rrtype::MX, &cat(&[&[0, 10], &w("Mail.EXAMPLE.com.")]));
        assert!(ok);
        assert_eq!(c, cat(&[&[0, 10], &w("mail.example.com.")]));
        // SOA: both names, not the numbers (0x41 = 'A' in a number stays).
        let nums = [0x41u8; 20];
        let (ok, c) = canon(rrtype::SOA, &cat(&[&w("NS1.Example."), &w("HostMaster.Example."), &nums]));
        assert!(ok);
        assert_eq!(c, cat(&[&w("ns1.example."), &w("hostmaster.example."), &nums]));
        // Single-name types.
        for t in [2u16, 3, 4, 5, 7, 8, 9, 12, 39] {
            assert_eq!(canon(t, &w("A.B.C.")), (true, w("a.b.c.")), "type {t}");
        }
        // Two names: MINFO, RP; u16 + name: AFSDB, RT, KX; PX; SRV.
        for t in [14u16, 17] {
            assert_eq!(canon(t, &cat(&[&w("X.Y."), &w("Z.")])), (true, cat(&[&w("x.y."), &w("z.")])));
        }
        for t in [18u16, 21, 36] {
            assert_eq!(canon(t, &cat(&[&[0, 0x41], &w("Q.")])), (true, cat(&[&[0, 0x41], &w("q.")])));
        }
        assert_eq!(
            canon(26, &cat(&[&[0, 1], &w("A."), &w("B.")])),
            (true, cat(&[&[0, 1], &w("a."), &w("b.")]))
        );
        assert_eq!(
            canon(rrtype::SRV, &cat(&[&[0x41; 6], &w("SIP.Example.")])),
            (true, cat(&[&[0x41; 6], &w("sip.example.")]))
        );
        // NXT (still listed): next name lower-cased, bitmap kept.
        assert_eq!(canon(30, &cat(&[&w("NEXT."), &[0x41, 0x42]])), (true, cat(&[&w("next."), &[0x41, 0x42]])));
        // Types not on the list are copied as is.
        for t in [rrtype::A, rrtype::TXT, rrtype::DNSKEY, rrtype::DS, rrtype::NSEC3, 99, 65000] {
            assert_eq!(canon(t, b"\x03ABC\x00"), (true, b"\x03ABC\x00".to_vec()));
        }
    }

    #[test]
    fn rrsig_and_sig_signer_lower_cased() {
        let fixed = [0x41u8; 18];
        let rd = cat(&[&fixed, &w("Example.COM."), b"SIGNATURE"]);
        for t in [rrtype::RRSIG, 24] {
            let (ok, c) = canon(t, &rd);
            assert!(ok);
            assert_eq!(c, cat(&[&fixed, &w("example.com."), b"SIGNATURE"]));
        }
    }

    #[test]
    fn nsec_next_name_keeps_case_rfc6840() {
        let rd = cat(&[&w("C.in-addr-servers.ARPA."), &[0, 1, 0x40]]);
        assert_eq!(canon(rrtype::NSEC, &rd), (true, rd.clone()));
        // Malformed NSEC still reported.
        assert!(!canon(rrtype::NSEC, &[3, b'a']).0);
    }

    #[test]
    fn hinfo_keeps_case() {
        let rd = b"\x07INTEL-X\x05Linux".to_vec();
        assert_eq!(canon(13, &rd), (true, rd.clone()));
        assert!(!canon(13, b"\x07INTEL").0);
        assert!(!canon(13, b"\x01A\x01B\x00").0);
    }

    #[test]
    fn naptr_only_replacement() {
        let rd = cat(&[&[0, 100, 0, 10], b"\x01U", b"\x07E2U+SIP", b"\x04!A!B", &w("SIP.Example.")]);
        let want = cat(&[&[0, 100, 0, 10], b"\x01U", b"\x07E2U+SIP", b"\x04!A!B", &w("sip.example.")]);
        assert_eq!(canon(35, &rd), (true, want));
        assert!(!canon(35, &rd[..rd.len() - 1]).0);
    }

    #[test]
    fn a6_prefix_name() {
        // Prefix length 64: 8 octets of suffix, then the prefix name.
        let rd = cat(&[&[64], &[0x41; 8], &w("Prefix.Example.")]);
        assert_eq!(canon(38, &rd), (true, cat(&[&[64], &[0x41; 8], &w("prefix.example.")])));
        // Prefix length 0: 16 octets, no name.
        let rd0 = cat(&[&[0], &[0x41; 16]]);
        assert_eq!(canon(38, &rd0), (true, rd0.clone()));
        assert!(!canon(38, &cat(&[&rd0, &[0]])).0);
        // Prefix length 128: no suffix, a name.
        assert_eq!(canon(38, &cat(&[&[128], &w("P.")])), (true, cat(&[&[128], &w("p.")])));
        // Prefix length 65 takes ceil(63/8) = 8 octets.
        assert_eq!(canon(38, &cat(&[&[65], &[1; 8], &w("P.")])), (true, cat(&[&[65], &[1; 8], &w("p.")])));
        assert!(!canon(38, &[129]).0);
        assert!(!canon(38, &[]).0);
    }

    #[test]
    fn malformed_is_copied_and_reported() {
        // Trailing octets after the name, truncated name, compression pointer.
        for rd in [cat(&[&w("a."), &[0]]), vec![3, b'A', b'B'], vec![0xc0, 0x0c], vec![]] {
            let (ok, c) = canon(rrtype::NS, &rd);
            assert!(!ok);
            assert_eq!(c, rd);
        }
        let rd = cat(&[&[0, 10], &[1, b'M']]);
        assert_eq!(canon(rrtype::MX, &rd), (false, rd.clone()));
        let rd = cat(&[&w("A."), &w("B."), &[0; 19]]);
        assert_eq!(canon(rrtype::SOA, &rd), (false, rd.clone()));
        // A malformed RRSIG is not partly lower-cased.
        let rd = cat(&[&[0; 17]]);
        assert_eq!(canon(rrtype::RRSIG, &rd), (false, rd.clone()));
    }

    #[test]
    fn parse_rrsig_fields() {
        let rd = cat(&[
            &[0, 1, 13, 3, 0, 0, 0x0e, 0x10],
            &[0x4c, 0x88, 0x3e, 0x17, 0x4c, 0x63, 0xc9, 0x97, 0xd9, 0x60],
            &w("Example.NET."),
            &[9, 8, 7],
        ]);
        let s = parse_rrsig(&rd).unwrap();
        assert_eq!((s.type_covered, s.algorithm, s.labels, s.original_ttl), (1, 13, 3, 3600));
        assert_eq!((s.expiration, s.inception, s.key_tag), (0x4c883e17, 0x4c63c997, 55648));
        assert_eq!(s.signer, w("Example.NET.").as_slice());
        assert_eq!(s.header, &rd[..rd.len() - 3]);
        assert_eq!(s.signature, &[9, 8, 7]);
        // An empty signature is returned as such.
        assert!(parse_rrsig(&rd[..rd.len() - 3]).unwrap().signature.is_empty());
        assert!(parse_rrsig(&rd[..18]).is_none());
        assert!(parse_rrsig(&rd[..20]).is_none());
        let mut bad = rd[..18].to_vec();
        bad.extend_from_slice(&[0xc0, 0x0c]);
        assert!(parse_rrsig(&bad).is_none());
    }

    fn rrsig_rd(covered: u16, labels: u8, ttl: u32, signer: &str) -> Vec<u8> {
        cat(&[
            &covered.to_be_bytes(),
            &[8, labels],
            &ttl.to_be_bytes(),
            &[0, 0, 0, 2, 0, 0, 0, 1, 0x12, 0x34],
            &w(signer),
            b"sig",
        ])
    }

    #[test]
    fn signed_data_layout() {
        let rd = rrsig_rd(rrtype::MX, 2, 3600, "EXAMPLE.");
        let sig = parse_rrsig(&rd).unwrap();
        let mx = |p: u8, s: &str| cat(&[&[0, p], &w(s)]);
        let set = sorted_canonical_rdatas(
            rrtype::MX,
            [mx(2, "B.example."), mx(1, "z.example."), mx(2, "b.example.")].iter().map(|v| v.as_slice()),
        );
        // Duplicates (after case folding) removed, sorted as octet strings.
        assert_eq!(set, vec![mx(1, "z.example."), mx(2, "b.example.")]);
        let mut buf = Vec::new();
        signed_data(&mut buf, &sig, &n("Host.Example."), 1, &set);
        let mut want = cat(&[&rd[..18], &w("example.")]);
        for r in &set {
            want.extend(cat(&[
                &w("host.example."),
                &[0, 15, 0, 1],
                &3600u32.to_be_bytes(),
                &(r.len() as u16).to_be_bytes(),
                r,
            ]));
        }
        assert_eq!(buf, want);
        // The same with a lower-case owner, and with a reused buffer.
        let cap = buf.capacity();
        let ptr = buf.as_ptr();
        signed_data(&mut buf, &sig, &n("host.example."), 1, &set);
        assert_eq!(buf, want);
        assert_eq!((buf.capacity(), buf.as_ptr()), (cap, ptr), "no reallocation");
    }

    #[test]
    fn canonical_order_shorter_first() {
        let set = sorted_canonical_rdatas(rrtype::TXT, [&b"\x02ab"[..], b"\x01a", b"\x02aa", b"\x01a"]);
        assert_eq!(set, vec![b"\x01a".to_vec(), b"\x02aa".to_vec(), b"\x02ab".to_vec()]);
        // §6.3: absence of an octet sorts before a zero octet.
        let set = sorted_canonical_rdatas(rrtype::A, [&[1u8, 2, 3, 4, 0][..], &[1, 2, 3, 4]]);
        assert_eq!(set, vec![vec![1, 2, 3, 4], vec![1, 2, 3, 4, 0]]);
    }

    #[test]
    fn wildcard_owner_rfc4035_appendix_a() {
        // RFC 4035 App. A/B.6: a.z.w.example. MX signed with labels 2 as
        // *.w.example. MX.
        let rd = rrsig_rd(rrtype::MX, 2, 3600, "example.");
        let sig = parse_rrsig(&rd).unwrap();
        let set = vec![cat(&[&[0, 1], &w("ai.example.")])];
        let mut expanded = Vec::new();
        signed_data(&mut expanded, &sig, &n("a.Z.w.example."), 1, &set);
        let mut direct = Vec::new();
        signed_data(&mut direct, &sig, &n("*.w.example."), 1, &set);
        assert_eq!(expanded, direct);
        let owner_at = rd.len() - 3;
        let star = w("*.w.example.");
        assert_eq!(&expanded[owner_at..owner_at + star.len()], star.as_slice());
        // Labels 1: *.example.; labels 0: *. (the root wildcard).
        for (labels, src) in [(1u8, "*.example."), (0, "*.")] {
            let rd = rrsig_rd(rrtype::MX, labels, 3600, "example.");
            let sig = parse_rrsig(&rd).unwrap();
            let mut a = Vec::new();
            signed_data(&mut a, &sig, &n("a.z.w.example."), 1, &set);
            let mut b = Vec::new();
            signed_data(&mut b, &sig, &n(src), 1, &set);
            assert_eq!(a, b, "labels {labels}");
        }
        // Labels above the owner's count: the owner as is, no panic.
        let rd = rrsig_rd(rrtype::MX, 9, 3600, "example.");
        let sig = parse_rrsig(&rd).unwrap();
        let mut a = Vec::new();
        signed_data(&mut a, &sig, &n("w.Example."), 1, &set);
        let plain = w("w.example.");
        assert_eq!(&a[owner_at..owner_at + plain.len()], plain.as_slice());
        // An unexpanded wildcard owner with matching labels stays as is.
        let rd = rrsig_rd(rrtype::MX, 2, 3600, "example.");
        let sig = parse_rrsig(&rd).unwrap();
        let mut a = Vec::new();
        signed_data(&mut a, &sig, &n("*.W.example."), 1, &set);
        assert_eq!(a, direct);
    }

    /// Verifies `rdatas` at `owner` with the DNSKEY and RRSIG lines of a
    /// corpus file.
    fn verify_corpus(rel: &str, owner: &str, rtype: u16, rdatas: &[Vec<u8>]) -> Option<bool> {
        let rrs = corpus_records(rel)?;
        let key = rrs.iter().find(|r| r.rtype == rrtype::DNSKEY).unwrap();
        let key = Dnskey::from_rdata(&key.rdata).unwrap();
        let rrsig = rrs.iter().find(|r| r.rtype == rrtype::RRSIG).unwrap();
        let sig = parse_rrsig(&rrsig.rdata).unwrap();
        assert_eq!((sig.type_covered, sig.key_tag), (rtype, key.key_tag));
        let set = sorted_canonical_rdatas(rtype, rdatas.iter().map(|v| v.as_slice()));
        let mut buf = Vec::new();
        signed_data(&mut buf, &sig, &n(owner), 1, &set);
        Some(key.key.as_ref().unwrap().verify(&buf, sig.signature))
    }

    #[test]
    fn nsec_upper_case_real_world() {
        // in-addr-servers.arpa 2010: owner "B.", next name "C." upper case.
        // RFC 6840 §5.1: the next name is signed as written.
        let rel = "dnsruby/derived-from-test_tc_verifier.rb/real_in-addr-servers.arpa_nsec_uppercase.txt";
        let bitmap: &[u8] = &[0, 6, 0x40, 0, 0, 0x08, 0, 0x03]; // A AAAA RRSIG NSEC
        let rd = cat(&[&w("C.in-addr-servers.arpa."), bitmap]);
        let Some(ok) = verify_corpus(rel, "B.in-addr-servers.arpa.", rrtype::NSEC, &[rd]) else {
            return;
        };
        assert!(ok, "NSEC with its next name as written verifies");
        // Owner case does not matter.
        let rd = cat(&[&w("C.in-addr-servers.arpa."), bitmap]);
        assert_eq!(verify_corpus(rel, "b.IN-ADDR-servers.arpa.", rrtype::NSEC, &[rd]), Some(true));
        // Lower-casing the next name (RFC 4034's original list) breaks it.
        let rd = cat(&[&w("c.in-addr-servers.arpa."), bitmap]);
        assert_eq!(verify_corpus(rel, "B.in-addr-servers.arpa.", rrtype::NSEC, &[rd]), Some(false));
    }

    #[test]
    fn naptr_rsasha1_nsec3_alg7() {
        let rel = "dnsruby/derived-from-test_tc_verifier.rb/all.rr.org_naptr_alg7.txt";
        let rd = |repl: &str| {
            let re = br"!^urn:cid:.+@([^\.]+\.)(.*)$!\2!i";
            cat(&[&[0, 100, 0, 10, 0, 0, re.len() as u8], re, &w(repl)])
        };
        let Some(ok) = verify_corpus(rel, "all.rr.org.", 35, &[rd(".")]) else { return };
        assert!(ok);
        assert_eq!(verify_corpus(rel, "ALL.rr.org.", 35, &[rd(".")]), Some(true));
        assert_eq!(verify_corpus(rel, "all.rr.org.", 35, &[rd("x.")]), Some(false));
    }

    #[test]
    fn upper_case_owner_same_signed_data() {
        // An RRSIG over an RRset written in upper case signs the same data.
        let Some(rrs) =
            corpus_records("miekg-dns/derived-from-dnssec_test.go/rfc6605_6.1_ecdsap256.txt")
        else {
            return;
        };
        let key = Dnskey::from_rdata(&rrs.iter().find(|r| r.rtype == rrtype::DNSKEY).unwrap().rdata).unwrap();
        let sig_rr = rrs.iter().find(|r| r.rtype == rrtype::RRSIG).unwrap();
        let sig = parse_rrsig(&sig_rr.rdata).unwrap();
        let set = vec![vec![192, 0, 2, 1]];
        let (mut a, mut b) = (Vec::new(), Vec::new());
        signed_data(&mut a, &sig, &n("www.example.net."), 1, &set);
        signed_data(&mut b, &sig, &n("WWW.EXAMPLE.NET."), 1, &set);
        assert_eq!(a, b);
        assert!(key.key.as_ref().unwrap().verify(&b, sig.signature));
        // An RRSIG whose signer is written in upper case too.
        let mut upper = sig_rr.rdata.clone();
        upper[18..18 + 13].make_ascii_uppercase();
        let usig = parse_rrsig(&upper).unwrap();
        assert_eq!(usig.signer_name().to_text(), "EXAMPLE.NET.");
        signed_data(&mut b, &usig, &n("WWW.example.NET."), 1, &set);
        assert_eq!(a, b);
    }

    #[test]
    fn malformed_rdata_never_panics() {
        let mut rng = Lcg(42);
        let types: Vec<u16> = (0..=70).chain([99, 250, 256, 65535]).collect();
        let mut out = Vec::new();
        let mut buf = Vec::new();
        for round in 0..30_000 {
            let mut rd = rng.bytes(if round % 3 == 0 { 300 } else { 40 });
            // Often make a plausible name somewhere to get past the first check.
            if rd.len() > 4 && rng.next() % 2 == 0 {
                let at = (rng.next() as usize) % rd.len();
                for b in rd[at..].iter_mut().take(6) {
                    *b %= 8;
                }
            }
            let t = types[(rng.next() as usize) % types.len()];
            out.clear();
            let ok = canonical_rdata(t, &rd, &mut out);
            assert_eq!(out.len(), rd.len());
            if !ok {
                assert_eq!(out, rd);
            }
            if let Some(sig) = parse_rrsig(&rd) {
                assert_eq!(sig.header.len() + sig.signature.len(), rd.len());
                let owner = n("a.b.c.example.");
                let set = sorted_canonical_rdatas(t, [&rd[..], &rd[..rd.len() / 2]]);
                signed_data(&mut buf, &sig, &owner, 1, &set);
                signed_data(&mut buf, &sig, &Name::root(), 1, &set);
            }
        }
    }
}

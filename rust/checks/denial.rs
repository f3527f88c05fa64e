//! Authenticated denial: NSEC (RFC 4034 §4, RFC 4035 §2.3) and NSEC3
//! (RFC 5155, RFC 9276) chains and bitmaps.

use std::collections::HashMap;

use smallvec::SmallVec;

use crate::dns::name::Name;
use crate::dns::record::Record;
use crate::dns::rrtype;
use crate::checks::findings::{Code, Findings};
use crate::model::zone::{NameKind, Node, Zone};
use crate::checks::policy::Policy;

/// Decodes an RFC 4034 §4.1.2 type bitmap into `out` (ascending). `false`
/// when malformed (window out of order, length 0 or above 32, truncated).
fn decode_bitmap(b: &[u8], out: &mut Vec<u16>) -> bool {
    out.clear();
    let mut i = 0;
    let mut last: Option<u8> = None;
    while i < b.len() {
        if i + 2 > b.len() {
            return false;
        }
        let (win, len) = (b[i], b[i + 1] as usize);
        if len == 0 || len > 32 || i + 2 + len > b.len() || last.is_some_and(|l| win <= l) {
            return false;
        }
        last = Some(win);
        for (j, &byte) in b[i + 2..i + 2 + len].iter().enumerate() {
            for k in 0..8 {
                if byte & (0x80 >> k) != 0 {
                    out.push(((win as u16) << 8) | (j as u16 * 8 + k as u16));
                }
            }
        }
        i += 2 + len;
    }
    true
}

fn type_list(t: &[u16]) -> String {
    if t.is_empty() {
        return "(none)".into();
    }
    t.iter().map(|&t| rrtype::to_mnemonic(t)).collect::<Vec<_>>().join(" ")
}

/// Compares the listed types with the expected ones (both ascending, no
/// duplicates); `None` when equal, else a "missing ...; extra ..." text.
fn bitmap_diff(listed: &[u16], expected: &[u16]) -> Option<String> {
    if listed == expected {
        return None;
    }
    let missing: Vec<u16> = expected.iter().copied().filter(|t| listed.binary_search(t).is_err()).collect();
    let extra: Vec<u16> = listed.iter().copied().filter(|t| expected.binary_search(t).is_err()).collect();
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("omits {} present at the name", type_list(&missing)));
    }
    if !extra.is_empty() {
        parts.push(format!("lists {} not present at the name", type_list(&extra)));
    }
    Some(parts.join("; "))
}

/// min(SOA MINIMUM, SOA TTL) of the apex SOA (RFC 9077 §3).
pub fn denial_ttl(z: &Zone<'_>) -> Option<u32> {
    let soa = z.apex_node()?.rrset(rrtype::SOA)?;
    soa_denial_ttl(&z.records[*soa.records.first()? as usize])
}

/// min(SOA MINIMUM, SOA TTL) of an SOA record (RFC 9077 §3).
pub fn soa_denial_ttl(r: &Record) -> Option<u32> {
    if r.rdata.len() < 4 {
        return None;
    }
    let m = &r.rdata[r.rdata.len() - 4..];
    let min = u32::from_be_bytes([m[0], m[1], m[2], m[3]]);
    Some(min.min(r.ttl))
}

/// A record to point a finding about a node at: its first non-RRSIG record.
fn first_record<'a>(z: &'a Zone<'_>, n: &Node) -> Option<&'a Record> {
    n.rrsets.iter().flat_map(|s| s.records.first()).min().map(|&i| &z.records[i as usize])
}

/// Whether the node is an NSEC3 owner (a hashed name), not an original name:
/// it owns only NSEC3 RRs, or only RRSIGs over NSEC3.
fn is_nsec3_owner(z: &Zone<'_>, n: &Node) -> bool {
    if !n.rrsets.is_empty() {
        return n.rrsets.iter().all(|s| s.rtype == rrtype::NSEC3);
    }
    !n.rrsigs.is_empty()
        && n.rrsigs.iter().all(|&row| {
            let d = &z.rrsig(row).rdata;
            d.len() >= 2 && u16::from_be_bytes([d[0], d[1]]) == rrtype::NSEC3
        })
}

/// The types an NSEC/NSEC3 bitmap must list for node `n` (NSEC itself not
/// included), ascending: its RRset types and RRSIG when RRSIGs are owned
/// there. At a delegation only NS, DS and RRSIG: RFC 4034 §4.1.2 says the
/// bits of other RRsets there (glue at the cut), for which the parent is
/// not authoritative, MUST be clear (RFC 5155 §3.2.1 the same). An NSEC3
/// RRset at the name (it is also a hashed owner) belongs to the chain.
/// `rrsig_ok`: RRSIG may be listed although no RRSIG is owned here (the
/// missing signatures are reported by the signature checks, not twice).
fn expected_types(n: &Node, rrsig_ok: bool, out: &mut Vec<u16>) {
    out.clear();
    let deleg = n.kind == NameKind::Delegation;
    out.extend(
        n.rrsets
            .iter()
            .map(|s| s.rtype)
            .filter(|&t| t != rrtype::NSEC3 && (!deleg || matches!(t, rrtype::NS | rrtype::DS | rrtype::NSEC))),
    );
    if !n.rrsigs.is_empty() || rrsig_ok {
        out.push(rrtype::RRSIG);
    }
    out.sort_unstable();
    out.dedup();
}

/// Names that must have an NSEC / be NSEC3-hashed: the apex, authoritative
/// names and delegations (RFC 4035 §2.3), hashed NSEC3 owners excluded.
fn is_original(z: &Zone<'_>, n: &Node) -> bool {
    matches!(n.kind, NameKind::Apex | NameKind::Authoritative | NameKind::Delegation) && !is_nsec3_owner(z, n)
}

/// How the per-name NSEC checks check the chain.
pub enum Chain<'c> {
    /// The whole zone is in view: the names of the chain (indices of the
    /// nodes that must have an NSEC, canonical order); each NSEC's next
    /// name is compared with the next of them.
    Whole(&'c [u32]),
    /// One part of the zone: each NSEC's link is noted in the summary and
    /// the chain compared once every part is in ([`ChainSummary::holds`]).
    Summary(&'c NameHasher),
}

/// A keyed 128-bit hash of lower-cased names (two SipHash-2-4 halves under
/// keys drawn for the run), so that a zone cannot choose names that
/// collide. The keys can be given ([`NameHasher::with_keys`]): the parts of
/// one zone checked in several processes (`crate::cluster::parts`) hash
/// with the same keys, so that their sums add up.
#[derive(Clone, Copy)]
pub struct NameHasher([u64; 4]);

impl Default for NameHasher {
    fn default() -> Self {
        use std::hash::BuildHasher;
        let s = std::collections::hash_map::RandomState::new();
        NameHasher([s.hash_one(0u8), s.hash_one(1u8), s.hash_one(2u8), s.hash_one(3u8)])
    }
}

impl NameHasher {
    pub fn with_keys(keys: [u64; 4]) -> NameHasher {
        NameHasher(keys)
    }

    pub fn keys(&self) -> [u64; 4] {
        self.0
    }

    #[allow(deprecated)]
    fn both<T: std::hash::Hash + ?Sized>(&self, t: &T) -> u128 {
        use std::hash::Hasher;
        let mut a = std::hash::SipHasher::new_with_keys(self.0[0], self.0[1]);
        let mut b = std::hash::SipHasher::new_with_keys(self.0[2], self.0[3]);
        t.hash(&mut a);
        t.hash(&mut b);
        ((a.finish() as u128) << 64) | b.finish() as u128
    }

    /// A keyed 128-bit hash of a type list.
    pub fn hash_types(&self, t: &[u16]) -> u128 {
        self.both(t)
    }

    pub fn hash(&self, n: &Name) -> u128 {
        let lower: SmallVec<[u8; 64]> = n.as_wire().iter().map(u8::to_ascii_lowercase).collect();
        self.both(&lower[..])
    }
}

/// The NSEC links of the names seen so far, when the zone is checked in
/// parts: the chain is exactly the names in canonical order, each NSEC
/// naming the next, when every name of the chain has a decodable NSEC,
/// every NSEC's next name sorts after its owner except one, the last
/// name's, which names the apex, and the next names are the chain's names,
/// each once. (Then following the links from the apex visits the names in
/// ascending order and comes back to the apex from the last: one cycle
/// through all of them, so each link names the next in canonical order.)
///
/// The last condition compares two multisets, the owners (distinct: the
/// stream gives up on a name that comes back) and the next names, by the
/// sums of their keyed hashes (MSet-Add-Hash, Clarke et al., "Incremental
/// Multiset Hash Functions", 2003: with a secret key, finding two multisets
/// with one sum is as hard as breaking the keyed hash); a constant size,
/// however large the zone.
///
/// When that does not hold the summary cannot say which link is wrong, and
/// the caller takes the whole-zone path, whose findings name it.
#[derive(Default)]
pub struct ChainSummary {
    /// Sums (mod 2^128) of the hashes of the chain's names, and of the
    /// next names their NSECs give; how many.
    pub(crate) owners: u128,
    pub(crate) nexts: u128,
    pub(crate) links: u64,
    /// Links that name the apex.
    pub(crate) wraps: u32,
    /// Why the links cannot be shown to form the chain, if they cannot.
    pub(crate) broken: Option<String>,
}

impl ChainSummary {
    pub fn extend(&mut self, o: ChainSummary) {
        self.owners = self.owners.wrapping_add(o.owners);
        self.nexts = self.nexts.wrapping_add(o.nexts);
        self.links += o.links;
        self.wraps += o.wraps;
        if self.broken.is_none() {
            self.broken = o.broken;
        }
    }

    fn broken(&mut self, why: String) {
        self.broken.get_or_insert(why);
    }

    fn link(&mut self, owner: u128, next: u128) {
        self.owners = self.owners.wrapping_add(owner);
        self.nexts = self.nexts.wrapping_add(next);
        self.links += 1;
    }

    /// Whether the links form the chain; else why that cannot be shown.
    pub fn holds(self) -> Result<(), String> {
        if let Some(why) = self.broken {
            return Err(why);
        }
        if self.wraps != 1 {
            return Err(format!("{} NSEC records name the apex as the next name", self.wraps));
        }
        if self.owners != self.nexts {
            return Err(format!("the next names of the {} NSEC records are not the names of the chain, each once", self.links));
        }
        Ok(())
    }
}

/// The names that must have an NSEC: indices of the original nodes, in
/// canonical order.
pub fn nsec_chain_names(z: &Zone<'_>) -> Vec<u32> {
    (0..z.nodes.len() as u32).filter(|&i| is_original(z, &z.nodes[i as usize])).collect()
}

/// The zone-wide NSEC finding (NSEC next to NSEC3); whether the zone has
/// NSEC records at all (else the NSEC checks do nothing).
pub fn check_nsec_zone(z: &Zone<'_>, out: &mut Findings) -> bool {
    let has_nsec = z.records.iter().any(|r| r.rtype == rrtype::NSEC);
    if !has_nsec {
        return false;
    }
    if z.records.iter().any(|r| r.rtype == rrtype::NSEC3 || r.rtype == rrtype::NSEC3PARAM) {
        let at = z.records.iter().find(|r| r.rtype == rrtype::NSEC3 || r.rtype == rrtype::NSEC3PARAM);
        out.add(Code::MixedDenial, &z.apex, rrtype::NSEC, None, at, "the zone has both NSEC and NSEC3 records");
    }
    true
}

/// NSEC checks, whole zone; does nothing when the zone has no NSEC records.
pub fn check_nsec(z: &Zone<'_>, out: &mut Findings) {
    if !check_nsec_zone(z, out) {
        return;
    }
    let ttl = denial_ttl(z);
    let chain = nsec_chain_names(z);
    let mut unused = ChainSummary::default();
    for ni in 0..z.nodes.len() as u32 {
        check_nsec_node(z, ni, ttl, &Chain::Whole(&chain), out, &mut unused);
    }
}

/// The NSEC checks of node `ni`: an NSEC where none may be, or a name of
/// the chain without one, more than one, its TTL (`ttl`), its link to the
/// next name (by `chain`), its type bitmap.
pub fn check_nsec_node(z: &Zone<'_>, ni: u32, ttl: Option<u32>, chain: &Chain<'_>, out: &mut Findings, summary: &mut ChainSummary) {
    let n = &z.nodes[ni as usize];
    if !is_original(z, n) {
        // NSEC where none may be.
        if let Some(s) = n.rrset(rrtype::NSEC) {
            let why = match n.kind {
                NameKind::OutOfZone => "the name is not in the zone",
                NameKind::NonAuthoritative => "the name is below a zone cut or DNAME (glue or occluded data)",
                _ => "the name is an NSEC3 owner",
            };
            for &r in &s.records {
                out.add(Code::NsecExtra, &n.name, rrtype::NSEC, None, Some(&z.records[r as usize]), format!("NSEC at {}: {why}", n.name));
            }
        }
        return;
    }
    let Some(s) = n.rrset(rrtype::NSEC) else {
        out.add(Code::NsecMissing, &n.name, rrtype::NSEC, None, first_record(z, n), format!("no NSEC at {}", n.name));
        summary.broken(format!("no NSEC at {}", n.name));
        return;
    };
    for &extra in &s.records[1..] {
        out.add(Code::NsecExtra, &n.name, rrtype::NSEC, None, Some(&z.records[extra as usize]), format!("more than one NSEC at {}", n.name));
    }
    let rec = &z.records[s.records[0] as usize];
    if let Some(t) = ttl {
        for &r in &s.records {
            let r = &z.records[r as usize];
            if r.ttl != t {
                out.add(Code::NsecTtl, &n.name, rrtype::NSEC, None, Some(r), format!("NSEC at {} has TTL {}, not min(SOA MINIMUM, SOA TTL) = {t}", n.name, r.ttl));
            }
        }
    }
    let Some((next, used)) = Name::from_wire(&rec.rdata) else {
        out.add(Code::NsecChain, &n.name, rrtype::NSEC, None, Some(rec), format!("NSEC at {}: next name cannot be decoded", n.name));
        summary.broken(format!("the NSEC at {} has a next name that cannot be decoded", n.name));
        return;
    };
    // Chain.
    match chain {
        Chain::Whole(names) => {
            let ci = names.binary_search(&ni).unwrap_or(0);
            let next_node = match names.get(ci + 1) {
                Some(&j) => &z.nodes[j as usize],
                None => &z.nodes[names[0] as usize],
            };
            let next_is_apex = ci + 1 == names.len();
            if !next.eq_ignore_case(&next_node.name) {
                let target = z.node(&next);
                let in_zone = target.is_some_and(|m| is_original(z, m));
                let what = if next_is_apex {
                    format!("but it is the last name, so the next name is the apex {}", next_node.name)
                } else {
                    format!("but the next name is {}", next_node.name)
                };
                let reason = if in_zone {
                    format!("NSEC at {} says next is {next}, {what}", n.name)
                } else if target.is_some() {
                    format!("NSEC at {} says next is {next}, which is glue, occluded or out of zone, not in the chain; {what}", n.name)
                } else {
                    format!("NSEC at {} says next is {next}, which is not in the zone; {what}", n.name)
                };
                out.add(Code::NsecChain, &n.name, rrtype::NSEC, None, Some(rec), reason);
            }
        }
        Chain::Summary(h) => {
            if next.eq_ignore_case(&z.apex) {
                summary.wraps += 1;
            } else if n.name.canonical_cmp(&next) != std::cmp::Ordering::Less {
                summary.broken(format!("the NSEC at {} names {next}, which does not sort after it", n.name));
            }
            summary.link(h.hash(&n.name), h.hash(&next));
        }
    }
    // Bitmap: the types at the owner plus NSEC and RRSIG.
    let mut listed: Vec<u16> = Vec::new();
    let mut expected: Vec<u16> = Vec::new();
    if !decode_bitmap(&rec.rdata[used..], &mut listed) {
        out.add(Code::NsecBitmap, &n.name, rrtype::NSEC, None, Some(rec), format!("NSEC at {}: malformed type bitmap", n.name));
        return;
    }
    // RRSIG must be listed when RRSIGs are owned here; when none are
    // (an unsigned name, reported by the signature checks), listing
    // RRSIG or not is accepted, so a missing signature is not
    // reported twice.
    expected_types(n, listed.contains(&rrtype::RRSIG), &mut expected);
    expected.push(rrtype::NSEC);
    expected.sort_unstable();
    expected.dedup();
    if let Some(d) = bitmap_diff(&listed, &expected) {
        out.add(Code::NsecBitmap, &n.name, rrtype::NSEC, None, Some(rec), format!("NSEC bitmap at {} {d}", n.name));
    }
}

/// NSEC3 hash parameters (RFC 5155 §3.1).
#[derive(Clone, PartialEq, Eq, Debug)]
struct Params<'a> {
    alg: u8,
    flags: u8,
    iterations: u16,
    salt: &'a [u8],
}

/// Parses the common NSEC3/NSEC3PARAM prefix; returns the rest.
fn parse_params(d: &[u8]) -> Option<(Params<'_>, &[u8])> {
    if d.len() < 5 {
        return None;
    }
    let sl = d[4] as usize;
    if d.len() < 5 + sl {
        return None;
    }
    Some((Params { alg: d[0], flags: d[1], iterations: u16::from_be_bytes([d[2], d[3]]), salt: &d[5..5 + sl] }, &d[5 + sl..]))
}

/// The RFC 5155 §5 hash of a lower-cased wire name.
pub fn nsec3_hash(name_lower_wire: &[u8], salt: &[u8], iterations: u16) -> [u8; 20] {
    use ring::digest::{digest, SHA1_FOR_LEGACY_USE_ONLY as SHA1};
    // A name is at most 255 octets and a salt at most 255: no allocation.
    let mut buf = [0u8; 512];
    let (nl, sl) = (name_lower_wire.len().min(255), salt.len().min(255));
    buf[..nl].copy_from_slice(&name_lower_wire[..nl]);
    buf[nl..nl + sl].copy_from_slice(&salt[..sl]);
    let mut h = [0u8; 20];
    h.copy_from_slice(digest(&SHA1, &buf[..nl + sl]).as_ref());
    buf[20..20 + sl].copy_from_slice(&salt[..sl]);
    for _ in 0..iterations {
        buf[..20].copy_from_slice(&h);
        h.copy_from_slice(digest(&SHA1, &buf[..20 + sl]).as_ref());
    }
    h
}

fn b32(h: &[u8]) -> String {
    data_encoding::BASE32HEX_NOPAD.encode(h).to_ascii_lowercase()
}

/// A 32-character base32hex label (either case) as a SHA-1 hash.
fn decode_hash_label(label: &[u8]) -> Option<[u8; 20]> {
    let mut up = [0u8; 32];
    if label.len() != 32 {
        return None;
    }
    for (u, &c) in up.iter_mut().zip(label) {
        *u = c.to_ascii_uppercase();
    }
    let mut h = [0u8; 20];
    data_encoding::BASE32HEX_NOPAD.decode_mut(&up, &mut h).ok()?;
    Some(h)
}

/// An NSEC3 RDATA's hash parameters, next hashed owner (non-empty) and
/// type bitmap.
fn decode_nsec3(rdata: &[u8]) -> Option<(Params<'_>, &[u8], &[u8])> {
    let (p, rest) = parse_params(rdata)?;
    let hl = *rest.first()? as usize;
    (hl > 0 && rest.len() > hl).then(|| (p, &rest[1..1 + hl], &rest[1 + hl..]))
}

/// The hash an NSEC3 owner stands for: its name must be one base32hex
/// SHA-1 label directly below the apex.
fn owner_hash(n: &Node, apex_labels: usize) -> Option<[u8; 20]> {
    if n.kind == NameKind::OutOfZone || n.name.label_count() != apex_labels + 1 {
        return None;
    }
    decode_hash_label(n.name.labels().next().unwrap_or(&[]))
}

/// One NSEC3 record of the zone with a usable owner.
struct N3<'a> {
    hash: [u8; 20],
    rec: &'a Record,
    flags: u8,
    next: &'a [u8],
    bitmap: &'a [u8],
    matched: bool,
}

/// The hash parameters that make one NSEC3 chain: algorithm, iterations
/// and salt (the flags, opt-out, differ per record within a chain).
type ChainKey<'a> = (u8, u16, &'a [u8]);

fn chain_key<'a>(p: &Params<'a>) -> ChainKey<'a> {
    (p.alg, p.iterations, p.salt)
}

fn describe_chain(k: &ChainKey<'_>) -> String {
    format!("hash algorithm {}, {} iterations, salt {}", k.0, k.1, hex_salt(k.2))
}

/// NSEC3 checks; does nothing when the zone has no NSEC3/NSEC3PARAM records.
///
/// A zone may hold more than one NSEC3 chain: while its NSEC3 parameters
/// change, a signer builds the new chain beside the old one. RFC 5155 §4:
/// "If an NSEC3PARAM RR is present at the apex of a zone with a Flags field
/// value of zero, then there MUST be an NSEC3 RR using the same hash
/// algorithm, iterations, and salt parameters present at every hashed owner
/// name in the zone. That is, the zone MUST contain a complete set of NSEC3
/// RRs with the same hash algorithm, iterations, and salt parameters."
/// So every chain an NSEC3PARAM (flags 0) names is checked in full, each on
/// its own (without an NSEC3PARAM: the chain of the first NSEC3). Any other
/// chain is checked in full when it is complete (an NSEC3 for every name
/// that needs one); an incomplete one is a chain under construction, which
/// authoritative servers do not use (they choose a chain by NSEC3PARAM,
/// RFC 5155 §4): one `nsec3-partial-chain` warning, nothing per record.
pub fn check_nsec3(z: &Zone<'_>, policy: &Policy, out: &mut Findings) {
    if !z.records.iter().any(|r| r.rtype == rrtype::NSEC3 || r.rtype == rrtype::NSEC3PARAM) {
        return;
    }
    // NSEC3PARAM: at the apex, flags 0, hash algorithm 1.
    for n in &z.nodes {
        if n.kind != NameKind::Apex {
            if let Some(s) = n.rrset(rrtype::NSEC3PARAM) {
                let r = &z.records[s.records[0] as usize];
                out.add(Code::Nsec3Param, &n.name, rrtype::NSEC3PARAM, None, Some(r), format!("NSEC3PARAM at {}, which is not the apex", n.name));
            }
        }
    }
    // The chains the NSEC3PARAM RRset names, in record order.
    let mut named: Vec<(ChainKey<'_>, &Record)> = Vec::new();
    let param_set = z.apex_node().and_then(|a| a.rrset(rrtype::NSEC3PARAM));
    match param_set {
        None => {
            out.add(Code::Nsec3Param, &z.apex, rrtype::NSEC3PARAM, None, None, format!("no NSEC3PARAM at the apex {}", z.apex));
        }
        Some(s) => {
            for &ri in &s.records {
                let r = &z.records[ri as usize];
                match parse_params(&r.rdata) {
                    None => out.add(Code::Nsec3Param, &z.apex, rrtype::NSEC3PARAM, None, Some(r), "NSEC3PARAM RDATA cannot be decoded"),
                    Some((p, _)) => {
                        let mut usable = true;
                        if p.flags != 0 {
                            // RFC 5155 §4.1.2: "NSEC3PARAM RRs with a Flags field
                            // value other than zero MUST be ignored."
                            out.add(Code::Nsec3Param, &z.apex, rrtype::NSEC3PARAM, None, Some(r), format!("NSEC3PARAM flags are {}, must be 0 (RFC 5155 §4.1.2: it must then be ignored)", p.flags));
                            usable = false;
                        }
                        if p.alg != 1 {
                            out.add(Code::Nsec3Param, &z.apex, rrtype::NSEC3PARAM, None, Some(r), format!("NSEC3PARAM hash algorithm {} is not SHA-1 (1)", p.alg));
                            usable = false;
                        }
                        if usable && !named.iter().any(|(k, _)| *k == chain_key(&p)) {
                            named.push((chain_key(&p), r));
                        }
                    }
                }
            }
        }
    }
    let ttl = denial_ttl(z);
    let apex_labels = z.apex.label_count();
    // The NSEC3 records with a usable owner, by chain (first-seen order).
    let mut chains: Vec<(ChainKey<'_>, Vec<N3<'_>>)> = Vec::new();
    let mut chain_of: HashMap<ChainKey<'_>, usize> = HashMap::new();
    for n in &z.nodes {
        let Some(s) = n.rrset(rrtype::NSEC3) else { continue };
        for &ri in &s.records {
            let rec = &z.records[ri as usize];
            if let Some(t) = ttl {
                if rec.ttl != t {
                    out.add(Code::Nsec3Ttl, &n.name, rrtype::NSEC3, None, Some(rec), format!("NSEC3 at {} has TTL {}, not min(SOA MINIMUM, SOA TTL) = {t}", n.name, rec.ttl));
                }
            }
            let Some((p, next, bitmap)) = decode_nsec3(&rec.rdata) else {
                out.add(Code::Nsec3Params, &n.name, rrtype::NSEC3, None, Some(rec), "NSEC3 RDATA cannot be decoded");
                continue;
            };
            if p.alg != 1 {
                out.add(Code::Nsec3Params, &n.name, rrtype::NSEC3, None, Some(rec), format!("NSEC3 at {} uses hash algorithm {}; only SHA-1 (1) is defined (RFC 5155 §11)", n.name, p.alg));
                continue;
            }
            let Some(hash) = owner_hash(n, apex_labels) else {
                out.add(Code::Nsec3Extra, &n.name, rrtype::NSEC3, None, Some(rec), format!("NSEC3 owner {} is not a base32hex SHA-1 hash label directly below the apex", n.name));
                continue;
            };
            let key = chain_key(&p);
            let e = N3 { hash, rec, flags: p.flags, next, bitmap, matched: false };
            match chain_of.get(&key) {
                Some(&c) => chains[c].1.push(e),
                None => {
                    chain_of.insert(key, chains.len());
                    chains.push((key, vec![e]));
                }
            }
        }
    }
    if chains.is_empty() {
        // NSEC3PARAM without any usable NSEC3: one finding, not one per name.
        // With an NSEC chain this is the mixed-denial case (reported there).
        if !named.is_empty() && !z.records.iter().any(|r| r.rtype == rrtype::NSEC3 || r.rtype == rrtype::NSEC) {
            out.add(Code::Nsec3Missing, &z.apex, rrtype::NSEC3, None, None, "the zone has an NSEC3PARAM but no NSEC3 records");
        }
        return;
    }
    for (k, r) in &named {
        if !chains.iter().any(|(c, _)| c == k) {
            out.add(Code::Nsec3Missing, &z.apex, rrtype::NSEC3, None, Some(r),
                format!("the NSEC3PARAM names the chain with {}, but no NSEC3 uses these parameters (RFC 5155 §4: the zone MUST contain a complete set of them)", describe_chain(k)));
        }
        iterations_warning(&z.apex, rrtype::NSEC3PARAM, Some(r), k, out);
    }
    let main_by_default = named.is_empty();
    if main_by_default {
        iterations_warning(&z.apex, rrtype::NSEC3, chains[0].1.first().map(|e| e.rec), &chains[0].0, out);
    }
    // Names to hash, shared by every chain: original names and the empty
    // non-terminals above them (a misplaced NSEC3 owner deeper below the
    // apex makes none).
    let names = ChainNames::of(z);
    // One bound for all chains together: a zone cannot multiply the work by
    // carrying many chains.
    let mut budget = policy.nsec3_max_hashes;
    for (i, (key, n3)) in chains.iter_mut().enumerate() {
        let is_named = named.iter().any(|(k, _)| k == key) || (main_by_default && i == 0);
        let cost = (names.originals.len() + names.ents.len()) as u64 * (key.1 as u64 + 1);
        if cost > budget {
            out.add(
                Code::Nsec3Bound,
                &z.apex,
                rrtype::NSEC3,
                None,
                None,
                format!(
                    "{} names x {} hashes each for the chain with {} exceeds the remaining bound of {budget} SHA-1 computations (of {}); hash-based NSEC3 checks skipped",
                    names.originals.len() + names.ents.len(),
                    key.1 as u64 + 1,
                    describe_chain(key),
                    policy.nsec3_max_hashes
                ),
            );
            return;
        }
        budget -= cost;
        let mut found = Findings { list: Vec::new(), severity_override: out.severity_override.clone() };
        check_chain(z, &names, *key, n3, &mut found);
        let missing = found.list.iter().filter(|f| f.code == Code::Nsec3Missing).count();
        if is_named || missing == 0 {
            out.list.extend(found.list);
        } else {
            out.add(
                Code::Nsec3PartialChain,
                &z.apex,
                rrtype::NSEC3,
                None,
                n3.first().map(|e| e.rec),
                format!(
                    "a second NSEC3 chain ({}, {} records), named by no NSEC3PARAM, lacks the NSEC3 of {missing} names: a chain under construction, not used by servers (RFC 5155 §4); not checked further",
                    describe_chain(key),
                    n3.len()
                ),
            );
        }
    }
}

/// RFC 9276 §3.1: no additional iterations, no salt.
fn iterations_warning(apex: &Name, rtype: u16, at: Option<&Record>, k: &ChainKey<'_>, out: &mut Findings) {
    if k.1 > 0 || !k.2.is_empty() {
        out.add(Code::Nsec3Iterations, apex, rtype, None, at, format!("NSEC3 uses {} additional iterations and salt {}; RFC 9276 §3.1 says 0 and no salt", k.1, hex_salt(k.2)));
    }
}

/// How the zone-wide checks check the NSEC3 chain.
pub enum Nsec3Chain<'c> {
    /// Over the whole zone ([`check_nsec3`]).
    Whole,
    /// The zone was checked in parts and the chain's summary holds
    /// ([`Nsec3Summary::holds`]): only what [`check_nsec3`] reports about
    /// a correct chain is left to report.
    Summary(&'c Nsec3Summary),
}

/// The NSEC3 chain when the zone is checked in parts, the counterpart of
/// [`ChainSummary`] for NSEC3 zones: as the names go by, each NSEC3
/// record's hash, next hash, opt-out flag and listed types (a keyed hash),
/// and each original name's hash and expected types are noted; at the end
/// the records are put in hash order and the names matched to them, by the
/// rules of [`check_nsec3`]'s `check_chain`. About 48 octets per name and
/// 64 per NSEC3 record stay, not the records.
///
/// It takes the zones it can show to be correct: one NSEC3PARAM (flags 0,
/// SHA-1) and only its chain, every NSEC3 decodable and with the zone's
/// denial TTL, no NSEC, and the hash bound not reached. Anything
/// else (a record it cannot decode, a second chain, a wrong link, bitmap
/// or TTL, a name without its NSEC3 outside an opt-out span, an NSEC3 that
/// matches no name) is an error: the caller then takes the whole-zone
/// path, whose findings say what and where.
pub struct Nsec3Summary {
    pub(crate) iterations: u16,
    pub(crate) salt: Vec<u8>,
    pub(crate) ttl: Option<u32>,
    pub(crate) max_hashes: u64,
    pub(crate) types: NameHasher,
    pub(crate) names: Vec<HashedName>,
    pub(crate) records: Vec<Nsec3Note>,
    /// Empty non-terminals noted so far.
    pub(crate) ents: u32,
    /// (hash of an unsigned delegation, an empty non-terminal above it):
    /// that delegation having an NSEC3 of its own makes the empty
    /// non-terminal need one (RFC 5155 §7.1; see `check_chain`).
    pub(crate) ent_below: Vec<([u8; 20], u32)>,
}

/// A name to hash: an original name, or an empty non-terminal above one;
/// the types its NSEC3 must list (RRSIG aside), and what decides RRSIG and
/// opt-out.
pub(crate) struct HashedName {
    pub(crate) hash: [u8; 20],
    pub(crate) types: u128,
    pub(crate) owns_rrsig: bool,
    /// Not an unsigned delegation: RRSIG may be listed.
    pub(crate) signed: bool,
    /// An unsigned delegation, or an empty non-terminal with only unsigned
    /// delegations below it: an opt-out span may cover it.
    pub(crate) may_opt_out: bool,
    /// An empty non-terminal: its number (else `u32::MAX`).
    pub(crate) ent: u32,
}

pub(crate) struct Nsec3Note {
    pub(crate) hash: [u8; 20],
    pub(crate) next: [u8; 20],
    pub(crate) opt_out: bool,
    /// The listed types, RRSIG aside.
    pub(crate) types: u128,
    pub(crate) lists_rrsig: bool,
}

impl Nsec3Summary {
    /// For the chain of the apex's NSEC3PARAM RRset (`params`: its
    /// records' RDATA); `ttl`: the zone's denial TTL (min(SOA MINIMUM, SOA
    /// TTL)). Else why the summary cannot take the zone.
    pub fn start(params: &[&[u8]], ttl: Option<u32>, policy: &Policy, types: NameHasher) -> Result<Nsec3Summary, String> {
        let [d] = params else { return Err(format!("{} NSEC3PARAM records at the apex", params.len())) };
        let Some((p, _)) = parse_params(d) else { return Err("the NSEC3PARAM RDATA cannot be decoded".into()) };
        if p.flags != 0 || p.alg != 1 {
            return Err(format!("an NSEC3PARAM with flags {} and hash algorithm {}", p.flags, p.alg));
        }
        Ok(Nsec3Summary {
            iterations: p.iterations,
            salt: p.salt.to_vec(),
            ttl,
            max_hashes: policy.nsec3_max_hashes,
            types,
            names: Vec::new(),
            records: Vec::new(),
            ents: 0,
            ent_below: Vec::new(),
        })
    }

    /// Notes the NSEC3 records and original names among `z`'s nodes, part
    /// of the zone whose names' kinds are settled (the cuts above them
    /// known), with the names below each of its names one label below the
    /// apex. `top_is_node`: whether a name one label below the apex that is
    /// not in `z` is a name of the zone (so that a name two labels or more
    /// below has no empty non-terminal above it). Else why the summary
    /// cannot take the zone.
    pub fn add(&mut self, z: &Zone<'_>, top_is_node: impl Fn(&Name) -> bool) -> Result<(), String> {
        let apex_labels = z.apex.label_count();
        let (mut listed, mut lower) = (Vec::new(), Vec::new());
        // The empty non-terminals above this part's names: (name, needed
        // whatever the opt-out spans, number).
        let mut ents: Vec<(Name, bool, u32)> = Vec::new();
        for n in &z.nodes {
            if n.rrset(rrtype::NSEC).is_some() {
                return Err(format!("an NSEC record at {} in an NSEC3 zone", n.name));
            }
            if let Some(s) = n.rrset(rrtype::NSEC3) {
                let rec = &z.records[s.records[0] as usize];
                if s.records.len() != 1 {
                    return Err(format!("{} NSEC3 records at {}", s.records.len(), n.name));
                }
                if self.ttl.is_some_and(|t| t != rec.ttl) {
                    return Err(format!("the NSEC3 at {} (line {}) has TTL {}, not the denial TTL", n.name, rec.line, rec.ttl));
                }
                let Some((p, next, bitmap)) = decode_nsec3(&rec.rdata).filter(|(_, next, _)| next.len() == 20) else {
                    return Err(format!("the NSEC3 at {} (line {}) cannot be decoded", n.name, rec.line));
                };
                if p.alg != 1 || p.iterations != self.iterations || p.salt != &self.salt[..] {
                    return Err(format!("the NSEC3 at {} (line {}) is not of the NSEC3PARAM's chain", n.name, rec.line));
                }
                let Some(hash) = owner_hash(n, apex_labels) else { return Err(format!("the NSEC3 owner {} is not a hash label directly below the apex", n.name)) };
                if !decode_bitmap(bitmap, &mut listed) {
                    return Err(format!("the NSEC3 at {} (line {}) has a malformed type bitmap", n.name, rec.line));
                }
                let lists_rrsig = listed.contains(&rrtype::RRSIG);
                listed.retain(|&t| t != rrtype::RRSIG);
                let mut nx = [0u8; 20];
                nx.copy_from_slice(next);
                self.records.push(Nsec3Note { hash, next: nx, opt_out: p.flags & 1 != 0, types: self.types.hash_types(&listed), lists_rrsig });
            }
            if is_original(z, n) {
                self.bound()?;
                lower.clear();
                lower.extend(n.name.as_wire().iter().map(|c| c.to_ascii_lowercase()));
                let hash = nsec3_hash(&lower, &self.salt, self.iterations);
                expected_types(n, false, &mut listed);
                listed.retain(|&t| t != rrtype::RRSIG);
                let unsigned_delegation = n.kind == NameKind::Delegation && !n.has(rrtype::DS);
                self.names.push(HashedName {
                    hash,
                    types: self.types.hash_types(&listed),
                    owns_rrsig: !n.rrsigs.is_empty(),
                    signed: !unsigned_delegation,
                    may_opt_out: unsigned_delegation,
                    ent: u32::MAX,
                });
            }
            // The empty non-terminals above it, as `ChainNames` finds them
            // over the whole zone (ancestors of authoritative names and
            // delegations that are no name of the zone).
            if matches!(n.kind, NameKind::Authoritative | NameKind::Delegation) {
                let below = n.name.label_count().saturating_sub(apex_labels);
                let unsigned_delegation = n.kind == NameKind::Delegation && !n.has(rrtype::DS);
                for strip in 1..below {
                    let anc = n.name.strip_left(strip).to_lowercase();
                    if z.node(&anc).is_some() || (strip + 1 == below && top_is_node(&anc)) {
                        continue;
                    }
                    let e = match ents.iter().position(|(e, _, _)| *e == anc) {
                        Some(e) => e,
                        None => {
                            ents.push((anc, false, self.ents));
                            self.ents += 1;
                            ents.len() - 1
                        }
                    };
                    if is_original(z, n) {
                        if unsigned_delegation {
                            let hash = self.names.last().map_or([0; 20], |h| h.hash);
                            self.ent_below.push((hash, ents[e].2));
                        } else {
                            ents[e].1 = true;
                        }
                    }
                }
            }
        }
        let no_types = self.types.hash_types(&[]);
        for (name, needed, ent) in ents {
            self.bound()?;
            let hash = nsec3_hash(name.as_wire(), &self.salt, self.iterations);
            self.names.push(HashedName { hash, types: no_types, owns_rrsig: false, signed: false, may_opt_out: !needed, ent });
        }
        Ok(())
    }

    /// One more name to hash within the policy's bound, else an error.
    fn bound(&self) -> Result<(), String> {
        if (self.names.len() as u64 + 1) * (self.iterations as u64 + 1) > self.max_hashes {
            return Err("the NSEC3 hash bound is reached".into());
        }
        Ok(())
    }

    /// Whether the chain is correct by `check_chain`'s rules: the records
    /// in hash order each naming the next (the last the first), one per
    /// hash; each name's own record listing exactly its types, or an
    /// opt-out record before it when it is an unsigned delegation without
    /// one; every record some name's. Else why that cannot be shown.
    pub fn holds(&mut self) -> Result<(), String> {
        // One hash range holding the whole chain (the names and records
        // move out: the summary keeps the chain's parameters).
        let mut one = vec![Nsec3Shard::default()];
        self.split_into(0, &mut one);
        let out = Nsec3Shard::check(one)?;
        stitch(&[out], Some(self))
    }

    /// What [`check_nsec3`] reports about this chain once it holds: the
    /// RFC 9276 warning on iterations and salt, at the apex's NSEC3PARAM.
    fn findings(&self, z: &Zone<'_>, out: &mut Findings) {
        let param = z.apex_node().and_then(|a| a.rrset(rrtype::NSEC3PARAM)).map(|s| &z.records[s.records[0] as usize]);
        iterations_warning(&z.apex, rrtype::NSEC3PARAM, param, &(1, self.iterations, &self.salt), out);
    }
}

/// The zone-wide NSEC3 checks: over the whole zone, or what is left of
/// them when the chain's summary holds.
pub fn check_nsec3_chain(z: &Zone<'_>, policy: &Policy, how: Nsec3Chain<'_>, out: &mut Findings) {
    match how {
        Nsec3Chain::Whole => check_nsec3(z, policy, out),
        Nsec3Chain::Summary(s) => s.findings(z, out),
    }
}

/// The names every NSEC3 chain must cover: original names (in zone order)
/// and the empty non-terminals above them, with the original names below
/// each empty non-terminal.
struct ChainNames<'z> {
    originals: Vec<&'z Node>,
    /// Lower-cased, canonical order.
    ents: Vec<Name>,
    /// For each original name (same index), the indices into `ents` of its
    /// empty non-terminal ancestors.
    ent_ancestors: Vec<SmallVec<[u32; 2]>>,
}

impl<'z> ChainNames<'z> {
    fn of(z: &'z Zone<'_>) -> ChainNames<'z> {
        let apex_labels = z.apex.label_count();
        let originals: Vec<&Node> = z.nodes.iter().filter(|n| is_original(z, n)).collect();
        let all_ents = z.empty_non_terminals();
        let mut ent_ancestors: Vec<SmallVec<[u32; 2]>> = vec![SmallVec::new(); originals.len()];
        let mut used = vec![false; all_ents.len()];
        if !all_ents.is_empty() {
            let ent_index: HashMap<&[u8], usize> = all_ents.iter().enumerate().map(|(i, e)| (e.as_wire(), i)).collect();
            let mut lower: Vec<u8> = Vec::new();
            for (k, n) in originals.iter().enumerate() {
                if n.name.label_count() <= apex_labels + 1 {
                    continue;
                }
                lower.clear();
                lower.extend(n.name.as_wire().iter().map(|c| c.to_ascii_lowercase()));
                let mut p = 0;
                while p < lower.len() && lower[p] != 0 {
                    p += 1 + lower[p] as usize;
                    if let Some(&e) = ent_index.get(&lower[p..]) {
                        used[e] = true;
                        ent_ancestors[k].push(e as u32);
                    }
                }
            }
        }
        // Keep the ENTs that are above an original name; renumber.
        let mut renumber = vec![u32::MAX; all_ents.len()];
        let mut ents = Vec::new();
        for (i, e) in all_ents.into_iter().enumerate() {
            if used[i] {
                renumber[i] = ents.len() as u32;
                ents.push(e);
            }
        }
        for a in &mut ent_ancestors {
            for e in a.iter_mut() {
                *e = renumber[*e as usize];
            }
        }
        ChainNames { originals, ents, ent_ancestors }
    }
}

/// One chain's checks: order and closure, one NSEC3 per hashed owner, an
/// NSEC3 for every name (RFC 5155 §7.1, opt-out spans aside), bitmaps, and
/// no NSEC3 that matches no name. `n3`: the chain's records.
fn check_chain(z: &Zone<'_>, names: &ChainNames<'_>, key: ChainKey<'_>, n3: &mut [N3<'_>], out: &mut Findings) {
    let (_, iterations, salt) = key;
    // Chain, by hash order. Identical RRs are already one RR (the zone
    // model), so two NSEC3s at one hash differ.
    n3.sort_by_key(|e| e.hash);
    for i in 1..n3.len() {
        if n3[i].hash == n3[i - 1].hash {
            out.add(Code::Nsec3Extra, &n3[i].rec.owner, rrtype::NSEC3, None, Some(n3[i].rec), format!("a second NSEC3 at {}", n3[i].rec.owner));
        }
    }
    // Unique hashes: the first NSEC3 of each.
    let mut uniq: Vec<usize> = Vec::with_capacity(n3.len());
    for i in 0..n3.len() {
        if i == 0 || n3[i].hash != n3[i - 1].hash {
            uniq.push(i);
        }
    }
    for (k, &i) in uniq.iter().enumerate() {
        let j = uniq[(k + 1) % uniq.len()];
        if n3[i].next != &n3[j].hash[..] {
            let what = if k + 1 == uniq.len() { "the last NSEC3 must point to the first" } else { "the next hash in the chain" };
            out.add(
                Code::Nsec3Chain,
                &n3[i].rec.owner,
                rrtype::NSEC3,
                None,
                Some(n3[i].rec),
                format!("NSEC3 at {} says next is {}, but {what} is {} ({})", n3[i].rec.owner, b32(n3[i].next), b32(&n3[j].hash), n3[j].rec.owner),
            );
        }
    }
    let originals = &names.originals;
    let ents = &names.ents;
    // The hashes alone, contiguous, for the lookups.
    let keys: Vec<[u8; 20]> = n3.iter().map(|e| e.hash).collect();
    let mut listed: Vec<u16> = Vec::new();
    let mut expected: Vec<u16> = Vec::new();
    let mut lower: Vec<u8> = Vec::new();
    // Hash every name, then walk names and NSEC3s together in hash order
    // (a merge: no random lookups into the NSEC3 list).
    let mut targets: Vec<([u8; 20], u32)> = Vec::with_capacity(originals.len() + ents.len());
    for (i, name) in originals.iter().map(|n| &n.name).chain(ents.iter()).enumerate() {
        lower.clear();
        lower.extend(name.as_wire().iter().map(|c| c.to_ascii_lowercase()));
        targets.push((nsec3_hash(&lower, salt, iterations), i as u32));
    }
    targets.sort_unstable();
    // Match names to NSEC3s in hash order; then check in name order, so
    // the nodes are read sequentially.
    let mut found: Vec<u32> = vec![u32::MAX; targets.len()];
    let mut hashes: Vec<[u8; 20]> = vec![[0; 20]; targets.len()];
    {
        let mut j = 0usize;
        for &(h, i) in &targets {
            while j < keys.len() && keys[j] < h {
                j += 1;
            }
            found[i as usize] = j as u32;
            hashes[i as usize] = h;
        }
    }
    drop(targets);
    let has_own = |i: usize| (found[i] as usize) < keys.len() && keys[found[i] as usize] == hashes[i];
    // RFC 5155 §7.1: "each empty non-terminal MUST have a corresponding
    // NSEC3 RR, unless the empty non-terminal is only derived from an
    // insecure delegation covered by an Opt-Out NSEC3 RR." An insecure
    // delegation that has an NSEC3 of its own is in the chain, not covered
    // by an opt-out span: an empty non-terminal above it needs its NSEC3
    // (else its NODATA cannot be proven).
    let mut ent_needed = vec![false; ents.len()];
    for (i, n) in originals.iter().enumerate() {
        let insecure = n.kind == NameKind::Delegation && !n.has(rrtype::DS);
        if !insecure || has_own(i) {
            for &e in &names.ent_ancestors[i] {
                ent_needed[e as usize] = true;
            }
        }
    }
    let mut check_name = |j: u32, h: [u8; 20], name: &Name, node: Option<&Node>, may_opt_out: bool, n3: &mut [N3<'_>], out: &mut Findings| {
        let j = j as usize;
        match if j < keys.len() && keys[j] == h { Ok(j) } else { Err(j) } {
            Ok(i) => {
                // The merge lands on the first of equal hashes.
                n3[i].matched = true;
                let mut k = i + 1;
                while k < n3.len() && n3[k].hash == n3[i].hash {
                    n3[k].matched = true;
                    k += 1;
                }
                let e = &n3[i];
                let ok = decode_bitmap(e.bitmap, &mut listed);
                expected.clear();
                if let Some(n) = node {
                    // An unsigned delegation owns no RRSIG, so none may be listed.
                    let signed = n.kind != NameKind::Delegation || n.has(rrtype::DS);
                    expected_types(n, signed && listed.contains(&rrtype::RRSIG), &mut expected);
                }
                if !ok {
                    out.add(Code::Nsec3Bitmap, &e.rec.owner, rrtype::NSEC3, None, Some(e.rec), format!("NSEC3 for {name} ({}): malformed type bitmap", e.rec.owner));
                } else if let Some(d) = bitmap_diff(&listed, &expected) {
                    out.add(Code::Nsec3Bitmap, &e.rec.owner, rrtype::NSEC3, None, Some(e.rec), format!("NSEC3 bitmap for {name} ({}) {d}", e.rec.owner));
                }
            }
            Err(pos) => {
                let cover = if n3.is_empty() { None } else { Some(if pos == 0 { n3.len() - 1 } else { pos - 1 }) };
                let opted_out = cover.is_some_and(|c| n3[c].flags & 1 != 0);
                if may_opt_out && opted_out {
                    return;
                }
                let reason = if may_opt_out {
                    format!("no NSEC3 for {name} (hash {}), and it is not covered by an opt-out span", b32(&h))
                } else if node.is_none() && opted_out {
                    format!(
                        "no NSEC3 for the empty non-terminal {name} (expected owner {}.{}): an opt-out span covers it, but a name below it is in the chain (RFC 5155 §7.1: it may be left out only when it is derived from insecure delegations covered by an opt-out NSEC3 alone)",
                        b32(&h),
                        z.apex
                    )
                } else {
                    format!("no NSEC3 for {name} (expected owner {}.{})", b32(&h), z.apex)
                };
                out.add(Code::Nsec3Missing, name, rrtype::NSEC3, None, node.and_then(|n| first_record(z, n)), reason);
            }
        }
    };
    for (i, n) in originals.iter().enumerate() {
        let unsigned_delegation = n.kind == NameKind::Delegation && !n.has(rrtype::DS);
        check_name(found[i], hashes[i], &n.name, Some(n), unsigned_delegation, n3, out);
    }
    for (e, name) in ents.iter().enumerate() {
        let i = originals.len() + e;
        check_name(found[i], hashes[i], name, None, !ent_needed[e], n3, out);
    }
    for e in n3.iter() {
        if !e.matched {
            out.add(Code::Nsec3Extra, &e.rec.owner, rrtype::NSEC3, None, Some(e.rec), format!("NSEC3 at {} matches no name of the zone", e.rec.owner));
        }
    }
}

fn hex_salt(s: &[u8]) -> String {
    if s.is_empty() {
        "-".into()
    } else {
        s.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::findings::Severity;
    use crate::pipeline::{verify_text, VerifyOptions};
    use crate::checks::findings::Finding;
    use crate::parse::zonefile::ParseOptions;

    const DENIAL: &[Code] = &[
        Code::NsecMissing,
        Code::NsecExtra,
        Code::NsecChain,
        Code::NsecBitmap,
        Code::NsecTtl,
        Code::MixedDenial,
        Code::Nsec3Param,
        Code::Nsec3Params,
        Code::Nsec3Missing,
        Code::Nsec3Extra,
        Code::Nsec3Chain,
        Code::Nsec3Bitmap,
        Code::Nsec3Iterations,
        Code::Nsec3Bound,
        Code::Nsec3PartialChain,
        Code::Nsec3Ttl,
    ];

    /// Runs the whole pipeline; `origin` "" means "from the SOA".
    fn run_policy(text: &str, origin: &str, policy: Policy) -> Vec<Finding> {
        let origin = (!origin.is_empty()).then(|| Name::from_text(origin, None).unwrap());
        let popts = ParseOptions { origin, ..Default::default() };
        let vopts = VerifyOptions { now: 1_700_000_000, threads: Some(1), policy, profile: false, whole_zone: false, window: None, gate: Default::default(), fingerprint: false, columns: true, cache: None, progress: None };
        let rep = verify_text(text.as_bytes(), "test.zone", &popts, &vopts).expect("zone verifies");
        rep.findings.into_iter().filter(|f| DENIAL.contains(&f.code)).collect()
    }

    fn run(text: &str, origin: &str) -> Vec<Finding> {
        run_policy(text, origin, Policy::default())
    }

    fn codes(f: &[Finding]) -> Vec<(&'static str, String)> {
        f.iter().map(|f| (f.code.as_str(), f.owner.to_string())).collect()
    }

    const CORPUS: &str = "/work/shared/corpus";

    fn corpus(path: &str, origin: &str) -> Option<Vec<Finding>> {
        let p = std::path::Path::new(CORPUS).join(path);
        let text = std::fs::read_to_string(&p).ok()?;
        let f = run(&text, origin);
        for x in &f {
            eprintln!("{path}: {} {} {}", x.code.as_str(), x.owner, x.reason);
        }
        Some(f)
    }

    fn has(f: &[Finding], code: Code, owner: &str) -> bool {
        f.iter().any(|x| x.code == code && x.owner.to_string().eq_ignore_ascii_case(owner))
    }

    fn errors(f: &[Finding]) -> Vec<(&'static str, String)> {
        codes(&f.iter().filter(|x| x.severity == Severity::Error).cloned().collect::<Vec<_>>())
    }

    #[test]
    fn bitmap_decoding() {
        let mut v = Vec::new();
        // A NS SOA MX RRSIG NSEC
        assert!(decode_bitmap(&[0, 6, 0x62, 0x01, 0x00, 0x00, 0x00, 0x03], &mut v));
        assert_eq!(v, vec![1, 2, 6, 15, 46, 47]);
        assert!(decode_bitmap(&[0, 1, 0x40, 1, 1, 0x40], &mut v));
        assert_eq!(v, vec![1, 257]);
        assert!(!decode_bitmap(&[1, 1, 0x40, 0, 1, 0x40], &mut v)); // windows out of order
        assert!(!decode_bitmap(&[0, 0], &mut v));
        assert!(!decode_bitmap(&[0, 3, 0x40], &mut v));
    }

    #[test]
    fn nsec3_hash_vectors() {
        // RFC 5155 Appendix A: salt aabbccdd, 12 iterations.
        let salt = [0xaa, 0xbb, 0xcc, 0xdd];
        let h = |n: &str| b32(&nsec3_hash(Name::from_text(n, None).unwrap().to_lowercase().as_wire(), &salt, 12));
        assert_eq!(h("example."), "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom");
        assert_eq!(h("a.example."), "35mthgpgcu1qg68fab165klnsnk3dpvl");
        assert_eq!(h("2t7b4g4vsa5smi47k61mv5bv1a22bojr.example."), "kohar7mbb8dc2ce8a9qvl8hon4k53uhi");
        assert_eq!(h("X.W.Example."), "b4um86eghhds6nea196smvmlo4ors995");
    }

    const NSEC_ZONE: &str = "$ORIGIN example.
@ 300 IN SOA ns1 host 1 3600 600 86400 300
@ 300 NS ns1
@ 300 NSEC a NS SOA RRSIG NSEC
a 300 A 192.0.2.1
a 300 NSEC ns1 A RRSIG NSEC
ns1 300 A 192.0.2.2
ns1 300 NSEC sub A RRSIG NSEC
sub 300 NS ns.sub
sub 300 NSEC Www NS RRSIG NSEC
ns.sub 300 A 192.0.2.3
www 300 TXT \"x\"
www 300 NSEC example. TXT RRSIG NSEC
";

    #[test]
    fn nsec_clean_zone() {
        // Glue (ns.sub) is not in the chain; an upper-case next name is fine.
        let f = run(NSEC_ZONE, "example.");
        assert!(f.is_empty(), "{:?}", codes(&f));
    }

    #[test]
    fn nsec_defects() {
        // NSEC at ns1 dropped; www's bitmap wrong; glue gets an NSEC; two NSEC at a; TTL.
        let z = NSEC_ZONE
            .replace("ns1 300 NSEC sub A RRSIG NSEC\n", "")
            .replace("www 300 NSEC example. TXT RRSIG NSEC", "www 300 NSEC example. A RRSIG NSEC")
            .replace("ns.sub 300 A 192.0.2.3\n", "ns.sub 300 A 192.0.2.3\nns.sub 300 NSEC www A RRSIG NSEC\n")
            .replace("a 300 NSEC ns1 A RRSIG NSEC\n", "a 300 NSEC ns1 A RRSIG NSEC\na 60 NSEC zz A RRSIG NSEC\n");
        let f = run(&z, "example.");
        assert!(has(&f, Code::NsecMissing, "ns1.example."), "{:?}", codes(&f));
        assert!(has(&f, Code::NsecExtra, "ns.sub.example."));
        assert!(has(&f, Code::NsecExtra, "a.example."));
        assert!(has(&f, Code::NsecTtl, "a.example."));
        let b = f.iter().find(|x| x.code == Code::NsecBitmap).unwrap();
        assert!(b.reason.contains("omits TXT") && b.reason.contains("lists A"), "{}", b.reason);
        assert_eq!(f.iter().filter(|x| x.code == Code::NsecChain).count(), 0, "{:?}", codes(&f));

        // Chain: a skips ns1; the last name does not point to the apex; a next
        // name that is not in the zone.
        let z = NSEC_ZONE
            .replace("a 300 NSEC ns1", "a 300 NSEC sub")
            .replace("www 300 NSEC example.", "www 300 NSEC zzz.example.");
        let f = run(&z, "example.");
        let chain: Vec<&str> = f.iter().filter(|x| x.code == Code::NsecChain).map(|x| x.reason.as_str()).collect();
        assert_eq!(chain.len(), 2, "{chain:?}");
        assert!(chain[0].contains("NSEC at a.example. says next is sub.example., but the next name is ns1.example."), "{}", chain[0]);
        assert!(chain[1].contains("zzz.example., which is not in the zone"), "{}", chain[1]);
    }

    #[test]
    fn mixed_denial() {
        let z = format!("{NSEC_ZONE}@ 300 NSEC3PARAM 1 0 0 -\n");
        let f = run(&z, "example.");
        // Once; the apex NSEC bitmap now omits NSEC3PARAM; no NSEC3 noise.
        let mut c = codes(&f);
        c.sort();
        assert_eq!(c, vec![("mixed-denial", "example.".to_string()), ("nsec-bitmap", "example.".to_string())]);
        // NSEC3PARAM alone: one finding.
        let z = NSEC3_ZONE.to_string();
        let f = run(&z, "example.");
        assert_eq!(codes(&f), vec![("nsec3-missing", "example.".to_string())]);
    }

    #[test]
    fn nsec_next_is_glue() {
        let z = NSEC_ZONE.replace("ns1 300 NSEC sub", "ns1 300 NSEC ns.sub");
        let f = run(&z, "example.");
        assert_eq!(f.len(), 1, "{:?}", codes(&f));
        assert!(f[0].reason.contains("glue, occluded or out of zone"), "{}", f[0].reason);
    }

    /// An NSEC3 chain for `names` ((name, bitmap types)) below `example.`,
    /// no salt, 0 iterations.
    fn nsec3_chain(names: &[(&str, &str)], flags: u8) -> Vec<(String, String)> {
        let mut h: Vec<([u8; 20], &str)> = names
            .iter()
            .map(|(n, t)| (nsec3_hash(Name::from_text(n, None).unwrap().to_lowercase().as_wire(), &[], 0), *t))
            .collect();
        h.sort();
        (0..h.len())
            .map(|i| {
                let next = b32(&h[(i + 1) % h.len()].0);
                (b32(&h[i].0), format!("{}.example. 300 NSEC3 1 {flags} 0 - {next} {}\n", b32(&h[i].0), h[i].1))
            })
            .collect()
    }

    const NSEC3_ZONE: &str = "$ORIGIN example.
@ 300 IN SOA ns1 host 1 3600 600 86400 300
@ 300 NS ns1
@ 300 NSEC3PARAM 1 0 0 -
ns1 300 A 192.0.2.1
a.b 300 A 192.0.2.2
sub 300 NS ns.sub
ns.sub 300 A 192.0.2.3
sec 300 NS ns1
sec 300 DS 1 8 2 0000000000000000000000000000000000000000000000000000000000000000
x.y 300 NS ns1
";

    const NSEC3_NAMES: &[(&str, &str)] = &[
        ("example.", "NS SOA NSEC3PARAM"),
        ("ns1.example.", "A"),
        ("a.b.example.", "A"),
        ("b.example.", ""),
        ("sub.example.", "NS"),
        ("sec.example.", "NS DS"),
        ("x.y.example.", "NS"),
        ("y.example.", ""),
    ];

    fn nsec3_zone(names: &[(&str, &str)], flags: u8) -> String {
        let mut z = NSEC3_ZONE.to_string();
        for (_, rr) in nsec3_chain(names, flags) {
            z.push_str(&rr);
        }
        z
    }

    #[test]
    fn nsec3_clean_zone() {
        let f = run(&nsec3_zone(NSEC3_NAMES, 0), "example.");
        assert!(f.is_empty(), "{:?}", codes(&f));
        // Opt-out: the unsigned delegations sub and x.y and the ENT y above
        // only x.y may be left out.
        let names: Vec<_> = NSEC3_NAMES.iter().copied().filter(|(n, _)| !["sub.example.", "x.y.example.", "y.example."].contains(n)).collect();
        let f = run(&nsec3_zone(&names, 1), "example.");
        assert!(f.is_empty(), "{:?}", codes(&f));
    }

    #[test]
    fn nsec3_defects() {
        // Without opt-out, the same omissions are errors.
        let names: Vec<_> = NSEC3_NAMES.iter().copied().filter(|(n, _)| !["sub.example.", "y.example.", "b.example."].contains(n)).collect();
        let f = run(&nsec3_zone(&names, 0), "example.");
        assert!(has(&f, Code::Nsec3Missing, "sub.example."), "{:?}", codes(&f));
        assert!(has(&f, Code::Nsec3Missing, "y.example."));
        // The ENT b is above a.b (not a delegation): never optional. The
        // ENT y is above x.y, an insecure delegation that has an NSEC3 of
        // its own (it is in the chain, not opted out): RFC 5155 §7.1 lets y
        // go only when it is derived from opted-out delegations alone.
        let f = run(&nsec3_zone(&names, 1), "example.");
        assert_eq!(errors(&f), vec![("nsec3-missing", "b.example.".to_string()), ("nsec3-missing", "y.example.".to_string())]);
        assert!(f[0].reason.contains("expected owner"), "{}", f[0].reason);
        assert!(f[1].reason.contains("a name below it is in the chain"), "{}", f[1].reason);
        // With x.y opted out too, y may go.
        let names: Vec<_> = names.into_iter().filter(|(n, _)| *n != "x.y.example.").collect();
        let f = run(&nsec3_zone(&names, 1), "example.");
        assert_eq!(errors(&f), vec![("nsec3-missing", "b.example.".to_string())]);

        // Bitmap, an extra NSEC3, the glue hashed, a chain break, parameters.
        let mut names = NSEC3_NAMES.to_vec();
        names[1] = ("ns1.example.", "A AAAA");
        names.push(("ns.sub.example.", "A"));
        let f = run(&nsec3_zone(&names, 0), "example.");
        assert_eq!(errors(&f).len(), 2, "{:?}", codes(&f));
        assert!(f.iter().any(|x| x.code == Code::Nsec3Bitmap && x.reason.contains("lists AAAA")));
        assert!(f.iter().any(|x| x.code == Code::Nsec3Extra && x.reason.contains("matches no name")));

        let chain = nsec3_chain(NSEC3_NAMES, 0);
        let mut z = NSEC3_ZONE.to_string();
        for (i, (_, rr)) in chain.iter().enumerate() {
            match i {
                0 => z.push_str(&rr.replace(" 0 - ", " 0 ab ")),
                2 => {
                    let next = &chain[3].0;
                    z.push_str(&rr.replace(&format!(" {next} "), &format!(" {} ", chain[4].0)));
                }
                _ => z.push_str(rr),
            }
        }
        // The record with salt ab is a one-record second chain (a partial
        // chain: a warning), and the NSEC3PARAM's chain lacks its name.
        let f = run(&z, "example.");
        assert!(f.iter().any(|x| x.code == Code::Nsec3PartialChain && x.severity == Severity::Warning), "{:?}", codes(&f));
        assert!(f.iter().any(|x| x.code == Code::Nsec3Missing && x.owner.to_string() == NSEC3_NAMES.iter().find(|(n, _)| chain[0].0 == b32(&nsec3_hash(Name::from_text(n, None).unwrap().to_lowercase().as_wire(), &[], 0))).unwrap().0), "{:?}", codes(&f));
        // The edited next of chain[2], and the NSEC3 before chain[0] (whose
        // next, chain[0], has left the NSEC3PARAM's chain).
        let c: Vec<_> = f.iter().filter(|x| x.code == Code::Nsec3Chain).collect();
        assert_eq!(c.len(), 2, "{:?}", codes(&f));
        assert!(c.iter().any(|x| x.owner.to_string().starts_with(&chain[2].0)));
        assert!(c.iter().any(|x| x.owner.to_string().starts_with(&chain[chain.len() - 1].0)));
    }

    #[test]
    fn nsec3_owner_shape_duplicates_and_unsigned_delegation_rrsig() {
        let mut z = nsec3_zone(NSEC3_NAMES, 0);
        let chain = nsec3_chain(NSEC3_NAMES, 0);
        // A duplicate NSEC3 (same owner, other bitmap), an owner two labels
        // below the apex, an owner label that is not a hash.
        z.push_str(&chain[0].1.replace("\n", " TXT\n"));
        z.push_str(&format!("{}.deep.example. 300 NSEC3 1 0 0 - {} A\n", chain[0].0, chain[1].0));
        z.push_str(&format!("nothash.example. 300 NSEC3 1 0 0 - {} A\n", chain[1].0));
        let f = run(&z, "example.");
        let extra: Vec<&Finding> = f.iter().filter(|x| x.code == Code::Nsec3Extra).collect();
        assert_eq!(extra.len(), 3, "{:?}", codes(&f));
        assert!(extra.iter().any(|x| x.reason.contains("a second NSEC3")));
        assert!(extra.iter().any(|x| x.owner.to_string().starts_with("nothash")));
        assert!(extra.iter().any(|x| x.owner.to_string().contains(".deep.")));
        // The misplaced owner makes no empty non-terminal deep.example.
        assert!(!f.iter().any(|x| x.code == Code::Nsec3Missing), "{:?}", codes(&f));

        // An unsigned delegation's NSEC3 may not list RRSIG (it owns none).
        let mut names = NSEC3_NAMES.to_vec();
        names[4] = ("sub.example.", "NS RRSIG");
        let f = run(&nsec3_zone(&names, 0), "example.");
        assert_eq!(f.len(), 1, "{:?}", codes(&f));
        assert!(f[0].code == Code::Nsec3Bitmap && f[0].reason.contains("for sub.example.") && f[0].reason.contains("lists RRSIG"), "{}", f[0].reason);
        // A signed name that lists RRSIG without owning one: tolerated (the
        // missing signatures are the signature checks' finding).
        names[4] = ("sub.example.", "NS");
        names[1] = ("ns1.example.", "A RRSIG");
        let f = run(&nsec3_zone(&names, 0), "example.");
        assert!(f.is_empty(), "{:?}", codes(&f));
    }

    #[test]
    fn nsec3param_and_iterations() {
        let z = nsec3_zone(NSEC3_NAMES, 0).replace("NSEC3PARAM 1 0 0 -", "NSEC3PARAM 1 1 0 -");
        let f = run(&z, "example.");
        assert_eq!(codes(&f), vec![("nsec3param", "example.".to_string())]);
        // No NSEC3PARAM: and the apex NSEC3 now lists a type that is not there.
        let z = nsec3_zone(NSEC3_NAMES, 0).replace("@ 300 NSEC3PARAM 1 0 0 -\n", "");
        let f = run(&z, "example.");
        let mut c: Vec<&str> = f.iter().map(|x| x.code.as_str()).collect();
        c.sort();
        assert_eq!(c, vec!["nsec3-bitmap", "nsec3param"]);
        // The NSEC3PARAM names 5 iterations, the one chain has 0: the named
        // chain is missing (RFC 5155 §4), the other is complete and fine;
        // and the named parameters draw the iterations warning.
        let z = nsec3_zone(NSEC3_NAMES, 0).replace("NSEC3PARAM 1 0 0 -", "NSEC3PARAM 1 0 5 -");
        let f = run(&z, "example.");
        assert_eq!(f.iter().filter(|x| x.code == Code::Nsec3Iterations).count(), 1);
        assert_eq!(errors(&f), vec![("nsec3-missing", "example.".to_string())]);
        assert!(f.iter().any(|x| x.reason.contains("no NSEC3 uses these parameters")));
    }

    /// The chain of `nsec3_chain` with a salt and iterations of choice.
    fn salted_chain(names: &[(&str, &str)], salt: &[u8], iterations: u16) -> Vec<String> {
        let mut h: Vec<([u8; 20], &str)> = names
            .iter()
            .map(|(n, t)| (nsec3_hash(Name::from_text(n, None).unwrap().to_lowercase().as_wire(), salt, iterations), *t))
            .collect();
        h.sort();
        (0..h.len())
            .map(|i| format!("{}.example. 300 NSEC3 1 0 {iterations} {} {} {}\n", b32(&h[i].0), hex_salt(salt), b32(&h[(i + 1) % h.len()].0), h[i].1))
            .collect()
    }

    #[test]
    fn two_nsec3_chains() {
        // RFC 5155 §4: each chain an NSEC3PARAM names must be complete. A
        // zone changing its parameters holds both chains; each is checked
        // on its own, and neither's records are errors of the other.
        let old = nsec3_zone(NSEC3_NAMES, 0);
        let second = salted_chain(NSEC3_NAMES, &[0xab, 0xcd], 3);
        let both = format!("{old}{}", second.concat());
        let f = run(&both, "example.");
        assert!(errors(&f).is_empty(), "{:?}", codes(&f));
        // Named by a second NSEC3PARAM: the same.
        let both2 = both.replace("@ 300 NSEC3PARAM 1 0 0 -\n", "@ 300 NSEC3PARAM 1 0 0 -\n@ 300 NSEC3PARAM 1 0 3 abcd\n");
        let f = run(&both2, "example.");
        assert!(errors(&f).is_empty(), "{:?}", codes(&f));
        assert!(f.iter().any(|x| x.code == Code::Nsec3Iterations));
        // A defect in the second, complete chain is still found.
        let bad = format!("{old}{}", second.iter().map(|r| r.replace(" NS DS\n", " NS\n")).collect::<String>());
        assert_ne!(bad, both);
        let f = run(&bad, "example.");
        assert_eq!(errors(&f).len(), 1, "{:?}", codes(&f));
        assert!(f.iter().any(|x| x.code == Code::Nsec3Bitmap && x.reason.contains("for sec.example.") && x.reason.contains("omits DS")), "{:?}", codes(&f));
        // The second chain half built (a chain under construction): one
        // warning, no per-record errors.
        let half = format!("{old}{}", second[..4].concat());
        let f = run(&half, "example.");
        assert!(errors(&f).is_empty(), "{:?}", codes(&f));
        assert_eq!(f.iter().filter(|x| x.code == Code::Nsec3PartialChain).count(), 1, "{:?}", codes(&f));
        // ... but when an NSEC3PARAM names it, it must be complete.
        let half_named = half.replace("@ 300 NSEC3PARAM 1 0 0 -\n", "@ 300 NSEC3PARAM 1 0 0 -\n@ 300 NSEC3PARAM 1 0 3 abcd\n");
        let f = run(&half_named, "example.");
        assert_eq!(errors(&f).iter().filter(|(c, _)| *c == "nsec3-missing").count(), NSEC3_NAMES.len() - 4, "{:?}", codes(&f));
    }

    #[test]
    fn nsec3_bound() {
        let policy = Policy { nsec3_max_hashes: 3, ..Default::default() };
        let f = run_policy(&nsec3_zone(NSEC3_NAMES, 0), "example.", policy);
        assert_eq!(codes(&f), vec![("nsec3-bound", "example.".to_string())]);
    }

    #[test]
    fn nsec3_ttl() {
        let z = nsec3_zone(NSEC3_NAMES, 0).replacen(".example. 300 NSEC3", ".example. 600 NSEC3", 1);
        let f = run(&z, "example.");
        assert_eq!(f.iter().map(|x| x.code).collect::<Vec<_>>(), vec![Code::Nsec3Ttl]);
        assert_eq!(f[0].severity, Severity::Warning);
    }

    const DNST: &str = "dnst/derived-from-src_commands_signzone.rs";

    /// Clean zones: no denial errors (warnings listed where there are some).
    #[test]
    fn corpus_clean() {
        for (p, o) in [
            // MANIFEST: RFC 4035 App. A re-signed by dnst => VALID.
            (format!("{DNST}/rfc_4035_nsec_signed_zone_example.zone"), "example."),
            // MANIFEST: glue below delegations is neither signed nor in the chain => VALID
            // (the delegations also own A/AAAA at the cut, which must not be in the bitmap).
            (format!("{DNST}/glue_records_should_not_be_nsec_hashed_or_signed.zone"), ""),
            (format!("{DNST}/glue_records_should_not_be_nsec3_hashed_or_signed.zone"), ""),
            // MANIFEST: NSEC(3) TTL must equal min(SOA TTL, MINIMUM).
            (format!("{DNST}/rfc_9077_nsec_ttl_minimum_select_soa_minimum.zone"), ""),
            (format!("{DNST}/rfc_9077_nsec_ttl_minimum_select_soa_ttl.zone"), ""),
            (format!("{DNST}/rfc_9077_nsec3_ttl_minimum_select_soa_minimum.zone"), ""),
            (format!("{DNST}/rfc_9077_nsec3_ttl_minimum_select_soa_ttl.zone"), ""),
            // MANIFEST: chain structure reference, unsigned by design (RRSIG listed, none present).
            (format!("{DNST}/nsec3_hash_only.zone"), ""),
            (format!("{DNST}/nsec_hash_only.zone"), ""),
            // MANIFEST: BIND 9.9.10 NSEC zone => VALID (delegations with A/AAAA at the cut).
            ("validns/t/zones/example.sec.signed".into(), "example.sec."),
        ] {
            let Some(f) = corpus(&p, o) else { continue };
            assert!(f.is_empty(), "{p}: {:?}", codes(&f));
        }
        for (p, o) in [
            // MANIFEST: RSASHA512 NSEC signed zone => VALID (NSEC TTL 604800 > SOA MINIMUM: RFC 9077 warning).
            ("validns/t/issues/nsec-chain/example.com.signed", "example.com."),
            // MANIFEST: issue 26, glue must not require NSEC3/NSEC => VALID.
            ("validns/t/issues/26-spurios-glue/example.sec.signed.nsec", "example.sec."),
            ("validns/t/issues/26-spurios-glue/example.sec.signed.optout", "example.sec."),
            ("validns/t/issues/26-spurios-glue/example.sec.signed.no-optout", "example.sec."),
            // MANIFEST: issues 21/24, NSEC3 and delegations => VALID.
            ("validns/t/issues/21-nsec3-without-corresponding/example.sec.signed", "example.sec."),
            ("validns/t/issues/24-delegated-nsec3/example.sec.signed", "example.sec."),
            // MANIFEST: RFC 5155 App. A signed zone (alg 7) => VALID; 12 iterations and a salt.
            ("bind10/tests/lettuce/configurations/nsec3/rfc5155-example.zone.signed", "example."),
            // MANIFEST: NSEC3 next-hashed-owner in upper case => DNSSEC VALID.
            ("pdns/regression-tests.nobackend/zonemd-test-cases/zones/51-uppercase-nsec3-rdata-names/arpa.zone.hashed", "arpa."),
            // MANIFEST: NSEC next names upper-cased after signing: the chain itself is fine.
            ("pdns/regression-tests.nobackend/zonemd-test-cases/zones/50-uppercase-nsec-rdata-names/arpa.zone.hashed", "arpa."),
        ] {
            let Some(f) = corpus(p, o) else { continue };
            assert!(errors(&f).is_empty(), "{p}: {:?}", codes(&f));
            assert!(f.iter().all(|x| matches!(x.code, Code::NsecTtl | Code::Nsec3Ttl | Code::Nsec3Iterations)), "{p}: {:?}", codes(&f));
        }
        // MANIFEST: RFC 5155 App. A re-signed by dnst, opt-out => VALID. The
        // chain, hashes and bitmaps are clean; but its NSEC3PARAM has flags 1
        // (the opt-out bit, as ldns-signzone writes it), which RFC 5155 §4.1.2
        // says must be 0 (such an NSEC3PARAM "MUST be ignored").
        if let Some(f) = corpus(&format!("{DNST}/rfc_5155_nsec3_signed_zone_example.zone"), "example.") {
            assert_eq!(errors(&f), vec![("nsec3param", "example.".to_string())]);
            assert!(f.iter().any(|x| x.code == Code::Nsec3Iterations));
        }
    }

    #[test]
    fn corpus_defects() {
        // MANIFEST: "same zone with the apex NSEC removed => exactly 1 error 'apex NSEC not found'".
        if let Some(f) = corpus("validns/t/issues/nsec-chain/example.com.signed-without-first-nsec", "example.com.") {
            assert_eq!(errors(&f), vec![("nsec-missing", "example.com.".to_string())]);
        }
        // MANIFEST: "one NSEC removed => exactly 1 error 'broken NSEC chain example.com. ->
        // domain1.example.com.'": the NSEC of domain1 (the last name) is gone.
        if let Some(f) = corpus("validns/t/issues/nsec-chain/example.com.signed-without-last-nsec", "example.com.") {
            assert_eq!(errors(&f), vec![("nsec-missing", "domain1.example.com.".to_string())]);
        }
        // MANIFEST: with-errors: "MX exists but the NSEC bitmap omits it; NSEC lists SRV but no
        // SRV exists; NSEC chain says mail follows example.sec. but ghost does; says ns1 follows
        // mail but nosuch does; says ns2 follows ns1 but ns122 does; says www is last but zzz
        // exists; says zzzz follows zzz but nothing does". ghost, nosuch and ns122 also lack
        // their own NSEC.
        if let Some(f) = corpus("validns/t/zones/example.sec.signed.with-errors", "example.sec.") {
            let chain: Vec<String> = f.iter().filter(|x| x.code == Code::NsecChain).map(|x| x.owner.to_string()).collect();
            assert_eq!(chain, ["example.sec.", "mail.example.sec.", "ns1.example.sec.", "www.example.sec.", "zzz.example.sec."]);
            let r: Vec<&str> = f.iter().filter(|x| x.code == Code::NsecChain).map(|x| x.reason.as_str()).collect();
            assert!(r[0].contains("says next is mail.example.sec., but the next name is ghost.example.sec."), "{}", r[0]);
            assert!(r[4].contains("zzzz.example.sec., which is not in the zone"), "{}", r[4]);
            let bm: Vec<&str> = f.iter().filter(|x| x.code == Code::NsecBitmap).map(|x| x.reason.as_str()).collect();
            assert_eq!(bm.len(), 2, "{bm:?}");
            assert!(bm[0].contains("omits MX") && bm[1].contains("lists SRV"), "{bm:?}");
            let mut missing: Vec<String> = f.iter().filter(|x| x.code == Code::NsecMissing).map(|x| x.owner.to_string()).collect();
            missing.sort();
            assert_eq!(missing, ["ghost.example.sec.", "nosuch.example.sec.", "ns122.example.sec."]);
            assert_eq!(f.len(), 10, "{:?}", codes(&f));
        }
        // MANIFEST: zonemd.example11 "apex NSEC bitmap lists ZONEMD" => "NSEC bitmap says type ZONEMD exists".
        if let Some(f) = corpus("unbound/testdata/zonemd.example11.zone", "") {
            assert_eq!(errors(&f), vec![("nsec-bitmap", "example.com.".to_string())]);
            assert!(f[0].reason.contains("lists ZONEMD"));
        }
        // MANIFEST: zonemd.example12 "NSEC3 bitmap lists ZONEMD" => "NSEC3 bitmap says type ZONEMD exists".
        if let Some(f) = corpus("unbound/testdata/zonemd.example12.zone", "") {
            let e = errors(&f);
            assert_eq!(e.len(), 1, "{e:?}");
            assert!(f.iter().any(|x| x.code == Code::Nsec3Bitmap && x.reason.contains("for example.com.") && x.reason.contains("lists ZONEMD")));
        }
        // MANIFEST: dnssec-failures: "the NSEC RRs at expired.* and notyetincepted.* were
        // dropped while their RRSIG(NSEC) stayed (orphan RRSIGs, NSEC chain gap)".
        if let Some(f) = corpus("unbound/testdata/ede.tdir/bogus/dnssec-failures.test.signed", "") {
            assert_eq!(
                errors(&f),
                vec![
                    ("nsec-missing", "expired.dnssec-failures.test.".to_string()),
                    ("nsec-missing", "notyetincepted.dnssec-failures.test.".to_string())
                ]
            );
        }
        // MANIFEST: dnskey-failures: "zone with the DNSKEY RRset removed": the apex NSEC still lists it.
        if let Some(f) = corpus("unbound/testdata/ede.tdir/bogus/dnskey-failures.test.signed", "") {
            assert_eq!(errors(&f), vec![("nsec-bitmap", "dnskey-failures.test.".to_string())]);
            assert!(f[0].reason.contains("lists DNSKEY"));
        }
        // MANIFEST: A.4 uri.arpa: "the apex NSEC bitmap does not list ZONEMD ... A strict
        // verifier should report the unsigned ZONEMD / bitmap mismatch".
        if let Some(f) = corpus("ldns/test/25-ZONEMD.tpkg/A.4.The-URI.ARPA-Zone", "") {
            assert_eq!(errors(&f), vec![("nsec-bitmap", "uri.arpa.".to_string())]);
            assert!(f[0].reason.contains("omits ZONEMD"));
        }
        // MANIFEST: bind10 "example.org.nsec3-signed-noparam" (NSEC3 zone without
        // NSEC3PARAM; the apex NSEC3 bitmap still lists NSEC3PARAM).
        if let Some(f) = corpus("bind10/src/lib/datasrc/tests/testdata/example.org.nsec3-signed-noparam", "") {
            let mut e = errors(&f);
            e.sort();
            assert_eq!(e, vec![("nsec3-bitmap", "RKOF8QMFRB5F2V9EJHFBVB2JPVSA0DJD.example.org.".to_string()), ("nsec3param", "example.org.".to_string())]);
        }
        // MANIFEST: bind10 query_cmp example.com.txt.signed (no verdict): old BIND signed
        // names below DNAMEs; they own NSECs they may not have (RFC 6672 §5.3).
        if let Some(f) = corpus("bind10/tools/query_cmp/zonefile/example.com.txt.signed", "") {
            assert!(has(&f, Code::NsecExtra, "_http._tcp.a.example.com."));
        }
    }

    /// `cargo test --release --lib denial::tests::perf -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn perf_million_names() {
        let n = 1_000_000;
        let mut names: Vec<String> = (0..n).map(|i| format!("h{i:07}.example.")).collect();
        names.sort();
        let mut z = String::from("example. 300 IN SOA ns1 host 1 3600 600 86400 300\nexample. 300 NS ns1.example.\n");
        z.push_str(&format!("example. 300 NSEC {} NS SOA RRSIG NSEC\n", names[0]));
        for i in 0..n {
            let next = if i + 1 < n { names[i + 1].as_str() } else { "example." };
            z.push_str(&format!("{} 300 A 192.0.2.1\n{} 300 NSEC {next} A RRSIG NSEC\n", names[i], names[i]));
        }
        let popts = ParseOptions { origin: Some(Name::from_text("example.", None).unwrap()), ..Default::default() };
        let vopts = VerifyOptions { now: 1_700_000_000, threads: Some(1), policy: Policy::default(), profile: false, whole_zone: false, window: None, gate: Default::default(), fingerprint: false, columns: true, cache: None, progress: None };
        let timed = |text: &str| {
            let parsed = crate::parse::zonefile::parse_zone(text.as_bytes(), "big", &popts).unwrap();
            let t = std::time::Instant::now();
            let zone = Zone::build(Name::from_text("example.", None).unwrap(), &parsed.records, &[], &[], 0);
            let build = t.elapsed().as_secs_f64();
            let t = std::time::Instant::now();
            let mut out = Findings::default();
            check_nsec(&zone, &mut out);
            let nsec = t.elapsed().as_secs_f64();
            let t = std::time::Instant::now();
            check_nsec3(&zone, &Policy::default(), &mut out);
            let nsec3 = t.elapsed().as_secs_f64();
            eprintln!("build {build:.3}s check_nsec {nsec:.3}s check_nsec3 {nsec3:.3}s, {} findings", out.list.len());
        };
        timed(&z);
        let rep = verify_text(z.as_bytes(), "big", &popts, &vopts).unwrap();
        eprintln!("NSEC: checks {:.3}s model {:.3}s, {} findings", rep.timings.checks, rep.timings.model, rep.findings.len());
        assert!(rep.findings.iter().all(|f| f.code != Code::NsecChain && f.code != Code::NsecMissing));
        // NSEC3, no salt, 0 iterations.
        let mut z = String::from("example. 300 IN SOA ns1 host 1 3600 600 86400 300\nexample. 300 NS ns1.example.\nexample. 300 NSEC3PARAM 1 0 0 -\n");
        let mut hs: Vec<String> = Vec::new();
        for name in names.iter().chain(std::iter::once(&"example.".to_string())) {
            hs.push(b32(&nsec3_hash(Name::from_text(name, None).unwrap().as_wire(), &[], 0)));
            if name != "example." {
                z.push_str(&format!("{name} 300 A 192.0.2.1\n"));
            }
        }
        let apex_hash = hs.last().unwrap().clone();
        hs.sort();
        for i in 0..hs.len() {
            let t = if hs[i] == apex_hash { "NS SOA NSEC3PARAM" } else { "A" };
            z.push_str(&format!("{}.example. 300 NSEC3 1 0 0 - {} {t}\n", hs[i], hs[(i + 1) % hs.len()]));
        }
        timed(&z);
        let rep = verify_text(z.as_bytes(), "big3", &popts, &vopts).unwrap();
        eprintln!("NSEC3: checks {:.3}s model {:.3}s, {} findings", rep.timings.checks, rep.timings.model, rep.findings.len());
        assert!(rep.findings.is_empty(), "{:?}", &rep.findings[..3.min(rep.findings.len())]);
    }
}

/// A name of [`Nsec3Summary`] sent to the worker that checks its hash
/// range ([`Nsec3Shard`]): its empty non-terminal numbered with the part's
/// number in the high half, so that numbers from different parts differ.
pub(crate) struct ShardName {
    pub(crate) hash: [u8; 20],
    pub(crate) types: u128,
    pub(crate) owns_rrsig: bool,
    pub(crate) signed: bool,
    pub(crate) may_opt_out: bool,
    /// `u64::MAX`: not an empty non-terminal.
    pub(crate) ent: u64,
}

/// One hash range of a zone checked in parts, from one part or (joined)
/// from all: the NSEC3 summaries' names and records whose hashes fall in
/// it, the unsigned delegations with an empty non-terminal above them, and
/// the hashes of the subtree tops and of the hashed owners each part saw
/// (with the part's number), so that a worker can check the range
/// ([`Nsec3Shard::check`]) and the client only stitches the ranges
/// ([`stitch`]).
#[derive(Default)]
pub struct Nsec3Shard {
    pub(crate) names: Vec<ShardName>,
    pub(crate) records: Vec<Nsec3Note>,
    pub(crate) ent_below: Vec<([u8; 20], u64)>,
    pub(crate) tops: Vec<(u128, u32)>,
    pub(crate) hashed: Vec<(u128, u32)>,
}

/// What checking one hash range leaves for the client ([`stitch`]).
#[derive(Default)]
pub struct ShardOut {
    /// The first record's hash; the last record's next hash and opt-out flag.
    pub(crate) first: Option<[u8; 20]>,
    pub(crate) last_next: [u8; 20],
    pub(crate) last_opt_out: bool,
    /// Empty non-terminals that need an NSEC3 (an unsigned delegation
    /// below them has one).
    pub(crate) needed: Vec<u64>,
    /// Names without an NSEC3 whose cover is not settled here: (may opt
    /// out, empty non-terminal or `u64::MAX`, the covering record's
    /// opt-out flag, or `None`: the range's names before its first record,
    /// covered by the previous range's last).
    pub(crate) pending: Vec<(bool, u64, Option<bool>)>,
    pub(crate) names: u64,
}

/// Which of `n` hash ranges a hash falls in.
fn range_of(first_two: u16, n: usize) -> usize {
    (first_two as usize * n) >> 16
}

impl Nsec3Summary {
    /// Moves the names, records and delegations below empty non-terminals
    /// out of this summary into `shards` (one per hash range), numbering
    /// the empty non-terminals with `part`; the summary keeps its chain's
    /// parameters.
    pub fn split_into(&mut self, part: u32, shards: &mut [Nsec3Shard]) {
        let n = shards.len();
        let ent = |e: u32| if e == u32::MAX { u64::MAX } else { ((part as u64) << 32) | e as u64 };
        let name = |h: HashedName| ShardName {
            hash: h.hash,
            types: h.types,
            owns_rrsig: h.owns_rrsig,
            signed: h.signed,
            may_opt_out: h.may_opt_out,
            ent: ent(h.ent),
        };
        if let [one] = shards {
            // All of it in one range (the single stream's check): moved,
            // not copied (the names converted in place).
            let names: Vec<ShardName> = std::mem::take(&mut self.names).into_iter().map(name).collect();
            if one.names.is_empty() {
                one.names = names;
            } else {
                one.names.extend(names);
            }
            one.records.append(&mut self.records);
            one.ent_below.extend(std::mem::take(&mut self.ent_below).into_iter().map(|(h, e)| (h, ent(e))));
            return;
        }
        for h in std::mem::take(&mut self.names) {
            shards[range_of(u16::from_be_bytes([h.hash[0], h.hash[1]]), n)].names.push(name(h));
        }
        for r in std::mem::take(&mut self.records) {
            shards[range_of(u16::from_be_bytes([r.hash[0], r.hash[1]]), n)].records.push(r);
        }
        for (h, e) in std::mem::take(&mut self.ent_below) {
            shards[range_of(u16::from_be_bytes([h[0], h[1]]), n)].ent_below.push((h, ent(e)));
        }
    }
}

impl Nsec3Shard {
    /// The subtree tops and hashed owners of `part`, into `shards`.
    pub fn split_hashes(tops: Vec<u128>, hashed: Vec<u128>, part: u32, shards: &mut [Nsec3Shard]) {
        let n = shards.len();
        for h in tops {
            shards[range_of((h >> 112) as u16, n)].tops.push((h, part));
        }
        for h in hashed {
            shards[range_of((h >> 112) as u16, n)].hashed.push((h, part));
        }
    }

    /// Checks one hash range, given every part's share of it, by the
    /// rules of [`Nsec3Summary::holds`] and of [`crate::pipeline::names::Part::join`]
    /// (no subtree top in two parts, no hashed owner that is another
    /// part's top), as far as the range settles them; else why not.
    pub fn check(shares: Vec<Nsec3Shard>) -> Result<ShardOut, String> {
        let mut shares = shares.into_iter();
        let mut s = shares.next().unwrap_or_default();
        for x in shares {
            s.names.extend(x.names);
            s.records.extend(x.records);
            s.ent_below.extend(x.ent_below);
            s.tops.extend(x.tops);
            s.hashed.extend(x.hashed);
        }
        let mut tops: std::collections::HashMap<u128, u32> = std::collections::HashMap::with_capacity(s.tops.len());
        for (h, k) in s.tops {
            if tops.insert(h, k).is_some_and(|j| j != k) {
                return Err(format!("a subtree is in part {k} and another part"));
            }
        }
        if let Some((_, k)) = s.hashed.iter().find(|(h, k)| tops.get(h).is_some_and(|j| j != k)) {
            return Err(format!("a hashed owner name of part {k} is the top of a subtree in another part"));
        }
        let recs = &mut s.records;
        recs.sort_unstable_by_key(|r| r.hash);
        for w in recs.windows(2) {
            if w[0].hash == w[1].hash {
                return Err("two NSEC3 records at one hash".into());
            }
            if w[0].next != w[1].hash {
                return Err(format!("an NSEC3 (hash {}) does not name the next hash of the chain", b32(&w[0].hash)));
            }
        }
        let mut needed: Vec<u64> = s.ent_below.iter().filter(|(h, _)| recs.binary_search_by(|r| r.hash.cmp(h)).is_ok()).map(|&(_, e)| e).collect();
        needed.sort_unstable();
        needed.dedup();
        s.names.sort_unstable_by_key(|n| n.hash);
        let mut out = ShardOut { names: s.names.len() as u64, ..Default::default() };
        let mut matched = vec![false; recs.len()];
        let mut j = 0;
        for (k, name) in s.names.iter().enumerate() {
            if k > 0 && s.names[k - 1].hash == name.hash {
                return Err("two names with one NSEC3 hash".into());
            }
            while j < recs.len() && recs[j].hash < name.hash {
                j += 1;
            }
            if j < recs.len() && recs[j].hash == name.hash {
                let r = &recs[j];
                matched[j] = true;
                let rrsig_ok = if r.lists_rrsig { name.owns_rrsig || name.signed } else { !name.owns_rrsig };
                if r.types != name.types || !rrsig_ok {
                    return Err(format!("the NSEC3 bitmap at hash {} does not list the types of its name", b32(&r.hash)));
                }
                continue;
            }
            let cover = (j > 0).then(|| recs[j - 1].opt_out);
            match cover {
                Some(c) if name.ent == u64::MAX => {
                    if !(name.may_opt_out && c) {
                        return Err(format!("a name (hash {}) has no NSEC3 and no opt-out span covers it", b32(&name.hash)));
                    }
                }
                _ => out.pending.push((name.may_opt_out, name.ent, cover)),
            }
        }
        if let Some(i) = matched.iter().position(|&m| !m) {
            return Err(format!("the NSEC3 at hash {} matches no name", b32(&recs[i].hash)));
        }
        out.first = recs.first().map(|r| r.hash);
        if let Some(r) = recs.last() {
            out.last_next = r.next;
            out.last_opt_out = r.opt_out;
        }
        out.needed = needed;
        Ok(out)
    }
}

/// Whether the hash ranges' results (in hash order) make one correct
/// chain, as [`Nsec3Summary::holds`] over all of it would find: each
/// range's last record naming the next range's first (the last range's,
/// the first's), the names left open covered by an opt-out record they
/// may be covered by, within the hash bound of `summary` (the chain's
/// parameters) for `nsec3`; for an NSEC zone (no summary), only that the
/// ranges held.
pub fn stitch(outs: &[ShardOut], summary: Option<&Nsec3Summary>) -> Result<(), String> {
    let Some(s) = summary else { return Ok(()) };
    let names: u64 = outs.iter().map(|o| o.names).sum();
    if names * (s.iterations as u64 + 1) > s.max_hashes {
        return Err("the NSEC3 hash bound is reached".into());
    }
    let full: Vec<usize> = (0..outs.len()).filter(|&i| outs[i].first.is_some()).collect();
    if full.is_empty() {
        return Err("no NSEC3 records".into());
    }
    for (k, &i) in full.iter().enumerate() {
        let next = full[(k + 1) % full.len()];
        if Some(outs[i].last_next) != outs[next].first {
            return Err(format!("the last NSEC3 of hash range {i} does not name the first of the next"));
        }
    }
    let needed: std::collections::HashSet<u64> = outs.iter().flat_map(|o| o.needed.iter().copied()).collect();
    for (i, o) in outs.iter().enumerate() {
        // The last record before this range: of the previous range that has one.
        let before = full.iter().rev().find(|&&f| f < i).or(full.last()).map(|&f| outs[f].last_opt_out);
        for &(may, ent, cover) in &o.pending {
            let may = may && (ent == u64::MAX || !needed.contains(&ent));
            if !(may && cover.or(before).unwrap_or(false)) {
                return Err("a name has no NSEC3 and no opt-out span covers it".into());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod shard_tests {
    use super::*;

    /// A small xorshift generator (no dependency for a test).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn hash(&mut self) -> [u8; 20] {
            let mut h = [0u8; 20];
            for c in h.chunks_mut(8) {
                let v = self.next().to_be_bytes();
                c.copy_from_slice(&v[..c.len()]);
            }
            h
        }
    }

    /// A random chain of records and names in one summary (some chains
    /// broken, some names uncovered, some empty non-terminals needed).
    fn summary(seed: u64) -> Nsec3Summary {
        let mut r = Rng(seed * 2 + 1);
        let mut s = Nsec3Summary {
            iterations: 0,
            salt: Vec::new(),
            ttl: None,
            max_hashes: 1 << 40,
            types: NameHasher::default(),
            names: Vec::new(),
            records: Vec::new(),
            ents: 0,
            ent_below: Vec::new(),
        };
        let n = 1 + (r.next() % 40) as usize;
        let mut hashes: Vec<[u8; 20]> = (0..n).map(|_| r.hash()).collect();
        hashes.sort_unstable();
        hashes.dedup();
        for (i, h) in hashes.iter().enumerate() {
            let next = hashes[(i + 1) % hashes.len()];
            let opt_out = r.next() % 4 != 0;
            s.records.push(Nsec3Note { hash: *h, next, opt_out, types: (r.next() % 2) as u128, lists_rrsig: true });
        }
        for rec in &s.records {
            // Records have their name (types matching), but now and then.
            if r.next() % 150 != 0 {
                let types = if r.next() % 150 == 0 { 7 } else { rec.types };
                s.names.push(HashedName { hash: rec.hash, types, owns_rrsig: true, signed: true, may_opt_out: false, ent: u32::MAX });
            }
        }
        // Names without a record: unsigned delegations, empty non-terminals.
        for _ in 0..(r.next() % 6) {
            let ent = if r.next() % 2 == 0 {
                s.ents += 1;
                s.ents - 1
            } else {
                u32::MAX
            };
            let h = r.hash();
            s.names.push(HashedName { hash: h, types: 0, owns_rrsig: false, signed: false, may_opt_out: r.next() % 12 != 0, ent });
            if ent != u32::MAX && r.next() % 3 == 0 {
                // An unsigned delegation below it, with a record or not.
                let below = if r.next() % 2 == 0 { s.records[(r.next() as usize) % s.records.len()].hash } else { r.hash() };
                s.ent_below.push((below, ent));
            }
        }
        if r.next() % 8 == 0 && s.records.len() > 1 {
            // A broken link.
            let i = (r.next() as usize) % s.records.len();
            s.records[i].next = r.hash();
        }
        if r.next() % 10 == 0 && s.records.len() > 1 {
            // A record that matches no name.
            s.records.push(Nsec3Note { hash: r.hash(), next: [0; 20], opt_out: false, types: 0, lists_rrsig: false });
        }
        s
    }

    fn copy(s: &Nsec3Summary) -> Nsec3Summary {
        Nsec3Summary {
            iterations: s.iterations,
            salt: s.salt.clone(),
            ttl: s.ttl,
            max_hashes: s.max_hashes,
            types: s.types,
            names: s.names.iter().map(|n| HashedName { ..*n }).collect(),
            records: s.records.iter().map(|r| Nsec3Note { ..*r }).collect(),
            ents: s.ents,
            ent_below: s.ent_below.clone(),
        }
    }

    /// The whole chain's check as it was written before the hash ranges
    /// (one summary, all of it at once): the reference the ranges are
    /// compared with.
    fn holds_whole(s: &mut Nsec3Summary) -> Result<(), String> {
        let recs = &mut s.records;
        if recs.is_empty() {
            return Err("no NSEC3 records".into());
        }
        recs.sort_unstable_by_key(|r| r.hash);
        for i in 0..recs.len() {
            let next = &recs[(i + 1) % recs.len()];
            if next.hash == recs[i].hash && recs.len() > 1 {
                return Err("two NSEC3 records at one hash".into());
            }
            if recs[i].next != next.hash {
                return Err(format!("an NSEC3 (hash {}) does not name the next hash of the chain", b32(&recs[i].hash)));
            }
        }
        // An empty non-terminal above an unsigned delegation that has an
        // NSEC3 of its own needs one too.
        let mut ent_needed = vec![false; s.ents as usize];
        for (h, e) in &s.ent_below {
            if recs.binary_search_by(|r| r.hash.cmp(h)).is_ok() {
                ent_needed[*e as usize] = true;
            }
        }
        s.names.sort_unstable_by_key(|n| n.hash);
        let mut matched = vec![false; recs.len()];
        let mut j = 0;
        for (k, name) in s.names.iter().enumerate() {
            if k > 0 && s.names[k - 1].hash == name.hash {
                return Err("two names with one NSEC3 hash".into());
            }
            while j < recs.len() && recs[j].hash < name.hash {
                j += 1;
            }
            if j < recs.len() && recs[j].hash == name.hash {
                let r = &recs[j];
                matched[j] = true;
                let rrsig_ok = if r.lists_rrsig { name.owns_rrsig || name.signed } else { !name.owns_rrsig };
                if r.types != name.types || !rrsig_ok {
                    return Err(format!("the NSEC3 bitmap at hash {} does not list the types of its name", b32(&r.hash)));
                }
            } else {
                let cover = if j == 0 { recs.len() - 1 } else { j - 1 };
                let may_opt_out = name.may_opt_out && (name.ent == u32::MAX || !ent_needed[name.ent as usize]);
                if !(may_opt_out && recs[cover].opt_out) {
                    return Err(format!("a name (hash {}) has no NSEC3 and no opt-out span covers it", b32(&name.hash)));
                }
            }
        }
        if let Some(i) = matched.iter().position(|&m| !m) {
            return Err(format!("the NSEC3 at hash {} matches no name", b32(&recs[i].hash)));
        }
        Ok(())
    }

    #[test]
    fn hash_ranges_stitched_agree_with_the_whole_chain() {
        let (mut held, mut failed) = (0, 0);
        for seed in 0..3000u64 {
            let mut whole = summary(seed);
            let want = holds_whole(&mut copy(&whole)).is_ok();
            assert_eq!(copy(&whole).holds().is_ok(), want, "seed {seed}: holds");
            for n in [1usize, 2, 3, 7] {
                // As two parts, each split into the n ranges.
                // The second part takes every other name that is no empty
                // non-terminal (a part's own are numbered with it).
                let mut s = copy(&whole);
                let (mut mine, mut theirs) = (Vec::new(), Vec::new());
                for (i, h) in s.names.drain(..).enumerate() {
                    if h.ent == u32::MAX && i % 2 == 1 {
                        theirs.push(h);
                    } else {
                        mine.push(h);
                    }
                }
                s.names = mine;
                let later = Nsec3Summary { names: theirs, ..copy(&summary(0)) };
                let mut shares: Vec<Vec<Nsec3Shard>> = Vec::new();
                for (k, mut p) in [s, later].into_iter().enumerate() {
                    let mut v: Vec<Nsec3Shard> = (0..n).map(|_| Nsec3Shard::default()).collect();
                    if k == 1 {
                        p.records.clear();
                        p.ent_below.clear();
                        p.ents = 0;
                    }
                    p.split_into(k as u32, &mut v);
                    shares.push(v);
                }
                let outs: Result<Vec<ShardOut>, String> =
                    (0..n).map(|i| Nsec3Shard::check(shares.iter_mut().map(|v| std::mem::take(&mut v[i])).collect())).collect();
                let got = outs.and_then(|o| stitch(&o, Some(&whole))).is_ok();
                assert_eq!(got, want, "seed {seed}, {n} ranges");
            }
            if want {
                held += 1;
            } else {
                failed += 1;
            }
        }
        assert!(held > 300 && failed > 300, "{held} held, {failed} failed");
    }
}

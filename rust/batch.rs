//! Batches of RRsets verified against one DNSKEY set, for callers that hold
//! records in memory (pipeline tools built on dnspython or their own code).
//!
//! Two inputs:
//!
//! - [`verify_wire`]: RRsets and their RRSIGs as uncompressed DNS wire RRs
//!   (RFC 1035 §4.1.3: owner, type, class, TTL, RDLENGTH, RDATA), one
//!   buffer for the whole batch plus two counts per item: how many RRs of
//!   the RRset, then how many RRSIGs. The core canonicalises (RFC 4034 §6,
//!   RFC 6840 §5.1) and verifies every RRSIG.
//! - [`verify_raw`]: data that the caller has already put in the form an
//!   RRSIG signs (RFC 4034 §3.1.8.1: RRSIG RDATA without the signature, then
//!   the canonical RRs) and the signatures, each as one buffer with offsets.
//!
//! Both check every RRSIG with the rules a zone verification uses (signer,
//! labels, candidate keys, validity window in RFC 1982 arithmetic) and give
//! every RRSIG one [`Status`]. Nothing here touches Python.

use std::time::Instant;

use rayon::prelude::*;

use crate::dns::canon;
use crate::dns::canon::Rrsig;
use crate::sig::crypto::Dnskey;
use crate::error::CoreError;
use crate::dns::name::Name;
use crate::dns::record::Record;
use crate::dns::rrtype;
use crate::sig::cache::Cache;
use crate::sig::keys::{crypto_verdict, crypto_verdict_among, Keys};
use crate::pool::LazyPool;
use crate::sig::columns::RrsigColumns;
use crate::sig::status::Status;

/// The DNSKEY RRset of one zone, each key parsed once, shared by every
/// batch verified against it (and by several threads at once).
#[derive(Debug)]
pub struct KeySet {
    origin: Name,
    keys: Vec<Dnskey>,
    /// The wire RDATA of each key, in the order given.
    rdatas: Vec<Vec<u8>>,
}

impl KeySet {
    /// Keys from DNSKEY RDATAs (wire form). The origin is the zone whose
    /// RRSIGs these keys verify: every RRSIG's Signer's Name must equal it.
    pub fn from_rdatas(origin: Name, rdatas: Vec<Vec<u8>>) -> Result<KeySet, CoreError> {
        if rdatas.is_empty() {
            return Err(CoreError::Usage(format!("no DNSKEY records for {origin}")));
        }
        let mut keys = Vec::with_capacity(rdatas.len());
        for (i, rd) in rdatas.iter().enumerate() {
            match Dnskey::from_rdata(rd) {
                Some(k) => keys.push(k),
                None => {
                    return Err(CoreError::Usage(format!(
                        "DNSKEY {} of {origin}: RDATA of {} octets is shorter than the 4 fixed octets",
                        i + 1,
                        rd.len()
                    )))
                }
            }
        }
        Ok(KeySet { origin, keys, rdatas })
    }

    /// Keys from parsed records: the DNSKEY records owned by `origin` (or,
    /// when `origin` is `None`, by the owner of the first DNSKEY record).
    /// Other records are ignored; a DNSKEY at another owner is an error.
    pub fn from_records(origin: Option<Name>, records: &[Record], source: &str) -> Result<KeySet, CoreError> {
        let origin = match origin {
            Some(o) => o,
            None => match records.iter().find(|r| r.rtype == rrtype::DNSKEY) {
                Some(r) => r.owner.to_lowercase(),
                None => return Err(CoreError::Usage(format!("{source}: no DNSKEY records"))),
            },
        };
        let mut rdatas = Vec::new();
        for r in records.iter().filter(|r| r.rtype == rrtype::DNSKEY) {
            if !r.owner.eq_ignore_case(&origin) {
                return Err(CoreError::parse(
                    source,
                    r.line,
                    0,
                    format!("DNSKEY owner {} is not the origin {origin}", r.owner),
                ));
            }
            rdatas.push(r.rdata.clone());
        }
        if rdatas.is_empty() {
            return Err(CoreError::Usage(format!("{source}: no DNSKEY records owned by {origin}")));
        }
        KeySet::from_rdatas(origin, rdatas)
    }

    pub fn origin(&self) -> &Name {
        &self.origin
    }

    pub fn keys(&self) -> &[Dnskey] {
        &self.keys
    }

    pub fn rdatas(&self) -> &[Vec<u8>] {
        &self.rdatas
    }
}

/// One RR of a wire buffer, borrowing it.
#[derive(Clone, Copy, Debug)]
pub struct WireRr<'a> {
    /// Owner name in uncompressed wire form, case as given.
    pub owner: &'a [u8],
    pub rtype: u16,
    pub class: u16,
    pub ttl: u32,
    pub rdata: &'a [u8],
}

/// Splits a buffer of uncompressed wire RRs. Errors name the record's
/// ordinal (1-based) and byte offset; compression pointers are refused
/// (RFC 4034 §6.2: canonical form has none, and the caller's buffer has no
/// message to point into).
pub fn split_wire<'a>(buf: &'a [u8], source: &str) -> Result<Vec<WireRr<'a>>, CoreError> {
    let mut out = Vec::new();
    let mut p = 0usize;
    while p < buf.len() {
        let bad = |why: &str| {
            CoreError::Usage(format!("{source}: record {} at byte offset {p}: {why}", out.len() + 1))
        };
        let nlen = crate::dns::name::wire_len(&buf[p..])
            .ok_or_else(|| bad("owner name is not an uncompressed wire-format name"))?;
        let h = p + nlen;
        if buf.len() < h + 10 {
            return Err(bad("truncated: the 10 octets of type, class, TTL and RDLENGTH are missing"));
        }
        let rdlen = u16::from_be_bytes([buf[h + 8], buf[h + 9]]) as usize;
        let end = h + 10 + rdlen;
        if end > buf.len() {
            return Err(bad(&format!("truncated: RDLENGTH {rdlen} runs past the end of the buffer")));
        }
        out.push(WireRr {
            owner: &buf[p..h],
            rtype: u16::from_be_bytes([buf[h], buf[h + 1]]),
            class: u16::from_be_bytes([buf[h + 2], buf[h + 3]]),
            ttl: u32::from_be_bytes([buf[h + 4], buf[h + 5], buf[h + 6], buf[h + 7]]),
            rdata: &buf[h + 10..end],
        });
        p = end;
    }
    Ok(out)
}

/// Parsed records of a wire buffer (no line numbers: `line` is the 1-based
/// ordinal of the record in the buffer, `file` 0).
pub fn records_from_wire(buf: &[u8], source: &str) -> Result<Vec<Record>, CoreError> {
    let rrs = split_wire(buf, source)?;
    let mut out = Vec::with_capacity(rrs.len());
    for (i, rr) in rrs.iter().enumerate() {
        let (owner, _) = Name::from_wire(rr.owner).ok_or_else(|| {
            CoreError::Usage(format!("{source}: record {}: owner name is not a valid wire-format name", i + 1))
        })?;
        out.push(Record {
            owner,
            rtype: rr.rtype,
            class: rr.class,
            ttl: rr.ttl,
            rdata: rr.rdata.to_vec(),
            line: (i + 1) as u32,
            file: 0,
        });
    }
    Ok(out)
}

/// Per-RRSIG columns and per-item verdicts of a batch.
#[derive(Clone, Debug, Default)]
pub struct BatchOutcome {
    /// Per RRSIG, in input order: the item (RRset) it belongs to.
    pub item: Vec<u32>,
    /// Per RRSIG, in input order: its fields, status and reason.
    pub rrsigs: RrsigColumns,
    /// Per item: `Valid` when it has RRSIGs and every one is valid, the
    /// status of its first RRSIG that is not valid otherwise, `NoRrsig`
    /// when it has none.
    pub item_status: Vec<u8>,
    /// Per item: how many RRSIGs it has.
    pub item_rrsigs: Vec<u32>,
    pub threads: usize,
    /// Seconds spent splitting the input, then verifying.
    pub split: f64,
    pub verify: f64,
}

impl BatchOutcome {
    fn with_rows(n: usize, items: usize, threads: usize) -> BatchOutcome {
        BatchOutcome {
            item: Vec::with_capacity(n),
            rrsigs: RrsigColumns::with_capacity(n),
            item_status: Vec::with_capacity(items),
            item_rrsigs: Vec::with_capacity(items),
            threads,
            ..Default::default()
        }
    }

    fn push_row(&mut self, item: u32, sig: Option<&Rrsig<'_>>, st: Status, why: Option<String>) {
        self.item.push(item);
        self.rrsigs.push(sig, st, why);
    }
}

/// How a batch is verified: the keys, the verification time (seconds since
/// 1970) and the thread pool.
pub struct BatchContext<'a> {
    pub keyset: &'a KeySet,
    pub now: u64,
    pub pool: &'a LazyPool,
    /// The verified-signature cache, if the caller keeps one.
    pub cache: Option<&'a Cache>,
}

/// Items of this many or more are split into parallel chunks; a batch of one
/// small RRset is verified on the calling thread.
const PAR_MIN: usize = 64;

/// Verifies a batch of RRsets given as wire RRs. `rr_counts[i]` RRs of item
/// `i` come first, then `sig_counts[i]` RRSIG RRs, then the next item.
pub fn verify_wire(
    ctx: &BatchContext<'_>,
    wire: &[u8],
    rr_counts: &[u32],
    sig_counts: &[u32],
) -> Result<BatchOutcome, CoreError> {
    let t0 = Instant::now();
    if rr_counts.len() != sig_counts.len() {
        return Err(CoreError::Usage(format!(
            "rr_counts has {} items but sig_counts has {}",
            rr_counts.len(),
            sig_counts.len()
        )));
    }
    let rrs = split_wire(wire, "batch")?;
    let needed: u64 = rr_counts.iter().chain(sig_counts).map(|&c| c as u64).sum();
    if needed != rrs.len() as u64 {
        return Err(CoreError::Usage(format!(
            "the counts add up to {needed} records but the buffer holds {}",
            rrs.len()
        )));
    }
    // (first RR, first RRSIG, end) of each item.
    let mut bounds = Vec::with_capacity(rr_counts.len());
    let mut p = 0usize;
    for (&a, &b) in rr_counts.iter().zip(sig_counts) {
        let s = p + a as usize;
        let e = s + b as usize;
        bounds.push((p, s, e));
        p = e;
    }
    let split = t0.elapsed().as_secs_f64();

    let t1 = Instant::now();
    let keys = Keys::new(ctx.keyset.keys.iter()).with_cache(ctx.cache);
    let origin = &ctx.keyset.origin;
    let now = ctx.now;
    let one = |i: usize, (buf, canon_buf): &mut (Vec<u8>, Vec<Vec<u8>>)| -> Vec<Verdict<'_>> {
        let (a, s, e) = bounds[i];
        check_item(&keys, origin, now, &rrs[a..s], &rrs[s..e], buf, canon_buf)
    };
    let verdicts: Vec<Vec<Verdict<'_>>> = if bounds.len() < PAR_MIN {
        let mut scratch = (Vec::new(), Vec::new());
        (0..bounds.len()).map(|i| one(i, &mut scratch)).collect()
    } else {
        ctx.pool.get()?.install(|| {
            (0..bounds.len())
                .into_par_iter()
                .map_init(|| (Vec::with_capacity(4096), Vec::new()), |scratch, i| one(i, scratch))
                .collect()
        })
    };
    let verify = t1.elapsed().as_secs_f64();

    let unsigned_ok = if verdicts.iter().any(|v| v.is_empty()) { must_not_be_signed(&rrs, &bounds, origin) } else { Vec::new() };
    let mut out = BatchOutcome::with_rows(sig_counts.iter().map(|&c| c as usize).sum(), bounds.len(), ctx.pool.threads());
    for (i, v) in verdicts.into_iter().enumerate() {
        let (_, s, e) = bounds[i];
        let mut item_status = match (v.is_empty(), unsigned_ok.get(i).copied().unwrap_or(false)) {
            (true, true) => Status::NotAuthoritative,
            (true, false) => Status::NoRrsig,
            (false, _) => Status::Valid,
        };
        for (sig, st, why) in v {
            if st != Status::Valid && item_status == Status::Valid {
                item_status = st;
            }
            out.push_row(i as u32, sig.as_ref(), st, why);
        }
        out.item_status.push(item_status as u8);
        out.item_rrsigs.push((e - s) as u32);
    }
    out.split = split;
    out.verify = verify;
    Ok(out)
}

/// Per item: whether it is an RRset that must not be signed, judged from
/// the batch itself (the zone cuts are the batch's NS RRsets below the
/// origin, and its DNAMEs).
///
/// RFC 4035 §2.2: "The NS RRset that appears at the zone apex name MUST be
/// signed, but the NS RRset that appears at a delegation point (that is,
/// the NS RRset in the parent zone that delegates the name to the child
/// zone's name servers) MUST NOT be signed. Glue address RRsets associated
/// with delegations MUST NOT be signed." At a delegation point only DS and
/// NSEC are signed; below a cut or a DNAME (RFC 6672 §2.4) nothing is,
/// except the NSEC3 RRsets at hashed owners directly below an apex DNAME
/// (RFC 5155 §7.1: they are the zone's own chain).
fn must_not_be_signed(rrs: &[WireRr<'_>], bounds: &[(usize, usize, usize)], origin: &Name) -> Vec<bool> {
    use std::collections::HashSet;
    let origin_l: Vec<u8> = origin.as_wire().to_ascii_lowercase();
    let below_origin = |o: &[u8]| o.len() > origin_l.len() && o.ends_with(&origin_l) && crate::dns::name::wire_len(o).is_some();
    let mut delegations: HashSet<Vec<u8>> = HashSet::new();
    let mut dnames: HashSet<Vec<u8>> = HashSet::new();
    let first = |&(a, s, _): &(usize, usize, usize)| if a < s { Some(&rrs[a]) } else { None };
    for rr in bounds.iter().filter_map(first) {
        if rr.rtype == rrtype::NS || rr.rtype == rrtype::DNAME {
            let o = rr.owner.to_ascii_lowercase();
            if rr.rtype == rrtype::DNAME {
                dnames.insert(o);
            } else if below_origin(&o) {
                delegations.insert(o);
            }
        }
    }
    if delegations.is_empty() && dnames.is_empty() {
        return vec![false; bounds.len()];
    }
    bounds
        .iter()
        .map(|b| {
            let Some(rr) = first(b) else { return false };
            let o = rr.owner.to_ascii_lowercase();
            if delegations.contains(&o) {
                return rr.rtype != rrtype::DS && rr.rtype != rrtype::NSEC;
            }
            // Proper ancestors, up to the origin.
            let mut p = 0usize;
            let mut depth = 0usize;
            while p < o.len() && o[p] != 0 {
                p += 1 + o[p] as usize;
                depth += 1;
                let anc = &o[p.min(o.len())..];
                if anc.len() < origin_l.len() {
                    break;
                }
                if dnames.contains(anc) {
                    let hashed_nsec3 = anc == &origin_l[..] && depth == 1 && rr.rtype == rrtype::NSEC3;
                    return !hashed_nsec3;
                }
                if anc.len() == origin_l.len() {
                    break;
                }
                if delegations.contains(anc) {
                    return true;
                }
            }
            false
        })
        .collect()
}

/// One RRSIG's fields (when they decode), its status and the reason.
type Verdict<'a> = (Option<Rrsig<'a>>, Status, Option<String>);

/// The status of each RRSIG of one item.
fn check_item<'a>(
    keys: &Keys<'_>,
    origin: &Name,
    now: u64,
    rrset: &[WireRr<'a>],
    rrsigs: &[WireRr<'a>],
    buf: &mut Vec<u8>,
    canon_buf: &mut Vec<Vec<u8>>,
) -> Vec<Verdict<'a>> {
    let first = rrset.first();
    // The RRset must be one RRset: one owner, type and class.
    let mut mixed: Option<String> = None;
    if let Some(f) = first {
        for r in &rrset[1..] {
            if r.rtype != f.rtype || r.class != f.class || !r.owner.eq_ignore_ascii_case(f.owner) {
                mixed = Some(format!(
                    "the item's records are not one RRset (owner, type and class differ: {} {} and {} {})",
                    owner_text(f.owner),
                    rrtype::to_mnemonic(f.rtype),
                    owner_text(r.owner),
                    rrtype::to_mnemonic(r.rtype)
                ));
                break;
            }
        }
    }
    let owner = first.and_then(|f| Name::from_wire(f.owner)).map(|(n, _)| n);
    canon_buf.clear();
    if let (Some(f), None) = (first, &mixed) {
        *canon_buf = canon::sorted_canonical_rdatas(f.rtype, rrset.iter().map(|r| r.rdata));
    }
    rrsigs
        .iter()
        .map(|rr| {
            if rr.rtype != rrtype::RRSIG {
                let why = format!("the record is {}, not an RRSIG", rrtype::to_mnemonic(rr.rtype));
                return (None, Status::Malformed, Some(why));
            }
            let Some(sig) = canon::parse_rrsig(rr.rdata) else {
                return (None, Status::Malformed, Some("RRSIG RDATA cannot be decoded".into()));
            };
            // RFC 4035 §5.3.1 checks, then the keys (labelled block: each
            // `break` is this RRSIG's verdict).
            let (st, why) = 'verdict: {
                if let Some(why) = &mixed {
                    break 'verdict (Status::Malformed, Some(why.clone()));
                }
                let tname = rrtype::to_mnemonic(sig.type_covered);
                let (Some(f), Some(owner)) = (first, owner.as_ref()) else {
                    break 'verdict (
                        Status::Orphan,
                        Some(format!("covers {tname}, but the batch item has no {tname} RRset")),
                    );
                };
                if !rr.owner.eq_ignore_ascii_case(f.owner) {
                    break 'verdict (
                        Status::Orphan,
                        Some(format!(
                            "the RRSIG's owner {} is not the RRset's owner {owner}",
                            owner_text(rr.owner)
                        )),
                    );
                }
                if sig.type_covered != f.rtype {
                    break 'verdict (
                        Status::Orphan,
                        Some(format!("covers {tname}, but the RRset is {}", rrtype::to_mnemonic(f.rtype))),
                    );
                }
                if let Some(bad) = signer_owner_labels(&sig, owner, origin) {
                    break 'verdict bad;
                }
                crypto_verdict(keys, &sig, now, None, || {
                    canon::signed_data(buf, &sig, owner, f.class, canon_buf);
                    &buf[..]
                })
            };
            (Some(sig), st, why)
        })
        .collect()
}

fn owner_text(wire: &[u8]) -> String {
    Name::from_wire(wire).map_or_else(|| "<bad name>".to_string(), |(n, _)| n.to_text())
}

/// RFC 4035 §5.3.1: "The RRSIG RR's Signer's Name field MUST be the name of
/// the zone that contains the RRset" (here: the key set's origin, and the
/// owner at or below it) and "The number of labels in the RRset owner name
/// MUST be greater than or equal to the value in the RRSIG RR's Labels
/// field".
fn signer_owner_labels(sig: &Rrsig<'_>, owner: &Name, origin: &Name) -> Option<(Status, Option<String>)> {
    if !sig.signer_is(origin) {
        return Some((
            Status::SignerNotApex,
            Some(format!("signer name {} is not the keys' origin {origin}", sig.signer_name())),
        ));
    }
    if !owner.is_subdomain_of(origin) {
        return Some((
            Status::SignerNotApex,
            Some(format!("the owner {owner} is not in the signer's zone {origin}")),
        ));
    }
    let owner_labels = owner.rrsig_labels();
    if sig.labels as usize > owner_labels {
        return Some((
            Status::LabelsTooLarge,
            Some(format!(
                "labels field {} is larger than the {} labels of the owner",
                sig.labels, owner_labels
            )),
        ));
    }
    None
}

/// Verifies signed data the caller has built. Item `i`: signed data
/// `data[data_offsets[i]..data_offsets[i+1]]` (RFC 4034 §3.1.8.1: RRSIG
/// RDATA without the signature, signer in canonical form, then the RRs in
/// canonical form and order), signature `sigs[sig_offsets[i]..sig_offsets[i+1]]`.
/// The RRSIG fields (algorithm, key tag, times, signer, labels) are read
/// from the head of the signed data, the owner from its first RR.
/// `key_index[i]`, when given and not negative, names the one key of the
/// set to try (else every key with the RRSIG's algorithm and key tag);
/// `algorithm[i]`, when given, must equal the RRSIG's algorithm.
#[allow(clippy::too_many_arguments)]
pub fn verify_raw(
    ctx: &BatchContext<'_>,
    data: &[u8],
    data_offsets: &[i64],
    sigs: &[u8],
    sig_offsets: &[i64],
    key_index: Option<&[i64]>,
    algorithm: Option<&[u8]>,
) -> Result<BatchOutcome, CoreError> {
    let t0 = Instant::now();
    let n = data_offsets.len().saturating_sub(1);
    check_offsets("data_offsets", data_offsets, data.len())?;
    check_offsets("sig_offsets", sig_offsets, sigs.len())?;
    if sig_offsets.len() != data_offsets.len() {
        return Err(CoreError::Usage(format!(
            "data_offsets describes {n} items but sig_offsets {}",
            sig_offsets.len().saturating_sub(1)
        )));
    }
    let nkeys = ctx.keyset.keys.len() as i64;
    if let Some(k) = key_index {
        if k.len() != n {
            return Err(CoreError::Usage(format!("key_index has {} entries for {n} items", k.len())));
        }
        if let Some((i, &bad)) = k.iter().enumerate().find(|(_, &x)| x >= nkeys) {
            return Err(CoreError::Usage(format!(
                "key_index[{i}] is {bad}, but the verifier has {nkeys} keys (0..{})",
                nkeys - 1
            )));
        }
    }
    if let Some(a) = algorithm {
        if a.len() != n {
            return Err(CoreError::Usage(format!("algorithm has {} entries for {n} items", a.len())));
        }
    }
    let split = t0.elapsed().as_secs_f64();

    let t1 = Instant::now();
    let keys = Keys::new(ctx.keyset.keys.iter()).with_cache(ctx.cache);
    let origin = &ctx.keyset.origin;
    let now = ctx.now;
    let one = |i: usize| -> Verdict<'_> {
        let d = &data[data_offsets[i] as usize..data_offsets[i + 1] as usize];
        let s = &sigs[sig_offsets[i] as usize..sig_offsets[i + 1] as usize];
        let Some(mut sig) = canon::parse_rrsig(d) else {
            return (None, Status::Malformed, Some("the signed data does not start with RRSIG RDATA".into()));
        };
        let Some((owner, _)) = Name::from_wire(&d[sig.header.len()..]) else {
            return (
                Some(sig),
                Status::Malformed,
                Some("no RR with a valid owner name follows the RRSIG RDATA in the signed data".into()),
            );
        };
        sig.signature = s;
        if let Some(a) = algorithm {
            if a[i] != sig.algorithm {
                let why = format!("algorithm[{i}] is {}, but the signed data's RRSIG says {}", a[i], sig.algorithm);
                return (Some(sig), Status::Malformed, Some(why));
            }
        }
        if let Some(bad) = signer_owner_labels(&sig, &owner, origin) {
            return (Some(sig), bad.0, bad.1);
        }
        let (st, why) = match key_index.map(|k| k[i]) {
            Some(k) if k >= 0 => crypto_verdict_among(&keys, &[k as u32], &sig, now, None, || d),
            _ => crypto_verdict(&keys, &sig, now, None, || d),
        };
        (Some(sig), st, why)
    };
    let verdicts: Vec<Verdict<'_>> = if n < PAR_MIN {
        (0..n).map(one).collect()
    } else {
        ctx.pool.get()?.install(|| (0..n).into_par_iter().map(one).collect())
    };
    let verify = t1.elapsed().as_secs_f64();

    let mut out = BatchOutcome::with_rows(n, n, ctx.pool.threads());
    for (i, (sig, st, why)) in verdicts.into_iter().enumerate() {
        out.push_row(i as u32, sig.as_ref(), st, why);
        out.item_status.push(st as u8);
        out.item_rrsigs.push(1);
    }
    out.split = split;
    out.verify = verify;
    Ok(out)
}

fn check_offsets(what: &str, off: &[i64], len: usize) -> Result<(), CoreError> {
    if off.is_empty() {
        return Err(CoreError::Usage(format!(
            "{what} is empty: it needs one entry per item plus the end offset"
        )));
    }
    if off[0] < 0 {
        return Err(CoreError::Usage(format!("{what}[0] is {}, negative", off[0])));
    }
    for i in 1..off.len() {
        if off[i] < off[i - 1] {
            return Err(CoreError::Usage(format!(
                "{what} must not decrease: {what}[{}] = {} > {what}[{i}] = {}",
                i - 1,
                off[i - 1],
                off[i]
            )));
        }
    }
    let last = off[off.len() - 1];
    if last as u64 > len as u64 {
        return Err(CoreError::Usage(format!(
            "{what} ends at {last}, past the end of its buffer ({len} octets)"
        )));
    }
    // The last offset is the end of the last item: a shorter buffer is an
    // error above, a longer one means an item (or the end offset) is
    // missing, which would otherwise drop an item without a word.
    if (last as u64) < len as u64 {
        return Err(CoreError::Usage(format!(
            "{what} ends at {last}, but its buffer has {len} octets: the offsets need one entry per item plus the buffer's length"
        )));
    }
    Ok(())
}

/// Algorithms the keys use, with whether they are verified.
pub fn describe_key(k: &Dnskey) -> (u16, u8, u16, Option<u32>, Option<String>) {
    match &k.key {
        Ok(pk) => (k.key_tag, k.algorithm, k.flags, Some(pk.bits()), None),
        Err(e) => (k.key_tag, k.algorithm, k.flags, None, Some(e.to_string())),
    }
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn f<T: Send + Sync>() {}
    f::<KeySet>();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> LazyPool {
        LazyPool::new(Some(2)).unwrap()
    }

    #[test]
    fn split_wire_rejects_truncation_and_pointers() {
        let mut rr = Vec::new();
        rr.extend_from_slice(&[1, b'a', 0]);
        rr.extend_from_slice(&[0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]);
        assert_eq!(split_wire(&rr, "t").unwrap().len(), 1);
        for cut in 1..rr.len() {
            let e = split_wire(&rr[..cut], "t").unwrap_err().to_string();
            assert!(e.contains("record 1 at byte offset 0"), "{e}");
        }
        let e = split_wire(&[0xc0, 0x0c, 0, 1], "t").unwrap_err().to_string();
        assert!(e.contains("uncompressed"), "{e}");
    }

    #[test]
    fn counts_must_match_the_buffer() {
        let ks = KeySet::from_rdatas(Name::from_text("example.", None).unwrap(), vec![vec![1, 0, 3, 13]]).unwrap();
        let p = pool();
        let ctx = BatchContext { keyset: &ks, now: 0, pool: &p, cache: None };
        let e = verify_wire(&ctx, &[], &[1], &[0]).unwrap_err().to_string();
        assert!(e.contains("add up to 1"), "{e}");
        let e = verify_wire(&ctx, &[], &[1, 2], &[0]).unwrap_err().to_string();
        assert!(e.contains("rr_counts has 2"), "{e}");
    }

    #[test]
    fn raw_offsets_are_checked() {
        let ks = KeySet::from_rdatas(Name::root(), vec![vec![1, 0, 3, 13]]).unwrap();
        let p = pool();
        let ctx = BatchContext { keyset: &ks, now: 0, pool: &p, cache: None };
        let e = verify_raw(&ctx, b"abc", &[0, 4], b"", &[0, 0], None, None).unwrap_err().to_string();
        assert!(e.contains("past the end"), "{e}");
        let e = verify_raw(&ctx, b"abc", &[2, 1], b"", &[0, 0], None, None).unwrap_err().to_string();
        assert!(e.contains("must not decrease"), "{e}");
        let e = verify_raw(&ctx, b"abc", &[0, 3], b"", &[0, 0], Some(&[1]), None).unwrap_err().to_string();
        assert!(e.contains("key_index[0] is 1"), "{e}");
        let e = verify_raw(&ctx, b"abc", &[0, 2], b"", &[0, 0], None, None).unwrap_err().to_string();
        assert!(e.contains("plus the buffer's length"), "{e}");
        // Garbage signed data is a status, not an error.
        let r = verify_raw(&ctx, b"abc", &[0, 3], b"", &[0, 0], None, None).unwrap();
        assert_eq!(r.rrsigs.status, vec![Status::Malformed as u8]);
    }

    #[test]
    fn random_wire_never_panics() {
        let ks = KeySet::from_rdatas(Name::root(), vec![vec![1, 0, 3, 13]]).unwrap();
        let p = pool();
        let ctx = BatchContext { keyset: &ks, now: 0, pool: &p, cache: None };
        let mut rng = crate::sig::crypto::testutil::Lcg(7);
        for _ in 0..2000 {
            let b = rng.bytes(300);
            let _ = verify_wire(&ctx, &b, &[1], &[1]);
            let n = b.len() as i64;
            let r = verify_raw(&ctx, &b, &[0, n / 2, n], &b, &[0, n / 3, n], None, None).unwrap();
            assert_eq!(r.rrsigs.len(), 2);
        }
    }
}

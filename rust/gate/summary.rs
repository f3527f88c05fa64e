//! What the publication gate keeps of a zone: one compact entry per data
//! record (hashes, TTL, where it is), the SOA, and the DNSKEY, CDS and
//! CDNSKEY records whole. Built from the records as they stream past, so
//! that neither the previous zone nor the unsigned input is ever held whole
//! in memory: about 32 octets per record.
//!
//! Owner names and RDATA are compared by 64-bit SipHash values of their
//! canonical forms (owner lower-cased, RDATA per RFC 4034 §6.2): two
//! different records with equal hashes (a chance of about n²/2⁶⁵ for n
//! records) would hide one change. Where a difference is reported, the
//! records themselves are read again from their files ([`fetch`]), so every
//! message names the real owner and data.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::Path;

use rayon::prelude::*;

use crate::dns::name::Name;
use crate::dns::record::Record;
use crate::dns::{canon, rrtype};
use crate::error::CoreError;
use crate::parse::zonefile::{self, ParseOptions, Streamed};

/// One data record: what the comparisons need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Hash of the lower-cased owner name.
    pub owner: u64,
    /// Hash of class and canonical RDATA.
    pub rdata: u64,
    pub ttl: u32,
    pub line: u32,
    pub rtype: u16,
    /// Index into the zone's source files (`$INCLUDE`).
    pub file: u16,
}

impl Entry {
    /// The RRset the record belongs to.
    pub fn rrset(&self) -> (u64, u16) {
        (self.owner, self.rtype)
    }
}

/// Types that signing makes, never compared as data: signatures, denial of
/// existence, keys, the zone digest. CDS and CDNSKEY are data unless a
/// policy lets the signer make them (see `unsigned`), so they are kept.
pub fn made_by_signing(rtype: u16) -> bool {
    matches!(rtype, rrtype::RRSIG | rrtype::NSEC | rrtype::NSEC3 | rrtype::NSEC3PARAM | rrtype::DNSKEY | rrtype::ZONEMD)
}

pub(super) fn hash_of(f: impl FnOnce(&mut std::collections::hash_map::DefaultHasher)) -> u64 {
    // SipHash with fixed keys: the same value in every run and process.
    #[allow(deprecated)]
    let mut h = std::collections::hash_map::DefaultHasher::new();
    f(&mut h);
    h.finish()
}

/// The hash of a name, case folded.
pub fn owner_hash(name: &Name) -> u64 {
    hash_of(|h| {
        for &b in name.as_wire() {
            h.write_u8(b.to_ascii_lowercase());
        }
    })
}

/// The hash of a record's class and canonical RDATA (`buf`: scratch space).
pub(super) fn rdata_hash(r: &Record, buf: &mut Vec<u8>) -> u64 {
    buf.clear();
    if !canon::canonical_rdata(r.rtype, &r.rdata, buf) {
        buf.clear();
        buf.extend_from_slice(&r.rdata);
    }
    hash_of(|h| {
        r.class.hash(h);
        buf.hash(h);
    })
}

/// A zone as the gate keeps it.
#[derive(Debug, Default)]
pub struct Summary {
    /// The zone apex: the origin given, else the first SOA's owner.
    pub apex: Option<Name>,
    /// Data records (not [`made_by_signing`], not SOA), file order until
    /// [`Summary::finish`], then sorted by (owner, type, RDATA, TTL).
    pub entries: Vec<Entry>,
    /// SOA, DNSKEY, CDS and CDNSKEY records whole, file order.
    pub special: Vec<Record>,
    /// Source files (`$INCLUDE`d ones after the top file).
    pub files: Vec<String>,
    /// Records seen, of any type.
    pub records: usize,
}

impl Summary {
    pub fn new(origin: Option<Name>) -> Summary {
        Summary { apex: origin, ..Default::default() }
    }

    /// Takes in the next records of the zone (on the current rayon pool).
    pub fn add(&mut self, part: &[Record]) {
        self.records += part.len();
        for r in part.iter().filter(|r| matches!(r.rtype, rrtype::SOA | rrtype::DNSKEY | rrtype::CDS | rrtype::CDNSKEY)) {
            if r.rtype == rrtype::SOA && self.apex.is_none() {
                self.apex = Some(r.owner.clone());
            }
            self.special.push(r.clone());
        }
        let mut got: Vec<Entry> = part
            .par_iter()
            .filter(|r| !made_by_signing(r.rtype) && r.rtype != rrtype::SOA)
            .map_init(Vec::new, |buf, r| Entry {
                owner: owner_hash(&r.owner),
                rdata: rdata_hash(r, buf),
                ttl: r.ttl,
                line: r.line,
                rtype: r.rtype,
                file: r.file.min(u16::MAX as u32) as u16,
            })
            .collect();
        self.entries.append(&mut got);
    }

    /// Sorts the entries; call once every record is in.
    pub fn finish(&mut self) {
        self.entries.par_sort_unstable_by_key(|e| (e.owner, e.rtype, e.rdata, e.ttl, e.file, e.line));
    }

    /// The apex records of `rtype` kept whole (SOA, DNSKEY, CDS, CDNSKEY).
    pub fn apex_records(&self, rtype: u16) -> Vec<&Record> {
        let Some(apex) = &self.apex else { return Vec::new() };
        self.special.iter().filter(|r| r.rtype == rtype && r.owner.eq_ignore_case(apex)).collect()
    }

    /// The SOA serial (the first apex SOA's).
    pub fn serial(&self) -> Option<(u32, &Record)> {
        let soa = *self.apex_records(rrtype::SOA).first()?;
        Some((canon::soa_serial(&soa.rdata)?, soa))
    }

    /// The entries of one RRset, once finished.
    pub fn rrset(&self, owner: u64, rtype: u16) -> &[Entry] {
        let lo = self.entries.partition_point(|e| (e.owner, e.rtype) < (owner, rtype));
        let hi = self.entries.partition_point(|e| (e.owner, e.rtype) <= (owner, rtype));
        &self.entries[lo..hi]
    }

    /// The entries grouped by RRset, once finished: each group's RDATA
    /// hashes are sorted, identical copies (same RDATA) adjacent.
    pub fn rrsets(&self) -> impl Iterator<Item = &[Entry]> {
        self.entries.chunk_by(|a, b| a.rrset() == b.rrset())
    }

    /// Owner hashes of the delegations: NS owners other than the apex, sorted.
    pub fn delegations(&self) -> Vec<u64> {
        let apex = self.apex.as_ref().map(owner_hash);
        let mut v: Vec<u64> = self.entries.iter().filter(|e| e.rtype == rrtype::NS && Some(e.owner) != apex).map(|e| e.owner).collect();
        v.dedup();
        v
    }
}

/// Reads a zone file through the streaming reader into a [`Summary`]
/// (parts of the file parsed in parallel on the current rayon pool; the
/// file is never in memory whole, unless small or with `$INCLUDE`).
pub fn summarise_file(path: &Path, popts: &ParseOptions) -> Result<Summary, CoreError> {
    let (window, min) = zonefile::window_sizes(rayon::current_num_threads());
    let mut s = Summary::new(popts.origin.clone());
    let got = zonefile::parse_file_streaming(path, popts, window, min, None, |part, _| s.add(&part))?;
    match got {
        Streamed::Parts { files, .. } => s.files = files,
        Streamed::Whole(zone, _) => {
            // Parts handed over before are void: start again.
            s = Summary::new(popts.origin.clone());
            s.add(&zone.records);
            s.files = zone.files;
        }
    }
    s.finish();
    Ok(s)
}

/// Where a zone's records can be read again.
#[derive(Clone, Copy)]
pub enum Source<'a> {
    File(&'a Path),
    /// Zone text and the name its messages use.
    Text(&'a [u8], &'a str),
    /// Records in memory, whole.
    Records(&'a [Record]),
}

/// The records of a zone at the given (file index, line) places: read
/// again, for the messages about records whose hashes differ.
pub fn fetch(src: Source<'_>, popts: &ParseOptions, wanted: &HashSet<(u16, u32)>) -> Result<HashMap<(u16, u32), Record>, CoreError> {
    let mut found: HashMap<(u16, u32), Record> = HashMap::new();
    if wanted.is_empty() {
        return Ok(found);
    }
    let take = |part: &[Record], found: &mut HashMap<(u16, u32), Record>| {
        for r in part {
            let at = (r.file.min(u16::MAX as u32) as u16, r.line);
            if wanted.contains(&at) && !made_by_signing(r.rtype) {
                found.entry(at).or_insert_with(|| r.clone());
            }
        }
    };
    match src {
        Source::Records(records) => take(records, &mut found),
        Source::Text(text, name) => take(&zonefile::parse_zone(text, name, popts)?.records, &mut found),
        Source::File(path) => {
            let (window, min) = zonefile::window_sizes(rayon::current_num_threads());
            let got = zonefile::parse_file_streaming(path, popts, window, min, None, |part, _| take(&part, &mut found))?;
            if let Streamed::Whole(zone, _) = got {
                found.clear();
                take(&zone.records, &mut found);
            }
        }
    }
    Ok(found)
}

/// Walks the RRsets of both zones in (owner, type) order: `f(before, after)`
/// for each, either side empty where the RRset is absent.
pub fn walk<'a>(prev: &'a Summary, cur: &'a Summary, mut f: impl FnMut(&'a [Entry], &'a [Entry])) {
    let mut a = prev.rrsets().peekable();
    let mut b = cur.rrsets().peekable();
    loop {
        match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(x), None) => {
                f(x, &[]);
                a.next();
            }
            (None, Some(y)) => {
                f(&[], y);
                b.next();
            }
            (Some(x), Some(y)) => match x[0].rrset().cmp(&y[0].rrset()) {
                std::cmp::Ordering::Less => {
                    f(x, &[]);
                    a.next();
                }
                std::cmp::Ordering::Greater => {
                    f(&[], y);
                    b.next();
                }
                std::cmp::Ordering::Equal => {
                    f(x, y);
                    a.next();
                    b.next();
                }
            },
        }
    }
}


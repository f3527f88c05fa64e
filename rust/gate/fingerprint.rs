//! `--same-zone`: what a copy of a zone holds, compact enough to compare
//! the copies that several servers serve.
//!
//! One entry per RRset (owner hash, type, an order-independent digest of
//! its records with their TTLs, the owner name), every type included:
//! signatures and NSEC records are part of what a server serves. Two copies
//! are the same when their serials and RRsets are; otherwise the first
//! RRset (in owner-hash order) that one copy has and the other has not, or
//! has with other records, names the difference.

use std::collections::HashMap;
use std::hash::Hash;

use crate::dns::canon;
use crate::dns::name::Name;
use crate::dns::record::Record;
use crate::dns::rrtype;

use super::summary::{hash_of, owner_hash, rdata_hash};

/// A copy of a zone, as `--same-zone` compares it.
#[derive(Debug, Default)]
pub struct Fingerprint {
    pub serial: Option<u32>,
    pub records: usize,
    /// (owner hash, type) -> (digest of its records, the owner as written).
    rrsets: HashMap<(u64, u16), (u64, Name)>,
    /// Sorted by key once finished.
    sorted: Vec<((u64, u16), u64, Name)>,
}

/// A record's class, canonical RDATA and TTL, hashed.
fn record_hash(r: &Record, buf: &mut Vec<u8>) -> u64 {
    let rdata = rdata_hash(r, buf);
    hash_of(|h| {
        rdata.hash(h);
        r.ttl.hash(h);
    })
}

impl Fingerprint {
    /// Takes in the next records of the copy.
    pub fn add(&mut self, part: &[Record]) {
        let mut buf = Vec::with_capacity(256);
        for r in part {
            self.records += 1;
            if r.rtype == rrtype::SOA && self.serial.is_none() {
                self.serial = canon::soa_serial(&r.rdata);
            }
            let h = record_hash(r, &mut buf);
            let e = self.rrsets.entry((owner_hash(&r.owner), r.rtype)).or_insert_with(|| (0, r.owner.clone()));
            // A sum: the same for any order of the records.
            e.0 = e.0.wrapping_add(h);
        }
    }

    /// Sorts the RRsets; call once every record is in.
    pub fn finish(&mut self) {
        let mut v: Vec<((u64, u16), u64, Name)> = self.rrsets.drain().map(|(k, (d, n))| (k, d, n)).collect();
        v.sort_unstable_by_key(|e| e.0);
        self.sorted = v;
    }

    /// Whether the two copies hold the same serial and RRsets.
    pub fn same(&self, other: &Fingerprint) -> bool {
        self.serial == other.serial
            && self.records == other.records
            && self.sorted.len() == other.sorted.len()
            && self.sorted.iter().zip(&other.sorted).all(|(a, b)| a.0 == b.0 && a.1 == b.1)
    }

    /// The first difference of `self` from `reference`, in words.
    pub fn first_difference(&self, reference: &Fingerprint) -> Option<String> {
        if self.serial != reference.serial {
            let s = |x: Option<u32>| x.map_or("no SOA".to_string(), |v| format!("serial {v}"));
            return Some(format!("{} where the others serve {}", s(self.serial), s(reference.serial)));
        }
        // Every differing RRset; the first in canonical order is named.
        let mut diffs: Vec<(&Name, u16, &str)> = Vec::new();
        let (mut i, mut j) = (0, 0);
        let (a, b) = (&self.sorted, &reference.sorted);
        while i < a.len() || j < b.len() {
            if j == b.len() || (i < a.len() && a[i].0 < b[j].0) {
                diffs.push((&a[i].2, a[i].0 .1, "is in this copy only"));
                i += 1;
            } else if i == a.len() || b[j].0 < a[i].0 {
                diffs.push((&b[j].2, b[j].0 .1, "is missing from this copy"));
                j += 1;
            } else {
                if a[i].1 != b[j].1 {
                    diffs.push((&a[i].2, a[i].0 .1, "holds other records (RDATA or TTL)"));
                }
                i += 1;
                j += 1;
            }
        }
        if let Some(&(name, t, what)) = diffs.iter().min_by(|x, y| x.0.canonical_cmp(y.0).then(x.1.cmp(&y.1))) {
            let more = if diffs.len() > 1 { format!(" ({} RRsets differ in all)", diffs.len()) } else { String::new() };
            return Some(format!("{name} {} {what}{more}", rrtype::to_mnemonic(t)));
        }
        (self.records != reference.records)
            .then(|| format!("{} records where the others hold {} (identical copies of a record)", self.records, reference.records))
    }
}

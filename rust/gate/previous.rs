//! `--previous`: this zone against the version published before it.
//!
//! The SOA serial must have increased (RFC 1982 arithmetic, RFC 1034
//! §4.3.5). Changes of the apex DNSKEY, CDS, CDNSKEY and NS RRsets and of
//! the DS RRsets are reported as information (findings only where a policy
//! names them, `flag_changes`), and `max_change` bounds the delegations
//! added and removed and the data RRsets changed, each as a percentage of
//! the previous zone's count (the delta limits of
//! draft-johani-tld-zone-pipeline): beyond it, an error with the numbers.
//!
//! Data RRsets are those the gate keeps ([`Summary`]): every type but the
//! ones signing makes (RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY, ZONEMD) and
//! the SOA, whose serial changes with every version. An RRset counts as
//! changed when its set of RDATA or its TTL differs.

use std::collections::BTreeSet;

use crate::checks::findings::{Code, Findings};
use crate::checks::policy::{ChangeKind, GatePolicy};
use crate::dns::name::Name;
use crate::dns::{rrtype, serial};
use crate::sig::crypto;

use super::summary::{owner_hash, walk, Entry, Summary};

/// How many example names each kind of change lists.
pub const EXAMPLES: usize = 10;

/// Counts of one kind of thing before and after, and what changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delta {
    pub before: usize,
    pub after: usize,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
}

impl Delta {
    /// `n` as a percentage of `before` (of 1 when `before` is 0).
    pub fn percent(&self, n: usize) -> f64 {
        100.0 * n as f64 / self.before.max(1) as f64
    }
}

/// What changed since the previous version.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub previous_file: String,
    pub previous_serial: Option<u32>,
    pub serial: Option<u32>,
    /// Delegations (NS owners below the apex): added, removed.
    pub delegations: Delta,
    /// Data RRsets: added, removed, changed.
    pub rrsets: Delta,
    /// DS RRsets: added, removed, changed.
    pub ds: Delta,
    /// Apex DNSKEYs (key tag, algorithm, flags) added and removed.
    pub dnskey_added: Vec<(u16, u8, u16)>,
    pub dnskey_removed: Vec<(u16, u8, u16)>,
    pub cds_changed: bool,
    pub cdnskey_changed: bool,
    pub apex_ns_changed: bool,
    /// Example delegations added / removed and DS RRsets changed: a record
    /// of each to read the name from, and whether it is the previous
    /// zone's (else this zone's).
    pub examples: Vec<(ExampleKind, bool, Entry)>,
    /// Names of the examples, once read ([`super::run`]).
    pub example_names: Vec<(ExampleKind, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExampleKind {
    DelegationAdded,
    DelegationRemoved,
    DsChanged,
}

impl ExampleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExampleKind::DelegationAdded => "delegations_added",
            ExampleKind::DelegationRemoved => "delegations_removed",
            ExampleKind::DsChanged => "ds_changed",
        }
    }
}

/// One RRset's identity in a comparison: the set of RDATA hashes (identical
/// copies once) and the TTLs.
fn digest(set: &[Entry]) -> (Vec<u64>, Vec<u32>) {
    let mut r: Vec<u64> = set.iter().map(|e| e.rdata).collect();
    r.dedup();
    let mut t: Vec<u32> = set.iter().map(|e| e.ttl).collect();
    t.sort_unstable();
    t.dedup();
    (r, t)
}

fn keys(s: &Summary) -> BTreeSet<(u16, u8, u16)> {
    s.apex_records(rrtype::DNSKEY)
        .iter()
        .filter(|r| r.rdata.len() >= 4)
        .map(|r| (crypto::key_tag(&r.rdata), r.rdata[3], u16::from_be_bytes([r.rdata[0], r.rdata[1]])))
        .collect()
}

/// The apex RDATAs of `rtype` (CDS, CDNSKEY: no names, compared octet for
/// octet; folding letters' case would make different digests and keys equal).
fn rdata_set(s: &Summary, rtype: u16) -> BTreeSet<Vec<u8>> {
    s.apex_records(rtype).iter().map(|r| r.rdata.clone()).collect()
}

/// Compares the two zones.
pub fn compare(prev: &Summary, cur: &Summary, previous_file: &str) -> Changes {
    let mut c = Changes { previous_file: previous_file.to_string(), ..Default::default() };
    c.previous_serial = prev.serial().map(|s| s.0);
    c.serial = cur.serial().map(|s| s.0);
    let apex = cur.apex.as_ref().or(prev.apex.as_ref()).map(owner_hash);

    let (da, db) = (prev.delegations(), cur.delegations());
    c.delegations.before = da.len();
    c.delegations.after = db.len();
    let (mut i, mut j) = (0, 0);
    while i < da.len() || j < db.len() {
        if j == db.len() || (i < da.len() && da[i] < db[j]) {
            c.delegations.removed += 1;
            if c.delegations.removed <= EXAMPLES {
                c.examples.push((ExampleKind::DelegationRemoved, true, prev.rrset(da[i], rrtype::NS)[0]));
            }
            i += 1;
        } else if i == da.len() || db[j] < da[i] {
            c.delegations.added += 1;
            if c.delegations.added <= EXAMPLES {
                c.examples.push((ExampleKind::DelegationAdded, false, cur.rrset(db[j], rrtype::NS)[0]));
            }
            j += 1;
        } else {
            i += 1;
            j += 1;
        }
    }

    let mut ns_a = Vec::new();
    let mut ns_b = Vec::new();
    walk(prev, cur, |x, y| {
        let owner = x.first().or(y.first()).map(|e| e.owner);
        let rtype = x.first().or(y.first()).map_or(0, |e| e.rtype);
        c.rrsets.before += !x.is_empty() as usize;
        c.rrsets.after += !y.is_empty() as usize;
        let changed = !x.is_empty() && !y.is_empty() && digest(x) != digest(y);
        match (x.is_empty(), y.is_empty()) {
            (false, true) => c.rrsets.removed += 1,
            (true, false) => c.rrsets.added += 1,
            _ if changed => c.rrsets.changed += 1,
            _ => {}
        }
        if rtype == rrtype::DS && owner != apex {
            c.ds.before += !x.is_empty() as usize;
            c.ds.after += !y.is_empty() as usize;
            let example = match (x.is_empty(), y.is_empty()) {
                (false, true) => {
                    c.ds.removed += 1;
                    Some((true, x[0]))
                }
                (true, false) => {
                    c.ds.added += 1;
                    Some((false, y[0]))
                }
                _ if changed => {
                    c.ds.changed += 1;
                    Some((false, y[0]))
                }
                _ => None,
            };
            if let Some((old, e)) = example {
                if c.ds.added + c.ds.removed + c.ds.changed <= EXAMPLES {
                    c.examples.push((ExampleKind::DsChanged, old, e));
                }
            }
        }
        if rtype == rrtype::NS && owner == apex {
            ns_a = x.to_vec();
            ns_b = y.to_vec();
        }
    });
    c.apex_ns_changed = digest(&ns_a) != digest(&ns_b);

    let (ka, kb) = (keys(prev), keys(cur));
    c.dnskey_added = kb.difference(&ka).copied().collect();
    c.dnskey_removed = ka.difference(&kb).copied().collect();
    c.cds_changed = rdata_set(prev, rrtype::CDS) != rdata_set(cur, rrtype::CDS);
    c.cdnskey_changed = rdata_set(prev, rrtype::CDNSKEY) != rdata_set(cur, rrtype::CDNSKEY);
    c
}

fn tags(v: &[(u16, u8, u16)]) -> String {
    let t: Vec<String> = v.iter().map(|(tag, alg, flags)| format!("{tag} (algorithm {alg}, flags {flags})")).collect();
    t.join(", ")
}

/// The findings of a comparison under `policy`: the serial, the change
/// limits, and the changes the policy flags. `apex` names the zone.
pub fn findings(c: &Changes, cur: &Summary, policy: &GatePolicy, apex: &Name, out: &mut Findings) {
    let soa = cur.serial().map(|s| s.1);
    match (c.previous_serial, c.serial) {
        (Some(a), Some(b)) if !serial::serial_lt(a, b) => {
            let why = if a == b { "is the same as".to_string() } else { "is not greater (RFC 1982) than".to_string() };
            out.add(Code::SerialNotIncreased, apex, rrtype::SOA, None, soa,
                format!("the SOA serial {b} {why} the previous zone's {a} ({}): secondaries would not transfer this version", c.previous_file));
        }
        (None, _) | (_, None) => {
            out.add(Code::SerialNotIncreased, apex, rrtype::SOA, None, soa,
                format!("cannot compare SOA serials: no SOA in {}", if c.previous_serial.is_none() { c.previous_file.as_str() } else { "this zone" }));
        }
        _ => {}
    }
    if let Some(limit) = policy.max_change {
        let mut over = |what: &str, n: usize, d: &Delta| {
            let p = d.percent(n);
            if p > limit {
                out.add(Code::ChangeLimit, apex, 0, None, None,
                    format!("{n} {what} of the previous zone's {} ({p:.2} %) is more than the limit of {limit} % (--max-change)", d.before));
            }
        };
        over("delegations added", c.delegations.added, &c.delegations);
        over("delegations removed", c.delegations.removed, &c.delegations);
        let changed = c.rrsets.added + c.rrsets.removed + c.rrsets.changed;
        over("data RRsets added, removed or changed", changed, &c.rrsets);
    }
    let flag = |k: ChangeKind| policy.flag_changes.contains(&k);
    if flag(ChangeKind::Dnskey) && (!c.dnskey_added.is_empty() || !c.dnskey_removed.is_empty()) {
        let first = cur.apex_records(rrtype::DNSKEY).first().copied();
        out.add(Code::ChangedDnskey, apex, rrtype::DNSKEY, None, first,
            format!("the apex DNSKEY RRset changed: added {}; removed {}",
                if c.dnskey_added.is_empty() { "none".into() } else { tags(&c.dnskey_added) },
                if c.dnskey_removed.is_empty() { "none".into() } else { tags(&c.dnskey_removed) }));
    }
    if flag(ChangeKind::Cds) && (c.cds_changed || c.cdnskey_changed) {
        let which: Vec<&str> = [(c.cds_changed, "CDS"), (c.cdnskey_changed, "CDNSKEY")].iter().filter(|x| x.0).map(|x| x.1).collect();
        out.add(Code::ChangedCds, apex, if c.cds_changed { rrtype::CDS } else { rrtype::CDNSKEY }, None, None,
            format!("the apex {} RRset changed", which.join(" and ")));
    }
    if flag(ChangeKind::Ns) && c.apex_ns_changed {
        out.add(Code::ChangedNs, apex, rrtype::NS, None, None, "the apex NS RRset changed".to_string());
    }
    if flag(ChangeKind::Ds) && c.ds.added + c.ds.removed + c.ds.changed > 0 {
        let names: Vec<&str> = c.example_names.iter().filter(|e| e.0 == ExampleKind::DsChanged).map(|e| e.1.as_str()).collect();
        out.add(Code::ChangedDs, apex, rrtype::DS, None, None,
            format!("DS RRsets changed: {} added, {} removed, {} changed (first: {})", c.ds.added, c.ds.removed, c.ds.changed, names.join(", ")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::record::Record;

    fn zone(cds_digest: u8) -> Summary {
        let apex = Name::from_text("example.", None).unwrap();
        let mut soa = b"\x02ns\x00\x01h\x00".to_vec();
        soa.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5]);
        let rec = |rtype, rdata: Vec<u8>| Record { owner: apex.clone(), rtype, class: 1, ttl: 60, rdata, line: 1, file: 0 };
        let mut s = Summary::new(Some(apex.clone()));
        s.add(&[rec(rrtype::SOA, soa), rec(rrtype::CDS, vec![0, 1, 13, 2, cds_digest, 0x42])]);
        s.finish();
        s
    }

    #[test]
    fn cds_digests_differing_only_in_a_letter_code_are_a_change() {
        assert!(!compare(&zone(0x41), &zone(0x41), "p").cds_changed);
        assert!(compare(&zone(0x41), &zone(0x61), "p").cds_changed);
    }
}

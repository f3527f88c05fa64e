//! The publication gate's expectations (`--expect-key`, `--forbid-key`,
//! `--expect-algorithm`, ...): what the apex DNSKEY RRset and the
//! signatures must, or must not, hold at this stage of a rollover.
//!
//! A zone in which every signature is valid can still be the wrong zone to
//! publish: during an algorithm rollover the new key may simply be absent,
//! and "every RRset signed by every algorithm of the DNSKEY RRset" is then
//! vacuously true. The pipeline says what it expects; an unmet expectation
//! is an error finding naming the key or algorithm.
//!
//! Pre-published signatures (RFC 6781 §4.1.4, the second step of an
//! algorithm rollover: the new algorithm's RRSIGs are added to every RRset
//! before its DNSKEY is published, so that no validator holds the new
//! DNSKEY RRset without the signatures it implies, RFC 6840 §5.11) cannot be
//! verified: their key is not published. They keep their status
//! (`no-matching-key`, never valid). Declared with
//! `prepublished_algorithms`, and only while no key of that algorithm is
//! in the DNSKEY RRset, each is downgraded to the warning
//! `prepublished-signature`; in exchange the stage requires one on every
//! authoritative RRset.

use crate::dns::name::Name;
use crate::dns::record::Record;
use crate::dns::rrtype;
use crate::model::zone::{Node, Zone};
use crate::sig::crypto::{self, Dnskey};
use crate::sig::Status;

use super::findings::{Code, Finding, Findings};
use super::policy::Expectations;
use super::{must_be_signed, row_fields, status, valid_by, Downgrade};

/// Where a finding about a name's RRset points: the name, the type, and
/// its first record's place.
#[derive(Clone, Debug)]
pub(crate) struct Place {
    pub(crate) name: Name,
    pub(crate) rtype: u16,
    pub(crate) file: u32,
    pub(crate) line: u32,
}

impl Place {
    fn at(n: &Node, rtype: u16, r: &Record) -> Place {
        Place { name: n.name.clone(), rtype, file: r.file, line: r.line }
    }
}

/// `--expect-signing-key` of a key without the SEP flag: the authoritative
/// RRsets besides the DNSKEY RRset, those it does not validly sign, and the
/// first of those in canonical order.
#[derive(Clone, Debug)]
pub(crate) struct Signing {
    pub(crate) tag: u16,
    pub(crate) alg: u8,
    pub(crate) total: usize,
    pub(crate) missing: usize,
    pub(crate) first: Option<Place>,
}

/// `--forbid-key`: the RRSIGs with the tag, and the first (zone order:
/// its report row, owner and covered type).
#[derive(Clone, Debug)]
pub(crate) struct Forbidden {
    pub(crate) tag: u16,
    pub(crate) rows: usize,
    pub(crate) first: Option<(u32, Place)>,
}

/// What the expectations gather name by name ([`tally`]), for [`check`]:
/// a part of the zone at a time, or the whole zone at once, with the same
/// result. [`Tally::plan`] sets it up from the apex DNSKEYs.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub(crate) signing: Vec<Signing>,
    pub(crate) forbidden: Vec<Forbidden>,
    /// Per pre-published algorithm without a key: the RRsets without an
    /// RRSIG of it (findings, name order) and the rows downgraded.
    pub(crate) prepublished: Vec<(u8, Vec<Finding>)>,
    pub downgraded: Vec<Downgrade>,
}

impl Tally {
    /// What to gather for `exp`, given the apex DNSKEYs.
    pub fn plan<'k>(exp: &Expectations, keys: impl Iterator<Item = &'k Dnskey> + Clone) -> Tally {
        let mut t = Tally::default();
        for &tag in &exp.signing_keys {
            for k in keys.clone().filter(|k| k.is_zone_key() && k.key_tag == tag && !k.is_sep()) {
                t.signing.push(Signing { tag, alg: k.algorithm, total: 0, missing: 0, first: None });
            }
        }
        for &tag in &exp.forbidden_keys {
            t.forbidden.push(Forbidden { tag, rows: 0, first: None });
        }
        for &alg in &exp.prepublished_algorithms {
            if !keys.clone().any(|k| k.algorithm == alg && k.is_zone_key()) {
                t.prepublished.push((alg, Vec::new()));
            }
        }
        t
    }

    pub fn is_empty(&self) -> bool {
        self.signing.is_empty() && self.forbidden.is_empty() && self.prepublished.is_empty()
    }

    /// Maps the report rows gathered (a part's) to the zone's.
    pub fn map_rows(&mut self, row: impl Fn(u32) -> u32) {
        for f in &mut self.forbidden {
            if let Some(first) = f.first.as_mut() {
                first.0 = row(first.0);
            }
        }
        for d in &mut self.downgraded {
            d.row = row(d.row);
        }
    }

    /// Adds what a part after this one gathered (its names later in the
    /// order of the lists; the firsts compared).
    pub fn extend(&mut self, o: Tally) {
        if self.is_empty() {
            *self = o;
            return;
        }
        for (a, b) in self.signing.iter_mut().zip(o.signing) {
            a.total += b.total;
            a.missing += b.missing;
            a.first = match (a.first.take(), b.first) {
                (Some(x), Some(y)) => Some(if y.name.canonical_cmp(&x.name).then(y.rtype.cmp(&x.rtype)).is_lt() { y } else { x }),
                (x, y) => x.or(y),
            };
        }
        for (a, b) in self.forbidden.iter_mut().zip(o.forbidden) {
            a.rows += b.rows;
            a.first = match (a.first.take(), b.first) {
                (Some(x), Some(y)) => Some(if y.0 < x.0 { y } else { x }),
                (x, y) => x.or(y),
            };
        }
        for (a, b) in self.prepublished.iter_mut().zip(o.prepublished) {
            a.1.extend(b.1);
        }
        self.downgraded.extend(o.downgraded);
    }
}

/// Gathers, over the names of `z` (a part of the zone, or all of it), what
/// `plan` asks (rows are `z`'s: see [`Tally::map_rows`]).
pub fn tally(z: &Zone<'_>, plan: &Tally) -> Tally {
    let mut t = plan.clone();
    for s in &mut t.signing {
        for n in &z.nodes {
            for set in n.rrsets.iter().filter(|x| x.rtype != rrtype::DNSKEY && must_be_signed(n.kind, x.rtype)) {
                s.total += 1;
                if !set.rrsigs.iter().any(|&r| valid_by(z, r, s.tag, s.alg)) {
                    s.missing += 1;
                    if s.first.is_none() {
                        s.first = Some(Place::at(n, set.rtype, &z.records[set.records[0] as usize]));
                    }
                }
            }
        }
    }
    for f in &mut t.forbidden {
        for r in 0..z.rrsig_record.len() as u32 {
            if let Some((_, _, covered)) = row_fields(z, r).filter(|x| x.1 == f.tag) {
                f.rows += 1;
                if f.first.is_none() {
                    let n = &z.nodes[z.rrsig_node[r as usize] as usize];
                    f.first = Some((r, Place { name: n.name.clone(), rtype: covered, file: z.rrsig(r).file, line: z.rrsig(r).line }));
                }
            }
        }
    }
    for (alg, missing) in &mut t.prepublished {
        let alg = *alg;
        let name = crypto::algorithm_name(alg);
        let of_alg = |r: u32| row_fields(z, r).is_some_and(|(a, _, _)| a == alg);
        for r in 0..z.rrsig_record.len() as u32 {
            if of_alg(r) && status(z, r) == Status::NoMatchingKey as u8 {
                t.downgraded.push(Downgrade {
                    row: r,
                    code: Some(Code::PrepublishedSignature),
                    note: format!("algorithm {alg} is pre-published (RFC 6781 §4.1.4): its key is not in the DNSKEY RRset yet, this RRSIG was not verified"),
                });
            }
        }
        let mut out = Findings::default();
        for n in &z.nodes {
            for s in n.rrsets.iter().filter(|s| must_be_signed(n.kind, s.rtype)) {
                if !s.rrsigs.iter().any(|&r| of_alg(r)) {
                    out.add(Code::PrepublishedMissing, &n.name, s.rtype, None, Some(&z.records[s.records[0] as usize]),
                        format!("the {} RRset has no RRSIG of the pre-published algorithm {alg} ({name}): every RRset must carry one \
                                 before the key is published (RFC 6781 §4.1.4)", rrtype::to_mnemonic(s.rtype)));
                }
            }
        }
        missing.extend(out.list);
    }
    t
}

/// Checks every expectation: `z` holds at least the apex (its DNSKEYs and
/// their RRSIGs), `t` what [`tally`] gathered over every name. Pushes the
/// rows it downgrades.
pub fn check(z: &Zone<'_>, exp: &Expectations, mut t: Tally, out: &mut Findings, downgraded: &mut Vec<Downgrade>) {
    if exp.is_empty() {
        return;
    }
    let dnskey_set = z.apex_node().and_then(|n| n.rrset(rrtype::DNSKEY));
    let first_dnskey = dnskey_set.map(|s| &z.records[s.records[0] as usize]);
    let zone_keys = || z.keys.iter().filter(|k| k.key.is_zone_key());

    let mut expected: Vec<u16> = exp.keys.clone();
    expected.extend(exp.signing_keys.iter().copied().filter(|t| !exp.keys.contains(t)));
    for &tag in &expected {
        if !zone_keys().any(|k| k.key.key_tag == tag) {
            let role = if exp.signing_keys.contains(&tag) { " (expected to sign)" } else { "" };
            out.add(Code::ExpectedKeyMissing, &z.apex, rrtype::DNSKEY, Some(tag), first_dnskey,
                format!("no DNSKEY with key tag {tag}{role} in the apex DNSKEY RRset (it holds {})", key_list(z)));
        }
    }
    let mut signing = t.signing.iter();
    for &tag in &exp.signing_keys {
        for k in zone_keys().filter(|k| k.key.key_tag == tag) {
            let s = if k.key.is_sep() { None } else { signing.next() };
            signing_key(z, k.key.key_tag, k.key.algorithm, s, out);
        }
    }
    for (&tag, f) in exp.forbidden_keys.iter().zip(&t.forbidden) {
        for k in z.keys.iter().filter(|k| k.key.key_tag == tag) {
            out.add(Code::ForbiddenKeyPresent, &z.apex, rrtype::DNSKEY, Some(tag), Some(&z.records[k.record as usize]),
                format!("DNSKEY {tag} (algorithm {}) is still in the apex DNSKEY RRset", k.key.algorithm));
        }
        if let Some((_, p)) = &f.first {
            out.add_at(Code::ForbiddenKeyPresent, &p.name, p.rtype, Some(tag), Some((p.file, p.line)),
                format!("{} RRSIG(s) with key tag {tag} are still in the zone; the first covers {} {}", f.rows, p.name, rrtype::to_mnemonic(p.rtype)));
        }
    }
    for &alg in &exp.algorithms {
        if !zone_keys().any(|k| k.key.algorithm == alg) {
            out.add(Code::ExpectedAlgorithmMissing, &z.apex, rrtype::DNSKEY, None, first_dnskey,
                format!("no key of algorithm {alg} ({}) in the apex DNSKEY RRset (it holds {})", crypto::algorithm_name(alg), key_list(z)));
        }
    }
    for &alg in &exp.forbidden_algorithms {
        for k in z.keys.iter().filter(|k| k.key.algorithm == alg) {
            out.add(Code::ForbiddenAlgorithmPresent, &z.apex, rrtype::DNSKEY, Some(k.key.key_tag), Some(&z.records[k.record as usize]),
                format!("DNSKEY {} of algorithm {alg} ({}) is still in the apex DNSKEY RRset", k.key.key_tag, crypto::algorithm_name(alg)));
        }
    }
    let mut pre = std::mem::take(&mut t.prepublished).into_iter();
    for &alg in &exp.prepublished_algorithms {
        if let Some(k) = z.keys.iter().find(|k| k.key.algorithm == alg && k.key.is_zone_key()) {
            // Past the stage: the key is published, its signatures verify (or
            // fail) as any other; nothing is downgraded.
            out.add(Code::PrepublishedKeyPublished, &z.apex, rrtype::DNSKEY, Some(k.key.key_tag), Some(&z.records[k.record as usize]),
                format!("algorithm {alg} ({}) is declared pre-published, but its DNSKEY {} is in the apex DNSKEY RRset: \
                         this zone is past that stage of the rollover", crypto::algorithm_name(alg), k.key.key_tag));
            continue;
        }
        if let Some((_, missing)) = pre.next() {
            out.list.extend(missing);
        }
    }
    downgraded.extend(t.downgraded);
}

/// The keys of the apex DNSKEY RRset, for messages: "tag/algorithm" each.
fn key_list(z: &Zone<'_>) -> String {
    if z.keys.is_empty() {
        return "no key".into();
    }
    let v: Vec<String> = z.keys.iter().map(|k| format!("{}/{}", k.key.key_tag, k.key.algorithm)).collect();
    format!("key tag/algorithm {}", v.join(", "))
}

/// `--expect-signing-key`: the key validly signs the DNSKEY RRset and,
/// without the SEP flag (a ZSK or CSK, `s`: what the tally found), every
/// authoritative RRset.
fn signing_key(z: &Zone<'_>, tag: u16, alg: u8, s: Option<&Signing>, out: &mut Findings) {
    if let Some(set) = z.apex_node().and_then(|n| n.rrset(rrtype::DNSKEY)) {
        if !set.rrsigs.iter().any(|&row| valid_by(z, row, tag, alg)) {
            out.add(Code::ExpectedKeyNotSigning, &z.apex, rrtype::DNSKEY, Some(tag), Some(&z.records[set.records[0] as usize]),
                format!("DNSKEY {tag} (algorithm {alg}) does not validly sign the DNSKEY RRset"));
        }
    }
    let Some(s) = s else { return };
    if let Some(p) = &s.first {
        out.add_at(Code::ExpectedKeyNotSigning, &p.name, p.rtype, Some(tag), Some((p.file, p.line)),
            format!("DNSKEY {tag} (algorithm {alg}, no SEP flag) does not validly sign {} of the zone's {} authoritative RRsets \
                     besides the DNSKEY RRset; the first is {} {}", s.missing, s.total, p.name, rrtype::to_mnemonic(p.rtype)));
    }
}

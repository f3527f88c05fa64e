//! The checks in the stream: when a zone comes as BIND and ldns write it
//! (the apex first, each owner name's records together with its RRSIGs,
//! no NSEC3, no ZONEMD), each owner name is checked as soon as its
//! signatures are verified, and its records are dropped. What stays for
//! the end is compact: the per-RRSIG report columns, the findings, the
//! apex's records, a keyed 128-bit hash per name of the NSEC chain and per
//! zone cut below the apex, and the names two or more labels below the
//! apex (glue, mostly), held until every zone cut is known.
//!
//! The checks are the whole-zone path's own ([`checks::node_checks`] over a
//! part of the zone, [`checks::zone_checks`] over the apex), so their
//! findings are the same; a finding without a record, and an NSEC chain
//! whose links the hashes cannot show to be exactly the names in canonical
//! order, are the whole-zone path's to report (the stage gives up: see
//! [`super::stream`]).

use std::collections::BTreeSet;
use std::time::Instant;

use crate::checks::{self, denial, policy::Policy, NodeContext, NodeFindings};
use crate::dns::canon;
use crate::dns::name::Name;
use crate::dns::record::Record;
use crate::dns::rrtype;
use crate::model::zone::{NameKind, Zone};
use crate::report::NameTable;
use crate::sig::columns::RrsigColumns;
use crate::sig::crypto::Dnskey;

use super::stream::{RunVerdicts, Verdict};

/// What the stage hands on instead of the records: the report's columns,
/// the checks' outcome and the counts.
pub struct Checked {
    pub apex: Name,
    /// Owner names in order of their first RRSIG; `owner` indexes them.
    pub names: NameTable,
    pub owner: Vec<u32>,
    pub line: Vec<u32>,
    pub file: Vec<u32>,
    pub cols: RrsigColumns,
    pub outcome: checks::Outcome,
    pub serial: Option<u32>,
    pub records: usize,
    /// Wall seconds spent in the checks (beside the parser).
    pub seconds: f64,
}

/// Records set aside with their report rows, to be checked together.
#[derive(Default)]
struct Kept {
    records: Vec<Record>,
    /// Per report row among them: the record, the type it covers, its
    /// status, and the zone-wide row.
    rrsig_record: Vec<u32>,
    covered: Vec<u16>,
    status: Vec<u8>,
    row: Vec<u32>,
    /// Identical copies: (copy, kept), indices into `records`.
    duplicates: Vec<(u32, u32)>,
}

impl Kept {
    /// Takes one owner name's run, `verdicts` and `dups` indexed from `a`
    /// (the run's first record), its rows from `first_row`; with `thin`,
    /// without what no check reads (the held names).
    fn take(&mut self, run: impl Iterator<Item = Record>, a: u32, verdicts: &[Verdict], dups: &[(u32, u32)], first_row: u32, thin: bool) {
        let start = self.records.len() as u32;
        let mut v = verdicts.iter().peekable();
        let mut row = first_row;
        for (k, mut r) in run.enumerate() {
            let here = start + k as u32;
            if r.rtype == rrtype::RRSIG {
                // Every RRSIG of the run has its verdict.
                let st = v.next_if(|x| x.0 == a + k as u32).map_or(crate::sig::Status::Malformed, |x| x.1);
                self.rrsig_record.push(here);
                self.covered.push(canon::parse_rrsig(&r.rdata).map_or(0, |s| s.type_covered));
                self.status.push(st as u8);
                self.row.push(row);
                row += 1;
            }
            if thin {
                super::stream::thin(&mut r);
            }
            self.records.push(r);
        }
        self.duplicates.extend(dups.iter().map(|&(c, k)| (c - a + start, k - a + start)));
    }

    fn zone(&self, apex: &Name, now: u64) -> Zone<'_> {
        let mut dups = self.duplicates.clone();
        dups.sort_unstable();
        let mut z = Zone::build_with(apex.clone(), &self.records, &self.rrsig_record, &self.covered, now, Some(dups));
        z.rrsig_status = self.status.clone();
        z
    }
}

/// The state of the checks between two parts of the zone.
pub struct NameChecks<'p> {
    policy: &'p Policy,
    apex: Name,
    apex_labels: usize,
    now: u64,
    algs: BTreeSet<u8>,
    /// min(SOA MINIMUM, SOA TTL) of the apex SOA.
    ttl: Option<u32>,
    hasher: denial::NameHasher,
    /// What the expectations gather name by name.
    expect: checks::expect::Tally,
    /// The apex's records, whole, for the apex checks at the end.
    apex_kept: Kept,
    /// Names two or more labels below the apex: whether they lie below a
    /// zone cut is known only once every cut is.
    held: Kept,
    /// Hashes of the zone cuts directly below the apex (NS or DNAME).
    cuts: Vec<u128>,
    found: NodeFindings,
    names: NameTable,
    owner: Vec<u32>,
    line: Vec<u32>,
    file: Vec<u32>,
    cols: RrsigColumns,
    /// Keep every row's columns (else see [`RrsigColumns::rows`]).
    columns: bool,
    records: usize,
    seconds: f64,
}

impl<'p> NameChecks<'p> {
    /// Starts on the apex's run, if the zone can be checked name by name:
    /// the apex has an SOA, a DNSKEY, an NSEC and RRSIGs, and no NSEC3PARAM,
    /// ZONEMD or DNAME. Else why not.
    pub fn start(policy: &'p Policy, apex: &Name, run: &[Record], keys: &[Dnskey], now: u64, columns: bool) -> Result<NameChecks<'p>, String> {
        let has = |t: u16| run.iter().any(|r| r.rtype == t);
        for t in [rrtype::SOA, rrtype::DNSKEY, rrtype::NSEC, rrtype::RRSIG] {
            if !has(t) {
                return Err(format!("the apex has no {}", rrtype::to_mnemonic(t)));
            }
        }
        for t in [rrtype::NSEC3PARAM, rrtype::NSEC3, rrtype::ZONEMD, rrtype::DNAME] {
            if has(t) {
                return Err(format!("the apex has a {}", rrtype::to_mnemonic(t)));
            }
        }
        let ttl = run.iter().find(|r| r.rtype == rrtype::SOA).and_then(denial::soa_denial_ttl);
        let algs = keys.iter().filter(|k| k.is_zone_key()).map(|k| k.algorithm).collect();
        Ok(NameChecks {
            policy,
            apex: apex.clone(),
            apex_labels: apex.label_count(),
            now,
            algs,
            ttl,
            hasher: Default::default(),
            expect: checks::expect::Tally::plan(&policy.expect, keys.iter()),
            apex_kept: Kept::default(),
            held: Kept::default(),
            cuts: Vec::new(),
            found: NodeFindings::default(),
            names: NameTable::default(),
            owner: Vec::new(),
            line: Vec::new(),
            file: Vec::new(),
            cols: RrsigColumns::default(),
            columns,
            records: 0,
            seconds: 0.0,
        })
    }

    /// How many records were taken (and dropped) so far.
    pub fn taken(&self) -> usize {
        self.records
    }

    fn context(&self, last_record: Option<u32>) -> NodeContext<'_> {
        NodeContext {
            signed: true,
            nsec: Some(self.ttl),
            chain: denial::Chain::Summary(&self.hasher),
            last_record,
            algs: self.algs.clone(),
            expect: &self.expect,
        }
    }

    /// The per-name checks over `kept`'s names; their report rows mapped
    /// to the zone's. An error when a finding has no record to place it by.
    fn check(&mut self, z: &Zone<'_>, row: &[u32], last_record: Option<u32>) -> Result<(), String> {
        if !self.policy.zone_checks {
            return Ok(());
        }
        let mut f = checks::node_checks(z, self.policy, &self.context(last_record));
        if let Some(f) = f.all().find(|f| f.line == 0) {
            return Err(format!("a finding without a record ({} at {})", f.code.as_str(), f.owner));
        }
        for d in &mut f.downgraded {
            d.row = row[d.row as usize];
        }
        f.expect.map_rows(|r| row[r as usize]);
        self.found.extend(f);
        Ok(())
    }

    /// Takes the next owner names: `part` holds their runs `runs` (in
    /// order, from its start), each run's verdicts (record order) and
    /// identical copies; `last`: the zone ends with them. Their records are dropped, except
    /// those held for the end.
    pub fn take(&mut self, part: Vec<Record>, runs: &[(usize, usize)], verified: &[RunVerdicts], last: bool) -> Result<(), String> {
        let t0 = Instant::now();
        let first_part = self.records == 0;
        // The report's columns, record order.
        let mut row = self.cols.status.len() as u32;
        for (&(a, _), (verdicts, _)) in runs.iter().zip(verified) {
            let mut slot: Option<u32> = None;
            for (i, st, why) in verdicts {
                let r = &part[*i as usize];
                let sig = canon::parse_rrsig(&r.rdata);
                if self.columns {
                    self.cols.push(sig.as_ref(), *st, why.clone());
                } else if !self.cols.push_sparse(sig.as_ref(), *st, why.clone()) {
                    continue;
                }
                let s = *slot.get_or_insert_with(|| {
                    self.names.push(&part[a].owner);
                    (self.names.len() - 1) as u32
                });
                self.owner.push(s);
                self.line.push(r.line);
                self.file.push(r.file);
            }
        }
        // Settled names (the apex, those directly below it, those out of
        // the zone) checked now; the others held.
        let total = part.len();
        let mut batch = Kept::default();
        let mut batch_last: Option<u32> = None;
        let mut held_last: Option<u32> = None;
        let mut it = part.into_iter();
        for (k, (&(a, b), (verdicts, dups))) in runs.iter().zip(verified).enumerate() {
            let owner = &it.as_slice()[0].owner;
            let deep = owner.is_subdomain_of(&self.apex) && owner.label_count() > self.apex_labels + 1;
            let run = it.by_ref().take(b - a);
            let (kept, kept_last) = if deep { (&mut self.held, &mut held_last) } else { (&mut batch, &mut batch_last) };
            if first_part && k == 0 {
                // The apex, whole, for the apex checks at the end too.
                let run: Vec<Record> = run.collect();
                self.apex_kept.take(run.iter().cloned(), a as u32, verdicts, dups, row, false);
                kept.take(run.into_iter(), a as u32, verdicts, dups, row, false);
            } else {
                kept.take(run, a as u32, verdicts, dups, row, deep);
            }
            if last && b == total {
                *kept_last = Some(kept.records.len() as u32 - 1);
            }
            row += verdicts.len() as u32;
        }
        self.records += total;
        if !batch.records.is_empty() {
            let z = batch.zone(&self.apex, self.now);
            for n in z.nodes.iter().filter(|n| matches!(n.kind, NameKind::Delegation | NameKind::Authoritative)) {
                if n.has(rrtype::NS) || n.has(rrtype::DNAME) {
                    self.cuts.push(self.hasher.hash(&n.name));
                }
            }
            self.check(&z, &batch.row, batch_last)?;
        }
        self.seconds += t0.elapsed().as_secs_f64();
        if last {
            return self.held_names(held_last);
        }
        Ok(())
    }

    /// At the end: the held names, each below a zone cut or not as the
    /// cuts say.
    fn held_names(&mut self, last_record: Option<u32>) -> Result<(), String> {
        let t0 = Instant::now();
        if self.held.records.is_empty() {
            return Ok(());
        }
        self.cuts.sort_unstable();
        let held = std::mem::take(&mut self.held);
        let mut z = held.zone(&self.apex, self.now);
        for n in z.nodes.iter_mut().filter(|n| matches!(n.kind, NameKind::Delegation | NameKind::Authoritative)) {
            let below = n.name.strip_left(n.name.label_count() - self.apex_labels - 1);
            if self.cuts.binary_search(&self.hasher.hash(&below)).is_ok() {
                n.kind = NameKind::NonAuthoritative;
            }
        }
        let got = self.check(&z, &held.row, last_record);
        self.seconds += t0.elapsed().as_secs_f64();
        got
    }

    /// The zone-wide checks (over the apex, the statuses and the NSEC
    /// chain's summary), and everything the report needs.
    pub fn finish(mut self) -> Result<Checked, String> {
        let t0 = Instant::now();
        let apex = std::mem::take(&mut self.apex_kept);
        let z = apex.zone(&self.apex, self.now);
        let serial = z.apex_node().and_then(|n| n.rrset(rrtype::SOA)).and_then(|s| canon::soa_serial(&apex.records[s.records[0] as usize].rdata));
        let mut outcome = if self.policy.zone_checks {
            std::mem::take(&mut self.found.chain).holds()?;
            let first = apex.rrsig_record.first().map(|&i| &apex.records[i as usize]);
            let expect = std::mem::take(&mut self.found.expect);
            let zf = checks::zone_checks(&z, self.policy, &self.cols.status, first, true, expect);
            checks::assemble(std::mem::take(&mut self.found), zf)
        } else {
            checks::Outcome { findings: Vec::new(), downgraded: Vec::new() }
        };
        checks::apply_policy_severity(&mut outcome, &self.cols.status, self.policy);
        Ok(Checked {
            apex: self.apex,
            names: self.names,
            owner: self.owner,
            line: self.line,
            file: self.file,
            cols: self.cols,
            outcome,
            serial,
            records: self.records,
            seconds: self.seconds + t0.elapsed().as_secs_f64(),
        })
    }
}

//! The checks in the stream: when a zone comes as BIND and ldns write it
//! (the apex first, each owner name's records together with its RRSIGs,
//! NSEC or one NSEC3 chain, no ZONEMD), each owner name is checked as soon
//! as its signatures are verified, and its records are dropped. What stays
//! for the end is compact: the per-RRSIG report columns, the findings, the
//! apex's records, a keyed 128-bit hash per name of the NSEC chain (or,
//! for NSEC3, each name's hash and types and each NSEC3 record's hashes and
//! types, [`denial::Nsec3Summary`]) and per zone cut below the apex, and
//! the names two or more labels below the apex (glue, mostly), held until
//! the zone cuts above them are known.
//!
//! A held name lies below a cut when its ancestor one label below the apex
//! (the top of its *subtree*) is one, or when a held name above it is. In
//! canonical order a subtree's names come together, after its top: so at
//! the end of each part, the held names of the subtrees up to the highest
//! one seen [`SLACK`] names before are checked (the slack: `dnssec-signzone
//! -n 2` writes a name now and then a few places late), and memory holds
//! about a part's and the largest subtree's deep names. A name that comes
//! later in a subtree already checked makes the stage give up (a shuffled
//! file, say); the whole-zone path then runs.
//!
//! The checks are the whole-zone path's own ([`checks::node_checks`] over a
//! part of the zone, [`checks::zone_checks`] over the apex), so their
//! findings are the same; a finding without a record, an NSEC chain whose
//! links the hashes cannot show to be exactly the names in canonical
//! order, and an NSEC3 chain the summary cannot show to be correct are the
//! whole-zone path's to report (the stage gives up: see [`super::stream`]).

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
pub(crate) struct Kept {
    pub(crate) records: Vec<Record>,
    /// Per report row among them: the record, the type it covers, its
    /// status, and the zone-wide row.
    pub(crate) rrsig_record: Vec<u32>,
    pub(crate) covered: Vec<u16>,
    pub(crate) status: Vec<u8>,
    pub(crate) row: Vec<u32>,
    /// Identical copies: (copy, kept), indices into `records`.
    pub(crate) duplicates: Vec<(u32, u32)>,
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

    /// Splits the records in two by whole runs: `runs` gives each run's
    /// start (ascending) and a tag; the runs whose tag `front` accepts, and
    /// the others, each with its rows and copies, in order; and the other
    /// runs' starts in the second part, with their tags.
    fn partition<T>(self, runs: Vec<(u32, T)>, front: impl Fn(&T) -> bool) -> (Kept, Kept, Vec<(u32, T)>) {
        let (mut yes, mut no) = (Kept::default(), Kept::default());
        let mut no_runs = Vec::new();
        let n = self.records.len() as u32;
        let ends: Vec<u32> = runs.iter().skip(1).map(|&(a, _)| a).chain([n]).collect();
        let (mut row, mut dup) = (0usize, 0usize);
        let mut records = self.records.into_iter();
        for ((a, tag), b) in runs.into_iter().zip(ends) {
            let to = if front(&tag) {
                &mut yes
            } else {
                no_runs.push((no.records.len() as u32, tag));
                &mut no
            };
            let base = to.records.len() as u32;
            to.records.extend(records.by_ref().take((b - a) as usize));
            while row < self.rrsig_record.len() && self.rrsig_record[row] < b {
                to.rrsig_record.push(self.rrsig_record[row] - a + base);
                to.covered.push(self.covered[row]);
                to.status.push(self.status[row]);
                to.row.push(self.row[row]);
                row += 1;
            }
            // A run's copies are its own, appended run by run.
            while dup < self.duplicates.len() && self.duplicates[dup].0 < b {
                let (c, k) = self.duplicates[dup];
                to.duplicates.push((c - a + base, k - a + base));
                dup += 1;
            }
        }
        (yes, no, no_runs)
    }

    fn zone(&self, apex: &Name, now: u64) -> Zone<'_> {
        let mut dups = self.duplicates.clone();
        dups.sort_unstable();
        let mut z = Zone::build_with(apex.clone(), &self.records, &self.rrsig_record, &self.covered, now, Some(dups));
        z.rrsig_status = self.status.clone();
        z
    }
}

/// The hashes of the zone cuts below the apex: found in file order,
/// looked up each time held names are checked. New hashes wait in a small
/// list, sorted before each lookup (a stable sort of a sorted list with a
/// few appended is one short sort and a merge); it is merged into the big
/// sorted list when it reaches an eighth of it, so each hash is moved a
/// bounded number of times and both stay flat arrays (16 octets per cut).
#[derive(Default)]
struct Cuts {
    sorted: Vec<u128>,
    recent: Vec<u128>,
    /// `recent` is sorted.
    ready: bool,
}

impl Cuts {
    fn insert(&mut self, h: u128) {
        self.recent.push(h);
        self.ready = false;
    }

    fn contains(&mut self, h: u128) -> bool {
        if !self.ready {
            if self.recent.len() > 1024 && self.recent.len() * 8 > self.sorted.len() {
                self.sorted.append(&mut self.recent);
                self.sorted.sort();
            } else {
                self.recent.sort();
            }
            self.ready = true;
        }
        self.sorted.binary_search(&h).is_ok() || self.recent.binary_search(&h).is_ok()
    }
}

/// How far out of canonical order a name may come and still find its
/// subtree's held names unchecked, in names: `dnssec-signzone -n 2` was
/// seen writing names up to 3 places late. Fuzzing builds take 2, so that
/// the fuzzer's small zones reach the early checks and the give-up.
const SLACK: u64 = if cfg!(fuzzing) { 2 } else { 256 };

/// Whether a run holds only NSEC3 records and RRSIGs over NSEC3 (a hashed
/// owner's).
fn only_nsec3(run: &[Record]) -> bool {
    run.iter().all(|r| match r.rtype {
        rrtype::NSEC3 => true,
        rrtype::RRSIG => r.rdata.get(..2) == Some(&rrtype::NSEC3.to_be_bytes()[..]),
        _ => false,
    })
}

/// Whether the subtree of `top` is one of those up to `bound.0` (and
/// `bound.0`'s own when `bound.1`), in canonical order.
fn up_to(top: &Name, bound: &(Name, bool)) -> bool {
    match top.canonical_cmp(&bound.0) {
        std::cmp::Ordering::Less => true,
        std::cmp::Ordering::Equal => bound.1,
        std::cmp::Ordering::Greater => false,
    }
}

/// The order of the subtrees (a name one label below the apex, its top,
/// and the names below it) as the names come.
#[derive(Default)]
struct Subtrees {
    /// The highest top seen (canonical order).
    high: Option<Name>,
    /// Names seen.
    names: u64,
    /// `high` at the end of recent parts, with the names seen by then.
    marks: std::collections::VecDeque<(u64, Name)>,
    /// Subtrees whose held names were checked: those up to this top (and
    /// this one too when `true`).
    checked: Option<(Name, bool)>,
}

impl Subtrees {
    /// The next owner name, `depth` labels below the top of its subtree;
    /// returns that top. An error when that subtree's held names were
    /// already checked.
    fn next(&mut self, owner: &Name, depth: usize, line: u32) -> Result<Name, String> {
        self.names += 1;
        if let Some(h) = &self.high {
            if owner.is_subdomain_of(h) {
                return Ok(h.clone());
            }
        }
        let top = if depth == 0 { owner.clone() } else { owner.strip_left(depth) };
        let higher = self.high.as_ref().is_none_or(|h| top.canonical_cmp(h) == std::cmp::Ordering::Greater);
        if higher {
            // Above the highest top, so above every checked one.
            self.high = Some(top.clone());
        } else if let Some(done) = &self.checked {
            if up_to(&top, done) {
                return Err(format!(
                    "owner name {owner} at line {line} lies in the subtree of {top}, whose names were checked and dropped"
                ));
            }
        }
        Ok(top)
    }

    /// At the end of a part: the subtrees whose held names can be checked
    /// now (up to this top, and this one too when `true`): those up to the
    /// highest top seen [`SLACK`] names ago or more (at the end of a part),
    /// which count as checked from now on.
    fn end_of_part(&mut self) -> Option<(Name, bool)> {
        if let Some(h) = &self.high {
            self.marks.push_back((self.names, h.clone()));
        }
        let mut bound = None;
        while self.marks.front().is_some_and(|&(n, _)| self.names - n >= SLACK) {
            bound = self.marks.pop_front();
        }
        let (_, before) = bound?;
        let past = self.high.as_ref().is_some_and(|h| h.canonical_cmp(&before) == std::cmp::Ordering::Greater);
        self.checked = Some((before.clone(), past));
        Some((before, past))
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
    /// An NSEC3 zone: its chain's summary (else an NSEC zone, whose links
    /// are in `found.chain`).
    nsec3: Option<denial::Nsec3Summary>,
    /// NSEC3 zones: hashes of the last [`SLACK`] names one label below the
    /// apex, and of those among them that are the top of a held name's
    /// subtree (so that an empty non-terminal above a held name is known).
    recent_tops: std::collections::VecDeque<u128>,
    top_nodes: std::collections::HashSet<u128>,
    /// What the expectations gather name by name.
    expect: checks::expect::Tally,
    /// One part of a zone checked in parts ([`crate::cluster::parts`]).
    in_parts: bool,
    /// Such a part, not the first: its first run is not the apex, and
    /// every name must lie below the apex.
    part: bool,
    /// Whether the zone ends where the records taken end (not so for a
    /// part but the last): its last record may be an AXFR-style dump's
    /// closing SOA, not a duplicate.
    ends_zone: bool,
    /// In a part: the hashes of the tops of the subtrees seen, and of the
    /// hashed owner names (NSEC3 records only), so that the join can tell
    /// that no name is in two parts.
    tops: Vec<u128>,
    hashed: Vec<u128>,
    /// The apex's records, whole, for the apex checks at the end.
    apex_kept: Kept,
    /// Names two or more labels below the apex: whether they lie below a
    /// zone cut is known once the cuts above them are (see the module).
    held: Kept,
    /// Hashes of the zone cuts directly below the apex (NS or DNAME).
    cuts: Cuts,
    /// The subtrees' order so far (see the module).
    order: Subtrees,
    /// Each held run's start in `held` and the top of its subtree.
    held_tops: Vec<(u32, Name)>,
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
    /// the apex has an SOA, a DNSKEY, RRSIGs and either an NSEC or an
    /// NSEC3PARAM (whose chain [`denial::Nsec3Summary`] takes), and no
    /// NSEC3, ZONEMD or DNAME. Else why not.
    /// `hasher`: the keys of the run's name hashes; `part`: for one part
    /// of a zone checked in parts, whether it is the first.
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        policy: &'p Policy,
        apex: &Name,
        run: &[Record],
        keys: &[Dnskey],
        now: u64,
        columns: bool,
        hasher: denial::NameHasher,
        part: Option<bool>,
    ) -> Result<NameChecks<'p>, String> {
        let has = |t: u16| run.iter().any(|r| r.rtype == t);
        for t in [rrtype::SOA, rrtype::DNSKEY, rrtype::RRSIG] {
            if !has(t) {
                return Err(format!("the apex has no {}", rrtype::to_mnemonic(t)));
            }
        }
        for t in [rrtype::NSEC3, rrtype::ZONEMD, rrtype::DNAME] {
            if has(t) {
                return Err(format!("the apex has a {}", rrtype::to_mnemonic(t)));
            }
        }
        let ttl = run.iter().find(|r| r.rtype == rrtype::SOA).and_then(denial::soa_denial_ttl);
        let nsec3 = match (has(rrtype::NSEC), has(rrtype::NSEC3PARAM)) {
            (true, false) => None,
            (false, true) => {
                let params: Vec<&[u8]> = run.iter().filter(|r| r.rtype == rrtype::NSEC3PARAM).map(|r| &r.rdata[..]).collect();
                Some(denial::Nsec3Summary::start(&params, ttl, policy, hasher)?)
            }
            (true, true) => return Err("the apex has an NSEC and an NSEC3PARAM".into()),
            (false, false) => return Err("the apex has neither an NSEC nor an NSEC3PARAM".into()),
        };
        let algs = keys.iter().filter(|k| k.is_zone_key()).map(|k| k.algorithm).collect();
        Ok(NameChecks {
            policy,
            apex: apex.clone(),
            apex_labels: apex.label_count(),
            now,
            algs,
            ttl,
            hasher,
            nsec3,
            recent_tops: Default::default(),
            top_nodes: Default::default(),
            expect: checks::expect::Tally::plan(&policy.expect, keys.iter()),
            in_parts: part.is_some(),
            part: part == Some(false),
            ends_zone: true,
            tops: Vec::new(),
            hashed: Vec::new(),
            apex_kept: Kept::default(),
            held: Kept::default(),
            cuts: Cuts::default(),
            order: Subtrees::default(),
            held_tops: Vec::new(),
            found: NodeFindings::default(),
            names: NameTable::default(),
            owner: Vec::new(),
            line: Vec::new(),
            file: Vec::new(),
            cols: RrsigColumns::default().tracking_expirations(now),
            columns,
            records: 0,
            seconds: 0.0,
        })
    }

    /// Whether a record of this type at `owner` is one the stage cannot
    /// take: a ZONEMD; an NSEC3PARAM but at the apex; in an NSEC zone an
    /// NSEC3, in an NSEC3 zone an NSEC.
    pub fn refuses(&self, owner: &Name, rtype: u16) -> bool {
        match rtype {
            rrtype::ZONEMD => true,
            rrtype::NSEC3PARAM => !owner.eq_ignore_case(&self.apex),
            rrtype::NSEC3 => self.nsec3.is_none(),
            rrtype::NSEC => self.nsec3.is_some(),
            _ => false,
        }
    }

    /// The records taken end before the zone does (a part of it, not the
    /// last).
    pub fn zone_goes_on(&mut self) {
        self.ends_zone = false;
    }

    /// How many records were taken (and dropped) so far.
    pub fn taken(&self) -> usize {
        self.records
    }

    fn context(&self, last_record: Option<u32>) -> NodeContext<'_> {
        NodeContext {
            signed: true,
            nsec: if self.nsec3.is_some() { None } else { Some(self.ttl) },
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
            let below = if owner.is_subdomain_of(&self.apex) { owner.label_count() - self.apex_labels } else { 0 };
            if self.part && below == 0 {
                return Err(format!("owner name {owner} at line {} in a later part of the zone is not below the apex", it.as_slice()[0].line));
            }
            let deep = below > 1;
            if self.nsec3.is_some() && below == 1 {
                if self.recent_tops.len() == SLACK as usize {
                    self.recent_tops.pop_front();
                }
                self.recent_tops.push_back(self.hasher.hash(owner));
            }
            // NSEC3 records are no zone cut and BIND writes them after the
            // other names: their order does not matter (an NSEC3 owner
            // with names below it, late, leaves those looking like names
            // under an empty non-terminal, and the NSEC3 summary gives up).
            let hashed_owner = below == 1 && self.nsec3.is_some() && only_nsec3(&it.as_slice()[..b - a]);
            if hashed_owner && self.in_parts {
                self.hashed.push(self.hasher.hash(owner));
            }
            if below > 0 && !hashed_owner {
                let top = self.order.next(owner, below - 1, it.as_slice()[0].line)?;
                if self.in_parts {
                    let h = self.hasher.hash(&top);
                    if self.tops.last() != Some(&h) {
                        self.tops.push(h);
                    }
                }
                if deep {
                    // One name per subtree, not one per held name.
                    let top = match self.held_tops.last() {
                        Some((_, t)) if t.eq_ignore_case(&top) => t.clone(),
                        _ => top,
                    };
                    if self.nsec3.is_some() {
                        let h = self.hasher.hash(&top);
                        if self.recent_tops.contains(&h) {
                            self.top_nodes.insert(h);
                        }
                    }
                    self.held_tops.push((self.held.records.len() as u32, top));
                }
            }
            let run = it.by_ref().take(b - a);
            let (kept, kept_last) = if deep { (&mut self.held, &mut held_last) } else { (&mut batch, &mut batch_last) };
            if first_part && k == 0 && !self.part {
                // The apex, whole, for the apex checks at the end too.
                let run: Vec<Record> = run.collect();
                self.apex_kept.take(run.iter().cloned(), a as u32, verdicts, dups, row, false);
                kept.take(run.into_iter(), a as u32, verdicts, dups, row, false);
            } else {
                kept.take(run, a as u32, verdicts, dups, row, deep);
            }
            if last && b == total && self.ends_zone {
                *kept_last = Some(kept.records.len() as u32 - 1);
            }
            row += verdicts.len() as u32;
        }
        self.records += total;
        if !batch.records.is_empty() {
            let z = batch.zone(&self.apex, self.now);
            for n in z.nodes.iter().filter(|n| matches!(n.kind, NameKind::Delegation | NameKind::Authoritative)) {
                if n.has(rrtype::NS) || n.has(rrtype::DNAME) {
                    self.cuts.insert(self.hasher.hash(&n.name));
                }
            }
            self.check(&z, &batch.row, batch_last)?;
            if let Some(s) = self.nsec3.as_mut() {
                s.add(&z, |_| false)?;
            }
        }
        self.seconds += t0.elapsed().as_secs_f64();
        if last {
            let held = std::mem::take(&mut self.held);
            return self.held_names(held, held_last);
        }
        // The held names of the subtrees that are complete.
        if let Some(bound) = self.order.end_of_part() {
            if self.held_tops.iter().any(|(_, t)| up_to(t, &bound)) {
                let tops = std::mem::take(&mut self.held_tops);
                let (now, later, tops) = std::mem::take(&mut self.held).partition(tops, |t| up_to(t, &bound));
                (self.held, self.held_tops) = (later, tops);
                self.held_names(now, None)?;
            }
        }
        Ok(())
    }

    /// Held names, each below a zone cut or not as the cuts say.
    fn held_names(&mut self, held: Kept, last_record: Option<u32>) -> Result<(), String> {
        let t0 = Instant::now();
        if held.records.is_empty() {
            return Ok(());
        }
        let mut z = held.zone(&self.apex, self.now);
        for n in z.nodes.iter_mut().filter(|n| matches!(n.kind, NameKind::Delegation | NameKind::Authoritative)) {
            let below = n.name.strip_left(n.name.label_count() - self.apex_labels - 1);
            if self.cuts.contains(self.hasher.hash(&below)) {
                n.kind = NameKind::NonAuthoritative;
            }
        }
        let mut got = self.check(&z, &held.row, last_record);
        if let (Ok(()), Some(s)) = (&got, self.nsec3.as_mut()) {
            let (hasher, tops) = (&self.hasher, &self.top_nodes);
            got = s.add(&z, |top| tops.contains(&hasher.hash(top)));
        }
        self.seconds += t0.elapsed().as_secs_f64();
        got
    }

    /// The zone-wide checks (over the apex, the statuses and the NSEC
    /// chain's summary), and everything the report needs.
    pub fn finish(self) -> Result<Checked, String> {
        let (policy, apex, now) = (self.policy, self.apex.clone(), self.now);
        self.into_part().finish(policy, apex, now)
    }

    /// What the checks of this part of the zone leave for the zone-wide
    /// checks (after the last records were taken), to be joined with the
    /// other parts' ([`Part::join`]) and finished ([`Part::finish`]).
    pub fn into_part(self) -> Part {
        Part {
            apex_kept: (!self.part).then_some(self.apex_kept),
            nsec3: self.nsec3,
            found: self.found,
            names: self.names,
            owner: self.owner,
            line: self.line,
            file: self.file,
            cols: self.cols,
            records: self.records,
            seconds: self.seconds,
            tops: self.tops,
            hashed: self.hashed,
            sharded: false,
        }
    }
}

/// A part of the zone checked name by name, all its names' checks done,
/// waiting for the zone-wide ones: what [`NameChecks`] keeps of it.
pub struct Part {
    /// The apex's records with their rows (the part that starts with it).
    pub(crate) apex_kept: Option<Kept>,
    pub(crate) nsec3: Option<denial::Nsec3Summary>,
    pub(crate) found: NodeFindings,
    pub(crate) names: NameTable,
    pub(crate) owner: Vec<u32>,
    pub(crate) line: Vec<u32>,
    pub(crate) file: Vec<u32>,
    pub(crate) cols: RrsigColumns,
    pub(crate) records: usize,
    pub(crate) seconds: f64,
    /// See [`NameChecks::tops`].
    pub(crate) tops: Vec<u128>,
    pub(crate) hashed: Vec<u128>,
    /// The NSEC3 summary's names and records and the hashes above went to
    /// the workers that check their hash ranges ([`denial::Nsec3Shard`]):
    /// the caller has their verdict; the summary here holds the chain's
    /// parameters only.
    pub(crate) sharded: bool,
}

impl Part {
    /// The parts of one zone, in file order, as one: what one
    /// [`NameChecks`] over the whole zone would have kept, or why that
    /// cannot be shown. Each part's NSEC3 summary and subtree hashes went
    /// by hash range to the workers that check them ([`Part::sharded`],
    /// [`denial::Nsec3Shard`]): every subtree in one part (its top, the
    /// name one label below the apex, seen in one part only) and no hashed
    /// owner name of one part the top of a subtree in another is theirs to
    /// show. With that and the first part starting with the apex, no name
    /// is in two parts (the later parts' names are all below the apex), and
    /// every name was settled (below a zone cut or not, under an empty
    /// non-terminal or not) by the part that holds its subtree, as the one
    /// stream would have.
    pub fn join(parts: Vec<Part>) -> Result<Part, String> {
        let mut it = parts.into_iter();
        let Some(mut all) = it.next() else { return Err("no parts".into()) };
        if all.apex_kept.is_none() {
            return Err("the first part does not start with the apex".into());
        }
        if !all.sharded {
            return Err("the parts' hashes were not sent by hash range".into());
        }
        for (k, p) in it.enumerate() {
            let k = k + 1;
            if p.apex_kept.is_some() {
                return Err(format!("part {k} starts with the apex"));
            }
            if !p.sharded || p.nsec3.is_some() != all.nsec3.is_some() {
                return Err(format!("part {k} was sent otherwise than the first, or is of another denial"));
            }
            let (rows, names) = (all.cols.len() as u32, all.names.len() as u32);
            let mut found = p.found;
            for d in &mut found.downgraded {
                d.row += rows;
            }
            found.expect.map_rows(|r| r + rows);
            all.found.extend(found);
            all.names.append(&p.names);
            all.owner.extend(p.owner.into_iter().map(|o| o + names));
            all.line.extend(p.line);
            all.file.extend(p.file);
            all.cols.append(p.cols);
            all.records += p.records;
            all.seconds += p.seconds;
        }
        Ok(all)
    }

    /// The zone-wide checks (over the apex, the statuses and the NSEC
    /// chain's summary), and everything the report needs.
    pub fn finish(mut self, policy: &Policy, apex_name: Name, now: u64) -> Result<Checked, String> {
        let t0 = Instant::now();
        let Some(apex) = self.apex_kept.take() else { return Err("no part starts with the apex".into()) };
        let z = apex.zone(&apex_name, now);
        let serial = z.apex_node().and_then(|n| n.rrset(rrtype::SOA)).and_then(|s| canon::soa_serial(&apex.records[s.records[0] as usize].rdata));
        let mut outcome = if policy.zone_checks {
            let chain = match self.nsec3.as_mut() {
                Some(s) => {
                    if !self.sharded {
                        s.holds()?;
                    }
                    denial::Nsec3Chain::Summary(s)
                }
                None => {
                    std::mem::take(&mut self.found.chain).holds()?;
                    denial::Nsec3Chain::Whole
                }
            };
            let first = apex.rrsig_record.first().map(|&i| &apex.records[i as usize]);
            let expect = std::mem::take(&mut self.found.expect);
            let zf = checks::zone_checks(&z, policy, &self.cols.status, first, true, expect, chain);
            checks::assemble(std::mem::take(&mut self.found), zf)
        } else {
            checks::Outcome { findings: Vec::new(), downgraded: Vec::new() }
        };
        checks::apply_policy_severity(&mut outcome, &self.cols.status, policy);
        Ok(Checked {
            apex: apex_name,
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

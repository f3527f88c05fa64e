//! The streaming stage: RRSIGs verified as soon as the parser has handed
//! on the RRsets they cover, while the next part of the file is read and
//! parsed; then the RDATA that no whole-zone check reads is dropped
//! ([`crate::checks::reads_rdata`]), and the signatures with it.
//!
//! The layouts of the real signers stream: each owner name's records
//! together (BIND, ldns), and Knot's dumps, which write all data first,
//! then all RRSIGs, then the NSEC chain (a name's data waits for its
//! RRSIGs, an RRSIG over NSEC for its NSEC).
//!
//! An RRSIG is verified once its owner has records of the type it covers
//! (or, for one that cannot be decoded, at once; at the end, every RRSIG
//! left); from then on that RRset is final: a later record of its type at
//! that name would change it. So the stage gives exactly the whole-zone
//! path's verdicts, or gives up and says why, and the caller takes the
//! whole-zone path from the start. It gives up when the apex is not the
//! first owner name (its DNSKEYs must be known before any signature is
//! verified), when the apex gets DNSKEYs or a ZONEMD after its first
//! records, when a record comes for an RRset whose signatures were
//! verified, and when a name comes back after all of it was verified and
//! its RDATA dropped.
//!
//! When the apex's first run allows it, the stage also checks each name as
//! soon as it is verified and drops its records ([`super::names`]); every
//! run is then final, and the stage gives up on a name that comes back
//! after names were dropped.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use smallvec::SmallVec;

use crate::checks;
use crate::checks::policy::Policy;
use crate::dns::canon;
use crate::dns::name::Name;
use crate::dns::record::Record;
use crate::dns::rrtype;
use crate::model::zone::{identical_copies, Node};
use crate::progress::{self, Progress};
use crate::sig::crypto::Dnskey;
use crate::sig::keys::Keys;
use crate::sig::profile::Profile;
use crate::sig::rules::Rules;
use crate::sig::Status;

use super::names::{Checked, NameChecks, Part};

/// One RRSIG's verdict: its record index, status and reason.
pub type Verdict = (u32, Status, Option<String>);

/// A complete run's verdicts (record order) and identical copies.
pub type RunVerdicts = (Vec<Verdict>, Vec<(u32, u32)>);

/// What the stage found: the verdicts and the identical copies.
pub struct Signatures {
    /// One per RRSIG record, record order: (record, status). Eight octets
    /// each: a TLD has millions, nearly all valid, without a reason.
    pub verdicts: Vec<(u32, Status)>,
    /// (record, reason) of every verdict that has one, record order.
    pub reasons: Vec<(u32, String)>,
    /// (copy, kept) record pairs, zone order.
    pub duplicates: Vec<(u32, u32)>,
    /// Wall seconds the stage spent (mostly beside the parser).
    pub busy: f64,
    /// When the names were checked in the stream ([`super::names`]): the
    /// report's columns and the checks' outcome; the verdicts, reasons and
    /// duplicates above are then empty, and the records gone.
    pub checked: Option<Checked>,
}

/// Keeps verdicts: statuses in one list, the reasons aside.
fn keep(verdicts: &mut Vec<(u32, Status)>, reasons: &mut Vec<(u32, String)>, v: Vec<Verdict>) {
    verdicts.reserve(v.len());
    for (rec, st, why) in v {
        verdicts.push((rec, st));
        if let Some(w) = why {
            reasons.push((rec, w));
        }
    }
}

/// What the stage knows of an owner name.
struct Owner {
    /// Its first record (the name to compare with).
    first: u32,
    /// `None` once the name is closed: it had RRSIGs, all are verified, its
    /// RDATA is dropped, and it must not come back.
    open: Option<Box<Open>>,
}

/// An owner name still open.
#[derive(Default)]
struct Open {
    /// Every record so far, ascending.
    rows: SmallVec<[u32; 6]>,
    /// Types whose RRSIGs were verified: their RRsets are final (and their
    /// identical copies found).
    frozen: SmallVec<[u16; 4]>,
    /// RRSIG records not yet verified.
    pending: SmallVec<[u32; 2]>,
    /// Whether the name has had an RRSIG (a name without any stays open:
    /// its signatures may come later).
    signed: bool,
}

/// How a run was filed.
enum Filed {
    /// A new name complete in its run: verify the run, close the name.
    Complete,
    /// The name (key) is open: look at its pending RRSIGs.
    Open(u64),
}

/// The key of an owner name: a hash of its lower-cased wire form (FNV-1a;
/// names that collide make the stage give up).
fn name_key(n: &Name) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in n.as_wire() {
        h = (h ^ b.to_ascii_lowercase() as u64).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Keys that are hashes already.
#[derive(Default, Clone, Copy)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

type Owners = HashMap<u64, Owner, std::hash::BuildHasherDefault<KeyHasher>>;

/// Whether a run holds RRSIGs and, for each, records of the type it
/// covers. (One whose RDATA is too short to name a type is malformed,
/// whatever the run holds.)
fn complete(run: &[Record]) -> bool {
    let mut signed = false;
    for r in run.iter().filter(|r| r.rtype == rrtype::RRSIG) {
        signed = true;
        if covered(r).is_some_and(|t| !run.iter().any(|x| x.rtype == t)) {
            return false;
        }
    }
    signed
}

/// What verifying one owner name's pending RRSIGs gave.
struct Step {
    key: u64,
    verdicts: Vec<Verdict>,
    duplicates: Vec<(u32, u32)>,
    /// RRSIGs verified (to take off `pending`), and the types frozen.
    verified: Vec<u32>,
    frozen: SmallVec<[u16; 4]>,
    /// Records whose RDATA may go: of frozen types, and verified RRSIGs.
    thin: Vec<u32>,
    close: bool,
}

/// The streaming stage's state between two parts of a zone.
pub struct Streamer<'p> {
    /// The run's verified-signature cache, if any.
    cache: Option<&'p crate::sig::cache::Cache>,
    /// The run's progress counters (the RRSIGs verified are counted here,
    /// a batch at a time) and stop switch.
    progress: Option<&'p Progress>,
    origin: Option<Name>,
    now: u64,
    prof: Option<&'p Profile>,
    /// Drop the RDATA the checks do not read (off when the caller may need
    /// the records whole afterwards).
    thin: bool,
    /// Set by the first owner name: the apex and its DNSKEYs.
    apex: Option<(Name, Vec<Dnskey>)>,
    /// Every owner name seen, by the hash of its lower-cased form (two
    /// names with one hash make the stage give up, never a wrong verdict).
    owners: Owners,
    /// Every record so far, in file order (those verified thinned).
    records: Vec<Record>,
    /// Index of the first record not yet filed: the last owner name's,
    /// whose records may continue in the next part.
    pending: usize,
    /// One per RRSIG record, record order (once the last part is in).
    verdicts: Vec<(u32, Status)>,
    /// The reasons of those verdicts that have one.
    reasons: Vec<(u32, String)>,
    /// Identical copies taken out of their RRsets: (copy, kept).
    duplicates: Vec<(u32, u32)>,
    /// Why the stage gave up, if it did.
    gave_up: Option<String>,
    /// Wall seconds spent verifying (part of it beside the parser).
    busy: f64,
    /// The policy, when the names may be checked in the stream (with
    /// `thin`: the records need not stay whole for the caller).
    policy: Option<&'p Policy>,
    /// Checking name by name ([`super::names`]), from the apex on, when the
    /// apex allows it: each run is then final, and dropped once checked.
    names: Option<NameChecks<'p>>,
    /// With `names`: the names seen (by [`name_key`]: one that comes back
    /// makes the stage give up).
    seen: HashSet<u64, std::hash::BuildHasherDefault<KeyHasher>>,
    checked: Option<Checked>,
    /// Keep every report row's columns when checking by name.
    columns: bool,
    /// A part of a zone checked in parts ([`Streamer::for_part`]): checked
    /// name by name or not at all (the stage gives up), and left as a
    /// [`Part`] at the end.
    part: Option<Option<Part>>,
}

impl<'p> Streamer<'p> {
    /// With `policy`, and `thin`, the names are checked in the stream when
    /// the zone's layout allows it.
    /// `columns`: see [`super::VerifyOptions::columns`].
    pub fn new(origin: Option<Name>, now: u64, prof: Option<&'p Profile>, thin: bool, policy: Option<&'p Policy>, columns: bool) -> Streamer<'p> {
        Streamer {
            cache: None,
            progress: None,
            origin,
            now,
            prof,
            thin,
            apex: None,
            owners: Owners::default(),
            records: Vec::new(),
            pending: 0,
            verdicts: Vec::new(),
            reasons: Vec::new(),
            duplicates: Vec::new(),
            gave_up: None,
            busy: 0.0,
            policy,
            names: None,
            seen: Default::default(),
            checked: None,
            columns,
            part: None,
        }
    }

    /// A stage for one part of a zone checked in parts
    /// ([`crate::cluster::parts`]): `apex_run` is the apex's first run (its
    /// DNSKEYs and what the checks need of it), read elsewhere and not part
    /// of this part; `first`: the part starts with the apex (and the apex
    /// run is then read again from it); `last`: the zone ends with it. The names are checked as they come
    /// ([`NameChecks`], with the run's name `hasher`); a layout that does
    /// not allow that makes the stage give up. [`Streamer::into_part`] ends
    /// it.
    #[allow(clippy::too_many_arguments)]
    pub fn for_part(
        apex_run: Vec<Record>,
        first: bool,
        last: bool,
        origin: Option<Name>,
        now: u64,
        policy: &'p Policy,
        columns: bool,
        hasher: crate::checks::denial::NameHasher,
    ) -> Streamer<'p> {
        let mut st = Streamer::new(origin, now, None, true, Some(policy), columns);
        st.part = Some(None);
        st.records = apex_run;
        let n = st.records.len();
        if n == 0 {
            st.give_up("no apex records".into());
            return st;
        }
        if let Err(why) = st.find_apex(0, n) {
            st.give_up(why);
            return st;
        }
        let Some((apex, keys)) = st.apex.as_ref() else { return st };
        match NameChecks::start(policy, apex, &st.records, keys, now, columns, hasher, Some(first)) {
            Ok(mut c) => {
            if !last {
                c.zone_goes_on();
            }
            st.names = Some(c)
        }
            Err(why) => st.give_up(format!("the zone cannot be checked name by name: {why}")),
        }
        st.records = Vec::new();
        if first {
            // The apex run is read again, as the part's first.
            st.apex = None;
        }
        st
    }

    /// Wall seconds spent so far (part of it beside the parser).
    pub fn busy(&self) -> f64 {
        self.busy
    }

    /// Why the stage gave up, if it did.
    pub fn gave_up(&self) -> Option<&str> {
        self.gave_up.as_deref()
    }

    /// Ends a stage made by [`Streamer::for_part`]: the part's checks, or
    /// why it gave up.
    pub fn into_part(self) -> Result<Part, String> {
        if let Some(why) = self.gave_up {
            return Err(why);
        }
        self.part.flatten().ok_or_else(|| "the part did not end".into())
    }

    /// The same stage, verifying with the run's verified-signature cache.
    pub fn with_cache(mut self, cache: Option<&'p crate::sig::cache::Cache>) -> Streamer<'p> {
        self.cache = cache;
        self
    }

    /// The same stage, counting the RRSIGs it verifies into `progress` and
    /// verifying in batches, so that a stop asked for is seen within one
    /// ([`progress::in_batches`]; the caller checks for it after the push).
    pub fn with_progress(mut self, progress: Option<&'p Progress>) -> Streamer<'p> {
        self.progress = progress;
        self
    }

    /// Takes the next part's records (`last`: the zone ends with them) and
    /// verifies every RRSIG whose RRset is in. Runs on the current rayon
    /// pool.
    pub fn push(&mut self, mut part: Vec<Record>, last: bool) {
        if self.gave_up.is_some() {
            return;
        }
        let t0 = std::time::Instant::now();
        if self.records.is_empty() {
            self.records = std::mem::take(&mut part);
        } else {
            self.records.append(&mut part);
        }
        if self.records.len() > u32::MAX as usize {
            self.give_up("more than 2^32 records".into());
            return;
        }
        let runs = owner_runs(&self.records, self.pending, last);
        let keys: Vec<u64> = runs.iter().map(|&(a, _)| name_key(&self.records[a].owner)).collect();
        if self.apex.is_none() {
            if let Some(&(a, b)) = runs.first() {
                if let Err(why) = self.find_apex(a, b) {
                    self.give_up(why);
                    return;
                }
                if self.part.is_some() {
                    // Started by `for_part`.
                } else if let (Some(policy), true, Some((apex, keys))) = (self.policy, self.thin, self.apex.as_ref()) {
                    self.names = NameChecks::start(policy, apex, &self.records[a..b], keys, self.now, self.columns, Default::default(), None).ok();
                }
            }
        }
        if self.names.is_some() && self.push_by_name(&runs, &keys, last) {
            self.busy += t0.elapsed().as_secs_f64();
            return;
        }
        let mut touched: Vec<u64> = Vec::with_capacity(runs.len());
        let mut fresh: Vec<(u32, u32)> = Vec::with_capacity(runs.len());
        // Names with two runs in this part go the long way, so that a part
        // (a whole small file) takes any shape that starts with the apex.
        let mut once: HashSet<u64> = HashSet::with_capacity(keys.len());
        let repeated: HashSet<u64> = keys.iter().copied().filter(|&k| !once.insert(k)).collect();
        for (&(a, b), &key) in runs.iter().zip(&keys) {
            match self.file_run(a as u32, b as u32, key, !repeated.contains(&key)) {
                Ok(Filed::Open(key)) => touched.push(key),
                Ok(Filed::Complete) => fresh.push((a as u32, b as u32)),
                Err(why) => {
                    self.give_up(why);
                    return;
                }
            }
        }
        if let Some(&(_, b)) = runs.last() {
            self.pending = b;
        }
        if last {
            // Every owner name still open gets its last look.
            touched = self.owners.iter().filter(|(_, o)| o.open.is_some()).map(|(&k, _)| k).collect();
        } else {
            touched.sort_unstable();
            touched.dedup();
        }
        self.step(&fresh, &touched, last);
        if self.stopped() {
            return;
        }
        if last {
            self.duplicates.sort_unstable();
            self.verdicts.sort_unstable_by_key(|v| v.0);
            self.reasons.sort_unstable_by_key(|v| v.0);
            self.owners = Owners::default();
        }
        self.busy += t0.elapsed().as_secs_f64();
    }

    /// [`Streamer::push`] when checking name by name: every run is final
    /// (a name that comes back makes the stage give up), verified from its
    /// records alone, checked and dropped. `false` when the part is not
    /// in that layout but nothing was dropped yet: the names are then
    /// checked over the zone model, and the part filed as any other.
    fn push_by_name(&mut self, runs: &[(usize, usize)], keys: &[u64], last: bool) -> bool {
        let dropped = self.part.is_some() || self.names.as_ref().is_some_and(|n| n.taken() > 0);
        let mut why: Option<String> = None;
        for (&(a, b), &key) in runs.iter().zip(keys) {
            let r = &self.records[a];
            if !self.seen.insert(key) {
                why = Some(format!("owner name {} comes back at line {} (the names before it were checked and dropped)", r.owner, r.line));
                break;
            }
            let refuses = |r: &&Record| self.names.as_ref().is_some_and(|n| n.refuses(&r.owner, r.rtype));
            if let Some(r) = self.records[a..b].iter().find(refuses) {
                why = Some(format!("a {} record at line {}, which the checks by name do not take", rrtype::to_mnemonic(r.rtype), r.line));
                break;
            }
        }
        if let Some(why) = why {
            if dropped {
                self.give_up(why);
                return true;
            }
            self.names = None;
            self.seen = Default::default();
            return false;
        }
        let Some((apex, dnskeys)) = &self.apex else { return true };
        let dnskeys = Keys::new(dnskeys.iter()).with_cache(self.cache);
        let rules = Rules { keys: &dnskeys, apex, now: self.now, prof: self.prof };
        let whole: Vec<(u32, u32)> = runs.iter().map(|&(a, b)| (a as u32, b as u32)).collect();
        let verified = verify_runs(&self.records, &whole, &rules, self.prof, self.progress);
        if self.stopped() {
            return true;
        }
        let end = runs.last().map_or(0, |r| r.1);
        // The runs taken, out of the list; the last name's records (which
        // may go on in the next part) stay.
        let tail = self.records.split_off(end);
        let part: Vec<Record> = std::mem::replace(&mut self.records, tail);
        self.pending = 0;
        let Some(names) = self.names.as_mut() else { return true };
        if let Err(why) = names.take(part, runs, &verified, last) {
            self.give_up(why);
            return true;
        }
        if last && self.part.is_some() {
            self.part = Some(self.names.take().map(NameChecks::into_part));
            self.owners = Owners::default();
            self.seen = Default::default();
        } else if last {
            match self.names.take().map(NameChecks::finish) {
                Some(Ok(c)) => self.checked = Some(c),
                Some(Err(why)) => self.give_up(why),
                None => {}
            }
            self.owners = Owners::default();
            self.seen = Default::default();
        }
        true
    }

    /// Files the run `records[a..b]` of one owner name. An error says why
    /// the stage cannot go on.
    /// `key` is the name's [`name_key`]; `alone`: the name has no other run
    /// in this part.
    fn file_run(&mut self, a: u32, b: u32, key: u64, alone: bool) -> Result<Filed, String> {
        let rec = &self.records[a as usize];
        let run = &self.records[a as usize..b as usize];
        if alone && a != 0 && !self.owners.contains_key(&key) && complete(run) {
            // The usual case (BIND, ldns): a new name whose run holds its
            // RRSIGs and the RRsets they cover. Verified from the run alone,
            // and closed at once.
            self.owners.insert(key, Owner { first: a, open: None });
            return Ok(Filed::Complete);
        }
        let o = self.owners.entry(key).or_insert_with(|| Owner { first: a, open: Some(Box::default()) });
        let first = &self.records[o.first as usize];
        if !first.owner.eq_ignore_case(&rec.owner) {
            // Two names, one hash: this stage cannot tell them apart cheaply.
            return Err(format!("owner names {} and {} share a hash", first.owner, rec.owner));
        }
        let apex = o.first == 0;
        let Some(open) = o.open.as_mut() else {
            return Err(format!("owner name {} comes back at line {} after all its signatures were verified", rec.owner, rec.line));
        };
        for i in a..b {
            let r = &self.records[i as usize];
            if apex && a != 0 && (r.rtype == rrtype::DNSKEY || r.rtype == rrtype::ZONEMD) {
                // The keys, and whether to drop RDATA, were settled on the
                // apex's first run.
                return Err(format!("an apex {} at line {}, after the first apex records", rrtype::to_mnemonic(r.rtype), r.line));
            }
            if r.rtype == rrtype::RRSIG {
                open.signed = true;
                if let Some(t) = covered(r).filter(|t| open.frozen.contains(t)) {
                    return Err(format!(
                        "an RRSIG over {} {} at line {}, after that RRset's signatures were verified",
                        r.owner,
                        rrtype::to_mnemonic(t),
                        r.line
                    ));
                }
                open.pending.push(i);
            } else if open.frozen.contains(&r.rtype) {
                return Err(format!(
                    "a {} record at {} on line {}, after that RRset's signatures were verified",
                    rrtype::to_mnemonic(r.rtype),
                    r.owner,
                    r.line
                ));
            }
            open.rows.push(i);
        }
        Ok(Filed::Open(key))
    }

    /// Verifies the pending RRSIGs of the owner names `keys` whose RRsets
    /// are in (all of them when `last`), in parallel; freezes those
    /// RRsets, closes the names with nothing left pending, and drops the
    /// RDATA no check reads.
    fn step(&mut self, fresh: &[(u32, u32)], keys: &[u64], last: bool) {
        let Some((apex, dnskeys)) = &self.apex else { return };
        let dnskeys = Keys::new(dnskeys.iter()).with_cache(self.cache);
        let rules = Rules { keys: &dnskeys, apex, now: self.now, prof: self.prof };
        let records = &self.records;
        let owners = &self.owners;
        let prof = self.prof;
        let thin = self.thin;
        // Complete runs: every RRSIG verified from the run, every RRset
        // final (a new name never has index 0, the apex's).
        let done = verify_runs(records, fresh, &rules, prof, self.progress);
        for (v, d) in done {
            keep(&mut self.verdicts, &mut self.reasons, v);
            self.duplicates.extend(d);
        }
        let steps: Vec<Step> = progress::in_batches(self.progress, keys, |s: &Step| s.verdicts.len() as u64, |keys| {
            keys.par_iter()
                .filter_map(|&k| {
                    let o = owners.get(&k)?;
                    let open = o.open.as_deref()?;
                    Some((k, o.first == 0, open))
                })
                .map_init(
                    || Vec::with_capacity(4096),
                    |buf, (key, is_apex, open)| step_owner(records, key, open, last, thin && !is_apex, &rules, prof, buf),
                )
                .collect()
        });
        let mut thin_rows: Vec<u32> = Vec::new();
        if thin && !last {
            for &(a, b) in fresh {
                thin_rows.extend(a..b);
            }
        }
        for s in steps {
            keep(&mut self.verdicts, &mut self.reasons, s.verdicts);
            self.duplicates.extend(s.duplicates);
            thin_rows.extend(s.thin);
            let Some(o) = self.owners.get_mut(&s.key) else { continue };
            if s.close {
                o.open = None;
            } else if let Some(open) = o.open.as_mut() {
                open.pending.retain(|r| !s.verified.contains(r));
                open.frozen.extend(s.frozen);
            }
        }
        if !thin_rows.is_empty() {
            thin_rows.sort_unstable();
            thin_records(&mut self.records, &thin_rows);
        }
    }

    /// Ends the stage: the records (thinned where thinning was on), and the
    /// signatures' verdicts or why the stage gave up.
    pub fn into_parts(self) -> (Vec<Record>, Result<Signatures, String>) {
        let sigs = match self.gave_up {
            Some(why) => Err(why),
            None => Ok(Signatures { verdicts: self.verdicts, reasons: self.reasons, duplicates: self.duplicates, busy: self.busy, checked: self.checked }),
        };
        (self.records, sigs)
    }

    /// Whether the run was cancelled (some verification left undone): the
    /// stage then gives up, and the caller's [`Progress::check`] ends the
    /// run.
    fn stopped(&mut self) -> bool {
        if Progress::check(self.progress).is_ok() {
            return false;
        }
        self.give_up("the run was cancelled".into());
        true
    }

    /// Stops: later parts are dropped, the records so far stay (whole
    /// unless thinning was on) for the caller to drop or to reuse.
    fn give_up(&mut self, why: String) {
        self.gave_up = Some(why);
        self.names = None;
        self.checked = None;
        self.seen = Default::default();
        self.owners = Owners::default();
        self.verdicts = Vec::new();
        self.reasons = Vec::new();
        self.duplicates = Vec::new();
    }

    /// The apex from the first owner name's records `[a, b)`: the origin
    /// given, else the owner of the first SOA (as the whole-zone path
    /// finds it), and its DNSKEYs; an error when that name is not first.
    fn find_apex(&mut self, a: usize, b: usize) -> Result<(), String> {
        let run = &self.records[a..b];
        let apex = match &self.origin {
            Some(o) => o.clone(),
            None => match run.iter().find(|r| r.rtype == rrtype::SOA) {
                Some(r) => r.owner.clone(),
                None => return Err(format!("the first owner name, {}, has no SOA", run[0].owner)),
            },
        };
        if !run[0].owner.eq_ignore_case(&apex) {
            return Err(format!("the first owner name, {}, is not the zone apex {apex}", run[0].owner));
        }
        // The DNSKEYs as the zone model lists them: record order, identical
        // copies counted once.
        let rows: Vec<u32> = (0..run.len() as u32).filter(|&i| run[i as usize].rtype == rrtype::DNSKEY).collect();
        let copies: HashSet<u32> = identical_copies(&rows, |i| &run[i as usize]).into_iter().map(|(c, _)| c).collect();
        let keys = rows.iter().filter(|i| !copies.contains(i)).filter_map(|&i| Dnskey::from_rdata(&run[i as usize].rdata)).collect();
        // A ZONEMD at the apex digests every record: keep all RDATA.
        if run.iter().any(|r| r.rtype == rrtype::ZONEMD) {
            self.thin = false;
        }
        self.apex = Some((apex, keys));
        Ok(())
    }
}

/// Verifies every RRSIG of each complete run `[a, b)` (one owner name's
/// records, all of them), in parallel: the verdicts and identical copies
/// per run, in run order (in batches, counted, with `progress`).
fn verify_runs(records: &[Record], runs: &[(u32, u32)], rules: &Rules<'_>, prof: Option<&Profile>, progress: Option<&Progress>) -> Vec<RunVerdicts> {
    progress::in_batches(progress, runs, |v: &RunVerdicts| v.0.len() as u64, |runs| {
        runs.par_iter()
            .map_init(
                || (Vec::with_capacity(4096), Vec::new(), Vec::new()),
                |(buf, rows, due), &(a, b)| {
                    rows.clear();
                    rows.extend(a..b);
                    due.clear();
                    due.extend((a..b).filter(|&i| records[i as usize].rtype == rrtype::RRSIG));
                    verify_owner(records, rows, due, &[], &[], true, rules, prof, buf)
                },
            )
            .collect()
    })
}

/// The type an RRSIG record covers, if its RDATA is long enough to say.
fn covered(r: &Record) -> Option<u16> {
    r.rdata.get(..2).map(|c| u16::from_be_bytes([c[0], c[1]]))
}

/// One owner name's step (see [`Streamer::step`]): the pending RRSIGs
/// whose RRset is in, every pending one when `last`, or one that cannot be
/// decoded (whose verdict needs nothing else) are verified.
#[allow(clippy::too_many_arguments)]
fn step_owner(
    records: &[Record],
    key: u64,
    open: &Open,
    last: bool,
    thin: bool,
    rules: &Rules<'_>,
    prof: Option<&Profile>,
    buf: &mut Vec<u8>,
) -> Step {
    let present = |t: u16| open.rows.iter().any(|&i| records[i as usize].rtype == t);
    let mut due: Vec<u32> = Vec::with_capacity(open.pending.len());
    let mut frozen: SmallVec<[u16; 4]> = SmallVec::new();
    for &i in &open.pending {
        // An RRSIG that cannot be decoded is due at once (malformed).
        let t = canon::parse_rrsig(&records[i as usize].rdata).map(|s| s.type_covered);
        let here = t.is_some_and(present);
        if last || t.is_none() || here {
            due.push(i);
        }
        if let Some(t) = t.filter(|&t| here && !open.frozen.contains(&t) && !frozen.contains(&t)) {
            frozen.push(t);
        }
    }
    let close = last || (open.signed && open.pending.len() == due.len());
    let (verdicts, duplicates) = verify_owner(records, &open.rows, &due, &frozen, &open.frozen, close, rules, prof, buf);
    // Each record is thinned once: the RRSIGs verified now, and the other
    // records of the types frozen now (all not frozen before, at a close).
    let mut thin_rows: Vec<u32> = Vec::new();
    if thin && !last {
        thin_rows.extend(due.iter().copied());
        thin_rows.extend(open.rows.iter().copied().filter(|&i| {
            let t = records[i as usize].rtype;
            t != rrtype::RRSIG && (frozen.contains(&t) || (close && !open.frozen.contains(&t)))
        }));
        thin_rows.sort_unstable();
    }
    Step { key, verdicts, duplicates, verified: due, frozen, thin: thin_rows, close }
}

/// Drops the RDATA no whole-zone check reads from the records `rows`
/// (ascending), in parallel over blocks of the record list.
fn thin_records(records: &mut [Record], rows: &[u32]) {
    const BLOCK: usize = 1 << 14;
    records.par_chunks_mut(BLOCK).enumerate().for_each(|(k, block)| {
        let (lo, hi) = ((k * BLOCK) as u32, ((k + 1) * BLOCK) as u32);
        let from = rows.partition_point(|&r| r < lo);
        for &r in rows[from..].iter().take_while(|&&r| r < hi) {
            thin(&mut block[(r - lo) as usize]);
        }
    });
}

/// Drops what no whole-zone check reads of a verified record's RDATA.
pub(crate) fn thin(r: &mut Record) {
    if r.rtype == rrtype::RRSIG {
        if let Some(sig) = canon::parse_rrsig(&r.rdata) {
            // A new, small allocation: the old one is freed whole, so that
            // the RRSIGs parsed next can reuse it (shrinking in place would
            // leave a hole too small for them).
            let digest = ring::digest::digest(&ring::digest::SHA256, sig.signature);
            let mut v = Vec::with_capacity(sig.header.len() + digest.as_ref().len());
            v.extend_from_slice(sig.header);
            v.extend_from_slice(digest.as_ref());
            r.rdata = v;
        }
    } else if !checks::reads_rdata(r.rtype) {
        r.rdata = Vec::new();
    }
}

/// The runs of records with one owner name (compared without case) in
/// `records[from..]`, as `[a, b)` ranges; without the last run unless
/// `last` (its records may continue in the next part).
fn owner_runs(records: &[Record], from: usize, last: bool) -> Vec<(usize, usize)> {
    let mut starts: Vec<usize> = Vec::new();
    for i in from..records.len() {
        if i == from || !records[i].owner.eq_ignore_case(&records[i - 1].owner) {
            starts.push(i);
        }
    }
    let mut runs: Vec<(usize, usize)> = starts.windows(2).map(|w| (w[0], w[1])).collect();
    if last {
        if let Some(&s) = starts.last() {
            runs.push((s, records.len()));
        }
    }
    runs
}

/// Verifies the RRSIGs `due` among an owner name's records (`rows`,
/// ascending), exactly as the whole-zone path does: RRsets by type, each
/// put in canonical form once; an RRSIG whose type has no RRset at the name
/// is an orphan. Returns the verdicts, and the identical copies in the
/// RRsets whose records are final now: of the types in `freeze`, and with
/// `all` of every type not in `frozen_before` (reported when those froze).
#[allow(clippy::too_many_arguments)]
fn verify_owner(
    records: &[Record],
    rows: &[u32],
    due: &[u32],
    freeze: &[u16],
    frozen_before: &[u16],
    all: bool,
    rules: &Rules<'_>,
    prof: Option<&Profile>,
    buf: &mut Vec<u8>,
) -> (Vec<Verdict>, Vec<(u32, u32)>) {
    // The RRsets as the zone model groups them, identical copies out.
    let mut node = Node::new(records[rows[0] as usize].owner.clone());
    for &i in rows.iter().filter(|&&i| records[i as usize].rtype != rrtype::RRSIG) {
        node.add_record(i, records[i as usize].rtype);
    }
    // Reported once, when an RRset is final: frozen now, or at the name's
    // close (a type frozen earlier was reported then).
    let dups: Vec<(u32, u32)> = node
        .take_identical_copies(records)
        .into_iter()
        .filter(|&(c, _)| {
            let t = records[c as usize].rtype;
            freeze.contains(&t) || (all && !frozen_before.contains(&t))
        })
        .collect();
    let sets = &node.rrsets;
    let mut canon_of: SmallVec<[Option<Vec<Vec<u8>>>; 4]> = sets.iter().map(|_| None).collect();
    let mut out: Vec<Verdict> = Vec::with_capacity(due.len());
    for &i in due {
        let r = &records[i as usize];
        let sig = canon::parse_rrsig(&r.rdata);
        let set = sig.as_ref().and_then(|s| sets.iter().position(|x| x.rtype == s.type_covered));
        let (class, canon): (Option<u16>, &[Vec<u8>]) = match set {
            None => (None, &[]),
            Some(k) => {
                if canon_of[k].is_none() {
                    let t = Profile::start(prof);
                    canon_of[k] = Some(sets[k].canonical_rdatas(records));
                    Profile::add_canon(prof, t);
                }
                (Some(records[sets[k].records[0] as usize].class), canon_of[k].as_deref().unwrap_or(&[]))
            }
        };
        let (st, why) = rules.check(&r.owner, sig.as_ref(), class, canon, buf);
        out.push((i, st, why));
    }
    (out, dups)
}

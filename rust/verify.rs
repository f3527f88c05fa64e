//! The zone model and the verification of every RRSIG.
//!
//! Records are grouped into RRsets by (owner, type), owner compared without
//! regard to case (RFC 4343: the real 2017 root zone writes DS owners in
//! upper case next to lower-case NS owners). Every RRSIG gets exactly one
//! [`Status`]; all of them are checked, not "one good signature per RRset"
//! (DESIGN.md principle 2).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use crate::canon::{self, Rrsig};
use crate::crypto::{self, KeyError};
use crate::error::CoreError;
use crate::name::Name;
use crate::record::Record;
use crate::rrtype;
use crate::serial::{self, Window};
use crate::zone::{Rrset, Zone};
use crate::zonefile::{self, ParseOptions, ParsedZone};

/// The verdict on one RRSIG. Mirrored in Python as `zoneverify.Status`
/// (an `IntEnum`; a test checks that the two agree).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// The signature verifies with an apex DNSKEY and `now` is inside its
    /// validity window.
    Valid = 0,
    /// Every candidate key was usable and none verifies the signature.
    BadSignature = 1,
    /// No apex DNSKEY has the RRSIG's algorithm and key tag, the Zone Key
    /// flag and protocol 3 (RFC 4035 §5.3.1).
    NoMatchingKey = 2,
    /// The algorithm is one we do not verify (RFC 8624 lists; never "valid").
    UnsupportedAlgorithm = 3,
    /// The algorithm is supported but the key is not (RSA below 1024 bits, ...).
    UnsupportedKey = 4,
    /// The signature verifies but `now` is after Signature Expiration.
    Expired = 5,
    /// The signature verifies but `now` is before Signature Inception.
    NotYetValid = 6,
    /// The Signer's Name is not the zone apex (RFC 4035 §5.3.1).
    SignerNotApex = 7,
    /// The Labels field exceeds the owner's label count (RFC 4035 §5.3.1).
    LabelsTooLarge = 8,
    /// No RRset of the covered type exists at the RRSIG's owner.
    Orphan = 9,
    /// The RRSIG RDATA cannot be decoded.
    Malformed = 10,
    /// Per-RRset verdicts of the batch API only: the RRset has no RRSIG.
    /// (A zone report has one row per RRSIG, so it never shows this; an
    /// unsigned RRset in a zone is the `no-rrsig` finding.)
    NoRrsig = 11,
    /// Per-RRset verdicts of the batch API only: the RRset has no RRSIG and
    /// must not have one: a delegation point's NS RRset, glue, or data
    /// below a zone cut or a DNAME of the batch (RFC 4035 §2.2). It does
    /// not make a batch fail.
    NotAuthoritative = 12,
}

impl Status {
    pub const ALL: [Status; 13] = [
        Status::Valid,
        Status::BadSignature,
        Status::NoMatchingKey,
        Status::UnsupportedAlgorithm,
        Status::UnsupportedKey,
        Status::Expired,
        Status::NotYetValid,
        Status::SignerNotApex,
        Status::LabelsTooLarge,
        Status::Orphan,
        Status::Malformed,
        Status::NoRrsig,
        Status::NotAuthoritative,
    ];

    /// Stable code used in findings, JSON and the README.
    pub fn code(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::BadSignature => "bad-signature",
            Status::NoMatchingKey => "no-matching-key",
            Status::UnsupportedAlgorithm => "unsupported-algorithm",
            Status::UnsupportedKey => "unsupported-key",
            Status::Expired => "expired",
            Status::NotYetValid => "not-yet-valid",
            Status::SignerNotApex => "signer-not-apex",
            Status::LabelsTooLarge => "labels-too-large",
            Status::Orphan => "orphan-rrsig",
            Status::Malformed => "malformed",
            Status::NoRrsig => "no-rrsig",
            Status::NotAuthoritative => "not-authoritative",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Status::Valid => "VALID",
            Status::BadSignature => "BAD_SIGNATURE",
            Status::NoMatchingKey => "NO_MATCHING_KEY",
            Status::UnsupportedAlgorithm => "UNSUPPORTED_ALGORITHM",
            Status::UnsupportedKey => "UNSUPPORTED_KEY",
            Status::Expired => "EXPIRED",
            Status::NotYetValid => "NOT_YET_VALID",
            Status::SignerNotApex => "SIGNER_NOT_APEX",
            Status::LabelsTooLarge => "LABELS_TOO_LARGE",
            Status::Orphan => "ORPHAN",
            Status::Malformed => "MALFORMED",
            Status::NoRrsig => "NO_RRSIG",
            Status::NotAuthoritative => "NOT_AUTHORITATIVE",
        }
    }

    /// Unsupported statuses say "could not be checked", not "bad".
    pub fn is_unsupported(self) -> bool {
        matches!(self, Status::UnsupportedAlgorithm | Status::UnsupportedKey)
    }
}

/// How to verify.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// Verification time, seconds since 1970 (RRSIG windows are compared in
    /// RFC 1982 serial arithmetic against it).
    pub now: u64,
    /// Worker threads; `None` means one per core.
    pub threads: Option<usize>,
    /// What the zone-level checks require.
    pub policy: crate::zone::Policy,
    /// Measure CPU time per phase inside the verification (for `zoneverify
    /// bench`): about 50 ns per RRset and per signature.
    pub profile: bool,
}

/// CPU time inside the verification phase, summed over worker threads.
pub struct Profile {
    canon_ns: AtomicU64,
    crypto_ns: [AtomicU64; 256],
    crypto_n: [AtomicU64; 256],
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            canon_ns: AtomicU64::new(0),
            crypto_ns: std::array::from_fn(|_| AtomicU64::new(0)),
            crypto_n: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }
}

impl Profile {
    /// The start of a timed span; no clock is read when not profiling.
    fn start(prof: Option<&Profile>) -> Option<Instant> {
        prof.map(|_| Instant::now())
    }
    fn add_canon(prof: Option<&Profile>, t: Option<Instant>) {
        if let (Some(p), Some(t)) = (prof, t) {
            p.canon_ns.fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
        }
    }
    fn add_crypto(prof: Option<&Profile>, alg: u8, t: Option<Instant>) {
        if let (Some(p), Some(t)) = (prof, t) {
            p.crypto_ns[alg as usize].fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
            p.crypto_n[alg as usize].fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Wall-clock seconds per phase.
#[derive(Clone, Debug, Default)]
pub struct Timings {
    pub read: f64,
    pub parse: f64,
    pub model: f64,
    pub verify: f64,
    pub checks: f64,
    /// With `VerifyOptions::profile`: CPU seconds (all threads) spent
    /// putting RRsets in canonical form and building the signed data.
    pub canonicalise_cpu: f64,
    /// With `VerifyOptions::profile`: per algorithm, the signature
    /// verifications run (hashing included: the crypto libraries hash
    /// inside their verify call) and their CPU seconds (all threads).
    pub crypto: Vec<(u8, u64, f64)>,
}

/// One row per RRSIG: its fields (zero where the RDATA cannot be decoded),
/// its [`Status`], and the reason of every row that is not valid. Shared by
/// the zone [`Report`] and the batch API's outcome.
#[derive(Clone, Debug, Default)]
pub struct RrsigColumns {
    pub type_covered: Vec<u16>,
    pub algorithm: Vec<u8>,
    pub key_tag: Vec<u16>,
    pub inception: Vec<u32>,
    pub expiration: Vec<u32>,
    pub status: Vec<u8>,
    /// (row, reason) for every row whose status is not `Valid`, row order.
    pub reasons: Vec<(u32, String)>,
}

impl RrsigColumns {
    pub fn with_capacity(n: usize) -> RrsigColumns {
        RrsigColumns {
            type_covered: Vec::with_capacity(n),
            algorithm: Vec::with_capacity(n),
            key_tag: Vec::with_capacity(n),
            inception: Vec::with_capacity(n),
            expiration: Vec::with_capacity(n),
            status: Vec::with_capacity(n),
            reasons: Vec::new(),
        }
    }

    /// Appends one row.
    pub fn push(&mut self, sig: Option<&Rrsig<'_>>, st: Status, why: Option<String>) {
        let row = self.status.len() as u32;
        self.type_covered.push(sig.map_or(0, |s| s.type_covered));
        self.algorithm.push(sig.map_or(0, |s| s.algorithm));
        self.key_tag.push(sig.map_or(0, |s| s.key_tag));
        self.inception.push(sig.map_or(0, |s| s.inception));
        self.expiration.push(sig.map_or(0, |s| s.expiration));
        self.status.push(st as u8);
        if st != Status::Valid {
            self.reasons.push((row, why.unwrap_or_default()));
        }
    }

    pub fn len(&self) -> usize {
        self.status.len()
    }

    pub fn is_empty(&self) -> bool {
        self.status.is_empty()
    }
}

/// The per-RRSIG result columns (one row per RRSIG, in zone file order)
/// and what is needed to present them.
#[derive(Debug, Default)]
pub struct Report {
    pub apex: Option<Name>,
    /// Owner names (case as first written); `owner` indexes this.
    pub names: Vec<Name>,
    pub owner: Vec<u32>,
    pub line: Vec<u32>,
    pub file: Vec<u32>,
    pub rrsigs: RrsigColumns,
    pub files: Vec<String>,
    /// Zone-level findings, in zone order (file, line).
    pub findings: Vec<crate::zone::Finding>,
    /// Report rows whose failure policy downgrades to a warning.
    pub downgraded: Vec<u32>,
    /// Whether the zone-level checks ran (`Policy::zone_checks`).
    pub zone_checks: bool,
    pub records: usize,
    pub threads: usize,
    pub now: u64,
    pub timings: Timings,
}

/// Reads, parses and verifies a zone file.
pub fn verify_file(
    path: &std::path::Path,
    popts: &ParseOptions,
    vopts: &VerifyOptions,
) -> Result<Report, CoreError> {
    // A large file is read in parts while the parts before are parsed, and
    // is never in memory whole; `read` is the time before parsing started.
    let pool = thread_pool(vopts.threads)?;
    let t0 = Instant::now();
    let (zone, read) = pool.install(|| zonefile::parse_file(path, popts))?;
    let parse = t0.elapsed().as_secs_f64() - read;
    let mut r = verify_on(&zone, vopts, &pool)?;
    r.timings.read = read;
    r.timings.parse = parse;
    Ok(r)
}

/// Parses and verifies zone text; `filename` is used in messages.
pub fn verify_text(
    text: &[u8],
    filename: &str,
    popts: &ParseOptions,
    vopts: &VerifyOptions,
) -> Result<Report, CoreError> {
    let pool = thread_pool(vopts.threads)?;
    let t0 = Instant::now();
    let zone = pool.install(|| zonefile::parse_zone(text, filename, popts))?;
    let parse = t0.elapsed().as_secs_f64();
    let mut r = verify_on(&zone, vopts, &pool)?;
    r.timings.parse = parse;
    Ok(r)
}

/// The worker pool: `threads` workers, one per core when `None`; zero is a
/// usage error.
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, CoreError> {
    build_pool(worker_count(threads)?)
}

/// `threads`, or one per core when `None`; zero is a usage error.
fn worker_count(threads: Option<usize>) -> Result<usize, CoreError> {
    match threads {
        Some(0) => Err(CoreError::Usage("jobs must be at least 1".into())),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)),
    }
}

fn build_pool(n: usize) -> Result<rayon::ThreadPool, CoreError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("zoneverify-{i}"))
        .build()
        .map_err(|e| CoreError::Usage(format!("cannot start {n} threads: {e}")))
}

/// A worker pool of a fixed size whose threads start on first use, so that
/// a verifier that only ever sees small batches (run on the calling thread)
/// never starts any. Shareable across threads.
pub struct LazyPool {
    threads: usize,
    pool: std::sync::OnceLock<Result<rayon::ThreadPool, String>>,
}

impl LazyPool {
    pub fn new(threads: Option<usize>) -> Result<LazyPool, CoreError> {
        Ok(LazyPool { threads: worker_count(threads)?, pool: std::sync::OnceLock::new() })
    }

    /// The number of workers (whether or not they have started).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The pool, started on the first call.
    pub fn get(&self) -> Result<&rayon::ThreadPool, CoreError> {
        self.pool
            .get_or_init(|| build_pool(self.threads).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| CoreError::Usage(e.clone()))
    }
}

/// The RRSIG records of a zone, in zone order: their record indices, each
/// RRSIG parsed once (`None`: RDATA that cannot be decoded), and the type
/// each covers (0 when undecodable). Parallel, on the current rayon pool.
fn rrsig_rows(records: &[Record]) -> (Vec<u32>, Vec<Option<Rrsig<'_>>>, Vec<u16>) {
    let (rrsig_record, sigs): (Vec<u32>, Vec<Option<Rrsig<'_>>>) = records
        .par_iter()
        .enumerate()
        .filter(|(_, r)| r.rtype == rrtype::RRSIG)
        .map(|(i, r)| (i as u32, canon::parse_rrsig(&r.rdata)))
        .unzip();
    let covered = sigs.iter().map(|s| s.as_ref().map_or(0, |s| s.type_covered)).collect();
    (rrsig_record, sigs, covered)
}

/// The RDATAs of an RRset in canonical form and order, duplicates removed.
fn canonical_rdatas(s: &Rrset, records: &[Record]) -> Vec<Vec<u8>> {
    canon::sorted_canonical_rdatas(s.rtype, s.records.iter().map(|&i| &records[i as usize].rdata[..]))
}

/// The zone apex: the origin given, else the owner of the SOA record.
fn zone_apex(zone: &ParsedZone) -> Result<Name, CoreError> {
    let records = &zone.records;
    let file = zone.files.first().map(String::as_str).unwrap_or("<zone>");
    if records.is_empty() {
        return Err(CoreError::parse(file, 0, 0, "the zone has no records"));
    }
    let apex = match &zone.origin {
        Some(o) => Some(o.clone()),
        None => records.iter().find(|r| r.rtype == rrtype::SOA).map(|r| r.owner.clone()),
    };
    match apex {
        Some(a) => Ok(a),
        None if records.iter().any(|r| r.rtype == rrtype::RRSIG) => Err(CoreError::Usage(format!(
            "{file}: cannot tell the zone apex: no SOA record and no origin given"
        ))),
        // No SOA and no RRSIG: nothing to verify.
        None => Ok(Name::root()),
    }
}

/// Report rows of the RRSIGs that cover no RRset at their owner.
fn orphan_rows(model: &Zone<'_>) -> Vec<u32> {
    let mut orphans = Vec::new();
    for node in &model.nodes {
        orphans.extend(node.rrsigs.iter().filter(|&&row| !node.rrsets.iter().any(|s| s.rrsigs.contains(&row))));
    }
    orphans
}

/// Work groups: each RRset with its RRSIGs (canonicalised once), and each
/// orphan RRSIG on its own.
fn work_groups<'m>(model: &'m Zone<'_>, orphans: &'m [u32]) -> Vec<(Option<&'m Rrset>, &'m [u32])> {
    let mut groups: Vec<(Option<&Rrset>, &[u32])> = Vec::new();
    for node in &model.nodes {
        for s in &node.rrsets {
            if !s.rrsigs.is_empty() {
                groups.push((Some(s), &s.rrsigs[..]));
            }
        }
    }
    groups.extend(orphans.iter().map(|r| (None, std::slice::from_ref(r))));
    groups
}

/// The canonicalisation phase alone (for the phase benchmarks): builds the
/// zone model, then, in parallel as [`verify_parsed`] does, the canonical
/// form of every signed RRset and the signed data of every RRSIG, without
/// verifying anything. Returns (RRSIGs prepared, octets of signed data).
pub fn canonicalise_parsed(zone: &ParsedZone, threads: Option<usize>) -> Result<(usize, usize), CoreError> {
    let records = &zone.records;
    let apex = zone_apex(zone)?;
    let (rrsig_record, sigs, covered) = rrsig_rows(records);
    let model = Zone::build(apex, records, &rrsig_record, &covered, 0);
    let orphans = orphan_rows(&model);
    let groups = work_groups(&model, &orphans);
    let pool = thread_pool(threads)?;
    let (n, bytes) = pool.install(|| {
        groups
            .par_iter()
            .map_init(
                || Vec::with_capacity(4096),
                |buf, &(rrset, rows)| {
                    let Some(s) = rrset else { return (0usize, 0usize) };
                    let canon = canonical_rdatas(s, records);
                    let first = &records[s.records[0] as usize];
                    let (mut n, mut b) = (0, 0);
                    for &row in rows {
                        if let Some(sig) = &sigs[row as usize] {
                            canon::signed_data(buf, sig, &first.owner, first.class, &canon);
                            n += 1;
                            b += buf.len();
                        }
                    }
                    (n, b)
                },
            )
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    Ok((n, bytes))
}

/// Verifies every RRSIG of a parsed zone, then runs the zone-level checks.
///
/// The zone model ([`Zone`]) is built once: it groups the RRsets, parses
/// the apex DNSKEYs once, and serves both the signature work and the checks.
pub fn verify_parsed(zone: ParsedZone, vopts: &VerifyOptions) -> Result<Report, CoreError> {
    verify_parsed_ref(&zone, vopts)
}

/// [`verify_parsed`] on a borrowed zone (the phase benchmarks verify one
/// parsed zone many times).
pub fn verify_parsed_ref(zone: &ParsedZone, vopts: &VerifyOptions) -> Result<Report, CoreError> {
    verify_on(zone, vopts, &thread_pool(vopts.threads)?)
}

/// [`verify_parsed_ref`] on a pool the caller already has (the one that
/// parsed the zone).
fn verify_on(zone: &ParsedZone, vopts: &VerifyOptions, pool: &rayon::ThreadPool) -> Result<Report, CoreError> {
    let t0 = Instant::now();
    let threads = pool.current_num_threads();
    let records = &zone.records;
    let apex = zone_apex(zone)?;

    // One report row per RRSIG record, zone order; each RRSIG parsed once.
    let (rrsig_record, sigs, covered) = pool.install(|| rrsig_rows(records));
    let mut model = pool.install(|| Zone::build(apex.clone(), records, &rrsig_record, &covered, vopts.now));

    let keys = Keys::new(model.keys.iter().map(|k| &k.key));

    // Owner-name table in order of first appearance among the RRSIG rows.
    let mut names: Vec<Name> = Vec::new();
    let mut name_of_node = vec![u32::MAX; model.nodes.len()];
    let mut owner_col = Vec::with_capacity(rrsig_record.len());
    for &node in &model.rrsig_node {
        let slot = &mut name_of_node[node as usize];
        if *slot == u32::MAX {
            names.push(model.nodes[node as usize].name.clone());
            *slot = (names.len() - 1) as u32;
        }
        owner_col.push(*slot);
    }

    // Work groups: each RRset with its RRSIGs (canonicalised once), and each
    // RRSIG that covers no RRset on its own.
    let orphans = orphan_rows(&model);
    let groups = work_groups(&model, &orphans);
    let model_time = t0.elapsed().as_secs_f64();

    let t1 = Instant::now();
    let profile = Profile::default();
    let prof = if vopts.profile { Some(&profile) } else { None };
    let ctx = Ctx { records, keys: &keys, apex: &apex, now: vopts.now, prof };
    let results: Vec<Vec<(u32, Status, Option<String>)>> = pool.install(|| {
        groups
            .par_iter()
            .map_init(
                || (Vec::with_capacity(4096), Vec::new()),
                |(buf, canon_buf), &(rrset, rows)| {
                    // Canonical RDATAs of the covered RRset, once per RRset.
                    let t = Profile::start(prof);
                    canon_buf.clear();
                    if let Some(s) = rrset {
                        *canon_buf = canonical_rdatas(s, records);
                    }
                    Profile::add_canon(prof, t);
                    rows.iter()
                        .map(|&row| {
                            let rec = &records[rrsig_record[row as usize] as usize];
                            let (st, why) = ctx.check(rec, sigs[row as usize].as_ref(), rrset, canon_buf, buf);
                            (row, st, why)
                        })
                        .collect()
                },
            )
            .collect()
    });
    let verify = t1.elapsed().as_secs_f64();

    // Columns in zone order.
    // Every row is reached by exactly one work group; a row that were not
    // would stay "not verified", never valid (DESIGN.md principle 1).
    let mut verdicts: Vec<Option<(Status, Option<String>)>> = vec![None; rrsig_record.len()];
    for v in results {
        for (row, st, why) in v {
            verdicts[row as usize] = Some((st, why));
        }
    }
    let mut cols = RrsigColumns::with_capacity(verdicts.len());
    for (sig, verdict) in sigs.iter().zip(verdicts) {
        let (st, why) = verdict.unwrap_or_else(|| (Status::Malformed, Some("internal error: this RRSIG was not verified".into())));
        cols.push(sig.as_ref(), st, why);
    }
    let status = std::mem::take(&mut cols.status);
    let mut rep = Report {
        apex: Some(apex),
        names,
        owner: owner_col,
        rrsigs: cols,
        files: zone.files.clone(),
        records: records.len(),
        threads,
        now: vopts.now,
        ..Default::default()
    };
    rep.line = rrsig_record.iter().map(|&i| records[i as usize].line).collect();
    rep.file = rrsig_record.iter().map(|&i| records[i as usize].file).collect();
    rep.timings.model = model_time;
    rep.timings.verify = verify;
    if vopts.profile {
        rep.timings.canonicalise_cpu = profile.canon_ns.load(Ordering::Relaxed) as f64 * 1e-9;
        for a in 0..256usize {
            let n = profile.crypto_n[a].load(Ordering::Relaxed);
            if n > 0 {
                rep.timings.crypto.push((a as u8, n, profile.crypto_ns[a].load(Ordering::Relaxed) as f64 * 1e-9));
            }
        }
    }

    // Zone-level checks over the same model, with every RRSIG's verdict known.
    let t2 = Instant::now();
    model.rrsig_status = status;
    let outcome = if vopts.policy.zone_checks {
        pool.install(|| crate::checks::run(&model, &vopts.policy))
    } else {
        crate::checks::Outcome { findings: Vec::new(), downgraded: Vec::new() }
    };
    rep.rrsigs.status = std::mem::take(&mut model.rrsig_status);
    let mut findings = outcome.findings;
    findings.sort_by_key(|f| (f.line == 0, f.file, f.line));
    rep.findings = findings;
    rep.downgraded = outcome.downgraded;
    rep.zone_checks = vopts.policy.zone_checks;
    rep.timings.checks = t2.elapsed().as_secs_f64();
    Ok(rep)
}

struct Ctx<'a> {
    records: &'a [Record],
    keys: &'a Keys<'a>,
    apex: &'a Name,
    now: u64,
    prof: Option<&'a Profile>,
}

impl Ctx<'_> {
    /// The status of one RRSIG, and the reason when it is not valid.
    fn check(
        &self,
        rec: &Record,
        sig: Option<&Rrsig<'_>>,
        rrset: Option<&Rrset>,
        canon_rdatas: &[Vec<u8>],
        buf: &mut Vec<u8>,
    ) -> (Status, Option<String>) {
        let Some(sig) = sig else {
            return (Status::Malformed, Some("RRSIG RDATA cannot be decoded".into()));
        };
        let tname = rrtype::to_mnemonic(sig.type_covered);
        let Some(rrset) = rrset else {
            return (
                Status::Orphan,
                Some(format!("covers {tname}, but there is no {tname} RRset at {}", rec.owner)),
            );
        };
        // RFC 4035 §5.3.1: the Signer's Name must be the zone containing the
        // RRset, i.e. the apex for every RRSIG in a zone file.
        if !sig.signer.eq_ignore_case(self.apex) {
            return (
                Status::SignerNotApex,
                Some(format!("signer name {} is not the zone apex {}", sig.signer, self.apex)),
            );
        }
        // RFC 4035 §5.3.1: the Labels field must be <= the owner's labels.
        let owner_labels = rec.owner.rrsig_labels();
        if sig.labels as usize > owner_labels {
            return (
                Status::LabelsTooLarge,
                Some(format!(
                    "labels field {} is larger than the {} labels of the owner",
                    sig.labels, owner_labels
                )),
            );
        }
        let first = &self.records[rrset.records[0] as usize];
        self.check_crypto(sig, first, canon_rdatas, buf)
    }

    fn check_crypto(
        &self,
        sig: &Rrsig<'_>,
        first: &Record,
        canon_rdatas: &[Vec<u8>],
        buf: &mut Vec<u8>,
    ) -> (Status, Option<String>) {
        let prof = self.prof;
        crypto_verdict(self.keys, sig, self.now, prof, || {
            let t = Profile::start(prof);
            canon::signed_data(buf, sig, &first.owner, first.class, canon_rdatas);
            Profile::add_canon(prof, t);
            &buf[..]
        })
    }
}

/// The DNSKEYs an RRSIG may name, each parsed once, indexed by (algorithm,
/// key tag).
pub struct Keys<'a> {
    keys: Vec<&'a crypto::Dnskey>,
    by_tag: HashMap<(u8, u16), Vec<u32>>,
}

impl<'a> Keys<'a> {
    pub fn new<I: IntoIterator<Item = &'a crypto::Dnskey>>(keys: I) -> Keys<'a> {
        let keys: Vec<&crypto::Dnskey> = keys.into_iter().collect();
        let mut by_tag: HashMap<(u8, u16), Vec<u32>> = HashMap::new();
        for (i, k) in keys.iter().enumerate() {
            by_tag.entry((k.algorithm, k.key_tag)).or_default().push(i as u32);
        }
        Keys { keys, by_tag }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&'a crypto::Dnskey> {
        self.keys.get(i).copied()
    }

    /// Indices of the keys with this algorithm and key tag.
    pub fn candidates(&self, algorithm: u8, key_tag: u16) -> &[u32] {
        self.by_tag.get(&(algorithm, key_tag)).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// The status of an RRSIG whose signer, owner and labels have been checked:
/// tries every candidate key (RFC 4035 §5.3.1: same algorithm and key tag,
/// Zone Key flag, protocol 3; RFC 5011 §2.1: a revoked key only for the
/// DNSKEY RRset), then compares `now` with the validity window. `data`
/// builds the signed data the first time a usable key needs it.
pub fn crypto_verdict<'d>(
    keys: &Keys<'_>,
    sig: &Rrsig<'_>,
    now: u64,
    prof: Option<&Profile>,
    data: impl FnOnce() -> &'d [u8],
) -> (Status, Option<String>) {
    crypto_verdict_among(keys, keys.candidates(sig.algorithm, sig.key_tag), sig, now, prof, data)
}

/// [`crypto_verdict`] over an explicit list of candidate key indices.
pub fn crypto_verdict_among<'d>(
    keys: &Keys<'_>,
    cands: &[u32],
    sig: &Rrsig<'_>,
    now: u64,
    prof: Option<&Profile>,
    data: impl FnOnce() -> &'d [u8],
) -> (Status, Option<String>) {
    let alg = sig.algorithm;
    let tag = sig.key_tag;
    let algname = crypto::algorithm_name(alg);
    let mut usable = 0usize;
    let mut rejected: Option<String> = None;
    let mut unsupported: Option<(Status, String)> = None;
    let mut data = Some(data);
    let mut signed: &[u8] = &[];
    for &k in cands {
        let Some(key) = keys.get(k as usize) else { continue };
        if key.algorithm != alg || key.key_tag != tag {
            rejected = Some(format!(
                "DNSKEY {} ({}) is not the key the RRSIG names (key tag {tag}, {algname})",
                key.key_tag,
                crypto::algorithm_name(key.algorithm)
            ));
            continue;
        }
        if !key.is_zone_key() {
            rejected = Some(format!("DNSKEY {tag} does not have the Zone Key flag (flags {})", key.flags));
            continue;
        }
        if key.protocol != 3 {
            rejected = Some(format!("DNSKEY {tag} has protocol {}, not 3", key.protocol));
            continue;
        }
        // RFC 5011 §2.1: a revoked key may only be used to validate the
        // RRSIG it made over the DNSKEY RRset.
        if key.is_revoked() && sig.type_covered != rrtype::DNSKEY {
            rejected = Some(format!(
                "DNSKEY {tag} has the REVOKE flag: it may sign only the DNSKEY RRset (RFC 5011 §2.1)"
            ));
            continue;
        }
        let pk = match &key.key {
            Ok(pk) => pk,
            Err(KeyError::UnsupportedAlgorithm(a)) => {
                unsupported = Some((
                    Status::UnsupportedAlgorithm,
                    format!("algorithm {a} ({}) is not supported: this RRSIG was not verified", crypto::algorithm_name(*a)),
                ));
                continue;
            }
            Err(KeyError::UnsupportedKey(why)) => {
                unsupported = Some((
                    Status::UnsupportedKey,
                    format!("DNSKEY {tag} ({algname}): {why}; this RRSIG was not verified"),
                ));
                continue;
            }
            Err(KeyError::Malformed(why)) => {
                rejected = Some(format!("DNSKEY {tag} ({algname}) is malformed: {why}"));
                continue;
            }
        };
        usable += 1;
        if let Some(build) = data.take() {
            signed = build();
        }
        let t = Profile::start(prof);
        let good = pk.verify(signed, sig.signature);
        Profile::add_crypto(prof, alg, t);
        if good {
            return match serial::window(sig.inception, sig.expiration, now) {
                Window::Valid => (Status::Valid, None),
                Window::Expired => (
                    Status::Expired,
                    Some(format!(
                        "expired at {} (verification time {})",
                        serial::format_rrsig_time(sig.expiration, now),
                        serial::format_rrsig_time(now as u32, now)
                    )),
                ),
                Window::NotYetValid => (
                    Status::NotYetValid,
                    Some(format!(
                        "not valid before {} (verification time {})",
                        serial::format_rrsig_time(sig.inception, now),
                        serial::format_rrsig_time(now as u32, now)
                    )),
                ),
            };
        }
    }
    if usable > 0 {
        let with = if usable == 1 {
            format!("DNSKEY {tag} ({algname})")
        } else {
            format!("any of the {usable} DNSKEYs with key tag {tag} ({algname})")
        };
        return (Status::BadSignature, Some(format!("signature does not verify with {with}")));
    }
    if let Some((st, why)) = unsupported {
        return (st, Some(why));
    }
    (
        Status::NoMatchingKey,
        Some(rejected.unwrap_or_else(|| format!("no apex DNSKEY with algorithm {alg} ({algname}) and key tag {tag}"))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_are_distinct_and_dense() {
        for (i, s) in Status::ALL.iter().enumerate() {
            assert_eq!(*s as u8 as usize, i);
        }
        let mut codes: Vec<&str> = Status::ALL.iter().map(|s| s.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Status::ALL.len());
    }
}

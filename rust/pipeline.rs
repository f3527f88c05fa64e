//! The zone model and the verification of every RRSIG.
//!
//! Records are grouped into RRsets by (owner, type), owner compared without
//! regard to case (RFC 4343: the real 2017 root zone writes DS owners in
//! upper case next to lower-case NS owners). Every RRSIG gets exactly one
//! [`Status`]; all of them are checked, not "one good signature per RRset"
//! (DESIGN.md principle 2).

use std::time::Instant;

use rayon::prelude::*;

use crate::checks::{self, policy::Policy};
use crate::dns::canon::{self, Rrsig};
use crate::dns::name::Name;
use crate::dns::record::Record;
use crate::dns::rrtype;
use crate::error::CoreError;
use crate::model::zone::{Rrset, Zone};
use crate::parse::zonefile::{self, ParseOptions, ParsedZone};
use crate::pool::thread_pool;
use crate::report::Report;
use crate::sig::columns::RrsigColumns;
use crate::sig::keys::Keys;
use crate::sig::profile::Profile;
use crate::sig::rules::Rules;
use crate::sig::Status;


/// How to verify.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// Verification time, seconds since 1970 (RRSIG windows are compared in
    /// RFC 1982 serial arithmetic against it).
    pub now: u64,
    /// Worker threads; `None` means one per core.
    pub threads: Option<usize>,
    /// What the zone-level checks require.
    pub policy: Policy,
    /// Measure CPU time per phase inside the verification (for `zoneverify
    /// bench`): about 50 ns per RRset and per signature.
    pub profile: bool,
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
    let rules = Rules { keys: &keys, apex: &apex, now: vopts.now, prof };
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
                            let covered = rrset.map(|s| records[s.records[0] as usize].class);
                            let (st, why) = rules.check(&rec.owner, sigs[row as usize].as_ref(), covered, canon_buf, buf);
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
        rep.timings.canonicalise_cpu = profile.canonicalise_seconds();
        rep.timings.crypto = profile.crypto();
    }

    // Zone-level checks over the same model, with every RRSIG's verdict known.
    let t2 = Instant::now();
    model.rrsig_status = status;
    let outcome = if vopts.policy.zone_checks {
        pool.install(|| checks::run(&model, &vopts.policy))
    } else {
        checks::Outcome { findings: Vec::new(), downgraded: Vec::new() }
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


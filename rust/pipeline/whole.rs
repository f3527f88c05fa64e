//! The whole-zone path: every RRSIG verified over the zone model, once the
//! whole zone is parsed and modelled. It takes any record order, and it is
//! the reference the streaming stage is tested against (`whole_zone` in
//! [`super::VerifyOptions`]).

use rayon::prelude::*;

use crate::dns::canon::{self, Rrsig};
use crate::model::zone::{Rrset, Zone};
use crate::progress::{self, Progress};
use crate::sig::profile::Profile;
use crate::sig::rules::Rules;
use crate::sig::Status;

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

/// The verdict of every report row (`sigs[row]`: its RRSIG parsed), in
/// parallel on the current rayon pool (in batches, counted, with
/// `progress`; a cancelled run stops between two). A row no work group
/// reached would stay `None`: the caller makes it "not verified", never
/// valid.
pub fn verify(
    model: &Zone<'_>,
    sigs: &[Option<Rrsig<'_>>],
    rules: &Rules<'_>,
    prof: Option<&Profile>,
    progress: Option<&Progress>,
) -> Vec<Option<(Status, Option<String>)>> {
    let records = model.records;
    let orphans = orphan_rows(model);
    let groups = work_groups(model, &orphans);
    let results: Vec<Vec<(u32, Status, Option<String>)>> = progress::in_batches(progress, &groups, |v: &Vec<_>| v.len() as u64, |groups| {
        groups
            .par_iter()
            .map_init(
                || (Vec::with_capacity(4096), Vec::new()),
                |(buf, canon_buf), &(rrset, rows)| {
                    // Canonical RDATAs of the covered RRset, once per RRset.
                    let t = Profile::start(prof);
                    canon_buf.clear();
                    if let Some(s) = rrset {
                        *canon_buf = s.canonical_rdatas(records);
                    }
                    Profile::add_canon(prof, t);
                    rows.iter()
                        .map(|&row| {
                            let rec = model.rrsig(row);
                            let covered = rrset.map(|s| records[s.records[0] as usize].class);
                            let (st, why) = rules.check(&rec.owner, sigs[row as usize].as_ref(), covered, canon_buf, buf);
                            (row, st, why)
                        })
                        .collect()
                },
            )
            .collect()
    });
    let mut verdicts: Vec<Option<(Status, Option<String>)>> = vec![None; sigs.len()];
    for v in results {
        for (row, st, why) in v {
            verdicts[row as usize] = Some((st, why));
        }
    }
    verdicts
}

/// The canonicalisation alone (the phase benchmarks): the canonical form
/// of every signed RRset and the signed data of every RRSIG, in parallel,
/// without verifying. Returns (RRSIGs prepared, octets of signed data).
pub fn canonicalise(model: &Zone<'_>, sigs: &[Option<Rrsig<'_>>]) -> (usize, usize) {
    let records = model.records;
    let orphans = orphan_rows(model);
    let groups = work_groups(model, &orphans);
    groups
        .par_iter()
        .map_init(
            || Vec::with_capacity(4096),
            |buf, &(rrset, rows)| {
                let Some(s) = rrset else { return (0usize, 0usize) };
                let canon = s.canonical_rdatas(records);
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
}

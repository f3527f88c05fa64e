//! The final run of a split zone in parts: each worker parses, verifies
//! and checks name by name its own byte range of the file, and the client
//! joins what they kept and runs the zone-wide checks once.
//!
//! ```text
//! client: split::points (cut points), split::apex_run (the apex's first
//!         run, from the file's first part)
//!   └─► workers: scan_range per range (newlines, $ORIGIN/$TTL lines)
//!   └─► client: plan_ranges (each range's first line, $ORIGIN, $TTL)
//!   └─► workers, one task per range: check (the range parsed alone, as
//!         the whole file's parse would parse it there; the streaming
//!         stage with the checks by name, NameChecks, started from the
//!         apex run; its Part, and where $ORIGIN and $TTL stand at its end;
//!         its NSEC3 summary and subtree hashes split by hash range, the
//!         shares kept on the worker)
//!   └─► workers, one task per hash range: check_shard (every part's share
//!         of it: the NSEC3 chain within it, no subtree in two parts)
//!   └─► client: join (denial::stitch of the hash ranges; Part::join: the
//!         parts in order, and the conditions under which they are what
//!         one stream over the file would have kept), then Part::finish
//!         (the zone-wide checks) and the report
//! ```
//!
//! Why the report is the single machine's: a range is parsed exactly as
//! the whole file is, or not at all (its first line's number and the
//! directives' state come from the scans of the ranges before it; a record
//! that inherits a TTL or class from before the range, or a directive
//! other than `$ORIGIN` and `$TTL`, makes it give up, and each range's end
//! state is compared with the next range's start); each part runs the
//! single machine's per-name checks ([`NameChecks`]) over its names, with
//! name hashes under keys shared by all parts so that the NSEC chain's
//! sums add up; and the join shows that no name or subtree is in two
//! parts ([`Part::join`]). Whatever cannot be shown (a layout the checks
//! by name do not take, ZONEMD, a subtree cut in two, a parse error) makes
//! the whole join give up, and the caller runs the single-machine final
//! run instead ([`super::prepass`]): slower, never different.
//!
//! [`NameChecks`]: crate::pipeline::names::NameChecks

use std::path::Path;
use std::time::Instant;

use crate::checks::denial::{self, NameHasher, Nsec3Shard, ShardOut};
use crate::dns::name::Name;
use crate::dns::record::Record;
use crate::error::CoreError;
use crate::parse::zonefile::{self, ParseOptions, ParsedZone, RangeEnd, RangeStart};
use crate::pipeline::names::Part;
use crate::pipeline::stream::Streamer;
use crate::pipeline::{checked_report, VerifyOptions};
use crate::pool::thread_pool;
use crate::report::Report;
use crate::sig::profile::Profile;

use super::wire::{self, fields, Reader, Wire};

/// What one range's task sends back (the hash ranges' shares aside).
pub struct Checked {
    pub part: Part,
    pub end: RangeEnd,
    /// Records and RRSIGs in the range; wall seconds parsing and verifying
    /// (the stage's, beside the parser), and in the checks.
    pub records: usize,
    pub rrsigs: usize,
    pub seconds: f64,
    pub busy: f64,
    /// The worker's threads.
    pub threads: usize,
}

fields!(RangeStart { line, origin, dollar_ttl });
fields!(RangeEnd { origin, dollar_ttl });
fields!(Checked { part, end, records, rrsigs, seconds, busy, threads });

/// A worker's task: `path`'s octets `[start, end)`, which start in the
/// state `at`, parsed, verified against the keys of `apex_run` (the
/// apex's first run) and checked name by name, with the run's name hash
/// keys `hasher`. A range at offset 0 starts with the apex; one that ends
/// at the file's end ends the zone. The part's NSEC3 summary and subtree
/// hashes go, numbered with `index` (the part's place), into one share per
/// hash range, `shards` of them (at least one) ([`Nsec3Shard`], the second
/// value), for the workers that check those ranges ([`check_shard`]).
/// `Ok(Err(why))` when the range cannot be checked apart from the others.
#[allow(clippy::too_many_arguments)]
pub fn check(
    path: &Path,
    start: u64,
    end: u64,
    at: &RangeStart,
    apex_run: Vec<Record>,
    popts: &ParseOptions,
    vopts: &VerifyOptions,
    hasher: NameHasher,
    index: u32,
    shards: usize,
) -> Result<Result<(Checked, Vec<Nsec3Shard>), String>, CoreError> {
    let t0 = Instant::now();
    let pool = thread_pool(vopts.threads)?;
    let first = start == 0;
    let last = end == std::fs::metadata(path).map_err(|e| CoreError::Io { file: path.display().to_string(), reason: e.to_string() })?.len();
    let mut st = Streamer::for_part(apex_run, first, last, popts.origin.clone(), vopts.now, &vopts.policy, vopts.columns, hasher);
    let (window, _) = zonefile::window_sizes(pool.current_num_threads());
    let got = pool.install(|| zonefile::parse_range_streaming(path, start, end, at, popts, window, |part, last| st.push(part, last)))?;
    let range_end = match got {
        Ok(e) => e,
        Err(why) => return Ok(Err(why)),
    };
    let busy = st.busy();
    let mut part = match st.into_part() {
        Ok(p) => p,
        Err(why) => return Ok(Err(why)),
    };
    let mut shares: Vec<Nsec3Shard> = (0..shards.max(1)).map(|_| Nsec3Shard::default()).collect();
    if let Some(s) = part.nsec3.as_mut() {
        s.split_into(index, &mut shares);
    }
    Nsec3Shard::split_hashes(std::mem::take(&mut part.tops), std::mem::take(&mut part.hashed), index, &mut shares);
    part.sharded = true;
    Ok(Ok((Checked {
        records: part.records,
        rrsigs: part.cols.len(),
        seconds: t0.elapsed().as_secs_f64(),
        busy,
        threads: pool.current_num_threads(),
        part,
        end: range_end,
    }, shares)))
}

/// A worker's task: one hash range, from every part's share of it
/// ([`Nsec3Shard::check`]).
pub fn check_shard(shares: &[Vec<u8>]) -> Result<ShardOut, String> {
    let shares: Vec<Nsec3Shard> = shares.iter().map(|b| wire::decode(b)).collect::<Result<_, _>>()?;
    Nsec3Shard::check(shares)
}

/// Why a zone whose apex's first run is `apex_run` cannot be checked in
/// parts at all (the checks by name do not take its apex: no RRSIG there,
/// as in Knot's layout, a ZONEMD, two NSEC3PARAMs, ...), if so: the client
/// asks before any worker starts.
pub fn apex_refused(apex_run: Vec<Record>, popts: &ParseOptions, vopts: &VerifyOptions) -> Option<String> {
    let st = Streamer::for_part(apex_run, false, false, popts.origin.clone(), vopts.now, &vopts.policy, vopts.columns, NameHasher::default());
    st.gave_up().map(str::to_string)
}

/// The report of a zone from its parts' results (file order) and the
/// plan they were made with: the single machine's report, or why that
/// cannot be shown (then nothing is reported from them).
/// `shards`: the hash ranges' results, in order.
pub fn join(path: &Path, plan: &[RangeStart], parts: Vec<Checked>, shards: &[ShardOut], apex: Name, vopts: &VerifyOptions) -> Result<Report, String> {
    if plan.len() != parts.len() || parts.is_empty() {
        return Err(format!("{} parts for {} ranges", parts.len(), plan.len()));
    }
    for (k, p) in parts.iter().enumerate().take(parts.len() - 1) {
        let next = &plan[k + 1];
        if (&p.end.origin, p.end.dollar_ttl) != (&next.origin, next.dollar_ttl) {
            return Err(format!("range {k} ends with another $ORIGIN or $TTL than range {} was parsed with", k + 1));
        }
    }
    let t0 = Instant::now();
    let threads = parts.iter().map(|p| p.threads).max().unwrap_or(1);
    let joined = Part::join(parts.into_iter().map(|p| p.part).collect())?;
    denial::stitch(shards, joined.nsec3.as_ref())?;
    let checked = joined.finish(&vopts.policy, apex, vopts.now)?;
    let zone = ParsedZone { records: Vec::new(), files: vec![path.display().to_string()], origin: None };
    let mut rep = checked_report(&zone, checked, 0.0, vopts, threads, &Profile::default(), "in parts".into());
    // The phases of this process: the join and the zone-wide checks (the
    // workers' are the caller's to report).
    rep.timings.verify = 0.0;
    rep.timings.checks = t0.elapsed().as_secs_f64();
    Ok(rep)
}

/// [`Checked`] from its octets.
pub fn decode(buf: &[u8]) -> Result<Checked, String> {
    wire::decode(buf)
}

/// The apex run's records as the workers receive them.
pub fn encode_records(records: &[Record]) -> Vec<u8> {
    wire::encode(&records.to_vec())
}

pub fn decode_records(buf: &[u8]) -> Result<Vec<Record>, String> {
    wire::decode(buf)
}


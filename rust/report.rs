//! What a zone run hands back: the per-RRSIG columns, findings, counts and
//! timings, before presentation (which is Python's).

use crate::checks::findings::Finding;
use crate::checks::Downgrade;
use crate::dns::name::Name;
use crate::gate::{fingerprint::Fingerprint, previous::Changes, unsigned::Comparison};
use crate::sig::columns::RrsigColumns;

/// Wall-clock seconds per phase.
#[derive(Clone, Debug, Default)]
pub struct Timings {
    pub read: f64,
    pub parse: f64,
    pub model: f64,
    pub verify: f64,
    pub checks: f64,
    /// The publication gate (`--previous`, `--unsigned`): reading the
    /// other zones and comparing.
    pub gate: f64,
    /// With `VerifyOptions::profile`: CPU seconds (all threads) spent
    /// putting RRsets in canonical form and building the signed data.
    pub canonicalise_cpu: f64,
    /// With `VerifyOptions::profile`: per algorithm, the signature
    /// verifications run (hashing included: the crypto libraries hash
    /// inside their verify call) and their CPU seconds (all threads).
    pub crypto: Vec<(u8, u64, f64)>,
}

/// The per-RRSIG result columns (one row per RRSIG, in zone file order)
/// and what is needed to present them.
#[derive(Debug, Default)]
pub struct Report {
    pub apex: Option<Name>,
    /// The SOA serial at the apex (the first SOA's), if any.
    pub serial: Option<u32>,
    /// Owner names (case as first written); `owner` indexes this.
    pub names: Vec<Name>,
    pub owner: Vec<u32>,
    pub line: Vec<u32>,
    pub file: Vec<u32>,
    pub rrsigs: RrsigColumns,
    pub files: Vec<String>,
    /// Zone-level findings, in zone order (file, line).
    pub findings: Vec<Finding>,
    /// Report rows whose failure policy downgrades to a warning.
    pub downgraded: Vec<Downgrade>,
    /// Whether the zone-level checks ran (`Policy::zone_checks`).
    pub zone_checks: bool,
    pub records: usize,
    /// Which path verified the signatures: "streamed", or "whole-zone: "
    /// and why the streaming stage could not take the zone.
    pub pipeline: String,
    pub threads: usize,
    pub now: u64,
    pub timings: Timings,
    /// With `--previous`: what changed since that version.
    pub changes: Option<Changes>,
    /// With `--unsigned`: the comparison with the signer's input.
    pub unsigned: Option<Comparison>,
    /// With `--same-zone`: what this copy holds, to compare with others.
    pub fingerprint: Option<Fingerprint>,
}

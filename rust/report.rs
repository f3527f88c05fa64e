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
    /// With the profile and a verified-signature cache: lookups (entries
    /// computed and looked up) and their CPU seconds summed over threads.
    pub cache_lookups: (u64, f64),
}

/// Owner names in presentation form, each followed by a newline
/// (presentation form escapes every control character), in one text with
/// where each starts: a million names as `Name`s, or as Python strings,
/// would cost more than the columns.
#[derive(Debug, Default)]
pub struct NameTable {
    pub text: Vec<u8>,
    /// Where each name starts, and the text's length last.
    pub start: Vec<u32>,
}

impl NameTable {
    pub fn push(&mut self, n: &Name) {
        let mut t = n.to_text().into_bytes();
        t.push(b'\n');
        self.push_text(&t);
    }

    /// Appends name text as [`NameTable::get`] gives it.
    fn push_text(&mut self, t: &[u8]) {
        if self.start.is_empty() {
            self.start.push(0);
        }
        self.text.extend_from_slice(t);
        self.start.push(self.text.len() as u32);
    }

    /// Name `i`'s text with its newline.
    fn get(&self, i: usize) -> &[u8] {
        &self.text[self.start[i] as usize..self.start[i + 1] as usize]
    }

    /// Appends the names of `o`, numbered after these.
    pub fn append(&mut self, o: &NameTable) {
        for i in 0..o.len() {
            self.push_text(o.get(i));
        }
    }

    pub fn len(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where each name starts, and the end (one entry when empty).
    pub fn starts(&self) -> &[u32] {
        if self.start.is_empty() {
            &[0]
        } else {
            &self.start
        }
    }
}

impl Report {
    /// Keeps the columns of the rows that are not valid only, and the
    /// names those rows own ([`RrsigColumns::rows`]).
    pub fn keep_rows_with_reasons(&mut self) {
        if self.rrsigs.rows.is_some() {
            return;
        }
        self.rrsigs.keep_rows_with_reasons(&mut [&mut self.owner, &mut self.line, &mut self.file]);
        let old = std::mem::take(&mut self.names);
        let mut slot: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
        for o in &mut self.owner {
            let n = self.names.len() as u32;
            *o = *slot.entry(*o).or_insert_with(|| {
                self.names.push_text(old.get(*o as usize));
                n
            });
        }
    }
}

/// The per-RRSIG result columns (one row per RRSIG, in zone file order)
/// and what is needed to present them.
#[derive(Debug, Default)]
pub struct Report {
    pub apex: Option<Name>,
    /// The SOA serial at the apex (the first SOA's), if any.
    pub serial: Option<u32>,
    /// Owner names (case as first written); `owner` indexes this.
    pub names: NameTable,
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
    /// Whether the names were checked in the stream, each once its
    /// signatures were verified, and dropped (else over the zone model).
    pub checked_by_name: bool,
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

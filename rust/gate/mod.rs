//! Stage 5, the publication gate: this zone against the version published
//! before it (`--previous`, [`previous`]) and against the zone that went
//! into the signer (`--unsigned`, [`unsigned`]). Each zone goes through the
//! streaming reader into a compact [`summary::Summary`]; none is held whole.
//! The expectations of a rollover stage (`--expect-key`, ...) are zone
//! checks over the signatures' verdicts: `checks::expect`.

pub mod fingerprint;
pub mod previous;
pub mod render;
pub mod summary;
pub mod unsigned;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::checks::findings::{Finding, Findings};
use crate::checks::policy::GatePolicy;
use crate::dns::name::Name;
use crate::error::CoreError;
use crate::parse::zonefile::ParseOptions;

use previous::Changes;
use summary::{fetch, summarise_file, Source, Summary};
use unsigned::Comparison;

/// The other zones the gate compares with.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    pub previous: Option<PathBuf>,
    pub unsigned: Option<PathBuf>,
}

impl Inputs {
    pub fn is_empty(&self) -> bool {
        self.previous.is_none() && self.unsigned.is_none()
    }
}

/// What the gate found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub changes: Option<Changes>,
    pub unsigned: Option<Comparison>,
    /// Files of the other zones, for the report's file list (the findings
    /// index it): the unsigned input's, after the signed zone's.
    pub files: Vec<String>,
    pub findings: Vec<Finding>,
}

/// Runs the gate: `cur` is the signed zone's summary (finished), `signed`
/// where its records can be read again, `files` its source files.
pub fn run(
    cur: &Summary,
    signed: Source<'_>,
    popts: &ParseOptions,
    policy: &GatePolicy,
    inputs: &Inputs,
    files: &[String],
    apex: &Name,
) -> Result<Outcome, CoreError> {
    let mut out = Findings::default();
    let mut got = Outcome::default();
    // The other zones are read with the signed zone's origin and options.
    let popts = ParseOptions { origin: popts.origin.clone().or_else(|| cur.apex.clone()), ..popts.clone() };
    if let Some(path) = &inputs.previous {
        let prev = summarise_file(path, &popts)?;
        let mut c = previous::compare(&prev, cur, &path.display().to_string());
        name_examples(&mut c, path, signed, &popts)?;
        previous::findings(&c, cur, policy, apex, &mut out);
        got.changes = Some(c);
    }
    if let Some(path) = &inputs.unsigned {
        let u = summarise_file(path, &popts)?;
        let mut all = files.to_vec();
        all.extend(u.files.iter().cloned());
        let c = unsigned::compare(&u, cur, path, signed, &popts, policy, &all, files.len() as u32, apex, &mut out)?;
        got.files = u.files.clone();
        got.unsigned = Some(c);
    }
    got.findings = out.list;
    Ok(got)
}

/// Reads the owner names of the example changes from their zones.
fn name_examples(c: &mut Changes, previous: &Path, signed: Source<'_>, popts: &ParseOptions) -> Result<(), CoreError> {
    let want = |old: bool| -> HashSet<(u16, u32)> { c.examples.iter().filter(|e| e.1 == old).map(|e| (e.2.file, e.2.line)).collect() };
    let from_prev = fetch(Source::File(previous), popts, &want(true))?;
    let from_cur = fetch(signed, popts, &want(false))?;
    c.example_names = c
        .examples
        .iter()
        .filter_map(|(k, old, e)| {
            let got = if *old { &from_prev } else { &from_cur };
            got.get(&(e.file, e.line)).map(|r| (*k, r.owner.to_text()))
        })
        .collect();
    Ok(())
}

//! The zone model and the verification of every RRSIG.
//!
//! Records are grouped into RRsets by (owner, type), owner compared without
//! regard to case (RFC 4343: the real 2017 root zone writes DS owners in
//! upper case next to lower-case NS owners). Every RRSIG gets exactly one
//! [`Status`]; all of them are checked, not "one good signature per RRset"
//! (DESIGN.md principle 2).

use std::collections::HashMap;
use std::time::Instant;

use rayon::prelude::*;

use crate::canon::{self, Rrsig};
use crate::crypto::{self, Dnskey, KeyError};
use crate::error::CoreError;
use crate::name::Name;
use crate::record::Record;
use crate::rrtype;
use crate::serial::{self, Window};
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
}

impl Status {
    pub const ALL: [Status; 11] = [
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
}

/// Wall-clock seconds per phase.
#[derive(Clone, Debug, Default)]
pub struct Timings {
    pub read: f64,
    pub parse: f64,
    pub model: f64,
    pub verify: f64,
    pub checks: f64,
}

/// The per-RRSIG result columns (one row per RRSIG, in zone file order)
/// and what is needed to present them.
#[derive(Debug, Default)]
pub struct Report {
    pub apex: Option<Name>,
    /// Owner names (case as first written); `owner` indexes this.
    pub names: Vec<Name>,
    pub owner: Vec<u32>,
    pub type_covered: Vec<u16>,
    pub algorithm: Vec<u8>,
    pub key_tag: Vec<u16>,
    pub inception: Vec<u32>,
    pub expiration: Vec<u32>,
    pub status: Vec<u8>,
    pub line: Vec<u32>,
    pub file: Vec<u32>,
    /// (row, reason) for every row whose status is not `Valid`, row order.
    pub reasons: Vec<(u32, String)>,
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
    let t0 = Instant::now();
    let text = std::fs::read(path).map_err(|e| CoreError::Io {
        file: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let read = t0.elapsed().as_secs_f64();
    let mut r = verify_text(&text, &path.display().to_string(), popts, vopts)?;
    r.timings.read = read;
    Ok(r)
}

/// Parses and verifies zone text; `filename` is used in messages.
pub fn verify_text(
    text: &[u8],
    filename: &str,
    popts: &ParseOptions,
    vopts: &VerifyOptions,
) -> Result<Report, CoreError> {
    let t0 = Instant::now();
    let zone = zonefile::parse_zone(text, filename, popts)?;
    let parse = t0.elapsed().as_secs_f64();
    let mut r = verify_parsed(zone, vopts)?;
    r.timings.parse = parse;
    Ok(r)
}

/// One RRSIG to check, with everything resolved that does not need crypto.
struct Job {
    /// Index of the RRSIG record.
    rec: u32,
    /// RRset it covers (index into `rrsets`), if any.
    rrset: Option<u32>,
}

/// Verifies every RRSIG of a parsed zone.
pub fn verify_parsed(zone: ParsedZone, vopts: &VerifyOptions) -> Result<Report, CoreError> {
    let t0 = Instant::now();
    let threads = match vopts.threads {
        Some(0) => return Err(CoreError::Usage("jobs must be at least 1".into())),
        Some(n) => n,
        None => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    };
    let records = &zone.records;
    if records.is_empty() {
        return Err(CoreError::parse(
            zone.files.first().map(String::as_str).unwrap_or("<zone>"),
            0,
            0,
            "the zone has no records",
        ));
    }
    let apex = match &zone.origin {
        Some(o) => Some(o.clone()),
        None => records.iter().find(|r| r.rtype == rrtype::SOA).map(|r| r.owner.clone()),
    };
    let apex = match apex {
        Some(a) => a,
        None => {
            if records.iter().any(|r| r.rtype == rrtype::RRSIG) {
                return Err(CoreError::Usage(format!(
                    "{}: cannot tell the zone apex: no SOA record and no origin given",
                    zone.files.first().map(String::as_str).unwrap_or("<zone>")
                )));
            }
            // No SOA and no RRSIG: nothing to verify.
            Name::root()
        }
    };

    // Group non-RRSIG records into RRsets keyed by (lower-cased owner, type).
    let lower: Vec<Box<[u8]>> = records
        .iter()
        .map(|r| r.owner.as_wire().to_ascii_lowercase().into_boxed_slice())
        .collect();
    let mut rrset_of: HashMap<(&[u8], u16), u32> = HashMap::new();
    let mut rrsets: Vec<Vec<u32>> = Vec::new();
    for (i, r) in records.iter().enumerate() {
        if r.rtype == rrtype::RRSIG {
            continue;
        }
        let key = (&*lower[i], r.rtype);
        let idx = *rrset_of.entry(key).or_insert_with(|| {
            rrsets.push(Vec::new());
            (rrsets.len() - 1) as u32
        });
        rrsets[idx as usize].push(i as u32);
    }

    // The apex DNSKEY RRset, each key parsed once.
    let apex_lower = apex.as_wire().to_ascii_lowercase();
    let keys: Vec<Dnskey> = rrset_of
        .get(&(&apex_lower[..], rrtype::DNSKEY))
        .map(|&s| {
            rrsets[s as usize]
                .iter()
                .filter_map(|&i| Dnskey::from_rdata(&records[i as usize].rdata))
                .collect()
        })
        .unwrap_or_default();
    let mut keys_by_tag: HashMap<(u8, u16), Vec<u32>> = HashMap::new();
    for (i, k) in keys.iter().enumerate() {
        keys_by_tag.entry((k.algorithm, k.key_tag)).or_default().push(i as u32);
    }

    // Owner-name table and jobs, in zone order.
    let mut names: Vec<Name> = Vec::new();
    let mut name_idx: HashMap<&[u8], u32> = HashMap::new();
    let mut jobs: Vec<Job> = Vec::new();
    let mut owner_col = Vec::new();
    for (i, r) in records.iter().enumerate() {
        if r.rtype != rrtype::RRSIG {
            continue;
        }
        let n = *name_idx.entry(&*lower[i]).or_insert_with(|| {
            names.push(r.owner.clone());
            (names.len() - 1) as u32
        });
        owner_col.push(n);
        let covered = canon::parse_rrsig(&r.rdata).map(|s| s.type_covered);
        let rrset = covered.and_then(|t| rrset_of.get(&(&*lower[i], t)).copied());
        jobs.push(Job { rec: i as u32, rrset });
    }
    let model = t0.elapsed().as_secs_f64();

    // Verify: group jobs by RRset so each RRset is canonicalised once.
    let t1 = Instant::now();
    let ctx = Ctx { records, rrsets: &rrsets, keys: &keys, keys_by_tag: &keys_by_tag, apex: &apex, now: vopts.now };
    let mut order: Vec<u32> = (0..jobs.len() as u32).collect();
    order.sort_by_key(|&j| jobs[j as usize].rrset.unwrap_or(u32::MAX));
    let groups: Vec<&[u32]> = order
        .chunk_by(|&a, &b| jobs[a as usize].rrset == jobs[b as usize].rrset && jobs[a as usize].rrset.is_some())
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| CoreError::Usage(format!("cannot start {threads} threads: {e}")))?;
    let results: Vec<Vec<(u32, Status, Option<String>)>> = pool.install(|| {
        groups
            .par_iter()
            .map_init(
                || (Vec::with_capacity(4096), Vec::new()),
                |(buf, canon_buf), group| {
                    let rrset = jobs[group[0] as usize].rrset;
                    // Canonical RDATAs of the covered RRset, once per RRset.
                    canon_buf.clear();
                    if let Some(s) = rrset {
                        let rt = records[rrsets[s as usize][0] as usize].rtype;
                        *canon_buf = canon::sorted_canonical_rdatas(
                            rt,
                            rrsets[s as usize].iter().map(|&i| &records[i as usize].rdata[..]),
                        );
                    }
                    group
                        .iter()
                        .map(|&j| {
                            let job = &jobs[j as usize];
                            let (st, why) = ctx.check(job, canon_buf, buf);
                            (j, st, why)
                        })
                        .collect()
                },
            )
            .collect()
    });
    let verify = t1.elapsed().as_secs_f64();

    // Columns in zone order.
    let n = jobs.len();
    let mut status = vec![0u8; n];
    let mut reasons: Vec<(u32, String)> = Vec::new();
    for v in results {
        for (j, st, why) in v {
            status[j as usize] = st as u8;
            if st != Status::Valid {
                reasons.push((j, why.unwrap_or_default()));
            }
        }
    }
    reasons.sort_by_key(|r| r.0);
    let mut rep = Report {
        apex: Some(apex.clone()),
        names,
        owner: owner_col,
        status,
        reasons,
        files: zone.files.clone(),
        records: records.len(),
        threads,
        now: vopts.now,
        ..Default::default()
    };
    rep.type_covered.reserve(n);
    for job in &jobs {
        let r = &records[job.rec as usize];
        let s = canon::parse_rrsig(&r.rdata);
        rep.type_covered.push(s.as_ref().map_or(0, |s| s.type_covered));
        rep.algorithm.push(s.as_ref().map_or(0, |s| s.algorithm));
        rep.key_tag.push(s.as_ref().map_or(0, |s| s.key_tag));
        rep.inception.push(s.as_ref().map_or(0, |s| s.inception));
        rep.expiration.push(s.as_ref().map_or(0, |s| s.expiration));
        rep.line.push(r.line);
        rep.file.push(r.file);
    }
    rep.timings.model = model;
    rep.timings.verify = verify;

    // Zone-level checks over the model, with every RRSIG's verdict known.
    let t2 = Instant::now();
    let rrsig_record: Vec<u32> = jobs.iter().map(|j| j.rec).collect();
    let zone = crate::zone::Zone::build(apex, records, &rrsig_record, &rep.status, &rep.type_covered, vopts.now);
    let outcome = if vopts.policy.zone_checks {
        crate::checks::run(&zone, &vopts.policy)
    } else {
        crate::checks::Outcome { findings: Vec::new(), downgraded: Vec::new() }
    };
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
    rrsets: &'a [Vec<u32>],
    keys: &'a [Dnskey],
    keys_by_tag: &'a HashMap<(u8, u16), Vec<u32>>,
    apex: &'a Name,
    now: u64,
}

impl Ctx<'_> {
    /// The status of one RRSIG, and the reason when it is not valid.
    fn check(&self, job: &Job, canon_rdatas: &[Vec<u8>], buf: &mut Vec<u8>) -> (Status, Option<String>) {
        let rec = &self.records[job.rec as usize];
        let sig = match canon::parse_rrsig(&rec.rdata) {
            Some(s) => s,
            None => return (Status::Malformed, Some("RRSIG RDATA cannot be decoded".into())),
        };
        let tname = rrtype::to_mnemonic(sig.type_covered);
        let Some(rrset) = job.rrset else {
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
        let first = &self.records[self.rrsets[rrset as usize][0] as usize];
        self.check_crypto(&sig, first, canon_rdatas, buf)
    }

    fn check_crypto(
        &self,
        sig: &Rrsig<'_>,
        first: &Record,
        canon_rdatas: &[Vec<u8>],
        buf: &mut Vec<u8>,
    ) -> (Status, Option<String>) {
        let alg = sig.algorithm;
        let tag = sig.key_tag;
        let algname = crypto::algorithm_name(alg);
        let cands = self.keys_by_tag.get(&(alg, tag)).map(Vec::as_slice).unwrap_or(&[]);
        // RFC 4035 §5.3.1: candidates have the Zone Key flag and protocol 3.
        let mut usable = 0usize;
        let mut rejected: Option<String> = None;
        let mut unsupported: Option<(Status, String)> = None;
        let mut built = false;
        for &k in cands {
            let key = &self.keys[k as usize];
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
            if !built {
                canon::signed_data(buf, sig, &first.owner, first.class, canon_rdatas);
                built = true;
            }
            if pk.verify(buf, sig.signature) {
                return match serial::window(sig.inception, sig.expiration, self.now) {
                    Window::Valid => (Status::Valid, None),
                    Window::Expired => (
                        Status::Expired,
                        Some(format!(
                            "expired at {} (verification time {})",
                            serial::format_rrsig_time(sig.expiration, self.now),
                            serial::format_rrsig_time(self.now as u32, self.now)
                        )),
                    ),
                    Window::NotYetValid => (
                        Status::NotYetValid,
                        Some(format!(
                            "not valid before {} (verification time {})",
                            serial::format_rrsig_time(sig.inception, self.now),
                            serial::format_rrsig_time(self.now as u32, self.now)
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

//! The whole pipeline, aimed at the NSEC/NSEC3 checks (checks/denial.rs
//! check_nsec/check_nsec3) as its tests run them: zone text through
//! pipeline::verify_text with a policy. No panic, no hang; errors are
//! parse errors naming a line (or line 0 for the whole zone) or usage
//! errors; the report's columns agree, findings name lines of the text,
//! one worker thread or two give the same report, and so do the streaming
//! stage, the same text as a file read in small windows, and the whole-zone
//! path.
//!
//! Input: one control octet (bit 0: origin `example.` given, else the
//! SOA owner; bit 1: signed by any algorithm; bit 2: ZONEMD required;
//! bit 3: redundant failures as warnings; bit 4: a default TTL; bits 5-7
//! choose the verification time), then the zone text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zoneverify::pipeline::{verify_file, verify_text, VerifyOptions};
use zoneverify::report::Report;
use zoneverify::checks::policy::Policy;
use zoneverify::parse::zonefile::ParseOptions;
use zoneverify::CoreError;
use zoneverify_fuzz::{example, line_count};

/// What a verification says, for comparing two runs.
type Verdict = Result<(Vec<u8>, Vec<(u32, String)>, Vec<(u32, u32)>, Vec<String>), CoreError>;

fn verdict(r: &Result<Report, CoreError>) -> Verdict {
    match r {
        Ok(rep) => Ok((
            rep.rrsigs.status.clone(),
            rep.rrsigs.reasons.clone(),
            rep.line.iter().copied().zip(rep.owner.iter().copied()).collect(),
            rep.findings.iter().map(|f| format!("{f:?}")).collect(),
        )),
        Err(e) => Err(e.clone()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, text)) = data.split_first() else { return };
    let popts = ParseOptions {
        origin: (ctl & 1 != 0).then(example),
        default_ttl: (ctl & 16 != 0).then_some(3600),
        allow_include: false,
    };
    let policy = Policy {
        every_algorithm: ctl & 2 == 0,
        require_zonemd: ctl & 4 != 0,
        redundant_failures_warning: ctl & 8 != 0,
        ..Policy::default()
    };
    // 2023-11-14, 2001-09-09 (before most inceptions), 2106 (after most
    // expirations, and past 2^32: serial arithmetic), 1970.
    let now = [1_700_000_000u64, 1_000_000_000, 4_300_000_000, 0][(ctl >> 5) as usize & 3];
    let vopts = VerifyOptions { now, threads: Some(1), policy, profile: false, whole_zone: false, window: None, gate: Default::default(), fingerprint: false, columns: true, cache: None, progress: None };
    let lines = line_count(text);
    let got = verify_text(text, "fuzz", &popts, &vopts);
    // On two threads (parallel parse of RRSIG rows, zone model, signature
    // jobs and check groups) the verdict must be the same, in the same order.
    let two = verify_text(text, "fuzz", &popts, &VerifyOptions { threads: Some(2), ..vopts.clone() });
    assert_eq!(verdict(&got), verdict(&two), "one and two threads disagree");
    let whole = verify_text(text, "fuzz", &popts, &VerifyOptions { whole_zone: true, ..vopts.clone() });
    assert_eq!(verdict(&got), verdict(&whole), "the streaming stage and the whole-zone path disagree");
    // The same text as a file, read in windows of 256 octets on two
    // threads: the streaming stage's parts, and the checks name by name
    // (zones as BIND and ldns write them), cross window boundaries, and a
    // name that comes back after names were dropped makes the stage give
    // up and read the file again. (Errors name the file: compared only
    // when the text verifies.)
    // (A text that starts with a compressed format's magic bytes is read
    // as that format from a file: not the same input.)
    if whole.is_ok() && zoneverify::parse::compressed::Format::sniff(text) == zoneverify::parse::compressed::Format::Plain {
        let path = std::env::temp_dir().join(format!("zoneverify-fuzz-denial-{}.zone", std::process::id()));
        if std::fs::write(&path, text).is_ok() {
            let windowed = verify_file(&path, &popts, &VerifyOptions { threads: Some(2), window: Some(256), ..vopts.clone() });
            let _ = std::fs::remove_file(&path);
            assert_eq!(verdict(&windowed), verdict(&whole), "the file in windows and the whole-zone path disagree");
        }
    }
    match got {
        Ok(rep) => {
            let n = rep.rrsigs.len();
            assert_eq!(rep.owner.len(), n);
            assert_eq!(rep.line.len(), n);
            assert_eq!(rep.file.len(), n);
            assert!(rep.owner.iter().all(|&o| (o as usize) < rep.names.len()));
            for f in &rep.findings {
                assert!(f.line <= lines, "finding at line {} of {lines}: {f:?}", f.line);
            }
        }
        Err(CoreError::Parse { line, .. }) => assert!(line <= lines),
        Err(CoreError::Usage(_)) => {}
        Err(e) => panic!("unexpected error {e:?}"),
    }
});

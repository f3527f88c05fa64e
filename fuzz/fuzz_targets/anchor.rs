//! The trust-anchor reader (anchor::parse_anchors: DS/DNSKEY zone text or
//! IANA root-anchors.xml), then the trust-anchor check with what it read
//! against a small signed zone. Errors are parse errors naming a line of
//! the text (0: the whole file); success yields at least one anchor.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zoneverify::parse::anchors::parse_anchors;
use zoneverify::pipeline::{verify_text, VerifyOptions};
use zoneverify::checks::policy::Policy;
use zoneverify::parse::zonefile::ParseOptions;
use zoneverify::CoreError;
use zoneverify_fuzz::line_count;

/// The apex of a zone signed with one Ed25519 key (RFC 8080 §6.1's key).
const ZONE: &[u8] = include_bytes!("../anchor_zone.txt");

fuzz_target!(|data: &[u8]| {
    let anchors = match parse_anchors(data, "fuzz") {
        Ok(a) => a,
        Err(CoreError::Parse { line, .. }) => {
            assert!(line <= line_count(data), "error at line {line} of {}", line_count(data));
            return;
        }
        Err(e) => panic!("unexpected error {e:?}"),
    };
    assert!(!anchors.is_empty());
    let policy = Policy { trust_anchors: anchors, ..Policy::default() };
    let vopts = VerifyOptions { now: 1_700_000_000, threads: Some(1), policy, profile: false, whole_zone: false, window: None, gate: Default::default(), fingerprint: false, columns: true, cache: None, progress: None };
    verify_text(ZONE, "zone", &ParseOptions::default(), &vopts).expect("the fixed zone verifies");
});

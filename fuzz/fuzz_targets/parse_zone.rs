//! The zone-file parser: sequential, chunked parallel and windowed file
//! reading must give the same answer (records or the same error), errors
//! must name a line of the text, records must be wire-representable, and
//! owner names must read back from their presentation form.
//!
//! Input: two control octets, then the zone text.
//! - octet 0: bits 0-5 chunk size (1..=64) of the chunked parse, bit 6
//!   origin `example.` given, bit 7 a default TTL given;
//! - octet 1: window size (1..=256 octets) of the windowed file read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use zoneverify::dns::name::Name;
use zoneverify::parse::compressed;
use zoneverify::parse::zonefile::{parse_file_in_windows, parse_parallel, parse_sequential, parse_zone, ParseOptions};
use zoneverify_fuzz::{assert_error_names_line, assert_records_sane, example};

fn pool() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    // Two workers: the windowed read only takes its parallel path with two.
    POOL.get_or_init(|| rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap())
}

fn path() -> &'static std::path::Path {
    static PATH: OnceLock<std::path::PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = if std::path::Path::new("/dev/shm").is_dir() { "/dev/shm".into() } else { std::env::temp_dir() };
        dir.join(format!("zoneverify-fuzz-{}.zone", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let (ctl, text) = (&data[..2], &data[2..]);
    let chunk = (ctl[0] & 63) as usize + 1;
    let window = ctl[1] as usize + 1;
    let opts = ParseOptions {
        origin: (ctl[0] & 64 != 0).then(example),
        default_ttl: (ctl[0] & 128 != 0).then_some(3600),
        allow_include: false,
    };
    let want = parse_sequential(text, "fuzz", &opts);
    match &want {
        Ok(z) => {
            assert_records_sane(&z.records, text);
            // A name reads back from its presentation form, case kept.
            for r in z.records.iter().take(50) {
                let t = r.owner.to_text();
                assert_eq!(Name::from_text(&t, None).as_ref(), Ok(&r.owner), "{t}");
            }
        }
        Err(e) => assert_error_names_line(e, text),
    }
    pool().install(|| {
        for c in [chunk, 1, 4096] {
            if let Some(got) = parse_parallel(text, "fuzz", &opts, c) {
                assert_eq!(got, want, "chunked parse (chunk {c}) differs from the sequential parse");
            }
        }
        assert_eq!(parse_zone(text, "fuzz", &opts), want, "parse_zone differs from the sequential parse");
        // The windowed file read, at a small window. A text that starts
        // with a compressed format's magic bytes is read as that format
        // from a file (parse/compressed.rs): it must then fail or give
        // records, never panic, but need not equal the text's parse.
        let p = path();
        std::fs::write(p, text).unwrap();
        let name = p.display().to_string();
        let got = parse_file_in_windows(p, &opts, window, 0, None).map(|(z, _)| z);
        if compressed::Format::sniff(text) == compressed::Format::Plain {
            let want = parse_sequential(text, &name, &opts);
            assert_eq!(got, want, "windowed file parse (window {window}) differs from the sequential parse");
        }
    });
});

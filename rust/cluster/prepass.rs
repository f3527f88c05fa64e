//! A worker's task: one byte range of a zone file, its RRSIGs verified
//! against the apex's keys, and the cache entries of those that verified.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::Instant;

use crate::dns::name::Name;
use crate::error::CoreError;
use crate::model::zone::Zone;
use crate::parse::zonefile::{self, ParseOptions};
use crate::pipeline::{parse_rrsigs, rrsig_rows, whole};
use crate::pool::thread_pool;
use crate::sig::cache::{Cache, Entry};
use crate::sig::crypto::Dnskey;
use crate::sig::keys::Keys;
use crate::sig::rules::Rules;

/// The largest range one task reads (its text and records are in memory
/// at once: about three times this).
pub const MAX_RANGE: u64 = 1 << 30;

/// What one range gave.
#[derive(Debug, Default)]
pub struct Prepass {
    /// The entries of the public-key operations that succeeded, ascending.
    pub entries: Vec<Entry>,
    pub records: usize,
    pub rrsigs: usize,
    /// Public-key operations done (the successes are `entries`).
    pub verified: u64,
    /// Why the range could not be parsed on its own, if so: its
    /// signatures are then left to the final run (never an error: only
    /// the final run, which reads the file whole, says what is wrong with
    /// it, with the right line numbers).
    pub unparsed: Option<String>,
    pub read_seconds: f64,
    pub parse_seconds: f64,
    pub verify_seconds: f64,
}

/// Verifies the RRSIGs of `path`'s octets `[start, end)` against the
/// apex's DNSKEYs (`dnskeys`, their RDATA), with the cache `secret` of
/// this run, at the verification time `now`, on `threads` threads. The
/// range is parsed as a zone of its own with the apex as origin.
#[allow(clippy::too_many_arguments)]
pub fn run(
    path: &Path,
    start: u64,
    end: u64,
    apex: &Name,
    dnskeys: &[Vec<u8>],
    secret: &[u8],
    now: u64,
    threads: Option<usize>,
) -> Result<Prepass, CoreError> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| CoreError::Io { file: name.clone(), reason: e.to_string() };
    let t0 = Instant::now();
    let mut f = std::fs::File::open(path).map_err(io)?;
    let size = f.metadata().map_err(io)?.len();
    if start > end || end > size {
        return Err(CoreError::Usage(format!("{name}: range {start}..{end} is not within the file's {size} octets")));
    }
    if end - start > MAX_RANGE {
        return Err(CoreError::Usage(format!("{name}: range {start}..{end} is longer than {MAX_RANGE} octets")));
    }
    let mut text = vec![0u8; (end - start) as usize];
    f.seek(SeekFrom::Start(start)).map_err(io)?;
    f.read_exact(&mut text).map_err(io)?;
    let read_seconds = t0.elapsed().as_secs_f64();
    let cache = Cache::in_memory(secret, Vec::new(), usize::MAX).map_err(CoreError::Usage)?;
    let pool = thread_pool(threads)?;
    let popts = ParseOptions { origin: Some(apex.clone()), default_ttl: None, allow_include: false };
    let t1 = Instant::now();
    let parsed = pool.install(|| zonefile::parse_zone(&text, &name, &popts));
    drop(text);
    let parse_seconds = t1.elapsed().as_secs_f64();
    let zone = match parsed {
        Ok(z) => z,
        Err(e) => return Ok(Prepass { unparsed: Some(e.to_string()), read_seconds, parse_seconds, ..Default::default() }),
    };
    let t2 = Instant::now();
    let keys: Vec<Dnskey> = dnskeys.iter().filter_map(|k| Dnskey::from_rdata(k)).collect();
    let records = &zone.records;
    let rrsigs = pool.install(|| {
        let (rrsig_record, covered) = rrsig_rows(records);
        let sigs = parse_rrsigs(records, &rrsig_record);
        let model = Zone::build(apex.clone(), records, &rrsig_record, &covered, now);
        let keys = Keys::new(keys.iter()).with_cache(Some(&cache));
        let rules = Rules { keys: &keys, apex, now, prof: None };
        whole::verify(&model, &sigs, &rules, None, None);
        rrsig_record.len()
    });
    let entries = cache.successes();
    Ok(Prepass {
        verified: cache.stats().verified,
        entries,
        records: records.len(),
        rrsigs,
        unparsed: None,
        read_seconds,
        parse_seconds,
        verify_seconds: t2.elapsed().as_secs_f64(),
    })
}

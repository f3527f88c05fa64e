//! What a long run has done so far, for a progress display (`zoneverify
//! check` on a terminal), and a way to stop it: counters the pipeline
//! adds to once per part (a window of the file, some 32k records), never
//! per record or signature, and read from another thread without a lock.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};

use crate::error::CoreError;

/// Phases, as [`Progress::snapshot`] reports them.
pub const READING: u8 = 1;
pub const CHECKING: u8 = 2;
pub const DONE: u8 = 3;

#[derive(Debug, Default)]
pub struct Progress {
    /// Octets of the file read (of the decompressed text for a compressed file).
    bytes_read: AtomicU64,
    /// The file's size when the text's is known (a plain file), else 0.
    bytes_total: AtomicU64,
    records: AtomicU64,
    /// RRSIGs given a verdict.
    rrsigs: AtomicU64,
    phase: AtomicU8,
    cancelled: AtomicBool,
}

/// (bytes read, bytes in all or 0, records, RRSIGs verified, phase).
pub type Snapshot = (u64, u64, u64, u64, u8);

impl Progress {
    pub fn snapshot(&self) -> Snapshot {
        (
            self.bytes_read.load(Ordering::Relaxed),
            self.bytes_total.load(Ordering::Relaxed),
            self.records.load(Ordering::Relaxed),
            self.rrsigs.load(Ordering::Relaxed),
            self.phase.load(Ordering::Relaxed),
        )
    }

    /// Asks the run to stop at its next part.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// `Err(Cancelled)` once [`Progress::cancel`] was called.
    pub fn check(p: Option<&Progress>) -> Result<(), CoreError> {
        match p {
            Some(p) if p.cancelled.load(Ordering::Relaxed) => Err(CoreError::Cancelled),
            _ => Ok(()),
        }
    }

    pub fn start(p: Option<&Progress>, total: u64) {
        if let Some(p) = p {
            p.bytes_total.store(total, Ordering::Relaxed);
            p.phase.store(READING, Ordering::Relaxed);
        }
    }

    pub fn read(p: Option<&Progress>, n: u64) {
        if let Some(p) = p {
            p.bytes_read.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// A part parsed (`records`) and verified (`rrsigs`).
    pub fn part(p: Option<&Progress>, records: u64, rrsigs: u64) {
        if let Some(p) = p {
            p.records.fetch_add(records, Ordering::Relaxed);
            p.rrsigs.fetch_add(rrsigs, Ordering::Relaxed);
        }
    }

    /// The verification starts over: the records and RRSIGs are counted
    /// again, and with `reread` the file's octets too (the whole-zone path
    /// reads it again).
    pub fn restart(p: Option<&Progress>, reread: bool) {
        if let Some(p) = p {
            if reread {
                p.bytes_read.store(0, Ordering::Relaxed);
            }
            p.records.store(0, Ordering::Relaxed);
            p.rrsigs.store(0, Ordering::Relaxed);
        }
    }

    pub fn phase(p: Option<&Progress>, phase: u8) {
        if let Some(p) = p {
            p.phase.store(phase, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::zonefile::{parse_file_streaming, ParseOptions};

    #[test]
    fn a_cancelled_run_stops_at_its_next_part_and_counts_what_it_read() {
        let mut text = String::from("$ORIGIN example.\n$TTL 300\n@ SOA ns h 1 2 3 4 5\n");
        for i in 0..5000 {
            text.push_str(&format!("h{i} A 10.0.{}.{}\n", i / 250, i % 250));
        }
        let path = std::env::temp_dir().join(format!("zv-progress-{}", std::process::id()));
        std::fs::write(&path, &text).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let opts = ParseOptions::default();
        // Run to the end: every octet counted.
        let p = Progress::default();
        pool.install(|| parse_file_streaming(&path, &opts, 4096, 0, Some(&p), |_, _| {})).unwrap();
        assert_eq!(p.snapshot().0, text.len() as u64);
        assert_eq!(p.snapshot().1, text.len() as u64);
        // Cancelled after the first part: the next part is not read.
        let p = Progress::default();
        let mut parts = 0;
        let r = pool.install(|| {
            parse_file_streaming(&path, &opts, 4096, 0, Some(&p), |_, _| {
                parts += 1;
                p.cancel();
            })
        });
        assert!(matches!(r, Err(CoreError::Cancelled)), "{:?}", r.err());
        assert!(parts <= 2 && p.snapshot().0 < text.len() as u64, "{parts} parts, {:?}", p.snapshot());
        // Cancelled before: the whole-file path stops too.
        let p = Progress::default();
        p.cancel();
        let r = parse_file_streaming(&path, &opts, 4096, 1 << 30, Some(&p), |_, _| {});
        assert!(matches!(r, Err(CoreError::Cancelled)));
        let _ = std::fs::remove_file(&path);
    }
}

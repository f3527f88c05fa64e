//! What a long run has done so far, for a progress display (`zoneverify
//! check` on a terminal), and a way to stop it: counters the pipeline
//! adds to once per part (a window of the file, some 32k records) or per
//! batch of verification work ([`in_batches`], some thousands of RRSIGs),
//! never per record or signature, and read from another thread without a
//! lock.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};

use crate::error::CoreError;

/// Phases, as [`Progress::snapshot`] reports them.
pub const READING: u8 = 1;
pub const CHECKING: u8 = 2;
pub const DONE: u8 = 3;
/// The file is read (or held whole): its signatures are being verified,
/// [`Snapshot`]'s RRSIG total known.
pub const VERIFYING: u8 = 4;

/// Work items (owner names' runs, RRsets) of one batch of [`in_batches`]:
/// some thousands of RRSIGs, a fraction of a second on one core for the
/// slowest common algorithm (P-256), so that a stop is seen promptly and
/// the bar moves, while the pause between two batches costs next to
/// nothing.
pub const BATCH: usize = 4096;

#[derive(Debug)]
pub struct Progress {
    /// Octets of the file read (of the decompressed text for a compressed file).
    bytes_read: AtomicU64,
    /// The file's size when the text's is known (a plain file), else 0.
    bytes_total: AtomicU64,
    records: AtomicU64,
    /// RRSIGs given a verdict.
    rrsigs: AtomicU64,
    /// In the phase [`VERIFYING`]: the RRSIGs to verify in all.
    rrsigs_total: AtomicU64,
    phase: AtomicU8,
    cancelled: AtomicBool,
    /// Work items per batch of [`in_batches`].
    batch: usize,
}

impl Default for Progress {
    fn default() -> Progress {
        Progress::with_batch(BATCH)
    }
}

/// (bytes read, bytes in all or 0, records, RRSIGs verified, RRSIGs to
/// verify in all or 0, phase).
pub type Snapshot = (u64, u64, u64, u64, u64, u8);

impl Progress {
    /// Counters whose run verifies `batch` work items at a time (the tests
    /// use tiny batches, so that small zones are verified in many).
    pub fn with_batch(batch: usize) -> Progress {
        Progress {
            bytes_read: AtomicU64::new(0),
            bytes_total: AtomicU64::new(0),
            records: AtomicU64::new(0),
            rrsigs: AtomicU64::new(0),
            rrsigs_total: AtomicU64::new(0),
            phase: AtomicU8::new(0),
            cancelled: AtomicBool::new(false),
            batch: batch.max(1),
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        (
            self.bytes_read.load(Ordering::Relaxed),
            self.bytes_total.load(Ordering::Relaxed),
            self.records.load(Ordering::Relaxed),
            self.rrsigs.load(Ordering::Relaxed),
            self.rrsigs_total.load(Ordering::Relaxed),
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

    /// A part of the zone parsed: `records` more.
    pub fn records(p: Option<&Progress>, records: u64) {
        if let Some(p) = p {
            p.records.fetch_add(records, Ordering::Relaxed);
        }
    }

    /// `rrsigs` more RRSIGs given a verdict.
    pub fn verified(p: Option<&Progress>, rrsigs: u64) {
        if let Some(p) = p {
            p.rrsigs.fetch_add(rrsigs, Ordering::Relaxed);
        }
    }

    /// The zone is in (read whole, or held by the caller): `total` RRSIGs
    /// are now verified, phase [`VERIFYING`].
    pub fn verifying(p: Option<&Progress>, total: u64) {
        if let Some(p) = p {
            p.rrsigs_total.store(total, Ordering::Relaxed);
            p.phase.store(VERIFYING, Ordering::Relaxed);
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
            p.rrsigs_total.store(0, Ordering::Relaxed);
            p.phase.store(READING, Ordering::Relaxed);
        }
    }

    pub fn phase(p: Option<&Progress>, phase: u8) {
        if let Some(p) = p {
            p.phase.store(phase, Ordering::Relaxed);
        }
    }
}

/// Drops `value` on a thread of its own when the run was cancelled (a 1M
/// zone's records take about half a second to free: a stop should not
/// wait for that), else here.
pub fn drop_after<T: Send + 'static>(p: Option<&Progress>, value: T) {
    if Progress::check(p).is_err() {
        if std::thread::Builder::new().name("zoneverify-drop".into()).spawn(move || drop(value)).is_ok() {
            return;
        }
    } else {
        drop(value);
    }
}

/// `work` over `items` on the current rayon pool: without progress
/// counters in one call, with them in slices of the counters' batch size
/// ([`BATCH`] items unless made [`Progress::with_batch`]) one after
/// another, adding `count` of each slice's results to the RRSIGs verified
/// and stopping before the next slice once the run is cancelled. The
/// results of the slices done, in order; after a stop some are missing,
/// and the caller's [`Progress::check`] turns the run into
/// [`CoreError::Cancelled`] (a report is never made of them).
pub fn in_batches<T, R>(
    p: Option<&Progress>,
    items: &[T],
    count: impl Fn(&R) -> u64,
    mut work: impl FnMut(&[T]) -> Vec<R>,
) -> Vec<R> {
    let Some(p) = p else { return work(items) };
    let mut out: Vec<R> = Vec::with_capacity(items.len());
    for slice in items.chunks(p.batch) {
        if p.cancelled.load(Ordering::Relaxed) {
            break;
        }
        let got = work(slice);
        Progress::verified(Some(p), got.iter().map(&count).sum());
        out.extend(got);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_count_what_they_did_and_stop_between_two() {
        let items: Vec<u32> = (0..100).collect();
        // Without counters: one call, everything.
        let mut calls = 0;
        let all = in_batches(None, &items, |_: &u32| 1, |s| {
            calls += 1;
            s.to_vec()
        });
        assert_eq!((all.len(), calls), (100, 1));
        // With counters: slices of the batch size, in order, counted.
        let p = Progress::with_batch(7);
        let mut calls = 0;
        let got = in_batches(Some(&p), &items, |&v: &u32| if v % 2 == 0 { 1 } else { 0 }, |s| {
            calls += 1;
            s.to_vec()
        });
        assert_eq!(got, items);
        assert_eq!(calls, 15);
        assert_eq!(p.snapshot().3, 50);
        // A stop asked for during the third slice: no fourth.
        let p = Progress::with_batch(10);
        let mut calls = 0;
        let got = in_batches(Some(&p), &items, |_: &u32| 1, |s| {
            calls += 1;
            if calls == 3 {
                p.cancel();
            }
            s.to_vec()
        });
        assert_eq!((got.len(), calls, p.snapshot().3), (30, 3, 30));
        assert!(matches!(Progress::check(Some(&p)), Err(CoreError::Cancelled)));
    }
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

//! CPU time per phase inside the signature work (`zoneverify bench`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// CPU time inside the verification phase, summed over worker threads.
pub struct Profile {
    canon_ns: AtomicU64,
    /// Verified-signature cache: computing entries and looking them up.
    cache_ns: AtomicU64,
    cache_n: AtomicU64,
    crypto_ns: [AtomicU64; 256],
    crypto_n: [AtomicU64; 256],
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            canon_ns: AtomicU64::new(0),
            cache_ns: AtomicU64::new(0),
            cache_n: AtomicU64::new(0),
            crypto_ns: std::array::from_fn(|_| AtomicU64::new(0)),
            crypto_n: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }
}

impl Profile {
    /// The start of a timed span; no clock is read when not profiling.
    pub fn start(prof: Option<&Profile>) -> Option<Instant> {
        prof.map(|_| Instant::now())
    }
    pub fn add_canon(prof: Option<&Profile>, t: Option<Instant>) {
        if let (Some(p), Some(t)) = (prof, t) {
            p.canon_ns.fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
        }
    }
    pub fn add_cache(prof: Option<&Profile>, t: Option<Instant>) {
        if let (Some(p), Some(t)) = (prof, t) {
            p.cache_ns.fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
            p.cache_n.fetch_add(1, Ordering::Relaxed);
        }
    }
    pub fn add_crypto(prof: Option<&Profile>, alg: u8, t: Option<Instant>) {
        if let (Some(p), Some(t)) = (prof, t) {
            p.crypto_ns[alg as usize].fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
            p.crypto_n[alg as usize].fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Profile {
    /// CPU seconds spent putting RRsets in canonical form and building
    /// signed data.
    pub fn canonicalise_seconds(&self) -> f64 {
        self.canon_ns.load(Ordering::Relaxed) as f64 * 1e-9
    }

    /// Cache lookups (entry computed and looked up) and their CPU seconds.
    pub fn cache(&self) -> (u64, f64) {
        (self.cache_n.load(Ordering::Relaxed), self.cache_ns.load(Ordering::Relaxed) as f64 * 1e-9)
    }

    /// Per algorithm that was used: (algorithm, verifications, CPU seconds).
    pub fn crypto(&self) -> Vec<(u8, u64, f64)> {
        (0..256usize)
            .filter_map(|a| {
                let n = self.crypto_n[a].load(Ordering::Relaxed);
                (n > 0).then(|| (a as u8, n, self.crypto_ns[a].load(Ordering::Relaxed) as f64 * 1e-9))
            })
            .collect()
    }
}

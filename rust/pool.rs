//! Worker pools: one per run, or started lazily for the batch API.

use crate::error::CoreError;

/// The worker pool: `threads` workers, one per core when `None`; zero is a
/// usage error.
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, CoreError> {
    build_pool(worker_count(threads)?)
}

/// `threads`, or one per core when `None`; zero is a usage error.
fn worker_count(threads: Option<usize>) -> Result<usize, CoreError> {
    match threads {
        Some(0) => Err(CoreError::Usage("jobs must be at least 1".into())),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)),
    }
}

fn build_pool(n: usize) -> Result<rayon::ThreadPool, CoreError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("zoneverify-{i}"))
        .build()
        .map_err(|e| CoreError::Usage(format!("cannot start {n} threads: {e}")))
}

/// A worker pool of a fixed size whose threads start on first use, so that
/// a verifier that only ever sees small batches (run on the calling thread)
/// never starts any. Shareable across threads.
pub struct LazyPool {
    threads: usize,
    pool: std::sync::OnceLock<Result<rayon::ThreadPool, String>>,
}

impl LazyPool {
    pub fn new(threads: Option<usize>) -> Result<LazyPool, CoreError> {
        Ok(LazyPool { threads: worker_count(threads)?, pool: std::sync::OnceLock::new() })
    }

    /// The number of workers (whether or not they have started).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The pool, started on the first call.
    pub fn get(&self) -> Result<&rayon::ThreadPool, CoreError> {
        self.pool
            .get_or_init(|| build_pool(self.threads).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| CoreError::Usage(e.clone()))
    }
}

//! The verified-signature cache (`zoneverify check --cache DIR`): digests
//! of the public-key operations that succeeded in the last run, so that
//! the next publication of the zone repeats only those of the signatures
//! that changed.
//!
//! An entry is `HMAC-SHA-256(secret, "zoneverify-sig-v1" | SHA-256(DNSKEY
//! RDATA) | signed data | signature)`, each part prefixed by its length:
//! "this key verified this signature over exactly these octets". The
//! signed data holds the RRSIG RDATA without the signature (type covered,
//! algorithm, labels, original TTL, expiration, inception, key tag, signer)
//! and the RRset in canonical form (RFC 4034 §3.1.8.1), so an entry covers
//! everything the operation depends on. A hit skips only the public-key
//! operation: the validity window at the verification time and every other
//! check run as without the cache. Only successes are stored.
//!
//! Files, in the cache directory: `secret` (32 random octets, made once),
//! and `signatures` (a header, the digests in ascending order, a SHA-256
//! of all that). Both are created readable by the owner only, written to a
//! temporary file and renamed into place (a crash leaves the old file or
//! the new one, never half of one), so concurrent runs need no lock: the
//! last to finish writes its entries, the other's are verified again next
//! time. A file that is short, corrupt, of another format or zoneverify
//! version, or made with another secret is ignored with a warning and
//! replaced at the end of the run; nothing in it is trusted before its
//! checksum, sizes and order are checked. Each run writes the entries of
//! its own successes (hits included), at most `max_entries`: the entries
//! of signatures the run did not see are dropped. A long-lived user (the
//! batch `Verifier`) writes with [`Cache::save`] whenever it likes; what it
//! keeps in memory in between is bounded by the same limit.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use aws_lc_rs::{digest, hmac};

const MAGIC: &[u8; 8] = b"ZVSIGC\0\0";
const FORMAT: u32 = 1;
/// Magic, format, reserved, version (32), secret's id (32), count.
const HEADER: usize = 8 + 4 + 4 + 32 + 32 + 8;
const ENTRY: usize = 32;
const TRAILER: usize = 32;
const DOMAIN: &[u8] = b"zoneverify-sig-v1";

pub type Entry = [u8; ENTRY];

/// What a run did with the cache, for the report.
#[derive(Clone, Debug, Default)]
pub struct CacheStats {
    /// Entries read from the directory.
    pub loaded: usize,
    /// Public-key operations skipped (the entry was there).
    pub reused: u64,
    /// Public-key operations done.
    pub verified: u64,
    /// Entries written at the end.
    pub stored: usize,
    /// Why the file was ignored or could not be written, if so.
    pub warnings: Vec<String>,
    /// Wall seconds to read and check the file.
    pub load_seconds: f64,
    /// Wall seconds to sort, write and sync this run's entries (0 until
    /// they are written).
    pub save_seconds: f64,
}

/// This run's successes and counts, in shards by an entry's first octet:
/// the verifying threads note every signature, and one lock (or one
/// counter) for all of them made them wait on each other (on the 1M RSA
/// zone a single mutex made the run 60 % longer).
const SHARDS: usize = 64;

struct Shard {
    seen: Vec<Entry>,
    reused: u64,
    verified: u64,
    /// `seen` is sorted and made unique when it reaches this length (0:
    /// not set yet, the cap).
    compact_at: usize,
    /// Entries were left out to keep to the bound.
    overflowed: bool,
}

/// The smallest length at which a shard's entries are compacted.
const COMPACT_MIN: usize = 1 << 12;

impl Default for Shard {
    fn default() -> Shard {
        Shard { seen: Vec::new(), reused: 0, verified: 0, compact_at: 0, overflowed: false }
    }
}

impl Shard {
    /// Sorts and dedups the entries (a signature seen in several batches
    /// is one entry) and keeps at most `cap`. A run that sees each
    /// signature once never gets here before the cap; after it, the next
    /// compaction comes when the shard has doubled, so the work stays
    /// linear in what it holds and the memory within twice the cap.
    fn compact(&mut self, cap: usize) {
        self.seen.sort_unstable();
        self.seen.dedup();
        if self.seen.len() > cap {
            self.seen.truncate(cap);
            self.overflowed = true;
        }
        self.compact_at = Shard::first_compaction(cap).max(2 * self.seen.len());
    }

    fn first_compaction(cap: usize) -> usize {
        cap.max(COMPACT_MIN) + 1
    }
}

/// The entries a run can reuse, in ascending order, with an index by their
/// leading bits. Entries are keyed MACs, so uniform: a bucket of the top
/// bits holds about four, one or two cache lines, where a search over all
/// of them (interpolated, then bisected) took 20 dependent memory accesses,
/// 850 ns on a 1M zone's cache (`lookup_cost` below). A skewed file (not
/// one zoneverify wrote) only makes some buckets longer: each is searched
/// by bisection.
#[derive(Default)]
struct Known {
    entries: Vec<Entry>,
    /// `index[b]..index[b + 1]`: the entries whose top `bits` bits are `b`.
    index: Vec<usize>,
    bits: u32,
}

impl Known {
    fn new(entries: Vec<Entry>) -> Known {
        let n = entries.len();
        let bits = if n < 8 { 0 } else { (usize::BITS - 1 - (n / 4).leading_zeros()).min(26) };
        let mut index = Vec::with_capacity((1usize << bits) + 1);
        let mut i = 0;
        for b in 0..1usize << bits {
            while i < n && Known::bucket(&entries[i], bits) < b {
                i += 1;
            }
            index.push(i);
        }
        index.push(n);
        Known { entries, index, bits }
    }

    fn bucket(e: &Entry, bits: u32) -> usize {
        if bits == 0 {
            return 0;
        }
        let mut top = [0u8; 8];
        top.copy_from_slice(&e[..8]);
        (u64::from_be_bytes(top) >> (64 - bits)) as usize
    }

    fn contains(&self, e: &Entry) -> bool {
        let b = Known::bucket(e, self.bits);
        match (self.index.get(b), self.index.get(b + 1)) {
            (Some(&lo), Some(&hi)) => self.entries[lo..hi].binary_search(e).is_ok(),
            _ => false,
        }
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// An open cache: the last run's entries, and this run's successes.
pub struct Cache {
    key: hmac::Key,
    key_id: [u8; 32],
    known: Known,
    /// Shared with the cache [`Cache::saved`] makes, so that work still
    /// running on this one is noted in the same place.
    shards: std::sync::Arc<[Mutex<Shard>; SHARDS]>,
    /// Where the file is; `None` for a cache held in memory only
    /// ([`Cache::in_memory`]: a cluster's workers and the run they serve),
    /// which writes nothing.
    dir: Option<PathBuf>,
    max_entries: usize,
    /// At most this many entries per shard (the entries are uniform, so
    /// a shard holds 1/SHARDS of them; an eighth more for the spread).
    shard_cap: usize,
    warnings: Mutex<Vec<String>>,
    load_seconds: f64,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.dir {
            Some(d) => write!(f, "Cache({}, {} entries)", d.display(), self.known.len()),
            None => write!(f, "Cache(in memory, {} entries)", self.known.len()),
        }
    }
}

fn version_field() -> [u8; 32] {
    let mut v = [0u8; 32];
    let s = env!("CARGO_PKG_VERSION").as_bytes();
    v[..s.len().min(32)].copy_from_slice(&s[..s.len().min(32)]);
    v
}

/// Writes `data` to `path` through a temporary file in the same directory
/// (owner-only permissions, synced) renamed into place.
fn write_atomically(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("cache");
    let mut nonce = [0u8; 8];
    aws_lc_rs::rand::fill(&mut nonce).map_err(|_| std::io::Error::other("no random numbers"))?;
    let tmp = dir.join(format!(".{name}.{}.{:016x}.tmp", std::process::id(), u64::from_le_bytes(nonce)));
    let result = (|| {
        let mut f = fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The first `count` entries of the compacted shards in ascending order,
/// without gathering them first: shard j holds the entries whose first
/// octet is j mod SHARDS, each shard sorted, so the entries with first
/// octet v are one run of shard v % SHARDS.
fn in_order<S: std::ops::Deref<Target = Shard>>(shards: &[S], count: usize, mut f: impl FnMut(&Entry)) {
    let mut left = count;
    for v in 0..=255u8 {
        let seen = &shards[v as usize % SHARDS].seen;
        let lo = seen.partition_point(|e| e[0] < v);
        let hi = seen.partition_point(|e| e[0] <= v);
        let run = &seen[lo..hi.min(lo + left)];
        for e in run {
            f(e);
        }
        left -= run.len();
    }
}

/// Temporary files of runs that were killed before renaming them
/// (`.NAME.PID.NONCE.tmp` whose process is gone): removed.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        let parts: Vec<&str> = name.split('.').collect();
        // "", NAME, PID, NONCE, "tmp"
        if parts.len() == 5 && parts[0].is_empty() && parts[4] == "tmp" {
            if let Ok(pid) = parts[2].parse::<u32>() {
                if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                    let _ = fs::remove_file(e.path());
                }
            }
        }
    }
}

impl Cache {
    /// Opens (or creates) the cache in `dir`. An error only when the
    /// directory cannot be made or its secret neither read nor written;
    /// a bad entries file is a warning (see the module).
    pub fn open(dir: &Path, max_entries: usize) -> Result<Cache, String> {
        use std::os::unix::fs::DirBuilderExt;
        if !dir.is_dir() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| format!("cache directory {}: cannot create it: {e}", dir.display()))?;
        }
        let t0 = std::time::Instant::now();
        let mut warnings = Vec::new();
        remove_stale_temporaries(dir);
        let secret_path = dir.join("secret");
        let secret = match fs::read(&secret_path) {
            Ok(s) if s.len() == 32 => s,
            other => {
                if let Ok(s) = &other {
                    warnings.push(format!("cache secret {} holds {} octets, not 32: made anew (the entries are void)", secret_path.display(), s.len()));
                }
                let mut s = vec![0u8; 32];
                aws_lc_rs::rand::fill(&mut s).map_err(|_| "no random numbers for the cache secret".to_string())?;
                write_atomically(&secret_path, &s).map_err(|e| format!("cache secret {}: cannot write it: {e}", secret_path.display()))?;
                // Another run may have written its own at the same time:
                // use whichever is there now.
                fs::read(&secret_path).ok().filter(|t| t.len() == 32).unwrap_or(s)
            }
        };
        let key = hmac::Key::new(hmac::HMAC_SHA256, &secret);
        let mut key_id = [0u8; 32];
        key_id.copy_from_slice(hmac::sign(&key, b"zoneverify-cache-id").as_ref());
        let mut cache = Cache {
            key,
            key_id,
            known: Known::default(),
            shards: std::sync::Arc::new(std::array::from_fn(|_| Mutex::new(Shard::default()))),
            dir: Some(dir.to_path_buf()),
            max_entries,
            shard_cap: max_entries.div_ceil(SHARDS) + max_entries.div_ceil(8 * SHARDS),
            warnings: Mutex::new(Vec::new()),
            load_seconds: 0.0,
        };
        let file = cache.file();
        // Never read more than the bound allows: a huge file is refused by
        // its length.
        let limit = (HEADER + TRAILER) as u64 + (max_entries as u64).saturating_mul(ENTRY as u64);
        let read = match fs::metadata(&file) {
            Ok(m) if m.len() > limit => Err(std::io::Error::other(format!(
                "{} octets, more than {max_entries} entries can take",
                m.len()
            ))),
            _ => fs::read(&file),
        };
        match read {
            Ok(data) => match cache.parse(&data) {
                Ok(known) => cache.known = Known::new(known),
                Err(why) => warnings.push(format!("cache file {} ignored: {why}; it is made anew", file.display())),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) if e.kind() == std::io::ErrorKind::Other => {
                warnings.push(format!("cache file {} ignored: {e}; it is made anew", file.display()))
            }
            Err(e) => warnings.push(format!("cache file {} cannot be read: {e}; it is made anew", file.display())),
        }
        *cache.warnings.lock().unwrap_or_else(|e| e.into_inner()) = warnings;
        cache.load_seconds = t0.elapsed().as_secs_f64();
        Ok(cache)
    }

    /// A cache in memory only, with the 32-octet `secret` its entries are
    /// keyed with, knowing `known` (in any order): the workers of a
    /// cluster verify parts of a zone into one with no entries, and the
    /// run over the whole zone reuses what they found through one that
    /// knows them all ([`crate::cluster`]). It writes nothing.
    pub fn in_memory(secret: &[u8], mut known: Vec<Entry>, max_entries: usize) -> Result<Cache, String> {
        if secret.len() != 32 {
            return Err(format!("a cache secret is 32 octets, not {}", secret.len()));
        }
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
        let mut key_id = [0u8; 32];
        key_id.copy_from_slice(hmac::sign(&key, b"zoneverify-cache-id").as_ref());
        known.sort_unstable();
        known.dedup();
        let max_entries = max_entries.max(1);
        Ok(Cache {
            key,
            key_id,
            known: Known::new(known),
            shards: std::sync::Arc::new(std::array::from_fn(|_| Mutex::new(Shard::default()))),
            dir: None,
            max_entries,
            shard_cap: max_entries.div_ceil(SHARDS) + max_entries.div_ceil(8 * SHARDS),
            warnings: Mutex::new(Vec::new()),
            load_seconds: 0.0,
        })
    }

    /// The entries of every success noted so far (at most the bound), in
    /// ascending order, each once: what a cluster's worker sends back.
    pub fn successes(&self) -> Vec<Entry> {
        let mut shards: Vec<_> = self.shards.iter().map(|s| s.lock().unwrap_or_else(|p| p.into_inner())).collect();
        for s in shards.iter_mut() {
            s.compact(self.shard_cap);
        }
        let mut out = Vec::with_capacity(shards.iter().map(|s| s.seen.len()).sum::<usize>().min(self.max_entries));
        in_order(&shards, self.max_entries, |e| out.push(*e));
        out
    }

    fn file(&self) -> PathBuf {
        self.dir.as_deref().unwrap_or(Path::new(".")).join("signatures")
    }

    /// The entries of a file, if it is one this run can trust.
    fn parse(&self, data: &[u8]) -> Result<Vec<Entry>, String> {
        if data.len() < HEADER + TRAILER {
            return Err(format!("{} octets, shorter than a header", data.len()));
        }
        if &data[..8] != MAGIC {
            return Err("not a zoneverify cache file".into());
        }
        let format = u32::from_le_bytes(data[8..12].try_into().unwrap_or_default());
        if format != FORMAT {
            return Err(format!("format {format}, this zoneverify reads format {FORMAT}"));
        }
        if data[16..48] != version_field() {
            let v = String::from_utf8_lossy(&data[16..48]).trim_end_matches('\0').to_string();
            return Err(format!("written by zoneverify {v}, this is {}", env!("CARGO_PKG_VERSION")));
        }
        if data[48..80] != self.key_id {
            return Err("made with another secret".into());
        }
        let count = u64::from_le_bytes(data[80..88].try_into().unwrap_or_default());
        let body = data.len() - HEADER - TRAILER;
        if body % ENTRY != 0 || count != (body / ENTRY) as u64 {
            return Err(format!("says {count} entries but holds {body} octets of them (truncated?)"));
        }
        if count as usize > self.max_entries {
            return Err(format!("{count} entries, more than the limit of {}", self.max_entries));
        }
        let (content, sum) = data.split_at(data.len() - TRAILER);
        if digest::digest(&digest::SHA256, content).as_ref() != sum {
            return Err("checksum does not match (corrupt)".into());
        }
        let known: Vec<Entry> = content[HEADER..].chunks_exact(ENTRY).map(|c| c.try_into().unwrap_or([0; ENTRY])).collect();
        if !known.windows(2).all(|w| w[0] < w[1]) {
            return Err("entries not in ascending order".into());
        }
        Ok(known)
    }

    /// The entry of one public-key operation.
    pub fn entry(&self, key_rdata_sha256: &[u8; 32], signed: &[u8], signature: &[u8]) -> Entry {
        let mut ctx = hmac::Context::with_key(&self.key);
        ctx.update(DOMAIN);
        for part in [&key_rdata_sha256[..], signed, signature] {
            ctx.update(&(part.len() as u32).to_be_bytes());
            ctx.update(part);
        }
        let mut e = [0u8; ENTRY];
        e.copy_from_slice(ctx.sign().as_ref());
        e
    }

    /// Whether the last run stored `e`.
    pub fn contains(&self, e: &Entry) -> bool {
        self.known.contains(e)
    }

    fn shard(&self, e: &Entry) -> std::sync::MutexGuard<'_, Shard> {
        self.shards[e[0] as usize % SHARDS].lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A public-key operation reused (`hit`) or done and successful: its
    /// entry goes into this run's file.
    pub fn succeeded(&self, e: Entry, hit: bool) {
        let mut s = self.shard(&e);
        s.reused += hit as u64;
        s.seen.push(e);
        if s.compact_at == 0 {
            s.compact_at = Shard::first_compaction(self.shard_cap);
        }
        if s.seen.len() >= s.compact_at {
            s.compact(self.shard_cap);
        }
    }

    /// The run starts over (the stream gave up and the whole-zone path
    /// verifies everything again): forget what it counted and noted.
    pub fn restart(&self) {
        for s in self.shards.iter() {
            *s.lock().unwrap_or_else(|p| p.into_inner()) = Shard::default();
        }
    }

    /// The public-key operation of entry `e` done (whatever its outcome).
    pub fn verified(&self, e: &Entry) {
        self.shard(e).verified += 1;
    }

    /// Writes this run's entries (at most `max_entries`) and says what
    /// the run did with the cache; the run's entries and counts are then
    /// forgotten (the end of a run).
    pub fn finish(&self) -> CacheStats {
        let s = self.save();
        self.restart();
        s
    }

    /// Writes the entries of every success since the cache was opened (or
    /// restarted), at most `max_entries`, and says what was done so far;
    /// they stay noted, so a later `save` writes them again with what came
    /// since (the batch `Verifier` between batches).
    pub fn save(&self) -> CacheStats {
        self.save_entries(false).0
    }

    /// Saves (as [`Cache::save`]) and returns the cache the saved entries
    /// are known to: it reuses them, and shares this one's noted
    /// successes and counts (a batch still running on this one adds to
    /// them). What a long-lived user holds after each save.
    pub fn saved(&self) -> (CacheStats, Cache) {
        let (stats, entries) = self.save_entries(true);
        let next = Cache {
            key: self.key.clone(),
            key_id: self.key_id,
            known: Known::new(entries),
            shards: self.shards.clone(),
            dir: self.dir.clone(),
            max_entries: self.max_entries,
            shard_cap: self.shard_cap,
            warnings: Mutex::new(Vec::new()),
            load_seconds: self.load_seconds,
        };
        (stats, next)
    }

    /// Writes the file; with `keep`, also returns the entries written.
    fn save_entries(&self, keep: bool) -> (CacheStats, Vec<Entry>) {
        let t0 = std::time::Instant::now();
        let mut warnings = std::mem::take(&mut *self.warnings.lock().unwrap_or_else(|e| e.into_inner()));
        let (mut reused, mut verified, mut overflowed) = (0, 0, false);
        let mut shards = Vec::with_capacity(SHARDS);
        for s in self.shards.iter() {
            let mut s = s.lock().unwrap_or_else(|p| p.into_inner());
            s.compact(self.shard_cap);
            reused += s.reused;
            verified += s.verified;
            overflowed |= s.overflowed;
            shards.push(s);
        }
        let total: usize = shards.iter().map(|s| s.seen.len()).sum();
        let count = total.min(self.max_entries);
        if total > self.max_entries {
            overflowed = true;
        }
        if overflowed {
            warnings.push(format!(
                "more verified signatures than the limit of {} entries: {count} stored, the rest are verified again next run",
                self.max_entries
            ));
        }
        let mut data = Vec::with_capacity(HEADER + count * ENTRY + TRAILER);
        data.extend_from_slice(MAGIC);
        data.extend_from_slice(&FORMAT.to_le_bytes());
        data.extend_from_slice(&[0u8; 4]);
        data.extend_from_slice(&version_field());
        data.extend_from_slice(&self.key_id);
        data.extend_from_slice(&(count as u64).to_le_bytes());
        in_order(&shards, count, |e| data.extend_from_slice(e));
        drop(shards);
        let sum = digest::digest(&digest::SHA256, &data);
        data.extend_from_slice(sum.as_ref());
        let stored = match self.dir {
            // In memory: nothing is written.
            None => 0,
            Some(_) => match write_atomically(&self.file(), &data) {
                Ok(()) => count,
                Err(e) => {
                    warnings.push(format!("cache file {} cannot be written: {e}", self.file().display()));
                    0
                }
            },
        };
        let entries = if keep {
            data[HEADER..HEADER + count * ENTRY].chunks_exact(ENTRY).map(|c| c.try_into().unwrap_or([0; ENTRY])).collect()
        } else {
            Vec::new()
        };
        let stats = CacheStats {
            loaded: self.known.len(),
            reused,
            verified,
            stored,
            warnings,
            load_seconds: self.load_seconds,
            save_seconds: t0.elapsed().as_secs_f64(),
        };
        (stats, entries)
    }

    /// What was done so far, without writing anything.
    pub fn stats(&self) -> CacheStats {
        let (mut reused, mut verified) = (0, 0);
        for s in self.shards.iter() {
            let s = s.lock().unwrap_or_else(|p| p.into_inner());
            reused += s.reused;
            verified += s.verified;
        }
        CacheStats {
            loaded: self.known.len(),
            reused,
            verified,
            stored: 0,
            warnings: self.warnings.lock().unwrap_or_else(|e| e.into_inner()).clone(),
            load_seconds: self.load_seconds,
            save_seconds: 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("zv-cache-test-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn an_in_memory_cache_knows_what_it_is_given_and_writes_nothing() {
        assert!(Cache::in_memory(b"short", Vec::new(), 10).is_err());
        let worker = Cache::in_memory(&[3u8; 32], Vec::new(), usize::MAX).unwrap();
        let key = [9u8; 32];
        let entries: Vec<Entry> = (0..500u32).map(|i| worker.entry(&key, &i.to_be_bytes(), b"sig")).collect();
        for e in entries.iter().chain(&entries[..100]) {
            worker.succeeded(*e, false);
        }
        // What a worker sends back: each once, ascending.
        let sent = worker.successes();
        assert_eq!(sent.len(), 500);
        assert!(sent.windows(2).all(|w| w[0] < w[1]));
        // The final run's cache, with the same secret, finds exactly them;
        // one with another secret makes other entries.
        let fin = Cache::in_memory(&[3u8; 32], sent.iter().rev().copied().collect(), usize::MAX).unwrap();
        assert!(entries.iter().all(|e| fin.contains(e)));
        assert_eq!(fin.entry(&key, &7u32.to_be_bytes(), b"sig"), entries[7]);
        assert!(!fin.contains(&fin.entry(&key, &7u32.to_be_bytes(), b"other signature")));
        let other = Cache::in_memory(&[4u8; 32], Vec::new(), 10).unwrap();
        assert!(!fin.contains(&other.entry(&key, &7u32.to_be_bytes(), b"sig")));
        // Nothing written anywhere.
        let s = fin.finish();
        assert_eq!((s.stored, s.loaded), (0, 500));
        assert!(!Path::new("./signatures").exists());
    }

    #[test]
    fn entries_survive_a_run_and_only_exact_operations_hit() {
        let d = dir("roundtrip");
        let c = Cache::open(&d, 1000).unwrap();
        let key = [7u8; 32];
        let entries: Vec<Entry> = (0..300u32).map(|i| c.entry(&key, &i.to_be_bytes(), b"sig")).collect();
        for e in &entries {
            c.succeeded(*e, false);
        }
        let s = c.finish();
        assert_eq!((s.stored, s.loaded, s.warnings.len()), (300, 0, 0));
        let c = Cache::open(&d, 1000).unwrap();
        assert_eq!(c.known.len(), 300);
        for e in &entries {
            assert!(c.contains(e));
        }
        // Any other key, data or signature is another entry.
        assert!(!c.contains(&c.entry(&[8u8; 32], &0u32.to_be_bytes(), b"sig")));
        assert!(!c.contains(&c.entry(&key, &0u32.to_be_bytes(), b"sih")));
        assert!(!c.contains(&c.entry(&key, &300u32.to_be_bytes(), b"sig")));
        // The length prefixes keep the parts apart.
        assert_ne!(c.entry(&key, b"ab", b"c"), c.entry(&key, b"a", b"bc"));
        use std::os::unix::fs::PermissionsExt;
        for f in ["secret", "signatures"] {
            assert_eq!(fs::metadata(d.join(f)).unwrap().permissions().mode() & 0o777, 0o600, "{f}");
        }
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_bad_file_is_ignored_with_a_warning() {
        let d = dir("bad");
        let c = Cache::open(&d, 1000).unwrap();
        for i in 0..50u32 {
            c.succeeded(c.entry(&[1; 32], &i.to_be_bytes(), b"s"), false);
        }
        c.finish();
        let good = fs::read(d.join("signatures")).unwrap();
        let mut flipped = good.clone();
        flipped[HEADER + 5] ^= 1;
        // Two equal entries, with a checksum that matches them: the order
        // check, not the checksum, refuses it.
        let mut unsorted = good.clone();
        unsorted.copy_within(HEADER..HEADER + ENTRY, HEADER + ENTRY);
        let end = unsorted.len() - TRAILER;
        let sum = digest::digest(&digest::SHA256, &unsorted[..end]);
        unsorted[end..].copy_from_slice(sum.as_ref());
        let mut other_version = good.clone();
        other_version[16] ^= 0x20;
        let mut other_format = good.clone();
        other_format[8] = 2;
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("truncated", good[..good.len() - 7].to_vec(), "truncated"),
            ("short", good[..20].to_vec(), "shorter than a header"),
            ("flipped", flipped, "checksum"),
            ("unsorted", unsorted, "ascending order"),
            ("version", other_version, "written by zoneverify"),
            ("format", other_format, "format 2"),
            ("garbage", vec![0x5a; 4000], "not a zoneverify cache file"),
        ];
        for (what, data, why) in cases {
            fs::write(d.join("signatures"), &data).unwrap();
            let c = Cache::open(&d, 1000).unwrap();
            assert!(c.known.is_empty(), "{what}");
            let w = c.warnings.lock().unwrap().clone();
            assert!(w.len() == 1 && w[0].contains(why), "{what}: {w:?}");
        }
        // Another secret: every entry is void.
        fs::write(d.join("signatures"), &good).unwrap();
        fs::write(d.join("secret"), [9u8; 32]).unwrap();
        let c = Cache::open(&d, 1000).unwrap();
        assert!(c.known.is_empty());
        assert!(c.warnings.lock().unwrap()[0].contains("another secret"));
        // More entries than the limit.
        let c = Cache::open(&d, 1000).unwrap();
        for i in 0..50u32 {
            c.succeeded(c.entry(&[1; 32], &i.to_be_bytes(), b"s"), false);
        }
        c.finish();
        // Refused by its length, before it is read.
        let c = Cache::open(&d, 10).unwrap();
        assert!(c.known.is_empty() && c.warnings.lock().unwrap()[0].contains("more than 10 entries can take"));
        // A header that claims more entries than the limit (the length
        // check passes: the limit is above the file's size).
        let mut claims = fs::read(d.join("signatures")).unwrap();
        claims[80..88].copy_from_slice(&5000u64.to_le_bytes());
        fs::write(d.join("signatures"), &claims).unwrap();
        let c = Cache::open(&d, 100).unwrap();
        assert!(c.known.is_empty() && c.warnings.lock().unwrap()[0].contains("truncated"), "{:?}", c.warnings);
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn the_search_finds_every_entry_and_no_other() {
        let d = dir("search");
        let mut c = Cache::open(&d, 1 << 20).unwrap();
        let mut known: Vec<Entry> = (0..20_000u32).map(|i| c.entry(&[3; 32], &i.to_be_bytes(), b"x")).collect();
        known.sort_unstable();
        // Skewed entries too (the search may not assume uniformity).
        known.extend((0..64u8).map(|i| {
            let mut e = [0xff; 32];
            e[31] = i;
            e
        }));
        known.insert(0, [0; 32]);
        known.sort_unstable();
        known.dedup();
        c.known = Known::new(known.clone());
        for e in &known {
            assert!(c.contains(e));
        }
        for i in 20_000..25_000u32 {
            assert!(!c.contains(&c.entry(&[3; 32], &i.to_be_bytes(), b"x")));
        }
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn saves_of_a_long_lived_cache_dedup_bound_and_reuse() {
        let d = dir("saved");
        let c = Cache::open(&d, 100_000).unwrap();
        let key = [5u8; 32];
        let entries: Vec<Entry> = (0..40_000u32).map(|i| c.entry(&key, &i.to_be_bytes(), b"s")).collect();
        // The same successes noted three times: one entry each.
        for _ in 0..3 {
            for e in &entries {
                c.succeeded(*e, false);
            }
        }
        let (stats, next) = c.saved();
        assert_eq!((stats.stored, stats.warnings.len()), (40_000, 0));
        // The saved cache reuses what was written and keeps the notes.
        assert!(entries.iter().all(|e| next.contains(e)));
        assert!(!entries.iter().any(|e| c.contains(e)));
        next.succeeded(c.entry(&key, b"one more", b"s"), false);
        assert_eq!(next.save().stored, 40_001);
        // Over the bound: at most the bound kept and written, with a warning.
        let small = Cache::open(&dir("saved-small"), 1000).unwrap();
        for _ in 0..20 {
            for e in &entries {
                small.succeeded(*e, false);
            }
        }
        let held: usize = small.shards.iter().map(|s| s.lock().unwrap().seen.len()).sum();
        assert!(held <= SHARDS * 2 * Shard::first_compaction(small.shard_cap), "{held}");
        let s = small.save();
        assert_eq!(s.stored, 1000);
        assert!(s.warnings[0].contains("than the limit of 1000 entries: 1000 stored"), "{:?}", s.warnings);
        let _ = fs::remove_dir_all(&d);
        let _ = fs::remove_dir_all(dir("saved-small"));
    }

    /// The cost of one lookup on a cache of a 1M-delegation zone, alone on
    /// one thread: `cargo test --release --lib lookup_cost -- --ignored
    /// --nocapture`. (The profile's figure in `zoneverify bench` is a
    /// span of wall time on each verifying thread, which also holds the
    /// time the thread waited for a core while the reader had it.)
    #[test]
    #[ignore]
    fn lookup_cost() {
        let d = dir("cost");
        let n = 1_300_292u32;
        let c = Cache::open(&d, 10_000_000).unwrap();
        let key = [9u8; 32];
        // Signed data as in the zones: the RRSIG RDATA and one NSEC RR,
        // about 110 octets; signatures of P-256 (64) and RSA-2048 (256).
        let signed = |i: u32| {
            let mut v = vec![0u8; 110];
            v[..4].copy_from_slice(&i.to_be_bytes());
            v
        };
        for (what, sig_len) in [("P-256", 64usize), ("RSA-2048", 256)] {
            let sig = vec![0xa5u8; sig_len];
            let t = std::time::Instant::now();
            let entries: Vec<Entry> = (0..n).map(|i| c.entry(&key, &signed(i), &sig)).collect();
            let hmac = t.elapsed().as_secs_f64() / n as f64;
            for e in &entries {
                c.succeeded(*e, false);
            }
            let t = std::time::Instant::now();
            let s = c.finish();
            let save = t.elapsed().as_secs_f64();
            let c2 = Cache::open(&d, 10_000_000).unwrap();
            let t = std::time::Instant::now();
            let hits = entries.iter().rev().filter(|e| c2.contains(e)).count();
            let search = t.elapsed().as_secs_f64() / n as f64;
            assert_eq!(hits, n as usize);
            eprintln!(
                "{what}: entry (HMAC-SHA-256 of {} octets) {:.0} ns, search among {} {:.0} ns; {} entries saved in {save:.3} s, loaded in {:.3} s",
                4 + 32 + 4 + 110 + 4 + sig_len + 17,
                hmac * 1e9,
                s.stored,
                search * 1e9,
                s.stored,
                c2.stats().load_seconds
            );
        }
        let _ = fs::remove_dir_all(&d);
    }
}

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
//! of signatures the run did not see are dropped.

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
}

/// This run's successes and counts, in shards by an entry's first octet:
/// the verifying threads note every signature, and one lock (or one
/// counter) for all of them made them wait on each other (on the 1M RSA
/// zone a single mutex made the run 60 % longer).
const SHARDS: usize = 64;

#[derive(Default)]
struct Shard {
    seen: Vec<Entry>,
    reused: u64,
    verified: u64,
}

/// An open cache: the last run's entries, and this run's successes.
pub struct Cache {
    key: hmac::Key,
    key_id: [u8; 32],
    known: Vec<Entry>,
    shards: [Mutex<Shard>; SHARDS],
    dir: PathBuf,
    max_entries: usize,
    warnings: Mutex<Vec<String>>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cache({}, {} entries)", self.dir.display(), self.known.len())
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
            known: Vec::new(),
            shards: std::array::from_fn(|_| Mutex::new(Shard::default())),
            dir: dir.to_path_buf(),
            max_entries,
            warnings: Mutex::new(Vec::new()),
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
                Ok(known) => cache.known = known,
                Err(why) => warnings.push(format!("cache file {} ignored: {why}; it is made anew", file.display())),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) if e.kind() == std::io::ErrorKind::Other => {
                warnings.push(format!("cache file {} ignored: {e}; it is made anew", file.display()))
            }
            Err(e) => warnings.push(format!("cache file {} cannot be read: {e}; it is made anew", file.display())),
        }
        *cache.warnings.lock().unwrap_or_else(|e| e.into_inner()) = warnings;
        Ok(cache)
    }

    fn file(&self) -> PathBuf {
        self.dir.join("signatures")
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

    /// Whether the last run stored `e`. The entries are uniform, so the
    /// search starts where `e` would be if they were evenly spread.
    pub fn contains(&self, e: &Entry) -> bool {
        let k = &self.known;
        let n = k.len();
        if n == 0 {
            return false;
        }
        let prefix = u64::from_be_bytes(e[..8].try_into().unwrap_or_default());
        let guess = (((prefix as u128) * (n as u128)) >> 64) as usize;
        let guess = guess.min(n - 1);
        let (lo, hi) = match k[guess].cmp(e) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => {
                let (mut lo, mut step) = (guess + 1, 1usize);
                loop {
                    let p = guess + step;
                    if p >= n {
                        break (lo, n);
                    }
                    if k[p] >= *e {
                        break (lo, p + 1);
                    }
                    lo = p + 1;
                    step *= 2;
                }
            }
            std::cmp::Ordering::Greater => {
                let (mut hi, mut step) = (guess, 1usize);
                loop {
                    if step > guess {
                        break (0, hi);
                    }
                    let p = guess - step;
                    if k[p] <= *e {
                        break (p, hi);
                    }
                    hi = p;
                    step *= 2;
                }
            }
        };
        k[lo..hi].binary_search(e).is_ok()
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
    }

    /// The run starts over (the stream gave up and the whole-zone path
    /// verifies everything again): forget what it counted and noted.
    pub fn restart(&self) {
        for s in &self.shards {
            *s.lock().unwrap_or_else(|p| p.into_inner()) = Shard::default();
        }
    }

    /// The public-key operation of entry `e` done (whatever its outcome).
    pub fn verified(&self, e: &Entry) {
        self.shard(e).verified += 1;
    }

    /// Writes this run's entries (at most `max_entries`) and says what
    /// the run did with the cache.
    pub fn finish(&self) -> CacheStats {
        let mut warnings = std::mem::take(&mut *self.warnings.lock().unwrap_or_else(|e| e.into_inner()));
        let (mut seen, mut reused, mut verified) = (Vec::new(), 0, 0);
        for s in &self.shards {
            let s = std::mem::take(&mut *s.lock().unwrap_or_else(|p| p.into_inner()));
            seen.extend(s.seen);
            reused += s.reused;
            verified += s.verified;
        }
        seen.sort_unstable();
        seen.dedup();
        if seen.len() > self.max_entries {
            warnings.push(format!("{} verified signatures, more than the limit of {} entries: the rest are not stored", seen.len(), self.max_entries));
            seen.truncate(self.max_entries);
        }
        let mut data = Vec::with_capacity(HEADER + seen.len() * ENTRY + TRAILER);
        data.extend_from_slice(MAGIC);
        data.extend_from_slice(&FORMAT.to_le_bytes());
        data.extend_from_slice(&[0u8; 4]);
        data.extend_from_slice(&version_field());
        data.extend_from_slice(&self.key_id);
        data.extend_from_slice(&(seen.len() as u64).to_le_bytes());
        for e in &seen {
            data.extend_from_slice(e);
        }
        let sum = digest::digest(&digest::SHA256, &data);
        data.extend_from_slice(sum.as_ref());
        let stored = match write_atomically(&self.file(), &data) {
            Ok(()) => seen.len(),
            Err(e) => {
                warnings.push(format!("cache file {} cannot be written: {e}", self.file().display()));
                0
            }
        };
        CacheStats {
            loaded: self.known.len(),
            reused,
            verified,
            stored,
            warnings,
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
        c.known = known.clone();
        for e in &known {
            assert!(c.contains(e));
        }
        for i in 20_000..25_000u32 {
            assert!(!c.contains(&c.entry(&[3; 32], &i.to_be_bytes(), b"x")));
        }
        let _ = fs::remove_dir_all(&d);
    }
}

//! Which store for the verified-signature cache: 1.3M 32-octet digests (a
//! 1M-delegation zone's signatures), looked up by the next run, of which
//! 98.9 % are there, then the file written again. One thread.
//!
//!     cargo run --release [N] [WORK_DIR]
//!
//! "sorted file" bisects the whole array; zoneverify's file is the same,
//! searched through an index of the leading bits (rust/sig/cache.rs,
//! `Known`; its cost: `cargo test --release --lib lookup_cost -- --ignored
//! --nocapture` in the project).
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io::Write;
use std::time::Instant;

type E = [u8; 32];

fn entry(i: u64) -> E {
    let mut h = Sha256::new();
    h.update(i.to_le_bytes());
    h.finalize().into()
}

fn main() {
    let n: u64 = std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(1_300_304);
    let dir = std::path::PathBuf::from(std::env::args().nth(2).unwrap_or_else(|| std::env::temp_dir().join("zv-cache-store").to_string_lossy().into_owned()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut stored: Vec<E> = (0..n).map(entry).collect();
    // The next run: 98.9 % of the entries again, 1.1 % new ones, in zone order (random for digests).
    let fresh = n / 90;
    let mut probe: Vec<E> = (fresh..n).map(entry).chain((n..n + fresh).map(entry)).collect();
    probe.sort_by_key(|e| e[5]); // some shuffle unrelated to the sort order
    stored.sort_unstable();

    // 1. One sorted file, read whole, checked by SHA-256, searched.
    let path = dir.join("sorted");
    let t = Instant::now();
    {
        let mut data = Vec::with_capacity(stored.len() * 32 + 32);
        for e in &stored { data.extend_from_slice(e); }
        let sum = Sha256::digest(&data);
        data.extend_from_slice(&sum);
        let tmp = dir.join("sorted.tmp");
        let mut f = std::fs::File::create(&tmp).unwrap();
        f.write_all(&data).unwrap();
        f.sync_all().unwrap();
        std::fs::rename(&tmp, &path).unwrap();
    }
    let write_sorted = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let data = std::fs::read(&path).unwrap();
    let (body, sum) = data.split_at(data.len() - 32);
    assert_eq!(&Sha256::digest(body)[..], sum);
    let known: Vec<E> = body.chunks_exact(32).map(|c| c.try_into().unwrap()).collect();
    let load_sorted = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let hits = probe.iter().filter(|e| known.binary_search(e).is_ok()).count();
    let look_sorted = t.elapsed().as_secs_f64();
    println!("sorted file: write {write_sorted:.3} s, load+check {load_sorted:.3} s, {} lookups {look_sorted:.3} s ({:.0} ns each), {hits} hits, {} bytes",
        probe.len(), look_sorted / probe.len() as f64 * 1e9, std::fs::metadata(&path).unwrap().len());

    // 2. The same file into a HashSet.
    let t = Instant::now();
    let set: HashSet<E> = known.iter().copied().collect();
    let build = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let hits = probe.iter().filter(|e| set.contains(*e)).count();
    let look = t.elapsed().as_secs_f64();
    println!("hash set (from the file): build {build:.3} s, lookups {look:.3} s ({:.0} ns each), {hits} hits", look / probe.len() as f64 * 1e9);
    drop(set);

    // 3. redb.
    let rpath = dir.join("redb");
    const T: redb::TableDefinition<&[u8; 32], ()> = redb::TableDefinition::new("sigs");
    let t = Instant::now();
    {
        let db = redb::Database::create(&rpath).unwrap();
        let w = db.begin_write().unwrap();
        {
            let mut tab = w.open_table(T).unwrap();
            for e in &stored { tab.insert(e, ()).unwrap(); }
        }
        w.commit().unwrap();
    }
    let write_redb = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let db = redb::Database::open(&rpath).unwrap();
    let r = db.begin_read().unwrap();
    let tab = r.open_table(T).unwrap();
    let open = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let hits = probe.iter().filter(|e| tab.get(*e).unwrap().is_some()).count();
    let look = t.elapsed().as_secs_f64();
    drop(tab); drop(r);
    // The next run's update: insert the new, delete the unseen.
    let t = Instant::now();
    {
        let w = db.begin_write().unwrap();
        {
            let mut tab = w.open_table(T).unwrap();
            for i in n..n + fresh { tab.insert(&entry(i), ()).unwrap(); }
            for i in 0..fresh { tab.remove(&entry(i)).unwrap(); }
        }
        w.commit().unwrap();
    }
    let upd = t.elapsed().as_secs_f64();
    drop(db);
    println!("redb: write all {write_redb:.3} s, open {open:.3} s, lookups {look:.3} s ({:.0} ns each), {hits} hits, update ({fresh} in, {fresh} out) {upd:.3} s, {} bytes",
        look / probe.len() as f64 * 1e9, std::fs::metadata(&rpath).unwrap().len());

    // 4. LMDB (heed).
    let lpath = dir.join("lmdb");
    std::fs::create_dir_all(&lpath).unwrap();
    let env = unsafe { heed::EnvOpenOptions::new().map_size(1 << 30).open(&lpath).unwrap() };
    let t = Instant::now();
    let mut w = env.write_txn().unwrap();
    let ldb: heed::Database<heed::types::Bytes, heed::types::Unit> = env.create_database(&mut w, None).unwrap();
    for e in &stored { ldb.put(&mut w, e, &()).unwrap(); }
    w.commit().unwrap();
    env.force_sync().unwrap();
    let write_l = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let r = env.read_txn().unwrap();
    let hits = probe.iter().filter(|e| ldb.get(&r, &e[..]).unwrap().is_some()).count();
    let look = t.elapsed().as_secs_f64();
    drop(r);
    let t = Instant::now();
    let mut w = env.write_txn().unwrap();
    for i in n..n + fresh { ldb.put(&mut w, &entry(i), &()).unwrap(); }
    for i in 0..fresh { ldb.delete(&mut w, &entry(i)).unwrap(); }
    w.commit().unwrap();
    env.force_sync().unwrap();
    let upd = t.elapsed().as_secs_f64();
    let size: u64 = std::fs::read_dir(&lpath).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum();
    println!("lmdb (heed): write all {write_l:.3} s, lookups {look:.3} s ({:.0} ns each), {hits} hits, update ({fresh} in, {fresh} out) {upd:.3} s, {size} bytes",
        look / probe.len() as f64 * 1e9);
    let _ = std::fs::remove_dir_all(&dir);
}

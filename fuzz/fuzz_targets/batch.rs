//! The batch wire input (batch.rs): split_wire, records_from_wire,
//! KeySet::from_rdatas, verify_wire and verify_raw on arbitrary buffers.
//! split_wire and records_from_wire agree; verify_wire's outcome has one
//! row per RRSIG and one status per item; nothing panics or hangs.
//!
//! Input: octet 0: number of DNSKEYs (low 2 bits); octet 1: number of
//! items (low 3 bits); each DNSKEY RDATA with a two-octet length; one
//! octet per item (low nibble: its RRs, high nibble: its RRSIGs); the rest
//! is the wire buffer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zoneverify::batch::{records_from_wire, split_wire, verify_raw, verify_wire, BatchContext, KeySet};
use zoneverify::dns::name::Name;
use zoneverify::dns::rrtype;
use zoneverify::pool::LazyPool;
use zoneverify_fuzz::example;

fn take<'a>(d: &mut &'a [u8], n: usize) -> &'a [u8] {
    let n = n.min(d.len());
    let (a, b) = d.split_at(n);
    *d = b;
    a
}

fuzz_target!(|data: &[u8]| {
    let mut d = data;
    let head = take(&mut d, 2);
    if head.len() < 2 {
        return;
    }
    let (nkeys, nitems) = ((head[0] & 3) as usize, (head[1] & 7) as usize);
    let mut keys = Vec::new();
    for _ in 0..nkeys {
        let l = take(&mut d, 2);
        let l = if l.len() == 2 { u16::from_be_bytes([l[0], l[1]]) as usize } else { 0 };
        keys.push(take(&mut d, l).to_vec());
    }
    let counts = take(&mut d, nitems);
    let rr_counts: Vec<u32> = counts.iter().map(|&c| (c & 15) as u32).collect();
    let sig_counts: Vec<u32> = counts.iter().map(|&c| (c >> 4) as u32).collect();
    let wire = d;

    let split = split_wire(wire, "fuzz");
    let recs = records_from_wire(wire, "fuzz");
    match (&split, &recs) {
        (Ok(s), Ok(r)) => {
            assert_eq!(s.len(), r.len());
            for (a, b) in s.iter().zip(r) {
                assert_eq!(a.owner, b.owner.as_wire());
                assert_eq!((a.rtype, a.class, a.ttl, a.rdata), (b.rtype, b.class, b.ttl, &b.rdata[..]));
            }
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("split_wire and records_from_wire disagree: {split:?} / {recs:?}"),
    }
    // The zone of the keys: the first record's owner, else example.
    let origin = split
        .as_ref()
        .ok()
        .and_then(|s| s.first())
        .and_then(|rr| Name::from_wire(rr.owner))
        .map(|(n, _)| n.to_lowercase())
        .unwrap_or_else(example);
    let Ok(keyset) = KeySet::from_rdatas(origin, keys) else { return };
    let pool = LazyPool::new(Some(1)).unwrap();
    let ctx = BatchContext { keyset: &keyset, now: 1_700_000_000, pool: &pool, cache: None };
    let check = |rc: &[u32], sc: &[u32]| {
        if let Ok(out) = verify_wire(&ctx, wire, rc, sc) {
            let rows: u32 = sc.iter().sum();
            assert_eq!(out.item.len(), rows as usize);
            assert_eq!(out.rrsigs.len(), rows as usize);
            assert_eq!(out.item_status.len(), rc.len());
            assert_eq!(out.item_rrsigs, sc);
        }
    };
    check(&rr_counts, &sig_counts);
    // The same records as one item: the trailing RRSIGs sign the RRs before.
    if let Ok(s) = &split {
        let sigs = s.iter().rev().take_while(|rr| rr.rtype == rrtype::RRSIG).count();
        check(&[(s.len() - sigs) as u32], &[sigs as u32]);
    }
    // The buffer as signed data, the DNSKEYs' octets as the signature.
    let sig = keyset.rdatas()[0].as_slice();
    let key_index = [(head[0] >> 2) as i64 % 4 - 1];
    if let Ok(out) = verify_raw(&ctx, wire, &[0, wire.len() as i64], sig, &[0, sig.len() as i64], Some(&key_index), None) {
        assert_eq!(out.item_status.len(), 1);
    }
});

//! Canonical form and signed data (dns/canon.rs): canonical_rdata is
//! idempotent, changes only the case of octets and leaves malformed RDATA
//! as it was; sorted_canonical_rdatas is sorted, free of duplicates and
//! idempotent; parse_rrsig splits its input exactly; signed_data writes
//! exactly RFC 4034 §3.1.8.1's octets (checked against an independent
//! construction here); canonical name order is a total order.
//!
//! Input: two octets of type (big-endian; below 0x8000 an entry of the
//! mnemonic table), one of class, then length-prefixed items (one octet of
//! length; a short last item takes what is left): an RRSIG RDATA, an owner
//! name in wire form, then the RDATAs of the RRset.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zoneverify::dns::canon::{canonical_rdata, parse_rrsig, signed_data, sorted_canonical_rdatas};
use zoneverify::dns::name::Name;
use zoneverify::dns::rrtype;

fn items(mut d: &[u8]) -> Vec<&[u8]> {
    let mut v = Vec::new();
    while let Some((&l, rest)) = d.split_first() {
        let l = (l as usize).min(rest.len());
        v.push(&rest[..l]);
        d = &rest[l..];
    }
    v
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let sel = u16::from_be_bytes([data[0], data[1]]);
    let rtype = if sel < 0x8000 { rrtype::TYPES[sel as usize % rrtype::TYPES.len()].0 } else { sel };
    let class = data[2] as u16;
    let it = items(&data[3..]);
    let rrsig_rdata: &[u8] = it.first().copied().unwrap_or(&[]);
    let owner = it.get(1).and_then(|w| Name::from_wire(w)).map(|(n, _)| n).unwrap_or_else(Name::root);
    let rdatas: Vec<&[u8]> = it.iter().skip(2).copied().collect();

    // canonical_rdata, one RDATA at a time.
    let mut canon: Vec<Vec<u8>> = Vec::new();
    for r in rdatas.iter().copied().chain(std::iter::once(rrsig_rdata)) {
        let mut out = b"prefix".to_vec();
        let ok = canonical_rdata(rtype, r, &mut out);
        assert_eq!(&out[..6], b"prefix", "canonical_rdata touched what was in the buffer");
        let out = out.split_off(6);
        assert_eq!(out.len(), r.len());
        assert!(out.eq_ignore_ascii_case(r), "canonical_rdata changed more than case");
        if !ok {
            assert_eq!(out, r, "malformed RDATA must be copied unchanged");
        }
        let mut again = Vec::new();
        assert_eq!(canonical_rdata(rtype, &out, &mut again), ok, "well-formedness changed by canonicalising");
        assert_eq!(again, out, "canonical_rdata is not idempotent");
        canon.push(out);
    }
    canon.pop();

    // sorted_canonical_rdatas: the canonical forms, sorted, deduplicated.
    let sorted = sorted_canonical_rdatas(rtype, rdatas.iter().copied());
    let mut want = canon.clone();
    want.sort();
    want.dedup();
    assert_eq!(sorted, want);
    assert!(sorted.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(sorted_canonical_rdatas(rtype, sorted.iter().map(|v| v.as_slice())), sorted, "not idempotent");

    // Canonical name order (RFC 4034 §6.1) is a total order whose
    // equality is case-insensitive equality, among the names in the input.
    let names: Vec<Name> = it.iter().filter_map(|w| Name::from_wire(w)).map(|(n, _)| n).take(8).collect();
    for a in &names {
        for b in &names {
            let o = a.canonical_cmp(b);
            assert_eq!(o, b.canonical_cmp(a).reverse());
            assert_eq!(o == std::cmp::Ordering::Equal, a.eq_ignore_case(b), "{a} / {b}");
            assert_eq!(o, a.to_lowercase().canonical_cmp(&b.to_lowercase()));
            for c in &names {
                if o.is_lt() && b.canonical_cmp(c).is_lt() {
                    assert!(a.canonical_cmp(c).is_lt(), "not transitive: {a} < {b} < {c}");
                }
            }
        }
    }

    // parse_rrsig and signed_data.
    let Some(sig) = parse_rrsig(rrsig_rdata) else { return };
    assert!(sig.header.len() > 18);
    assert_eq!([sig.header, sig.signature].concat(), rrsig_rdata, "parse_rrsig lost or added octets");
    assert_eq!(sig.signer, &sig.header[18..]);
    assert_eq!(sig.type_covered, u16::from_be_bytes([rrsig_rdata[0], rrsig_rdata[1]]));
    assert_eq!(sig.key_tag, u16::from_be_bytes([rrsig_rdata[16], rrsig_rdata[17]]));
    let mut buf = vec![0xAA; 7];
    signed_data(&mut buf, &sig, &owner, class, &sorted);
    // Independently: RRSIG RDATA less signature, signer lower-cased; then
    // each RR with the owner (or the wildcard it was expanded from).
    let mut exp = sig.header[..18].to_vec();
    exp.extend(sig.header[18..].to_ascii_lowercase());
    let labels: Vec<&[u8]> = owner.labels().collect();
    let mut ow = Vec::new();
    let n = sig.labels as usize;
    if n < owner.rrsig_labels() {
        ow.extend_from_slice(b"\x01*");
        for l in &labels[labels.len() - n..] {
            ow.push(l.len() as u8);
            ow.extend(l.to_ascii_lowercase());
        }
        ow.push(0);
    } else {
        ow = owner.as_wire().to_ascii_lowercase();
    }
    for r in &sorted {
        exp.extend_from_slice(&ow);
        exp.extend_from_slice(&sig.type_covered.to_be_bytes());
        exp.extend_from_slice(&class.to_be_bytes());
        exp.extend_from_slice(&sig.original_ttl.to_be_bytes());
        exp.extend_from_slice(&(r.len() as u16).to_be_bytes());
        exp.extend_from_slice(r);
    }
    assert_eq!(buf, exp, "signed_data differs from RFC 4034 §3.1.8.1");
});

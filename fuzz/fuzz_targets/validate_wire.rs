//! Wire RDATA validation (rdata::validate_wire) for any type and octets.
//! Its verdict must be the RFC 3597 zone-file path's (`\# len hex`), which
//! reads back exactly the octets it accepts, and RDATA it accepts must be
//! well formed for canonical_rdata too.
//!
//! Input: two octets choosing the type (big-endian; below 0x8000 an entry
//! of the mnemonic table, else the number itself), then the RDATA.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zoneverify::dns::canon::canonical_rdata;
use zoneverify::parse::rdata::validate_wire;
use zoneverify::dns::rrtype;
use zoneverify::parse::zonefile::{parse_sequential, ParseOptions};
use zoneverify_fuzz::example;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let sel = u16::from_be_bytes([data[0], data[1]]);
    let rtype = if sel < 0x8000 { rrtype::TYPES[sel as usize % rrtype::TYPES.len()].0 } else { sel };
    let rdata = &data[2..];
    let verdict = validate_wire(rtype, rdata);
    if verdict.is_ok() {
        let mut out = Vec::new();
        assert!(canonical_rdata(rtype, rdata, &mut out), "validate_wire accepts what canonical_rdata calls malformed (type {rtype})");
    }
    if rdata.len() > 65535 {
        return;
    }
    let hex: String = rdata.iter().map(|x| format!("{x:02x}")).collect();
    let text = format!("x.example. 300 IN TYPE{rtype} \\# {} {hex}\n", rdata.len());
    let opts = ParseOptions { origin: Some(example()), default_ttl: Some(300), allow_include: false };
    match (verdict, parse_sequential(text.as_bytes(), "fuzz", &opts)) {
        (Ok(()), Ok(z)) => {
            assert_eq!(z.records.len(), 1);
            assert_eq!(z.records[0].rdata, rdata, "the generic form reads back differently");
        }
        (Err(_), Err(_)) => {}
        (Ok(()), Err(e)) => panic!("validate_wire accepts type {rtype} RDATA that the generic form rejects: {e}"),
        (Err(e), Ok(_)) => panic!("the generic form accepts type {rtype} RDATA that validate_wire rejects: {e}"),
    }
});

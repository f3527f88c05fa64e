//! RDATA presentation to wire (rdata::parse_rdata, through one-record
//! zones). Whatever the parser accepts must be well-formed wire RDATA for
//! its type (rdata::validate_wire, canon::canonical_rdata), and must read
//! back identically through the RFC 3597 generic form `\# len hex`;
//! under a long origin too, the RDATA must fit in 65535 octets.
//!
//! Input: two octets choosing the type (big-endian; below 0x8000 an entry
//! of the mnemonic table, else `TYPEnnn` with the low 15 bits), then the
//! RDATA text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zoneverify::dns::canon::canonical_rdata;
use zoneverify::dns::name::Name;
use zoneverify::parse::rdata::validate_wire;
use zoneverify::dns::rrtype;
use zoneverify::parse::zonefile::{parse_sequential, ParseOptions};
use zoneverify_fuzz::{assert_error_names_line, assert_records_sane, example};

fn long_origin() -> Name {
    Name::from_text(&format!("{}.", vec!["o".repeat(60); 4].join(".")), None).unwrap()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let sel = u16::from_be_bytes([data[0], data[1]]);
    let mnemonic = if sel < 0x8000 {
        rrtype::TYPES[sel as usize % rrtype::TYPES.len()].1.to_string()
    } else {
        format!("TYPE{}", sel & 0x7fff)
    };
    let mut text = format!("x.example. 300 IN {mnemonic} ").into_bytes();
    text.extend_from_slice(&data[2..]);
    let opts = ParseOptions { origin: Some(example()), default_ttl: Some(300), allow_include: false };
    // Under a 245-octet origin every relative name grows to its limit.
    let long = ParseOptions { origin: Some(long_origin()), ..opts.clone() };
    match parse_sequential(&text, "fuzz", &long) {
        Ok(z) => assert_records_sane(&z.records, &text),
        Err(e) => assert_error_names_line(&e, &text),
    }
    let z = match parse_sequential(&text, "fuzz", &opts) {
        Ok(z) => z,
        Err(e) => {
            assert_error_names_line(&e, &text);
            return;
        }
    };
    assert_records_sane(&z.records, &text);
    for r in &z.records {
        if let Err(e) = validate_wire(r.rtype, &r.rdata) {
            panic!("parser output fails validate_wire for type {}: {e}: {:02x?}", r.rtype, r.rdata);
        }
        let mut out = Vec::new();
        assert!(canonical_rdata(r.rtype, &r.rdata, &mut out), "parser output is malformed for canonical_rdata, type {}: {:02x?}", r.rtype, r.rdata);
        let generic = format!("x.example. 300 IN TYPE{} \\# {} {}\n", r.rtype, r.rdata.len(), hex(&r.rdata));
        match parse_sequential(generic.as_bytes(), "generic", &opts) {
            Ok(g) => {
                assert_eq!(g.records.len(), 1);
                assert_eq!(g.records[0].rdata, r.rdata, "generic form reads back differently");
            }
            Err(e) => panic!("generic form of parser output rejected: {e}\n{generic}"),
        }
    }
});

//! A zone transfer's response as a hostile server could send it
//! (parse/axfr.rs `receive`): any octets end in records or an error, never
//! a panic, a hang or memory without bound; records come out only after an
//! opening SOA of the zone asked for, with names and RDATA decompressed
//! into valid uncompressed form. `Source::parse` takes any text too.
//!
//! Input: two octets of message ID, then the TCP stream (messages, each
//! behind its two-octet length), for the zone `example.`.
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use zoneverify::dns::name::Name;
use zoneverify::parse::axfr::{receive, Source};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(s) = Source::parse(text) {
            assert!(Source::parse(&s.label()).is_ok(), "a label reads back: {}", s.label());
        }
    }
    if data.len() < 2 {
        return;
    }
    let id = [data[0], data[1]];
    // `&[u8]` as the transport: a short read is UnexpectedEof, as a closed
    // connection.
    let mut rest = &data[2..];
    let read = |buf: &mut [u8]| rest.read_exact(buf);
    let zone = Name::from_text("example.", None).unwrap();
    let mut seen = 0usize;
    let mut sink = |part: Vec<zoneverify::dns::record::Record>, _last: bool| {
        for r in &part {
            if seen == 0 {
                assert!(r.owner.eq_ignore_case(&zone) && r.rtype == 6, "the first record is the zone's SOA");
            }
            seen += 1;
            assert!(Name::from_wire(r.owner.as_wire()).is_some());
        }
    };
    let _ = receive(read, id, &zone, None, "axfr://fuzz/example.", &mut sink);
});

//! The DNS vocabulary every stage shares: names, types, records, serial
//! arithmetic, and the canonical form of RDATA and RRSIG signed data.

pub mod canon;
pub mod name;
pub mod record;
pub mod rrtype;
pub mod serial;

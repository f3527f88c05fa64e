//! zoneverify core: parse a DNSSEC-signed zone, build canonical signed data,
//! verify every RRSIG in parallel and report.
//!
//! Every module here is free of PyO3 so that `cargo test` needs no Python;
//! the binding lives in [`python`] behind the `python` feature.

pub mod anchor;
pub mod batch;
pub mod canon;
pub mod checks;
pub mod crypto;
pub mod denial;
pub mod error;
pub mod name;
pub mod rdata;
pub mod record;
pub mod rrtype;
pub mod serial;
pub mod verify;
pub mod zone;
pub mod zonefile;
pub mod zonemd;

#[cfg(feature = "python")]
mod python;

pub use error::CoreError;

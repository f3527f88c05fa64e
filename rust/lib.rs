//! zoneverify core: parse a DNSSEC-signed zone, build canonical signed data,
//! verify every RRSIG in parallel and report.
//!
//! Every module here is free of PyO3 so that `cargo test` needs no Python;
//! the binding lives in [`python`] behind the `python` feature.

pub mod canon;
pub mod crypto;
pub mod error;
pub mod name;
pub mod rdata;
pub mod record;
pub mod rrtype;
pub mod serial;
pub mod verify;
pub mod zonefile;

#[cfg(feature = "python")]
mod python;

pub use error::CoreError;

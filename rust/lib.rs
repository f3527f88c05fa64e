//! zoneverify core: parse a DNSSEC-signed zone, build canonical signed data,
//! verify every RRSIG in parallel, check the zone and report.
//!
//! One folder per stage of a record's way through the core: [`parse`]
//! (text to records), [`model`] (RRsets and names), [`sig`] (every RRSIG's
//! status), [`checks`] (findings about the zone), [`gate`] (the zone
//! against its previous version and its unsigned input), [`report`];
//! [`pipeline`] drives them. [`dns`] is the vocabulary they share, [`batch`] the path
//! of RRsets handed over without a zone file; [`progress`] the counters a
//! long run shows and the way to stop it.
//!
//! Every module here is free of PyO3 so that `cargo test` needs no Python;
//! the binding lives in `python.rs` behind the `python` feature.

pub mod batch;
pub mod checks;
pub mod cluster;
pub mod dns;
pub mod error;
pub mod gate;
pub mod model;
pub mod parse;
pub mod pipeline;
pub mod pool;
pub mod progress;
pub mod report;
pub mod sig;

#[cfg(feature = "python")]
mod python;

pub use error::CoreError;

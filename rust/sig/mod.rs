//! Stage 3, signatures: the status vocabulary shared by the zone and batch
//! paths, public keys and crypto, the RRSIG rules, and the per-RRSIG
//! result columns.

mod amm;
pub mod cache;
pub mod columns;
pub mod crypto;
pub mod keys;
pub mod profile;
pub mod rsa;
pub mod rules;
pub mod status;

pub use status::Status;

//! Stage 1, reading: zone-file text to records (lexer, entries, `$INCLUDE`,
//! `$GENERATE`, the parallel and windowed readers, compressed files), presentation RDATA to wire form, and
//! trust-anchor files; zone transfers (AXFR, TSIG) in wire form.

pub mod anchors;
pub mod axfr;
pub mod compressed;
pub mod generate;
pub mod rdata;
pub mod tsig;
pub mod zonefile;

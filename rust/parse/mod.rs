//! Stage 1, reading: zone-file text to records (lexer, entries, `$INCLUDE`,
//! the parallel and windowed readers), presentation RDATA to wire form, and
//! trust-anchor files.

pub mod anchors;
pub mod rdata;
pub mod zonefile;

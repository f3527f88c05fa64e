//! RFC 1035 §5 master-file parser. STUB: interface fixed, body being written.

use crate::error::CoreError;
use crate::name::Name;
use crate::record::Record;
use std::path::Path;

/// How to read a zone file.
#[derive(Clone, Debug)]
pub struct ParseOptions {
    /// Origin in force at the start of the file (`$ORIGIN` may change it).
    pub origin: Option<Name>,
    /// TTL for records that state none, until a `$TTL` directive.
    pub default_ttl: Option<u32>,
    /// Whether `$INCLUDE` is honoured (off by default: it reads other files).
    pub allow_include: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions { origin: None, default_ttl: None, allow_include: false }
    }
}

/// The records of a zone file in file order.
#[derive(Debug, Default)]
pub struct ParsedZone {
    pub records: Vec<Record>,
    /// Source file names; `Record::file` indexes this (0 = the top file).
    pub files: Vec<String>,
    /// `ParseOptions::origin`, else the origin set by a `$ORIGIN` that
    /// precedes the first record, else `None`.
    pub origin: Option<Name>,
}

/// Parses zone text. `filename` is used in error messages only (and as the
/// base directory of relative `$INCLUDE` paths).
pub fn parse_zone(_text: &[u8], filename: &str, _opts: &ParseOptions) -> Result<ParsedZone, CoreError> {
    Err(CoreError::parse(filename, 0, 0, "parser not written yet"))
}

/// Reads and parses a zone file.
pub fn parse_zone_file(path: &Path, opts: &ParseOptions) -> Result<ParsedZone, CoreError> {
    let text = std::fs::read(path).map_err(|e| CoreError::Io {
        file: path.display().to_string(),
        reason: e.to_string(),
    })?;
    parse_zone(&text, &path.display().to_string(), opts)
}

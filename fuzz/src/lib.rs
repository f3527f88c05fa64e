//! Helpers shared by the fuzz targets: the invariants every target checks
//! beyond "no panic".

use zoneverify::dns::name::Name;
use zoneverify::dns::record::Record;
use zoneverify::CoreError;

/// Lines of `text` as the parser counts them (a last line without a
/// newline counts).
pub fn line_count(text: &[u8]) -> u32 {
    let newlines = text.iter().filter(|&&b| b == b'\n').count();
    (newlines + 1).min(u32::MAX as usize) as u32
}

/// A zone-file parse error names a line of the text (1-based, inside it).
pub fn assert_error_names_line(e: &CoreError, text: &[u8]) {
    match e {
        CoreError::Parse { line, .. } => {
            assert!(*line >= 1 && *line <= line_count(text), "parse error outside the text's lines: {e}");
        }
        other => panic!("zone text gave a non-parse error: {other:?}"),
    }
}

/// Every parsed record is representable on the wire and names a line.
pub fn assert_records_sane(records: &[Record], text: &[u8]) {
    let lines = line_count(text);
    for r in records {
        assert!(r.rdata.len() <= 65535, "RDATA of {} octets at line {}", r.rdata.len(), r.line);
        assert!(r.line >= 1 && r.line <= lines, "record line {} outside the text's {lines} lines", r.line);
        assert!(r.owner.wire_len() <= 255);
    }
}

/// `example.`
pub fn example() -> Name {
    Name::from_text("example.", None).unwrap()
}

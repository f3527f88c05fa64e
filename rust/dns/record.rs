//! A resource record as the parser produces it: owner, type, class, TTL and
//! RDATA in uncompressed wire form, plus where it came from.

use crate::dns::name::Name;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Owner name, case as written in the zone file.
    pub owner: Name,
    pub rtype: u16,
    pub class: u16,
    pub ttl: u32,
    /// RDATA in uncompressed wire form, names with the case as written.
    pub rdata: Vec<u8>,
    /// 1-based line of the record's first token in its source file.
    pub line: u32,
    /// Index into the list of source files (0 is the top file; `$INCLUDE`d
    /// files follow in the order they were opened).
    pub file: u32,
}

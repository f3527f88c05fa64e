//! Resource record type numbers and mnemonics (IANA "Resource Record (RR)
//! TYPEs"), and classes. One table serves both directions.

pub const A: u16 = 1;
pub const NS: u16 = 2;
pub const CNAME: u16 = 5;
pub const SOA: u16 = 6;
pub const PTR: u16 = 12;
pub const MX: u16 = 15;
pub const TXT: u16 = 16;
pub const AAAA: u16 = 28;
pub const SRV: u16 = 33;
pub const DNAME: u16 = 39;
pub const DS: u16 = 43;
pub const RRSIG: u16 = 46;
pub const NSEC: u16 = 47;
pub const DNSKEY: u16 = 48;
pub const NSEC3: u16 = 50;
pub const NSEC3PARAM: u16 = 51;
pub const CDS: u16 = 59;
pub const CDNSKEY: u16 = 60;
pub const ZONEMD: u16 = 63;

pub const CLASS_IN: u16 = 1;

/// (number, mnemonic) for every type the parser knows by name.
pub const TYPES: &[(u16, &str)] = &[
    (1, "A"),
    (2, "NS"),
    (3, "MD"),
    (4, "MF"),
    (5, "CNAME"),
    (6, "SOA"),
    (7, "MB"),
    (8, "MG"),
    (9, "MR"),
    (10, "NULL"),
    (11, "WKS"),
    (12, "PTR"),
    (13, "HINFO"),
    (14, "MINFO"),
    (15, "MX"),
    (16, "TXT"),
    (17, "RP"),
    (18, "AFSDB"),
    (19, "X25"),
    (20, "ISDN"),
    (21, "RT"),
    (22, "NSAP"),
    (23, "NSAP-PTR"),
    (24, "SIG"),
    (25, "KEY"),
    (26, "PX"),
    (27, "GPOS"),
    (28, "AAAA"),
    (29, "LOC"),
    (30, "NXT"),
    (31, "EID"),
    (32, "NIMLOC"),
    (33, "SRV"),
    (34, "ATMA"),
    (35, "NAPTR"),
    (36, "KX"),
    (37, "CERT"),
    (38, "A6"),
    (39, "DNAME"),
    (40, "SINK"),
    (42, "APL"),
    (43, "DS"),
    (44, "SSHFP"),
    (45, "IPSECKEY"),
    (46, "RRSIG"),
    (47, "NSEC"),
    (48, "DNSKEY"),
    (49, "DHCID"),
    (50, "NSEC3"),
    (51, "NSEC3PARAM"),
    (52, "TLSA"),
    (53, "SMIMEA"),
    (55, "HIP"),
    (56, "NINFO"),
    (57, "RKEY"),
    (58, "TALINK"),
    (59, "CDS"),
    (60, "CDNSKEY"),
    (61, "OPENPGPKEY"),
    (62, "CSYNC"),
    (63, "ZONEMD"),
    (64, "SVCB"),
    (65, "HTTPS"),
    (66, "DSYNC"),
    (99, "SPF"),
    (100, "UINFO"),
    (101, "UID"),
    (102, "GID"),
    (103, "UNSPEC"),
    (104, "NID"),
    (105, "L32"),
    (106, "L64"),
    (107, "LP"),
    (108, "EUI48"),
    (109, "EUI64"),
    (249, "TKEY"),
    (250, "TSIG"),
    (256, "URI"),
    (257, "CAA"),
    (258, "AVC"),
    (259, "DOA"),
    (260, "AMTRELAY"),
    (261, "RESINFO"),
    (32768, "TA"),
    (32769, "DLV"),
];

/// The type number for a mnemonic (case-insensitive), including the RFC 3597
/// `TYPEnnn` form.
pub fn from_mnemonic(s: &str) -> Option<u16> {
    for &(n, m) in TYPES {
        if m.eq_ignore_ascii_case(s) {
            return Some(n);
        }
    }
    let rest = strip_prefix_ci(s, "TYPE")?;
    if rest.is_empty() || rest.len() > 5 || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    rest.parse::<u32>().ok().filter(|&v| v <= 65535).map(|v| v as u16)
}

/// The mnemonic for a type number, or `TYPEnnn` (RFC 3597 §5).
pub fn to_mnemonic(t: u16) -> String {
    for &(n, m) in TYPES {
        if n == t {
            return m.to_string();
        }
    }
    format!("TYPE{t}")
}

/// Class number for a class mnemonic (IN, CH, HS, NONE, ANY, CLASSnnn).
pub fn class_from_mnemonic(s: &str) -> Option<u16> {
    match s.to_ascii_uppercase().as_str() {
        "IN" => Some(1),
        "CS" => Some(2),
        "CH" => Some(3),
        "HS" => Some(4),
        "NONE" => Some(254),
        "ANY" => Some(255),
        _ => {
            let rest = strip_prefix_ci(s, "CLASS")?;
            if rest.is_empty() || rest.len() > 5 || !rest.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            rest.parse::<u32>().ok().filter(|&v| v <= 65535).map(|v| v as u16)
        }
    }
}

fn strip_prefix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    if s.len() >= p.len() && s.is_char_boundary(p.len()) && s[..p.len()].eq_ignore_ascii_case(p) {
        Some(&s[p.len()..])
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn mnemonics() {
        assert_eq!(from_mnemonic("rrsig"), Some(46));
        assert_eq!(from_mnemonic("TYPE65534"), Some(65534));
        assert_eq!(from_mnemonic("type1"), Some(1));
        assert_eq!(from_mnemonic("TYPE70000"), None);
        assert_eq!(from_mnemonic("BOGUS"), None);
        assert_eq!(to_mnemonic(48), "DNSKEY");
        assert_eq!(to_mnemonic(65000), "TYPE65000");
        assert_eq!(class_from_mnemonic("in"), Some(1));
        assert_eq!(class_from_mnemonic("CLASS3"), Some(3));
    }
}

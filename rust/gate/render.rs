//! RDATA in presentation form, for the messages of the publication gate
//! (a record the signer dropped, added or altered is named with its data).
//!
//! The common types of a TLD are written as a zone file writes them; any
//! other type in the generic form of RFC 3597 §5 (`\# length hex`), which
//! every zone-file reader accepts.

use crate::dns::name::Name;
use crate::dns::rrtype;

/// The RDATA of an `rtype` record in presentation form.
pub fn rdata_text(rtype: u16, rdata: &[u8]) -> String {
    known(rtype, rdata).unwrap_or_else(|| generic(rdata))
}

fn generic(rdata: &[u8]) -> String {
    let hex: String = rdata.iter().map(|b| format!("{b:02x}")).collect();
    if rdata.is_empty() {
        "\\# 0".into()
    } else {
        format!("\\# {} {hex}", rdata.len())
    }
}

fn name_at(rdata: &[u8], at: usize) -> Option<(String, usize)> {
    let (n, len) = Name::from_wire(rdata.get(at..)?)?;
    Some((n.to_text(), at + len))
}

fn u16_at(rdata: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(rdata.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(rdata: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(rdata.get(at..at + 4)?.try_into().ok()?))
}

fn character_strings(mut rdata: &[u8]) -> Option<String> {
    let mut parts = Vec::new();
    while let Some((&len, rest)) = rdata.split_first() {
        let s = rest.get(..len as usize)?;
        let mut t = String::from("\"");
        for &c in s {
            match c {
                b'"' | b'\\' => {
                    t.push('\\');
                    t.push(c as char);
                }
                0x20..=0x7e => t.push(c as char),
                _ => t.push_str(&format!("\\{c:03}")),
            }
        }
        t.push('"');
        parts.push(t);
        rdata = &rest[len as usize..];
    }
    Some(parts.join(" "))
}

fn known(rtype: u16, rdata: &[u8]) -> Option<String> {
    let whole = |end: usize| (end == rdata.len()).then_some(());
    match rtype {
        rrtype::A => (rdata.len() == 4).then(|| format!("{}.{}.{}.{}", rdata[0], rdata[1], rdata[2], rdata[3])),
        rrtype::AAAA => {
            let a: [u8; 16] = rdata.try_into().ok()?;
            Some(std::net::Ipv6Addr::from(a).to_string())
        }
        rrtype::NS | rrtype::CNAME | rrtype::DNAME | rrtype::PTR => {
            let (n, end) = name_at(rdata, 0)?;
            whole(end)?;
            Some(n)
        }
        rrtype::MX => {
            let pref = u16_at(rdata, 0)?;
            let (n, end) = name_at(rdata, 2)?;
            whole(end)?;
            Some(format!("{pref} {n}"))
        }
        rrtype::TXT => character_strings(rdata),
        rrtype::SOA => {
            let (m, a) = name_at(rdata, 0)?;
            let (r, b) = name_at(rdata, a)?;
            whole(b + 20)?;
            let v: Vec<String> = (0..5).map(|i| u32_at(rdata, b + 4 * i).unwrap_or(0).to_string()).collect();
            Some(format!("{m} {r} {}", v.join(" ")))
        }
        rrtype::DS | rrtype::CDS => {
            let tag = u16_at(rdata, 0)?;
            let (alg, dt) = (*rdata.get(2)?, *rdata.get(3)?);
            let hex: String = rdata[4..].iter().map(|b| format!("{b:02X}")).collect();
            Some(format!("{tag} {alg} {dt} {hex}"))
        }
        rrtype::SRV => {
            let (p, w, port) = (u16_at(rdata, 0)?, u16_at(rdata, 2)?, u16_at(rdata, 4)?);
            let (n, end) = name_at(rdata, 6)?;
            whole(end)?;
            Some(format!("{p} {w} {port} {n}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_types_read_as_a_zone_file_writes_them() {
        assert_eq!(rdata_text(rrtype::A, &[192, 0, 2, 1]), "192.0.2.1");
        let mut aaaa = [0u8; 16];
        aaaa[0] = 0x20;
        aaaa[1] = 0x01;
        aaaa[2] = 0x0d;
        aaaa[3] = 0xb8;
        aaaa[15] = 1;
        assert_eq!(rdata_text(rrtype::AAAA, &aaaa), "2001:db8::1");
        assert_eq!(rdata_text(rrtype::NS, b"\x02ns\x07example\x00"), "ns.example.");
        assert_eq!(rdata_text(rrtype::MX, b"\x00\x0a\x02mx\x07example\x00"), "10 mx.example.");
        assert_eq!(rdata_text(rrtype::TXT, b"\x05a \"b\\\x01x"), "\"a \\\"b\\\\\" \"x\"");
        assert_eq!(rdata_text(rrtype::DS, &[0x30, 0x39, 13, 2, 0xab, 0xcd]), "12345 13 2 ABCD");
    }

    #[test]
    fn other_types_and_malformed_rdata_take_the_generic_form() {
        assert_eq!(rdata_text(99, &[1, 2]), "\\# 2 0102");
        assert_eq!(rdata_text(rrtype::A, &[1, 2, 3]), "\\# 3 010203");
        assert_eq!(rdata_text(rrtype::NS, b"\x02ns\x07example\x00junk"), "\\# 16 026e73076578616d706c65006a756e6b");
        assert_eq!(rdata_text(rrtype::TXT, &[]), "");
    }
}

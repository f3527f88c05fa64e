//! Trust-anchor files: zone-file text with DS or DNSKEY records, or IANA's
//! root-anchors.xml (RFC 9718).
//!
//! An [`Anchor`] is a key (a DS or a DNSKEY) for one zone, optionally
//! bounded in time: it is used only for its zone, and only inside its
//! dates at the verification time. Anchor files naming several zones
//! (Unbound's `trust-anchors`) can therefore be given as they are.

use crate::error::CoreError;
use crate::dns::name::Name;
use crate::dns::rrtype;

/// The key material of a trust anchor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnchorKey {
    /// A DS: key tag, algorithm, digest type, digest.
    Ds { key_tag: u16, algorithm: u8, digest_type: u8, digest: Vec<u8> },
    /// A DNSKEY, as wire RDATA.
    Dnskey(Vec<u8>),
}

/// One trust anchor: a key for one zone, valid from / until a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    /// The zone it is an anchor for (the record's owner; `<Zone>` in XML).
    pub zone: Name,
    /// UNIX seconds: not used before `valid_from` nor from `valid_until` on
    /// (`root-anchors.xml` `validFrom` / `validUntil`, RFC 9718 §2.2).
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
    pub key: AnchorKey,
}

impl Anchor {
    /// Whether the anchor is in force at `now` (UNIX seconds).
    pub fn in_force(&self, now: u64) -> bool {
        let now = now as i64;
        self.valid_from.is_none_or(|f| f <= now) && self.valid_until.is_none_or(|u| now < u)
    }
}

/// Parses a trust-anchor file: zone-file text holding a DS RRset or a
/// DNSKEY RRset, or IANA's `root-anchors.xml`. `filename` for messages.
///
/// Zone-file text is read with origin `.` and a default TTL of 3600; every
/// DS and DNSKEY record becomes an anchor, other types are ignored.
///
/// `root-anchors.xml` (RFC 9718 §2): every `<KeyDigest>` element becomes a
/// DS anchor for the document's `<Zone>`, with its `validFrom` and (if
/// present) `validUntil` attributes: RFC 9718 §2.2 says a key digest is
/// valid from `validFrom` and "not valid after" `validUntil`, so an anchor
/// is used only inside that window at the verification time.
pub fn parse_anchors(text: &[u8], filename: &str) -> Result<Vec<Anchor>, CoreError> {
    let s = String::from_utf8_lossy(text);
    if s.contains("<TrustAnchor") || s.contains("<KeyDigest") {
        return parse_xml(&s, filename);
    }
    let opts = crate::parse::zonefile::ParseOptions {
        origin: Some(Name::root()),
        default_ttl: Some(3600),
        allow_include: false,
    };
    let pz = crate::parse::zonefile::parse_zone(text, filename, &opts)?;
    let mut out = Vec::new();
    for r in &pz.records {
        match r.rtype {
            rrtype::DS => {
                if r.rdata.len() < 4 {
                    return Err(CoreError::parse(filename, r.line, 0, "DS RDATA shorter than 4 octets"));
                }
                let key = AnchorKey::Ds {
                    key_tag: u16::from_be_bytes([r.rdata[0], r.rdata[1]]),
                    algorithm: r.rdata[2],
                    digest_type: r.rdata[3],
                    digest: r.rdata[4..].to_vec(),
                };
                out.push(Anchor { zone: r.owner.to_lowercase(), valid_from: None, valid_until: None, key });
            }
            rrtype::DNSKEY => {
                if r.rdata.len() < 4 {
                    return Err(CoreError::parse(filename, r.line, 0, "DNSKEY RDATA shorter than 4 octets"));
                }
                out.push(Anchor { zone: r.owner.to_lowercase(), valid_from: None, valid_until: None, key: AnchorKey::Dnskey(r.rdata.clone()) });
            }
            _ => {}
        }
    }
    if out.is_empty() {
        return Err(CoreError::parse(filename, 0, 0, "no DS or DNSKEY record found in the trust-anchor file"));
    }
    Ok(out)
}

/// 1-based line of byte offset `pos`.
fn line_at(s: &str, pos: usize) -> u32 {
    s[..pos].bytes().filter(|&b| b == b'\n').count() as u32 + 1
}

/// The text of `<tag>...</tag>` inside `body`, trimmed.
fn element<'a>(body: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let a = body.find(&open)? + open.len();
    let b = a + body[a..].find(&close)?;
    Some(body[a..b].trim())
}

/// The value of attribute `name` in a start tag (`<KeyDigest a="v" ...>`).
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = tag;
    while let Some(i) = rest.find(name) {
        let before_ok = i > 0 && rest.as_bytes()[i - 1].is_ascii_whitespace();
        let after = rest[i + name.len()..].trim_start();
        if before_ok {
            if let Some(v) = after.strip_prefix('=') {
                let v = v.trim_start();
                let q = v.chars().next()?;
                if q == '"' || q == '\'' {
                    let end = v[1..].find(q)?;
                    return Some(&v[1..1 + end]);
                }
            }
        }
        rest = &rest[i + name.len()..];
    }
    None
}

/// An XML Schema `dateTime` (`2017-02-02T00:00:00+00:00`, `...Z`, fractional
/// seconds allowed, no zone meaning UTC) as UNIX seconds.
fn parse_datetime(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = t.get(r)?;
        if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d, h, mi, s) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 24 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &t[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    let offset: i64 = match rest {
        "" | "Z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let z = &rest[1..];
            if z.len() != 5 || z.as_bytes()[2] != b':' {
                return None;
            }
            let (zh, zm): (i64, i64) = (z[0..2].parse().ok()?, z[3..5].parse().ok()?);
            if zh > 14 || zm > 59 {
                return None;
            }
            sign * (zh * 3600 + zm * 60)
        }
    };
    Some(crate::dns::serial::epoch_from_civil(y as i64, mo, d, h, mi, s) - offset)
}

/// A minimal reader of IANA `root-anchors.xml`: the `<Zone>` and each
/// `<KeyDigest ...>` element with `KeyTag`, `Algorithm`, `DigestType` and
/// `Digest` (hex) and its `validFrom`/`validUntil` attributes.
fn parse_xml(s: &str, filename: &str) -> Result<Vec<Anchor>, CoreError> {
    let zone_text = element(s, "Zone")
        .ok_or_else(|| CoreError::parse(filename, 0, 0, "the XML trust-anchor file has no <Zone> element"))?;
    let zone = Name::from_text(zone_text, Some(&Name::root()))
        .map_err(|e| CoreError::parse(filename, s.find("<Zone>").map_or(0, |p| line_at(s, p)), 0, format!("bad <Zone> '{zone_text}': {e}")))?
        .to_lowercase();
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(off) = s[pos..].find("<KeyDigest") {
        let start = pos + off;
        let line = line_at(s, start);
        let Some(len) = s[start..].find("</KeyDigest>") else {
            return Err(CoreError::parse(filename, line, 0, "<KeyDigest> without </KeyDigest>"));
        };
        let body = &s[start..start + len];
        let field = |tag: &str| {
            element(body, tag).ok_or_else(|| CoreError::parse(filename, line, 0, format!("<KeyDigest> without <{tag}>")))
        };
        let num = |tag: &str, max: u32| -> Result<u32, CoreError> {
            let t = field(tag)?;
            t.parse::<u32>()
                .ok()
                .filter(|&v| v <= max)
                .ok_or_else(|| CoreError::parse(filename, line, 0, format!("bad <{tag}> value '{t}'")))
        };
        let key_tag = num("KeyTag", 65535)? as u16;
        let algorithm = num("Algorithm", 255)? as u8;
        let digest_type = num("DigestType", 255)? as u8;
        let hex: String = field("Digest")?.chars().filter(|c| !c.is_whitespace()).collect();
        let digest = data_encoding::HEXLOWER_PERMISSIVE
            .decode(hex.as_bytes())
            .map_err(|e| CoreError::parse(filename, line, 0, format!("bad hex in <Digest>: {e}")))?;
        let start_tag = &body[..body.find('>').unwrap_or(body.len())];
        let date = |attr: &str| -> Result<Option<i64>, CoreError> {
            match attribute(start_tag, attr) {
                None => Ok(None),
                Some(v) => parse_datetime(v.trim()).map(Some).ok_or_else(|| {
                    CoreError::parse(filename, line, 0, format!("bad {attr} '{v}': not an XML dateTime like 2017-02-02T00:00:00+00:00"))
                }),
            }
        };
        let (valid_from, valid_until) = (date("validFrom")?, date("validUntil")?);
        let key = AnchorKey::Ds { key_tag, algorithm, digest_type, digest };
        out.push(Anchor { zone: zone.clone(), valid_from, valid_until, key });
        pos = start + len;
    }
    if out.is_empty() {
        return Err(CoreError::parse(filename, 0, 0, "no <KeyDigest> element in the XML trust-anchor file"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sig::crypto::testutil::corpus;

    #[test]
    fn parse_anchor_files() {
        if let Some(p) = corpus("unbound/testdata/ede.tdir/bogus/trust-anchors") {
            let a = parse_anchors(&std::fs::read(&p).unwrap(), "trust-anchors").unwrap();
            assert_eq!(a.len(), 5);
            assert!(matches!(&a[0].key, AnchorKey::Ds { key_tag: 20326, algorithm: 8, digest_type: 2, digest } if digest.len() == 32));
        }
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<TrustAnchor id="380DC50D-484E-40D0-A3AE-68F2B18F61C7" source="http://data.iana.org/root-anchors/root-anchors.xml">
<Zone>.</Zone>
<KeyDigest id="Kjqmt7v" validFrom="2010-07-15T00:00:00+00:00" validUntil="2019-01-11T00:00:00+00:00">
<KeyTag>19036</KeyTag>
<Algorithm>8</Algorithm>
<DigestType>2</DigestType>
<Digest>49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5</Digest>
</KeyDigest>
<KeyDigest id="Klajeyz" validFrom="2017-02-02T00:00:00+00:00">
<KeyTag>20326</KeyTag>
<Algorithm>8</Algorithm>
<DigestType>2</DigestType>
<Digest>
E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
</Digest>
</KeyDigest>
</TrustAnchor>
"#;
        let a = parse_anchors(xml, "root-anchors.xml").unwrap();
        assert_eq!(a.len(), 2);
        assert!(matches!(&a[1].key, AnchorKey::Ds { key_tag: 20326, algorithm: 8, digest_type: 2, digest } if digest[0] == 0xe0 && digest.len() == 32));
        // Zone and dates (RFC 9718 §2.2): KSK-2010 valid 2010-07-15 until
        // 2019-01-11, KSK-2017 from 2017-02-02 on.
        assert!(a.iter().all(|x| x.zone.is_root()));
        assert_eq!(a[0].valid_from, Some(1_279_152_000));
        assert_eq!(a[0].valid_until, Some(1_547_164_800));
        assert_eq!((a[1].valid_from, a[1].valid_until), (Some(1_485_993_600), None));
        assert!(a[0].in_force(1_400_000_000) && !a[0].in_force(1_547_164_800) && !a[0].in_force(1_279_151_999));
        assert!(!a[1].in_force(1_485_993_599) && a[1].in_force(4_000_000_000));
        let shifted = String::from_utf8_lossy(xml).replace("2017-02-02T00:00:00+00:00", "2017-02-02T01:30:00-02:00");
        assert_eq!(parse_anchors(shifted.as_bytes(), "r.xml").unwrap()[1].valid_from, Some(1_485_993_600 + 3 * 3600 + 1800));
        for bad_date in ["2017-02-02", "2017-13-02T00:00:00Z", "2017-02-02T00:00:00+0000", "x"] {
            let t = String::from_utf8_lossy(xml).replace("2017-02-02T00:00:00+00:00", bad_date);
            match parse_anchors(t.as_bytes(), "r.xml") {
                Err(CoreError::Parse { line, reason, .. }) => assert!(line == 10 && reason.contains("validFrom"), "{line} {reason}"),
                other => panic!("{bad_date}: {other:?}"),
            }
        }
        let no_zone = String::from_utf8_lossy(xml).replace("<Zone>.</Zone>", "");
        assert!(parse_anchors(no_zone.as_bytes(), "r.xml").is_err());
        let other = String::from_utf8_lossy(xml).replace("<Zone>.</Zone>", "<Zone>example.</Zone>");
        assert_eq!(parse_anchors(other.as_bytes(), "r.xml").unwrap()[0].zone.to_string(), "example.");
        let bad = String::from_utf8_lossy(xml).replace("E06D44", "X06D44");
        match parse_anchors(bad.as_bytes(), "r.xml") {
            Err(CoreError::Parse { line, reason, .. }) => {
                assert_eq!(line, 10);
                assert!(reason.contains("hex"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse_anchors(b"example. 3600 IN A 192.0.2.1\n", "a"), Err(CoreError::Parse { .. })));
        assert!(parse_anchors(b"<TrustAnchor></TrustAnchor>", "a").is_err());
        assert!(parse_anchors(b"example. IN DS 1 8 2 zz\n", "a").is_err());
        let k = parse_anchors(b"example. IN DNSKEY 257 3 8 AwEAAQ==\n", "a").unwrap();
        assert_eq!(k.len(), 1);
        assert_eq!(k[0].key, AnchorKey::Dnskey(vec![1, 1, 3, 8, 3, 1, 0, 1]));
        assert_eq!(k[0].zone.to_string(), "example.");
    }
}

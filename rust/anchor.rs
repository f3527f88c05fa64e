//! Trust anchors, DS digests and CDS/CDNSKEY (RFC 4034 §5, RFC 7344,
//! RFC 8078, IANA root-anchors.xml).
//!
//! An [`Anchor`] is a key (a DS or a DNSKEY) for one zone, optionally
//! bounded in time: it is used only for its zone, and only inside its
//! dates at the verification time. Anchor files naming several zones
//! (Unbound's `trust-anchors`) can therefore be given as they are.

use ring::digest;

use crate::error::CoreError;
use crate::name::Name;
use crate::rrtype;
use crate::zone::{Code, Findings, Zone};

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
    let opts = crate::zonefile::ParseOptions {
        origin: Some(Name::root()),
        default_ttl: Some(3600),
        allow_include: false,
    };
    let pz = crate::zonefile::parse_zone(text, filename, &opts)?;
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
    Some(crate::serial::epoch_from_civil(y as i64, mo, d, h, mi, s) - offset)
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

/// DS digest (RFC 4034 §5.1.4) of a DNSKEY for digest types 1 (SHA-1),
/// 2 (SHA-256), 4 (SHA-384); `None` for others.
///
/// RFC 4034 §5.1.4: "digest = digest_algorithm( DNSKEY owner name | DNSKEY
/// RDATA)", the owner name in canonical (lower-case, uncompressed) form.
pub fn ds_digest(owner: &crate::name::Name, dnskey_rdata: &[u8], digest_type: u8) -> Option<Vec<u8>> {
    let alg = match digest_type {
        1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        2 => &digest::SHA256,
        4 => &digest::SHA384,
        _ => return None,
    };
    let mut ctx = digest::Context::new(alg);
    ctx.update(&owner.as_wire().to_ascii_lowercase());
    ctx.update(dnskey_rdata);
    Some(ctx.finish().as_ref().to_vec())
}

/// Whether DS-form RDATA fields name DNSKEY `rdata` at `owner`:
/// `Some(true/false)`, or `None` when the digest type is unsupported.
fn ds_matches(owner: &Name, key_tag: u16, algorithm: u8, digest_type: u8, digest: &[u8], rdata: &[u8]) -> Option<bool> {
    if rdata.len() < 4 || crate::crypto::key_tag(rdata) != key_tag || rdata[3] != algorithm {
        return ds_digest(owner, rdata, digest_type).map(|_| false);
    }
    ds_digest(owner, rdata, digest_type).map(|d| d == digest)
}

/// With anchors: at least one must match an apex DNSKEY that validly signs
/// the DNSKEY RRset (`trust-anchor-no-match` otherwise).
///
/// A DS anchor matches a key with its key tag and algorithm whose digest of
/// the given type equals the DS digest; a DNSKEY anchor matches a key with
/// identical RDATA. "Validly signs" means a VALID RRSIG over the apex
/// DNSKEY RRset with that key's tag and algorithm.
pub fn check_trust_anchor(z: &Zone<'_>, anchors: &[Anchor], out: &mut Findings) {
    let apex = z.apex.clone();
    let node = z.apex_node();
    let dnskey_set = node.and_then(|n| n.rrset(rrtype::DNSKEY));
    let Some(set) = dnskey_set else {
        out.add(Code::TrustAnchorNoMatch, &apex, rrtype::DNSKEY, None, None, "trust anchors given, but the zone has no apex DNSKEY RRset");
        return;
    };
    // Only the anchors for this zone, in force at the verification time.
    let for_zone: Vec<&Anchor> = anchors.iter().filter(|a| a.zone.eq_ignore_case(&apex)).collect();
    let usable: Vec<&Anchor> = for_zone.iter().copied().filter(|a| a.in_force(z.now)).collect();
    if usable.is_empty() {
        let at = Some(&z.records[set.records[0] as usize]);
        let reason = if for_zone.is_empty() {
            let zones: std::collections::BTreeSet<String> = anchors.iter().map(|a| a.zone.to_string()).collect();
            format!("no trust anchor is for the zone {apex} (the anchors are for {})", zones.into_iter().collect::<Vec<_>>().join(", "))
        } else {
            format!(
                "none of the {} trust anchors for {apex} is in force at the verification time {} (outside their validFrom/validUntil dates)",
                for_zone.len(),
                crate::serial::format_epoch(z.now as i64)
            )
        };
        out.add(Code::TrustAnchorNoMatch, &apex, rrtype::DNSKEY, None, at, reason);
        return;
    }
    // (key tag, algorithm) of every valid RRSIG over the DNSKEY RRset.
    let signers: Vec<(u16, u8)> = set
        .rrsigs
        .iter()
        .filter(|&&row| z.rrsig_valid(row))
        .filter_map(|&row| crate::canon::parse_rrsig(&z.rrsig(row).rdata).map(|s| (s.key_tag, s.algorithm)))
        .collect();
    let mut matched: Vec<u16> = Vec::new();
    let mut unsupported_types: Vec<u8> = Vec::new();
    for &ri in &set.records {
        let rd = &z.records[ri as usize].rdata;
        if rd.len() < 4 {
            continue;
        }
        let tag = crate::crypto::key_tag(rd);
        for a in &usable {
            let hit = match &a.key {
                AnchorKey::Dnskey(k) => k == rd,
                AnchorKey::Ds { key_tag, algorithm, digest_type, digest } => {
                    match ds_matches(&apex, *key_tag, *algorithm, *digest_type, digest, rd) {
                        Some(m) => m,
                        None => {
                            if !unsupported_types.contains(digest_type) {
                                unsupported_types.push(*digest_type);
                            }
                            false
                        }
                    }
                }
            };
            if hit {
                if signers.contains(&(tag, rd[3])) {
                    return;
                }
                if !matched.contains(&tag) {
                    matched.push(tag);
                }
            }
        }
    }
    let at = Some(&z.records[set.records[0] as usize]);
    let reason = if !matched.is_empty() {
        let tags: Vec<String> = matched.iter().map(|t| t.to_string()).collect();
        format!(
            "trust anchor matches apex DNSKEY {}, but no valid RRSIG by that key signs the DNSKEY RRset",
            tags.join(", ")
        )
    } else if !unsupported_types.is_empty()
        && usable.iter().all(|a| matches!(&a.key, AnchorKey::Ds { digest_type, .. } if unsupported_types.contains(digest_type)))
    {
        format!("no trust anchor can be checked: DS digest type(s) {unsupported_types:?} unsupported (1, 2 and 4 are)")
    } else {
        "no trust anchor matches any apex DNSKEY".to_string()
    };
    out.add(Code::TrustAnchorNoMatch, &apex, rrtype::DNSKEY, None, at, reason);
}

/// Delete form of CDS (RFC 8078 §4: `0 0 0 00`, digest of at most one zero octet).
fn is_cds_delete(rd: &[u8]) -> bool {
    rd.len() >= 4 && rd[..4] == [0, 0, 0, 0] && rd[4..].iter().all(|&b| b == 0) && rd.len() <= 5
}

/// Delete form of CDNSKEY (RFC 8078 §4: `0 3 0 AA==`).
fn is_cdnskey_delete(rd: &[u8]) -> bool {
    rd.len() >= 4 && rd[..4] == [0, 0, 3, 0] && rd[4..].iter().all(|&b| b == 0) && rd.len() <= 5
}

/// CDS/CDNSKEY at the apex: each must match a DNSKEY, the two sets must name
/// the same keys, delete forms stand alone (RFC 7344 §4, RFC 8078 §4).
///
/// A CDS matches an apex DNSKEY with its key tag and algorithm whose digest
/// of the CDS digest type equals the CDS digest; for a digest type this
/// verifier cannot compute, tag and algorithm alone. A CDNSKEY must be
/// identical to an apex DNSKEY. When both RRsets exist they must name the
/// same set of keys (both delete forms count as the same "no keys").
pub fn check_cds(z: &Zone<'_>, out: &mut Findings) {
    let Some(node) = z.apex_node() else { return };
    let apex = &node.name;
    let keys: Vec<&[u8]> = node
        .rrset(rrtype::DNSKEY)
        .map(|s| s.records.iter().map(|&i| z.records[i as usize].rdata.as_slice()).collect())
        .unwrap_or_default();
    for rt in [rrtype::CDS, rrtype::CDNSKEY] {
        let Some(set) = node.rrset(rt) else { continue };
        let recs: Vec<&crate::record::Record> = set.records.iter().map(|&i| &z.records[i as usize]).collect();
        let mut distinct: Vec<&[u8]> = recs.iter().map(|r| r.rdata.as_slice()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let is_delete = |rd: &[u8]| if rt == rrtype::CDS { is_cds_delete(rd) } else { is_cdnskey_delete(rd) };
        let tname = rrtype::to_mnemonic(rt);
        for r in &recs {
            if is_delete(&r.rdata) {
                if distinct.len() > 1 {
                    out.add(
                        Code::CdsDeleteMixed,
                        apex,
                        rt,
                        None,
                        Some(r),
                        format!("delete-form {tname} next to other {tname} records (RFC 8078 §4: it must stand alone)"),
                    );
                }
                continue;
            }
            let rd = &r.rdata;
            if rd.len() < 4 {
                let code = if rt == rrtype::CDS { Code::CdsMismatch } else { Code::CdnskeyMismatch };
                out.add(code, apex, rt, None, Some(r), format!("{tname} RDATA shorter than 4 octets"));
                continue;
            }
            if rt == rrtype::CDS {
                let tag = u16::from_be_bytes([rd[0], rd[1]]);
                let (alg, dt, dg) = (rd[2], rd[3], &rd[4..]);
                let hit = keys.iter().position(|k| {
                    k.len() >= 4
                        && crate::crypto::key_tag(k) == tag
                        && k[3] == alg
                        && ds_digest(apex, k, dt).is_none_or(|d| d == dg)
                });
                match hit {
                    Some(_) => {}
                    None => out.add(
                        Code::CdsMismatch,
                        apex,
                        rt,
                        Some(tag),
                        Some(r),
                        format!("CDS {tag} (algorithm {alg}, digest type {dt}) matches no apex DNSKEY (RFC 7344 §4.1)"),
                    ),
                }
            } else {
                let tag = crate::crypto::key_tag(rd);
                match keys.iter().position(|k| *k == rd.as_slice()) {
                    Some(_) => {}
                    None => out.add(
                        Code::CdnskeyMismatch,
                        apex,
                        rt,
                        Some(tag),
                        Some(r),
                        format!("CDNSKEY {tag} (algorithm {}) is not in the apex DNSKEY RRset (RFC 7344 §4.1)", rd[3]),
                    ),
                }
            }
        }
    }
    // Consistency: every CDS names a CDNSKEY and every CDNSKEY is named by
    // a CDS, whether or not the keys are in the DNSKEY RRset (that is the
    // mismatch checks' business).
    let (Some(cds), Some(cdnskey)) = (node.rrset(rrtype::CDS), node.rrset(rrtype::CDNSKEY)) else { return };
    let cds: Vec<&[u8]> = cds.records.iter().map(|&i| z.records[i as usize].rdata.as_slice()).collect();
    let cdk: Vec<&[u8]> = cdnskey.records.iter().map(|&i| z.records[i as usize].rdata.as_slice()).collect();
    let cds_del = cds.iter().any(|r| is_cds_delete(r));
    let cdk_del = cdk.iter().any(|r| is_cdnskey_delete(r));
    let names = |ds: &[u8], k: &[u8]| {
        ds.len() >= 4
            && k.len() >= 4
            && crate::crypto::key_tag(k) == u16::from_be_bytes([ds[0], ds[1]])
            && k[3] == ds[2]
            && ds_digest(apex, k, ds[3]).is_none_or(|d| d == ds[4..])
    };
    let reason = if cds_del != cdk_del {
        Some(format!(
            "{} is a delete form, {} is not (RFC 8078 §4)",
            if cds_del { "CDS" } else { "CDNSKEY" },
            if cds_del { "CDNSKEY" } else { "CDS" }
        ))
    } else if cds_del {
        None
    } else {
        let lone_cds: Vec<String> = cds
            .iter()
            .filter(|d| !cdk.iter().any(|k| names(d, k)))
            .map(|d| if d.len() >= 2 { u16::from_be_bytes([d[0], d[1]]).to_string() } else { "?".into() })
            .collect();
        let lone_cdk: Vec<String> = cdk
            .iter()
            .filter(|k| !cds.iter().any(|d| names(d, k)))
            .map(|k| crate::crypto::key_tag(k).to_string())
            .collect();
        (!lone_cds.is_empty() || !lone_cdk.is_empty()).then(|| {
            let mut parts = Vec::new();
            if !lone_cds.is_empty() {
                parts.push(format!("CDS {} name(s) no CDNSKEY", lone_cds.join(", ")));
            }
            if !lone_cdk.is_empty() {
                parts.push(format!("CDNSKEY {} named by no CDS", lone_cdk.join(", ")));
            }
            format!("CDS and CDNSKEY name different keys: {} (RFC 7344 §4)", parts.join("; "))
        })
    };
    if let Some(reason) = reason {
        let at = &z.records[cdnskey.records[0] as usize];
        out.add(Code::CdsCdnskeyInconsistent, apex, rrtype::CDNSKEY, None, Some(at), reason);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::testutil::corpus;
    use crate::verify::{verify_text, VerifyOptions};
    use crate::zone::Policy;
    use crate::zonefile::{parse_zone, ParseOptions};

    fn popts(origin: &str) -> ParseOptions {
        ParseOptions { origin: Some(Name::from_text(origin, None).unwrap()), default_ttl: Some(3600), allow_include: false }
    }

    /// (owner, DS RDATA, DNSKEY RDATA) pairs from zone text holding DS and DNSKEY lines.
    fn ds_key_pairs(text: &str) -> Vec<(Name, Vec<u8>, Vec<u8>)> {
        let pz = parse_zone(text.as_bytes(), "t", &popts(".")).unwrap();
        let keys: Vec<_> = pz.records.iter().filter(|r| r.rtype == rrtype::DNSKEY).collect();
        let mut v = Vec::new();
        for ds in pz.records.iter().filter(|r| r.rtype == rrtype::DS) {
            for k in keys.iter().filter(|k| k.owner.eq_ignore_case(&ds.owner)) {
                v.push((ds.owner.clone(), ds.rdata.clone(), k.rdata.clone()));
            }
        }
        v
    }

    fn matches(owner: &Name, ds: &[u8], key: &[u8]) -> bool {
        ds_matches(owner, u16::from_be_bytes([ds[0], ds[1]]), ds[2], ds[3], &ds[4..], key).unwrap()
    }

    #[test]
    fn ds_rfc4034_5_4() {
        let Some(p) = corpus("hickory-dns/crates/proto/tests/test-data/rfc4034-5.4.rdata") else { return };
        let rd = std::fs::read_to_string(p).unwrap();
        let text = format!("dskey.example.com. 86400 IN DNSKEY {rd}\n");
        let pz = parse_zone(text.as_bytes(), "t", &popts(".")).unwrap();
        let k = &pz.records[0];
        assert_eq!(crate::crypto::key_tag(&k.rdata), 60485);
        let d = ds_digest(&Name::from_text("DSKEY.example.COM.", None).unwrap(), &k.rdata, 1).unwrap();
        assert_eq!(data_encoding::HEXUPPER.encode(&d), "2BB183AF5F22588179A53B0A98631FAD1A292118");
        assert_eq!(ds_digest(&k.owner, &k.rdata, 3), None);
    }

    #[test]
    fn ds_rfc6605_vectors() {
        for f in ["rfc6605_6.1_ecdsap256.txt", "rfc6605_6.2_ecdsap384.txt"] {
            let Some(p) = corpus(&format!("miekg-dns/derived-from-dnssec_test.go/{f}")) else { return };
            let pairs = ds_key_pairs(&std::fs::read_to_string(p).unwrap());
            assert_eq!(pairs.len(), 1, "{f}");
            for (o, ds, k) in &pairs {
                assert!(matches(o, ds, k), "{f}");
            }
        }
    }

    /// Unbound testdata/test_ds.*: ENTRY blocks with qname yes. (DS must
    /// match the DNSKEY) or no. (must not).
    #[test]
    fn ds_unbound_vectors() {
        let mut n = 0;
        for f in ["unbound/testdata/test_ds.sha1", "unbound/testdata/test_ds.sha384"] {
            let Some(p) = corpus(f) else { return };
            let text = std::fs::read_to_string(p).unwrap();
            for block in text.split("ENTRY_BEGIN").skip(1) {
                let yes = block.contains("\nyes.");
                let ans: String = block
                    .split("SECTION ANSWER")
                    .nth(1)
                    .unwrap()
                    .split("ENTRY_END")
                    .next()
                    .unwrap()
                    .to_string();
                for (o, ds, k) in ds_key_pairs(&ans) {
                    assert_eq!(matches(&o, &ds, &k), yes, "{f}: {ans}");
                    n += 1;
                }
            }
        }
        assert_eq!(n, 7);
    }

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

    fn codes(text: &[u8], origin: &str, now: u64, anchors: Vec<Anchor>, prefix: &[&str]) -> Vec<&'static str> {
        let mut vopts = VerifyOptions { now, threads: Some(1), policy: Policy::default(), profile: false };
        vopts.policy.trust_anchors = anchors;
        let rep = verify_text(text, "t", &popts(origin), &vopts).unwrap();
        let mut v: Vec<&'static str> = Vec::new();
        for f in &rep.findings {
            if prefix.iter().any(|p| f.code.as_str().starts_with(p)) {
                eprintln!("{} {}", f.code.as_str(), f.reason);
                v.push(f.code.as_str());
            }
        }
        v.sort_unstable();
        v
    }

    /// Unbound zonemd.example5.zone at 20201020135527 with the anchor of
    /// unitzonemd.c (VALID), a wrong DS (INVALID) and the root DS.
    #[test]
    fn trust_anchor_unbound_example5() {
        let Some(p) = corpus("unbound/testdata/zonemd.example5.zone") else { return };
        let text = std::fs::read(p).unwrap();
        let now = 1_603_202_127;
        let good = parse_anchors(b"example.com. DS 55566 8 2 9c148338951ce1c3b5cd3da532f3d90dfcf92595148022f2c2fd98e5deee90af\n", "a").unwrap();
        assert!(codes(&text, "example.com.", now, good.clone(), &["trust"]).is_empty());
        let wrong = parse_anchors(b"example.com. DS 55566 8 2 9c148338951ce1c3b5cd3da532f3d90dfcf92595148022f2c2fd98e5deee90ae\n", "a").unwrap();
        assert_eq!(codes(&text, "example.com.", now, wrong, &["trust"]), ["trust-anchor-no-match"]);
        let sha1 = parse_anchors(b"example.com. DS 55566 8 99 00112233\n", "a").unwrap();
        assert_eq!(codes(&text, "example.com.", now, sha1, &["trust"]), ["trust-anchor-no-match"]);
        // The DNSKEY itself as anchor.
        let pz = parse_zone(&text, "t", &popts("example.com.")).unwrap();
        let keys: Vec<Anchor> =
            pz.records.iter().filter(|r| r.rtype == rrtype::DNSKEY).map(|r| Anchor { zone: r.owner.to_lowercase(), valid_from: None, valid_until: None, key: AnchorKey::Dnskey(r.rdata.clone()) })
            .collect();
        assert!(codes(&text, "example.com.", now, keys.clone(), &["trust"]).is_empty());
        // Expired signatures: the matching key no longer validly signs.
        assert_eq!(codes(&text, "example.com.", 1_666_274_127, good, &["trust"]), ["trust-anchor-no-match"]);
    }

    const DNST_CDS: &str = "dnst/derived-from-src_commands_signzone.rs/signed_zone_with_cds_and_cdnskey_example.zone";

    #[test]
    fn cds_corpus_and_mutations() {
        let now = 1_704_067_200; // 2024-01-01
        let cds = &["cds", "cdnskey"];
        if let Some(p) = corpus("dnst/test-data/example.CDS+CDNSKEY") {
            let t = std::fs::read(p).unwrap();
            assert!(codes(&t, "example.", now, vec![], cds).is_empty());
        }
        let Some(p) = corpus(DNST_CDS) else { return };
        let base = std::fs::read_to_string(p).unwrap();
        assert!(codes(base.as_bytes(), "example.", now, vec![], cds).is_empty());
        let with = |extra: &str| format!("{base}\n{extra}\n");
        // A CDS of no DNSKEY: mismatch, and CDNSKEY no longer agrees.
        let t = with("example. 3600 IN CDS 31967 8 2 2B8562A69323CF45D662976637829EC082C6204D0C83C9E1AEDCD655629389AB");
        assert_eq!(codes(t.as_bytes(), "example.", now, vec![], cds), ["cds-cdnskey-inconsistent", "cds-mismatch"]);
        // CDNSKEY not in the DNSKEY RRset.
        let t = with("example. 3600 IN CDNSKEY 257 3 8 AwEAAQ==");
        assert_eq!(codes(t.as_bytes(), "example.", now, vec![], cds), ["cdnskey-mismatch", "cds-cdnskey-inconsistent"]);
        // CDNSKEY for the ZSK, in the DNSKEY RRset but not named by a CDS.
        let zsk = base.lines().find(|l| l.contains("DNSKEY\t256")).unwrap().split(';').next().unwrap().replace("DNSKEY", "CDNSKEY");
        let t = with(&zsk);
        assert_eq!(codes(t.as_bytes(), "example.", now, vec![], cds), ["cds-cdnskey-inconsistent"]);
        // Delete forms next to other records.
        let t = with("example. 3600 IN CDS 0 0 0 00\nexample. 3600 IN CDNSKEY 0 3 0 AA==");
        assert_eq!(codes(t.as_bytes(), "example.", now, vec![], cds), ["cds-delete-mixed", "cds-delete-mixed"]);
        // Delete forms alone on both sides: fine; on one side only: inconsistent.
        let stripped: String =
            base.lines().filter(|l| !l.contains("\tCDS\t") && !l.contains("\tCDNSKEY\t")).map(|l| format!("{l}\n")).collect();
        let t = format!("{stripped}example. 3600 IN CDS 0 0 0 00\nexample. 3600 IN CDNSKEY 0 3 0 AA==\n");
        assert!(codes(t.as_bytes(), "example.", now, vec![], cds).is_empty());
        let t = format!("{stripped}example. 3600 IN CDS 0 0 0 00\n{zsk}\n");
        assert_eq!(codes(t.as_bytes(), "example.", now, vec![], cds), ["cds-cdnskey-inconsistent"]);
    }
}

//! DS digests, trust anchors and CDS/CDNSKEY (RFC 4034 §5, RFC 7344,
//! RFC 8078).

use ring::digest;

use crate::checks::findings::{Code, Findings};
use crate::dns::name::Name;
use crate::dns::record::Record;
use crate::dns::{canon, rrtype, serial};
use crate::sig::crypto::key_tag;
use crate::model::zone::Zone;
use crate::parse::anchors::{Anchor, AnchorKey};

/// DS digest (RFC 4034 §5.1.4) of a DNSKEY for digest types 1 (SHA-1),
/// 2 (SHA-256), 4 (SHA-384); `None` for others.
///
/// RFC 4034 §5.1.4: "digest = digest_algorithm( DNSKEY owner name | DNSKEY
/// RDATA)", the owner name in canonical (lower-case, uncompressed) form.
pub fn ds_digest(owner: &Name, dnskey_rdata: &[u8], digest_type: u8) -> Option<Vec<u8>> {
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
    if rdata.len() < 4 || crate::sig::crypto::key_tag(rdata) != key_tag || rdata[3] != algorithm {
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
                serial::format_epoch(z.now as i64)
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
        .filter_map(|&row| canon::parse_rrsig(&z.rrsig(row).rdata).map(|s| (s.key_tag, s.algorithm)))
        .collect();
    let mut matched: Vec<u16> = Vec::new();
    let mut unsupported_types: Vec<u8> = Vec::new();
    for &ri in &set.records {
        let rd = &z.records[ri as usize].rdata;
        if rd.len() < 4 {
            continue;
        }
        let tag = key_tag(rd);
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
        let recs: Vec<&Record> = set.records.iter().map(|&i| &z.records[i as usize]).collect();
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
                        && key_tag(k) == tag
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
                let tag = key_tag(rd);
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
            && key_tag(k) == u16::from_be_bytes([ds[0], ds[1]])
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
            .map(|k| key_tag(k).to_string())
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
    use crate::parse::anchors::parse_anchors;
    use crate::sig::crypto::testutil::corpus;
    use crate::pipeline::{verify_text, VerifyOptions};
    use crate::checks::policy::Policy;
    use crate::parse::zonefile::{parse_zone, ParseOptions};

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
        assert_eq!(key_tag(&k.rdata), 60485);
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


    fn codes(text: &[u8], origin: &str, now: u64, anchors: Vec<Anchor>, prefix: &[&str]) -> Vec<&'static str> {
        let mut vopts = VerifyOptions { now, threads: Some(1), policy: Policy::default(), profile: false, whole_zone: false, window: None, gate: Default::default(), fingerprint: false, columns: true, cache: None, progress: None };
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


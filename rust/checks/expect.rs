//! The publication gate's expectations (`--expect-key`, `--forbid-key`,
//! `--expect-algorithm`, ...): what the apex DNSKEY RRset and the
//! signatures must, or must not, hold at this stage of a rollover.
//!
//! A zone in which every signature is valid can still be the wrong zone to
//! publish: during an algorithm rollover the new key may simply be absent,
//! and "every RRset signed by every algorithm of the DNSKEY RRset" is then
//! vacuously true. The pipeline says what it expects; an unmet expectation
//! is an error finding naming the key or algorithm.
//!
//! Pre-published signatures (RFC 6781 §4.1.4, the second step of an
//! algorithm rollover: the new algorithm's RRSIGs are added to every RRset
//! before its DNSKEY is published, so that no validator holds the new
//! DNSKEY RRset without the signatures it implies, RFC 6840 §5.11) cannot be
//! verified: their key is not published. They keep their status
//! (`no-matching-key`, never valid). Declared with
//! `prepublished_algorithms`, and only while no key of that algorithm is
//! in the DNSKEY RRset, each is downgraded to the warning
//! `prepublished-signature`; in exchange the stage requires one on every
//! authoritative RRset.

use crate::dns::rrtype;
use crate::model::zone::Zone;
use crate::sig::{crypto, Status};

use super::findings::{Code, Findings};
use super::policy::Expectations;
use super::{must_be_signed, row_fields, status, valid_by, Downgrade};

/// Checks every expectation; pushes the rows it downgrades.
pub fn check(z: &Zone<'_>, exp: &Expectations, out: &mut Findings, downgraded: &mut Vec<Downgrade>) {
    if exp.is_empty() {
        return;
    }
    let dnskey_set = z.apex_node().and_then(|n| n.rrset(rrtype::DNSKEY));
    let first_dnskey = dnskey_set.map(|s| &z.records[s.records[0] as usize]);
    let zone_keys = || z.keys.iter().filter(|k| k.key.is_zone_key());

    let mut expected: Vec<u16> = exp.keys.clone();
    expected.extend(exp.signing_keys.iter().copied().filter(|t| !exp.keys.contains(t)));
    for &tag in &expected {
        if !zone_keys().any(|k| k.key.key_tag == tag) {
            let role = if exp.signing_keys.contains(&tag) { " (expected to sign)" } else { "" };
            out.add(Code::ExpectedKeyMissing, &z.apex, rrtype::DNSKEY, Some(tag), first_dnskey,
                format!("no DNSKEY with key tag {tag}{role} in the apex DNSKEY RRset (it holds {})", key_list(z)));
        }
    }
    for &tag in &exp.signing_keys {
        for k in zone_keys().filter(|k| k.key.key_tag == tag) {
            signing_key(z, k.key.key_tag, k.key.algorithm, k.key.is_sep(), out);
        }
    }
    for &tag in &exp.forbidden_keys {
        for k in z.keys.iter().filter(|k| k.key.key_tag == tag) {
            out.add(Code::ForbiddenKeyPresent, &z.apex, rrtype::DNSKEY, Some(tag), Some(&z.records[k.record as usize]),
                format!("DNSKEY {tag} (algorithm {}) is still in the apex DNSKEY RRset", k.key.algorithm));
        }
        let rows: Vec<u32> = (0..z.rrsig_record.len() as u32).filter(|&r| row_fields(z, r).is_some_and(|(_, t, _)| t == tag)).collect();
        if let Some(&first) = rows.first() {
            let owner = &z.nodes[z.rrsig_node[first as usize] as usize].name;
            let (_, _, covered) = row_fields(z, first).unwrap_or_default();
            out.add(Code::ForbiddenKeyPresent, owner, covered, Some(tag), Some(z.rrsig(first)),
                format!("{} RRSIG(s) with key tag {tag} are still in the zone; the first covers {owner} {}", rows.len(), rrtype::to_mnemonic(covered)));
        }
    }
    for &alg in &exp.algorithms {
        if !zone_keys().any(|k| k.key.algorithm == alg) {
            out.add(Code::ExpectedAlgorithmMissing, &z.apex, rrtype::DNSKEY, None, first_dnskey,
                format!("no key of algorithm {alg} ({}) in the apex DNSKEY RRset (it holds {})", crypto::algorithm_name(alg), key_list(z)));
        }
    }
    for &alg in &exp.forbidden_algorithms {
        for k in z.keys.iter().filter(|k| k.key.algorithm == alg) {
            out.add(Code::ForbiddenAlgorithmPresent, &z.apex, rrtype::DNSKEY, Some(k.key.key_tag), Some(&z.records[k.record as usize]),
                format!("DNSKEY {} of algorithm {alg} ({}) is still in the apex DNSKEY RRset", k.key.key_tag, crypto::algorithm_name(alg)));
        }
    }
    for &alg in &exp.prepublished_algorithms {
        prepublished(z, alg, out, downgraded);
    }
}

/// The keys of the apex DNSKEY RRset, for messages: "tag/algorithm" each.
fn key_list(z: &Zone<'_>) -> String {
    if z.keys.is_empty() {
        return "no key".into();
    }
    let v: Vec<String> = z.keys.iter().map(|k| format!("{}/{}", k.key.key_tag, k.key.algorithm)).collect();
    format!("key tag/algorithm {}", v.join(", "))
}

/// `--expect-signing-key`: the key validly signs the DNSKEY RRset and,
/// without the SEP flag (a ZSK or CSK), every authoritative RRset.
fn signing_key(z: &Zone<'_>, tag: u16, alg: u8, sep: bool, out: &mut Findings) {
    if let Some(set) = z.apex_node().and_then(|n| n.rrset(rrtype::DNSKEY)) {
        if !set.rrsigs.iter().any(|&row| valid_by(z, row, tag, alg)) {
            out.add(Code::ExpectedKeyNotSigning, &z.apex, rrtype::DNSKEY, Some(tag), Some(&z.records[set.records[0] as usize]),
                format!("DNSKEY {tag} (algorithm {alg}) does not validly sign the DNSKEY RRset"));
        }
    }
    if sep {
        return;
    }
    let mut missing = 0usize;
    let mut total = 0usize;
    let mut first = None;
    for n in &z.nodes {
        for s in n.rrsets.iter().filter(|s| s.rtype != rrtype::DNSKEY && must_be_signed(n.kind, s.rtype)) {
            total += 1;
            if !s.rrsigs.iter().any(|&row| valid_by(z, row, tag, alg)) {
                missing += 1;
                first.get_or_insert((n, s));
            }
        }
    }
    if let Some((n, s)) = first {
        out.add(Code::ExpectedKeyNotSigning, &n.name, s.rtype, Some(tag), Some(&z.records[s.records[0] as usize]),
            format!("DNSKEY {tag} (algorithm {alg}, no SEP flag) does not validly sign {missing} of the zone's {total} authoritative RRsets \
                     besides the DNSKEY RRset; the first is {} {}", n.name, rrtype::to_mnemonic(s.rtype)));
    }
}

/// `prepublished_algorithms`: the new algorithm's signatures without its key.
fn prepublished(z: &Zone<'_>, alg: u8, out: &mut Findings, downgraded: &mut Vec<Downgrade>) {
    let name = crypto::algorithm_name(alg);
    if let Some(k) = z.keys.iter().find(|k| k.key.algorithm == alg && k.key.is_zone_key()) {
        // Past the stage: the key is published, its signatures verify (or
        // fail) as any other; nothing is downgraded.
        out.add(Code::PrepublishedKeyPublished, &z.apex, rrtype::DNSKEY, Some(k.key.key_tag), Some(&z.records[k.record as usize]),
            format!("algorithm {alg} ({name}) is declared pre-published, but its DNSKEY {} is in the apex DNSKEY RRset: \
                     this zone is past that stage of the rollover", k.key.key_tag));
        return;
    }
    let of_alg = |row: u32| row_fields(z, row).is_some_and(|(a, _, _)| a == alg);
    for row in 0..z.rrsig_record.len() as u32 {
        if of_alg(row) && status(z, row) == Status::NoMatchingKey as u8 {
            downgraded.push(Downgrade {
                row,
                code: Some(Code::PrepublishedSignature),
                note: format!("algorithm {alg} is pre-published (RFC 6781 §4.1.4): its key is not in the DNSKEY RRset yet, this RRSIG was not verified"),
            });
        }
    }
    for n in &z.nodes {
        for s in n.rrsets.iter().filter(|s| must_be_signed(n.kind, s.rtype)) {
            if !s.rrsigs.iter().any(|&row| of_alg(row)) {
                out.add(Code::PrepublishedMissing, &n.name, s.rtype, None, Some(&z.records[s.records[0] as usize]),
                    format!("the {} RRset has no RRSIG of the pre-published algorithm {alg} ({name}): every RRset must carry one \
                             before the key is published (RFC 6781 §4.1.4)", rrtype::to_mnemonic(s.rtype)));
            }
        }
    }
}

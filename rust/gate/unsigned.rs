//! `--unsigned`: the signed zone must hold exactly the data of the zone
//! that went into the signer.
//!
//! Every record the signer dropped, added or altered is an error naming it
//! (owner, type, both RDATA, both places), except what signing
//! legitimately makes or changes: the types of [`made_by_signing`] (RRSIG,
//! NSEC, NSEC3, NSEC3PARAM, DNSKEY, ZONEMD), the SOA serial, and CDS and
//! CDNSKEY where the policy lets the signer publish them
//! (`signer_adds_cds`). A signer that corrupts data while producing valid
//! signatures over it is exactly what signature verification cannot see.
//!
//! RRsets are compared by (owner without case, type); records within one
//! by canonical RDATA (RFC 4034 §6.2), identical copies counted once. A
//! record whose RDATA has no match on the other side is paired, in RDATA
//! order, with an unmatched record of the same RRset there (`altered`);
//! what remains is `dropped` or `added`. A matched record with another TTL
//! is `altered` too.

use std::collections::HashSet;
use std::path::Path;

use crate::checks::findings::{Code, Findings};
use crate::checks::policy::GatePolicy;
use crate::dns::name::Name;
use crate::dns::record::Record;
use crate::dns::{canon, rrtype};
use crate::error::CoreError;
use crate::parse::zonefile::ParseOptions;

use super::render::rdata_text;
use super::summary::{fetch, made_by_signing, walk, Entry, Source, Summary};

/// At most this many differences are reported one by one (each is read
/// again from both files); the rest are counted in one more finding.
pub const DETAILED: usize = 1000;

/// What the comparison found, for the report.
#[derive(Clone, Debug, Default)]
pub struct Comparison {
    pub unsigned_file: String,
    /// Data records compared on each side.
    pub unsigned_records: usize,
    pub signed_records: usize,
    pub dropped: usize,
    pub added: usize,
    pub altered: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Dropped,
    Added,
    Altered,
}

#[derive(Clone, Copy, Debug)]
struct Diff {
    kind: Kind,
    unsigned: Option<Entry>,
    signed: Option<Entry>,
}

/// The records of one RRset, identical copies once.
fn once(set: &[Entry]) -> Vec<Entry> {
    let mut v = set.to_vec();
    v.dedup_by_key(|e| e.rdata);
    v
}

fn compared(rtype: u16, policy: &GatePolicy) -> bool {
    !made_by_signing(rtype) && !(policy.signer_adds_cds && matches!(rtype, rrtype::CDS | rrtype::CDNSKEY))
}

fn diffs(u: &Summary, s: &Summary, policy: &GatePolicy) -> Vec<Diff> {
    let mut out = Vec::new();
    walk(u, s, |x, y| {
        let rtype = x.first().or(y.first()).map_or(0, |e| e.rtype);
        if !compared(rtype, policy) {
            return;
        }
        let (x, y) = (once(x), once(y));
        let mut gone: Vec<Entry> = Vec::new();
        let mut new: Vec<Entry> = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < x.len() || j < y.len() {
            if j == y.len() || (i < x.len() && x[i].rdata < y[j].rdata) {
                gone.push(x[i]);
                i += 1;
            } else if i == x.len() || y[j].rdata < x[i].rdata {
                new.push(y[j]);
                j += 1;
            } else {
                if x[i].ttl != y[j].ttl {
                    out.push(Diff { kind: Kind::Altered, unsigned: Some(x[i]), signed: Some(y[j]) });
                }
                i += 1;
                j += 1;
            }
        }
        let pairs = gone.len().min(new.len());
        for k in 0..pairs {
            out.push(Diff { kind: Kind::Altered, unsigned: Some(gone[k]), signed: Some(new[k]) });
        }
        out.extend(gone[pairs..].iter().map(|&e| Diff { kind: Kind::Dropped, unsigned: Some(e), signed: None }));
        out.extend(new[pairs..].iter().map(|&e| Diff { kind: Kind::Added, unsigned: None, signed: Some(e) }));
    });
    // Zone order: by the signed record's place, else the unsigned one's.
    out.sort_by_key(|d| match (d.signed, d.unsigned) {
        (Some(e), _) => (0, e.file, e.line),
        (None, Some(e)) => (1, e.file, e.line),
        _ => (2, 0, 0),
    });
    out
}

/// TTL, type and RDATA of a record, as a zone file writes them.
fn rr_text(r: &Record) -> String {
    format!("{} {} {}", r.ttl, rrtype::to_mnemonic(r.rtype), rdata_text(r.rtype, &r.rdata))
}

fn place(files: &[String], r: &Record) -> String {
    format!("{}:{}", files.get(r.file as usize).map_or("?", String::as_str), r.line)
}

/// The SOA in canonical form (its two names lower-cased, RFC 4034 §6.2;
/// the five numbers as they are) without its serial, for the comparison.
fn soa_but_serial(r: &Record) -> Vec<u8> {
    let mut v = Vec::with_capacity(r.rdata.len());
    if !canon::canonical_rdata(rrtype::SOA, &r.rdata, &mut v) {
        v.clear();
        v.extend_from_slice(&r.rdata);
    }
    if let Some(p) = canon::soa_serial_at(&v) {
        v[p..p + 4].fill(0);
    }
    v
}

/// Compares the unsigned input `u` (read from `path`) with the signed zone
/// `s` (read again from `signed` for the messages); adds findings located in the report's
/// files, where the unsigned input's files start at index `u_offset`.
#[allow(clippy::too_many_arguments)]
pub fn compare(
    u: &Summary,
    s: &Summary,
    path: &Path,
    signed: Source<'_>,
    popts: &ParseOptions,
    policy: &GatePolicy,
    files: &[String],
    u_offset: u32,
    apex: &Name,
    out: &mut Findings,
) -> Result<Comparison, CoreError> {
    let mut c = Comparison { unsigned_file: path.display().to_string(), ..Default::default() };
    c.unsigned_records = u.entries.iter().filter(|e| compared(e.rtype, policy)).count();
    c.signed_records = s.entries.iter().filter(|e| compared(e.rtype, policy)).count();

    // The SOA: all but the serial.
    let (us, ss) = (u.apex_records(rrtype::SOA), s.apex_records(rrtype::SOA));
    if let (Some(a), Some(b)) = (us.first(), ss.first()) {
        if soa_but_serial(a) != soa_but_serial(b) || a.ttl != b.ttl {
            c.altered += 1;
            let mut a = (*a).clone();
            a.file += u_offset;
            out.add(Code::SignerAlteredRecord, &b.owner, rrtype::SOA, None, Some(b),
                format!("the signer altered the SOA beyond its serial: the unsigned zone ({}) has {}, the signed zone {}",
                    place(files, &a), rr_text(&a), rr_text(b)));
        }
    }

    let list = diffs(u, s, policy);
    for d in &list {
        match d.kind {
            Kind::Dropped => c.dropped += 1,
            Kind::Added => c.added += 1,
            Kind::Altered => c.altered += 1,
        }
    }
    let shown = &list[..list.len().min(DETAILED)];
    let want = |side: fn(&Diff) -> Option<Entry>| -> HashSet<(u16, u32)> { shown.iter().filter_map(side).map(|e| (e.file, e.line)).collect() };
    let got_u = fetch(Source::File(path), popts, &want(|d| d.unsigned))?;
    let got_s = fetch(signed, popts, &want(|d| d.signed))?;
    // "3600 A 192.0.2.1": TTL, type and RDATA as a zone file writes them.
    let text = |r: Option<&Record>| r.map_or_else(|| "?".to_string(), rr_text);
    for d in shown {
        let mut ur = d.unsigned.and_then(|e| got_u.get(&(e.file, e.line))).cloned();
        if let Some(r) = &mut ur {
            r.file += u_offset;
        }
        let sr = d.signed.and_then(|e| got_s.get(&(e.file, e.line)));
        let Some(any) = sr.or(ur.as_ref()) else { continue };
        let (owner, rtype) = (any.owner.clone(), any.rtype);
        let t = rrtype::to_mnemonic(rtype);
        match d.kind {
            Kind::Dropped => out.add(Code::SignerDroppedRecord, &owner, rtype, None, ur.as_ref(),
                format!("the signer dropped {owner} {} ({}): it is not in the signed zone", text(ur.as_ref()), ur.as_ref().map_or("?".into(), |r| place(files, r)))),
            Kind::Added => out.add(Code::SignerAddedRecord, &owner, rtype, None, sr,
                format!("the signer added {owner} {}: it is not in the unsigned zone ({})", text(sr), c.unsigned_file)),
            Kind::Altered => out.add(Code::SignerAlteredRecord, &owner, rtype, None, sr,
                format!("the signer altered {owner} {t}: the unsigned zone ({}) has {}, the signed zone {}",
                    ur.as_ref().map_or("?".into(), |r| place(files, r)), text(ur.as_ref()), text(sr))),
        }
    }
    if list.len() > shown.len() {
        out.add(Code::SignerAlteredRecord, apex, 0, None, None,
            format!("{} more records dropped, added or altered by the signer are not listed ({} dropped, {} added, {} altered in all)",
                list.len() - shown.len(), c.dropped, c.added, c.altered));
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn soa(rdata: &[u8]) -> Record {
        Record { owner: Name::root(), rtype: rrtype::SOA, class: 1, ttl: 1, rdata: rdata.to_vec(), line: 1, file: 0 }
    }

    #[test]
    fn soa_compares_names_without_case_numbers_as_they_are_serial_not_at_all() {
        let base = |serial: u32, refresh: u32, mname: &[u8]| {
            let mut v = mname.to_vec();
            v.extend_from_slice(b"\x01h\x00");
            for x in [serial, refresh, 3, 4, 5] {
                v.extend_from_slice(&x.to_be_bytes());
            }
            soa(&v)
        };
        assert_eq!(soa_but_serial(&base(1, 7200, b"\x02ns\x00")), soa_but_serial(&base(2, 7200, b"\x02NS\x00")));
        // 0x41 and 0x61 are numbers here, not letters: a changed refresh.
        assert_ne!(soa_but_serial(&base(1, 0x41, b"\x02ns\x00")), soa_but_serial(&base(1, 0x61, b"\x02ns\x00")));
    }
}

//! Stage 4, the zone-level checks: structure, completeness per algorithm,
//! keys, TTLs and time margins here; NSEC/NSEC3 ([`denial`]), ZONEMD
//! ([`zonemd`]), DS, CDS/CDNSKEY and trust anchors ([`anchor`]) in their
//! own modules, all called from [`run`]. Their vocabulary: [`findings`]
//! and [`policy`].

pub mod anchor;
pub mod denial;
pub mod expect;
pub mod findings;
pub mod policy;
pub mod zonemd;

use std::collections::{BTreeSet, HashMap, HashSet};

use rayon::prelude::*;

use crate::dns::{canon, rrtype, serial};
use crate::model::zone::{identical_copies, NameKind, Node, Zone};
use crate::sig::{crypto, Status};
use findings::{Code, Finding, Findings};
use policy::Policy;

/// Whether the whole-zone checks read the RDATA of records of `rtype`
/// below the apex (at the apex they may read any). The streaming pipeline
/// drops the RDATA of every other record once its owner name is verified
/// (and keeps all of it when the apex has a ZONEMD, whose digest covers
/// every record). A check that starts reading another type's RDATA must be
/// added here; `tests/test_pipeline.py` compares the two paths on every
/// test zone.
///
/// RRSIG RDATA is kept up to the signature (the fields), the signature
/// replaced by its SHA-256 digest, which is all that the comparison of
/// identical RRSIGs needs.
pub fn reads_rdata(rtype: u16) -> bool {
    matches!(
        rtype,
        rrtype::DS
            | rrtype::CDS
            | rrtype::CDNSKEY
            | rrtype::DNSKEY
            | rrtype::SOA
            | rrtype::NSEC
            | rrtype::NSEC3
            | rrtype::NSEC3PARAM
            | rrtype::ZONEMD
    )
}

/// What the checks found: zone-level findings, and the report rows whose
/// failure policy downgrades to a warning.
pub struct Outcome {
    pub findings: Vec<Finding>,
    /// Row order.
    pub downgraded: Vec<Downgrade>,
}

/// A report row whose failure policy downgrades to a warning: its status
/// stays (never valid); the finding takes `code` if given
/// (`redundant-failure`, `prepublished-signature`; else the status's own
/// code) and `note`, if any, before the status's own reason.
#[derive(Clone, Debug)]
pub struct Downgrade {
    pub row: u32,
    pub code: Option<Code>,
    pub note: String,
}

/// Where policy decides severities, once the signatures' statuses and the
/// checks' findings are known, whether the zone-level checks ran or not:
/// with `allow_unsupported`, RRSIGs that could not be verified because their
/// algorithm or key is unsupported, and `zonemd-unsupported`, are warnings
/// (never valid: the status stays). Redundant failures and pre-published
/// signatures are decided by the checks that see their RRsets (they add to
/// `outcome.downgraded`); this adds the rest, one downgrade per row.
pub fn apply_policy_severity(outcome: &mut Outcome, status: &[u8], policy: &Policy) {
    if !policy.allow_unsupported {
        return;
    }
    for f in outcome.findings.iter_mut().filter(|f| f.code == Code::ZonemdUnsupported) {
        f.severity = findings::Severity::Warning;
    }
    let taken: HashSet<u32> = outcome.downgraded.iter().map(|d| d.row).collect();
    for (row, &st) in status.iter().enumerate() {
        let row = row as u32;
        if (st == Status::UnsupportedAlgorithm as u8 || st == Status::UnsupportedKey as u8) && !taken.contains(&row) {
            outcome.downgraded.push(Downgrade { row, code: None, note: String::new() });
        }
    }
    outcome.downgraded.sort_by_key(|d| d.row);
}

/// What the per-name checks need to know of the whole zone when they see
/// only a part of it ([`node_checks`]).
pub struct NodeContext<'c> {
    /// The zone has RRSIGs (else the signature checks do not run).
    pub signed: bool,
    /// The zone has NSEC records (else the NSEC checks do not run), and
    /// min(SOA MINIMUM, SOA TTL) of its apex SOA.
    pub nsec: Option<Option<u32>>,
    /// How the NSEC links are checked.
    pub chain: denial::Chain<'c>,
    /// The index in the view's records of the zone's last record, if it is
    /// in the view (an AXFR-style dump's closing SOA is not a duplicate).
    pub last_record: Option<u32>,
    /// The algorithms of the apex DNSKEY RRset's zone keys.
    pub algs: BTreeSet<u8>,
    /// What the expectations gather name by name ([`expect::Tally::plan`]).
    pub expect: &'c expect::Tally,
}

/// The findings of the checks that look at one owner name at a time, each
/// check's in its own list, in the order [`run`] puts them.
#[derive(Default)]
pub struct NodeFindings {
    pub structure: Vec<Finding>,
    pub duplicates: Vec<Finding>,
    pub ds: Vec<Finding>,
    pub completeness: Vec<Finding>,
    pub ttls: Vec<Finding>,
    pub nsec: Vec<Finding>,
    pub downgraded: Vec<Downgrade>,
    /// The NSEC links seen (with [`denial::Chain::Summary`]).
    pub chain: denial::ChainSummary,
    /// What the expectations gathered.
    pub expect: expect::Tally,
}

impl NodeFindings {
    /// Appends the findings of names after these.
    pub fn extend(&mut self, o: NodeFindings) {
        self.structure.extend(o.structure);
        self.duplicates.extend(o.duplicates);
        self.ds.extend(o.ds);
        self.completeness.extend(o.completeness);
        self.ttls.extend(o.ttls);
        self.nsec.extend(o.nsec);
        self.downgraded.extend(o.downgraded);
        self.chain.extend(o.chain);
        self.expect.extend(o.expect);
    }

    /// Every finding, in the order of the lists.
    pub fn all(&self) -> impl Iterator<Item = &Finding> {
        self.structure.iter().chain(&self.duplicates).chain(&self.ds).chain(&self.completeness).chain(&self.ttls).chain(&self.nsec)
    }
}

/// The per-name checks over every node of `z` (which may be a part of the
/// zone: its records, its nodes, its report rows), in parallel blocks on
/// the caller's rayon pool, each list in node order; the identical copies
/// of `z.duplicates` too.
pub fn node_checks(z: &Zone<'_>, policy: &Policy, ctx: &NodeContext<'_>) -> NodeFindings {
    const BLOCK: usize = 2048;
    let algs = &ctx.algs;
    let blocks: Vec<NodeFindings> = (0..z.nodes.len().div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let mut f = NodeFindings::default();
            let (mut st, mut ds, mut co, mut tt, mut ns) = (Findings::default(), Findings::default(), Findings::default(), Findings::default(), Findings::default());
            for ni in (b * BLOCK) as u32..((b + 1) * BLOCK).min(z.nodes.len()) as u32 {
                let n = &z.nodes[ni as usize];
                structure_node(z, n, &mut st);
                ds_digests(z, n, &mut ds);
                if ctx.signed {
                    completeness_node(z, n, algs, policy, &mut co, &mut f.downgraded);
                }
                ttls_and_time(z, n, policy, &mut tt);
                if let Some(ttl) = ctx.nsec {
                    denial::check_nsec_node(z, ni, ttl, &ctx.chain, &mut ns, &mut f.chain);
                }
            }
            f.structure = st.list;
            f.ds = ds.list;
            f.completeness = co.list;
            f.ttls = tt.list;
            f.nsec = ns.list;
            f
        })
        .collect();
    let mut all = NodeFindings::default();
    for b in blocks {
        all.extend(b);
    }
    let mut dup = Findings::default();
    duplicates(z, ctx.last_record, &mut dup);
    all.duplicates = dup.list;
    if ctx.signed && !ctx.expect.is_empty() {
        all.expect = expect::tally(z, ctx.expect);
    }
    all
}

/// The findings of the checks that look at the zone as a whole, or at its
/// apex only, each check's in its own list, in the order [`run`] puts them.
#[derive(Default)]
pub struct ZoneFindings {
    pub soa: Vec<Finding>,
    pub signatures: Vec<Finding>,
    pub no_dnskey: Vec<Finding>,
    pub expect: Vec<Finding>,
    pub no_denial: Vec<Finding>,
    pub mixed_denial: Vec<Finding>,
    pub rest: Vec<Finding>,
    pub downgraded: Vec<Downgrade>,
}

/// The zone-wide and apex checks ([`ZoneFindings`]). `z` holds at least
/// the apex; `status` is every report row's status (zone order),
/// `first_rrsig` the zone's first RRSIG record, `has_denial` whether the
/// zone has NSEC or NSEC3 records, `expect` what the expectations gathered
/// over every name ([`NodeFindings::expect`]).
pub fn zone_checks(
    z: &Zone<'_>,
    policy: &Policy,
    status: &[u8],
    first_rrsig: Option<&crate::dns::record::Record>,
    has_denial: bool,
    expect: expect::Tally,
    nsec3: denial::Nsec3Chain<'_>,
) -> ZoneFindings {
    let signed = !status.is_empty();
    let mut f = ZoneFindings::default();
    let mut out = Findings::default();
    soa_count(z, &mut out);
    f.soa = std::mem::take(&mut out.list);
    if !signed {
        let at = z.apex_node().and_then(|n| n.rrsets.first()).map(|s| &z.records[s.records[0] as usize]);
        out.add(Code::NoRrsig, &z.apex, 0, None, at, "the zone has no RRSIG records: nothing is signed, nothing was verified");
    } else {
        nothing_verified(z, status, first_rrsig, &mut out);
        keys(z, policy, &mut out);
    }
    f.signatures = std::mem::take(&mut out.list);
    if signed {
        if zone_algorithms(z).is_empty() {
            out.add(Code::NoDnskey, &z.apex, rrtype::DNSKEY, None, first_rrsig,
                format!("the zone has RRSIGs but no DNSKEY RRset (with a zone key) at the apex {}", z.apex));
        }
        f.no_dnskey = std::mem::take(&mut out.list);
        expect::check(z, &policy.expect, expect, &mut out, &mut f.downgraded);
        f.expect = std::mem::take(&mut out.list);
    }
    if signed && !has_denial {
        out.add(Code::NoDenial, &z.apex, 0, None, None,
            "the zone is signed but has neither NSEC nor NSEC3 records: no authenticated denial (RFC 4035 §2.3)");
    }
    f.no_denial = std::mem::take(&mut out.list);
    denial::check_nsec_zone(z, &mut out);
    f.mixed_denial = std::mem::take(&mut out.list);
    denial::check_nsec3_chain(z, policy, nsec3, &mut out);
    zonemd::check_zonemd(z, policy, &mut out);
    anchor::check_cds(z, &mut out);
    if !policy.trust_anchors.is_empty() {
        anchor::check_trust_anchor(z, &policy.trust_anchors, &mut out);
    }
    f.rest = out.list;
    f
}

/// The findings of both kinds of checks in one list, in zone order (file,
/// line; those without a record last), and the rows downgraded (one each,
/// the first found: redundant failures before pre-published signatures; a
/// row cannot be both, the first needs a valid RRSIG of its algorithm, the
/// second has no key of it).
pub fn assemble(nodes: NodeFindings, zone: ZoneFindings) -> Outcome {
    let mut list: Vec<Finding> = Vec::new();
    for part in [
        nodes.structure,
        zone.soa,
        nodes.duplicates,
        nodes.ds,
        zone.signatures,
        zone.no_dnskey,
        nodes.completeness,
        zone.expect,
        nodes.ttls,
        zone.no_denial,
        zone.mixed_denial,
        nodes.nsec,
        zone.rest,
    ] {
        list.extend(part);
    }
    // Stable: the findings about one record keep the order above.
    list.sort_by_key(|f| (f.line == 0, f.file, f.line));
    let mut downgraded = nodes.downgraded;
    downgraded.extend(zone.downgraded);
    downgraded.sort_by_key(|d| d.row);
    downgraded.dedup_by_key(|d| d.row);
    Outcome { findings: list, downgraded }
}

/// Runs every zone-level check over the whole zone.
pub fn run(z: &Zone<'_>, policy: &Policy) -> Outcome {
    let (has_nsec, has_nsec3) = z.records.iter().fold((false, false), |(a, b), r| (a || r.rtype == rrtype::NSEC, b || r.rtype == rrtype::NSEC3));
    let chain = if has_nsec { denial::nsec_chain_names(z) } else { Vec::new() };
    let plan = expect::Tally::plan(&policy.expect, z.keys.iter().map(|k| &k.key));
    let ctx = NodeContext {
        signed: !z.rrsig_record.is_empty(),
        nsec: has_nsec.then(|| denial::denial_ttl(z)),
        chain: denial::Chain::Whole(&chain),
        last_record: z.records.len().checked_sub(1).map(|l| l as u32),
        algs: zone_algorithms(z),
        expect: &plan,
    };
    let first_rrsig = z.rrsig_record.first().map(|&r| &z.records[r as usize]);
    let mut nodes = node_checks(z, policy, &ctx);
    let zone = zone_checks(z, policy, &z.rrsig_status, first_rrsig, has_nsec || has_nsec3, std::mem::take(&mut nodes.expect), denial::Nsec3Chain::Whole);
    assemble(nodes, zone)
}

/// Whether an RRset at a node of this kind is authoritative data that must
/// be signed (RFC 4035 §2.2: at a delegation point only DS and NSEC are;
/// glue and data below a cut or DNAME are not).
pub(crate) fn must_be_signed(kind: NameKind, rtype: u16) -> bool {
    match kind {
        NameKind::Apex | NameKind::Authoritative => true,
        NameKind::Delegation => rtype == rrtype::DS || rtype == rrtype::NSEC,
        NameKind::NonAuthoritative | NameKind::OutOfZone => false,
    }
}

/// Out-of-zone data, and RRSIGs where none may be (RFC 4035 §2.2).
fn structure_node(z: &Zone<'_>, n: &Node, out: &mut Findings) {
    match n.kind {
        NameKind::OutOfZone => {
            for s in &n.rrsets {
                let r = &z.records[s.records[0] as usize];
                out.add(Code::OutOfZone, &n.name, s.rtype, None, Some(r),
                    format!("{} is not at or below the zone apex {}", n.name, z.apex));
            }
            for &row in &n.rrsigs {
                out.add(Code::OutOfZone, &n.name, rrtype::RRSIG, None, Some(z.rrsig(row)),
                    format!("{} is not at or below the zone apex {}", n.name, z.apex));
            }
        }
        NameKind::NonAuthoritative | NameKind::Delegation => {
            for &row in &n.rrsigs {
                let rec = z.rrsig(row);
                let Some(sig) = canon::parse_rrsig(&rec.rdata) else { continue };
                if n.kind == NameKind::Delegation && sig.type_covered == rrtype::NS {
                    out.add(Code::SignedDelegationNs, &n.name, rrtype::NS, Some(sig.key_tag), Some(rec),
                        "the NS RRset of a delegation point is not authoritative and must not be signed (RFC 4035 §2.2)");
                } else if !must_be_signed(n.kind, sig.type_covered) && n.has(sig.type_covered) {
                    let what = if n.kind == NameKind::Delegation { "at a delegation point" } else { "below a zone cut or DNAME (glue or occluded data)" };
                    out.add(Code::SignedNonAuthoritative, &n.name, sig.type_covered, Some(sig.key_tag), Some(rec),
                        format!("RRSIG over {} {what}: not authoritative, must not be signed (RFC 4035 §2.2)", rrtype::to_mnemonic(sig.type_covered)));
                }
            }
        }
        NameKind::Apex | NameKind::Authoritative => {}
    }
}

/// One SOA at the apex.
fn soa_count(z: &Zone<'_>, out: &mut Findings) {
    match z.apex_node().and_then(|n| n.rrset(rrtype::SOA)) {
        None => out.add(Code::SoaCount, &z.apex, rrtype::SOA, None, None, format!("no SOA record at the apex {}", z.apex)),
        Some(s) => {
            // Identical copies are already one RR (the zone model).
            if s.records.len() > 1 {
                let r = &z.records[s.records[1] as usize];
                out.add(Code::SoaCount, &z.apex, rrtype::SOA, None, Some(r),
                    format!("{} different SOA records at the apex; there must be one", s.records.len()));
            }
        }
    }
}

/// Identical copies of an RR, which the zone model counts once (RFC 2181
/// §5, RFC 4034 §6.3): a warning each, and an error when the copy's TTL
/// differs (RFC 2181 §5.2: the TTLs of an RRset must be equal). The SOA
/// copy that closes an AXFR-style dump, the zone's last record, is the
/// transfer's framing (RFC 5936 §2.2), not a duplicate worth a warning.
fn duplicates(z: &Zone<'_>, last: Option<u32>, out: &mut Findings) {
    for &(copy, kept) in &z.duplicates {
        let (c, k) = (&z.records[copy as usize], &z.records[kept as usize]);
        let tname = rrtype::to_mnemonic(c.rtype);
        if c.ttl != k.ttl {
            out.add(Code::RrsetTtl, &c.owner, c.rtype, None, Some(c),
                format!("an identical copy of a {tname} RR (line {}) has TTL {}, the first {} (RFC 2181 §5.2)", k.line, c.ttl, k.ttl));
        }
        let axfr_close = Some(copy) == last && c.rtype == rrtype::SOA && c.owner.eq_ignore_case(&z.apex);
        if !axfr_close {
            out.add(Code::DuplicateRr, &c.owner, c.rtype, None, Some(c),
                format!("the same {tname} RR as on line {} again: identical RRs are one RR (RFC 2181 §5), counted once", k.line));
        }
    }
}

/// DESIGN.md principle 1: a zone in which no RRSIG could be verified
/// passes under no policy. With `--allow-unsupported` every RRSIG may be
/// of an unsupported algorithm or key, and each of those is then only a
/// warning; this finding is what keeps such a zone, in which nothing was
/// checked, from passing. (When some RRSIG failed, its own error already
/// fails the zone; this finding would only repeat it.)
fn nothing_verified(z: &Zone<'_>, status: &[u8], at: Option<&crate::dns::record::Record>, out: &mut Findings) {
    let unsupported = |s: u8| s == Status::UnsupportedAlgorithm as u8 || s == Status::UnsupportedKey as u8;
    if status.is_empty() || !status.iter().all(|&s| unsupported(s)) {
        return;
    }
    let algs: BTreeSet<u8> = z.keys.iter().map(|k| k.key.algorithm).collect();
    let names: Vec<String> = algs.iter().map(|&a| format!("{a} ({})", crypto::algorithm_name(a))).collect();
    out.add(Code::NothingVerified, &z.apex, rrtype::RRSIG, None, at,
        format!("not one of the zone's {} RRSIGs could be verified, each is of an unsupported algorithm or key (DNSKEY algorithms: {}): no algorithm of the zone was actually verified, so it cannot pass",
            status.len(), if names.is_empty() { "none".to_string() } else { names.join(", ") }));
}

/// DS and CDS digest lengths per digest type (RFC 4034 §5.1.4, RFC 4509
/// §2.2, RFC 5933 §3, RFC 6605 §4).
fn ds_digests(z: &Zone<'_>, n: &Node, out: &mut Findings) {
    if n.kind == NameKind::OutOfZone {
        return;
    }
    for t in [rrtype::DS, rrtype::CDS] {
        let Some(s) = n.rrset(t) else { continue };
        for &ri in &s.records {
            let r = &z.records[ri as usize];
            if r.rdata.len() < 4 {
                continue; // the parser guarantees the fixed fields
            }
            let (tag, dtype, dlen) = (u16::from_be_bytes([r.rdata[0], r.rdata[1]]), r.rdata[3], r.rdata.len() - 4);
            let want = match dtype {
                1 => 20,
                2 | 3 => 32,
                4 => 48,
                _ => continue,
            };
            // CDS delete form (RFC 8078 §4): 0 0 0 00.
            if t == rrtype::CDS && dtype == 0 {
                continue;
            }
            if dlen != want {
                out.add(Code::DsDigestLength, &n.name, t, Some(tag), Some(r),
                    format!("{} digest type {dtype} needs {want} octets, this one has {dlen}", rrtype::to_mnemonic(t)));
            }
        }
    }
}

/// The algorithms the apex DNSKEY RRset holds (zone keys only).
fn zone_algorithms(z: &Zone<'_>) -> BTreeSet<u8> {
    z.keys.iter().filter(|k| k.key.is_zone_key()).map(|k| k.key.algorithm).collect()
}

pub(crate) fn row_fields(z: &Zone<'_>, row: u32) -> Option<(u8, u16, u16)> {
    canon::parse_rrsig(&z.rrsig(row).rdata).map(|s| (s.algorithm, s.key_tag, s.type_covered))
}

pub(crate) fn status(z: &Zone<'_>, row: u32) -> u8 {
    z.rrsig_status[row as usize]
}

/// Whether report row `row` is a valid RRSIG by key `tag` of algorithm `alg`.
pub(crate) fn valid_by(z: &Zone<'_>, row: u32, tag: u16, alg: u8) -> bool {
    status(z, row) == Status::Valid as u8 && row_fields(z, row).is_some_and(|(a, t, _)| a == alg && t == tag)
}

/// RFC 4035 §2.2 / RFC 6840 §5.11: every authoritative RRset is signed by
/// every algorithm of the apex DNSKEY RRset (or, by policy, by any one).
/// An algorithm counts as present when an RRSIG of it covers the RRset:
/// an RRSIG that is present but fails is reported by its own status (an
/// error), so completeness reports only signatures that are absent.
/// Also RRSIGs over RRSIGs, duplicate RRSIGs and, by policy, failing RRSIGs
/// next to a valid RRSIG of the same algorithm.
fn completeness_node(z: &Zone<'_>, n: &Node, algs: &BTreeSet<u8>, policy: &Policy, out: &mut Findings, downgraded: &mut Vec<Downgrade>) {
    check_node_rrsigs(z, n, out);
    for s in &n.rrsets {
        if !must_be_signed(n.kind, s.rtype) {
            continue;
        }
        let first = &z.records[s.records[0] as usize];
        // Ordered: the finding lists these, and must read the same every run.
        let mut present: BTreeSet<u8> = BTreeSet::new();
        let mut valid_by_alg: HashSet<u8> = HashSet::new();
        for &row in &s.rrsigs {
            if let Some((alg, _, _)) = row_fields(z, row) {
                present.insert(alg);
                if status(z, row) == Status::Valid as u8 {
                    valid_by_alg.insert(alg);
                }
            }
        }
        if policy.redundant_failures_warning {
            for &row in &s.rrsigs {
                if let Some((alg, _, _)) = row_fields(z, row) {
                    let st = status(z, row);
                    let unsupported = st == Status::UnsupportedAlgorithm as u8 || st == Status::UnsupportedKey as u8;
                    if st != Status::Valid as u8 && !unsupported && valid_by_alg.contains(&alg) {
                        downgraded.push(Downgrade {
                            row,
                            code: Some(Code::RedundantFailure),
                            note: "another RRSIG of this algorithm validly signs the RRset".into(),
                        });
                    }
                }
            }
        }
        let tname = rrtype::to_mnemonic(s.rtype);
        if present.is_empty() {
            out.add(Code::Unsigned, &n.name, s.rtype, None, Some(first),
                format!("the authoritative {tname} RRset at {} has no RRSIG", n.name));
            continue;
        }
        if policy.every_algorithm {
            for &alg in algs {
                if !present.contains(&alg) {
                    let have: Vec<String> = present.iter().map(|a| a.to_string()).collect();
                    out.add(Code::MissingAlgorithm, &n.name, s.rtype, None, Some(first),
                        format!("the {tname} RRset has no RRSIG by algorithm {alg} ({}), which is in the apex DNSKEY RRset; it is signed by algorithm {} (RFC 4035 §2.2, RFC 6840 §5.11)",
                            crypto::algorithm_name(alg), have.join(", ")));
                }
            }
        }
    }
}

/// RRSIGs over RRSIG, and identical RRSIGs at one name (the `duplicate-rr`
/// rule of the other types, compared the same way: class and canonical
/// RDATA, the signer's name without case). Unlike other RRs a copy keeps
/// its report row: every RRSIG record is verified.
fn check_node_rrsigs(z: &Zone<'_>, n: &Node, out: &mut Findings) {
    for &row in &n.rrsigs {
        if let Some((_, tag, rrtype::RRSIG)) = row_fields(z, row) {
            out.add(Code::RrsigOverRrsig, &n.name, rrtype::RRSIG, Some(tag), Some(z.rrsig(row)),
                "an RRSIG covers type RRSIG: RRSIG RRsets are never signed (RFC 4035 §2.2)");
        }
    }
    for (copy, first) in identical_copies(&n.rrsigs, |row| z.rrsig(row)) {
        let Some((_, tag, covered)) = row_fields(z, copy) else { continue };
        out.add(Code::DuplicateRr, &n.name, covered, Some(tag), Some(z.rrsig(copy)),
            format!("the same RRSIG over {} as on line {} again: identical RRs are one RR (RFC 2181 §5)",
                rrtype::to_mnemonic(covered), z.rrsig(first).line));
    }
}

/// Key checks: SEP signatures over the DNSKEY RRset (policy), key-tag
/// collisions, weak RSA keys, unusable keys.
fn keys(z: &Zone<'_>, policy: &Policy, out: &mut Findings) {
    let mut tags: HashMap<(u8, u16), u32> = HashMap::new();
    for k in &z.keys {
        let rec = &z.records[k.record as usize];
        let d = &k.key;
        if let Some(_prev) = tags.insert((d.algorithm, d.key_tag), k.record) {
            out.add(Code::KeyTagCollision, &z.apex, rrtype::DNSKEY, Some(d.key_tag), Some(rec),
                format!("two DNSKEYs with algorithm {} share key tag {}: validators must try both", d.algorithm, d.key_tag));
        }
        match &d.key {
            Ok(pk) => {
                if matches!(d.algorithm, 5 | 7 | 8 | 10) && pk.bits() < 2048 {
                    out.add(Code::WeakRsaKey, &z.apex, rrtype::DNSKEY, Some(d.key_tag), Some(rec),
                        format!("RSA key of {} bits; 2048 or more is recommended", pk.bits()));
                }
            }
            Err(e) => {
                let why = match e {
                    crypto::KeyError::UnsupportedAlgorithm(a) => format!("algorithm {a} ({}) is not supported", crypto::algorithm_name(*a)),
                    crypto::KeyError::UnsupportedKey(w) => w.clone(),
                    crypto::KeyError::Malformed(w) => format!("malformed key: {w}"),
                };
                out.add(Code::UnusableDnskey, &z.apex, rrtype::DNSKEY, Some(d.key_tag), Some(rec),
                    format!("DNSKEY {} cannot be used to verify: {why}", d.key_tag));
            }
        }
    }
    let Some(set) = z.apex_node().and_then(|apex| apex.rrset(rrtype::DNSKEY)) else { return };
    // Whether a key of the DNSKEY RRset validly signs that RRset.
    let self_signs = |k: &crypto::Dnskey| set.rrsigs.iter().any(|&row| valid_by(z, row, k.key_tag, k.algorithm));
    // RFC 5011 §2.1: "Once the resolver sees the REVOKE bit, it MUST NOT use
    // this key as a trust anchor or for any other purpose except to validate
    // the RRSIG it signed over the DNSKEY RRset specifically for the purpose
    // of validating the revocation." and "the key MUST self-sign". A revoked
    // key that does not is an error; one of an algorithm we cannot verify
    // is already `unusable-dnskey`.
    for k in z.keys.iter().filter(|k| k.key.is_revoked() && k.key.is_zone_key() && k.key.key.is_ok()) {
        if !self_signs(&k.key) {
            out.add(Code::RevokedNotSelfSigned, &z.apex, rrtype::DNSKEY, Some(k.key.key_tag), Some(&z.records[k.record as usize]),
                format!("DNSKEY {} has the REVOKE flag but no valid RRSIG of its own over the DNSKEY RRset (RFC 5011 §2.1: the key MUST self-sign)", k.key.key_tag));
        }
    }
    if policy.require_ksk {
        for alg in zone_algorithms(z) {
            // A revoked key is not a usable KSK (RFC 5011 §2.1).
            let ok = z.keys.iter().any(|k| {
                k.key.algorithm == alg && k.key.is_sep() && k.key.is_zone_key() && !k.key.is_revoked() && self_signs(&k.key)
            });
            if !ok {
                let rec = &z.records[set.records[0] as usize];
                out.add(Code::NoKskSignature, &z.apex, rrtype::DNSKEY, None, Some(rec),
                    format!("the DNSKEY RRset has no valid RRSIG by an unrevoked key with the SEP flag for algorithm {alg} ({})", crypto::algorithm_name(alg)));
            }
        }
    }
}

/// RRset TTL against the RRSIG Original TTL (RFC 4035 §5.3.3), TTLs within
/// an RRset (RFC 2181 §5.2), and the opt-in expiry/inception margins.
fn ttls_and_time(z: &Zone<'_>, n: &Node, policy: &Policy, out: &mut Findings) {
    for s in &n.rrsets {
        let first = &z.records[s.records[0] as usize];
        let ttl = first.ttl;
        if let Some(&other) = s.records.iter().find(|&&r| z.records[r as usize].ttl != ttl) {
            let r = &z.records[other as usize];
            out.add(Code::RrsetTtl, &n.name, s.rtype, None, Some(r),
                format!("RRs of the {} RRset have different TTLs ({} and {})", rrtype::to_mnemonic(s.rtype), ttl, r.ttl));
        }
        for &row in &s.rrsigs {
            let rec = z.rrsig(row);
            let Some(sig) = canon::parse_rrsig(&rec.rdata) else { continue };
            if sig.original_ttl != ttl {
                out.add(Code::TtlMismatch, &n.name, s.rtype, Some(sig.key_tag), Some(rec),
                    format!("the {} RRset has TTL {ttl} but the RRSIG's Original TTL is {}", rrtype::to_mnemonic(s.rtype), sig.original_ttl));
            }
            if status(z, row) != Status::Valid as u8 {
                continue;
            }
            let now = z.now as u32;
            if let Some(w) = policy.expire_within {
                let left = sig.expiration.wrapping_sub(now) as u64;
                if left < w {
                    out.add(Code::ExpiresSoon, &n.name, s.rtype, Some(sig.key_tag), Some(rec),
                        format!("expires at {}, within {} s of the verification time (limit {w} s)", serial::format_rrsig_time(sig.expiration, z.now), left));
                }
            }
            if let Some(m) = policy.inception_margin {
                let age = now.wrapping_sub(sig.inception) as u64;
                if age < m {
                    out.add(Code::InceptionTooRecent, &n.name, s.rtype, Some(sig.key_tag), Some(rec),
                        format!("inception {} is only {age} s before the verification time (margin {m} s)", serial::format_rrsig_time(sig.inception, z.now)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::dns::name::Name;
    use crate::pipeline::{verify_text, VerifyOptions};
    use crate::checks::findings::Code;
    use crate::checks::policy::Policy;
    use crate::parse::zonefile::ParseOptions;

    /// The algorithms that do sign an RRset are listed in order, the same
    /// on every run (fuzz target denial: they came from a HashSet, so one
    /// and two threads, or two runs, wrote them in different orders).
    #[test]
    fn missing_algorithm_lists_algorithms_in_order() {
        let mut text = String::from("$TTL 300\n@ SOA ns h 1 2 3 4 5\n");
        for alg in [8, 11, 13, 14, 15, 16] {
            text.push_str(&format!("@ DNSKEY 256 3 {alg} AAAA\n"));
        }
        for alg in [16, 15, 14, 13, 8] {
            text.push_str(&format!("@ RRSIG SOA {alg} 1 300 20300101000000 20200101000000 1 example. AAAA\n"));
        }
        let popts = ParseOptions { origin: Some(Name::from_text("example.", None).unwrap()), ..Default::default() };
        for threads in [1, 2, 1, 2, 1, 2, 1, 2] {
            let vopts = VerifyOptions { now: 1_700_000_000, threads: Some(threads), policy: Policy::default(), profile: false, whole_zone: false, window: None, gate: Default::default(), fingerprint: false, columns: true, cache: None, progress: None };
            let rep = verify_text(text.as_bytes(), "t", &popts, &vopts).unwrap();
            let f = rep.findings.iter().find(|f| f.code == Code::MissingAlgorithm && f.rtype == 6).expect("SOA lacks algorithm 11");
            assert!(f.reason.contains("it is signed by algorithm 8, 13, 14, 15, 16 "), "{}", f.reason);
        }
    }
}

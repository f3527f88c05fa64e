//! The zone model for zone-level checks, and findings.
//!
//! Built after every RRSIG has its status: names in canonical order, each
//! with its RRsets and the RRSIG rows covering them, classified as apex,
//! authoritative, delegation point, non-authoritative (glue and other data
//! below a zone cut or a DNAME) or out of zone (RFC 4035 §2.2; RFC 6672).

use std::collections::HashMap;

use rayon::prelude::*;
use smallvec::{smallvec, SmallVec};

use crate::dns::canon;
use crate::sig::crypto::Dnskey;
use crate::dns::name::Name;
use crate::dns::record::Record;
use crate::dns::rrtype;


/// Where a name stands in the zone (RFC 4035 §2.2; RFC 6672 §2.4 for DNAME).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    Apex,
    /// Authoritative data below the apex.
    Authoritative,
    /// A zone cut: NS below the apex. Authoritative for DS and NSEC only.
    Delegation,
    /// Below a zone cut or a DNAME: glue and occluded data.
    NonAuthoritative,
    /// Not at or below the apex.
    OutOfZone,
}

/// One RRset of the zone.
#[derive(Debug)]
pub struct Rrset {
    pub rtype: u16,
    /// Indices into the record list, file order.
    pub records: Rows,
    /// Report rows (RRSIG columns) of the RRSIGs covering this RRset.
    pub rrsigs: Rows,
}

impl Rrset {
    /// The RDATAs in canonical form and order, duplicates removed (what
    /// an RRSIG over the RRset signs).
    pub fn canonical_rdatas(&self, records: &[Record]) -> Vec<Vec<u8>> {
        canon::sorted_canonical_rdatas(self.rtype, self.records.iter().map(|&i| &records[i as usize].rdata[..]))
    }
}

/// A short list of indices. Most RRsets of a TLD hold one to four records
/// (NS sets) and one or two RRSIGs: those stay inline, without a heap
/// allocation each (four `u32` take no more room than the heap pointer
/// and length a longer list needs: 24 octets either way).
pub type Rows = SmallVec<[u32; 4]>;

/// One owner name with its RRsets.
#[derive(Debug)]
pub struct Node {
    /// The name as first written.
    pub name: Name,
    pub kind: NameKind,
    /// RRsets sorted by type (RRSIGs are not RRsets here).
    pub rrsets: SmallVec<[Rrset; 2]>,
    /// Report rows of every RRSIG owned by this name.
    pub rrsigs: Rows,
}

impl Node {
    pub(crate) fn new(name: Name) -> Node {
        Node { name, kind: NameKind::Authoritative, rrsets: SmallVec::new(), rrsigs: SmallVec::new() }
    }

    /// Adds record `i` (not an RRSIG) to its RRset, opening one if needed.
    pub(crate) fn add_record(&mut self, i: u32, rtype: u16) {
        // Records of one RRset are usually adjacent: try the last first.
        match self.rrsets.iter_mut().rev().find(|s| s.rtype == rtype) {
            Some(s) => s.records.push(i),
            None => self.rrsets.push(Rrset { rtype, records: smallvec![i], rrsigs: SmallVec::new() }),
        }
    }

    /// Takes the identical copies out of the node's RRsets, keeping the
    /// first of each, and returns them as (copy, kept) record pairs.
    pub(crate) fn take_identical_copies(&mut self, records: &[Record]) -> Vec<(u32, u32)> {
        let mut found: Vec<(u32, u32)> = Vec::new();
        for s in self.rrsets.iter_mut().filter(|s| s.records.len() > 1) {
            let copies = identical_copies(&s.records, |r| &records[r as usize]);
            if !copies.is_empty() {
                let gone: std::collections::HashSet<u32> = copies.iter().map(|&(c, _)| c).collect();
                s.records.retain(|r| !gone.contains(r));
                found.extend(copies);
            }
        }
        found
    }

    /// Adds report row `row`, an RRSIG covering `covered`, to the node and
    /// to the RRset it covers, if present.
    fn add_rrsig(&mut self, row: u32, covered: u16) {
        self.rrsigs.push(row);
        if let Some(s) = self.rrsets.iter_mut().find(|s| s.rtype == covered) {
            s.rrsigs.push(row);
        }
    }

    /// Puts the RRsets in type order, once all are added.
    fn sort_rrsets(&mut self) {
        if self.rrsets.len() > 1 {
            self.rrsets.sort_by_key(|s| s.rtype);
        }
    }

    pub fn rrset(&self, rtype: u16) -> Option<&Rrset> {
        self.rrsets.iter().find(|s| s.rtype == rtype)
    }
    pub fn has(&self, rtype: u16) -> bool {
        self.rrset(rtype).is_some()
    }
    /// Types present at the name for NSEC/NSEC3 bitmaps: the RRset types,
    /// plus RRSIG when an RRSIG is owned here.
    pub fn types(&self) -> Vec<u16> {
        let mut t: Vec<u16> = self.rrsets.iter().map(|s| s.rtype).collect();
        if !self.rrsigs.is_empty() {
            t.push(rrtype::RRSIG);
        }
        t.sort_unstable();
        t.dedup();
        t
    }
}

/// An apex DNSKEY, parsed once, with its record.
#[derive(Debug)]
pub struct ApexKey {
    pub key: Dnskey,
    pub record: u32,
}

/// The zone as the checks see it.
pub struct Zone<'a> {
    pub apex: Name,
    pub records: &'a [Record],
    /// Names in canonical order (RFC 4034 §6.1), out-of-zone names last.
    pub nodes: Vec<Node>,
    /// Lower-cased wire name → index into `nodes`; `None` when every name is
    /// in the zone and `nodes` holds each name once in canonical order (the
    /// usual signer output), where [`Zone::node`] searches `nodes` instead.
    index: Option<HashMap<Box<[u8]>, u32>>,
    /// Apex DNSKEYs in record order.
    pub keys: Vec<ApexKey>,
    /// Identical copies taken out of their RRsets (RFC 2181 §5): (copy, the
    /// record kept), record indices, zone order. RRSIGs are not among them:
    /// every RRSIG record keeps its report row and is verified.
    pub duplicates: Vec<(u32, u32)>,
    /// Per report row: the RRSIG record index, the node that owns it, and
    /// its status (`Status as u8`; filled in once the signatures are verified).
    pub rrsig_record: &'a [u32],
    pub rrsig_node: Vec<u32>,
    pub rrsig_status: Vec<u8>,
    pub now: u64,
}

impl<'a> Zone<'a> {
    /// Builds the model. `rrsig_record[row]` is the record index of report
    /// row `row`, `covered[row]` its Type Covered. `rrsig_status` starts
    /// empty: the caller fills it in after verification.
    pub fn build(
        apex: Name,
        records: &'a [Record],
        rrsig_record: &'a [u32],
        covered: &[u16],
        now: u64,
    ) -> Zone<'a> {
        Zone::build_with(apex, records, rrsig_record, covered, now, None)
    }

    /// [`Zone::build`] with the identical copies already found (the
    /// streaming path finds them per owner name, before it drops the RDATA
    /// the checks do not read): `(copy, kept)` record pairs, zone order.
    pub fn build_with(
        apex: Name,
        records: &'a [Record],
        rrsig_record: &'a [u32],
        covered: &[u16],
        now: u64,
        known_duplicates: Option<Vec<(u32, u32)>>,
    ) -> Zone<'a> {
        if let Some((mut nodes, rrsig_node)) = build_sorted(&apex, records, rrsig_record, covered) {
            let n = nodes.len() as u32;
            classify(&mut nodes, 0..n, &apex);
            let duplicates = take_duplicates(&mut nodes, records, known_duplicates);
            let mut z = Zone { apex, records, nodes, index: None, keys: Vec::new(), duplicates, rrsig_record, rrsig_node, rrsig_status: Vec::new(), now };
            z.keys = z.apex_keys();
            return z;
        }
        Zone::build_hashed(apex, records, rrsig_record, covered, now, known_duplicates)
    }

    /// [`Zone::build`] for any order of records: nodes found through a hash
    /// map of lower-cased names, then put in canonical order.
    fn build_hashed(
        apex: Name,
        records: &'a [Record],
        rrsig_record: &'a [u32],
        covered: &[u16],
        now: u64,
        known_duplicates: Option<Vec<(u32, u32)>>,
    ) -> Zone<'a> {
        let mut index: HashMap<Box<[u8]>, u32> = HashMap::new();
        let mut nodes: Vec<Node> = Vec::new();
        let mut node_of_record = vec![0u32; records.len()];
        let mut lower: Vec<u8> = Vec::with_capacity(256);
        for (i, r) in records.iter().enumerate() {
            // Zone files group records by owner: reuse the previous node
            // without a lookup when the owner repeats.
            let n = if i > 0 && r.owner.eq_ignore_case(&records[i - 1].owner) {
                node_of_record[i - 1]
            } else {
                lower.clear();
                lower.extend(r.owner.as_wire().iter().map(u8::to_ascii_lowercase));
                match index.get(&lower[..]) {
                    Some(&n) => n,
                    None => {
                        nodes.push(Node::new(r.owner.clone()));
                        let n = (nodes.len() - 1) as u32;
                        index.insert(lower.as_slice().into(), n);
                        n
                    }
                }
            };
            node_of_record[i] = n;
            if r.rtype == rrtype::RRSIG {
                continue;
            }
            nodes[n as usize].add_record(i as u32, r.rtype);
        }
        for (row, &rec) in rrsig_record.iter().enumerate() {
            nodes[node_of_record[rec as usize] as usize].add_rrsig(row as u32, covered[row]);
        }
        for n in &mut nodes {
            n.sort_rrsets();
        }
        // Canonical order; then classify walking down from the apex. Zones
        // often come in canonical order: check in one pass (n - 1
        // comparisons) before paying for a sort.
        let in_order = nodes
            .par_windows(2)
            .all(|w| w[0].name.canonical_cmp(&w[1].name) != std::cmp::Ordering::Greater);
        let mut order: Vec<u32> = (0..nodes.len() as u32).collect();
        if !in_order {
            order.sort_by(|&a, &b| nodes[a as usize].name.canonical_cmp(&nodes[b as usize].name));
        }
        classify(&mut nodes, order.iter().copied(), &apex);
        // Out-of-zone names last, keeping their order.
        if nodes.iter().any(|n| n.kind == NameKind::OutOfZone) {
            order.sort_by_key(|&i| nodes[i as usize].kind == NameKind::OutOfZone);
        }
        // Move the nodes into that order, unless they are in it already (the
        // usual case): then the index and node numbers stand as built.
        let mut new_pos: Vec<u32> = Vec::new();
        if order.iter().enumerate().any(|(k, &i)| k as u32 != i) {
            new_pos = vec![0u32; nodes.len()];
            for (k, &i) in order.iter().enumerate() {
                new_pos[i as usize] = k as u32;
            }
            let mut slots: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
            nodes = order.iter().map(|&i| slots[i as usize].take().expect("a permutation")).collect();
            for v in index.values_mut() {
                *v = new_pos[*v as usize];
            }
        }
        let pos = |old: u32| if new_pos.is_empty() { old } else { new_pos[old as usize] };
        let rrsig_node: Vec<u32> = rrsig_record.iter().map(|&rec| pos(node_of_record[rec as usize])).collect();
        let duplicates = take_duplicates(&mut nodes, records, known_duplicates);
        let mut z = Zone { apex, records, nodes, index: Some(index), keys: Vec::new(), duplicates, rrsig_record, rrsig_node, rrsig_status: Vec::new(), now };
        z.keys = z.apex_keys();
        z
    }

    /// The apex DNSKEYs that parse, in record order.
    fn apex_keys(&self) -> Vec<ApexKey> {
        let mut keys = Vec::new();
        if let Some(s) = self.apex_node().and_then(|n| n.rrset(rrtype::DNSKEY)) {
            for &r in &s.records {
                if let Some(k) = Dnskey::from_rdata(&self.records[r as usize].rdata) {
                    keys.push(ApexKey { key: k, record: r });
                }
            }
        }
        keys
    }

    /// The node of a name (case-insensitive).
    pub fn node(&self, name: &Name) -> Option<&Node> {
        match &self.index {
            Some(index) => index.get(&*name.as_wire().to_ascii_lowercase()).map(|&i| &self.nodes[i as usize]),
            None => self.nodes.binary_search_by(|n| n.name.canonical_cmp(name)).ok().map(|i| &self.nodes[i]),
        }
    }

    pub fn apex_node(&self) -> Option<&Node> {
        self.node(&self.apex)
    }

    /// The record behind a report row.
    pub fn rrsig(&self, row: u32) -> &Record {
        &self.records[self.rrsig_record[row as usize] as usize]
    }

    /// Whether report row `row` verified (status VALID).
    pub fn rrsig_valid(&self, row: u32) -> bool {
        self.rrsig_status[row as usize] == 0
    }

    /// Empty non-terminals: names strictly between the apex and an
    /// authoritative name or delegation that own no records (RFC 5155 §7.1
    /// needs an NSEC3 for each). Canonical order, lower-cased.
    pub fn empty_non_terminals(&self) -> Vec<Name> {
        let mut out: Vec<Name> = Vec::new();
        let apex_labels = self.apex.label_count();
        let mut seen: std::collections::HashSet<Box<[u8]>> = std::collections::HashSet::new();
        for n in &self.nodes {
            if !matches!(n.kind, NameKind::Authoritative | NameKind::Delegation) {
                continue;
            }
            let l = n.name.label_count();
            for strip in 1..l.saturating_sub(apex_labels) {
                let anc = n.name.strip_left(strip).to_lowercase();
                if self.node(&anc).is_some() {
                    continue;
                }
                if seen.insert(anc.as_wire().into()) {
                    out.push(anc);
                }
            }
        }
        out.sort_by(|a, b| a.canonical_cmp(b));
        out
    }
}

/// Whether two records of one RRset are the same RR: same class and the
/// same RDATA in canonical form (RFC 4034 §6.2: names that the canonical
/// form lower-cases compare without case). TTLs are not compared: RFC 2181
/// §5.2 makes a TTL difference an error of its own.
fn same_rr(a: &Record, b: &Record) -> bool {
    a.class == b.class && canon::same_rdata(a.rtype, &a.rdata, &b.rdata)
}

/// Takes the identical copies out of the RRsets: those given, else those
/// [`remove_duplicates`] finds.
fn take_duplicates(nodes: &mut [Node], records: &[Record], known: Option<Vec<(u32, u32)>>) -> Vec<(u32, u32)> {
    let Some(dups) = known else { return remove_duplicates(nodes, records) };
    if !dups.is_empty() {
        let gone: std::collections::HashSet<u32> = dups.iter().map(|&(c, _)| c).collect();
        for n in nodes.iter_mut() {
            for s in n.rrsets.iter_mut() {
                s.records.retain(|r| !gone.contains(r));
            }
        }
    }
    dups
}

/// Takes identical copies out of every RRset, keeping the first, and
/// returns (copy, kept) record pairs in zone order.
///
/// RFC 2181 §5: "the RRs in an RRSet ... It is meaningless for two
/// identical RRs to appear" — RFC 4034 §6.3 calls duplicates in an RRset "a
/// protocol error" that an implementation may handle by removing "all but
/// one of the duplicate RR(s)". One rule for every check: an identical
/// copy is one RR (two identical SOAs are one SOA, an identical NSEC3 is
/// not a second NSEC3), reported once as `duplicate-rr`.
fn remove_duplicates(nodes: &mut [Node], records: &[Record]) -> Vec<(u32, u32)> {
    let mut dups: Vec<(u32, u32)> = nodes.par_iter_mut().flat_map_iter(|n| n.take_identical_copies(records)).collect();
    dups.sort_unstable();
    dups
}

/// The identical copies among `rows` (each row's record given by `rec`):
/// (copy, first) pairs, `first` the earliest row of the same RR (class and
/// canonical RDATA, [`same_rr`]). `rows` ascending. The one test of
/// identical RRs, for RRsets (the zone model) and RRSIGs (the checks).
pub fn identical_copies<'r>(rows: &[u32], rec: impl Fn(u32) -> &'r Record) -> Vec<(u32, u32)> {
    /// Above this many RRs, sort the canonical forms instead of comparing pairs.
    const PAIRWISE: usize = 16;
    let mut found: Vec<(u32, u32)> = Vec::new();
    if rows.len() < 2 {
        return found;
    }
    if rows.len() <= PAIRWISE {
        let mut kept: Rows = SmallVec::new();
        for &r in rows {
            match kept.iter().find(|&&k| same_rr(rec(k), rec(r))) {
                Some(&k) => found.push((r, k)),
                None => kept.push(r),
            }
        }
        return found;
    }
    let mut forms: Vec<(u16, Vec<u8>, u32)> = rows
        .iter()
        .map(|&r| {
            let x = rec(r);
            let mut o = Vec::with_capacity(x.rdata.len());
            if !canon::canonical_rdata(x.rtype, &x.rdata, &mut o) {
                o.clear();
                o.extend_from_slice(&x.rdata);
            }
            (x.class, o, r)
        })
        .collect();
    forms.sort_unstable();
    // Equal forms sort together, lowest row first: every copy points at its
    // run's first row.
    let mut first = forms[0].2;
    for i in 1..forms.len() {
        if forms[i].0 == forms[i - 1].0 && forms[i].1 == forms[i - 1].1 {
            found.push((forms[i].2, first));
        } else {
            first = forms[i].2;
        }
    }
    found.sort_unstable();
    found
}

/// Sets each node's kind, visiting the nodes in canonical order (`order`).
fn classify(nodes: &mut [Node], order: impl IntoIterator<Item = u32>, apex: &Name) {
    // In canonical order every name follows its ancestors, so one pass
    // with the innermost enclosing cut (delegation or DNAME) suffices.
    let mut cut: Option<Name> = None;
    for i in order {
        let n = &mut nodes[i as usize];
        if !n.name.is_subdomain_of(apex) {
            n.kind = NameKind::OutOfZone;
            continue;
        }
        if let Some(c) = &cut {
            if n.name.is_subdomain_of(c) && !n.name.eq_ignore_case(c) {
                // A DNAME at the apex occludes the names below it (RFC 6672
                // §2.4), but not the zone's NSEC3 chain: NSEC3 RRs live at
                // hashed owner names directly below the apex (RFC 5155 §3,
                // §7.1) and are authoritative data of the zone whatever the
                // apex holds.
                let hashed_owner = c.eq_ignore_case(apex)
                    && n.name.label_count() == apex.label_count() + 1
                    && !n.rrsets.is_empty()
                    && n.rrsets.iter().all(|s| s.rtype == rrtype::NSEC3);
                n.kind = if hashed_owner { NameKind::Authoritative } else { NameKind::NonAuthoritative };
                continue;
            }
        }
        cut = None;
        if n.name.eq_ignore_case(apex) {
            n.kind = NameKind::Apex;
            if n.has(rrtype::DNAME) {
                cut = Some(n.name.clone());
            }
        } else if n.has(rrtype::NS) {
            n.kind = NameKind::Delegation;
            cut = Some(n.name.clone());
        } else {
            n.kind = NameKind::Authoritative;
            if n.has(rrtype::DNAME) {
                cut = Some(n.name.clone());
            }
        }
    }
}

/// The nodes, built in parallel, when the records come as signers write
/// them: each owner's records together and every owner at or below the
/// apex (BIND does not write them in canonical order, so they are sorted
/// here, in parallel). Then no hash map is needed: the runs of equal owners
/// are the nodes. Returns the nodes in canonical order and each report
/// row's node; `None` for any other zone (an owner in two places, a name
/// outside the zone).
fn build_sorted(apex: &Name, records: &[Record], rrsig_record: &[u32], covered: &[u16]) -> Option<(Vec<Node>, Vec<u32>)> {
    let starts: Vec<u32> = (0..records.len())
        .into_par_iter()
        .filter(|&i| i == 0 || !records[i].owner.eq_ignore_case(&records[i - 1].owner))
        .map(|i| i as u32)
        .collect();
    let owner = |run: u32| &records[starts[run as usize] as usize].owner;
    if !(0..starts.len() as u32).into_par_iter().all(|k| owner(k).is_subdomain_of(apex)) {
        return None;
    }
    // Runs in canonical order; two runs with one name: not this path.
    let mut order: Vec<u32> = (0..starts.len() as u32).collect();
    let sorted = (1..starts.len() as u32).into_par_iter().all(|k| owner(k - 1).canonical_cmp(owner(k)) == std::cmp::Ordering::Less);
    if !sorted {
        // Compare a short key first (the first label below the apex, lower
        // case, 8 octets, zero-padded), the whole names only on a tie: the
        // keys are in one array, the names each behind a pointer.
        let apex_labels = apex.label_count();
        let keys: Vec<u64> = (0..starts.len() as u32).into_par_iter().map(|k| sort_key(owner(k), apex_labels)).collect();
        order.par_sort_unstable_by(|&a, &b| keys[a as usize].cmp(&keys[b as usize]).then_with(|| owner(a).canonical_cmp(owner(b))));
        if !order.par_windows(2).all(|w| owner(w[0]).canonical_cmp(owner(w[1])) == std::cmp::Ordering::Less) {
            return None;
        }
    }
    let nodes: Vec<Node> = order
        .par_iter()
        .map(|&run| {
            let k = run as usize;
            let (a, b) = (starts[k], starts.get(k + 1).copied().unwrap_or(records.len() as u32));
            let mut node = Node::new(owner(run).clone());
            for i in a..b {
                let t = records[i as usize].rtype;
                if t != rrtype::RRSIG {
                    node.add_record(i, t);
                }
            }
            let first = rrsig_record.partition_point(|&r| r < a);
            for row in first..rrsig_record.len() {
                if rrsig_record[row] >= b {
                    break;
                }
                node.add_rrsig(row as u32, covered[row]);
            }
            node.sort_rrsets();
            node
        })
        .collect();
    // Report row -> its run -> that run's place in canonical order.
    let mut pos = vec![0u32; order.len()];
    for (p, &run) in order.iter().enumerate() {
        pos[run as usize] = p as u32;
    }
    let rrsig_node = rrsig_record.par_iter().map(|&rec| pos[starts.partition_point(|&s| s <= rec) - 1]).collect();
    Some((nodes, rrsig_node))
}

/// A prefix of `name`'s canonical sort order below the apex: the first
/// label below the apex, lower-cased, its first 8 octets big-endian and
/// zero-padded (0 for the apex). If `sort_key(a) < sort_key(b)` then `a`
/// sorts before `b` (RFC 4034 §6.1): the first differing octet is either a
/// smaller octet of `a`'s label, or the end of `a`'s label, and a label
/// sorts before any longer label it is a prefix of. Equal keys decide
/// nothing.
fn sort_key(name: &Name, apex_labels: usize) -> u64 {
    let n = name.label_count();
    if n <= apex_labels {
        return 0;
    }
    let label = name.labels().nth(n - apex_labels - 1).unwrap_or(&[]);
    let mut k = [0u8; 8];
    for (d, s) in k.iter_mut().zip(label) {
        *d = s.to_ascii_lowercase();
    }
    u64::from_be_bytes(k)
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::zonefile::{parse_zone, ParseOptions};

    fn zone_of(text: &str) -> (Vec<Record>, Name) {
        let apex = Name::from_text("example.", None).unwrap();
        let opts = ParseOptions { origin: Some(apex.clone()), default_ttl: Some(3600), allow_include: false };
        (parse_zone(text.as_bytes(), "<t>", &opts).unwrap().records, apex)
    }

    fn kind(z: &Zone<'_>, n: &str) -> NameKind {
        z.node(&Name::from_text(n, None).unwrap()).unwrap().kind
    }

    /// The parallel path for canonically ordered zones and the hash-map path
    /// build the same model: nodes, kinds, RRsets, RRSIG rows, keys, name
    /// lookups and empty non-terminals.
    /// `sort_key` never contradicts canonical order (random names with
    /// mixed case, short and long labels, octets 0 and 255).
    #[test]
    fn sort_key_agrees_with_canonical_order() {
        let apex = Name::from_text("Example.", None).unwrap();
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut rnd = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let alphabet = b"aAbBzZ09-_\x00\xff";
        let mut names = vec![apex.clone()];
        for _ in 0..2000 {
            let mut labels: Vec<Vec<u8>> = Vec::new();
            for _ in 0..1 + rnd(3) {
                labels.push((0..1 + rnd(12)).map(|_| alphabet[rnd(alphabet.len() as u64) as usize]).collect());
            }
            labels.push(b"example".to_vec());
            names.push(Name::from_labels(labels.iter().map(|l| &l[..])).unwrap());
        }
        let mut decided = 0;
        for a in &names {
            for b in names.iter().take(300) {
                let (ka, kb) = (sort_key(a, 1), sort_key(b, 1));
                if ka != kb {
                    decided += 1;
                    assert_eq!(ka.cmp(&kb), a.canonical_cmp(b), "{a} vs {b}");
                }
            }
        }
        assert!(decided > 100_000, "{decided}");
    }

    #[test]
    fn sorted_and_hashed_builds_agree() {
        let canonical = "@ 3600 SOA ns h 1 2 3 4 5\n@ RRSIG SOA 8 1 3600 20300101000000 20200101000000 1 example. AAAA\n@ NS ns\n@ DNSKEY 257 3 8 AwEAAQ==\n\
                    a NS ns.a\na DS 1 8 2 00\na RRSIG DS 8 2 3600 20300101000000 20200101000000 1 example. AAAA\nns.a A 192.0.2.1\n\
                    x.y.b TXT t\nx.y.b RRSIG TXT 8 4 3600 20300101000000 20200101000000 1 example. AAAA\nx.y.b RRSIG A 8 4 3600 20300101000000 20200101000000 1 example. AAAA\nz A 192.0.2.2\nz A 192.0.2.3\nz MX 1 z\n";
        // As BIND writes: glue before its delegation, owners out of order.
        let shuffled = "z A 192.0.2.2\nz A 192.0.2.3\nz MX 1 z\nns.a A 192.0.2.1\n\
                    a NS ns.a\na DS 1 8 2 00\na RRSIG DS 8 2 3600 20300101000000 20200101000000 1 example. AAAA\n\
                    x.y.b TXT t\nx.y.b RRSIG TXT 8 4 3600 20300101000000 20200101000000 1 example. AAAA\nx.y.b RRSIG A 8 4 3600 20300101000000 20200101000000 1 example. AAAA\n\
                    @ 3600 SOA ns h 1 2 3 4 5\n@ RRSIG SOA 8 1 3600 20300101000000 20200101000000 1 example. AAAA\n@ NS ns\n@ DNSKEY 257 3 8 AwEAAQ==\n";
        for text in [canonical, shuffled] {
            let (records, apex) = zone_of(text);
            let rrsig_record: Vec<u32> = (0..records.len() as u32).filter(|&i| records[i as usize].rtype == rrtype::RRSIG).collect();
            let covered: Vec<u16> = rrsig_record.iter().map(|&i| u16::from_be_bytes([records[i as usize].rdata[0], records[i as usize].rdata[1]])).collect();
            let fast = Zone::build(apex.clone(), &records, &rrsig_record, &covered, 0);
            assert!(fast.index.is_none(), "the sorted path was not taken");
            let slow = Zone::build_hashed(apex.clone(), &records, &rrsig_record, &covered, 0, None);
            assert!(slow.index.is_some());
            let shape = |z: &Zone<'_>| {
                z.nodes
                    .iter()
                    .map(|n| {
                        let sets: Vec<(u16, Vec<u32>, Vec<u32>)> = n.rrsets.iter().map(|s| (s.rtype, s.records.to_vec(), s.rrsigs.to_vec())).collect();
                        (n.name.to_text(), n.kind, sets, n.rrsigs.to_vec())
                    })
                    .collect::<Vec<_>>()
            };
            assert_eq!(shape(&fast), shape(&slow));
            assert_eq!(fast.rrsig_node, slow.rrsig_node);
            assert_eq!(fast.keys.iter().map(|k| k.record).collect::<Vec<_>>(), slow.keys.iter().map(|k| k.record).collect::<Vec<_>>());
            assert_eq!(fast.keys.len(), 1);
            assert_eq!(fast.empty_non_terminals(), slow.empty_non_terminals());
            assert_eq!(fast.empty_non_terminals().len(), 2, "y.b. and b.");
            for q in ["example.", "A.example.", "ns.a.example.", "x.y.b.example.", "y.b.example.", "zz.example.", "0.example.", "other."] {
                let q = Name::from_text(q, None).unwrap();
                assert_eq!(fast.node(&q).map(|n| n.name.to_text()), slow.node(&q).map(|n| n.name.to_text()), "{q}");
            }
        }
        // Repeated owners or out-of-zone names take the hash-map path.
        for t in ["a A 192.0.2.1\nb A 192.0.2.1\na TXT t\n", "a A 192.0.2.1\nother. A 192.0.2.1\n"] {
            let (records, apex) = zone_of(t);
            assert!(Zone::build(apex, &records, &[], &[], 0).index.is_some(), "{t}");
        }
    }

    #[test]
    fn classification_rfc4035_2_2() {
        let (recs, apex) = zone_of(
            "@ SOA ns hostmaster 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n\
             sub NS ns.sub\nsub DS 1 8 2 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n\
             ns.sub A 192.0.2.2\ndeep.below.sub TXT x\n\
             d DNAME elsewhere.example.\nx.d A 192.0.2.3\n\
             a.b.c TXT y\nOTHER.test. A 192.0.2.9\n",
        );
        let z = Zone::build(apex, &recs, &[], &[], 0);
        assert_eq!(kind(&z, "example."), NameKind::Apex);
        assert_eq!(kind(&z, "ns.example."), NameKind::Authoritative);
        assert_eq!(kind(&z, "sub.example."), NameKind::Delegation);
        assert_eq!(kind(&z, "ns.sub.example."), NameKind::NonAuthoritative);
        assert_eq!(kind(&z, "deep.below.sub.example."), NameKind::NonAuthoritative);
        assert_eq!(kind(&z, "d.example."), NameKind::Authoritative);
        assert_eq!(kind(&z, "x.d.example."), NameKind::NonAuthoritative);
        assert_eq!(kind(&z, "other.test."), NameKind::OutOfZone);
        // Out-of-zone names sort last; the rest in canonical order.
        assert_eq!(z.nodes.last().unwrap().kind, NameKind::OutOfZone);
        for w in z.nodes[..z.nodes.len() - 1].windows(2) {
            assert_eq!(w[0].name.canonical_cmp(&w[1].name), std::cmp::Ordering::Less);
        }
        // Empty non-terminals of authoritative names only (not below the cut).
        let ents: Vec<String> = z.empty_non_terminals().iter().map(|n| n.to_text()).collect();
        assert_eq!(ents, vec!["c.example.", "b.c.example."]);
    }

    #[test]
    fn nsec3_owners_below_an_apex_dname_are_authoritative() {
        // RFC 5155 §7.1 / RFC 6672 §2.4: the apex DNAME occludes names below
        // it, not the NSEC3 RRs of the zone's chain at hashed owners.
        let h = "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom";
        let (recs, apex) = zone_of(&[
            "@ SOA ns.other. hostmaster 1 2 3 4 5",
            "@ NS ns.other.",
            "@ DNAME target.other.",
            "@ NSEC3PARAM 1 0 0 -",
            &format!("{h} NSEC3 1 0 0 - {h} NS SOA DNAME RRSIG NSEC3PARAM"),
            "www A 192.0.2.1",
            &format!("{h}.deeper NSEC3 1 0 0 - {h} A"),
            &format!("mixed NSEC3 1 0 0 - {h} A"),
            "mixed TXT x",
            "",
        ].join("\n"));
        let z = Zone::build(apex, &recs, &[], &[], 0);
        assert_eq!(kind(&z, "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example."), NameKind::Authoritative);
        assert_eq!(kind(&z, "www.example."), NameKind::NonAuthoritative);
        // Not directly below the apex, or owning other data: occluded.
        assert_eq!(kind(&z, "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.deeper.example."), NameKind::NonAuthoritative);
        assert_eq!(kind(&z, "mixed.example."), NameKind::NonAuthoritative);
    }

    #[test]
    fn identical_rrs_are_one_rr() {
        // RFC 2181 §5: identical RRs (class, type, canonical RDATA; names of
        // RFC 4034 §6.2 compared without case) are one; the first stays.
        let (recs, apex) = zone_of(
            "@ SOA ns hostmaster 1 2 3 4 5\n@ NS ns\n@ NS NS\n@ NS ns2\n\
             t TXT \"Case\"\nt TXT \"case\"\nt 60 TXT \"Case\"\n@ SOA ns hostmaster 1 2 3 4 5\n",
        );
        let z = Zone::build(apex.clone(), &recs, &[], &[], 0);
        let lines = |d: &[(u32, u32)]| d.iter().map(|&(c, k)| (recs[c as usize].line, recs[k as usize].line)).collect::<Vec<_>>();
        // NS "NS" is ns (names fold); TXT strings keep their case; the SOA copy.
        assert_eq!(lines(&z.duplicates), vec![(3, 2), (7, 5), (8, 1)]);
        assert_eq!(z.node(&apex).unwrap().rrset(rrtype::NS).unwrap().records.len(), 2);
        assert_eq!(z.node(&apex).unwrap().rrset(rrtype::SOA).unwrap().records.len(), 1);
        // Many RRs: the sorting path gives the same answer.
        let mut text = String::from("@ SOA ns hostmaster 1 2 3 4 5\n");
        for i in 0..40 {
            text.push_str(&format!("m MX {} mail{}.example.\n", i % 20, i % 20));
        }
        text.push_str("m MX 0 MAIL0.example.\n");
        let (recs, apex) = zone_of(&text);
        let z = Zone::build(apex, &recs, &[], &[], 0);
        assert_eq!(z.duplicates.len(), 21);
        assert!(z.duplicates.iter().all(|&(c, k)| c > k && recs[c as usize].rdata.eq_ignore_ascii_case(&recs[k as usize].rdata)));
        let m = z.node(&Name::from_text("m.example.", None).unwrap()).unwrap();
        assert_eq!(m.rrset(rrtype::MX).unwrap().records.len(), 20);
    }

    #[test]
    fn case_insensitive_nodes() {
        let (recs, apex) = zone_of("@ SOA ns hostmaster 1 2 3 4 5\nAAA NS ns.x.\naaa DS 1 8 2 0011\n");
        let z = Zone::build(apex, &recs, &[], &[], 0);
        let n = z.node(&Name::from_text("aAa.example.", None).unwrap()).unwrap();
        assert_eq!(n.kind, NameKind::Delegation);
        assert_eq!(n.types(), vec![rrtype::NS, rrtype::DS]);
    }
}

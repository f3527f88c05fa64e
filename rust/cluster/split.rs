//! Where a zone file is cut for the workers, and what every worker must
//! know before it verifies anything: the apex and its DNSKEYs.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::dns::name::Name;
use crate::dns::record::Record;
use crate::dns::rrtype;
use crate::error::CoreError;
use crate::parse::compressed;
use crate::parse::zonefile::{self, is_chunk_start, ParseOptions, Streamed};
use crate::progress::Progress;

/// How far past a cut point the next owner boundary is looked for.
const LOOK_AHEAD: usize = 1 << 20;

/// The offsets that cut the plain zone file at `path` into about `parts`
/// byte ranges: `[0, c1, ..., size]`, each `c` the start of a line that
/// begins with an owner name other than the owner of the line that
/// starts the search (so that, in the layouts signers write, a cut falls
/// between two owner names, never inside one's records). With the `apex`,
/// the owner's subtree must differ too (its label directly below the
/// apex), if such a line is within [`LOOK_AHEAD`] octets: a cut then falls
/// between two subtrees, where the parts can be checked apart
/// ([`super::parts`]). Fewer ranges when no line is found within
/// [`LOOK_AHEAD`] octets of a cut. `None` for a compressed file: it cannot
/// be read from the middle, and is verified by the final run alone.
pub fn points(path: &Path, parts: usize, apex: Option<&Name>) -> Result<Option<Vec<u64>>, CoreError> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| CoreError::Io { file: name.clone(), reason: e.to_string() };
    if compressed::open(path).map_err(io)?.format != compressed::Format::Plain {
        return Ok(None);
    }
    let mut f = std::fs::File::open(path).map_err(io)?;
    let size = f.metadata().map_err(io)?.len();
    let mut out = vec![0u64];
    let mut buf = vec![0u8; LOOK_AHEAD];
    let apex_text = apex.map(|a| a.to_text().to_ascii_lowercase());
    for k in 1..parts.max(1) as u64 {
        let target = (size as u128 * k as u128 / parts as u128) as u64;
        // From the octet before the target, so that a line starting at
        // the target is seen as one.
        let from = target.saturating_sub(1).max(*out.last().unwrap_or(&0));
        f.seek(SeekFrom::Start(from)).map_err(io)?;
        let n = read_up_to(&mut f, &mut buf).map_err(io)?;
        let by_subtree = apex_text.as_deref().and_then(|a| subtree_boundary(&buf[..n], a.as_bytes()));
        if let Some(cut) = by_subtree.or_else(|| owner_boundary(&buf[..n])) {
            let at = from + cut as u64;
            if at > *out.last().unwrap_or(&0) && at < size {
                out.push(at);
            }
        }
    }
    out.push(size);
    Ok(Some(out))
}

fn read_up_to(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// In `text` (which starts just before a cut point), the first line start
/// whose owner name differs from that of the first owner line after the
/// start: a boundary between two owner names.
fn owner_boundary(text: &[u8]) -> Option<usize> {
    boundary(text, |o| o)
}

/// In `text`, the first line start whose owner name's `key` differs from
/// that of the first owner line after the start.
fn boundary<'t>(text: &'t [u8], key: impl Fn(&'t [u8]) -> &'t [u8]) -> Option<usize> {
    let starts = (1..text.len()).filter(|&i| text[i - 1] == b'\n' && is_chunk_start(text[i]));
    let mut first: Option<&[u8]> = None;
    for i in starts {
        let end = text[i..].iter().position(|c| c.is_ascii_whitespace()).map(|p| i + p)?;
        let k = key(&text[i..end]);
        match first {
            None => first = Some(k),
            Some(o) if !o.eq_ignore_ascii_case(k) => return Some(i),
            Some(_) => {}
        }
    }
    None
}

/// How many owner lines on each side of a cut between subtrees must name
/// other subtrees than the lines on the other side: a signer that writes
/// a name a few places late (`dnssec-signzone -n`) leaves no subtree on
/// both sides of such a cut.
const CLEAR_LINES: usize = 64;

/// In `text` (which starts just before a cut point), the first line start
/// where a subtree starts (see [`subtree_key`]; `apex`: the apex in
/// presentation form, lower case) such that none of the [`CLEAR_LINES`]
/// owner lines before it names a subtree that one of the [`CLEAR_LINES`]
/// after it names.
fn subtree_boundary(text: &[u8], apex: &[u8]) -> Option<usize> {
    let mut lines: Vec<(usize, &[u8])> = Vec::new();
    for i in (1..text.len()).filter(|&i| text[i - 1] == b'\n' && is_chunk_start(text[i])) {
        let Some(end) = text[i..].iter().position(|c| c.is_ascii_whitespace()).map(|p| i + p) else { break };
        lines.push((i, subtree_key(&text[i..end], apex)));
    }
    (1..lines.len()).find_map(|j| {
        if lines[j - 1].1.eq_ignore_ascii_case(lines[j].1) {
            return None;
        }
        // Fewer where the text ends first (the file's end, or the look-ahead's).
        let before = &lines[j.saturating_sub(CLEAR_LINES)..j];
        let after = &lines[j..(j + CLEAR_LINES).min(lines.len())];
        let clear = before.iter().all(|(_, a)| after.iter().all(|(_, b)| !a.eq_ignore_ascii_case(b)));
        clear.then_some(lines[j].0)
    })
}

/// The label of an owner name (as written) directly below the apex
/// (`apex`: its presentation form, lower case), which names its subtree:
/// for an absolute name below the apex, its last label before the apex;
/// for a relative one, its last label; else (the apex, a name out of the
/// zone, a name with escapes) the whole name. Only where cuts fall depends
/// on it, never a verdict.
fn subtree_key<'t>(owner: &'t [u8], apex: &[u8]) -> &'t [u8] {
    if owner.contains(&b'\\') {
        return owner;
    }
    let rest = if owner.last() == Some(&b'.') {
        if apex == b"." {
            &owner[..owner.len() - 1]
        } else if owner.len() > apex.len() && owner[owner.len() - apex.len() - 1] == b'.' && owner[owner.len() - apex.len()..].eq_ignore_ascii_case(apex) {
            &owner[..owner.len() - apex.len() - 1]
        } else {
            return owner;
        }
    } else {
        owner
    };
    match rest.iter().rposition(|&c| c == b'.') {
        Some(p) => &rest[p + 1..],
        None => rest,
    }
}

/// The apex and the RDATA of its DNSKEYs, as the streaming stage finds
/// them ([`apex_run`]).
pub fn apex_keys(path: &Path, popts: &ParseOptions) -> Result<Option<(Name, Vec<Vec<u8>>)>, CoreError> {
    Ok(apex_run(path, popts)?.map(|(apex, run)| {
        let keys = run.iter().filter(|r| r.rtype == rrtype::DNSKEY).map(|r| r.rdata.to_vec()).collect();
        (apex, keys)
    }))
}

/// The apex and its first run of records, as the streaming stage finds
/// them: the first owner name of the file (read up to its first part, not
/// the whole file), which must be the origin given or own the first SOA.
/// `None` when the file does not start with the apex (the workers then
/// have no keys to verify with, and the final run does all).
pub fn apex_run(path: &Path, popts: &ParseOptions) -> Result<Option<(Name, Vec<Record>)>, CoreError> {
    let stop = Progress::default();
    let mut first = Vec::new();
    let (window, min) = zonefile::window_sizes(1);
    let got = zonefile::parse_file_streaming(path, popts, window, min, Some(&stop), |part, _| {
        if first.is_empty() {
            first = part;
        }
        // One part is enough: stop reading.
        stop.cancel();
    });
    let mut records = match got {
        Ok(Streamed::Whole(zone, _)) => zone.records,
        Ok(Streamed::Parts { .. }) | Err(CoreError::Cancelled) => first,
        Err(e) => return Err(e),
    };
    let Some(owner) = records.first().map(|r| r.owner.clone()) else { return Ok(None) };
    let n = records.iter().take_while(|r| r.owner.eq_ignore_case(&owner)).count();
    records.truncate(n);
    let apex = match &popts.origin {
        Some(o) => o.clone(),
        None => match records.iter().find(|r| r.rtype == rrtype::SOA) {
            Some(r) => r.owner.clone(),
            None => return Ok(None),
        },
    };
    if !owner.eq_ignore_case(&apex) {
        return Ok(None);
    }
    Ok(Some((apex, records)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_fall_between_owner_names() {
        // ldns's layout: every line names its owner.
        let text = b"x. 1 IN A 1.2.3.4\na.x. 1 IN A 1.2.3.4\na.x. 1 IN RRSIG A 8 2 1 (\n 1 2 3 x. AA== )\nb.x. 1 IN A 1.2.3.4\n";
        // From inside a.x.'s records: the cut is at b.x.
        let b = text.windows(4).position(|w| w == b"b.x.").unwrap();
        assert_eq!(owner_boundary(&text[20..]).map(|c| c + 20), Some(b));
        // No other owner in sight: no cut.
        assert_eq!(owner_boundary(&text[20..b]), None);
        // A cut where every range is one owner's run, ten parts asked for.
        let path = std::env::temp_dir().join(format!("zv-split-{}", std::process::id()));
        let mut z = String::new();
        for i in 0..200 {
            z.push_str(&format!("n{i}.x. 1 IN A 1.2.3.4\nn{i}.x. 1 IN TXT \"t\"\n"));
        }
        std::fs::write(&path, &z).unwrap();
        let p = points(&path, 10, None).unwrap().unwrap();
        assert_eq!((p[0], *p.last().unwrap()), (0, z.len() as u64));
        assert_eq!(p.len(), 11, "{p:?}");
        for w in p.windows(2) {
            assert!(w[0] < w[1]);
        }
        for &c in &p[1..p.len() - 1] {
            let c = c as usize;
            let prev = z[..c - 1].rsplit('\n').next().unwrap().split(' ').next().unwrap();
            let here = z[c..].split(' ').next().unwrap();
            assert_ne!(prev, here, "cut at {c} inside an owner's records");
        }
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn with_the_apex_cuts_fall_between_subtrees() {
        let apex = b"x.";
        assert_eq!(subtree_key(b"a.b.X.", apex), b"b");
        assert_eq!(subtree_key(b"b.x.", apex), b"b");
        assert_eq!(subtree_key(b"x.", apex), b"x.");
        assert_eq!(subtree_key(b"a.y.", apex), b"a.y.");
        assert_eq!(subtree_key(b"a.b", apex), b"b");
        assert_eq!(subtree_key(b"a\\.b.x.", apex), b"a\\.b.x.");
        assert_eq!(subtree_key(b"a.b.", b"."), b"b");
        let text = b"\na.b.x. 1 IN A 1.2.3.4\nc.b.x. 1 IN A 1.2.3.4\nb.x. 1 IN NS n.\nd.x. 1 IN A 1.2.3.4\n";
        let d = text.windows(4).position(|w| w == b"d.x.").unwrap();
        assert_eq!(boundary(text, |o| subtree_key(o, apex)), Some(d));
        // A name written late (n1's glue after n2): no cut between n1 and
        // n2, nor anywhere a subtree is on both sides within CLEAR_LINES.
        let mut z = String::from("\n");
        for i in 0..200 {
            z.push_str(&format!("n{i}.x. 1 IN NS ns.n{i}.x.\n"));
            // Glue after its delegation, but every 40th two names late.
            if i % 40 != 5 {
                z.push_str(&format!("ns.n{i}.x. 1 IN A 1.2.3.4\n"));
            }
            if i >= 2 && (i - 2) % 40 == 5 {
                z.push_str(&format!("ns.n{}.x. 1 IN A 1.2.3.4\n", i - 2));
            }
        }
        // From just before the late one's delegation.
        let z = &z[z.find("\nn5.x.").unwrap()..];
        let cut = subtree_boundary(z.as_bytes(), apex).unwrap();
        assert!(cut > z.find("ns.n5.x.").unwrap(), "{cut}");
        let before: Vec<&str> = z[..cut].lines().filter(|l| !l.is_empty()).map(|l| l.split(' ').next().unwrap()).collect();
        let after: Vec<&str> = z[cut..].lines().map(|l| l.split(' ').next().unwrap()).collect();
        for a in &before {
            let top = a.trim_end_matches(".x.").rsplit('.').next().unwrap();
            assert!(after.iter().all(|b| b.trim_end_matches(".x.").rsplit('.').next().unwrap() != top), "{top} on both sides of {cut}");
        }
        assert_eq!(owner_boundary(text), Some(text.windows(6).position(|w| w == b"c.b.x.").unwrap()));
    }
}

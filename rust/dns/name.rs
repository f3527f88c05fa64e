//! Domain names in uncompressed wire form, case preserved.
//!
//! Ordinary equality ([`Name::eq_ignore_case`]) and canonical ordering
//! ([`Name::canonical_cmp`], RFC 4034 §6.1) are kept apart from the derived
//! `PartialEq`, which compares the octets exactly (case included).

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

/// Maximum length of a name in wire form (RFC 1035 §2.3.4).
pub const MAX_NAME_LEN: usize = 255;
/// Maximum length of one label (RFC 1035 §2.3.4).
pub const MAX_LABEL_LEN: usize = 63;

/// A domain name: length-prefixed labels ending with the root label (a zero
/// octet), no compression, case as written.
///
/// The octets are shared (`Arc`): a zone repeats each owner name for every
/// record it owns, and cloning a name must not allocate (the parser and the
/// zone model clone owners millions of times on a TLD zone).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(Arc<[u8]>);

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name({})", self)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl Name {
    /// The root name `.`.
    pub fn root() -> Name {
        Name(Arc::from(&[0u8][..]))
    }

    /// Wraps wire octets that the caller has already validated.
    fn from_valid(v: Vec<u8>) -> Name {
        Name(Arc::from(v))
    }

    /// Reads one uncompressed name from the start of `buf`. Returns the name
    /// and the number of octets it used, or `None` when the octets are not a
    /// valid uncompressed name (bad label length, compression pointer, no
    /// root label, longer than 255 octets).
    pub fn from_wire(buf: &[u8]) -> Option<(Name, usize)> {
        let len = wire_len(buf)?;
        Some((Name(Arc::from(&buf[..len])), len))
    }

    /// Builds a name from labels given left to right (the root label is
    /// added). Fails when a label is empty or too long or the name too long.
    pub fn from_labels<'a, I: IntoIterator<Item = &'a [u8]>>(labels: I) -> Result<Name, String> {
        let mut v = Vec::new();
        for l in labels {
            if l.is_empty() {
                return Err("empty label".into());
            }
            if l.len() > MAX_LABEL_LEN {
                return Err(format!("label longer than {MAX_LABEL_LEN} octets"));
            }
            v.push(l.len() as u8);
            v.extend_from_slice(l);
        }
        v.push(0);
        if v.len() > MAX_NAME_LEN {
            return Err(format!("name longer than {MAX_NAME_LEN} octets"));
        }
        Ok(Name::from_valid(v))
    }

    /// The wire form, root label included.
    pub fn as_wire(&self) -> &[u8] {
        &self.0
    }

    /// Length of the wire form in octets.
    pub fn wire_len(&self) -> usize {
        self.0.len()
    }

    pub fn is_root(&self) -> bool {
        self.0.len() == 1
    }

    /// The labels from left to right, root label excluded.
    pub fn labels(&self) -> Labels<'_> {
        Labels { buf: &self.0, pos: 0 }
    }

    /// Number of labels, root label excluded (`example.com.` has 2).
    pub fn label_count(&self) -> usize {
        self.labels().count()
    }

    /// Whether the leftmost label is `*` (RFC 4592).
    pub fn is_wildcard(&self) -> bool {
        self.0.len() >= 2 && self.0[0] == 1 && self.0[1] == b'*'
    }

    /// The value an RRSIG Labels field must have for this owner: the label
    /// count without the root label and without a leading `*` label
    /// (RFC 4034 §3.1.3).
    pub fn rrsig_labels(&self) -> usize {
        let n = self.label_count();
        if self.is_wildcard() {
            n - 1
        } else {
            n
        }
    }

    /// This name with ASCII upper case letters folded to lower case
    /// (RFC 4034 §6.2, item 3).
    pub fn to_lowercase(&self) -> Name {
        Name::from_valid(self.0.to_ascii_lowercase())
    }

    /// Lower-cases the name in place.
    pub fn make_lowercase(&mut self) {
        if self.0.iter().any(u8::is_ascii_uppercase) {
            *self = self.to_lowercase();
        }
    }

    /// Equality ignoring ASCII case, as names compare in the DNS.
    pub fn eq_ignore_case(&self, other: &Name) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.eq_ignore_ascii_case(&other.0)
    }

    /// Canonical DNS name order (RFC 4034 §6.1): compare label by label from
    /// the rightmost, each label as a lower-cased octet string, a missing
    /// label sorting first.
    pub fn canonical_cmp(&self, other: &Name) -> Ordering {
        // Label offsets on the stack: a name has at most 127 labels.
        let mut a = [0u8; 128];
        let mut b = [0u8; 128];
        let na = self.fill_label_offsets(&mut a);
        let nb = other.fill_label_offsets(&mut b);
        let (mut i, mut j) = (na, nb);
        while i > 0 && j > 0 {
            i -= 1;
            j -= 1;
            let la = label_at(&self.0, a[i] as usize);
            let lb = label_at(&other.0, b[j] as usize);
            let ord = cmp_label_ci(la, lb);
            if ord != Ordering::Equal {
                return ord;
            }
        }
        i.cmp(&j)
    }

    /// Writes the offset of each label's length octet, left to right (root
    /// excluded), into `out`; returns how many. Offsets fit in a u8 because
    /// a name is at most 255 octets.
    fn fill_label_offsets(&self, out: &mut [u8; 128]) -> usize {
        let mut n = 0;
        let mut p = 0usize;
        while p < self.0.len() && self.0[p] != 0 && n < out.len() {
            out[n] = p as u8;
            n += 1;
            p += 1 + self.0[p] as usize;
        }
        n
    }

    /// Whether `self` equals `ancestor` or lies below it, ignoring case.
    pub fn is_subdomain_of(&self, ancestor: &Name) -> bool {
        let a = &ancestor.0;
        if a.len() > self.0.len() {
            return false;
        }
        // The suffix must start on a label boundary.
        let start = self.0.len() - a.len();
        if !self.0[start..].eq_ignore_ascii_case(a) {
            return false;
        }
        let mut p = 0;
        while p < start {
            p += 1 + self.0[p] as usize;
        }
        p == start
    }

    /// The name with its `n` leftmost labels removed (the root when `n` is
    /// the label count or more).
    pub fn strip_left(&self, n: usize) -> Name {
        let mut p = 0;
        for _ in 0..n {
            if self.0[p] == 0 {
                break;
            }
            p += 1 + self.0[p] as usize;
        }
        Name(Arc::from(&self.0[p..]))
    }

    /// The closest enclosing wildcard for an RRSIG whose Labels field is
    /// `labels` (RFC 4035 §5.3.2): `*.` followed by the rightmost `labels`
    /// labels of this name.
    pub fn wildcard_source(&self, labels: usize) -> Name {
        let n = self.label_count();
        let suffix = self.strip_left(n.saturating_sub(labels));
        let mut v = Vec::with_capacity(suffix.0.len() + 2);
        v.extend_from_slice(&[1, b'*']);
        v.extend_from_slice(&suffix.0);
        Name::from_valid(v)
    }

    /// Parses a name in presentation format (RFC 1035 §5.1): labels separated
    /// by dots, `\X` and `\DDD` escapes. A name without a final dot is
    /// relative and gets `origin` appended; `@` alone is the origin. With no
    /// origin, a relative name is an error.
    pub fn from_text(s: &str, origin: Option<&Name>) -> Result<Name, String> {
        Name::from_text_bytes(s.as_bytes(), origin)
    }

    /// [`Name::from_text`] over raw octets (zone files need not be UTF-8).
    pub fn from_text_bytes(s: &[u8], origin: Option<&Name>) -> Result<Name, String> {
        if s.is_empty() {
            return Err("empty name".into());
        }
        if s == b"@" {
            return origin.cloned().ok_or_else(|| "'@' used but no origin is known".to_string());
        }
        if s == b"." {
            return Ok(Name::root());
        }
        // Built on the stack (one allocation in all: the name's own); each
        // label is written in place after a length octet patched at its end.
        let mut wire: smallvec::SmallVec<[u8; 256]> = smallvec::SmallVec::new();
        let mut len_at = 0usize;
        wire.push(0);
        let mut absolute = false;
        let mut i = 0;
        while i < s.len() {
            let c = s[i];
            match c {
                b'.' => {
                    let n = wire.len() - len_at - 1;
                    if n == 0 {
                        return Err("empty label in name".into());
                    }
                    end_label(&mut wire, len_at)?;
                    if i + 1 == s.len() {
                        absolute = true;
                    }
                    len_at = wire.len();
                    wire.push(0);
                    i += 1;
                }
                b'\\' => {
                    let (b, used) = parse_escape(&s[i + 1..])?;
                    wire.push(b);
                    i += 1 + used;
                }
                _ => {
                    wire.push(c);
                    i += 1;
                }
            }
        }
        if wire.len() - len_at - 1 > 0 {
            end_label(&mut wire, len_at)?;
        } else {
            // No label open: drop its length octet.
            wire.pop();
        }
        if absolute {
            wire.push(0);
        } else {
            let o = origin.ok_or_else(|| {
                format!(
                    "relative name '{}' but no origin is known",
                    String::from_utf8_lossy(s)
                )
            })?;
            wire.extend_from_slice(&o.0);
        }
        if wire.len() > MAX_NAME_LEN {
            return Err(format!("name longer than {MAX_NAME_LEN} octets"));
        }
        Ok(Name(Arc::from(&wire[..])))
    }

    /// Presentation format, absolute (trailing dot), with `\DDD` for
    /// non-printable octets and `\X` for special characters.
    pub fn to_text(&self) -> String {
        if self.is_root() {
            return ".".into();
        }
        let mut s = String::with_capacity(self.0.len() + 4);
        for l in self.labels() {
            for &b in l {
                match b {
                    b'.' | b';' | b'(' | b')' | b'"' | b'\\' | b'@' | b'$' => {
                        s.push('\\');
                        s.push(b as char);
                    }
                    0x21..=0x7e => s.push(b as char),
                    _ => {
                        s.push_str(&format!("\\{:03}", b));
                    }
                }
            }
            s.push('.');
        }
        s
    }
}

/// Closes the label whose length octet is at `at` (its octets follow it).
fn end_label(wire: &mut [u8], at: usize) -> Result<(), String> {
    let label = &wire[at + 1..];
    if label.len() > MAX_LABEL_LEN {
        return Err(format!(
            "label '{}' is longer than {MAX_LABEL_LEN} octets",
            String::from_utf8_lossy(label)
        ));
    }
    wire[at] = label.len() as u8;
    Ok(())
}

/// Decodes the escape after a backslash: `\DDD` (three decimal digits, at
/// most 255) or `\X`. Returns the octet and how many input octets it used.
pub fn parse_escape(s: &[u8]) -> Result<(u8, usize), String> {
    match s.first() {
        None => Err("backslash at end of text".into()),
        Some(c) if c.is_ascii_digit() => {
            if s.len() < 3 || !s[1].is_ascii_digit() || !s[2].is_ascii_digit() {
                return Err("\\DDD escape needs exactly three decimal digits".into());
            }
            let v = (s[0] - b'0') as u32 * 100 + (s[1] - b'0') as u32 * 10 + (s[2] - b'0') as u32;
            if v > 255 {
                return Err(format!("\\{v} escape is above 255"));
            }
            Ok((v as u8, 3))
        }
        Some(&c) => Ok((c, 1)),
    }
}

/// Length of the uncompressed name at the start of `buf`, if valid.
pub fn wire_len(buf: &[u8]) -> Option<usize> {
    let mut p = 0;
    loop {
        let l = *buf.get(p)? as usize;
        if l == 0 {
            p += 1;
            break;
        }
        if l > MAX_LABEL_LEN {
            return None;
        }
        p += 1 + l;
        if p >= buf.len() || p > MAX_NAME_LEN {
            return None;
        }
    }
    if p > MAX_NAME_LEN {
        None
    } else {
        Some(p)
    }
}

fn label_at(buf: &[u8], off: usize) -> &[u8] {
    let l = buf[off] as usize;
    &buf[off + 1..off + 1 + l]
}

fn cmp_label_ci(a: &[u8], b: &[u8]) -> Ordering {
    for (x, y) in a.iter().zip(b.iter()) {
        let o = x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase());
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// Iterator over the labels of a [`Name`], left to right.
pub struct Labels<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Labels<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        let l = *self.buf.get(self.pos)? as usize;
        if l == 0 {
            return None;
        }
        let s = &self.buf[self.pos + 1..self.pos + 1 + l];
        self.pos += 1 + l;
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Name {
        Name::from_text(s, None).unwrap()
    }

    #[test]
    fn parse_and_print() {
        assert_eq!(n("Example.COM.").to_text(), "Example.COM.");
        assert_eq!(n(".").as_wire(), &[0]);
        let o = n("example.");
        assert_eq!(Name::from_text("www", Some(&o)).unwrap().to_text(), "www.example.");
        assert_eq!(Name::from_text("@", Some(&o)).unwrap(), o);
        assert_eq!(n("a\\.b.example.").label_count(), 2);
        assert_eq!(n("a\\.b.example.").to_text(), "a\\.b.example.");
        assert_eq!(n("\\000\\255.x.").as_wire(), &[2, 0, 255, 1, b'x', 0]);
        assert!(Name::from_text("a..b.", None).is_err());
        assert!(Name::from_text("www", None).is_err());
        assert!(Name::from_text("\\256.", None).is_err());
        assert!(Name::from_text("\\25", None).is_err());
        let long = "a".repeat(64) + ".";
        assert!(Name::from_text(&long, None).is_err());
        let too_long = "abcdefghi.".repeat(26);
        assert!(Name::from_text(&too_long, None).is_err());
    }

    #[test]
    fn canonical_order_rfc4034_6_1() {
        // The example list of RFC 4034 §6.1, in canonical order.
        let names = [
            "example.",
            "a.example.",
            "yljkjljk.a.example.",
            "Z.a.example.",
            "zABC.a.EXAMPLE.",
            "z.example.",
            "\\001.z.example.",
            "*.z.example.",
            "\\200.z.example.",
        ];
        for w in names.windows(2) {
            assert_eq!(n(w[0]).canonical_cmp(&n(w[1])), Ordering::Less, "{} < {}", w[0], w[1]);
            assert_eq!(n(w[1]).canonical_cmp(&n(w[0])), Ordering::Greater);
        }
        assert_eq!(n("A.Example.").canonical_cmp(&n("a.example.")), Ordering::Equal);
    }

    #[test]
    fn case_folding_and_subdomains() {
        assert!(n("WWW.Example.").eq_ignore_case(&n("www.example.")));
        assert_eq!(n("WWW.Example.").to_lowercase().as_wire(), n("www.example.").as_wire());
        assert!(n("a.b.EXAMPLE.").is_subdomain_of(&n("example.")));
        assert!(n("example.").is_subdomain_of(&n("example.")));
        assert!(!n("xexample.").is_subdomain_of(&n("example.")));
        assert!(n("x.").is_subdomain_of(&Name::root()));
        // A label that merely ends with the suffix's bytes is not a boundary.
        assert!(!n("\\003ab.c.").is_subdomain_of(&n("ab.c.")) || n("\\003ab.c.").label_count() == 2);
    }

    #[test]
    fn wildcards() {
        let w = n("*.example.");
        assert!(w.is_wildcard());
        assert_eq!(w.rrsig_labels(), 1);
        assert_eq!(n("a.z.w.example.").wildcard_source(2).to_text(), "*.w.example.");
        assert_eq!(n("a.b.").strip_left(1).to_text(), "b.");
        assert_eq!(n("a.b.").strip_left(5).to_text(), ".");
    }

    #[test]
    fn wire_roundtrip() {
        let w = n("www.example.com.");
        let (m, used) = Name::from_wire(w.as_wire()).unwrap();
        assert_eq!(m, w);
        assert_eq!(used, w.wire_len());
        assert!(Name::from_wire(&[3, b'a', b'b']).is_none());
        assert!(Name::from_wire(&[0xc0, 0x0c]).is_none());
    }
}

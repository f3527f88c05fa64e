//! BIND's `$GENERATE` directive: the range and the templates.
//!
//! `$GENERATE start-stop[/step] lhs [ttl] [class] type rhs` makes one
//! record per value of the range; in `lhs` and `rhs`, `$` is the value,
//! `${offset[,width[,base]]}` the value plus `offset`, zero-padded to
//! `width` characters, in base `d` (decimal, the default), `o` (octal),
//! `x`/`X` (hexadecimal) or `n`/`N` (nibbles, lowest first, each followed
//! by a dot, as reverse IPv6 names are written; `width` counts the
//! characters, dots included); `$$` is a `$` and `\$` stays `\$` (an
//! escaped `$`, for the name or RDATA parser after). A quoted `rhs` is
//! expanded and then read as RDATA text, as BIND does (`"10 mail$"` for
//! MX). The zone-file parser (`zonefile.rs`) lexes and parses each
//! expanded line like any record; this module only reads the directive's
//! fields and expands the templates, checked against BIND 9.18's
//! `named-compilezone` by `tests/test_generate.py`.

/// The most records one `$GENERATE` may make (a /16's reverse zone is 65,536).
/// (Fuzzing builds: 10,000, so that an input stays within the fuzzer's time.)
#[cfg(not(fuzzing))]
pub const MAX_RECORDS: u64 = 1_000_000;
#[cfg(fuzzing)]
pub const MAX_RECORDS: u64 = 10_000;

/// The most records all `$GENERATE`s of one parse may make together, so
/// that short lines cannot make a parse allocate without bound (tests and
/// fuzzing: 3,000 and 20,000).
#[cfg(not(any(test, fuzzing)))]
pub const MAX_TOTAL_RECORDS: u64 = 10_000_000;
#[cfg(all(test, not(fuzzing)))]
pub const MAX_TOTAL_RECORDS: u64 = 3_000;
#[cfg(fuzzing)]
pub const MAX_TOTAL_RECORDS: u64 = 20_000;

/// The largest `width` of a modifier (no name or field is longer).
const MAX_WIDTH: usize = 255;

/// `start-stop[/step]`: the values of a range, start <= stop, each at most
/// 2^31 - 1, step at least 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub start: u32,
    pub stop: u32,
    pub step: u32,
}

impl Range {
    pub fn parse(text: &[u8]) -> Result<Range, String> {
        let bad = || format!("invalid range '{}': expected START-STOP or START-STOP/STEP", String::from_utf8_lossy(text));
        let s = std::str::from_utf8(text).map_err(|_| bad())?;
        let (span, step) = match s.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let (a, b) = span.split_once('-').ok_or_else(bad)?;
        let num = |t: &str| -> Result<u32, String> {
            if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            match t.parse::<u64>() {
                Ok(v) if v <= i32::MAX as u64 => Ok(v as u32),
                _ => Err(format!("invalid range '{s}': {t} is more than 2147483647")),
            }
        };
        let (start, stop) = (num(a)?, num(b)?);
        let step = match step {
            Some(t) => num(t)?,
            None => 1,
        };
        if start > stop {
            return Err(format!("invalid range '{s}': {start} is more than {stop}"));
        }
        if step == 0 {
            return Err(format!("invalid range '{s}': the step is 0"));
        }
        Ok(Range { start, stop, step })
    }

    /// How many values the range has.
    pub fn count(&self) -> u64 {
        (self.stop - self.start) as u64 / self.step as u64 + 1
    }

    pub fn values(&self) -> impl Iterator<Item = u32> {
        (self.start..=self.stop).step_by(self.step as usize)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(Vec<u8>),
    Value { offset: i64, width: usize, base: u8 },
}

/// A template (`lhs` or `rhs`), read once and expanded for each value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template(Vec<Piece>);

impl Template {
    pub fn parse(text: &[u8]) -> Result<Template, String> {
        let mut pieces = Vec::new();
        let mut lit = Vec::new();
        let mut i = 0;
        while i < text.len() {
            match text[i] {
                b'\\' => {
                    // An escape stays as it is, for the parser after.
                    lit.extend_from_slice(&text[i..(i + 2).min(text.len())]);
                    i += 2;
                }
                b'$' if text.get(i + 1) == Some(&b'$') => {
                    lit.push(b'$');
                    i += 2;
                }
                b'$' if text.get(i + 1) == Some(&b'{') => {
                    let end = text[i..].iter().position(|&c| c == b'}').map(|p| i + p).ok_or_else(|| {
                        format!("unterminated modifier '{}': expected ${{offset[,width[,base]]}}", String::from_utf8_lossy(&text[i..]))
                    })?;
                    let m = &text[i + 2..end];
                    if !lit.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut lit)));
                    }
                    pieces.push(Self::modifier(m)?);
                    i = end + 1;
                }
                b'$' => {
                    if !lit.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut lit)));
                    }
                    pieces.push(Piece::Value { offset: 0, width: 0, base: b'd' });
                    i += 1;
                }
                c => {
                    lit.push(c);
                    i += 1;
                }
            }
        }
        if !lit.is_empty() {
            pieces.push(Piece::Text(lit));
        }
        Ok(Template(pieces))
    }

    /// `offset[,width[,base]]` of `${...}`.
    fn modifier(m: &[u8]) -> Result<Piece, String> {
        let text = String::from_utf8_lossy(m).into_owned();
        let bad = |why: &str| format!("bad modifier '${{{text}}}': {why}");
        let mut parts = text.split(',');
        let off = parts.next().unwrap_or("").trim();
        let offset = if off.is_empty() {
            0
        } else {
            let digits = off.strip_prefix(['+', '-']).unwrap_or(off);
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad("the offset is not a number"));
            }
            match off.parse::<i64>() {
                Ok(v) if v.abs() <= i32::MAX as i64 => v,
                _ => return Err(bad("the offset is more than 2147483647")),
            }
        };
        let width = match parts.next().map(str::trim) {
            None | Some("") => 0,
            Some(w) if w.bytes().all(|c| c.is_ascii_digit()) => match w.parse::<usize>() {
                Ok(v) if v <= MAX_WIDTH => v,
                _ => return Err(bad(&format!("the width is more than {MAX_WIDTH}"))),
            },
            Some(_) => return Err(bad("the width is not a number")),
        };
        let base = match parts.next().map(str::trim) {
            None | Some("") => b'd',
            Some(b) if b.len() == 1 && b"doxXnN".contains(&b.as_bytes()[0]) => b.as_bytes()[0],
            Some(_) => return Err(bad("the base is not one of d, o, x, X, n, N")),
        };
        if parts.next().is_some() {
            return Err(bad("more than three fields"));
        }
        Ok(Piece::Value { offset, width, base })
    }

    /// Appends the template for value `v` to `out`.
    pub fn expand(&self, v: u32, out: &mut Vec<u8>) -> Result<(), String> {
        for p in &self.0 {
            match p {
                Piece::Text(t) => out.extend_from_slice(t),
                &Piece::Value { offset, width, base } => {
                    let n = v as i64 + offset;
                    if base == b'n' || base == b'N' {
                        if n < 0 {
                            return Err(format!("the value {n} has no nibbles (nibble mode needs 0 or more)"));
                        }
                        out.extend_from_slice(&nibbles(n as u64, width, base == b'N'));
                        continue;
                    }
                    let abs = n.unsigned_abs();
                    let body = match base {
                        b'o' => format!("{abs:o}"),
                        b'x' => format!("{abs:x}"),
                        b'X' => format!("{abs:X}"),
                        _ => format!("{abs}"),
                    };
                    // Zero-padded to the width, the sign counted in it (as printf's %0*d).
                    let len = body.len() + (n < 0) as usize;
                    if n < 0 {
                        out.push(b'-');
                    }
                    out.extend(std::iter::repeat_n(b'0', width.saturating_sub(len)));
                    out.extend_from_slice(body.as_bytes());
                }
            }
        }
        Ok(())
    }
}

/// Nibble form of `v`: hex digits from the lowest, each followed by a dot
/// while the value has more digits or the width more places; `width`
/// characters at least (dots counted), the last dot only when the width
/// asks for it.
fn nibbles(mut v: u64, width: usize, upper: bool) -> Vec<u8> {
    let digits: &[u8; 16] = if upper { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
    let mut out = Vec::new();
    let mut left = width;
    loop {
        out.push(digits[(v & 15) as usize]);
        v >>= 4;
        left = left.saturating_sub(1);
        if left > 0 || v != 0 {
            out.push(b'.');
            left = left.saturating_sub(1);
        }
        if v == 0 && left == 0 {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(t: &str, v: u32) -> String {
        let mut out = Vec::new();
        Template::parse(t.as_bytes()).unwrap().expand(v, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn templates_expand_as_bind_does() {
        // Each expected value is what BIND 9.18's named-compilezone made.
        assert_eq!(ex("host$", 3), "host3");
        assert_eq!(ex("h${1,3}x", 4), "h005x");
        assert_eq!(ex("10.1.0.${0,0,d}", 8), "10.1.0.8");
        assert_eq!(ex("o${0,4,o}-x${0,3,x}-X${-200,2,X}", 250), "o0372-x0fa-X32");
        assert_eq!(ex("${0,4,n}ip6", 10), "a.0.ip6");
        assert_eq!(ex("x${0,3,n}y", 11), "xb.0y");
        assert_eq!(ex("n${0,6,N}", 10), "nA.0.0.");
        assert_eq!(ex("n${0,0,N}", 10), "nA");
        assert_eq!(ex("v=$ \\$ $$", 1), "v=1 \\$ $");
        assert_eq!(ex("b${+1}", 2), "b3");
        assert_eq!(ex("a${-5}", 1), "a-4");
        assert_eq!(ex("${0,2,n}", 0x1234), "4.3.2.1");
    }

    #[test]
    fn all_directives_of_a_parse_are_bounded_together() {
        use crate::parse::zonefile::{parse_zone, ParseOptions};
        let head = "$ORIGIN example.\n$TTL 300\n@ SOA ns hostmaster 1 2 3 4 5\n@ NS ns\n";
        let opts = ParseOptions { origin: None, default_ttl: None, allow_include: false };
        let ok = format!("{head}$GENERATE 1-1000 a$ TXT x\n$GENERATE 1-2000 b$ TXT x\n");
        assert_eq!(parse_zone(ok.as_bytes(), "z", &opts).unwrap().records.len(), 3002);
        let over = format!("{ok}$GENERATE 1-1 c$ TXT x\n");
        let e = parse_zone(over.as_bytes(), "z", &opts).unwrap_err().to_string();
        assert!(e.contains("z:7:") && e.contains("more than 3000 records generated in all"), "{e}");
    }

    #[test]
    fn bad_ranges_and_modifiers_are_errors() {
        for (r, why) in [("5-1", "more than 1"), ("1-2/0", "step is 0"), ("1", "expected START-STOP"),
                         ("0-4294967296", "more than 2147483647"), ("a-b", "expected"), ("1-2/", "expected")] {
            let e = Range::parse(r.as_bytes()).unwrap_err();
            assert!(e.contains(why), "{r}: {e}");
        }
        assert_eq!(Range::parse(b"0-8/4").unwrap().values().collect::<Vec<_>>(), vec![0, 4, 8]);
        assert_eq!(Range::parse(b"0-2147483647").unwrap().count(), 1 << 31);
        for (t, why) in [("a${1,3", "unterminated"), ("a${1,3,q}", "base"), ("a${x}", "offset"),
                         ("a${1,300}", "width"), ("a${1,2,d,e}", "three"), ("a${1,b}", "width")] {
            let e = Template::parse(t.as_bytes()).unwrap_err();
            assert!(e.contains(why), "{t}: {e}");
        }
        let mut out = Vec::new();
        let e = Template::parse(b"${-20,0,n}").unwrap().expand(10, &mut out).unwrap_err();
        assert!(e.contains("nibble"), "{e}");
    }
}

//! Presentation-format RDATA to wire form, per type (RFC 1035 §5 and the
//! RFCs defining each type), plus the RFC 3597 generic `\# len hex` form and
//! a structural check of wire RDATA for the types that hold domain names.
//!
//! The zone-file tokenizer hands this module a slice of [`Tok`]s (byte
//! ranges into the source text); nothing here allocates per character.

use crate::dns::name;
use crate::dns::name::Name;
use crate::dns::rrtype;
use data_encoding::{BASE32HEX_NOPAD, BASE64, BASE64_NOPAD, HEXUPPER_PERMISSIVE};
use std::net::{Ipv4Addr, Ipv6Addr};

/// One lexical token: `src[start..end]` (for a quoted string, the text
/// between the quotes, escapes not yet decoded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tok {
    pub start: usize,
    pub end: usize,
    /// 1-based line and byte column of the token's first character (for a
    /// quoted string: of the opening quote).
    pub line: u32,
    pub col: u32,
    pub quoted: bool,
}

/// An RDATA error: `tok` indexes the token slice given to [`parse_rdata`]
/// (equal to its length when the error is "missing field" at the end).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RdataError {
    pub tok: usize,
    pub reason: String,
}

/// A token's text for an error message (lossy, shortened when huge).
pub fn show(t: &[u8]) -> String {
    const MAX: usize = 60;
    if t.len() > MAX {
        format!("{}...", String::from_utf8_lossy(&t[..MAX]))
    } else {
        String::from_utf8_lossy(t).into_owned()
    }
}

/// Parses a TTL-style duration: a decimal number of seconds, or BIND unit
/// groups such as `1h30m`, `2d`, `1w` (units s, m, h, d, w, any case).
/// `None` when malformed or above 2^32-1.
pub fn parse_ttl(t: &[u8]) -> Option<u32> {
    if t.is_empty() || !t[0].is_ascii_digit() {
        return None;
    }
    let mut total: u64 = 0;
    let mut cur: u64 = 0;
    let mut have_digits = false;
    for &c in t {
        if c.is_ascii_digit() {
            cur = cur.checked_mul(10)?.checked_add((c - b'0') as u64)?;
            if cur > u32::MAX as u64 {
                return None;
            }
            have_digits = true;
        } else {
            if !have_digits {
                return None;
            }
            let mult: u64 = match c.to_ascii_lowercase() {
                b's' => 1,
                b'm' => 60,
                b'h' => 3600,
                b'd' => 86400,
                b'w' => 604800,
                _ => return None,
            };
            total = total.checked_add(cur.checked_mul(mult)?)?;
            cur = 0;
            have_digits = false;
        }
    }
    total = total.checked_add(cur)?;
    if total > u32::MAX as u64 {
        None
    } else {
        Some(total as u32)
    }
}

/// RR type from a mnemonic or `TYPEnnn` (case-insensitive); a fast path for
/// the common upper-case mnemonics before [`rrtype::from_mnemonic`].
pub fn type_from_text(t: &[u8]) -> Option<u16> {
    let quick = match t {
        b"A" => Some(1),
        b"NS" => Some(2),
        b"CNAME" => Some(5),
        b"SOA" => Some(6),
        b"MX" => Some(15),
        b"TXT" => Some(16),
        b"AAAA" => Some(28),
        b"DS" => Some(43),
        b"RRSIG" => Some(46),
        b"NSEC" => Some(47),
        b"DNSKEY" => Some(48),
        b"NSEC3" => Some(50),
        _ => None,
    };
    if quick.is_some() {
        return quick;
    }
    if t.is_empty() || t.len() > 20 || !t[0].is_ascii_alphabetic() {
        return None;
    }
    std::str::from_utf8(t).ok().and_then(rrtype::from_mnemonic)
}

/// DNSSEC algorithm number from a number or mnemonic (RFC 4034 App. A.1
/// and the IANA registry).
pub fn algorithm_from_text(t: &[u8]) -> Option<u8> {
    if let Some(v) = parse_uint(t, 255) {
        return Some(v as u8);
    }
    // Signing algorithms come from the one table in crypto.rs; the rest
    // of the IANA registry's mnemonics are not signing algorithms.
    if let Some(n) = crate::sig::crypto::algorithm_from_name(t) {
        return Some(n);
    }
    const OTHER: &[(u8, &str)] = &[(2, "DH"), (252, "INDIRECT"), (253, "PRIVATEDNS"), (254, "PRIVATEOID")];
    OTHER.iter().find(|(_, m)| m.as_bytes().eq_ignore_ascii_case(t)).map(|&(n, _)| n)
}

/// Unsigned decimal (digits only) not above `max`.
fn parse_uint(t: &[u8], max: u64) -> Option<u64> {
    if t.is_empty() || t.len() > 20 || !t.iter().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in t {
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    if v <= max {
        Some(v)
    } else {
        None
    }
}

/// Decodes `\X` / `\DDD` escapes of a character-string or similar text,
/// appending to `out`.
fn unescape_into(t: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    let mut i = 0;
    while i < t.len() {
        let c = t[i];
        if c == b'\\' {
            let (b, used) = name::parse_escape(&t[i + 1..])?;
            out.push(b);
            i += 1 + used;
        } else {
            out.push(c);
            i += 1;
        }
    }
    Ok(())
}

/// Cursor over the RDATA tokens of one record.
struct Cur<'a> {
    src: &'a [u8],
    toks: &'a [Tok],
    i: usize,
    rtype: u16,
    origin: Option<&'a Name>,
    scratch: Vec<u8>,
}

type R<T> = Result<T, RdataError>;

impl<'a> Cur<'a> {
    fn tname(&self) -> String {
        rrtype::to_mnemonic(self.rtype)
    }
    fn text(&self, idx: usize) -> &'a [u8] {
        match self.toks.get(idx) {
            Some(t) => self.src.get(t.start..t.end).unwrap_or(&[]),
            None => &[],
        }
    }
    fn err_at(&self, idx: usize, msg: String) -> RdataError {
        RdataError { tok: idx, reason: format!("{}: {}", self.tname(), msg) }
    }
    /// Error about the token just consumed.
    fn err_last(&self, msg: String) -> RdataError {
        self.err_at(self.i.saturating_sub(1), msg)
    }
    fn at_end(&self) -> bool {
        self.i >= self.toks.len()
    }
    fn next(&mut self, what: &str) -> R<&'a [u8]> {
        if self.at_end() {
            return Err(self.err_at(self.toks.len(), format!("missing {what}")));
        }
        let t = self.text(self.i);
        self.i += 1;
        Ok(t)
    }
    fn finish(&self) -> R<()> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.err_at(self.i, format!("trailing data '{}'", show(self.text(self.i)))))
        }
    }
    fn uint(&mut self, what: &str, max: u64) -> R<u64> {
        let t = self.next(what)?;
        parse_uint(t, max).ok_or_else(|| self.err_last(format!("bad {what} '{}'", show(t))))
    }
    fn u8(&mut self, what: &str, out: &mut Vec<u8>) -> R<u8> {
        let v = self.uint(what, 255)? as u8;
        out.push(v);
        Ok(v)
    }
    fn u16(&mut self, what: &str, out: &mut Vec<u8>) -> R<u16> {
        let v = self.uint(what, 65535)? as u16;
        out.extend_from_slice(&v.to_be_bytes());
        Ok(v)
    }
    fn u32(&mut self, what: &str, out: &mut Vec<u8>) -> R<u32> {
        let v = self.uint(what, u32::MAX as u64)? as u32;
        out.extend_from_slice(&v.to_be_bytes());
        Ok(v)
    }
    fn period(&mut self, what: &str, out: &mut Vec<u8>) -> R<u32> {
        let t = self.next(what)?;
        let v = parse_ttl(t).ok_or_else(|| self.err_last(format!("bad {what} '{}'", show(t))))?;
        out.extend_from_slice(&v.to_be_bytes());
        Ok(v)
    }
    fn alg(&mut self, out: &mut Vec<u8>) -> R<u8> {
        let t = self.next("algorithm")?;
        let v = algorithm_from_text(t).ok_or_else(|| self.err_last(format!("bad algorithm '{}'", show(t))))?;
        out.push(v);
        Ok(v)
    }
    fn rrtype(&mut self, what: &str, out: &mut Vec<u8>) -> R<u16> {
        let t = self.next(what)?;
        let v = type_from_text(t).ok_or_else(|| self.err_last(format!("unknown RR type '{}' in {what}", show(t))))?;
        out.extend_from_slice(&v.to_be_bytes());
        Ok(v)
    }
    fn name_from(&self, t: &[u8], what: &str) -> R<Name> {
        Name::from_text_bytes(t, self.origin).map_err(|e| self.err_last(format!("bad {what} '{}': {e}", show(t))))
    }
    fn name(&mut self, what: &str, out: &mut Vec<u8>) -> R<()> {
        let t = self.next(what)?;
        let n = self.name_from(t, what)?;
        out.extend_from_slice(n.as_wire());
        Ok(())
    }
    fn ipv4(&mut self, what: &str, out: &mut Vec<u8>) -> R<()> {
        let t = self.next(what)?;
        let a = parse_ipv4(t).ok_or_else(|| self.err_last(format!("bad IPv4 address '{}'", show(t))))?;
        out.extend_from_slice(&a);
        Ok(())
    }
    fn ipv6(&mut self, what: &str, out: &mut Vec<u8>) -> R<()> {
        let t = self.next(what)?;
        let a = parse_ipv6(t).ok_or_else(|| self.err_last(format!("bad IPv6 address '{}'", show(t))))?;
        out.extend_from_slice(&a);
        Ok(())
    }
    /// One character-string (length octet + octets).
    fn string(&mut self, what: &str, out: &mut Vec<u8>) -> R<()> {
        let t = self.next(what)?;
        let at = out.len();
        out.push(0);
        unescape_into(t, out).map_err(|e| self.err_last(format!("bad {what} '{}': {e}", show(t))))?;
        let l = out.len() - at - 1;
        if l > 255 {
            return Err(self.err_last(format!("{what} '{}' is longer than 255 octets", show(t))));
        }
        out[at] = l as u8;
        Ok(())
    }
    /// Text without a length octet (CAA value, URI target).
    fn raw_string(&mut self, what: &str, out: &mut Vec<u8>) -> R<()> {
        let t = self.next(what)?;
        unescape_into(t, out).map_err(|e| self.err_last(format!("bad {what} '{}': {e}", show(t))))
    }
    /// All remaining tokens concatenated into `scratch`; returns how many.
    fn gather_rest(&mut self) -> usize {
        self.scratch.clear();
        let n = self.toks.len().saturating_sub(self.i);
        while self.i < self.toks.len() {
            let t = self.text(self.i);
            self.scratch.extend_from_slice(t);
            self.i += 1;
        }
        n
    }
    /// Base64 spread over the remaining tokens. `required`: at least one token.
    fn base64_rest(&mut self, what: &str, required: bool, out: &mut Vec<u8>) -> R<()> {
        let first = self.i;
        let n = self.gather_rest();
        if n == 0 {
            if required {
                return Err(self.err_at(first, format!("missing {what}")));
            }
            return Ok(());
        }
        let dec = BASE64
            .decode(&self.scratch)
            .or_else(|_| BASE64_NOPAD.decode(&self.scratch))
            .map_err(|_| self.err_at(first, format!("{what} is not valid base64")))?;
        out.extend_from_slice(&dec);
        Ok(())
    }
    fn hex_rest(&mut self, what: &str, required: bool, out: &mut Vec<u8>) -> R<()> {
        let first = self.i;
        let n = self.gather_rest();
        if n == 0 {
            if required {
                return Err(self.err_at(first, format!("missing {what}")));
            }
            return Ok(());
        }
        let dec = HEXUPPER_PERMISSIVE
            .decode(&self.scratch)
            .map_err(|_| self.err_at(first, format!("{what} is not valid hex")))?;
        out.extend_from_slice(&dec);
        Ok(())
    }
    fn hex_one(&mut self, what: &str, out: &mut Vec<u8>) -> R<usize> {
        let t = self.next(what)?;
        let dec = HEXUPPER_PERMISSIVE
            .decode(t)
            .map_err(|_| self.err_last(format!("{what} '{}' is not valid hex", show(t))))?;
        out.extend_from_slice(&dec);
        Ok(dec.len())
    }
    /// RFC 4034 §4.1.2 type bitmap from the remaining tokens (may be empty).
    fn bitmap_rest(&mut self, out: &mut Vec<u8>) -> R<()> {
        let mut types: Vec<u16> = Vec::with_capacity(self.toks.len().saturating_sub(self.i));
        while !self.at_end() {
            let t = self.next("type")?;
            let v = type_from_text(t)
                .ok_or_else(|| self.err_last(format!("unknown RR type '{}' in type bitmap", show(t))))?;
            types.push(v);
        }
        write_bitmap(&mut types, out);
        Ok(())
    }
}

/// Encodes a type bitmap (sorts and dedups `types`).
pub fn write_bitmap(types: &mut Vec<u16>, out: &mut Vec<u8>) {
    types.sort_unstable();
    types.dedup();
    let mut i = 0;
    while i < types.len() {
        let window = (types[i] >> 8) as u8;
        let mut bits = [0u8; 32];
        let mut maxlen = 0;
        while i < types.len() && (types[i] >> 8) as u8 == window {
            let lo = (types[i] & 0xff) as usize;
            bits[lo / 8] |= 0x80 >> (lo % 8);
            maxlen = lo / 8 + 1;
            i += 1;
        }
        out.push(window);
        out.push(maxlen as u8);
        out.extend_from_slice(&bits[..maxlen]);
    }
}

fn parse_ipv4(t: &[u8]) -> Option<[u8; 4]> {
    let s = std::str::from_utf8(t).ok()?;
    s.parse::<Ipv4Addr>().ok().map(|a| a.octets())
}

fn parse_ipv6(t: &[u8]) -> Option<[u8; 16]> {
    let s = std::str::from_utf8(t).ok()?;
    s.parse::<Ipv6Addr>().ok().map(|a| a.octets())
}

/// Converts presentation RDATA `toks` (over `src`) of type `rtype` to wire
/// form, appended to `out`. Relative names get `origin` appended.
pub fn parse_rdata(rtype: u16, src: &[u8], toks: &[Tok], origin: Option<&Name>, out: &mut Vec<u8>) -> R<()> {
    let mut c = Cur { src, toks, i: 0, rtype, origin, scratch: Vec::new() };
    // RFC 3597 generic form.
    if let Some(t0) = toks.first() {
        if !t0.quoted && c.text(0) == b"\\#" {
            c.i = 1;
            let len = c.uint("RFC 3597 RDATA length", 65535)? as usize;
            let start = out.len();
            c.hex_rest("RFC 3597 hex data", false, out)?;
            let got = out.len() - start;
            if got != len {
                return Err(c.err_at(1, format!("RFC 3597 length {len} does not match the {got} octets of hex data")));
            }
            if let Err(e) = validate_wire(rtype, &out[start..]) {
                return Err(c.err_at(0, format!("RFC 3597 RDATA is not valid for this type: {e}")));
            }
            return Ok(());
        }
    }
    parse_typed(&mut c, out)?;
    c.finish()
}

fn unsupported(c: &Cur<'_>) -> RdataError {
    c.err_at(0, format!("presentation form of {} not supported; use RFC 3597 \\# form", c.tname()))
}

fn parse_typed(c: &mut Cur<'_>, out: &mut Vec<u8>) -> R<()> {
    match c.rtype {
        1 => c.ipv4("address", out),
        28 => c.ipv6("address", out),
        2 => c.name("name server", out),
        5 => c.name("target", out),
        39 => c.name("target", out),
        3 | 4 | 7 | 8 | 9 | 12 | 23 => c.name("domain name", out),
        6 => {
            c.name("primary name server", out)?;
            c.name("responsible mailbox", out)?;
            c.u32("serial", out)?;
            c.period("refresh", out)?;
            c.period("retry", out)?;
            c.period("expire", out)?;
            c.period("minimum", out)?;
            Ok(())
        }
        15 => {
            c.u16("preference", out)?;
            c.name("exchange", out)
        }
        36 => {
            c.u16("preference", out)?;
            c.name("exchanger", out)
        }
        18 => {
            c.u16("subtype", out)?;
            c.name("hostname", out)
        }
        21 => {
            c.u16("preference", out)?;
            c.name("intermediate host", out)
        }
        26 => {
            c.u16("preference", out)?;
            c.name("MAP822", out)?;
            c.name("MAPX400", out)
        }
        14 => {
            c.name("responsible mailbox", out)?;
            c.name("error mailbox", out)
        }
        17 => {
            c.name("mailbox", out)?;
            c.name("TXT domain name", out)
        }
        35 => {
            c.u16("order", out)?;
            c.u16("preference", out)?;
            c.string("flags", out)?;
            c.string("services", out)?;
            c.string("regexp", out)?;
            c.name("replacement", out)
        }
        33 => {
            c.u16("priority", out)?;
            c.u16("weight", out)?;
            c.u16("port", out)?;
            c.name("target", out)
        }
        16 | 99 | 261 => {
            c.string("character-string", out)?;
            while !c.at_end() {
                c.string("character-string", out)?;
            }
            Ok(())
        }
        13 => {
            c.string("CPU", out)?;
            c.string("OS", out)
        }
        43 | 59 | 32768 | 32769 => {
            c.u16("key tag", out)?;
            c.alg(out)?;
            c.u8("digest type", out)?;
            c.hex_rest("digest", true, out)
        }
        48 | 60 | 25 => {
            c.u16("flags", out)?;
            c.u8("protocol", out)?;
            c.alg(out)?;
            if c.rtype == 60 && c.toks.len() == c.i + 1 && c.text(c.i) == b"0" {
                // CDNSKEY delete written with a `0` key.
                c.i += 1;
                return Ok(());
            }
            c.base64_rest("public key", c.rtype != 25, out)
        }
        46 | 24 => {
            c.rrtype("type covered", out)?;
            c.alg(out)?;
            c.u8("labels", out)?;
            c.period("original TTL", out)?;
            for what in ["expiration", "inception"] {
                let t = c.next(what)?;
                let v = std::str::from_utf8(t)
                    .map_err(|_| format!("bad {what} '{}'", show(t)))
                    .and_then(|s| crate::dns::serial::parse_rrsig_time(s).map_err(|e| format!("bad {what}: {e}")))
                    .map_err(|e| c.err_last(e))?;
                out.extend_from_slice(&v.to_be_bytes());
            }
            c.u16("key tag", out)?;
            c.name("signer's name", out)?;
            c.base64_rest("signature", c.rtype == 46, out)
        }
        47 => {
            c.name("next domain name", out)?;
            c.bitmap_rest(out)
        }
        50 => {
            c.u8("hash algorithm", out)?;
            c.u8("flags", out)?;
            c.u16("iterations", out)?;
            salt(c, out)?;
            let t = c.next("next hashed owner name")?;
            c.scratch.clear();
            c.scratch.extend(t.iter().map(|b| b.to_ascii_uppercase()));
            let dec = BASE32HEX_NOPAD.decode(&c.scratch).map_err(|_| {
                c.err_last(format!("next hashed owner name '{}' is not valid unpadded base32hex", show(t)))
            })?;
            if dec.is_empty() || dec.len() > 255 {
                return Err(c.err_last(format!("next hashed owner name '{}' has a bad length", show(t))));
            }
            out.push(dec.len() as u8);
            out.extend_from_slice(&dec);
            c.bitmap_rest(out)
        }
        51 => {
            c.u8("hash algorithm", out)?;
            c.u8("flags", out)?;
            c.u16("iterations", out)?;
            salt(c, out)
        }
        63 => {
            c.u32("serial", out)?;
            c.u8("scheme", out)?;
            c.u8("hash algorithm", out)?;
            c.hex_rest("digest", true, out)
        }
        44 => {
            c.u8("algorithm", out)?;
            c.u8("fingerprint type", out)?;
            c.hex_rest("fingerprint", true, out)
        }
        52 | 53 => {
            c.u8("certificate usage", out)?;
            c.u8("selector", out)?;
            c.u8("matching type", out)?;
            c.hex_rest("certificate association data", true, out)
        }
        257 => {
            c.u8("flags", out)?;
            let t = c.next("tag")?;
            if t.is_empty() || t.len() > 255 || !t.iter().all(|b| b.is_ascii_alphanumeric()) {
                return Err(c.err_last(format!("bad tag '{}'", show(t))));
            }
            out.push(t.len() as u8);
            out.extend_from_slice(t);
            c.raw_string("value", out)
        }
        37 => {
            let t = c.next("certificate type")?;
            let v = parse_uint(t, 65535).or_else(|| cert_type(t)).ok_or_else(|| {
                c.err_last(format!("bad certificate type '{}'", show(t)))
            })? as u16;
            out.extend_from_slice(&v.to_be_bytes());
            c.u16("key tag", out)?;
            c.alg(out)?;
            c.base64_rest("certificate", false, out)
        }
        49 => c.base64_rest("DHCID data", true, out),
        61 => c.base64_rest("public key", true, out),
        256 => {
            c.u16("priority", out)?;
            c.u16("weight", out)?;
            c.raw_string("target", out)
        }
        29 => loc(c, out),
        55 => {
            let hit_len_at = out.len();
            out.push(0);
            c.alg(out)?;
            let pk_len_at = out.len();
            out.extend_from_slice(&[0, 0]);
            let hl = c.hex_one("HIT", out)?;
            if hl == 0 || hl > 255 {
                return Err(c.err_last("bad HIT length".into()));
            }
            out[hit_len_at] = hl as u8;
            let t = c.next("public key")?;
            let pk = BASE64
                .decode(t)
                .or_else(|_| BASE64_NOPAD.decode(t))
                .map_err(|_| c.err_last("public key is not valid base64".into()))?;
            if pk.len() > 65535 {
                return Err(c.err_last("public key too long".into()));
            }
            out[pk_len_at..pk_len_at + 2].copy_from_slice(&(pk.len() as u16).to_be_bytes());
            out.extend_from_slice(&pk);
            while !c.at_end() {
                c.name("rendezvous server", out)?;
            }
            Ok(())
        }
        45 => {
            c.u8("precedence", out)?;
            let gt = c.u8("gateway type", out)?;
            c.alg(out)?;
            gateway(c, gt, out)?;
            c.base64_rest("public key", false, out)
        }
        260 => {
            c.u8("precedence", out)?;
            let d = c.uint("discovery optional bit", 1)? as u8;
            let rt = c.uint("relay type", 127)? as u8;
            out.push(d << 7 | rt);
            gateway(c, rt, out)
        }
        42 => apl(c, out),
        108 | 109 => {
            let n = if c.rtype == 108 { 6 } else { 8 };
            let t = c.next("address")?;
            let ok = t.len() == n * 3 - 1
                && t.chunks(3).all(|ch| {
                    ch.len() >= 2 && ch[0].is_ascii_hexdigit() && ch[1].is_ascii_hexdigit() && (ch.len() == 2 || ch[2] == b'-')
                });
            if !ok {
                return Err(c.err_last(format!("bad address '{}'", show(t))));
            }
            for ch in t.chunks(3) {
                out.push((hexval(ch[0]) << 4) | hexval(ch[1]));
            }
            Ok(())
        }
        62 => {
            c.u32("SOA serial", out)?;
            c.u16("flags", out)?;
            c.bitmap_rest(out)
        }
        64 | 65 => svcb(c, out),
        66 => {
            c.rrtype("RRtype", out)?;
            c.u8("scheme", out)?;
            c.u16("port", out)?;
            c.name("target", out)
        }
        11 => wks(c, out),
        19 => c.string("PSDN address", out),
        20 => {
            c.string("ISDN address", out)?;
            if !c.at_end() {
                c.string("subaddress", out)?;
            }
            Ok(())
        }
        22 => {
            let t = c.next("NSAP address")?;
            let ok = t.len() > 2 && t[..2].eq_ignore_ascii_case(b"0x");
            let body: Vec<u8> = if ok { t[2..].iter().copied().filter(|&b| b != b'.').collect() } else { Vec::new() };
            let dec = HEXUPPER_PERMISSIVE.decode(&body).ok().filter(|d| ok && !d.is_empty());
            match dec {
                Some(d) => {
                    out.extend_from_slice(&d);
                    Ok(())
                }
                None => Err(c.err_last(format!("bad NSAP address '{}'", show(t)))),
            }
        }
        27 => {
            for what in ["longitude", "latitude", "altitude"] {
                let t = c.next(what)?;
                let s = std::str::from_utf8(t).ok().filter(|s| s.parse::<f64>().is_ok());
                if s.is_none() {
                    return Err(c.err_last(format!("bad {what} '{}'", show(t))));
                }
                if t.len() > 255 {
                    return Err(c.err_last(format!("{what} too long")));
                }
                out.push(t.len() as u8);
                out.extend_from_slice(t);
            }
            Ok(())
        }
        104 | 106 => {
            c.u16("preference", out)?;
            let t = c.next("locator")?;
            let parts: Vec<&[u8]> = t.split(|&b| b == b':').collect();
            if parts.len() != 4 || parts.iter().any(|p| p.len() != 4 || !p.iter().all(|b| b.is_ascii_hexdigit())) {
                return Err(c.err_last(format!("bad locator '{}'", show(t))));
            }
            for p in parts {
                out.push(hexval(p[0]) << 4 | hexval(p[1]));
                out.push(hexval(p[2]) << 4 | hexval(p[3]));
            }
            Ok(())
        }
        105 => {
            c.u16("preference", out)?;
            c.ipv4("locator", out)
        }
        107 => {
            c.u16("preference", out)?;
            c.name("FQDN", out)
        }
        10 => Err(c.err_at(0, "NULL RDATA can only be given in RFC 3597 \\# form".into())),
        _ => Err(unsupported(c)),
    }
}

fn hexval(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

fn cert_type(t: &[u8]) -> Option<u64> {
    const T: &[(u64, &str)] = &[
        (1, "PKIX"),
        (2, "SPKI"),
        (3, "PGP"),
        (4, "IPKIX"),
        (5, "ISPKI"),
        (6, "IPGP"),
        (7, "ACPKIX"),
        (8, "IACPKIX"),
        (253, "URI"),
        (254, "OID"),
    ];
    T.iter().find(|(_, m)| m.as_bytes().eq_ignore_ascii_case(t)).map(|&(n, _)| n)
}

fn salt(c: &mut Cur<'_>, out: &mut Vec<u8>) -> R<()> {
    let t = c.next("salt")?;
    if t == b"-" {
        out.push(0);
        return Ok(());
    }
    let dec = HEXUPPER_PERMISSIVE
        .decode(t)
        .map_err(|_| c.err_last(format!("salt '{}' is not valid hex", show(t))))?;
    if dec.len() > 255 {
        return Err(c.err_last("salt longer than 255 octets".into()));
    }
    out.push(dec.len() as u8);
    out.extend_from_slice(&dec);
    Ok(())
}

/// IPSECKEY / AMTRELAY gateway by type.
fn gateway(c: &mut Cur<'_>, gt: u8, out: &mut Vec<u8>) -> R<()> {
    match gt {
        0 => {
            let t = c.next("gateway")?;
            if t != b"." {
                return Err(c.err_last(format!("gateway type 0 needs gateway '.', not '{}'", show(t))));
            }
            Ok(())
        }
        1 => c.ipv4("gateway", out),
        2 => c.ipv6("gateway", out),
        3 => c.name("gateway", out),
        _ => Err(c.err_last(format!("unknown gateway type {gt}"))),
    }
}

fn apl(c: &mut Cur<'_>, out: &mut Vec<u8>) -> R<()> {
    while !c.at_end() {
        let t = c.next("address prefix")?;
        let bad = || format!("bad address prefix '{}'", show(t));
        let (neg, rest) = match t.first() {
            Some(b'!') => (true, &t[1..]),
            _ => (false, t),
        };
        let colon = rest.iter().position(|&b| b == b':').ok_or_else(|| c.err_last(bad()))?;
        let slash = rest.iter().rposition(|&b| b == b'/').ok_or_else(|| c.err_last(bad()))?;
        if slash < colon {
            return Err(c.err_last(bad()));
        }
        let afi = parse_uint(&rest[..colon], 65535).ok_or_else(|| c.err_last(bad()))? as u16;
        let addr = &rest[colon + 1..slash];
        let prefix = parse_uint(&rest[slash + 1..], 255).ok_or_else(|| c.err_last(bad()))? as u8;
        let bytes: Vec<u8> = match afi {
            1 if prefix <= 32 => parse_ipv4(addr).ok_or_else(|| c.err_last(bad()))?.to_vec(),
            2 if prefix <= 128 => parse_ipv6(addr).ok_or_else(|| c.err_last(bad()))?.to_vec(),
            _ => return Err(c.err_last(bad())),
        };
        let mut l = bytes.len();
        while l > 0 && bytes[l - 1] == 0 {
            l -= 1;
        }
        out.extend_from_slice(&afi.to_be_bytes());
        out.push(prefix);
        out.push(if neg { 0x80 } else { 0 } | l as u8);
        out.extend_from_slice(&bytes[..l]);
    }
    Ok(())
}

fn wks(c: &mut Cur<'_>, out: &mut Vec<u8>) -> R<()> {
    c.ipv4("address", out)?;
    let t = c.next("protocol")?;
    let proto = if t.eq_ignore_ascii_case(b"tcp") {
        6
    } else if t.eq_ignore_ascii_case(b"udp") {
        17
    } else {
        parse_uint(t, 255).ok_or_else(|| c.err_last(format!("bad protocol '{}'", show(t))))? as u8
    };
    out.push(proto);
    let mut bits: Vec<u8> = Vec::new();
    while !c.at_end() {
        let t = c.next("service")?;
        const SVC: &[(u16, &str)] = &[
            (21, "ftp"),
            (22, "ssh"),
            (23, "telnet"),
            (25, "smtp"),
            (53, "domain"),
            (80, "http"),
            (110, "pop3"),
            (143, "imap"),
            (443, "https"),
        ];
        let p = parse_uint(t, 65535)
            .map(|v| v as u16)
            .or_else(|| SVC.iter().find(|(_, m)| m.as_bytes().eq_ignore_ascii_case(t)).map(|&(n, _)| n))
            .ok_or_else(|| c.err_last(format!("bad service '{}'", show(t))))? as usize;
        if bits.len() <= p / 8 {
            bits.resize(p / 8 + 1, 0);
        }
        bits[p / 8] |= 0x80 >> (p % 8);
    }
    out.extend_from_slice(&bits);
    Ok(())
}

/// Parses an unsigned decimal with at most `frac` fraction digits, scaled
/// by 10^frac. Returns (negative, value).
fn decimal(t: &[u8], frac: u32, allow_neg: bool) -> Option<(bool, u64)> {
    let (neg, t) = match t.first() {
        Some(b'-') if allow_neg => (true, &t[1..]),
        _ => (false, t),
    };
    let (ip, fp) = match t.iter().position(|&b| b == b'.') {
        Some(p) => (&t[..p], &t[p + 1..]),
        None => (t, &t[t.len()..]),
    };
    if ip.is_empty() || fp.len() > frac as usize || ip.len() > 12 {
        return None;
    }
    if !ip.iter().chain(fp.iter()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut v: u64 = 0;
    for &b in ip {
        v = v * 10 + (b - b'0') as u64;
    }
    for k in 0..frac as usize {
        v = v * 10 + fp.get(k).map(|&b| (b - b'0') as u64).unwrap_or(0);
    }
    Some((neg, v))
}

/// RFC 1876 size/precision encoding of centimetres.
fn loc_prec(cm: u64) -> Option<u8> {
    let mut e = 0u8;
    let mut v = cm;
    while v >= 10 {
        if v % 10 != 0 && e >= 9 {
            return None;
        }
        v /= 10;
        e += 1;
    }
    if e > 9 {
        return None;
    }
    Some((v as u8) << 4 | e)
}

fn loc(c: &mut Cur<'_>, out: &mut Vec<u8>) -> R<()> {
    // latitude / longitude: d [m [s]] H
    let coord = |c: &mut Cur<'_>, maxdeg: u64, pos: u8, neg: u8, what: &str| -> R<u32> {
        let t = c.next(what)?;
        let deg = parse_uint(t, maxdeg).ok_or_else(|| c.err_last(format!("bad {what} degrees '{}'", show(t))))?;
        let mut min = 0u64;
        let mut ms = 0u64;
        let mut t = c.next(what)?;
        if t.first().is_some_and(|b| b.is_ascii_digit()) {
            min = parse_uint(t, 59).ok_or_else(|| c.err_last(format!("bad {what} minutes '{}'", show(t))))?;
            t = c.next(what)?;
            if t.first().is_some_and(|b| b.is_ascii_digit()) {
                ms = decimal(t, 3, false)
                    .map(|x| x.1)
                    .filter(|&v| v < 60000)
                    .ok_or_else(|| c.err_last(format!("bad {what} seconds '{}'", show(t))))?;
                t = c.next(what)?;
            }
        }
        let h = t.first().map(|b| b.to_ascii_uppercase());
        let v = (deg * 3600 + min * 60) * 1000 + ms;
        if v > maxdeg * 3_600_000 {
            return Err(c.err_last(format!("{what} out of range")));
        }
        let base = 1u64 << 31;
        let r = if t.len() == 1 && h == Some(pos) {
            base + v
        } else if t.len() == 1 && h == Some(neg) {
            base - v
        } else {
            return Err(c.err_last(format!("bad {what} hemisphere '{}'", show(t))));
        };
        Ok(r as u32)
    };
    let lat = coord(c, 90, b'N', b'S', "latitude")?;
    let lon = coord(c, 180, b'E', b'W', "longitude")?;
    let strip_m = |t: &[u8]| -> Vec<u8> {
        let mut v = t.to_vec();
        if v.last().is_some_and(|&b| b == b'm' || b == b'M') {
            v.pop();
        }
        v
    };
    let t = c.next("altitude")?;
    let (neg, a) = decimal(&strip_m(t), 2, true).ok_or_else(|| c.err_last(format!("bad altitude '{}'", show(t))))?;
    let alt: i64 = if neg { 10_000_000 - a as i64 } else { 10_000_000 + a as i64 };
    if !(0..=u32::MAX as i64).contains(&alt) {
        return Err(c.err_last(format!("altitude '{}' out of range", show(t))));
    }
    let mut precs = [loc_prec(100).unwrap_or(0x12), 0x16, 0x13];
    for (k, what) in ["size", "horizontal precision", "vertical precision"].iter().enumerate() {
        if c.at_end() {
            break;
        }
        let t = c.next(what)?;
        let v = decimal(&strip_m(t), 2, false)
            .and_then(|(_, v)| loc_prec(v))
            .ok_or_else(|| c.err_last(format!("bad {what} '{}'", show(t))))?;
        precs[k] = v;
    }
    out.push(0);
    out.extend_from_slice(&precs);
    out.extend_from_slice(&lat.to_be_bytes());
    out.extend_from_slice(&lon.to_be_bytes());
    out.extend_from_slice(&(alt as u32).to_be_bytes());
    Ok(())
}

fn svc_key(k: &[u8]) -> Option<u16> {
    const KEYS: &[(u16, &str)] = &[
        (0, "mandatory"),
        (1, "alpn"),
        (2, "no-default-alpn"),
        (3, "port"),
        (4, "ipv4hint"),
        (5, "ech"),
        (6, "ipv6hint"),
        (7, "dohpath"),
        (8, "ohttp"),
    ];
    if let Some(&(n, _)) = KEYS.iter().find(|(_, m)| m.as_bytes() == k) {
        return Some(n);
    }
    if k.len() > 3 && &k[..3] == b"key" && k.len() <= 8 {
        return parse_uint(&k[3..], 65535).map(|v| v as u16);
    }
    None
}

/// Splits a value-list on unescaped commas, decoding escapes (RFC 9460 App. A.1).
fn split_list(v: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut items = vec![Vec::new()];
    let mut i = 0;
    while i < v.len() {
        match v[i] {
            b'\\' => {
                let (b, used) = name::parse_escape(&v[i + 1..])?;
                if let Some(l) = items.last_mut() {
                    l.push(b);
                }
                i += 1 + used;
            }
            b',' => {
                items.push(Vec::new());
                i += 1;
            }
            b => {
                if let Some(l) = items.last_mut() {
                    l.push(b);
                }
                i += 1;
            }
        }
    }
    Ok(items)
}

fn svcb(c: &mut Cur<'_>, out: &mut Vec<u8>) -> R<()> {
    let prio = c.u16("priority", out)?;
    c.name("target", out)?;
    let mut params: Vec<(u16, Vec<u8>)> = Vec::new();
    while !c.at_end() {
        let idx = c.i;
        let tok = c.toks[idx];
        let t = c.next("parameter")?;
        let (k, mut raw): (&[u8], Vec<u8>) = match t.iter().position(|&b| b == b'=') {
            Some(p) => (&t[..p], t[p + 1..].to_vec()),
            None => (t, Vec::new()),
        };
        let mut has_value = t.contains(&b'=');
        if has_value && raw.is_empty() {
            if let Some(nt) = c.toks.get(c.i) {
                if nt.quoted && nt.start == tok.end + 1 {
                    raw = c.text(c.i).to_vec();
                    c.i += 1;
                }
            }
        }
        if tok.quoted {
            return Err(c.err_at(idx, format!("bad SvcParam '{}'", show(t))));
        }
        let key = svc_key(k).ok_or_else(|| c.err_at(idx, format!("unknown SvcParamKey '{}'", show(k))))?;
        let bad = |c: &Cur<'_>, m: &str| c.err_at(idx, format!("bad {} value '{}': {m}", show(k), show(&raw)));
        let mut val = Vec::new();
        match key {
            0 => {
                for item in split_list(&raw).map_err(|e| bad(c, &e))? {
                    let v = svc_key(&item).ok_or_else(|| bad(c, "unknown key"))?;
                    val.extend_from_slice(&v.to_be_bytes());
                }
            }
            1 => {
                for item in split_list(&raw).map_err(|e| bad(c, &e))? {
                    if item.is_empty() || item.len() > 255 {
                        return Err(bad(c, "empty or too long ALPN id"));
                    }
                    val.push(item.len() as u8);
                    val.extend_from_slice(&item);
                }
            }
            2 => {
                if has_value && !raw.is_empty() {
                    return Err(bad(c, "takes no value"));
                }
                has_value = true;
            }
            3 => {
                let v = parse_uint(&raw, 65535).ok_or_else(|| bad(c, "not a port"))? as u16;
                val.extend_from_slice(&v.to_be_bytes());
            }
            4 => {
                for item in split_list(&raw).map_err(|e| bad(c, &e))? {
                    val.extend_from_slice(&parse_ipv4(&item).ok_or_else(|| bad(c, "not an IPv4 address"))?);
                }
            }
            6 => {
                for item in split_list(&raw).map_err(|e| bad(c, &e))? {
                    val.extend_from_slice(&parse_ipv6(&item).ok_or_else(|| bad(c, "not an IPv6 address"))?);
                }
            }
            5 => {
                val = BASE64.decode(&raw).map_err(|_| bad(c, "not base64"))?;
            }
            _ => {
                unescape_into(&raw, &mut val).map_err(|e| bad(c, &e))?;
            }
        }
        if !has_value && key != 2 && key != 8 {
            return Err(c.err_at(idx, format!("SvcParamKey '{}' needs a value", show(k))));
        }
        if val.len() > 65535 {
            return Err(bad(c, "too long"));
        }
        if params.iter().any(|(pk, _)| *pk == key) {
            return Err(c.err_at(idx, format!("duplicate SvcParamKey '{}'", show(k))));
        }
        params.push((key, val));
    }
    if prio == 0 && !params.is_empty() {
        return Err(c.err_at(2, "AliasMode (priority 0) takes no SvcParams".into()));
    }
    params.sort_by_key(|p| p.0);
    for (k, v) in params {
        out.extend_from_slice(&k.to_be_bytes());
        out.extend_from_slice(&(v.len() as u16).to_be_bytes());
        out.extend_from_slice(&v);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Wire-form validation (for RFC 3597 input of known types).

struct W<'a> {
    d: &'a [u8],
    p: usize,
}

impl<'a> W<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let s = self.d.get(self.p..self.p + n).ok_or("RDATA too short")?;
        self.p += n;
        Ok(s)
    }
    fn name(&mut self) -> Result<(), String> {
        let l = name::wire_len(&self.d[self.p..]).ok_or("bad domain name")?;
        self.p += l;
        Ok(())
    }
    fn string(&mut self) -> Result<(), String> {
        let l = *self.take(1)?.first().unwrap_or(&0) as usize;
        self.take(l)?;
        Ok(())
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?.first().copied().unwrap_or(0))
    }
    fn u16(&mut self) -> Result<u16, String> {
        let s = self.take(2)?;
        Ok(u16::from_be_bytes([s[0], s[1]]))
    }
    fn done(&self) -> bool {
        self.p >= self.d.len()
    }
    fn end(&self) -> Result<(), String> {
        if self.done() {
            Ok(())
        } else {
            Err("trailing octets".into())
        }
    }
    fn bitmap(&mut self) -> Result<(), String> {
        let mut last: Option<u8> = None;
        while !self.done() {
            let w = self.u8()?;
            let l = self.u8()?;
            if l == 0 || l > 32 {
                return Err("bad type bitmap block length".into());
            }
            if last.is_some_and(|x| w <= x) {
                return Err("type bitmap windows out of order".into());
            }
            last = Some(w);
            self.take(l as usize)?;
        }
        Ok(())
    }
}

/// Checks that wire RDATA is well formed for `rtype` (for types with domain
/// names and a few fixed layouts); other types accept anything.
pub fn validate_wire(rtype: u16, d: &[u8]) -> Result<(), String> {
    let mut w = W { d, p: 0 };
    match rtype {
        1 => {
            w.take(4)?;
        }
        28 => {
            w.take(16)?;
        }
        2 | 3 | 4 | 5 | 7 | 8 | 9 | 12 | 23 | 39 => w.name()?,
        6 => {
            w.name()?;
            w.name()?;
            w.take(20)?;
        }
        15 | 36 | 18 | 21 | 107 => {
            w.take(2)?;
            w.name()?;
        }
        26 => {
            w.take(2)?;
            w.name()?;
            w.name()?;
        }
        14 | 17 => {
            w.name()?;
            w.name()?;
        }
        33 => {
            w.take(6)?;
            w.name()?;
        }
        35 => {
            w.take(4)?;
            w.string()?;
            w.string()?;
            w.string()?;
            w.name()?;
        }
        16 | 99 | 13 => {
            let mut n = 0;
            while !w.done() {
                w.string()?;
                n += 1;
            }
            if n == 0 || (rtype == 13 && n != 2) {
                return Err("wrong number of character-strings".into());
            }
        }
        43 | 59 | 32768 | 32769 => {
            w.take(4)?;
            return Ok(());
        }
        48 | 60 | 25 => {
            w.take(4)?;
            return Ok(());
        }
        46 | 24 => {
            w.take(18)?;
            w.name()?;
            return Ok(());
        }
        47 => {
            w.name()?;
            w.bitmap()?;
        }
        50 => {
            w.take(4)?;
            w.string()?;
            let l = w.u8()?;
            if l == 0 {
                return Err("empty next hashed owner name".into());
            }
            w.take(l as usize)?;
            w.bitmap()?;
        }
        51 => {
            w.take(4)?;
            w.string()?;
        }
        63 => {
            w.take(6)?;
            return Ok(());
        }
        62 => {
            w.take(6)?;
            w.bitmap()?;
        }
        45 => {
            w.u8()?;
            let gt = w.u8()?;
            w.u8()?;
            match gt {
                0 => {}
                1 => {
                    w.take(4)?;
                }
                2 => {
                    w.take(16)?;
                }
                3 => w.name()?,
                _ => return Err("unknown gateway type".into()),
            }
            return Ok(());
        }
        55 => {
            let hl = w.u8()? as usize;
            w.u8()?;
            let pl = w.u16()? as usize;
            w.take(hl)?;
            w.take(pl)?;
            while !w.done() {
                w.name()?;
            }
        }
        64 | 65 => {
            w.take(2)?;
            w.name()?;
            while !w.done() {
                w.take(2)?;
                let l = w.u16()? as usize;
                w.take(l)?;
            }
        }
        66 => {
            w.take(5)?;
            w.name()?;
        }
        108 => {
            w.take(6)?;
        }
        109 => {
            w.take(8)?;
        }
        // NXT (RFC 2535 §5.2): next domain name, then its type bitmap.
        30 => {
            w.name()?;
            return Ok(());
        }
        // A6 (RFC 2874 §3.1.1): prefix length (0..=128), the address suffix
        // in the fewest octets that hold 128 - prefix length bits, and the
        // prefix name only when the prefix length is not zero.
        38 => {
            let plen = w.u8()?;
            if plen > 128 {
                return Err("A6 prefix length above 128".into());
            }
            w.take((128 - plen as usize).div_ceil(8))?;
            if plen > 0 {
                w.name()?;
            }
        }
        _ => return Ok(()),
    }
    w.end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::zonefile::{parse_zone, ParseOptions};

    /// RDATA wire form of a one-record zone line `@ 300 IN <rr>`.
    fn wire(rr: &str) -> Vec<u8> {
        try_wire(rr).unwrap_or_else(|e| panic!("{rr}: {e}"))
    }
    fn try_wire(rr: &str) -> Result<Vec<u8>, String> {
        let opts = ParseOptions { origin: Some(Name::from_text("example.", None).unwrap()), ..Default::default() };
        let text = format!("@ 300 IN {rr}\n");
        let z = parse_zone(text.as_bytes(), "t", &opts).map_err(|e| e.to_string())?;
        assert_eq!(z.records.len(), 1);
        Ok(z.records[0].rdata.clone())
    }
    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        HEXUPPER_PERMISSIVE.decode(s.as_bytes()).unwrap()
    }
    fn nw(s: &str) -> Vec<u8> {
        Name::from_text(s, None).unwrap().as_wire().to_vec()
    }

    /// RDATA that validate_wire accepts is well formed for canonical form
    /// too (fuzz target parse_rdata: `A6 \# 0` was accepted, then
    /// canonical_rdata called it malformed).
    #[test]
    fn validate_wire_a6_nxt() {
        assert!(validate_wire(38, &[]).is_err());
        assert!(validate_wire(38, &[129]).is_err());
        assert!(validate_wire(38, &[64, 0, 0, 0, 0, 0, 0, 0]).is_err()); // suffix one octet short
        assert!(validate_wire(38, &[0; 17]).is_ok());
        assert!(validate_wire(38, &[0; 18]).is_err()); // no name after prefix length 0
        assert!(validate_wire(38, &[128, 0]).is_ok()); // root prefix name
        assert!(validate_wire(38, &[128]).is_err());
        assert!(validate_wire(30, &[]).is_err());
        assert!(validate_wire(30, &[0, 0x40]).is_ok());
        // Both are read in the generic form only.
        for (rr, rtype) in [("A6 \\# 10 40 0000000000000001 00", 38), ("A6 \\# 2 80 00", 38), ("NXT \\# 3 00 4000", 30)] {
            let w = wire(rr);
            assert_eq!(validate_wire(rtype, &w), Ok(()), "{rr}");
            let mut out = Vec::new();
            assert!(crate::dns::canon::canonical_rdata(rtype, &w, &mut out), "{rr}");
        }
        assert!(try_wire("A6 \\# 0").is_err());
        assert!(try_wire("NXT \\# 1 01").is_err());
    }

    #[test]
    fn ttl_units() {
        assert_eq!(parse_ttl(b"3600"), Some(3600));
        assert_eq!(parse_ttl(b"1h30m"), Some(5400));
        assert_eq!(parse_ttl(b"2d"), Some(172800));
        assert_eq!(parse_ttl(b"1W"), Some(604800));
        assert_eq!(parse_ttl(b"1h5"), Some(3605));
        assert_eq!(parse_ttl(b"4294967295"), Some(u32::MAX));
        assert_eq!(parse_ttl(b"4294967296"), None);
        assert_eq!(parse_ttl(b"h"), None);
        assert_eq!(parse_ttl(b"1x"), None);
        assert_eq!(parse_ttl(b"1hh"), None);
    }

    #[test]
    fn addresses() {
        assert_eq!(wire("A 192.0.2.1"), vec![192, 0, 2, 1]);
        assert!(try_wire("A 1.2.3").unwrap_err().contains("bad IPv4 address '1.2.3'"));
        assert!(try_wire("A 1.2.3.256").is_err());
        assert_eq!(wire("AAAA ::"), vec![0; 16]);
        assert_eq!(wire("AAAA ::1")[15], 1);
        assert_eq!(wire("AAAA 2001:db8::1"), hex("20010db8000000000000000000000001"));
        assert_eq!(wire("AAAA ::ffff:192.0.2.1"), hex("00000000000000000000ffffc0000201"));
        assert_eq!(wire("AAAA 1:2:3:4:5:6:7:8"), hex("00010002000300040005000600070008"));
        assert!(try_wire("AAAA 1::2::3").is_err());
        assert_eq!(wire("EUI48 00-00-5e-00-53-2a"), hex("00005e00532a"));
        assert_eq!(wire("EUI64 00-00-5e-ef-10-00-00-2a"), hex("00005eef1000002a"));
        assert!(try_wire("EUI48 00-00-5e-00-53").is_err());
        assert_eq!(wire("L32 10 10.1.2.0"), hex("000a0a010200"));
        assert_eq!(wire("L64 10 2001:0DB8:1140:1000"), hex("000a20010db811401000"));
        assert_eq!(wire("NID 10 0014:4fff:ff20:ee64"), hex("000a00144fffff20ee64"));
    }

    #[test]
    fn names_types() {
        assert_eq!(wire("NS ns1"), nw("ns1.example."));
        assert_eq!(wire("CNAME Host.Example.COM."), nw("Host.Example.COM."));
        assert_eq!(wire("DNAME ."), vec![0]);
        assert_eq!(wire("PTR @"), nw("example."));
        for t in ["MB", "MG", "MR", "MD", "MF", "NSAP-PTR"] {
            assert_eq!(wire(&format!("{t} a.b.")), nw("a.b."));
        }
        let mut mx = vec![0, 10];
        mx.extend(nw("mail.example."));
        assert_eq!(wire("MX 10 mail"), mx);
        assert_eq!(wire("KX 10 mail"), mx);
        assert_eq!(wire("RT 10 mail"), mx);
        assert_eq!(wire("AFSDB 10 mail"), mx);
        assert!(try_wire("MX 10").unwrap_err().contains("MX: missing exchange"));
        assert!(try_wire("MX 10 a. b.").unwrap_err().contains("trailing data 'b.'"));
        assert!(try_wire("MX 70000 a.").unwrap_err().contains("bad preference '70000'"));
        let mut px = vec![0, 10];
        px.extend(nw("a.")); px.extend(nw("b."));
        assert_eq!(wire("PX 10 a. b."), px);
        let mut rp = nw("a.");
        rp.extend(nw("b."));
        assert_eq!(wire("RP a. b."), rp);
        assert_eq!(wire("MINFO a. b."), rp);
        let mut srv = hex("0001 0002 0003");
        srv.extend(nw("t.example."));
        assert_eq!(wire("SRV 1 2 3 t"), srv);
        let mut naptr = hex("0064 000a 0155 07 4532552b736970");
        naptr.push(0);
        naptr.extend(nw("."));
        assert_eq!(wire("NAPTR 100 10 \"U\" \"E2U+sip\" \"\" ."), naptr);
        let mut soa = nw("ns.example.");
        soa.extend(nw("h\\.m.example."));
        soa.extend(hex("00000001 00000e10 00000384 00093a80 00000e10"));
        assert_eq!(wire("SOA ns h\\.m 1 1h 15m 1w 3600"), soa);
        assert_eq!(wire("DSYNC CDS 1 5359 t."), hex("003b 01 14ef 0174 00"));
        assert_eq!(wire("LP 10 l."), hex("000a 016c00"));
    }

    #[test]
    fn strings() {
        assert_eq!(wire("TXT \"hello world\" x"), b"\x0bhello world\x01x".to_vec());
        assert_eq!(wire("TXT \"a\\\"b\" \\065\\;"), b"\x03a\"b\x02A;".to_vec());
        assert_eq!(wire("TXT \"\""), vec![0]);
        assert_eq!(wire("SPF \"v=spf1 -all\""), b"\x0bv=spf1 -all".to_vec());
        let long = "a".repeat(256);
        assert!(try_wire(&format!("TXT {long}")).unwrap_err().contains("longer than 255"));
        assert!(try_wire(&format!("TXT {}", &long[..255])).is_ok());
        assert!(try_wire("TXT").unwrap_err().contains("missing"));
        assert_eq!(wire("HINFO \"INTEL-386\" Unix"), b"\x09INTEL-386\x04Unix".to_vec());
        assert_eq!(wire("X25 311061700956"), b"\x0c311061700956".to_vec());
        assert_eq!(wire("ISDN 150862028003217 004"), b"\x0f150862028003217\x03004".to_vec());
        assert_eq!(wire("ISDN 1"), b"\x011".to_vec());
        assert_eq!(wire("GPOS -32.6882 116.8652 10.0"), b"\x08-32.6882\x08116.8652\x0410.0".to_vec());
        assert_eq!(wire("NSAP 0x47.0005.80.005a00"), hex("47000580005a00"));
        assert_eq!(wire("CAA 0 issue \"ca.example.net\""), b"\x00\x05issueca.example.net".to_vec());
        assert_eq!(wire("URI 10 1 \"ftp://ftp1.example.com/public\""), {
            let mut v = hex("000a0001");
            v.extend(b"ftp://ftp1.example.com/public");
            v
        });
    }

    /// RFC 4034 §2.3, §3.3, §4.3 and §5.4 examples.
    #[test]
    fn dnssec_rfc4034_examples() {
        let k = wire(
            "DNSKEY 256 3 5 ( AQPSKmynfzW4kyBv015MUG2DeIQ3\n Cbl+BBZH4b/0PY1kxkmvHjcZc8no\n kfzj31GajIQKY+5CptLr3buXA10h\n WqTkF7H6RfoRqXQeogmMHfpftf6z\n Mv1LyBUgia7za6ZEzOJBOztyvhjL\n 742iU/TpPSEDhm2SNKLijfUppn1U\n aNvv4w==  )",
        );
        assert_eq!(&k[..4], &[0x01, 0x00, 0x03, 0x05]);
        assert_eq!(k.len(), 4 + 130);
        let ds = wire("DS 60485 5 1 ( 2BB183AF5F22588179A53B0A\n 98631FAD1A292118 )");
        assert_eq!(ds, hex("ec45 05 01 2bb183af5f22588179a53b0a98631fad1a292118"));
        let sig = wire(
            "RRSIG A 5 3 86400 20030322173103 ( 20030220173103 2642 example.\n oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTr\n PYGv07h108dUKGMeDPKijVCHX3DDKdfb+v6o\n B9wfuh3DTJXUAfI/M0zmO/zz8bW0Rznl8O3t\n GNazPwQKkRN20XPXV6nwwfoXmJQbsLNrLfkG\n J5D6fwFm8nN+6pBzeDQfsS3Ap3o= )",
        );
        let mut exp = hex("0001 05 03 00015180 3e7c9dd7 3e5510d7 0a52");
        exp.extend(nw("example."));
        assert_eq!(&sig[..exp.len()], &exp[..]);
        assert_eq!(sig.len(), exp.len() + 128);
        // type covered as TYPEnnn and algorithm as mnemonic
        assert_eq!(wire("RRSIG TYPE1 RSASHA1 3 86400 20030322173103 20030220173103 2642 example. AAAA"), {
            let mut v = exp.clone();
            v.extend([0, 0, 0]);
            v
        });
        assert!(try_wire("RRSIG A 5 3 86400 20030322173103 20030220173103 2642 example. ***")
            .unwrap_err()
            .contains("RRSIG: signature is not valid base64"));
        assert!(try_wire("RRSIG A 5 3 86400 20031322173103 20030220173103 2642 example. AAAA").is_err());
        assert!(try_wire("RRSIG FOO 5 3 86400 20030322173103 20030220173103 2642 example. AAAA").is_err());
        // §4.3 NSEC
        let nsec = wire("NSEC host.example.com. ( A MX RRSIG NSEC TYPE1234 )");
        let mut exp = nw("host.example.com.");
        exp.extend(hex("00 06 40 01 00 00 00 03 04 1b"));
        exp.extend([0u8; 26]);
        exp.push(0x20);
        assert_eq!(nsec, exp);
        assert_eq!(wire("NSEC a. "), nw("a."));
        assert_eq!(wire("CSYNC 66 3 A NS AAAA"), hex("00000042 0003 0004 60000008"));
    }

    #[test]
    fn dnssec_more() {
        assert_eq!(wire("CDS 0 0 0 00"), hex("0000 00 00 00"));
        assert_eq!(wire("CDNSKEY 0 3 0 AA=="), hex("0000 03 00 00"));
        assert_eq!(wire("CDNSKEY 0 3 0 0"), hex("0000 03 00"));
        assert_eq!(wire("DLV 1 8 2 ab CD"), hex("0001 08 02 abcd"));
        assert_eq!(wire("TA 1 RSASHA256 2 abcd"), hex("0001 08 02 abcd"));
        assert!(try_wire("DS 1 8 2").unwrap_err().contains("missing digest"));
        assert!(try_wire("DS 1 8 2 abc").unwrap_err().contains("not valid hex"));
        assert_eq!(wire("KEY 256 3 5"), hex("0100 03 05"));
        // RFC 5155 App. A: NSEC3 and NSEC3PARAM
        let n3 = wire("NSEC3 1 1 12 aabbccdd ( 2t7b4g4vsa5smi47k61mv5bv1a22bojr MX DNSKEY NS SOA NSEC3PARAM RRSIG )");
        let mut exp = hex("01 01 000c 04 aabbccdd 14");
        exp.extend(BASE32HEX_NOPAD.decode(b"2T7B4G4VSA5SMI47K61MV5BV1A22BOJR").unwrap());
        exp.extend(hex("00 07 22 01 00 00 00 02 90"));
        assert_eq!(n3, exp);
        assert_eq!(wire("NSEC3PARAM 1 0 12 aabbccdd"), hex("01 00 000c 04 aabbccdd"));
        assert_eq!(wire("NSEC3PARAM 1 0 0 -"), hex("01 00 0000 00"));
        assert!(try_wire("NSEC3 1 1 12 - 2t7b4g4vsa5smi47k61mv5bv1a22boj= A").is_err());
        assert_eq!(wire("NSEC3 1 1 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR")[5], 20);
        // RFC 8976 App A.1 ZONEMD
        assert_eq!(wire("ZONEMD 2018031900 1 1 ( c68090d90a7aed71 ae0000aa )"), hex("7848b91c 01 01 c68090d90a7aed71ae0000aa"));
        assert_eq!(wire("SSHFP 2 1 123456789abcdef67890123456789abcdef67890"), hex("02 01 123456789abcdef67890123456789abcdef67890"));
        assert_eq!(wire("TLSA 3 1 1 ( 0102 03 )"), hex("03 01 01 010203"));
        assert_eq!(wire("SMIMEA 3 1 1 0102"), hex("03 01 01 0102"));
        assert_eq!(wire("CERT PGP 0 0 AAAA"), hex("0003 0000 00 000000"));
        assert_eq!(wire("CERT 3 0 RSASHA1 AAAA"), hex("0003 0000 05 000000"));
        assert_eq!(wire("DHCID ( AAIBY2/AuCccgoJbsaxcQc9TUapptP69l OjxfNuVAA2kjEA= )")[..3], hex("0002 01")[..]);
        assert_eq!(wire("OPENPGPKEY AAAA"), vec![0, 0, 0]);
    }

    #[test]
    fn ipseckey_hip_apl_wks_loc() {
        // RFC 4025 §3.3 examples
        assert_eq!(wire("IPSECKEY ( 10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ== )")[..7], hex("0a 01 02 c0000226")[..]);
        assert_eq!(wire("IPSECKEY ( 10 0 2 . AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ== )")[..3], hex("0a 00 02")[..]);
        assert_eq!(wire("IPSECKEY ( 10 0 0 . )"), hex("0a 00 00"));
        let mut g = hex("0a 03 02");
        g.extend(nw("mygateway.example.com."));
        g.extend([0, 0, 0]);
        assert_eq!(wire("IPSECKEY 10 3 2 mygateway.example.com. AAAA"), g);
        assert_eq!(wire("IPSECKEY 10 2 2 2001:0DB8:0:8002::2000:1 AAAA")[3..19], hex("20010db8000080020000000020000001")[..]);
        assert!(try_wire("IPSECKEY 10 0 0 x.").is_err());
        // RFC 8005 HIP
        let h = wire("HIP ( 2 200100107B1A74DF365639CC39F1D578 AwEAAbdxyhNuSutc5EMzxTs9LBPCIkOFH8cIvM4p9+LrV4e19WzK00+CI6zBCQTdtWsuxKbWIy87UOoJTwkUs7lBu+Upr1gsNrut79ryra+bSRGQb1slImA8YVJyuIDsj7kwzG7jnERNqnWxZ48AWkskmdHaVDP4BcelrTI3rMXdXF5D rvs.example.com. )");
        assert_eq!(&h[..4], &hex("10 02 0084")[..]);
        assert_eq!(&h[4..20], &hex("200100107B1A74DF365639CC39F1D578")[..]);
        assert_eq!(&h[20 + 0x84..], &nw("rvs.example.com.")[..]);
        // RFC 3123 APL
        assert_eq!(wire("APL 1:192.168.32.0/21 !1:192.168.38.0/28"), hex("0001 15 03 c0a820 0001 1c 83 c0a826"));
        assert_eq!(wire("APL 1:224.0.0.0/4 2:FF00:0:0:0:0:0:0:0/8"), hex("0001 04 01 e0 0002 08 01 ff"));
        assert_eq!(wire("APL"), Vec::<u8>::new());
        // WKS
        assert_eq!(wire("WKS 10.0.0.1 6 0 1 9"), hex("0a000001 06 c040"));
        assert_eq!(wire("WKS 10.0.0.1 tcp smtp"), hex("0a000001 06 00000040"));
        // RFC 1876 LOC: 42 21 54 N 71 06 18 W -24m 30m
        assert_eq!(wire("LOC 42 21 54 N 71 06 18 W -24m 30m"), hex("00 33 16 13 89172dd0 70be15f0 00988d20"));
        assert_eq!(wire("LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m")[..4], hex("00 00 16 13")[..]);
        assert_eq!(wire("LOC 55 40 15.258 N 12 41 56.378 E 9.57m 10m 10000m 10m")[..4], hex("00 13 16 13")[..]);
        assert_eq!(wire("LOC 42 N 71 W 0")[..4], hex("00 12 16 13")[..]);
        assert!(try_wire("LOC 91 N 71 W 0").is_err());
        assert!(try_wire("LOC 42 21 X 71 W 0").is_err());
    }

    #[test]
    fn svcb() {
        // RFC 9460 App. D.2 examples
        let mut e = hex("0001");
        e.extend(nw("foo.example.com."));
        e.extend(hex("0003 0002 0035"));
        assert_eq!(wire("SVCB 1 foo.example.com. port=53"), e);
        let mut e = hex("0001");
        e.extend(nw("foo.example.com."));
        e.extend(hex("0000 0004 0001 0004 0001 0009 02 6832 05 6833 2d3139 0004 0004 c0000201"));
        assert_eq!(wire("SVCB 1 foo.example.com. ipv4hint=192.0.2.1 mandatory=alpn,ipv4hint alpn=\"h2,h3-19\""), e);
        let mut e = hex("0000");
        e.extend(nw("foo.example.com."));
        assert_eq!(wire("HTTPS 0 foo.example.com."), e);
        let mut e = hex("0001");
        e.extend(nw("foo.example.com."));
        e.extend(hex("0006 0020 20010db8000000000000000000000001 20010db8000000000000ffff cb007101"));
        assert_eq!(wire("SVCB 1 foo.example.com. ipv6hint=2001:db8::1,2001:db8::ffff:203.0.113.1"), e);
        let mut e = hex("0001");
        e.extend(nw("foo.example.com."));
        e.extend(hex("029b 0005 68656c6c6f"));
        assert_eq!(wire("SVCB 1 foo.example.com. key667=hello"), e);
        assert!(try_wire("SVCB 1 foo. port=1 port=2").is_err());
        assert!(try_wire("SVCB 1 foo. bogus=1").is_err());
        let mut e = hex("0001");
        e.push(0);
        e.extend(hex("0002 0000"));
        assert_eq!(wire("HTTPS 1 . no-default-alpn"), e);
    }

    #[test]
    fn generic_forms() {
        assert_eq!(wire("TYPE65534 \\# 3 ( 01 0203 )"), vec![1, 2, 3]);
        assert_eq!(wire("TYPE65534 \\# 0"), Vec::<u8>::new());
        assert_eq!(wire("A \\# 4 C0000201"), vec![192, 0, 2, 1]);
        assert_eq!(wire("TYPE1 \\# 4 C0000201"), vec![192, 0, 2, 1]);
        assert_eq!(wire("NULL \\# 2 abcd"), vec![0xab, 0xcd]);
        assert!(try_wire("NULL abcd").unwrap_err().contains("\\# form"));
        let e = try_wire("TYPE65534 \\# 4 010203").unwrap_err();
        assert!(e.contains("length 4 does not match"), "{e}");
        assert!(try_wire("A \\# 3 010203").unwrap_err().contains("not valid"));
        // MX with a truncated name
        assert!(try_wire("MX \\# 5 000a036162").unwrap_err().contains("not valid"));
        assert_eq!(wire("MX \\# 3 000a00"), vec![0, 10, 0]);
        assert!(try_wire("SOA \\# 2 0000").is_err());
        assert!(try_wire("NSEC \\# 3 00 0000").is_err());
        assert!(try_wire("TYPE65534 01").unwrap_err().contains("not supported"));
        assert!(try_wire("A6 0 ::1").unwrap_err().contains("not supported"));
    }
}

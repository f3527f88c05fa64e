//! RFC 1035 §5 master-file parser.
//!
//! The tokenizer works directly on the input bytes: a token is a byte range
//! ([`Tok`]) into the source, gathered per entry (one logical line, with
//! parentheses joining physical lines) into a reused vector. Escapes are
//! decoded only where a field needs them. `$INCLUDE` uses an explicit stack
//! of open files, never recursion.

use crate::error::CoreError;
use crate::dns::name::Name;
use crate::parse::{compressed, generate, rdata};
use crate::parse::rdata::{show, Tok};
use crate::dns::record::Record;
use crate::dns::rrtype;
use crate::progress::Progress;
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// How deep `$INCLUDE` may nest.
pub const MAX_INCLUDE_DEPTH: usize = 20;

/// How to read a zone file.
#[derive(Clone, Debug)]
pub struct ParseOptions {
    /// Origin in force at the start of the file (`$ORIGIN` may change it).
    pub origin: Option<Name>,
    /// TTL for records that state none, until a `$TTL` directive.
    pub default_ttl: Option<u32>,
    /// Whether `$INCLUDE` is honoured (off by default: it reads other files).
    pub allow_include: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions { origin: None, default_ttl: None, allow_include: false }
    }
}

/// The records of a zone file in file order.
#[derive(Debug, Default, PartialEq)]
pub struct ParsedZone {
    pub records: Vec<Record>,
    /// Source file names; `Record::file` indexes this (0 = the top file).
    pub files: Vec<String>,
    /// `ParseOptions::origin`, else the origin set by a `$ORIGIN` that
    /// precedes the first record, else `None`.
    pub origin: Option<Name>,
}

/// (line, column, reason) of a lexical or syntax error in the current file.
type LexErr = (u32, u32, String);

/// Octets that end an unquoted token (1), the escape (2), others (0).
static TOKEN_END: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b' ' as usize] = 1;
    t[b'\t' as usize] = 1;
    t[b'\r' as usize] = 1;
    t[b'\n' as usize] = 1;
    t[b';' as usize] = 1;
    t[b'(' as usize] = 1;
    t[b')' as usize] = 1;
    t[b'"' as usize] = 1;
    t[b'\\' as usize] = 2;
    t
};

/// Tokenizer over one file's bytes.
struct Lexer<'a> {
    src: Cow<'a, [u8]>,
    pos: usize,
    line: u32,
    line_start: usize,
}

impl<'a> Lexer<'a> {
    fn new(src: Cow<'a, [u8]>) -> Self {
        Lexer { src, pos: 0, line: 1, line_start: 0 }
    }

    /// A lexer over a slice whose first line is line `line` of its file.
    fn at_line(src: &'a [u8], line: u32) -> Self {
        Lexer { src: Cow::Borrowed(src), pos: 0, line, line_start: 0 }
    }

    fn col(&self, pos: usize) -> u32 {
        (pos.saturating_sub(self.line_start) + 1).min(u32::MAX as usize) as u32
    }

    /// Reads the next non-empty entry into `toks` (cleared first). Returns
    /// whether its first physical line began with a blank (owner omitted),
    /// or `None` at end of input.
    fn next_entry(&mut self, toks: &mut Vec<Tok>) -> Result<Option<bool>, LexErr> {
        toks.clear();
        let src: &[u8] = &self.src;
        let len = src.len();
        let mut depth: u32 = 0;
        let mut paren_at = (0u32, 0u32);
        let mut leading_ws = matches!(src.get(self.pos), Some(b' ' | b'\t'));
        loop {
            let Some(&c) = src.get(self.pos) else {
                if depth > 0 {
                    return Err((paren_at.0, paren_at.1, "unbalanced '(': not closed before end of file".into()));
                }
                return Ok(if toks.is_empty() { None } else { Some(leading_ws) });
            };
            match c {
                b'\n' => {
                    self.pos += 1;
                    self.line = self.line.saturating_add(1);
                    self.line_start = self.pos;
                    if depth == 0 {
                        if !toks.is_empty() {
                            return Ok(Some(leading_ws));
                        }
                        leading_ws = matches!(src.get(self.pos), Some(b' ' | b'\t'));
                    }
                }
                b' ' | b'\t' | b'\r' => {
                    self.pos += 1;
                    while matches!(src.get(self.pos), Some(b' ' | b'\t' | b'\r')) {
                        self.pos += 1;
                    }
                }
                b';' => {
                    match src[self.pos..].iter().position(|&b| b == b'\n') {
                        Some(p) => self.pos += p,
                        None => self.pos = len,
                    };
                }
                b'(' => {
                    if depth == 0 {
                        paren_at = (self.line, self.col(self.pos));
                    }
                    depth += 1;
                    self.pos += 1;
                }
                b')' => {
                    if depth == 0 {
                        return Err((self.line, self.col(self.pos), "unbalanced ')'".into()));
                    }
                    depth -= 1;
                    self.pos += 1;
                }
                b'"' => {
                    let open = (self.line, self.col(self.pos));
                    let start = self.pos + 1;
                    let mut i = start;
                    loop {
                        match src.get(i) {
                            None | Some(b'\n') => {
                                return Err((open.0, open.1, "unterminated quoted string".into()));
                            }
                            Some(b'\\') => {
                                // An escaped newline still ends the string's line.
                                if src.get(i + 1) == Some(&b'\n') {
                                    return Err((open.0, open.1, "unterminated quoted string".into()));
                                }
                                i += 2;
                            }
                            Some(b'"') => break,
                            Some(_) => i += 1,
                        }
                    }
                    toks.push(Tok { start, end: i, line: open.0, col: open.1, quoted: true });
                    self.pos = i + 1;
                }
                _ => {
                    let start = self.pos;
                    let mut i = start;
                    loop {
                        // Ordinary octets in a tight loop (most of a zone file).
                        while i < len && TOKEN_END[src[i] as usize] == 0 {
                            i += 1;
                        }
                        if i < len && src[i] == b'\\' {
                            i += if matches!(src.get(i + 1), None | Some(b'\n')) { 1 } else { 2 };
                            continue;
                        }
                        break;
                    }
                    let i = i.min(len);
                    toks.push(Tok { start, end: i, line: self.line, col: self.col(start), quoted: false });
                    self.pos = i;
                }
            }
        }
    }
}

/// One open file on the include stack.
struct Frame<'a> {
    lex: Lexer<'a>,
    file_idx: u32,
    name: String,
    /// Canonical path (for loop detection), when known.
    path: Option<PathBuf>,
    /// Origin and owner of the including file, restored when this one ends.
    saved_origin: Option<Name>,
    saved_owner: Option<Name>,
}

struct State<'o> {
    opts: &'o ParseOptions,
    origin: Option<Name>,
    zone_origin: Option<Name>,
    last_owner: Option<Name>,
    last_class: u16,
    dollar_ttl: Option<u32>,
    last_ttl: Option<u32>,
    records: Vec<Record>,
    files: Vec<String>,
    rdata_buf: Vec<u8>,
    /// Parallel parse (see [`parse_parallel`]): whether this state starts at
    /// the top of the file. A later chunk does not know the TTL and class
    /// in force before it until the chunks before it are parsed: records
    /// that inherit them are listed in `pending_ttl` / `pending_class` and
    /// filled in afterwards.
    first_chunk: bool,
    ttl_known: bool,
    class_known: bool,
    pending_ttl: Vec<u32>,
    pending_class: Vec<u32>,
    /// Set when a chunk meets something the chunked parse cannot settle
    /// alone (an SOA inheriting an unknown TTL, `$INCLUDE`): the caller
    /// then parses the whole file sequentially.
    give_up: bool,
    /// Records made by `$GENERATE` so far (bounded in all).
    generated: u64,
}

enum Action {
    None,
    Include { path: String, origin: Option<Name> },
}

fn lossy(t: &[u8]) -> String {
    show(t)
}

fn tok_text<'s>(src: &'s [u8], t: &Tok) -> &'s [u8] {
    src.get(t.start..t.end).unwrap_or(&[])
}

/// Position just after the last token (for "missing ..." errors).
fn end_pos(toks: &[Tok]) -> (u32, u32) {
    match toks.last() {
        Some(t) => {
            let w = (t.end - t.start) as u64 + if t.quoted { 2 } else { 0 };
            (t.line, (t.col as u64 + w).min(u32::MAX as u64) as u32)
        }
        None => (0, 0),
    }
}

impl<'o> State<'o> {
    /// The state at the start of a file (`Inherit::FileStart`) or of a
    /// chunk of one, with `$ORIGIN` and `$TTL` as given; `text_len` sizes
    /// the record list. No source file is listed yet.
    fn new(opts: &'o ParseOptions, origin: Option<Name>, dollar_ttl: Option<u32>, inherit: Inherit, text_len: usize) -> State<'o> {
        let (last_ttl, last_class) = match inherit {
            Inherit::Known(t, c) => (t, c),
            Inherit::FileStart | Inherit::Unknown => (None, rrtype::CLASS_IN),
        };
        let known = !matches!(inherit, Inherit::Unknown);
        State {
            opts,
            origin,
            zone_origin: None,
            last_owner: None,
            last_class,
            dollar_ttl,
            last_ttl,
            records: Vec::with_capacity(text_len / 64),
            files: Vec::new(),
            rdata_buf: Vec::with_capacity(512),
            first_chunk: matches!(inherit, Inherit::FileStart),
            ttl_known: known,
            class_known: known,
            pending_ttl: Vec::new(),
            pending_class: Vec::new(),
            give_up: false,
            generated: 0,
        }
    }

    /// Handles one entry. Errors are (line, column, reason) in this file.
    fn entry(&mut self, src: &[u8], toks: &[Tok], leading_ws: bool, file_idx: u32) -> Result<Action, LexErr> {
        let Some(first) = toks.first() else { return Ok(Action::None) };
        let t0 = tok_text(src, first);
        if !leading_ws && !first.quoted && t0.first() == Some(&b'$') {
            return self.directive(src, toks, file_idx);
        }
        self.record(src, toks, leading_ws, file_idx)
    }

    /// One record entry (not a directive).
    fn record(&mut self, src: &[u8], toks: &[Tok], leading_ws: bool, file_idx: u32) -> Result<Action, LexErr> {
        let Some(first) = toks.first() else { return Ok(Action::None) };
        let err = |t: &Tok, msg: String| -> LexErr { (t.line, t.col, msg) };
        let t0 = tok_text(src, first);
        let mut i = 0;
        let owner = if leading_ws {
            match &self.last_owner {
                Some(o) => o.clone(),
                None => {
                    return Err(err(first, "no owner name: the first record starts with a blank and there is no previous owner".into()))
                }
            }
        } else {
            i = 1;
            let n = Name::from_text_bytes(t0, self.origin.as_ref())
                .map_err(|e| err(first, format!("bad owner name '{}': {e}", lossy(t0))))?;
            // Share the previous owner's octets when the name repeats exactly.
            match &self.last_owner {
                Some(o) if o.as_wire() == n.as_wire() => o.clone(),
                _ => n,
            }
        };
        let mut ttl: Option<u32> = None;
        let mut class: Option<u16> = None;
        let mut rtype: Option<u16> = None;
        while let Some(t) = toks.get(i) {
            let s = tok_text(src, t);
            if t.quoted {
                return Err(err(t, format!("expected an RR type, TTL or class, found quoted string \"{}\"", lossy(s))));
            }
            if class.is_none() && (s == b"IN" || s == b"in") {
                class = Some(rrtype::CLASS_IN);
                i += 1;
                continue;
            }
            if let Some(v) = rdata::type_from_text(s) {
                rtype = Some(v);
                i += 1;
                break;
            }
            if s.first().is_some_and(|b| b.is_ascii_digit()) {
                if ttl.is_some() {
                    return Err(err(t, format!("unknown RR type '{}'", lossy(s))));
                }
                ttl = Some(rdata::parse_ttl(s).ok_or_else(|| err(t, format!("bad TTL '{}'", lossy(s))))?);
                i += 1;
                continue;
            }
            if let Some(c) = std::str::from_utf8(s).ok().and_then(rrtype::class_from_mnemonic) {
                if class.is_some() {
                    return Err(err(t, format!("unknown RR type '{}' (class given twice)", lossy(s))));
                }
                if !matches!(c, 1 | 3 | 4) && !(s.len() > 5 && s[..5].eq_ignore_ascii_case(b"CLASS")) {
                    return Err(err(t, format!("class '{}' is not allowed in a zone file", lossy(s))));
                }
                class = Some(c);
                i += 1;
                continue;
            }
            return Err(err(t, format!("unknown RR type '{}'", lossy(s))));
        }
        let Some(rtype) = rtype else {
            let (l, c) = end_pos(toks);
            return Err((l, c, "missing RR type".into()));
        };
        let class = match class {
            Some(c) => {
                self.class_known = true;
                c
            }
            None => self.last_class,
        };
        let class_pending = !self.class_known;
        let rtoks = toks.get(i..).unwrap_or(&[]);
        self.rdata_buf.clear();
        if let Err(e) = rdata::parse_rdata(rtype, src, rtoks, self.origin.as_ref(), &mut self.rdata_buf) {
            let (l, c) = match rtoks.get(e.tok) {
                Some(t) => (t.line, t.col),
                None => end_pos(toks),
            };
            return Err((l, c, e.reason));
        }
        // RFC 1035 §3.2.1: RDLENGTH is 16 bits. Relative names grow by the
        // origin, so short text can make longer RDATA (HIP, many names).
        if self.rdata_buf.len() > 65535 {
            let (l, c) = rtoks.first().map_or_else(|| end_pos(toks), |t| (t.line, t.col));
            let n = self.rdata_buf.len();
            return Err((l, c, format!("{}: RDATA of {n} octets is longer than 65535 (RFC 1035 §3.2.1)", rrtype::to_mnemonic(rtype))));
        }
        let ttl = match ttl {
            Some(t) => {
                self.last_ttl = Some(t);
                self.ttl_known = true;
                t
            }
            None => match (self.dollar_ttl, self.last_ttl) {
                (Some(t), _) | (None, Some(t)) => t,
                (None, None) if !self.ttl_known => {
                    if rtype == rrtype::SOA {
                        self.give_up = true;
                        return Err(err(first, "SOA inherits a TTL from before its chunk".into()));
                    }
                    self.pending_ttl.push(self.records.len() as u32);
                    0
                }
                (None, None) => {
                    let b = &self.rdata_buf;
                    if rtype == rrtype::SOA && b.len() >= 20 {
                        let m = u32::from_be_bytes([b[b.len() - 4], b[b.len() - 3], b[b.len() - 2], b[b.len() - 1]]);
                        self.last_ttl = Some(m);
                        m
                    } else {
                        return Err(err(first, "no TTL specified and no $TTL".into()));
                    }
                }
            },
        };
        self.last_class = class;
        self.last_owner = Some(owner.clone());
        if class_pending {
            self.pending_class.push(self.records.len() as u32);
        }
        self.records.push(Record {
            owner,
            rtype,
            class,
            ttl,
            rdata: self.rdata_buf.clone(),
            line: first.line,
            file: file_idx,
        });
        Ok(Action::None)
    }

    fn directive(&mut self, src: &[u8], toks: &[Tok], file_idx: u32) -> Result<Action, LexErr> {
        let first = &toks[0];
        let d = tok_text(src, first);
        let err = |t: &Tok, msg: String| -> LexErr { (t.line, t.col, msg) };
        let arg = |k: usize, what: &str| -> Result<&[u8], LexErr> {
            match toks.get(k) {
                Some(t) => Ok(tok_text(src, t)),
                None => {
                    let (l, c) = end_pos(toks);
                    Err((l, c, format!("{} needs {what}", lossy(d))))
                }
            }
        };
        let trailing = |k: usize| -> Result<(), LexErr> {
            match toks.get(k) {
                Some(t) => Err(err(t, format!("trailing data '{}' after {}", lossy(tok_text(src, t)), lossy(d)))),
                None => Ok(()),
            }
        };
        if d.eq_ignore_ascii_case(b"$ORIGIN") {
            let a = arg(1, "a domain name")?;
            let n = Name::from_text_bytes(a, self.origin.as_ref())
                .map_err(|e| err(&toks[1], format!("bad $ORIGIN '{}': {e}", lossy(a))))?;
            trailing(2)?;
            if self.records.is_empty() && self.first_chunk {
                self.zone_origin = Some(n.clone());
            }
            self.origin = Some(n);
            Ok(Action::None)
        } else if d.eq_ignore_ascii_case(b"$TTL") {
            let a = arg(1, "a TTL")?;
            let v = rdata::parse_ttl(a).ok_or_else(|| err(&toks[1], format!("bad $TTL '{}'", lossy(a))))?;
            trailing(2)?;
            self.dollar_ttl = Some(v);
            Ok(Action::None)
        } else if d.eq_ignore_ascii_case(b"$INCLUDE") {
            if !self.opts.allow_include {
                return Err(err(first, "$INCLUDE is disabled (allow_include=False)".into()));
            }
            let a = arg(1, "a file name")?;
            let path = String::from_utf8_lossy(a).into_owned();
            let origin = match toks.get(2) {
                Some(t) => {
                    let o = tok_text(src, t);
                    Some(
                        Name::from_text_bytes(o, self.origin.as_ref())
                            .map_err(|e| err(t, format!("bad $INCLUDE origin '{}': {e}", lossy(o))))?,
                    )
                }
                None => None,
            };
            trailing(3)?;
            Ok(Action::Include { path, origin })
        } else if d.eq_ignore_ascii_case(b"$GENERATE") {
            self.generate(src, toks, file_idx)
        } else {
            Err(err(first, format!("unknown directive '{}'", lossy(d))))
        }
    }

    /// `$GENERATE range lhs [ttl] [class] type rhs` (see `parse::generate`):
    /// each value's line expanded, lexed and read as a record entry, with
    /// the directive's line. The records do not become the previous owner,
    /// TTL or class of the entries after (as in BIND).
    fn generate(&mut self, src: &[u8], toks: &[Tok], file_idx: u32) -> Result<Action, LexErr> {
        let first = &toks[0];
        let err = |t: &Tok, msg: String| -> LexErr { (t.line, t.col, msg) };
        let need = |k: usize, what: &str| -> Result<&Tok, LexErr> {
            toks.get(k).ok_or_else(|| {
                let (l, c) = end_pos(toks);
                (l, c, format!("$GENERATE needs {what}: $GENERATE START-STOP[/STEP] LHS [TTL] [CLASS] TYPE RHS"))
            })
        };
        let rt = need(1, "a range")?;
        let range = generate::Range::parse(tok_text(src, rt)).map_err(|e| err(rt, format!("$GENERATE: {e}")))?;
        let lt = need(2, "a left-hand side (the owner)")?;
        if lt.quoted {
            return Err(err(lt, "$GENERATE: the left-hand side (the owner) must not be quoted".into()));
        }
        let lhs = generate::Template::parse(tok_text(src, lt)).map_err(|e| err(lt, format!("$GENERATE: {e}")))?;
        // TTL and class, in either order, then the type: copied as given.
        let mut k = 3;
        let mut middle: Vec<&[u8]> = Vec::new();
        loop {
            let t = need(k, "an RR type")?;
            let s = tok_text(src, t);
            if t.quoted {
                return Err(err(t, format!("$GENERATE: expected a TTL, class or RR type, found quoted string \"{}\"", lossy(s))));
            }
            middle.push(s);
            k += 1;
            if rdata::type_from_text(s).is_some() {
                break;
            }
            let ttl = s.first().is_some_and(|b| b.is_ascii_digit());
            let class = std::str::from_utf8(s).ok().and_then(rrtype::class_from_mnemonic).is_some();
            if !(ttl || class) || middle.len() > 2 {
                return Err(err(t, format!("$GENERATE: unknown RR type '{}'", lossy(s))));
            }
        }
        let ht = need(k, "a right-hand side (the RDATA)")?;
        let rhs = generate::Template::parse(tok_text(src, ht)).map_err(|e| err(ht, format!("$GENERATE: {e}")))?;
        if let Some(t) = toks.get(k + 1) {
            return Err(err(t, format!("$GENERATE: trailing data '{}' after the right-hand side (quote an RDATA of several fields)", lossy(tok_text(src, t)))));
        }
        let n = range.count();
        if n > generate::MAX_RECORDS {
            return Err(err(rt, format!("$GENERATE: the range makes {n} records, more than the limit of {}", generate::MAX_RECORDS)));
        }
        self.generated += n;
        if self.generated > generate::MAX_TOTAL_RECORDS {
            return Err(err(rt, format!("$GENERATE: more than {} records generated in all", generate::MAX_TOTAL_RECORDS)));
        }
        let saved = (self.last_owner.clone(), self.last_ttl, self.ttl_known, self.last_class, self.class_known);
        let mut line = Vec::new();
        let mut ltoks = Vec::new();
        for v in range.values() {
            line.clear();
            let at = |e: String| err(first, format!("$GENERATE at value {v}: {e}"));
            lhs.expand(v, &mut line).map_err(at)?;
            for m in &middle {
                line.push(b' ');
                line.extend_from_slice(m);
            }
            line.push(b' ');
            rhs.expand(v, &mut line).map_err(at)?;
            line.push(b'\n');
            let mut lex = Lexer::new(Cow::Borrowed(&line[..]));
            let shown = lossy(&line[..line.len() - 1]);
            lex.next_entry(&mut ltoks).map_err(|(_, _, e)| err(first, format!("$GENERATE at value {v}: {e} (in '{shown}')")))?;
            self.record(&line, &ltoks, false, file_idx)
                .map_err(|(_, _, e)| err(first, format!("$GENERATE at value {v}: {e} (in '{shown}')")))?;
            if let Some(r) = self.records.last_mut() {
                r.line = first.line;
            }
        }
        (self.last_owner, self.last_ttl, self.ttl_known, self.last_class, self.class_known) = saved;
        Ok(Action::None)
    }
}

/// Parses zone text. `filename` is used in error messages only (and as the
/// base directory of relative `$INCLUDE` paths).
///
/// Large texts are parsed in chunks on the current rayon pool (see
/// [`parse_parallel`]); the result, errors included, is the sequential
/// parser's.
pub fn parse_zone(text: &[u8], filename: &str, opts: &ParseOptions) -> Result<ParsedZone, CoreError> {
    let threads = rayon::current_num_threads();
    if threads > 1 && text.len() >= PARALLEL_MIN_BYTES {
        // About four chunks per thread, so that one slow chunk does not
        // leave the other threads idle at the end.
        let chunk = (text.len() / (threads * 4)).max(PARALLEL_MIN_BYTES / 4);
        if let Some(r) = parse_parallel(text, filename, opts, chunk) {
            return r;
        }
    }
    parse_sequential(text, filename, opts)
}

/// The one-pass parser (the reference the chunked parse must agree with).
pub fn parse_sequential(text: &[u8], filename: &str, opts: &ParseOptions) -> Result<ParsedZone, CoreError> {
    let top_path = std::fs::canonicalize(filename).ok();
    parse_with(Cow::Borrowed(text), filename, top_path, opts)
}

/// Texts shorter than this are parsed in one pass.
pub const PARALLEL_MIN_BYTES: usize = 8 << 20;

/// A directive line found by the pre-scan of [`parse_parallel`].
enum Directive<'t> {
    Origin(&'t [u8]),
    Ttl(&'t [u8]),
    /// `$INCLUDE` (or a directive the pre-scan cannot read): parse sequentially.
    Other,
}

/// One chunk's share of a parallel parse.
struct ChunkOut {
    records: Vec<Record>,
    pending_ttl: Vec<u32>,
    pending_class: Vec<u32>,
    /// The state the chunk assumed at its start ...
    origin_in: Option<Name>,
    dollar_ttl_in: Option<u32>,
    /// ... and the state it leaves (TTL and class: `None` when the chunk
    /// set none and passes on what it inherited).
    origin: Option<Name>,
    dollar_ttl: Option<u32>,
    last_ttl: Option<u32>,
    last_class: Option<u16>,
    zone_origin: Option<Name>,
    error: Option<CoreError>,
    give_up: bool,
}

/// Parses `text` in chunks of about `chunk` bytes, in parallel on the
/// current rayon pool, and joins them into exactly what the sequential
/// parser returns. `None` when the text must be parsed sequentially.
///
/// How it stays exact:
/// - Chunks start at a line that begins with an owner name (not a blank,
///   `;`, `$`, a quote or a parenthesis). If such a line is really the
///   continuation of a parenthesised entry, the chunk before it ends inside
///   parentheses; that is detected and the whole text is parsed
///   sequentially.
/// - A pre-scan of the lines that start with `$` predicts the `$ORIGIN`
///   and `$TTL` in force at each chunk start; after parsing, each chunk's
///   prediction is checked against the state the chunk before it really
///   left, and any difference sends the text to the sequential parser.
/// - The last explicit TTL and class before a chunk are only known once the
///   chunks before it are parsed: records that inherit them are filled in
///   afterwards (an SOA that would inherit an unknown TTL gives up).
/// - Line numbers are counted per chunk; errors are reported for the first
///   chunk, in file order, that has one; with `$INCLUDE` present, the text
///   is parsed sequentially.
pub fn parse_parallel(
    text: &[u8],
    filename: &str,
    opts: &ParseOptions,
    chunk: usize,
) -> Option<Result<ParsedZone, CoreError>> {
    let mut carry = Carry::new(opts);
    let mut records = Vec::new();
    match parse_window(text, true, filename, opts, chunk, &mut carry, &mut records)? {
        Err(e) => Some(Err(e)),
        Ok(()) => Some(Ok(carry.finish(records, filename, opts))),
    }
}

/// The parser state between two parts of a text parsed one after another
/// (the windows of [`parse_file`]).
struct Carry {
    origin: Option<Name>,
    dollar_ttl: Option<u32>,
    last_ttl: Option<u32>,
    last_class: u16,
    /// Line number of the next part's first line.
    line: u32,
    /// Whether nothing has been parsed yet.
    at_start: bool,
    zone_origin: Option<Name>,
    /// Whether `last_ttl` and `last_class` are known (not at the start of
    /// a range of a file parsed alone, [`parse_range_streaming`], until
    /// records set them).
    ttl_known: bool,
    class_known: bool,
}

impl Carry {
    fn new(opts: &ParseOptions) -> Carry {
        Carry {
            origin: opts.origin.clone(),
            dollar_ttl: opts.default_ttl,
            last_ttl: None,
            last_class: rrtype::CLASS_IN,
            line: 1,
            at_start: true,
            zone_origin: None,
            ttl_known: true,
            class_known: true,
        }
    }

    fn finish(self, records: Vec<Record>, filename: &str, opts: &ParseOptions) -> ParsedZone {
        ParsedZone { records, files: vec![filename.to_string()], origin: opts.origin.clone().or(self.zone_origin) }
    }
}

/// Where the last chunk start of `text` is (see [`parse_parallel`]), if any.
fn last_chunk_start(text: &[u8]) -> Option<usize> {
    (1..text.len()).rev().find(|&i| text[i - 1] == b'\n' && is_chunk_start(text[i]))
}

pub(crate) fn is_chunk_start(c: u8) -> bool {
    !matches!(c, b' ' | b'\t' | b';' | b'$' | b'\n' | b'\r' | b'(' | b')' | b'"')
}

/// Parses one part of a text in parallel chunks, appending to `records` and
/// advancing `carry`. `end`: the part ends the text. `None`: parse the whole
/// text sequentially instead.
fn parse_window(
    text: &[u8],
    end: bool,
    filename: &str,
    opts: &ParseOptions,
    chunk: usize,
    carry: &mut Carry,
    records: &mut Vec<Record>,
) -> Option<Result<(), CoreError>> {
    use rayon::prelude::*;
    let chunk = chunk.max(1);
    // Chunk starts: after a newline, at a line that starts with an owner.
    let mut starts = vec![0usize];
    let mut target = chunk;
    while target < text.len() {
        let from = target.max(starts[starts.len() - 1] + 1);
        match (from..text.len()).find(|&i| text[i - 1] == b'\n' && is_chunk_start(text[i])) {
            Some(p) => {
                starts.push(p);
                target = p + chunk;
            }
            None => break,
        }
    }
    let bounds: Vec<(usize, usize)> =
        starts.iter().enumerate().map(|(k, &a)| (a, starts.get(k + 1).copied().unwrap_or(text.len()))).collect();
    // Per chunk: its newlines and its directive lines (a '$' at a line start).
    let scans: Vec<(u32, Vec<Directive<'_>>)> = bounds
        .par_iter()
        .map(|&(a, b)| {
            let s = &text[a..b];
            let lines = memchr::memchr_iter(b'\n', s).count() as u32;
            let dirs = memchr::memchr_iter(b'$', s)
                .filter(|&i| i == 0 || s[i - 1] == b'\n')
                .map(|i| read_directive(&s[i..]))
                .collect();
            (lines, dirs)
        })
        .collect();
    // Predicted state at each chunk start.
    let mut origin = carry.origin.clone();
    let mut dollar_ttl = carry.dollar_ttl;
    let mut first_line = carry.line;
    let mut plans: Vec<ChunkPlan> = Vec::with_capacity(bounds.len());
    for (&(a, b), (lines, dirs)) in bounds.iter().zip(&scans) {
        plans.push(ChunkPlan { range: a..b, first_line, origin: origin.clone(), dollar_ttl });
        first_line = first_line.saturating_add(*lines);
        for d in dirs {
            match d {
                Directive::Origin(arg) => origin = Some(Name::from_text_bytes(arg, origin.as_ref()).ok()?),
                Directive::Ttl(arg) => dollar_ttl = Some(rdata::parse_ttl(arg)?),
                Directive::Other => return None,
            }
        }
    }
    let last = plans.len() - 1;
    // The first chunk of a later part starts from the known state.
    let first = if carry.at_start {
        Inherit::FileStart
    } else if carry.ttl_known && carry.class_known {
        Inherit::Known(carry.last_ttl, carry.last_class)
    } else {
        Inherit::Unknown
    };
    let outs: Vec<ChunkOut> = plans
        .into_par_iter()
        .enumerate()
        .map(|(k, plan)| {
            let inherit = if k == 0 { first } else { Inherit::Unknown };
            parse_chunk(text, plan, inherit, end && k == last, filename, opts)
        })
        .collect();
    // Join, checking each chunk's assumptions against what came before.
    records.reserve(outs.iter().map(|o| o.records.len()).sum());
    for (k, mut out) in outs.into_iter().enumerate() {
        if out.give_up || out.origin_in != carry.origin || out.dollar_ttl_in != carry.dollar_ttl {
            return None;
        }
        if !out.pending_ttl.is_empty() {
            if !carry.ttl_known {
                return None;
            }
            let t = carry.last_ttl?;
            for &i in &out.pending_ttl {
                out.records[i as usize].ttl = t;
            }
        }
        if !out.pending_class.is_empty() && !carry.class_known {
            return None;
        }
        for &i in &out.pending_class {
            out.records[i as usize].class = carry.last_class;
        }
        records.append(&mut out.records);
        if k == 0 && carry.at_start {
            carry.zone_origin = out.zone_origin;
        }
        if let Some(e) = out.error {
            return Some(Err(e));
        }
        carry.origin = out.origin;
        carry.dollar_ttl = out.dollar_ttl;
        carry.last_ttl = out.last_ttl.or(carry.last_ttl);
        carry.last_class = out.last_class.unwrap_or(carry.last_class);
        carry.ttl_known |= out.last_ttl.is_some();
        carry.class_known |= out.last_class.is_some();
    }
    carry.at_start = false;
    carry.line = first_line;
    Some(Ok(()))
}

/// Reads and parses a zone file. A large file is read in parts while the
/// parts before are parsed in parallel (see [`parse_parallel`]): the whole
/// text is never in memory at once. The result is the sequential parser's.
/// Returns the zone and the seconds spent before parsing could start.
pub fn parse_file(path: &Path, opts: &ParseOptions) -> Result<(ParsedZone, f64), CoreError> {
    let (window, min) = window_sizes(rayon::current_num_threads());
    parse_file_in_windows(path, opts, window, min, None)
}

/// The window size of [`parse_file`] with `threads` workers, and the file
/// size below which a file is parsed in one piece.
pub fn window_sizes(threads: usize) -> (usize, usize) {
    (WINDOW_BYTES.max(threads * (2 << 20)), PARALLEL_MIN_BYTES)
}

/// [`parse_file`] with the window size and the size below which a file is
/// parsed in one piece (tests and the fuzz targets use small ones), and
/// the run's progress counters (octets read, and the stop switch).
pub fn parse_file_in_windows(
    path: &Path,
    opts: &ParseOptions,
    window: usize,
    min: usize,
    progress: Option<&Progress>,
) -> Result<(ParsedZone, f64), CoreError> {
    let mut records: Vec<Record> = Vec::new();
    let got = parse_file_streaming(path, opts, window, min, progress, |mut part, _| records.append(&mut part));
    let got = match got {
        Ok(g) => g,
        Err(e) => {
            crate::progress::drop_after(progress, records);
            return Err(e);
        }
    };
    match got {
        Streamed::Whole(zone, read) => Ok((zone, read)),
        Streamed::Parts { files, origin, read } => {
            // Appending parts doubled the capacity: give the slack back.
            records.shrink_to_fit();
            Ok((ParsedZone { records, files, origin }, read))
        }
    }
}

/// How [`parse_file_streaming`] delivered the zone.
pub enum Streamed {
    /// In parts, each handed to the sink in file order; the last with
    /// `true`. The records are exactly the sequential parser's.
    Parts { files: Vec<String>, origin: Option<Name>, read: f64 },
    /// Whole, without calling the sink: the file is small, or `$INCLUDE` is
    /// allowed, or the windowed parse met something only the sequential
    /// parser settles (then parts already handed to the sink are void).
    Whole(ParsedZone, f64),
}

/// Reads and parses a zone file in windows of about `window` bytes (files
/// of `min` bytes or more, compressed files, on any number of threads),
/// handing each window's records to `sink` while the next window is read
/// and parsed: the sink runs beside the parser on the current rayon pool
/// (one after the other on one thread, which still keeps the memory to a
/// window's and lets a stop be seen at each part). `read` is the time
/// before parsing could start.
pub fn parse_file_streaming<F>(
    path: &Path,
    opts: &ParseOptions,
    window: usize,
    min: usize,
    progress: Option<&Progress>,
    mut sink: F,
) -> Result<Streamed, CoreError>
where
    F: FnMut(Vec<Record>, bool) + Send,
{
    let name = path.display().to_string();
    let io = |e: std::io::Error| CoreError::Io { file: name.clone(), reason: e.to_string() };
    let t0 = std::time::Instant::now();
    let threads = rayon::current_num_threads();
    let size = std::fs::metadata(path).map_err(io)?.len();
    // A compressed file (by its magic bytes) is decompressed as it is read;
    // its size says nothing of the text's, so it goes the windowed way.
    let mut f = compressed::open(path).map_err(io)?;
    let plain = f.format == compressed::Format::Plain;
    Progress::start(progress, if plain { size } else { 0 });
    if (plain && size < min as u64) || opts.allow_include {
        let text = compressed::read_whole(path).map_err(io)?;
        Progress::read(progress, text.len() as u64);
        Progress::check(progress)?;
        let read = t0.elapsed().as_secs_f64();
        return Ok(Streamed::Whole(parse_zone(&text, &name, opts)?, read));
    }
    let mut carry = Carry::new(opts);
    let Some(read) = stream_windows(&mut f, &name, opts, window, threads, progress, &mut carry, &mut sink, t0)? else {
        // Something the chunked parse cannot settle: read it all.
        #[cfg(test)]
        WINDOW_FALLBACKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let read = t0.elapsed().as_secs_f64();
        let text = compressed::read_whole(path).map_err(io)?;
        return Ok(Streamed::Whole(parse_sequential(&text, &name, opts)?, read));
    };
    let z = carry.finish(Vec::new(), &name, opts);
    Ok(Streamed::Parts { files: z.files, origin: z.origin, read })
}

/// What a byte range of a file holds that the ranges after it depend on,
/// for [`plan_ranges`]: its newlines, and its directive lines (a `$` at a
/// line start, up to the newline), in order.
#[derive(Clone, Debug, Default)]
pub struct RangeScan {
    pub newlines: u32,
    pub directives: Vec<Vec<u8>>,
}

/// Where a byte range of a file starts, for [`parse_range_streaming`]:
/// its first line's number and the `$ORIGIN` and `$TTL` in force there
/// (as the parse of the whole file would have them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeStart {
    pub line: u32,
    pub origin: Option<Name>,
    pub dollar_ttl: Option<u32>,
}

/// The `$ORIGIN` and `$TTL` in force where a range parsed alone ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeEnd {
    pub origin: Option<Name>,
    pub dollar_ttl: Option<u32>,
}

/// Longest directive line, and most directive lines in a range, that
/// [`scan_range`] keeps (more makes the ranges unplannable, never wrong).
const MAX_DIRECTIVE: usize = 4096;
const MAX_DIRECTIVES: usize = 10_000;

/// Scans `path`'s octets `[start, end)` (see [`RangeScan`]), a block at a
/// time. `None` when the range has more than [`MAX_DIRECTIVES`] directive
/// lines or one longer than [`MAX_DIRECTIVE`] octets.
pub fn scan_range(path: &Path, start: u64, end: u64) -> Result<Option<RangeScan>, CoreError> {
    use std::io::{Read, Seek, SeekFrom};
    let name = path.display().to_string();
    let io = |e: std::io::Error| CoreError::Io { file: name.clone(), reason: e.to_string() };
    let mut f = std::fs::File::open(path).map_err(io)?;
    // Whether the range starts at a line start.
    let mut line_start = true;
    if start > 0 {
        let mut b = [0u8; 1];
        f.seek(SeekFrom::Start(start - 1)).map_err(io)?;
        f.read_exact(&mut b).map_err(io)?;
        line_start = b[0] == b'\n';
    }
    f.seek(SeekFrom::Start(start)).map_err(io)?;
    let mut r = f.take(end.saturating_sub(start));
    let mut out = RangeScan::default();
    // The directive line being read (it may go on in the next block).
    let mut open: Option<Vec<u8>> = None;
    let mut buf = vec![0u8; 4 << 20];
    loop {
        let n = r.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        let b = &buf[..n];
        let mut i = 0;
        while i < n {
            if let Some(d) = open.as_mut() {
                let stop = memchr::memchr(b'\n', &b[i..]).map_or(n, |p| i + p);
                d.extend_from_slice(&b[i..stop]);
                if d.len() > MAX_DIRECTIVE {
                    return Ok(None);
                }
                if stop < n {
                    out.directives.extend(open.take());
                    if out.directives.len() > MAX_DIRECTIVES {
                        return Ok(None);
                    }
                    line_start = true;
                    out.newlines = out.newlines.saturating_add(1);
                    i = stop + 1;
                } else {
                    i = n;
                }
                continue;
            }
            if line_start && b[i] == b'$' {
                open = Some(Vec::new());
                continue;
            }
            // To the next line start.
            match memchr::memchr(b'\n', &b[i..]) {
                Some(p) => {
                    out.newlines = out.newlines.saturating_add(1);
                    i += p + 1;
                    line_start = true;
                }
                None => {
                    i = n;
                    line_start = false;
                }
            }
        }
    }
    out.directives.extend(open);
    Ok(Some(out))
}

/// Where each range starts, from the scans of all of them in file order
/// (as [`parse_parallel`] predicts its chunks' starts): `None` when a
/// directive other than `$ORIGIN` and `$TTL` (or one that cannot be read)
/// is in a range, or the lines pass 2^32.
pub fn plan_ranges(scans: &[RangeScan], opts: &ParseOptions) -> Option<Vec<RangeStart>> {
    let mut origin = opts.origin.clone();
    let mut dollar_ttl = opts.default_ttl;
    let mut line = 1u32;
    let mut out = Vec::with_capacity(scans.len());
    for sc in scans {
        out.push(RangeStart { line, origin: origin.clone(), dollar_ttl });
        line = line.checked_add(sc.newlines)?;
        for d in &sc.directives {
            match read_directive(d) {
                Directive::Origin(arg) => origin = Some(Name::from_text_bytes(arg, origin.as_ref()).ok()?),
                Directive::Ttl(arg) => dollar_ttl = Some(rdata::parse_ttl(arg)?),
                Directive::Other => return None,
            }
        }
    }
    Some(out)
}

/// Parses `path`'s octets `[start, end)` on their own, as the parse of the
/// whole file would parse them when it reaches `start` in the state `at`
/// (a line start; `start` 0: the file's start), in windows of about
/// `window` octets handed to `sink` (the last with `true`). Returns where
/// `$ORIGIN` and `$TTL` stand at the end, or why the range cannot be
/// parsed apart from the text before it (a record that inherits a TTL or
/// class from there, `$INCLUDE`, a parse error: the parse of the whole
/// file is the one to say what is wrong); only a file that cannot be read
/// is an error.
pub fn parse_range_streaming<F>(
    path: &Path,
    start: u64,
    end: u64,
    at: &RangeStart,
    opts: &ParseOptions,
    window: usize,
    mut sink: F,
) -> Result<Result<RangeEnd, String>, CoreError>
where
    F: FnMut(Vec<Record>, bool) + Send,
{
    use std::io::{Read, Seek, SeekFrom};
    let name = path.display().to_string();
    let io = |e: std::io::Error| CoreError::Io { file: name.clone(), reason: e.to_string() };
    let mut f = std::fs::File::open(path).map_err(io)?;
    f.seek(SeekFrom::Start(start)).map_err(io)?;
    let mut r = f.take(end.saturating_sub(start));
    let mut carry = Carry::new(opts);
    if start > 0 {
        carry.origin = at.origin.clone();
        carry.dollar_ttl = at.dollar_ttl;
        carry.line = at.line;
        carry.at_start = false;
        carry.ttl_known = false;
        carry.class_known = false;
    }
    let t0 = std::time::Instant::now();
    match stream_windows(&mut r, &name, opts, window, rayon::current_num_threads(), None, &mut carry, &mut sink, t0) {
        Ok(Some(_)) => Ok(Ok(RangeEnd { origin: carry.origin, dollar_ttl: carry.dollar_ttl })),
        Ok(None) => Ok(Err("the range cannot be parsed apart from the text before it".into())),
        Err(e @ CoreError::Io { .. }) => Err(e),
        Err(e) => Ok(Err(e.to_string())),
    }
}

/// The windows of [`parse_file_streaming`] from `f`, parsed with `carry`
/// (advanced) and handed to `sink`, the last with `true`; `read` is the
/// time from `t0` to the first window's arrival. `None` when something
/// only the sequential parser settles came up (parts handed to the sink
/// are then void).
#[allow(clippy::too_many_arguments)]
fn stream_windows<R, F>(
    f: &mut R,
    name: &str,
    opts: &ParseOptions,
    window: usize,
    threads: usize,
    progress: Option<&Progress>,
    carry: &mut Carry,
    sink: &mut F,
    t0: std::time::Instant,
) -> Result<Option<f64>, CoreError>
where
    R: std::io::Read + Send,
    F: FnMut(Vec<Record>, bool) + Send,
{
    let io = |e: std::io::Error| CoreError::Io { file: name.to_string(), reason: e.to_string() };
    let window = window.max(1);
    let chunk = window / (threads * 4);
    let read_part = |f: &mut R, buf: &mut Vec<u8>| -> std::io::Result<bool> {
        let want = buf.len() + window;
        while buf.len() < want {
            let have = buf.len();
            buf.resize(want, 0);
            let n = f.read(&mut buf[have..])?;
            buf.truncate(have + n);
            Progress::read(progress, n as u64);
            if n == 0 {
                return Ok(true);
            }
        }
        Ok(false)
    };
    let mut buf: Vec<u8> = Vec::new();
    // The buffer the next part is read into; the two change places after
    // each part, so that they are allocated (and their pages faulted in)
    // once, not once per part.
    let mut next: Vec<u8> = Vec::new();
    let mut eof = read_part(f, &mut buf).map_err(io)?;
    let read = t0.elapsed().as_secs_f64();
    // The records of the window before, handed to the sink while this one
    // is parsed.
    let mut parsed: Option<Vec<Record>> = None;
    loop {
        Progress::check(progress)?;
        // Parse up to the last chunk start (all of it at the end of the
        // file) while the next part is read.
        let cut = if eof { Some(buf.len()) } else { last_chunk_start(&buf).filter(|&c| c > 0) };
        let Some(cut) = cut else {
            // No line to cut at yet: read more.
            eof = read_part(f, &mut buf).map_err(io)?;
            continue;
        };
        // The next buffer starts with the unparsed tail of this one.
        next.clear();
        next.extend_from_slice(&buf[cut..]);
        let mut records: Vec<Record> = Vec::new();
        let before = parsed.take();
        let ((done, got), ()) = rayon::join(
            || {
                rayon::join(
                    || parse_window(&buf[..cut], eof, name, opts, chunk, carry, &mut records),
                    || if eof { Ok(true) } else { read_part(f, &mut next) },
                )
            },
            || {
                if let Some(part) = before {
                    sink(part, false);
                }
            },
        );
        match done {
            None => return Ok(None),
            Some(Err(e)) => return Err(e),
            Some(Ok(())) => {}
        }
        parsed = Some(records);
        if eof {
            break;
        }
        eof = got.map_err(io)?;
        std::mem::swap(&mut buf, &mut next);
    }
    sink(parsed.take().unwrap_or_default(), true);
    Ok(Some(read))
}


#[cfg(test)]
static WINDOW_FALLBACKS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How much of a large file is read at a time by [`parse_file`].
/// (4 MiB: on the 100k-delegation RSA zone, 16 MiB windows peaked at 163
/// MiB, 4 MiB at 124 MiB, and ran no slower; 2 MiB more per worker keeps
/// the chunks of a parallel parse at 512 KiB.)
pub const WINDOW_BYTES: usize = 4 << 20;

/// Reads the directive at the start of `line` for the pre-scan.
fn read_directive(line: &[u8]) -> Directive<'_> {
    let end = line.iter().position(|&c| c == b'\n').unwrap_or(line.len());
    let mut words = line[..end].split(|c| matches!(c, b' ' | b'\t' | b'\r')).filter(|w| !w.is_empty());
    let name = words.next().unwrap_or(b"");
    let arg = words.next().unwrap_or(b"");
    let plain = |a: &[u8]| !a.is_empty() && !a.iter().any(|c| matches!(c, b'(' | b')' | b'"' | b';' | b'\\'));
    if name.eq_ignore_ascii_case(b"$ORIGIN") && plain(arg) {
        Directive::Origin(arg)
    } else if name.eq_ignore_ascii_case(b"$TTL") && plain(arg) {
        Directive::Ttl(arg)
    } else {
        Directive::Other
    }
}

/// What a chunk knows of the TTL and class in force before it.
#[derive(Clone, Copy)]
enum Inherit {
    /// It starts the file: the sequential parser's initial state.
    FileStart,
    /// The chunks before it are parsed: last explicit TTL, last class.
    Known(Option<u32>, u16),
    /// Not yet known: records that inherit them are left pending.
    Unknown,
}

/// Where a chunk of a parallel parse lies and the `$ORIGIN` and `$TTL`
/// predicted at its start.
struct ChunkPlan {
    range: std::ops::Range<usize>,
    first_line: u32,
    origin: Option<Name>,
    dollar_ttl: Option<u32>,
}

/// Parses one chunk of a parallel parse (see [`parse_parallel`]); `last`:
/// it ends the text.
fn parse_chunk(text: &[u8], plan: ChunkPlan, inherit: Inherit, last: bool, filename: &str, opts: &ParseOptions) -> ChunkOut {
    let src = &text[plan.range];
    let (origin_in, dollar_ttl_in) = (plan.origin, plan.dollar_ttl);
    let mut st = State::new(opts, origin_in.clone(), dollar_ttl_in, inherit, src.len());
    let mut lex = Lexer::at_line(src, plan.first_line);
    let mut toks: Vec<Tok> = Vec::with_capacity(64);
    let mut error = None;
    loop {
        match lex.next_entry(&mut toks) {
            Ok(None) => break,
            Err((l, c, r)) => {
                // Parentheses still open where the chunk ends: the chunk
                // start after it was inside an entry.
                if !last && lex.pos >= src.len() {
                    st.give_up = true;
                }
                error = Some(CoreError::parse(filename, l, c, r));
                break;
            }
            Ok(Some(ws)) => match st.entry(src, &toks, ws, 0) {
                Ok(Action::None) => {}
                Ok(Action::Include { .. }) => {
                    st.give_up = true;
                    break;
                }
                Err((l, c, r)) => {
                    error = Some(CoreError::parse(filename, l, c, r));
                    break;
                }
            },
        }
    }
    ChunkOut {
        records: st.records,
        pending_ttl: st.pending_ttl,
        pending_class: st.pending_class,
        origin_in,
        dollar_ttl_in,
        origin: st.origin,
        dollar_ttl: st.dollar_ttl,
        last_ttl: if st.ttl_known { st.last_ttl } else { None },
        last_class: if st.class_known { Some(st.last_class) } else { None },
        zone_origin: st.zone_origin,
        error,
        give_up: st.give_up,
    }
}

fn parse_with(text: Cow<'_, [u8]>, filename: &str, top_path: Option<PathBuf>, opts: &ParseOptions) -> Result<ParsedZone, CoreError> {
    let mut st = State::new(opts, opts.origin.clone(), opts.default_ttl, Inherit::FileStart, text.len());
    st.files.push(filename.to_string());
    let mut stack: Vec<Frame<'_>> = vec![Frame {
        lex: Lexer::new(text),
        file_idx: 0,
        name: filename.to_string(),
        path: top_path,
        saved_origin: None,
        saved_owner: None,
    }];
    let mut toks: Vec<Tok> = Vec::with_capacity(64);
    loop {
        let Some(frame) = stack.last_mut() else { break };
        let got = frame.lex.next_entry(&mut toks);
        let ws = match got {
            Err((l, c, r)) => return Err(CoreError::parse(&frame.name, l, c, r)),
            Ok(None) => {
                let f = stack.pop();
                if !stack.is_empty() {
                    if let Some(f) = f {
                        st.origin = f.saved_origin;
                        st.last_owner = f.saved_owner;
                    }
                }
                continue;
            }
            Ok(Some(ws)) => ws,
        };
        let action = st
            .entry(&frame.lex.src, &toks, ws, frame.file_idx)
            .map_err(|(l, c, r)| CoreError::parse(&frame.name, l, c, r))?;
        if let Action::Include { path, origin } = action {
            let (line, col) = toks.first().map(|t| (t.line, t.col)).unwrap_or((0, 0));
            let fname = frame.name.clone();
            let perr = |r: String| CoreError::parse(&fname, line, col, r);
            let base = Path::new(&fname).parent().unwrap_or(Path::new(""));
            let p = Path::new(&path);
            let mut full = if p.is_absolute() { p.to_path_buf() } else { base.join(p) };
            if !full.exists() && !p.is_absolute() {
                // Fallback (validns, BIND with `directory` = zone dir): relative
                // to the top-level file's directory.
                let top = Path::new(&st.files[0]).parent().unwrap_or(Path::new("")).join(p);
                if top.exists() {
                    full = top;
                }
            }
            if stack.len() >= MAX_INCLUDE_DEPTH {
                return Err(perr(format!("$INCLUDE nested more than {MAX_INCLUDE_DEPTH} deep at '{path}'")));
            }
            let canon = std::fs::canonicalize(&full).ok();
            if canon.is_some() && stack.iter().any(|f| f.path == canon) {
                return Err(perr(format!("$INCLUDE loop: '{}' is already being read", full.display())));
            }
            let data = std::fs::read(&full)
                .map_err(|e| perr(format!("cannot read $INCLUDE file '{}': {e}", full.display())))?;
            let name = full.display().to_string();
            let file_idx = st.files.len() as u32;
            st.files.push(name.clone());
            let saved_origin = st.origin.clone();
            let saved_owner = st.last_owner.clone();
            if let Some(o) = origin {
                st.origin = Some(o);
            }
            stack.push(Frame {
                lex: Lexer::new(Cow::Owned(data)),
                file_idx,
                name,
                path: canon,
                saved_origin,
                saved_owner,
            });
        }
    }
    Ok(ParsedZone {
        records: st.records,
        files: st.files,
        origin: opts.origin.clone().or(st.zone_origin),
    })
}

/// Reads and parses a zone file.
pub fn parse_zone_file(path: &Path, opts: &ParseOptions) -> Result<ParsedZone, CoreError> {
    parse_file(path, opts).map(|(z, _)| z)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Name {
        Name::from_text(s, None).unwrap()
    }
    fn opts(origin: &str) -> ParseOptions {
        ParseOptions { origin: Some(n(origin)), ..Default::default() }
    }

    /// A random zone text mixing what makes chunking hard: `$ORIGIN` (also
    /// relative) and `$TTL`, omitted owners, TTLs and classes, entries
    /// spanning lines in parentheses (continuations at column 0 too),
    /// comments, quoted strings with `;` and `(`, blank lines, and now and
    /// then an error.
    fn random_zone(seed: u64, errors: bool) -> String {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut rnd = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let mut t = String::new();
        if rnd(2) == 0 {
            t.push_str("$TTL 600\n");
        }
        t.push_str("@ 3600 IN SOA ns1 host 1 2 3 4 5\n");
        for i in 0..(20 + rnd(200)) {
            let owner = match rnd(8) {
                0 => String::new(),
                1 => "@".into(),
                2 => format!("n{i}.example."),
                3 => format!("N{i}.Sub"),
                _ => format!("n{i}"),
            };
            let ws = if owner.is_empty() { " ".to_string() } else { owner + " " };
            let ttl = if rnd(3) == 0 { format!("{} ", 60 + rnd(1000)) } else { String::new() };
            let class = ["", "", "IN ", "CH "][rnd(4) as usize];
            let line = match rnd(16) {
                0 => format!("$ORIGIN sub{}.example.\n", rnd(3)),
                1 => "$ORIGIN deeper\n".to_string(),
                2 => format!("$TTL {}\n", 100 + rnd(100)),
                3 => format!("{ws}{ttl}{class}TXT ( \"a;b(\"\n\"c\" ) ; note\n"),
                4 if rnd(10) == 0 => format!("{ws}{ttl}{class}TXT (\nplain\n\"q\"\n)\n"),
                5 => format!("{ws}{ttl}{class}MX ( 10\n  mail{i} )\n"),
                6 => "; a comment line\n\n".to_string(),
                7 => format!("{ws}{ttl}{class}NS ns{}.example.\n", rnd(5)),
                8 if errors && rnd(12) == 0 => format!("{ws}{ttl}{class}A 300.1.2.3\n"),
                9 if errors && rnd(12) == 0 => format!("{ws}{ttl}{class}TXT ( \"open\"\n"),
                10 if errors && rnd(12) == 0 => format!("{ws}{ttl}{class}A 1.2.3.4 )\n"),
                11 if errors && rnd(20) == 0 => format!("{ws}{ttl}{class}BOGUS 1\n"),
                // Looks like a directive to a line scan, but is TXT data.
                12 if rnd(6) == 0 => format!("{ws}{ttl}{class}TXT ( \"x\"\n$ORIGIN trap.example.\n$TTL 9\n)\n"),
                _ => format!("{ws}{ttl}{class}A 192.0.2.{}\n", rnd(255)),
            };
            t.push_str(&line);
        }
        t
    }

    #[test]
    fn chunked_parse_equals_sequential() {
        let mut used = 0;
        let mut runs = 0;
        for seed in 0..400u64 {
            let text = random_zone(seed, seed % 3 == 0);
            let o = if seed % 2 == 0 { opts("example.") } else { ParseOptions { default_ttl: Some(7), ..opts("example.") } };
            let want = parse_sequential(text.as_bytes(), "t", &o);
            for chunk in [1usize, 13, 64, 333] {
                runs += 1;
                if let Some(got) = parse_parallel(text.as_bytes(), "t", &o, chunk) {
                    used += 1;
                    assert_eq!(got, want, "seed {seed}, chunk {chunk}\n{text}");
                }
            }
        }
        // The chunked path itself must be exercised, not only its fallback.
        assert!(used * 3 > runs, "chunked parse used in {used} of {runs} runs");
    }

    /// Every file of the shared corpus (../shared/corpus, or
    /// $ZONEVERIFY_CORPUS) that the sequential parser reads, or rejects,
    /// gets the same answer from the chunked parse at several chunk sizes.
    #[test]
    fn chunked_parse_equals_sequential_on_corpus() {
        let root = std::env::var_os("ZONEVERIFY_CORPUS")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
        if !root.join("MANIFEST.md").is_file() {
            // As tests/conftest.py: a failure in CI, a notice elsewhere.
            let ci = std::env::var("CI").is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes"));
            assert!(!ci, "corpus not found at {}", root.display());
            eprintln!("corpus not found at {}: test not run", root.display());
            return;
        }
        let mut stack = vec![root];
        let (mut files, mut chunked) = (0, 0);
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
                if !matches!(ext, "zone" | "signed" | "sec" | "db" | "") {
                    continue;
                }
                let text = std::fs::read(&p).unwrap();
                files += 1;
                for o in [ParseOptions::default(), ParseOptions { default_ttl: Some(3600), ..opts("example.") }] {
                    let want = parse_sequential(&text, "t", &o);
                    for chunk in [1usize, 100, 4096] {
                        if let Some(got) = parse_parallel(&text, "t", &o, chunk) {
                            chunked += 1;
                            assert_eq!(got, want, "{} chunk {chunk}", p.display());
                        }
                    }
                }
            }
        }
        assert!(files > 50 && chunked > files, "{files} files, chunked parse used {chunked} times");
    }

    /// The windowed file parse (read in parts, each part in parallel
    /// chunks) gives the sequential parser's answer, at window sizes from a
    /// few bytes up, on two threads.
    #[test]
    fn windowed_file_parse_equals_sequential() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let dir = std::env::temp_dir().join(format!("zv-window-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("z.zone");
        let (mut runs, fallbacks0) = (0, WINDOW_FALLBACKS.load(std::sync::atomic::Ordering::Relaxed));
        for seed in 0..150u64 {
            let text = random_zone(seed, seed % 3 == 0);
            std::fs::write(&path, &text).unwrap();
            let o = if seed % 2 == 0 { opts("example.") } else { ParseOptions { default_ttl: Some(7), ..opts("example.") } };
            let want = parse_sequential(text.as_bytes(), &path.display().to_string(), &o);
            for window in [1usize, 50, 700, 1 << 20] {
                let got = pool.install(|| parse_file_in_windows(&path, &o, window, 0, None)).map(|(z, _)| z);
                assert_eq!(got, want, "seed {seed}, window {window}\n{text}");
                runs += 1;
            }
        }
        // Most runs must take the windowed path, not its fallback.
        let fallbacks = WINDOW_FALLBACKS.load(std::sync::atomic::Ordering::Relaxed) - fallbacks0;
        assert!(fallbacks * 2 < runs, "{fallbacks} of {runs} runs fell back to the sequential parse");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn ranges_parsed_alone_are_the_whole_parse_or_give_up() {
        // Cut at line starts that begin with an owner (as the cluster's
        // cut points are), scanned, planned and parsed range by range: the
        // records joined are the sequential parser's, line numbers and
        // all, whenever every range could be parsed alone and the plan
        // held; never different.
        let dir = std::env::temp_dir().join(format!("zv-ranges-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("z.zone");
        let (mut alone, mut runs) = (0, 0);
        for seed in 0..150u64 {
            let text = random_zone(seed, false);
            std::fs::write(&path, &text).unwrap();
            let o = if seed % 2 == 0 { opts("example.") } else { ParseOptions { default_ttl: Some(7), ..opts("example.") } };
            let Ok(want) = parse_sequential(text.as_bytes(), &path.display().to_string(), &o) else { continue };
            let b = text.as_bytes();
            for parts in [2usize, 3, 7] {
                let mut cuts = vec![0u64];
                for k in 1..parts {
                    let t = b.len() * k / parts;
                    if let Some(c) = (t.max(1)..b.len()).find(|&i| b[i - 1] == b'\n' && is_chunk_start(b[i])) {
                        if c as u64 > *cuts.last().unwrap() {
                            cuts.push(c as u64);
                        }
                    }
                }
                cuts.push(b.len() as u64);
                runs += 1;
                let scans: Vec<RangeScan> = cuts.windows(2).map(|w| scan_range(&path, w[0], w[1]).unwrap().unwrap()).collect();
                let Some(plan) = plan_ranges(&scans, &o) else { continue };
                let mut records = Vec::new();
                let mut ok = true;
                for (k, w) in cuts.windows(2).enumerate() {
                    match parse_range_streaming(&path, w[0], w[1], &plan[k], &o, 64, |mut p, _| records.append(&mut p)).unwrap() {
                        Ok(end) => {
                            if let Some(next) = plan.get(k + 1) {
                                ok &= (end.origin.as_ref(), end.dollar_ttl) == (next.origin.as_ref(), next.dollar_ttl);
                            }
                        }
                        Err(_) => ok = false,
                    }
                }
                if ok {
                    assert_eq!(records, want.records, "seed {seed}, cuts {cuts:?}\n{text}");
                    alone += 1;
                }
            }
        }
        // The random zones often leave out TTLs and classes (a range
        // whose first records inherit them gives up): not vacuous all the
        // same.
        assert!(alone >= 15, "only {alone} of {runs} cuts were parsed alone");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn chunked_parse_falls_back_when_it_must() {
        let o = opts("example.");
        // A continuation line at column 0 inside parentheses: the chunk
        // before it ends inside the entry.
        let t = "a TXT (\n\"x\"\nb\n)\nc A 192.0.2.1\n";
        assert_eq!(parse_parallel(t.as_bytes(), "t", &o, 1), None);
        // A '$ORIGIN' line inside parentheses is data, not a directive:
        // the pre-scan's prediction for the next chunk is wrong.
        let t = "a 5 TXT ( \"x\"\n$ORIGIN other.\n)\nb A 192.0.2.1\n";
        assert_eq!(parse_parallel(t.as_bytes(), "t", &o, 1), None);
        assert_eq!(parse_sequential(t.as_bytes(), "t", &o).unwrap().records[1].owner, n("b.example."));
        // $INCLUDE anywhere.
        let t = "a A 192.0.2.1\n$INCLUDE other\nb A 192.0.2.2\n";
        assert_eq!(parse_parallel(t.as_bytes(), "t", &o, 1), None);
        // An SOA inheriting a TTL set in an earlier chunk.
        let t = "a 5 A 192.0.2.1\n@ SOA ns host 1 2 3 4 5\n";
        assert_eq!(parse_parallel(t.as_bytes(), "t", &o, 1), None);
        // Inherited TTL and class are filled in across chunks.
        let t = "a 5 CH A 192.0.2.1\nb A 192.0.2.2\nc A 192.0.2.3\n";
        let z = parse_parallel(t.as_bytes(), "t", &o, 1).unwrap().unwrap();
        assert_eq!(z, parse_sequential(t.as_bytes(), "t", &o).unwrap());
        assert!(z.records.iter().all(|r| r.ttl == 5 && r.class == 3));
        // The first error in file order wins, with its line.
        let t = "a 5 A 192.0.2.1\nb A 1.2.3\nc A 9.9.9.9.9\n";
        let e = parse_parallel(t.as_bytes(), "t", &o, 1).unwrap().unwrap_err();
        assert_eq!(e, parse_sequential(t.as_bytes(), "t", &o).unwrap_err());
        assert!(e.to_string().contains(":2:"), "{e}");
    }
    /// RDATA longer than RDLENGTH can say is an error, also when short
    /// text makes it (relative names and a long origin: fuzz target
    /// parse_zone's check that records fit on the wire).
    #[test]
    fn rdata_longer_than_65535_octets() {
        let origin = format!("{}.", vec!["b".repeat(60); 4].join("."));
        let key = "AwEAAbdxyhNuSutc5EMzxTs9LBPCIkOFH8cIvM4p9+LrV4e19WzK00+CI6zBCQTdtWsuxKbWIy87UOoJTwkUs7lBu+Upr1gsNrut79ryra+bSRGQb1slImA8YVJyuIDsj7kwzG7jnERNqnWxZ48AWkskmdHaVDP4BcelrTI3rMXdXF5D";
        let hip = |n: usize| format!("$ORIGIN {origin}\n$TTL 1\nx HIP 2 200100107B1A74DF365639CC39F1D578 {key} {}\n", vec!["a"; n].join(" "));
        // Each rendezvous server name is 247 octets: 264 of them fit.
        let fixed = parse(&hip(0)).records[0].rdata.len();
        assert_eq!(parse(&hip(264)).records[0].rdata.len(), fixed + 264 * 247);
        assert!(fixed + 264 * 247 <= 65535 && fixed + 265 * 247 > 65535);
        let (l, c, r) = perr(hip(265).as_bytes(), &ParseOptions::default());
        assert_eq!((l, c), (3, 7));
        assert_eq!(r, format!("HIP: RDATA of {} octets is longer than 65535 (RFC 1035 §3.2.1)", fixed + 265 * 247));
        // TXT: 257 strings of 255 octets.
        let txt = format!("a. 1 TXT {}\n", vec!["x".repeat(255); 257].join(" "));
        assert!(perr(txt.as_bytes(), &ParseOptions::default()).2.contains("longer than 65535"));
    }

    fn parse(text: &str) -> ParsedZone {
        parse_zone(text.as_bytes(), "test.zone", &ParseOptions::default()).unwrap_or_else(|e| panic!("{e}"))
    }
    fn perr(text: &[u8], o: &ParseOptions) -> (u32, u32, String) {
        match parse_zone(text, "test.zone", o) {
            Err(CoreError::Parse { line, column, reason, .. }) => (line, column, reason),
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn directives_and_names() {
        let z = parse(
            "$ORIGIN example.\n$TTL 1h\n@ IN SOA ns hostmaster 1 2 3 4 5\nwww A 192.0.2.1\n$ORIGIN sub\nx A 192.0.2.2\n\
             $ORIGIN other.test.\n@ 60 A 192.0.2.3\nabs.example. A 192.0.2.4\n",
        );
        assert_eq!(z.origin, Some(n("example.")));
        let owners: Vec<String> = z.records.iter().map(|r| r.owner.to_text()).collect();
        assert_eq!(owners, ["example.", "www.example.", "x.sub.example.", "other.test.", "abs.example."]);
        assert_eq!(z.records.iter().map(|r| r.ttl).collect::<Vec<_>>(), [3600, 3600, 3600, 60, 3600]);
        assert_eq!(z.records[0].rdata[..4], [2, b'n', b's', 7]);
        assert_eq!(z.records.iter().map(|r| r.line).collect::<Vec<_>>(), [3, 4, 6, 8, 9]);
        // $ttl with units; case-insensitive directive
        let z = parse("$origin example.\n$ttl 1d2h\na A 1.2.3.4\n");
        assert_eq!(z.records[0].ttl, 93600);
        // relative name without origin
        let (l, c, r) = perr(b"www 300 A 1.2.3.4\n", &ParseOptions::default());
        assert_eq!((l, c), (1, 1));
        assert!(r.contains("no origin"), "{r}");
        assert!(perr(b"$FOO bar\n", &opts("a.")).2.contains("unknown directive '$FOO'"));
        // $GENERATE (parse/generate.rs): records with the directive's line,
        // not the previous owner of the blank-owner line after.
        let z = parse("$ORIGIN a.\n$TTL 60\nns A 1.1.1.1\n$GENERATE 1-2 h$ A 1.2.3.$\n TXT x\n");
        let got: Vec<(String, u16, u32)> = z.records.iter().map(|r| (r.owner.to_text(), r.rtype, r.line)).collect();
        assert_eq!(got, [("ns.a.".into(), 1, 3), ("h1.a.".into(), 1, 4), ("h2.a.".into(), 1, 4), ("ns.a.".into(), 16, 5)]);
        assert!(perr(b"$GENERATE 1-2 a A\n", &opts("a.")).2.contains("$GENERATE needs a right-hand side"));
        assert!(perr(b"$TTL\n", &opts("a.")).2.contains("$TTL needs"));
        assert!(perr(b"$TTL 1x\n", &opts("a.")).2.contains("bad $TTL '1x'"));
        assert!(perr(b"$ORIGIN a. b.\n", &opts("a.")).2.contains("trailing data 'b.'"));
        let (_, _, r) = perr(b"$INCLUDE x.zone\n", &opts("a."));
        assert_eq!(r, "$INCLUDE is disabled (allow_include=False)");
        // options origin wins; $ORIGIN after the first record does not change zone origin
        let z = parse_zone(b"a 1 A 1.2.3.4\n$ORIGIN b.\nc 1 A 1.2.3.4\n", "t", &opts("x.")).unwrap();
        assert_eq!(z.origin, Some(n("x.")));
        assert_eq!(z.records[1].owner, n("c.b."));
        let z = parse("a. 1 A 1.2.3.4\n$ORIGIN b.\n");
        assert_eq!(z.origin, None);
    }

    #[test]
    fn omitted_owner_ttl_class() {
        let z = parse_zone(
            b"a 300 IN A 1.2.3.4\n  IN 60 A 1.2.3.5\n\t A 1.2.3.6\nb CH 30 TXT x\n  CLASS1 TXT y\n  TYPE1 \\# 4 01020304\n",
            "t",
            &opts("ex."),
        )
        .unwrap();
        let r = &z.records;
        assert_eq!(r.len(), 6);
        assert_eq!((r[1].owner.to_text(), r[1].ttl, r[1].class), ("a.ex.".into(), 60, 1));
        assert_eq!((r[2].owner.to_text(), r[2].ttl), ("a.ex.".into(), 60)); // last stated TTL
        assert_eq!((r[3].class, r[3].ttl), (3, 30));
        assert_eq!((r[4].owner.to_text(), r[4].class, r[4].ttl), ("b.ex.".into(), 1, 30));
        assert_eq!(r[5].rtype, 1);
        // owners that look like numbers or types
        let z = parse_zone(b"300 300 A 1.2.3.4\nA 300 A 1.2.3.4\nIN IN 3 A 1.2.3.4\n  NS ns\n", "t", &opts("ex.")).unwrap();
        let owners: Vec<String> = z.records.iter().map(|r| r.owner.to_text()).collect();
        assert_eq!(owners, ["300.ex.", "A.ex.", "IN.ex.", "IN.ex."]);
        assert_eq!(z.records[3].rtype, rrtype::NS);
        // first record without owner
        let (l, c, r) = perr(b"\n  300 A 1.2.3.4\n", &opts("ex."));
        assert_eq!((l, c), (2, 3));
        assert!(r.contains("no owner"), "{r}");
        // no TTL at all
        let (l, _, r) = perr(b"a A 1.2.3.4\n", &opts("ex."));
        assert_eq!((l, r.as_str()), (1, "no TTL specified and no $TTL"));
        // SOA MINIMUM as default TTL (BIND), then it carries on
        let z = parse_zone(b"@ SOA ns h 1 2 3 4 600\na A 1.2.3.4\nb 7 A 1.2.3.4\nc A 1.2.3.4\n", "t", &opts("ex.")).unwrap();
        assert_eq!(z.records.iter().map(|r| r.ttl).collect::<Vec<_>>(), [600, 600, 7, 7]);
        // $TTL beats last stated TTL; options default_ttl
        let z = parse_zone(b"$TTL 100\na 5 A 1.2.3.4\nb A 1.2.3.4\n", "t", &opts("ex.")).unwrap();
        assert_eq!(z.records[1].ttl, 100);
        let o = ParseOptions { default_ttl: Some(42), ..opts("ex.") };
        assert_eq!(parse_zone(b"a A 1.2.3.4\n", "t", &o).unwrap().records[0].ttl, 42);
        // classes
        assert!(perr(b"a 1 ANY A 1.2.3.4\n", &opts("ex.")).2.contains("class 'ANY'"));
        assert!(perr(b"a 1 IN IN A 1.2.3.4\n", &opts("ex.")).2.contains("IN"));
        let (l, c, r) = perr(b"a 1 IN FOO 1.2.3.4\n", &opts("ex."));
        assert_eq!((l, c, r.as_str()), (1, 8, "unknown RR type 'FOO'"));
        assert!(perr(b"a 1 IN\n", &opts("ex.")).2.contains("missing RR type"));
    }

    #[test]
    fn parens_comments_quotes() {
        let text = b"; header\r\n\r\n@ 3600 IN SOA ( ns.ex. ; primary\r\n   h.ex. ; mailbox\r\n  1 ; serial\r\n  2 3 4 5 )\r\n\
                     t1 TXT \"a;b(c)\" ; comment \"x\"\r\nt2 TXT \"q\\\"uote\" \"\" \"sp ace\"\r\nt3 TXT ( \"multi\"\r\n \"line\" )\r\n\
                     t4 A\t1.2.3.4 ; last line without newline";
        let z = parse_zone(text, "t", &opts("ex.")).unwrap();
        let r = &z.records;
        assert_eq!(r.len(), 5);
        assert_eq!(r[0].line, 3);
        assert_eq!(&r[0].rdata[r[0].rdata.len() - 20..r[0].rdata.len() - 16], &[0, 0, 0, 1]);
        assert_eq!(r[1].rdata, b"\x06a;b(c)");
        assert_eq!(r[2].rdata, b"\x06q\"uote\x00\x06sp ace");
        assert_eq!((r[3].rdata.as_slice(), r[3].line), (&b"\x05multi\x04line"[..], 9));
        assert_eq!((r[4].line, r[4].rdata.as_slice()), (11, &[1u8, 2, 3, 4][..]));
        // record line is the line of its first token even if the entry starts with "("
        let z = parse_zone(b"a 1 TXT x\n\n( b 1 TXT y )\n", "t", &opts("ex.")).unwrap();
        assert_eq!(z.records[1].line, 3);
        // escapes in names and strings
        let z = parse_zone(b"a\\.b\\032c\\(.ex. 1 TXT \\\"x\\059 \"\\255\"\n", "t", &opts("ex.")).unwrap();
        assert_eq!(z.records[0].owner.as_wire(), &b"\x06a.b c(\x02ex\x00"[..]);
        assert_eq!(z.records[0].rdata, b"\x03\"x;\x01\xff");
        // unbalanced parens / quotes report where they opened
        let (l, c, r) = perr(b"a 1 A 1.2.3.4\nb 1 TXT ( x\ny\n", &opts("ex."));
        assert_eq!((l, c), (2, 9));
        assert!(r.contains("unbalanced '('"), "{r}");
        let (l, c, r) = perr(b"a 1 A 1.2.3.4 )\n", &opts("ex."));
        assert_eq!((l, c, r.as_str()), (1, 15, "unbalanced ')'"));
        let (l, c, r) = perr(b"a 1 A 1.2.3.4\nb 1 TXT \"abc\n", &opts("ex."));
        assert_eq!((l, c), (2, 9));
        assert!(r.contains("unterminated quoted string"), "{r}");
        let (l, c, r) = perr(b"a 1 TXT \"abc", &opts("ex."));
        assert_eq!((l, c), (1, 9));
        assert!(r.contains("unterminated"), "{r}");
    }

    #[test]
    fn error_positions() {
        let o = opts("ex.");
        let (l, c, r) = perr(b"a 1 A 1.2.3.4\n\nb 1 IN A 1.2.3\n", &o);
        assert_eq!((l, c, r.as_str()), (3, 10, "A: bad IPv4 address '1.2.3'"));
        let (l, c, r) = perr(b"a 1 MX 10\n", &o);
        assert_eq!((l, c, r.as_str()), (1, 10, "MX: missing exchange"));
        let (l, c, r) = perr(b"a 1 A 1.2.3.4 5.6.7.8\n", &o);
        assert_eq!((l, c, r.as_str()), (1, 15, "A: trailing data '5.6.7.8'"));
        let (l, c, r) = perr(b"a 1 RRSIG A 8 2 300 20200101000000 20190101000000 1 ex. ( AAAA\n  !!!! )\n", &o);
        assert_eq!((l, c, r.as_str()), (1, 59, "RRSIG: signature is not valid base64"));
        let (l, c, _) = perr(b"a 1 TXT \"ok\"\nb 1 NS (\n  ..bad )\n", &o);
        assert_eq!((l, c), (3, 3));
        let (l, _, r) = perr(b"a 1 TYPE1 \\# 5 0102030405\n", &o);
        assert_eq!(l, 1);
        assert!(r.contains("not valid"), "{r}");
        let (_, _, r) = perr(b"a 1 TYPE999 \\# 2 01\n", &o);
        assert!(r.contains("length 2 does not match"), "{r}");
        let e = parse_zone(b"a 1 BOGUS x\n", "f.zone", &o).unwrap_err();
        assert_eq!(e.to_string(), "f.zone:1:5: unknown RR type 'BOGUS'");
    }

    #[test]
    fn include() {
        let dir = std::env::temp_dir().join(format!("zv-inc-{}", std::process::id()));
        let _ = std::fs::create_dir_all(dir.join("sub"));
        std::fs::write(dir.join("main.zone"), "$TTL 60\n$ORIGIN ex.\na A 1.2.3.4\n$INCLUDE sub/inc.zone sub\nb A 1.2.3.5\n  A 1.2.3.6\n").unwrap();
        std::fs::write(dir.join("sub/inc.zone"), "c A 1.2.3.7\n$INCLUDE deeper.zone\n").unwrap();
        std::fs::write(dir.join("sub/deeper.zone"), "@ TXT deep\n").unwrap();
        std::fs::write(dir.join("loop.zone"), "$ORIGIN ex.\n$INCLUDE loop.zone\n").unwrap();
        std::fs::write(dir.join("missing.zone"), "$ORIGIN ex.\n$INCLUDE nothere.zone\n").unwrap();
        let o = ParseOptions { allow_include: true, ..Default::default() };
        let z = parse_zone_file(&dir.join("main.zone"), &o).unwrap();
        let got: Vec<(String, u32)> = z.records.iter().map(|r| (r.owner.to_text(), r.file)).collect();
        assert_eq!(
            got,
            [("a.ex.".into(), 0), ("c.sub.ex.".into(), 1), ("sub.ex.".into(), 2), ("b.ex.".into(), 0), ("b.ex.".into(), 0)]
        );
        assert_eq!(z.files.len(), 3);
        assert!(z.files[1].ends_with("inc.zone") && z.files[2].ends_with("deeper.zone"));
        assert_eq!(z.records[2].line, 1);
        // nested include found relative to the top file's directory (validns issue 36)
        std::fs::write(dir.join("sub/nest.zone"), "$INCLUDE top.inc\n").unwrap();
        std::fs::write(dir.join("top.inc"), "t A 1.2.3.9\n").unwrap();
        std::fs::write(dir.join("nest-main.zone"), "$TTL 1\n$ORIGIN ex.\n$INCLUDE sub/nest.zone\n").unwrap();
        let z = parse_zone_file(&dir.join("nest-main.zone"), &o).unwrap();
        assert_eq!((z.records.len(), z.records[0].file), (1, 2));
        let e = parse_zone_file(&dir.join("loop.zone"), &o).unwrap_err().to_string();
        assert!(e.contains("$INCLUDE loop"), "{e}");
        let e = parse_zone_file(&dir.join("missing.zone"), &o).unwrap_err().to_string();
        assert!(e.contains("nothere.zone") && e.contains(":2:1:"), "{e}");
        let e = parse_zone_file(&dir.join("main.zone"), &ParseOptions::default()).unwrap_err().to_string();
        assert!(e.contains("allow_include=False"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    const SAMPLE: &str = "$ORIGIN example.\n$TTL 3600\n@ IN SOA ns.example. h.example. ( 1 2 3 4 5 )\n  NS ns\n  \
        MX 10 mail\nns A 192.0.2.1\n AAAA 2001:db8::1\nmail TXT \"v=spf1 -all\" ; c\n\
        @ DNSKEY 257 3 8 AwEAAc3H ( xyw= )\n@ RRSIG SOA 8 1 3600 20300101000000 20200101000000 1 example. AAAA\n\
        a\\.b NSEC ns A RRSIG NSEC TYPE65534\n";

    /// Pseudo-random bytes, truncations and mutations must never panic.
    #[test]
    fn no_panic_on_garbage() {
        let mut x: u64 = 0x2545F4914F6CDD1D;
        let mut rnd = || {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (x >> 33) as u32
        };
        let o = ParseOptions { origin: Some(n("example.")), default_ttl: Some(1), allow_include: false };
        assert_eq!(parse_zone(SAMPLE.as_bytes(), "s", &o).unwrap().records.len(), 9);
        let alphabet = b" \t\n\r;()\"\\.@$0123456789abcdefAZ=+/-#:IN";
        for _ in 0..3000 {
            let len = (rnd() % 200) as usize;
            let v: Vec<u8> = (0..len)
                .map(|_| if rnd() % 2 == 0 { rnd() as u8 } else { alphabet[(rnd() as usize) % alphabet.len()] })
                .collect();
            let _ = parse_zone(&v, "g", &o);
        }
        let s = SAMPLE.as_bytes();
        for cut in 0..s.len() {
            let _ = parse_zone(&s[..cut], "t", &o);
            let mut m = s.to_vec();
            let k = (rnd() as usize) % m.len();
            m[k] = rnd() as u8;
            let _ = parse_zone(&m, "m", &o);
        }
        // type mnemonics fed random RDATA tokens
        let toks = ["0", "65535", "1.2.3.4", "::1", ".", "a.", "-", "AAAA", "\\#", "\"x\"", "ff", "(", ")", "1h", "N", "=", "a=b", "\\255"];
        for &(t, _) in rrtype::TYPES {
            for _ in 0..20 {
                let mut line = format!("x 1 {}", rrtype::to_mnemonic(t));
                for _ in 0..(rnd() % 8) {
                    line.push(' ');
                    line.push_str(toks[(rnd() as usize) % toks.len()]);
                }
                let _ = parse_zone(line.as_bytes(), "r", &o);
            }
        }
        // huge tokens and lines, NUL and 0xFF
        let big = vec![b'a'; 1 << 20];
        assert!(parse_zone(&big, "b", &o).is_err());
        let mut l = b"x 1 TXT ".to_vec();
        l.extend(std::iter::repeat_n(b'\xff', 1 << 20));
        assert!(parse_zone(&l, "b", &o).is_err());
        assert!(parse_zone(b"\0\0\0 1 A 1.2.3.4", "b", &o).is_ok());
        assert!(parse_zone(&[b'('; 100000], "b", &o).is_err());
    }

    fn corpus(rel: &str) -> Option<ParsedZone> {
        let p = Path::new("/work/shared/corpus").join(rel);
        if !p.exists() {
            eprintln!("SKIP: corpus file {} is absent", p.display());
            return None;
        }
        Some(parse_zone_file(&p, &ParseOptions::default()).unwrap_or_else(|e| panic!("{e}")))
    }
    fn count(z: &ParsedZone, t: u16) -> usize {
        z.records.iter().filter(|r| r.rtype == t).count()
    }

    #[test]
    fn corpus_root_zone() {
        let Some(z) = corpus("pspacek-dnscache_simulator/root.zone") else { return };
        assert_eq!(count(&z, rrtype::RRSIG), 2950);
        assert_eq!(count(&z, rrtype::SOA), 1);
        assert!(count(&z, rrtype::DS) > 1000);
        assert!(count(&z, rrtype::NSEC) > 1000 && count(&z, rrtype::NSEC) == count(&z, rrtype::NS) - 0 || count(&z, rrtype::NSEC) > 1000);
        assert!(z.records.iter().any(|r| r.rtype == rrtype::DS && r.owner.to_text() == "STAPLES."));
        assert!(z.records.len() > 20000);
    }

    #[test]
    fn corpus_validns() {
        if let Some(z) = corpus("validns/t/zones/example.sec.signed") {
            assert_eq!(count(&z, rrtype::RRSIG), 312);
            let ipk: Vec<&Record> = z.records.iter().filter(|r| r.rtype == 45).collect();
            assert!(ipk.iter().any(|r| r.rdata == [10, 0, 0]), "IPSECKEY ( 10 0 0 . ) edge case");
            assert!(count(&z, 59) > 0 && count(&z, 60) > 0);
        }
        if let Some(z) = corpus("validns/t/issues/lots-of-rare-rrs/all.rr.org") {
            assert_eq!(count(&z, rrtype::RRSIG), 46);
            assert!(z.records.len() > 80);
        }
    }

    #[test]
    fn corpus_validns_include() {
        let p = Path::new("/work/shared/corpus/validns/t/issues/36-include/include.zone");
        if !p.exists() {
            eprintln!("SKIP: corpus file {} is absent", p.display());
            return;
        }
        let o = ParseOptions { allow_include: true, ..Default::default() };
        let z = parse_zone_file(p, &o).unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<(String, u16, u32)> = z.records.iter().map(|r| (r.owner.to_text(), r.rtype, r.file)).collect();
        let want: Vec<(String, u16, u32)> = [
            ("example.com.", 6, 0),
            ("example.com.", 2, 0),
            ("inc1.example.com.", 1, 1),
            ("inc1.example.com.", 28, 1),
            ("example.com.", 1, 0),
        ]
        .iter()
        .map(|&(a, b, c)| (a.to_string(), b, c))
        .collect();
        // inc2.inc holds records too; check the ones around it
        assert_eq!(got.first(), want.first());
        assert!(got.contains(&want[2]) && got.contains(&want[3]));
        assert_eq!(got.last(), want.last());
        assert_eq!(z.files.len(), 3);
        let e = parse_zone_file(&p.with_file_name("missing-include.zone"), &o).unwrap_err().to_string();
        assert!(e.contains("nosuch.inc"), "{e}");
    }

    /// Timing of a synthetic 1M-delegation signed-TLD-like zone:
    /// `cargo test --release perf_1m -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn perf_1m_delegations() {
        let mut t = Vec::with_capacity(400 << 20);
        t.extend_from_slice(b"$ORIGIN tld.\n$TTL 86400\n@ SOA ns1.nic hostmaster 1 1800 900 604800 86400\n");
        let sig = "oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTrPYGv07h108dUKGMeDPKijVCHX3DDKdfb+v6oB9wfuh3DTJXUAfI/M0zmO/zz8bW0Rznl8O3tGNazPwQKkRN20XPXV6nwwfoXmJQbsLNrLfkGJ5D6fwFm8nN+6pBzeDQfsS3Ap3o=";
        for i in 0..1_000_000u32 {
            use std::io::Write;
            let _ = write!(
                t,
                "dom{i} NS ns1.dom{i}\n NS ns2.example.net.\n DS 12345 8 2 ( 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE\n 7BCC7E0D0C8E1B2B3C4D5E6F )\n                  RRSIG DS 8 2 86400 20300101000000 20200101000000 4242 tld. ( {sig} )\n NSEC dom{}.tld. NS DS RRSIG NSEC\n",
                i + 1
            );
        }
        let o = ParseOptions::default();
        let start = std::time::Instant::now();
        let z = parse_zone(&t, "perf", &o).unwrap();
        let el = start.elapsed();
        if let Ok(root) = std::fs::read("/work/shared/corpus/pspacek-dnscache_simulator/root.zone") {
            let s2 = std::time::Instant::now();
            for _ in 0..10 {
                let _ = parse_zone(&root, "root", &o);
            }
            println!("root.zone x10: {:?}", s2.elapsed());
        }
        println!("{} MB, {} records in {:?} ({:.0} records/s)", t.len() >> 20, z.records.len(), el, z.records.len() as f64 / el.as_secs_f64());
    }

    /// Parses every *.zone / *.signed file of the corpus and prints the
    /// failures (a survey, not an assertion): `cargo test corpus_survey -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn corpus_survey() {
        let root = Path::new("/work/shared/corpus");
        let mut stack = vec![root.to_path_buf()];
        let (mut ok, mut bad) = (0, 0);
        while let Some(d) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else { continue };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "zone" || x == "signed") {
                    match parse_zone_file(&p, &ParseOptions::default()) {
                        Ok(z) => {
                            ok += 1;
                            println!("OK   {} ({} records)", p.display(), z.records.len());
                        }
                        Err(e) => {
                            // Retry as the zone's own tool would load it: with
                            // an origin (pdns `config`, else the file stem)
                            // and $INCLUDE allowed.
                            let cfg = p.parent().map(|d| d.join("config"));
                            let from_cfg = cfg
                                .and_then(|c| std::fs::read_to_string(c).ok())
                                .and_then(|t| t.lines().find_map(|l| l.strip_prefix("origin=").map(str::to_string)));
                            let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                            let guess = from_cfg.unwrap_or(stem);
                            let o = ParseOptions {
                                origin: Name::from_text(&format!("{}.", guess.trim_end_matches('.')), None).ok(),
                                default_ttl: None,
                                allow_include: true,
                            };
                            match parse_zone_file(&p, &o) {
                                Ok(z) => {
                                    ok += 1;
                                    println!("OK*  {} ({} records; origin {:?} + includes needed; default options: {e})", p.display(), z.records.len(), guess);
                                }
                                Err(e2) => {
                                    bad += 1;
                                    println!("FAIL {e}\n     retry with origin {guess:?} + includes: {e2}");
                                }
                            }
                        }
                    }
                }
            }
        }
        println!("survey: {ok} parsed, {bad} failed");
    }
}

//! RFC 1035 §5 master-file parser.
//!
//! The tokenizer works directly on the input bytes: a token is a byte range
//! ([`Tok`]) into the source, gathered per entry (one logical line, with
//! parentheses joining physical lines) into a reused vector. Escapes are
//! decoded only where a field needs them. `$INCLUDE` uses an explicit stack
//! of open files, never recursion.

use crate::error::CoreError;
use crate::name::Name;
use crate::rdata::{self, show, Tok};
use crate::record::Record;
use crate::rrtype;
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
#[derive(Debug, Default)]
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
                b' ' | b'\t' | b'\r' => self.pos += 1,
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
                    while let Some(&b) = src.get(i) {
                        match b {
                            b' ' | b'\t' | b'\r' | b'\n' | b';' | b'(' | b')' | b'"' => break,
                            b'\\' => {
                                i += if matches!(src.get(i + 1), None | Some(b'\n')) { 1 } else { 2 };
                            }
                            _ => i += 1,
                        }
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
    /// Handles one entry. Errors are (line, column, reason) in this file.
    fn entry(&mut self, src: &[u8], toks: &[Tok], leading_ws: bool, file_idx: u32) -> Result<Action, LexErr> {
        let Some(first) = toks.first() else { return Ok(Action::None) };
        let err = |t: &Tok, msg: String| -> LexErr { (t.line, t.col, msg) };
        let t0 = tok_text(src, first);
        if !leading_ws && !first.quoted && t0.first() == Some(&b'$') {
            return self.directive(src, toks);
        }
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
            Name::from_text_bytes(t0, self.origin.as_ref())
                .map_err(|e| err(first, format!("bad owner name '{}': {e}", lossy(t0))))?
        };
        let mut ttl: Option<u32> = None;
        let mut class: Option<u16> = None;
        let mut rtype: Option<u16> = None;
        while let Some(t) = toks.get(i) {
            let s = tok_text(src, t);
            if t.quoted {
                return Err(err(t, format!("expected an RR type, TTL or class, found quoted string \"{}\"", lossy(s))));
            }
            if let Some(v) = std::str::from_utf8(s).ok().and_then(rrtype::from_mnemonic) {
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
        let class = class.unwrap_or(self.last_class);
        let rtoks = toks.get(i..).unwrap_or(&[]);
        self.rdata_buf.clear();
        if let Err(e) = rdata::parse_rdata(rtype, src, rtoks, self.origin.as_ref(), &mut self.rdata_buf) {
            let (l, c) = match rtoks.get(e.tok) {
                Some(t) => (t.line, t.col),
                None => end_pos(toks),
            };
            return Err((l, c, e.reason));
        }
        let ttl = match ttl {
            Some(t) => {
                self.last_ttl = Some(t);
                t
            }
            None => match (self.dollar_ttl, self.last_ttl) {
                (Some(t), _) | (None, Some(t)) => t,
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

    fn directive(&mut self, src: &[u8], toks: &[Tok]) -> Result<Action, LexErr> {
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
            if self.records.is_empty() {
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
            Err(err(first, "$GENERATE is not supported".into()))
        } else {
            Err(err(first, format!("unknown directive '{}'", lossy(d))))
        }
    }
}

/// Parses zone text. `filename` is used in error messages only (and as the
/// base directory of relative `$INCLUDE` paths).
pub fn parse_zone(text: &[u8], filename: &str, opts: &ParseOptions) -> Result<ParsedZone, CoreError> {
    let top_path = std::fs::canonicalize(filename).ok();
    parse_with(Cow::Borrowed(text), filename, top_path, opts)
}

fn parse_with(text: Cow<'_, [u8]>, filename: &str, top_path: Option<PathBuf>, opts: &ParseOptions) -> Result<ParsedZone, CoreError> {
    let mut st = State {
        opts,
        origin: opts.origin.clone(),
        zone_origin: None,
        last_owner: None,
        last_class: rrtype::CLASS_IN,
        dollar_ttl: opts.default_ttl,
        last_ttl: None,
        records: Vec::with_capacity(text.len() / 64),
        files: vec![filename.to_string()],
        rdata_buf: Vec::with_capacity(512),
    };
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
            let full = if p.is_absolute() { p.to_path_buf() } else { base.join(p) };
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
    let text = std::fs::read(path).map_err(|e| CoreError::Io {
        file: path.display().to_string(),
        reason: e.to_string(),
    })?;
    parse_zone(&text, &path.display().to_string(), opts)
}

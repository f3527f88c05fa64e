//! The octets a part of a zone checked on a worker travels in
//! ([`super::parts`]): the apex's records to the workers, each part's
//! [`Part`] back to the client. A plain length-prefixed encoding of the
//! checks' own structures, field by field, little-endian; decoding checks
//! every length against what is left and fails with a reason, never
//! panics or allocates more than the input's size allows.

use std::collections::HashMap;

use crate::checks::denial::{ChainSummary, HashedName, NameHasher, Nsec3Note, Nsec3Shard, Nsec3Summary, ShardName, ShardOut};
use crate::checks::expect::{Forbidden, Place, Signing, Tally};
use crate::checks::findings::{Code, Finding, Severity};
use crate::checks::{Downgrade, NodeFindings};
use crate::dns::name::Name;
use crate::dns::record::Record;
use crate::pipeline::names::{Kept, Part};
use crate::report::NameTable;
use crate::sig::columns::RrsigColumns;

/// Where decoding stands in the input.
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.buf.len() {
            return Err(format!("truncated: {n} octets wanted, {} left", self.buf.len()));
        }
        let (a, b) = self.buf.split_at(n);
        self.buf = b;
        Ok(a)
    }

    /// A count of items that each take at least one octet.
    fn count(&mut self) -> Result<usize, String> {
        let n = u64::get(self)? as usize;
        if n > self.buf.len() {
            return Err(format!("a count of {n} with {} octets left", self.buf.len()));
        }
        Ok(n)
    }

    /// Whether everything was read.
    pub fn end(&self) -> Result<(), String> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(format!("{} octets left over", self.buf.len()))
        }
    }
}

/// A value that can be put into octets and read back.
pub trait Wire: Sized {
    fn put(&self, out: &mut Vec<u8>);
    fn get(r: &mut Reader<'_>) -> Result<Self, String>;
}

/// Encodes one value.
pub fn encode<T: Wire>(v: &T) -> Vec<u8> {
    let mut out = Vec::new();
    v.put(&mut out);
    out
}

/// Decodes one value that is the whole of `buf`.
pub fn decode<T: Wire>(buf: &[u8]) -> Result<T, String> {
    let mut r = Reader::new(buf);
    let v = T::get(&mut r)?;
    r.end()?;
    Ok(v)
}

macro_rules! int {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            fn put(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(r: &mut Reader<'_>) -> Result<Self, String> {
                let b = r.take(std::mem::size_of::<$t>())?;
                Ok(<$t>::from_le_bytes(b.try_into().map_err(|_| "short integer".to_string())?))
            }
        }
    )*};
}
int!(u8, u16, u32, u64, u128, i64, f64);

impl Wire for usize {
    fn put(&self, out: &mut Vec<u8>) {
        (*self as u64).put(out)
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        usize::try_from(u64::get(r)?).map_err(|_| "a size too large for this machine".to_string())
    }
}

impl Wire for bool {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(*self as u8)
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        match u8::get(r)? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(format!("{b} is not a boolean")),
        }
    }
}

impl<T: Wire> Wire for Vec<T> {
    fn put(&self, out: &mut Vec<u8>) {
        (self.len() as u64).put(out);
        for v in self {
            v.put(out);
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        let n = r.count()?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(T::get(r)?);
        }
        Ok(v)
    }
}

impl<T: Wire> Wire for Option<T> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                v.put(out);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        Ok(if bool::get(r)? { Some(T::get(r)?) } else { None })
    }
}

impl<A: Wire, B: Wire> Wire for (A, B) {
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
        self.1.put(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        Ok((A::get(r)?, B::get(r)?))
    }
}

impl<A: Wire, B: Wire, C: Wire> Wire for (A, B, C) {
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
        self.1.put(out);
        self.2.put(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        Ok((A::get(r)?, B::get(r)?, C::get(r)?))
    }
}

impl Wire for [u8; 20] {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self)
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        r.take(20)?.try_into().map_err(|_| "short hash".to_string())
    }
}

impl Wire for String {
    fn put(&self, out: &mut Vec<u8>) {
        (self.len() as u64).put(out);
        out.extend_from_slice(self.as_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        let n = r.count()?;
        String::from_utf8(r.take(n)?.to_vec()).map_err(|_| "text that is not UTF-8".to_string())
    }
}

impl Wire for Name {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_wire())
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        let (n, len) = Name::from_wire(r.buf).ok_or("a name that cannot be decoded")?;
        r.take(len)?;
        Ok(n)
    }
}

impl Wire for Code {
    fn put(&self, out: &mut Vec<u8>) {
        (Code::ALL.iter().position(|c| c == self).unwrap_or(0) as u16).put(out)
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        let i = u16::get(r)?;
        Code::ALL.get(i as usize).copied().ok_or_else(|| format!("finding code {i} is unknown"))
    }
}

impl Wire for Severity {
    fn put(&self, out: &mut Vec<u8>) {
        (*self == Severity::Error).put(out)
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        Ok(if bool::get(r)? { Severity::Error } else { Severity::Warning })
    }
}

impl Wire for NameHasher {
    fn put(&self, out: &mut Vec<u8>) {
        for k in self.keys() {
            k.put(out);
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        Ok(NameHasher::with_keys([u64::get(r)?, u64::get(r)?, u64::get(r)?, u64::get(r)?]))
    }
}

impl Wire for HashMap<(u16, u8), i64> {
    fn put(&self, out: &mut Vec<u8>) {
        let mut v: Vec<((u16, u8), i64)> = self.iter().map(|(&k, &e)| (k, e)).collect();
        v.sort_unstable();
        v.put(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        Ok(Vec::<((u16, u8), i64)>::get(r)?.into_iter().collect())
    }
}

/// A structure put field by field, in the order given (the names `Wire`
/// and `Reader` must be in scope where it is used).
macro_rules! fields {
    ($t:ident { $($f:ident),* $(,)? }) => {
        impl Wire for $t {
            fn put(&self, out: &mut Vec<u8>) {
                $( self.$f.put(out); )*
            }
            fn get(r: &mut Reader<'_>) -> Result<Self, String> {
                Ok($t { $( $f: Wire::get(r)?, )* })
            }
        }
    };
}

pub(crate) use fields;

fields!(Record { owner, rtype, class, ttl, rdata, line, file });
fields!(Finding { code, severity, owner, rtype, key_tag, file, line, reason });
fields!(Downgrade { row, code, note });
fields!(ChainSummary { owners, nexts, links, wraps, broken });
fields!(Place { name, rtype, file, line });
fields!(Signing { tag, alg, total, missing, first });
fields!(Forbidden { tag, rows, first });
fields!(Tally { signing, forbidden, prepublished, downgraded });
fields!(NodeFindings { structure, duplicates, ds, completeness, ttls, nsec, downgraded, chain, expect });
fields!(HashedName { hash, types, owns_rrsig, signed, may_opt_out, ent });
fields!(Nsec3Note { hash, next, opt_out, types, lists_rrsig });
fields!(Nsec3Summary { iterations, salt, ttl, max_hashes, types, names, records, ents, ent_below });
fields!(NameTable { text, start });
fields!(RrsigColumns { type_covered, algorithm, key_tag, inception, expiration, status, reasons, rows, now, earliest });
fields!(Kept { records, rrsig_record, covered, status, row, duplicates });
fields!(Part { apex_kept, nsec3, found, names, owner, line, file, cols, records, seconds, tops, hashed, sharded });
fields!(ShardName { hash, types, owns_rrsig, signed, may_opt_out, ent });
fields!(Nsec3Shard { names, records, ent_below, tops, hashed });
fields!(ShardOut { first, last_next, last_opt_out, needed, pending, names });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_back_and_bad_input_is_an_error() {
        let r = Record { owner: Name::from_text("a.example.", None).unwrap(), rtype: 1, class: 1, ttl: 60, rdata: vec![1, 2, 3, 4], line: 7, file: 0 };
        let v: Vec<(Option<Record>, String)> = vec![(Some(r.clone()), "x".into()), (None, String::new())];
        let bytes = encode(&v);
        let back: Vec<(Option<Record>, String)> = decode(&bytes).unwrap();
        assert_eq!(back[0].0.as_ref(), Some(&r));
        assert_eq!(back[0].1, "x");
        assert!(back[1].0.is_none());
        // Every truncation, and trailing octets, are errors.
        for n in 0..bytes.len() {
            assert!(decode::<Vec<(Option<Record>, String)>>(&bytes[..n]).is_err(), "{n}");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(decode::<Vec<(Option<Record>, String)>>(&long).is_err());
        // A huge count allocates nothing.
        assert!(decode::<Vec<u64>>(&u64::MAX.to_le_bytes()).is_err());
        let f = Finding { code: Code::ALL[3], severity: Severity::Warning, owner: Name::root(), rtype: 2, key_tag: Some(9), file: 0, line: 4, reason: "r".into() };
        let g: Finding = decode(&encode(&f)).unwrap();
        assert_eq!((g.code, g.severity, g.key_tag, g.line, g.reason), (f.code, f.severity, f.key_tag, f.line, f.reason));
    }
}

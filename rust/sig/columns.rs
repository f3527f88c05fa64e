//! The per-RRSIG result columns, shared by the zone report and the batch
//! API's outcome.

use crate::dns::canon::Rrsig;
use crate::sig::status::Status;

/// One row per RRSIG: its fields (zero where the RDATA cannot be decoded),
/// its [`Status`], and the reason of every row that is not valid. Shared by
/// the zone [`Report`] and the batch API's outcome.
#[derive(Clone, Debug, Default)]
pub struct RrsigColumns {
    pub type_covered: Vec<u16>,
    pub algorithm: Vec<u8>,
    pub key_tag: Vec<u16>,
    pub inception: Vec<u32>,
    pub expiration: Vec<u32>,
    pub status: Vec<u8>,
    /// (row, reason) for every row whose status is not `Valid`, row order.
    pub reasons: Vec<(u32, String)>,
    /// When not every row's columns were kept: the rows that were (those
    /// not valid), ascending. `status` and `algorithm` then still hold
    /// every row; the other columns, and the report's owner, line and file
    /// columns, only these.
    pub rows: Option<Vec<u32>>,
    /// With [`RrsigColumns::tracking_expirations`]: the verification time,
    /// and per key (tag, algorithm) the earliest expiration of its RRSIGs
    /// as seconds since 1970 (RFC 1982 around that time), every row's,
    /// sparse or not (the metrics' figure).
    pub now: Option<u64>,
    pub earliest: std::collections::HashMap<(u16, u8), i64>,
}

impl RrsigColumns {
    pub fn with_capacity(n: usize) -> RrsigColumns {
        RrsigColumns {
            type_covered: Vec::with_capacity(n),
            algorithm: Vec::with_capacity(n),
            key_tag: Vec::with_capacity(n),
            inception: Vec::with_capacity(n),
            expiration: Vec::with_capacity(n),
            status: Vec::with_capacity(n),
            reasons: Vec::new(),
            rows: None,
            now: None,
            earliest: Default::default(),
        }
    }

    /// The same, noting each key's earliest expiration read around `now`.
    pub fn tracking_expirations(mut self, now: u64) -> RrsigColumns {
        self.now = Some(now);
        self
    }

    fn note_expiration(&mut self, sig: Option<&Rrsig<'_>>) {
        if let (Some(now), Some(s)) = (self.now, sig) {
            let t = crate::dns::serial::rrsig_epoch(s.expiration, now);
            self.earliest.entry((s.key_tag, s.algorithm)).and_modify(|e| *e = (*e).min(t)).or_insert(t);
        }
    }

    /// `(key_tag, algorithm, earliest expiration)`, sorted.
    pub fn earliest_expirations(&self) -> Vec<(u16, u8, i64)> {
        let mut v: Vec<(u16, u8, i64)> = self.earliest.iter().map(|(&(t, a), &e)| (t, a, e)).collect();
        v.sort_unstable();
        v
    }

    /// Appends one row.
    pub fn push(&mut self, sig: Option<&Rrsig<'_>>, st: Status, why: Option<String>) {
        self.note_expiration(sig);
        let row = self.status.len() as u32;
        self.type_covered.push(sig.map_or(0, |s| s.type_covered));
        self.algorithm.push(sig.map_or(0, |s| s.algorithm));
        self.key_tag.push(sig.map_or(0, |s| s.key_tag));
        self.inception.push(sig.map_or(0, |s| s.inception));
        self.expiration.push(sig.map_or(0, |s| s.expiration));
        self.status.push(st as u8);
        if st != Status::Valid {
            self.reasons.push((row, why.unwrap_or_default()));
        }
    }

    /// Appends one row, its columns kept only if it is not valid (starts
    /// [`RrsigColumns::rows`]). Returns whether they were.
    pub fn push_sparse(&mut self, sig: Option<&Rrsig<'_>>, st: Status, why: Option<String>) -> bool {
        self.note_expiration(sig);
        let row = self.status.len() as u32;
        self.algorithm.push(sig.map_or(0, |s| s.algorithm));
        self.status.push(st as u8);
        let rows = self.rows.get_or_insert_with(Vec::new);
        if st == Status::Valid {
            return false;
        }
        rows.push(row);
        self.type_covered.push(sig.map_or(0, |s| s.type_covered));
        self.key_tag.push(sig.map_or(0, |s| s.key_tag));
        self.inception.push(sig.map_or(0, |s| s.inception));
        self.expiration.push(sig.map_or(0, |s| s.expiration));
        self.reasons.push((row, why.unwrap_or_default()));
        true
    }

    /// Keeps the columns of the rows not valid only (see
    /// [`RrsigColumns::rows`]); `others` are the report's own columns of
    /// the same rows, compacted alike.
    pub fn keep_rows_with_reasons(&mut self, others: &mut [&mut Vec<u32>]) {
        if self.rows.is_some() {
            return;
        }
        let rows: Vec<u32> = self.reasons.iter().map(|r| r.0).collect();
        fn pick<T: Copy>(v: &mut Vec<T>, rows: &[u32]) {
            *v = rows.iter().map(|&r| v[r as usize]).collect();
        }
        pick(&mut self.type_covered, &rows);
        pick(&mut self.key_tag, &rows);
        pick(&mut self.inception, &rows);
        pick(&mut self.expiration, &rows);
        for o in others {
            pick(o, &rows);
        }
        self.rows = Some(rows);
    }

    /// Appends the rows of `o`, columns made the same way (every row's or
    /// sparse), its rows numbered after these.
    pub fn append(&mut self, o: RrsigColumns) {
        let base = self.status.len() as u32;
        self.type_covered.extend(o.type_covered);
        self.algorithm.extend(o.algorithm);
        self.key_tag.extend(o.key_tag);
        self.inception.extend(o.inception);
        self.expiration.extend(o.expiration);
        self.status.extend(o.status);
        self.reasons.extend(o.reasons.into_iter().map(|(r, w)| (r + base, w)));
        if let Some(rows) = o.rows {
            self.rows.get_or_insert_with(Vec::new).extend(rows.into_iter().map(|r| r + base));
        }
        self.now = self.now.or(o.now);
        for (k, e) in o.earliest {
            self.earliest.entry(k).and_modify(|x| *x = (*x).min(e)).or_insert(e);
        }
    }

    pub fn len(&self) -> usize {
        self.status.len()
    }

    pub fn is_empty(&self) -> bool {
        self.status.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_earliest_expiration_per_key_is_read_around_now_sparse_or_not() {
        // 2105-12-01 and 60 days later, past 2^32 seconds (2106-02-07).
        let now = 4_289_155_200u64;
        let later = now + 60 * 86400;
        let sig = |tag: u16, alg: u8, exp: u64| Rrsig {
            type_covered: 1,
            algorithm: alg,
            labels: 1,
            original_ttl: 60,
            expiration: exp as u32,
            inception: 0,
            key_tag: tag,
            signer: b"\0",
            header: &[],
            signature: &[],
        };
        let mut c = RrsigColumns::default().tracking_expirations(now);
        c.push_sparse(Some(&sig(7, 13, later)), Status::Valid, None);
        c.push_sparse(Some(&sig(7, 13, now - 10)), Status::Expired, None);
        c.push(Some(&sig(9, 8, later)), Status::Valid, None);
        c.push_sparse(None, Status::Malformed, None);
        assert_eq!(c.earliest_expirations(), vec![(7, 13, now as i64 - 10), (9, 8, later as i64)]);
        assert!(RrsigColumns::default().earliest_expirations().is_empty());
    }
}

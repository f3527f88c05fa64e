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
        }
    }

    /// Appends one row.
    pub fn push(&mut self, sig: Option<&Rrsig<'_>>, st: Status, why: Option<String>) {
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

    pub fn len(&self) -> usize {
        self.status.len()
    }

    pub fn is_empty(&self) -> bool {
        self.status.is_empty()
    }
}

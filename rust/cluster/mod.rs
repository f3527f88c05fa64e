//! The work a cluster's workers do for one large zone (`zoneverify check
//! --dask`): the public-key operations, which are nearly all of a run's
//! cost, spread over machines; the verdict still made by one run of the
//! ordinary pipeline over the whole file.
//!
//! ```text
//! client: split::points (byte ranges of the file, cut where an owner name
//!         starts) and split::apex_keys (the apex's DNSKEYs, from the file's
//!         first part)
//!   └─► workers, one task per range: prepass::run parses the range,
//!         verifies every RRSIG in it against the apex's keys, and sends
//!         back the verified-signature cache entries of the successes
//!         (32 octets each, keyed with a secret made for this run)
//!   └─► client: the whole zone through the ordinary pipeline with an
//!         in-memory cache that knows those entries
//!         (sig::cache::Cache::in_memory): every check, every RRSIG's
//!         status and reason, as on one machine; a public-key operation is
//!         skipped only where a worker did exactly that operation (same
//!         key, same signed data, same signature) and it succeeded
//! ```
//!
//! Why the verdict cannot differ from a single machine's: the final run is
//! the single-machine run, and an entry only ever stands for "this key
//! verified this signature over these octets" (the cache's own guarantee).
//! A range that a worker parses differently from the whole file (a cut
//! inside an owner name's records, `$ORIGIN` or `$TTL` changes the range
//! does not see, a cut inside parentheses) only yields entries that the
//! final run never looks up, so those signatures are verified again there:
//! slower, never different. A worker that dies takes nothing with it: its
//! task runs again elsewhere, or its range is verified by the final run.

pub mod parts;
pub mod prepass;
pub mod split;
pub mod wire;

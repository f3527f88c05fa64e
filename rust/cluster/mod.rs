//! The work a cluster's workers do for one large zone (`zoneverify check
//! --dask`): the zone checked in parts, each byte range of the file
//! parsed, verified and checked by name on a worker and the parts joined
//! on the client ([`parts`]); where that cannot be shown to give the single
//! machine's report, the fallback: the public-key operations spread over
//! the workers ([`prepass`]) and the verdict made by one run of the
//! ordinary pipeline over the whole file.
//!
//! ```text
//! client: split::points (byte ranges of the file, cut between subtrees or
//!         at least where an owner name starts) and split::apex_run (the
//!         apex's first run, from the file's first part)
//!   └─► parts: scan, plan, check per range on the workers, join here
//!   └─► or, the fallback:
//!       workers, one task per range: prepass::run parses the range,
//!         verifies every RRSIG in it against the apex's keys, and sends
//!         back the verified-signature cache entries of the successes
//!         (32 octets each, keyed with a secret made for this run)
//!       client: the whole zone through the ordinary pipeline with an
//!         in-memory cache that knows those entries
//!         (sig::cache::Cache::in_memory): every check, every RRSIG's
//!         status and reason, as on one machine; a public-key operation is
//!         skipped only where a worker did exactly that operation (same
//!         key, same signed data, same signature) and it succeeded
//! ```
//!
//! Why the fallback's verdict cannot differ from a single machine's: the
//! final run is the single-machine run, and an entry only ever stands for
//! "this key verified this signature over these octets" (the cache's own
//! guarantee). A range that a worker parses differently from the whole
//! file only yields entries that the final run never looks up, so those
//! signatures are verified again there: slower, never different. A worker
//! that dies takes nothing with it: its task runs again elsewhere. Why the
//! parts' cannot: see [`parts`].

pub mod parts;
pub mod prepass;
pub mod split;
pub mod wire;

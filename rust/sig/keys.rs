//! The DNSKEYs an RRSIG may name, and the verdict of the public-key
//! operation over them (RFC 4035 §5.3.1, RFC 5011 §2.1).

use std::collections::HashMap;

use crate::dns::canon::Rrsig;
use crate::dns::rrtype;
use crate::dns::serial::{self, Window};
use crate::sig::cache::Cache;
use crate::sig::crypto::{self, KeyError};
use crate::sig::profile::Profile;
use crate::sig::status::Status;

/// The DNSKEYs an RRSIG may name, each parsed once, indexed by (algorithm,
/// key tag).
pub struct Keys<'a> {
    keys: Vec<&'a crypto::Dnskey>,
    by_tag: HashMap<(u8, u16), Vec<u32>>,
    /// The verified-signature cache, if the run has one.
    cache: Option<&'a Cache>,
}

impl<'a> Keys<'a> {
    pub fn new<I: IntoIterator<Item = &'a crypto::Dnskey>>(keys: I) -> Keys<'a> {
        let keys: Vec<&crypto::Dnskey> = keys.into_iter().collect();
        let mut by_tag: HashMap<(u8, u16), Vec<u32>> = HashMap::new();
        for (i, k) in keys.iter().enumerate() {
            by_tag.entry((k.algorithm, k.key_tag)).or_default().push(i as u32);
        }
        Keys { keys, by_tag, cache: None }
    }

    /// The same keys, with the run's verified-signature cache.
    pub fn with_cache(mut self, cache: Option<&'a Cache>) -> Keys<'a> {
        self.cache = cache;
        self
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&'a crypto::Dnskey> {
        self.keys.get(i).copied()
    }

    /// Indices of the keys with this algorithm and key tag.
    pub fn candidates(&self, algorithm: u8, key_tag: u16) -> &[u32] {
        self.by_tag.get(&(algorithm, key_tag)).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// The status of an RRSIG whose signer, owner and labels have been checked:
/// tries every candidate key (RFC 4035 §5.3.1: same algorithm and key tag,
/// Zone Key flag, protocol 3; RFC 5011 §2.1: a revoked key only for the
/// DNSKEY RRset), then compares `now` with the validity window. `data`
/// builds the signed data the first time a usable key needs it.
pub fn crypto_verdict<'d>(
    keys: &Keys<'_>,
    sig: &Rrsig<'_>,
    now: u64,
    prof: Option<&Profile>,
    data: impl FnOnce() -> &'d [u8],
) -> (Status, Option<String>) {
    crypto_verdict_among(keys, keys.candidates(sig.algorithm, sig.key_tag), sig, now, prof, data)
}

/// [`crypto_verdict`] over an explicit list of candidate key indices.
pub fn crypto_verdict_among<'d>(
    keys: &Keys<'_>,
    cands: &[u32],
    sig: &Rrsig<'_>,
    now: u64,
    prof: Option<&Profile>,
    data: impl FnOnce() -> &'d [u8],
) -> (Status, Option<String>) {
    let alg = sig.algorithm;
    let tag = sig.key_tag;
    let algname = crypto::algorithm_name(alg);
    let mut usable = 0usize;
    let mut rejected: Option<String> = None;
    let mut unsupported: Option<(Status, String)> = None;
    let mut data = Some(data);
    let mut signed: &[u8] = &[];
    for &k in cands {
        let Some(key) = keys.get(k as usize) else { continue };
        if key.algorithm != alg || key.key_tag != tag {
            rejected = Some(format!(
                "DNSKEY {} ({}) is not the key the RRSIG names (key tag {tag}, {algname})",
                key.key_tag,
                crypto::algorithm_name(key.algorithm)
            ));
            continue;
        }
        if !key.is_zone_key() {
            rejected = Some(format!("DNSKEY {tag} does not have the Zone Key flag (flags {})", key.flags));
            continue;
        }
        if key.protocol != 3 {
            rejected = Some(format!("DNSKEY {tag} has protocol {}, not 3", key.protocol));
            continue;
        }
        // RFC 5011 §2.1: a revoked key may only be used to validate the
        // RRSIG it made over the DNSKEY RRset.
        if key.is_revoked() && sig.type_covered != rrtype::DNSKEY {
            rejected = Some(format!(
                "DNSKEY {tag} has the REVOKE flag: it may sign only the DNSKEY RRset (RFC 5011 §2.1)"
            ));
            continue;
        }
        let pk = match &key.key {
            Ok(pk) => pk,
            Err(KeyError::UnsupportedAlgorithm(a)) => {
                unsupported = Some((
                    Status::UnsupportedAlgorithm,
                    format!("algorithm {a} ({}) is not supported: this RRSIG was not verified", crypto::algorithm_name(*a)),
                ));
                continue;
            }
            Err(KeyError::UnsupportedKey(why)) => {
                unsupported = Some((
                    Status::UnsupportedKey,
                    format!("DNSKEY {tag} ({algname}): {why}; this RRSIG was not verified"),
                ));
                continue;
            }
            Err(KeyError::Malformed(why)) => {
                rejected = Some(format!("DNSKEY {tag} ({algname}) is malformed: {why}"));
                continue;
            }
        };
        usable += 1;
        if let Some(build) = data.take() {
            signed = build();
        }
        let verify = || {
            let t = Profile::start(prof);
            let good = pk.verify(signed, sig.signature);
            Profile::add_crypto(prof, alg, t);
            good
        };
        let good = match keys.cache {
            // A hit skips only the public-key operation; the window and
            // every other check below and after run as without it.
            Some(c) => {
                let t = Profile::start(prof);
                let e = c.entry(&key.rdata_sha256, signed, sig.signature);
                let hit = c.contains(&e);
                Profile::add_cache(prof, t);
                let good = hit || {
                    c.verified(&e);
                    verify()
                };
                if good {
                    c.succeeded(e, hit);
                }
                good
            }
            None => verify(),
        };
        if good {
            return match serial::window(sig.inception, sig.expiration, now) {
                Window::Valid => (Status::Valid, None),
                Window::Expired => (
                    Status::Expired,
                    Some(format!(
                        "expired at {} (verification time {})",
                        serial::format_rrsig_time(sig.expiration, now),
                        serial::format_rrsig_time(now as u32, now)
                    )),
                ),
                Window::NotYetValid => (
                    Status::NotYetValid,
                    Some(format!(
                        "not valid before {} (verification time {})",
                        serial::format_rrsig_time(sig.inception, now),
                        serial::format_rrsig_time(now as u32, now)
                    )),
                ),
            };
        }
    }
    if usable > 0 {
        let with = if usable == 1 {
            format!("DNSKEY {tag} ({algname})")
        } else {
            format!("any of the {usable} DNSKEYs with key tag {tag} ({algname})")
        };
        return (Status::BadSignature, Some(format!("signature does not verify with {with}")));
    }
    if let Some((st, why)) = unsupported {
        return (st, Some(why));
    }
    (
        Status::NoMatchingKey,
        Some(rejected.unwrap_or_else(|| format!("no apex DNSKEY with algorithm {alg} ({algname}) and key tag {tag}"))),
    )
}

//! DNSKEY parsing, key tags and signature verification.
//!
//! Every DNSSEC algorithm number we know is described once, in
//! [`ALGORITHMS`]: its mnemonic and, when we verify it, how and with which
//! library. The names, [`algorithm_supported`] and the key decoding all
//! read that one table.
//!
//! Two crypto libraries, chosen per algorithm by measurement on this
//! project's 2-core machine (single-thread verify/s, helper benchmark of
//! 2026-11-24, ring 0.17.14 vs aws-lc-rs 1.19.0, medians of 5 rounds):
//!
//! | algorithm | ring | aws-lc-rs (key parsed once) | used |
//! |---|---|---|---|
//! | RSA-2048 SHA-256 | 31,909 | 42,006 | aws-lc's bignum ([`super::rsa`]) |
//! | ECDSA P-256 | 13,280 | 12,845 | ring |
//! | ECDSA P-384 | 891 | 3,402 | aws-lc-rs |
//! | Ed25519 | 13,171 | 18,678 | aws-lc-rs |
//!
//! RSA goes one level below aws-lc-rs, to aws-lc's modular exponentiation
//! with a Montgomery context per key and scratch per thread: aws-lc-rs's
//! per-call set-up cost about 15 % of the RSA time with both cores busy
//! (measured in [`super::rsa`]).
//!
//! Neither has Ed448 (16); a third library, RustCrypto's `ed448-goldilocks`,
//! verifies it (why that one: the comment on `ALGORITHMS`).
//!
//! ring 0.17 has no public API that keeps a parsed public key: it re-parses
//! the key on every verification (for RSA it rebuilds the modulus and its
//! Montgomery constants). aws-lc-rs's `ParsedPublicKey` is built once per
//! DNSKEY and reused by every thread.
//!
//! A DNSKEY is decoded once ([`Dnskey::from_rdata`]) and checked against
//! the limits we verify within (RSA: 1024-8192 bits, exponent 3..2^33-1
//! and odd), so a key we would refuse is reported once, as a
//! [`KeyError`], instead of as a failed verification per signature.

use aws_lc_rs::signature as lc;
use ring::signature::{self, EcdsaVerificationAlgorithm};
use std::fmt;

use super::rsa::{RsaHash, RsaKey};

/// Why a DNSKEY cannot be used to verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// Algorithm number we do not verify (1, 3, 6, 12, unknown, ...).
    UnsupportedAlgorithm(u8),
    /// Supported algorithm, but this key is outside what we verify (RSA
    /// below 1024 or above 8192 bits, exponent too large ...).
    UnsupportedKey(String),
    /// The public key field cannot be decoded for its algorithm.
    Malformed(String),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::UnsupportedAlgorithm(a) => {
                write!(f, "unsupported algorithm {} ({})", a, algorithm_name(*a))
            }
            KeyError::UnsupportedKey(s) => write!(f, "unsupported key: {s}"),
            KeyError::Malformed(s) => write!(f, "malformed key: {s}"),
        }
    }
}

impl std::error::Error for KeyError {}

/// How an algorithm's signatures are verified.
#[derive(Clone, Copy)]
enum Scheme {
    /// RSA PKCS#1 v1.5 (RFC 3110, RFC 5702): key in the RFC 3110 form;
    /// aws-lc's arithmetic through [`super::rsa`].
    Rsa(RsaHash),
    /// ECDSA (RFC 6605) with ring: key `x || y` of twice `coord` octets,
    /// signature `r || s`.
    EcdsaRing { alg: &'static EcdsaVerificationAlgorithm, coord: usize },
    /// ECDSA (RFC 6605) with aws-lc-rs, same encodings.
    EcdsaLc { alg: &'static lc::EcdsaVerificationAlgorithm, coord: usize },
    /// Ed25519 (RFC 8080): 32-octet key, 64-octet signature; aws-lc-rs.
    Ed25519,
    /// Ed448 (RFC 8080 §3, §4): 57-octet key, 114-octet signature
    /// `R || S`, PureEdDSA "Ed448" of RFC 8032 §5.2 with an empty context;
    /// `ed448-goldilocks` (see [`Ed448Key`]).
    Ed448,
}

/// One DNSSEC algorithm number (IANA "DNS Security Algorithm Numbers").
struct Algorithm {
    number: u8,
    name: &'static str,
    /// `None`: known, but not verified here.
    scheme: Option<Scheme>,
}

/// The one table of algorithms: names for all we know, crypto for those
/// we verify. Numbers not listed are unknown (reported by number).
///
/// 16 (Ed448) is verified with RustCrypto's `ed448-goldilocks`, pinned to
/// `=0.14.0-pre.15` in Cargo.toml: neither ring nor aws-lc-rs has Ed448,
/// and it is the Ed448 verifier of a project with several maintainers and
/// ongoing releases among the crates found (`cargo search` does not work on
/// this machine; looked up by name): `ed448-rust` has two 0.1 releases from
/// one author; `crrl` 0.9.0 (Thomas Pornin's, the code `ed448-goldilocks`
/// adapted its verification from) is 8x faster (below) but calls itself a
/// library "for purposes of cryptographic research" with no guarantee, from
/// one author; the `openssl` crate would add libssl-dev to the README's
/// install command. Its signature API exists only in the 0.14 pre-releases
/// (0.9.0, the last stable release, is an older code base without
/// signatures), and its README says "THIS CODE HAS NOT BEEN AUDITED OR
/// REVIEWED"; no audit is published. What was read (2026-12-01):
/// `src/sign/verifying_key.rs` (`verify_raw`, the checks listed on
/// [`Ed448Key`]), the point decoding in `src/edwards/affine.rs`, the scalar
/// decoding in `src/edwards/scalar.rs`, its RFC 8032 §7.4 test vectors, and
/// the issue trackers (the RustCrypto release PRs for 0.14.0-pre.*; Ed448
/// reports elsewhere about unchecked `S < L` in OpenSSL 1.1.1, ignored bits
/// 448-454 in circl and small-order points in Ladybird, each checked here).
/// It is slow: on this project's 2-core machine (release build, one thread,
/// a tiny timing loop of 3,000 verifications of one 200-octet message,
/// 2026-12-01, other work running, so counted per CPU-second) `verify_raw`
/// did about 720 verifications/s (733/s by the wall clock in a quieter
/// moment) and `VerifyingKey::from_bytes` took 190 us, where `cryptography`
/// 48 and 50 (OpenSSL 4.0) did about 4,800/s and `crrl` 0.9.0 about 6,200/s
/// (decoding a key in 15 us) in the same loop. It computes `[S]B` and `[k]A`
/// with two constant-time scalar multiplications instead of one
/// variable-time double-base one. Ed448 zones are rare, and the library of
/// a project with several maintainers and regular releases was preferred to
/// the fastest; if large Ed448 zones appear, `crrl` or OpenSSL is the
/// faster choice (both verify with the cofactor: the strictness checks on
/// [`Ed448Key`] would then need a subgroup check of our own).
static ALGORITHMS: &[Algorithm] = &[
    Algorithm { number: 1, name: "RSAMD5", scheme: None },
    Algorithm { number: 3, name: "DSA", scheme: None },
    Algorithm {
        number: 5,
        name: "RSASHA1",
        scheme: Some(Scheme::Rsa(RsaHash::Sha1)),
    },
    Algorithm { number: 6, name: "DSA-NSEC3-SHA1", scheme: None },
    Algorithm {
        number: 7,
        name: "RSASHA1-NSEC3-SHA1",
        scheme: Some(Scheme::Rsa(RsaHash::Sha1)),
    },
    Algorithm {
        number: 8,
        name: "RSASHA256",
        scheme: Some(Scheme::Rsa(RsaHash::Sha256)),
    },
    Algorithm {
        number: 10,
        name: "RSASHA512",
        scheme: Some(Scheme::Rsa(RsaHash::Sha512)),
    },
    Algorithm { number: 12, name: "ECC-GOST", scheme: None },
    Algorithm {
        number: 13,
        name: "ECDSAP256SHA256",
        scheme: Some(Scheme::EcdsaRing { alg: &signature::ECDSA_P256_SHA256_FIXED, coord: 32 }),
    },
    Algorithm {
        number: 14,
        name: "ECDSAP384SHA384",
        scheme: Some(Scheme::EcdsaLc { alg: &lc::ECDSA_P384_SHA384_FIXED, coord: 48 }),
    },
    Algorithm { number: 15, name: "ED25519", scheme: Some(Scheme::Ed25519) },
    Algorithm { number: 16, name: "ED448", scheme: Some(Scheme::Ed448) },
];

fn lookup(alg: u8) -> Option<&'static Algorithm> {
    ALGORITHMS.iter().find(|a| a.number == alg)
}

/// Smallest and largest RSA modulus we verify, in bits (the range of the
/// `RSA_PKCS1_1024_8192_*_FOR_LEGACY_USE_ONLY` parameters).
pub const RSA_MIN_BITS: u32 = 1024;
pub const RSA_MAX_BITS: u32 = 8192;
/// Largest RSA public exponent we accept: 2^33 - 1 (ring's limit, kept so
/// that the set of keys we verify did not change with the backend).
const RSA_MAX_EXPONENT: u64 = (1 << 33) - 1;

/// A public key decoded once from DNSKEY RDATA, ready to verify.
pub struct PublicKey {
    inner: Inner,
    bits: u32,
}

enum Inner {
    /// aws-lc-rs key, parsed once (P-384, Ed25519).
    Parsed(lc::ParsedPublicKey),
    /// RSA, its Montgomery context built once ([`super::rsa`]).
    Rsa(RsaKey),
    /// ring ECDSA: `0x04 || x || y`, parsed by ring on each verification.
    RingEcdsa {
        alg: &'static EcdsaVerificationAlgorithm,
        point: Box<[u8]>,
    },
    /// Ed448, decoded once (boxed: with its decoded point it takes 288 octets, the other
    /// variants 56).
    Ed448(Box<Ed448Key>),
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.inner {
            Inner::Parsed(_) => "aws-lc-rs",
            Inner::Rsa(_) => "aws-lc bignum",
            Inner::RingEcdsa { .. } => "ring ECDSA",
            Inner::Ed448(_) => "ed448-goldilocks",
        };
        write!(f, "PublicKey({kind}, {} bits)", self.bits)
    }
}

// The verifier shares keys across rayon threads.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<PublicKey>();
    send_sync::<Dnskey>();
};

impl PublicKey {
    /// Verifies `sig` (RRSIG signature field) over `data` (signed data).
    /// True only when the cryptography says the signature is good.
    pub fn verify(&self, data: &[u8], sig: &[u8]) -> bool {
        match &self.inner {
            Inner::Parsed(pk) => pk.verify_sig(data, sig).is_ok(),
            Inner::Rsa(k) => k.verify(data, sig),
            Inner::RingEcdsa { alg, point } => {
                signature::UnparsedPublicKey::new(*alg, &point[..]).verify(data, sig).is_ok()
            }
            Inner::Ed448(k) => k.verify(data, sig),
        }
    }

    /// Key size in bits (RSA modulus, curve size).
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Decodes the DNSKEY public key field for `alg`.
    pub fn from_dnskey(alg: u8, key: &[u8]) -> Result<PublicKey, KeyError> {
        let scheme = lookup(alg)
            .and_then(|a| a.scheme)
            .ok_or(KeyError::UnsupportedAlgorithm(alg))?;
        match scheme {
            Scheme::Rsa(hash) => decode_rsa(hash, key),
            Scheme::EcdsaRing { alg, coord } => {
                let point = ec_point(key, coord)?;
                Ok(PublicKey { inner: Inner::RingEcdsa { alg, point }, bits: (coord * 8) as u32 })
            }
            Scheme::EcdsaLc { alg, coord } => {
                let point = ec_point(key, coord)?;
                let pk = lc::ParsedPublicKey::new(alg, &point[..])
                    .map_err(|e| KeyError::Malformed(format!("ECDSA key is not a point on the curve ({e})")))?;
                Ok(PublicKey { inner: Inner::Parsed(pk), bits: (coord * 8) as u32 })
            }
            Scheme::Ed25519 => {
                if key.len() != 32 {
                    return Err(KeyError::Malformed(format!("Ed25519 key of {} octets, expected 32", key.len())));
                }
                let pk = lc::ParsedPublicKey::new(&lc::ED25519, key)
                    .map_err(|e| KeyError::Malformed(format!("Ed25519 key rejected ({e})")))?;
                Ok(PublicKey { inner: Inner::Parsed(pk), bits: 256 })
            }
            Scheme::Ed448 => {
                let k = Ed448Key::from_dnskey(key)?;
                Ok(PublicKey { inner: Inner::Ed448(Box::new(k)), bits: 456 })
            }
        }
    }
}

/// An Ed448 public key (RFC 8080 §3: the 57-octet encoding of RFC 8032
/// §5.2.2), decoded once.
///
/// Verification is `ed448-goldilocks`'s `VerifyingKey::verify_raw`: RFC
/// 8032 §5.2.7 for the "Ed448" variant that RFC 8080 uses (PureEdDSA, not
/// Ed448ph; the context empty, so the hash input starts with dom4(0, "")),
/// plus two encoding checks of our own. What is rejected, and by whom:
///
/// - a key or signature of the wrong length (57 and 114 octets; here);
/// - a non-canonical encoding of the key or of `R`: a y coordinate not
///   below p = 2^448 - 2^224 - 1, or any of bits 448-454 (the last octet
///   but its top bit) set. RFC 8032 §5.2.3 says decoding fails then, and
///   OpenSSL rejects both; the library reduces y mod p and ignores those
///   bits, so we check them ourselves (`canonical_point`);
/// - a key or `R` that is not on the curve, or not in the prime-order
///   subgroup (a nonzero torsion component; the library's point decoding
///   checks both), or that is the identity (the library);
/// - `S` not below the group order L, or a nonzero 57th octet of `S`
///   (RFC 8032 §5.2.7; the library), and `S` = 0 (the library);
/// - any signature for which `[S]B != R + [k]A` (the library's equation,
///   without the cofactor 4).
///
/// This is stricter than OpenSSL (so BIND, ldns, Knot, dnspython via
/// `cryptography`): OpenSSL verifies with the cofactor (`[4][S]B = [4]R +
/// [4][k]A`) and accepts keys and `R` with small-order components. Honest
/// signers never produce those (`A = [a]B` and `R = [r]B`), so the two only
/// disagree on crafted signatures, which we report as bad (tested below).
pub struct Ed448Key {
    key: ed448_goldilocks::VerifyingKey,
}

impl Ed448Key {
    /// Key length in octets (RFC 8080 §3).
    pub const KEY_LEN: usize = 57;
    /// Signature length in octets (RFC 8080 §4).
    pub const SIG_LEN: usize = 114;

    /// Decodes the DNSKEY public key field.
    pub fn from_dnskey(key: &[u8]) -> Result<Ed448Key, KeyError> {
        let bytes: &[u8; Self::KEY_LEN] = key.try_into().map_err(|_| {
            KeyError::Malformed(format!("Ed448 key of {} octets, expected {}", key.len(), Self::KEY_LEN))
        })?;
        if !canonical_point(bytes) {
            return Err(KeyError::Malformed("Ed448 key is not a canonical point encoding (RFC 8032 §5.2.3)".into()));
        }
        let key = ed448_goldilocks::VerifyingKey::from_bytes(bytes).map_err(|_| {
            KeyError::Malformed("Ed448 key is not a point of the prime-order subgroup, or is the identity".into())
        })?;
        Ok(Ed448Key { key })
    }

    /// True only when `sig` is a valid signature of `data` under this key.
    pub fn verify(&self, data: &[u8], sig: &[u8]) -> bool {
        let Ok(sig) = <&[u8; Self::SIG_LEN]>::try_from(sig) else { return false };
        let Some(r) = sig.first_chunk::<{ Self::KEY_LEN }>() else { return false };
        if !canonical_point(r) {
            return false;
        }
        let sig = ed448_goldilocks::Signature::from_bytes(sig);
        self.key.verify_raw(&sig, data).is_ok()
    }
}

/// RFC 8032 §5.2.3 steps 1-2 on the octets alone: bits 448-454 are zero
/// and y (the first 56 octets, little-endian) is below the field prime
/// p = 2^448 - 2^224 - 1. (The remaining failure case, x = 0 with the sign
/// bit set, is y = 1 or y = p - 1: the identity or the point of order 2,
/// both refused by the library whatever the sign bit.)
fn canonical_point(b: &[u8; 57]) -> bool {
    if b[56] & 0x7f != 0 {
        return false;
    }
    // p in little-endian octets: 28 x 0xff, 0xfe, 27 x 0xff. Comparing
    // from the top: y >= p exactly when octets 29..56 are all 0xff and
    // octet 28 is 0xff, or is 0xfe with octets 0..28 all 0xff (y = p).
    let ff = |o: &[u8]| o.iter().all(|&x| x == 0xff);
    let ge_p = ff(&b[29..56]) && (b[28] == 0xff || (b[28] == 0xfe && ff(&b[..28])));
    !ge_p
}

/// `0x04 || x || y` from the DNSKEY's `x || y` (RFC 6605 §4).
fn ec_point(key: &[u8], coord: usize) -> Result<Box<[u8]>, KeyError> {
    if key.len() != 2 * coord {
        return Err(KeyError::Malformed(format!("ECDSA key of {} octets, expected {}", key.len(), 2 * coord)));
    }
    let mut point = Vec::with_capacity(1 + key.len());
    point.push(0x04);
    point.extend_from_slice(key);
    Ok(point.into_boxed_slice())
}

/// `b` without its leading zero octets.
pub(super) fn strip_leading_zeros(b: &[u8]) -> &[u8] {
    let i = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    &b[i..]
}

/// RFC 3110 §2: exponent length in one octet, or, when that octet is zero,
/// in the next two; then the exponent; then the modulus (rest of the field).
fn decode_rsa(hash: RsaHash, key: &[u8]) -> Result<PublicKey, KeyError> {
    let (e_len, off) = match key {
        [] => return Err(KeyError::Malformed("empty RSA key".into())),
        [0, hi, lo, ..] => (u16::from_be_bytes([*hi, *lo]) as usize, 3),
        [0, ..] => return Err(KeyError::Malformed("RSA key truncated in the exponent length".into())),
        [l, ..] => (*l as usize, 1),
    };
    if key.len() < off + e_len {
        return Err(KeyError::Malformed(format!(
            "RSA key truncated: exponent of {} octets, {} present",
            e_len,
            key.len() - off
        )));
    }
    if e_len == 0 {
        return Err(KeyError::Malformed("RSA key with an empty exponent".into()));
    }
    let e = strip_leading_zeros(&key[off..off + e_len]);
    let n = strip_leading_zeros(&key[off + e_len..]);
    if n.is_empty() {
        return Err(KeyError::Malformed("RSA key has no modulus".into()));
    }
    let bits = (n.len() as u32 - 1) * 8 + (8 - n[0].leading_zeros());
    if bits < RSA_MIN_BITS {
        return Err(KeyError::UnsupportedKey(format!(
            "RSA key of {bits} bits: below the {RSA_MIN_BITS}-bit minimum"
        )));
    }
    if bits > RSA_MAX_BITS {
        return Err(KeyError::UnsupportedKey(format!(
            "RSA key of {bits} bits: above the {RSA_MAX_BITS}-bit maximum"
        )));
    }
    if n[n.len() - 1] & 1 == 0 {
        return Err(KeyError::Malformed("RSA modulus is even".into()));
    }
    if e.len() > 5 {
        return Err(KeyError::UnsupportedKey(format!(
            "RSA exponent of {} octets: above the 33-bit maximum",
            e.len()
        )));
    }
    let ev = e.iter().fold(0u64, |v, &b| (v << 8) | b as u64);
    if ev > RSA_MAX_EXPONENT {
        return Err(KeyError::UnsupportedKey(format!("RSA exponent {ev}: above the 33-bit maximum")));
    }
    if ev < 3 {
        return Err(KeyError::UnsupportedKey(format!("RSA exponent {ev}: below 3")));
    }
    if ev & 1 == 0 {
        return Err(KeyError::UnsupportedKey(format!("RSA exponent {ev} is even")));
    }
    let key = RsaKey::new(n, e, hash)
        .ok_or_else(|| KeyError::Malformed(format!("RSA key of {bits} bits rejected by aws-lc")))?;
    Ok(PublicKey { inner: Inner::Rsa(key), bits })
}

/// A DNSKEY (RFC 4034 §2.1) parsed once per zone.
#[derive(Debug)]
pub struct Dnskey {
    pub flags: u16,
    pub protocol: u8,
    pub algorithm: u8,
    pub key_tag: u16,
    pub key: Result<PublicKey, KeyError>,
    /// SHA-256 of the RDATA (what a [`super::cache`] entry names the key by).
    pub rdata_sha256: [u8; 32],
}

impl Dnskey {
    /// `None` when the RDATA is shorter than the 4 fixed octets.
    pub fn from_rdata(rdata: &[u8]) -> Option<Dnskey> {
        if rdata.len() < 4 {
            return None;
        }
        let algorithm = rdata[3];
        Some(Dnskey {
            flags: u16::from_be_bytes([rdata[0], rdata[1]]),
            protocol: rdata[2],
            algorithm,
            key_tag: key_tag(rdata),
            key: PublicKey::from_dnskey(algorithm, &rdata[4..]),
            rdata_sha256: {
                let mut d = [0u8; 32];
                d.copy_from_slice(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, rdata).as_ref());
                d
            },
        })
    }
    /// Zone Key flag, bit 7 (RFC 4034 §2.1.1).
    pub fn is_zone_key(&self) -> bool {
        self.flags & 0x0100 != 0
    }
    /// Secure Entry Point flag, bit 15.
    pub fn is_sep(&self) -> bool {
        self.flags & 0x0001 != 0
    }
    /// REVOKE flag, bit 8 (RFC 5011 §3).
    pub fn is_revoked(&self) -> bool {
        self.flags & 0x0080 != 0
    }
}

/// Key tag of DNSKEY RDATA (RFC 4034 Appendix B, with the B.1 rule for
/// algorithm 1).
///
/// RFC 4034 App. B: the sum of the RDATA as 16-bit big-endian words (an odd
/// last octet is the high octet of a word), with the carry folded in once.
/// App. B.1: "For a DNSKEY RR with algorithm 1, the key tag is defined to
/// be the most significant 16 bits of the least significant 24 bits in the
/// public key modulus". The modulus ends the RDATA (RFC 3110 layout), so
/// those are the RDATA's 3rd- and 2nd-to-last octets (as ldns computes it;
/// checked against ldns's RSAMD5 vector in the tests).
pub fn key_tag(rdata: &[u8]) -> u16 {
    if rdata.len() >= 4 && rdata[3] == 1 {
        if rdata.len() < 4 + 3 {
            return 0;
        }
        let l = rdata.len();
        return u16::from_be_bytes([rdata[l - 3], rdata[l - 2]]);
    }
    let mut ac: u32 = 0;
    for (i, &b) in rdata.iter().enumerate() {
        ac += if i & 1 == 1 { b as u32 } else { (b as u32) << 8 };
    }
    ac += (ac >> 16) & 0xffff;
    (ac & 0xffff) as u16
}

/// Mnemonic of a DNSSEC algorithm number (RSASHA256, ...), or the number.
pub fn algorithm_name(alg: u8) -> String {
    match lookup(alg) {
        Some(a) => a.name.to_string(),
        None => alg.to_string(),
    }
}

/// Algorithm number of a mnemonic in the signing-algorithm table
/// (case-insensitive), e.g. `RSASHA256` → 8.
pub fn algorithm_from_name(name: &[u8]) -> Option<u8> {
    ALGORITHMS.iter().find(|a| a.name.as_bytes().eq_ignore_ascii_case(name)).map(|a| a.number)
}

/// Whether signatures of this algorithm number are verified here.
pub fn algorithm_supported(alg: u8) -> bool {
    lookup(alg).is_some_and(|a| a.scheme.is_some())
}

/// Test helpers shared by this module's and [`crate::canon`]'s tests: a
/// hand-rolled reader of the few presentation-format records the test
/// vectors use (the zone parser is written elsewhere).
#[cfg(test)]
pub(crate) mod testutil {
    use crate::dns::name::Name;
    use crate::dns::rrtype;
    use crate::dns::serial::parse_rrsig_time;
    use data_encoding::BASE64;
    use std::path::PathBuf;

    /// One record read from presentation format.
    #[derive(Clone, Debug)]
    #[allow(dead_code)]
    pub struct Rr {
        pub owner: Name,
        pub rtype: u16,
        pub class: u16,
        pub ttl: u32,
        pub rdata: Vec<u8>,
    }

    fn name(s: &str) -> Name {
        Name::from_text(s, None).unwrap_or_else(|e| panic!("name {s}: {e}"))
    }

    fn b64(fields: &[&str]) -> Vec<u8> {
        let joined: String = fields.concat();
        BASE64.decode(joined.as_bytes()).unwrap_or_else(|e| panic!("base64 {joined}: {e}"))
    }

    /// The RDATA of `rtype` from its presentation fields (only the types
    /// and forms the vectors use).
    pub fn rdata(rtype: u16, f: &[&str]) -> Vec<u8> {
        let mut v = Vec::new();
        match rtype {
            rrtype::A => {
                for p in f[0].split('.') {
                    v.push(p.parse::<u8>().unwrap());
                }
            }
            rrtype::NS | rrtype::CNAME | rrtype::PTR => v.extend_from_slice(name(f[0]).as_wire()),
            rrtype::MX => {
                v.extend_from_slice(&f[0].parse::<u16>().unwrap().to_be_bytes());
                v.extend_from_slice(name(f[1]).as_wire());
            }
            rrtype::SOA => {
                v.extend_from_slice(name(f[0]).as_wire());
                v.extend_from_slice(name(f[1]).as_wire());
                for x in &f[2..7] {
                    v.extend_from_slice(&x.parse::<u32>().unwrap().to_be_bytes());
                }
            }
            rrtype::TXT => {
                for s in f {
                    let s = s.trim_matches('"');
                    v.push(s.len() as u8);
                    v.extend_from_slice(s.as_bytes());
                }
            }
            rrtype::DNSKEY | rrtype::CDNSKEY => {
                v.extend_from_slice(&f[0].parse::<u16>().unwrap().to_be_bytes());
                v.push(f[1].parse().unwrap());
                v.push(f[2].parse().unwrap());
                v.extend_from_slice(&b64(&f[3..]));
            }
            rrtype::RRSIG => {
                v.extend_from_slice(&rrtype::from_mnemonic(f[0]).unwrap().to_be_bytes());
                v.push(f[1].parse().unwrap());
                v.push(f[2].parse().unwrap());
                v.extend_from_slice(&f[3].parse::<u32>().unwrap().to_be_bytes());
                v.extend_from_slice(&parse_rrsig_time(f[4]).unwrap().to_be_bytes());
                v.extend_from_slice(&parse_rrsig_time(f[5]).unwrap().to_be_bytes());
                v.extend_from_slice(&f[6].parse::<u16>().unwrap().to_be_bytes());
                v.extend_from_slice(name(f[7]).as_wire());
                v.extend_from_slice(&b64(&f[8..]));
            }
            _ => panic!("test helper cannot encode type {rtype}"),
        }
        v
    }

    /// Parses one record line (`owner [ttl] [class] type rdata...`, `;`
    /// comments). `None` for blank and comment lines and for types the
    /// helper does not encode (DS, ...).
    pub fn parse_line(line: &str) -> Option<Rr> {
        let line = line.split(';').next().unwrap();
        let toks: Vec<&str> = line.split_whitespace().collect();
        if toks.len() < 3 {
            return None;
        }
        let owner = name(toks[0]);
        let mut i = 1;
        let mut ttl = 0;
        let mut class = rrtype::CLASS_IN;
        loop {
            let t = toks[i];
            if t.bytes().all(|b| b.is_ascii_digit()) {
                ttl = t.parse().unwrap();
            } else if let Some(c) = rrtype::class_from_mnemonic(t) {
                class = c;
            } else {
                break;
            }
            i += 1;
        }
        let rtype = rrtype::from_mnemonic(toks[i])?;
        if !matches!(
            rtype,
            rrtype::A
                | rrtype::NS
                | rrtype::CNAME
                | rrtype::PTR
                | rrtype::MX
                | rrtype::SOA
                | rrtype::TXT
                | rrtype::DNSKEY
                | rrtype::CDNSKEY
                | rrtype::RRSIG
        ) {
            return None;
        }
        let rdata = rdata(rtype, &toks[i + 1..]);
        Some(Rr { owner, rtype, class, ttl, rdata })
    }

    /// A corpus file's path, if the shared corpus is on this machine.
    pub fn corpus(rel: &str) -> Option<PathBuf> {
        let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        for base in [here.join("../shared/corpus"), PathBuf::from("/work/shared/corpus")] {
            let p = base.join(rel);
            if p.exists() {
                return Some(p);
            }
        }
        eprintln!("corpus file {rel} not found: skipped");
        None
    }

    /// The records of a corpus file, or `None` when the corpus is absent.
    pub fn corpus_records(rel: &str) -> Option<Vec<Rr>> {
        let text = std::fs::read_to_string(corpus(rel)?).unwrap();
        Some(text.lines().filter_map(parse_line).collect())
    }

    /// A small deterministic generator (Knuth's MMIX LCG).
    pub struct Lcg(pub u64);
    impl Lcg {
        pub fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            self.0 >> 33
        }
        pub fn bytes(&mut self, max_len: usize) -> Vec<u8> {
            let n = (self.next() as usize) % (max_len + 1);
            (0..n).map(|_| self.next() as u8).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::{corpus, corpus_records, parse_line, Lcg, Rr};
    use super::*;
    use crate::dns::canon::{parse_rrsig, signed_data, sorted_canonical_rdatas};
    use crate::dns::rrtype;

    fn dnskey(line: &str) -> Vec<u8> {
        let rr = parse_line(line).unwrap();
        assert!(rr.rtype == rrtype::DNSKEY || rr.rtype == rrtype::CDNSKEY);
        rr.rdata
    }

    #[test]
    fn key_tag_rfc4034_examples() {
        // RFC 4034 §5.4 (DS example) and §2.3/§3.3: key tag 60485 (RSASHA1).
        let k = dnskey(
            "dskey.example.com. 86400 IN DNSKEY 256 3 5 ( AQOeiiR0GOMYkDshWoSKz9Xz\
             fwJr1AYtsmx3TGkJaNXVbfi/ 2pHm822aJ5iI9BMzNXxeYCmZ DRD99WYwYqUSdjMmmAphXdvx\
             egXd/M5+X7OrzKBaMbCVdFLU Uh6DhweJBjEVv5f2wwjM9Xzc nOf+EPbtG9DMBmADjFDc2w/r\
             ljwvFw== )"
                .replace(['(', ')'], "")
                .as_str(),
        );
        assert_eq!(key_tag(&k), 60485);
        let d = Dnskey::from_rdata(&k).unwrap();
        assert_eq!((d.flags, d.protocol, d.algorithm, d.key_tag), (256, 3, 5, 60485));
        assert!(d.is_zone_key() && !d.is_sep() && !d.is_revoked());
    }

    #[test]
    fn key_tag_ldns_vectors_incl_rsamd5() {
        let Some(p) = corpus("ldns/derived-from-test_12-unit-tests-dnssec.c/keytags.txt") else {
            return;
        };
        let text = std::fs::read_to_string(p).unwrap();
        let mut last: Option<Rr> = None;
        let mut checked = 0;
        for line in text.lines() {
            if let Some(t) = line.strip_prefix("; expected key tag: ") {
                let rr = last.take().expect("a record before its key tag");
                let want: u16 = t.trim().parse().unwrap();
                assert_eq!(key_tag(&rr.rdata), want, "{}", line);
                assert_eq!(Dnskey::from_rdata(&rr.rdata).unwrap().key_tag, want);
                checked += 1;
            } else if let Some(rr) = parse_line(line) {
                last = Some(rr);
            }
        }
        // RSASHA1, DSA, RSAMD5 (App. B.1), CDNSKEY.
        assert_eq!(checked, 4);
    }

    #[test]
    fn key_tag_rsamd5_dnspython() {
        // dnspython testRSAMD5Keyid: 30239 (KSK) and 62992 (ZSK).
        let Some(rrs) = corpus_records("dnspython/derived-from-tests_test_dnssec.py/rsamd5_ns_good.txt")
        else {
            return;
        };
        let tags: Vec<u16> =
            rrs.iter().filter(|r| r.rtype == rrtype::DNSKEY).map(|r| key_tag(&r.rdata)).collect();
        assert_eq!(tags, vec![30239, 62992]);
        for r in rrs.iter().filter(|r| r.rtype == rrtype::DNSKEY) {
            let d = Dnskey::from_rdata(&r.rdata).unwrap();
            assert_eq!(d.key.unwrap_err(), KeyError::UnsupportedAlgorithm(1));
        }
    }

    #[test]
    fn key_tag_root_ksk_2017() {
        let Some(p) = corpus("pspacek-dnscache_simulator/root.zone") else { return };
        let text = std::fs::read_to_string(p).unwrap();
        let tags: Vec<u16> = text
            .lines()
            .filter(|l| l.split_whitespace().nth(3) == Some("DNSKEY"))
            .map(|l| key_tag(&parse_line(l).unwrap().rdata))
            .collect();
        assert!(tags.contains(&20326), "{tags:?}");
        assert!(tags.contains(&19036), "{tags:?}");
        for l in text.lines().filter(|l| l.split_whitespace().nth(3) == Some("DNSKEY")) {
            let d = Dnskey::from_rdata(&parse_line(l).unwrap().rdata).unwrap();
            assert_eq!(d.key.as_ref().unwrap().bits(), 2048, "{l}");
        }
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Expect {
        Valid,
        Invalid,
        UnsupportedAlg(u8),
        UnsupportedKey,
    }

    /// Verifies every RRSIG of a vector file against the DNSKEYs whose tag
    /// and algorithm match; checks the outcome and, for good vectors, that
    /// one flipped octet in the data or the signature breaks it.
    fn check_vector(rel: &str, expect: Expect) {
        let Some(rrs) = corpus_records(rel) else { return };
        let keys: Vec<Dnskey> = rrs
            .iter()
            .filter(|r| r.rtype == rrtype::DNSKEY)
            .map(|r| Dnskey::from_rdata(&r.rdata).unwrap())
            .collect();
        let sigs: Vec<&Rr> = rrs.iter().filter(|r| r.rtype == rrtype::RRSIG).collect();
        assert!(!sigs.is_empty(), "{rel}: no RRSIG");
        let mut buf = Vec::new();
        for s in sigs {
            let sig = parse_rrsig(&s.rdata).expect("RRSIG parses");
            let set: Vec<&[u8]> = rrs
                .iter()
                .filter(|r| {
                    r.rtype == sig.type_covered && r.class == s.class && r.owner.eq_ignore_case(&s.owner)
                })
                .map(|r| r.rdata.as_slice())
                .collect();
            assert!(!set.is_empty(), "{rel}: RRset missing");
            let canon = sorted_canonical_rdatas(sig.type_covered, set);
            signed_data(&mut buf, &sig, &s.owner, s.class, &canon);
            let cands: Vec<&Dnskey> = keys
                .iter()
                .filter(|k| k.key_tag == sig.key_tag && k.algorithm == sig.algorithm)
                .collect();
            assert!(!cands.is_empty(), "{rel}: no key with tag {}", sig.key_tag);
            let usable: Vec<&PublicKey> = cands.iter().filter_map(|k| k.key.as_ref().ok()).collect();
            let ok = usable.iter().any(|k| k.verify(&buf, sig.signature));
            match expect {
                Expect::Valid => {
                    assert!(ok, "{rel}: good vector does not verify");
                    let mut data = buf.clone();
                    for i in [0, data.len() / 2, data.len() - 1] {
                        data[i] ^= 0x01;
                        assert!(!usable.iter().any(|k| k.verify(&data, sig.signature)), "{rel}: flipped data octet {i}");
                        data[i] ^= 0x01;
                    }
                    let mut bad = sig.signature.to_vec();
                    for i in [0, bad.len() / 2, bad.len() - 1] {
                        bad[i] ^= 0x80;
                        assert!(!usable.iter().any(|k| k.verify(&buf, &bad)), "{rel}: flipped sig octet {i}");
                        bad[i] ^= 0x80;
                    }
                    // Truncated or empty signatures never verify.
                    assert!(!usable.iter().any(|k| k.verify(&buf, &bad[..bad.len() - 1])));
                    assert!(!usable.iter().any(|k| k.verify(&buf, &[])));
                }
                Expect::Invalid => {
                    assert!(!usable.is_empty(), "{rel}: no usable key");
                    assert!(!ok, "{rel}: bad vector verifies");
                }
                Expect::UnsupportedAlg(a) => {
                    assert!(!ok);
                    for k in &cands {
                        assert_eq!(k.key.as_ref().unwrap_err(), &KeyError::UnsupportedAlgorithm(a), "{rel}");
                    }
                    assert!(!algorithm_supported(a));
                }
                Expect::UnsupportedKey => {
                    assert!(!ok);
                    for k in &cands {
                        assert!(matches!(k.key, Err(KeyError::UnsupportedKey(_))), "{rel}: {:?}", k.key);
                    }
                }
            }
        }
    }

    const MIEKG: &str = "miekg-dns/derived-from-dnssec_test.go/";
    const DNSPY: &str = "dnspython/derived-from-tests_test_dnssec.py/";
    const RUBY: &str = "dnsruby/derived-from-test_tc_verifier.rb/";

    #[test]
    fn vectors_rfc6605_ecdsa() {
        check_vector(&format!("{MIEKG}rfc6605_6.1_ecdsap256.txt"), Expect::Valid);
        check_vector(&format!("{MIEKG}rfc6605_6.2_ecdsap384.txt"), Expect::Valid);
        check_vector(&format!("{DNSPY}ecdsap256_soa_good.txt"), Expect::Valid);
        check_vector(&format!("{DNSPY}ecdsap384_soa_good.txt"), Expect::Valid);
        check_vector(&format!("{DNSPY}ecdsap256_soa_bad_data.txt"), Expect::Invalid);
        check_vector(&format!("{DNSPY}ecdsap384_soa_bad_data.txt"), Expect::Invalid);
    }

    #[test]
    fn vectors_rfc8080_ed25519() {
        check_vector(&format!("{MIEKG}rfc8080_6.1_ed25519_example1.txt"), Expect::Valid);
        check_vector(&format!("{MIEKG}rfc8080_6.1_ed25519_example2.txt"), Expect::Valid);
        check_vector(&format!("{DNSPY}ed25519_mx_key1_good.txt"), Expect::Valid);
        check_vector(&format!("{DNSPY}ed25519_mx_key2_good.txt"), Expect::Valid);
        check_vector(&format!("{DNSPY}ed25519_mx_key1_bad_data.txt"), Expect::Invalid);
    }

    #[test]
    fn vectors_rsa() {
        // RFC 5702 §6.1 uses a 512-bit key: below what we verify.
        check_vector(&format!("{RUBY}rfc5702_6.1_rsasha256_9033.txt"), Expect::UnsupportedKey);
        check_vector(&format!("{RUBY}rfc5702_6.2_rsasha512_3740.txt"), Expect::Valid);
        check_vector(&format!("{DNSPY}rsasha512_ns_good.txt"), Expect::Valid);
        check_vector(&format!("{DNSPY}wildcard_txt_good.txt"), Expect::Valid);
        check_vector(&format!("{DNSPY}rsasha1_soa_good.txt"), Expect::Valid);
        check_vector(&format!("{DNSPY}rsasha1_soa_bad_data.txt"), Expect::Invalid);
        check_vector(&format!("{DNSPY}rsasha1_soa_duplicate_keytag_good.txt"), Expect::Valid);
    }

    #[test]
    fn vectors_rfc8080_ed448() {
        // dnspython's Ed448 vectors are the RFC 8080 §6.2 examples as
        // corrected by erratum 4935 (key tags 9713 and 38353).
        check_vector(&format!("{DNSPY}ed448_mx_key1_good.txt"), Expect::Valid);
        check_vector(&format!("{DNSPY}ed448_mx_key2_good.txt"), Expect::Valid);
        check_vector(&format!("{DNSPY}ed448_mx_key1_bad_data.txt"), Expect::Invalid);
    }

    #[test]
    fn rfc8080_printed_ed448_examples_sign_labels_3() {
        // RFC 8080 §6.2 as printed: "RRSIG MX 3 3600 ..." (the algorithm
        // field is missing) with other signatures than dnspython's. They
        // do not verify with Labels 2, the count for example.com.; they do
        // over signed data with Labels 3, the generator's label-counting
        // bug that erratum 4935 describes. Such an RRSIG is invalid
        // anyway: Labels above the owner's count (RFC 4035 §5.3.1).
        let mx = parse_line("example.com. 3600 IN MX 10 mail.example.com.").unwrap();
        let canon = sorted_canonical_rdatas(rrtype::MX, [mx.rdata.as_slice()]);
        let printed = [
            (
                "3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYUcJKm1MDpJtIA",
                9713,
                "Nmc0rgGKpr3GKYXcB1JmqqS4NYwhmechvJTqVzt3jR+Qy/lSLFoIk1L+9e39GPL+5tVzDPN3f9kAwiu8\
                 KCuPPjtl227ayaCZtRKZuJax7n9NuYlZJIusX0SOIOKBGzG+yWYtz1/jjbzl5GGkWvREUCUA",
            ),
            (
                "kkreGWoccSDmUBGAe7+zsbG6ZAFQp+syPmYUurBRQc3tDjeMCJcVMRDmgcNLp5HlHAMy12VoISsA",
                38353,
                "+JjANio/LIzp7osmMYE5XD3H/YES8kXs5Vb9H8MjPS8OAGZMD37+LsCIcjg5ivt0d4Om/UaqETEAsJja\
                 Ye56CEQP5lhRWuD2ivBqE0zfwJTyp4WqvpULbpvaukswvv/WNEFxzEYQEIm9+xDlXj4pMAMA",
            ),
        ];
        let mut buf = Vec::new();
        for (key, tag, sig) in printed {
            let d = Dnskey::from_rdata(&dnskey(&format!("example.com. 3600 IN DNSKEY 257 3 16 {key}"))).unwrap();
            assert_eq!((d.key_tag, d.key.as_ref().unwrap().bits()), (tag, 456));
            let k = d.key.unwrap();
            for labels in [2, 3] {
                let rd = parse_line(&format!(
                    "example.com. 3600 IN RRSIG MX 16 {labels} 3600 1440021600 1438207200 {tag} example.com. {sig}"
                ))
                .unwrap()
                .rdata;
                let rrsig = parse_rrsig(&rd).unwrap();
                signed_data(&mut buf, &rrsig, &mx.owner, 1, &canon);
                assert_eq!(k.verify(&buf, rrsig.signature), labels == 3, "key {tag}, labels {labels}");
            }
        }
    }

    #[test]
    fn ed448_key_file_from_domain() {
        // NLnet Labs domain's test key Ktest.+016+07379: tag 7379, 456 bits.
        let Some(p) = corpus("nlnetlabs-domain/test-data/dnssec-keys/Ktest.+016+07379.key") else { return };
        let text = std::fs::read_to_string(p).unwrap();
        let line = text.lines().find(|l| l.contains("DNSKEY")).unwrap();
        let d = Dnskey::from_rdata(&dnskey(line)).unwrap();
        assert_eq!((d.key_tag, d.algorithm, d.key.unwrap().bits()), (7379, 16, 456));
    }

    fn unhex(s: &str) -> Vec<u8> {
        data_encoding::HEXLOWER.decode(s.as_bytes()).unwrap()
    }

    // Crafted with a Python transcription of RFC 8032 §5.2 (private key
    // = octets 0..57, message below): an honest signature, and signatures
    // that are valid for some verifiers only.
    const CRAFT_MSG: &[u8] = b"zoneverify crafted Ed448 vector";
    const CRAFT_KEY: &str = "18d0a70e42a742dfb561279893385061d7b4dad8f6feed4791eaab66b2f4a4f02fc09462a8bfb1842d0bac60e8a1b3e55ba2407f33226f3800";
    const CRAFT_SIG: &str = "8be97372da54b888a64f9ac0c97a801ca916f060a1de7e42d5a47ccc504253dd6fc2156e23ce20107b5382aaf1e09985548ac158bf2333ae8062ce9b2861ce92fcb0f651f33f23fc6dda2627a03a923d48d9dad3e9e25204cb9fe725e72236b9eefd2853469fd2ed255c1906be80670e2300";

    #[test]
    fn ed448_lengths() {
        let key = unhex(CRAFT_KEY);
        let sig = unhex(CRAFT_SIG);
        let k = PublicKey::from_dnskey(16, &key).unwrap();
        assert_eq!(k.bits(), 456);
        assert!(k.verify(CRAFT_MSG, &sig));
        // Key lengths other than 57 octets: malformed, never a panic.
        for n in [0, 1, 32, 56, 58, 64, 114] {
            let mut kk = key.clone();
            kk.resize(n, 0);
            assert_eq!(
                PublicKey::from_dnskey(16, &kk).unwrap_err(),
                KeyError::Malformed(format!("Ed448 key of {n} octets, expected 57"))
            );
        }
        // Signature lengths other than 114 octets never verify: truncated,
        // extended with a zero octet (also at the front), empty.
        assert!(!k.verify(CRAFT_MSG, &sig[..113]));
        assert!(!k.verify(CRAFT_MSG, &sig[..57]));
        assert!(!k.verify(CRAFT_MSG, &[]));
        let mut long = sig.clone();
        long.push(0);
        assert!(!k.verify(CRAFT_MSG, &long));
        let mut front = vec![0];
        front.extend_from_slice(&sig);
        assert!(!k.verify(CRAFT_MSG, &front));
        // Through the DNSKEY RDATA too.
        let mut rd = vec![1, 1, 3, 16];
        rd.extend_from_slice(&key[..56]);
        assert!(matches!(Dnskey::from_rdata(&rd).unwrap().key, Err(KeyError::Malformed(_))));
    }

    #[test]
    fn ed448_strictness() {
        let key = unhex(CRAFT_KEY);
        let sig = unhex(CRAFT_SIG);
        let k = PublicKey::from_dnskey(16, &key).unwrap();
        let lib = |key: &[u8], sig: &[u8]| {
            let Ok(vk) = ed448_goldilocks::VerifyingKey::from_bytes(key.try_into().unwrap()) else { return false };
            vk.verify_raw(&ed448_goldilocks::Signature::from_slice(sig).unwrap(), CRAFT_MSG).is_ok()
        };
        assert!(lib(&key, &sig));

        // R with bit 448 set, S computed over those R octets: the library
        // alone accepts it (it ignores bits 448-454); RFC 8032 §5.2.3 and
        // OpenSSL do not, nor do we.
        let r_junk = unhex("8be97372da54b888a64f9ac0c97a801ca916f060a1de7e42d5a47ccc504253dd6fc2156e23ce20107b5382aaf1e09985548ac158bf2333ae8112e71767e6a4dcd2c198c62e0246ca29ef18c4cb2d083fb2f2bb2e417562506ea1b811071c1fb4082624e1bd683e194f5c7fd117e0b8842e00");
        assert!(lib(&key, &r_junk), "the library accepts the non-canonical R");
        assert!(!k.verify(CRAFT_MSG, &r_junk));

        // The key with bit 448 set, signed over those octets: same.
        let key_junk = unhex("18d0a70e42a742dfb561279893385061d7b4dad8f6feed4791eaab66b2f4a4f02fc09462a8bfb1842d0bac60e8a1b3e55ba2407f33226f3801");
        let sig_key_junk = unhex("8be97372da54b888a64f9ac0c97a801ca916f060a1de7e42d5a47ccc504253dd6fc2156e23ce20107b5382aaf1e09985548ac158bf2333ae8059174d8ca81b8306d5c713ca1c7799d848c644a74569720d70bb7b12b4111a6e9041d1003cd118f6cc2fb54fd8c04b46d0c2471588a2093e00");
        assert!(lib(&key_junk, &sig_key_junk), "the library accepts the non-canonical key");
        assert!(matches!(PublicKey::from_dnskey(16, &key_junk),
            Err(KeyError::Malformed(s)) if s.contains("canonical")));
        for bit in 0..7 {
            let mut kk = key.clone();
            kk[56] |= 1 << bit;
            assert!(PublicKey::from_dnskey(16, &kk).is_err(), "bit {}", 448 + bit);
        }
        // The sign bit (455) is part of the encoding: -A is a good key,
        // and the signature does not verify with it.
        let mut neg = key.clone();
        neg[56] ^= 0x80;
        assert!(!PublicKey::from_dnskey(16, &neg).unwrap().verify(CRAFT_MSG, &sig));

        // y = p + 19: a point of the prime-order subgroup (y = 19) in a
        // non-canonical encoding. The library accepts it as a key.
        let y_ge_p = unhex("12000000000000000000000000000000000000000000000000000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff80");
        assert!(ed448_goldilocks::VerifyingKey::from_bytes(y_ge_p.as_slice().try_into().unwrap()).is_ok());
        assert!(matches!(PublicKey::from_dnskey(16, &y_ge_p),
            Err(KeyError::Malformed(s)) if s.contains("canonical")));
        // y = p and y = p + 1 (0 and 1 mod p), and y = 2^448 - 1.
        let mut p_le = vec![0xffu8; 57];
        p_le[28] = 0xfe;
        p_le[56] = 0;
        assert!(!canonical_point(p_le.as_slice().try_into().unwrap()));
        p_le[0] = 0xfe; // p - 1
        assert!(canonical_point(p_le.as_slice().try_into().unwrap()));
        p_le[28] = 0xff; // 2^448 - 2
        assert!(!canonical_point(p_le.as_slice().try_into().unwrap()));

        // R with an order-4 point added (S over those R octets): OpenSSL
        // verifies with the cofactor and accepts this; the library refuses
        // R with a torsion component, and so do we.
        let r_torsion = unhex("50043102c57779ccfd9c3087f9553189ca093eba5287650338bc43d1b63d610021fb7dc78d8c9831889c6d91b406aacba9a91e3a065128128068641f69e477ff0767f428883b8d05f0ae645c451a26d3eea964e2cf90c547800cf7d8db0c16bdd9b5ba060cac0c79705a92b91f454b1f0a00");
        assert!(!k.verify(CRAFT_MSG, &r_torsion));
        // The key plus the point of order 2: OpenSSL accepts a signature
        // over it; to us it is a malformed key.
        let key_torsion = unhex("e72f58f1bd58bd204a9ed8676cc7af9e284b2527090112b86e1554994c0b5b0fd03f6b9d57404e7bd2f4539f175e4c1aa45dbf80ccdd90c780");
        assert!(matches!(PublicKey::from_dnskey(16, &key_torsion),
            Err(KeyError::Malformed(s)) if s.contains("prime-order")));
        // Small-order keys: all zeros (y = 0, order 4), the identity (y =
        // 1, either sign bit), y = -1 (order 2).
        let mut id = vec![0u8; 57];
        assert!(PublicKey::from_dnskey(16, &id).is_err());
        id[0] = 1;
        assert!(PublicKey::from_dnskey(16, &id).is_err());
        id[56] = 0x80;
        assert!(PublicKey::from_dnskey(16, &id).is_err());
        let mut m1 = vec![0xffu8; 57];
        m1[0] = 0xfe;
        m1[28] = 0xfe;
        m1[56] = 0;
        assert!(PublicKey::from_dnskey(16, &m1).is_err());

        // S + L (the same S mod L, not canonical) and a nonzero 57th octet.
        let mut s_plus_l = sig.clone();
        let l: [u8; 57] = {
            let mut l = [0u8; 57];
            let be = unhex("3fffffffffffffffffffffffffffffffffffffffffffffffffffffff7cca23e9c44edb49aed63690216cc2728dc58f552378c292ab5844f3");
            for (i, b) in be.iter().rev().enumerate() {
                l[i] = *b;
            }
            l
        };
        let mut carry = 0u16;
        for i in 0..57 {
            let v = s_plus_l[57 + i] as u16 + l[i] as u16 + carry;
            s_plus_l[57 + i] = v as u8;
            carry = v >> 8;
        }
        assert!(!k.verify(CRAFT_MSG, &s_plus_l));
        let mut s57 = sig.clone();
        s57[113] = 1;
        assert!(!k.verify(CRAFT_MSG, &s57));
        // The all-zero signature (R = order-4 point, S = 0) with the
        // all-zero key is refused at the key already; with a good key too.
        assert!(!k.verify(CRAFT_MSG, &[0u8; 114]));
        assert!(!k.verify(b"", &[0u8; 114]));
    }

    #[test]
    fn vectors_unsupported() {
        check_vector(&format!("{DNSPY}gost_alg12_unsupported.txt"), Expect::UnsupportedAlg(12));
        check_vector(&format!("{DNSPY}unknown_algorithm_100.txt"), Expect::UnsupportedAlg(100));
        check_vector(&format!("{DNSPY}rsamd5_ns_good.txt"), Expect::UnsupportedAlg(1));
        check_vector(&format!("{DNSPY}dsa_soa_good.txt"), Expect::UnsupportedAlg(3));
    }

    #[test]
    fn root_zone_dnskey_rrset_2017() {
        // The real root DNSKEY RRset of 2017-08-21 and its RRSIG by KSK 19036
        // (RSASHA256, 2048 bits): three RDATAs in canonical order.
        let Some(p) = corpus("pspacek-dnscache_simulator/root.zone") else { return };
        let text = std::fs::read_to_string(p).unwrap();
        let mut tmp = tempfile_lines(&text);
        tmp.retain(|r| {
            r.rtype == rrtype::DNSKEY
                || (r.rtype == rrtype::RRSIG && r.rdata[..2] == rrtype::DNSKEY.to_be_bytes())
        });
        assert_eq!(tmp.len(), 4);
        let keys: Vec<Dnskey> = tmp[..3].iter().map(|r| Dnskey::from_rdata(&r.rdata).unwrap()).collect();
        let sig = parse_rrsig(&tmp[3].rdata).unwrap();
        assert_eq!((sig.key_tag, sig.labels), (19036, 0));
        let canon = sorted_canonical_rdatas(rrtype::DNSKEY, tmp[..3].iter().map(|r| r.rdata.as_slice()));
        let mut buf = Vec::new();
        signed_data(&mut buf, &sig, &tmp[3].owner, 1, &canon);
        let k = keys.iter().find(|k| k.key_tag == 19036).unwrap();
        assert!(k.key.as_ref().unwrap().verify(&buf, sig.signature));
        let other = keys.iter().find(|k| k.key_tag == 20326).unwrap();
        assert!(!other.key.as_ref().unwrap().verify(&buf, sig.signature));
        // Out of canonical order, the data no longer verifies.
        let mut rev = canon.clone();
        rev.reverse();
        signed_data(&mut buf, &sig, &tmp[3].owner, 1, &rev);
        assert!(!k.key.as_ref().unwrap().verify(&buf, sig.signature));
    }

    #[test]
    fn wildcard_expansion_real_signature() {
        // dnspython testWildcardGoodAndBad: the RRSIG over *.example.com. TXT
        // (labels 2) also verifies the expanded a.example.com. and
        // a.b.c.example.com. copies; with labels 3 it must not.
        let Some(rrs) = corpus_records(&format!("{DNSPY}wildcard_txt_good.txt")) else { return };
        let key = Dnskey::from_rdata(&rrs.iter().find(|r| r.rtype == rrtype::DNSKEY).unwrap().rdata).unwrap();
        let key = key.key.unwrap();
        let sig_rr = rrs.iter().find(|r| r.rtype == rrtype::RRSIG).unwrap();
        let txt = rrs.iter().find(|r| r.rtype == rrtype::TXT).unwrap();
        let canon = sorted_canonical_rdatas(rrtype::TXT, [txt.rdata.as_slice()]);
        let sig = parse_rrsig(&sig_rr.rdata).unwrap();
        let mut buf = Vec::new();
        for owner in ["*.example.com.", "a.example.com.", "A.B.c.example.com."] {
            let owner = crate::dns::name::Name::from_text(owner, None).unwrap();
            signed_data(&mut buf, &sig, &owner, 1, &canon);
            assert!(key.verify(&buf, sig.signature), "{owner}");
        }
        let mut rd = sig_rr.rdata.clone();
        rd[3] = 3;
        let sig3 = parse_rrsig(&rd).unwrap();
        let owner = crate::dns::name::Name::from_text("a.example.com.", None).unwrap();
        signed_data(&mut buf, &sig3, &owner, 1, &canon);
        assert!(!key.verify(&buf, sig3.signature));
    }

    fn tempfile_lines(text: &str) -> Vec<Rr> {
        text.lines()
            .filter(|l| matches!(l.split_whitespace().nth(3), Some("DNSKEY") | Some("RRSIG")))
            .filter_map(parse_line)
            .collect()
    }

    fn rsa_key(e: &[u8], n: &[u8]) -> Vec<u8> {
        let mut k = Vec::new();
        if e.len() < 256 && !e.is_empty() {
            k.push(e.len() as u8);
        } else {
            k.push(0);
            k.extend_from_slice(&(e.len() as u16).to_be_bytes());
        }
        k.extend_from_slice(e);
        k.extend_from_slice(n);
        k
    }

    fn modulus(bits: usize) -> Vec<u8> {
        let mut n = vec![0xa5u8; bits.div_ceil(8)];
        let top = bits % 8;
        n[0] = if top == 0 { 0x80 } else { 1 << (top - 1) } | 0x01;
        *n.last_mut().unwrap() |= 1;
        n
    }

    #[test]
    fn rsa_key_limits() {
        let e = [1, 0, 1];
        let err = |k: &[u8]| PublicKey::from_dnskey(8, k).unwrap_err();
        assert_eq!(
            err(&rsa_key(&e, &modulus(1023))),
            KeyError::UnsupportedKey("RSA key of 1023 bits: below the 1024-bit minimum".into())
        );
        assert_eq!(
            err(&rsa_key(&e, &modulus(512))),
            KeyError::UnsupportedKey("RSA key of 512 bits: below the 1024-bit minimum".into())
        );
        assert_eq!(PublicKey::from_dnskey(8, &rsa_key(&e, &modulus(1024))).unwrap().bits(), 1024);
        assert_eq!(PublicKey::from_dnskey(10, &rsa_key(&e, &modulus(8192))).unwrap().bits(), 8192);
        assert!(matches!(err(&rsa_key(&e, &modulus(8193))), KeyError::UnsupportedKey(s) if s.contains("8193 bits")));
        // Leading zero octets of n are not bits.
        let mut padded = vec![0, 0];
        padded.extend(modulus(1024));
        assert_eq!(PublicKey::from_dnskey(5, &rsa_key(&e, &padded)).unwrap().bits(), 1024);
        // Exponents ring refuses.
        let n = modulus(2048);
        assert!(matches!(err(&rsa_key(&[1, 0, 0, 0, 0, 1], &n)), KeyError::UnsupportedKey(s) if s.contains("33-bit")));
        assert!(matches!(err(&rsa_key(&[2, 0, 0, 0, 1], &n)), KeyError::UnsupportedKey(s) if s.contains("33-bit")));
        assert!(PublicKey::from_dnskey(8, &rsa_key(&[1, 0xff, 0xff, 0xff, 0xff], &n)).is_ok());
        assert!(matches!(err(&rsa_key(&[1, 0, 0], &n)), KeyError::UnsupportedKey(s) if s.contains("even")));
        assert!(matches!(err(&rsa_key(&[1], &n)), KeyError::UnsupportedKey(s) if s.contains("below 3")));
        assert!(matches!(err(&rsa_key(&[0], &n)), KeyError::UnsupportedKey(s) if s.contains("below 3")));
        assert!(PublicKey::from_dnskey(8, &rsa_key(&[3], &n)).is_ok());
        assert!(PublicKey::from_dnskey(8, &rsa_key(&[0, 0, 3], &n)).is_ok());
        // The 3-octet long form of the exponent length (RFC 3110 §2).
        let mut long = vec![0, 0, 3, 1, 0, 1];
        long.extend_from_slice(&n);
        assert_eq!(PublicKey::from_dnskey(8, &long).unwrap().bits(), 2048);
        // Truncation.
        assert!(matches!(err(&[]), KeyError::Malformed(_)));
        assert!(matches!(err(&[0, 1]), KeyError::Malformed(_)));
        assert!(matches!(err(&[4, 1, 0, 1]), KeyError::Malformed(_)));
        assert!(matches!(err(&[3, 1, 0, 1]), KeyError::Malformed(_)));
        assert!(matches!(err(&[0, 0, 3, 1, 0, 1]), KeyError::Malformed(_)));
        assert!(matches!(err(&rsa_key(&[], &n)), KeyError::Malformed(s) if s.contains("empty exponent")));
        // Even modulus.
        let mut even = modulus(2048);
        *even.last_mut().unwrap() &= 0xfe;
        assert!(matches!(err(&rsa_key(&e, &even)), KeyError::Malformed(_)));
    }

    #[test]
    fn ec_and_ed25519_key_sizes() {
        assert!(matches!(PublicKey::from_dnskey(13, &[4; 63]), Err(KeyError::Malformed(_))));
        assert_eq!(PublicKey::from_dnskey(13, &[4; 64]).unwrap().bits(), 256);
        // aws-lc-rs checks the P-384 point when the key is parsed (ring,
        // used for P-256, only when verifying).
        assert!(matches!(PublicKey::from_dnskey(14, &[4; 96]),
            Err(KeyError::Malformed(s)) if s.contains("not a point on the curve")));
        assert!(matches!(PublicKey::from_dnskey(14, &[4; 64]), Err(KeyError::Malformed(_))));
        assert_eq!(PublicKey::from_dnskey(15, &[9; 32]).unwrap().bits(), 256);
        assert!(matches!(PublicKey::from_dnskey(15, &[9; 33]), Err(KeyError::Malformed(_))));
        // A point not on the curve never verifies.
        let k = PublicKey::from_dnskey(13, &[4; 64]).unwrap();
        assert!(!k.verify(b"x", &[1; 64]));
    }

    #[test]
    fn algorithm_table() {
        let names = [
            (1, "RSAMD5"),
            (3, "DSA"),
            (5, "RSASHA1"),
            (6, "DSA-NSEC3-SHA1"),
            (7, "RSASHA1-NSEC3-SHA1"),
            (8, "RSASHA256"),
            (10, "RSASHA512"),
            (12, "ECC-GOST"),
            (13, "ECDSAP256SHA256"),
            (14, "ECDSAP384SHA384"),
            (15, "ED25519"),
            (16, "ED448"),
            (0, "0"),
            (2, "2"),
            (4, "4"),
            (9, "9"),
            (11, "11"),
            (17, "17"),
            (255, "255"),
        ];
        for (a, n) in names {
            assert_eq!(algorithm_name(a), n);
        }
        for a in 0..=255u8 {
            let sup = algorithm_supported(a);
            assert_eq!(sup, matches!(a, 5 | 7 | 8 | 10 | 13 | 14 | 15 | 16), "{a}");
            if !sup {
                let d = Dnskey::from_rdata(&[1, 1, 3, a, 3, 1, 0, 1, 9, 9]).unwrap();
                assert_eq!(d.key.unwrap_err(), KeyError::UnsupportedAlgorithm(a));
            }
        }
    }

    #[test]
    fn malformed_dnskeys_never_panic() {
        assert!(Dnskey::from_rdata(&[1, 0, 3]).is_none());
        let mut rng = Lcg(0x5eed);
        for _ in 0..20_000 {
            let mut rd = rng.bytes(80);
            if rd.len() >= 4 && rng.next() % 2 == 0 {
                rd[3] = [1, 5, 7, 8, 10, 13, 14, 15, 16][(rng.next() % 9) as usize];
            }
            let tag = key_tag(&rd);
            if let Some(d) = Dnskey::from_rdata(&rd) {
                assert_eq!(d.key_tag, tag);
                if let Ok(k) = &d.key {
                    let sig = rng.bytes(130);
                    assert!(!k.verify(&rd, &sig));
                }
            } else {
                assert!(rd.len() < 4);
            }
        }
    }
}

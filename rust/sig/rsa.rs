//! RSA PKCS#1 v1.5 signature verification (RFC 3110, RFC 5702, RFC 8017
//! §8.2.2) on aws-lc's bignum arithmetic, without aws-lc's per-call
//! set-up.
//!
//! Why not `aws_lc_rs::signature::ParsedPublicKey::verify_sig`: for every
//! signature it builds an `EVP_MD_CTX` and an `EVP_PKEY_CTX`, takes a
//! reference on the shared `EVP_PKEY` (an atomic on a cache line both
//! cores write), takes the key's Montgomery lock, allocates a `BN_CTX` and
//! two buffers, and frees them again. On this project's 2-core machine
//! (2026-12-01, one 2048-bit key, a 180-octet message, 2 threads, 3 rounds
//! of 80,000) that path did 128,000 verifications/s; the modular
//! exponentiation below, with each thread's scratch kept, did 137,000/s
//! (`openssl speed -multi 2 rsa2048`: 123,000/s). Inside a run the gap is
//! wider: on the 100k-delegation RSA zone of `benches/compare.py`,
//! `zoneverify bench` counted 54,000-56,000 verifications per CPU-second
//! through aws-lc-rs and 65,500-66,000 through this module (two runs
//! each), and the whole call took 1.35 s instead of 1.61-1.68 s; the
//! public-key operation is three quarters of the run's CPU time.
//!
//! The arithmetic is aws-lc's (`BN_mod_mul_montgomery`, its assembly
//! multiplication and squaring, with a Montgomery context built once per
//! key and shared read-only by every thread, as aws-lc's own RSA code
//! shares it); what is ours is the square-and-multiply loop over the
//! public exponent (`RsaKey::power`, which ends out of Montgomery form
//! without a separate conversion) and the encoding check, done the
//! way RFC 8017 §8.2.2 step 3-4 says: build the expected encoded message
//! `0x00 0x01 0xFF.. 0x00 DigestInfo H` and compare it with the whole
//! result. That accepts exactly what aws-lc's `RSA_verify` accepts (its
//! padding check plus the exact comparison of `DigestInfo H` leave the
//! length of the `0xFF` run no freedom either), so the set of signatures
//! reported valid did not change; `tests` below checks both against each
//! other on good, bad and crafted signatures.
//!
//! Where the CPU has AVX-512 IFMA and the modulus has at most 2078 bits,
//! the power is computed in radix 2^52 instead ([`super::amm`]): on this
//! project's machine that raised `zoneverify bench`'s count on the 100k
//! RSA zone from about 66,000 to 161,000 verifications per CPU-second.
//! The encoding check is the same for both paths, and the tests run the
//! crafted signatures through both.

use aws_lc_rs::digest;
use aws_lc_sys as sys;
use std::cell::RefCell;
use std::ptr::NonNull;

/// The hash of an RSA algorithm and its DER `DigestInfo` prefix (RFC 8017
/// §9.2, note 1; `NULL` parameters, the only form signers write and the
/// only one aws-lc accepts).
#[derive(Clone, Copy, Debug)]
pub enum RsaHash {
    Sha1,
    Sha256,
    Sha512,
}

impl RsaHash {
    fn algorithm(self) -> &'static digest::Algorithm {
        match self {
            RsaHash::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            RsaHash::Sha256 => &digest::SHA256,
            RsaHash::Sha512 => &digest::SHA512,
        }
    }

    fn digest_info(self) -> &'static [u8] {
        match self {
            RsaHash::Sha1 => &[0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14],
            RsaHash::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
                0x04, 0x20,
            ],
            RsaHash::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00,
                0x04, 0x40,
            ],
        }
    }
}

/// An owned aws-lc `BIGNUM`.
struct Bn(NonNull<sys::BIGNUM>);

impl Bn {
    fn new() -> Bn {
        // SAFETY: BN_new has no preconditions; it returns NULL only when out of memory.
        Bn(NonNull::new(unsafe { sys::BN_new() }).expect("aws-lc: out of memory (BN_new)"))
    }

    fn from_be(bytes: &[u8]) -> Bn {
        let bn = Bn::new();
        // SAFETY: `bytes` is a valid slice; `bn` is a live BIGNUM we own.
        let r = unsafe { sys::BN_bin2bn(bytes.as_ptr(), bytes.len(), bn.0.as_ptr()) };
        assert!(!r.is_null(), "aws-lc: out of memory (BN_bin2bn)");
        bn
    }
}

impl Drop for Bn {
    fn drop(&mut self) {
        // SAFETY: we own the BIGNUM and free it once.
        unsafe { sys::BN_free(self.0.as_ptr()) }
    }
}

/// An owned aws-lc `BN_CTX`.
struct Ctx(NonNull<sys::BN_CTX>);

impl Ctx {
    fn new() -> Ctx {
        // SAFETY: no preconditions; NULL only when out of memory.
        Ctx(NonNull::new(unsafe { sys::BN_CTX_new() }).expect("aws-lc: out of memory (BN_CTX_new)"))
    }
}

impl Drop for Ctx {
    fn drop(&mut self) {
        // SAFETY: we own the context and free it once.
        unsafe { sys::BN_CTX_free(self.0.as_ptr()) }
    }
}

/// One thread's scratch: a `BN_CTX`, the signature as a number and in
/// Montgomery form, the running power, the result, and the result's
/// octets.
struct Scratch {
    ctx: Ctx,
    s: Bn,
    sm: Bn,
    x: Bn,
    m: Bn,
    out: Vec<u8>,
}

thread_local! {
    static SCRATCH: RefCell<Option<Scratch>> = const { RefCell::new(None) };
}

/// An RSA public key ready to verify: the modulus and exponent, their
/// Montgomery context, and the expected encoding up to the hash.
pub struct RsaKey {
    n: Bn,
    /// The public exponent (odd, at least 3, below 2^64).
    e: u64,
    mont: NonNull<sys::BN_MONT_CTX>,
    /// Modulus length in octets: the only signature length accepted.
    k: usize,
    hash: RsaHash,
    /// `0x00 0x01 0xFF.. 0x00 DigestInfo`: the encoded message without H.
    prefix: Vec<u8>,
    /// The modulus for the AVX-512 IFMA routines, when the CPU has them
    /// and the modulus fits (up to 2078 bits); else aws-lc's bignum path.
    amm: Option<super::amm::Modulus>,
}

// SAFETY: after construction the key is only read. `BN_mod_exp_mont` takes
// the modulus, exponent and Montgomery context as `const` and does not
// modify them (aws-lc's RSA code shares one context between threads the
// same way); each thread has its own `BN_CTX` and result numbers.
unsafe impl Send for RsaKey {}
unsafe impl Sync for RsaKey {}

impl Drop for RsaKey {
    fn drop(&mut self) {
        // SAFETY: we own the context and free it once.
        unsafe { sys::BN_MONT_CTX_free(self.mont.as_ptr()) }
    }
}

impl RsaKey {
    /// A key from its big-endian modulus and exponent, both without
    /// leading zeros. The caller has checked the sizes (1024-8192 bits,
    /// exponent 3..2^33-1, odd) and that the modulus is odd; `None` when
    /// the encoding would leave no room for eight octets of padding, or
    /// the modulus or exponent is even, or the exponent is below 3 or
    /// wider than 64 bits.
    pub fn new(n: &[u8], e: &[u8], hash: RsaHash) -> Option<RsaKey> {
        let k = n.len();
        let info = hash.digest_info();
        let t_len = info.len() + hash.algorithm().output_len();
        // RFC 8017 §9.2 step 4: emLen < tLen + 11 cannot be encoded.
        if k < t_len + 11 || n.last().is_none_or(|b| b & 1 == 0) || e.len() > 8 {
            return None;
        }
        let e = e.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b));
        if e < 3 || e & 1 == 0 {
            return None;
        }
        let amm = super::amm::Modulus::new(n);
        let n = Bn::from_be(n);
        let ctx = Ctx::new();
        // SAFETY: `n` is a live, odd, positive BIGNUM; `ctx` is ours.
        let mont = NonNull::new(unsafe { sys::BN_MONT_CTX_new_for_modulus(n.0.as_ptr(), ctx.0.as_ptr()) })?;
        let mut prefix = Vec::with_capacity(k - hash.algorithm().output_len());
        prefix.extend_from_slice(&[0x00, 0x01]);
        prefix.resize(k - t_len - 1, 0xff);
        prefix.push(0x00);
        prefix.extend_from_slice(info);
        Some(RsaKey { n, e, mont, k, hash, prefix, amm })
    }

    /// True only when `sig` is this key's PKCS#1 v1.5 signature of `data`.
    pub fn verify(&self, data: &[u8], sig: &[u8]) -> bool {
        if sig.len() != self.k {
            return false;
        }
        let h = digest::digest(self.hash.algorithm(), data);
        if let Some(amm) = &self.amm {
            let mut em = [0u8; 260];
            let em = &mut em[..self.k];
            if !amm.power(sig, self.e, em) {
                return false;
            }
            return self.is_encoding_of(em, h.as_ref());
        }
        SCRATCH.with(|cell| {
            let mut slot = cell.borrow_mut();
            let sc = slot.get_or_insert_with(Scratch::new);
            // SAFETY: `sig` is a valid slice; `sc.s` is this thread's BIGNUM.
            if unsafe { sys::BN_bin2bn(sig.as_ptr(), sig.len(), sc.s.0.as_ptr()) }.is_null() {
                return false;
            }
            // s >= n is no signature (RFC 8017 §5.2.2 step 1).
            // SAFETY: both are live BIGNUMs.
            if unsafe { sys::BN_ucmp(sc.s.0.as_ptr(), self.n.0.as_ptr()) } >= 0 {
                return false;
            }
            if !self.power(sc) {
                return false;
            }
            self.is_encoding_of(sc.encoded(self.k), h.as_ref())
        })
    }

    /// Whether `em` is exactly `0x00 0x01 0xFF.. 0x00 DigestInfo H` for the
    /// hash `h` (RFC 8017 §8.2.2 steps 3-4), whichever path computed it.
    fn is_encoding_of(&self, em: &[u8], h: &[u8]) -> bool {
        em.len() == self.k && em[..self.prefix.len()] == self.prefix[..] && &em[self.prefix.len()..] == h
    }

    /// `sc.m = sc.s ^ e mod n`, by left-to-right square-and-multiply in
    /// Montgomery form (aws-lc's `BN_mod_mul_montgomery`, which runs its
    /// assembly multiplication and, for a square, its squaring). The last
    /// step multiplies by `s` itself, not by its Montgomery form, so the
    /// product comes out of Montgomery form at once: `(s^(e-1) R) s R^-1 =
    /// s^e`. That saves the separate conversion `BN_mod_exp_mont` ends
    /// with (a generic multiply-add loop, 4 % of a run's CPU time on the
    /// 100k RSA zone). The exponent is odd (`new`'s caller checks it), so
    /// its last bit is a multiplication. `false` only when aws-lc fails
    /// (out of memory).
    fn power(&self, sc: &mut Scratch) -> bool {
        let (s, x, m, ctx, mont) = (sc.s.0.as_ptr(), sc.x.0.as_ptr(), sc.m.0.as_ptr(), sc.ctx.0.as_ptr(), self.mont.as_ptr());
        let top = 63 - self.e.leading_zeros();
        // SAFETY: every pointer is a live object: the key's Montgomery
        // context (read only), this thread's numbers and context (written);
        // `BN_mod_mul_montgomery` allows the result to alias an input.
        unsafe {
            // x = s R: the exponent's top bit.
            if sys::BN_to_montgomery(sc.sm.0.as_ptr(), s, mont, ctx) != 1 || sys::BN_copy(x, sc.sm.0.as_ptr()).is_null() {
                sys::ERR_clear_error();
                return false;
            }
            for bit in (1..top).rev() {
                if sys::BN_mod_mul_montgomery(x, x, x, mont, ctx) != 1
                    || (self.e >> bit & 1 == 1 && sys::BN_mod_mul_montgomery(x, x, sc.sm.0.as_ptr(), mont, ctx) != 1)
                {
                    sys::ERR_clear_error();
                    return false;
                }
            }
            // The last bit (set): square, then multiply by s out of Montgomery form.
            if sys::BN_mod_mul_montgomery(x, x, x, mont, ctx) != 1 || sys::BN_mod_mul_montgomery(m, x, s, mont, ctx) != 1 {
                sys::ERR_clear_error();
                return false;
            }
        }
        true
    }
}

impl Scratch {
    fn new() -> Scratch {
        Scratch { ctx: Ctx::new(), s: Bn::new(), sm: Bn::new(), x: Bn::new(), m: Bn::new(), out: Vec::new() }
    }

    /// `m` as `k` big-endian octets (`m < n < 2^(8k)`), written word by
    /// word (aws-lc's `BN_bn2bin_padded` goes octet by octet).
    fn encoded(&mut self, k: usize) -> &[u8] {
        // SAFETY: `m` is a live BIGNUM; its `d` holds `width` words.
        let words = unsafe {
            let m = &*self.m.0.as_ptr();
            let width = usize::try_from(m.width).unwrap_or(0);
            if width == 0 { &[][..] } else { std::slice::from_raw_parts(m.d, width) }
        };
        let full = k.div_ceil(8).max(words.len());
        self.out.clear();
        self.out.resize(full * 8, 0);
        for (i, w) in words.iter().enumerate() {
            let at = (full - 1 - i) * 8;
            self.out[at..at + 8].copy_from_slice(&w.to_be_bytes());
        }
        let skip = full * 8 - k;
        if self.out[..skip].iter().any(|&b| b != 0) {
            // Wider than k octets: cannot be the encoding (m < n prevents it).
            self.out.clear();
            return &self.out;
        }
        &self.out[skip..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sig::crypto::strip_leading_zeros as strip;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{self as lc, KeyPair, RsaKeyPair};

    /// aws-lc-rs's verifier, the reference.
    fn reference(params: &'static lc::RsaParameters, n: &[u8], e: &[u8], data: &[u8], sig: &[u8]) -> bool {
        lc::RsaPublicKeyComponents { n, e }.verify(params, data, sig).is_ok()
    }

    /// The private operation on an arbitrary encoded message (no padding),
    /// so that crafted encodings can be signed.
    fn raw_sign(kp: &RsaKeyPair, em: &[u8]) -> Vec<u8> {
        use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
        let der: Pkcs8V1Der = kp.as_der().expect("PKCS#8");
        let der = der.as_ref();
        let mut out = vec![0u8; em.len()];
        // SAFETY: test-only; the key bytes and buffers are valid.
        unsafe {
            let mut p = der.as_ptr();
            let pkey = sys::d2i_AutoPrivateKey(std::ptr::null_mut(), &mut p, der.len() as _);
            assert!(!pkey.is_null());
            let rsa = sys::EVP_PKEY_get1_RSA(pkey);
            sys::EVP_PKEY_free(pkey);
            assert!(!rsa.is_null());
            let mut written = 0usize;
            assert_eq!(
                sys::RSA_sign_raw(rsa, &mut written, out.as_mut_ptr(), out.len(), em.as_ptr(), em.len(), sys::RSA_NO_PADDING as i32),
                1
            );
            sys::RSA_free(rsa);
        }
        out
    }

    #[test]
    fn agrees_with_aws_lc_on_good_bad_and_crafted_signatures() {
        let rng = SystemRandom::new();
        let kp2048 = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let kp3072 = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa3072).unwrap();
        for (kp, hash, params) in [
            (&kp2048, RsaHash::Sha256, &lc::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY),
            (&kp2048, RsaHash::Sha1, &lc::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY),
            (&kp2048, RsaHash::Sha512, &lc::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY),
            (&kp3072, RsaHash::Sha256, &lc::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY),
        ] {
            let pk = kp.public_key();
            let comps = lc::RsaPublicKeyComponents::<Vec<u8>>::from(pk);
            let (n, e) = (strip(&comps.n).to_vec(), strip(&comps.e).to_vec());
            let key = RsaKey::new(&n, &e, hash).unwrap();
            let k = n.len();
            let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 1) as u8).collect();
            let h = digest::digest(hash.algorithm(), &data);
            let good = [&key.prefix[..], h.as_ref()].concat();
            let sig = raw_sign(kp, &good);
            if let RsaHash::Sha256 = hash {
                let mut signed = vec![0u8; kp.public_modulus_len()];
                kp.sign(&lc::RSA_PKCS1_SHA256, &rng, &data, &mut signed).unwrap();
                assert_eq!(signed, sig, "the expected encoding is what aws-lc's signer writes");
            }
            let mut cases: Vec<(Vec<u8>, Vec<u8>)> = vec![(data.clone(), sig.clone())];
            // every bit of the signature flipped in turn (a sample of them)
            for i in (0..k * 8).step_by(37) {
                let mut s = sig.clone();
                s[i / 8] ^= 1 << (i % 8);
                cases.push((data.clone(), s));
            }
            // other data, truncated and extended signatures, s = 0, s = n, s > n
            let mut other = data.clone();
            other[5] ^= 0x80;
            cases.push((other, sig.clone()));
            cases.push((data.clone(), sig[1..].to_vec()));
            cases.push((data.clone(), [&[0u8][..], &sig].concat()));
            cases.push((data.clone(), vec![0u8; k]));
            cases.push((data.clone(), n.clone()));
            cases.push((data.clone(), vec![0xffu8; k]));
            // crafted encodings, each signed with the private key
            let mut crafted = Vec::new();
            let mut em = good.clone();
            em[1] = 0x02; // block type 2
            crafted.push(em);
            let mut em = good.clone();
            em[5] = 0xfe; // a padding octet not 0xFF
            crafted.push(em);
            let mut em = good.clone();
            em[key.prefix.len() - hash.digest_info().len() - 1] = 0xff; // no 0x00 separator
            crafted.push(em);
            // shorter padding, DigestInfo moved left, a trailing garbage octet
            let mut em = vec![0x00, 0x01];
            em.resize(k - hash.digest_info().len() - h.as_ref().len() - 2, 0xff);
            em.push(0x00);
            em.extend_from_slice(hash.digest_info());
            em.extend_from_slice(h.as_ref());
            em.push(0x00);
            crafted.push(em);
            // DigestInfo with the parameters left out (no NULL)
            let info = hash.digest_info();
            let mut alt = vec![info[0], info[1] - 2, info[2], info[3] - 2];
            alt.extend_from_slice(&info[4..info.len() - 4]);
            alt.extend_from_slice(&info[info.len() - 2..]);
            let mut em = vec![0x00, 0x01];
            em.resize(k - alt.len() - h.as_ref().len() - 1, 0xff);
            em.push(0x00);
            em.extend_from_slice(&alt);
            em.extend_from_slice(h.as_ref());
            crafted.push(em);
            // the hash of other data
            let mut em = good.clone();
            let last = em.len() - 1;
            em[last] ^= 1;
            crafted.push(em);
            for em in crafted {
                assert_eq!(em.len(), k);
                cases.push((data.clone(), raw_sign(kp, &em)));
            }
            // Through the radix-2^52 path where the CPU has it, then
            // through aws-lc's bignum path.
            let mut key = key;
            for round in 0..2 {
                let engine = if key.amm.is_some() { "IFMA" } else { "bignum" };
                let mut valid = 0;
                for (d, s) in &cases {
                    let want = reference(params, &n, &e, d, s);
                    assert_eq!(key.verify(d, s), want, "{k} octets, {hash:?}, {engine}: disagreement with aws-lc");
                    valid += want as usize;
                }
                assert_eq!(valid, 1, "only the signer's own signature is valid");
                if round == 0 && key.amm.is_none() {
                    break;
                }
                key.amm = None;
            }
        }
    }

    #[test]
    fn verifies_from_many_threads() {
        let rng = SystemRandom::new();
        let kp = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let comps = lc::RsaPublicKeyComponents::<Vec<u8>>::from(kp.public_key());
        let key = RsaKey::new(strip(&comps.n), strip(&comps.e), RsaHash::Sha256).unwrap();
        let msgs: Vec<Vec<u8>> = (0..64u8).map(|i| vec![i; 40 + i as usize]).collect();
        let sigs: Vec<Vec<u8>> = msgs
            .iter()
            .map(|m| {
                let mut s = vec![0u8; kp.public_modulus_len()];
                kp.sign(&lc::RSA_PKCS1_SHA256, &rng, m, &mut s).unwrap();
                s
            })
            .collect();
        std::thread::scope(|sc| {
            for t in 0..4 {
                let (key, msgs, sigs) = (&key, &msgs, &sigs);
                sc.spawn(move || {
                    for round in 0..20 {
                        for (i, (m, s)) in msgs.iter().zip(sigs).enumerate() {
                            let other = (i + t + round + 1) % msgs.len();
                            assert!(key.verify(m, s));
                            assert!(!key.verify(&msgs[other], s));
                        }
                    }
                });
            }
        });
    }

    /// aws-lc's `BN_mod_exp_mont` on the same numbers, the reference for
    /// `RsaKey::power`.
    fn reference_power(key: &RsaKey, s: &[u8], e: u64) -> Vec<u8> {
        let (sn, en, out, ctx) = (Bn::from_be(s), Bn::from_be(&e.to_be_bytes()), Bn::new(), Ctx::new());
        let mut bytes = vec![0u8; key.k];
        // SAFETY: test-only; live numbers and contexts, a buffer of k octets.
        unsafe {
            let (o, c) = (out.0.as_ptr(), ctx.0.as_ptr());
            assert_eq!(sys::BN_mod_exp_mont(o, sn.0.as_ptr(), en.0.as_ptr(), key.n.0.as_ptr(), c, key.mont.as_ptr()), 1);
            assert_eq!(sys::BN_bn2bin_padded(bytes.as_mut_ptr(), key.k, o), 1);
        }
        bytes
    }

    #[test]
    fn the_power_agrees_with_bn_mod_exp_mont() {
        let kp = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let comps = lc::RsaPublicKeyComponents::<Vec<u8>>::from(kp.public_key());
        let n = strip(&comps.n).to_vec();
        let k = n.len();
        let mut n_minus_1 = n.clone();
        n_minus_1[k - 1] -= 1; // n is odd
        let mut narrow = vec![0u8; k]; // three leading zero words
        narrow[24..].iter_mut().enumerate().for_each(|(i, b)| *b = (i * 31 + 7) as u8);
        let mut one = vec![0u8; k];
        one[k - 1] = 1;
        let mixed: Vec<u8> = (0..k).map(|i| (i * 151 + 3) as u8 & if i == 0 { 0x7f } else { 0xff }).collect();
        for e in [3u64, 5, 17, 65537, 0x1_0000_0001, (1 << 33) - 1, 0xdead_beef_cafe_f00d | 1] {
            let key = RsaKey::new(&n, &e.to_be_bytes()[e.leading_zeros() as usize / 8..], RsaHash::Sha256).unwrap();
            for s in [&vec![0u8; k], &one, &n_minus_1, &narrow, &mixed] {
                let mut sc = Scratch::new();
                // SAFETY: test-only; a live BIGNUM and a valid slice.
                unsafe { assert!(!sys::BN_bin2bn(s.as_ptr(), s.len(), sc.s.0.as_ptr()).is_null()) };
                assert!(key.power(&mut sc));
                assert_eq!(sc.encoded(k), &reference_power(&key, s, e)[..], "e = {e:#x}");
            }
        }
    }

    #[test]
    fn refuses_exponents_it_cannot_raise_to() {
        let n = vec![0xc5u8; 256];
        assert!(RsaKey::new(&n, &[1], RsaHash::Sha256).is_none());
        assert!(RsaKey::new(&n, &[1, 0, 0], RsaHash::Sha256).is_none());
        assert!(RsaKey::new(&n, &[1, 0, 0, 0, 0, 0, 0, 0, 1], RsaHash::Sha256).is_none());
        assert!(RsaKey::new(&n, &[3], RsaHash::Sha256).is_some());
    }

    #[test]
    fn refuses_moduli_too_short_to_encode() {
        // 62 octets: SHA-512's DigestInfo and hash need 83 + 11.
        let mut n = vec![0xc5u8; 62];
        n[61] |= 1;
        assert!(RsaKey::new(&n, &[1, 0, 1], RsaHash::Sha512).is_none());
        let mut even = vec![0xc5u8; 256];
        even[255] = 0x10;
        assert!(RsaKey::new(&even, &[1, 0, 1], RsaHash::Sha256).is_none());
    }
}

//! The RSA public-key operation in radix 2^52 on aws-lc's AVX-512 IFMA
//! assembly, for moduli up to 2078 bits on CPUs that have it.
//!
//! aws-lc carries Intel's Almost Montgomery Multiplication for 20 and 40
//! digits of 52 bits (`rsaz_amm52x20_x1_ifma256`, `rsaz_amm52x40_x1_ifma256`,
//! from OpenSSL; S. Gueron, "Efficient software implementations of modular
//! exponentiation", DOI 10.1007/s13389-012-0031-5) but uses it only for
//! private-key operations; public-key verification goes through the 64-bit
//! `mulx`/`adx` Montgomery code. On this project's machine (AMD EPYC with
//! AVX-512 IFMA, 2026-12-01) one 2048-bit squaring took 715-736 ns through
//! `BN_mod_mul_montgomery` and 385-409 ns through the 40-digit routine
//! (200,000 squarings each, two runs). A verification is 17 of them.
//!
//! AMM(a, b) = a b R^-1 mod n "almost": with R = 2^(52 d), 4n < R and
//! a, b < 2n, the result is below 2n (Gueron's lemma), so it can feed the
//! next multiplication without the conditional subtraction; the single
//! subtraction at the end brings it below n. The exponentiation is the
//! same square-and-multiply as [`super::rsa`]'s, with the same last step
//! (a multiplication by `s` itself, which leaves Montgomery form).
//!
//! The routines are aws-lc's internal symbols, named with aws-lc-sys's
//! version prefix; `Cargo.toml` pins aws-lc-sys to that exact version, so
//! a different aws-lc fails to link instead of calling something else.
//! The CPU features are checked at run time ([`Modulus::new`] returns
//! `None` without them and the caller keeps to aws-lc's bignum path).

/// Most digits of 52 bits: 40 (2080 bits, moduli up to 2078 bits).
const DIGITS: usize = 40;
/// 64-bit words holding 2080 bits.
const WORDS: usize = 33;
const MASK: u64 = (1 << 52) - 1;

type Digits = [u64; DIGITS];
type Words = [u64; WORDS];
type AmmFn = unsafe extern "C" fn(res: *mut u64, a: *const u64, b: *const u64, m: *const u64, k0: u64);

#[cfg(target_arch = "x86_64")]
extern "C" {
    // aws-lc's crypto/fipsmodule/bn/rsaz_exp.h: `res = a b 2^-1040 mod m`
    // (almost), 20 digits; `res` may be `a` or `b`.
    #[link_name = "aws_lc_0_47_0_rsaz_amm52x20_x1_ifma256"]
    fn amm52x20(res: *mut u64, a: *const u64, b: *const u64, m: *const u64, k0: u64);
    // The same for 40 digits (2^-2080).
    #[link_name = "aws_lc_0_47_0_rsaz_amm52x40_x1_ifma256"]
    fn amm52x40(res: *mut u64, a: *const u64, b: *const u64, m: *const u64, k0: u64);
}

/// Whether this CPU runs the routines: IFMA on 256-bit registers, with
/// the AVX-512 mask instructions they use (F, VL, DQ, BW).
fn cpu_has_ifma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512ifma")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512dq")
            && std::arch::is_x86_feature_detected!("avx512bw")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// An odd modulus prepared for the radix-2^52 routines.
pub struct Modulus {
    amm: AmmFn,
    /// 20 or 40.
    digits: usize,
    /// n in digits, least significant first.
    m: Digits,
    /// R^2 mod n in digits.
    rr: Digits,
    /// -n^-1 mod 2^64 (the routines use its low 52 bits).
    k0: u64,
    /// n in 64-bit words, least significant first.
    n: Words,
}

impl std::fmt::Debug for Modulus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Modulus({} digits)", self.digits)
    }
}

impl Modulus {
    /// `n` big-endian without leading zeros. `None` when the CPU lacks
    /// the instructions, `n` is even, shorter than 512 bits or longer
    /// than 2078 bits.
    pub fn new(n: &[u8]) -> Option<Modulus> {
        if !cpu_has_ifma() {
            return None;
        }
        Modulus::for_cpu_with_ifma(n)
    }

    /// [`Modulus::new`] without the CPU check: calling
    /// [`Modulus::power`] on the result needs the instructions.
    fn for_cpu_with_ifma(n: &[u8]) -> Option<Modulus> {
        let bits = (n.len() * 8).checked_sub(n.first()?.leading_zeros() as usize)?;
        if n.last()? & 1 == 0 || !(512..=52 * DIGITS - 2).contains(&bits) {
            return None;
        }
        // 4n < R = 2^(52 d), the bound the "almost" result needs.
        let (amm, digits): (AmmFn, usize) = if bits <= 52 * 20 - 2 { (amm52x20, 20) } else { (amm52x40, 40) };
        let nw = words_from_be(n)?;
        // -n^-1 mod 2^64 by Newton's iteration (each step doubles the
        // correct low bits; n is odd, so n is its own inverse mod 8).
        let mut inv = nw[0];
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(nw[0].wrapping_mul(inv)));
        }
        debug_assert_eq!(nw[0].wrapping_mul(inv), 1);
        // R^2 mod n = 2^(2·52·d) mod n by doubling (once per key).
        let mut rr: Words = [0; WORDS];
        rr[0] = 1;
        for _ in 0..2 * 52 * digits {
            let carry = shl1(&mut rr);
            if carry || !less(&rr, &nw) {
                sub(&mut rr, &nw);
            }
        }
        Some(Modulus { amm, digits, m: to_digits(&nw), rr: to_digits(&rr), k0: inv.wrapping_neg(), n: nw })
    }

    fn mul(&self, r: &mut Digits, b: &Digits) {
        // SAFETY: the routine reads `digits` (20 or 40) digits of each
        // operand and writes `digits` of `r` (all arrays hold 40); `r`
        // may alias an input. The CPU has the instructions (`new`).
        unsafe { (self.amm)(r.as_mut_ptr(), r.as_ptr(), b.as_ptr(), self.m.as_ptr(), self.k0) }
    }

    fn square(&self, r: &mut Digits) {
        let p = r.as_mut_ptr();
        // SAFETY: as in `mul`, with both operands `r`.
        unsafe { (self.amm)(p, p, p, self.m.as_ptr(), self.k0) }
    }

    /// `s^e mod n` as `out.len()` big-endian octets, `s` big-endian of the
    /// same length. `false` when `s >= n` (no signature) or the result
    /// does not fit in `out`. `e` is odd and at least 3.
    pub fn power(&self, s: &[u8], e: u64, out: &mut [u8]) -> bool {
        debug_assert!(e >= 3 && e & 1 == 1);
        let Some(sw) = words_from_be(s) else { return false };
        if !less(&sw, &self.n) {
            return false;
        }
        let s = to_digits(&sw);
        // x = s R (from s R^2 R^-1): the exponent's top bit.
        let mut sr = s;
        self.mul(&mut sr, &self.rr);
        let mut x = sr;
        let top = 63 - e.leading_zeros();
        for bit in (1..top).rev() {
            self.square(&mut x);
            if e >> bit & 1 == 1 {
                self.mul(&mut x, &sr);
            }
        }
        // The last bit (set): square, then multiply by s out of Montgomery form.
        self.square(&mut x);
        self.mul(&mut x, &s);
        let mut w = from_digits(&x);
        if !less(&w, &self.n) {
            sub(&mut w, &self.n);
        }
        be_from_words(&w, out)
    }
}

/// Big-endian octets (at most 33 words' worth) as little-endian words.
fn words_from_be(b: &[u8]) -> Option<Words> {
    if b.len() > WORDS * 8 {
        return None;
    }
    let mut w: Words = [0; WORDS];
    for (i, chunk) in b.rchunks(8).enumerate() {
        w[i] = chunk.iter().fold(0u64, |acc, &o| acc << 8 | u64::from(o));
    }
    Some(w)
}

/// `w` as exactly `out.len()` big-endian octets; `false` when it does not fit.
fn be_from_words(w: &Words, out: &mut [u8]) -> bool {
    let k = out.len();
    let mut full = [0u8; WORDS * 8];
    for (i, v) in w.iter().enumerate() {
        full[(WORDS - 1 - i) * 8..(WORDS - i) * 8].copy_from_slice(&v.to_be_bytes());
    }
    let Some(skip) = (WORDS * 8).checked_sub(k) else { return false };
    if full[..skip].iter().any(|&o| o != 0) {
        return false;
    }
    out.copy_from_slice(&full[skip..]);
    true
}

fn to_digits(w: &Words) -> Digits {
    let mut d: Digits = [0; DIGITS];
    for (i, digit) in d.iter_mut().enumerate() {
        let (wi, sh) = (i * 52 / 64, i * 52 % 64);
        let lo = w[wi] >> sh;
        let hi = if sh > 12 { w[wi + 1] << (64 - sh) } else { 0 };
        *digit = (lo | hi) & MASK;
    }
    d
}

fn from_digits(d: &Digits) -> Words {
    let mut w: Words = [0; WORDS];
    for (i, &digit) in d.iter().enumerate() {
        let (wi, sh) = (i * 52 / 64, i * 52 % 64);
        w[wi] |= digit << sh;
        if sh > 12 {
            w[wi + 1] |= digit >> (64 - sh);
        }
    }
    w
}

fn less(a: &Words, b: &Words) -> bool {
    for i in (0..WORDS).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

/// `a -= b` (mod 2^(64·33)).
fn sub(a: &mut Words, b: &Words) {
    let mut borrow = false;
    for i in 0..WORDS {
        let (v, b1) = a[i].overflowing_sub(b[i]);
        let (v, b2) = v.overflowing_sub(borrow as u64);
        a[i] = v;
        borrow = b1 || b2;
    }
}

/// `a <<= 1`; the bit shifted out.
fn shl1(a: &mut Words) -> bool {
    let mut carry = 0;
    for v in a.iter_mut() {
        let out = *v >> 63;
        *v = *v << 1 | carry;
        carry = out;
    }
    carry == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_and_words_round_trip() {
        let mut w: Words = [0; WORDS];
        for (i, v) in w.iter_mut().enumerate().take(32) {
            *v = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
        w[32] = 0xffff_ffff; // 2080 bits: the top word holds 32
        assert_eq!(from_digits(&to_digits(&w)), w);
        let be: Vec<u8> = (0..256u32).map(|i| (i * 13 + 5) as u8).collect();
        let mut out = vec![0u8; 256];
        assert!(be_from_words(&words_from_be(&be).unwrap(), &mut out));
        assert_eq!(out, be);
        assert!(!be_from_words(&words_from_be(&be).unwrap(), &mut [0u8; 255]));
    }

    #[test]
    fn refuses_what_it_cannot_hold() {
        let mut n = vec![0xc5u8; 260]; // 2080 bits
        n[259] |= 1;
        assert!(Modulus::for_cpu_with_ifma(&n).is_none());
        let mut even = vec![0xc5u8; 256];
        even[255] = 0x10;
        assert!(Modulus::for_cpu_with_ifma(&even).is_none());
        assert!(Modulus::for_cpu_with_ifma(&[0xc5; 63]).is_none()); // 504 bits
        assert!(Modulus::for_cpu_with_ifma(&[]).is_none());
        let mut ok = vec![0x3fu8; 260]; // 2078 bits
        ok[259] |= 1;
        assert_eq!(Modulus::for_cpu_with_ifma(&ok).unwrap().digits, 40);
        assert_eq!(Modulus::for_cpu_with_ifma(&[0xc5; 128]).unwrap().digits, 20);
        assert_eq!(Modulus::for_cpu_with_ifma(&[0xc5; 130]).unwrap().digits, 40); // 1040 bits
    }

    /// aws-lc's `BN_mod_exp_mont`: the reference.
    fn reference(n: &[u8], s: &[u8], e: u64) -> Vec<u8> {
        use aws_lc_sys as sys;
        let mut out = vec![0u8; n.len()];
        // SAFETY: test-only; fresh numbers and context, freed below; the
        // output buffer holds n.len() octets.
        unsafe {
            let ctx = sys::BN_CTX_new();
            let (bn, bs, be, r) = (sys::BN_new(), sys::BN_new(), sys::BN_new(), sys::BN_new());
            sys::BN_bin2bn(n.as_ptr(), n.len(), bn);
            sys::BN_bin2bn(s.as_ptr(), s.len(), bs);
            sys::BN_bin2bn(e.to_be_bytes().as_ptr(), 8, be);
            assert_eq!(sys::BN_mod_exp_mont(r, bs, be, bn, ctx, std::ptr::null()), 1);
            assert_eq!(sys::BN_bn2bin_padded(out.as_mut_ptr(), n.len(), r), 1);
            for x in [bn, bs, be, r] {
                sys::BN_free(x);
            }
            sys::BN_CTX_free(ctx);
        }
        out
    }

    /// A deterministic stream of octets (xorshift64*).
    fn octets(seed: &mut u64, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                *seed ^= *seed >> 12;
                *seed ^= *seed << 25;
                *seed ^= *seed >> 27;
                (seed.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
            })
            .collect()
    }

    #[test]
    fn the_power_agrees_with_bn_mod_exp_mont() {
        if !cpu_has_ifma() {
            // Nothing to compare: Modulus::new returns None and rsa.rs
            // keeps to aws-lc's bignum path (tested there).
            eprintln!("this CPU has no AVX-512 IFMA: the radix-2^52 path is not used and not tested here");
            assert!(Modulus::new(&[0xc5; 256]).is_none());
            return;
        }
        let mut seed = 0x5eed_0000_0000_0001u64;
        // 1024 bits (20 digits), 1038 (the 20-digit limit), 1536, 2047,
        // 2048 and 2078 bits (40 digits)
        for bits in [1024usize, 1038, 1536, 2047, 2048, 2078] {
            let k = bits.div_ceil(8);
            let mut n = octets(&mut seed, k);
            let top = bits - (k - 1) * 8; // bits in the first octet
            n[0] = (n[0] & ((1u16 << top) - 1) as u8) | 1 << (top - 1);
            n[k - 1] |= 1;
            let m = Modulus::new(&n).expect("a modulus the routines hold");
            let mut cases = vec![vec![0u8; k], n.clone()];
            cases[0][k - 1] = 1; // s = 1
            let mut n_minus_1 = n.clone();
            n_minus_1[k - 1] -= 1;
            cases.push(n_minus_1);
            let mut small = vec![0u8; k];
            small[k - 1] = 2;
            cases.push(small);
            for _ in 0..40 {
                let mut s = octets(&mut seed, k);
                s[0] &= n[0] >> 1; // below n
                cases.push(s);
            }
            for e in [3u64, 17, 65537, (1 << 33) - 1, u64::MAX] {
                for s in &cases {
                    let mut out = vec![0u8; k];
                    if s == &n {
                        assert!(!m.power(s, e, &mut out), "s = n is refused");
                        continue;
                    }
                    assert!(m.power(s, e, &mut out));
                    assert_eq!(out, reference(&n, s, e), "{bits} bits, e = {e:#x}");
                }
            }
            let zero = vec![0u8; k];
            let mut out = vec![0u8; k];
            assert!(m.power(&zero, 65537, &mut out));
            assert!(out.iter().all(|&o| o == 0));
            assert!(!m.power(&vec![0xff; k], 65537, &mut out), "s > n is refused");
        }
    }
}

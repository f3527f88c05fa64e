//! DNSKEY parsing, key tags and signature verification (ring). STUB:
//! interface fixed, body being written.

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

/// A public key decoded once from DNSKEY RDATA, ready to verify.
#[derive(Debug)]
pub struct PublicKey {
    _private: (),
}

impl PublicKey {
    /// Verifies `sig` (RRSIG signature field) over `data` (signed data).
    pub fn verify(&self, _data: &[u8], _sig: &[u8]) -> bool {
        false
    }
    /// Key size in bits (RSA modulus, curve size).
    pub fn bits(&self) -> u32 {
        0
    }
}

/// A DNSKEY (RFC 4034 §2.1) parsed once per zone.
#[derive(Debug)]
pub struct Dnskey {
    pub flags: u16,
    pub protocol: u8,
    pub algorithm: u8,
    pub key_tag: u16,
    pub key: Result<PublicKey, KeyError>,
}

impl Dnskey {
    /// `None` when the RDATA is shorter than the 4 fixed octets.
    pub fn from_rdata(_rdata: &[u8]) -> Option<Dnskey> {
        None
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
pub fn key_tag(_rdata: &[u8]) -> u16 {
    0
}

/// Mnemonic of a DNSSEC algorithm number (RSASHA256, ...), or the number.
pub fn algorithm_name(alg: u8) -> String {
    alg.to_string()
}

/// Whether algorithm `alg` is verified by this build.
pub fn algorithm_supported(_alg: u8) -> bool {
    false
}

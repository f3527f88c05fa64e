//! TSIG (RFC 8945) for zone transfers: the request signed, every signed
//! message of the response verified, the last one required to be signed.
//!
//! The secret is never printed: [`Key`]'s `Debug` leaves it out, and no
//! message built here contains it.

use std::time::{SystemTime, UNIX_EPOCH};

use ring::hmac;

use crate::dns::name::Name;

/// The TSIG RR type and the class it is sent in.
pub const TSIG: u16 = 250;
const ANY: u16 = 255;
/// Seconds of clock difference allowed (RFC 8945 §10: 300 recommended).
pub const FUDGE: u16 = 300;

/// A TSIG key: its name, algorithm and secret.
pub struct Key {
    pub name: Name,
    pub algorithm: &'static str,
    alg: hmac::Algorithm,
    secret: Vec<u8>,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key {{ name: {}, algorithm: {}, secret: (not shown) }}", self.name, self.algorithm)
    }
}

/// The HMAC algorithms (RFC 8945 §6), by the names BIND's key files and
/// TSIG records use.
const ALGORITHMS: &[(&str, &str)] = &[
    ("hmac-sha256", "hmac-sha256."),
    ("hmac-sha384", "hmac-sha384."),
    ("hmac-sha512", "hmac-sha512."),
    ("hmac-sha1", "hmac-sha1."),
];

impl Key {
    /// A key from its name, algorithm name (`hmac-sha256`, ...) and secret.
    pub fn new(name: &str, algorithm: &str, secret: Vec<u8>) -> Result<Key, String> {
        let name = Name::from_text(name.trim(), Some(&Name::root())).map_err(|e| format!("TSIG key name {name:?}: {e}"))?;
        let a = algorithm.trim().trim_end_matches('.').to_ascii_lowercase();
        let (alg, label) = match a.as_str() {
            "hmac-sha256" => (hmac::HMAC_SHA256, ALGORITHMS[0].0),
            "hmac-sha384" => (hmac::HMAC_SHA384, ALGORITHMS[1].0),
            "hmac-sha512" => (hmac::HMAC_SHA512, ALGORITHMS[2].0),
            "hmac-sha1" => (hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, ALGORITHMS[3].0),
            "hmac-md5" | "hmac-md5.sig-alg.reg.int" => {
                return Err("TSIG algorithm hmac-md5 is not supported (RFC 8945 §6: use hmac-sha256)".into())
            }
            other => return Err(format!("unknown TSIG algorithm {other:?} (known: hmac-sha256, hmac-sha384, hmac-sha512, hmac-sha1)")),
        };
        if secret.is_empty() {
            return Err("the TSIG secret is empty".into());
        }
        Ok(Key { name, algorithm: label, alg, secret })
    }

    fn algorithm_name(&self) -> Name {
        let text = ALGORITHMS.iter().find(|(l, _)| *l == self.algorithm).map_or("hmac-sha256.", |x| x.1);
        Name::from_text(text, None).expect("a valid name")
    }

    fn mac(&self, data: &[u8]) -> Vec<u8> {
        hmac::sign(&hmac::Key::new(self.alg, &self.secret), data).as_ref().to_vec()
    }

    /// Whether `mac` is this key's full-length MAC of `data` (constant time).
    fn verifies(&self, data: &[u8], mac: &[u8]) -> bool {
        hmac::verify(&hmac::Key::new(self.alg, &self.secret), data, mac).is_ok()
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn put_u48(v: &mut Vec<u8>, t: u64) {
    v.extend_from_slice(&t.to_be_bytes()[2..]);
}

/// The TSIG variables of RFC 8945 §4.3.3 (all of them, or the timers only).
fn variables(key: &Key, time: u64, error: u16, other: &[u8], timers_only: bool) -> Vec<u8> {
    let mut v = Vec::new();
    if !timers_only {
        v.extend_from_slice(key.name.to_lowercase().as_wire());
        v.extend_from_slice(&ANY.to_be_bytes());
        v.extend_from_slice(&0u32.to_be_bytes());
        v.extend_from_slice(key.algorithm_name().as_wire());
    }
    put_u48(&mut v, time);
    v.extend_from_slice(&FUDGE.to_be_bytes());
    if !timers_only {
        v.extend_from_slice(&error.to_be_bytes());
        v.extend_from_slice(&(other.len() as u16).to_be_bytes());
        v.extend_from_slice(other);
    }
    v
}

/// The state of one signed exchange: the request's MAC, then each signed
/// response message's, and the unsigned messages since the last signed one.
pub struct Session<'k> {
    key: &'k Key,
    prior: Vec<u8>,
    unsigned: Vec<u8>,
    first: bool,
    /// Messages since the last signed one (RFC 8945 §5.3.1: at most 99).
    since: usize,
}

/// A TSIG RR found at the end of a message.
pub struct Found {
    /// Where the TSIG RR starts in the message.
    pub start: usize,
    pub key_name: Name,
    pub algorithm: Name,
    pub time: u64,
    pub fudge: u16,
    pub mac: Vec<u8>,
    pub original_id: u16,
    pub error: u16,
    pub other: Vec<u8>,
}

/// RFC 8945 §5.2 TSIG error codes, for messages.
pub fn error_name(e: u16) -> String {
    match e {
        16 => "BADSIG (the MAC does not verify: wrong secret?)".into(),
        17 => "BADKEY (the server does not know this key name and algorithm)".into(),
        18 => "BADTIME (the clocks differ by more than the fudge)".into(),
        22 => "BADTRUNC".into(),
        n => format!("TSIG error {n}"),
    }
}

impl<'k> Session<'k> {
    /// Signs `msg` (a complete query, ARCOUNT not counting the TSIG) by
    /// appending the TSIG RR and counting it.
    pub fn sign_query(key: &'k Key, msg: &mut Vec<u8>) -> Session<'k> {
        let id = u16::from_be_bytes([msg[0], msg[1]]);
        let time = now();
        let mut data = msg.clone();
        data.extend_from_slice(&variables(key, time, 0, &[], false));
        let mac = key.mac(&data);
        let mut rdata = Vec::new();
        rdata.extend_from_slice(key.algorithm_name().as_wire());
        put_u48(&mut rdata, time);
        rdata.extend_from_slice(&FUDGE.to_be_bytes());
        rdata.extend_from_slice(&(mac.len() as u16).to_be_bytes());
        rdata.extend_from_slice(&mac);
        rdata.extend_from_slice(&id.to_be_bytes());
        rdata.extend_from_slice(&0u16.to_be_bytes());
        rdata.extend_from_slice(&0u16.to_be_bytes());
        msg.extend_from_slice(key.name.as_wire());
        msg.extend_from_slice(&TSIG.to_be_bytes());
        msg.extend_from_slice(&ANY.to_be_bytes());
        msg.extend_from_slice(&0u32.to_be_bytes());
        msg.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        msg.extend_from_slice(&rdata);
        let ar = u16::from_be_bytes([msg[10], msg[11]]) + 1;
        msg[10..12].copy_from_slice(&ar.to_be_bytes());
        Session { key, prior: mac, unsigned: Vec::new(), first: true, since: 0 }
    }

    /// Checks one response message: `tsig` is its TSIG RR if it has one
    /// (the message's last additional record). An error says why.
    pub fn verify(&mut self, msg: &[u8], tsig: Option<&Found>) -> Result<(), String> {
        let Some(t) = tsig else {
            if self.first {
                return Err("the first response message is not signed (TSIG)".into());
            }
            self.since += 1;
            if self.since >= 100 {
                return Err("100 response messages in a row without TSIG (RFC 8945 §5.3.1 allows 99)".into());
            }
            self.unsigned.extend_from_slice(msg);
            return Ok(());
        };
        if t.error != 0 {
            return Err(format!("the server answered with {}", error_name(t.error)));
        }
        if !t.key_name.eq_ignore_case(&self.key.name) || !t.algorithm.eq_ignore_case(&self.key.algorithm_name()) {
            return Err(format!("the response is signed with key {} ({}), not {} ({})", t.key_name, t.algorithm, self.key.name, self.key.algorithm));
        }
        // The message as signed: without the TSIG RR, ARCOUNT one less,
        // the original ID.
        let mut m = msg[..t.start].to_vec();
        m[0..2].copy_from_slice(&t.original_id.to_be_bytes());
        let ar = u16::from_be_bytes([m[10], m[11]]).saturating_sub(1);
        m[10..12].copy_from_slice(&ar.to_be_bytes());
        let mut data = Vec::with_capacity(self.unsigned.len() + m.len() + 128);
        data.extend_from_slice(&(self.prior.len() as u16).to_be_bytes());
        data.extend_from_slice(&self.prior);
        data.extend_from_slice(&self.unsigned);
        data.extend_from_slice(&m);
        data.extend_from_slice(&variables(self.key, t.time, t.error, &t.other, !self.first));
        if !self.key.verifies(&data, &t.mac) {
            return Err("the response's TSIG MAC does not verify (wrong secret, or the message was altered)".into());
        }
        let skew = now().abs_diff(t.time);
        if skew > t.fudge as u64 {
            return Err(format!("the response was signed {skew} s away from this machine's clock (fudge {} s)", t.fudge));
        }
        self.prior = t.mac.clone();
        self.unsigned.clear();
        self.first = false;
        self.since = 0;
        Ok(())
    }

    /// Whether the last message checked was signed (RFC 8945 §5.3.1: the
    /// last message of a response must be).
    pub fn last_was_signed(&self) -> bool {
        self.since == 0 && !self.first
    }
}

//! Time: RFC 1982 serial number arithmetic for RRSIG timestamps and the
//! `YYYYMMDDHHmmSS` presentation form (RFC 4034 §3.2).

/// `a < b` in RFC 1982 serial arithmetic with SERIAL_BITS = 32 (§3.2).
/// Two values exactly 2^31 apart are not comparable: neither is less.
pub fn serial_lt(a: u32, b: u32) -> bool {
    a != b && (b.wrapping_sub(a) < 0x8000_0000)
}

/// `a <= b` in RFC 1982 serial arithmetic.
pub fn serial_le(a: u32, b: u32) -> bool {
    a == b || serial_lt(a, b)
}

/// Where a verification time falls relative to an RRSIG's validity window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    Valid,
    /// `now` is after the Signature Expiration field.
    Expired,
    /// `now` is before the Signature Inception field.
    NotYetValid,
}

/// RFC 4034 §3.1.5 and RFC 4035 §5.3.1: the RRSIG is usable when
/// inception <= now <= expiration, each compared as 32-bit serial numbers
/// against `now` reduced modulo 2^32 (so timestamps after 2106, or after
/// 2038 for signed readers, keep working).
pub fn window(inception: u32, expiration: u32, now: u64) -> Window {
    let n = now as u32; // modulo 2^32
    if !serial_le(inception, n) {
        Window::NotYetValid
    } else if !serial_le(n, expiration) {
        Window::Expired
    } else {
        Window::Valid
    }
}

/// Seconds since 1970 for a civil UTC date (proleptic Gregorian).
pub fn epoch_from_civil(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    // Howard Hinnant's days_from_civil.
    let y = if mo <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (mo as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    days * 86400 + h as i64 * 3600 + mi as i64 * 60 + s as i64
}

/// Civil UTC date for seconds since 1970: (year, month, day, hour, minute, second).
pub fn civil_from_epoch(t: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = t.div_euclid(86400);
    let secs = t.rem_euclid(86400);
    let z = days + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = if m <= 2 { y + 1 } else { y };
    (y, m, d, (secs / 3600) as u32, ((secs % 3600) / 60) as u32, (secs % 60) as u32)
}

/// Parses an RRSIG timestamp field in presentation form (RFC 4034 §3.2):
/// exactly 14 digits `YYYYMMDDHHmmSS` (UTC, reduced modulo 2^32), or an
/// unsigned decimal number of seconds of at most 10 digits that fits in 32 bits.
pub fn parse_rrsig_time(s: &str) -> Result<u32, String> {
    if !s.bytes().all(|b| b.is_ascii_digit()) || s.is_empty() {
        return Err(format!("'{s}' is not a timestamp (YYYYMMDDHHmmSS or seconds)"));
    }
    if s.len() == 14 {
        let t = parse_yyyymmddhhmmss(s)?;
        return Ok(t.rem_euclid(1 << 32) as u32);
    }
    if s.len() <= 10 {
        let v: u64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
        if v <= u32::MAX as u64 {
            return Ok(v as u32);
        }
    }
    Err(format!("'{s}' is not a timestamp (YYYYMMDDHHmmSS or seconds below 2^32)"))
}

/// Parses `YYYYMMDDHHmmSS` (UTC) to seconds since 1970, checking ranges.
pub fn parse_yyyymmddhhmmss(s: &str) -> Result<i64, String> {
    let b = s.as_bytes();
    if b.len() != 14 || !b.iter().all(|c| c.is_ascii_digit()) {
        return Err(format!("'{s}' is not YYYYMMDDHHmmSS"));
    }
    let num = |a: usize, l: usize| -> u32 { s[a..a + l].parse::<u32>().unwrap_or(0) };
    let (y, mo, d, h, mi, se) = (num(0, 4), num(4, 2), num(6, 2), num(8, 2), num(10, 2), num(12, 2));
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mdays = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&mo) || d == 0 || d > mdays[(mo - 1) as usize] || h > 23 || mi > 59 || se > 60 {
        return Err(format!("'{s}' is not a valid date and time"));
    }
    Ok(epoch_from_civil(y as i64, mo, d, h, mi, se.min(59)))
}

/// `YYYYMMDDHHmmSS` (UTC) of a time in seconds since 1970.
pub fn format_epoch(t: i64) -> String {
    let (y, mo, d, h, mi, s) = civil_from_epoch(t);
    format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}")
}

/// `YYYYMMDDHHmmSS` for a 32-bit timestamp, read as the instant closest to
/// `reference` (seconds since 1970) in serial arithmetic, so that
/// timestamps past 2106 print as such.
pub fn format_rrsig_time(ts: u32, reference: u64) -> String {
    format_epoch(rrsig_epoch(ts, reference))
}

/// A 32-bit RRSIG timestamp as seconds since 1970: the instant closest to
/// `reference` in serial arithmetic (RFC 4034 §3.1.5, RFC 1982).
pub fn rrsig_epoch(ts: u32, reference: u64) -> i64 {
    reference as i64 + ts.wrapping_sub(reference as u32) as i32 as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_arithmetic_rfc1982() {
        assert!(serial_lt(1, 2));
        assert!(!serial_lt(2, 1));
        assert!(serial_lt(0xffff_fff0, 5)); // wraps
        assert!(!serial_lt(5, 0xffff_fff0));
        assert!(!serial_lt(0, 0x8000_0000)); // undefined: neither
        assert!(!serial_lt(0x8000_0000, 0));
        assert!(serial_lt(0, 0x7fff_ffff));
        assert!(serial_le(7, 7));
    }

    #[test]
    fn windows() {
        assert_eq!(window(100, 200, 150), Window::Valid);
        assert_eq!(window(100, 200, 100), Window::Valid);
        assert_eq!(window(100, 200, 200), Window::Valid);
        assert_eq!(window(100, 200, 201), Window::Expired);
        assert_eq!(window(100, 200, 99), Window::NotYetValid);
        // inception == expiration == now (dnst's zero-length windows)
        assert_eq!(window(5, 5, 5), Window::Valid);
        // A window spanning 2^32 (year 2106): now just past the wrap.
        let inc = parse_rrsig_time("21060101000000").unwrap();
        let exp = parse_rrsig_time("21060301000000").unwrap();
        let now = parse_yyyymmddhhmmss("21060210000000").unwrap() as u64;
        assert!(exp < inc, "expiration wrapped below inception");
        assert_eq!(window(inc, exp, now), Window::Valid);
        // Signatures expiring after 2038 (beyond signed 32-bit) at 2026.
        let inc = parse_rrsig_time("20250101000000").unwrap();
        let exp = parse_rrsig_time("20930101000000").unwrap();
        let now = parse_yyyymmddhhmmss("20261123000000").unwrap() as u64;
        assert_eq!(window(inc, exp, now), Window::Valid);
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_yyyymmddhhmmss("19700101000000").unwrap(), 0);
        assert_eq!(parse_yyyymmddhhmmss("20040409183619").unwrap(), 1081535779);
        assert_eq!(parse_rrsig_time("1440021600").unwrap(), 1440021600);
        assert!(parse_rrsig_time("20041309183619").is_err());
        assert!(parse_rrsig_time("2004040918361").is_err() || parse_rrsig_time("2004040918361").is_ok());
        assert!(parse_rrsig_time("99999999999").is_err());
        assert!(parse_rrsig_time("-5").is_err());
        assert_eq!(format_rrsig_time(1081535779, 1081535779), "20040409183619");
        let t = parse_yyyymmddhhmmss("21060301000000").unwrap() as u64;
        assert_eq!(format_rrsig_time(t as u32, t - 86400 * 100), "21060301000000");
        for &t in &[0i64, 951782400, 4102444800, -86400] {
            let (y, mo, d, h, mi, s) = civil_from_epoch(t);
            assert_eq!(epoch_from_civil(y, mo, d, h, mi, s), t);
        }
    }
}

//! AXFR input (RFC 5936): a zone read from a name server over TCP, in wire
//! form, handed on in parts as it arrives (no text round trip, never the
//! whole transfer at once).
//!
//! A record's "line" is its position in the transfer (1 for the opening
//! SOA); the closing SOA, which only frames the transfer, is not a record
//! of the zone. Errors name the server and the reason: refused, not
//! authoritative, a TSIG failure, a truncated transfer, a timeout.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::dns::canon;
use crate::dns::name::Name;
use crate::dns::record::Record;
use crate::dns::rrtype;
use crate::error::CoreError;

use super::tsig::{self, Key, Session};

/// Where a zone is transferred from: `axfr://HOST[:PORT]/ZONE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub host: String,
    pub port: u16,
    pub zone: Name,
}

impl Source {
    /// Reads `axfr://HOST[:PORT]/ZONE`: HOST a name, an IPv4 address or an
    /// IPv6 address in brackets; PORT 53 by default; ZONE absolute or not.
    pub fn parse(url: &str) -> Result<Source, String> {
        let bad = |why: &str| format!("{url}: {why} (expected axfr://HOST[:PORT]/ZONE)");
        let rest = url.strip_prefix("axfr://").ok_or_else(|| bad("not an axfr:// address"))?;
        let (hostport, zone) = rest.split_once('/').ok_or_else(|| bad("no zone after the server"))?;
        let (host, port) = if let Some(r) = hostport.strip_prefix('[') {
            let (h, after) = r.split_once(']').ok_or_else(|| bad("an IPv6 address without its closing ]"))?;
            match after {
                "" => (h, None),
                p if p.starts_with(':') => (h, Some(&p[1..])),
                _ => return Err(bad("text after the IPv6 address")),
            }
        } else if hostport.matches(':').count() > 1 {
            return Err(bad("an IPv6 address must be in brackets: axfr://[::1]:53/zone"));
        } else {
            match hostport.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            }
        };
        if host.is_empty() {
            return Err(bad("no server"));
        }
        if hostport.starts_with('[') {
            if host.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(bad("not an IPv6 address in the brackets"));
            }
        } else if !host.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_')) {
            return Err(bad("the server is not a host name or an address"));
        }
        let port = match port {
            None => 53,
            Some(p) => p.parse::<u16>().ok().filter(|&p| p > 0).ok_or_else(|| bad("the port is not a number from 1 to 65535"))?,
        };
        let zone = zone.trim_end_matches('/');
        if zone.is_empty() {
            return Err(bad("no zone"));
        }
        let zone = Name::from_text(zone, Some(&Name::root())).map_err(|e| bad(&format!("zone name: {e}")))?;
        Ok(Source { host: host.to_string(), port, zone })
    }

    /// The name the report and the messages use for this source.
    pub fn label(&self) -> String {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        format!("axfr://{host}:{}/{}", self.port, self.zone)
    }
}

/// How to transfer.
pub struct Options {
    pub tsig: Option<Key>,
    /// For the TCP connection to be set up.
    pub connect_timeout: Duration,
    /// For the whole transfer, connection included.
    pub timeout: Duration,
}

/// What a transfer read.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub messages: usize,
    /// Records of the zone (the closing SOA not counted).
    pub records: usize,
    pub bytes: u64,
    pub serial: u32,
    pub seconds: f64,
}

/// Records handed on at a time.
pub const PART_RECORDS: usize = 32 * 1024;

/// RCODE names for messages (RFC 1035 §4.1.1, RFC 2136, RFC 8945).
fn rcode_text(rcode: u16) -> String {
    match rcode {
        1 => "FORMERR: the server could not read the request".into(),
        2 => "SERVFAIL: the server failed (is the zone loaded?)".into(),
        3 => "NXDOMAIN: the server knows no such zone".into(),
        4 => "NOTIMP: the server does not do zone transfers".into(),
        5 => "REFUSED: the server refused the transfer (not allowed from this address or key?)".into(),
        9 => "NOTAUTH: the server is not authoritative for the zone, or rejected the TSIG key".into(),
        n => format!("RCODE {n}"),
    }
}

/// Reads a possibly compressed name at `pos` of `msg` (RFC 1035 §4.1.4):
/// its uncompressed wire form and the position after it in the message.
/// Pointers must point backwards, which rules out loops.
pub fn read_name(msg: &[u8], pos: usize) -> Option<(Vec<u8>, usize)> {
    let mut out = Vec::with_capacity(32);
    let mut p = pos;
    let mut after = None;
    let mut lowest = pos;
    loop {
        let len = *msg.get(p)? as usize;
        match len {
            0 => {
                out.push(0);
                return (out.len() <= 255).then(|| (out, after.unwrap_or(p + 1)));
            }
            1..=63 => {
                out.extend_from_slice(msg.get(p..p + 1 + len)?);
                if out.len() > 255 {
                    return None;
                }
                p += 1 + len;
            }
            0xc0..=0xff => {
                let target = ((len & 0x3f) << 8) | *msg.get(p + 1)? as usize;
                if after.is_none() {
                    after = Some(p + 2);
                }
                if target >= lowest {
                    return None;
                }
                lowest = target;
                p = target;
            }
            _ => return None,
        }
    }
}

fn u16_at(m: &[u8], p: usize) -> Option<u16> {
    Some(u16::from_be_bytes(m.get(p..p + 2)?.try_into().ok()?))
}

fn u32_at(m: &[u8], p: usize) -> Option<u32> {
    Some(u32::from_be_bytes(m.get(p..p + 4)?.try_into().ok()?))
}

/// One resource record of a message, read at `p`: (owner, type, class,
/// TTL, RDATA start, RDATA length, position after it).
fn read_rr(m: &[u8], p: usize) -> Option<(Vec<u8>, u16, u16, u32, usize, usize, usize)> {
    let (owner, p) = read_name(m, p)?;
    let rtype = u16_at(m, p)?;
    let class = u16_at(m, p + 2)?;
    let ttl = u32_at(m, p + 4)?;
    let len = u16_at(m, p + 8)? as usize;
    let start = p + 10;
    (start + len <= m.len()).then_some((owner, rtype, class, ttl, start, len, start + len))
}

fn tsig_of(m: &[u8], start: usize, rdata: usize, len: usize, owner: &[u8]) -> Option<tsig::Found> {
    let end = rdata + len;
    let (alg, p) = read_name(&m[..end], rdata)?;
    let time = u64::from_be_bytes([0, 0, *m.get(p)?, m[p + 1], m[p + 2], m[p + 3], m[p + 4], m[p + 5]]);
    let fudge = u16_at(m, p + 6)?;
    let mlen = u16_at(m, p + 8)? as usize;
    let mac = m.get(p + 10..p + 10 + mlen)?.to_vec();
    let q = p + 10 + mlen;
    let original_id = u16_at(m, q)?;
    let error = u16_at(m, q + 2)?;
    let olen = u16_at(m, q + 4)? as usize;
    let other = m.get(q + 6..q + 6 + olen)?.to_vec();
    (q + 6 + olen == end).then(|| tsig::Found {
        start,
        key_name: Name::from_wire(owner).map(|n| n.0).unwrap_or_else(Name::root),
        algorithm: Name::from_wire(&alg).map(|n| n.0).unwrap_or_else(Name::root),
        time,
        fudge,
        mac,
        original_id,
        error,
        other,
    })
}

/// Transfers the zone, handing its records to `sink` in parts of about
/// [`PART_RECORDS`] (the last with `true`).
pub fn transfer(src: &Source, opts: &Options, mut sink: impl FnMut(Vec<Record>, bool)) -> Result<Stats, CoreError> {
    let label = src.label();
    let fail = |why: String| CoreError::Io { file: label.clone(), reason: why };
    let t0 = Instant::now();
    let deadline = t0 + opts.timeout;
    let addrs: Vec<SocketAddr> = (src.host.as_str(), src.port)
        .to_socket_addrs()
        .map_err(|e| fail(format!("cannot resolve {}: {e}", src.host)))?
        .collect();
    let mut stream = None;
    let mut why = format!("no address for {}", src.host);
    for a in &addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        match TcpStream::connect_timeout(a, opts.connect_timeout.min(left).max(Duration::from_millis(1))) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => why = format!("cannot connect to {a}: {e}"),
        }
    }
    let mut stream = stream.ok_or_else(|| fail(why))?;
    let _ = stream.set_nodelay(true);

    // The query: one question, AXFR IN, no recursion desired.
    let mut id = [0u8; 2];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut id).map_err(|_| fail("no random ID".into()))?;
    let mut q: Vec<u8> = Vec::with_capacity(512);
    q.extend_from_slice(&id);
    q.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    q.extend_from_slice(src.zone.as_wire());
    q.extend_from_slice(&252u16.to_be_bytes());
    q.extend_from_slice(&rrtype::CLASS_IN.to_be_bytes());
    let mut session = opts.tsig.as_ref().map(|k| Session::sign_query(k, &mut q));
    let mut framed = (q.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(&q);
    let io = |e: std::io::Error, what: &str| -> CoreError {
        if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) {
            fail(format!("timed out {what} after {:.1} s (--timeout)", t0.elapsed().as_secs_f64()))
        } else {
            fail(format!("{what}: {e}"))
        }
    };
    stream.set_write_timeout(Some(deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1)))).ok();
    stream.write_all(&framed).map_err(|e| io(e, "sending the request"))?;

    let read_exact = |buf: &mut [u8]| -> std::io::Result<()> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        stream.set_read_timeout(Some(left)).ok();
        stream.read_exact(buf)
    };
    let mut stats = receive(read_exact, id, &src.zone, session.as_mut(), &label, &mut sink)?;
    stats.seconds = t0.elapsed().as_secs_f64();
    Ok(stats)
}

/// Reads the response to an AXFR request with ID `id` through `read_exact`
/// (the transport: a TCP stream with its deadline, or, for the fuzz
/// target, bytes in memory), checking TSIG with `session` if given, and
/// hands the zone's records to `sink`. Every message is bounds-checked:
/// any input ends in records or an error, never a panic.
pub fn receive(
    mut read_exact: impl FnMut(&mut [u8]) -> std::io::Result<()>,
    id: [u8; 2],
    zone: &Name,
    mut session: Option<&mut Session<'_>>,
    label: &str,
    sink: &mut impl FnMut(Vec<Record>, bool),
) -> Result<Stats, CoreError> {
    let t0 = Instant::now();
    let fail = |why: String| CoreError::Io { file: label.to_string(), reason: why };
    let mut stats = Stats::default();
    let mut part: Vec<Record> = Vec::with_capacity(PART_RECORDS);
    let mut soa: Option<Vec<u8>> = None;
    let mut last_owner: Option<Name> = None;
    let mut done = false;
    let mut msg: Vec<u8> = Vec::with_capacity(65535);
    while !done {
        let mut read = |buf: &mut [u8], what: &str| -> Result<(), CoreError> {
            read_exact(buf).map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof => fail(format!(
                    "truncated transfer: the server closed the connection {what}, after {} records and before the closing SOA",
                    stats.records
                )),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                    fail(format!("timed out after {:.1} s (--timeout), {} records in", t0.elapsed().as_secs_f64(), stats.records))
                }
                _ => fail(format!("{what}: {e}")),
            })
        };
        let mut len = [0u8; 2];
        read(&mut len, "between messages")?;
        let n = u16::from_be_bytes(len) as usize;
        msg.resize(n, 0);
        read(&mut msg, "within a message")?;
        stats.messages += 1;
        stats.bytes += 2 + n as u64;
        let m = &msg[..];
        let bad = |why: &str| fail(format!("message {}: {why}", stats.messages));
        if m.len() < 12 {
            return Err(bad("shorter than a DNS header"));
        }
        if m[0..2] != id {
            return Err(bad("its ID is not the request's"));
        }
        let flags = u16_at(m, 2).unwrap_or(0);
        if flags & 0x8000 == 0 {
            return Err(bad("not a response"));
        }
        let (qd, an, ns, ar) = (u16_at(m, 4).unwrap_or(0), u16_at(m, 6).unwrap_or(0), u16_at(m, 8).unwrap_or(0), u16_at(m, 10).unwrap_or(0));
        // The TSIG RR, if any, is the last additional record: find it first,
        // so that an error answer signed with a TSIG error is reported as such.
        let mut p = 12;
        for _ in 0..qd {
            let (_, after) = read_name(m, p).ok_or_else(|| bad("a malformed question"))?;
            p = after + 4;
        }
        let total = an as usize + ns as usize + ar as usize;
        let mut rrs = Vec::with_capacity(an as usize);
        let mut found = None;
        for k in 0..total {
            let at = p;
            let rr = read_rr(m, p).ok_or_else(|| bad("a malformed resource record"))?;
            p = rr.6;
            if k < an as usize {
                rrs.push(rr);
            } else if k == total - 1 && rr.1 == tsig::TSIG {
                found = Some(tsig_of(m, at, rr.4, rr.5, &rr.0).ok_or_else(|| bad("a malformed TSIG record"))?);
            }
        }
        match (session.as_deref_mut(), &found) {
            (Some(s), f) => s.verify(m, f.as_ref()).map_err(|e| fail(format!("TSIG: {e}")))?,
            (None, Some(_)) => return Err(bad("signed with TSIG, but no key was given")),
            (None, None) => {}
        }
        let rcode = flags & 0x000f;
        if rcode != 0 {
            return Err(fail(rcode_text(rcode)));
        }
        if flags & 0x0200 != 0 {
            return Err(bad("truncated (TC): a zone transfer must fit its TCP messages"));
        }
        for (owner, rtype, class, ttl, start, len, _) in rrs {
            if soa.is_none() {
                if rtype != rrtype::SOA {
                    return Err(bad("the transfer does not start with an SOA record"));
                }
                let owner_name = Name::from_wire(&owner).map(|n| n.0).ok_or_else(|| bad("a malformed owner name"))?;
                if !owner_name.eq_ignore_case(zone) {
                    return Err(bad(&format!("the opening SOA is for {owner_name}, not {zone}")));
                }
            } else if rtype == rrtype::SOA && soa.as_deref().is_some_and(|s| owner.eq_ignore_ascii_case(s)) {
                // The closing SOA: the end of the transfer.
                done = true;
                break;
            }
            let rdata = canon::decompress_rdata(rtype, m, start, len, read_name).ok_or_else(|| bad(&format!("malformed RDATA of a type {rtype} record")))?;
            // Records of one owner come together: they share its name (one
            // allocation per name, not per record, as the zone-file reader).
            let owner_name = match &last_owner {
                Some(n) if n.as_wire() == owner.as_slice() => n.clone(),
                _ => {
                    let n = Name::from_wire(&owner).map(|n| n.0).ok_or_else(|| bad("a malformed owner name"))?;
                    last_owner = Some(n.clone());
                    n
                }
            };
            if soa.is_none() {
                stats.serial = canon::soa_serial(&rdata).unwrap_or(0);
                soa = Some(owner);
            }
            stats.records += 1;
            part.push(Record { owner: owner_name, rtype, class, ttl, rdata, line: stats.records as u32, file: 0 });
            if part.len() >= PART_RECORDS {
                sink(std::mem::replace(&mut part, Vec::with_capacity(PART_RECORDS)), false);
            }
        }
        if done && session.as_deref().is_some_and(|s| !s.last_was_signed()) {
            return Err(fail("TSIG: the last response message is not signed".into()));
        }
    }
    sink(part, true);
    stats.seconds = t0.elapsed().as_secs_f64();
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_read_as_urls() {
        let s = Source::parse("axfr://127.0.0.1:5353/example.com").unwrap();
        assert_eq!((s.host.as_str(), s.port, s.zone.to_text().as_str()), ("127.0.0.1", 5353, "example.com."));
        let s = Source::parse("axfr://[::1]/example.").unwrap();
        assert_eq!((s.host.as_str(), s.port), ("::1", 53));
        assert_eq!(s.label(), "axfr://[::1]:53/example.");
        let s = Source::parse("axfr://ns.example.net:53/.").unwrap();
        assert!(s.zone.is_root());
        for bad in ["http://x/y", "axfr://x", "axfr:///z", "axfr://::1/z", "axfr://[::1/z", "axfr://h:0/z", "axfr://h:99999/z", "axfr://h/",
                    "axfr://[[::1]/z", "axfr://[nothex]/z", "axfr://h\x00/z", "axfr://a b/z"] {
            assert!(Source::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_decompress_and_pointer_loops_are_refused() {
        // "a.example." at 0, then "www" + pointer to 0 at 11.
        let mut m = b"\x01a\x07example\x00".to_vec();
        m.extend_from_slice(b"\x03www\xc0\x00");
        assert_eq!(read_name(&m, 11), Some((b"\x03www\x01a\x07example\x00".to_vec(), 17)));
        // A pointer to itself, and one forwards: refused.
        assert_eq!(read_name(b"\xc0\x00", 0), None);
        assert_eq!(read_name(b"\xc0\x02\x00", 0), None);
        // A label type 0x40/0x80: refused.
        assert_eq!(read_name(b"\x41a\x00", 0), None);
    }

    #[test]
    fn rdata_names_decompress_only_where_rfc_3597_allows() {
        let mut m = b"\x07example\x00".to_vec();
        let mx_at = m.len();
        m.extend_from_slice(b"\x00\x0a\x02mx\xc0\x00");
        let got = canon::decompress_rdata(rrtype::MX, &m, mx_at, 7, read_name).unwrap();
        assert_eq!(got, b"\x00\x0a\x02mx\x07example\x00");
        // An RRSIG's signer name must not be compressed: taken as it is.
        let raw = canon::decompress_rdata(rrtype::RRSIG, &m, mx_at, 7, read_name).unwrap();
        assert_eq!(raw, &m[mx_at..]);
        // RDATA longer than its layout: refused.
        m.push(0);
        assert!(canon::decompress_rdata(rrtype::MX, &m, mx_at, 8, read_name).is_none());
    }
}

#[cfg(test)]
mod receive_tests {
    use super::*;

    /// A transfer dnspython wrote (fuzz/make_seeds.py): ID, then messages.
    fn seed(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/fuzz/corpus/axfr/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    fn run(data: &[u8]) -> (Result<Stats, CoreError>, Vec<Record>) {
        // Bytes in memory as the transport: `&[u8]` reads, and ends in
        // UnexpectedEof as a closed connection does.
        let mut rest = &data[2..];
        let read = |buf: &mut [u8]| rest.read_exact(buf);
        let mut got = Vec::new();
        let zone = Name::from_text("example.", None).unwrap();
        let r = receive(read, [data[0], data[1]], &zone, None, "test", &mut |p: Vec<Record>, _| got.extend(p));
        (r, got)
    }

    #[test]
    fn a_transfer_in_one_or_three_messages_gives_the_same_records() {
        let (a, ra) = run(&seed("one-message"));
        let (b, rb) = run(&seed("three-messages"));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(a.records > 20 && a.records == b.records && (a.messages, b.messages) == (1, 3));
        assert_eq!(ra.iter().map(|r| (&r.owner, r.rtype, &r.rdata)).collect::<Vec<_>>(), rb.iter().map(|r| (&r.owner, r.rtype, &r.rdata)).collect::<Vec<_>>());
        // Positions are lines; the closing SOA is not a record.
        assert_eq!(ra.last().unwrap().line as usize, a.records);
        assert_eq!(ra.iter().filter(|r| r.rtype == rrtype::SOA).count(), 1);
    }

    #[test]
    fn broken_transfers_end_in_their_error() {
        let msg = |name: &str| match run(&seed(name)).0 {
            Err(e) => e.to_string(),
            Ok(s) => panic!("{name}: {s:?}"),
        };
        assert!(msg("truncated").contains("truncated transfer"));
        assert!(msg("cut-in-a-message").contains("within a message"));
        assert!(msg("refused").contains("REFUSED"));
        assert!(msg("no-soa-first").contains("does not start with an SOA"));
        assert!(msg("pointer-loop").contains("malformed question"));
    }
}

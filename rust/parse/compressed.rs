//! Compressed zone files: gzip, xz, bzip2 and zstd, recognised by their
//! magic bytes (never by the name), decompressed as a stream into the
//! readers of `zonefile.rs`, so that line numbers are the decompressed
//! text's and a large file is never whole in memory. A stream that cannot
//! be decompressed is an I/O error naming the format and the reason.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The most a compressed file may decompress to when it must be read
/// whole (`$INCLUDE` allowed, or a file the windowed parse hands to the
/// sequential parser): a small file cannot make zoneverify allocate
/// without bound.
pub const MAX_WHOLE_BYTES: u64 = 16 << 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Plain,
    Gzip,
    Xz,
    Bzip2,
    Zstd,
}

impl Format {
    /// The format whose magic bytes start `head`.
    pub fn sniff(head: &[u8]) -> Format {
        if head.starts_with(&[0x1f, 0x8b]) {
            Format::Gzip
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Format::Xz
        } else if head.len() >= 4 && head.starts_with(b"BZh") && (b'1'..=b'9').contains(&head[3]) {
            Format::Bzip2
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Format::Zstd
        } else {
            Format::Plain
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Plain => "plain",
            Format::Gzip => "gzip",
            Format::Xz => "xz",
            Format::Bzip2 => "bzip2",
            Format::Zstd => "zstd",
        }
    }
}

/// An open zone file, decompressed as it is read.
pub struct ZoneReader {
    inner: Box<dyn Read + Send>,
    pub format: Format,
}

/// Opens `path` and looks at its first octets to choose the decoder.
pub fn open(path: &Path) -> io::Result<ZoneReader> {
    let mut f = File::open(path)?;
    let mut head = [0u8; 6];
    let mut n = 0;
    while n < head.len() {
        let k = f.read(&mut head[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    let format = Format::sniff(&head[..n]);
    let raw = io::Cursor::new(head[..n].to_vec()).chain(f);
    let inner: Box<dyn Read + Send> = match format {
        Format::Plain => Box::new(raw),
        // Multi-member readers: `cat a.gz b.gz` is one stream, as gzip -d reads it.
        Format::Gzip => Box::new(flate2::read::MultiGzDecoder::new(io::BufReader::with_capacity(1 << 16, raw))),
        Format::Xz => Box::new(xz2::read::XzDecoder::new_multi_decoder(io::BufReader::with_capacity(1 << 16, raw))),
        Format::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(io::BufReader::with_capacity(1 << 16, raw))),
        Format::Zstd => Box::new(zstd::stream::read::Decoder::new(raw)?),
    };
    Ok(ZoneReader { inner, format })
}

impl Read for ZoneReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => Ok(n),
            Err(e) if self.format == Format::Plain => Err(e),
            Err(e) => {
                let why = if e.kind() == io::ErrorKind::UnexpectedEof {
                    "the stream ends early (truncated?)".to_string()
                } else {
                    e.to_string()
                };
                Err(io::Error::new(e.kind(), format!("{} stream cannot be decompressed: {why}", self.format.name())))
            }
        }
    }
}

/// The whole decompressed text of `path` (a plain file as it is), at most
/// [`MAX_WHOLE_BYTES`] of it when compressed.
pub fn read_whole(path: &Path) -> io::Result<Vec<u8>> {
    let mut r = open(path)?;
    if r.format == Format::Plain {
        return std::fs::read(path);
    }
    let mut out = Vec::new();
    (&mut r).take(MAX_WHOLE_BYTES + 1).read_to_end(&mut out)?;
    if out.len() as u64 > MAX_WHOLE_BYTES {
        return Err(io::Error::other(format!(
            "{} stream decompresses to more than {} GiB, which this run would have to hold whole",
            r.format.name(),
            MAX_WHOLE_BYTES >> 30
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_choose_the_format() {
        assert_eq!(Format::sniff(&[0x1f, 0x8b, 8, 0]), Format::Gzip);
        assert_eq!(Format::sniff(b"\xfd7zXZ\x00"), Format::Xz);
        assert_eq!(Format::sniff(b"BZh9"), Format::Bzip2);
        assert_eq!(Format::sniff(b"BZh "), Format::Plain);
        assert_eq!(Format::sniff(&[0x28, 0xb5, 0x2f, 0xfd]), Format::Zstd);
        assert_eq!(Format::sniff(b"$ORIGIN"), Format::Plain);
        assert_eq!(Format::sniff(b""), Format::Plain);
    }

    #[test]
    fn each_format_read_in_small_windows_gives_the_plain_records() {
        use crate::parse::zonefile::{parse_file_in_windows, parse_sequential, ParseOptions};
        use std::io::Write;
        let mut text = String::from("$ORIGIN example.\n$TTL 300\n@ SOA ns h 1 2 3 4 5\n@ NS ns\n");
        for i in 0..3000 {
            text.push_str(&format!("h{i} A 10.0.{}.{}\n  TXT \"record {i}\"\n", i / 250, i % 250));
        }
        let opts = ParseOptions::default();
        let want = parse_sequential(text.as_bytes(), "z", &opts).unwrap().records;
        let dir = std::env::temp_dir().join(format!("zv-compressed-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let gz = {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(text.as_bytes()).unwrap();
            e.finish().unwrap()
        };
        let xz = {
            let mut e = xz2::write::XzEncoder::new(Vec::new(), 6);
            e.write_all(text.as_bytes()).unwrap();
            e.finish().unwrap()
        };
        let bz = {
            let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
            e.write_all(text.as_bytes()).unwrap();
            e.finish().unwrap()
        };
        let zst = zstd::stream::encode_all(text.as_bytes(), 3).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        for (name, data) in [("gz", gz), ("xz", xz), ("bz2", bz), ("zst", zst), ("plain", text.clone().into_bytes())] {
            let p = dir.join(name);
            std::fs::write(&p, &data).unwrap();
            for window in [4096, 65536] {
                let (z, _) = pool.install(|| parse_file_in_windows(&p, &opts, window, 0, None)).unwrap();
                let got: Vec<_> = z.records.iter().map(|r| (r.owner.to_text(), r.rtype, r.rdata.clone(), r.line)).collect();
                let exp: Vec<_> = want.iter().map(|r| (r.owner.to_text(), r.rtype, r.rdata.clone(), r.line)).collect();
                assert_eq!(got, exp, "{name} in windows of {window}");
            }
            // Truncated: an error naming the format (plain text just ends).
            std::fs::write(&p, &data[..data.len() / 2]).unwrap();
            let r = pool.install(|| parse_file_in_windows(&p, &opts, 4096, 0, None));
            if name != "plain" {
                let e = r.err().map(|e| e.to_string()).unwrap_or_default();
                assert!(e.contains("stream cannot be decompressed"), "{name}: {e}");
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

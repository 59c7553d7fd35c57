//! PDF documents (scanned medical papers, letters, reports): their document information
//! dictionary and XMP metadata name the author (often the account of whoever wrote or
//! scanned it), the software or scanner that made it, and when. Read at attach from the
//! first and the last bytes of the file, where writers put them.
//!
//! A copy without them ([`strip`]) keeps every byte where it is, so the cross-reference
//! table's offsets hold: the information dictionary's strings and the XMP values turn to
//! spaces where they stand, wherever in the file they are. Where a writer put them in a
//! compressed object stream or metadata stream (PDF 1.5 and later: pdfTeX, Ghostscript,
//! Acrobat, qpdf), the stream is inflated, blanked the same way, and compressed again into
//! exactly as many bytes as it had: the new data ends with a stored block of spaces that
//! fills what the blanks saved (spaces after the last object, or after the XMP packet, mean
//! nothing to a reader), so its `/Length` and every offset still hold. A stream that does not
//! fit again (or is encrypted, or filtered otherwise) stays as it is: the check of the copy
//! then finds what it holds, and the export refuses the document rather than send it.
//!
//! A JPEG image (`/DCTDecode` alone) may be a photo's file copied as it was, EXIF and all
//! (img2pdf and scanning apps write them so): its metadata is blanked where it stands
//! ([`super::pictures`]), the stream held whole up to 8 MiB (past that, as far as it is
//! held, where its header is). At attach, EXIF is looked for in every byte of a PDF.
//!
//! Files attached inside a PDF (`/EmbeddedFile` streams) are, like an archive's, not
//! checked: attach says so, and a copy is refused.
//!
//! An encrypted PDF (`/Encrypt` in its trailer: often only to forbid printing or copying,
//! with an empty password that any reader opens) keeps its strings and streams encrypted,
//! where Aigaq cannot read or blank them: attach says it was not read, and a copy is
//! refused.

use std::io::{self, Read, Write};

use super::deflate::Deflater;
use super::pictures::{self, PICTURES_REMOVED};
use super::strip::{bad, note};
use super::{push_warning, Warning, UNREAD};

/// The information dictionary's entries, every one of them metadata.
const INFO_KEYS: [&[u8]; 8] = [
    b"/Title",
    b"/Author",
    b"/Subject",
    b"/Keywords",
    b"/Creator",
    b"/Producer",
    b"/CreationDate",
    b"/ModDate",
];

/// XMP properties that name people, software, places or times (as elements or attributes).
const XMP_NAMES: [&str; 11] = [
    "dc:creator",
    "dc:title",
    "dc:description",
    "dc:rights",
    "xmp:CreatorTool",
    "xmp:CreateDate",
    "xmp:ModifyDate",
    "xmp:MetadataDate",
    "pdf:Producer",
    "pdf:Author",
    "pdf:Keywords",
];

/// Bytes a key is read with, past its start.
const LOOKAHEAD: usize = 64;

/// The longest string or XMP value blanked; one that runs on longer stops the copy.
const LONGEST_VALUE: usize = 64 * 1024;

/// The risky entries of a PDF's information dictionaries and XMP packets in `parts` (its
/// first bytes, and its last when it is longer).
pub(super) fn warnings(parts: &[&[u8]]) -> Vec<Warning> {
    let mut out = Vec::new();
    if parts.iter().any(|p| encrypted(p)) {
        // Its strings are ciphertext: what they would show is noise.
        push_warning(&mut out, UNREAD, Some(ENCRYPTED.into()));
        return out;
    }
    let mut found = Found::default();
    for part in parts {
        found.read(part);
    }
    // What compressed object and metadata streams hold, one at a time.
    for part in parts {
        for_each_compressed_stream(part, |plain| found.read(plain));
    }
    push_warning(&mut out, "owner_name", found.author);
    push_warning(&mut out, "time", found.time);
    push_warning(&mut out, "camera", found.software);
    out
}

/// What a PDF says of who made it, with what and when; the first of each wins.
#[derive(Default)]
struct Found {
    author: Option<String>,
    software: Option<String>,
    time: Option<String>,
}

impl Found {
    fn read(&mut self, part: &[u8]) {
        let Found {
            author,
            software,
            time,
        } = self;
        *author = author
            .take()
            .or_else(|| entry(part, b"/Author"))
            .or_else(|| xmp_text(part, b"<dc:creator>"));
        *software = software
            .take()
            .or_else(|| entry(part, b"/Creator"))
            .or_else(|| entry(part, b"/Producer"))
            .or_else(|| xmp_text(part, b"<xmp:CreatorTool>"))
            .or_else(|| xmp_attribute(part, "xmp:CreatorTool"))
            .or_else(|| xmp_attribute(part, "pdf:Producer"));
        *time = time
            .take()
            .or_else(|| entry(part, b"/CreationDate").map(|d| pdf_date(&d)))
            .or_else(|| entry(part, b"/ModDate").map(|d| pdf_date(&d)));
    }
}

/// Bytes inflated from one compressed stream, at most (an object stream of a few thousand
/// objects); one is held at a time.
const INFLATED_LIMIT: usize = 2 << 20;
/// Compressed streams inflated in one part of a file, at most.
const MOST_STREAMS: usize = 16;

/// Hands `read` the contents of each Flate-compressed object stream (`/Type /ObjStm`,
/// where a writer may put the information dictionary) and metadata stream (XMP) whose
/// dictionary is in `bytes`, one at a time; a stream cut off or too large is left out.
fn for_each_compressed_stream(bytes: &[u8], mut read: impl FnMut(&[u8])) {
    let mut from = 0;
    let mut inflated = 0;
    while inflated < MOST_STREAMS {
        let Some(i) = find(&bytes[from..], b"stream") else {
            break;
        };
        let at = from + i;
        from = at + 6;
        // The keyword, not the end of `endstream`.
        if at >= 3 && &bytes[at - 3..at] == b"end" {
            continue;
        }
        // The stream's dictionary: back to the `<<` of its object, a few KiB at most.
        let dict_start = at.saturating_sub(4096);
        let Some(obj) = rfind(&bytes[dict_start..at], b" obj") else {
            continue;
        };
        let dict = &bytes[dict_start + obj..at];
        let wanted = (find(dict, b"/ObjStm").is_some() || find(dict, b"/Metadata").is_some())
            && find(dict, b"/FlateDecode").is_some();
        if !wanted {
            continue;
        }
        let Packed::Whole(data, end) = packed_stream(bytes, at, None, true) else {
            break;
        };
        if let Ok(plain) =
            miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&bytes[data], INFLATED_LIMIT)
        {
            read(&plain);
        }
        inflated += 1;
        from = end;
    }
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// The text of the first `key` in `bytes` whose value is a string (literal or hex).
fn entry(bytes: &[u8], key: &[u8]) -> Option<String> {
    let mut from = 0;
    while let Some(i) = find(&bytes[from..], key) {
        let at = from + i;
        from = at + key.len();
        if !key_at(bytes, at, key) {
            continue;
        }
        let Value::Found(range, hex) = pdf_value(bytes, at + key.len()) else {
            continue;
        };
        let raw = if hex {
            hex_bytes(&bytes[range])
        } else {
            Some(unescape(&bytes[range]))
        };
        if let Some(text) = raw.map(|r| decode(&r)).filter(|t| !t.trim().is_empty()) {
            return Some(text.trim().to_owned());
        }
    }
    None
}

/// What attach says of an encrypted PDF.
const ENCRYPTED: &str = "an encrypted document: its properties cannot be read until it is opened";

/// The trailer's or cross-reference stream's key that says a PDF is encrypted.
const ENCRYPT: &[u8] = b"/Encrypt";

/// The type of a file attached inside a PDF (a portfolio's, or any attachment's).
const EMBEDDED_FILE: &[u8] = b"/EmbeddedFile";
const ATTACHED: &str =
    "files attached inside this PDF: they are not checked for metadata; attach them on their own";

/// What is learnt of a PDF as it streams past, besides its first and last bytes, which
/// [`warnings`] reads: the EXIF of photos copied into it ([`pictures::ExifWatch`]), and
/// whether files are attached inside it, which, like an archive's, are not checked.
#[derive(Debug, Default)]
pub(crate) struct PdfWatch {
    exif: pictures::ExifWatch,
    /// The last bytes seen, where the start of [`EMBEDDED_FILE`] may be.
    carry: Vec<u8>,
    attached: bool,
}

impl PdfWatch {
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        self.exif.feed(bytes);
        if self.attached {
            return;
        }
        let keep = EMBEDDED_FILE.len() - 1;
        let head = &bytes[..bytes.len().min(keep)];
        self.carry.extend_from_slice(head);
        self.attached =
            find(&self.carry, EMBEDDED_FILE).is_some() || find(bytes, EMBEDDED_FILE).is_some();
        let tail = if bytes.len() >= keep {
            &bytes[bytes.len() - keep..]
        } else {
            &self.carry[self.carry.len().saturating_sub(keep)..]
        };
        self.carry = tail.to_vec();
    }

    pub(crate) fn warnings(&self) -> Vec<Warning> {
        let mut out = self.exif.warnings();
        if self.attached {
            push_warning(&mut out, UNREAD, Some(ATTACHED.into()));
        }
        out
    }
}

/// Whether `bytes` (a part of a PDF) say it is encrypted.
fn encrypted(bytes: &[u8]) -> bool {
    memchr::memmem::find_iter(bytes, ENCRYPT).any(|at| key_at(bytes, at, ENCRYPT))
}

/// Whether the name `key` is at `at` in `buf`: `/Author`, but not `/AuthorX`.
fn key_at(buf: &[u8], at: usize, key: &[u8]) -> bool {
    buf[at..].starts_with(key)
        && !buf
            .get(at + key.len())
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A literal string's bytes, between its parentheses (see [`pdf_value`]), with its escapes
/// undone.
fn unescape(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let Some(&e) = bytes.get(i) else {
            break;
        };
        i += 1;
        match e {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match bytes.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((v & 0xFF) as u8);
            }
            // A line continuation.
            b'\r' | b'\n' => {}
            other => out.push(other),
        }
    }
    out
}

/// A hex string's bytes, from its digits (between its angle brackets).
fn hex_bytes(digits: &[u8]) -> Option<Vec<u8>> {
    let digits: Vec<u8> = digits
        .iter()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|&b| char::from(b).to_digit(16).map(|d| d as u8))
        .collect::<Option<_>>()?;
    // An odd last digit is followed by 0.
    Some(
        digits
            .chunks(2)
            .map(|p| p[0] << 4 | p.get(1).copied().unwrap_or(0))
            .collect(),
    )
}

/// A text string: UTF-16 after its byte-order mark, UTF-8 after its mark, else
/// PDFDocEncoding (read as Latin-1, which it matches for letters).
fn decode(bytes: &[u8]) -> String {
    if let Some(wide) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = wide
            .chunks_exact(2)
            .map(|u| u16::from_be_bytes([u[0], u[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(utf8) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(utf8).into_owned();
    }
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// A PDF date (`D:YYYYMMDDHHmmSS+HH'mm'`) as `YYYY-MM-DD HH:mm:SS+HH:mm`, as far as it goes;
/// anything else as it is.
fn pdf_date(date: &str) -> String {
    let d = date.strip_prefix("D:").unwrap_or(date);
    let digits = d.chars().take_while(char::is_ascii_digit).count();
    if digits < 4 {
        return date.to_owned();
    }
    let part = |a: usize, b: usize| d.get(a..b).filter(|_| digits >= b);
    let mut out = d[..4].to_owned();
    for (a, b, sep) in [
        (4, 6, "-"),
        (6, 8, "-"),
        (8, 10, " "),
        (10, 12, ":"),
        (12, 14, ":"),
    ] {
        match part(a, b) {
            Some(p) => {
                out.push_str(sep);
                out.push_str(p);
            }
            None => break,
        }
    }
    let zone = d[digits..].replace('\'', "");
    match zone.as_bytes() {
        [b'Z', ..] => out.push('Z'),
        [s @ (b'+' | b'-'), h1, h2, m1, m2, ..] if digits >= 10 => {
            out.push_str(&format!(
                " {}{}{}:{}{}",
                char::from(*s),
                char::from(*h1),
                char::from(*h2),
                char::from(*m1),
                char::from(*m2)
            ));
        }
        _ => {}
    }
    out
}

/// The text of the first XMP element `open` in `bytes` (inside an `rdf:Seq` or `rdf:Alt`
/// list, its first item), at most 4 KiB.
fn xmp_text(bytes: &[u8], open: &[u8]) -> Option<String> {
    let at = find(bytes, open)? + open.len();
    let rest = &bytes[at..bytes.len().min(at + 4096)];
    let mut text = String::from_utf8_lossy(rest).into_owned();
    if let Some(li) = text.find("<rdf:li") {
        text = text[li..].split_once('>')?.1.to_owned();
    }
    let value = text.split('<').next()?.trim().to_owned();
    (!value.is_empty()).then(|| super::unescape_xml(&value))
}

/// The value of the first XMP attribute `name="…"` in `bytes`.
fn xmp_attribute(bytes: &[u8], name: &str) -> Option<String> {
    let pattern = format!("{name}=\"");
    let at = find(bytes, pattern.as_bytes())? + pattern.len();
    let rest = &bytes[at..bytes.len().min(at + 4096)];
    let end = rest.iter().position(|&b| b == b'"')?;
    let value = String::from_utf8_lossy(&rest[..end]).trim().to_owned();
    (!value.is_empty()).then(|| super::unescape_xml(&value))
}

/// Copies a PDF to `out` with its information dictionary's strings and its XMP values
/// turned to spaces where they stand; the data of compressed streams is copied as it is.
/// Returns what was blanked.
pub(super) fn strip(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    let mut removed = Vec::new();
    let mut buf: Vec<u8> = Vec::with_capacity(2 * LONGEST_VALUE);
    let mut chunk = vec![0u8; LONGEST_VALUE];
    let mut first = true;
    let mut streams = Streams::default();
    loop {
        let n = match input.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        buf.extend_from_slice(&chunk[..n]);
        let last = n == 0;
        if first && (buf.len() >= 5 || last) {
            if !buf.starts_with(b"%PDF-") {
                return Err(bad("not a PDF file"));
            }
            first = false;
        }
        let done = blank(&mut buf, last, &mut streams, &mut removed)?;
        out.write_all(&buf[..done])?;
        buf.drain(..done);
        if last {
            out.write_all(&buf)?;
            return Ok(removed);
        }
    }
}

/// Blanks what [`INFO_KEYS`] and [`XMP_NAMES`] hold in `buf`, up to the first value that
/// may go on past its end (unless `last`); returns how much of `buf` is final.
fn blank(
    buf: &mut [u8],
    last: bool,
    streams: &mut Streams,
    removed: &mut Vec<String>,
) -> io::Result<usize> {
    // Keys and keywords that start in the last bytes are read in the next pass, whole,
    // with what follows them (`/Filter [ /FlateDecode ]`, `/Length 1234567 0 R`).
    let limit = if last {
        buf.len()
    } else {
        buf.len().saturating_sub(LOOKAHEAD)
    };
    let mut i = 0;
    while i < limit {
        if streams.skipping {
            // Compressed data: changing a byte would break it (and its checksum).
            match find(&buf[i..], b"endstream") {
                Some(end) => {
                    i += end + 9;
                    streams.skipping = false;
                    continue;
                }
                None => return Ok(limit),
            }
        }
        if buf[i] == b'/' {
            if key_at(buf, i, ENCRYPT) {
                return Err(bad("it is encrypted, so its properties cannot be blanked; save an unencrypted copy (print to PDF) and attach that"));
            }
            if key_at(buf, i, EMBEDDED_FILE) {
                return Err(bad("it has files attached inside it, which Aigaq does not check for metadata; attach them on their own"));
            }
            streams.read_key(&buf[i..]);
        } else if buf[i..].starts_with(b"obj") && i > 0 && buf[i - 1].is_ascii_whitespace() {
            *streams = Streams::default();
        } else if buf[i..].starts_with(b"stream") && (i < 3 || &buf[i - 3..i] != b"end") {
            if streams.jpeg_only {
                match packed_stream(buf, i, streams.length, last) {
                    Packed::Whole(data, end) => {
                        if pictures::clean(&mut buf[data]).any() {
                            note(removed, PICTURES_REMOVED);
                        }
                        *streams = Streams::default();
                        i = end;
                        continue;
                    }
                    Packed::Unfinished => return Ok(i),
                    Packed::TooLarge => {
                        // Its header is in what is held, blanked there; the rest is copied
                        // as it is.
                        let start = (i + 6).min(buf.len());
                        if pictures::clean(&mut buf[start..]).any() {
                            note(removed, PICTURES_REMOVED);
                        }
                    }
                }
            }
            if streams.filtered && streams.packed && streams.flate_only && !streams.parameters {
                match packed_stream(buf, i, streams.length, last) {
                    Packed::Whole(data, end) => {
                        repack(&mut buf[data], removed);
                        *streams = Streams::default();
                        i = end;
                        continue;
                    }
                    Packed::Unfinished => return Ok(i),
                    Packed::TooLarge => {}
                }
            }
            streams.skipping = streams.filtered;
            i += 6;
            continue;
        }
        let value = match buf[i] {
            b'/' => INFO_KEYS
                .iter()
                .find(|k| key_at(buf, i, k))
                .map(|k| pdf_value(buf, i + k.len())),
            b'<' => XMP_NAMES
                .iter()
                .find(|n| {
                    buf[i + 1..].starts_with(n.as_bytes())
                        && buf.get(i + 1 + n.len()) == Some(&b'>')
                })
                .map(|n| xml_element(buf, i + 2 + n.len(), n)),
            b' ' | b'\t' | b'\n' | b'\r' => XMP_NAMES
                .iter()
                .find(|n| {
                    buf[i + 1..].starts_with(n.as_bytes())
                        && buf[i + 1 + n.len()..].starts_with(b"=\"")
                })
                .map(|n| quoted(buf, i + 3 + n.len())),
            _ => None,
        };
        match value {
            Some(Value::Found(range, hex)) => {
                let what = &mut buf[range.clone()];
                let says_something = if hex {
                    let digits: Vec<u8> =
                        what.iter().copied().filter(u8::is_ascii_hexdigit).collect();
                    digits
                        .chunks(2)
                        .any(|p| p != b"20" && p != b"00" && p != b"0")
                } else {
                    what.iter().any(|b| !b.is_ascii_whitespace())
                };
                if says_something {
                    note(removed, "document information (author, software, dates)");
                }
                // Hex digits become "20" pairs (spaces), whitespace among them stays.
                let mut k = 0;
                for b in what.iter_mut() {
                    if !hex {
                        *b = b' ';
                    } else if b.is_ascii_hexdigit() {
                        *b = if k % 2 == 0 { b'2' } else { b'0' };
                        k += 1;
                    }
                }
                i = range.end;
            }
            Some(Value::Unfinished) if !last => {
                if buf.len() - i > LONGEST_VALUE {
                    return Err(bad("a PDF metadata value too long to blank"));
                }
                return Ok(i);
            }
            _ => i += 1,
        }
    }
    Ok(i.max(limit))
}

/// Where the copy is among a PDF's streams: in an object whose stream is filtered
/// (compressed), and inside such a stream's data; and whether that stream is an object or
/// metadata stream compressed with Flate alone, which [`repack`] can blank, with the
/// `/Length` its dictionary gives directly.
#[derive(Default)]
struct Streams {
    filtered: bool,
    skipping: bool,
    packed: bool,
    flate_only: bool,
    /// A JPEG image, as the photo's file held it ([`super::pictures`]).
    jpeg_only: bool,
    parameters: bool,
    length: Option<usize>,
}

impl Streams {
    /// Notes what the dictionary key at the start of `rest` says of the object's stream.
    fn read_key(&mut self, rest: &[u8]) {
        let after = |key: &[u8]| {
            rest.strip_prefix(key).map(|r| {
                let start = r
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .unwrap_or(r.len());
                &r[start..]
            })
        };
        if let Some(kind) = after(b"/Type") {
            self.packed |= [&b"/ObjStm"[..], b"/Metadata"].iter().any(|k| {
                kind.starts_with(k)
                    && kind
                        .get(k.len())
                        .is_some_and(|b| !b.is_ascii_alphanumeric())
            });
        } else if let Some(filter) = after(b"/Filter") {
            self.filtered = true;
            let (list, filter) = match filter.strip_prefix(b"[") {
                Some(inner) => (true, inner.trim_ascii_start()),
                None => (false, filter),
            };
            let only = |name: &[u8]| {
                filter.strip_prefix(name).is_some_and(|r| {
                    let r = r.trim_ascii_start();
                    if list {
                        r.starts_with(b"]")
                    } else {
                        r.first().is_some_and(|b| !b.is_ascii_alphanumeric())
                    }
                })
            };
            self.flate_only = only(b"/FlateDecode");
            self.jpeg_only = only(b"/DCTDecode");
        } else if rest.starts_with(b"/DecodeParms") {
            self.parameters = true;
        } else if let Some(value) = after(b"/Length") {
            // A direct number; `12 0 R` refers to another object.
            let digits = value.iter().take_while(|b| b.is_ascii_digit()).count();
            let then = value[digits..].trim_ascii_start();
            let reference = then.first().is_some_and(u8::is_ascii_digit);
            self.length = std::str::from_utf8(&value[..digits])
                .ok()
                .and_then(|d| d.parse().ok())
                .filter(|_| !reference && digits > 0);
        }
    }
}

/// Where a stream's data lies, its keyword at `at` in `buf`.
enum Packed {
    /// Its data, and where its `endstream` keyword ends.
    Whole(std::ops::Range<usize>, usize),
    /// It goes on past `buf`: read on.
    Unfinished,
    /// Longer than [`LARGEST_PACKED`] (or cut off): left as it is.
    TooLarge,
}

/// The data of the stream whose keyword is at `at`: from after the keyword's end of line
/// to `length` bytes on when the dictionary said, else to the end of line before
/// `endstream`.
fn packed_stream(buf: &[u8], at: usize, length: Option<usize>, last: bool) -> Packed {
    let mut start = at + 6;
    if buf.get(start) == Some(&b'\r') {
        start += 1;
    }
    if buf.get(start) == Some(&b'\n') {
        start += 1;
    }
    let Some(end) = find(&buf[start.min(buf.len())..], b"endstream").map(|e| start + e) else {
        return if last || buf.len() - at > LARGEST_PACKED {
            Packed::TooLarge
        } else {
            Packed::Unfinished
        };
    };
    let data_end = match length {
        Some(n) if start + n <= end => start + n,
        _ => {
            let mut e = end;
            if e > start && buf[e - 1] == b'\n' {
                e -= 1;
            }
            if e > start && buf[e - 1] == b'\r' {
                e -= 1;
            }
            e
        }
    };
    Packed::Whole(start..data_end, end + 9)
}

/// The largest compressed stream [`repack`] blanks; one that is longer stays as it is.
const LARGEST_PACKED: usize = 8 << 20;
/// The most it inflates to.
const LARGEST_INFLATED: usize = 16 << 20;

/// Blanks what an object or metadata stream's data (zlib, `/FlateDecode`) holds of
/// [`INFO_KEYS`] and [`XMP_NAMES`], and compresses it again into exactly as many bytes (see
/// the module documentation). Leaves it as it is when it does not inflate, holds nothing
/// to blank, or does not fit again.
fn repack(data: &mut [u8], removed: &mut Vec<String>) {
    let Ok(mut plain) =
        miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, LARGEST_INFLATED)
    else {
        return;
    };
    let mut said = Vec::new();
    if blank(&mut plain, true, &mut Streams::default(), &mut said).is_err() || said.is_empty() {
        return;
    }
    if let Some(again) = deflate_into(&plain, data.len()) {
        data.copy_from_slice(&again);
        for what in said {
            note(removed, &what);
        }
    }
}

/// `plain` as a zlib stream of exactly `len` bytes, if it fits: deflated, then stored
/// blocks of spaces to the length (see the module documentation).
fn deflate_into(plain: &[u8], len: usize) -> Option<Vec<u8>> {
    // Best compression; the zlib frame is written here. A sync flush ends on a byte
    // boundary with a block that is not the last, so stored blocks can follow.
    let mut out = vec![0x78, 0xDA];
    let mut deflater = Deflater::new(10);
    deflater.write(plain, &mut out).ok()?;
    deflater.sync(&mut out).ok()?;
    // Stored blocks: a header byte (the last one's says so), the length and its complement,
    // then that many spaces, which inflate as they are.
    const HEADER: usize = 5;
    let room = len.checked_sub(out.len() + 4)?;
    let blocks = room.div_ceil(usize::from(u16::MAX) + HEADER).max(1);
    let spaces = room.checked_sub(blocks * HEADER)?;
    let mut padded = plain.to_vec();
    for k in 0..blocks {
        let n = spaces / blocks + usize::from(k < spaces % blocks);
        let n16 = u16::try_from(n).ok()?;
        out.push(u8::from(k + 1 == blocks));
        out.extend_from_slice(&n16.to_le_bytes());
        out.extend_from_slice(&(!n16).to_le_bytes());
        out.extend(std::iter::repeat_n(b' ', n));
        padded.extend(std::iter::repeat_n(b' ', n));
    }
    out.extend_from_slice(&adler32(&padded).to_be_bytes());
    // Checked, as a reader will read it.
    let back = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&out, padded.len()).ok()?;
    (out.len() == len && back == padded).then_some(out)
}

/// The Adler-32 checksum that ends a zlib stream.
fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 bytes at most before the sums must be reduced, or they overflow.
    for chunk in bytes.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65_521;
        b %= 65_521;
    }
    (b << 16) | a
}

/// A value in a PDF or XMP: where its text is (and whether it is hex digits), or that it
/// runs past what has been read.
enum Value {
    Found(std::ops::Range<usize>, bool),
    Unfinished,
}

/// The string after an information dictionary key (at `at`, after spaces): the bytes
/// between its parentheses or angle brackets, and whether they are hex digits; an empty
/// range when no string follows.
fn pdf_value(buf: &[u8], at: usize) -> Value {
    let Some(start) = buf[at..].iter().position(|b| !b.is_ascii_whitespace()) else {
        return Value::Unfinished;
    };
    let start = at + start;
    match buf[start] {
        b'(' => {
            let mut depth = 0usize;
            let mut i = start + 1;
            while i < buf.len() {
                match buf[i] {
                    b'\\' => i += 1,
                    b'(' => depth += 1,
                    b')' if depth == 0 => return Value::Found(start + 1..i, false),
                    b')' => depth -= 1,
                    _ => {}
                }
                i += 1;
            }
            Value::Unfinished
        }
        b'<' if buf.get(start + 1) != Some(&b'<') => {
            match buf[start + 1..].iter().position(|&b| b == b'>') {
                Some(end) => Value::Found(start + 1..start + 1 + end, true),
                None => Value::Unfinished,
            }
        }
        // A reference or another kind of value: nothing to blank here.
        _ if buf.len() - start < 2 => Value::Unfinished,
        _ => Value::Found(start..start, false),
    }
}

/// An XMP element's content, from `at` to its closing tag.
fn xml_element(buf: &[u8], at: usize, name: &str) -> Value {
    let close = format!("</{name}>");
    match find(&buf[at..], close.as_bytes()) {
        Some(end) => Value::Found(at..at + end, false),
        None => Value::Unfinished,
    }
}

/// An XMP attribute's value, from `at` to its closing quote.
fn quoted(buf: &[u8], at: usize) -> Value {
    match buf[at..].iter().position(|&b| b == b'"') {
        Some(end) => Value::Found(at..at + end, false),
        None => Value::Unfinished,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::video::tests::get;

    #[test]
    fn a_document_s_author_software_and_date_are_shown() {
        let pdf = b"%PDF-1.7\n1 0 obj\n<< /Title (Medical report) /Author (Dr. Aigerim \\(clinic\\) B.)\n/Creator (Microsoft\\256 Word for Microsoft 365) /CreationDate (D:20260105100000+06'00') >>\nendobj\n";
        let found = warnings(&[&pdf[..]]);
        assert_eq!(
            get(&found, "owner_name").as_deref(),
            Some("Dr. Aigerim (clinic) B.")
        );
        assert_eq!(
            get(&found, "camera").as_deref(),
            Some("Microsoft® Word for Microsoft 365")
        );
        assert_eq!(
            get(&found, "time").as_deref(),
            Some("2026-01-05 10:00:00 +06:00")
        );
    }

    #[test]
    fn utf16_hex_strings_and_xmp_are_read_too() {
        // "Айгерим" in UTF-16 with its mark, as a hex string; the scanner in the tail.
        let name: String = [0xFEFFu16]
            .into_iter()
            .chain("Айгерим".encode_utf16())
            .map(|u| format!("{u:04X}"))
            .collect();
        let head =
            format!("%PDF-1.4\n<</AuthorName (x) /Author <{name}> /Producer<>>>").into_bytes();
        let tail = b"<x:xmpmeta><dc:creator><rdf:Seq><rdf:li>Ignored</rdf:li></rdf:Seq></dc:creator><xmp:CreatorTool>Canon iR-ADV C5535</xmp:CreatorTool><< /ModDate (D:2025) >>";
        let found = warnings(&[&head[..], &tail[..]]);
        assert_eq!(get(&found, "owner_name").as_deref(), Some("Айгерим"));
        assert_eq!(get(&found, "camera").as_deref(), Some("Canon iR-ADV C5535"));
        assert_eq!(get(&found, "time").as_deref(), Some("2025"));
        // An unfinished string, a key with no string, nothing at all.
        for bad in [
            &b"/Author (never closed"[..],
            b"/Author 12 0 R",
            b"",
            b"/Author <zz>",
        ] {
            assert_eq!(warnings(&[bad]), []);
        }
    }

    #[test]
    fn an_encrypted_document_is_said_to_be_unread_and_not_copied() {
        // Its strings are ciphertext; /EncryptMetadata alone says nothing.
        let plain =
            b"%PDF-1.6\n1 0 obj\n<< /Author (\x8a\x12Q) /EncryptMetadata false >>\nendobj\n";
        assert!(!encrypted(plain));
        for trailer in [
            &b"trailer\n<< /Root 2 0 R /Encrypt 3 0 R /Info 1 0 R >>\n%%EOF"[..],
            b"5 0 obj << /Type /XRef /Encrypt<</Filter/Standard>> >> stream",
        ] {
            let pdf = [&plain[..], trailer].concat();
            assert_eq!(
                warnings(&[&pdf]),
                [Warning {
                    field: UNREAD.into(),
                    value: ENCRYPTED.into()
                }]
            );
            let e = strip(&mut &pdf[..], &mut Vec::new()).unwrap_err();
            assert!(e.to_string().contains("encrypted"), "{e}");
        }
    }
}

#[cfg(test)]
mod strip_tests {
    use super::*;

    /// Hands out its bytes a few at a time, as a slow reader would.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn stripped(file: &[u8], piece: usize) -> io::Result<(Vec<u8>, Vec<String>)> {
        let mut out = Vec::new();
        let removed = strip(&mut Trickle(file, piece), &mut out)?;
        Ok((out, removed))
    }

    const DOC: &[u8] = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R >>\nendobj\n4 0 obj\n<< /Title (Report \\(draft\\) on A. (B.)) /Author <FEFF04100439> /Creator 7 0 R /Producer (Canon) /CreationDate (D:20260105) /Authority (kept) >>\nendobj\n5 0 obj\n<< /Type /Metadata /Subtype /XML /Length 200 >>\nstream\n<rdf:Description xmp:CreatorTool=\"Word\" pdf:Producer=\"Canon\"><dc:creator><rdf:Seq><rdf:li>Aigerim</rdf:li></rdf:Seq></dc:creator><xmp:CreateDate>2026-01-05</xmp:CreateDate></rdf:Description>\nendstream\nendobj\ntrailer\n<< /Info 4 0 R >>\n%%EOF\n";

    #[test]
    fn a_photo_copied_into_a_pdf_as_it_was_loses_its_exif_where_it_stands() {
        // As img2pdf and scanning apps write it: the photo's file is the image's stream.
        let photo = std::fs::read(format!(
            "{}/tests/fixtures/exif-gps.jpg",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        for length in [format!("{}", photo.len()), "3 0 R".to_owned()] {
            let mut file = format!(
                "%PDF-1.4\n1 0 obj\n<</Type /XObject /Subtype /Image /Width 8 /Height 8 /Filter [ /DCTDecode ] /Length {length}>>\nstream\n"
            )
            .into_bytes();
            let at = file.len();
            file.extend_from_slice(&photo);
            file.extend_from_slice(b"\nendstream\nendobj\ntrailer\n<</Root 2 0 R>>\n%%EOF\n");
            for piece in [1, 100, file.len()] {
                let mut s = crate::media::Sniffer::new();
                for p in file.chunks(piece) {
                    s.feed(p);
                }
                let (t, w) = s.describe();
                assert_eq!(t, "application/pdf");
                assert_eq!(
                    crate::media::values_of(&w, "camera_serial"),
                    ["SN-FIXTURE-0042"],
                    "{piece}"
                );
                let (copy, removed) = stripped(&file, piece).unwrap();
                assert_eq!(removed, [PICTURES_REMOVED], "{length} {piece}");
                let mut want = file.clone();
                pictures::clean(&mut want[at..at + photo.len()]);
                assert_eq!(copy, want, "{length} {piece}");
                let mut s = crate::media::Sniffer::new();
                s.feed(&copy);
                assert_eq!(s.describe().1, []);
            }
        }
    }

    #[test]
    fn files_attached_inside_a_pdf_are_said_to_be_unchecked_and_not_copied() {
        let mut file =
            b"%PDF-1.7\n1 0 obj\n<</Type /Catalog /Names <</EmbeddedFiles 2 0 R>> >>\nendobj\n"
                .to_vec();
        file.extend(std::iter::repeat_n(b' ', 3 << 20));
        file.extend_from_slice(b"3 0 obj\n<</Type /EmbeddedFile /Length 5>>\nstream\nhello\nendstream\nendobj\n%%EOF\n");
        // Whatever the pieces, and even where only the attachment's own object says it.
        let late = file.len() - 80;
        for (bytes, piece) in [
            (&file[..], 7),
            (&file[..], 1 << 16),
            (&file[late - 20..], 3),
        ] {
            let mut s = crate::media::Sniffer::new();
            let body = [&b"%PDF-1.7\n"[..], bytes].concat();
            for p in body.chunks(piece) {
                s.feed(p);
            }
            let (_, w) = s.describe();
            assert_eq!(crate::media::values_of(&w, UNREAD), [ATTACHED], "{piece}");
        }
        let err = stripped(&file, 4096).unwrap_err();
        assert!(err.to_string().contains("attached inside it"), "{err}");
    }

    #[test]
    fn a_document_s_information_and_xmp_turn_to_spaces_where_they_stand() {
        for piece in [1, 3, 17, 4096] {
            let (copy, removed) = stripped(DOC, piece).unwrap();
            assert_eq!(copy.len(), DOC.len(), "pieces of {piece}");
            assert_eq!(removed, ["document information (author, software, dates)"]);
            let text = String::from_utf8_lossy(&copy);
            for gone in [
                "Report",
                "draft",
                "0410",
                "Canon",
                "20260105",
                "Word",
                "Aigerim",
                "2026-01-05",
            ] {
                assert!(!text.contains(gone), "{gone} in pieces of {piece}: {text}");
            }
            // Structure, references and other keys stay; so does every offset.
            for kept in [
                "/Creator 7 0 R",
                "/Authority (kept)",
                "<dc:creator>",
                "</xmp:CreateDate>",
                "/Author <202020202020>",
            ] {
                assert!(text.contains(kept), "{kept}: {text}");
            }
            assert_eq!(warnings(&[&copy]), []);
            for (a, b) in DOC.iter().zip(&copy) {
                assert!(a == b || *b == b' ' || b"20".contains(b));
            }
        }
        // Stripping the copy again changes nothing.
        let (copy, _) = stripped(DOC, 64).unwrap();
        assert_eq!(stripped(&copy, 5).unwrap(), (copy.clone(), vec![]));
    }

    /// A PDF 1.5 whose information dictionary is packed, with other objects, in a
    /// compressed object stream of `length` bytes (its `/Length` direct or by reference).
    fn packed(objects: &[u8], direct: bool) -> Vec<u8> {
        let data = miniz_oxide::deflate::compress_to_vec_zlib(objects, 6);
        let length = if direct {
            data.len().to_string()
        } else {
            "8 0 R".into()
        };
        let mut doc = format!("%PDF-1.5\n7 0 obj\n<< /Type /ObjStm /N 2 /First 9 /Filter /FlateDecode /Length {length} >>\nstream\n").into_bytes();
        doc.extend_from_slice(&data);
        doc.extend_from_slice(b"\nendstream\nendobj\n8 0 obj\n");
        doc.extend_from_slice(format!("{}\nendobj\n%%EOF\n", data.len()).as_bytes());
        doc
    }

    const PACKED: &[u8] = b"4 0 6 60 << /Author (Aigerim B.) /Producer (qpdf) /CreationDate (D:20260105) >> << /Type /Pages /Kids [] /Count 0 >>";

    #[test]
    fn a_compressed_object_stream_is_blanked_and_packed_again_into_the_same_bytes() {
        for direct in [true, false] {
            let doc = packed(PACKED, direct);
            let found = warnings(&[&doc]);
            assert_eq!(
                crate::media::video::tests::get(&found, "owner_name").as_deref(),
                Some("Aigerim B.")
            );
            for piece in [1, 7, 100, 4096] {
                let (copy, removed) = stripped(&doc, piece).unwrap();
                assert_eq!(copy.len(), doc.len(), "{piece}");
                assert_eq!(removed, ["document information (author, software, dates)"]);
                assert_eq!(warnings(&[&copy]), [], "{piece}");
                // Everything outside the stream's data is as it was.
                let data = find(&doc, b"stream\n").unwrap() + 7;
                let end = find(&doc, b"\nendstream").unwrap();
                assert_eq!(copy[..data], doc[..data]);
                assert_eq!(copy[end..], doc[end..]);
                // The objects inflate blanked where they stood, spaces after them.
                let plain = miniz_oxide::inflate::decompress_to_vec_zlib(&copy[data..end]).unwrap();
                let expected = String::from_utf8_lossy(PACKED)
                    .replace("Aigerim B.", "          ")
                    .replace("(qpdf)", "(    )")
                    .replace("D:20260105", "          ");
                let text = String::from_utf8(plain).unwrap();
                assert!(text.starts_with(&expected), "{text}");
                assert!(text[expected.len()..].bytes().all(|b| b == b' '));
            }
        }
    }

    #[test]
    fn a_compressed_stream_that_cannot_be_packed_again_stays_and_shows() {
        // Random-looking bytes do not compress: with the blanks, they no longer fit.
        let mut noise: Vec<u8> = (0..4000u32)
            .map(|i| b"0123456789abcdef"[(i.wrapping_mul(2_654_435_761) >> 28) as usize])
            .collect();
        noise.extend_from_slice(b" << /Author (A) >>");
        let doc = packed(&noise, true);
        let (copy, removed) = stripped(&doc, 4096).unwrap();
        assert_eq!(copy, doc);
        assert!(removed.is_empty());
        assert_eq!(warnings(&[&copy]), warnings(&[&doc]));
        // Another filter, or parameters: not touched.
        let other = String::from_utf8_lossy(&packed(PACKED, true))
            .replace("/Filter /FlateDecode", "/Filter /LZWDecode")
            .into_bytes();
        assert_eq!(stripped(&other, 4096).unwrap().0, other);
        // Cut short or damaged, it shows nothing and does not panic.
        let doc = packed(PACKED, true);
        for cut in 0..doc.len() {
            let _ = warnings(&[&doc[..cut]]);
            let _ = stripped(&doc[..cut], 64);
        }
        let mut flipped = doc.clone();
        let at = find(&doc, b"stream\n").unwrap() + 20;
        flipped[at] ^= 0x55;
        let _ = stripped(&flipped, 64);
    }

    #[test]
    fn what_cannot_be_blanked_is_an_error() {
        assert!(stripped(b"GIF89a", 10).is_err());
        let mut endless = b"%PDF-1.4\n<< /Author (".to_vec();
        endless.extend(std::iter::repeat_n(b'x', 3 * LONGEST_VALUE));
        assert!(stripped(&endless, 8192).is_err());
        // An unfinished string at the very end is left as it is.
        let cut = &DOC[..DOC.len() / 3];
        assert!(stripped(cut, 7).is_ok());
    }
}

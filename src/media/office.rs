//! Office documents (Word, Excel and PowerPoint files; OpenDocument text, spreadsheets,
//! presentations and drawings): ZIP packages whose document properties name the author and
//! whoever saved it last, their organisation and manager, the software and when it was
//! written, created and printed. A statement typed by a documenter or a report from a clinic
//! carries those names into every copy.
//!
//! At attach, the properties parts (`docProps/core.xml`, `docProps/app.xml`, a `.psmdcp`
//! part, an OpenDocument's `meta.xml`) are caught as the file streams past: each ZIP entry
//! begins with a local header that names it, so [`OfficeWatch`] looks for those headers in
//! the stream and inflates the parts it wants as they pass, keeping the properties (256 KiB
//! of each, a few parts).
//!
//! Every other XML part is read for the people it names, the authors of comments and tracked
//! changes ([`super::annotations`]), and every picture for its EXIF (a phone photo pasted
//! into a report keeps where it was taken), inflated as they stream past (at most 512 MiB
//! in all, so that a "zip bomb" costs little).
//!
//! A copy without them ([`strip`]) is a new ZIP package with the same entries in the same
//! order. The properties parts become empty documents of their kind; every other XML part
//! is inflated, written again with those people numbered (`Author 1`, …), their times
//! blanked, and an OpenDocument's printer and property fields emptied, and deflated
//! again; JPEG and PNG pictures are stripped as photos are alone ([`super::strip`]), and
//! documents embedded in it (the spreadsheet behind a chart) as this one is, two levels
//! deep; every other part's compressed bytes are copied as they are. Every entry's time
//! becomes 1980-01-01 00:00, the entries' extra fields (file times, owners) and comments
//! go, and a new central directory is written at the end.
//! Entries whose length only a data descriptor after them gives (LibreOffice writes them)
//! are inflated as they are copied to find their end, and checked against their CRC.

use std::io::{self, BufRead, Read, Write};

use miniz_oxide::deflate::core::{
    compress, create_comp_flags_from_zip_params, CompressorOxide, TDEFLFlush, TDEFLStatus,
};
use miniz_oxide::inflate::stream::{inflate, InflateState};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

use super::annotations::Names;
use super::strip::{bad, note};
use super::{push_warning, Warning};

const LOCAL: [u8; 4] = *b"PK\x03\x04";
const CENTRAL: [u8; 4] = *b"PK\x01\x02";
const END: [u8; 4] = *b"PK\x05\x06";
const DESCRIPTOR: [u8; 4] = *b"PK\x07\x08";

/// A local header's fixed part.
const LOCAL_LEN: usize = 30;
/// The longest entry name of a part read at attach (a `.psmdcp` part's is about 85).
const LONGEST_PART_NAME: usize = 128;
/// How much of a properties part is kept at attach, inflated.
const PART_KEPT: usize = 256 * 1024;
/// How many properties parts are kept at attach; more are not looked at.
const PARTS_KEPT: usize = 8;
/// The largest properties part a copy is made from, inflated.
const LARGEST_PART: usize = 4 * 1024 * 1024;
/// Most entries in a package a copy is made of (a ZIP without its 64-bit extension).
const MOST_ENTRIES: usize = 65_535;
/// The largest picture or embedded document a copy strips, inflated.
const LARGEST_WHOLE: usize = 24 * 1024 * 1024;
/// The largest XML part a copy is made of, inflated.
const LARGEST_XML: u64 = 1 << 30;
/// Most bytes of entry names in a package a copy is made of.
const MOST_NAME_BYTES: usize = 8 * 1024 * 1024;

/// The office document types, by the media type [`super::sniff`] gives them.
const TYPES: [&str; 7] = [
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.oasis.opendocument.graphics",
];

/// Whether a copy without document properties can be made of this type.
pub(crate) fn strippable(media_type: &str) -> bool {
    TYPES.contains(&media_type)
}

/// The office document type of a ZIP package from its first bytes `head`: an OpenDocument
/// by its first entry, `mimetype`, which states it; Word, Excel or PowerPoint by a part in
/// `word/`, `xl/` or `ppt/`. (The `infer` crate knows the latter only when
/// `[Content_Types].xml` comes first, and LibreOffice writes it last; and the former only
/// without an extra field, which zip tools add.)
pub(super) fn package_type(head: &[u8]) -> Option<&'static str> {
    let first = LocalHeader::parse(head).filter(|_| head.starts_with(&LOCAL))?;
    let name_at = LOCAL_LEN..LOCAL_LEN + first.name_len;
    if head.get(name_at) == Some(b"mimetype") && first.method == 0 {
        let data = LOCAL_LEN + first.name_len + first.extra_len;
        let stated = head.get(data..data + usize::try_from(first.compressed).ok()?)?;
        return TYPES.iter().find(|t| t.as_bytes() == stated).copied();
    }
    memchr::memmem::find_iter(head, &LOCAL).find_map(|at| {
        let (whole, _) = header_len(&head[at..])?;
        let name = &head[at + LOCAL_LEN..at + whole];
        [("word/", 0), ("xl/", 1), ("ppt/", 2)]
            .iter()
            .find(|(dir, _)| name.starts_with(dir.as_bytes()))
            .map(|&(_, i)| TYPES[i])
    })
}

/// The parts that hold document properties, and those replaced in a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Author, last saved by, title, dates (`docProps/core.xml` or a `.psmdcp` part).
    Core,
    /// Organisation, manager, software, template (`docProps/app.xml`).
    App,
    /// Whatever properties a writer or an organisation's templates added.
    Custom,
    /// An OpenDocument's author, last saved by, software and dates (`meta.xml`).
    OdfMeta,
}

impl Part {
    fn of(name: &[u8]) -> Option<Self> {
        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
        let name = name.trim_start_matches('/');
        Some(match name {
            "docprops/core.xml" => Self::Core,
            n if n.ends_with(".psmdcp") => Self::Core,
            "docprops/app.xml" => Self::App,
            "docprops/custom.xml" => Self::Custom,
            // An OpenDocument's own, or an object's embedded in it (`Object 1/meta.xml`).
            n if n == "meta.xml" || (n.ends_with("/meta.xml") && !n.starts_with("meta-inf/")) => {
                Self::OdfMeta
            }
            _ => return None,
        })
    }

    /// What a copy without it no longer says.
    fn removed(self) -> &'static str {
        match self {
            Self::Core | Self::App | Self::OdfMeta => {
                "document properties (author, organisation, software, dates)"
            }
            Self::Custom => "custom properties",
        }
    }

    /// The empty document of its kind that takes its place. `original` is the part as it
    /// was, inflated, for the OpenDocument version its root states.
    fn replacement(self, original: &[u8]) -> Vec<u8> {
        const DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n";
        const OFFICE: &str = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
        let odf_version = || {
            let text = String::from_utf8_lossy(&original[..original.len().min(4096)]);
            text.split("office:version=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .filter(|v| !v.is_empty() && v.len() <= 8)
                .filter(|v| v.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
                .unwrap_or("1.2")
                .to_owned()
        };
        let xml = match self {
            Self::Core => format!(
                "{DECL}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"/>"
            ),
            Self::App => format!(
                "{DECL}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\"/>"
            ),
            Self::Custom => format!(
                "{DECL}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties\" xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\"/>"
            ),
            Self::OdfMeta => format!(
                "{DECL}<office:document-meta xmlns:office=\"{OFFICE}\" office:version=\"{}\"><office:meta/></office:document-meta>",
                odf_version()
            ),
        };
        xml.into_bytes()
    }
}

/// A local header's fields that matter here.
#[derive(Debug, Clone, Copy)]
struct LocalHeader {
    version: u16,
    flags: u16,
    method: u16,
    time: u16,
    date: u16,
    crc: u32,
    compressed: u32,
    size: u32,
    name_len: usize,
    extra_len: usize,
}

impl LocalHeader {
    /// From `bytes`, which start with the signature; `None` when they hold less than the
    /// fixed part.
    fn parse(bytes: &[u8]) -> Option<Self> {
        let b = bytes.get(..LOCAL_LEN)?;
        let u16_at = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
        let u32_at = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        Some(Self {
            version: u16_at(4),
            flags: u16_at(6),
            method: u16_at(8),
            time: u16_at(10),
            date: u16_at(12),
            crc: u32_at(14),
            compressed: u32_at(18),
            size: u32_at(22),
            name_len: usize::from(u16_at(26)),
            extra_len: usize::from(u16_at(28)),
        })
    }

    /// Whether its sizes and CRC follow its data instead.
    fn described_after(&self) -> bool {
        self.flags & 8 != 0
    }
}

/// For a local header at the start of `bytes` whose name is there and short enough to be a
/// properties part's: where its name ends and where its data begins.
fn header_len(bytes: &[u8]) -> Option<(usize, usize)> {
    let h = LocalHeader::parse(bytes)?;
    let whole = LOCAL_LEN + h.name_len;
    (h.name_len <= LONGEST_PART_NAME && bytes.len() >= whole)
        .then_some((whole, whole + h.extra_len))
}

/// Why a part is read at attach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// A properties part: its first inflated bytes (up to [`PART_KEPT`]) are kept.
    Properties(Part),
    /// An XML part, for the names in it.
    Names,
    /// A picture: its first bytes (up to [`PART_KEPT`]), for their EXIF.
    Picture,
    /// An office document embedded in it (a spreadsheet behind a chart), read as one.
    Package,
}

/// A part caught at attach, inflated as it streams past.
struct Caught {
    /// What it is read for.
    what: Reading,
    /// Bytes still to pass before its data (the rest of its header's extra field).
    skip: usize,
    /// Compressed bytes still to come, when its header says.
    left: Option<u64>,
    /// `None` for a stored part.
    inflater: Option<Box<InflateState>>,
    plain: Vec<u8>,
    names: Names,
    /// For an embedded document: what reads it.
    nested: Option<Box<OfficeWatch>>,
    done: bool,
}

impl std::fmt::Debug for Caught {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caught").field("what", &self.what).finish()
    }
}

impl Caught {
    /// Reads what is its of `bytes`, which follow what it has seen; returns how many bytes
    /// it inflated.
    fn take(&mut self, bytes: &[u8], buf: &mut [u8]) -> usize {
        let skipped = self.skip.min(bytes.len());
        self.skip -= skipped;
        let mut data = &bytes[skipped..];
        if let Some(left) = self.left.as_mut() {
            let n = usize::try_from(*left).map_or(data.len(), |l| l.min(data.len()));
            data = &data[..n];
            *left -= n as u64;
            self.done |= *left == 0;
        }
        let Some(mut state) = self.inflater.take() else {
            self.read(data);
            return 0;
        };
        let mut inflated = 0;
        while !data.is_empty() {
            let r = inflate(&mut state, data, buf, MZFlush::None);
            data = &data[r.bytes_consumed..];
            inflated += r.bytes_written;
            self.read(&buf[..r.bytes_written]);
            match r.status {
                Ok(MZStatus::StreamEnd) => self.done = true,
                // Nothing more without more input.
                Err(MZError::Buf) => break,
                Err(_) => self.done = true,
                Ok(_) => {}
            }
            if self.done || inflated > MOST_INFLATED {
                self.done = true;
                break;
            }
            // A full buffer: more may wait inside, though the input is used up.
            if data.is_empty() && r.bytes_written == buf.len() {
                data = &[];
                loop {
                    let r = inflate(&mut state, data, buf, MZFlush::None);
                    inflated += r.bytes_written;
                    self.read(&buf[..r.bytes_written]);
                    if r.status == Ok(MZStatus::StreamEnd) {
                        self.done = true;
                    }
                    if self.done || r.bytes_written < buf.len() {
                        break;
                    }
                }
            }
        }
        self.inflater = Some(state);
        inflated
    }

    fn read(&mut self, plain: &[u8]) {
        if let Some(nested) = self.nested.as_mut() {
            nested.feed(plain);
        } else if self.what == Reading::Names {
            self.done |= self.names.push(plain, &mut Vec::new()).is_err();
        } else {
            let n = (PART_KEPT - self.plain.len()).min(plain.len());
            self.plain.extend_from_slice(&plain[..n]);
            // The rest need not be inflated.
            self.done |= self.plain.len() == PART_KEPT;
        }
    }
}

/// The properties of an office document and the names in its parts, caught as it streams
/// past (see the module documentation).
#[derive(Debug, Default)]
pub(crate) struct OfficeWatch {
    /// `None` until the first bytes are seen; `Some(false)` for a file that is no ZIP.
    zip: Option<bool>,
    /// The last bytes fed, where a local header may begin that the next ones complete.
    carry: Vec<u8>,
    /// Parts being read.
    reading: Vec<Caught>,
    /// Properties parts read: which, and their inflated bytes.
    properties: Vec<(Part, Vec<u8>)>,
    /// The names met in other parts.
    people: Vec<String>,
    /// The first time of a comment or change met in other parts.
    noted_time: Option<String>,
    /// What the pictures and embedded documents read said, and how many were read.
    inner: Vec<Warning>,
    pictures_read: usize,
    /// How deep in embedded documents this one is (0: the file itself).
    depth: usize,
    /// Bytes inflated so far: past [`MOST_INFLATED`], no more parts are read.
    inflated: usize,
    /// Inflated bytes go here before they are read.
    buf: Vec<u8>,
}

/// Bytes kept between feeds: a header with the longest name that matters, less a byte.
const CARRY: usize = LOCAL_LEN + LONGEST_PART_NAME - 1;
/// Parts read at once (one, unless parts overlap).
const READ_AT_ONCE: usize = 4;
/// Most bytes inflated at attach, so that a package that inflates to terabytes (a "zip
/// bomb") costs little time.
const MOST_INFLATED: usize = 512 * 1024 * 1024;

impl OfficeWatch {
    /// Bytes it inflates at most: less for an embedded document, which its container's
    /// inflating has paid for already.
    fn most_inflated(&self) -> usize {
        MOST_INFLATED >> (3 * self.depth)
    }

    /// The next bytes of the file.
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        if bytes.is_empty() || self.zip == Some(false) {
            return;
        }
        if self.zip.is_none() {
            let seen = [&self.carry[..], bytes].concat();
            self.carry.clear();
            if seen.len() < LOCAL.len() {
                self.carry = seen;
                return;
            }
            self.zip = Some(seen.starts_with(&LOCAL));
            self.buf = vec![0; 64 * 1024];
            return self.feed(&seen);
        }
        self.read(bytes);
        // Headers that began in the carried bytes and are whole only with these.
        let carried = self.carry.len();
        let mut joined = std::mem::take(&mut self.carry);
        joined.extend_from_slice(&bytes[..bytes.len().min(CARRY)]);
        for at in memchr::memmem::find_iter(&joined, &LOCAL).filter(|&at| at < carried) {
            if let Some((whole, data)) = header_len(&joined[at..]) {
                if at + whole > carried {
                    self.catch(&joined[at..], (at + data).saturating_sub(carried), bytes);
                }
            }
        }
        for at in memchr::memmem::find_iter(bytes, &LOCAL) {
            if let Some((_, data)) = header_len(&bytes[at..]) {
                self.catch(&bytes[at..], at + data, bytes);
            }
        }
        let keep = joined.len().min(CARRY);
        joined.drain(..joined.len() - keep);
        self.carry = joined;
    }

    /// Passes `bytes` to the parts being read, and keeps what those that end give.
    fn read(&mut self, bytes: &[u8]) {
        let most = self.most_inflated();
        for c in &mut self.reading {
            self.inflated += c.take(bytes, &mut self.buf);
            c.done |= self.inflated > most;
        }
        let done: Vec<Caught> = self.reading.extract_if(.., |c| c.done).collect();
        for c in done {
            self.keep(c);
        }
    }

    /// Keeps what a part that was read gave.
    fn keep(&mut self, c: Caught) {
        match c.what {
            Reading::Properties(part) => self.properties.push((part, c.plain)),
            Reading::Picture | Reading::Package => {
                self.pictures_read += 1;
                let said = match &c.nested {
                    Some(nested) => nested.warnings(),
                    None => super::warnings(&c.plain),
                };
                for w in said {
                    if !self.inner.contains(&w) {
                        self.inner.push(w);
                    }
                }
            }
            Reading::Names => {
                if self.noted_time.is_none() {
                    self.noted_time = c.names.time().map(str::to_owned);
                }
                for name in c.names.into_seen() {
                    if !self.people.contains(&name) {
                        self.people.push(name);
                    }
                }
            }
        }
    }

    /// Starts reading the part whose whole local header starts `header` when it is one to
    /// read; its data starts at `data` in `bytes`, or past their end.
    fn catch(&mut self, header: &[u8], data: usize, bytes: &[u8]) {
        let Some(h) = LocalHeader::parse(header) else {
            return;
        };
        let name = &header[LOCAL_LEN..LOCAL_LEN + h.name_len];
        let what = match Part::of(name) {
            Some(part) if self.properties.len() < PARTS_KEPT => Reading::Properties(part),
            None if carries_names(name) => Reading::Names,
            None if is_picture(name) && self.pictures_read < MOST_PICTURES => Reading::Picture,
            None if is_package(name) && self.depth < MOST_DEPTH => Reading::Package,
            _ => return,
        };
        let stored = h.method == 0;
        if self.reading.len() >= READ_AT_ONCE
            || self.inflated > self.most_inflated()
            || !(stored || h.method == 8)
            || (stored && h.described_after())
        {
            return;
        }
        let mut c = Caught {
            what,
            skip: data.saturating_sub(bytes.len()),
            left: (!h.described_after()).then_some(u64::from(h.compressed)),
            inflater: (!stored).then(|| InflateState::new_boxed(DataFormat::Raw)),
            plain: Vec::new(),
            names: Names::listing(Vec::new()),
            nested: (what == Reading::Package).then(|| {
                Box::new(OfficeWatch {
                    depth: self.depth + 1,
                    ..OfficeWatch::default()
                })
            }),
            done: false,
        };
        self.inflated += c.take(&bytes[data.min(bytes.len())..], &mut self.buf);
        if c.done {
            self.keep(c);
        } else {
            self.reading.push(c);
        }
    }

    /// The document's risky properties and the people its parts name: who wrote, saved and
    /// commented on it, their organisation, the software and when.
    pub(crate) fn warnings(&self) -> Vec<Warning> {
        let mut owners: Vec<String> = Vec::new();
        let mut time = None;
        let mut software = None;
        for (part, plain) in &self.properties {
            for (name, value) in xml_values(plain) {
                match (part, name.as_str()) {
                    (Part::Core, "creator" | "lastModifiedBy")
                    | (Part::App, "Company" | "Manager")
                    | (Part::OdfMeta, "initial-creator" | "creator" | "printed-by")
                        if !owners.contains(&value) =>
                    {
                        owners.push(value);
                    }
                    (Part::Core, "created" | "modified" | "lastPrinted")
                    | (Part::OdfMeta, "creation-date" | "date" | "print-date") => {
                        time = time.or(Some(value));
                    }
                    (Part::App, "Application") | (Part::OdfMeta, "generator") => {
                        software = software.or(Some(value));
                    }
                    _ => {}
                }
            }
        }
        // Parts still being read when the file ended (cut off) say what they have.
        let unfinished = || self.reading.iter().filter(|c| c.what == Reading::Names);
        let people = self
            .people
            .iter()
            .chain(unfinished().flat_map(|c| c.names.seen()));
        let noted = unfinished().find_map(|c| c.names.time().map(str::to_owned));
        time = time.or_else(|| self.noted_time.clone()).or(noted);
        for name in people {
            if !owners.contains(name) {
                owners.push(name.clone());
            }
        }
        let mut out = Vec::new();
        for owner in owners.into_iter().take(MOST_NAMES_SHOWN) {
            push_warning(&mut out, "owner_name", Some(owner));
        }
        push_warning(&mut out, "time", time);
        push_warning(&mut out, "camera", software);
        // What the photos pasted into it say (a phone's place, serial, owner and time), and
        // the documents embedded in it.
        for w in &self.inner {
            if !out.contains(w) {
                out.push(w.clone());
            }
        }
        out
    }
}

/// Most pictures read at attach.
const MOST_PICTURES: usize = 256;

/// The media type of a picture part Aigaq reads the EXIF of, by its name: JPEG and PNG
/// (which a copy strips), TIFF, HEIF and WebP (whose EXIF stops an export instead).
fn picture_type(name: &[u8]) -> Option<&'static str> {
    let name = name.to_ascii_lowercase();
    let ext = name.rsplit(|b| *b == b'.').next()?;
    Some(match ext {
        b"jpg" | b"jpeg" | b"jpe" | b"jfif" => "image/jpeg",
        b"png" => "image/png",
        b"tif" | b"tiff" => "image/tiff",
        b"heic" | b"heif" => "image/heif",
        b"webp" => "image/webp",
        _ => return None,
    })
}

fn is_picture(name: &[u8]) -> bool {
    picture_type(name).is_some()
}

/// Whether a part is an office document embedded in another (Office embeds the spreadsheet
/// behind a chart, or a document pasted as an object, as a package of its own).
fn is_package(name: &[u8]) -> bool {
    let name = name.to_ascii_lowercase();
    let ext = name.rsplit(|b| *b == b'.').next().unwrap_or_default();
    matches!(
        ext,
        b"docx"
            | b"docm"
            | b"xlsx"
            | b"xlsm"
            | b"pptx"
            | b"pptm"
            | b"odt"
            | b"ods"
            | b"odp"
            | b"odg"
    )
}

/// How deep documents embedded in documents are read and stripped.
const MOST_DEPTH: usize = 2;

/// Most names shown for one document.
const MOST_NAMES_SHOWN: usize = 32;

/// Whether a part is XML that may name the authors of comments and changes (any XML part
/// but the properties parts, which are replaced whole).
fn carries_names(name: &[u8]) -> bool {
    Part::of(name).is_none() && name.to_ascii_lowercase().ends_with(b".xml")
}

/// The text of every element in `xml` that holds only text, by local name (without its
/// namespace prefix), entities decoded, trimmed, empty ones left out.
fn xml_values(xml: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(xml);
    let mut out = Vec::new();
    let mut rest = text.as_ref();
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let Some(close) = rest.find('>') else { break };
        let tag = &rest[..close];
        rest = &rest[close + 1..];
        if tag.starts_with(['/', '?', '!']) || tag.ends_with('/') {
            continue;
        }
        let qname = tag.split(|c: char| c.is_whitespace()).next().unwrap_or("");
        let local = qname.rsplit(':').next().unwrap_or(qname);
        let value_end = rest.find('<').unwrap_or(rest.len());
        let value = unescape(rest[..value_end].trim());
        if !value.is_empty() && !local.is_empty() {
            out.push((local.to_owned(), value));
        }
    }
    out
}

/// XML's five named entities and numeric character references, decoded.
pub(super) fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|&s| s <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e => e
                .strip_prefix("#x")
                .map(|h| u32::from_str_radix(h, 16))
                .or_else(|| e.strip_prefix('#').map(str::parse::<u32>))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// An entry of the copy, for its central directory.
struct Written {
    version: u16,
    flags: u16,
    method: u16,
    crc: u32,
    compressed: u32,
    size: u32,
    name: Vec<u8>,
    offset: u32,
}

/// DOS time and date of every entry in a copy: 1980-01-01 00:00, the earliest there is.
const NO_TIME: u16 = 0;
const NO_DATE: u16 = (1 << 5) | 1;

/// `out`, counting what is written to it.
struct Counted<'a> {
    out: &'a mut dyn Write,
    written: u64,
}

impl Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Copies an office document's package without its document properties, file times and
/// extra fields (see the module documentation); returns what was left out.
pub(super) fn strip(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    strip_at(input, out, 0)
}

/// [`strip`] of a document `depth` documents deep in another.
fn strip_at(input: &mut dyn Read, out: &mut dyn Write, depth: usize) -> io::Result<Vec<String>> {
    let mut input = io::BufReader::with_capacity(64 * 1024, input);
    let mut out = Counted { out, written: 0 };
    let mut removed = Vec::new();
    let mut entries: Vec<Written> = Vec::new();
    let mut name_bytes = 0usize;
    // The people named in the parts so far, in the order met: their placeholders.
    let mut people = Vec::new();
    loop {
        let mut sig = [0u8; 4];
        input.read_exact(&mut sig)?;
        match sig {
            LOCAL => {}
            CENTRAL | END if !entries.is_empty() || sig == END => break,
            _ => return Err(bad("a damaged ZIP package")),
        }
        let mut fixed = [0u8; LOCAL_LEN];
        fixed[..4].copy_from_slice(&LOCAL);
        input.read_exact(&mut fixed[4..])?;
        let h = LocalHeader::parse(&fixed).ok_or_else(|| bad("a damaged ZIP package"))?;
        let mut name = vec![0u8; h.name_len];
        input.read_exact(&mut name)?;
        let mut extra = vec![0u8; h.extra_len];
        input.read_exact(&mut extra)?;
        if h.flags & 1 != 0 {
            return Err(bad("an encrypted part, which Aigaq cannot rewrite"));
        }
        if h.compressed == u32::MAX || h.size == u32::MAX {
            return Err(bad(
                "a package over 4 GiB (ZIP64), which Aigaq cannot rewrite",
            ));
        }
        name_bytes += name.len();
        if entries.len() >= MOST_ENTRIES || name_bytes > MOST_NAME_BYTES {
            return Err(bad("more parts than Aigaq rewrites"));
        }
        if h.extra_len > 0 || (h.time, h.date) != (NO_TIME, NO_DATE) {
            note(&mut removed, "file times");
        }
        let offset = u32::try_from(out.written)
            .map_err(|_| bad("a package over 4 GiB (ZIP64), which Aigaq cannot rewrite"))?;
        let written = match Part::of(&name) {
            Some(part) => {
                let original = read_part(&mut input, &h)?;
                note(&mut removed, part.removed());
                let new = part.replacement(&original);
                let len = u32::try_from(new.len()).map_err(|_| bad("a part too large"))?;
                let w = Written {
                    version: 20,
                    // Only whether the name is UTF-8 stays.
                    flags: h.flags & 0x800,
                    method: 0,
                    crc: crc32fast::hash(&new),
                    compressed: len,
                    size: len,
                    name,
                    offset,
                };
                write_local(&mut out, &w)?;
                out.write_all(&new)?;
                w
            }
            None if matches!(picture_type(&name), Some("image/jpeg" | "image/png")) => {
                let media_type = picture_type(&name).unwrap_or_default();
                let plan = super::strip::Plan::default();
                let (w, said) = rewrite_whole(&mut input, &mut out, &h, name, offset, |p, o| {
                    let said = super::strip::strip(media_type, &mut &p[..], &plan, o)?;
                    said.ok_or_else(|| bad("not a picture"))
                })?;
                if !said.is_empty() {
                    note(
                        &mut removed,
                        "the metadata of the pictures in it (EXIF, XMP)",
                    );
                }
                w
            }
            None if is_package(&name) && depth < MOST_DEPTH => {
                let (w, said) = rewrite_whole(&mut input, &mut out, &h, name, offset, |p, o| {
                    strip_at(&mut &p[..], o, depth + 1)
                })?;
                if !said.is_empty() {
                    note(&mut removed, "the properties of documents embedded in it");
                }
                w
            }
            None if carries_names(&name) => {
                let (w, seen) = rewrite_part(
                    &mut input,
                    &mut out,
                    &h,
                    name,
                    offset,
                    std::mem::take(&mut people),
                )?;
                people = seen;
                w
            }
            None => copy_entry(&mut input, &mut out, h, name, offset)?,
        };
        entries.push(written);
    }
    if !people.is_empty() {
        note(&mut removed, "names and times of comments and changes");
    }
    write_directory(&mut out, &entries)?;
    Ok(removed)
}

/// Reads a properties part's data (and its data descriptor) and inflates it.
fn read_part(input: &mut dyn BufRead, h: &LocalHeader) -> io::Result<Vec<u8>> {
    let mut plain = Vec::new();
    inflate_part(h, input, &mut io::sink(), |p| {
        if plain.len() + p.len() > LARGEST_PART {
            return Err(bad("document properties larger than Aigaq rewrites"));
        }
        plain.extend_from_slice(p);
        Ok(())
    })?;
    Ok(plain)
}

/// Writes an XML part again without the names of the people it names (see
/// [`super::annotations`]), deflated, its sizes and CRC in a data descriptor after it;
/// `seen` are the names met in the parts before, and are returned with this part's.
fn rewrite_part(
    input: &mut dyn BufRead,
    out: &mut Counted<'_>,
    h: &LocalHeader,
    name: Vec<u8>,
    offset: u32,
    seen: Vec<String>,
) -> io::Result<(Written, Vec<String>)> {
    let mut w = Written {
        version: 20,
        flags: (h.flags & 0x800) | 8,
        method: 8,
        crc: 0,
        compressed: 0,
        size: 0,
        name,
        offset,
    };
    write_local(out, &w)?;
    let mut names = Names::rewriting(seen);
    let mut deflater = Deflater::new();
    let mut xml = Vec::new();
    inflate_part(h, input, &mut io::sink(), |plain| {
        xml.clear();
        names.push(plain, &mut xml)?;
        deflater.write(&xml, out)
    })?;
    xml.clear();
    names.finish(&mut xml);
    deflater.write(&xml, out)?;
    let (crc, compressed, size) = deflater.finish(out)?;
    out.write_all(&DESCRIPTOR)?;
    for v in [crc, compressed, size] {
        out.write_all(&v.to_le_bytes())?;
    }
    (w.crc, w.compressed, w.size) = (crc, compressed, size);
    Ok((w, names.into_seen()))
}

/// Writes a part again as `rewrite` rewrites the whole of it (a picture stripped as a photo
/// alone is, an embedded document stripped as this one is), stored; returns what that left
/// out. A part that cannot be rewritten (damaged) is written as it was: the check of the
/// copy then decides whether the document may go. One larger than [`LARGEST_WHOLE`] stops
/// the copy.
fn rewrite_whole(
    input: &mut dyn BufRead,
    out: &mut Counted<'_>,
    h: &LocalHeader,
    name: Vec<u8>,
    offset: u32,
    rewrite: impl FnOnce(&[u8], &mut dyn Write) -> io::Result<Vec<String>>,
) -> io::Result<(Written, Vec<String>)> {
    let too_large = || bad("a picture or embedded document larger than Aigaq rewrites");
    let mut original = Vec::new();
    let mut plain = Vec::new();
    let (crc, compressed, size) = inflate_part(h, input, &mut original, |p| {
        if plain.len() + p.len() > LARGEST_WHOLE {
            return Err(too_large());
        }
        plain.extend_from_slice(p);
        Ok(())
    })?;
    let mut new = Vec::with_capacity(plain.len());
    let (method, crc, compressed, size, data, said) = match rewrite(&plain, &mut new) {
        Ok(said) => {
            let len = u32::try_from(new.len()).map_err(|_| too_large())?;
            (0, crc32fast::hash(&new), len, len, new, said)
        }
        Err(_) => (h.method, crc, compressed, size, original, Vec::new()),
    };
    let w = Written {
        version: 20,
        flags: h.flags & 0x800,
        method,
        crc,
        compressed,
        size,
        name,
        offset,
    };
    write_local(out, &w)?;
    out.write_all(&data)?;
    Ok((w, said))
}

/// Raw deflate, streamed, with the CRC and sizes a ZIP entry states.
struct Deflater {
    compressor: Box<CompressorOxide>,
    crc: crc32fast::Hasher,
    size: u64,
    compressed: u64,
    buf: Vec<u8>,
}

impl Deflater {
    fn new() -> Self {
        // Level 6, as zip tools use by default; negative window bits: raw deflate.
        let flags = create_comp_flags_from_zip_params(6, -15, 0);
        Self {
            compressor: Box::new(CompressorOxide::new(flags)),
            crc: crc32fast::Hasher::new(),
            size: 0,
            compressed: 0,
            buf: vec![0; 64 * 1024],
        }
    }

    fn write(&mut self, mut plain: &[u8], out: &mut dyn Write) -> io::Result<()> {
        self.crc.update(plain);
        self.size += plain.len() as u64;
        while !plain.is_empty() {
            let (status, used, made) =
                compress(&mut self.compressor, plain, &mut self.buf, TDEFLFlush::None);
            self.emit(status, made, out)?;
            if used == 0 && made == 0 {
                return Err(bad("the compressor stopped"));
            }
            plain = &plain[used..];
        }
        Ok(())
    }

    fn emit(&mut self, status: TDEFLStatus, made: usize, out: &mut dyn Write) -> io::Result<()> {
        if matches!(status, TDEFLStatus::BadParam | TDEFLStatus::PutBufFailed) {
            return Err(bad("the compressor failed"));
        }
        self.compressed += made as u64;
        out.write_all(&self.buf[..made])
    }

    /// Ends the stream; returns its CRC and sizes.
    fn finish(mut self, out: &mut dyn Write) -> io::Result<(u32, u32, u32)> {
        loop {
            let (status, _, made) =
                compress(&mut self.compressor, &[], &mut self.buf, TDEFLFlush::Finish);
            self.emit(status, made, out)?;
            if status == TDEFLStatus::Done {
                break;
            }
            if made == 0 {
                return Err(bad("the compressor stopped"));
            }
        }
        let too_large = || bad("a part larger than Aigaq rewrites");
        let size = u32::try_from(self.size).map_err(|_| too_large())?;
        let compressed = u32::try_from(self.compressed).map_err(|_| too_large())?;
        Ok((self.crc.finalize(), compressed, size))
    }
}

/// Copies an entry's data as it is, behind a local header without its time and extra
/// field; returns the entry as written.
fn copy_entry(
    input: &mut dyn BufRead,
    out: &mut Counted<'_>,
    h: LocalHeader,
    name: Vec<u8>,
    offset: u32,
) -> io::Result<Written> {
    let mut w = Written {
        version: h.version,
        flags: h.flags,
        method: h.method,
        crc: h.crc,
        compressed: h.compressed,
        size: h.size,
        name,
        offset,
    };
    if !h.described_after() {
        write_local(out, &w)?;
        let copied = io::copy(&mut input.take(u64::from(h.compressed)), out)?;
        if copied != u64::from(h.compressed) {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        return Ok(w);
    }
    // Sizes and CRC follow the data, as in the original: the local header says zero.
    w.crc = 0;
    w.compressed = 0;
    w.size = 0;
    write_local(out, &w)?;
    let (crc, compressed, size) = inflate_part(&h, input, out, |_| Ok(()))?;
    out.write_all(&DESCRIPTOR)?;
    for v in [crc, compressed, size] {
        out.write_all(&v.to_le_bytes())?;
    }
    w.crc = crc;
    w.compressed = compressed;
    w.size = size;
    Ok(w)
}

/// Reads an entry's data, passing it through to `out` as it is and `plain` its inflated
/// bytes, and checks it against its CRC and sizes: those of its local header, or of the data
/// descriptor after it (then read too), where only inflating finds its end. Returns its CRC
/// and sizes.
fn inflate_part(
    h: &LocalHeader,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    mut plain: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<(u32, u32, u32)> {
    let described = h.described_after();
    let stored = match h.method {
        0 if !described => true,
        0 => {
            return Err(bad(
                "a stored part whose length only follows it, which Aigaq cannot rewrite",
            ))
        }
        8 => false,
        _ => return Err(bad("a part compressed in a way Aigaq cannot read")),
    };
    let damaged = || bad("a damaged compressed part");
    let mut state = InflateState::new_boxed(DataFormat::Raw);
    let mut buf = vec![0u8; 64 * 1024];
    let mut crc = crc32fast::Hasher::new();
    let (mut compressed, mut size) = (0u64, 0u64);
    let mut left = u64::from(h.compressed);
    loop {
        // Once all its bytes are read, a deflated part may still have output to give.
        let data = if !described && left == 0 {
            if stored {
                break;
            }
            &[][..]
        } else {
            let data = input.fill_buf()?;
            if data.is_empty() {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            let most = if described {
                data.len()
            } else {
                usize::try_from(left).map_or(data.len(), |l| l.min(data.len()))
            };
            &data[..most]
        };
        let (used, made, end) = if stored {
            buf.truncate(0);
            buf.extend_from_slice(data);
            (data.len(), data.len(), false)
        } else {
            buf.resize(64 * 1024, 0);
            let r = inflate(&mut state, data, &mut buf, MZFlush::None);
            match r.status {
                Ok(MZStatus::StreamEnd) => (r.bytes_consumed, r.bytes_written, true),
                Ok(_) if r.bytes_consumed > 0 || r.bytes_written > 0 => {
                    (r.bytes_consumed, r.bytes_written, false)
                }
                _ => return Err(damaged()),
            }
        };
        out.write_all(&data[..used])?;
        input.consume(used);
        left = left.saturating_sub(used as u64);
        compressed += used as u64;
        size += made as u64;
        if size > LARGEST_XML {
            return Err(bad("a part larger than Aigaq rewrites"));
        }
        crc.update(&buf[..made]);
        plain(&buf[..made])?;
        if end {
            break;
        }
    }
    let (crc, compressed, size) = (crc.finalize(), compressed, size);
    let (want_crc, want_compressed, want_size) = if described {
        let mut d = [0u8; 16];
        input.read_exact(&mut d[..12])?;
        let fields = if d[..4] == DESCRIPTOR {
            input.read_exact(&mut d[12..])?;
            &d[4..16]
        } else {
            &d[..12]
        };
        let u32_at =
            |i: usize| u32::from_le_bytes([fields[i], fields[i + 1], fields[i + 2], fields[i + 3]]);
        (u32_at(0), u32_at(4), u32_at(8))
    } else {
        (h.crc, h.compressed, h.size)
    };
    if want_crc != crc || u64::from(want_compressed) != compressed || u64::from(want_size) != size {
        return Err(bad("a part that does not match its CRC or sizes"));
    }
    Ok((crc, want_compressed, want_size))
}

fn write_local(out: &mut dyn Write, w: &Written) -> io::Result<()> {
    let name_len = u16::try_from(w.name.len()).map_err(|_| bad("a part name too long"))?;
    out.write_all(&LOCAL)?;
    for v in [w.version, w.flags, w.method, NO_TIME, NO_DATE] {
        out.write_all(&v.to_le_bytes())?;
    }
    for v in [w.crc, w.compressed, w.size] {
        out.write_all(&v.to_le_bytes())?;
    }
    out.write_all(&name_len.to_le_bytes())?;
    out.write_all(&0u16.to_le_bytes())?;
    out.write_all(&w.name)
}

fn write_directory(out: &mut Counted<'_>, entries: &[Written]) -> io::Result<()> {
    let start = out.written;
    for w in entries {
        let name_len = u16::try_from(w.name.len()).map_err(|_| bad("a part name too long"))?;
        out.write_all(&CENTRAL)?;
        // Made by: version 2.0, MS-DOS attributes (none).
        for v in [20, w.version, w.flags, w.method, NO_TIME, NO_DATE] {
            out.write_all(&u16::to_le_bytes(v))?;
        }
        for v in [w.crc, w.compressed, w.size] {
            out.write_all(&v.to_le_bytes())?;
        }
        // Name length; no extra field, comment, disk, internal or external attributes.
        for v in [name_len, 0, 0, 0, 0] {
            out.write_all(&v.to_le_bytes())?;
        }
        out.write_all(&0u32.to_le_bytes())?;
        out.write_all(&w.offset.to_le_bytes())?;
        out.write_all(&w.name)?;
    }
    let too_large = || bad("a package over 4 GiB (ZIP64), which Aigaq cannot rewrite");
    let size = u32::try_from(out.written - start).map_err(|_| too_large())?;
    let offset = u32::try_from(start).map_err(|_| too_large())?;
    let count = u16::try_from(entries.len()).map_err(|_| too_large())?;
    out.write_all(&END)?;
    for v in [0, 0, count, count] {
        out.write_all(&u16::to_le_bytes(v))?;
    }
    out.write_all(&size.to_le_bytes())?;
    out.write_all(&offset.to_le_bytes())?;
    // No comment.
    out.write_all(&0u16.to_le_bytes())?;
    out.flush()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::media::video::tests::get;
    use crate::media::Sniffer;

    /// How an entry of a test package is written.
    #[derive(Clone, Copy, PartialEq)]
    pub(crate) enum Way {
        Stored,
        Deflated,
        /// Deflated, its sizes and CRC in a data descriptor after it (as LibreOffice and
        /// Java write), with or without the descriptor's signature.
        Described {
            signed: bool,
        },
    }

    const EVERY_WAY: [Way; 4] = [
        Way::Stored,
        Way::Deflated,
        Way::Described { signed: true },
        Way::Described { signed: false },
    ];

    /// A ZIP package of `entries`, each with a time (2026-01-05 10:00) and an extended
    /// timestamp extra field, as ordinary writers make them.
    pub(crate) fn package(entries: &[(&str, &[u8], Way)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        let (time, date) = ((10u16 << 11), ((46u16) << 9) | (1 << 5) | 5);
        let extra = [
            &0x5455u16.to_le_bytes()[..],
            &5u16.to_le_bytes(),
            &[1, 0, 0, 0, 0],
        ]
        .concat();
        for &(name, data, way) in entries {
            let crc = crc32fast::hash(data);
            let body = match way {
                Way::Stored => data.to_vec(),
                _ => miniz_oxide::deflate::compress_to_vec(data, 6),
            };
            let described = matches!(way, Way::Described { .. });
            let flags: u16 = if described { 8 } else { 0 };
            let method: u16 = if way == Way::Stored { 0 } else { 8 };
            let sizes = |zero: bool| {
                let (c, s) = if zero {
                    (0, 0)
                } else {
                    (body.len() as u32, data.len() as u32)
                };
                [crc.to_le_bytes(), c.to_le_bytes(), s.to_le_bytes()].concat()
            };
            let offset = out.len() as u32;
            let fixed = |sig: &[u8], central: bool| {
                let mut h = sig.to_vec();
                if central {
                    h.extend_from_slice(&20u16.to_le_bytes());
                }
                for v in [20u16, flags, method, time, date] {
                    h.extend_from_slice(&v.to_le_bytes());
                }
                h.extend_from_slice(&sizes(described && !central));
                h.extend_from_slice(&(name.len() as u16).to_le_bytes());
                h.extend_from_slice(&(extra.len() as u16).to_le_bytes());
                h
            };
            out.extend_from_slice(&fixed(&LOCAL, false));
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&extra);
            out.extend_from_slice(&body);
            if let Way::Described { signed } = way {
                if signed {
                    out.extend_from_slice(&DESCRIPTOR);
                }
                out.extend_from_slice(&sizes(false));
            }
            central.extend_from_slice(&fixed(&CENTRAL, true));
            // No comment; disk 0; internal attributes none.
            central.extend_from_slice(&[0; 6]);
            central.extend_from_slice(&0o100644u32.wrapping_shl(16).to_le_bytes());
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
            central.extend_from_slice(&extra);
        }
        let at = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(&END);
        let n = entries.len() as u16;
        for v in [0, 0, n, n] {
            out.extend_from_slice(&u16::to_le_bytes(v));
        }
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&at.to_le_bytes());
        let comment = b"made on DESKTOP-AIGERIM";
        out.extend_from_slice(&(comment.len() as u16).to_le_bytes());
        out.extend_from_slice(comment);
        out
    }

    /// Reads a package as unzip does, from its central directory; checks every entry's
    /// local header against it, and its CRC. Returns each entry's name, inflated bytes,
    /// and DOS time and date as its local header states them.
    pub(crate) fn unpack(zip: &[u8]) -> Vec<(String, Vec<u8>, (u16, u16))> {
        let u16_at = |i: usize| u16::from_le_bytes([zip[i], zip[i + 1]]);
        let u32_at = |i: usize| u32::from_le_bytes(zip[i..i + 4].try_into().unwrap());
        let end = memchr::memmem::rfind(zip, &END).expect("an end of central directory");
        let (count, dir) = (usize::from(u16_at(end + 10)), u32_at(end + 16) as usize);
        let mut at = dir;
        let mut out = Vec::new();
        for _ in 0..count {
            assert_eq!(zip[at..at + 4], CENTRAL);
            let (method, crc, csize) = (u16_at(at + 10), u32_at(at + 16), u32_at(at + 20));
            let (nlen, xlen, clen) = (
                usize::from(u16_at(at + 28)),
                usize::from(u16_at(at + 30)),
                usize::from(u16_at(at + 32)),
            );
            let offset = u32_at(at + 42) as usize;
            let name = String::from_utf8(zip[at + 46..at + 46 + nlen].to_vec()).unwrap();
            at += 46 + nlen + xlen + clen;
            assert_eq!(zip[offset..offset + 4], LOCAL, "{name}");
            let h = LocalHeader::parse(&zip[offset..]).unwrap();
            let data = offset + LOCAL_LEN + h.name_len + h.extra_len;
            assert_eq!(
                &zip[offset + LOCAL_LEN..offset + LOCAL_LEN + h.name_len],
                name.as_bytes()
            );
            let body = &zip[data..data + csize as usize];
            let plain = if method == 0 {
                body.to_vec()
            } else {
                miniz_oxide::inflate::decompress_to_vec(body).unwrap()
            };
            assert_eq!(crc32fast::hash(&plain), crc, "{name}");
            out.push((name, plain, (h.time, h.date)));
        }
        out
    }

    const CORE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><dc:title>Statement</dc:title><dc:creator>Aigerim Nurlanovna</dc:creator><cp:lastModifiedBy>N. Editor &amp; Co</cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">2026-01-05T10:00:00Z</dcterms:created></cp:coreProperties>"#;
    const APP: &str = r#"<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Microsoft Office Word</Application><Company>KIBHR Almaty</Company></Properties>"#;
    const META: &str = r#"<?xml version="1.0"?><office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"><office:meta><meta:initial-creator>Aigerim Nurlanovna</meta:initial-creator><meta:creation-date>2026-01-05T10:00:00</meta:creation-date><meta:generator>LibreOffice/7.4</meta:generator><meta:printed-by>Printer Owner</meta:printed-by></office:meta></office:document-meta>"#;
    const SETTINGS: &str = r#"<?xml version="1.0"?><office:document-settings xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.3"><config:config-item config:name="PrinterName">HP-Almaty-Office</config:config-item></office:document-settings>"#;

    /// A Word document: a picture larger than the sniffer's first bytes before its
    /// properties, as Word orders them.
    fn word(way: Way) -> Vec<u8> {
        let picture: Vec<u8> = (0..crate::media::HEAD_BYTES + 70_001)
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        package(&[
            ("[Content_Types].xml", b"<Types/>", way),
            (
                "word/document.xml",
                b"<w:document>Witness statement</w:document>",
                way,
            ),
            ("word/media/image1.png", &picture, Way::Stored),
            ("docProps/core.xml", CORE.as_bytes(), way),
            ("docProps/app.xml", APP.as_bytes(), way),
        ])
    }

    fn odt(way: Way) -> Vec<u8> {
        package(&[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.text",
                Way::Stored,
            ),
            (
                "content.xml",
                b"<office:document-content>Witness statement</office:document-content>",
                way,
            ),
            ("meta.xml", META.as_bytes(), way),
            ("settings.xml", SETTINGS.as_bytes(), way),
        ])
    }

    fn sniffed(file: &[u8], piece: usize) -> (String, Vec<Warning>) {
        let mut sniffer = Sniffer::new();
        for p in file.chunks(piece) {
            sniffer.feed(p);
        }
        sniffer.describe()
    }

    fn all(found: &[Warning], field: &str) -> Vec<String> {
        found
            .iter()
            .filter(|w| w.field == field)
            .map(|w| w.value.clone())
            .collect()
    }

    #[test]
    fn the_properties_of_a_document_are_found_wherever_they_lie_and_however_it_is_read() {
        for way in EVERY_WAY {
            for piece in [1, 29, 157, 4096, 64 * 1024 + 3, usize::MAX] {
                let (media_type, found) = sniffed(&odt(way), piece);
                assert_eq!(media_type, TYPES[3]);
                assert_eq!(
                    all(&found, "owner_name"),
                    ["Aigerim Nurlanovna", "Printer Owner"]
                );
                assert_eq!(get(&found, "time").as_deref(), Some("2026-01-05T10:00:00"));
                assert_eq!(get(&found, "camera").as_deref(), Some("LibreOffice/7.4"));
                if piece == 1 {
                    continue; // byte by byte through a picture of a MiB is slow
                }
                let (media_type, found) = sniffed(&word(way), piece);
                assert_eq!(media_type, TYPES[0]);
                let owners = ["Aigerim Nurlanovna", "N. Editor & Co", "KIBHR Almaty"];
                assert_eq!(all(&found, "owner_name"), owners, "{piece}");
                assert_eq!(get(&found, "time").as_deref(), Some("2026-01-05T10:00:00Z"));
                assert_eq!(
                    get(&found, "camera").as_deref(),
                    Some("Microsoft Office Word")
                );
            }
        }
        // Excel and PowerPoint by their folders; a ZIP of photos is only a ZIP.
        let xlsx = package(&[
            ("_rels/.rels", b"<r/>", Way::Deflated),
            ("xl/workbook.xml", b"<w/>", Way::Deflated),
        ]);
        assert_eq!(sniffed(&xlsx, 4096).0, TYPES[1]);
        let pptx = package(&[("ppt/presentation.xml", b"<p/>", Way::Deflated)]);
        assert_eq!(sniffed(&pptx, 4096).0, TYPES[2]);
        let photos = package(&[
            ("IMG_0001.JPG", b"\xff\xd8", Way::Stored),
            ("docProps/core.xml", CORE.as_bytes(), Way::Stored),
        ]);
        let (media_type, found) = sniffed(&photos, 4096);
        assert_eq!((media_type.as_str(), found.len()), ("application/zip", 0));
    }

    #[test]
    fn xml_text_is_read_by_local_name_with_entities_decoded() {
        let values = xml_values(
            b"<a:x>  &lt;Ay&#x69;gerim&#33;&gt; </a:x><y/><z attr=\"1\">&bogus; &amp</z><w></w>",
        );
        assert_eq!(
            values,
            [
                ("x".to_owned(), "<Ayigerim!>".to_owned()),
                ("z".to_owned(), "&bogus; &amp".to_owned())
            ]
        );
    }

    fn stripped(file: &[u8]) -> io::Result<(Vec<u8>, Vec<String>)> {
        let mut out = Vec::new();
        let removed = strip(&mut &file[..], &mut out)?;
        Ok((out, removed))
    }

    #[test]
    fn a_copy_keeps_every_part_but_the_properties_and_no_time_or_name() {
        for way in EVERY_WAY {
            for (file, replaced) in [
                (word(way), &["docProps/core.xml", "docProps/app.xml"][..]),
                (odt(way), &["meta.xml", "settings.xml"][..]),
            ] {
                let (copy, removed) = stripped(&file).unwrap();
                assert!(removed.contains(&"file times".to_owned()), "{removed:?}");
                let before = unpack(&file);
                let after = unpack(&copy);
                assert_eq!(before.len(), after.len());
                for ((name, plain, _), (name2, plain2, time)) in before.iter().zip(&after) {
                    assert_eq!(name, name2);
                    assert_eq!(*time, (NO_TIME, NO_DATE), "{name}");
                    if !replaced.contains(&name.as_str()) {
                        assert_eq!(plain, plain2, "{name} is kept as it was");
                    }
                }
                let text = String::from_utf8_lossy(&copy);
                for leak in [
                    "Aigerim",
                    "Editor",
                    "KIBHR",
                    "Microsoft",
                    "LibreOffice",
                    "HP-Almaty",
                    "2026",
                    "DESKTOP",
                ] {
                    assert!(!text.contains(leak), "{leak}");
                }
                // Nothing is left for the attach-time reader to find.
                assert!(sniffed(&copy, 4096).1.is_empty());
                // A copy of the copy is the same copy.
                assert_eq!(stripped(&copy).unwrap().0, copy);
            }
        }
        let (copy, _) = stripped(&odt(Way::Deflated)).unwrap();
        let after = unpack(&copy);
        assert_eq!(
            after[0].0, "mimetype",
            "an OpenDocument's media type stays first"
        );
        let meta = String::from_utf8(after[2].1.clone()).unwrap();
        assert!(
            meta.contains("office:version=\"1.3\"") && meta.contains("<office:meta/>"),
            "{meta}"
        );
    }

    /// A reviewed statement: tracked changes and comments by two people, who are listed
    /// with their accounts.
    fn reviewed(way: Way) -> Vec<u8> {
        let document = r#"<w:document><w:body><w:p><w:ins w:id="1" w:author="Nurlan Editor"><w:r><w:t>beaten</w:t></w:r></w:ins><w:commentRangeStart w:id="0"/></w:p></w:body></w:document>"#;
        let comments = r#"<w:comments><w:comment w:id="0" w:author="Dana Reviewer" w:initials="DR"><w:p><w:r><w:t>check the date</w:t></w:r></w:p></w:comment><w:comment w:id="1" w:author="Nurlan Editor"/></w:comments>"#;
        let people = r#"<w15:people><w15:person w15:author="Dana Reviewer"><w15:presenceInfo w15:providerId="AD" w15:userId="S::dana@kibhr.kz::7"/></w15:person></w15:people>"#;
        package(&[
            ("[Content_Types].xml", b"<Types/>", way),
            ("word/document.xml", document.as_bytes(), way),
            ("word/comments.xml", comments.as_bytes(), way),
            ("word/people.xml", people.as_bytes(), way),
            (
                "word/media/image1.png",
                b"\x89PNG Nurlan Editor in pixels",
                Way::Stored,
            ),
        ])
    }

    #[test]
    fn reviewers_are_named_at_attach_and_numbered_in_a_copy() {
        let ways = [Way::Stored, Way::Deflated, Way::Described { signed: false }];
        for way in ways {
            let file = reviewed(way);
            for piece in [3, 4096] {
                let (_, found) = sniffed(&file, piece);
                let owners = all(&found, "owner_name");
                assert_eq!(owners, ["Nurlan Editor", "Dana Reviewer"], "{piece}");
            }
            let (copy, removed) = stripped(&file).unwrap();
            assert!(removed.contains(&"names and times of comments and changes".to_owned()));
            let parts = unpack(&copy);
            let text = |name: &str| {
                let (_, plain, _) = parts.iter().find(|(n, _, _)| n == name).unwrap();
                String::from_utf8(plain.clone()).unwrap()
            };
            // The same person is the same placeholder in every part.
            assert!(text("word/document.xml").contains(r#"w:author="Author 1""#));
            let comments = text("word/comments.xml");
            assert!(
                comments.contains(r#"w:author="Author 2" w:initials="""#),
                "{comments}"
            );
            assert!(comments.contains(r#"<w:comment w:id="1" w:author="Author 1"/>"#));
            assert!(comments.contains("check the date"));
            let people = text("word/people.xml");
            assert!(
                people.contains(r#"w15:author="Author 2""#) && people.contains(r#"w15:userId="""#)
            );
            // Not XML: copied as it is, whatever it holds.
            let (_, image, _) = &parts[4];
            assert_eq!(image, b"\x89PNG Nurlan Editor in pixels");
            assert!(sniffed(&copy, 4096).1.is_empty(), "the copy names nobody");
        }
    }

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn photos_pasted_into_a_document_give_away_the_phone_and_go_without_it() {
        let (jpeg, png) = (fixture("exif-gps.jpg"), fixture("exif-gps.png"));
        let damaged = [&jpeg[..jpeg.len() / 2], b"cut"].concat();
        for way in [Way::Stored, Way::Deflated, Way::Described { signed: true }] {
            let file = package(&[
                ("word/document.xml", b"<w:document/>", way),
                ("word/media/image1.jpeg", &jpeg, way),
                ("word/media/image2.PNG", &png, way),
            ]);
            let (_, found) = sniffed(&file, 4096);
            assert!(
                get(&found, "gps_position").is_some_and(|p| p.contains('N')),
                "{found:?}"
            );
            assert_eq!(
                get(&found, "camera_serial").as_deref(),
                Some("SN-FIXTURE-0042")
            );
            let (copy, removed) = stripped(&file).unwrap();
            let note = "the metadata of the pictures in it (EXIF, XMP)".to_owned();
            assert!(removed.contains(&note), "{removed:?}");
            assert!(
                sniffed(&copy, 4096).1.is_empty(),
                "the copy's pictures say nothing"
            );
            let parts = unpack(&copy);
            for ((_, picture, _), original) in parts[1..].iter().zip([&jpeg, &png]) {
                let mut alone = Vec::new();
                let media_type = if picture.starts_with(b"\x89PNG") {
                    "image/png"
                } else {
                    "image/jpeg"
                };
                let plan = super::super::strip::Plan::default();
                super::super::strip::strip(media_type, &mut &original[..], &plan, &mut alone)
                    .unwrap();
                assert_eq!(*picture, alone, "as a photo alone is stripped");
            }
            // A damaged picture stays as it was, for the check of the copy to judge.
            let file = package(&[("ppt/media/image9.jpg", &damaged, way)]);
            let (copy, _) = stripped(&file).unwrap();
            assert_eq!(unpack(&copy)[0].1, damaged);
        }
    }

    #[test]
    fn documents_embedded_in_a_document_are_read_and_stripped_as_documents() {
        let inner = package(&[
            ("xl/workbook.xml", b"<workbook/>", Way::Deflated),
            ("docProps/core.xml", CORE.as_bytes(), Way::Deflated),
        ]);
        let chart = package(&[
            ("word/charts/chart1.xml", b"<c:chart/>", Way::Deflated),
            (
                "word/embeddings/Microsoft_Excel_Sheet1.xlsx",
                &inner,
                Way::Deflated,
            ),
        ]);
        for outer_way in [Way::Stored, Way::Described { signed: true }] {
            let file = package(&[
                ("word/document.xml", b"<w:document/>", outer_way),
                ("word/embeddings/Document1.DOCX", &chart, outer_way),
            ]);
            // Compressed twice over: only reading the embedded documents finds the name.
            let (_, found) = sniffed(&file, 1000);
            assert_eq!(
                all(&found, "owner_name")[..2],
                ["Aigerim Nurlanovna", "N. Editor & Co"]
            );
            let (copy, removed) = stripped(&file).unwrap();
            let note = "the properties of documents embedded in it".to_owned();
            assert!(removed.contains(&note), "{removed:?}");
            assert!(sniffed(&copy, 1000).1.is_empty());
            let embedded = unpack(&unpack(&copy)[1].1);
            let deepest = unpack(&embedded[1].1);
            assert_eq!(deepest[0].1, b"<workbook/>");
            assert!(!String::from_utf8_lossy(&deepest[1].1).contains("Aigerim"));
        }
    }

    #[test]
    fn packages_that_cannot_be_rewritten_are_errors() {
        let good = word(Way::Described { signed: true });
        // Cut off: in a header, in a compressed part, in the picture, before the directory.
        let dir = memchr::memmem::find(&good, &CENTRAL).unwrap();
        for len in [10, 200, good.len() / 2, dir - 3] {
            assert!(stripped(&good[..len]).is_err(), "{len}");
        }
        // A descriptor that does not match the data.
        let mut lied = good.clone();
        let d = memchr::memmem::find(&lied, &DESCRIPTOR).unwrap();
        lied[d + 8] ^= 1;
        assert!(stripped(&lied).is_err());
        // Encrypted; a stored part whose length only follows it; not a ZIP at all.
        let mut encrypted = word(Way::Deflated);
        encrypted[6] |= 1;
        assert!(stripped(&encrypted).is_err());
        let mut stored_described = package(&[("content.xml", b"<x/>", Way::Stored)]);
        stored_described[6] |= 8;
        assert!(stripped(&stored_described).is_err());
        assert!(stripped(b"not a zip at all").is_err());
    }
}

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
//! deep, and those in their 97–2003 form (an `.xls` sheet, an OLE object's
//! `embeddings/*.bin`) as [`super::ole`] strips them; a sheet's or document's printer
//! settings (`printerSettings*.bin`) lose the printer's name and its driver's data; every
//! other part's compressed bytes are copied as they are. Every entry's time
//! becomes 1980-01-01 00:00, the entries' extra fields (file times, owners) and comments
//! go, and a new central directory is written at the end.
//! Entries whose length only a data descriptor after them gives (LibreOffice writes them)
//! are inflated as they are copied to find their end, and checked against their CRC.

use miniz_oxide::inflate::stream::{inflate, InflateState};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

use super::annotations::Names;
use super::ole::OleWatch;
use super::{push_warning, Warning, MOST_DEPTH, TOO_DEEP, UNREAD};

mod archive;
mod copy;
#[cfg(test)]
pub(crate) mod tests;

pub(super) use archive::{strip as strip_archive, ArchiveWatch};
pub(super) use copy::{strip, strip_in_place};

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

/// What a copy without the document properties says it left out.
pub(super) const PROPERTIES_REMOVED: &str =
    "document properties (author, organisation, software, dates)";

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
    let kind = |at: usize| {
        let (whole, _) = header_len(&head[at..])?;
        let name = &head[at + LOCAL_LEN..at + whole];
        [("word/", 0), ("xl/", 1), ("ppt/", 2)]
            .iter()
            .find(|(dir, _)| name.starts_with(dir.as_bytes()))
            .map(|&(_, i)| TYPES[i])
    };
    // Entry after entry, so that a document stored in an archive does not make the archive
    // one; from an entry whose length only follows it, by the headers found past it.
    let mut at = 0;
    while let Some(h) = LocalHeader::parse(&head[at..]).filter(|_| head[at..].starts_with(&LOCAL)) {
        if let Some(t) = kind(at) {
            return Some(t);
        }
        let (_, data) = header_len(&head[at..])?;
        let data = at + data;
        if h.described_after() {
            return memchr::memmem::find_iter(head.get(data..)?, &LOCAL)
                .find_map(|found| kind(data + found));
        }
        at = data.checked_add(usize::try_from(h.compressed).ok()?)?;
        if at >= head.len() {
            return None;
        }
    }
    None
}

/// Whether a ZIP package embedded in a document (in a compound file's stream) is a document
/// of the kinds [`package_type`] knows, or another OpenDocument (a formula, a chart) or
/// Open Packaging one (a theme) that keeps properties and names the same way.
pub(crate) fn is_document(zip: &[u8]) -> bool {
    if !zip.starts_with(&LOCAL) {
        return false;
    }
    if package_type(zip).is_some() {
        return true;
    }
    // Where the entry at `at` named `name` has its data.
    let named = |at: usize, name: &[u8]| {
        header_len(&zip[at..])
            .filter(|&(whole, _)| &zip[at + LOCAL_LEN..at + whole] == name)
            .map(|(_, data)| at + data)
    };
    let odf = b"application/vnd.oasis.opendocument.";
    if let Some(data) = named(0, b"mimetype") {
        return zip.get(data..).is_some_and(|d| d.starts_with(odf));
    }
    memchr::memmem::find_iter(zip, &LOCAL).any(|at| named(at, b"[Content_Types].xml").is_some())
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
            Self::Core | Self::App | Self::OdfMeta => PROPERTIES_REMOVED,
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
    /// A compound file embedded in it (an OLE object, an Excel 97–2003 sheet).
    Compound,
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
    nested: Option<Inner>,
    done: bool,
}

/// What reads an embedded document: a package like this one, or a compound file (an Excel
/// 97–2003 sheet or another OLE object).
#[derive(Debug)]
enum Inner {
    Package(Box<OfficeWatch>),
    Compound(Box<OleWatch>),
    /// A TIFF image, read as one alone is: libtiff writes its directories after the pixels.
    Image(Box<super::Sniffer>),
}

impl Inner {
    fn feed(&mut self, plain: &[u8]) {
        match self {
            Self::Package(w) => w.feed(plain),
            Self::Compound(w) => w.feed(plain),
            Self::Image(w) => w.feed(plain),
        }
    }

    fn warnings(&self) -> Vec<Warning> {
        match self {
            Self::Package(w) => w.warnings(),
            Self::Compound(w) => w.warnings(),
            Self::Image(w) => w.describe().1,
        }
    }
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
        // All its compressed bytes are here: done once what they inflate to is read, which
        // may be many buffers' worth.
        let mut last = false;
        if let Some(left) = self.left.as_mut() {
            let n = usize::try_from(*left).map_or(data.len(), |l| l.min(data.len()));
            data = &data[..n];
            *left -= n as u64;
            last = *left == 0;
        }
        let Some(mut state) = self.inflater.take() else {
            self.read(data);
            self.done |= last;
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
        self.done |= last;
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
    /// One for a document `depth` documents deep in another.
    pub(crate) fn nested(depth: usize) -> Self {
        Self {
            depth,
            ..Self::default()
        }
    }

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
            Reading::Picture | Reading::Package | Reading::Compound => {
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
            None if (is_package(name) || is_compound(name)) && self.depth >= MOST_DEPTH => {
                if !self.inner.iter().any(|w| w.value == TOO_DEEP) {
                    push_warning(&mut self.inner, UNREAD, Some(TOO_DEEP.into()));
                }
                return;
            }
            None if is_package(name) => Reading::Package,
            None if is_compound(name) => Reading::Compound,
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
            nested: match what {
                Reading::Package => Some(Inner::Package(Box::new(OfficeWatch::nested(
                    self.depth + 1,
                )))),
                Reading::Compound => Some(Inner::Compound(Box::new(OleWatch::nested(
                    LARGEST_WHOLE,
                    self.depth + 1,
                )))),
                Reading::Picture if picture_type(name) == Some("image/tiff") => Some(Inner::Image(
                    Box::new(super::Sniffer::nested(self.depth + 1)),
                )),
                _ => None,
            },
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

/// The media type of a picture part Aigaq reads the EXIF of, by its name: JPEG, PNG, TIFF,
/// HEIF and WebP, each of which a copy strips as it strips such a photo alone.
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

/// Whether a part is a compound file embedded in the document: an OLE object
/// (`embeddings/oleObject1.bin`, which may hold an Excel 97–2003 sheet and its author) or a
/// Word, Excel or PowerPoint 97–2003 file.
pub(super) fn is_compound(name: &[u8]) -> bool {
    let name = name.to_ascii_lowercase();
    let ext = name.rsplit(|b| *b == b'.').next().unwrap_or_default();
    let embedded = memchr::memmem::find(&name, b"embeddings/").is_some();
    matches!(ext, b"doc" | b"xls" | b"ppt") || (ext == b"bin" && embedded)
}

/// Whether a part is the printer's settings for a sheet or a document (a Windows
/// `DEVMODE`: the printer's name, which can name an office or a server, and its driver's
/// own data, where some keep the user's name for held print jobs).
pub(super) fn is_printer_settings(name: &[u8]) -> bool {
    let name = name.to_ascii_lowercase();
    memchr::memmem::find(&name, b"printersettings").is_some() && name.ends_with(b".bin")
}

/// A `DEVMODE` without the printer's name and its driver's data (the same length: the
/// paper, orientation and scale that the document's layout needs stay). `None` if it holds
/// neither already, or is no `DEVMODE`.
pub(super) fn blank_printer(devmode: &[u8]) -> Option<Vec<u8>> {
    const NAME: usize = 64;
    let size = usize::from(u16::from_le_bytes(devmode.get(68..70)?.try_into().ok()?));
    let extra = usize::from(u16::from_le_bytes(devmode.get(70..72)?.try_into().ok()?));
    if size < 72 || size > devmode.len() {
        return None;
    }
    let mut out = devmode.to_vec();
    out[..NAME].fill(0);
    let driver = size..(size + extra).min(out.len());
    out[driver].fill(0);
    (out != devmode).then_some(out)
}

/// Most names shown for one document.
pub(super) const MOST_NAMES_SHOWN: usize = 32;

/// Whether a part is XML that may name the authors of comments and changes, or a local
/// path (any XML part and any relationships part but the properties parts, which are
/// replaced whole).
fn carries_names(name: &[u8]) -> bool {
    let name = name.to_ascii_lowercase();
    Part::of(&name).is_none() && (name.ends_with(b".xml") || name.ends_with(b".rels"))
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
        let value = super::unescape_xml(rest[..value_end].trim());
        if !value.is_empty() && !local.is_empty() {
            out.push((local.to_owned(), value));
        }
    }
    out
}

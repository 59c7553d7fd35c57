//! What an attached file is, and what in it can endanger people: the media type from its
//! first bytes, for images the EXIF fields that give away a place, a device or a person,
//! for phone video and audio the place, device and time in their `moov` box ([`video`]),
//! for WAV, FLAC, Ogg and MP3 recordings those in their broadcast and `INFO` chunks, their
//! comments or their tags, for Matroska and WebM their tags and `Info` ([`matroska`]), for
//! PDF documents their author, software and dates ([`pdf`]), for Word, Excel, PowerPoint and
//! OpenDocument files their document properties ([`office`]), for their 97–2003 forms
//! the properties and the people their streams name ([`ole`]), for RTF documents their
//! `\info` group, revision table and comment authors ([`rtf`]), the EXIF of photos pasted
//! into either ([`pictures`]), the EXIF of photos in base64 in text files (e-mails, web
//! pages: [`encoded`]), the computers and addresses an e-mail came from ([`mail`]), what
//! each file in a ZIP archive says ([`office::ArchiveWatch`]), and a WebP image's EXIF chunk
//! wherever it lies. Only the first bytes, that box and those chunks and parts (up to
//! 256 KiB; a Matroska file's `Info` and `Tags` up to 1 MiB each) are kept, so memory
//! stays bounded.

mod annotations;
mod audio;
mod codepage;
mod deflate;
mod encoded;
mod gif;
mod heif;
mod mail;
mod matroska;
mod mp3;
mod office;
mod ogg;
mod ole;
mod pdf;
mod pictures;
mod riff;
mod rtf;
pub mod strip;
pub mod telemetry;
mod tiff;
pub mod video;

use std::io::Cursor;

use serde::{Deserialize, Serialize};

/// The version of what [`Sniffer`] tells: raise it whenever it learns a type or a kind of
/// metadata it did not know. The vault keeps with each attachment the version that read
/// it, and reads one again when this build knows more, so that an attachment stored before
/// is not listed, or sent, as if it held nothing risky. 1: e-mails, ZIP archives, TIFF
/// and GIF, documents inside documents (and everything learnt before); 2: a TIFF image's
/// directories wherever they are; 3: the end of an office document's long compressed
/// parts (names in tracked changes and comments there were missed), and TIFF pictures in
/// office documents read as TIFF images alone are; 4: photos in `data:` URIs of
/// quoted-printable text (an HTML e-mail part), whose soft line breaks ended them.
pub const DETECTOR: i64 = 4;

/// How many leading bytes are kept for sniffing and metadata.
pub const HEAD_BYTES: usize = 1024 * 1024;

/// How many of an MP3's or a PDF's last bytes are kept for the tags at its end: an APE
/// tag with cover art runs to hundreds of KiB, its text items first.
const TAIL_BYTES: usize = 1024 * 1024;

/// The field of a [`Warning`] that says a file, or a part of it, could not be checked: what
/// it holds is unknown, so it is treated as risky (`--strip-metadata` refuses it).
pub const UNREAD: &str = "unread";

/// Archives: what the files in them say is not read.
const ARCHIVES: [&str; 16] = [
    "application/zip",
    "application/x-tar",
    "application/vnd.rar",
    "application/gzip",
    "application/x-bzip2",
    "application/vnd.bzip3",
    "application/x-7z-compressed",
    "application/x-xz",
    "application/zstd",
    "application/x-lz4",
    "application/x-lzip",
    "application/x-compress",
    "application/x-cpio",
    "application/vnd.ms-cab-compressed",
    "application/x-unix-archive",
    "application/x-rpm",
];

/// One piece of metadata that can endanger someone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// What it is: `gps_position`, `network_address` (the computer and address a message was
    /// sent from), `camera_serial`, `owner_name`, `time`, `camera`, or
    /// [`UNREAD`].
    pub field: String,
    /// The value found, as the file states it.
    pub value: String,
}

/// The media type of a file from its first bytes: a known magic number, else UTF-8 text,
/// else `application/octet-stream`.
pub fn sniff(head: &[u8]) -> String {
    if let Some(t) = infer::get(head) {
        if t.mime_type() == "application/zip" {
            if let Some(office) = office::package_type(head) {
                return office.into();
            }
        }
        return t.mime_type().to_owned();
    }
    if let Some(t) = iso_media(head) {
        return t.into();
    }
    let text = match std::str::from_utf8(head) {
        Ok(_) => true,
        // A multi-byte character cut at the end of the head is still text.
        Err(e) => e.error_len().is_none() && head.len() >= HEAD_BYTES - 4,
    };
    if text && !head.contains(&0) && mail::is_mail(head) {
        "message/rfc822".into()
    } else if text && !head.contains(&0) {
        "text/plain".into()
    } else {
        "application/octet-stream".into()
    }
}

/// An ISO base media file (`ftyp` first) whose brand `infer` does not list: 3GPP from
/// Android's recorder, and cameras' own brands (Sony XAVC, Canon). Their `moov` holds the
/// same place, device and time as any MP4's.
fn iso_media(head: &[u8]) -> Option<&'static str> {
    if head.get(4..8) != Some(b"ftyp") {
        return None;
    }
    let brand = head.get(8..12)?;
    Some(match brand {
        b if b.starts_with(b"3g2") => "video/3gpp2",
        b if b.starts_with(b"3g") => "video/3gpp",
        b"qt  " => "video/quicktime",
        b"M4A " | b"M4B " => "audio/mp4",
        b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1" | b"msf1" => {
            "image/heif"
        }
        b"avif" | b"avis" => "image/avif",
        _ => "video/mp4",
    })
}

/// How deep documents embedded in documents (an `.xlsx` in a `.doc` in an `.msg`) are read
/// and stripped: deeper ones are said to be unread, and a copy refuses them.
pub(crate) const MOST_DEPTH: usize = 2;

/// What is said of a document embedded deeper than [`MOST_DEPTH`].
pub(crate) const TOO_DEEP: &str = "a document embedded more than two levels deep, which Aigaq does not read; save it out of the one that holds it and attach it on its own";

/// The first bytes of every PDF document.
const PDF_MAGIC: &[u8] = b"%PDF-";

/// What is learnt of a file as it streams past: its first bytes, for MP4, QuickTime,
/// 3GPP and M4A files the `moov` box where phones note where and with what they recorded,
/// and for WAV files the chunks where recorders note it.
#[derive(Debug, Default)]
pub struct Sniffer {
    head: Vec<u8>,
    /// For an MP3, a PDF or a TIFF image longer than the head, its last bytes (at least
    /// [`TAIL_BYTES`] of them, or all of them after the head), where its ID3v1, APE and
    /// Lyrics3 tags are, a PDF's updated information, or the directories libtiff writes
    /// after the pixels.
    tail: Option<Vec<u8>>,
    /// Bytes fed so far.
    fed: u64,
    moov: video::MoovWatch,
    riff: audio::RiffWatch,
    matroska: matroska::MatroskaWatch,
    office: office::OfficeWatch,
    ole: ole::OleWatch,
    /// `None` until the first bytes say whether it is an RTF document.
    rtf: Option<Option<Box<rtf::Rtf>>>,
    /// `None` until the first bytes say whether it is a PDF document, whose photos' EXIF
    /// and attached files may be anywhere in it.
    pdf: Option<Option<Box<pdf::PdfWatch>>>,
    /// `None` until the first bytes say whether it is text, where photos may be in base64
    /// (an e-mail's attachments, a web page's pictures).
    encoded: Option<Option<Box<encoded::EncodedWatch>>>,
    /// How deep in documents the file is (0: the file itself).
    depth: usize,
    /// `None` until the first bytes say whether it is a ZIP archive (not an office
    /// document), whose files are read one by one.
    archive: Option<Option<Box<office::ArchiveWatch>>>,
}

impl Sniffer {
    /// Starts at the first byte of a file.
    pub fn new() -> Self {
        Self::default()
    }

    /// One for a file embedded `depth` documents deep in another (an `.xlsx` in a `.doc`):
    /// documents in it are read only up to [`MOST_DEPTH`].
    pub(crate) fn nested(depth: usize) -> Self {
        Self {
            office: office::OfficeWatch::nested(depth),
            ole: ole::OleWatch::nested(ole::LARGEST, depth),
            depth,
            ..Self::default()
        }
    }

    /// The next bytes of the file.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.fed += bytes.len() as u64;
        let before = self.head.len();
        let mut rest = bytes;
        if self.head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
            rest = &bytes[take..];
            let tagged_at_end =
                |t: &str| matches!(t, "audio/mpeg" | "application/pdf" | "image/tiff");
            if self.head.len() == HEAD_BYTES && tagged_at_end(&sniff(&self.head)) {
                let from = HEAD_BYTES - TAIL_BYTES;
                self.tail = Some(self.head[from..].to_vec());
            }
        }
        if let Some(tail) = self.tail.as_mut() {
            tail.extend_from_slice(rest);
            // Moved down in large steps, so that keeping it costs little per byte.
            if tail.len() > 4 * TAIL_BYTES {
                tail.drain(..tail.len() - TAIL_BYTES);
            }
        }
        self.moov.feed(bytes);
        self.riff.feed(bytes);
        self.matroska.feed(bytes);
        self.office.feed(bytes);
        self.ole.feed(bytes);
        if self.rtf.is_none() && self.head.len() >= rtf::MAGIC.len() {
            // Decided at the first bytes: those before this piece are all in the head.
            self.rtf = Some(self.head.starts_with(rtf::MAGIC).then(|| {
                let mut r = Box::new(rtf::Rtf::reading(self.depth));
                r.feed(&self.head[..before]);
                r
            }));
        }
        if let Some(Some(r)) = self.rtf.as_mut() {
            r.feed(bytes);
        }
        if self.pdf.is_none() && self.head.len() >= PDF_MAGIC.len() {
            self.pdf = Some(self.head.starts_with(PDF_MAGIC).then(|| {
                let mut w = Box::<pdf::PdfWatch>::default();
                w.feed(&self.head[..before]);
                w
            }));
        }
        if let Some(Some(w)) = self.pdf.as_mut() {
            w.feed(bytes);
        }
        if self.encoded.is_none() && self.head.len() >= encoded::TEXT_PROBE {
            self.encoded = Some(encoded::looks_like_text(&self.head).then(|| {
                let mut w = Box::<encoded::EncodedWatch>::default();
                w.feed(&self.head[..before]);
                w
            }));
        }
        if let Some(Some(w)) = self.encoded.as_mut() {
            w.feed(bytes);
        }
        if self.archive.is_none() && self.head.len() == HEAD_BYTES {
            // Decided once the head is whole, which tells an office document from an
            // archive; the bytes before this piece are all in the head.
            self.archive = Some(self.archive_watch(&self.head[..before]));
        }
        if let Some(Some(w)) = self.archive.as_mut() {
            w.feed(bytes);
        }
    }

    /// A reader of the archive's files, fed `seen`, if the head says it is an archive.
    fn archive_watch(&self, seen: &[u8]) -> Option<Box<office::ArchiveWatch>> {
        (sniff(&self.head) == "application/zip" && self.depth < MOST_DEPTH).then(|| {
            let mut w = Box::new(office::ArchiveWatch::new(self.depth));
            w.feed(seen);
            w
        })
    }

    /// The media type, and the metadata that can endanger someone: for images from their
    /// first bytes, for video and audio from their `moov` box, for WAV from its chunks.
    pub fn describe(&self) -> (String, Vec<Warning>) {
        let (mut media_type, mut warnings) = describe(&self.head);
        // Photos in base64 in a text file; one shorter than the probe is all in the head.
        let in_text = match &self.encoded {
            Some(Some(w)) => w.warnings(),
            Some(None) => Vec::new(),
            None if encoded::looks_like_text(&self.head) => {
                let mut w = encoded::EncodedWatch::default();
                w.feed(&self.head);
                w.warnings()
            }
            None => Vec::new(),
        };
        for w in in_text {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        // `infer` calls every compound file a Word document; its streams say which it is.
        if let Some(t) = self.ole.media_type() {
            media_type = t.to_owned();
        }
        if media_type.starts_with("video/") || media_type.starts_with("audio/") {
            warnings.extend(self.moov.warnings());
        }
        match media_type.as_str() {
            "audio/x-wav" => warnings.extend(self.riff.warnings()),
            t if matroska::strippable(t) => warnings.extend(self.matroska.warnings()),
            t if office::strippable(t) => warnings.extend(self.office.warnings()),
            t if ole::strippable(t) => warnings.extend(self.ole.warnings()),
            // A WebP's EXIF chunk may come after its image data, past the first bytes.
            "image/webp" if warnings.is_empty() => warnings.extend(self.riff.warnings()),
            "audio/x-flac" => warnings.extend(audio::flac_warnings(&self.head)),
            "application/pdf" => {
                let tail = self.tail.as_deref().unwrap_or_default();
                warnings.extend(pdf::warnings(&[&self.head, tail]));
                if let Some(Some(w)) = &self.pdf {
                    for w in w.warnings() {
                        if !warnings.contains(&w) {
                            warnings.push(w);
                        }
                    }
                }
            }
            "image/tiff" => {
                if let Some(tail) = &self.tail {
                    let mut kept = Kept {
                        head: &self.head,
                        tail,
                        len: self.fed,
                        pos: 0,
                    };
                    // Directories between the kept bytes are not known to be missing.
                    if let Some(Ok(more)) = seeking_warnings("image/tiff", &mut kept) {
                        add_warnings(&mut warnings, more);
                    }
                }
            }
            "audio/ogg" | "audio/opus" => warnings.extend(ogg::warnings(&self.head)),
            "message/rfc822" => {
                for place in mail::addresses(&String::from_utf8_lossy(&self.head)) {
                    push_warning(&mut warnings, "network_address", Some(place));
                }
            }
            "application/rtf" => {
                if let Some(Some(r)) = &self.rtf {
                    warnings.extend(r.warnings());
                }
            }
            "application/zip" => match &self.archive {
                Some(Some(w)) => warnings.extend(w.warnings()),
                // Smaller than the head: all of it is there.
                None => match self.archive_watch(&self.head) {
                    Some(w) => warnings.extend(w.warnings()),
                    None => push_warning(&mut warnings, UNREAD, Some(TOO_DEEP.into())),
                },
                Some(None) => push_warning(&mut warnings, UNREAD, Some(TOO_DEEP.into())),
            },
            t if ARCHIVES.contains(&t) => push_warning(
                &mut warnings,
                UNREAD,
                Some("an archive of a kind Aigaq does not open (only ZIP archives are): the photos, recordings and documents in it are not checked for metadata; attach them one by one".into()),
            ),
            "audio/mpeg" => {
                warnings.extend(mp3::warnings(&self.head));
                // The tag in front says it first; those at the end add what it does not.
                for w in mp3::tail_warnings(self.tail.as_deref().unwrap_or(&self.head)) {
                    if !warnings.iter().any(|x| x.field == w.field) {
                        warnings.push(w);
                    }
                }
            }
            _ => {}
        }
        (media_type, warnings)
    }
}

/// The media type of a file from its first bytes, and its risky metadata if it is an image.
pub fn describe(head: &[u8]) -> (String, Vec<Warning>) {
    let media_type = sniff(head);
    let warnings = if media_type.starts_with("image/") {
        warnings(head)
    } else {
        Vec::new()
    };
    (media_type, warnings)
}

/// The risky metadata in an image (JPEG, PNG, TIFF, HEIF, WebP) whose first bytes are
/// `head`. Anything unreadable yields nothing rather than an error: the file is stored
/// as it is either way.
pub fn warnings(head: &[u8]) -> Vec<Warning> {
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    match reader.read_from_container(&mut Cursor::new(head)) {
        Ok(e) => exif_warnings(&e),
        Err(exif::Error::PartialResult(p)) => exif_warnings(&p.into_inner().0),
        Err(_) => Vec::new(),
    }
}

/// A file of which a [`Sniffer`] kept the first and the last bytes, read with seeks: what
/// lies between them reads as an error.
struct Kept<'a> {
    head: &'a [u8],
    tail: &'a [u8],
    len: u64,
    pos: u64,
}

impl std::io::Read for Kept<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let tail_at = self.len.saturating_sub(self.tail.len() as u64);
        let from: &[u8] = if self.pos >= self.len {
            &[]
        } else if self.pos < self.head.len() as u64 {
            &self.head[self.pos as usize..]
        } else if self.pos >= tail_at {
            &self.tail[(self.pos - tail_at) as usize..]
        } else {
            return Err(std::io::Error::other(
                "a part of the file that was not kept",
            ));
        };
        let n = from.len().min(buf.len());
        buf[..n].copy_from_slice(&from[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl std::io::Seek for Kept<'_> {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        let pos = match to {
            std::io::SeekFrom::Start(p) => Some(p),
            std::io::SeekFrom::End(d) => self.len.checked_add_signed(d),
            std::io::SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = pos.ok_or_else(|| std::io::Error::other("a seek before the start"))?;
        Ok(self.pos)
    }
}

/// Reads `input` to its end in pieces of up to `size` bytes, handing each to `each`.
pub(crate) fn each_piece(
    input: &mut dyn std::io::Read,
    size: usize,
    mut each: impl FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; size];
    loop {
        match input.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => each(&buf[..n])?,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// A TIFF scan with its directories after `pixels`, for tests elsewhere.
#[cfg(test)]
pub(crate) fn tiff_scan(pixels: &[u8]) -> Vec<u8> {
    tiff::tests::scan_after(true, pixels)
}

/// What reading a file's first bytes cannot tell of its metadata, read with seeks: a TIFF
/// image's directories, which many writers put after the pixels, past the bytes a
/// [`Sniffer`] keeps. `None` for other types; an error when the directories do not read.
pub fn seeking_warnings<R: std::io::Read + std::io::Seek + ?Sized>(
    media_type: &str,
    input: &mut R,
) -> Option<std::io::Result<Vec<Warning>>> {
    if !reads_by_seeking(media_type) {
        return None;
    }
    Some(tiff::directories(input).map(|copied| raw_exif_warnings(&copied)))
}

/// [`seeking_warnings`] of a whole file: one whose directories do not read is damaged, and
/// what they would say is unknown, so it is said to be unread.
pub(crate) fn whole_file_warnings<R: std::io::Read + std::io::Seek + ?Sized>(
    media_type: &str,
    input: &mut R,
) -> Vec<Warning> {
    match seeking_warnings(media_type, input) {
        None => Vec::new(),
        Some(Ok(found)) => found,
        Some(Err(e)) => vec![Warning {
            field: UNREAD.into(),
            value: format!(
                "its directories, where a TIFF image keeps its metadata, could not be read ({e})"
            ),
        }],
    }
}

/// Whether [`seeking_warnings`] reads files of this type.
pub(crate) fn reads_by_seeking(media_type: &str) -> bool {
    media_type == "image/tiff"
}

/// Adds to `warnings` those of `more` it does not hold yet.
pub(crate) fn add_warnings(warnings: &mut Vec<Warning>, more: Vec<Warning>) {
    for w in more {
        if !warnings.contains(&w) {
            warnings.push(w);
        }
    }
}

/// The risky fields of EXIF data on its own (a TIFF structure, as a WebP's `EXIF` chunk
/// holds it; some writers put JPEG's `Exif\0\0` in front).
fn raw_exif_warnings(data: &[u8]) -> Vec<Warning> {
    let data = data.strip_prefix(b"Exif\0\0").unwrap_or(data);
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    match reader.read_raw(data.to_vec()) {
        Ok(e) => exif_warnings(&e),
        Err(exif::Error::PartialResult(p)) => exif_warnings(&p.into_inner().0),
        Err(_) => Vec::new(),
    }
}

/// The fields of parsed EXIF that give away a place, a device, a person or a time.
fn exif_warnings(parsed: &exif::Exif) -> Vec<Warning> {
    use exif::{In, Tag};
    let value = |tag: Tag| {
        parsed
            .get_field(tag, In::PRIMARY)
            .map(|f| f.display_value().with_unit(parsed).to_string())
            .map(|v| v.trim_matches('"').trim().to_owned())
            // A blanked string reads as quotes and commas, or spaces: nothing said.
            .filter(|v| v.chars().any(char::is_alphanumeric))
    };
    let mut out = Vec::new();
    let mut push = |field: &str, v: Option<String>| push_warning(&mut out, field, v);
    // The latitude and longitude display with their N/S and E/W references as units.
    let gps = [value(Tag::GPSLatitude), value(Tag::GPSLongitude)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    let gps = (!gps.is_empty()).then_some(gps);
    push("gps_position", gps);
    push("camera_serial", value(Tag::BodySerialNumber));
    push("camera_serial", value(Tag::LensSerialNumber));
    push("owner_name", value(Tag::CameraOwnerName));
    push("owner_name", value(Tag::Artist));
    push("owner_name", value(Tag::Copyright));
    push(
        "time",
        value(Tag::DateTimeOriginal).or_else(|| value(Tag::DateTime)),
    );
    push("camera", camera(value(Tag::Make), value(Tag::Model)));
    out
}

/// Adds a warning when something was found.
fn push_warning(out: &mut Vec<Warning>, field: &str, value: Option<String>) {
    if let Some(value) = value {
        out.push(Warning {
            field: field.into(),
            value,
        });
    }
}

/// A file of `tests/fixtures` (for tests).
#[cfg(test)]
pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The values of the warnings of one field, in order (for tests).
#[cfg(test)]
pub(crate) fn values_of(found: &[Warning], field: &str) -> Vec<String> {
    found
        .iter()
        .filter(|w| w.field == field)
        .map(|w| w.value.clone())
        .collect()
}

/// XML's five named entities and numeric character references, decoded.
pub(super) fn unescape_xml(text: &str) -> String {
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

/// A device as a person would name it: its make and model, either of which may be missing.
fn camera(make: Option<String>, model: Option<String>) -> Option<String> {
    let both = [make, model].into_iter().flatten().collect::<Vec<_>>();
    (!both.is_empty()).then(|| both.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archives_are_said_to_be_unchecked() {
        let gzip = [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3];
        let seven = [b'7', b'z', 0xBC, 0xAF, 0x27, 0x1C, 0, 4, 1, 2, 3, 4];
        for (file, kind) in [
            (&gzip[..], "application/gzip"),
            (&seven[..], "application/x-7z-compressed"),
        ] {
            let mut s = Sniffer::new();
            s.feed(file);
            let (t, w) = s.describe();
            assert_eq!(t, kind);
            assert_eq!(w.len(), 1);
            assert_eq!(w[0].field, UNREAD);
            assert!(w[0].value.contains("one by one"));
        }
    }

    #[test]
    fn types_come_from_content_not_names() {
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "image/jpeg");
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), "image/png");
        assert_eq!(sniff("Свидетельство".as_bytes()), "text/plain");
        assert_eq!(sniff(b"\x00\x01\x02binary"), "application/octet-stream");
    }

    #[test]
    fn a_phone_photo_gives_away_place_device_owner_and_time() {
        for name in ["exif-gps.jpg", "exif-gps.png"] {
            let bytes = std::fs::read(
                concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/").to_owned() + name,
            )
            .unwrap();
            let found = warnings(&bytes);
            let get = |f: &str| {
                found
                    .iter()
                    .filter(|w| w.field == f)
                    .map(|w| w.value.clone())
                    .collect::<Vec<_>>()
            };
            assert_eq!(get("gps_position").len(), 1, "{name}: {found:?}");
            assert!(get("gps_position")[0].contains("43") && get("gps_position")[0].contains('N'));
            assert_eq!(get("camera_serial"), ["SN-FIXTURE-0042"], "{name}");
            assert_eq!(get("owner_name"), ["Aigerim Fixture-Owner"], "{name}");
            assert!(
                get("time")[0].starts_with("2022-01-05"),
                "{name}: {found:?}"
            );
            assert_eq!(get("camera"), ["FixturePhone Model X"], "{name}");
        }
    }

    #[test]
    fn a_photo_without_exif_has_no_warnings() {
        assert!(warnings(
            b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
        )
        .is_empty());
        assert!(warnings(b"plain text").is_empty());
    }

    /// An MP3 larger than the head, with its artist only in the tags at its end.
    #[test]
    fn an_mp3_s_tags_at_its_end_are_found() {
        let frames: Vec<u8> = (0..HEAD_BYTES + 300_001).map(|i| (i % 251) as u8).collect();
        let v1 = mp3::tests::id3v1("Aigerim B.", "2026");
        // MPEG frame sync at the start, as a stream without a front tag begins.
        let file = [&b"\xff\xfb\x90\x64"[..], &frames, &v1].concat();
        for piece in [4096, 64 * 1024 + 7, 3 << 20] {
            let mut sniffer = Sniffer::new();
            for p in file.chunks(piece) {
                sniffer.feed(p);
            }
            let (media_type, found) = sniffer.describe();
            assert_eq!(media_type, "audio/mpeg");
            let got: Vec<(&str, &str)> = found
                .iter()
                .map(|w| (w.field.as_str(), w.value.as_str()))
                .collect();
            assert_eq!(got, [("owner_name", "Aigerim B."), ("time", "2026")]);
        }
    }

    /// An APE tag with cover art, its text items a few hundred KiB before the end.
    #[test]
    fn an_mp3_s_large_ape_tag_is_read_from_its_start() {
        use mp3::tests::{ape, ape_item};
        let frames: Vec<u8> = (0..3 * HEAD_BYTES).map(|i| (i % 251) as u8).collect();
        let cover = "\u{1}".repeat(600 * 1024);
        let items = [
            ape_item("Artist", "Aigerim B."),
            ape_item("Year", "2026"),
            ape_item("Cover Art (Front)", &cover),
        ]
        .concat();
        let file = [&b"\xff\xfb\x90\x64"[..], &frames, &ape(&items, true)].concat();
        let mut sniffer = Sniffer::new();
        for p in file.chunks(64 * 1024 + 5) {
            sniffer.feed(p);
        }
        let (media_type, found) = sniffer.describe();
        assert_eq!(media_type, "audio/mpeg");
        let owner = found.iter().find(|w| w.field == "owner_name");
        assert_eq!(
            owner.map(|w| w.value.as_str()),
            Some("Aigerim B."),
            "{found:?}"
        );
    }

    /// A WebP whose EXIF chunk comes after a large image, past the first bytes.
    #[test]
    fn a_webp_s_exif_after_its_image_is_found() {
        let jpeg = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/exif-gps.jpg"
        ))
        .unwrap();
        // The fixture's APP1 segment: its length, then `Exif\0\0` and the TIFF data.
        let at = jpeg.windows(6).position(|w| w == b"Exif\0\0").unwrap();
        let len = usize::from(u16::from_be_bytes([jpeg[at - 2], jpeg[at - 1]]));
        let tiff = &jpeg[at + 6..at - 2 + len];
        use audio::tests::{chunk, riff_of};
        let image = vec![0x5au8; HEAD_BYTES + 500_001];
        for exif in [tiff.to_vec(), [&b"Exif\0\0"[..], tiff].concat()] {
            let webp = riff_of(
                b"WEBP",
                &[
                    chunk(b"VP8X", &[8, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
                    chunk(b"VP8 ", &image),
                    chunk(b"EXIF", &exif),
                ],
            );
            let mut sniffer = Sniffer::new();
            for piece in webp.chunks(64 * 1024 + 3) {
                sniffer.feed(piece);
            }
            let (media_type, found) = sniffer.describe();
            assert_eq!(media_type, "image/webp");
            let get = |f: &str| {
                found
                    .iter()
                    .find(|w| w.field == f)
                    .map(|w| w.value.as_str())
            };
            assert_eq!(get("camera_serial"), Some("SN-FIXTURE-0042"), "{found:?}");
            assert!(
                get("gps_position").is_some_and(|p| p.contains('N')),
                "{found:?}"
            );
        }
    }
}

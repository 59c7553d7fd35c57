//! Matroska and WebM: what browsers, screen recorders (OBS) and some cameras and phones
//! write. An EBML file: a header, then a `Segment` whose `Info` says when the file was
//! written (`DateUTC`), with what and under which title and file name, whose `Tags` hold any
//! tag at all (artist, place, date), and whose `Attachments` and `Chapters` hold files and
//! names; the picture and sound are in `Cluster`s.
//!
//! Stripping keeps every byte where it was: `Tags`, `Attachments`, `Chapters` and elements
//! Matroska does not define become `Void` elements of the same size, `DateUTC` too, and the
//! title, application and file-name strings and the tracks' names become zeros (EBML pads
//! strings with zeros), so the `SeekHead` and `Cues` still point where they did and every
//! player plays the copy. Checksums (`CRC-32`) of what changed become `Void` as well.

use std::io::{self, BufRead, BufReader, Read, Write};

use super::strip::{bad, note};
use super::{push_warning, Warning};

const EBML: u32 = 0x1A45_DFA3;
const SEGMENT: u32 = 0x1853_8067;
const SEEK_HEAD: u32 = 0x114D_9B74;
const INFO: u32 = 0x1549_A966;
const TRACKS: u32 = 0x1654_AE6B;
const CHAPTERS: u32 = 0x1043_A770;
const CLUSTER: u32 = 0x1F43_B675;
const CUES: u32 = 0x1C53_BB6B;
const ATTACHMENTS: u32 = 0x1941_A469;
const TAGS: u32 = 0x1254_C367;
const VOID: u32 = 0xEC;
const CRC32: u32 = 0xBF;

// In `Info`.
const TITLE: u32 = 0x7BA9;
const MUXING_APP: u32 = 0x4D80;
const WRITING_APP: u32 = 0x5741;
const DATE_UTC: u32 = 0x4461;
const SEGMENT_FILENAME: u32 = 0x7384;
const PREV_FILENAME: u32 = 0x3C_83B9;
const NEXT_FILENAME: u32 = 0x3E_83BB;
// In `Tracks`.
const TRACK_ENTRY: u32 = 0xAE;
const TRACK_NAME: u32 = 0x536E;
// In `Tags`.
const TAG: u32 = 0x7373;
const SIMPLE_TAG: u32 = 0x67C8;
const TAG_NAME: u32 = 0x45A3;
const TAG_STRING: u32 = 0x4487;

/// The elements that may follow one another in a `Segment`; in a `Cluster` of unknown size
/// (a live recording's), the first of them ends it.
const TOP_LEVEL: [u32; 10] = [
    SEEK_HEAD,
    INFO,
    TRACKS,
    CHAPTERS,
    CLUSTER,
    CUES,
    ATTACHMENTS,
    TAGS,
    VOID,
    CRC32,
];

/// What a `Cluster` holds: its timestamp, silent tracks, position, previous size, blocks,
/// and padding or a checksum.
const IN_CLUSTER: [u32; 9] = [0xE7, 0x5854, 0xA7, 0xAB, 0xA3, 0xA0, 0xAF, VOID, CRC32];

/// `Info` and `Tracks` are read whole to be blanked; larger ones are refused.
const READ_LIMIT: u64 = 16 << 20;
/// `Info` and `Tags` up to this size are read at attach for what they say.
const WATCH_LIMIT: u64 = 1 << 20;

/// Nanoseconds from the Unix epoch to Matroska's (2001-01-01T00:00:00Z).
const UNIX_TO_2001_NS: i128 = 978_307_200 * 1_000_000_000;

/// The media types that are Matroska files.
pub fn strippable(media_type: &str) -> bool {
    matches!(
        media_type,
        "video/webm" | "video/x-matroska" | "audio/webm" | "audio/x-matroska"
    )
}

/// An element's header: its ID (with its length marker, as the specification writes IDs),
/// its body's size (`None`: unknown, up to its parent's end) and the header's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Header {
    id: u32,
    size: Option<u64>,
    len: usize,
}

impl Header {
    /// The header at the start of `bytes`: `Ok(None)` when more bytes are needed.
    fn parse(bytes: &[u8]) -> io::Result<Option<Self>> {
        let Some(&first) = bytes.first() else {
            return Ok(None);
        };
        let id_len = first.leading_zeros() as usize + 1;
        if id_len > 4 {
            return Err(bad("a damaged Matroska element"));
        }
        let Some(&size_first) = bytes.get(id_len) else {
            return Ok(None);
        };
        let size_len = size_first.leading_zeros() as usize + 1;
        if size_len > 8 {
            return Err(bad("a damaged Matroska element size"));
        }
        let Some(raw) = bytes.get(id_len..id_len + size_len) else {
            return Ok(None);
        };
        let id = bytes[..id_len]
            .iter()
            .fold(0u32, |v, &b| (v << 8) | u32::from(b));
        let marker_bits = (0xFFu16 >> size_len) as u8;
        let size = raw[1..]
            .iter()
            .fold(u64::from(size_first & marker_bits), |v, &b| {
                (v << 8) | u64::from(b)
            });
        // All ones: the size is not known (a live recording's `Segment` and `Cluster`s).
        let unknown = size == (1u64 << (7 * size_len)) - 1;
        Ok(Some(Self {
            id,
            size: (!unknown).then_some(size),
            len: id_len + size_len,
        }))
    }

    /// Its body's size, which must be known.
    fn known(self) -> io::Result<u64> {
        self.size
            .ok_or_else(|| bad("a Matroska element of unknown size where one must be known"))
    }
}

/// The child elements in `bytes`, as (header, start of the element, end of its body); stops
/// at the first that does not fit.
fn children(bytes: &[u8]) -> impl Iterator<Item = (Header, usize, usize)> + '_ {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let h = Header::parse(bytes.get(at..)?).ok()??;
        let end = at
            .checked_add(h.len)?
            .checked_add(usize::try_from(h.size?).ok()?)?;
        if end > bytes.len() {
            return None;
        }
        let start = at;
        at = end;
        Some((h, start, end))
    })
}

/// Writes, over a whole element of `len` bytes, a `Void` element of the same length.
fn void_header(len: u64) -> Vec<u8> {
    match len {
        0 | 1 => vec![0; len as usize],
        // A one-byte size holds up to 126 (127 is "unknown").
        2..=128 => vec![0xEC, 0x80 | (len - 2) as u8],
        _ => {
            let mut h = vec![0xEC, 0x01];
            h.extend_from_slice(&(len - 9).to_be_bytes()[1..]);
            h
        }
    }
}

/// Turns the element in `bytes` into a `Void` of the same length.
fn void_in_place(bytes: &mut [u8]) {
    let header = void_header(bytes.len() as u64);
    bytes.fill(0);
    bytes[..header.len()].copy_from_slice(&header);
}

/// Reads an element header, byte by byte; `None` at the end of the input.
fn read_header(input: &mut dyn BufRead) -> io::Result<Option<(Header, Vec<u8>)>> {
    let mut raw = Vec::with_capacity(12);
    loop {
        if let Some(h) = Header::parse(&raw)? {
            return Ok(Some((h, raw)));
        }
        let mut b = [0u8; 1];
        match input.read(&mut b)? {
            0 if raw.is_empty() => return Ok(None),
            0 => return Err(bad("a Matroska file cut short")),
            _ => raw.push(b[0]),
        }
    }
}

/// Copies a Matroska file to `out` with its tags, attachments, chapters, date, title,
/// application and file names and track names blanked where they are (see the module's
/// documentation). Returns what was blanked.
pub fn strip(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    let mut input = BufReader::with_capacity(64 * 1024, input);
    let mut removed = Vec::new();
    let (mut first, mut segments) = (true, 0);
    while let Some((h, raw)) = read_header(&mut input)? {
        if std::mem::replace(&mut first, false) && h.id != EBML {
            return Err(bad("not a Matroska file"));
        }
        out.write_all(&raw)?;
        match h.id {
            SEGMENT => {
                segment(&mut input, h.size, out, &mut removed)?;
                segments += 1;
            }
            EBML | VOID => copy(&mut input, h.known()?, out)?,
            _ => return Err(bad("not a Matroska file")),
        }
    }
    if segments == 0 {
        return Err(bad("a Matroska file without its segment"));
    }
    Ok(removed)
}

/// Copies exactly `n` bytes.
fn copy(input: &mut dyn BufRead, n: u64, out: &mut dyn Write) -> io::Result<()> {
    if io::copy(&mut input.take(n), out)? != n {
        return Err(bad("a Matroska file cut short"));
    }
    Ok(())
}

/// A `Segment`'s elements, `size` bytes of them, or to the end of the file.
fn segment(
    input: &mut dyn BufRead,
    size: Option<u64>,
    out: &mut dyn Write,
    removed: &mut Vec<String>,
) -> io::Result<()> {
    let mut left = size;
    // An element read while looking for the end of a cluster of unknown size.
    let mut next: Option<(Header, Vec<u8>)> = None;
    let fits = |left: &mut Option<u64>, n: u64| -> io::Result<()> {
        if let Some(l) = left {
            *l = l
                .checked_sub(n)
                .ok_or_else(|| bad("a Matroska element does not fit in its segment"))?;
        }
        Ok(())
    };
    loop {
        if left == Some(0) {
            return Ok(());
        }
        let Some((h, raw)) = next
            .take()
            .map_or_else(|| read_header(input), |n| Ok(Some(n)))?
        else {
            return match left {
                None => Ok(()),
                Some(_) => Err(bad("a Matroska file cut short")),
            };
        };
        if h.id == CLUSTER && h.size.is_none() {
            fits(&mut left, h.len as u64)?;
            out.write_all(&raw)?;
            // Its blocks, until an element that cannot be in a cluster begins.
            while let Some((c, raw)) = read_header(input)? {
                if TOP_LEVEL.contains(&c.id) {
                    next = Some((c, raw));
                    break;
                }
                if !IN_CLUSTER.contains(&c.id) {
                    // A second file's header, say, whose metadata would go through.
                    return Err(bad("an element that cannot be in a Matroska cluster"));
                }
                let n = c.known()?;
                fits(&mut left, c.len as u64 + n)?;
                out.write_all(&raw)?;
                copy(input, n, out)?;
            }
            continue;
        }
        let body = h.known()?;
        let whole = h.len as u64 + body;
        fits(&mut left, whole)?;
        match h.id {
            INFO | TRACKS => {
                if body > READ_LIMIT {
                    return Err(bad(
                        "its Info or Tracks element is larger than Aigaq strips",
                    ));
                }
                let mut element = raw;
                if input.take(body).read_to_end(&mut element)? as u64 != body {
                    return Err(bad("a Matroska file cut short"));
                }
                let inner = &mut element[h.len..];
                if h.id == INFO {
                    blank_info(inner, removed);
                } else {
                    blank_tracks(inner, removed);
                }
                out.write_all(&element)?;
            }
            CLUSTER | SEEK_HEAD | CUES | VOID | CRC32 => {
                out.write_all(&raw)?;
                copy(input, body, out)?;
            }
            _ => {
                note(
                    removed,
                    match h.id {
                        TAGS => "Matroska tags (artist, place, dates, any tag)",
                        ATTACHMENTS => "attached files",
                        CHAPTERS => "chapter names",
                        _ => "other metadata",
                    },
                );
                // The header read is replaced by the void's; the rest is zeros.
                let void = void_header(whole);
                out.write_all(&void)?;
                let zeros = whole - void.len() as u64;
                let skipped = io::copy(&mut input.take(body), &mut io::sink())?;
                if skipped != body {
                    return Err(bad("a Matroska file cut short"));
                }
                io::copy(&mut io::repeat(0).take(zeros), out)?;
            }
        }
    }
}

/// `Info`: its date goes, its title, applications and file names become zeros.
fn blank_info(body: &mut [u8], removed: &mut Vec<String>) {
    let found: Vec<_> = children(body).collect();
    let changed = found.iter().any(|(h, _, _)| {
        matches!(
            h.id,
            TITLE
                | MUXING_APP
                | WRITING_APP
                | DATE_UTC
                | SEGMENT_FILENAME
                | PREV_FILENAME
                | NEXT_FILENAME
        )
    });
    for (h, start, end) in found {
        let text = &mut body[start + h.len..end];
        let what = match h.id {
            DATE_UTC => {
                void_in_place(&mut body[start..end]);
                note(removed, "time");
                continue;
            }
            CRC32 if changed => {
                void_in_place(&mut body[start..end]);
                continue;
            }
            TITLE => "title",
            MUXING_APP | WRITING_APP => "software",
            SEGMENT_FILENAME | PREV_FILENAME | NEXT_FILENAME => "file names",
            _ => continue,
        };
        if text.iter().any(|&b| b != 0) {
            text.fill(0);
            note(removed, what);
        }
    }
}

/// `Tracks`: each track's name becomes zeros.
fn blank_tracks(body: &mut [u8], removed: &mut Vec<String>) {
    let entries: Vec<_> = children(body).collect();
    let mut changed = false;
    for (h, start, end) in &entries {
        if h.id != TRACK_ENTRY {
            continue;
        }
        let entry = &mut body[start + h.len..*end];
        let fields: Vec<_> = children(entry).collect();
        let named = fields
            .iter()
            .any(|(f, s, e)| f.id == TRACK_NAME && entry[s + f.len..*e].iter().any(|&b| b != 0));
        if !named {
            continue;
        }
        changed = true;
        for (f, s, e) in fields {
            match f.id {
                TRACK_NAME => entry[s + f.len..e].fill(0),
                CRC32 => void_in_place(&mut entry[s..e]),
                _ => {}
            }
        }
        note(removed, "track names");
    }
    if changed {
        for (h, start, end) in entries {
            if h.id == CRC32 {
                void_in_place(&mut body[start..end]);
            }
        }
    }
}

/// What is learnt of a Matroska file as it streams past: its `Info` and `Tags` are kept
/// (each up to [`WATCH_LIMIT`]) and read; clusters are skipped.
#[derive(Debug, Default)]
pub struct MatroskaWatch {
    /// Bytes of an element header not yet complete.
    header: Vec<u8>,
    /// Bytes of the current element's body still to skip.
    skip: u64,
    /// The body being kept: its ID, how much is still to come, and what came.
    keep: Option<(u32, u64, Vec<u8>)>,
    place: Option<String>,
    owner: Option<String>,
    time: Option<String>,
    device: Option<String>,
    software: Option<String>,
    state: WatchState,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum WatchState {
    /// Before the first element, or between top-level ones.
    #[default]
    Top,
    /// Inside a `Segment`.
    Segment,
    /// Inside a `Cluster` of unknown size.
    Cluster,
    /// Not Matroska, or damaged: nothing more is read.
    Done,
}

impl MatroskaWatch {
    /// The next bytes of the file.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() && self.state != WatchState::Done {
            if self.skip > 0 {
                let n = usize::try_from(self.skip).map_or(bytes.len(), |s| s.min(bytes.len()));
                self.skip -= n as u64;
                bytes = &bytes[n..];
            } else if let Some((id, left, mut body)) = self.keep.take() {
                let n = usize::try_from(left).map_or(bytes.len(), |l| l.min(bytes.len()));
                body.extend_from_slice(&bytes[..n]);
                bytes = &bytes[n..];
                if n as u64 == left {
                    self.read(id, &body);
                } else {
                    self.keep = Some((id, left - n as u64, body));
                }
            } else {
                self.header.push(bytes[0]);
                bytes = &bytes[1..];
                match Header::parse(&self.header) {
                    Ok(None) => {}
                    Ok(Some(h)) => {
                        self.header.clear();
                        self.enter(h);
                    }
                    Err(_) => self.state = WatchState::Done,
                }
            }
        }
    }

    /// Decides what to do with an element whose header has just been read.
    fn enter(&mut self, h: Header) {
        use WatchState::*;
        if self.state == Cluster && TOP_LEVEL.contains(&h.id) {
            self.state = Segment;
        } else if self.state == Cluster && !IN_CLUSTER.contains(&h.id) {
            // Not followed: stripping refuses such a file.
            self.state = Done;
            return;
        }
        self.state = match (self.state, h.id, h.size) {
            (Top, SEGMENT, _) => Segment,
            (Top, EBML | VOID, Some(n)) => {
                self.skip = n;
                Top
            }
            (Segment, CLUSTER, None) => Cluster,
            (Segment, INFO | TAGS, Some(n)) if n > 0 && n <= WATCH_LIMIT => {
                self.keep = Some((h.id, n, Vec::new()));
                Segment
            }
            (Segment | Cluster, _, Some(n)) => {
                self.skip = n;
                self.state
            }
            _ => Done,
        };
    }

    /// Reads a kept `Info` or `Tags`.
    fn read(&mut self, id: u32, body: &[u8]) {
        for (h, start, end) in children(body) {
            let value = &body[start + h.len..end];
            match (id, h.id) {
                (INFO, DATE_UTC) if self.time.is_none() => self.time = date_utc(value),
                (INFO, WRITING_APP | MUXING_APP) if self.software.is_none() => {
                    self.software = text(value);
                }
                (TAGS, TAG) => {
                    for (t, s, e) in children(value).filter(|(t, _, _)| t.id == SIMPLE_TAG) {
                        self.simple_tag(&value[s + t.len..e], 0);
                    }
                }
                _ => {}
            }
        }
    }

    /// A `SimpleTag`: a name and a string, and perhaps tags nested in it.
    fn simple_tag(&mut self, body: &[u8], depth: usize) {
        let mut name = None;
        let mut value = None;
        for (h, s, e) in children(body) {
            let content = &body[s + h.len..e];
            match h.id {
                TAG_NAME => name = text(content),
                TAG_STRING => value = text(content),
                SIMPLE_TAG if depth < 4 => self.simple_tag(content, depth + 1),
                _ => {}
            }
        }
        let (Some(name), Some(value)) = (name, value) else {
            return;
        };
        let name = name.to_uppercase();
        let slot = if name.contains("LOCATION") || name.contains("GPS") {
            &mut self.place
        } else if name.starts_with("DATE") || name.contains("CREATION") {
            &mut self.time
        } else if matches!(
            name.as_str(),
            "ARTIST"
                | "ALBUM_ARTIST"
                | "AUTHOR"
                | "LEAD_PERFORMER"
                | "PERFORMER"
                | "COPYRIGHT"
                | "PRODUCTION_COPYRIGHT"
        ) {
            &mut self.owner
        } else if name.contains("MAKE") || name.contains("MODEL") {
            &mut self.device
        } else if name == "ENCODER" || name == "ENCODED_BY" {
            &mut self.software
        } else {
            return;
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    }

    /// What was found that can endanger someone.
    pub fn warnings(&self) -> Vec<Warning> {
        let mut out = Vec::new();
        push_warning(&mut out, "gps_position", self.place.clone());
        push_warning(&mut out, "owner_name", self.owner.clone());
        push_warning(&mut out, "time", self.time.clone());
        let device = self.device.clone().or_else(|| self.software.clone());
        push_warning(&mut out, "camera", device);
        out
    }
}

/// A string element's text, without the zeros that may pad it; `None` when empty.
fn text(bytes: &[u8]) -> Option<String> {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    let t = String::from_utf8_lossy(&bytes[..end]).trim().to_owned();
    (!t.is_empty()).then_some(t)
}

/// `DateUTC`: nanoseconds since 2001-01-01T00:00:00Z, signed, as RFC 3339.
fn date_utc(bytes: &[u8]) -> Option<String> {
    let b: [u8; 8] = bytes.try_into().ok()?;
    let ns = i128::from(i64::from_be_bytes(b)) + UNIX_TO_2001_NS;
    time::OffsetDateTime::from_unix_timestamp_nanos(ns)
        .ok()?
        .replace_nanosecond(0)
        .ok()?
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An element: its ID as written, then its size in eight bytes (as muxers that patch
    /// sizes later write them) or in one.
    fn el(id: u32, body: &[u8]) -> Vec<u8> {
        let mut out: Vec<u8> = id
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        if body.len() < 127 && id != SEGMENT {
            out.push(0x80 | body.len() as u8);
        } else {
            out.push(0x01);
            out.extend_from_slice(&(body.len() as u64).to_be_bytes()[1..]);
        }
        out.extend_from_slice(body);
        out
    }

    /// The header of an element whose size is not known.
    fn open(id: u32) -> Vec<u8> {
        let mut out: Vec<u8> = id
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.extend_from_slice(&[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        out
    }

    const SIMPLE_BLOCK: u32 = 0xA3;
    const FRAME: &[u8] = b"\x81\x00\x00\x80frame data that must not move";

    fn cluster_body() -> Vec<u8> {
        [
            el(0xE7, &[0]),
            el(SIMPLE_BLOCK, FRAME),
            el(SIMPLE_BLOCK, FRAME),
        ]
        .concat()
    }

    fn tag(name: &str, value: &str) -> Vec<u8> {
        el(
            SIMPLE_TAG,
            &[
                el(TAG_NAME, name.as_bytes()),
                el(TAG_STRING, value.as_bytes()),
            ]
            .concat(),
        )
    }

    /// A browser's or screen recorder's file: `live` writes the segment and the first
    /// cluster with unknown sizes, as a recording that was never sought back into does.
    fn recording(live: bool) -> Vec<u8> {
        let ns = 789_300_000i64 * 1_000_000_000; // 2026-01-05T10:00:00Z
        let info = [
            el(CRC32, &[1, 2, 3, 4]),
            el(0x2AD7B1, &[0x0F, 0x42, 0x40]),
            el(TITLE, b"Interview in Zhanaozen"),
            el(MUXING_APP, b"Chrome"),
            el(WRITING_APP, b"Chrome"),
            el(DATE_UTC, &ns.to_be_bytes()),
            el(SEGMENT_FILENAME, b"aigerim-2026-01-05.webm"),
        ]
        .concat();
        let tracks = el(
            TRACK_ENTRY,
            &[
                el(0xD7, &[1]),
                el(TRACK_NAME, b"Aigerim's phone"),
                el(0x86, b"V_VP8"),
            ]
            .concat(),
        );
        let tags = el(
            TAG,
            &[
                el(0x63C0, &[]),
                tag("ARTIST", "Aigerim B."),
                tag("LOCATION", "+43.2389+076.8897/"),
                el(
                    SIMPLE_TAG,
                    &[
                        el(TAG_NAME, b"DATE"),
                        el(TAG_STRING, b"2026"),
                        tag("MODEL", "Pixel 8"),
                    ]
                    .concat(),
                ),
            ]
            .concat(),
        );
        let first_cluster = if live {
            [open(CLUSTER), cluster_body()].concat()
        } else {
            el(CLUSTER, &cluster_body())
        };
        let segment = [
            el(SEEK_HEAD, &[0x4D, 0xBB, 0x80]),
            el(INFO, &info),
            el(TRACKS, &tracks),
            first_cluster,
            el(CLUSTER, &cluster_body()),
            el(TAGS, &tags),
            el(ATTACHMENTS, b"\x61\xA7\x80"),
            el(0x1B53_8667, b"unknown"),
            el(CUES, &[0xBB, 0x80]),
        ]
        .concat();
        let segment = if live {
            [open(SEGMENT), segment].concat()
        } else {
            el(SEGMENT, &segment)
        };
        [el(EBML, &el(0x4282, b"webm")), segment].concat()
    }

    fn watched(file: &[u8], piece: usize) -> Vec<(String, String)> {
        let mut w = MatroskaWatch::default();
        for chunk in file.chunks(piece) {
            w.feed(chunk);
        }
        w.warnings()
            .into_iter()
            .map(|w| (w.field, w.value))
            .collect()
    }

    fn stripped(file: &[u8]) -> io::Result<(Vec<u8>, Vec<String>)> {
        let mut out = Vec::new();
        let removed = strip(&mut &file[..], &mut out)?;
        Ok((out, removed))
    }

    #[test]
    fn a_recording_s_place_owner_date_and_device_are_found_however_its_bytes_arrive() {
        let pair = |f: &str, v: &str| (f.to_owned(), v.to_owned());
        for live in [false, true] {
            for piece in [1, 2, 5, 13, 64, 1 << 20] {
                assert_eq!(
                    watched(&recording(live), piece),
                    [
                        pair("gps_position", "+43.2389+076.8897/"),
                        pair("owner_name", "Aigerim B."),
                        pair("time", "2026-01-05T10:00:00Z"),
                        pair("camera", "Pixel 8"),
                    ],
                    "live {live}, pieces of {piece}"
                );
            }
        }
    }

    #[test]
    fn stripped_recordings_keep_every_offset_and_every_frame() {
        let has = |bytes: &[u8], what: &[u8]| bytes.windows(what.len()).any(|w| w == what);
        for live in [false, true] {
            let file = recording(live);
            let (copy, removed) = stripped(&file).unwrap();
            assert_eq!(copy.len(), file.len());
            assert_eq!(
                removed,
                [
                    "title",
                    "software",
                    "time",
                    "file names",
                    "track names",
                    "Matroska tags (artist, place, dates, any tag)",
                    "attached files",
                    "other metadata",
                ]
            );
            assert_eq!(watched(&copy, 7), []);
            for gone in [
                &b"Zhanaozen"[..],
                b"Chrome",
                b"aigerim-",
                b"Aigerim",
                b"43.2389",
                b"Pixel",
                b"unknown",
                &[1, 2, 3, 4],
            ] {
                assert!(
                    has(&file, gone) && !has(&copy, gone),
                    "{}",
                    String::from_utf8_lossy(gone)
                );
            }
            // Whatever is not blanked is where it was, byte for byte.
            let mut at = 0;
            while let Some(i) = file[at..].windows(FRAME.len()).position(|w| w == FRAME) {
                at += i;
                assert_eq!(copy[at..at + FRAME.len()], *FRAME);
                at += 1;
            }
            assert!(at > 0);
            assert_eq!(copy[..32], file[..32]);
            assert_eq!(copy[copy.len() - 5..], file[file.len() - 5..]);
            // What was blanked is still well formed: stripping the copy finds nothing more.
            assert_eq!(stripped(&copy).unwrap(), (copy.clone(), vec![]));
        }
    }

    #[test]
    fn damaged_recordings_are_errors_and_nothing_panics() {
        let file = recording(false);
        for cut in 0..file.len() {
            let _ = watched(&file[..cut], 3);
            if cut > 0 {
                assert!(stripped(&file[..cut]).is_err(), "cut at {cut}");
            }
        }
        let live = recording(true);
        for cut in 0..live.len() {
            let _ = watched(&live[..cut], 3);
            let _ = stripped(&live[..cut]);
        }
        // An element claiming more than its segment holds.
        let mut long = el(EBML, &el(0x4282, b"webm"));
        long.extend(el(
            SEGMENT,
            &[el(INFO, &[0; 10]), vec![0x1F, 0x43, 0xB6, 0x75, 0x90]].concat(),
        ));
        long.extend_from_slice(&[0; 40]);
        assert!(stripped(&long).is_err());
        // A second file's header inside a live cluster: its tags would go through.
        let mut joined = [open(SEGMENT), open(CLUSTER), cluster_body()].concat();
        joined.splice(0..0, el(EBML, &el(0x4282, b"webm")));
        joined.extend(el(EBML, &el(0x4282, b"webm")));
        assert!(stripped(&joined).is_err());
        // Tags of unknown size: nothing says where they end.
        let mut tags = el(EBML, &el(0x4282, b"webm"));
        tags.extend([open(SEGMENT), open(TAGS), tag("ARTIST", "A")].concat());
        assert!(stripped(&tags).is_err());
        for other in [&b"\0\0\0\x18ftypisom"[..], b"\xFF\xD8\xFF\xE0", b"RIFF"] {
            assert!(stripped(other).is_err());
            assert_eq!(watched(other, 1), []);
        }
    }

    #[test]
    fn a_void_fills_any_length() {
        for len in [2usize, 3, 100, 128, 129, 130, 5000] {
            let mut bytes = vec![7u8; len];
            void_in_place(&mut bytes);
            let h = Header::parse(&bytes).unwrap().unwrap();
            assert_eq!(h.id, VOID);
            assert_eq!(h.len as u64 + h.size.unwrap(), len as u64);
        }
    }
}

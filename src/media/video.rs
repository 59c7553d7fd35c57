//! Where a phone video or voice recording was made, and with what: MP4, QuickTime, 3GPP and
//! M4A files (ISO base media) keep it in their `moov` box, as Android's `©xyz`, Apple's
//! `com.apple.quicktime.location.ISO6709` key or 3GPP's `loci`. Phones write `moov` after
//! the media data, at the end of the file, so it is picked out of the stream as the file
//! passes ([`MoovWatch`]) rather than read from the first bytes; only `moov` is kept, and
//! only up to [`MOOV_LIMIT`]. The time of recording is also in the headers of the recording
//! and of each track (`mvhd`, `tkhd`, `mdhd`). [`strip`] blanks all of them out for
//! `export --strip-metadata`, and cameras' telemetry tracks with them (see
//! [`super::telemetry`]).

use std::io::{self, Read, Write};

use super::strip::{bad, note};
use super::telemetry::Plan;
use super::Warning;

/// Largest `moov` box kept for reading its metadata; a larger one is skipped (an hour of
/// phone video has a `moov` of a few MiB).
pub const MOOV_LIMIT: u64 = 32 * 1024 * 1024;

/// Follows the top-level boxes of an ISO base media file as its bytes stream past, and
/// keeps the body of its `moov` box. Anything else (not such a file, or a damaged one)
/// makes it stop looking.
#[derive(Debug)]
pub struct MoovWatch {
    state: State,
    header: Vec<u8>,
    moov: Vec<u8>,
    first: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Header,
    Skip(u64),
    Keep(u64),
    Done,
}

impl Default for MoovWatch {
    fn default() -> Self {
        Self::new()
    }
}

impl MoovWatch {
    /// Starts at the first byte of a file.
    pub fn new() -> Self {
        Self {
            state: State::Header,
            header: Vec::with_capacity(16),
            moov: Vec::new(),
            first: true,
        }
    }

    /// The next bytes of the file.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            match self.state {
                State::Done => return,
                State::Skip(n) => {
                    let k = n.min(bytes.len() as u64);
                    bytes = &bytes[k as usize..];
                    self.state = if n == k {
                        State::Header
                    } else {
                        State::Skip(n - k)
                    };
                }
                State::Keep(n) => {
                    let k = n.min(bytes.len() as u64);
                    self.moov.extend_from_slice(&bytes[..k as usize]);
                    bytes = &bytes[k as usize..];
                    self.state = if n == k {
                        State::Done
                    } else {
                        State::Keep(n - k)
                    };
                }
                State::Header => {
                    let want = if self.header.len() >= 4 && self.header[..4] == [0, 0, 0, 1] {
                        16
                    } else {
                        8
                    };
                    let k = (want - self.header.len()).min(bytes.len());
                    self.header.extend_from_slice(&bytes[..k]);
                    bytes = &bytes[k..];
                    if self.header.len() == want && (want == 16 || !self.needs_large_size()) {
                        self.state = self.next_box();
                        self.header.clear();
                    }
                }
            }
        }
    }

    fn needs_large_size(&self) -> bool {
        self.header[..4] == [0, 0, 0, 1]
    }

    /// What to do with the box whose header has just been read.
    fn next_box(&mut self) -> State {
        let h = &self.header;
        let kind = [h[4], h[5], h[6], h[7]];
        let (size, header_len) = if h.len() == 16 {
            (
                u64::from_be_bytes([h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]]),
                16,
            )
        } else {
            (u64::from(u32::from_be_bytes([h[0], h[1], h[2], h[3]])), 8)
        };
        let first = std::mem::replace(&mut self.first, false);
        // Every such file opens with `ftyp`; a size of 0 ("to the end") or one smaller
        // than its own header ends the walk.
        if (first && &kind != b"ftyp") || size < header_len {
            return State::Done;
        }
        let body = size - header_len;
        if &kind == b"moov" && body <= MOOV_LIMIT {
            self.moov = Vec::with_capacity(body.min(1 << 20) as usize);
            State::Keep(body)
        } else {
            State::Skip(body)
        }
    }

    /// The risky metadata in the `moov` box, if one went past whole.
    pub fn warnings(&self) -> Vec<Warning> {
        if self.state != State::Done || self.moov.is_empty() {
            return Vec::new();
        }
        let mut found = Found::default();
        walk(&self.moov, 0, &mut found);
        found.into_warnings()
    }
}

/// What was found, by kind; the first of each kind wins.
#[derive(Default)]
struct Found {
    place: Option<String>,
    owner: Option<String>,
    make: Option<String>,
    model: Option<String>,
    /// The recording app or encoder: shown when no make or model names the device.
    software: Option<String>,
    time: Option<String>,
    /// When the recording was made, from its headers: used where no `©day` or Apple
    /// creation date says it (those carry the phone's time zone).
    header_time: Option<String>,
    /// A track of camera telemetry, which can hold a position for every moment of the
    /// recording: what kind.
    telemetry: Option<&'static str>,
    /// A timecode track: when no header says when the recording was made, it still gives
    /// the time of day it began.
    timecode: bool,
}

impl Found {
    fn set(&mut self, field: Field, value: String) {
        let slot = match field {
            Field::Place => &mut self.place,
            Field::Owner => &mut self.owner,
            Field::Make => &mut self.make,
            Field::Software => &mut self.software,
            Field::Model => &mut self.model,
            Field::Time => &mut self.time,
        };
        let value = value.trim_matches(char::from(0)).trim().to_owned();
        if slot.is_none() && !value.is_empty() {
            *slot = Some(value);
        }
    }

    fn into_warnings(self) -> Vec<Warning> {
        let mut out = Vec::new();
        super::push_warning(&mut out, "gps_position", self.place);
        super::push_warning(
            &mut out,
            "gps_position",
            self.telemetry
                .map(|t| format!("a {t} track, which can hold a position for every moment")),
        );
        let timecode = self
            .timecode
            .then(|| "a timecode track, which gives the time of day the recording began".into());
        super::push_warning(
            &mut out,
            "time",
            self.time.or(self.header_time).or(timecode),
        );
        super::push_warning(&mut out, "owner_name", self.owner);
        let device = super::camera(self.make, self.model).or(self.software);
        super::push_warning(&mut out, "camera", device);
        out
    }
}

/// The risky things a `moov` box can hold: found by [`MoovWatch`], blanked by [`strip`].
#[derive(Debug, Clone, Copy)]
enum Field {
    Place,
    Owner,
    Make,
    Model,
    Software,
    Time,
}

impl Field {
    /// The `udta` box (or iTunes-style `ilst` item) of that type.
    fn of_box(kind: &[u8; 4]) -> Option<Self> {
        match kind {
            b"\xa9xyz" | b"loci" => Some(Self::Place),
            // Artist, author, album artist, writer, copyright: often the phone owner's name.
            b"\xa9ART" | b"\xa9aut" | b"aART" | b"\xa9wrt" | b"cprt" | b"\xa9cpy" | b"auth"
            | b"perf" => Some(Self::Owner),
            b"\xa9mak" => Some(Self::Make),
            b"\xa9swr" | b"\xa9too" => Some(Self::Software),
            b"\xa9mod" => Some(Self::Model),
            b"\xa9day" => Some(Self::Time),
            _ => None,
        }
    }

    /// Apple's `keys` entry of that name.
    fn of_key(key: &str) -> Option<Self> {
        match key {
            "com.apple.quicktime.location.ISO6709" => Some(Self::Place),
            "com.apple.quicktime.author"
            | "com.apple.quicktime.artist"
            | "com.apple.quicktime.copyright" => Some(Self::Owner),
            "com.apple.quicktime.make" => Some(Self::Make),
            "com.apple.quicktime.software" => Some(Self::Software),
            "com.apple.quicktime.model" => Some(Self::Model),
            "com.apple.quicktime.creationdate" => Some(Self::Time),
            _ => None,
        }
    }

    /// How [`strip`] names it among what it removed.
    fn removed_as(self) -> &'static str {
        match self {
            Self::Place => "location",
            Self::Owner => "owner name",
            Self::Make | Self::Model | Self::Software => "camera",
            Self::Time => "time",
        }
    }
}

/// Where a `meta` box's boxes start: ISO's carries a version and flags before them,
/// QuickTime's does not (and a box cannot be 0 bytes long, so four zero bytes are those).
fn meta_start(body: &[u8]) -> usize {
    if body.get(..4) == Some(&[0, 0, 0, 0]) {
        4
    } else {
        0
    }
}

/// The names in a `meta` box's `keys`, in order: `ilst` item `n` holds key `n`'s value.
fn meta_keys(inner: &[u8]) -> Vec<String> {
    boxes(inner)
        .filter(|(k, _)| k == b"keys")
        .flat_map(|(_, b)| key_names(b))
        .collect()
}

/// What an `ilst` item holds: named by Apple's key of its number, or by its own type.
fn item_field(keys: &[String], item: &[u8; 4]) -> Option<Field> {
    let index = u32::from_be_bytes(*item) as usize;
    keys.get(index.wrapping_sub(1))
        .and_then(|k| Field::of_key(k))
        .or_else(|| Field::of_box(item))
}

/// A box inside a buffer: its type, where its type is written, and its body's range.
#[derive(Clone, Copy)]
pub(super) struct Span {
    pub(super) kind: [u8; 4],
    pub(super) kind_at: usize,
    pub(super) body: (usize, usize),
}

/// The boxes in `bytes`, in order; stops at the first that does not fit.
pub(super) fn spans(bytes: &[u8]) -> impl Iterator<Item = Span> + '_ {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let rest = bytes.get(at..)?;
        if rest.len() < 8 {
            return None;
        }
        let size = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let kind = [rest[4], rest[5], rest[6], rest[7]];
        let (header, size) = match size {
            0 => (8, rest.len()),
            1 if rest.len() >= 16 => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&rest[8..16]);
                (16, usize::try_from(u64::from_be_bytes(b)).ok()?)
            }
            _ => (8, size),
        };
        if size < header || size > rest.len() {
            return None;
        }
        let span = Span {
            kind,
            kind_at: at + 4,
            body: (at + header, at + size),
        };
        at += size;
        Some(span)
    })
}

/// The boxes in `bytes`, as (type, body).
pub(super) fn boxes(bytes: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    spans(bytes).map(move |s| (s.kind, &bytes[s.body.0..s.body.1]))
}

/// Headers of the whole recording (`mvhd`), of a track (`tkhd`) and of its media (`mdhd`):
/// each starts with when it was made and last changed, which a phone sets to the time of
/// recording.
const HEADERS: [&[u8; 4]; 3] = [b"mvhd", b"tkhd", b"mdhd"];

/// Seconds from the ISO base media epoch (1904-01-01) to the Unix one.
const SECONDS_1904_TO_1970: i64 = 2_082_844_800;

/// Where a header's creation and modification times are in its body (after its version and
/// flags: 32-bit times in version 0, 64-bit in version 1), and how wide each is.
fn header_times(body: &[u8]) -> Option<(std::ops::Range<usize>, usize)> {
    let width = match body.first()? {
        0 => 4,
        1 => 8,
        _ => return None,
    };
    let end = 4 + 2 * width;
    (body.len() >= end).then_some((4..end, width))
}

/// A header's creation time, as RFC 3339 in UTC; `None` when unset (zero).
fn recorded_at(body: &[u8]) -> Option<String> {
    let (range, width) = header_times(body)?;
    let mut seconds = [0u8; 8];
    seconds[8 - width..].copy_from_slice(&body[range.start..range.start + width]);
    let since_1904 = i64::try_from(u64::from_be_bytes(seconds)).ok()?;
    if since_1904 == 0 {
        return None;
    }
    let unix = since_1904.checked_sub(SECONDS_1904_TO_1970)?;
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()?
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// Boxes that hold other boxes where metadata is kept.
const CONTAINERS: [&[u8; 4]; 6] = [b"moov", b"trak", b"udta", b"mdia", b"minf", b"ilst"];

fn walk(bytes: &[u8], depth: usize, found: &mut Found) {
    // Real files nest a few levels; a hostile one is not followed further.
    if depth > 8 {
        return;
    }
    for (kind, body) in boxes(bytes) {
        if let Some(field) = Field::of_box(&kind) {
            let value = match &kind {
                b"loci" => loci(body).unwrap_or_default(),
                b"auth" | b"perf" | b"cprt" => gpp_text(body),
                _ => quicktime_text(body),
            };
            found.set(field, value);
        } else if &kind == b"meta" {
            meta(body, depth, found);
        } else if HEADERS.contains(&&kind) {
            if found.header_time.is_none() {
                found.header_time = recorded_at(body);
            }
        } else if &kind == b"stbl" {
            for (_, entries) in boxes(body).filter(|(k, _)| k == b"stsd") {
                side_tracks(entries, found);
            }
        } else if CONTAINERS.contains(&&kind) {
            walk(body, depth + 1, found);
        }
    }
}

/// Cameras record telemetry, GPS among it, and the time of day as timecode, as tracks of
/// their own, in the media data where the `moov`'s metadata boxes are not (see
/// [`super::telemetry`]).
fn side_tracks(stsd: &[u8], found: &mut Found) {
    match side_track(stsd) {
        Some(SideTrack::Telemetry(kind)) => {
            found.telemetry.get_or_insert(kind);
        }
        Some(SideTrack::Timecode) => found.timecode = true,
        None => {}
    }
}

/// A track that holds neither picture nor sound, but where or when the recording was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SideTrack {
    /// Camera telemetry, which can hold a position for every moment: what kind.
    Telemetry(&'static str),
    /// Timecode: the time of day the recording began, from the camera's clock.
    Timecode,
}

/// What a track's sample descriptions (`stsd`: version and flags, a count, then one box
/// per format) say it holds, when it is such a track.
pub(super) fn side_track(stsd: &[u8]) -> Option<SideTrack> {
    boxes(stsd.get(8..)?).find_map(|(format, _)| match &format {
        b"gpmd" => Some(SideTrack::Telemetry("GoPro GPMF telemetry")),
        b"camm" => Some(SideTrack::Telemetry("camera motion metadata (CAMM)")),
        b"djmd" | b"dbgi" => Some(SideTrack::Telemetry("DJI telemetry")),
        b"rtmd" => Some(SideTrack::Telemetry("Sony real-time metadata")),
        b"tmcd" => Some(SideTrack::Timecode),
        _ => None,
    })
}

/// A `meta` box: Apple keeps its keys in `keys` and their values in `ilst`.
fn meta(body: &[u8], depth: usize, found: &mut Found) {
    let inner = &body[meta_start(body)..];
    let keys = meta_keys(inner);
    for (_, list) in boxes(inner).filter(|(k, _)| k == b"ilst") {
        for (item, content) in boxes(list) {
            if let Some(field) = item_field(&keys, &item) {
                found.set(field, data_text(content).unwrap_or_default());
            }
        }
    }
    // Anything else in it (a nested `udta`, say) is looked through as well.
    walk(inner, depth + 1, found);
}

/// `keys`: version and flags, a count, then (size, namespace, name) entries.
fn key_names(body: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let Some(mut rest) = body.get(8..) else {
        return out;
    };
    while rest.len() >= 8 {
        let size = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        if size < 8 || size > rest.len() {
            break;
        }
        out.push(String::from_utf8_lossy(&rest[8..size]).into_owned());
        rest = &rest[size..];
    }
    out
}

/// The text of an `ilst` item's `data` box (type and locale first).
fn data_text(item: &[u8]) -> Option<String> {
    let (_, data) = boxes(item).find(|(k, _)| k == b"data")?;
    Some(String::from_utf8_lossy(data.get(8..)?).into_owned())
}

/// A QuickTime user-data text: a 16-bit length and a language code, then the text. Some
/// writers put an iTunes-style `data` box there instead.
fn quicktime_text(body: &[u8]) -> String {
    if let Some(text) = data_text(body) {
        return text;
    }
    let Some(len) = body
        .get(..2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
    else {
        return String::new();
    };
    let text = body.get(4..4 + len).unwrap_or(body.get(4..).unwrap_or(&[]));
    String::from_utf8_lossy(text).into_owned()
}

/// A 3GPP text box (`auth`, `perf`, `cprt`): version and flags, a language code, then the
/// text ending in 0, UTF-8 or, after a byte-order mark, UTF-16.
fn gpp_text(body: &[u8]) -> String {
    let text = body.get(6..).unwrap_or_default();
    if let Some(wide) = text.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = wide
            .chunks_exact(2)
            .map(|u| u16::from_be_bytes([u[0], u[1]]))
            .take_while(|&u| u != 0)
            .collect();
        return String::from_utf16_lossy(&units);
    }
    let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
    String::from_utf8_lossy(&text[..end]).into_owned()
}

/// 3GPP `loci`: version and flags, language, a name ending in 0, a role, then longitude,
/// latitude and altitude as 16.16 fixed point.
fn loci(body: &[u8]) -> Option<String> {
    let rest = body.get(6..)?;
    let end = rest.iter().position(|&b| b == 0)?;
    let name = String::from_utf8_lossy(&rest[..end]).into_owned();
    let nums = rest.get(end + 2..end + 14)?;
    let fixed = |b: &[u8]| f64::from(i32::from_be_bytes([b[0], b[1], b[2], b[3]])) / 65536.0;
    let (lon, lat) = (fixed(&nums[..4]), fixed(&nums[4..8]));
    let place = format!("{lat:+.4}{lon:+.4}/");
    Some(if name.is_empty() {
        place
    } else {
        format!("{place} {name}")
    })
}

/// The media types [`strip`] handles.
pub fn strippable(media_type: &str) -> bool {
    matches!(
        media_type,
        "video/mp4"
            | "video/quicktime"
            | "video/3gpp"
            | "video/3gpp2"
            | "video/x-m4v"
            | "audio/mp4"
            | "audio/m4a"
            | "audio/x-m4a"
    )
}

/// Copies an ISO base media file to `out` with the place, device and time that
/// [`MoovWatch`] finds blanked out where they are: their `udta` boxes become `free` boxes of
/// the same size, and Apple's values turn to zeros, so that no offset into the media
/// changes and every player still plays it. Returns what was blanked (nothing: the copy is
/// identical). A `moov` larger than [`MOOV_LIMIT`], or without a size, is an error: the
/// copy would keep what it holds. The telemetry tracks in `plan` (from
/// [`super::telemetry::plan`] of the same file) go too: their samples become zeros.
pub fn strip(input: &mut dyn Read, plan: &Plan, out: &mut dyn Write) -> io::Result<Vec<String>> {
    strip_boxes(input, plan, out, false)
}

/// Copies a HEIF photo (HEIC, AVIF) to `out` with the EXIF and XMP items that `plan` (from
/// [`super::heif::plan`] of the same file) locates turned to zeros where they lie: its
/// top-level `meta` box, which describes the picture, stays; user-data and `uuid` boxes
/// go as in [`strip`].
pub fn strip_image(
    input: &mut dyn Read,
    plan: &Plan,
    out: &mut dyn Write,
) -> io::Result<Vec<String>> {
    strip_boxes(input, plan, out, true)
}

fn strip_boxes(
    input: &mut dyn Read,
    plan: &Plan,
    out: &mut dyn Write,
    image: bool,
) -> io::Result<Vec<String>> {
    let mut removed = Vec::new();
    let mut first = true;
    // Where in the file the next box starts, and how much telemetry has been blanked.
    let mut at = 0u64;
    let mut blanked = 0u64;
    loop {
        let mut header = [0u8; 16];
        let got = read_up_to(input, &mut header[..8])?;
        if got == 0 && !first {
            return planned(removed, plan, blanked);
        }
        if got < 8 {
            return Err(bad("an ISO media file cut short"));
        }
        let kind = [header[4], header[5], header[6], header[7]];
        if std::mem::replace(&mut first, false) && &kind != b"ftyp" {
            return Err(bad("not an ISO media file"));
        }
        let size32 = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let (size, header_len) = match size32 {
            0 => (None, 8),
            1 => {
                input.read_exact(&mut header[8..16])?;
                let mut b = [0u8; 8];
                b.copy_from_slice(&header[8..16]);
                (Some(u64::from_be_bytes(b)), 16)
            }
            n => (Some(u64::from(n)), 8),
        };
        // A photo's `meta` is its index: only the items the plan names are blanked.
        let user_data = USER_DATA.contains(&&kind) && !(image && &kind == b"meta");
        if user_data {
            header[4..8].copy_from_slice(b"free");
        }
        out.write_all(&header[..header_len])?;
        let body_at = at + header_len as u64;
        let Some(size) = size else {
            // The last box runs to the end of the file.
            if &kind == b"moov" {
                return Err(bad(
                    "its moov box runs to the end of the file, which Aigaq does not strip",
                ));
            }
            if user_data {
                io::copy(input, &mut Zeros(out))?;
                note(&mut removed, "other metadata");
            } else {
                blanked += copy_blanking(input, body_at, plan, out)?;
            }
            return planned(removed, plan, blanked);
        };
        let body = size
            .checked_sub(header_len as u64)
            .ok_or_else(|| bad("a damaged ISO media box"))?;
        if user_data {
            // Outside the moov too (an XMP `uuid` box, say): the same size of nothing.
            if io::copy(&mut input.take(body), &mut Zeros(out))? != body {
                return Err(bad("an ISO media file cut short"));
            }
            note(&mut removed, "other metadata");
        } else if &kind == b"moov" {
            if body > MOOV_LIMIT {
                return Err(bad("its moov box is larger than Aigaq strips"));
            }
            // Grown as bytes arrive: a header may claim more than the file holds.
            let mut moov = Vec::with_capacity(body.min(1 << 20) as usize);
            if input.take(body).read_to_end(&mut moov)? as u64 != body {
                return Err(bad("an ISO media file cut short"));
            }
            drop_tracks(&mut moov, body_at, plan, &mut removed);
            blank(&mut moov, 0, &mut removed)?;
            out.write_all(&moov)?;
        } else {
            let mut part = input.take(body);
            blanked += copy_blanking(&mut part, body_at, plan, out)?;
            if part.limit() != 0 {
                return Err(bad("an ISO media file cut short"));
            }
        }
        at = body_at + body;
    }
}

/// The tracks of `plan` in a `moov` (whose body starts at `at` in the file) become `free`
/// boxes of zeros.
fn drop_tracks(moov: &mut [u8], at: u64, plan: &Plan, removed: &mut Vec<String>) {
    let found: Vec<Span> = spans(moov)
        .filter(|s| &s.kind == b"trak" && plan.tracks.contains(&(at + s.kind_at as u64)))
        .collect();
    for s in found {
        let what = match super::telemetry::side_track_of(&moov[s.body.0..s.body.1]) {
            Some(SideTrack::Timecode) => "timecode track",
            _ => "telemetry track",
        };
        moov[s.kind_at..s.kind_at + 4].copy_from_slice(b"free");
        moov[s.body.0..s.body.1].fill(0);
        note(removed, what);
    }
}

/// What was removed, once every sample the plan blanks was met in the media data.
pub(super) fn planned(
    mut removed: Vec<String>,
    plan: &Plan,
    blanked: u64,
) -> io::Result<Vec<String>> {
    if blanked != plan.zero_len() {
        return Err(bad(if plan.tracks.is_empty() {
            "its EXIF or XMP is not where its index says"
        } else {
            "its telemetry samples are not where its index says"
        }));
    }
    if blanked > 0 {
        for what in &plan.notes {
            note(&mut removed, what);
        }
    }
    Ok(removed)
}

/// Copies `input` (which starts at `at` in the file) to its end, with the bytes in the
/// plan's `zero` ranges (ordered) written as zeros, then its fills over them; returns how
/// many were zeroed.
pub(super) fn copy_blanking(
    input: &mut dyn Read,
    at: u64,
    plan: &Plan,
    out: &mut dyn Write,
) -> io::Result<u64> {
    let mut buf = vec![0u8; 64 * 1024];
    let (mut at, mut blanked) = (at, 0u64);
    // The ranges that end after `at`, in order.
    let zero = &plan.zero;
    let mut zero = &zero[zero.partition_point(|r| r.end <= at)..];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok(blanked),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let end = at + n as u64;
        while let Some(r) = zero.first() {
            if r.start >= end {
                break;
            }
            let (from, to) = (r.start.max(at), r.end.min(end));
            buf[(from - at) as usize..(to - at) as usize].fill(0);
            blanked += to - from;
            if r.end > end {
                break;
            }
            zero = &zero[1..];
        }
        for fill in &plan.fills {
            fill.apply(at, &mut buf[..n]);
        }
        out.write_all(&buf[..n])?;
        at = end;
    }
}

/// Writes as many zeros as it is given bytes.
pub(super) struct Zeros<'a>(pub(super) &'a mut dyn Write);

impl Write for Zeros<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        const NOTHING: [u8; 8192] = [0; 8192];
        let n = buf.len().min(NOTHING.len());
        self.0.write_all(&NOTHING[..n])?;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Reads until `buf` is full or the input ends; returns how much was read.
fn read_up_to(input: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match input.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn blank(bytes: &mut [u8], depth: usize, removed: &mut Vec<String>) -> io::Result<()> {
    if depth > 8 {
        return Ok(());
    }
    let found: Vec<Span> = spans(bytes).collect();
    // A box that does not fit would hide everything after it from this walk, while
    // lenient players still read it.
    let end = found.last().map_or(0, |s| s.body.1);
    if bytes[end..].iter().any(|&b| b != 0) {
        return Err(bad("a box in the moov does not fit in its parent"));
    }
    for span in found {
        let (from, to) = span.body;
        if let Some(field) = Field::of_box(&span.kind) {
            bytes[span.kind_at..span.kind_at + 4].copy_from_slice(b"free");
            bytes[from..to].fill(0);
            note(removed, field.removed_as());
        } else if USER_DATA.contains(&&span.kind) {
            // What is known is blanked first, so that the list says what went; then the
            // whole box goes: user data, Apple's metadata and vendors' `uuid` boxes (XMP
            // among them) hold nothing a player needs, and owners, software, places and
            // times in forms this file does not name.
            if &span.kind == b"meta" {
                blank_meta(&mut bytes[from..to], depth, removed)?;
            } else if &span.kind == b"udta" {
                blank(&mut bytes[from..to], depth + 1, removed)?;
            }
            if !only_blank(&bytes[from..to]) {
                note(removed, "other metadata");
            }
            bytes[span.kind_at..span.kind_at + 4].copy_from_slice(b"free");
            bytes[from..to].fill(0);
        } else if HEADERS.contains(&&span.kind) {
            // Zero is the format's "not known": players and editors take it.
            if let Some((times, _)) = header_times(&bytes[from..to]) {
                let times = &mut bytes[from + times.start..from + times.end];
                if times.iter().any(|&b| b != 0) {
                    times.fill(0);
                    note(removed, Field::Time.removed_as());
                }
            }
        } else if CONTAINERS.contains(&&span.kind) && &span.kind != b"ilst" {
            blank(&mut bytes[from..to], depth + 1, removed)?;
        }
    }
    Ok(())
}

/// Boxes whose whole content is metadata.
const USER_DATA: [&[u8; 4]; 3] = [b"udta", b"meta", b"uuid"];

/// Whether `bytes` hold only `free` boxes of zeros (or nothing at all).
fn only_blank(bytes: &[u8]) -> bool {
    let mut end = 0;
    for s in spans(bytes) {
        if &s.kind != b"free" || bytes[s.body.0..s.body.1].iter().any(|&b| b != 0) {
            return false;
        }
        end = s.body.1;
    }
    bytes[end..].iter().all(|&b| b == 0)
}

/// Zeroes the values of the risky items of a `meta` box's `ilst` (Apple's keys, or
/// iTunes-style items named by type), then looks through the rest of it.
fn blank_meta(body: &mut [u8], depth: usize, removed: &mut Vec<String>) -> io::Result<()> {
    let skip = meta_start(body);
    let inner = &mut body[skip..];
    let keys = meta_keys(inner);
    let lists: Vec<Span> = spans(inner).filter(|s| &s.kind == b"ilst").collect();
    for list in lists {
        let (from, to) = list.body;
        let items: Vec<Span> = spans(&inner[from..to]).collect();
        for item in items {
            let Some(field) = item_field(&keys, &item.kind) else {
                continue;
            };
            let (a, b) = (from + item.body.0, from + item.body.1);
            let data: Vec<Span> = spans(&inner[a..b]).filter(|s| &s.kind == b"data").collect();
            for d in data {
                // A data box's type and locale stay; its value goes.
                let (da, db) = (a + d.body.0, a + d.body.1);
                if db > da + 8 && inner[da + 8..db].iter().any(|&v| v != 0) {
                    inner[da + 8..db].fill(0);
                    note(removed, field.removed_as());
                }
            }
        }
    }
    blank(inner, depth + 1, removed)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(in crate::media) fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    /// A full box's body: version and flags (zero), then 32-bit values.
    pub(in crate::media) fn full(values: &[u32]) -> Vec<u8> {
        let mut b = vec![0, 0, 0, 0];
        for v in values {
            b.extend_from_slice(&v.to_be_bytes());
        }
        b
    }

    fn qt_text(s: &str) -> Vec<u8> {
        let mut out = (s.len() as u16).to_be_bytes().to_vec();
        out.extend_from_slice(&[0x15, 0xc7]);
        out.extend_from_slice(s.as_bytes());
        out
    }

    fn data(s: &str) -> Vec<u8> {
        let mut body = vec![0, 0, 0, 1, 0, 0, 0, 0];
        body.extend_from_slice(s.as_bytes());
        bx(b"data", &body)
    }

    /// An Android phone's video: `moov` after the media, `©xyz` in `udta`.
    pub(crate) fn android(moov_first: bool) -> Vec<u8> {
        let udta = [
            bx(b"\xa9xyz", &qt_text("+43.2380+076.9450/")),
            bx(b"\xa9mak", &qt_text("FixturePhone")),
            bx(b"\xa9mod", &qt_text("Model X")),
        ]
        .concat();
        let moov = bx(
            b"moov",
            &[bx(b"mvhd", &[0; 100]), bx(b"udta", &udta)].concat(),
        );
        let ftyp = bx(b"ftyp", b"isom\0\0\x02\0isomiso2mp41");
        let mdat = bx(b"mdat", &vec![7u8; 300_000]);
        if moov_first {
            [ftyp, moov, mdat].concat()
        } else {
            [ftyp, mdat, moov].concat()
        }
    }

    /// An iPhone's: Apple's keys in `moov`'s `meta`, and a 64-bit `mdat` size.
    fn iphone() -> Vec<u8> {
        let names = [
            "com.apple.quicktime.location.ISO6709",
            "com.apple.quicktime.make",
            "com.apple.quicktime.model",
            "com.apple.quicktime.creationdate",
        ];
        let mut keys = vec![0, 0, 0, 0];
        keys.extend_from_slice(&(names.len() as u32).to_be_bytes());
        for n in names {
            keys.extend_from_slice(&((n.len() + 8) as u32).to_be_bytes());
            keys.extend_from_slice(b"mdta");
            keys.extend_from_slice(n.as_bytes());
        }
        let values = [
            "+51.5074-000.1278+011.000/",
            "Apple",
            "iPhone 15",
            "2022-01-05T10:11:12+0600",
        ];
        let ilst: Vec<u8> = values
            .iter()
            .enumerate()
            .flat_map(|(i, v)| bx(&(i as u32 + 1).to_be_bytes(), &data(v)))
            .collect();
        let meta = bx(
            b"meta",
            &[
                bx(b"hdlr", &[0; 25]),
                bx(b"keys", &keys),
                bx(b"ilst", &ilst),
            ]
            .concat(),
        );
        let moov = bx(b"moov", &[bx(b"mvhd", &[0; 100]), meta].concat());
        let mut mdat = vec![0, 0, 0, 1];
        mdat.extend_from_slice(b"mdat");
        mdat.extend_from_slice(&(16u64 + 5000).to_be_bytes());
        mdat.extend_from_slice(&[9u8; 5000]);
        [bx(b"ftyp", b"qt  \0\0\0\0qt  "), mdat, moov].concat()
    }

    fn watched(file: &[u8], piece: usize) -> Vec<Warning> {
        let mut w = MoovWatch::new();
        for chunk in file.chunks(piece) {
            w.feed(chunk);
        }
        w.warnings()
    }

    pub(in crate::media) fn get(found: &[Warning], field: &str) -> Option<String> {
        found
            .iter()
            .find(|w| w.field == field)
            .map(|w| w.value.clone())
    }

    #[test]
    fn a_phone_video_gives_away_place_and_device_however_its_bytes_arrive() {
        for moov_first in [false, true] {
            let file = android(moov_first);
            for piece in [1, 3, 7, 8, 15, 16, 4096, 1 << 20] {
                let found = watched(&file, piece);
                assert_eq!(
                    get(&found, "gps_position").as_deref(),
                    Some("+43.2380+076.9450/")
                );
                assert_eq!(
                    get(&found, "camera").as_deref(),
                    Some("FixturePhone Model X")
                );
            }
        }
        for piece in [1, 5, 16, 1000] {
            let found = watched(&iphone(), piece);
            assert_eq!(
                get(&found, "gps_position").as_deref(),
                Some("+51.5074-000.1278+011.000/")
            );
            assert_eq!(get(&found, "camera").as_deref(), Some("Apple iPhone 15"));
            assert_eq!(
                get(&found, "time").as_deref(),
                Some("2022-01-05T10:11:12+0600")
            );
        }
    }

    #[test]
    fn the_owner_s_name_and_the_recording_app_are_shown_and_go() {
        let file = |udta: &[u8]| {
            [
                bx(b"ftyp", b"isom\0\0\0\0isom"),
                bx(b"moov", &bx(b"udta", udta)),
            ]
            .concat()
        };
        // A 3GPP author: version and flags, language, then UTF-16 text after its mark.
        let mut auth = vec![0, 0, 0, 0, 0x15, 0xc7, 0xfe, 0xff];
        auth.extend("Айгерим".encode_utf16().flat_map(u16::to_be_bytes));
        auth.extend_from_slice(&[0, 0]);
        let ilst = [
            bx(b"\xa9ART", &data("Aigerim B.")),
            bx(b"\xa9too", &data("Lavf59.27.100")),
        ]
        .concat();
        let meta = bx(b"meta", &[full(&[]), bx(b"ilst", &ilst)].concat());
        for (udta, owner) in [
            (meta.clone(), "Aigerim B."),
            (bx(b"auth", &auth), "Айгерим"),
            (bx(b"\xa9aut", &qt_text("Field Worker")), "Field Worker"),
        ] {
            let file = file(&udta);
            assert_eq!(
                get(&watched(&file, 7), "owner_name").as_deref(),
                Some(owner)
            );
            let mut copy = Vec::new();
            let removed = strip(&mut &file[..], &Plan::default(), &mut copy).unwrap();
            assert!(removed.contains(&"owner name".to_owned()), "{removed:?}");
            assert_eq!(watched(&copy, 7), []);
            assert_eq!(copy.len(), file.len());
        }
        // The encoder names the device only when no make or model does.
        let found = watched(&file(&meta), 3);
        assert_eq!(get(&found, "camera").as_deref(), Some("Lavf59.27.100"));
        let with_make = [
            bx(b"\xa9too", &qt_text("Lavf")),
            bx(b"\xa9mak", &qt_text("Zoom")),
        ];
        let found = watched(&file(&with_make.concat()), 5);
        assert_eq!(get(&found, "camera").as_deref(), Some("Zoom"));
    }

    /// A track of one sample per chunk.
    fn track(format: &[u8; 4], sizes: &[u32], offsets: &[u32]) -> Vec<u8> {
        let mut stsd = full(&[1]);
        stsd.extend_from_slice(&bx(format, &[0; 8]));
        let count = |n: usize| u32::try_from(n).unwrap();
        let stbl = [
            bx(b"stsd", &stsd),
            bx(b"stsz", &full(&[&[0, count(sizes.len())], sizes].concat())),
            // One run: from the first chunk on, one sample each.
            bx(b"stsc", &full(&[1, 1, 1, 1])),
            bx(b"stco", &full(&[&[count(offsets.len())], offsets].concat())),
        ]
        .concat();
        let minf = bx(b"minf", &bx(b"stbl", &stbl));
        let mdia = bx(b"mdia", &[bx(b"mdhd", &[0; 24]), minf].concat());
        bx(b"trak", &[bx(b"tkhd", &[0; 84]), mdia].concat())
    }

    const GPS: &[u8; 24] = b"DEVC GPS5 43.238 76.945\0";
    const FRAME: usize = 300_000;
    /// A timecode sample: the frame count at which the recording began (10:11:12 at 30
    /// frames a second).
    const TIMECODE: [u8; 4] = 1_101_960u32.to_be_bytes();

    /// An action camera's video: a video track, a GoPro telemetry track whose two samples
    /// (GPS) lie in the media data between the video's, and a timecode track. `gps_at`
    /// moves where the telemetry's index says its samples are, by that many bytes.
    fn gopro_with(moov_first: bool, gps_at: i64) -> Vec<u8> {
        let ftyp = bx(b"ftyp", b"mp41\0\0\0\0mp41");
        let media = [
            vec![b'V'; FRAME],
            GPS.to_vec(),
            vec![b'W'; 500],
            GPS.to_vec(),
            TIMECODE.to_vec(),
        ]
        .concat();
        let moov = |at: u32| {
            let gps = |o: u32| (i64::from(o) + gps_at) as u32;
            let trak = [
                track(b"avc1", &[FRAME as u32, 500], &[at, at + FRAME as u32 + 24]),
                track(
                    b"gpmd",
                    &[24, 24],
                    &[gps(at + FRAME as u32), gps(at + FRAME as u32 + 524)],
                ),
                track(b"tmcd", &[4], &[at + FRAME as u32 + 548]),
            ];
            bx(b"moov", &[bx(b"mvhd", &[0; 100]), trak.concat()].concat())
        };
        let moov_len = moov(0).len();
        if moov_first {
            let at = (ftyp.len() + moov_len + 8) as u32;
            [ftyp, moov(at), bx(b"mdat", &media)].concat()
        } else {
            let at = (ftyp.len() + 8) as u32;
            [ftyp, bx(b"mdat", &media), moov(at)].concat()
        }
    }

    fn gopro() -> Vec<u8> {
        gopro_with(false, 0)
    }

    fn planned(file: &[u8]) -> Plan {
        crate::media::telemetry::plan(&mut io::Cursor::new(file)).unwrap()
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    #[test]
    fn a_telemetry_track_is_a_position_however_its_bytes_arrive() {
        for moov_first in [false, true] {
            for piece in [1, 9, 4096] {
                let found = watched(&gopro_with(moov_first, 0), piece);
                // No header says when; the timecode track still does.
                assert_eq!(
                    get(&found, "time").as_deref(),
                    Some("a timecode track, which gives the time of day the recording began")
                );
                assert_eq!(
                    get(&found, "gps_position").as_deref(),
                    Some(
                        "a GoPro GPMF telemetry track, which can hold a position for every moment"
                    )
                );
            }
        }
        // A phone video has no such track.
        assert!(watched(&android(true), 4096)
            .iter()
            .all(|w| !w.value.contains("track")));
    }

    #[test]
    fn a_telemetry_track_goes_with_its_samples_and_nothing_else_moves() {
        for moov_first in [false, true] {
            let file = gopro_with(moov_first, 0);
            let plan = planned(&file);
            assert_eq!(plan.tracks.len(), 2);
            assert_eq!(plan.zero_len(), 52);
            let mut copy = Vec::new();
            let removed = strip(&mut &file[..], &plan, &mut copy).unwrap();
            assert_eq!(removed, ["telemetry track", "timecode track"]);
            assert_eq!(copy.len(), file.len());
            for gone in [&b"GPS5"[..], b"gpmd", b"tmcd", &TIMECODE] {
                assert_eq!(find(&copy, gone), None);
            }
            assert!(
                watched(&copy, 4096).is_empty(),
                "{:?}",
                watched(&copy, 4096)
            );
            // The video's samples and its track are where they were.
            let frame = find(&file, &[b'V'; 64]).unwrap();
            assert_eq!(copy[frame..frame + FRAME], file[frame..frame + FRAME]);
            let second = find(&file, &[b'W'; 500]).unwrap();
            assert_eq!(copy[second..second + 500], file[second..second + 500]);
            let video = find(&file, b"avc1").unwrap();
            assert_eq!(copy[video - 200..video + 8], file[video - 200..video + 8]);
            // Only those tracks' samples and the tracks changed: each byte that differs was
            // a GPS or timecode sample's, or lies in a `trak` now called `free`.
            let samples = [
                frame + FRAME..frame + FRAME + 24,
                second + 500..second + 528,
            ];
            let moov = find(&copy, b"moov").unwrap() + 4;
            let freed: Vec<std::ops::Range<usize>> = spans(&copy[moov..])
                .filter(|s| &s.kind == b"free")
                .map(|s| moov + s.kind_at - 4..moov + s.body.1)
                .collect();
            assert_eq!(freed.len(), 2);
            for (i, (a, b)) in file.iter().zip(&copy).enumerate() {
                if a != b {
                    let blanked = samples.iter().chain(&freed).any(|r| r.contains(&i));
                    assert!(blanked, "byte {i} changed");
                }
            }
        }
    }

    #[test]
    fn the_index_is_read_without_the_media() {
        struct Counted<'a>(io::Cursor<&'a [u8]>, u64);
        impl Read for Counted<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.read(buf)?;
                self.1 += n as u64;
                Ok(n)
            }
        }
        impl io::Seek for Counted<'_> {
            fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
                self.0.seek(to)
            }
        }
        let file = gopro();
        let mut counted = Counted(io::Cursor::new(&file[..]), 0);
        assert_eq!(
            crate::media::telemetry::plan(&mut counted)
                .unwrap()
                .tracks
                .len(),
            2
        );
        assert!(counted.1 < 2000, "{} bytes read", counted.1);
    }

    #[test]
    fn a_telemetry_track_whose_index_does_not_hold_is_kept_and_the_copy_says_so() {
        // Its samples said to be somewhere else: in the moov, or past the end.
        for file in [
            gopro_with(true, -(FRAME as i64) - 100),
            gopro_with(false, 1_000_000),
        ] {
            // Only the timecode track is planned away.
            let plan = planned(&file);
            assert_eq!(plan.tracks.len(), 1);
            let mut copy = Vec::new();
            let removed = strip(&mut &file[..], &plan, &mut copy).unwrap();
            assert_eq!(removed, ["timecode track"]);
            assert!(get(&watched(&copy, 4096), "gps_position").is_some());
        }
        // Without a plan, the track stays, and the copy still says so: that is what makes
        // an export with --strip-metadata refuse the file.
        let mut copy = Vec::new();
        strip(&mut &gopro()[..], &Plan::default(), &mut copy).unwrap();
        assert!(get(&watched(&copy, 4096), "gps_position").is_some());
        assert!(find(&copy, b"GPS5").is_some());
        // A plan made for another file is not carried out halfway.
        let other = planned(&gopro_with(true, 0));
        let err = strip(&mut &gopro()[..], &other, &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("telemetry"), "{err}");
    }

    #[test]
    fn the_sniffer_reports_a_video_s_place_with_its_type() {
        for (file, media_type) in [(android(false), "video/mp4"), (iphone(), "video/quicktime")] {
            let mut sniffer = crate::media::Sniffer::new();
            for chunk in file.chunks(64 * 1024) {
                sniffer.feed(chunk);
            }
            let (t, found) = sniffer.describe();
            assert_eq!(t, media_type);
            assert!(get(&found, "gps_position").is_some(), "{found:?}");
        }
    }

    fn stripped(file: &[u8]) -> (Vec<u8>, Vec<String>) {
        let mut out = Vec::new();
        let removed = strip(&mut &file[..], &planned(file), &mut out).unwrap();
        (out, removed)
    }

    #[test]
    fn stripped_videos_keep_every_offset_and_lose_place_device_and_time() {
        for (file, what) in [
            (android(false), vec!["location", "camera"]),
            (android(true), vec!["location", "camera"]),
            (
                iphone(),
                vec!["location", "camera", "time", "other metadata"],
            ),
        ] {
            let (out, removed) = stripped(&file);
            assert_eq!(removed, what);
            assert_eq!(out.len(), file.len());
            assert!(watched(&out, 4096).is_empty());
            // Only bytes inside moov changed; the media data is untouched.
            let at = file.windows(4).position(|w| w == b"moov").unwrap() - 4;
            let len = u32::from_be_bytes([file[at], file[at + 1], file[at + 2], file[at + 3]]);
            let moov = at..at + len as usize;
            for (i, (a, b)) in file.iter().zip(&out).enumerate() {
                assert!(a == b || moov.contains(&i), "byte {i} changed");
            }
            // Stripping again finds nothing more.
            assert!(stripped(&out).1.is_empty());
        }
    }

    /// A header box of `kind`, `version` 0 or 1, made and changed at `unix` seconds.
    fn header(kind: &[u8; 4], version: u8, unix: i64) -> Vec<u8> {
        let t = (unix + SECONDS_1904_TO_1970) as u64;
        let mut body = vec![version, 0, 0, 0];
        for _ in 0..2 {
            if version == 1 {
                body.extend_from_slice(&t.to_be_bytes());
            } else {
                body.extend_from_slice(&(t as u32).to_be_bytes());
            }
        }
        body.extend_from_slice(&[0; 80]);
        bx(kind, &body)
    }

    #[test]
    fn a_recording_s_header_times_are_shown_and_blanked() {
        // 2022-01-05T04:11:12Z, in the recording's, a track's and its media's headers.
        let at = 1_641_355_872;
        let trak = bx(
            b"trak",
            &[header(b"tkhd", 1, at), bx(b"mdia", &header(b"mdhd", 0, at))].concat(),
        );
        let moov = bx(b"moov", &[header(b"mvhd", 0, at), trak].concat());
        let file = [bx(b"ftyp", b"isom\0\0\0\0"), bx(b"mdat", &[5; 1000]), moov].concat();
        for piece in [1, 7, 4096] {
            assert_eq!(
                get(&watched(&file, piece), "time").as_deref(),
                Some("2022-01-05T04:11:12Z")
            );
        }
        let (out, removed) = stripped(&file);
        assert_eq!(removed, ["time"]);
        assert_eq!(out.len(), file.len());
        assert!(watched(&out, 4096).is_empty());
        // Both times of all three headers, and no more, were there; none is left.
        let t = ((at + SECONDS_1904_TO_1970) as u32).to_be_bytes();
        assert_eq!(file.windows(4).filter(|w| w == &t).count(), 6);
        assert_eq!(out.windows(4).filter(|w| w == &t).count(), 0);
        assert!(stripped(&out).1.is_empty());
        // A phone's own creation date, with its time zone, is the one shown.
        let mut apple = iphone();
        let mvhd = apple.windows(4).position(|w| w == b"mvhd").unwrap() + 4;
        apple[mvhd + 4..mvhd + 8]
            .copy_from_slice(&((at + SECONDS_1904_TO_1970) as u32).to_be_bytes());
        assert_eq!(
            get(&watched(&apple, 64), "time").as_deref(),
            Some("2022-01-05T10:11:12+0600")
        );
        // A header of another version, or cut short, gives nothing.
        let odd = bx(
            b"moov",
            &[
                bx(b"mvhd", &[2, 0, 0, 0, 1, 2, 3, 4]),
                bx(b"mvhd", &[0, 0, 0]),
            ]
            .concat(),
        );
        assert!(watched(&[bx(b"ftyp", b"isom"), odd].concat(), 5).is_empty());
    }

    #[test]
    fn what_cannot_be_stripped_is_an_error_or_left_whole() {
        assert!(strip(
            &mut &b"not a video at all"[..],
            &Plan::default(),
            &mut Vec::new()
        )
        .is_err());
        let mut cut = android(false);
        cut.truncate(cut.len() - 10);
        assert!(strip(&mut &cut[..], &Plan::default(), &mut Vec::new()).is_err());
        // No metadata: an identical copy, nothing removed.
        let plain = [bx(b"ftyp", b"isom\0\0\0\0"), bx(b"mdat", &[1; 100])].concat();
        let (out, removed) = stripped(&plain);
        assert_eq!((out, removed.len()), (plain, 0));
    }

    /// Metadata in places and forms the detector does not name goes too: an owner and
    /// the software in `udta`, a place in an `ilst` outside any `meta`, and an XMP `uuid`
    /// box beside the media.
    #[test]
    fn user_data_goes_whole_whatever_it_holds() {
        let udta = [
            bx(b"\xa9ART", &qt_text("Hidden Owner")),
            bx(b"\xa9swr", &qt_text("RecorderApp 1.0")),
            bx(
                b"ilst",
                &bx(
                    b"\xa9xyz",
                    &bx(b"data", b"\0\0\0\x01\0\0\0\0+43.2380+076.9450/"),
                ),
            ),
        ]
        .concat();
        let moov = bx(
            b"moov",
            &[bx(b"mvhd", &[0; 100]), bx(b"udta", &udta)].concat(),
        );
        let mut xmp = b"\xbe\x7a\xcf\xcb\x97\xa9\x42\xe8\x9c\x71\x99\x94\x91\xe3\xaf\xac".to_vec();
        xmp.extend_from_slice(b"<dc:creator>Hidden Owner</dc:creator> GPS 43.238");
        let file = [
            bx(b"ftyp", b"isom\0\0\x02\0isomiso2mp41"),
            bx(b"uuid", &xmp),
            moov,
            bx(b"mdat", &[7u8; 1000]),
        ]
        .concat();
        let (out, removed) = stripped(&file);
        assert!(removed.iter().any(|r| r == "other metadata"), "{removed:?}");
        assert_eq!(out.len(), file.len());
        let text = String::from_utf8_lossy(&out);
        for gone in ["Hidden Owner", "RecorderApp", "+43.2380", "GPS"] {
            assert!(!text.contains(gone), "{gone} is still there");
        }
        assert!(out.ends_with(&[7u8; 1000]), "the media is untouched");
        assert!(stripped(&out).1.is_empty());
    }

    /// Android's 3GPP recordings and cameras' own brands are ISO media like any MP4: they
    /// are recognised, and stripped.
    #[test]
    fn any_ftyp_brand_is_iso_media() {
        for (brand, media_type) in [
            (b"3gp4", "video/3gpp"),
            (b"3g2a", "video/3gpp2"),
            (b"XAVC", "video/mp4"),
            (b"CAEP", "video/mp4"),
        ] {
            let udta = bx(b"\xa9xyz", &qt_text("+43.2380+076.9450/"));
            let moov = bx(
                b"moov",
                &[bx(b"mvhd", &[0; 100]), bx(b"udta", &udta)].concat(),
            );
            let file = [bx(b"ftyp", &[&brand[..], &[0; 4]].concat()), moov].concat();
            let mut sniffer = crate::media::Sniffer::new();
            sniffer.feed(&file);
            let (t, found) = sniffer.describe();
            assert_eq!(t, media_type);
            assert!(get(&found, "gps_position").is_some(), "{found:?}");
            assert!(strippable(&t));
            let (out, removed) = stripped(&file);
            assert_eq!(removed, ["location"]);
            assert!(!String::from_utf8_lossy(&out).contains("+43.2380"));
        }
    }

    /// A box longer than what holds it would hide what follows it from the stripper (and
    /// not from a lenient player): such a file is not stripped at all.
    #[test]
    fn a_box_that_does_not_fit_stops_the_stripping() {
        let udta = bx(b"\xa9xyz", &qt_text("+43.2380+076.9450/"));
        let mut inner = [bx(b"mvhd", &[0; 100]), bx(b"udta", &udta)].concat();
        let udta_at = 108;
        let len = u32::from_be_bytes(inner[udta_at..udta_at + 4].try_into().unwrap());
        inner[udta_at..udta_at + 4].copy_from_slice(&(len + 1).to_be_bytes());
        let file = [bx(b"ftyp", b"isom\0\0\0\0"), bx(b"moov", &inner)].concat();
        let mut out = Vec::new();
        assert!(strip(&mut &file[..], &Plan::default(), &mut out).is_err());
    }

    #[test]
    fn a_3gpp_location_is_read_from_its_fixed_point_numbers() {
        let mut loci_body = vec![0, 0, 0, 0, 0x15, 0xc7];
        loci_body.extend_from_slice(b"Almaty\0");
        loci_body.push(0);
        for v in [76.945f64, 43.238, 800.0] {
            loci_body.extend_from_slice(&((v * 65536.0) as i32).to_be_bytes());
        }
        let moov = bx(b"moov", &bx(b"udta", &bx(b"loci", &loci_body)));
        let file = [bx(b"ftyp", b"3gp4\0\0\0\0"), moov].concat();
        let found = watched(&file, 10);
        assert_eq!(
            get(&found, "gps_position").as_deref(),
            Some("+43.2380+76.9450/ Almaty")
        );
        let (out, removed) = stripped(&file);
        assert_eq!(removed, ["location"]);
        assert!(watched(&out, 10).is_empty());
    }

    #[test]
    fn other_files_and_damaged_ones_give_nothing_and_never_panic() {
        assert!(watched(b"plain text, long enough to have a header", 4).is_empty());
        let mut file = android(false);
        // The moov cut short: it never went past whole.
        file.truncate(file.len() - 10);
        assert!(watched(&file, 100).is_empty());
        // Sizes that lie, everywhere, in the moov.
        let good = android(true);
        let moov_at = good.windows(4).position(|w| w == b"moov").unwrap() + 4;
        for i in moov_at..moov_at + 200 {
            for v in [0u8, 1, 0x7f, 0xff] {
                let mut bad = good.clone();
                bad[i] = v;
                let _ = watched(&bad, 333);
            }
        }
        // A moov too large to keep is skipped.
        let mut huge = bx(b"ftyp", b"isom");
        huge.extend_from_slice(&((MOOV_LIMIT + 9) as u32).to_be_bytes());
        huge.extend_from_slice(b"moov");
        let mut w = MoovWatch::new();
        w.feed(&huge);
        w.feed(&[0u8; 4096]);
        assert!(w.warnings().is_empty() && w.moov.is_empty());
    }
}

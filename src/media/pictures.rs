//! Photos inside documents. Word, Excel and PowerPoint 97–2003 files and RTF keep a pasted
//! photo's JPEG or PNG bytes as the camera wrote them, EXIF included: a photo of injuries
//! pasted into a `.doc` still says where it was taken, with which phone, and when. Here such
//! pictures are found wherever they lie in a document's bytes and their metadata blanked
//! where it stands, at the same length, because the formats that hold them find everything
//! by offsets: nothing may move.
//!
//! A JPEG's metadata segments (the same ones [`super::strip`] leaves out of a photo) become
//! comments full of zero bytes; a JFIF thumbnail becomes zeros. A PNG's metadata chunks are
//! renamed to a private chunk no reader knows ([`BLANK_CHUNK`]) that holds zeros, with its
//! checksum made again. A picture is recognised only by its whole header (for a JPEG, a
//! chain of well-formed segments up to a frame and a scan; for a PNG, its signature and
//! header chunk), so bytes that merely look like a picture's first ones are left alone.
//! EXIF that is still there afterwards ([`leftover`]: a picture cut short, or one split
//! across the records of an Excel stream that were not joined) is reported, so that the copy
//! is refused rather than sent.

use std::ops::Range;

use memchr::memmem;

use super::{raw_exif_warnings, Warning};

/// What a copy names the pictures' metadata it left out or blanked (Word, Excel and
/// PowerPoint files of every age, RTF).
pub(crate) const PICTURES_REMOVED: &str = "the metadata of the pictures in it (EXIF, XMP)";

/// The type a blanked PNG chunk is given: ancillary, private and safe to copy, so readers
/// skip it.
pub(crate) const BLANK_CHUNK: &[u8; 4] = b"blNk";

const PNG_SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// The most pictures whose EXIF is read for what it says, in one document (each holds at
/// most 64 KiB of it): every picture is blanked, only the first are described.
const MOST_DESCRIBED: usize = 64;

/// The most JPEG segments and PNG chunks read in one document, pictures and what only
/// looks like their start together: a file made to look like a picture at every byte stops
/// here rather than take a minute; what it held past that is then [`leftover`].
const MOST_SEGMENTS: usize = 4 << 20;

/// One change to make.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Blank {
    /// A JPEG segment whose marker is at `marker` and body at `body`: it becomes a comment of
    /// zeros.
    Segment { marker: usize, body: Range<usize> },
    /// Bytes that become zeros (a JFIF thumbnail).
    Zeros(Range<usize>),
    /// A PNG chunk starting (at its length) at `at`, with `len` bytes of data.
    Chunk { at: usize, len: usize },
}

/// The pictures in a document's bytes and what in them can endanger someone.
#[derive(Debug, Default)]
pub(crate) struct Pictures {
    blanks: Vec<Blank>,
    described: usize,
    /// Segments and chunks still to be read ([`MOST_SEGMENTS`]).
    budget: usize,
    /// What their EXIF says (place, camera, owner, time), each once.
    pub(crate) warnings: Vec<Warning>,
}

impl Pictures {
    /// Finds the JPEG and PNG pictures in `bytes`.
    pub(crate) fn find(bytes: &[u8]) -> Self {
        let mut found = Pictures {
            budget: MOST_SEGMENTS,
            ..Pictures::default()
        };
        let (jpegs, pngs) = (
            memmem::Finder::new(b"\xFF\xD8\xFF"),
            memmem::Finder::new(PNG_SIGNATURE),
        );
        let next = |f: &memmem::Finder, from: usize| f.find(&bytes[from..]).map(|i| from + i);
        let (mut jpeg, mut png) = (next(&jpegs, 0), next(&pngs, 0));
        let mut at = 0;
        while found.budget > 0 {
            if jpeg.is_some_and(|j| j < at) {
                jpeg = next(&jpegs, at);
            }
            if png.is_some_and(|p| p < at) {
                png = next(&pngs, at);
            }
            let Some(start) = jpeg.into_iter().chain(png).min() else {
                break;
            };
            let end = if jpeg == Some(start) {
                found.jpeg(bytes, start)
            } else {
                found.png(bytes, start)
            };
            // Past what was recognised, or past the first byte of what was not.
            at = end.unwrap_or(start + 1).max(start + 1);
        }
        found
    }

    /// Whether anything is to be blanked.
    pub(crate) fn any(&self) -> bool {
        !self.blanks.is_empty()
    }

    /// Blanks what [`Pictures::find`] found in the same `bytes`.
    fn blank(&self, bytes: &mut [u8]) {
        for b in &self.blanks {
            match b {
                Blank::Segment { marker, body } => {
                    bytes[*marker] = 0xFE;
                    bytes[body.clone()].fill(0);
                }
                Blank::Zeros(r) => bytes[r.clone()].fill(0),
                Blank::Chunk { at, len } => {
                    let (kind, data) = (at + 4, at + 8);
                    bytes[kind..data].copy_from_slice(BLANK_CHUNK);
                    bytes[data..data + len].fill(0);
                    let mut crc = crc32fast::Hasher::new();
                    crc.update(&bytes[kind..data + len]);
                    bytes[data + len..data + len + 4]
                        .copy_from_slice(&crc.finalize().to_be_bytes());
                }
            }
        }
    }

    fn describe(&mut self, exif: &[u8]) {
        if self.described >= MOST_DESCRIBED {
            return;
        }
        self.described += 1;
        for w in raw_exif_warnings(exif) {
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
    }

    /// Reads the JPEG that starts at `start`; returns where it ends (its end marker, or the
    /// end of `bytes`, or the next picture's start), or `None` when it is not one.
    fn jpeg(&mut self, b: &[u8], start: usize) -> Option<usize> {
        let mut blanks = Vec::new();
        let mut exif = Vec::new();
        let mut at = start + 2;
        let mut frame = false;
        // The header, up to the first scan: every segment must be well formed.
        let whole = loop {
            self.budget = self.budget.checked_sub(1)?;
            let Some((marker, body)) = segment(b, at) else {
                break false;
            };
            match marker {
                0xD8 | 0xD9 | 0x01 | 0xD0..=0xD7 => break false,
                0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => frame = true,
                _ => {}
            }
            classify(b, marker, &body, &mut blanks, &mut exif);
            at = body.end;
            if marker == 0xDA {
                break frame;
            }
        };
        if !whole {
            // Cut short, or broken, before its scan: still a picture when what was read of
            // it holds EXIF (`Exif\0\0` and a TIFF header, right after its start), and that
            // much is blanked.
            let tiff = |e: &Range<usize>| is_tiff(b.get(e.start + 6..e.end).unwrap_or_default());
            if !exif.iter().any(tiff) {
                return None;
            }
            self.blanks.extend(blanks);
            for e in exif {
                self.describe(&b[e]);
            }
            return Some(at);
        }
        // A picture: what is between its scans (a progressive JPEG's) is read too, as long
        // as it is well formed.
        let end = loop {
            let Some(next) = next_marker(b, at) else {
                break b.len();
            };
            let marker = b[next + 1];
            if marker == 0xD9 {
                break next + 2;
            }
            if marker == 0xD8 {
                // Another picture begins: this one was cut short.
                break next;
            }
            let Some((marker, body)) = segment(b, next) else {
                break next;
            };
            self.budget = self.budget.saturating_sub(1);
            classify(b, marker, &body, &mut blanks, &mut exif);
            at = body.end;
        };
        self.blanks.extend(blanks);
        for e in exif {
            self.describe(&b[e]);
        }
        Some(end)
    }

    /// Reads the PNG that starts at `start` (see [`Pictures::jpeg`]).
    fn png(&mut self, b: &[u8], start: usize) -> Option<usize> {
        let mut at = start + PNG_SIGNATURE.len();
        let mut first = true;
        loop {
            self.budget = self.budget.checked_sub(1)?;
            let len =
                usize::try_from(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?)).ok()?;
            let kind: [u8; 4] = b.get(at + 4..at + 8)?.try_into().ok()?;
            let data = at + 8;
            let end = data.checked_add(len)?.checked_add(4)?;
            if !kind.iter().all(u8::is_ascii_alphabetic) || end > b.len() {
                return if first { None } else { Some(at) };
            }
            if first && (&kind != b"IHDR" || len != 13) {
                return None;
            }
            first = false;
            let keep = matches!(
                &kind,
                b"IHDR"
                    | b"PLTE"
                    | b"IDAT"
                    | b"IEND"
                    | b"tRNS"
                    | b"gAMA"
                    | b"cHRM"
                    | b"sRGB"
                    | b"iCCP"
                    | b"sBIT"
                    | b"cICP"
                    | b"mDCV"
                    | b"cLLI"
                    | b"pHYs"
                    | b"acTL"
                    | b"fcTL"
                    | b"fdAT"
                    | b"bKGD"
            ) || &kind == BLANK_CHUNK;
            if !keep {
                if matches!(&kind, b"eXIf" | b"exIf") {
                    self.describe(&b[data..data + len]);
                }
                self.blanks.push(Blank::Chunk { at, len });
            }
            at = end;
            if &kind == b"IEND" {
                return Some(at);
            }
        }
    }
}

/// The marker at `at` (after any fill bytes) and its segment's body; `None` unless it is
/// one, whole, within `b`.
fn segment(b: &[u8], mut at: usize) -> Option<(u8, Range<usize>)> {
    if *b.get(at)? != 0xFF {
        return None;
    }
    while *b.get(at + 1)? == 0xFF {
        at += 1;
    }
    let marker = b[at + 1];
    if matches!(marker, 0x00 | 0x01 | 0xD0..=0xD9) {
        return Some((marker, at + 2..at + 2));
    }
    let len = usize::from(u16::from_be_bytes(b.get(at + 2..at + 4)?.try_into().ok()?));
    let end = at + 2 + len;
    if len < 2 || end > b.len() {
        return None;
    }
    Some((marker, at + 4..end))
}

/// The next marker in a scan's data from `at` (its 0xFF), past stuffed bytes and restarts.
fn next_marker(b: &[u8], mut at: usize) -> Option<usize> {
    loop {
        let ff = at + memchr::memchr(0xFF, b.get(at..)?)?;
        match b.get(ff + 1)? {
            0x00 | 0xD0..=0xD7 | 0xFF => at = ff + 1,
            _ => return Some(ff),
        }
    }
}

/// What of one segment is blanked: the same segments a stripped photo leaves out
/// ([`super::strip`]), and a JFIF or Adobe segment's tail.
fn classify(
    b: &[u8],
    marker: u8,
    body: &Range<usize>,
    blanks: &mut Vec<Blank>,
    exif: &mut Vec<Range<usize>>,
) {
    let seg = &b[body.clone()];
    let drop = match marker {
        0xE0 => !seg.starts_with(b"JFIF\0"),
        0xE1 => {
            if seg.starts_with(b"Exif\0") {
                exif.push(body.clone());
            }
            true
        }
        0xE2 => !seg.starts_with(b"ICC_PROFILE\0"),
        0xEE => !seg.starts_with(b"Adobe"),
        0xE3..=0xED | 0xEF | 0xFE | 0xF0..=0xFD => true,
        _ => false,
    };
    // The marker is the byte before the length, whatever fill bytes came before it.
    let marker_at = body.start - 3;
    if drop {
        // A comment of zeros already is what a blank makes: nothing to do.
        if !(marker == 0xFE && seg.iter().all(|&x| x == 0)) {
            blanks.push(Blank::Segment {
                marker: marker_at,
                body: body.clone(),
            });
        }
        return;
    }
    let fixed = match marker {
        0xE0 => 14,
        0xEE => 12,
        _ => return,
    };
    if seg.len() > fixed && seg[fixed..].iter().any(|&x| x != 0) {
        blanks.push(Blank::Zeros(body.start + fixed..body.end));
        if marker == 0xE0 {
            // No thumbnail: its width and height.
            blanks.push(Blank::Zeros(body.start + 12..body.start + 14));
        }
    }
}

/// EXIF found in a file as it streams past, wherever it lies: for PDF documents, whose
/// JPEG images (`/DCTDecode`) some writers (scanning apps, `img2pdf`) copy from the photo
/// as they are, EXIF included. Holds at most [`EXIF_WINDOW`] bytes after each `Exif\0\0`,
/// for the first [`MOST_DESCRIBED`].
#[derive(Debug, Default)]
pub(crate) struct ExifWatch {
    window: Vec<u8>,
    /// Where `window` starts in the file.
    base: u64,
    /// Where the search for the next `Exif\0\0` starts.
    scanned: u64,
    /// Where the `Exif\0\0` found but not yet read are.
    waiting: Vec<u64>,
    /// How many were found, at most [`MOST_MARKS`].
    marks: usize,
    found: Pictures,
}

/// The most `Exif\0\0` looked at in one file (most are not followed by EXIF).
const MOST_MARKS: usize = 4096;

/// Bytes of EXIF read, at most (a JPEG segment's most).
const EXIF_WINDOW: usize = 64 * 1024;
const EXIF_MARK: &[u8] = b"Exif\0\0";

impl ExifWatch {
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        self.window.extend_from_slice(bytes);
        let from = (self.scanned - self.base) as usize;
        for i in memmem::find_iter(&self.window[from..], EXIF_MARK) {
            if self.marks < MOST_MARKS {
                self.marks += 1;
                self.waiting.push(self.base + (from + i) as u64);
            }
        }
        // A mark cut by this piece's end is found whole with the next.
        self.scanned = self.base + self.window.len().saturating_sub(EXIF_MARK.len() - 1) as u64;
        let end = self.base + self.window.len() as u64;
        while let Some(&w) = self.waiting.first() {
            if end - w < (EXIF_MARK.len() + EXIF_WINDOW) as u64 {
                break;
            }
            self.waiting.remove(0);
            let at = (w - self.base) as usize + EXIF_MARK.len();
            let exif = &self.window[at..at + EXIF_WINDOW];
            if is_tiff(exif) {
                self.found.describe(exif);
            }
        }
        let keep_from = self.waiting.first().copied().unwrap_or(self.scanned);
        // Moved down in large steps, so that keeping it costs little per byte.
        let drop = (keep_from - self.base) as usize;
        if drop > EXIF_WINDOW {
            self.window.drain(..drop);
            self.base = keep_from;
        }
    }

    /// What the EXIF found says (place, camera, owner, time).
    pub(crate) fn warnings(&self) -> Vec<Warning> {
        let mut found = Pictures {
            warnings: self.found.warnings.clone(),
            described: self.found.described,
            ..Pictures::default()
        };
        for &w in &self.waiting {
            let at = (w - self.base) as usize + EXIF_MARK.len();
            let exif = &self.window[at.min(self.window.len())..];
            if is_tiff(exif) {
                found.describe(&exif[..exif.len().min(EXIF_WINDOW)]);
            }
        }
        found.warnings
    }
}

/// Whether EXIF is still somewhere in `bytes`: a TIFF header after JPEG's `Exif\0\0` or
/// at the start of a PNG's `eXIf` chunk.
pub(crate) fn leftover(bytes: &[u8]) -> bool {
    let tiff_at = |i: usize| is_tiff(bytes.get(i..).unwrap_or_default());
    memmem::find_iter(bytes, EXIF_MARK).any(|i| tiff_at(i + EXIF_MARK.len()))
        || memmem::find_iter(bytes, b"eXIf").any(|i| tiff_at(i + 4))
}

/// Whether `bytes` start as EXIF does (a TIFF header, either byte order).
fn is_tiff(bytes: &[u8]) -> bool {
    matches!(bytes.get(..4), Some(b"II*\0") | Some(b"MM\0*"))
}

/// Blanks the pictures' metadata in `bytes`; returns what was found.
pub(crate) fn clean(bytes: &mut [u8]) -> Pictures {
    let found = Pictures::find(bytes);
    found.blank(bytes);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::fixture;
    use crate::media::values_of;

    /// `picture` among other bytes, as a document's stream holds it.
    fn among_other_bytes(picture: &[u8]) -> (Vec<u8>, Range<usize>) {
        let mut doc =
            b"\xFF\xD8\xFF\xE1\x00\x02 not a picture, \x89PNG\r\n\x1a\n neither ".to_vec();
        let start = doc.len();
        doc.extend_from_slice(picture);
        let end = doc.len();
        doc.extend_from_slice(b" and text after it \xFF\xD8");
        (doc, start..end)
    }

    #[test]
    fn a_photo_s_place_camera_and_time_are_found_and_blanked_where_they_stand() {
        for name in ["exif-gps.jpg", "exif-gps.png"] {
            let photo = fixture(name);
            let (mut doc, at) = among_other_bytes(&photo);
            let before = doc.clone();
            let found = Pictures::find(&doc);
            assert_eq!(
                values_of(&found.warnings, "gps_position").len(),
                1,
                "{name}"
            );
            assert!(!values_of(&found.warnings, "camera").is_empty(), "{name}");
            assert!(leftover(&doc), "{name}");
            assert!(clean(&mut doc).any(), "{name}");
            assert_eq!(doc.len(), before.len(), "{name}: nothing moves");
            // Only the picture changed, and it is still a picture of the same pixels.
            assert_eq!(doc[..at.start], before[..at.start], "{name}");
            assert_eq!(doc[at.end..], before[at.end..], "{name}");
            assert!(!leftover(&doc), "{name}");
            assert!(Pictures::find(&doc).warnings.is_empty(), "{name}");
            assert!(
                !Pictures::find(&doc).any(),
                "{name}: a second pass finds nothing"
            );
            // Past its metadata, the same picture: stripping either gives the same photo.
            let media_type = if name.ends_with("jpg") {
                "image/jpeg"
            } else {
                "image/png"
            };
            assert_eq!(
                stripped(media_type, &doc[at]),
                stripped(media_type, &photo),
                "{name}"
            );
        }
    }

    fn stripped(media_type: &str, picture: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        crate::media::strip::strip(media_type, &mut &picture[..], &Default::default(), &mut out)
            .expect("a picture");
        out
    }

    /// A JPEG segment, and where its marker and body are once appended to `to`.
    fn push_segment(to: &mut Vec<u8>, marker: u8, body: &[u8]) -> (usize, Range<usize>) {
        let at = to.len();
        to.extend_from_slice(&[0xFF, marker]);
        to.extend_from_slice(&(body.len() as u16 + 2).to_be_bytes());
        to.extend_from_slice(body);
        (at + 1, at + 4..to.len())
    }

    #[test]
    fn a_jpeg_s_segments_become_comments_of_zeros_and_its_thumbnail_goes() {
        let mut j = vec![0xFF, 0xD8];
        // JFIF with a 1×1 thumbnail, EXIF, XMP, a colour profile, a frame and a scan, an
        // APP13 between scans, another scan, and the end.
        let (_, jfif) = push_segment(
            &mut j,
            0xE0,
            b"JFIF\0\x01\x02\0\0\x01\0\x01\x01\x01\xAA\xBB\xCC",
        );
        let exif = push_segment(&mut j, 0xE1, b"Exif\0\0MM\0*\0\0\0\x08\0\0");
        let xmp = push_segment(&mut j, 0xE1, b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>");
        push_segment(&mut j, 0xE2, b"ICC_PROFILE\0\x01\x01profile");
        push_segment(&mut j, 0xC0, b"\x08\0\x01\0\x01\x01\x01\x11\0");
        push_segment(&mut j, 0xDA, b"\x01\x01\0\0\x3F\0");
        j.extend([0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
        let iptc = push_segment(&mut j, 0xED, b"Photoshop 3.0\0names");
        push_segment(&mut j, 0xDA, b"\x01\x01\0\0\x3F\0");
        j.extend([0x78, 0xFF, 0xD9]);
        let (mut doc, at) = among_other_bytes(&j);
        assert!(leftover(&doc));
        assert!(clean(&mut doc).any());
        let mut want = j.clone();
        want[jfif.start + 12..jfif.end].fill(0);
        for (marker, body) in [exif, xmp, iptc] {
            want[marker] = 0xFE;
            want[body].fill(0);
        }
        assert_eq!(&doc[at], &want[..]);
        assert!(!leftover(&doc));
    }

    #[test]
    fn bytes_that_only_look_like_a_picture_s_start_are_left_alone() {
        let cases: [&[u8]; 5] = [
            // A segment with no frame before the scan.
            b"\xFF\xD8\xFF\xE1\x00\x08Exif\0\0\xFF\xDA\x00\x02rest",
            // A segment that runs past the end.
            b"\xFF\xD8\xFF\xE1\x40\x00Exif\0\0II*\0",
            // The end marker before any scan.
            b"\xFF\xD8\xFF\xFE\x00\x03x\xFF\xD9",
            // A PNG whose first chunk is not its header.
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\x04tEXtabcd\0\0\0\0",
            // A PNG cut inside its header.
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\0\0",
        ];
        for case in cases {
            let mut doc = case.to_vec();
            assert!(!clean(&mut doc).any(), "{case:?}");
            assert_eq!(doc, case, "{case:?}");
        }
        // What could not be blanked is still seen.
        assert!(leftover(cases[1]));
    }

    #[test]
    fn a_picture_cut_short_is_blanked_as_far_as_it_goes_and_the_next_is_read() {
        let photo = fixture("exif-gps.jpg");
        // Without its end marker: its header is whole, and blanked.
        let cut = &photo[..photo.len() - 2];
        let mut doc = [cut, &photo].concat();
        assert!(clean(&mut doc).any());
        assert!(!leftover(&doc));
        assert_eq!(
            stripped("image/jpeg", &doc[cut.len()..]),
            stripped("image/jpeg", &photo)
        );
        // Cut inside its header, after its EXIF: that much is blanked.
        let cut = &photo[..400];
        let mut doc = [cut, b"\0\0", &photo].concat();
        assert_eq!(
            values_of(&Pictures::find(&doc).warnings, "camera_serial").len(),
            1
        );
        assert!(clean(&mut doc).any());
        assert!(!leftover(&doc));
        // An EXIF segment with nothing after its name, cut after it: nothing to see.
        let mut doc = b"\xFF\xD8\xFF\xE1\x00\x07Exif\0\xFF".to_vec();
        assert!(!clean(&mut doc).any());
        // Cut inside its EXIF: not blanked, and still seen.
        let mut doc = photo[..100].to_vec();
        assert!(!clean(&mut doc).any());
        assert!(leftover(&doc));
    }

    #[test]
    fn exif_anywhere_in_a_stream_is_found_whatever_its_pieces() {
        let photo = fixture("exif-gps.jpg");
        let filler: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let file = [&filler[..], &photo, &filler, &photo[..200]].concat();
        for piece in [1, 5, 4093, 70_000, file.len()] {
            let mut w = ExifWatch::default();
            for p in file.chunks(piece) {
                w.feed(p);
            }
            let found = w.warnings();
            assert_eq!(
                values_of(&found, "camera_serial"),
                ["SN-FIXTURE-0042"],
                "{piece}"
            );
            assert_eq!(values_of(&found, "gps_position").len(), 1, "{piece}");
            assert!(w.window.len() < 3 * EXIF_WINDOW + piece, "{piece}");
        }
        // A mark on every few bytes: only the first are read, and memory stays bounded.
        let mut w = ExifWatch::default();
        for _ in 0..10_000 {
            w.feed(b"Exif\0\0II*\0 and more");
        }
        assert!(w.marks <= MOST_MARKS && w.window.len() < 3 * EXIF_WINDOW);
    }
}

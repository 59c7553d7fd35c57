//! Photos inside text: an e-mail saved as a file (`.eml`, an `.mht` web archive) carries its
//! attachments in base64, and a web page its pictures in `data:` URIs; a witness's photo
//! sent by e-mail keeps its EXIF there, where no reader of text looks. [`EncodedWatch`]
//! follows a text file as it streams past, decodes the start of every base64 run that
//! begins as a JPEG (`/9j/`) or a PNG (`iVBORw0KGgo`) does, and reads it as a picture
//! ([`super::pictures`]). What it finds is shown at attach.
//!
//! A copy of a text file ([`strip`]) is the same text with every such photo decoded, its
//! metadata blanked where it stands ([`super::pictures::clean`], at the same length), and
//! encoded again in the same number of characters, its line breaks where they were: every
//! other byte stays. (An e-mail's attached photos are written again by [`super::mail`].)

use std::io::{self, Read, Write};

use super::pictures::{self, Pictures};
use super::Warning;

/// The decoded start of a picture read, at most: its metadata comes before its image.
const HEAD: usize = 256 * 1024;
/// The most pictures read in one file.
const MOST_PICTURES: usize = 64;
/// The first bytes that tell whether a file is text.
pub(crate) const TEXT_PROBE: usize = 512;

/// Whether a file whose first bytes are `head` is text (UTF-8 without zero bytes; a
/// character cut by the end of the probe does not count against it).
pub(crate) fn looks_like_text(head: &[u8]) -> bool {
    let probe = &head[..head.len().min(TEXT_PROBE)];
    if probe.contains(&0) {
        return false;
    }
    match std::str::from_utf8(probe) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

/// How a base64 run that starts as a picture does begins.
const STARTS: [&[u8]; 2] = [b"/9j/", b"iVBORw0KGgo"];

/// What the first characters of a base64 run say of it.
enum Start {
    Picture,
    Undecided,
    Other,
}

fn start_of(token: &[u8]) -> Start {
    if STARTS.contains(&token) {
        Start::Picture
    } else if STARTS.iter().any(|s| s.starts_with(token)) {
        Start::Undecided
    } else {
        Start::Other
    }
}

/// The base64 characters read of a picture, at most ([`HEAD`] bytes decoded).
const HEAD_CHARS: usize = HEAD / 3 * 4;

pub(super) fn is_base64(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'/'
}

/// The bytes of the base64 characters read (whole groups of four; padding and trailing
/// bits, as a picture's cut start leaves them, do not count against it).
fn decoded(chars: &[u8]) -> Vec<u8> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use base64::Engine;
    let lenient = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    lenient
        .decode(&chars[..chars.len() / 4 * 4])
        .unwrap_or_default()
}

/// See the module documentation.
#[derive(Debug, Default)]
pub(crate) struct EncodedWatch {
    /// The first characters of the base64 run being passed (up to the longest start).
    token: Vec<u8>,
    /// Inside a run that is not a picture's start: passed until it ends.
    passing: bool,
    /// The base64 characters of the picture being read (its line breaks left out).
    picture: Option<Vec<u8>>,
    /// Inside a picture, a `=` was just passed: a quoted-printable soft line break if a line
    /// break follows, else padding (the picture's end).
    after_equals: bool,
    /// Inside a picture, such a soft line break was just passed: an empty line after it
    /// shows it was padding at the end of a base64 block instead.
    after_soft_break: bool,
    read: usize,
    warnings: Vec<Warning>,
}

impl EncodedWatch {
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        for &c in bytes {
            if let Some(chars) = self.picture.as_mut() {
                let soft_break = std::mem::take(&mut self.after_equals);
                if std::mem::take(&mut self.after_soft_break) && (c == b'\r' || c == b'\n') {
                    self.finish_picture();
                    continue;
                }
                if is_base64(c) && !soft_break {
                    chars.push(c);
                    if chars.len() >= HEAD_CHARS {
                        self.finish_picture();
                        self.passing = true;
                    }
                    continue;
                }
                if c == b'\r' || c == b'\n' {
                    // MIME breaks base64 into lines, and quoted-printable (an HTML part with
                    // a `data:` picture) ends each of its lines with `=` before the break.
                    if soft_break && c == b'\r' {
                        self.after_equals = true;
                    } else if soft_break {
                        self.after_soft_break = true;
                    }
                    continue;
                }
                if c == b'=' && !soft_break {
                    self.after_equals = true;
                    continue;
                }
                // Anything else ends it: padding, quoted-printable's `=3D` for it, the
                // text after it.
                self.finish_picture();
                continue;
            }
            if !is_base64(c) {
                self.token.clear();
                self.passing = false;
                continue;
            }
            if self.passing {
                continue;
            }
            self.token.push(c);
            match start_of(&self.token) {
                Start::Picture => {
                    let chars = std::mem::take(&mut self.token);
                    if self.read < MOST_PICTURES {
                        self.picture = Some(chars);
                    } else {
                        self.passing = true;
                    }
                }
                Start::Undecided => {}
                Start::Other => {
                    self.token.clear();
                    self.passing = true;
                }
            }
        }
    }

    /// Reads the picture read so far.
    fn finish_picture(&mut self) {
        if let Some(chars) = self.picture.take() {
            self.read += 1;
            for w in Pictures::find(&decoded(&chars)).warnings {
                if !self.warnings.contains(&w) {
                    self.warnings.push(w);
                }
            }
        }
    }

    /// What the pictures found say (place, camera, owner, time), the one the file ends in
    /// included.
    pub(crate) fn warnings(&self) -> Vec<Warning> {
        let mut out = self.warnings.clone();
        if let Some(chars) = &self.picture {
            for w in Pictures::find(&decoded(chars)).warnings {
                if !out.contains(&w) {
                    out.push(w);
                }
            }
        }
        out
    }
}

/// The largest photo held, in base64, to be written again without its metadata (with the
/// photo decoded beside it, 28 MiB); a larger one goes as it is, and the check of the copy
/// finds what it holds.
const LARGEST_HELD: usize = 16 * 1024 * 1024;

/// Copies a text file with the metadata of the photos it carries in base64 blanked (see the
/// module documentation); returns what was left out.
pub(super) fn strip(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    let mut out = io::BufWriter::with_capacity(64 * 1024, out);
    let mut copy = TextCopy::default();
    super::each_piece(input, 64 * 1024, |piece| {
        piece.iter().try_for_each(|&c| copy.step(c, &mut out))
    })?;
    copy.finish(&mut out)?;
    out.flush()?;
    Ok(if copy.blanked {
        vec![pictures::PICTURES_REMOVED.to_owned()]
    } else {
        Vec::new()
    })
}

/// A text file being copied, one byte at a time (as [`EncodedWatch`] reads it).
#[derive(Default)]
struct TextCopy {
    /// The first characters of the base64 run being passed, not yet written.
    token: Vec<u8>,
    /// Inside a run that is not a picture's start: written as it comes until it ends.
    passing: bool,
    /// The picture being held, as its bytes stand in the file (line breaks and padding
    /// included).
    held: Option<Vec<u8>>,
    blanked: bool,
}

impl TextCopy {
    fn step(&mut self, c: u8, out: &mut dyn Write) -> io::Result<()> {
        if let Some(raw) = self.held.as_mut() {
            // MIME breaks base64 into lines, and it ends in padding (after which nothing
            // more is its).
            let ended = raw.iter().rev().find(|b| !matches!(b, b'\r' | b'\n')) == Some(&b'=');
            let more = (is_base64(c) && !ended) || matches!(c, b'\r' | b'\n' | b'=');
            if more {
                raw.push(c);
                if raw.len() > LARGEST_HELD {
                    out.write_all(raw)?;
                    self.held = None;
                    self.passing = true;
                }
                return Ok(());
            }
            self.finish(out)?;
        }
        if !is_base64(c) {
            out.write_all(&self.token)?;
            out.write_all(&[c])?;
            self.token.clear();
            self.passing = false;
            return Ok(());
        }
        if self.passing {
            return out.write_all(&[c]);
        }
        self.token.push(c);
        match start_of(&self.token) {
            Start::Picture => self.held = Some(std::mem::take(&mut self.token)),
            Start::Undecided => {}
            Start::Other => {
                out.write_all(&self.token)?;
                self.token.clear();
                self.passing = true;
            }
        }
        Ok(())
    }

    /// Writes the picture held (blanked, or as it was when it does not decode, holds
    /// nothing to blank or would not come out at its length) and what is left of a start.
    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(&self.token)?;
        self.token.clear();
        let Some(mut raw) = self.held.take() else {
            return Ok(());
        };
        // Text that starts a line after an unpadded picture reads as more of it: the picture
        // is tried as it stands, then as it ends at each of its last line breaks.
        let ends: Vec<usize> = std::iter::once(raw.len())
            .chain(
                raw.iter()
                    .enumerate()
                    .rev()
                    .filter(|&(i, &b)| b == b'\n' && i + 1 < raw.len())
                    .map(|(i, _)| i + 1)
                    .take(TRIED_ENDS),
            )
            .collect();
        for end in ends {
            if blank_in_place(&mut raw[..end]) {
                self.blanked = true;
                break;
            }
        }
        out.write_all(&raw)
    }
}

/// Line breaks a picture is tried as ending at, from its last, besides its end.
const TRIED_ENDS: usize = 4;

/// Characters decoded or encoded at a time: whole groups of four.
const BLOCK_CHARS: usize = 64 * 1024;

/// Decodes base64 `chars` (padded at their end or not, as `padded` says) onto `out`, a block
/// at a time, so that no copy of them is held; whether they decoded whole.
pub(super) fn decode_blocks(
    chars: impl Iterator<Item = u8>,
    padded: bool,
    out: &mut Vec<u8>,
) -> bool {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
    use base64::Engine;
    let engine = if padded { &STANDARD } else { &STANDARD_NO_PAD };
    let mut chars = chars.peekable();
    let mut block = Vec::with_capacity(BLOCK_CHARS);
    while chars.peek().is_some() {
        block.clear();
        block.extend(chars.by_ref().take(BLOCK_CHARS));
        if engine.decode_vec(&block, out).is_err() {
            return false;
        }
    }
    true
}

/// Encodes `bytes` in base64 (padded at the end or not), handing each character to `put`, a
/// block at a time, so that no copy of them is held.
pub(super) fn encode_blocks(bytes: &[u8], padded: bool, mut put: impl FnMut(u8)) {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
    use base64::Engine;
    let engine = if padded { &STANDARD } else { &STANDARD_NO_PAD };
    let mut encoded = vec![0u8; BLOCK_CHARS];
    for piece in bytes.chunks(BLOCK_CHARS / 4 * 3) {
        // A piece of whole groups of three, or the last, fits the block.
        let n = engine.encode_slice(piece, &mut encoded).unwrap_or(0);
        encoded[..n].iter().for_each(|&c| put(c));
    }
}

/// Blanks, in place, the metadata of the picture in base64 whose bytes as they stand in the
/// file (line breaks and padding included) are `raw`: it is decoded, blanked at the same
/// length and encoded again into the same places. Whether it did; when there is nothing to
/// blank or it cannot be read whole, `raw` is left as it was. Memory: the decoded picture
/// and a block, besides `raw`.
fn blank_in_place(raw: &mut [u8]) -> bool {
    let is_char = |c: &u8| !matches!(c, b'\r' | b'\n');
    let count = raw.iter().filter(|c| is_char(c)).count();
    let padded = raw.iter().rev().find(|c| is_char(c)) == Some(&b'=');
    let mut photo = Vec::with_capacity(count / 4 * 3 + 3);
    if !decode_blocks(raw.iter().copied().filter(is_char), padded, &mut photo)
        || !pictures::clean(&mut photo).any()
    {
        return false;
    }
    let encoded_len = if padded {
        photo.len().div_ceil(3) * 4
    } else {
        (photo.len() * 4).div_ceil(3)
    };
    if encoded_len != count {
        return false;
    }
    let mut places = raw.iter_mut().filter(|c| is_char(c));
    encode_blocks(&photo, padded, |c| {
        if let Some(place) = places.next() {
            *place = c;
        }
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::fixture;
    use crate::media::values_of;

    fn base64(bytes: &[u8], line: usize) -> String {
        use base64::Engine;
        let text = base64::engine::general_purpose::STANDARD.encode(bytes);
        text.as_bytes()
            .chunks(line)
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect::<Vec<_>>()
            .join("\r\n")
    }

    fn watched(text: &[u8], piece: usize) -> Vec<Warning> {
        let mut w = EncodedWatch::default();
        for p in text.chunks(piece) {
            w.feed(p);
        }
        w.warnings()
    }

    #[test]
    fn a_photo_attached_to_an_e_mail_or_in_a_web_page_gives_its_place_away() {
        for name in ["exif-gps.jpg", "exif-gps.png"] {
            let photo = fixture(name);
            let mail = format!(
                "From: witness@example.org\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nThe photo from that night. AAAA /9j/ is text.\r\n--b\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
                base64(&photo, 76)
            );
            let page = format!(
                "<img src=\"data:image/jpeg;base64,{}\">",
                base64(&photo, usize::MAX)
            );
            for text in [mail.as_bytes(), page.as_bytes()] {
                for piece in [1, 5, 4096] {
                    let found = watched(text, piece);
                    assert_eq!(
                        values_of(&found, "camera_serial"),
                        ["SN-FIXTURE-0042"],
                        "{name} {piece}"
                    );
                    assert_eq!(values_of(&found, "gps_position").len(), 1);
                }
            }
        }
    }

    /// `text` as quoted-printable writes it: `=` as `=3D`, lines of at most 76 characters
    /// ended by a soft break (`=` and the line break).
    fn quoted_printable(text: &str, eol: &str) -> String {
        let escaped = text.replace('=', "=3D");
        let mut out = String::new();
        let mut line = 0;
        let mut chars = escaped.chars().peekable();
        while let Some(c) = chars.next() {
            // An `=3D` is not split across lines.
            let width = if c == '=' { 3 } else { 1 };
            if line + width > 75 {
                out.push('=');
                out.push_str(eol);
                line = 0;
            }
            out.push(c);
            line += 1;
            if c == '=' {
                for _ in 0..2 {
                    if let Some(d) = chars.next() {
                        out.push(d);
                        line += 1;
                    }
                }
            }
        }
        out
    }

    /// An HTML e-mail whose photo sits in a `data:` URI in a quoted-printable part: its
    /// lines end in soft breaks (`=`), which used to end the photo after 57 bytes.
    #[test]
    fn a_photo_in_a_quoted_printable_html_part_gives_its_place_away() {
        for (name, rest) in [
            ("exif-gps.jpg", 0),
            ("exif-gps.png", 1),
            ("exif-gps.jpg", 2),
        ] {
            let mut photo = fixture(name);
            // Each padding: none, `==`, `=`.
            photo.truncate((photo.len() / 3 - 1) * 3 + rest);
            let html = format!(
                "<p>Photo from that night:</p><img src=\"data:image/jpeg;base64,{}\"><p>W.</p>",
                base64(&photo, usize::MAX)
            );
            for eol in ["\r\n", "\n"] {
                let mail = format!(
                    "From: witness@example.org{eol}Content-Type: text/html; charset=utf-8{eol}Content-Transfer-Encoding: quoted-printable{eol}{eol}{}{eol}",
                    quoted_printable(&html, eol)
                );
                assert!(mail.lines().all(|l| l.len() <= 76));
                for piece in [1, 7, 4096] {
                    let found = watched(mail.as_bytes(), piece);
                    assert_eq!(
                        values_of(&found, "camera_serial"),
                        ["SN-FIXTURE-0042"],
                        "{name} {rest} {eol:?} {piece}"
                    );
                    assert_eq!(values_of(&found, "gps_position").len(), 1);
                }
            }
        }
    }

    #[test]
    fn base64_that_is_not_a_photo_says_nothing_and_memory_stays_bounded() {
        let noise: Vec<u8> = (0..3_000_000u64).map(|i| (i * 7919 % 251) as u8).collect();
        let mut text =
            base64(b"\xFF\xD8\xFF\xE0 just bytes that start like a JPEG", 76).into_bytes();
        text.extend_from_slice(b"\r\n\r\n");
        text.extend(base64(&[&b"\xFF\xD8\xFF"[..], &noise].concat(), 76).into_bytes());
        let mut w = EncodedWatch::default();
        for p in text.chunks(4096) {
            w.feed(p);
            assert!(w.picture.as_ref().is_none_or(|c| c.len() <= HEAD_CHARS));
        }
        assert_eq!(w.warnings(), []);
        assert_eq!(w.read, 2);
    }

    /// Reads at most `piece` bytes at a time.
    struct Pieces<'a>(&'a [u8], usize);

    impl Read for Pieces<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(self.1).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn stripped(text: &[u8], piece: usize) -> (Vec<u8>, Vec<String>) {
        let mut out = Vec::new();
        let removed = strip(&mut Pieces(text, piece), &mut out).unwrap();
        (out, removed)
    }

    /// The photo in `run` (its base64 and line breaks), decoded.
    fn decoded_run(run: &[u8]) -> Vec<u8> {
        use base64::Engine;
        let chars: Vec<u8> = run
            .iter()
            .copied()
            .filter(|c| !matches!(c, b'\r' | b'\n'))
            .collect();
        let padded = chars.ends_with(b"=");
        if padded {
            base64::engine::general_purpose::STANDARD.decode(chars)
        } else {
            base64::engine::general_purpose::STANDARD_NO_PAD.decode(chars)
        }
        .unwrap()
    }

    /// A web page with a photo in a `data:` URI, a note with one in lines (its end unpadded,
    /// text starting the line after it), and base64 that is no photo: the copy is the same
    /// text, each photo blanked where it stands as in a document, the rest byte for byte.
    #[test]
    fn photos_carried_in_text_go_without_their_metadata_and_the_text_as_it_was() {
        // Without padding, with two `=` and, past many blocks of characters, with one.
        for (name, extra, rest) in [
            ("exif-gps.jpg", 0, 0),
            ("exif-gps.png", 0, 0),
            ("exif-gps.jpg", 0, 1),
            ("exif-gps.png", 300_000, 2),
        ] {
            let mut photo = fixture(name);
            photo.extend((0..extra).map(|i| (i % 251) as u8));
            photo.truncate((photo.len() / 3 - 1) * 3 + rest);
            let page = format!(
                "<p>AAAA /9j/ is text.</p><img src=\"data:image/jpeg;base64,{}\"><img src=\"data:image/png;base64,{}\">",
                base64(&photo, usize::MAX),
                base64(b"not a photo at all", usize::MAX),
            );
            let note = format!(
                "Photo from that night:\n{}\nTaken by the witness\nAt dawn\n",
                base64(&photo, 64).replace("\r\n", "\n")
            );
            let after_page = format!(
                "\"><img src=\"data:image/png;base64,{}\">",
                base64(b"not a photo at all", usize::MAX)
            );
            let cases = [
                (page.as_bytes(), after_page.as_str()),
                (note.as_bytes(), "\nTaken by the witness\nAt dawn\n"),
            ];
            let encoded = base64(&photo, usize::MAX);
            for (text, after) in cases {
                let at = memchr::memmem::find(text, &encoded.as_bytes()[..32]).unwrap();
                let run = at..text.len() - after.len();
                for piece in [1, 7, 65536] {
                    let (copy, removed) = stripped(text, piece);
                    assert_eq!(removed, [pictures::PICTURES_REMOVED], "{name} {piece}");
                    assert_eq!(copy.len(), text.len());
                    let mut clean = photo.clone();
                    assert!(pictures::clean(&mut clean).any());
                    assert_eq!(decoded_run(&copy[run.clone()]), clean, "{name} {piece}");
                    assert_eq!(watched(&copy, 4096), [], "{name} {piece}");
                    // Outside the photo, nothing changed.
                    assert_eq!(copy[..at], text[..at], "{name} {piece}");
                    assert!(copy.ends_with(after.as_bytes()), "{name} {piece}");
                }
            }
        }
        // Nothing to blank: the same bytes, nothing said.
        let plain = b"Nothing here but words, and /9j/ alone.";
        assert_eq!(stripped(plain, 3), (plain.to_vec(), Vec::new()));
    }

    /// A photo cut inside its EXIF is no picture to blank, and one larger than is held is not
    /// read whole (memory stays bounded): each goes as it was, for the check of the copy to
    /// judge.
    #[test]
    fn a_photo_cut_short_or_too_large_goes_as_it_is() {
        let photo = fixture("exif-gps.jpg");
        let mut large = photo.clone();
        large.resize(LARGEST_HELD / 4 * 3 + 3, 0);
        for photo in [&photo[..300], &large[..]] {
            let text = format!("x {} y", base64(photo, usize::MAX));
            let (copy, removed) = stripped(text.as_bytes(), 65536);
            assert_eq!(copy, text.as_bytes());
            assert!(removed.is_empty());
        }
    }
}

//! Photos inside text: an e-mail saved as a file (`.eml`, an `.mht` web archive) carries its
//! attachments in base64, and a web page its pictures in `data:` URIs; a witness's photo
//! sent by e-mail keeps its EXIF there, where no reader of text looks. [`EncodedWatch`]
//! follows a text file as it streams past, decodes the start of every base64 run that
//! begins as a JPEG (`/9j/`) or a PNG (`iVBORw0KGgo`) does, and reads it as a picture
//! ([`super::pictures`]). What it finds is shown at attach; Aigaq does not write such files
//! again, so `--strip-metadata` then refuses the file rather than send it (attach the
//! photos on their own instead).

use super::pictures::Pictures;
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
    read: usize,
    warnings: Vec<Warning>,
}

impl EncodedWatch {
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        for &c in bytes {
            if let Some(chars) = self.picture.as_mut() {
                if is_base64(c) {
                    chars.push(c);
                    if chars.len() >= HEAD_CHARS {
                        self.finish_picture();
                        self.passing = true;
                    }
                } else if c != b'\r' && c != b'\n' {
                    // MIME breaks base64 into lines; anything else ends it.
                    self.finish_picture();
                }
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
            if STARTS.contains(&&self.token[..]) {
                let chars = std::mem::take(&mut self.token);
                if self.read < MOST_PICTURES {
                    self.picture = Some(chars);
                } else {
                    self.passing = true;
                }
            } else if !STARTS.iter().any(|s| s.starts_with(&self.token)) {
                self.token.clear();
                self.passing = true;
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
}

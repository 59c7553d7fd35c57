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

fn value(c: u8) -> Option<u8> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    })
}

/// Adds one base64 character's value to the group being read, and the group's bytes to
/// `decoded` when it is whole.
fn push(decoded: &mut Vec<u8>, group: &mut Vec<u8>, v: u8) {
    group.push(v);
    if let [a, b, c, d] = group[..] {
        let n = u32::from(a) << 18 | u32::from(b) << 12 | u32::from(c) << 6 | u32::from(d);
        decoded.extend_from_slice(&n.to_be_bytes()[1..]);
        group.clear();
    }
}

/// See the module documentation.
#[derive(Debug, Default)]
pub(crate) struct EncodedWatch {
    /// The first characters of the base64 run being passed (up to the longest start).
    token: Vec<u8>,
    /// Inside a run that is not a picture's start: passed until it ends.
    passing: bool,
    /// The picture being decoded: its bytes, and the characters of its next group.
    picture: Option<(Vec<u8>, Vec<u8>)>,
    read: usize,
    warnings: Vec<Warning>,
}

impl EncodedWatch {
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        for &c in bytes {
            if let Some((decoded, group)) = self.picture.as_mut() {
                match value(c) {
                    Some(v) => {
                        push(decoded, group, v);
                        if decoded.len() >= HEAD {
                            self.finish_picture();
                            self.passing = true;
                        }
                    }
                    // MIME breaks base64 into lines.
                    None if c == b'\r' || c == b'\n' => {}
                    None => self.finish_picture(),
                }
                continue;
            }
            if value(c).is_none() {
                self.token.clear();
                self.passing = false;
                continue;
            }
            if self.passing {
                continue;
            }
            self.token.push(c);
            if let Some(start) = STARTS.iter().find(|s| s[..] == self.token[..]) {
                let (mut decoded, mut group) = (Vec::new(), Vec::new());
                for &t in start.iter() {
                    push(&mut decoded, &mut group, value(t).unwrap_or(0));
                }
                self.token.clear();
                if self.read < MOST_PICTURES {
                    self.picture = Some((decoded, group));
                } else {
                    self.passing = true;
                }
            } else if !STARTS.iter().any(|s| s.starts_with(&self.token)) {
                self.token.clear();
                self.passing = true;
            }
        }
    }

    /// Reads the picture decoded so far.
    fn finish_picture(&mut self) {
        if let Some((decoded, _)) = self.picture.take() {
            self.read += 1;
            self.add(Pictures::find(&decoded).warnings);
        }
    }

    fn add(&mut self, found: Vec<Warning>) {
        for w in found {
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
    }

    /// What the pictures found say (place, camera, owner, time), the one the file ends in
    /// included.
    pub(crate) fn warnings(&self) -> Vec<Warning> {
        let mut out = self.warnings.clone();
        if let Some((decoded, _)) = &self.picture {
            for w in Pictures::find(decoded).warnings {
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
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out.as_bytes()
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
            assert!(w.picture.as_ref().is_none_or(|(d, _)| d.len() <= HEAD));
        }
        assert_eq!(w.warnings(), []);
        assert_eq!(w.read, 2);
    }
}

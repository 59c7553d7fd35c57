//! Derivatives without metadata, for `export --strip-metadata`: the image data is copied
//! byte for byte and only the metadata containers are left out. Streamed: memory holds one
//! JPEG segment (at most 64 KiB) or one buffer of a PNG chunk at a time.
//!
//! JPEG: APP1 (EXIF, XMP), APP3 to APP13 (IPTC and maker data), APP15 and comments go; the
//! JFIF header (APP0), the colour profile (APP2 `ICC_PROFILE`) and Adobe's colour transform
//! (APP14), which decoders need, stay; anything after the end-of-image marker (embedded
//! second images with their own EXIF, vendor trailers) goes. PNG: `eXIf`, `tEXt`, `zTXt`,
//! `iTXt` and `tIME` chunks go, and anything after `IEND`. Video and audio from phones
//! (MP4, QuickTime, 3GPP, M4A): see [`super::video::strip`].

use std::io::{self, Read, Write};

/// The media types a derivative can be made for.
pub fn supported(media_type: &str) -> bool {
    matches!(media_type, "image/jpeg" | "image/png") || super::video::strippable(media_type)
}

/// Copies `input` to `out` without its metadata; returns what was left out (empty: the
/// copy is identical). `Ok(None)` for a type that is not supported.
pub fn strip(
    media_type: &str,
    input: &mut dyn Read,
    out: &mut dyn Write,
) -> io::Result<Option<Vec<String>>> {
    match media_type {
        "image/jpeg" => jpeg(input, out).map(Some),
        "image/png" => png(input, out).map(Some),
        t if super::video::strippable(t) => super::video::strip(input, out).map(Some),
        _ => Ok(None),
    }
}

pub(super) fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

/// Adds `what` to the list of what was removed, once.
pub(super) fn note(removed: &mut Vec<String>, what: &str) {
    if !removed.iter().any(|r| r == what) {
        removed.push(what.to_owned());
    }
}

fn jpeg(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    let mut removed = Vec::new();
    let mut soi = [0u8; 2];
    input.read_exact(&mut soi)?;
    if soi != [0xFF, 0xD8] {
        return Err(bad("not a JPEG file"));
    }
    out.write_all(&soi)?;
    let mut segment = Vec::with_capacity(64 * 1024);
    loop {
        let mut m = [0u8; 1];
        input.read_exact(&mut m)?;
        if m[0] != 0xFF {
            return Err(bad("a damaged JPEG segment"));
        }
        // Fill bytes before a marker.
        while m[0] == 0xFF {
            input.read_exact(&mut m)?;
        }
        let marker = m[0];
        match marker {
            0xD9 => {
                out.write_all(&[0xFF, 0xD9])?;
                return trailer(input, removed);
            }
            0x01 | 0xD0..=0xD7 => out.write_all(&[0xFF, marker])?,
            0xDA => {
                out.write_all(&[0xFF, 0xDA])?;
                if scan_to_end(input, out)? {
                    note(&mut removed, "data after the image");
                }
                return trailer(input, removed);
            }
            _ => {
                let mut len = [0u8; 2];
                input.read_exact(&mut len)?;
                let len = usize::from(u16::from_be_bytes(len));
                if len < 2 {
                    return Err(bad("a damaged JPEG segment length"));
                }
                segment.clear();
                input.take(len as u64 - 2).read_to_end(&mut segment)?;
                if segment.len() != len - 2 {
                    return Err(bad("a JPEG segment cut short"));
                }
                let drop = match marker {
                    0xE1 if segment.starts_with(b"Exif\0") => Some("EXIF"),
                    0xE1 => Some("XMP"),
                    0xE2 if segment.starts_with(b"ICC_PROFILE\0") => None,
                    0xE2 => Some("APP2 data"),
                    0xED => Some("IPTC"),
                    0xE3..=0xEC | 0xEF => Some("maker data"),
                    0xFE => Some("comment"),
                    _ => None,
                };
                match drop {
                    Some(what) => note(&mut removed, what),
                    None => {
                        out.write_all(&[0xFF, marker])?;
                        out.write_all(&(len as u16).to_be_bytes())?;
                        out.write_all(&segment)?;
                    }
                }
            }
        }
    }
}

/// Copies entropy-coded data and any later scans up to and including the end-of-image
/// marker. Inside scans a 0xFF byte is always followed by 0x00, a restart marker or another
/// marker of the image, so `FF D9` is the end. Returns whether bytes followed it in the
/// last buffer read.
fn scan_to_end(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<bool> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut after_ff = false;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            return Err(bad("a JPEG file without its end marker"));
        }
        for (i, b) in buf[..n].iter().enumerate() {
            if after_ff && *b == 0xD9 {
                out.write_all(&buf[..=i])?;
                return Ok(i + 1 < n);
            }
            after_ff = *b == 0xFF;
        }
        out.write_all(&buf[..n])?;
    }
}

fn trailer(input: &mut dyn Read, mut removed: Vec<String>) -> io::Result<Vec<String>> {
    if io::copy(input, &mut io::sink())? > 0 {
        note(&mut removed, "data after the image");
    }
    Ok(removed)
}

fn png(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    const SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";
    let mut removed = Vec::new();
    let mut sig = [0u8; 8];
    input.read_exact(&mut sig)?;
    if &sig != SIGNATURE {
        return Err(bad("not a PNG file"));
    }
    out.write_all(&sig)?;
    loop {
        let mut head = [0u8; 8];
        input.read_exact(&mut head)?;
        let len = u64::from(u32::from_be_bytes([head[0], head[1], head[2], head[3]]));
        let kind = [head[4], head[5], head[6], head[7]];
        // Data and CRC.
        let body = len + 4;
        let drop = match &kind {
            b"eXIf" => Some("EXIF"),
            b"tEXt" | b"zTXt" | b"iTXt" => Some("text"),
            b"tIME" => Some("time"),
            _ => None,
        };
        let copied = match drop {
            Some(what) => {
                note(&mut removed, what);
                io::copy(&mut input.take(body), &mut io::sink())?
            }
            None => {
                out.write_all(&head)?;
                io::copy(&mut input.take(body), out)?
            }
        };
        if copied != body {
            return Err(bad("a PNG chunk cut short"));
        }
        if &kind == b"IEND" {
            return trailer(input, removed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/").to_owned() + name)
            .unwrap()
    }

    fn stripped(media_type: &str, bytes: &[u8]) -> (Vec<u8>, Vec<String>) {
        let mut out = Vec::new();
        let removed = strip(media_type, &mut &bytes[..], &mut out)
            .unwrap()
            .unwrap();
        (out, removed)
    }

    #[test]
    fn jpeg_loses_exif_and_comments_and_keeps_its_image() {
        let original = fixture("exif-gps.jpg");
        assert!(!crate::media::warnings(&original).is_empty());
        let mut with_trailer = original.clone();
        with_trailer.extend_from_slice(b"\xff\xd8 an embedded second image with EXIF");
        let (out, removed) = stripped("image/jpeg", &with_trailer);
        assert_eq!(removed, ["EXIF", "comment", "data after the image"]);
        assert!(crate::media::warnings(&out).is_empty());
        let text = String::from_utf8_lossy(&out);
        assert!(!text.contains("SN-FIXTURE") && !text.contains("protest"));
        // Everything from the quantisation tables on is the original's, byte for byte.
        let tables = |b: &[u8]| b.windows(2).position(|w| w == [0xFF, 0xDB]).unwrap();
        assert_eq!(&out[tables(&out)..], &original[tables(&original)..]);
        // Stripping again changes nothing.
        let (again, removed) = stripped("image/jpeg", &out);
        assert_eq!((again, removed.len()), (out, 0));
    }

    #[test]
    fn png_loses_exif_and_text_chunks() {
        let original = fixture("exif-gps.png");
        let (out, removed) = stripped("image/png", &original);
        // ImageMagick, which made the fixture, adds its own time chunk and date texts.
        assert_eq!(removed, ["EXIF", "text", "time"]);
        assert!(crate::media::warnings(&out).is_empty());
        assert!(!String::from_utf8_lossy(&out).contains("Fixture-Owner"));
        assert!(out.ends_with(b"IEND\xaeB`\x82"));
    }

    #[test]
    fn damaged_images_are_errors_and_other_types_are_not_touched() {
        let jpg = fixture("exif-gps.jpg");
        let mut out = Vec::new();
        assert!(strip("image/jpeg", &mut &jpg[..jpg.len() - 2], &mut out).is_err());
        assert!(strip("image/png", &mut &b"\x89PNG\r\n\x1a\n\0\0"[..], &mut out).is_err());
        assert!(strip("video/mp4", &mut &b"data"[..], &mut out).is_err());
        assert!(strip("application/pdf", &mut &b"%PDF-1.7"[..], &mut out)
            .unwrap()
            .is_none());
    }
}

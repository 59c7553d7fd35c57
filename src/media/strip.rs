//! Derivatives without metadata, for `export --strip-metadata`: the image data is copied
//! byte for byte and only the metadata containers are left out. Streamed: memory holds one
//! JPEG segment (at most 64 KiB) or one buffer of a PNG chunk at a time.
//!
//! JPEG: every APPn segment and comment goes, in front of the image and between the scans
//! of a progressive one, except the JFIF header (APP0 `JFIF`), the colour profile (APP2
//! `ICC_PROFILE`) and Adobe's colour transform (APP14 `Adobe`), which decoders need;
//! anything after the end-of-image marker (embedded second images with their own EXIF,
//! vendor trailers) goes. PNG: only the chunks that draw the image stay (header, palette,
//! data, transparency, colour, physical size, animation, background); text, time, EXIF and
//! every other chunk go, and anything after `IEND`. Video and audio from phones
//! (MP4, QuickTime, 3GPP, M4A): see [`super::video::strip`]; their `udta`, `meta` and
//! `uuid` boxes go whole. HEIF photos: their EXIF and XMP items ([`super::heif`]).
//! TIFF images: their device, time and author tags and EXIF and GPS directories, zeroed in
//! place ([`super::tiff`]). GIF images: comments and application extensions
//! ([`super::gif`]); BMP images go as they are, without what follows them. E-mails: their
//! `Received:` and `X-Originating-IP:` values ([`super::mail`]). ZIP archives: each file
//! as it would be alone ([`super::office::strip_archive`]). WebP
//! and WAV: their EXIF, XMP and tag chunks ([`super::riff`]). MP3: its tags go (see
//! [`super::mp3`]). FLAC: see [`super::audio`]; Ogg (Opus, Vorbis): [`super::ogg`];
//! Matroska and WebM: [`super::matroska`]; PDF documents: their information dictionary's
//! strings and XMP values ([`super::pdf`]); Word, Excel, PowerPoint and OpenDocument files:
//! their document properties, file times and printer ([`super::office`]), and their
//! 97–2003 forms the same ([`super::ole`]); RTF documents: their `\info` group, revision
//! table, comment authors, generator and session ids ([`super::rtf`]); in both, the photos
//! pasted into them keep their pixels and lose their EXIF where it stands
//! ([`super::pictures`]).

use std::io::{self, Read, Write};

pub use super::telemetry::Plan;

/// The media types a derivative can be made for.
pub fn supported(media_type: &str) -> bool {
    matches!(
        media_type,
        "image/jpeg"
            | "image/png"
            | "image/gif"
            | "image/bmp"
            | "image/tiff"
            | "audio/mpeg"
            | "audio/x-wav"
            | "audio/x-flac"
            | "audio/ogg"
            | "audio/opus"
            | "image/webp"
            | "application/pdf"
            | "application/rtf"
            | "message/rfc822"
            | "application/zip"
    ) || super::video::strippable(media_type)
        || super::heif::strippable(media_type)
        || super::matroska::strippable(media_type)
        || super::office::strippable(media_type)
        || super::ole::strippable(media_type)
        || is_text(media_type)
}

/// Whether a file of this type has its index read before it is stripped ([`plan`]).
pub fn reads_index(media_type: &str) -> bool {
    super::video::strippable(media_type)
        || super::heif::strippable(media_type)
        || media_type == "image/tiff"
}

/// What a copy of a file of this type must blank besides its metadata boxes, from its
/// index: a video's telemetry and timecode tracks ([`super::telemetry::plan`]), a HEIF
/// photo's EXIF and XMP items ([`super::heif::plan`]), a TIFF image's metadata
/// ([`super::tiff::plan`]).
pub fn plan<R: Read + std::io::Seek + ?Sized>(media_type: &str, input: &mut R) -> io::Result<Plan> {
    if super::heif::strippable(media_type) {
        super::heif::plan(input)
    } else if media_type == "image/tiff" {
        super::tiff::plan(input)
    } else if super::video::strippable(media_type) {
        super::telemetry::plan(input)
    } else {
        Ok(Plan::default())
    }
}

/// Copies `input` to `out` without its metadata, and without what `plan` (from
/// [`super::telemetry::plan`] of the same file, or none) says; returns what was left out (empty: the copy is identical).
/// `Ok(None)` for a type that is not supported.
pub fn strip(
    media_type: &str,
    input: &mut dyn Read,
    plan: &Plan,
    out: &mut dyn Write,
) -> io::Result<Option<Vec<String>>> {
    match media_type {
        "image/jpeg" => jpeg(input, out).map(Some),
        "image/png" => png(input, out).map(Some),
        "image/gif" => super::gif::strip(input, out).map(Some),
        "image/bmp" => bmp(input, out).map(Some),
        "image/tiff" => super::tiff::strip(input, plan, out).map(Some),
        "audio/mpeg" => super::mp3::strip(input, out).map(Some),
        "audio/x-wav" => super::riff::wav(input, out).map(Some),
        "image/webp" => super::riff::webp(input, out).map(Some),
        "application/pdf" => super::pdf::strip(input, out).map(Some),
        "application/rtf" => super::rtf::strip(input, out).map(Some),
        "message/rfc822" => super::mail::strip(input, out).map(Some),
        "application/zip" => super::office::strip_archive(input, out).map(Some),
        "audio/x-flac" => super::audio::flac(input, out).map(Some),
        "audio/ogg" | "audio/opus" => super::ogg::strip(input, out).map(Some),
        t if super::video::strippable(t) => super::video::strip(input, plan, out).map(Some),
        t if super::heif::strippable(t) => super::video::strip_image(input, plan, out).map(Some),
        t if super::matroska::strippable(t) => super::matroska::strip(input, out).map(Some),
        t if super::office::strippable(t) => super::office::strip(input, out).map(Some),
        t if super::ole::strippable(t) => super::ole::strip(input, out).map(Some),
        t if is_text(t) => super::encoded::strip(input, out).map(Some),
        _ => Ok(None),
    }
}

/// Text files (web pages, notes, logs): their copy is the same text with the photos it
/// carries in base64 stripped ([`super::encoded::strip`]).
fn is_text(media_type: &str) -> bool {
    media_type.starts_with("text/")
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
    let mut input = io::BufReader::with_capacity(64 * 1024, input);
    let mut removed = Vec::new();
    let mut soi = [0u8; 2];
    input.read_exact(&mut soi)?;
    if soi != [0xFF, 0xD8] {
        return Err(bad("not a JPEG file"));
    }
    out.write_all(&soi)?;
    let mut segment = Vec::with_capacity(64 * 1024);
    let mut next = None;
    loop {
        let marker = match next.take() {
            Some(marker) => marker,
            None => {
                let mut m = [0u8; 1];
                input.read_exact(&mut m)?;
                if m[0] != 0xFF {
                    return Err(bad("a damaged JPEG segment"));
                }
                // Fill bytes before a marker.
                while m[0] == 0xFF {
                    input.read_exact(&mut m)?;
                }
                m[0]
            }
        };
        match marker {
            0xD9 => {
                out.write_all(&[0xFF, 0xD9])?;
                return trailer(&mut input, removed);
            }
            0x01 | 0xD0..=0xD7 => out.write_all(&[0xFF, marker])?,
            _ => {
                let mut len = [0u8; 2];
                input.read_exact(&mut len)?;
                let len = usize::from(u16::from_be_bytes(len));
                if len < 2 {
                    return Err(bad("a damaged JPEG segment length"));
                }
                segment.clear();
                (&mut input)
                    .take(len as u64 - 2)
                    .read_to_end(&mut segment)?;
                if segment.len() != len - 2 {
                    return Err(bad("a JPEG segment cut short"));
                }
                let drop = match marker {
                    0xE0 if segment.starts_with(b"JFIF\0") => None,
                    // JFXX thumbnails and anything else an APP0 may hold.
                    0xE0 => Some("maker data"),
                    0xE1 if segment.starts_with(b"Exif\0") => Some("EXIF"),
                    0xE1 => Some("XMP"),
                    0xE2 if segment.starts_with(b"ICC_PROFILE\0") => None,
                    0xE2 => Some("APP2 data"),
                    0xED => Some("IPTC"),
                    0xEE if segment.starts_with(b"Adobe") => None,
                    0xE3..=0xEC | 0xEE | 0xEF => Some("maker data"),
                    0xFE => Some("comment"),
                    // Reserved JPEG extensions, which no decoder needs.
                    0xF0..=0xFD => Some("maker data"),
                    _ => None,
                };
                // The JFIF header and Adobe's segment have a fixed form: anything after it
                // (a JFIF thumbnail, or text) goes.
                let fixed = match marker {
                    0xE0 => 14,
                    0xEE => 12,
                    _ => segment.len(),
                };
                if fixed < segment.len() && drop.is_none() {
                    note(&mut removed, "thumbnail or maker data");
                    segment.truncate(fixed);
                    if marker == 0xE0 {
                        // No thumbnail: its width and height.
                        segment[12..14].fill(0);
                    }
                }
                match drop {
                    Some(what) => note(&mut removed, what),
                    None => {
                        out.write_all(&[0xFF, marker])?;
                        out.write_all(&(segment.len() as u16 + 2).to_be_bytes())?;
                        out.write_all(&segment)?;
                    }
                }
                if marker == 0xDA {
                    // A progressive or multi-scan image has more segments between its
                    // scans, where metadata may hide as well: they go through this loop.
                    next = Some(scan(&mut input, out)?);
                }
            }
        }
    }
}

/// Copies a scan's entropy-coded data, in which a 0xFF byte is followed by 0x00 (a stuffed
/// byte) or a restart marker; returns the marker that ends it (its 0xFF and any fill bytes
/// before it are not copied: the caller writes the segments that follow).
fn scan(input: &mut impl io::BufRead, out: &mut dyn Write) -> io::Result<u8> {
    let mut pending_ff = false;
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Err(bad("a JPEG file without its end marker"));
        }
        let (mut run, mut ended) = (0, None);
        for (i, &b) in buf.iter().enumerate() {
            if pending_ff {
                pending_ff = false;
                match b {
                    0x00 | 0xD0..=0xD7 => {
                        out.write_all(&[0xFF])?;
                        run = i;
                    }
                    0xFF => {
                        pending_ff = true;
                        run = i + 1;
                    }
                    marker => {
                        ended = Some((i + 1, marker));
                        break;
                    }
                }
            } else if b == 0xFF {
                out.write_all(&buf[run..i])?;
                pending_ff = true;
                run = i + 1;
            }
        }
        if let Some((used, marker)) = ended {
            input.consume(used);
            return Ok(marker);
        }
        out.write_all(&buf[run..])?;
        let n = buf.len();
        input.consume(n);
    }
}

fn trailer(input: &mut (impl Read + ?Sized), mut removed: Vec<String>) -> io::Result<Vec<String>> {
    if io::copy(input, &mut io::sink())? > 0 {
        note(&mut removed, "data after the image");
    }
    Ok(removed)
}

/// Copies a BMP image, which holds no metadata, up to the end its header gives: whatever
/// follows it goes.
fn bmp(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    let mut header = [0u8; 14];
    input.read_exact(&mut header)?;
    if &header[..2] != b"BM" {
        return Err(bad("not a BMP image"));
    }
    let size = u64::from(u32::from_le_bytes([
        header[2], header[3], header[4], header[5],
    ]));
    if size < 14 {
        return Err(bad("a damaged BMP header"));
    }
    out.write_all(&header)?;
    if io::copy(&mut input.take(size - 14), out)? != size - 14 {
        return Err(bad("a BMP image cut short"));
    }
    trailer(input, Vec::new())
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
        // What stays is what draws the image; every other chunk goes, private and future
        // ones included, since any of them may carry EXIF or a provenance manifest.
        let drop = match &kind {
            b"IHDR" | b"PLTE" | b"IDAT" | b"IEND" | b"tRNS" | b"gAMA" | b"cHRM" | b"sRGB"
            | b"iCCP" | b"sBIT" | b"cICP" | b"mDCV" | b"cLLI" | b"pHYs" | b"acTL" | b"fcTL"
            | b"fdAT" | b"bKGD" => None,
            b"eXIf" | b"exIf" | b"zxIf" => Some("EXIF"),
            b"tEXt" | b"zTXt" | b"iTXt" => Some("text"),
            b"tIME" => Some("time"),
            _ => Some("other metadata"),
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
    use crate::media::fixture;

    fn stripped(media_type: &str, bytes: &[u8]) -> (Vec<u8>, Vec<String>) {
        let mut out = Vec::new();
        let removed = strip(media_type, &mut &bytes[..], &Plan::default(), &mut out)
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

    /// A progressive image has several scans with segments between them, where a comment
    /// or a second EXIF block may sit.
    #[test]
    fn metadata_between_the_scans_of_a_progressive_jpeg_goes_too() {
        let original = fixture("exif-gps.jpg");
        let (first, _) = stripped("image/jpeg", &original);
        let body = &first[..first.len() - 2];
        let segment = |marker: u8, data: &[u8]| {
            let mut s = vec![0xFF, marker];
            s.extend_from_slice(&u16::try_from(data.len() + 2).unwrap().to_be_bytes());
            s.extend_from_slice(data);
            s
        };
        let second_scan: Vec<u8> = [
            segment(0xDA, &[1, 1, 0, 1, 63, 0x21]),
            // Entropy-coded data: stuffed 0xFF, a restart marker, fill bytes before the end.
            vec![0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56],
        ]
        .concat();
        let mut progressive = body.to_vec();
        progressive.extend(segment(0xFE, b"the owner is Hidden Owner"));
        progressive.extend(segment(0xE1, b"Exif\0\0 GPS 51 30 N"));
        progressive.extend(segment(0xC4, &[0x00; 17]));
        progressive.extend(&second_scan);
        progressive.extend([0xFF, 0xFF, 0xD9]);

        let (out, removed) = stripped("image/jpeg", &progressive);
        assert_eq!(removed, ["comment", "EXIF"]);
        let text = String::from_utf8_lossy(&out);
        assert!(
            !text.contains("Hidden Owner") && !text.contains("GPS"),
            "{text}"
        );
        let expected = [
            body,
            &segment(0xC4, &[0x00; 17]),
            &second_scan,
            &[0xFF, 0xD9],
        ]
        .concat();
        assert_eq!(out, expected);
        // A scan that never ends is a damaged file.
        let mut out = Vec::new();
        let cut = &progressive[..progressive.len() - 3];
        assert!(strip("image/jpeg", &mut &cut[..], &Plan::default(), &mut out).is_err());
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

    /// Chunks and segments Aigaq has no name for go too: new and private ones carry EXIF,
    /// XMP or provenance manifests as well.
    #[test]
    fn only_what_draws_the_image_is_kept() {
        let png = fixture("exif-gps.png");
        let iend = png.len() - 12;
        let chunk = |kind: &[u8; 4], data: &[u8]| {
            let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            c.extend_from_slice(&[0; 4]);
            c
        };
        let with_private = [
            &png[..iend],
            &chunk(b"zxIf", b"Exif GPS 43.238 N"),
            &chunk(b"caBX", b"c2pa manifest: owner Hidden Owner"),
            &png[iend..],
        ]
        .concat();
        let (out, removed) = stripped("image/png", &with_private);
        assert!(removed.iter().any(|r| r == "other metadata"), "{removed:?}");
        let text = String::from_utf8_lossy(&out);
        assert!(!text.contains("GPS 43") && !text.contains("Hidden Owner"));
        assert!(out.ends_with(b"IEND\xaeB`\x82"));

        let jpg = fixture("exif-gps.jpg");
        let app0 = |data: &[u8]| {
            let len = u16::try_from(data.len() + 2).unwrap().to_be_bytes();
            [&[0xFF, 0xE0][..], &len, data].concat()
        };
        let with_jfxx = [
            &jpg[..2],
            &app0(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0 appended: OWNER-SECRET"),
            &app0(b"JFXX\0\x10 SERIAL-9999 "),
            &jpg[2..],
        ]
        .concat();
        let (out, _) = stripped("image/jpeg", &with_jfxx);
        let text = String::from_utf8_lossy(&out);
        assert!(!text.contains("SERIAL-9999") && !text.contains("OWNER-SECRET"));
        assert!(
            out.windows(5).any(|w| w == b"JFIF\0"),
            "the JFIF header stays"
        );
    }

    #[test]
    fn a_bmp_image_goes_as_it_is_without_what_follows_it() {
        // 1×1, 24 bits: a file header, an info header, one pixel padded to four bytes.
        let mut bmp = b"BM\x3a\0\0\0\0\0\0\0\x36\0\0\0".to_vec();
        bmp.extend_from_slice(&[40, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 24, 0]);
        bmp.extend_from_slice(&[0; 24]);
        bmp.extend_from_slice(&[0x20, 0x40, 0x80, 0]);
        assert_eq!(bmp.len(), 0x3a);
        let (copy, removed) = stripped("image/bmp", &bmp);
        assert_eq!((copy.as_slice(), removed), (&bmp[..], Vec::<String>::new()));
        let tagged = [&bmp[..], b"Aigerim's laptop"].concat();
        let (copy, removed) = stripped("image/bmp", &tagged);
        assert_eq!(copy, bmp);
        assert_eq!(removed, ["data after the image"]);
        let mut out = Vec::new();
        assert!(super::bmp(&mut &bmp[..20], &mut out).is_err());
        assert!(super::bmp(&mut &b"BM\x05\0\0\0\0\0\0\0\0\0\0\0"[..], &mut out).is_err());
    }

    #[test]
    fn damaged_images_are_errors_and_other_types_are_not_touched() {
        let jpg = fixture("exif-gps.jpg");
        let mut out = Vec::new();
        assert!(strip(
            "image/jpeg",
            &mut &jpg[..jpg.len() - 2],
            &Plan::default(),
            &mut out
        )
        .is_err());
        assert!(strip(
            "image/png",
            &mut &b"\x89PNG\r\n\x1a\n\0\0"[..],
            &Plan::default(),
            &mut out
        )
        .is_err());
        assert!(strip("video/mp4", &mut &b"data"[..], &Plan::default(), &mut out).is_err());
        assert!(strip(
            "application/x-7z-compressed",
            &mut &b"7z\xbc\xaf\x27\x1c"[..],
            &Plan::default(),
            &mut out
        )
        .unwrap()
        .is_none());
    }
}

//! RIFF files, for `export --strip-metadata`: WAV recordings and WebP photos. What goes is
//! blanked where it stands rather than cut out: a chunk becomes a `JUNK` chunk of the same
//! size, filled with zeros, which every reader skips (WebP asks readers to skip chunks they
//! do not know). The file then keeps its length and every size field stays true, so it is
//! streamed in one pass (a WAV's sound, which can be hours, comes after chunks that must be
//! blanked and before others that must), and the sound or the picture is copied as it is.

use std::io::{self, Read, Write};

use super::audio::{anything_left, blank, copy_exact};
use super::strip::{bad, note};

/// A RIFF form that is stripped: its type, the chunks that stay, a kept chunk whose first
/// byte holds flags to clear (that the blanked chunks are there), and what it is called in
/// errors.
struct Form {
    kind: &'static [u8; 4],
    kept: &'static [&'static [u8; 4]],
    flags: Option<(&'static [u8; 4], u8)>,
    name: &'static str,
    /// What anything after the RIFF's end is called among what was removed.
    trailing: &'static str,
}

/// WAV: the chunks that hold the sound or what a player needs to play it.
const WAVE: Form = Form {
    kind: b"WAVE",
    kept: &[b"fmt ", b"fact", b"data"],
    flags: None,
    name: "WAV",
    trailing: "data after the recording",
};

/// WebP: the chunks that draw the image (its header, alpha, animation, frames) and its
/// colour profile, which decoders need.
const WEBP: Form = Form {
    kind: b"WEBP",
    kept: &[
        b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP",
    ],
    // The extended header's flags say EXIF and XMP chunks are present.
    flags: Some((b"VP8X", 0x08 | 0x04)),
    name: "WebP",
    trailing: "data after the image",
};

/// WAV (RIFF `WAVE`): every chunk but the format, the sample count and the sound itself
/// is blanked into `JUNK`; anything after the RIFF's declared end goes.
pub(super) fn wav(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    riff(input, out, &WAVE)
}

/// WebP (RIFF `WEBP`): its `EXIF` and `XMP ` chunks, and any other that does not draw the
/// image, are blanked into `JUNK` (which decoders skip, as the format asks of unknown
/// chunks), and its header no longer says they are there; anything after the RIFF's
/// declared end goes.
pub(super) fn webp(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    riff(input, out, &WEBP)
}

fn riff(input: &mut dyn Read, out: &mut dyn Write, form: &Form) -> io::Result<Vec<String>> {
    let cut = format!("a {} file cut short", form.name);
    let mut removed = Vec::new();
    let mut head = [0u8; 12];
    input.read_exact(&mut head)?;
    if &head[..4] != b"RIFF" || &head[8..] != form.kind {
        // RF64 (recordings over 4 GiB) and others are not read here.
        let kind = String::from_utf8_lossy(form.kind);
        return Err(bad(&format!("not a RIFF {kind} file")));
    }
    out.write_all(&head)?;
    let riff_size = u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]]));
    // Bytes of the RIFF's content after its form type.
    let mut left = riff_size
        .checked_sub(4)
        .ok_or_else(|| bad("a damaged RIFF header"))?;
    while left > 0 {
        if left < 8 {
            return Err(bad(&format!("a damaged {} chunk header", form.name)));
        }
        let mut chunk = [0u8; 8];
        input.read_exact(&mut chunk)?;
        let id: [u8; 4] = [chunk[0], chunk[1], chunk[2], chunk[3]];
        let size = u64::from(u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]));
        // Chunks are padded to an even length.
        let body = size + (size & 1);
        if 8 + body > left {
            return Err(bad(&format!(
                "a {} chunk larger than its file says",
                form.name
            )));
        }
        let clear = form
            .flags
            .filter(|(flagged, _)| **flagged == id && body > 0);
        if let Some((_, gone)) = clear {
            out.write_all(&chunk)?;
            let mut flags = [0u8; 1];
            input.read_exact(&mut flags).map_err(|_| bad(&cut))?;
            flags[0] &= !gone;
            out.write_all(&flags)?;
            copy_exact(input, out, body - 1, &cut)?;
        } else if form.kept.contains(&&id) {
            out.write_all(&chunk)?;
            copy_exact(input, out, body, &cut)?;
        } else {
            if &id != b"JUNK" && &id != b"PAD " {
                note(&mut removed, chunk_name(&id));
            }
            out.write_all(b"JUNK")?;
            out.write_all(&chunk[4..])?;
            blank(input, out, body, &cut)?;
        }
        left -= 8 + body;
    }
    if anything_left(input)? {
        note(&mut removed, form.trailing);
    }
    Ok(removed)
}

/// What a RIFF chunk that goes holds, for the list of what was removed.
fn chunk_name(id: &[u8; 4]) -> &'static str {
    match id {
        b"EXIF" => "EXIF",
        b"XMP " => "XMP",
        b"LIST" => "INFO tags (artist, software, dates)",
        b"bext" => "broadcast extension (originator, date and time)",
        b"iXML" => "iXML",
        b"id3 " | b"ID3 " => "ID3 tags",
        b"_PMX" => "XMP",
        _ => "other chunks",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::audio::tests::{chunk, riff_of};

    #[test]
    fn a_webp_goes_without_its_exif_and_xmp_and_its_picture_stays() {
        // Flags: colour profile, EXIF and XMP; then the canvas size.
        let vp8x = [0x20 | 0x08 | 0x04, 0, 0, 0, 95, 0, 0, 63, 0, 0];
        let picture = vec![0x9d; 1001];
        let exif = b"MM\0\x2a\0\0\0\x08 Aigerim GPS 43.2389";
        let file = [
            riff_of(
                b"WEBP",
                &[
                    chunk(b"VP8X", &vp8x),
                    chunk(b"ICCP", b"profile"),
                    chunk(b"VP8 ", &picture),
                    chunk(b"EXIF", exif),
                    chunk(b"XMP ", b"<x:xmpmeta City=\"Zhanaozen\"/>"),
                ],
            ),
            b"trailing".to_vec(),
        ]
        .concat();
        let mut copy = Vec::new();
        let removed = webp(&mut &file[..], &mut copy).unwrap();
        assert_eq!(removed, ["EXIF", "XMP", "data after the image"]);
        assert_eq!(copy.len(), file.len() - b"trailing".len());
        // Only the EXIF and XMP flags went from the header.
        assert_eq!(copy[20], 0x20);
        assert_eq!(copy[..20], file[..20]);
        assert_eq!(copy[21..80], file[21..80]);
        let at = |b: &[u8], what: &[u8]| b.windows(what.len()).position(|w| w == what);
        let p = at(&file, &picture).unwrap();
        assert_eq!(copy[p..p + picture.len()], picture[..]);
        for gone in [&b"Aigerim"[..], b"Zhanaozen", b"EXIF", b"XMP "] {
            assert!(at(&copy, gone).is_none());
        }
        // What is blanked is well formed: stripping the copy again changes nothing.
        assert_eq!(
            webp(&mut &copy[..], &mut Vec::new()).unwrap(),
            Vec::<String>::new()
        );
        assert!(webp(&mut &file[..file.len() - 40], &mut Vec::new()).is_err());
        let wav_form = riff_of(b"WAVE", &[chunk(b"data", b"ab")]);
        let err = webp(&mut &wav_form[..], &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("not a RIFF WEBP file"), "{err}");
    }
}

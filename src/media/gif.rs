//! GIF images (a messenger's animation, an old camera's or a scanner's picture): no EXIF,
//! but comment extensions and application extensions hold text, XMP (an editor's creator
//! tool, author and times) and an editor's own data, and anything may follow the trailer.
//!
//! A copy ([`strip`]) keeps every block that draws the image: the screen descriptor and
//! colour tables, each image with its graphic control (delay, transparency), plain text
//! extensions (which are drawn), the loop count of an animation (`NETSCAPE2.0`,
//! `ANIMEXTS1.0`) and an ICC colour profile; comments and every other application
//! extension go, and whatever follows the trailer.

use std::io::{self, BufRead, Read, Write};

use super::strip::{bad, note};

/// The application extensions a copy keeps: an animation's loop count, a colour profile.
const KEPT_APPLICATIONS: [&[u8; 11]; 3] = [b"NETSCAPE2.0", b"ANIMEXTS1.0", b"ICCRGBG1012"];

/// Copies a GIF image without its comments, XMP and other application data (see the
/// module documentation); returns what was left out.
pub(super) fn strip(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    let mut input = io::BufReader::with_capacity(64 * 1024, input);
    let mut removed = Vec::new();
    let mut head = [0u8; 13];
    input.read_exact(&mut head)?;
    if !matches!(&head[..6], b"GIF87a" | b"GIF89a") {
        return Err(bad("not a GIF image"));
    }
    out.write_all(&head)?;
    copy_colour_table(&mut input, out, head[10])?;
    loop {
        let mut kind = [0u8; 1];
        input.read_exact(&mut kind)?;
        match kind[0] {
            // An image: its descriptor, colour table, code size and data.
            0x2C => {
                let mut descriptor = [0u8; 9];
                input.read_exact(&mut descriptor)?;
                out.write_all(&kind)?;
                out.write_all(&descriptor)?;
                copy_colour_table(&mut input, out, descriptor[8])?;
                let mut code_size = [0u8; 1];
                input.read_exact(&mut code_size)?;
                out.write_all(&code_size)?;
                sub_blocks(&mut input, Some(out))?;
            }
            0x21 => {
                let mut label = [0u8; 1];
                input.read_exact(&mut label)?;
                let first = first_sub_block(&mut input)?;
                let keep = match label[0] {
                    0xF9 | 0x01 => true,
                    0xFF => KEPT_APPLICATIONS
                        .iter()
                        .any(|app| first.get(1..12) == Some(&app[..])),
                    _ => false,
                };
                if keep {
                    out.write_all(&[0x21, label[0]])?;
                    out.write_all(&first)?;
                    if first != [0] {
                        sub_blocks(&mut input, Some(out))?;
                    }
                } else {
                    let what = match label[0] {
                        0xFE => "comment",
                        0xFF if first.get(1..12) == Some(&b"XMP DataXMP"[..]) => "XMP",
                        _ => "other metadata",
                    };
                    note(&mut removed, what);
                    if first != [0] {
                        sub_blocks(&mut input, None)?;
                    }
                }
            }
            0x3B => {
                out.write_all(&kind)?;
                if io::copy(&mut input, &mut io::sink())? > 0 {
                    note(&mut removed, "data after the image");
                }
                return Ok(removed);
            }
            _ => return Err(bad("a damaged GIF block")),
        }
    }
}

/// Copies the colour table a descriptor's `flags` announce, if any.
fn copy_colour_table(input: &mut dyn Read, out: &mut dyn Write, flags: u8) -> io::Result<()> {
    if flags & 0x80 == 0 {
        return Ok(());
    }
    let len = 3u64 << ((flags & 0x07) + 1);
    if io::copy(&mut input.take(len), out)? != len {
        return Err(bad("a GIF colour table cut short"));
    }
    Ok(())
}

/// An extension's first sub-block, its length byte included (`[0]`: it has none).
fn first_sub_block(input: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut len = [0u8; 1];
    input.read_exact(&mut len)?;
    let mut block = vec![0u8; 1 + usize::from(len[0])];
    block[0] = len[0];
    input.read_exact(&mut block[1..])?;
    Ok(block)
}

/// Copies sub-blocks (a length byte and that many bytes) up to and with the empty one that
/// ends them, to `out` or nowhere.
fn sub_blocks(input: &mut impl BufRead, mut out: Option<&mut dyn Write>) -> io::Result<()> {
    let mut block = [0u8; 256];
    loop {
        input.read_exact(&mut block[..1])?;
        let len = usize::from(block[0]);
        input.read_exact(&mut block[1..=len])?;
        if let Some(out) = out.as_mut() {
            out.write_all(&block[..=len])?;
        }
        if len == 0 {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2×1 two-colour animation, as editors write one: a comment, XMP, a loop count, an
    /// image with its graphic control, and bytes after the trailer.
    fn gif() -> Vec<u8> {
        let mut g = b"GIF89a\x02\x00\x01\x00\x80\x00\x00".to_vec();
        g.extend_from_slice(&[0, 0, 0, 255, 255, 255]);
        g.extend_from_slice(b"\x21\xFE\x14Taken by Aigerim N.\x00\x00");
        g.extend_from_slice(b"\x21\xFF\x0BXMP DataXMP");
        g.extend_from_slice(b"\x1e<x:xmpmeta>Aigerim</x:xmpmeta>\x00");
        g.extend_from_slice(b"\x21\xFF\x0BNETSCAPE2.0\x03\x01\x00\x00\x00");
        g.extend_from_slice(b"\x21\xF9\x04\x04\x0A\x00\x00\x00");
        g.extend_from_slice(b"\x2C\x00\x00\x00\x00\x02\x00\x01\x00\x00");
        g.extend_from_slice(b"\x02\x02\x44\x01\x00");
        g.extend_from_slice(b"\x3BAigerim's laptop");
        g
    }

    fn stripped(file: &[u8]) -> io::Result<(Vec<u8>, Vec<String>)> {
        let mut out = Vec::new();
        let removed = strip(&mut &file[..], &mut out)?;
        Ok((out, removed))
    }

    #[test]
    fn comments_xmp_and_what_follows_go_and_what_draws_the_image_stays() {
        let (copy, removed) = stripped(&gif()).unwrap();
        assert_eq!(
            removed,
            ["comment", "XMP", "data after the image"].map(String::from)
        );
        assert!(memchr::memmem::find(&copy, b"Aigerim").is_none());
        for kept in [
            &b"NETSCAPE2.0\x03\x01\x00\x00\x00"[..],
            b"\x21\xF9\x04",
            b"\x02\x02\x44\x01\x00\x3B",
        ] {
            assert!(memchr::memmem::find(&copy, kept).is_some(), "{kept:?}");
        }
        assert!(copy.ends_with(b"\x3B"));
        // A copy of the copy is the same: nothing more to take.
        assert_eq!(stripped(&copy).unwrap(), (copy, Vec::new()));
    }

    #[test]
    fn damaged_images_are_errors_without_panic() {
        let g = gif();
        for cut in 0..g.len() {
            let _ = stripped(&g[..cut]);
        }
        assert!(stripped(b"GIF89a\x01\x00\x01\x00\x00\x00\x00\x99").is_err());
        assert!(stripped(b"PNG").is_err());
    }
}

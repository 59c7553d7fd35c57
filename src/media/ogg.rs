//! Ogg recordings (Opus, the voice notes of messaging apps and recorders, and Vorbis): their
//! comment header holds tags (artist, date, the recording app), read at attach and emptied
//! by `export --strip-metadata`.
//!
//! The comment header is the stream's second packet. It is emptied in place: no comments,
//! the vendor string and the comments' bytes zeroed (for Vorbis, the framing bit kept right
//! after the empty list), so the page keeps its length and only its checksum is computed
//! again; every other page is copied as it is. A comment header that does not end on its
//! first page (cover art, long tags) is not handled: the file is then an error for the
//! stripper, and the export's rules for files it cannot strip apply.

use std::io::{self, Read, Write};

use super::audio::vorbis_comments;
use super::strip::{bad, note};
use super::Warning;

/// A page's fixed header: capture pattern, version, type, granule position, serial number,
/// sequence number, checksum, segment count.
const HEADER: usize = 27;

/// Where the comment header starts and how it is written: Opus's or Vorbis's.
fn comment_magic(packet: &[u8]) -> Option<(usize, bool)> {
    if packet.starts_with(b"OpusTags") {
        Some((8, false))
    } else if packet.starts_with(b"\x03vorbis") {
        Some((7, true))
    } else {
        None
    }
}

/// The first packet of a page's payload, if it ends on this page: its length.
fn first_packet_len(lacing: &[u8]) -> Option<usize> {
    let mut len = 0;
    for &l in lacing {
        len += usize::from(l);
        if l < 255 {
            return Some(len);
        }
    }
    None
}

/// The comment header in a file's first bytes, if it is an Ogg stream's second page.
fn comment_packet(head: &[u8]) -> Option<&[u8]> {
    let mut at = 0;
    for _ in 0..2 {
        let h = head.get(at..at + HEADER)?;
        if &h[..4] != b"OggS" {
            return None;
        }
        let segments = usize::from(h[26]);
        let lacing = head.get(at + HEADER..at + HEADER + segments)?;
        let payload = at + HEADER + segments;
        let size: usize = lacing.iter().map(|&l| usize::from(l)).sum();
        if h[18..22] == 1u32.to_le_bytes() {
            let len = first_packet_len(lacing)?;
            return head.get(payload..payload + len);
        }
        at = payload + size;
    }
    None
}

/// The artist and date in an Ogg recording's comments, from its first bytes.
pub(super) fn warnings(head: &[u8]) -> Vec<Warning> {
    let mut out = Vec::new();
    if let Some(packet) = comment_packet(head) {
        if let Some((skip, _)) = comment_magic(packet) {
            vorbis_comments(&packet[skip..], &mut out);
        }
    }
    out
}

/// Empties a comment header in place: `true` if it held anything.
fn empty_comments(packet: &mut [u8]) -> io::Result<bool> {
    let (skip, vorbis) = comment_magic(packet).ok_or_else(|| bad("no Ogg comment header"))?;
    let body = &mut packet[skip..];
    let le32 = |b: &[u8], at: usize| {
        b.get(at..at + 4)
            .map(|x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]) as usize)
    };
    let vendor = le32(body, 0).ok_or_else(|| bad("a damaged Ogg comment header"))?;
    let count_at = 4 + vendor;
    let count = le32(body, count_at).ok_or_else(|| bad("a damaged Ogg comment header"))?;
    let held = count > 0 || body[4..count_at].iter().any(|&b| b != 0);
    // The vendor's length stays (its bytes become zeros); the list is empty.
    body[4..count_at].fill(0);
    body[count_at..count_at + 4].fill(0);
    let rest = &mut body[count_at + 4..];
    rest.fill(0);
    if vorbis {
        let Some(framing) = rest.first_mut() else {
            return Err(bad("a damaged Vorbis comment header"));
        };
        *framing = 1;
    }
    Ok(held)
}

/// Copies an Ogg stream with its comment header emptied.
pub(super) fn strip(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    let mut removed = Vec::new();
    let mut page = Vec::with_capacity(HEADER + 255 + 255 * 255);
    let mut first = true;
    loop {
        page.clear();
        page.resize(HEADER, 0);
        let mut got = 0;
        while got < HEADER {
            match input.read(&mut page[got..])? {
                0 => break,
                n => got += n,
            }
        }
        if got == 0 && !first {
            return Ok(removed);
        }
        if got < HEADER || &page[..4] != b"OggS" {
            return Err(bad("not an Ogg page where one should start"));
        }
        first = false;
        let segments = usize::from(page[26]);
        page.resize(HEADER + segments, 0);
        input.read_exact(&mut page[HEADER..])?;
        let size: usize = page[HEADER..].iter().map(|&l| usize::from(l)).sum();
        let payload = page.len();
        page.resize(payload + size, 0);
        input.read_exact(&mut page[payload..])?;
        if page[18..22] == 1u32.to_le_bytes() && page[5] & 1 == 0 {
            // The stream's second page, which begins with its comment header.
            let len = first_packet_len(&page[HEADER..payload])
                .ok_or_else(|| bad("an Ogg comment header longer than its page"))?;
            if empty_comments(&mut page[payload..payload + len])? {
                note(&mut removed, "Ogg comments (artist, dates, any tag)");
            }
            page[22..26].fill(0);
            let sum = crc(&page);
            page[22..26].copy_from_slice(&sum.to_le_bytes());
        }
        out.write_all(&page)?;
    }
}

/// Ogg's page checksum: CRC-32 with polynomial 0x04c11db7, not reflected, from zero.
fn crc(bytes: &[u8]) -> u32 {
    let mut c = 0u32;
    for &b in bytes {
        c ^= u32::from(b) << 24;
        for _ in 0..8 {
            c = if c & 0x8000_0000 != 0 {
                (c << 1) ^ 0x04c1_1db7
            } else {
                c << 1
            };
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::audio::tests::assert_artist_and_date;

    /// A page holding whole packets (each under 255 bytes).
    fn page(seq: u32, packets: &[&[u8]]) -> Vec<u8> {
        let mut p = b"OggS\0".to_vec();
        p.push(if seq == 0 { 2 } else { 0 });
        p.extend_from_slice(&[0; 8]);
        p.extend_from_slice(&7u32.to_le_bytes());
        p.extend_from_slice(&seq.to_le_bytes());
        p.extend_from_slice(&[0; 4]);
        p.push(u8::try_from(packets.len()).unwrap());
        for packet in packets {
            p.push(u8::try_from(packet.len()).unwrap());
        }
        for packet in packets {
            p.extend_from_slice(packet);
        }
        let sum = crc(&p);
        p[22..26].copy_from_slice(&sum.to_le_bytes());
        p
    }

    fn comments(magic: &[u8], list: &[&str], framing: bool) -> Vec<u8> {
        let mut c = magic.to_vec();
        c.extend_from_slice(&14u32.to_le_bytes());
        c.extend_from_slice(b"Voice Recorder");
        c.extend_from_slice(&u32::try_from(list.len()).unwrap().to_le_bytes());
        for item in list {
            c.extend_from_slice(&u32::try_from(item.len()).unwrap().to_le_bytes());
            c.extend_from_slice(item.as_bytes());
        }
        if framing {
            c.push(1);
        }
        c
    }

    fn file(magic: &[u8], framing: bool) -> Vec<u8> {
        let tags = comments(magic, &["ARTIST=Aigerim B.", "DATE=2026-11-20"], framing);
        [
            page(0, &[b"OpusHead\x01\x01\0\0\x80\xbb\0\0\0\0\0"]),
            page(1, &[&tags]),
            page(2, &[&[9; 200], &[8; 100]]),
        ]
        .concat()
    }

    #[test]
    fn opus_and_vorbis_lose_their_tags_and_keep_their_pages_valid() {
        for (magic, framing) in [(&b"OpusTags"[..], false), (&b"\x03vorbis"[..], true)] {
            let original = file(magic, framing);
            assert_artist_and_date(warnings(&original));
            let mut out = Vec::new();
            let removed = strip(&mut &original[..], &mut out).unwrap();
            assert_eq!(removed, ["Ogg comments (artist, dates, any tag)"]);
            assert_eq!(out.len(), original.len());
            let text = String::from_utf8_lossy(&out);
            assert!(!text.contains("Aigerim") && !text.contains("Recorder"));
            assert!(warnings(&out).is_empty());
            // Every page's checksum holds, the audio pages are as they were.
            let mut at = 0;
            while at < out.len() {
                let segments = usize::from(out[at + 26]);
                let size: usize = out[at + HEADER..at + HEADER + segments]
                    .iter()
                    .map(|&l| usize::from(l))
                    .sum();
                let mut p = out[at..at + HEADER + segments + size].to_vec();
                let sum = u32::from_le_bytes([p[22], p[23], p[24], p[25]]);
                p[22..26].fill(0);
                assert_eq!(crc(&p), sum);
                at += p.len();
            }
            assert!(out.ends_with(&page(2, &[&[9; 200], &[8; 100]])));
            // Emptied once, nothing more goes.
            let mut again = Vec::new();
            assert!(strip(&mut &out[..], &mut again).unwrap().is_empty());
            assert_eq!(again, out);
        }
    }

    #[test]
    fn what_the_stripper_cannot_handle_is_an_error() {
        let original = file(b"OpusTags", false);
        let mut out = Vec::new();
        assert!(strip(&mut &original[..original.len() - 1], &mut out).is_err());
        assert!(strip(&mut &b"RIFF0000WAVE"[..], &mut out).is_err());
        // A comment header that goes on to the next page.
        let long = [page(0, &[b"OpusHead"]), {
            let mut p = page(1, &[&[0; 200]]);
            p[27] = 255;
            p.extend_from_slice(&[0; 55]);
            p
        }]
        .concat();
        assert!(strip(&mut &long[..], &mut out).is_err());
    }

    #[test]
    fn a_voice_note_is_sniffed_as_opus_with_its_tags() {
        let mut sniffer = crate::media::Sniffer::new();
        for piece in file(b"OpusTags", false).chunks(10) {
            sniffer.feed(piece);
        }
        let (media_type, found) = sniffer.describe();
        assert_eq!(media_type, "audio/opus");
        assert!(found.iter().any(|w| w.value == "Aigerim B."));
        assert!(crate::media::strip::supported(&media_type));
    }
}

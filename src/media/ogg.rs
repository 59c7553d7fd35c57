//! Ogg recordings (Opus, the voice notes of messaging apps and recorders, and Vorbis): their
//! comment header holds tags (artist, date, the recording app), read at attach and emptied
//! by `export --strip-metadata`.
//!
//! The comment header is the stream's second packet, on the second page and on as many
//! after it as it needs (cover art, long tags). It is emptied in place: no comments, the
//! vendor string and the comments' bytes zeroed (for Vorbis, the framing bit kept right
//! after the empty list), so its pages keep their lengths and only their checksums are
//! computed again; every other page is copied as it is.

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

/// The comment header in a file's first bytes (as much of it as they hold), if it starts
/// on an Ogg stream's second page.
fn comment_packet(head: &[u8]) -> Option<Vec<u8>> {
    let mut at = 0;
    let mut packet: Option<Vec<u8>> = None;
    // The first page, the second, then the pages the comment header goes on to.
    while let Some(h) = head.get(at..at + HEADER) {
        if &h[..4] != b"OggS" {
            break;
        }
        let segments = usize::from(h[26]);
        let Some(lacing) = head.get(at + HEADER..at + HEADER + segments) else {
            break;
        };
        let payload = at + HEADER + segments;
        let size: usize = lacing.iter().map(|&l| usize::from(l)).sum();
        let on_page = first_packet_len(lacing);
        let len = on_page.unwrap_or(size);
        let bytes = &head[payload.min(head.len())..(payload + len).min(head.len())];
        match packet.as_mut() {
            Some(p) if h[5] & 1 == 1 => p.extend_from_slice(bytes),
            Some(_) => break,
            None if h[18..22] == 1u32.to_le_bytes() && h[5] & 1 == 0 => {
                packet = Some(bytes.to_vec());
            }
            None if at > 0 => return None,
            None => {}
        }
        if packet.is_some() && on_page.is_some() {
            break;
        }
        at = payload + size;
    }
    packet
}

/// The artist and date in an Ogg recording's comments, from its first bytes.
pub(super) fn warnings(head: &[u8]) -> Vec<Warning> {
    let mut out = Vec::new();
    if let Some(packet) = comment_packet(head) {
        if let Some((skip, _)) = comment_magic(&packet) {
            vorbis_comments(&packet[skip..], &mut out);
        }
    }
    out
}

/// Largest comment header emptied (cover art included); a larger one is an error.
const COMMENT_LIMIT: usize = 16 * 1024 * 1024;

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

/// A page read whole, and where its payload starts.
struct Page {
    bytes: Vec<u8>,
    payload: usize,
}

impl Page {
    fn is_continued(&self) -> bool {
        self.bytes[5] & 1 == 1
    }

    /// Bytes of its first packet (or of the one it continues) that are on this page, and
    /// whether that packet ends here.
    fn first_packet(&self) -> (usize, bool) {
        match first_packet_len(&self.bytes[HEADER..self.payload]) {
            Some(len) => (len, true),
            None => (self.bytes.len() - self.payload, false),
        }
    }

    /// Computes its checksum again.
    fn seal(&mut self) {
        self.bytes[22..26].fill(0);
        let sum = crc(&self.bytes);
        self.bytes[22..26].copy_from_slice(&sum.to_le_bytes());
    }
}

/// Reads the next page; `None` at the end of the stream.
fn read_page(input: &mut dyn Read) -> io::Result<Option<Page>> {
    let mut bytes = vec![0u8; HEADER];
    let mut got = 0;
    while got < HEADER {
        match input.read(&mut bytes[got..])? {
            0 if got == 0 => return Ok(None),
            0 => break,
            n => got += n,
        }
    }
    if got < HEADER || &bytes[..4] != b"OggS" {
        return Err(bad("not an Ogg page where one should start"));
    }
    let segments = usize::from(bytes[26]);
    bytes.resize(HEADER + segments, 0);
    input.read_exact(&mut bytes[HEADER..])?;
    let size: usize = bytes[HEADER..].iter().map(|&l| usize::from(l)).sum();
    let payload = bytes.len();
    bytes.resize(payload + size, 0);
    input.read_exact(&mut bytes[payload..])?;
    Ok(Some(Page { bytes, payload }))
}

/// Copies an Ogg stream with its comment header emptied.
pub(super) fn strip(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    let mut removed = Vec::new();
    let mut first = true;
    loop {
        let Some(page) = read_page(input)? else {
            if first {
                return Err(bad("not an Ogg page where one should start"));
            }
            return Ok(removed);
        };
        first = false;
        if page.bytes[18..22] == 1u32.to_le_bytes() && !page.is_continued() {
            // The stream's second page, which begins with its comment header.
            let mut pages = comment_pages(input, page)?;
            if empty_across(&mut pages)? {
                note(&mut removed, "Ogg comments (artist, dates, any tag)");
            }
            for mut p in pages {
                p.page.seal();
                out.write_all(&p.page.bytes)?;
            }
        } else {
            out.write_all(&page.bytes)?;
        }
    }
}

/// A page holding part of the comment header: `len` bytes from its payload's start.
struct Part {
    page: Page,
    len: usize,
}

/// The page the comment header starts on, and the pages it goes on to.
fn comment_pages(input: &mut dyn Read, first: Page) -> io::Result<Vec<Part>> {
    let mut parts = Vec::new();
    let mut page = first;
    let mut total = 0;
    loop {
        let (len, ends) = page.first_packet();
        total += len;
        parts.push(Part { page, len });
        if ends {
            return Ok(parts);
        }
        if total > COMMENT_LIMIT {
            return Err(bad("an Ogg comment header larger than Aigaq strips"));
        }
        page = match read_page(input)? {
            Some(next) if next.is_continued() => next,
            _ => return Err(bad("an Ogg comment header cut short")),
        };
    }
}

/// Empties a comment header that lies across `parts`: `true` if it held anything.
fn empty_across(parts: &mut [Part]) -> io::Result<bool> {
    let mut packet = Vec::new();
    for p in parts.iter() {
        packet.extend_from_slice(&p.page.bytes[p.page.payload..p.page.payload + p.len]);
    }
    let held = empty_comments(&mut packet)?;
    let mut from = 0;
    for p in parts.iter_mut() {
        let at = p.page.payload;
        p.page.bytes[at..at + p.len].copy_from_slice(&packet[from..from + p.len]);
        from += p.len;
    }
    Ok(held)
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

    /// A page holding whole packets (each under 255 bytes); the first begins the stream.
    fn page(seq: u32, packets: &[&[u8]]) -> Vec<u8> {
        let lacing: Vec<u8> = packets
            .iter()
            .map(|p| u8::try_from(p.len()).unwrap())
            .collect();
        let flags = if seq == 0 { BEGINS } else { 0 };
        raw_page(seq, flags, &lacing, &packets.concat())
    }

    /// Header flags: the page goes on with a packet begun on the page before; the page
    /// begins the stream.
    const CONTINUED: u8 = 1;
    const BEGINS: u8 = 2;

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

    /// `original` stripped: its tags are said to be gone and are, `also` with them, and
    /// its length is kept.
    fn emptied(original: &[u8], also: &str) -> Vec<u8> {
        let mut out = Vec::new();
        let removed = strip(&mut &original[..], &mut out).unwrap();
        assert_eq!(removed, ["Ogg comments (artist, dates, any tag)"]);
        assert_eq!(out.len(), original.len());
        let text = String::from_utf8_lossy(&out);
        assert!(!text.contains("Aigerim") && !text.contains(also));
        assert!(warnings(&out).is_empty());
        out
    }

    #[test]
    fn opus_and_vorbis_lose_their_tags_and_keep_their_pages_valid() {
        for (magic, framing) in [(&b"OpusTags"[..], false), (&b"\x03vorbis"[..], true)] {
            let original = file(magic, framing);
            assert_artist_and_date(warnings(&original));
            let out = emptied(&original, "Recorder");
            // Every page's checksum holds, the audio pages are as they were.
            assert_eq!(pages(&out), pages(&original));
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
        assert!(strip(&mut &b""[..], &mut out).is_err());
        // A comment header that goes on to a next page that is not there, or is not its.
        let long = long_comments(b"OpusTags", false);
        let third = pages(&long)[2].start;
        assert!(strip(&mut &long[..third], &mut out).is_err());
        let mut unmarked = long.clone();
        unmarked[third + 5] = 0;
        assert!(strip(&mut &unmarked[..], &mut out).is_err());
    }

    /// A page from its header flags, lacing values and payload.
    fn raw_page(seq: u32, flags: u8, lacing: &[u8], payload: &[u8]) -> Vec<u8> {
        let mut p = b"OggS\0".to_vec();
        p.push(flags);
        p.extend_from_slice(&[0; 8]);
        p.extend_from_slice(&7u32.to_le_bytes());
        p.extend_from_slice(&seq.to_le_bytes());
        p.extend_from_slice(&[0; 4]);
        p.push(u8::try_from(lacing.len()).unwrap());
        p.extend_from_slice(lacing);
        p.extend_from_slice(payload);
        let sum = crc(&p);
        p[22..26].copy_from_slice(&sum.to_le_bytes());
        p
    }

    /// A recording whose tags (with cover art) take the second page and part of a third;
    /// for Vorbis, the setup header follows on the third.
    fn long_comments(magic: &[u8], vorbis: bool) -> Vec<u8> {
        let art = format!("METADATA_BLOCK_PICTURE={}", "A".repeat(60_000));
        let tags = comments(
            magic,
            &["ARTIST=Aigerim B.", "DATE=2026-11-20", &art],
            vorbis,
        );
        // 200 segments of 255 bytes on the second page, the rest on the third.
        let (on_second, rest) = tags.split_at(200 * 255);
        let mut lacing = vec![255u8; rest.len() / 255];
        lacing.push(u8::try_from(rest.len() % 255).unwrap());
        let setup: &[u8] = if vorbis { b"\x05vorbis setup" } else { b"" };
        let mut payload = rest.to_vec();
        if vorbis {
            lacing.push(u8::try_from(setup.len()).unwrap());
            payload.extend_from_slice(setup);
        }
        [
            page(0, &[b"OpusHead\x01\x01\0\0\x80\xbb\0\0\0\0\0"]),
            raw_page(1, 0, &[255; 200], on_second),
            raw_page(2, CONTINUED, &lacing, &payload),
            page(3, &[&[9; 200]]),
            page(4, &[&[8; 100]]),
        ]
        .concat()
    }

    /// Where each page of a stream is, each checked to hold its checksum.
    fn pages(stream: &[u8]) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < stream.len() {
            let segments = usize::from(stream[at + 26]);
            let size: usize = stream[at + HEADER..at + HEADER + segments]
                .iter()
                .map(|&l| usize::from(l))
                .sum();
            let mut p = stream[at..at + HEADER + segments + size].to_vec();
            let sum = u32::from_le_bytes([p[22], p[23], p[24], p[25]]);
            p[22..26].fill(0);
            assert_eq!(crc(&p), sum, "the checksum of the page at {at}");
            out.push(at..at + p.len());
            at += p.len();
        }
        out
    }

    #[test]
    fn a_comment_header_across_pages_is_read_and_emptied_on_each() {
        for (magic, vorbis) in [(&b"OpusTags"[..], false), (&b"\x03vorbis"[..], true)] {
            let original = long_comments(magic, vorbis);
            assert_artist_and_date(warnings(&original));
            // Cut within the third page, the tags before the picture are still read.
            assert_artist_and_date(warnings(&original[..60_000]));
            let out = emptied(&original, "AAAA");
            let text = String::from_utf8_lossy(&out);
            // Each page keeps its place, length and header but for its checksum, which holds.
            let kept = pages(&out);
            assert_eq!(kept, pages(&original));
            assert_eq!(kept.len(), 5);
            for p in kept {
                let header = HEADER + usize::from(out[p.start + 26]);
                assert_eq!(out[p.start..p.start + 22], original[p.start..p.start + 22]);
                assert_eq!(
                    out[p.start + 26..p.start + header],
                    original[p.start + 26..p.start + header]
                );
            }
            // The setup header and the sound are as they were.
            if vorbis {
                assert!(text.contains("\x05vorbis setup"));
            }
            assert!(out.ends_with(&[page(3, &[&[9; 200]]), page(4, &[&[8; 100]])].concat()));
        }
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

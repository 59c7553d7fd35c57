//! MP3 recordings carry their tags outside the audio frames: ID3v2 in front (artist, times,
//! the recording app, pictures), and at the end, in any order, an ID3v1 tag, an APEv2 tag
//! (which some recorders and taggers write instead), a Lyrics3 tag and an appended ID3v2.4
//! tag. Who and when are read from the tags at both ends at attach (the last 64 KiB are
//! kept for those at the end); `export --strip-metadata` copies the audio frames as they
//! are and leaves every tag out.

use std::io::{self, Read, Write};
use std::ops::Range;

use super::strip::{bad, note};
use super::{push_warning, Warning};

/// Bytes held back at the end of the stream, so that the tags there can be left out: a tag
/// at the end larger than this (cover art, say) is an error, not a copy that keeps it.
const TAIL_HELD: usize = 4 * 1024 * 1024;

const ID3: &str = "ID3 tags";

/// An ID3v2 tag size: 28 bits in four bytes of seven.
fn syncsafe(b: &[u8]) -> Option<u64> {
    let b = b.get(..4)?;
    if b.iter().any(|&x| x & 0x80 != 0) {
        return None;
    }
    Some(b.iter().fold(0u64, |n, &x| (n << 7) | u64::from(x)))
}

fn le32(b: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize)
}

/// Copies an MP3 stream without its tags; returns which kinds went.
pub(super) fn strip(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    let mut removed = Vec::new();
    // Bytes read but not yet written.
    let mut held: Vec<u8> = Vec::with_capacity(64 * 1024);
    loop {
        let mut head = [0u8; 10];
        let mut got = 0;
        while got < head.len() {
            match input.read(&mut head[got..])? {
                0 => break,
                n => got += n,
            }
        }
        if got < head.len() || &head[..3] != b"ID3" {
            held.extend_from_slice(&head[..got]);
            break;
        }
        let size = syncsafe(&head[6..10]).ok_or_else(|| bad("a damaged ID3 tag size"))?;
        // A footer, when flagged, repeats the header at the tag's end.
        let footer = if head[5] & 0x10 != 0 { 10 } else { 0 };
        let rest = size + footer;
        if io::copy(&mut input.take(rest), &mut io::sink())? != rest {
            return Err(bad("an ID3 tag cut short"));
        }
        note(&mut removed, ID3);
    }
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        held.extend_from_slice(&buf[..n]);
        // Written in large steps, so that holding the tail back costs one move per
        // `TAIL_HELD` bytes.
        if held.len() >= 2 * TAIL_HELD {
            let pass = held.len() - TAIL_HELD;
            out.write_all(&held[..pass])?;
            held.drain(..pass);
        }
    }
    let audio = audio_end(&held, &mut removed)?;
    out.write_all(&held[..audio])?;
    Ok(removed)
}

/// A tag at the end of an MP3 stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TailTag {
    Id3v1,
    Ape,
    Lyrics3,
    /// An ID3v2.4 tag with a footer, appended.
    Id3v2,
}

impl TailTag {
    fn removed_as(self) -> &'static str {
        match self {
            Self::Id3v1 | Self::Id3v2 => ID3,
            Self::Ape => "APE tags",
            Self::Lyrics3 => "Lyrics3 tags",
        }
    }
}

/// The tags at the end of the stream's last bytes `tail`, last first, each with where it
/// lies in `tail`; then, if one could not be made out (damaged, or starting before `tail`),
/// why.
fn tail_tags(tail: &[u8]) -> (Vec<(TailTag, Range<usize>)>, Option<&'static str>) {
    let mut found = Vec::new();
    let mut end = tail.len();
    loop {
        let here = &tail[..end];
        // Each kind's length (or why it has none), and the least it can be.
        let (len, least, tag) = if here.len() >= 128 && here[end - 128..].starts_with(b"TAG") {
            (Ok(128), 128, TailTag::Id3v1)
        } else if here.len() >= 32 && &here[end - 32..end - 24] == b"APETAGEX" {
            // Its footer gives its size (items and footer) and whether a header precedes.
            let len = le32(here, end - 20)
                .zip(le32(here, end - 12))
                .map(|(size, flags)| {
                    let header = if flags & 0x8000_0000 != 0 { 32 } else { 0 };
                    size.saturating_add(header)
                });
            (len.ok_or("a damaged APE tag"), 32, TailTag::Ape)
        } else if here.ends_with(b"LYRICS200") && here.len() >= 15 {
            let len = std::str::from_utf8(&here[end - 15..end - 9])
                .ok()
                .and_then(|d| d.parse::<usize>().ok())
                .map(|size| size.saturating_add(15))
                .filter(|&len| here[end.saturating_sub(len)..].starts_with(b"LYRICSBEGIN"));
            (len.ok_or("a damaged Lyrics3 tag"), 26, TailTag::Lyrics3)
        } else if here.len() >= 10 && &here[end - 10..end - 7] == b"3DI" {
            let len = syncsafe(&here[end - 4..]).map(|size| {
                usize::try_from(size)
                    .unwrap_or(usize::MAX)
                    .saturating_add(20)
            });
            (len.ok_or("a damaged ID3 tag size"), 20, TailTag::Id3v2)
        } else {
            return (found, None);
        };
        match len {
            Ok(len) if len >= least && len <= end => {
                found.push((tag, end - len..end));
                end -= len;
            }
            Ok(_) => {
                let why = "a tag at the end of the recording larger than Aigaq strips, or damaged";
                return (found, Some(why));
            }
            Err(why) => return (found, Some(why)),
        }
    }
}

/// Where the audio ends in the stream's last bytes `tail`: before the tags at its end.
fn audio_end(tail: &[u8], removed: &mut Vec<String>) -> io::Result<usize> {
    let (found, failed) = tail_tags(tail);
    if let Some(why) = failed {
        return Err(bad(why));
    }
    for (tag, _) in &found {
        note(removed, tag.removed_as());
    }
    Ok(found.last().map_or(tail.len(), |(_, at)| at.start))
}

/// Who and when, from the tags at the end of an MP3 stream whose last bytes are `tail`:
/// ID3v1's artist and year, APE's and Lyrics3's artist, and an appended ID3v2 tag.
pub(super) fn tail_warnings(tail: &[u8]) -> Vec<Warning> {
    let mut out = Vec::new();
    let latin1 = |b: &[u8]| -> Option<String> {
        let s: String = b
            .iter()
            .take_while(|&&c| c != 0)
            .map(|&c| char::from(c))
            .collect();
        let s = s.trim().to_owned();
        (!s.is_empty()).then_some(s)
    };
    for (tag, at) in tail_tags(tail).0 {
        let bytes = &tail[at];
        match tag {
            TailTag::Id3v1 => {
                push_warning(&mut out, "owner_name", latin1(&bytes[33..63]));
                push_warning(&mut out, "time", latin1(&bytes[93..97]));
            }
            TailTag::Ape => ape_items(bytes, &mut out),
            TailTag::Lyrics3 => lyrics3_fields(bytes, &mut out),
            TailTag::Id3v2 => out.extend(warnings(bytes)),
        }
    }
    out
}

/// An APEv2 tag's items (after its header, if it has one): value size, flags, a key ending
/// in a zero, then the value.
fn ape_items(tag: &[u8], out: &mut Vec<Warning>) {
    let mut at = if tag.starts_with(b"APETAGEX") { 32 } else { 0 };
    let end = tag.len().saturating_sub(32);
    while at + 8 < end {
        let Some(size) = le32(tag, at) else { return };
        let Some(key_len) = tag[at + 8..end].iter().position(|&b| b == 0) else {
            return;
        };
        let key = String::from_utf8_lossy(&tag[at + 8..at + 8 + key_len]).to_ascii_lowercase();
        let from = at + 8 + key_len + 1;
        let Some(value) = tag.get(from..from.saturating_add(size).min(end)) else {
            return;
        };
        let field = match key.as_str() {
            "artist" | "copyright" => Some("owner_name"),
            "year" | "record date" | "date" => Some("time"),
            "tool name" | "encoder" => Some("camera"),
            _ => None,
        };
        if let Some(field) = field {
            let text = String::from_utf8_lossy(value)
                .trim_matches(char::from(0))
                .trim()
                .to_owned();
            push_warning(out, field, (!text.is_empty()).then_some(text));
        }
        at = from.saturating_add(size);
    }
}

/// A Lyrics3v2 tag's fields after `LYRICSBEGIN`: a three-letter name, a five-digit size,
/// the value; `AUT` is the author.
fn lyrics3_fields(tag: &[u8], out: &mut Vec<Warning>) {
    let fields = tag
        .get(11..tag.len().saturating_sub(15))
        .unwrap_or_default();
    let mut at = 0;
    while at + 8 <= fields.len() {
        let Some(size) = std::str::from_utf8(&fields[at + 3..at + 8])
            .ok()
            .and_then(|d| d.parse::<usize>().ok())
        else {
            return;
        };
        let value = &fields[(at + 8).min(fields.len())..(at + 8 + size).min(fields.len())];
        if &fields[at..at + 3] == b"AUT" {
            let text = String::from_utf8_lossy(value).trim().to_owned();
            push_warning(out, "owner_name", (!text.is_empty()).then_some(text));
        }
        at += 8 + size;
    }
}

/// ID3v2 frames that say who recorded, when, and with what, by their names in versions 2.3
/// and 2.4 and in version 2.2.
fn frame_field(id: &[u8]) -> Option<&'static str> {
    Some(match id {
        b"TPE1" | b"TPE2" | b"TCOP" | b"TP1" | b"TP2" | b"TCR" => "owner_name",
        b"TDRC" | b"TYER" | b"TDAT" | b"TDEN" | b"TYE" | b"TDA" => "time",
        b"TSSE" | b"TENC" | b"TSS" | b"TEN" => "camera",
        _ => return None,
    })
}

/// A text frame's value: an encoding byte, then Latin-1, UTF-16 (with its byte-order mark,
/// or big-endian) or UTF-8; several values are separated by zeros.
fn frame_text(body: &[u8]) -> Option<String> {
    let (&encoding, bytes) = body.split_first()?;
    let text = match encoding {
        0 => bytes.iter().map(|&b| char::from(b)).collect(),
        1 | 2 => {
            let big = encoding == 2 || bytes.starts_with(&[0xfe, 0xff]);
            let bytes = match bytes {
                [0xfe, 0xff, rest @ ..] | [0xff, 0xfe, rest @ ..] => rest,
                _ => bytes,
            };
            let units = bytes.chunks_exact(2).map(|u| match big {
                true => u16::from_be_bytes([u[0], u[1]]),
                false => u16::from_le_bytes([u[0], u[1]]),
            });
            char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect()
        }
        _ => String::from_utf8_lossy(bytes).into_owned(),
    };
    let values: Vec<&str> = text
        .split('\0')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

/// Who recorded, when and with what, from the ID3v2 tag at the start of `head`.
pub(super) fn warnings(head: &[u8]) -> Vec<Warning> {
    let mut out = Vec::new();
    let Some(size) = head
        .get(..10)
        .filter(|h| h.starts_with(b"ID3"))
        .and_then(|h| syncsafe(&h[6..]))
    else {
        return out;
    };
    let (version, flags) = (head[3], head[5]);
    let end = (10 + size as usize).min(head.len());
    let mut at: usize = 10;
    if flags & 0x40 != 0 && version >= 3 {
        // An extended header: its size counts itself in 2.4, not in 2.3.
        let skip = match version {
            3 => head
                .get(10..14)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize + 4),
            _ => syncsafe(&head[10.min(end)..]).map(|s| s as usize),
        };
        at = at.saturating_add(skip.unwrap_or(end));
    }
    let (id_len, header_len) = if version == 2 { (3, 6) } else { (4, 10) };
    let mut seen: Vec<&str> = Vec::new();
    // Sizes come from the file: every step saturates rather than wraps.
    while at.saturating_add(header_len) <= end && head[at] != 0 {
        let h = &head[at..at + header_len];
        let size = match version {
            2 => usize::from(h[3]) << 16 | usize::from(h[4]) << 8 | usize::from(h[5]),
            3 => u32::from_be_bytes([h[4], h[5], h[6], h[7]]) as usize,
            _ => syncsafe(&h[4..8]).map_or(usize::MAX, |s| s as usize),
        };
        let Some(body) = head.get(at + header_len..(at + header_len).saturating_add(size).min(end))
        else {
            break;
        };
        if let Some(field) = frame_field(&h[..id_len]) {
            // The first of each kind, as for a photo.
            if !seen.contains(&field) {
                seen.push(field);
                push_warning(&mut out, field, frame_text(body));
            }
        }
        at = (at + header_len).saturating_add(size);
    }
    out
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    fn frame(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut f = id.to_vec();
        f.extend_from_slice(&u32::try_from(body.len()).unwrap().to_be_bytes());
        f.extend_from_slice(&[0, 0]);
        f.extend_from_slice(body);
        f
    }

    fn id3(frames: &[Vec<u8>]) -> Vec<u8> {
        let body = frames.concat();
        let size = u32::try_from(body.len()).unwrap();
        let syncsafe = [size >> 21, size >> 14, size >> 7, size].map(|b| (b & 0x7f) as u8);
        [&b"ID3\x03\x00\x00"[..], &syncsafe, &body].concat()
    }

    fn stripped(bytes: &[u8]) -> io::Result<(Vec<u8>, Vec<String>)> {
        let mut out = Vec::new();
        let removed = strip(&mut &bytes[..], &mut out)?;
        Ok((out, removed))
    }

    pub(crate) fn ape(items: &[u8], with_header: bool) -> Vec<u8> {
        let part = |flags: u32| {
            let mut p = b"APETAGEX".to_vec();
            p.extend_from_slice(&2000u32.to_le_bytes());
            p.extend_from_slice(&u32::try_from(items.len() + 32).unwrap().to_le_bytes());
            p.extend_from_slice(&1u32.to_le_bytes());
            p.extend_from_slice(&flags.to_le_bytes());
            p.extend_from_slice(&[0; 8]);
            p
        };
        let header = if with_header {
            part(0xa000_0000)
        } else {
            vec![]
        };
        let flags = if with_header { 0x8000_0000 } else { 0 };
        [header, items.to_vec(), part(flags)].concat()
    }

    fn audio() -> Vec<u8> {
        (0..200_000u32).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn every_tag_goes_front_and_back_and_the_frames_stay() {
        let tag = id3(&[frame(b"TPE1", b"\0Hidden Owner")]);
        let mut v1 = b"TAGRecorded at 43.238 N".to_vec();
        v1.resize(128, 0);
        let (out, removed) = stripped(&[&tag[..], &audio(), &v1].concat()).unwrap();
        assert_eq!(removed, [ID3]);
        assert_eq!(out, audio());
        // APE (with and without its header), Lyrics3 and an appended ID3v2.4 tag, in front
        // of an ID3v1 tag.
        let item = b"\x0b\0\0\0\0\0\0\0Artist\0Aigerim B.";
        let fields = b"LYRICSBEGININD0000210AUT00010Aigerim B.";
        let lyrics = [
            &fields[..],
            format!("{:06}LYRICS200", fields.len()).as_bytes(),
        ]
        .concat();
        let mut appended = id3(&[frame(b"TDRC", b"\x032026-11-20")]);
        appended[3] = 4;
        let mut footer = appended[..10].to_vec();
        footer[..3].copy_from_slice(b"3DI");
        for with_header in [false, true] {
            let file = [
                &audio()[..],
                &ape(item, with_header),
                &lyrics,
                &appended,
                &footer,
                &v1,
            ]
            .concat();
            let (out, removed) = stripped(&file).unwrap();
            assert_eq!(out, audio());
            assert_eq!(removed, [ID3, "Lyrics3 tags", "APE tags"]);
        }
        // Without tags, nothing changes.
        assert_eq!(stripped(&audio()).unwrap(), (audio(), vec![]));
    }

    fn pairs(found: Vec<Warning>) -> Vec<(String, String)> {
        found.into_iter().map(|w| (w.field, w.value)).collect()
    }

    fn pair(field: &str, value: &str) -> (String, String) {
        (field.to_owned(), value.to_owned())
    }

    /// An ID3v1 tag: title, artist, album, year.
    pub(in crate::media) fn id3v1(artist: &str, year: &str) -> Vec<u8> {
        let mut v1 = b"TAGA title".to_vec();
        v1.resize(33, 0);
        v1.extend_from_slice(artist.as_bytes());
        v1.resize(93, 0);
        v1.extend_from_slice(year.as_bytes());
        v1.resize(128, 0);
        v1
    }

    /// An APE item: value size, flags, key, a zero, value.
    pub(crate) fn ape_item(key: &str, value: &str) -> Vec<u8> {
        let mut item = u32::try_from(value.len()).unwrap().to_le_bytes().to_vec();
        item.extend_from_slice(&[0; 4]);
        item.extend_from_slice(key.as_bytes());
        item.push(0);
        item.extend_from_slice(value.as_bytes());
        item
    }

    #[test]
    fn who_and_when_are_read_from_the_tags_at_the_end_too() {
        let items = [
            ape_item("Title", "Interview"),
            ape_item("Artist", "Aigerim B."),
            ape_item("Year", "2026"),
        ]
        .concat();
        let fields = b"LYRICSBEGININD0000210AUT00012Field Worker";
        let lyrics = [
            &fields[..],
            format!("{:06}LYRICS200", fields.len()).as_bytes(),
        ]
        .concat();
        for with_header in [false, true] {
            let file = [
                audio(),
                ape(&items, with_header),
                lyrics.clone(),
                id3v1("V1 Artist", "2025"),
            ]
            .concat();
            assert_eq!(
                pairs(tail_warnings(&file[file.len() - 4096..])),
                [
                    pair("owner_name", "V1 Artist"),
                    pair("time", "2025"),
                    pair("owner_name", "Field Worker"),
                    pair("owner_name", "Aigerim B."),
                    pair("time", "2026"),
                ]
            );
        }
        // Frames alone, or a tail too short to hold a whole tag, say nothing.
        assert!(tail_warnings(&audio()).is_empty());
        assert!(tail_warnings(&id3v1("V1 Artist", "2025")[1..]).is_empty());
    }

    #[test]
    fn damaged_or_cut_tags_are_errors() {
        let tag = id3(&[frame(b"TPE1", b"\0Hidden Owner")]);
        assert!(stripped(&tag[..tag.len() - 1]).is_err());
        // An APE footer that claims more than the file holds before it.
        let mut big = ape(b"items", false);
        let len = big.len();
        big[len - 20..len - 16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(stripped(&[&b"short"[..], &big].concat()).is_err());
        assert!(stripped(b"000999LYRICS200").is_err());
        assert!(stripped(b"xxxxxxxxxxxxxxx000010LYRICS200").is_err());
        assert!(stripped(b"abc12xLYRICS200").is_err());
    }

    #[test]
    fn who_when_and_with_what_are_read_from_the_front_tag() {
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("Айгерим".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let tag = id3(&[
            frame(b"TIT2", b"\0Interview"),
            frame(b"TPE1", &[&[1][..], &utf16].concat()),
            frame(b"TYER", b"\x002026"),
            frame(b"TSSE", b"\x03Voice Recorder 3.1\0"),
            frame(b"TPE2", b"\0Someone else"),
        ]);
        assert_eq!(
            pairs(warnings(&[&tag[..], &audio()].concat())),
            [
                pair("owner_name", "Айгерим"),
                pair("time", "2026"),
                pair("camera", "Voice Recorder 3.1"),
            ]
        );
        // Version 2.2's three-letter frames, and a tag cut off by the end of what was read.
        let mut v22 = b"ID3\x02\0\0\0\0\0\x20TP1\0\0\x08\0Aigerim".to_vec();
        v22.resize(42, 0);
        assert_eq!(warnings(&v22)[0].value, "Aigerim");
        assert!(warnings(&tag[..20]).is_empty());
        assert!(warnings(&audio()).is_empty());
        // Sizes as large as they can be, in a frame and in an extended header.
        let mut huge = id3(&[frame(b"TIT2", b"\0x"), frame(b"TPE1", b"\0Aigerim")]);
        huge[14..18].fill(0xff);
        assert!(warnings(&huge).is_empty());
        huge[3] = 4;
        assert!(warnings(&huge).is_empty());
        let mut extended = id3(&[frame(b"TPE1", b"\0Aigerim")]);
        extended[5] = 0x40;
        extended[10..14].fill(0xff);
        assert!(warnings(&extended).is_empty());
        extended[3] = 4;
        extended[10..14].fill(0x7f);
        assert!(warnings(&extended).is_empty());
    }
}

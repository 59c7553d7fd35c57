//! Sound recordings from field recorders and phones, for `export --strip-metadata`: WAV
//! (RIFF, stripped in [`super::riff`]) and FLAC. Their tags say which device and software recorded, when, and often
//! who (the owner set in the recorder): a broadcast WAV's `bext` chunk holds the
//! originator, its date and time and the coding history; `LIST`/`INFO` the artist,
//! software and creation date; `iXML`, `ID3` and XMP chunks more of the same. FLAC's
//! Vorbis comments, pictures and application blocks likewise.
//!
//! What goes is blanked where it stands rather than cut out: a WAV chunk becomes a `JUNK`
//! chunk and a FLAC block a `PADDING` block of the same size, filled with zeros, which every
//! reader skips. The file then keeps its length and every size field stays true, so it is
//! streamed in one pass (the sound, which can be hours, comes after chunks that must be
//! blanked and before others that must), and the sound is copied as it is.

use std::io::{self, Read, Write};

use super::strip::{bad, note};
use super::video::Zeros;
use super::{push_warning, Warning};

/// Copies `n` bytes from `input` to `out`, or fails if the file ends first.
pub(super) fn copy_exact(
    input: &mut dyn Read,
    out: &mut dyn Write,
    n: u64,
    what: &str,
) -> io::Result<()> {
    if io::copy(&mut input.take(n), out)? != n {
        return Err(bad(what));
    }
    Ok(())
}

/// Reads `n` bytes from `input` and writes as many zeros in their place.
pub(super) fn blank(
    input: &mut dyn Read,
    out: &mut dyn Write,
    n: u64,
    what: &str,
) -> io::Result<()> {
    copy_exact(input, &mut Zeros(out), n, what)
}

/// Whether anything follows; it is dropped either way.
pub(super) fn anything_left(input: &mut dyn Read) -> io::Result<bool> {
    Ok(io::copy(input, &mut io::sink())? > 0)
}

/// FLAC: every metadata block but the stream's description and its seek table is blanked
/// into padding; the frames are copied as they are.
pub(super) fn flac(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    const STREAMINFO: u8 = 0;
    const PADDING: u8 = 1;
    const SEEKTABLE: u8 = 3;
    let mut removed = Vec::new();
    let mut magic = [0u8; 4];
    input.read_exact(&mut magic)?;
    if &magic != b"fLaC" {
        return Err(bad("not a FLAC file"));
    }
    out.write_all(&magic)?;
    loop {
        let mut head = [0u8; 4];
        input
            .read_exact(&mut head)
            .map_err(|_| bad("a FLAC file cut short"))?;
        let last = head[0] & 0x80 != 0;
        let kind = head[0] & 0x7f;
        let size = u64::from(u32::from_be_bytes([0, head[1], head[2], head[3]]));
        if kind == 127 {
            return Err(bad("a damaged FLAC metadata block"));
        }
        if matches!(kind, STREAMINFO | SEEKTABLE | PADDING) {
            out.write_all(&head)?;
            copy_exact(input, out, size, "a FLAC file cut short")?;
        } else {
            note(
                &mut removed,
                match kind {
                    4 => "Vorbis comments (artist, dates, any tag)",
                    6 => "pictures",
                    _ => "other metadata blocks",
                },
            );
            out.write_all(&[(head[0] & 0x80) | PADDING, head[1], head[2], head[3]])?;
            blank(input, out, size, "a FLAC file cut short")?;
        }
        if last {
            break;
        }
    }
    io::copy(input, out)?;
    Ok(removed)
}

/// Chunks whose content the detector reads, in WAV and in WebP files, how much of each at
/// most, and of all.
const WATCHED: [&[u8; 4]; 3] = [b"bext", b"LIST", b"EXIF"];
const WATCHED_MAX: u64 = 128 * 1024;
const WATCHED_ALL: usize = 256 * 1024;

/// Follows the chunks of a RIFF file as its bytes stream past, and keeps a WAV file's
/// broadcast (`bext`) and `LIST` chunks, the device, the owner and the time a recorder
/// wrote there, or a WebP image's `EXIF` chunk, which cameras may write after the image
/// data: shown as warnings at attach and looked for again in a stripped copy. Anything
/// else (another file, a damaged one) makes it stop looking.
#[derive(Debug, Default)]
pub struct RiffWatch {
    /// Header bytes gathered so far: the file's 12, then each chunk's 8.
    header: Vec<u8>,
    /// Bytes of the RIFF's content not yet passed; `None` before the file's header.
    left: Option<u64>,
    skip: u64,
    /// The chunk being kept, and how many of its bytes are still to come.
    keeping: Option<([u8; 4], Vec<u8>, u64)>,
    kept: Vec<([u8; 4], Vec<u8>)>,
    done: bool,
}

impl RiffWatch {
    /// The next bytes of the file.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() && !self.done {
            if self.skip > 0 {
                let k = self.skip.min(bytes.len() as u64);
                self.skip -= k;
                bytes = &bytes[k as usize..];
                continue;
            }
            if let Some((id, body, more)) = &mut self.keeping {
                let k = (*more).min(bytes.len() as u64);
                body.extend_from_slice(&bytes[..k as usize]);
                *more -= k;
                bytes = &bytes[k as usize..];
                if *more == 0 {
                    let (id, body) = (*id, std::mem::take(body));
                    self.kept.push((id, body));
                    self.keeping = None;
                }
                continue;
            }
            let want = if self.left.is_none() { 12 } else { 8 };
            let k = (want - self.header.len()).min(bytes.len());
            self.header.extend_from_slice(&bytes[..k]);
            bytes = &bytes[k..];
            if self.header.len() == want {
                self.header_complete();
            }
        }
    }

    fn header_complete(&mut self) {
        let h = std::mem::take(&mut self.header);
        let size = u64::from(u32::from_le_bytes([h[4], h[5], h[6], h[7]]));
        let Some(left) = self.left else {
            let form = &h[8..12];
            self.done = &h[..4] != b"RIFF" || (form != b"WAVE" && form != b"WEBP") || size < 4;
            self.left = Some(size.saturating_sub(4));
            return;
        };
        let id = [h[0], h[1], h[2], h[3]];
        let body = size + (size & 1);
        if 8 + body > left {
            self.done = true;
            return;
        }
        let left = left - 8 - body;
        self.left = Some(left);
        let held: usize = self.kept.iter().map(|(_, b)| b.len()).sum();
        if WATCHED.contains(&&id) && body <= WATCHED_MAX && held + body as usize <= WATCHED_ALL {
            self.keeping = Some((id, Vec::with_capacity(body as usize), body));
        } else {
            self.skip = body;
        }
        // Nothing after the RIFF's end is read as chunks.
        if left == 0 && self.keeping.is_none() {
            self.done = true;
        }
    }

    /// The device, owner and time in the chunks kept so far.
    pub fn warnings(&self) -> Vec<Warning> {
        let mut out = Vec::new();
        for (id, body) in &self.kept {
            match id {
                b"bext" => bext(body, &mut out),
                b"EXIF" => out.extend(super::raw_exif_warnings(body)),
                _ => info(body, &mut out),
            }
        }
        out
    }
}

/// Text in a fixed-size field or a tag: up to its first NUL, trimmed; `None` when empty.
fn text(bytes: &[u8]) -> Option<String> {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    let s = String::from_utf8_lossy(&bytes[..end]).trim().to_owned();
    (!s.is_empty()).then_some(s)
}

/// EBU Tech 3285: description (256), originator (32), its reference (32), date (10),
/// time (8), then the rest.
fn bext(body: &[u8], out: &mut Vec<Warning>) {
    let field = |from: usize, len: usize| body.get(from..from + len).and_then(text);
    push_warning(out, "camera", field(256, 32));
    let when = [field(320, 10), field(330, 8)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
    push_warning(out, "time", (!when.is_empty()).then(|| when.join(" ")));
}

/// A `LIST` chunk of type `INFO`: its artist (often the recorder's owner), software
/// (often the recorder) and creation date.
fn info(body: &[u8], out: &mut Vec<Warning>) {
    if body.get(..4) != Some(b"INFO") {
        return;
    }
    let mut at = 4;
    while let Some(h) = body.get(at..at + 8) {
        let size = u32::from_le_bytes([h[4], h[5], h[6], h[7]]) as usize;
        let Some(value) = body.get(at + 8..at + 8 + size) else {
            return;
        };
        match &h[..4] {
            b"IART" => push_warning(out, "owner_name", text(value)),
            b"ISFT" => push_warning(out, "camera", text(value)),
            b"ICRD" => push_warning(out, "time", text(value)),
            _ => {}
        }
        at += 8 + size + (size & 1);
    }
}

/// The artist and date in a FLAC file's Vorbis comments, from its first bytes (`head`):
/// its metadata blocks come first, so they are there unless pictures larger than the head
/// come before them.
pub(super) fn flac_warnings(head: &[u8]) -> Vec<Warning> {
    let mut out = Vec::new();
    if head.get(..4) != Some(b"fLaC") {
        return out;
    }
    let mut at = 4;
    while let Some(h) = head.get(at..at + 4) {
        let size = u32::from_be_bytes([0, h[1], h[2], h[3]]) as usize;
        let Some(body) = head.get(at + 4..at + 4 + size) else {
            break;
        };
        if h[0] & 0x7f == 4 {
            vorbis_comments(body, &mut out);
        }
        if h[0] & 0x80 != 0 {
            break;
        }
        at += 4 + size;
    }
    out
}

/// Vorbis comments (FLAC's, Ogg's): a vendor string, then `KEY=value` items.
pub(super) fn vorbis_comments(body: &[u8], out: &mut Vec<Warning>) {
    let le32 = |at: usize| {
        body.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let Some(vendor) = le32(0) else { return };
    let mut at = 4 + vendor;
    let Some(count) = le32(at) else { return };
    at += 4;
    for _ in 0..count {
        let Some(len) = le32(at) else { return };
        let Some(comment) = body.get(at + 4..at + 4 + len) else {
            return;
        };
        at += 4 + len;
        let comment = String::from_utf8_lossy(comment);
        let Some((key, value)) = comment.split_once('=') else {
            continue;
        };
        let field = match key.to_ascii_uppercase().as_str() {
            "ARTIST" | "PERFORMER" => "owner_name",
            "DATE" => "time",
            _ => continue,
        };
        push_warning(out, field, text(value.as_bytes()));
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::media::riff::wav;

    /// What the comments of the test recordings say: "Aigerim B.", on 2026-11-20.
    pub(in crate::media) fn assert_artist_and_date(found: Vec<Warning>) {
        let found: Vec<(String, String)> = found.into_iter().map(|w| (w.field, w.value)).collect();
        assert_eq!(
            found,
            [
                ("owner_name".to_owned(), "Aigerim B.".to_owned()),
                ("time".to_owned(), "2026-11-20".to_owned())
            ]
        );
    }

    pub(in crate::media) fn chunk(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut c = id.to_vec();
        c.extend_from_slice(&u32::try_from(body.len()).unwrap().to_le_bytes());
        c.extend_from_slice(body);
        if body.len() % 2 == 1 {
            c.push(0);
        }
        c
    }

    fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
        riff_of(b"WAVE", chunks)
    }

    /// A RIFF file of a form (`WAVE`, `WEBP`) and its chunks.
    pub(in crate::media) fn riff_of(form: &[u8; 4], chunks: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = chunks.concat();
        let mut f = b"RIFF".to_vec();
        f.extend_from_slice(&u32::try_from(body.len() + 4).unwrap().to_le_bytes());
        f.extend_from_slice(form);
        f.extend_from_slice(&body);
        f
    }

    fn run(
        f: fn(&mut dyn Read, &mut dyn Write) -> io::Result<Vec<String>>,
        bytes: &[u8],
    ) -> io::Result<(Vec<u8>, Vec<String>)> {
        let mut out = Vec::new();
        let removed = f(&mut &bytes[..], &mut out)?;
        Ok((out, removed))
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_broadcast_wav_keeps_its_sound_and_loses_who_recorded_it_and_when() {
        let fmt = chunk(
            b"fmt ",
            &[1, 0, 1, 0, 0x80, 0xbb, 0, 0, 0, 0x77, 1, 0, 2, 0, 16, 0],
        );
        let mut bext = b"Zoom H5 owned by Aigerim".to_vec();
        bext.resize(602, 0);
        bext.extend_from_slice(b"2026-11-20 18:04:11");
        let sound: Vec<u8> = (0..100_001u32).map(|i| (i % 253) as u8).collect();
        let info = chunk(b"LIST", b"INFOISFTLavf60\0\0IART\x07\0\0\0Aigerim\0");
        let file = riff(&[
            fmt.clone(),
            chunk(b"bext", &bext),
            chunk(b"data", &sound),
            info,
        ]);
        let (out, removed) = run(wav, &file).unwrap();
        assert_eq!(out.len(), file.len());
        assert!(!contains(&out, b"Aigerim"));
        assert!(!contains(&out, b"2026-11-20"));
        assert!(!contains(&out, b"Lavf"));
        assert!(contains(&out, &chunk(b"data", &sound)));
        assert!(out.starts_with(&file[..12]) && contains(&out, &fmt));
        assert_eq!(
            removed,
            [
                "broadcast extension (originator, date and time)",
                "INFO tags (artist, software, dates)"
            ]
        );
        // Blanked again, nothing more goes; the copy walks as a WAV like the original.
        assert_eq!(run(wav, &out).unwrap(), (out.clone(), vec![]));
        // A plain WAV is left as it is; trailing bytes go.
        let plain = riff(&[fmt.clone(), chunk(b"data", &sound)]);
        assert_eq!(run(wav, &plain).unwrap(), (plain.clone(), vec![]));
        let trailing = [&plain[..], b"recorded in Almaty"].concat();
        let (out, removed) = run(wav, &trailing).unwrap();
        assert_eq!(
            (out, removed),
            (plain.clone(), vec!["data after the recording".into()])
        );
    }

    #[test]
    fn a_damaged_wav_is_an_error() {
        let fmt = chunk(b"fmt ", &[0; 16]);
        let file = riff(&[fmt, chunk(b"data", &[1; 100])]);
        assert!(run(wav, &file[..file.len() - 1]).is_err());
        let mut lying = file.clone();
        lying[40] = 0xff; // the data chunk claims more than the RIFF holds
        assert!(run(wav, &lying).is_err());
        assert!(run(wav, b"RIFX\0\0\0\0WAVE").is_err());
        assert!(run(wav, b"RIFF").is_err());
    }

    fn block(kind: u8, last: bool, body: &[u8]) -> Vec<u8> {
        let len = u32::try_from(body.len()).unwrap().to_be_bytes();
        let mut b = vec![kind | if last { 0x80 } else { 0 }, len[1], len[2], len[3]];
        b.extend_from_slice(body);
        b
    }

    #[test]
    fn a_flac_keeps_its_stream_and_loses_its_comments_and_pictures() {
        let info = block(0, false, &[7; 34]);
        let comments = block(
            4,
            false,
            b"\x05\0\0\0Lavf\x01\0\0\0\x0e\0\0\0ARTIST=Aigerim",
        );
        let picture = block(6, true, b"JPEG of the owner");
        let frames: Vec<u8> = (0..50_000u32).map(|i| (i % 249) as u8).collect();
        let file = [&b"fLaC"[..], &info, &comments, &picture, &frames].concat();
        let (out, removed) = run(flac, &file).unwrap();
        assert_eq!(out.len(), file.len());
        assert!(!contains(&out, b"Aigerim") && !contains(&out, b"owner"));
        assert!(out.ends_with(&frames) && contains(&out, &info));
        assert_eq!(
            removed,
            ["Vorbis comments (artist, dates, any tag)", "pictures"]
        );
        // The blanked blocks are padding, the last one still marked last.
        assert_eq!(run(flac, &out).unwrap(), (out.clone(), vec![]));
        assert!(run(flac, &file[..file.len() - frames.len() - 3]).is_err());
        assert!(run(flac, b"OggS").is_err());
    }

    #[test]
    fn the_watch_finds_the_device_owner_and_time_in_pieces_of_any_size() {
        let fmt = chunk(b"fmt ", &[0; 16]);
        let mut bext = b"interview".to_vec();
        bext.resize(256, 0);
        bext.extend_from_slice(b"ZOOM H5");
        bext.resize(320, 0);
        bext.extend_from_slice(b"2026-11-2018:04:11");
        let info = chunk(
            b"LIST",
            b"INFOIART\x08\0\0\0Aigerim\0ISFT\x05\0\0\0H5 2\0\0",
        );
        let file = riff(&[
            fmt.clone(),
            chunk(b"bext", &bext),
            chunk(b"data", &[3; 5001]),
            info,
        ]);
        let expected = [
            ("camera", "ZOOM H5"),
            ("time", "2026-11-20 18:04:11"),
            ("owner_name", "Aigerim"),
            ("camera", "H5 2"),
        ];
        for piece in [1, 7, 4096, file.len()] {
            let mut w = RiffWatch::default();
            for p in file.chunks(piece) {
                w.feed(p);
            }
            let found: Vec<(String, String)> = w
                .warnings()
                .into_iter()
                .map(|w| (w.field, w.value))
                .collect();
            let expected: Vec<(String, String)> = expected
                .iter()
                .map(|(f, v)| ((*f).to_owned(), (*v).to_owned()))
                .collect();
            assert_eq!(found, expected, "pieces of {piece}");
            // The stripped copy has nothing left to find.
            let (stripped, _) = run(wav, &file).unwrap();
            let mut again = RiffWatch::default();
            again.feed(&stripped);
            assert!(again.warnings().is_empty());
        }
        // Not a WAV file, or a chunk larger than the file: nothing is kept.
        let mut w = RiffWatch::default();
        w.feed(b"RIFX\0\0\0\0WAVEbext");
        assert!(w.warnings().is_empty());
        let mut lying = riff(&[chunk(b"bext", &bext)]);
        lying[16] = 0xff;
        let mut w = RiffWatch::default();
        w.feed(&lying);
        assert!(w.warnings().is_empty());
    }

    #[test]
    fn a_flacs_artist_and_date_are_found_and_gone_from_the_stripped_copy() {
        let mut comments = 4u32.to_le_bytes().to_vec();
        comments.extend_from_slice(b"Lavf");
        comments.extend_from_slice(&2u32.to_le_bytes());
        for c in ["artist=Aigerim B.", "DATE=2026-11-20"] {
            comments.extend_from_slice(&u32::try_from(c.len()).unwrap().to_le_bytes());
            comments.extend_from_slice(c.as_bytes());
        }
        let file = [
            &b"fLaC"[..],
            &block(0, false, &[7; 34]),
            &block(4, true, &comments),
            &[1; 1000],
        ]
        .concat();
        assert_artist_and_date(flac_warnings(&file));
        let (stripped, _) = run(flac, &file).unwrap();
        assert!(flac_warnings(&stripped).is_empty());
        // A count larger than the block, or a cut head: what was read so far.
        assert!(flac_warnings(&file[..50]).is_empty());
    }
}

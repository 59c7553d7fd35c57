//! Sound recordings from field recorders and phones, for `export --strip-metadata`: WAV
//! (RIFF) and FLAC. Their tags say which device and software recorded, when, and often
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

/// Copies `n` bytes from `input` to `out`, or fails if the file ends first.
fn copy_exact(input: &mut dyn Read, out: &mut dyn Write, n: u64, what: &str) -> io::Result<()> {
    if io::copy(&mut input.take(n), out)? != n {
        return Err(bad(what));
    }
    Ok(())
}

/// Reads `n` bytes from `input` and writes as many zeros in their place.
fn blank(input: &mut dyn Read, out: &mut dyn Write, n: u64, what: &str) -> io::Result<()> {
    let mut buf = [0u8; 8192];
    let mut left = n;
    while left > 0 {
        let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
        let got = input.read(&mut buf[..want])?;
        if got == 0 {
            return Err(bad(what));
        }
        out.write_all(&[0u8; 8192][..got])?;
        left -= got as u64;
    }
    Ok(())
}

/// Whether anything follows; it is dropped either way.
fn anything_left(input: &mut dyn Read) -> io::Result<bool> {
    Ok(io::copy(input, &mut io::sink())? > 0)
}

/// WAV chunks that hold the sound or what a player needs to play it.
const WAV_KEPT: [&[u8; 4]; 3] = [b"fmt ", b"fact", b"data"];

/// WAV (RIFF `WAVE`): every chunk but the format, the sample count and the sound itself
/// is blanked into `JUNK`; anything after the RIFF's declared end goes.
pub(super) fn wav(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    let mut removed = Vec::new();
    let mut head = [0u8; 12];
    input.read_exact(&mut head)?;
    if &head[..4] != b"RIFF" || &head[8..] != b"WAVE" {
        // RF64 (recordings over 4 GiB) and others are not read here.
        return Err(bad("not a RIFF WAVE file"));
    }
    out.write_all(&head)?;
    let riff_size = u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]]));
    // Bytes of the RIFF's content after "WAVE".
    let mut left = riff_size
        .checked_sub(4)
        .ok_or_else(|| bad("a damaged RIFF header"))?;
    while left > 0 {
        if left < 8 {
            return Err(bad("a damaged WAV chunk header"));
        }
        let mut chunk = [0u8; 8];
        input.read_exact(&mut chunk)?;
        let id: [u8; 4] = [chunk[0], chunk[1], chunk[2], chunk[3]];
        let size = u64::from(u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]));
        // Chunks are padded to an even length.
        let body = size + (size & 1);
        if 8 + body > left {
            return Err(bad("a WAV chunk larger than its file says"));
        }
        if WAV_KEPT.contains(&&id) {
            out.write_all(&chunk)?;
            copy_exact(input, out, body, "a WAV file cut short")?;
        } else {
            if &id != b"JUNK" && &id != b"PAD " {
                note(&mut removed, wav_chunk_name(&id));
            }
            out.write_all(b"JUNK")?;
            out.write_all(&chunk[4..])?;
            blank(input, out, body, "a WAV file cut short")?;
        }
        left -= 8 + body;
    }
    if anything_left(input)? {
        note(&mut removed, "data after the recording");
    }
    Ok(removed)
}

/// What a WAV chunk that goes holds, for the list of what was removed.
fn wav_chunk_name(id: &[u8; 4]) -> &'static str {
    match id {
        b"LIST" => "INFO tags (artist, software, dates)",
        b"bext" => "broadcast extension (originator, date and time)",
        b"iXML" => "iXML",
        b"id3 " | b"ID3 " => "ID3 tags",
        b"_PMX" => "XMP",
        _ => "other chunks",
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut c = id.to_vec();
        c.extend_from_slice(&u32::try_from(body.len()).unwrap().to_le_bytes());
        c.extend_from_slice(body);
        if body.len() % 2 == 1 {
            c.push(0);
        }
        c
    }

    fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = chunks.concat();
        let mut f = b"RIFF".to_vec();
        f.extend_from_slice(&u32::try_from(body.len() + 4).unwrap().to_le_bytes());
        f.extend_from_slice(b"WAVE");
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
}

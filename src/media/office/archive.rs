//! ZIP archives: a messenger's chat exported with its media (WhatsApp writes `_chat.txt`
//! and every photo, voice note and video beside it), a witness's photos sent in one file.
//! Each file in one says what it would say alone.
//!
//! At attach ([`ArchiveWatch`]) the archive is read as it streams past, entry after entry:
//! each is inflated and fed to a [`Sniffer`] of its own, and what that finds is said with
//! the file's name in front (`IMG-0042.jpg: 43 deg 14 min …`). What cannot be read (an
//! encrypted file, an unknown compression, a length only the end gives for a stored file,
//! more than [`MOST_INFLATED`] in all) is said to be unread.
//!
//! A copy ([`strip`]) is a new archive with the same files in the same order, each inflated
//! as it is read, stripped as it would be alone ([`crate::media::strip`]) and deflated again
//! as it is written, its sizes and CRC after it; times, extra fields and comments go, as
//! from an office document. A photo or video of a kind Aigaq cannot strip stops the copy;
//! anything else goes as it is, and the check of the copy finds what it still holds.

use std::io::{self, Read, Write};

use miniz_oxide::inflate::stream::{inflate, InflateState};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

use super::copy::{
    end_deflated, next_entry, write_directory, write_local, EntryReader, Written, NO_DATE, NO_TIME,
};
use super::{LocalHeader, CENTRAL, DESCRIPTOR, END, LOCAL, LOCAL_LEN, MOST_ENTRIES};
use crate::counting::Counting;
use crate::media::deflate::Deflater;
use crate::media::strip::{self, bad, note};
use crate::media::{push_warning, Sniffer, Warning, MOST_DEPTH, TOO_DEEP, UNREAD};

/// Most bytes inflated at attach, in all: past that, the rest is said to be unread (a "zip
/// bomb" costs little).
const MOST_INFLATED: u64 = 4 << 30;

/// Most warnings kept for one archive (a chat's thousand photos each with its place).
const MOST_WARNINGS: usize = 64;

/// The largest video or HEIF photo in an archive held whole for a copy, to read its index
/// first.
const LARGEST_HELD: usize = 24 * 1024 * 1024;

/// How many of an entry's first inflated bytes tell its kind in a copy.
const HEAD: usize = 64 * 1024;

/// Where the reading of the archive is.
#[derive(Debug)]
enum State {
    /// A local header (or the central directory, which ends the entries) is being read.
    Header,
    /// An entry's data.
    Data(Box<Entry>),
    /// The data descriptor after an entry: its first bytes, to tell whether it has a
    /// signature.
    Descriptor,
    /// Bytes to pass over.
    Skip(u64),
    /// Nothing more is read.
    Done,
}

/// An entry being read at attach.
struct Entry {
    name: String,
    /// Compressed bytes still to come, when the local header says (else the deflated
    /// stream's end says).
    left: Option<u64>,
    inflater: Option<Box<InflateState>>,
    sniffer: Box<Sniffer>,
    described: bool,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("name", &self.name)
            .field("left", &self.left)
            .finish_non_exhaustive()
    }
}

/// An archive read as it streams past (see the module documentation).
#[derive(Debug)]
pub(crate) struct ArchiveWatch {
    state: State,
    /// Header or descriptor bytes being gathered.
    pending: Vec<u8>,
    warnings: Vec<Warning>,
    inflated: u64,
    entries: usize,
    depth: usize,
    buf: Vec<u8>,
}

impl ArchiveWatch {
    /// One for an archive `depth` documents deep (0: the file itself).
    pub(crate) fn new(depth: usize) -> Self {
        Self {
            state: State::Header,
            pending: Vec::new(),
            warnings: Vec::new(),
            inflated: 0,
            entries: 0,
            depth,
            buf: Vec::new(),
        }
    }

    fn unread(&mut self, why: String) {
        let said = Warning {
            field: UNREAD.into(),
            value: why,
        };
        if !self.warnings.contains(&said) {
            self.warnings.push(said);
        }
    }

    /// The next bytes of the archive.
    pub(crate) fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let used = match std::mem::replace(&mut self.state, State::Done) {
                State::Done => return,
                State::Header => self.header(bytes),
                State::Descriptor => self.descriptor(bytes),
                State::Skip(n) => {
                    let used = usize::try_from(n).map_or(bytes.len(), |n| n.min(bytes.len()));
                    let rest = n - used as u64;
                    self.state = if rest > 0 {
                        State::Skip(rest)
                    } else {
                        State::Header
                    };
                    used
                }
                State::Data(entry) => self.data(entry, bytes),
            };
            bytes = &bytes[used..];
        }
    }

    /// Reads a local header from `bytes` (with what was gathered before): its fixed part,
    /// then the name and extra field that says; returns how many of them it used.
    fn header(&mut self, bytes: &[u8]) -> usize {
        let mut used = 0;
        loop {
            if self.pending.len() >= 4 && self.pending[..4] != LOCAL {
                // The central directory ends the entries; anything else is damage.
                if self.pending[..4] != CENTRAL && self.pending[..4] != END {
                    self.unread(
                        "a damaged archive: the files after the damage are not checked".into(),
                    );
                }
                return used;
            }
            let want = LocalHeader::parse(&self.pending)
                .map_or(LOCAL_LEN, |h| LOCAL_LEN + h.name_len + h.extra_len);
            // Whole: its fixed part, then as much again as that says.
            if self.pending.len() == want && LocalHeader::parse(&self.pending).is_some() {
                break;
            }
            let take = (want - self.pending.len()).min(bytes.len() - used);
            if take == 0 {
                self.state = State::Header;
                return used;
            }
            self.pending.extend_from_slice(&bytes[used..used + take]);
            used += take;
        }
        let take = used;
        let Some(h) = LocalHeader::parse(&self.pending) else {
            return take;
        };
        let header = std::mem::take(&mut self.pending);
        let name = String::from_utf8_lossy(&header[LOCAL_LEN..LOCAL_LEN + h.name_len]).into_owned();
        self.entries += 1;
        if self.entries > MOST_ENTRIES {
            self.unread("more files than Aigaq reads in an archive".into());
            return take;
        }
        let stored = h.method == 0;
        let known = (!h.described_after()).then_some(u64::from(h.compressed));
        let skip_or_stop = |w: &mut Self, why: String| {
            w.unread(why);
            if let Some(n) = known {
                w.state = State::Skip(n);
            }
        };
        if h.flags & 1 != 0 {
            skip_or_stop(self, format!("{name}: encrypted, so not checked"));
        } else if !(stored || h.method == 8) {
            skip_or_stop(
                self,
                format!("{name}: compressed in a way Aigaq does not read, so not checked"),
            );
        } else if stored && known.is_none() {
            self.unread(format!(
                "{name}: stored without its length, so it and what follows are not checked"
            ));
        } else if self.inflated > MOST_INFLATED {
            skip_or_stop(
                self,
                format!(
                    "an archive larger than {} GiB unpacked: the files past that are not checked",
                    MOST_INFLATED >> 30
                ),
            );
        } else if name.ends_with('/') && known == Some(0) {
            self.state = State::Header;
        } else {
            self.state = State::Data(Box::new(Entry {
                name,
                left: known,
                inflater: (!stored).then(|| InflateState::new_boxed(DataFormat::Raw)),
                sniffer: Box::new(Sniffer::nested(self.depth + 1)),
                described: h.described_after(),
            }));
        }
        take
    }

    /// Passes an entry's bytes to its sniffer, inflated; returns how many it used.
    fn data(&mut self, mut e: Box<Entry>, bytes: &[u8]) -> usize {
        let most = e.left.map_or(bytes.len(), |l| {
            usize::try_from(l).map_or(bytes.len(), |l| l.min(bytes.len()))
        });
        let data = &bytes[..most];
        let (used, end) = match e.inflater.as_mut() {
            None => {
                e.sniffer.feed(data);
                self.inflated += data.len() as u64;
                (data.len(), false)
            }
            Some(state) => {
                self.buf.resize(64 * 1024, 0);
                let (mut used, mut end) = (0, false);
                loop {
                    let r = inflate(state, &data[used..], &mut self.buf, MZFlush::None);
                    used += r.bytes_consumed;
                    self.inflated += r.bytes_written as u64;
                    e.sniffer.feed(&self.buf[..r.bytes_written]);
                    let progress = r.bytes_consumed > 0 || r.bytes_written > 0;
                    match r.status {
                        Ok(MZStatus::StreamEnd) => end = true,
                        // Output full, or input left: on.
                        Ok(_)
                            if progress
                                && (used < data.len() || r.bytes_written == self.buf.len()) =>
                        {
                            continue
                        }
                        Ok(_) | Err(MZError::Buf) => {}
                        Err(_) => {
                            self.unread(format!("{}: damaged, so not wholly checked", e.name));
                            end = true;
                            if e.left.is_none() {
                                // Where it ends, and the next file begins, is lost.
                                e.described = false;
                                e.left = Some(0);
                                self.finish(&e);
                                return data.len();
                            }
                        }
                    }
                    break;
                }
                (used, end)
            }
        };
        if let Some(l) = e.left.as_mut() {
            *l -= used as u64;
        }
        let all_read = e.left == Some(0);
        if !end && !all_read && (used == 0 || self.inflated > MOST_INFLATED) {
            // No way on (damaged), or a "zip bomb": what is left is not read.
            self.unread(format!(
                "{}: damaged or larger than {} GiB unpacked, so it and what follows are not wholly checked",
                e.name,
                MOST_INFLATED >> 30
            ));
            self.finish(&e);
            return bytes.len();
        }
        if end || all_read {
            let skip = e.left.unwrap_or(0);
            let described = e.described;
            self.finish(&e);
            self.state = if skip > 0 {
                State::Skip(skip)
            } else if described {
                State::Descriptor
            } else {
                State::Header
            };
        } else {
            self.state = State::Data(e);
        }
        used
    }

    /// Passes over a data descriptor: 16 bytes with its signature, 12 without.
    fn descriptor(&mut self, bytes: &[u8]) -> usize {
        let take = (4 - self.pending.len().min(4)).min(bytes.len());
        self.pending.extend_from_slice(&bytes[..take]);
        if self.pending.len() < 4 {
            self.state = State::Descriptor;
            return take;
        }
        let whole = if self.pending[..4] == DESCRIPTOR {
            16
        } else {
            12
        };
        self.pending.clear();
        self.state = State::Skip(whole - 4);
        take
    }

    /// Keeps what an entry's sniffer found, with the entry's name.
    fn finish(&mut self, e: &Entry) {
        let (media_type, said) = e.sniffer.describe();
        for w in said {
            let w = Warning {
                field: w.field,
                value: format!("{}: {}", e.name, w.value),
            };
            if self.warnings.len() < MOST_WARNINGS && !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
        let camera = media_type.starts_with("image/") || media_type.starts_with("video/");
        if camera && !strip::supported(&media_type) {
            self.unread(format!(
                "{}: a photo or video of a kind Aigaq cannot strip ({media_type}), so a stripped export refuses the archive; attach it on its own",
                e.name
            ));
        }
    }

    /// What the files in the archive say, and what could not be read.
    pub(crate) fn warnings(&self) -> Vec<Warning> {
        let mut out = self.warnings.clone();
        if let State::Data(e) = &self.state {
            // Cut off by the end of the file: what it held so far.
            let (_, said) = e.sniffer.describe();
            for w in said {
                push_warning(&mut out, &w.field, Some(format!("{}: {}", e.name, w.value)));
            }
        }
        out
    }
}

/// Writes what it is given deflated into the copy.
struct Deflating<'a, 'b> {
    deflater: Deflater,
    out: &'a mut Counting<&'b mut dyn Write>,
}

impl Write for Deflating<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.deflater.write(buf, self.out)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Copies an archive with each file in it stripped as it would be alone (see the module
/// documentation); returns what was left out.
pub(crate) fn strip(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    strip_at(input, out, 0)
}

/// [`strip`] of an archive `depth` documents deep in another.
fn strip_at(input: &mut dyn Read, out: &mut dyn Write, depth: usize) -> io::Result<Vec<String>> {
    let mut input = io::BufReader::with_capacity(64 * 1024, input);
    let mut out = Counting::new(out);
    let mut removed = Vec::new();
    let mut entries: Vec<Written> = Vec::new();
    let mut times = false;
    while let Some((h, name)) = next_entry(&mut input, true)? {
        let label = String::from_utf8_lossy(&name).into_owned();
        if h.flags & 1 != 0 {
            return Err(bad(&format!("{label} in it is encrypted")));
        }
        if h.compressed == u32::MAX || h.size == u32::MAX {
            return Err(bad(
                "an archive over 4 GiB (ZIP64), which Aigaq cannot rewrite",
            ));
        }
        if entries.len() >= MOST_ENTRIES {
            return Err(bad("more files than Aigaq rewrites in an archive"));
        }
        times |= h.extra_len > 0 || (h.time, h.date) != (NO_TIME, NO_DATE);
        let offset = u32::try_from(out.count)
            .map_err(|_| bad("an archive over 4 GiB (ZIP64), which Aigaq cannot rewrite"))?;
        let mut nowhere = io::sink();
        let mut entry = EntryReader::new(&mut input, &h, &mut nowhere)
            .map_err(|e| bad(&format!("{label} in it: {e}")))?;
        let mut head = Vec::with_capacity(HEAD);
        (&mut entry).take(HEAD as u64).read_to_end(&mut head)?;
        let media_type = crate::media::sniff(&head);
        let media = ["image/", "video/", "audio/"]
            .iter()
            .any(|k| media_type.starts_with(k));
        let mut w = Written::described(&h, name, offset);
        write_local(&mut out, &w)?;
        // Photos, recordings and videos are compressed already, and what was stored did not
        // compress: those go in stored blocks, which cost nothing to write.
        let deflater = if media || h.method == 0 {
            Deflater::stored()
        } else {
            Deflater::new(6)
        };
        let mut into = Deflating {
            deflater,
            out: &mut out,
        };
        let said = strip_entry(&media_type, &head, &mut entry, &mut into, depth)
            .and_then(|said| entry.check().map(|_| said))
            .map_err(|e| bad(&format!("{label} in it: {e}")))?;
        let Deflating { deflater, .. } = into;
        end_deflated(deflater, &mut out, &mut w)?;
        for s in said {
            note(&mut removed, &s);
        }
        entries.push(w);
    }
    if times {
        note(&mut removed, "file times");
    }
    write_directory(&mut out, &entries)?;
    Ok(removed)
}

/// Writes an entry (its first inflated bytes `head`, then the rest) to `into` as it would be
/// stripped alone; returns what that left out.
fn strip_entry(
    media_type: &str,
    head: &[u8],
    entry: &mut EntryReader<'_>,
    into: &mut dyn Write,
    depth: usize,
) -> io::Result<Vec<String>> {
    let mut whole = head.chain(entry);
    let said = if media_type == "application/zip" {
        if depth >= MOST_DEPTH {
            return Err(bad(TOO_DEEP));
        }
        strip_at(&mut whole, into, depth + 1)?
    } else if strip::reads_index(media_type) {
        // A video's telemetry and timecode tracks, a HEIF photo's EXIF item, are found
        // through its index, which may be at its end: one small enough is held to read it
        // first; a larger one is stripped without, and the check of the copy finds what
        // that left.
        let mut held = Vec::new();
        (&mut whole)
            .take(LARGEST_HELD as u64 + 1)
            .read_to_end(&mut held)?;
        let plan = if held.len() <= LARGEST_HELD {
            strip::plan(media_type, &mut io::Cursor::new(&held))?
        } else {
            strip::Plan::default()
        };
        let mut rest = (&held[..]).chain(&mut whole);
        strip::strip(media_type, &mut rest, &plan, into)?.unwrap_or_default()
    } else if strip::supported(media_type) {
        let plan = strip::Plan::default();
        strip::strip(media_type, &mut whole, &plan, into)?.unwrap_or_default()
    } else if media_type.starts_with("image/") || media_type.starts_with("video/") {
        return Err(bad(&format!(
            "a photo or video Aigaq cannot strip ({media_type}); attach it on its own"
        )));
    } else {
        io::copy(&mut whole, into)?;
        Vec::new()
    };
    // Whatever a stripper left unread goes through the CRC all the same.
    io::copy(&mut whole, &mut io::sink())?;
    Ok(said)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::fixture;
    use crate::media::office::tests::{package, unpack, word, Way};
    use crate::media::values_of as values;

    fn sniffed(file: &[u8], piece: usize) -> (String, Vec<Warning>) {
        let mut s = Sniffer::new();
        for p in file.chunks(piece) {
            s.feed(p);
        }
        s.describe()
    }

    fn stripped(file: &[u8]) -> io::Result<(Vec<u8>, Vec<String>)> {
        let mut out = Vec::new();
        let removed = strip(&mut &file[..], &mut out)?;
        Ok((out, removed))
    }

    const CHAT: &[u8] = b"05/08/2015, 14:02 - Witness: they took him at the station\n";

    /// A chat exported with its media, as a messenger writes one; `way` for the files.
    fn export(way: Way) -> Vec<u8> {
        package(&[
            ("_chat.txt", CHAT, way),
            ("IMG-20150805-WA0001.jpg", &fixture("exif-gps.jpg"), way),
            ("media/", b"", Way::Stored),
            ("media/statement.docx", &word(Way::Deflated), way),
        ])
    }

    #[test]
    fn each_file_in_an_archive_says_what_it_would_alone_however_it_streams_past() {
        for way in [
            Way::Stored,
            Way::Deflated,
            Way::Described { signed: true },
            Way::Described { signed: false },
        ] {
            let file = export(way);
            for piece in [1, 7, 4096, file.len()] {
                let (t, w) = sniffed(&file, piece);
                assert_eq!(t, "application/zip");
                let gps = values(&w, "gps_position");
                assert!(
                    gps.len() == 1 && gps[0].starts_with("IMG-20150805-WA0001.jpg: 43 deg"),
                    "{way:?} {piece}: {w:?}"
                );
                let owners = values(&w, "owner_name");
                assert!(
                    owners.contains(&"media/statement.docx: Aigerim Nurlanovna".to_owned()),
                    "{way:?} {piece}: {owners:?}"
                );
                assert_eq!(values(&w, UNREAD), Vec::<String>::new(), "{way:?} {piece}");
            }
        }
    }

    #[test]
    fn a_copy_holds_every_file_stripped_as_it_would_be_alone() {
        for way in [Way::Stored, Way::Deflated, Way::Described { signed: false }] {
            let file = export(way);
            let (copy, removed) = stripped(&file).unwrap();
            assert!(removed.contains(&"EXIF".to_owned()), "{removed:?}");
            assert!(removed.contains(&"file times".to_owned()), "{removed:?}");
            let parts = unpack(&copy);
            let names: Vec<&str> = parts.iter().map(|p| p.0.as_str()).collect();
            assert_eq!(
                names,
                [
                    "_chat.txt",
                    "IMG-20150805-WA0001.jpg",
                    "media/",
                    "media/statement.docx"
                ]
            );
            assert_eq!(parts[0].1, CHAT);
            let alone = |media_type: &str, bytes: &[u8]| {
                let mut out = Vec::new();
                crate::media::strip::strip(
                    media_type,
                    &mut &bytes[..],
                    &Default::default(),
                    &mut out,
                )
                .unwrap();
                out
            };
            assert_eq!(parts[1].1, alone("image/jpeg", &fixture("exif-gps.jpg")));
            let docx = crate::media::sniff(&word(Way::Deflated));
            assert_eq!(parts[3].1, alone(&docx, &word(Way::Deflated)));
            assert_eq!(sniffed(&copy, 4096).1, Vec::new(), "{way:?}");
        }
    }

    #[test]
    fn a_video_s_telemetry_goes_from_an_archive_as_from_the_video_alone() {
        let video = fixture("action-camera-gps.mp4");
        let file = package(&[("GX010042.MP4", &video, Way::Deflated)]);
        let (_, w) = sniffed(&file, 4096);
        assert!(
            values(&w, "gps_position")
                .iter()
                .any(|v| v.starts_with("GX010042.MP4: a GoPro GPMF telemetry track")),
            "{w:?}"
        );
        let (copy, removed) = stripped(&file).unwrap();
        assert!(
            removed.contains(&"telemetry track".to_owned()),
            "{removed:?}"
        );
        assert_eq!(sniffed(&copy, 4096).1, Vec::new());
        let mut alone = Vec::new();
        let plan = strip::plan("video/mp4", &mut io::Cursor::new(&video)).unwrap();
        strip::strip("video/mp4", &mut &video[..], &plan, &mut alone).unwrap();
        assert_eq!(unpack(&copy)[0].1, alone);
    }

    #[test]
    fn what_cannot_be_read_is_said_and_not_copied() {
        // A Photoshop document: an image, whose metadata Aigaq does not remove.
        let psd = b"8BPS\0\x01\0\0\0\0\0\0\0\x03\0\0\0\x01\0\0\0\x01\0\x08\0\x03";
        let cases: [(&str, Vec<u8>, &str); 3] = [
            (
                "cover.psd",
                package(&[("cover.psd", psd, Way::Deflated)]),
                "image/vnd.adobe.photoshop",
            ),
            (
                "secret.txt",
                {
                    let mut z = package(&[("secret.txt", b"x", Way::Stored)]);
                    z[6] |= 1;
                    z
                },
                "encrypted",
            ),
            (
                "old.txt",
                {
                    let mut z = package(&[("old.txt", b"x", Way::Stored)]);
                    z[8] = 12;
                    z
                },
                "compressed in a way",
            ),
        ];
        for (name, file, why) in cases {
            let (_, w) = sniffed(&file, 100);
            let unread = values(&w, UNREAD);
            assert!(
                unread
                    .iter()
                    .any(|u| u.starts_with(name) && u.contains(why)),
                "{unread:?}"
            );
            let err = stripped(&file).unwrap_err().to_string();
            assert!(err.contains(name), "{err}");
        }
        // Archives in archives, read two deep and no deeper.
        let mut nested = export(Way::Deflated);
        for _ in 0..3 {
            nested = package(&[("inner.zip", &nested, Way::Deflated)]);
        }
        let (_, w) = sniffed(&nested, 4096);
        assert!(
            values(&w, UNREAD).iter().any(|u| u.contains(TOO_DEEP)),
            "{w:?}"
        );
        assert!(stripped(&nested)
            .unwrap_err()
            .to_string()
            .contains(TOO_DEEP));
    }

    #[test]
    fn damaged_archives_are_read_without_panic() {
        let file = export(Way::Described { signed: true });
        for cut in (0..file.len()).step_by(97) {
            let _ = sniffed(&file[..cut], 31);
            let _ = stripped(&file[..cut]);
        }
        let mut flipped = file.clone();
        for i in (40..flipped.len()).step_by(301) {
            flipped[i] ^= 0x55;
        }
        let _ = sniffed(&flipped, 512);
        let _ = stripped(&flipped);
    }
}

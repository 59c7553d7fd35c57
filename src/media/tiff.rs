//! TIFF images (a scanner's or a fax's pages, a camera's): their image file directories
//! (IFDs) name the device (`Make`, `Model`), the software, the time, the author and the
//! computer it was made on, and point at an EXIF directory (serials, times, an owner's name)
//! and a GPS one, and may hold XMP, IPTC and Photoshop data. The directories may be
//! anywhere in the file, often after the pixels, so they are found first by reading only
//! them ([`plan`]), from a reader that seeks.
//!
//! A copy ([`strip`]) is the same file with those values zeroed where they stand, and the
//! EXIF and GPS directories emptied (their entries, the values they point at, and their
//! count: readers find an empty directory), every other byte, the pixels included, where it
//! was.

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::ops::Range;

use super::strip::bad;
use super::telemetry::{merged, Plan};

/// Tags whose values name a device, a person, a computer, software or a time, or hold
/// metadata of another kind (XMP, IPTC, Photoshop's).
const BLANKED: [u16; 13] = [
    269,   // DocumentName
    270,   // ImageDescription
    271,   // Make
    272,   // Model
    285,   // PageName
    305,   // Software
    306,   // DateTime
    315,   // Artist
    316,   // HostComputer
    700,   // XMP
    33432, // Copyright
    33723, // IPTC
    34377, // Photoshop
];

/// Tags pointing at a directory of their own that goes whole: EXIF, GPS, and EXIF's
/// interoperability directory.
const EMPTIED: [u16; 3] = [34665, 34853, 40965];

/// Most directories read in a file (pages, and those they point at), and entries in one.
const MOST_DIRECTORIES: usize = 4096;
const MOST_ENTRIES: u16 = 4096;

/// Byte order of the file.
#[derive(Clone, Copy)]
struct Order(bool);

impl Order {
    fn u16(self, b: [u8; 2]) -> u16 {
        if self.0 {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }
    }
    fn u32(self, b: [u8; 4]) -> u32 {
        if self.0 {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    }
}

/// How many bytes a value of TIFF type `kind` takes.
fn unit(kind: u16) -> Option<u64> {
    Some(match kind {
        1 | 2 | 6 | 7 => 1,
        3 | 8 => 2,
        4 | 9 | 11 | 13 => 4,
        5 | 10 | 12 => 8,
        _ => return None,
    })
}

/// One entry of a directory, and where it is.
struct Entry {
    tag: u16,
    /// Its TIFF type and number of values.
    kind: u16,
    count: u32,
    /// Where its value is: in the entry itself when it fits in four bytes.
    value: Range<u64>,
    /// Its value read as a directory's offset.
    offset: u32,
}

fn read_at<R: Read + Seek + ?Sized>(input: &mut R, at: u64, buf: &mut [u8]) -> io::Result<()> {
    input.seek(SeekFrom::Start(at))?;
    input.read_exact(buf)
}

/// The entries of the directory at `at`, where its entries end, and the next directory's
/// offset.
fn directory<R: Read + Seek + ?Sized>(
    input: &mut R,
    order: Order,
    at: u64,
    len: u64,
) -> io::Result<(Vec<Entry>, u64, u32)> {
    let mut count = [0u8; 2];
    read_at(input, at, &mut count)?;
    let count = order.u16(count);
    if count > MOST_ENTRIES {
        return Err(bad("a TIFF directory with too many entries"));
    }
    let mut raw = vec![0u8; usize::from(count) * 12 + 4];
    read_at(input, at + 2, &mut raw)?;
    let mut entries = Vec::with_capacity(usize::from(count));
    for (i, e) in raw.chunks_exact(12).enumerate() {
        let tag = order.u16([e[0], e[1]]);
        let kind = order.u16([e[2], e[3]]);
        let count = order.u32([e[4], e[5], e[6], e[7]]);
        let n = u64::from(count);
        let offset = order.u32([e[8], e[9], e[10], e[11]]);
        let inline = at + 2 + i as u64 * 12 + 8;
        let size = unit(kind).map(|u| u.saturating_mul(n));
        let value = match size {
            Some(size) if size <= 4 => inline..inline + size,
            Some(size) => {
                let from = u64::from(offset);
                if from.saturating_add(size) > len {
                    return Err(bad("a TIFF value past the end of the file"));
                }
                from..from + size
            }
            // A type this reader does not know: its value is left as it is.
            None => inline..inline,
        };
        entries.push(Entry {
            tag,
            kind,
            count,
            value,
            offset,
        });
    }
    let end = at + 2 + u64::from(count) * 12;
    let tail = &raw[raw.len() - 4..];
    let next = order.u32([tail[0], tail[1], tail[2], tail[3]]);
    Ok((entries, end, next))
}

/// The file's length, byte order and first directory's offset, from its header.
fn header<R: Read + Seek + ?Sized>(input: &mut R) -> io::Result<(u64, Order, u64)> {
    let len = input.seek(SeekFrom::End(0))?;
    let mut head = [0u8; 8];
    read_at(input, 0, &mut head)?;
    let order = match &head[..4] {
        b"II*\0" => Order(true),
        b"MM\0*" => Order(false),
        _ => return Err(bad("not a TIFF image")),
    };
    let first = u64::from(order.u32([head[4], head[5], head[6], head[7]]));
    Ok((len, order, first))
}

/// Finds what a copy of a TIFF image blanks (see the module documentation).
pub(super) fn plan<R: Read + Seek + ?Sized>(input: &mut R) -> io::Result<Plan> {
    let (len, order, first) = header(input)?;
    let mut zero: Vec<Range<u64>> = Vec::new();
    let mut notes = Vec::new();
    // Directories to read: pages in a chain, and the EXIF and GPS ones they point at
    // (`true`: emptied whole).
    let mut todo = vec![(first, false)];
    let mut seen: Vec<u64> = Vec::new();
    while let Some((at, empty)) = todo.pop() {
        if at == 0 || at + 2 > len || seen.contains(&at) {
            continue;
        }
        if seen.len() >= MOST_DIRECTORIES {
            return Err(bad("a TIFF image with too many directories"));
        }
        seen.push(at);
        let (entries, end, next) = directory(input, order, at, len)?;
        if empty {
            // Its entries, what they point at, its count and its link to a next one.
            zero.push(at..end + 4);
            zero.extend(entries.iter().map(|e| e.value.clone()));
            for e in entries.iter().filter(|e| EMPTIED.contains(&e.tag)) {
                todo.push((u64::from(e.offset), true));
            }
            continue;
        }
        for e in &entries {
            if BLANKED.contains(&e.tag) && !e.value.is_empty() {
                zero.push(e.value.clone());
                let what = match e.tag {
                    700 => "XMP",
                    33723 => "IPTC",
                    34377 => "Photoshop data",
                    315 | 33432 => "author",
                    _ => "device, software and time",
                };
                if !notes.contains(&what) {
                    notes.push(what);
                }
            } else if EMPTIED.contains(&e.tag) {
                let what = if e.tag == 34853 { "GPS" } else { "EXIF" };
                if !notes.contains(&what) {
                    notes.push(what);
                }
                todo.push((u64::from(e.offset), true));
            }
        }
        todo.push((u64::from(next), false));
    }
    Ok(Plan {
        zero: merged(zero),
        notes,
        ..Plan::default()
    })
}

/// Bytes of one value copied into [`directories`] at most: a longer one (XMP, a colour
/// profile, the strips' offsets) says nothing the warnings read.
const LONGEST_COPIED: u64 = 64 * 1024;

/// Directories' tags that point at the EXIF and GPS directories.
const EXIF_POINTER: u16 = 34665;
const GPS_POINTER: u16 = 34853;

/// The image's first directory, and the EXIF and GPS directories it points at, with their
/// values, copied into a small TIFF of their own in the same byte order: what the EXIF
/// reader reads the image's metadata from when those lie past the bytes kept of a large
/// one, as they do in files whose writer puts the directory after the pixels. Only
/// directories are read, from a reader that seeks.
pub(super) fn directories<R: Read + Seek + ?Sized>(input: &mut R) -> io::Result<Vec<u8>> {
    let (len, order, first) = header(input)?;
    // A pointer's value is the number of the directory it points at until they are laid
    // out.
    let mut dirs: Vec<Vec<Copied>> = Vec::new();
    let mut todo = vec![(first, None::<(usize, u16)>)];
    let mut seen = Vec::new();
    while let Some((at, from)) = todo.pop() {
        if at == 0 || at + 2 > len || seen.contains(&at) {
            continue;
        }
        seen.push(at);
        let (entries, _, _) = directory(input, order, at, len)?;
        let me = dirs.len();
        let mut copied = Vec::new();
        for e in entries {
            if dirs.is_empty() && [EXIF_POINTER, GPS_POINTER].contains(&e.tag) {
                todo.push((u64::from(e.offset), Some((me, e.tag))));
                continue;
            }
            let size = e.value.end - e.value.start;
            if size == 0 || size > LONGEST_COPIED || EMPTIED.contains(&e.tag) {
                continue;
            }
            let mut value = vec![0u8; size as usize];
            read_at(input, e.value.start, &mut value)?;
            copied.push(Copied {
                tag: e.tag,
                kind: e.kind,
                count: e.count,
                value,
            });
        }
        dirs.push(copied);
        if let Some((parent, tag)) = from {
            dirs[parent].push(Copied {
                tag,
                kind: 4,
                count: 1,
                value: (me as u32).to_ne_bytes().to_vec(),
            });
        }
    }
    if dirs.is_empty() {
        return Err(bad("a TIFF image without a directory"));
    }
    Ok(laid_out(order, &dirs))
}

/// An entry copied by [`directories`], with its value's bytes.
struct Copied {
    tag: u16,
    kind: u16,
    count: u32,
    value: Vec<u8>,
}

/// A TIFF holding `dirs`, the first as its first directory; a pointer's value (a LONG
/// whose native bytes hold a directory's number) becomes that directory's offset.
fn laid_out(order: Order, dirs: &[Vec<Copied>]) -> Vec<u8> {
    let out_of_line = |v: &[u8]| {
        if v.len() > 4 {
            v.len() + v.len() % 2
        } else {
            0
        }
    };
    let mut at = Vec::with_capacity(dirs.len());
    let mut next = 8usize;
    for d in dirs {
        at.push(next);
        next += 2 + 12 * d.len() + 4 + d.iter().map(|e| out_of_line(&e.value)).sum::<usize>();
    }
    let u16b = |v: u16| {
        if order.0 {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    };
    let u32b = |v: u32| {
        if order.0 {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    };
    let mut f = Vec::with_capacity(next);
    f.extend_from_slice(if order.0 { b"II*\0" } else { b"MM\0*" });
    f.extend_from_slice(&u32b(8));
    for (d, &here) in dirs.iter().zip(&at) {
        let mut sorted: Vec<_> = d.iter().collect();
        sorted.sort_by_key(|e| e.tag);
        let mut values_at = here + 2 + 12 * d.len() + 4;
        let mut values = Vec::new();
        f.extend_from_slice(&u16b(d.len() as u16));
        for Copied {
            tag,
            kind,
            count,
            value,
        } in sorted
        {
            f.extend_from_slice(&u16b(*tag));
            f.extend_from_slice(&u16b(*kind));
            f.extend_from_slice(&u32b(*count));
            let pointer =
                [EXIF_POINTER, GPS_POINTER].contains(tag) && value.len() == 4 && dirs.len() > 1;
            if pointer {
                let n = u32::from_ne_bytes([value[0], value[1], value[2], value[3]]) as usize;
                f.extend_from_slice(&u32b(at.get(n).copied().unwrap_or(0) as u32));
            } else if value.len() <= 4 {
                let mut inline = [0u8; 4];
                inline[..value.len()].copy_from_slice(value);
                f.extend_from_slice(&inline);
            } else {
                f.extend_from_slice(&u32b(values_at as u32));
                values.extend_from_slice(value);
                if value.len() % 2 == 1 {
                    values.push(0);
                }
                values_at += out_of_line(value);
            }
        }
        f.extend_from_slice(&u32b(0));
        f.extend_from_slice(&values);
    }
    f
}

/// Copies a TIFF image with what [`plan`] found zeroed (see the module documentation);
/// returns what was left out.
pub(super) fn strip(
    input: &mut dyn Read,
    plan: &Plan,
    out: &mut dyn Write,
) -> io::Result<Vec<String>> {
    let blanked = super::video::copy_blanking(input, 0, plan, out)?;
    super::video::planned(Vec::new(), plan, blanked)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A 2×1 grey TIFF as a scanner writes one, in either byte order: its pixels first,
    /// then its directory, naming the scanner, its software, the time and the computer,
    /// with an EXIF directory (an owner's name) and a GPS one.
    fn scan(little: bool) -> Vec<u8> {
        scan_after(little, &[0x40, 0xC0])
    }

    /// [`scan`] with other pixels, as many as given (an even number).
    pub(crate) fn scan_after(little: bool, pixels: &[u8]) -> Vec<u8> {
        let u16b = |v: u16| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let u32b = |v: u32| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let mut f = if little {
            b"II*\0".to_vec()
        } else {
            b"MM\0*".to_vec()
        };
        let ifd_at = 8 + pixels.len() as u32;
        f.extend_from_slice(&u32b(ifd_at));
        f.extend_from_slice(pixels); // at 8
        let strings: [(u16, &[u8]); 4] = [
            (271, b"Aigaq Scanner\0"),
            (305, b"ScanApp 2.1\0"),
            (306, b"2026:01:05 10:00:00\0"),
            (316, b"AIGERIM-LAPTOP\0"),
        ];
        // IFD0 after the pixels: 10 entries; values after it.
        let entries = 10u16;
        let mut values_at = ifd_at + 2 + u32::from(entries) * 12 + 4;
        let mut ifd = u16b(entries).to_vec();
        let mut values = Vec::new();
        let entry = |ifd: &mut Vec<u8>, tag: u16, kind: u16, n: u32, v: [u8; 4]| {
            ifd.extend_from_slice(&u16b(tag));
            ifd.extend_from_slice(&u16b(kind));
            ifd.extend_from_slice(&u32b(n));
            ifd.extend_from_slice(&v);
        };
        let short = |v: u16| {
            let mut b = [0u8; 4];
            b[..2].copy_from_slice(&u16b(v));
            b
        };
        entry(&mut ifd, 256, 3, 1, short(pixels.len() as u16));
        entry(&mut ifd, 257, 3, 1, short(1));
        entry(&mut ifd, 258, 3, 1, short(8));
        entry(&mut ifd, 262, 3, 1, short(1));
        entry(&mut ifd, 273, 4, 1, u32b(8));
        for (tag, s) in strings {
            entry(&mut ifd, tag, 2, s.len() as u32, u32b(values_at));
            values.extend_from_slice(s);
            values_at += s.len() as u32;
        }
        // The EXIF directory, after the values: one entry, the owner.
        let exif_at = values_at;
        entry(&mut ifd, 34665, 4, 1, u32b(exif_at));
        ifd.extend_from_slice(&u32b(0));
        let owner = b"Aigerim Nurlanovna\0";
        let mut exif = u16b(1).to_vec();
        let owner_at = exif_at + 2 + 12 + 4;
        exif.extend_from_slice(&u16b(42032));
        exif.extend_from_slice(&u16b(2));
        exif.extend_from_slice(&u32b(owner.len() as u32));
        exif.extend_from_slice(&u32b(owner_at));
        exif.extend_from_slice(&u32b(0));
        exif.extend_from_slice(owner);
        f.extend_from_slice(&ifd);
        f.extend_from_slice(&values);
        f.extend_from_slice(&exif);
        f
    }

    fn stripped(file: &[u8]) -> io::Result<(Vec<u8>, Vec<String>)> {
        let plan = plan(&mut io::Cursor::new(file))?;
        let mut out = Vec::new();
        let removed = strip(&mut &file[..], &plan, &mut out)?;
        Ok((out, removed))
    }

    #[test]
    fn a_scan_keeps_its_pixels_and_loses_its_device_time_computer_and_owner() {
        for little in [true, false] {
            let file = scan(little);
            let (t, w) = crate::media::describe(&file);
            assert_eq!(t, "image/tiff");
            assert!(
                crate::media::values_of(&w, "owner_name")
                    .contains(&"Aigerim Nurlanovna".to_owned()),
                "{w:?}"
            );
            let (copy, removed) = stripped(&file).unwrap();
            assert_eq!(copy.len(), file.len());
            assert_eq!(copy[8..10], [0x40, 0xC0], "the pixels");
            assert_eq!(
                removed,
                ["device, software and time", "EXIF"].map(String::from)
            );
            for gone in [
                &b"Aigerim"[..],
                b"AIGERIM",
                b"Scanner",
                b"ScanApp",
                b"2026:",
            ] {
                assert!(memchr::memmem::find(&copy, gone).is_none());
            }
            assert_eq!(
                crate::media::describe(&copy),
                ("image/tiff".to_owned(), Vec::new())
            );
            // Its own structure still reads: the size and where the pixels are.
            let mut again = stripped(&copy).unwrap();
            again.1.clear();
            assert_eq!(again.0, copy);
        }
    }

    /// A scan of 3 MiB as libtiff writes one: the pixels first, the directories after.
    /// Its first MiB says nothing; its directories, read with seeks, say who and when.
    #[test]
    fn directories_after_the_pixels_are_read_wherever_they_are() {
        for little in [true, false] {
            let pixels: Vec<u8> = (0..3 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
            let file = scan_after(little, &pixels);
            let (t, head) = crate::media::describe(&file[..crate::media::HEAD_BYTES]);
            assert_eq!((t.as_str(), head), ("image/tiff", Vec::new()));
            let found =
                crate::media::whole_file_warnings("image/tiff", &mut io::Cursor::new(&file));
            let small = crate::media::describe(&scan(little)).1;
            assert_eq!(found, small);
            // A sniffer keeps the last bytes too, where this writer put the directories.
            for piece in [4096, 1 << 20] {
                let mut sniffer = crate::media::Sniffer::new();
                file.chunks(piece).for_each(|p| sniffer.feed(p));
                assert_eq!(sniffer.describe(), ("image/tiff".to_owned(), small.clone()));
            }
            for (field, value) in [
                ("owner_name", "Aigerim Nurlanovna"),
                ("camera", "Aigaq Scanner"),
                ("time", "2026-01-05 10:00:00"),
            ] {
                assert_eq!(crate::media::values_of(&found, field), [value], "{found:?}");
            }
            // Its copy holds none of it, read the same way.
            let (copy, _) = stripped(&file).unwrap();
            let left = crate::media::whole_file_warnings("image/tiff", &mut io::Cursor::new(&copy));
            assert_eq!(left, Vec::new());
        }
    }

    #[test]
    fn damaged_images_are_errors_without_panic() {
        let file = scan(true);
        for cut in 0..file.len() {
            let _ = stripped(&file[..cut]);
            let _ = directories(&mut io::Cursor::new(&file[..cut]));
        }
        let mut looped = file.clone();
        // The directory's link to a next one points back at itself.
        let next = 10 + 2 + 10 * 12;
        looped[next..next + 4].copy_from_slice(&10u32.to_le_bytes());
        assert!(stripped(&looped).is_ok());
        // A directory past the end: nothing found to blank, the file copied as it is.
        let (copy, removed) = stripped(b"II*\0\xff\xff\xff\xff").unwrap();
        assert_eq!(
            (copy.as_slice(), removed),
            (&b"II*\0\xff\xff\xff\xff"[..], Vec::new())
        );
        assert!(stripped(b"GIF89a").is_err());
        // Read whole, such a file is said to be unread: what its directories hold is unknown.
        let said = crate::media::whole_file_warnings(
            "image/tiff",
            &mut io::Cursor::new(b"II*\0\xff\xff\xff\xff"),
        );
        assert_eq!(said.len(), 1);
        assert_eq!(said[0].field, crate::media::UNREAD);
    }
}

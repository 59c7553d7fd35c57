//! The compound file ([MS-CFB]) that Word 97–2003, Excel 97–2003, PowerPoint 97–2003 and
//! Outlook files are: a small file system of sectors, a FAT that chains them into streams,
//! a directory of named streams and storages, and a mini stream holding the short streams
//! in 64-byte pieces. Read from memory; a stream is known by where its bytes lie in the
//! file ([`Compound::extents`]), so that a copy can be written back in place, the same
//! length, and every other byte of the file stays as it was.

use super::{u16_at, u32_at, u64_at};
use std::ops::Range;

/// The first bytes of every compound file.
pub(crate) const MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

const HEADER: usize = 512;
const ENTRY: usize = 128;
/// Sector numbers from here up mark a chain's end, free sectors, FAT and DIFAT sectors.
const LAST_REGULAR: u32 = 0xFFFF_FFFA;
const NO_STREAM: u32 = 0xFFFF_FFFF;

/// An object in the directory.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Its name, as the file gives it.
    pub(crate) name: String,
    /// Stream (2), storage (1) or root (5).
    pub(crate) kind: u8,
    /// The storage it is in (`None` for the root, and for what the tree does not reach).
    pub(crate) parent: Option<usize>,
    /// Where its 128 bytes are in the file.
    pub(crate) at: usize,
    /// Its creation and modification times (FILETIME), zero where not set.
    pub(crate) times: [u64; 2],
    /// Left and right siblings, and the first child, in the directory's tree.
    links: [Option<usize>; 3],
    start: u32,
    size: u64,
}

impl Entry {
    /// Whether it has this name: compound files compare names without case, and some
    /// writers spell `WordDocument` as `worddocument`.
    pub(crate) fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    pub(crate) fn is_stream(&self) -> bool {
        self.kind == 2
    }
}

/// A parsed compound file.
#[derive(Debug)]
pub(crate) struct Compound {
    /// The file's length: a sector it cuts short ends there.
    len: usize,
    shift: u32,
    fat: Vec<u32>,
    minifat: Vec<u32>,
    /// The mini stream's extents in the file.
    mini: Vec<Range<usize>>,
    cutoff: u64,
    pub(crate) entries: Vec<Entry>,
}

/// Why a file could not be read as a compound file.
pub(crate) type Damaged = &'static str;

impl Compound {
    /// Reads the structure of `file` (the whole file).
    pub(crate) fn parse(file: &[u8]) -> Result<Self, Damaged> {
        if file.get(..8) != Some(&MAGIC[..]) || file.len() < HEADER {
            return Err("not a compound file");
        }
        let shift = u32::from(u16_at(file, 30).ok_or("a cut-off header")?);
        if shift != 9 && shift != 12 {
            return Err("an unknown sector size");
        }
        let mini_shift = u16_at(file, 32).ok_or("a cut-off header")?;
        if mini_shift != 6 {
            return Err("an unknown mini sector size");
        }
        let sector = 1usize << shift;
        // A last sector that the file cuts short still counts (writers do that).
        let sectors = file.len().saturating_sub(sector).div_ceil(sector);
        let mut c = Self {
            len: file.len(),
            shift,
            fat: Vec::new(),
            minifat: Vec::new(),
            mini: Vec::new(),
            cutoff: u64::from(u32_at(file, 56).ok_or("a cut-off header")?),
            entries: Vec::new(),
        };
        // The FAT's sectors: 109 listed in the header, the rest in a chain of DIFAT
        // sectors, each ending with the next one's number.
        let mut fat_sectors: Vec<u32> = (0..109)
            .filter_map(|i| u32_at(file, 76 + 4 * i))
            .filter(|&s| s < LAST_REGULAR)
            .collect();
        let mut difat = u32_at(file, 68).ok_or("a cut-off header")?;
        let mut hops = 0;
        while difat < LAST_REGULAR {
            hops += 1;
            if hops > sectors {
                return Err("a DIFAT chain that loops");
            }
            let per = sector / 4 - 1;
            let page = c
                .sector(difat)
                .and_then(|r| file.get(r))
                .ok_or("a DIFAT sector past the end")?;
            fat_sectors.extend(
                (0..per)
                    .filter_map(|i| u32_at(page, 4 * i))
                    .filter(|&s| s < LAST_REGULAR),
            );
            difat = u32_at(page, 4 * per).ok_or("a cut-off DIFAT sector")?;
        }
        if fat_sectors.len() > sectors + 1 {
            return Err("more FAT sectors than the file has");
        }
        for s in fat_sectors {
            let page = c
                .sector(s)
                .and_then(|r| file.get(r))
                .ok_or("a FAT sector past the end")?;
            c.fat
                .extend((0..sector / 4).filter_map(|i| u32_at(page, 4 * i)));
        }
        let dir_start = u32_at(file, 48).ok_or("a cut-off header")?;
        let dir = c.chain(dir_start, sectors)?;
        let minifat_start = u32_at(file, 60).ok_or("a cut-off header")?;
        if minifat_start < LAST_REGULAR {
            for r in c.chain(minifat_start, sectors)? {
                c.minifat.extend(
                    (r.start..r.end)
                        .step_by(4)
                        .filter_map(|at| u32_at(file, at)),
                );
            }
        }
        for r in dir {
            // An entry the file's end cuts off is no entry.
            for at in (r.start..r.end).step_by(ENTRY) {
                if let Some(e) = file.get(at..at + ENTRY) {
                    c.entries.push(entry(e, at, shift));
                }
            }
        }
        let root = c.entries.first().ok_or("no directory")?;
        if root.kind != 5 {
            return Err("no root in the directory");
        }
        if root.start < LAST_REGULAR {
            c.mini = c.chain(root.start, sectors)?;
        }
        c.link();
        Ok(c)
    }

    /// Where sector `s` is in the file (cut short where the file ends), if it is.
    fn sector(&self, s: u32) -> Option<Range<usize>> {
        let at = ((s as usize) + 1).checked_shl(self.shift)?;
        (at < self.len).then(|| at..(at + (1 << self.shift)).min(self.len))
    }

    /// The byte ranges of the chain of regular sectors from `start`. A chain that leaves
    /// the file ends there (what a damaged or cut file still holds is read); one that loops
    /// is an error.
    fn chain(&self, start: u32, sectors: usize) -> Result<Vec<Range<usize>>, Damaged> {
        let mut out: Vec<Range<usize>> = Vec::new();
        let mut s = start;
        let mut hops = 0;
        while s < LAST_REGULAR {
            hops += 1;
            if hops > sectors + 1 {
                return Err("a sector chain that loops");
            }
            let Some(r) = self.sector(s) else {
                break;
            };
            push(&mut out, r);
            let Some(&next) = self.fat.get(s as usize) else {
                break;
            };
            s = next;
        }
        Ok(out)
    }

    /// Gives every entry the storage it is in, walking the tree from the root.
    fn link(&mut self) {
        let n = self.entries.len();
        let mut seen = vec![false; n];
        // (entry, its parent storage)
        let mut todo = vec![(0usize, None::<usize>)];
        while let Some((i, parent)) = todo.pop() {
            if i >= n || seen[i] {
                continue;
            }
            seen[i] = true;
            self.entries[i].parent = parent;
            let e = &self.entries[i];
            let (left, right, child) = (e.left(), e.right(), e.child());
            for sib in [left, right].into_iter().flatten() {
                todo.push((sib, parent));
            }
            if let Some(c) = child {
                todo.push((c, Some(i)));
            }
        }
    }

    /// Where a stream's bytes are in the file, in order.
    pub(crate) fn extents(&self, e: &Entry) -> Result<Vec<Range<usize>>, Damaged> {
        if !e.is_stream() {
            return Err("not a stream");
        }
        let size = usize::try_from(e.size).map_err(|_| "a stream too large")?;
        // A stream that its chain or the file cuts short is read as far as it goes.
        let mut out: Vec<Range<usize>> = Vec::new();
        let mut left = size;
        if e.size < self.cutoff {
            let mut s = e.start;
            let mut hops = 0;
            while left > 0 && s < LAST_REGULAR {
                hops += 1;
                if hops > self.minifat.len() + 1 {
                    return Err("a short stream whose chain loops");
                }
                let take = left.min(64);
                let Some(pieces) = locate(&self.mini, (s as usize) << 6, take) else {
                    break;
                };
                for r in pieces {
                    push(&mut out, r);
                }
                left -= take;
                let Some(&next) = self.minifat.get(s as usize) else {
                    break;
                };
                s = next;
            }
        } else {
            for r in self.chain(e.start, self.fat.len())? {
                if left == 0 {
                    break;
                }
                let take = left.min(r.len());
                push(&mut out, r.start..r.start + take);
                left -= take;
            }
        }
        Ok(out)
    }

    /// A stream's bytes.
    pub(crate) fn read(&self, file: &[u8], e: &Entry) -> Result<Vec<u8>, Damaged> {
        let mut out = Vec::new();
        for r in self.extents(e)? {
            out.extend_from_slice(file.get(r).ok_or("a stream past the end of the file")?);
        }
        Ok(out)
    }

    /// Writes `data` (a stream's new bytes, as long as the stream) over the stream in
    /// `file`.
    pub(crate) fn write(&self, file: &mut [u8], e: &Entry, data: &[u8]) -> Result<(), Damaged> {
        let mut rest = data;
        for r in self.extents(e)? {
            let (now, later) = rest.split_at(r.len().min(rest.len()));
            file.get_mut(r.start..r.start + now.len())
                .ok_or("a stream past the end of the file")?
                .copy_from_slice(now);
            rest = later;
        }
        Ok(())
    }

    /// The stream called `name` in the storage `parent` (case as written).
    pub(crate) fn child(&self, parent: Option<usize>, name: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.parent == parent && e.is_stream() && e.is(name))
    }
}

/// Adds a range, joined to the last one where they touch.
fn push(out: &mut Vec<Range<usize>>, r: Range<usize>) {
    match out.last_mut() {
        Some(last) if last.end == r.start => last.end = r.end,
        _ => out.push(r),
    }
}

/// The file ranges of `len` bytes from `from` in a stream laid out as `extents`, if it
/// holds them.
fn locate(extents: &[Range<usize>], mut from: usize, len: usize) -> Option<Vec<Range<usize>>> {
    let mut out = Vec::new();
    let mut left = len;
    for r in extents {
        if left == 0 {
            break;
        }
        if from >= r.len() {
            from -= r.len();
            continue;
        }
        let take = left.min(r.len() - from);
        out.push(r.start + from..r.start + from + take);
        left -= take;
        from = 0;
    }
    (left == 0).then_some(out)
}

fn entry(e: &[u8], at: usize, shift: u32) -> Entry {
    let name_len = usize::from(u16_at(e, 64).unwrap_or(0)).min(64);
    let units: Vec<u16> = e[..name_len.saturating_sub(2)]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let mut size = u64_at(e, 120).unwrap_or(0);
    if shift == 9 {
        // Version 3 files keep only 32 bits of a size; writers leave junk in the rest.
        size &= 0xFFFF_FFFF;
    }
    Entry {
        name: String::from_utf16_lossy(&units),
        kind: e[66],
        parent: None,
        at,
        times: [u64_at(e, 100).unwrap_or(0), u64_at(e, 108).unwrap_or(0)],
        links: [68, 72, 76].map(|o| {
            u32_at(e, o)
                .filter(|&l| l < LAST_REGULAR)
                .map(|l| l as usize)
        }),
        start: u32_at(e, 116).unwrap_or(NO_STREAM),
        size,
    }
}

impl Entry {
    fn left(&self) -> Option<usize> {
        self.links[0]
    }
    fn right(&self) -> Option<usize> {
        self.links[1]
    }
    fn child(&self) -> Option<usize> {
        self.links[2]
    }
}

//! The copy of an office document that `export --strip-metadata` sends (see the parent
//! module's documentation): a new ZIP package, its parts copied, emptied or rewritten one
//! after another as they stream past.

use std::io::{self, BufRead, Read, Write};

use miniz_oxide::inflate::stream::{inflate, InflateState};
use miniz_oxide::{DataFormat, MZFlush, MZStatus};

use super::{
    blank_printer, carries_names, is_compound, is_package, is_printer_settings, picture_type,
    LocalHeader, Part, CENTRAL, DESCRIPTOR, END, LARGEST_PART, LARGEST_WHOLE, LARGEST_XML, LOCAL,
    LOCAL_LEN, MOST_ENTRIES, MOST_NAME_BYTES,
};
use crate::counting::Counting;
use crate::media::annotations::Names;
use crate::media::deflate::Deflater;
use crate::media::strip::{self, bad, note};
use crate::media::MOST_DEPTH;

/// An entry of the copy, for its central directory.
pub(super) struct Written {
    version: u16,
    flags: u16,
    method: u16,
    crc: u32,
    compressed: u32,
    size: u32,
    name: Vec<u8>,
    offset: u32,
}

impl Written {
    /// A part of the copy deflated anew in place of the one with local header `h`: only
    /// whether its name is UTF-8 stays of its flags; its sizes and CRC come when it is done.
    /// [`Self::deflated`], its sizes and CRC in a data descriptor after it.
    pub(super) fn described(h: &LocalHeader, name: Vec<u8>, offset: u32) -> Self {
        let mut w = Self::deflated(h, name, offset);
        w.flags |= 8;
        w
    }

    pub(super) fn deflated(h: &LocalHeader, name: Vec<u8>, offset: u32) -> Self {
        Self {
            version: 20,
            flags: h.flags & 0x800,
            method: 8,
            crc: 0,
            compressed: 0,
            size: 0,
            name,
            offset,
        }
    }
}

/// DOS time and date of every entry in a copy: 1980-01-01 00:00, the earliest there is.
pub(super) const NO_TIME: u16 = 0;
pub(super) const NO_DATE: u16 = (1 << 5) | 1;

/// Copies an office document's package without its document properties, file times and
/// extra fields (see the module documentation); returns what was left out.
pub(crate) fn strip(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    strip_at(input, out, 0, false)
}

/// Strips an office document embedded in a compound file (an `.xlsx` pasted into a `.doc`)
/// in place, at its length, since the compound file keeps its streams' sizes: the copy
/// [`strip`] makes, and as many zero bytes in the comment that closes it as it is shorter.
/// Returns what was removed, or why it cannot be: the copy is longer than the original, or
/// shorter by more than a comment holds.
pub(crate) fn strip_in_place(zip: &mut [u8], depth: usize) -> io::Result<Vec<String>> {
    let mut copy = Vec::with_capacity(zip.len());
    let removed = strip_at(&mut &zip[..], &mut copy, depth, true)?;
    let pad = zip
        .len()
        .checked_sub(copy.len())
        .and_then(|pad| u16::try_from(pad).ok())
        .ok_or_else(|| bad("its copy does not fit where it was"))?;
    // The copy ends with the end of its central directory, which says its comment's length.
    let at = copy.len() - 2;
    copy[at..].copy_from_slice(&pad.to_le_bytes());
    copy.resize(zip.len(), 0);
    zip.copy_from_slice(&copy);
    Ok(removed)
}

/// [`strip`] of a document `depth` documents deep in another; with `hold`, each part it
/// deflates is held until done, and written behind a local header that gives its sizes
/// rather than with a data descriptor after it, which takes 16 bytes more (for a copy made
/// in memory, which must fit its place).
fn strip_at(
    input: &mut dyn Read,
    out: &mut dyn Write,
    depth: usize,
    hold: bool,
) -> io::Result<Vec<String>> {
    let mut input = io::BufReader::with_capacity(64 * 1024, input);
    let mut out = Counting::new(out);
    let mut removed = Vec::new();
    let mut entries: Vec<Written> = Vec::new();
    let mut name_bytes = 0usize;
    // The people named in the parts so far, in the order met: their placeholders.
    let mut people = Vec::new();
    // Whether a part had a time or an extra field (which holds more times, and owners).
    let mut times = false;
    while let Some((h, name)) = next_entry(&mut input, !entries.is_empty())? {
        if h.flags & 1 != 0 {
            return Err(bad("an encrypted part, which Aigaq cannot rewrite"));
        }
        if h.compressed == u32::MAX || h.size == u32::MAX {
            return Err(bad(
                "a package over 4 GiB (ZIP64), which Aigaq cannot rewrite",
            ));
        }
        name_bytes += name.len();
        if entries.len() >= MOST_ENTRIES || name_bytes > MOST_NAME_BYTES {
            return Err(bad("more parts than Aigaq rewrites"));
        }
        times |= h.extra_len > 0 || (h.time, h.date) != (NO_TIME, NO_DATE);
        let offset = u32::try_from(out.count)
            .map_err(|_| bad("a package over 4 GiB (ZIP64), which Aigaq cannot rewrite"))?;
        let written = match Part::of(&name) {
            Some(part) => {
                let original = read_part(&mut input, &h)?;
                note(&mut removed, part.removed());
                let new = part.replacement(&original);
                let crc = crc32fast::hash(&new);
                let size = u32::try_from(new.len()).map_err(|_| bad("a part too large"))?;
                // Compressed if it was, so that the copy takes no more room than the
                // original (see [`strip_in_place`]).
                let (method, data) = if h.method == 8 {
                    (8, miniz_oxide::deflate::compress_to_vec(&new, 6))
                } else {
                    (0, new)
                };
                let compressed = u32::try_from(data.len()).map_err(|_| bad("a part too large"))?;
                let w = Written {
                    version: 20,
                    // Only whether the name is UTF-8 stays.
                    flags: h.flags & 0x800,
                    method,
                    crc,
                    compressed,
                    size,
                    name,
                    offset,
                };
                write_local(&mut out, &w)?;
                out.write_all(&data)?;
                w
            }
            None if picture_type(&name).is_some_and(strip::supported) => {
                let media_type = picture_type(&name).unwrap_or_default();
                let (w, said) = rewrite_whole(&mut input, &mut out, &h, name, offset, |p, o| {
                    // A TIFF image's directories, a HEIF photo's EXIF item, are found first.
                    let plan = strip::plan(media_type, &mut io::Cursor::new(p))?;
                    let said = strip::strip(media_type, &mut &p[..], &plan, o)?;
                    said.ok_or_else(|| bad("not a picture"))
                })?;
                if !said.is_empty() {
                    note(&mut removed, crate::media::pictures::PICTURES_REMOVED);
                }
                w
            }
            None if (is_package(&name) || is_compound(&name)) && depth >= MOST_DEPTH => {
                return Err(bad(crate::media::TOO_DEEP));
            }
            None if is_package(&name) => {
                let (w, said) = rewrite_whole(&mut input, &mut out, &h, name, offset, |p, o| {
                    strip_at(&mut &p[..], o, depth + 1, true)
                })?;
                if !said.is_empty() {
                    note(&mut removed, "the properties of documents embedded in it");
                }
                w
            }
            None if is_printer_settings(&name) => {
                let (w, said) = rewrite_whole(&mut input, &mut out, &h, name, offset, |p, o| {
                    let blank = blank_printer(p);
                    o.write_all(blank.as_deref().unwrap_or(p))?;
                    Ok(blank
                        .map(|_| vec!["printer".to_owned()])
                        .unwrap_or_default())
                })?;
                if !said.is_empty() {
                    note(&mut removed, "the printer's name");
                }
                w
            }
            None if is_compound(&name) => {
                let (w, said) = rewrite_whole(&mut input, &mut out, &h, name, offset, |p, o| {
                    crate::media::ole::strip_at(&mut &p[..], o, depth + 1)
                })?;
                if !said.is_empty() {
                    note(&mut removed, "the properties of documents embedded in it");
                }
                w
            }
            None if carries_names(&name) => {
                let (w, seen) = rewrite_part(
                    &mut input,
                    &mut out,
                    (&h, name, offset),
                    hold,
                    std::mem::take(&mut people),
                    &mut removed,
                )?;
                people = seen;
                w
            }
            None => copy_entry(&mut input, &mut out, h, name, offset)?,
        };
        entries.push(written);
    }
    if !people.is_empty() {
        note(&mut removed, "names and times of comments and changes");
    }
    if times {
        note(&mut removed, "file times");
    }
    write_directory(&mut out, &entries)?;
    Ok(removed)
}

/// The next entry's local header and name, its extra field read past; `None` where the
/// central directory begins (`any_before`: entries came before it; a package that begins
/// with one is damaged).
pub(super) fn next_entry(
    input: &mut dyn Read,
    any_before: bool,
) -> io::Result<Option<(LocalHeader, Vec<u8>)>> {
    let mut sig = [0u8; 4];
    input.read_exact(&mut sig)?;
    match sig {
        LOCAL => {}
        CENTRAL | END if any_before || sig == END => return Ok(None),
        _ => return Err(bad("a damaged ZIP package")),
    }
    let mut fixed = [0u8; LOCAL_LEN];
    fixed[..4].copy_from_slice(&LOCAL);
    input.read_exact(&mut fixed[4..])?;
    let h = LocalHeader::parse(&fixed).ok_or_else(|| bad("a damaged ZIP package"))?;
    let mut name = vec![0u8; h.name_len];
    input.read_exact(&mut name)?;
    io::copy(&mut input.take(h.extra_len as u64), &mut io::sink())?;
    Ok(Some((h, name)))
}

/// Reads a properties part's data (and its data descriptor) and inflates it.
fn read_part(input: &mut dyn BufRead, h: &LocalHeader) -> io::Result<Vec<u8>> {
    let mut plain = Vec::new();
    inflate_part(h, input, &mut io::sink(), |p| {
        if plain.len() + p.len() > LARGEST_PART {
            return Err(bad("document properties larger than Aigaq rewrites"));
        }
        plain.extend_from_slice(p);
        Ok(())
    })?;
    Ok(plain)
}

/// Writes an XML part (local header `h`, its name, the offset of its copy) again without
/// the names of the people it names (see [`super::annotations`]), deflated, its sizes and
/// CRC in a data descriptor after it, or, with `hold`, in its local header; `seen` are the
/// names met in the parts before, and are returned with this part's.
fn rewrite_part(
    input: &mut dyn BufRead,
    out: &mut Counting<&mut dyn Write>,
    (h, name, offset): (&LocalHeader, Vec<u8>, u32),
    hold: bool,
    seen: Vec<String>,
    removed: &mut Vec<String>,
) -> io::Result<(Written, Vec<String>)> {
    let mut w = Written::deflated(h, name, offset);
    let mut held = hold.then(Vec::new);
    if !hold {
        w.flags |= 8;
        write_local(out, &w)?;
    }
    let mut names = Names::rewriting(seen);
    // Level 6, as zip tools use by default.
    let mut deflater = Deflater::new(6);
    let mut xml = Vec::new();
    let sink: &mut dyn Write = match held.as_mut() {
        Some(body) => body,
        None => out,
    };
    inflate_part(h, input, &mut io::sink(), |plain| {
        xml.clear();
        names.push(plain, &mut xml)?;
        deflater.write(&xml, sink)
    })?;
    xml.clear();
    names.finish(&mut xml);
    deflater.write(&xml, sink)?;
    match held {
        Some(body) => write_held(out, &mut w, deflater, body)?,
        None => end_deflated(deflater, out, &mut w)?,
    }
    if names.paths() {
        note(removed, "local file paths (a template's, a link's)");
    }
    if names.variables() {
        note(removed, "document variables");
    }
    Ok((w, names.into_seen()))
}

/// Ends a part deflated behind a local header that gave no sizes (`w`): writes its data
/// descriptor, and notes its sizes and CRC for the central directory.
pub(super) fn end_deflated(
    deflater: Deflater,
    out: &mut Counting<&mut dyn Write>,
    w: &mut Written,
) -> io::Result<()> {
    let (crc, size, compressed) = deflater.finish(out)?;
    sized(w, crc, size, compressed)?;
    out.write_all(&DESCRIPTOR)?;
    for v in [w.crc, w.compressed, w.size] {
        out.write_all(&v.to_le_bytes())?;
    }
    Ok(())
}

/// Ends a part whose deflated bytes so far were held in `body`: writes its local header
/// (`w`), with its sizes and CRC, and the bytes.
fn write_held(
    out: &mut Counting<&mut dyn Write>,
    w: &mut Written,
    deflater: Deflater,
    mut body: Vec<u8>,
) -> io::Result<()> {
    let (crc, size, compressed) = deflater.finish(&mut body)?;
    sized(w, crc, size, compressed)?;
    write_local(out, w)?;
    out.write_all(&body)
}

/// Notes a deflated part's CRC and sizes in `w`, for its headers.
fn sized(w: &mut Written, crc: u32, size: u64, compressed: u64) -> io::Result<()> {
    let too_large = || bad("a part larger than Aigaq rewrites");
    w.size = u32::try_from(size).map_err(|_| too_large())?;
    w.compressed = u32::try_from(compressed).map_err(|_| too_large())?;
    w.crc = crc;
    Ok(())
}

/// Writes a part again as `rewrite` rewrites the whole of it (a picture stripped as a photo
/// alone is, an embedded document stripped as this one is), deflated if it was (so that a
/// document embedded in a compound file still fits its place), else stored; returns what
/// that left out. A part that cannot be rewritten (damaged) is written as it was: the check of the
/// copy then decides whether the document may go. One larger than [`LARGEST_WHOLE`] stops
/// the copy.
fn rewrite_whole(
    input: &mut dyn BufRead,
    out: &mut Counting<&mut dyn Write>,
    h: &LocalHeader,
    name: Vec<u8>,
    offset: u32,
    rewrite: impl FnOnce(&[u8], &mut dyn Write) -> io::Result<Vec<String>>,
) -> io::Result<(Written, Vec<String>)> {
    let too_large = || bad("a picture or embedded document larger than Aigaq rewrites");
    let mut original = Vec::new();
    let mut plain = Vec::new();
    let (crc, compressed, size) = inflate_part(h, input, &mut original, |p| {
        if plain.len() + p.len() > LARGEST_WHOLE {
            return Err(too_large());
        }
        plain.extend_from_slice(p);
        Ok(())
    })?;
    let mut new = Vec::with_capacity(plain.len());
    let (method, crc, compressed, size, data, said) = match rewrite(&plain, &mut new) {
        Ok(said) if h.method == 8 => {
            drop((plain, original));
            let mut w = Written::deflated(h, name, offset);
            let mut deflater = Deflater::new(6);
            let mut body = Vec::new();
            deflater.write(&new, &mut body)?;
            write_held(out, &mut w, deflater, body)?;
            return Ok((w, said));
        }
        Ok(said) => {
            let len = u32::try_from(new.len()).map_err(|_| too_large())?;
            (0, crc32fast::hash(&new), len, len, new, said)
        }
        Err(_) => (h.method, crc, compressed, size, original, Vec::new()),
    };
    let w = Written {
        version: 20,
        flags: h.flags & 0x800,
        method,
        crc,
        compressed,
        size,
        name,
        offset,
    };
    write_local(out, &w)?;
    out.write_all(&data)?;
    Ok((w, said))
}

/// Copies an entry's data as it is, behind a local header without its time and extra
/// field; returns the entry as written.
fn copy_entry(
    input: &mut dyn BufRead,
    out: &mut Counting<&mut dyn Write>,
    h: LocalHeader,
    name: Vec<u8>,
    offset: u32,
) -> io::Result<Written> {
    let mut w = Written {
        version: h.version,
        flags: h.flags,
        method: h.method,
        crc: h.crc,
        compressed: h.compressed,
        size: h.size,
        name,
        offset,
    };
    if !h.described_after() {
        write_local(out, &w)?;
        let copied = io::copy(&mut input.take(u64::from(h.compressed)), out)?;
        if copied != u64::from(h.compressed) {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        return Ok(w);
    }
    // Sizes and CRC follow the data, as in the original: the local header says zero.
    w.crc = 0;
    w.compressed = 0;
    w.size = 0;
    write_local(out, &w)?;
    let (crc, compressed, size) = inflate_part(&h, input, out, |_| Ok(()))?;
    out.write_all(&DESCRIPTOR)?;
    for v in [crc, compressed, size] {
        out.write_all(&v.to_le_bytes())?;
    }
    w.crc = crc;
    w.compressed = compressed;
    w.size = size;
    Ok(w)
}

/// Reads an entry's data, passing it through to `out` as it is and `plain` its inflated
/// bytes, and checks it against its CRC and sizes (see [`EntryReader`]). Returns its CRC
/// and sizes.
fn inflate_part(
    h: &LocalHeader,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    mut plain: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<(u32, u32, u32)> {
    let mut entry = EntryReader::new(input, h, out)?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = entry.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        if size > LARGEST_XML {
            return Err(bad("a part larger than Aigaq rewrites"));
        }
        plain(&buf[..n])?;
    }
    entry.check()
}

/// An entry's data, inflated as it is read (its compressed bytes passed through to `tee`
/// as they are), and at its end checked against its CRC and sizes: those of its local
/// header, or of the data descriptor after it (then read too), where only inflating finds
/// its end.
pub(super) struct EntryReader<'a> {
    input: &'a mut dyn BufRead,
    h: &'a LocalHeader,
    tee: &'a mut dyn Write,
    inflater: Option<Box<InflateState>>,
    left: u64,
    crc: crc32fast::Hasher,
    compressed: u64,
    size: u64,
    ended: bool,
}

impl<'a> EntryReader<'a> {
    pub(super) fn new(
        input: &'a mut dyn BufRead,
        h: &'a LocalHeader,
        tee: &'a mut dyn Write,
    ) -> io::Result<Self> {
        let stored = match h.method {
            0 if !h.described_after() => true,
            0 => return Err(bad("a stored part whose length only follows it")),
            8 => false,
            _ => return Err(bad("a part compressed in a way Aigaq cannot read")),
        };
        Ok(Self {
            input,
            h,
            tee,
            inflater: (!stored).then(|| InflateState::new_boxed(DataFormat::Raw)),
            left: u64::from(h.compressed),
            crc: crc32fast::Hasher::new(),
            compressed: 0,
            size: 0,
            ended: false,
        })
    }

    /// Checks the entry, read to its end, against its CRC and sizes; returns them.
    pub(super) fn check(&mut self) -> io::Result<(u32, u32, u32)> {
        let (crc, compressed, size) = (self.crc.clone().finalize(), self.compressed, self.size);
        let want = if self.h.described_after() {
            let mut d = [0u8; 16];
            self.input.read_exact(&mut d[..12])?;
            let fields = if d[..4] == DESCRIPTOR {
                self.input.read_exact(&mut d[12..])?;
                &d[4..16]
            } else {
                &d[..12]
            };
            let at = |i: usize| {
                u32::from_le_bytes([fields[i], fields[i + 1], fields[i + 2], fields[i + 3]])
            };
            (at(0), at(4), at(8))
        } else {
            (self.h.crc, self.h.compressed, self.h.size)
        };
        if (want.0, u64::from(want.1), u64::from(want.2)) != (crc, compressed, size) {
            return Err(bad("a part that does not match its CRC or sizes"));
        }
        Ok(want)
    }
}

impl Read for EntryReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let described = self.h.described_after();
        while !self.ended {
            // Once all its bytes are read, a deflated part may still have output to give.
            let data = if !described && self.left == 0 {
                if self.inflater.is_none() {
                    self.ended = true;
                    break;
                }
                &[][..]
            } else {
                let data = self.input.fill_buf()?;
                if data.is_empty() {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                let most = if described {
                    data.len()
                } else {
                    usize::try_from(self.left).map_or(data.len(), |l| l.min(data.len()))
                };
                &data[..most]
            };
            let (used, made, end) = match self.inflater.as_mut() {
                None => {
                    let n = data.len().min(buf.len());
                    buf[..n].copy_from_slice(&data[..n]);
                    (n, n, false)
                }
                Some(state) => {
                    let r = inflate(state, data, buf, MZFlush::None);
                    match r.status {
                        Ok(MZStatus::StreamEnd) => (r.bytes_consumed, r.bytes_written, true),
                        Ok(_) if r.bytes_consumed > 0 || r.bytes_written > 0 => {
                            (r.bytes_consumed, r.bytes_written, false)
                        }
                        _ => return Err(bad("a damaged compressed part")),
                    }
                }
            };
            self.tee.write_all(&data[..used])?;
            self.input.consume(used);
            self.left = self.left.saturating_sub(used as u64);
            self.compressed += used as u64;
            self.size += made as u64;
            self.crc.update(&buf[..made]);
            self.ended = end;
            if made > 0 {
                return Ok(made);
            }
        }
        Ok(0)
    }
}

pub(super) fn write_local(out: &mut dyn Write, w: &Written) -> io::Result<()> {
    let name_len = u16::try_from(w.name.len()).map_err(|_| bad("a part name too long"))?;
    out.write_all(&LOCAL)?;
    for v in [w.version, w.flags, w.method, NO_TIME, NO_DATE] {
        out.write_all(&v.to_le_bytes())?;
    }
    for v in [w.crc, w.compressed, w.size] {
        out.write_all(&v.to_le_bytes())?;
    }
    out.write_all(&name_len.to_le_bytes())?;
    out.write_all(&0u16.to_le_bytes())?;
    out.write_all(&w.name)
}

pub(super) fn write_directory(
    out: &mut Counting<&mut dyn Write>,
    entries: &[Written],
) -> io::Result<()> {
    let start = out.count;
    for w in entries {
        let name_len = u16::try_from(w.name.len()).map_err(|_| bad("a part name too long"))?;
        out.write_all(&CENTRAL)?;
        // Made by: version 2.0, MS-DOS attributes (none).
        for v in [20, w.version, w.flags, w.method, NO_TIME, NO_DATE] {
            out.write_all(&u16::to_le_bytes(v))?;
        }
        for v in [w.crc, w.compressed, w.size] {
            out.write_all(&v.to_le_bytes())?;
        }
        // Name length; no extra field, comment, disk, internal or external attributes.
        for v in [name_len, 0, 0, 0, 0] {
            out.write_all(&v.to_le_bytes())?;
        }
        out.write_all(&0u32.to_le_bytes())?;
        out.write_all(&w.offset.to_le_bytes())?;
        out.write_all(&w.name)?;
    }
    let too_large = || bad("a package over 4 GiB (ZIP64), which Aigaq cannot rewrite");
    let size = u32::try_from(out.count - start).map_err(|_| too_large())?;
    let offset = u32::try_from(start).map_err(|_| too_large())?;
    let count = u16::try_from(entries.len()).map_err(|_| too_large())?;
    out.write_all(&END)?;
    for v in [0, 0, count, count] {
        out.write_all(&u16::to_le_bytes(v))?;
    }
    out.write_all(&size.to_le_bytes())?;
    out.write_all(&offset.to_le_bytes())?;
    // No comment.
    out.write_all(&0u16.to_le_bytes())?;
    out.flush()
}

//! Word, Excel and PowerPoint files from before 2007 (`.doc`, `.xls`, `.ppt`), and other
//! compound files (Outlook's `.msg`, Publisher, Visio): a file system in a file
//! ([`cfb`]) whose property set streams name the author, whoever saved it last, their
//! company and manager, the template's path, the software and the times ([`props`]), and
//! whose document streams name more people: in Word the authors of tracked changes and
//! comments and the last ten people who saved it ([`word`]), in Excel whoever saved it and
//! each comment's author ([`excel`]), in PowerPoint the last user and comment authors
//! ([`powerpoint`]). Documents such as these are still what many clinics, lawyers and
//! officials send.
//!
//! The structures are found by offsets anywhere in the file (the directory and the FAT are
//! often at the end), so the file is kept whole, in memory, as it streams past at attach,
//! up to [`LARGEST`]; a larger one is shown as unread ([`UNREAD`]), and `--strip-metadata`
//! refuses it.
//! A copy is the same file with those streams written again in place, the same length
//! (every other byte stays, so the document opens as before): property sets hold only their
//! code page, people become `Author 1`, … or blanks, the saved-by list, printer, autosave
//! path and routing slip are emptied, and every directory entry's times become zero.
//!
//! An Outlook message's internet headers name the computer it was sent from and its
//! address ([`message`]); a copy turns them to spaces.
//!
//! Any other stream may hold a whole file: Word keeps an `.xlsx` or `.docx` pasted into a
//! `.doc` as its ZIP package, LibreOffice an equation as an OpenDocument formula, Outlook
//! a message's attachments as they were sent, Acrobat's object its PDF. Each is read as it
//! would be alone, two levels deep ([`crate::media::MOST_DEPTH`]), and cleaned where it
//! stands ([`strip_embedded`]): a compound file as this one, a package by the copy
//! [`crate::media::office`] makes, fitted to the stream's length, a PDF or video by the
//! copy Aigaq makes of one alone, which keeps every byte's place. What still says who,
//! where or with what stops the copy.

mod cfb;
mod excel;
mod message;
pub(crate) mod ole1;
mod package;
mod powerpoint;
mod props;
#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) use tests::package as test_package;
mod word;

use std::io::{self, Read, Write};

use self::cfb::{Compound, Entry, MAGIC};
use self::package::Package;
use super::annotations::{is_placeholder, Numbering};
use super::pictures;
use super::{push_warning, Warning, MOST_DEPTH, TOO_DEEP, UNREAD};

/// The little-endian integers the formats in here are written in, at `at` in `b` (`None`
/// past its end).
fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// The largest compound file read for its metadata, and stripped: attach holds it whole,
/// and an export holds it and its copy, so memory stays within the bounds.
pub(crate) const LARGEST: usize = 32 * 1024 * 1024;

/// The media types of compound files ([`media_type`] tells them apart).
const TYPES: [&str; 4] = [
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/x-ole-storage",
];

/// Whether a copy of this type can be made without its properties.
pub(crate) fn strippable(media_type: &str) -> bool {
    TYPES.contains(&media_type)
}

/// What a compound file is, by its streams (Word's, Excel's or PowerPoint's main stream at
/// its root).
fn media_type(file: &[u8]) -> &'static str {
    let Ok(c) = Compound::parse(file) else {
        return TYPES[3];
    };
    let root = Some(0);
    if c.child(root, "WordDocument").is_some() {
        TYPES[0]
    } else if c
        .child(root, "Workbook")
        .or(c.child(root, "Book"))
        .is_some()
    {
        TYPES[1]
    } else if c.child(root, "PowerPoint Document").is_some() {
        TYPES[2]
    } else {
        TYPES[3]
    }
}

/// A name the copy wrote (`Author 1`, or what of it fitted), not a person's.
fn placeholder(name: &str) -> bool {
    is_placeholder(name) || name.bytes().all(|b| b.is_ascii_digit()) || "Author ".starts_with(name)
}

/// `label` as exactly `len` UTF-16 units, cut or padded with spaces: for a name written again
/// in place, where nothing may move.
fn fitted(label: &str, len: usize) -> Vec<u16> {
    label
        .encode_utf16()
        .chain(std::iter::repeat(u16::from(b' ')))
        .take(len)
        .collect()
}

/// The folders in a path of `unit`-byte characters (little-endian) become underscores; its
/// last separator and the file's name stay.
pub(super) fn blank_folders(path: &mut [u8], unit: usize) -> bool {
    let is_separator = |c: &[u8]| (c[0] == b'\\' || c[0] == b'/') && c[1..].iter().all(|&x| x == 0);
    let Some(last) = path.chunks(unit).rposition(is_separator) else {
        return false;
    };
    let mut changed = false;
    for c in path[..last * unit].chunks_mut(unit) {
        if c[0] != b'_' || c[1..].iter().any(|&x| x != 0) {
            c.fill(0);
            c[0] = b'_';
            changed = true;
        }
    }
    changed
}

/// A compound file kept whole as it streams past (see the module documentation).
#[derive(Debug, Default)]
pub(crate) struct OleWatch {
    bytes: Vec<u8>,
    /// The most it keeps (0: [`LARGEST`]).
    limit: usize,
    /// Not a compound file, or larger than [`LARGEST`].
    off: bool,
    too_large: bool,
    /// How deep in documents it is (0: the file itself).
    depth: usize,
}

impl OleWatch {
    /// One for a document `depth` documents deep in another, that keeps at most `limit`
    /// bytes.
    pub(crate) fn nested(limit: usize, depth: usize) -> Self {
        Self {
            limit,
            depth,
            ..Self::default()
        }
    }

    fn limit(&self) -> usize {
        if self.limit == 0 {
            LARGEST
        } else {
            self.limit
        }
    }

    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        if self.off {
            return;
        }
        // Whether it is a compound file at all, from its first bytes, before its size counts.
        let seen = self.bytes.len();
        if seen < MAGIC.len() {
            let n = (MAGIC.len() - seen).min(bytes.len());
            if bytes[..n] != MAGIC[seen..seen + n] {
                self.off = true;
                self.bytes = Vec::new();
                return;
            }
        }
        if self.bytes.len() + bytes.len() > self.limit() {
            self.too_large = true;
            self.off = true;
            self.bytes = Vec::new();
            return;
        }
        self.bytes.extend_from_slice(bytes);
    }

    /// What the file is, if it is a compound file.
    pub(crate) fn media_type(&self) -> Option<&'static str> {
        if self.too_large {
            Some(TYPES[3])
        } else if self.off || self.bytes.len() < MAGIC.len() {
            None
        } else {
            Some(media_type(&self.bytes))
        }
    }

    /// The people, software and times the file names.
    pub(crate) fn warnings(&self) -> Vec<Warning> {
        let mut out = Vec::new();
        if self.too_large {
            push_warning(
                &mut out,
                UNREAD,
                Some(format!(
                    "a document over {} MiB, too large for Aigaq to read its properties",
                    self.limit() >> 20
                )),
            );
            return out;
        }
        if self.off {
            return out;
        }
        match Compound::parse(&self.bytes) {
            Ok(c) => describe(&c, &self.bytes, &mut out, self.depth),
            Err(why) => push_warning(
                &mut out,
                UNREAD,
                Some(format!(
                    "a damaged document ({why}): its properties could not be read"
                )),
            ),
        }
        out
    }
}

/// What a compound file `depth` documents deep says (see [`OleWatch::warnings`]).
fn describe(c: &Compound, file: &[u8], out: &mut Vec<Warning>, depth: usize) {
    let mut owners: Vec<String> = Vec::new();
    let mut time = None;
    let mut software = None;
    let mut locked = false;
    let (mut photos, mut left) = (Vec::new(), false);
    let mut places: Vec<String> = Vec::new();
    for e in c.entries.iter().filter(|e| e.is_stream()) {
        let Ok(mut data) = c.read(file, e) else {
            continue;
        };
        if !e.name.starts_with('\u{5}') {
            let found = clean_pictures(is_workbook(e), &mut data);
            photos.extend(found.warnings);
            left |= found.left;
        }
        if e.name.starts_with('\u{5}') {
            let found = props::read(&data);
            owners.extend(found.owners);
            time = time.or(found.time);
            software = software.or(found.software);
        } else if e.is("WordDocument") {
            if word::encrypted(&data) {
                locked = true;
            }
            let table = word::table_name(&data)
                .and_then(|t| c.child(e.parent, t))
                .and_then(|t| c.read(file, t).ok())
                .unwrap_or_default();
            owners.extend(word::people(&data, &table));
        } else if is_workbook(e) {
            let (people, encrypted) = excel::people(&data);
            owners.extend(people);
            locked |= encrypted;
        } else if e.is(PACKAGE) {
            if let Some((paths, own)) = package_warnings(&data, depth) {
                owners.extend(paths);
                photos.extend(own);
            }
        } else if e.is("PowerPoint Document") {
            let user = c
                .child(e.parent, "Current User")
                .and_then(|u| c.read(file, u).ok());
            owners.extend(powerpoint::people(user.as_deref(), Some(&data)));
        } else if let Some(wide) = message::headers(&e.name) {
            places.extend(message::addresses(&data, wide));
        } else if let Some(wide) = message::attached_from(&e.name) {
            owners.extend(with_folders(&message::text(&data, wide)));
        } else {
            // Any other stream may hold a file: an `.xlsx` pasted into a `.doc`, an
            // Outlook message's attachment, an Acrobat object's PDF.
            photos.extend(embedded_file(&data, depth).1);
        }
    }
    time = time.or_else(|| {
        c.entries
            .iter()
            .flat_map(|e| e.times)
            .find_map(props::filetime_text)
    });
    let owners = owners.into_iter().filter(|o| !placeholder(o));
    for o in distinct(owners).take(super::office::MOST_NAMES_SHOWN) {
        push_warning(out, "owner_name", Some(o));
    }
    for p in distinct(places) {
        push_warning(out, "network_address", Some(p));
    }
    if locked {
        push_warning(
            out,
            UNREAD,
            Some("a document protected with a password: what it holds could not be read".into()),
        );
    }
    if left {
        push_warning(out, UNREAD, Some(PICTURE_LEFT.into()));
    }
    if c.entries.iter().any(is_history) {
        push_warning(out, UNREAD, Some(HISTORY.into()));
    }
    push_warning(out, "time", time);
    push_warning(out, "camera", software);
    // The pictures' own: where a photo was taken, with what, when.
    for w in photos {
        if !out.contains(&w) {
            out.push(w);
        }
    }
}

/// A path as said at attach, if it names folders (a copy's are underscores, see
/// [`blank_folders`]).
fn with_folders(path: &str) -> Option<String> {
    let path = path.trim_end_matches('\0').trim();
    let folders = &path[..path.rfind(['\\', '/'])?];
    (!folders.chars().all(|c| c == '_')).then(|| path.to_owned())
}

/// Each of `items` once, in the order first met.
fn distinct(items: impl IntoIterator<Item = String>) -> impl Iterator<Item = String> {
    let mut seen: Vec<String> = Vec::new();
    for i in items {
        if !seen.contains(&i) {
            seen.push(i);
        }
    }
    seen.into_iter()
}

/// A shared workbook's change history: each change's author and time, and what the cells
/// held before, deleted content included. Not read: a copy of such a workbook is refused.
fn is_history(e: &Entry) -> bool {
    e.is_stream() && (e.is("Revision Log") || e.is("User Names"))
}

const HISTORY: &str = "a shared workbook's change history (who changed which cell, when, and what it held before): not checked; stop sharing the workbook in Excel, which drops it, and attach that copy";

/// The stream of a file embedded whole ([`package`]).
const PACKAGE: &str = "\u{1}Ole10Native";

/// An Excel workbook's main stream (`Book` before Excel 97).
fn is_workbook(e: &Entry) -> bool {
    e.is("Workbook") || e.is("Book")
}

/// What a package in a document `depth` deep says (see [`package`]): the paths that name
/// folders, and what its embedded file says of itself.
fn package_warnings(data: &[u8], depth: usize) -> Option<(Vec<String>, Vec<Warning>)> {
    let p = Package::parse(data)?;
    Some((p.paths(data), embedded_file(&data[p.data], depth).1))
}

/// Copies a package in a document `depth` deep in place (see [`package`]): its folders
/// blanked, and its file cleaned ([`strip_embedded`]); returns what was removed, or why it
/// cannot be copied (the embedded file keeps metadata of its own, or a picture's could not
/// be found whole).
fn strip_package(data: &mut [u8], depth: usize) -> Result<Vec<&'static str>, String> {
    let Some(p) = Package::parse(data) else {
        return Ok(Vec::new());
    };
    let mut removed = Vec::new();
    if p.blank(data) {
        removed.push("folders of embedded files");
    }
    let label = Package::label(data);
    removed.extend(strip_embedded(&mut data[p.data], depth, &label)?);
    Ok(removed)
}

/// What a file embedded in a document `depth` deep (a stream, a package's file) is, and what
/// it says of people, places and devices, as it would say alone; a compound file or an
/// office document in it is read as one `depth + 1` deep, up to [`MOST_DEPTH`].
fn embedded_file(content: &[u8], depth: usize) -> (String, Vec<Warning>) {
    if content.starts_with(&MAGIC) {
        let mut out = Vec::new();
        if depth >= MOST_DEPTH {
            push_warning(&mut out, UNREAD, Some(TOO_DEEP.into()));
            return (TYPES[3].into(), out);
        }
        return match Compound::parse(content) {
            Ok(c) => {
                describe(&c, content, &mut out, depth + 1);
                (media_type(content).into(), out)
            }
            Err(why) => {
                let why = format!("a damaged document embedded in it ({why}): not read");
                push_warning(&mut out, UNREAD, Some(why));
                (TYPES[3].into(), out)
            }
        };
    }
    if super::office::is_document(content) {
        let media_type = super::office::package_type(content).unwrap_or("application/zip");
        let mut out = Vec::new();
        if depth >= MOST_DEPTH {
            push_warning(&mut out, UNREAD, Some(TOO_DEEP.into()));
            return (media_type.into(), out);
        }
        let mut w = super::office::OfficeWatch::nested(depth + 1);
        w.feed(content);
        return (media_type.into(), w.warnings());
    }
    let mut s = super::Sniffer::nested(depth + 1);
    s.feed(content);
    s.describe()
}

/// Replaces a file embedded in a document with Aigaq's copy of it without its metadata, when
/// that copy keeps every byte where it is (a PDF's, a video's) and so fits its place; returns
/// whether it did.
fn copy_in_place(data: &mut [u8], depth: usize) -> bool {
    use super::strip;
    let (media_type, said) = embedded_file(data, depth);
    // Photos are blanked where they stand ([`clean_pictures`]); an RTF document's objects
    // would be read again at the depth it starts from.
    let elsewhere = ["image/jpeg", "image/png", "application/rtf"];
    if said.is_empty() || elsewhere.contains(&media_type.as_str()) {
        return false;
    }
    let plan = if strip::reads_index(&media_type) {
        match strip::plan(&media_type, &mut io::Cursor::new(&*data)) {
            Ok(plan) => plan,
            Err(_) => return false,
        }
    } else {
        strip::Plan::default()
    };
    let mut copy = Vec::with_capacity(data.len());
    match strip::strip(&media_type, &mut &data[..], &plan, &mut copy) {
        Ok(Some(removed)) if !removed.is_empty() && copy.len() == data.len() => {
            data.copy_from_slice(&copy);
            true
        }
        _ => false,
    }
}

/// What a copy that cleaned documents embedded in it says it removed.
const EMBEDDED_REMOVED: &str = "the properties of documents embedded in it";

/// Cleans a file embedded in a document `depth` deep (a stream, a package's file, named
/// `label` in what is said) in place: a compound file as this one is, an office document
/// as [`super::office`] copies it, fitted to its length, and the pictures in it; returns
/// what was removed, or why it cannot be sent cleaned (it keeps metadata Aigaq cannot
/// remove in place, it is too deep, or its copy does not fit).
fn strip_embedded(data: &mut [u8], depth: usize, label: &str) -> Result<Vec<&'static str>, String> {
    let mut removed = Vec::new();
    let compound = data.starts_with(&MAGIC);
    let office = !compound && super::office::is_document(data);
    if compound || office {
        if depth >= MOST_DEPTH {
            return Err(TOO_DEEP.into());
        }
        let inside = if compound {
            strip_in_place(data, depth + 1)
        } else {
            super::office::strip_in_place(data, depth + 1)
        };
        let inside = inside.map_err(|e| {
            let why = e.to_string();
            // Said already of a document deeper in it.
            if why == TOO_DEEP || why.starts_with("a document embedded in it") {
                why
            } else {
                format!("a document embedded in it ({label}) could not be cleaned: {why}; save it out of this one and attach it on its own")
            }
        })?;
        if !inside.is_empty() {
            removed.push(EMBEDDED_REMOVED);
        }
    } else if copy_in_place(data, depth) {
        removed.push(EMBEDDED_REMOVED);
    }
    if office {
        // Its pictures were stripped in the copy; blanking what is left in place would
        // break its parts' checksums.
        if pictures::leftover(data) {
            return Err(PICTURE_LEFT.into());
        }
    } else {
        let cleaned = clean_pictures(false, data);
        if cleaned.left {
            return Err(PICTURE_LEFT.into());
        }
        if cleaned.changed {
            removed.push(pictures::PICTURES_REMOVED);
        }
    }
    let (media_type, left) = embedded_file(data, depth);
    if let Some(w) = left.first() {
        return Err(format!(
            "a file embedded in it ({label}, {media_type}) keeps its own metadata ({}); attach that file on its own",
            w.field
        ));
    }
    Ok(removed)
}

/// Why a document whose pictures still hold EXIF after blanking cannot be sent cleaned.
const PICTURE_LEFT: &str =
    "a picture inside whose metadata Aigaq could not find whole (a damaged or unusual picture)";

/// What [`clean_pictures`] did to one stream.
struct Cleaned {
    warnings: Vec<Warning>,
    changed: bool,
    /// EXIF is still there.
    left: bool,
}

/// Blanks the metadata of the pictures in one stream (see [`pictures`]); in a workbook, of
/// those in its drawing group, whose records are joined first, and of any other.
fn clean_pictures(workbook: bool, data: &mut [u8]) -> Cleaned {
    let mut done = Cleaned {
        warnings: Vec::new(),
        changed: false,
        left: false,
    };
    let clean = |bytes: &mut [u8], done: &mut Cleaned| {
        let found = pictures::clean(bytes);
        done.changed |= found.any();
        done.warnings.extend(found.warnings);
        done.left |= pictures::leftover(bytes);
    };
    if workbook {
        let (mut joined, pieces) = excel::drawings(data);
        clean(&mut joined, &mut done);
        excel::put_back(data, &joined, &pieces);
    }
    clean(data, &mut done);
    done
}

fn damaged(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.to_owned())
}

/// Copies a compound file without its properties and the people it names (see the module
/// documentation); returns what was removed.
pub(crate) fn strip(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    strip_at(input, out, 0)
}

/// [`strip`] of a compound file `depth` documents deep in another.
pub(crate) fn strip_at(
    input: &mut dyn Read,
    out: &mut dyn Write,
    depth: usize,
) -> io::Result<Vec<String>> {
    let mut file = Vec::new();
    input.take(LARGEST as u64 + 1).read_to_end(&mut file)?;
    if file.len() > LARGEST {
        return Err(damaged(&format!(
            "it is larger than the {} MiB Aigaq strips documents up to",
            LARGEST >> 20
        )));
    }
    let removed = strip_in_place(&mut file, depth)?;
    out.write_all(&file)?;
    Ok(removed)
}

/// Strips a compound file `depth` documents deep in place (see [`strip`]).
fn strip_in_place(file: &mut [u8], depth: usize) -> io::Result<Vec<String>> {
    let c = Compound::parse(file).map_err(damaged)?;
    if c.entries.iter().any(is_history) {
        return Err(damaged(HISTORY));
    }
    let mut removed: Vec<&'static str> = Vec::new();
    let mut note = |what: Vec<&'static str>| {
        for w in what {
            if !removed.contains(&w) {
                removed.push(w);
            }
        }
    };
    let mut numbers = Numbering::default();
    let read = |file: &[u8], e: &Entry| c.read(file, e).map_err(damaged);
    for e in c.entries.iter().filter(|e| e.is_stream()) {
        if e.name.starts_with('\u{5}') {
            if let Some(blank) = props::blank(&read(file, e)?) {
                c.write(file, e, &blank).map_err(damaged)?;
                note(vec![super::office::PROPERTIES_REMOVED]);
            }
        } else if e.is("WordDocument") {
            let mut doc = read(file, e)?;
            if word::encrypted(&doc) {
                return Err(damaged("it is protected with a password"));
            }
            let Some(t) = word::table_name(&doc).and_then(|t| c.child(e.parent, t)) else {
                continue;
            };
            let mut table = read(file, t)?;
            let what = word::strip(&mut doc, &mut table, &mut numbers);
            if !what.is_empty() {
                c.write(file, e, &doc).map_err(damaged)?;
                c.write(file, t, &table).map_err(damaged)?;
                note(what);
            }
        } else if is_workbook(e) {
            let mut wb = read(file, e)?;
            if excel::people(&wb).1 {
                return Err(damaged("it is protected with a password"));
            }
            let what = excel::strip(&mut wb, &mut numbers);
            if !what.is_empty() {
                c.write(file, e, &wb).map_err(damaged)?;
                note(what);
            }
        } else if e.is(PACKAGE) {
            let mut data = read(file, e)?;
            let what = strip_package(&mut data, depth).map_err(|why| damaged(&why))?;
            if !what.is_empty() {
                c.write(file, e, &data).map_err(damaged)?;
                note(what);
            }
        } else if e.is("Current User") {
            let mut cu = read(file, e)?;
            if powerpoint::strip_user(&mut cu) {
                c.write(file, e, &cu).map_err(damaged)?;
                note(vec!["user name"]);
            }
        } else if e.is("PowerPoint Document") {
            let mut doc = read(file, e)?;
            if powerpoint::strip_comments(&mut doc, &mut numbers) {
                c.write(file, e, &doc).map_err(damaged)?;
                note(vec!["authors of comments"]);
            }
        } else if let Some(wide) = message::attached_from(&e.name) {
            let mut data = read(file, e)?;
            if blank_folders(&mut data, if wide.0 { 2 } else { 1 }) {
                c.write(file, e, &data).map_err(damaged)?;
                note(vec!["folders of embedded files"]);
            }
        } else if let Some(wide) = message::headers(&e.name) {
            let mut data = read(file, e)?;
            if message::blank(&mut data, wide) {
                c.write(file, e, &data).map_err(damaged)?;
                note(vec![
                    "a message's internet headers (the computers and addresses it came from)",
                ]);
            }
        } else {
            let mut data = read(file, e)?;
            let label = e.name.trim_start_matches(|c: char| c.is_control());
            let what = strip_embedded(&mut data, depth, label).map_err(|why| damaged(&why))?;
            if !what.is_empty() {
                c.write(file, e, &data).map_err(damaged)?;
                note(what);
            }
        }
    }
    // Pictures last, in the streams as the passes above left them.
    for e in c.entries.iter().filter(|e| e.is_stream()) {
        if e.name.starts_with('\u{5}') {
            continue;
        }
        let mut data = read(file, e)?;
        if super::office::is_document(&data) {
            // Cleaned as a document above (see [`strip_embedded`]).
            continue;
        }
        let cleaned = clean_pictures(is_workbook(e), &mut data);
        if cleaned.left {
            return Err(damaged(PICTURE_LEFT));
        }
        if cleaned.changed {
            c.write(file, e, &data).map_err(damaged)?;
            note(vec![pictures::PICTURES_REMOVED]);
        }
    }
    for e in &c.entries {
        if e.times != [0, 0] {
            file[e.at + 100..e.at + 116].fill(0);
            note(vec!["file times"]);
        }
    }
    Ok(removed.into_iter().map(str::to_owned).collect())
}

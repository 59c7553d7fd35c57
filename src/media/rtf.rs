//! RTF documents (WordPad's and older Word's statements and letters): plain text whose
//! `\info` group names the author, whoever saved it last (`\operator`), the company and
//! manager, the template's path and the times it was created, saved and printed; whose
//! revision table (`\*\revtbl`) names everyone who tracked a change; whose comments name
//! their authors (`\*\atnauthor`, initials in `\*\atnid`); and whose `\*\generator` names
//! the software. Editing-session ids (`\rsid…`) tie documents edited on one machine together.
//!
//! One reader ([`Rtf`]) walks the groups as the file streams past, both at attach, to list
//! what it finds, and for a copy, which it writes as it reads: the `\info` texts and custom
//! properties are left out (their groups stay, empty), times become 1980-01-01, people
//! become `Author 1`, `Author 2`, … (Word's own "Unknown" stays), initials and the
//! generator go, and every editing-session id becomes 0. A pasted photo (a `\pict` group's
//! JPEG or PNG, in hex or `\bin` bytes) keeps its EXIF, which tells where it was taken and
//! with which phone: each is held whole, up to [`LARGEST_PICTURE`], listed, and written
//! again with its metadata blanked ([`super::pictures`]); a larger one is said to be unread.
//! An embedded object (`\objdata`: a Word or Excel document, a file embedded whole) is
//! held the same way and read and cleaned as one ([`super::ole::ole1`]). Everything else is
//! copied byte for byte, other pictures included.
//! RTF has no offsets, so nothing else needs to change.

use std::io::{self, Read, Write};

use super::annotations::{is_placeholder, Numbering, UNKNOWN_AUTHOR};
use super::codepage::decode;
use super::office::PROPERTIES_REMOVED;
use super::ole::ole1;
use super::pictures::{self, PICTURES_REMOVED};
use super::{push_warning, Warning, UNREAD};

/// The first bytes of every RTF file.
pub(crate) const MAGIC: &[u8] = b"{\\rtf";

/// Groups deeper than this are not followed (their content is copied as it is).
const DEEPEST: usize = 1024;
/// The longest text kept of one name or property.
const LONGEST_TEXT: usize = 4096;
/// Most names listed.
const MOST_NAMES: usize = 32;
/// The longest control word (letters) and parameter (digits) read.
const LONGEST_WORD: usize = 32;
/// The largest photo or object held to be cleaned whole: the copy holds it and its hex at
/// once.
const LARGEST_PICTURE: usize = 8 << 20;
/// Hex digits per line of a picture written again (as Word and LibreOffice write them).
const HEX_LINE: usize = 128;

/// What a group is, by its destination (its first control word).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dest {
    /// Copied as it is.
    Other,
    /// An `\info` text naming someone (author, operator, manager, company): listed, and
    /// left out of a copy.
    Person,
    /// Another `\info` text, or custom properties, or the generator, or the template: left
    /// out of a copy (the template's path and the generator are also listed).
    Blank(Listed),
    /// A time (`\creatim`, `\revtim`, `\printim`, `\buptim`).
    Time,
    /// The revision table: each of its groups names one person.
    RevTable,
    /// One entry of the revision table.
    RevEntry,
    /// A comment's author.
    CommentAuthor,
}

/// What a blanked group's text is listed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listed {
    Nothing,
    Path,
    Software,
}

fn destination(word: &[u8]) -> Option<Dest> {
    Some(match word {
        b"author" | b"operator" | b"manager" | b"company" => Dest::Person,
        b"title" | b"subject" | b"category" | b"keywords" | b"comment" | b"doccomm"
        | b"hlinkbase" | b"userprops" | b"docvar" | b"atnid" | b"atndate" | b"password" => {
            Dest::Blank(Listed::Nothing)
        }
        b"template" => Dest::Blank(Listed::Path),
        b"generator" => Dest::Blank(Listed::Software),
        b"creatim" | b"revtim" | b"printim" | b"buptim" => Dest::Time,
        b"revtbl" => Dest::RevTable,
        b"atnauthor" => Dest::CommentAuthor,
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    Text,
    /// After a backslash.
    Escape,
    /// In a control word's letters or parameter.
    Word,
    /// After `\'`: how many hex digits are still to come.
    Hex(u8),
    /// Inside `\bin`'s raw bytes: how many are still to come.
    Binary(u64),
}

/// What a held group holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A JPEG or PNG (`\pict` with `\jpegblip` or `\pngblip`).
    Photo,
    /// An embedded object (`\objdata`).
    Object,
}

/// A `\pict` or `\objdata` group being read.
#[derive(Debug, Default)]
struct Picture {
    /// How many groups are open inside and with it: its data is at this depth.
    depth: usize,
    /// What it holds; other pictures are copied as they are.
    kind: Option<Kind>,
    /// Its bytes read since the last thing that was not its data.
    bytes: Vec<u8>,
    /// A hex digit waiting for its pair.
    nibble: Option<u8>,
    /// Its data came as `\bin` bytes, not hex.
    binary: bool,
    /// Past [`LARGEST_PICTURE`]: the rest is copied as it is.
    too_large: bool,
}

/// One open group.
#[derive(Debug, Clone, Copy)]
struct Group {
    dest: Dest,
    /// Whether its destination is still to be named (right after `{` or `{\*`).
    opening: bool,
}

/// The reader of an RTF file, as it streams past (see the module documentation).
#[derive(Debug)]
pub(crate) struct Rtf {
    lex: Lex,
    word: Vec<u8>,
    hex: u8,
    groups: Vec<Group>,
    /// Groups open past [`DEEPEST`], counted only.
    too_deep: u64,
    /// Depth below which a group's content is left out of the copy (`None`: nothing is).
    leaving_out_below: Option<usize>,
    /// Text of the group being read (a name, a property), decoded.
    text: String,
    /// Fallback characters still to skip after a `\u` character.
    skip: u32,
    /// How many fallback characters follow a `\u` character (`\uc`).
    fallback: u32,
    codepage: u16,
    /// `\yr`, `\mo`, `\dy`, `\hr`, `\min` of the time being read.
    time: [Option<i64>; 5],
    /// People numbered in the copy, as first met.
    people: Numbering,
    listed: Vec<String>,
    first_time: Option<String>,
    software: Option<String>,
    /// What a copy left out.
    pub(crate) removed: Vec<String>,
    picture: Option<Picture>,
    /// What the photos' EXIF and the embedded objects say.
    photos: Vec<Warning>,
    /// Why a photo or an object could not be cleaned whole (then a copy is refused).
    unread: Option<String>,
    /// Bytes written for a copy (`None` when only reading).
    out: Option<Vec<u8>>,
    /// How deep in documents it is (0: the file itself), for the documents in its objects.
    nesting: usize,
}

impl Rtf {
    fn new(copying: bool) -> Self {
        Self {
            lex: Lex::Text,
            word: Vec::new(),
            hex: 0,
            groups: Vec::new(),
            too_deep: 0,
            leaving_out_below: None,
            text: String::new(),
            skip: 0,
            fallback: 1,
            codepage: 1252,
            time: [None; 5],
            people: Numbering::default(),
            listed: Vec::new(),
            first_time: None,
            software: None,
            removed: Vec::new(),
            picture: None,
            photos: Vec::new(),
            unread: None,
            out: copying.then(Vec::new),
            nesting: 0,
        }
    }

    /// A reader that lists what it finds, in a file `nesting` documents deep in another.
    pub(crate) fn reading(nesting: usize) -> Self {
        Self {
            nesting,
            ..Self::new(false)
        }
    }

    fn dest(&self) -> Dest {
        self.groups.last().map_or(Dest::Other, |g| g.dest)
    }

    fn leaving_out(&self) -> bool {
        self.leaving_out_below
            .is_some_and(|d| self.groups.len() >= d)
    }

    fn emit(&mut self, bytes: &[u8]) {
        self.flush_picture();
        if !self.leaving_out() {
            if let Some(out) = self.out.as_mut() {
                out.extend_from_slice(bytes);
            }
        }
    }

    /// Writes to the copy, even where what the file had is left out (its replacement).
    fn put(&mut self, bytes: &[u8]) {
        self.flush_picture();
        if let Some(out) = self.out.as_mut() {
            out.extend_from_slice(bytes);
        }
    }

    fn note(&mut self, what: &str) {
        if self.out.is_some() && !self.removed.iter().any(|r| r == what) {
            self.removed.push(what.to_owned());
        }
    }

    /// The next bytes of the file.
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match self.lex {
                Lex::Binary(left) => {
                    let n =
                        usize::try_from(left).map_or(bytes.len() - i, |l| l.min(bytes.len() - i));
                    if let Some(p) = self.photo_data() {
                        p.binary = true;
                        p.bytes.extend_from_slice(&bytes[i..i + n]);
                        self.hold_check();
                    } else {
                        self.emit(&bytes[i..i + n]);
                    }
                    i += n;
                    let left = left - n as u64;
                    self.lex = if left == 0 {
                        Lex::Text
                    } else {
                        Lex::Binary(left)
                    };
                    continue;
                }
                Lex::Hex(left) => {
                    self.emit(&[b]);
                    let digit = (b as char).to_digit(16).unwrap_or(0) as u8;
                    self.hex = self.hex.wrapping_mul(16).wrapping_add(digit);
                    if left == 1 {
                        self.lex = Lex::Text;
                        let byte = self.hex;
                        self.character(&[byte]);
                    } else {
                        self.lex = Lex::Hex(left - 1);
                    }
                }
                Lex::Escape => {
                    if b.is_ascii_alphabetic() {
                        self.word.clear();
                        self.word.push(b);
                        self.lex = Lex::Word;
                    } else {
                        self.lex = Lex::Text;
                        self.symbol(b);
                    }
                }
                Lex::Word => {
                    let in_word = b.is_ascii_alphanumeric()
                        || (b == b'-'
                            && !self.word.contains(&b'-')
                            && self.word.last().is_some_and(u8::is_ascii_alphabetic));
                    if in_word && self.word.len() < LONGEST_WORD {
                        self.word.push(b);
                    } else {
                        self.lex = Lex::Text;
                        // A space ends the word and belongs to it; anything else is read
                        // again as what follows.
                        let space = b == b' ';
                        self.control_word(space);
                        if !space {
                            continue;
                        }
                    }
                }
                Lex::Text => match b {
                    _ if self.photo_text(b) => {}
                    b'\\' => self.lex = Lex::Escape,
                    b'{' => self.open(),
                    b'}' => self.close(),
                    b'\r' | b'\n' => self.emit(&[b]),
                    _ => {
                        self.emit(&[b]);
                        self.character(&[b]);
                    }
                },
            }
            i += 1;
        }
    }

    fn open(&mut self) {
        if self.groups.len() >= DEEPEST {
            // Too deep to follow: only counted (memory stays bounded), copied as it is.
            self.too_deep += 1;
            self.emit(b"{");
            return;
        }
        let inherited = match self.dest() {
            Dest::RevTable => Dest::RevEntry,
            d @ (Dest::Person | Dest::Blank(_) | Dest::Time | Dest::CommentAuthor) => d,
            _ => Dest::Other,
        };
        self.emit(b"{");
        self.groups.push(Group {
            dest: inherited,
            opening: true,
        });
        if inherited == Dest::RevEntry {
            self.text.clear();
            // Its name is replaced whole when the group ends.
            self.leaving_out_below = Some(self.groups.len());
        }
    }

    fn close(&mut self) {
        if self.too_deep > 0 {
            self.too_deep -= 1;
            self.emit(b"}");
            return;
        }
        let Some(g) = self.groups.last().copied() else {
            self.emit(b"}");
            return;
        };
        let depth = self.groups.len();
        let ends_left_out = self.leaving_out_below == Some(depth);
        match g.dest {
            Dest::Person | Dest::Blank(_) | Dest::Time | Dest::CommentAuthor | Dest::RevEntry
                if ends_left_out || !self.inside_same(g.dest) =>
            {
                self.finish(g.dest);
            }
            _ => {}
        }
        if ends_left_out {
            self.leaving_out_below = None;
        }
        self.flush_picture();
        if self.picture.as_ref().is_some_and(|p| p.depth == depth) {
            self.picture = None;
        }
        self.groups.pop();
        self.emit(b"}");
    }

    /// The photo whose data is being read at this depth, if any.
    fn photo_data(&mut self) -> Option<&mut Picture> {
        let depth = self.groups.len();
        self.picture
            .as_mut()
            .filter(|p| p.kind.is_some() && !p.too_large && p.depth == depth && self.too_deep == 0)
    }

    /// Takes a byte of a photo's hex data (and the line breaks among it); whether it was one.
    fn photo_text(&mut self, b: u8) -> bool {
        let Some(p) = self.photo_data() else {
            return false;
        };
        if p.binary && !p.bytes.is_empty() {
            // Hex after `\bin` bytes: each run is written again in its own form.
            return false;
        }
        match (b as char).to_digit(16) {
            Some(d) => match p.nibble.take() {
                Some(high) => p.bytes.push(high << 4 | d as u8),
                None => p.nibble = Some(d as u8),
            },
            // What ends the control word before the data stays; line breaks in the data
            // are written again with it.
            None if b.is_ascii_whitespace() && (!p.bytes.is_empty() || p.nibble.is_some()) => {}
            None => return false,
        }
        self.hold_check();
        true
    }

    /// A photo past [`LARGEST_PICTURE`] is written as far as it was read, blanked; the rest
    /// is copied as it is, and the document said to be unread.
    fn hold_check(&mut self) {
        if self
            .picture
            .as_ref()
            .is_some_and(|p| p.bytes.len() > LARGEST_PICTURE)
        {
            self.flush_picture();
            if let Some(p) = self.picture.as_mut() {
                p.too_large = true;
            }
            self.unread = Some(PICTURE_TOO_LARGE.to_owned());
        }
    }

    /// Writes a photo's data read so far, its metadata blanked.
    fn flush_picture(&mut self) {
        let Some(p) = self.picture.as_mut() else {
            return;
        };
        if p.bytes.is_empty() && p.nibble.is_none() {
            return;
        }
        let (mut bytes, nibble, binary) = (std::mem::take(&mut p.bytes), p.nibble.take(), p.binary);
        p.binary = false;
        let found = if p.kind == Some(Kind::Object) {
            let found = ole1::warnings(&bytes, self.nesting);
            if self.out.is_some() {
                match ole1::strip(&mut bytes, self.nesting) {
                    Ok(removed) => removed.iter().for_each(|r| self.note(r)),
                    Err(why) => self.unread = Some(format!("an object embedded in it: {why}")),
                }
            }
            found
        } else {
            let found = pictures::clean(&mut bytes);
            if found.any() {
                self.note(PICTURES_REMOVED);
            }
            if pictures::leftover(&bytes) {
                self.unread = Some(PICTURE_LEFT.to_owned());
            }
            found.warnings
        };
        for w in found {
            if !self.photos.contains(&w) {
                self.photos.push(w);
            }
        }
        if self.out.is_none() || self.leaving_out() {
            return;
        }
        let text = if binary {
            bytes
        } else {
            let lines: Vec<String> = bytes
                .chunks(HEX_LINE / 2)
                .map(crate::canonical::hex)
                .collect();
            let mut hex = lines.join("\n");
            // A digit whose pair the file never gave stays as it was.
            if let Some(n) = nibble {
                hex.push_str(&crate::canonical::hex(&[n])[1..]);
            }
            hex.into_bytes()
        };
        if let Some(out) = self.out.as_mut() {
            out.extend_from_slice(&text);
        }
    }

    /// Whether the group that ends is nested in another of the same kind (whose end
    /// finishes the text instead).
    fn inside_same(&self, dest: Dest) -> bool {
        let n = self.groups.len();
        n >= 2 && self.groups[n - 2].dest == dest
    }

    /// A group of interest ends: what it said is noted, and for a copy its replacement
    /// written.
    fn finish(&mut self, dest: Dest) {
        let text = std::mem::take(&mut self.text)
            .trim()
            .trim_end_matches(';')
            .trim()
            .to_owned();
        match dest {
            Dest::Person if !text.is_empty() => {
                self.list(text);
                self.note(PROPERTIES_REMOVED);
            }
            Dest::Blank(listed) if !text.is_empty() => {
                match listed {
                    Listed::Path if text.contains(['\\', '/']) => self.list(text),
                    Listed::Software => self.software = self.software.take().or(Some(text)),
                    _ => {}
                }
                self.note(PROPERTIES_REMOVED);
            }
            Dest::Time => {
                let [y, mo, d, h, mi] = self.time;
                self.time = [None; 5];
                if let Some(y) = y.filter(|&y| y > 1980) {
                    let when = format!(
                        "{y:04}-{:02}-{:02} {:02}:{:02}",
                        mo.unwrap_or(1),
                        d.unwrap_or(1),
                        h.unwrap_or(0),
                        mi.unwrap_or(0)
                    );
                    self.first_time = self.first_time.take().or(Some(when));
                    self.note(PROPERTIES_REMOVED);
                }
                self.put(b"\\yr1980\\mo1\\dy1");
            }
            Dest::RevEntry | Dest::CommentAuthor => {
                let label = if text.is_empty() || text == UNKNOWN_AUTHOR || is_placeholder(&text) {
                    text.clone()
                } else {
                    self.list(text.clone());
                    self.note("names of comments and changes");
                    self.people.label(&text)
                };
                // The entry's own group was left out whole: it is written again here.
                self.put(label.as_bytes());
                if dest == Dest::RevEntry {
                    self.put(b";");
                }
            }
            _ => {}
        }
    }

    fn list(&mut self, name: String) {
        if !is_placeholder(&name) && !self.listed.contains(&name) && self.listed.len() < MOST_NAMES
        {
            self.listed.push(name);
        }
    }

    /// Text (a character, or a byte of one in the code page) within the current group.
    fn character(&mut self, bytes: &[u8]) {
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        if self.dest() != Dest::Other && self.text.len() < LONGEST_TEXT {
            self.text.push_str(&decode(bytes, self.codepage));
        }
    }

    fn symbol(&mut self, b: u8) {
        match b {
            b'\'' => {
                self.emit(b"\\'");
                self.hex = 0;
                self.lex = Lex::Hex(2);
            }
            b'*' => {
                self.emit(b"\\*");
            }
            b'\\' | b'{' | b'}' => {
                self.emit(&[b'\\', b]);
                self.character(&[b]);
            }
            _ => self.emit(&[b'\\', b]),
        }
    }

    fn control_word(&mut self, space: bool) {
        let word = std::mem::take(&mut self.word);
        let split = word
            .iter()
            .position(|c| !c.is_ascii_alphabetic())
            .unwrap_or(word.len());
        let (name, param) = word.split_at(split);
        let value: Option<i64> = std::str::from_utf8(param).ok().and_then(|p| p.parse().ok());
        let opening = self.groups.last().is_some_and(|g| g.opening);
        if let Some(g) = self.groups.last_mut() {
            g.opening = false;
        }
        if opening
            && matches!(name, b"pict" | b"objdata")
            && self.picture.is_none()
            && self.too_deep == 0
        {
            self.picture = Some(Picture {
                depth: self.groups.len(),
                kind: (name == b"objdata").then_some(Kind::Object),
                ..Picture::default()
            });
        }
        if let Some(p) = self.picture.as_mut() {
            if p.depth == self.groups.len() && matches!(name, b"jpegblip" | b"pngblip") {
                p.kind = Some(Kind::Photo);
            }
        }
        if opening && self.dest() == Dest::Other {
            if let Some(dest) = destination(name) {
                if let Some(g) = self.groups.last_mut() {
                    g.dest = dest;
                }
                self.emit(b"\\");
                self.emit(&word);
                if space {
                    self.emit(b" ");
                }
                self.text.clear();
                if dest != Dest::RevTable {
                    // What follows its name is left out of a copy, and written again when
                    // the group ends.
                    self.leaving_out_below = Some(self.groups.len());
                }
                return;
            }
        }
        match name {
            b"ansicpg" => {
                if let Some(cp) = value.and_then(|v| u16::try_from(v).ok()) {
                    self.codepage = cp;
                }
            }
            b"uc" => {
                self.fallback = value
                    .and_then(|v| u32::try_from(v).ok())
                    .unwrap_or(1)
                    .min(8)
            }
            b"u" => {
                if let Some(v) = value {
                    let unit = (v as i16) as u16;
                    if let Some(c) = char::from_u32(u32::from(unit)) {
                        if self.dest() != Dest::Other && self.text.len() < LONGEST_TEXT {
                            self.text.push(c);
                        }
                    }
                    self.emit_word(&word, space);
                    self.skip = self.fallback;
                    return;
                }
            }
            b"bin" => {
                self.emit_word(&word, space);
                if let Some(n) = value.and_then(|v| u64::try_from(v).ok()).filter(|&n| n > 0) {
                    self.lex = Lex::Binary(n);
                }
                return;
            }
            b"yr" | b"mo" | b"dy" | b"hr" | b"min" if self.dest() == Dest::Time => {
                let at = ["yr", "mo", "dy", "hr", "min"]
                    .iter()
                    .position(|n| n.as_bytes() == name)
                    .unwrap_or(0);
                self.time[at] = value;
                return;
            }
            n if is_session_id(n) && value.is_some_and(|v| v != 0) => {
                self.note("editing-session ids");
                self.emit(b"\\");
                self.emit(n);
                self.emit(b"0");
                if space {
                    self.emit(b" ");
                }
                return;
            }
            _ => {}
        }
        self.emit_word(&word, space);
    }

    fn emit_word(&mut self, word: &[u8], space: bool) {
        self.emit(b"\\");
        self.emit(word);
        if space {
            self.emit(b" ");
        }
    }

    /// What the file names: people, the first time found, the software.
    pub(crate) fn warnings(&self) -> Vec<Warning> {
        let mut out = Vec::new();
        let mut listed = self.listed.clone();
        // A group cut off by the file's end still says what it held.
        let open = self.text.trim().trim_end_matches(';').trim();
        if self.dest() != Dest::Other && !open.is_empty() && !is_placeholder(open) {
            listed.push(open.to_owned());
        }
        for name in listed {
            push_warning(&mut out, "owner_name", Some(name));
        }
        push_warning(&mut out, "time", self.first_time.clone());
        push_warning(&mut out, "camera", self.software.clone());
        let mut photos = self.photos.clone();
        // A photo cut off by the file's end still says what it held.
        match self
            .picture
            .as_ref()
            .and_then(|p| Some((p.kind?, &p.bytes)))
        {
            Some((Kind::Photo, bytes)) => photos.extend(pictures::Pictures::find(bytes).warnings),
            Some((Kind::Object, bytes)) => photos.extend(ole1::warnings(bytes, self.nesting)),
            None => {}
        }
        for w in photos {
            if !out.contains(&w) {
                out.push(w);
            }
        }
        if let Some(why) = &self.unread {
            push_warning(&mut out, UNREAD, Some(why.clone()));
        }
        out
    }

    /// Writes what is still held (a photo cut off by the file's end).
    fn end(&mut self) {
        self.flush_picture();
    }
}

/// Why a document with a photo larger than [`LARGEST_PICTURE`] is not copied.
const PICTURE_TOO_LARGE: &str =
    "a picture or object inside over 8 MiB, too large for Aigaq to check whole";
/// Why a document whose photo still holds EXIF after blanking is not copied.
const PICTURE_LEFT: &str =
    "a picture inside whose metadata Aigaq could not find whole (a damaged or unusual picture)";

/// Control words that carry an editing-session id (`\rsid`, `\insrsid`, `\rsidroot`, …).
fn is_session_id(name: &[u8]) -> bool {
    name.ends_with(b"rsid") || name == b"rsidroot"
}

/// Copies an RTF file without what names people, software and times (see the module
/// documentation); returns what was left out.
pub(crate) fn strip(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    let mut rtf = Rtf::new(true);
    let mut first = true;
    super::each_piece(input, 64 * 1024, |piece| {
        if first && !piece.starts_with(&MAGIC[..piece.len().min(MAGIC.len())]) {
            return Err(super::strip::bad("not an RTF document"));
        }
        first = false;
        rtf.feed(piece);
        if let Some(o) = rtf.out.as_mut() {
            out.write_all(o)?;
            o.clear();
        }
        Ok(())
    })?;
    rtf.end();
    if let Some(why) = rtf.unread {
        return Err(super::strip::bad(&why));
    }
    if let Some(o) = rtf.out.as_mut() {
        out.write_all(o)?;
    }
    Ok(rtf.removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::{values_of as values, Sniffer};

    fn fixture() -> Vec<u8> {
        crate::media::fixture("legacy-word.rtf")
    }

    fn sniffed(file: &[u8], piece: usize) -> (String, Vec<Warning>) {
        let mut s = Sniffer::new();
        for p in file.chunks(piece) {
            s.feed(p);
        }
        s.describe()
    }

    fn stripped(file: &[u8]) -> (String, Vec<String>) {
        let mut out = Vec::new();
        let removed = strip(&mut &file[..], &mut out).unwrap();
        (String::from_utf8(out).unwrap(), removed)
    }

    #[test]
    fn a_statement_saved_as_rtf_by_libreoffice_names_its_people_and_the_copy_does_not() {
        let file = fixture();
        for piece in [1, 7, 4096, file.len()] {
            let (t, w) = sniffed(&file, piece);
            assert_eq!(t, "application/rtf");
            assert_eq!(
                values(&w, "owner_name"),
                // In the file's order: the revision table comes before `\info`.
                [
                    "Canary Reviser",
                    "Canary Aidarovna",
                    "Canary Lastsaver",
                    "Canary Commenter"
                ],
                "{piece}"
            );
            assert_eq!(values(&w, "time"), ["2024-03-04 05:06"]);
            assert!(values(&w, "camera")[0].starts_with("LibreOffice/7.4"));
        }
        let (copy, removed) = stripped(&file);
        assert_eq!(
            removed,
            ["names of comments and changes", PROPERTIES_REMOVED]
        );
        assert!(!copy.contains("Canary") && !copy.contains("LibreOffice/"));
        assert!(
            copy.contains("{\\author }{\\creatim\\yr1980\\mo1\\dy1}"),
            "{copy}"
        );
        assert!(copy.contains("{\\*\\revtbl {Unknown;}{Author 1;}}"));
        assert!(copy.contains("atnauthor Author 2}"));
        // The text, its formatting and the change and comment themselves stay.
        for kept in [
            "The witness said the detention lasted three days.",
            "Inserted later.",
            "check dates",
            "\\revauth1",
        ] {
            assert!(copy.contains(kept), "{kept}");
        }
        assert_eq!(sniffed(copy.as_bytes(), 4096).1, []);
        // Stripped again, nothing is left to remove and nothing changes.
        assert_eq!(stripped(copy.as_bytes()), (copy.clone(), Vec::new()));
    }

    #[test]
    fn cyrillic_names_hex_and_unicode_escapes_binary_data_and_session_ids() {
        // Word writes Cyrillic in the document's code page (\'hh) and as \u with a fallback.
        let file = b"{\\rtf1\\ansi\\ansicpg1251{\\info{\\operator \\'c0\\'e9\\'e3\\'e5\\'f0\\'e8\\'ec}{\\*\\company \\u1050?\\u1048?\\u1041?\\u1056?}}{\\*\\rsidtbl \\rsid1234567\\rsid89}\\pard\\insrsid1234567 {\\*\\atnid AS}{\\*\\atnauthor \\'c0\\'e9\\'e3\\'e5\\'f0\\'e8\\'ec}{\\pict\\bin4 {}\\}text\\par}";
        let (_, w) = sniffed(file, 3);
        assert_eq!(values(&w, "owner_name"), ["Айгерим", "КИБР"]);
        let (copy, removed) = stripped(file);
        assert!(removed.contains(&"editing-session ids".to_owned()));
        assert_eq!(
            copy,
            "{\\rtf1\\ansi\\ansicpg1251{\\info{\\operator }{\\*\\company }}{\\*\\rsidtbl \\rsid0\\rsid0}\\pard\\insrsid0 {\\*\\atnid }{\\*\\atnauthor Author 1}{\\pict\\bin4 {}\\}text\\par}"
        );
    }

    /// The bytes of the first group's data after the control word `word`, from its hex.
    fn hex_after(rtf: &[u8], word: &[u8]) -> Vec<u8> {
        let at = memchr::memmem::find(rtf, word).unwrap() + word.len();
        let end = at + memchr::memchr(b'}', &rtf[at..]).unwrap();
        let digits: Vec<u8> = rtf[at..end]
            .iter()
            .filter(|b| b.is_ascii_hexdigit())
            .copied()
            .collect();
        digits
            .chunks(2)
            .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
            .collect()
    }

    /// The bytes of the first `\jpegblip` picture.
    fn photo_in(rtf: &[u8]) -> Vec<u8> {
        hex_after(rtf, b"\\jpegblip")
    }

    fn stripped_bytes(file: &[u8]) -> io::Result<(Vec<u8>, Vec<String>)> {
        let mut out = Vec::new();
        let removed = strip(&mut &file[..], &mut out)?;
        Ok((out, removed))
    }

    #[test]
    fn a_photo_pasted_into_an_rtf_statement_loses_its_place_camera_and_time_in_the_copy() {
        // Made by LibreOffice 7.4 (make_legacy_office.py): the JPEG in hex, and a WMF of it
        // for older readers.
        let file = crate::media::fixture("legacy-photo.rtf");
        for piece in [1, 7, 4096, file.len()] {
            let (_, w) = sniffed(&file, piece);
            assert_eq!(
                values(&w, "gps_position"),
                ["43 deg 14 min 30.12 sec N, 76 deg 56 min 45.18 sec E"],
                "{piece}"
            );
            assert_eq!(values(&w, "camera_serial"), ["SN-FIXTURE-0042"]);
            assert_eq!(values(&w, UNREAD), Vec::<String>::new());
        }
        let (copy, removed) = stripped_bytes(&file).unwrap();
        assert!(
            removed.contains(&PICTURES_REMOVED.to_owned()),
            "{removed:?}"
        );
        let mut want = photo_in(&file);
        assert!(pictures::leftover(&want));
        pictures::clean(&mut want);
        assert_eq!(photo_in(&copy), want);
        assert!(memchr::memmem::find(&copy, b"457869660000").is_none());
        // The WMF for older readers, and the text, stay as they were.
        let wmf = |f: &[u8]| {
            let at = memchr::memmem::find(f, b"\\wmetafile8").unwrap();
            f[at..at + memchr::memchr(b'}', &f[at..]).unwrap()].to_vec()
        };
        assert_eq!(wmf(&copy), wmf(&file));
        assert!(memchr::memmem::find(&copy, b"Photo of the injuries").is_some());
        assert_eq!(sniffed(&copy, 4096).1, []);
        assert_eq!(stripped_bytes(&copy).unwrap(), (copy.clone(), Vec::new()));
    }

    #[test]
    fn a_photo_in_binary_keeps_its_length_and_document_variables_go() {
        let photo = crate::media::fixture("exif-gps.jpg");
        let mut file = format!(
            "{{\\rtf1{{\\*\\docvar {{Case}}{{Aigerim, 17 Abay St.}}}}{{\\pict\\jpegblip\\bin{} ",
            photo.len()
        )
        .into_bytes();
        file.extend_from_slice(&photo);
        file.extend_from_slice(b"}text}");
        let (_, w) = sniffed(&file, 5);
        assert_eq!(values(&w, "camera_serial"), ["SN-FIXTURE-0042"]);
        let (copy, _) = stripped_bytes(&file).unwrap();
        let mut want = photo.clone();
        pictures::clean(&mut want);
        let head = format!(
            "{{\\rtf1{{\\*\\docvar }}{{\\pict\\jpegblip\\bin{} ",
            photo.len()
        );
        assert_eq!(copy, [head.as_bytes(), &want, b"}text}"].concat());
    }

    /// `data` as an embedded object of `class` in OLE 1.0's form, in an RTF document.
    fn with_object(class: &str, data: &[u8]) -> Vec<u8> {
        let mut object = vec![1, 5, 0, 0, 2, 0, 0, 0];
        object.extend_from_slice(&(class.len() as u32 + 1).to_le_bytes());
        object.extend_from_slice(class.as_bytes());
        object.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0]);
        object.extend_from_slice(&(data.len() as u32).to_le_bytes());
        object.extend_from_slice(data);
        let mut file = format!(
            "{{\\rtf1 The sheet:{{\\object\\objemb{{\\*\\objclass {class}}}{{\\*\\objdata\n"
        )
        .into_bytes();
        for line in object.chunks(64) {
            for b in line {
                file.extend_from_slice(format!("{b:02x}").as_bytes());
            }
            file.push(b'\n');
        }
        file.extend_from_slice(b"}}\\par}");
        file
    }

    /// The bytes of the first embedded object.
    fn object_in(rtf: &[u8]) -> Vec<u8> {
        hex_after(rtf, b"\\objdata")
    }

    #[test]
    fn a_document_embedded_in_an_rtf_statement_is_read_and_cleaned_as_one() {
        let doc = crate::media::fixture("legacy-word.doc");
        let file = with_object("Word.Document.8", &doc);
        for piece in [3, 4096] {
            let (_, w) = sniffed(&file, piece);
            let owners = values(&w, "owner_name");
            assert!(owners.contains(&"Canary Reviser".to_owned()), "{owners:?}");
        }
        let (copy, removed) = stripped_bytes(&file).unwrap();
        assert!(
            removed.contains(&"authors of changes".to_owned()),
            "{removed:?}"
        );
        let object = object_in(&copy);
        assert_eq!(object.len(), object_in(&file).len());
        let inside = &object[object.len() - doc.len()..];
        let mut want = Vec::new();
        crate::media::ole::strip(&mut &doc[..], &mut want).unwrap();
        assert_eq!(inside, &want[..]);
        assert_eq!(sniffed(&copy, 4096).1, []);
        assert!(copy.ends_with(b"}}\\par}"));
    }

    #[test]
    fn a_file_embedded_whole_in_an_rtf_statement_loses_its_folders_and_photo_metadata() {
        let photo = crate::media::fixture("exif-gps.jpg");
        let path = "C:\\Users\\Aigerim\\Desktop\\injuries.jpg";
        let temp = "C:\\Users\\Aigerim\\AppData\\Local\\Temp\\injuries.jpg";
        // Its size first, as OLE 1.0's object data has it too.
        let package = crate::media::ole::test_package("injuries.jpg", path, temp, &photo);
        let package = &package[4..];
        let file = with_object("Package", package);
        let (_, w) = sniffed(&file, 5);
        assert!(values(&w, "owner_name").contains(&path.to_owned()), "{w:?}");
        assert_eq!(values(&w, "camera_serial"), ["SN-FIXTURE-0042"]);
        let (copy, removed) = stripped_bytes(&file).unwrap();
        assert!(
            removed.contains(&"folders of embedded files".to_owned()),
            "{removed:?}"
        );
        let object = object_in(&copy);
        assert!(!pictures::leftover(&object));
        assert!(memchr::memmem::find(&object, b"Aigerim").is_none());
        assert!(memchr::memmem::find(&object, b"\\injuries.jpg").is_some());
        assert_eq!(sniffed(&copy, 4096).1, []);
    }

    #[test]
    fn a_photo_too_large_to_hold_is_said_and_not_copied() {
        let photo = crate::media::fixture("exif-gps.jpg");
        let mut file = b"{\\rtf1{\\pict\\jpegblip\n".to_vec();
        for b in photo.iter().chain(&vec![0u8; LARGEST_PICTURE]) {
            file.extend_from_slice(format!("{b:02x}").as_bytes());
        }
        file.extend_from_slice(b"}}");
        let (_, w) = sniffed(&file, 1 << 16);
        assert!(values(&w, UNREAD)[0].contains("over 8 MiB"), "{w:?}");
        assert!(stripped_bytes(&file).is_err());
    }

    #[test]
    fn damaged_rtf_is_read_without_panic() {
        let file = fixture();
        for cut in (0..file.len()).step_by(97) {
            let _ = sniffed(&file[..cut], 5);
            let mut out = Vec::new();
            let _ = strip(&mut &file[..cut], &mut out);
        }
        // Deep nesting, unbalanced braces, endless words and binary lengths.
        let mut deep = b"{\\rtf1".to_vec();
        deep.extend(std::iter::repeat_n(b'{', 5000));
        deep.extend_from_slice(b"\\author x\\bin99999999999999999999 \\aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}}}}");
        let _ = sniffed(&deep, 11);
        let _ = strip(&mut &deep[..], &mut Vec::new());
    }
}

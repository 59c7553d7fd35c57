//! The people an office document names inside its parts, besides its properties: the
//! authors of comments and tracked changes (Word's `w:author` and `w:initials`, and its
//! `people.xml`, whose account ids are often an e-mail address), Excel's comment authors,
//! people and shared-workbook users, PowerPoint's comment authors, and the creators of an
//! OpenDocument's annotations and changes (`dc:creator`); and when each of those wrote
//! (`w:date`, `dc:date`). Also an OpenDocument's fields that show its properties (author,
//! dates, who printed it), and the printer its settings name. A statement reviewed with tracked changes names every reviewer on
//! every change, with the minute.
//!
//! [`Names`] reads a part's XML as it streams past, split anywhere, and lists those names
//! (at attach), or also writes the part again with each replaced by `Author 1`, `Author 2`, …
//! in the order they first appear, the same name always by the same placeholder across the
//! document's parts, so that a reader still tells the reviewers apart; initials and account
//! ids become empty, and those times 1980-01-01 00:00 (as the package's file times do).
//! Every other byte of the XML is written as it was.

use std::io;

use super::strip::bad;

/// The longest tag or name read; one that runs on longer stops a copy.
const LONGEST: usize = 1024 * 1024;

/// What an attribute or an element's text holds, when it is something to replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A person's name: replaced by a placeholder.
    Person,
    /// Initials or an account id: emptied.
    Blank,
    /// When a comment or change was made: the earliest time a ZIP file can state.
    Time,
    /// The same, written as OpenDocument writes it (no time zone, which LibreOffice does
    /// not read there).
    LocalTime,
    /// A Word editing session's id (`w:rsidR` and the like, and `settings.xml`'s list of
    /// them), which ties documents edited in one session on one machine together: all
    /// become one id, still valid hex.
    Session,
    /// A relationship's target on this computer's disk (a Word template's path, a link to
    /// a local file), whose folders name the account: only the file's own name stays.
    Path,
    /// A Word document variable's value (`w:docVar`, which templates and macros fill with
    /// case numbers, names, addresses): emptied.
    Variable,
}

/// What a time becomes in a copy.
const NO_TIME: &str = "1980-01-01T00:00:00Z";

/// The attributes (by the local names of element and attribute) that name someone.
fn attribute(element: &str, attribute: &str) -> Option<Kind> {
    Some(match (element, attribute) {
        // A cited work's authors are the document's content.
        ("bibliography-mark", _) => return None,
        (_, a) if a.starts_with("rsid") => Kind::Session,
        ("Relationship", "Target") => Kind::Path,
        ("rsid" | "rsidRoot", "val") => Kind::Session,
        ("docVar", "val") => Kind::Variable,
        // Word's comments, changes and people; Excel's shared-workbook users and revisions.
        (_, "author" | "userName") => Kind::Person,
        (_, "initials") => Kind::Blank,
        ("person" | "presenceInfo" | "author", "userId") => Kind::Blank,
        // Excel's people, PowerPoint's comment authors.
        ("person", "displayName") | ("cmAuthor" | "author", "name") => Kind::Person,
        // Word's comments and changes, newer Word's comment times, PowerPoint's comments.
        (_, "date" | "dateUtc") | ("cm", "dt" | "created") => Kind::Time,
        _ => return None,
    })
}

/// The elements (by local and qualified name) whose text names someone or a time: Excel's
/// comment authors, OpenDocument's creators and their times. (An OpenDocument's date
/// fields, `text:date`, are its content: only Dublin Core's `dc:date` is a time to blank.)
fn element(local: &str, qualified: &str) -> Option<Kind> {
    match (local, qualified) {
        ("author" | "creator", _) => Some(Kind::Person),
        ("creator-initials", _) => Some(Kind::Blank),
        (_, "dc:date") => Some(Kind::LocalTime),
        // OpenDocument's fields that show the document's properties keep the value they
        // showed when it was saved: who wrote, saved or printed it, and when.
        ("initial-creator" | "author-name" | "printed-by", _) => Some(Kind::Person),
        (
            "author-initials" | "creation-date" | "creation-time" | "modification-date"
            | "modification-time" | "print-date" | "print-time",
            _,
        ) => Some(Kind::Blank),
        _ => None,
    }
}

/// OpenDocument's settings that name the printer (its name, and its driver's setup, which
/// names it again): the text of a `config:config-item` whose `config:name` is one of these.
const PRINTER_SETTINGS: [&str; 2] = ["PrinterName", "PrinterSetup"];

/// Whether `value` is one of the placeholders a copy writes (so that the copy's check does
/// not take them for names or times).
pub(super) fn is_placeholder(value: &str) -> bool {
    value.starts_with(&NO_TIME[..19])
        || value
            .strip_prefix("Author ")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The author Word gives changes whose author it does not know: no one, so it stays.
pub(super) const UNKNOWN_AUTHOR: &str = "Unknown";

/// Most people numbered apart in one document; past them, the rest share one number (so a
/// hostile file cannot grow memory with its names).
const MOST_PEOPLE: usize = 4096;

/// People numbered in the order they are first met in a document (`Author 1`, …), for the
/// formats whose copies are written in place (Word, Excel and PowerPoint 97–2003, RTF).
#[derive(Debug, Default)]
pub(super) struct Numbering(Vec<String>);

impl Numbering {
    pub(super) fn number(&mut self, name: &str) -> usize {
        match self.0.iter().position(|n| n == name) {
            Some(i) => i + 1,
            None if self.0.len() >= MOST_PEOPLE => MOST_PEOPLE + 1,
            None => {
                self.0.push(name.to_owned());
                self.0.len()
            }
        }
    }

    /// `name`'s placeholder, `Author N`.
    pub(super) fn label(&mut self, name: &str) -> String {
        format!("Author {}", self.number(name))
    }
}

/// The names in a part's XML, read as it streams past (see the module documentation).
#[derive(Debug, Default)]
pub(super) struct Names {
    /// Bytes not yet written: an unfinished tag, or the text of an element that names
    /// someone, which is replaced whole.
    pending: Vec<u8>,
    /// Inside an element whose text names someone.
    within: Option<Kind>,
    /// The names met, in order; a name's placeholder is its place here.
    seen: Vec<String>,
    /// The first time met.
    time: Option<String>,
    /// Whether the part's root element has been met.
    rooted: bool,
    /// Whether a local path lost its folders.
    paths: bool,
    /// How far the start of `pending` was read (an unfinished tag, or a name's text).
    read: Read,
    /// Whether a document variable lost its value.
    variables: bool,
    /// In a properties part under a name of its own (its root `coreProperties` or
    /// `Properties`, as `docProps/core0.xml`): its root's qualified name, and how deep
    /// within it the reader is. Nothing within the root is written.
    properties: Option<(String, usize)>,
    rewrite: bool,
}

impl Names {
    /// Lists names only; `seen` are those already met in the document's other parts.
    pub(super) fn listing(seen: Vec<String>) -> Self {
        Self {
            seen,
            ..Self::default()
        }
    }

    /// Lists names and writes the part again without them.
    pub(super) fn rewriting(seen: Vec<String>) -> Self {
        Self {
            seen,
            rewrite: true,
            ..Self::default()
        }
    }

    /// The names met so far, this part's and those it was given.
    pub(super) fn into_seen(self) -> Vec<String> {
        self.seen
    }

    pub(super) fn seen(&self) -> &[String] {
        &self.seen
    }

    /// The first time of a comment or change met in this part.
    pub(super) fn time(&self) -> Option<&str> {
        self.time.as_deref()
    }

    /// Reads the next bytes of the part; when rewriting, appends to `out` what can be
    /// written of it so far.
    pub(super) fn push(&mut self, bytes: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        self.pending.extend_from_slice(bytes);
        let pending = std::mem::take(&mut self.pending);
        let mut at = 0;
        // What an earlier push read of the start, which stays the start until it ends.
        let mut read = std::mem::take(&mut self.read);
        while at < pending.len() {
            let rest = &pending[at..];
            // A tag waiting for its end starts the bytes; a name's text was read as far as
            // `read` says.
            let lt = if rest.first() == Some(&b'<') {
                Some(0)
            } else {
                memchr::memchr(b'<', &rest[read.to.min(rest.len())..]).map(|i| read.to + i)
            };
            let Some(lt) = lt else {
                if self.within.is_some() {
                    // The name may go on in the next bytes.
                    self.read = Read {
                        to: rest.len(),
                        quote: None,
                    };
                    break;
                }
                if self.properties.is_none() {
                    self.emit(rest, out);
                }
                at = pending.len();
                break;
            };
            if lt > 0 {
                self.text(&rest[..lt], out);
                at += lt;
                read = Read::default();
                continue;
            }
            let len = match tag_len(rest, read) {
                Ok(len) => len,
                Err(so_far) => {
                    self.read = so_far;
                    break;
                }
            };
            self.tag(&rest[..len], out);
            at += len;
            read = Read::default();
        }
        self.pending = pending;
        self.pending.drain(..at);
        if self.pending.len() > LONGEST {
            return Err(bad("a tag or a name longer than Aigaq reads"));
        }
        Ok(())
    }

    /// Writes what is left at the end of the part.
    pub(super) fn finish(&mut self, out: &mut Vec<u8>) {
        let rest = std::mem::take(&mut self.pending);
        self.emit(&rest, out);
    }

    fn emit(&self, bytes: &[u8], out: &mut Vec<u8>) {
        if self.rewrite {
            out.extend_from_slice(bytes);
        }
    }

    /// The text between two tags.
    fn text(&mut self, text: &[u8], out: &mut Vec<u8>) {
        if self.properties.is_some() {
            let value = unescaped(text);
            if let Some(kind) = self.within.filter(|_| !value.trim().is_empty()) {
                self.replace(kind, value.trim());
            }
            return;
        }
        match self.within {
            Some(kind) => {
                let value = unescaped(text);
                if value.trim().is_empty() {
                    self.emit(text, out);
                } else {
                    let new = self.replace(kind, value.trim());
                    self.emit(new.as_bytes(), out);
                }
            }
            None => self.emit(text, out),
        }
    }

    /// A whole tag: a start tag's attributes that name someone are replaced.
    fn tag(&mut self, tag: &[u8], out: &mut Vec<u8>) {
        self.within = None;
        if self.properties.is_some() {
            self.property_tag(tag, out);
            return;
        }
        if tag.starts_with(b"</") || tag.starts_with(b"<!") || tag.starts_with(b"<?") {
            self.emit(tag, out);
            return;
        }
        let body = &tag[1..tag.len() - 1];
        let closed = body.ends_with(b"/");
        let name_end = body
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .unwrap_or(body.len());
        let qualified = String::from_utf8_lossy(&body[..name_end]).into_owned();
        if !self.rooted {
            self.rooted = true;
            let root = local(&body[..name_end]);
            if !closed && (root == "coreProperties" || root == "Properties") {
                self.emit(tag, out);
                self.properties = Some((qualified, 0));
                return;
            }
        }
        let element_name = local(&body[..name_end]);
        let mut written = 0;
        let attributes = attributes(tag, 1 + name_end);
        let printer = element_name == "config-item"
            && attributes.iter().any(|(name, value)| {
                local(&tag[name.clone()]) == "name"
                    && PRINTER_SETTINGS
                        .iter()
                        .any(|p| p.as_bytes() == &tag[value.clone()])
            });
        for (name, value) in attributes {
            let Some(kind) = attribute(&element_name, &local(&tag[name])) else {
                continue;
            };
            let old = unescaped(&tag[value.clone()]);
            if old.trim().is_empty() {
                continue;
            }
            let new = self.replace(kind, old.trim());
            self.emit(&tag[written..value.start], out);
            self.emit(new.as_bytes(), out);
            written = value.end;
        }
        self.emit(&tag[written..], out);
        if !closed {
            self.within = element(&element_name, &qualified).or(printer.then_some(Kind::Blank));
        }
    }

    /// A tag within a properties part's root: none is written but the root's end; the text
    /// of those that name someone or a time is noted.
    fn property_tag(&mut self, tag: &[u8], out: &mut Vec<u8>) {
        let Some((root, depth)) = self.properties.as_mut() else {
            return;
        };
        if tag.starts_with(b"<!") || tag.starts_with(b"<?") {
            return;
        }
        if let Some(name) = tag.strip_prefix(b"</") {
            let name = String::from_utf8_lossy(&name[..name.len() - 1]);
            if *depth == 0 && name.trim() == root {
                self.properties = None;
                self.emit(tag, out);
            } else {
                *depth = depth.saturating_sub(1);
            }
            return;
        }
        if !tag.ends_with(b"/>") {
            *depth += 1;
            let name_end = tag
                .iter()
                .position(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
                .unwrap_or(tag.len());
            self.within = match local(&tag[1..name_end]).as_str() {
                "creator" | "lastModifiedBy" | "Company" | "Manager" => Some(Kind::Person),
                "created" | "modified" | "lastPrinted" => Some(Kind::Time),
                _ => None,
            };
        }
    }

    /// A relationship's target without the folders of a path on this computer's disk (a
    /// `file:` URL, a drive letter or a network share); any other target as it is.
    fn local_path(&mut self, target: &str) -> String {
        let lower = target.to_ascii_lowercase();
        let drive = target
            .as_bytes()
            .get(1..3)
            .is_some_and(|b| b[0] == b':' && (b[1] == b'\\' || b[1] == b'/'));
        if !(lower.starts_with("file:") || drive || target.starts_with("\\\\")) {
            return target.to_owned();
        }
        let name = target.rsplit(['/', '\\']).next().unwrap_or_default();
        let stripped = format!("file:///{name}");
        if stripped != target {
            self.paths = true;
        }
        stripped
    }

    /// Whether a local path lost its folders.
    pub(super) fn paths(&self) -> bool {
        self.paths
    }

    /// Whether a document variable lost its value.
    pub(super) fn variables(&self) -> bool {
        self.variables
    }

    /// What takes the place of `value`, which is noted.
    fn replace(&mut self, kind: Kind, value: &str) -> String {
        if is_placeholder(value) {
            return value.to_owned();
        }
        match kind {
            Kind::Blank => return String::new(),
            Kind::Variable => {
                self.variables |= !value.is_empty();
                return String::new();
            }
            Kind::Session => return "00000000".into(),
            Kind::Path => return self.local_path(value),
            Kind::Time | Kind::LocalTime => {
                self.time.get_or_insert_with(|| value.to_owned());
                let zone = if kind == Kind::Time { 0 } else { 1 };
                return NO_TIME[..NO_TIME.len() - zone].into();
            }
            Kind::Person => {}
        }
        let place = match self.seen.iter().position(|s| s == value) {
            Some(p) => p,
            None => {
                self.seen.push(value.to_owned());
                self.seen.len() - 1
            }
        };
        format!("Author {}", place + 1)
    }
}

/// The local name (without a namespace prefix) of a qualified name.
fn local(qname: &[u8]) -> String {
    let name = String::from_utf8_lossy(qname);
    name.rsplit(':').next().unwrap_or_default().to_owned()
}

/// How far the start of a part's unwritten bytes was read without finding its end: up to
/// where, and within which quote. A part fed in small pieces is then read once, not again
/// from its start at every piece.
#[derive(Debug, Default, Clone, Copy)]
struct Read {
    to: usize,
    quote: Option<u8>,
}

/// The length of the tag, comment, CDATA section or processing instruction at the start of
/// `bytes`, if it ends within them; else how far it was read. `from` is how far an earlier
/// call read the same start. A `>` inside quotes does not end a tag.
fn tag_len(bytes: &[u8], from: Read) -> Result<usize, Read> {
    let ending = |end: &[u8]| {
        let start = from.to.saturating_sub(end.len() - 1);
        memchr::memmem::find(&bytes[start..], end)
            .map(|at| start + at + end.len())
            .ok_or(Read {
                to: bytes.len(),
                quote: None,
            })
    };
    if bytes.starts_with(b"<!--") {
        return ending(b"-->");
    }
    if bytes.starts_with(b"<![CDATA[") {
        return ending(b"]]>");
    }
    let mut quote = from.quote;
    for (i, &b) in bytes.iter().enumerate().skip(from.to.max(1)) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return Ok(i + 1),
            _ => {}
        }
    }
    Err(Read {
        to: bytes.len(),
        quote,
    })
}

/// Where each attribute's name and value (between its quotes) are in `tag`, from `from` on.
fn attributes(tag: &[u8], from: usize) -> Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut i = from;
    let end = tag.len().saturating_sub(1);
    while i < end {
        while i < end && (tag[i].is_ascii_whitespace() || tag[i] == b'/') {
            i += 1;
        }
        let name_start = i;
        while i < end && tag[i] != b'=' && !tag[i].is_ascii_whitespace() {
            i += 1;
        }
        let name = name_start..i;
        while i < end && tag[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= end || tag[i] != b'=' {
            if name.is_empty() {
                i += 1;
            }
            continue;
        }
        i += 1;
        while i < end && tag[i].is_ascii_whitespace() {
            i += 1;
        }
        let Some(&quote) = tag.get(i).filter(|q| **q == b'"' || **q == b'\'') else {
            continue;
        };
        let value_start = i + 1;
        let Some(len) = memchr::memchr(quote, &tag[value_start..end]) else {
            break;
        };
        out.push((name, value_start..value_start + len));
        i = value_start + len + 1;
    }
    out
}

/// Text or an attribute value with XML's entities decoded.
fn unescaped(bytes: &[u8]) -> String {
    super::unescape_xml(&String::from_utf8_lossy(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `xml` in pieces of `piece` bytes, rewriting; returns the copy and the names.
    fn rewritten(xml: &str, piece: usize) -> (String, Vec<String>) {
        let mut names = Names::rewriting(Vec::new());
        let mut out = Vec::new();
        for p in xml.as_bytes().chunks(piece) {
            names.push(p, &mut out).unwrap();
        }
        names.finish(&mut out);
        (String::from_utf8(out).unwrap(), names.into_seen())
    }

    const WORD: &str = r#"<?xml version="1.0"?><w:document xmlns:w="x"><w:body><w:p w:rsidR="00A1B2C3" w:rsidRDefault="00A1B2C3"><w:ins w:id="1" w:author="Nurlan Editor" w:date="2026-01-05T10:00:00Z"><w:r><w:t>beaten &amp; detained</w:t></w:r></w:ins><w:del w:author='Aigerim &amp; Co' w:id="2"/><w:commentRangeStart w:id="0"/></w:p><w:p><w:ins w:author="Nurlan Editor"><w:r><w:t xml:space="preserve"> at the station </w:t></w:r></w:ins><!-- w:author="in a comment" --><![CDATA[<w:t w:author="not a tag">]]></w:p></w:body></w:document>"#;

    #[test]
    fn a_long_tag_and_a_quoted_bracket_read_on_across_pieces() {
        // Word keeps a shape's picture as base64 in an attribute (VML's `o:gfxdata`), so a tag
        // can run to hundreds of KiB; it is read once, however small the pieces.
        let data = "UEsDBBQABgAIAAAAIQ".repeat(20_000);
        let xml = format!(
            r#"<w:p><v:shape o:gfxdata="{data}" w:author="Dana"/><w:ins w:author="A > B" w:id="3">x</w:ins></w:p>"#
        );
        let expected = xml.replace("Dana", "Author 1").replace("A > B", "Author 2");
        for piece in [1, 3, 37, 4096] {
            let (copy, names) = rewritten(&xml, piece);
            assert!(copy == expected, "{piece}");
            assert_eq!(names, ["Dana", "A > B"]);
        }
    }

    #[test]
    fn authors_become_numbered_placeholders_however_the_part_is_split() {
        let expected = WORD
            .replace("00A1B2C3", "00000000")
            .replace("Nurlan Editor", "Author 1")
            .replace("Aigerim &amp; Co", "Author 2")
            .replace("2026-01-05T10:00:00Z", NO_TIME);
        for piece in [1, 2, 3, 7, 64, 4096] {
            let (copy, names) = rewritten(WORD, piece);
            assert_eq!(copy, expected, "{piece}");
            assert_eq!(names, ["Nurlan Editor", "Aigerim & Co"]);
        }
    }

    #[test]
    fn people_comment_authors_and_creators_are_found_by_element_and_attribute() {
        let people = r#"<w15:people><w15:person w15:author="Aigerim N"><w15:presenceInfo w15:providerId="AD" w15:userId="S::aigerim@kibhr.kz::1"/></w15:person></w15:people>"#;
        let (copy, names) = rewritten(people, 5);
        assert_eq!(
            copy,
            r#"<w15:people><w15:person w15:author="Author 1"><w15:presenceInfo w15:providerId="AD" w15:userId=""/></w15:person></w15:people>"#
        );
        assert_eq!(names, ["Aigerim N"]);

        let excel = r#"<comments><authors><author>Dana M</author><author> </author></authors><x:fileSharing userName="Nurlan"/><table displayName="Table1" name="T"/></comments>"#;
        let (copy, names) = rewritten(excel, 3);
        assert_eq!(
            copy,
            r#"<comments><authors><author>Author 1</author><author> </author></authors><x:fileSharing userName="Author 2"/><table displayName="Table1" name="T"/></comments>"#
        );
        assert_eq!(names, ["Dana M", "Nurlan"]);

        let odf = r#"<office:annotation><dc:creator>Aigerim N</dc:creator><meta:creator-initials>AN</meta:creator-initials><dc:date>2026-01-05</dc:date><text:p>seen <text:bibliography-mark text:author="Amnesty"/> on <text:date text:date-value="2026-01-04">4 January</text:date></text:p></office:annotation>"#;
        let (copy, names) = rewritten(odf, 4);
        assert_eq!(
            copy,
            r#"<office:annotation><dc:creator>Author 1</dc:creator><meta:creator-initials></meta:creator-initials><dc:date>1980-01-01T00:00:00</dc:date><text:p>seen <text:bibliography-mark text:author="Amnesty"/> on <text:date text:date-value="2026-01-04">4 January</text:date></text:p></office:annotation>"#
        );
        assert_eq!(names, ["Aigerim N"]);
        let pptx =
            r#"<p:cmAuthorLst><p:cmAuthor id="0" name="Aigerim N" initials="AN"/></p:cmAuthorLst>"#;
        let (copy, _) = rewritten(pptx, 6);
        assert_eq!(
            copy,
            r#"<p:cmAuthorLst><p:cmAuthor id="0" name="Author 1" initials=""/></p:cmAuthorLst>"#
        );
    }

    #[test]
    fn document_fields_and_the_printer_of_an_opendocument_are_blanked() {
        let content = r#"<text:p>By <text:initial-creator>Aigerim N</text:initial-creator>, <text:creation-date style:data-style-name="N1" text:date-value="2009-12-17">17 Dec 2009</text:creation-date>, printed by <text:printed-by>Printer Owner</text:printed-by>; <text:date>4 January</text:date></text:p>"#;
        let (copy, names) = rewritten(content, 9);
        assert_eq!(
            copy,
            r#"<text:p>By <text:initial-creator>Author 1</text:initial-creator>, <text:creation-date style:data-style-name="N1" text:date-value="2009-12-17"></text:creation-date>, printed by <text:printed-by>Author 2</text:printed-by>; <text:date>4 January</text:date></text:p>"#
        );
        assert_eq!(names, ["Aigerim N", "Printer Owner"]);
        let settings = r#"<config:config-item config:name="PrinterName" config:type="string">HP-Almaty-Office</config:config-item><config:config-item config:name="PrinterSetup" config:type="base64Binary">SFAtQWxtYXR5</config:config-item><config:config-item config:name="PrinterIndependentLayout" config:type="string">high-resolution</config:config-item>"#;
        let (copy, names) = rewritten(settings, 5);
        assert_eq!(
            copy,
            settings
                .replace("HP-Almaty-Office", "")
                .replace("SFAtQWxtYXR5", "")
        );
        assert!(names.is_empty());
    }

    #[test]
    fn properties_under_a_name_of_their_own_are_left_out_whole() {
        let core = r#"<?xml version="1.0"?>
<cp:coreProperties xmlns:cp="c" xmlns:dc="d"><dc:title>Statement</dc:title><dc:creator>Steve C</dc:creator><cp:lastModifiedBy>Dana M</cp:lastModifiedBy><dcterms:created xsi:type="W3CDTF">2013-01-05T10:00:00Z</dcterms:created><cp:keywords><x:nested>deep</x:nested></cp:keywords></cp:coreProperties>"#;
        for piece in [1, 7, 4096] {
            let (copy, names) = rewritten(core, piece);
            assert_eq!(
                copy,
                "<?xml version=\"1.0\"?>\n<cp:coreProperties xmlns:cp=\"c\" xmlns:dc=\"d\"></cp:coreProperties>"
            );
            assert_eq!(names, ["Steve C", "Dana M"]);
        }
        let app = r#"<Properties xmlns="e"><Company>KIBHR</Company><Pages>1</Pages></Properties>"#;
        assert_eq!(
            rewritten(app, 3),
            (
                r#"<Properties xmlns="e"></Properties>"#.into(),
                vec!["KIBHR".into()]
            )
        );
        // Only at the root: a chart's properties are its content.
        let chart =
            r#"<c:chart><c:Properties><c:creator>kept</c:creator></c:Properties></c:chart>"#;
        assert_eq!(rewritten(chart, 5).0, chart.replace("kept", "Author 1"));
    }

    #[test]
    fn local_paths_keep_only_the_file_s_name() {
        let rels = r#"<Relationships><Relationship Id="rId1" Type="t/attachedTemplate" Target="file:///C:\Users\aigerim\AppData\Roaming\Microsoft\Templates\Report.dotm" TargetMode="External"/><Relationship Id="rId2" Target="https://kibhr.kz/" TargetMode="External"/><Relationship Id="rId3" Target="D:/Cases/Zhanaozen/photo.jpg"/><Relationship Id="rId4" Target="\\server\share\a.docx"/><Relationship Id="rId5" Target="media/image1.png"/></Relationships>"#;
        let mut names = Names::rewriting(Vec::new());
        let mut copy = Vec::new();
        names.push(rels.as_bytes(), &mut copy).unwrap();
        names.finish(&mut copy);
        assert!(names.paths());
        let copy = String::from_utf8(copy).unwrap();
        for kept in [
            "file:///Report.dotm",
            "https://kibhr.kz/",
            "file:///photo.jpg",
            "file:///a.docx",
            "\"media/image1.png\"",
        ] {
            assert!(copy.contains(kept), "{kept}: {copy}");
        }
        for gone in ["aigerim", "Zhanaozen", "server"] {
            assert!(!copy.contains(gone), "{gone}: {copy}");
        }
    }

    #[test]
    fn word_s_editing_sessions_become_one_and_its_document_variables_go() {
        let settings = r#"<w:settings><w:rsids><w:rsidRoot w:val="00123456"/><w:rsid w:val="00ABCDEF"/></w:rsids><w:zoom w:val="100"/><w:docVars><w:docVar w:name="Case" w:val="Zhanaozen 17, Aigerim"/></w:docVars></w:settings>"#;
        let (copy, names) = rewritten(settings, 11);
        assert_eq!(
            copy,
            settings
                .replace("00123456", "00000000")
                .replace("00ABCDEF", "00000000")
                .replace("Zhanaozen 17, Aigerim", "")
        );
        assert!(names.is_empty());
        let mut n = Names::rewriting(Vec::new());
        n.push(settings.as_bytes(), &mut Vec::new()).unwrap();
        assert!(n.variables());
    }

    #[test]
    fn placeholders_are_not_names_and_listing_writes_nothing() {
        let (copy, _) = rewritten(WORD, 4096);
        let mut names = Names::listing(Vec::new());
        let mut out = Vec::new();
        names.push(copy.as_bytes(), &mut out).unwrap();
        names.finish(&mut out);
        assert!(out.is_empty());
        assert!(names.into_seen().is_empty(), "a copy names nobody");

        let mut names = Names::listing(vec!["Earlier".into()]);
        names.push(WORD.as_bytes(), &mut out).unwrap();
        assert_eq!(
            names.into_seen(),
            ["Earlier", "Nurlan Editor", "Aigerim & Co"]
        );
    }

    #[test]
    fn an_endless_tag_is_an_error() {
        let mut names = Names::rewriting(Vec::new());
        let mut out = Vec::new();
        names.push(b"<w:t w:author=\"", &mut out).unwrap();
        let long = vec![b'a'; LONGEST];
        assert!(names.push(&long, &mut out).is_err());
    }
}

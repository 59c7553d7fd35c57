//! Word 97–2003 documents ([MS-DOC]): the File Information Block at the start of the
//! `WordDocument` stream says where, in the table stream (`0Table` or `1Table`), the
//! tables are that name people: the authors of tracked changes (`SttbfRMark`), of
//! comments (`GrpXstAtnOwners`, and each comment's initials in `PlcfandRef`), the last ten
//! people who saved it and where (`SttbSavedBy`), the document's own author and template
//! again (`SttbfAssoc`), the printer, the autosave source's path, a routing slip's
//! recipients, the paths of linked files (`SttbFnm`, whose folders often name the Windows
//! account), the document variables (`StwUser`, which templates and macros fill), when it
//! was last saved (a time in the FIB itself), the users allowed to edit protected ranges
//! (`SttbProtUser`), and, for a document sent as e-mail from Word, the envelope
//! (`MsoEnvelope`).
//!
//! A copy keeps every table where it is: the people become `Author 1`, `Author 2`, … (as
//! long as the table has room, else shorter), the table's length in the FIB becomes that of
//! what was written and the rest of its bytes zero; the tables that only say who and where
//! (saved-by list, printer, autosave path, routing slip, document variables, e-mail
//! envelope) are zeroed and
//! their length set to zero, which Word reads as "none"; linked files' paths keep their
//! file names, their folders turned into underscores; the time becomes zero.

use super::props::utf16;
use super::{u16_at, u32_at};
use crate::media::annotations::{Numbering, UNKNOWN_AUTHOR};
use crate::media::office::PROPERTIES_REMOVED;

const IDENT: u16 = 0xA5EC;
const ENCRYPTED: u16 = 0x0100;
const TABLE_1: u16 = 0x0200;

/// Indexes in `FibRgFcLcb97`.
const PLCFAND_REF: usize = 4;
const PR_DRVR: usize = 27;
const PR_ENV_PORT: usize = 28;
const PR_ENV_LAND: usize = 29;
const STTBF_ASSOC: usize = 32;
const AUTOSAVE_SOURCE: usize = 35;
const ATN_OWNERS: usize = 36;
const STTBF_RMARK: usize = 51;
const STW_USER: usize = 60;
const ROUTE_SLIP: usize = 70;
const SAVED_BY: usize = 71;
const STTB_FNM: usize = 72;
/// Not a table: the time it was last saved (a FILETIME), in the pair's 8 bytes.
const MODIFIED: usize = 87;
/// In `FibRgFcLcb2000`: a document sent as e-mail from Word keeps the envelope (To, Cc,
/// subject). (`RmdThreading`, the thread's authors, is in nearly every Word 2000 file, and
/// Word requires it: it stays.)
const MSO_ENVELOPE: usize = 97;
/// In `FibRgFcLcb2003`: the users and groups allowed to edit protected ranges (account
/// names, e-mail addresses).
const STTB_PROT_USER: usize = 144;

/// Tables that are cleared: they say only who and where.
const CLEARED: [(usize, &str); 8] = [
    (PR_DRVR, "printer"),
    (PR_ENV_PORT, "printer"),
    (PR_ENV_LAND, "printer"),
    (AUTOSAVE_SOURCE, "autosave path"),
    (ROUTE_SLIP, "routing slip"),
    (SAVED_BY, "saved-by list"),
    (STW_USER, "document variables"),
    (MSO_ENVELOPE, "e-mail addresses"),
];

/// A comment's reference: its author's initials in the first 20 bytes.
const ATRD: usize = 30;

/// Where the FIB keeps its (offset, length) pairs, and how many there are.
struct Fib {
    pairs_at: usize,
    pairs: usize,
    table_1: bool,
    encrypted: bool,
}

fn fib(doc: &[u8]) -> Option<Fib> {
    if u16_at(doc, 0)? != IDENT {
        return None;
    }
    let flags = u16_at(doc, 0x0A)?;
    let csw = usize::from(u16_at(doc, 32)?);
    let lw_at = 34 + 2 * csw;
    let cslw = usize::from(u16_at(doc, lw_at)?);
    let fc_at = lw_at + 2 + 4 * cslw;
    let pairs = usize::from(u16_at(doc, fc_at)?);
    Some(Fib {
        pairs_at: fc_at + 2,
        pairs,
        table_1: flags & TABLE_1 != 0,
        encrypted: flags & ENCRYPTED != 0,
    })
}

impl Fib {
    /// The table at `index`: where it is in the table stream and how long.
    fn table(&self, doc: &[u8], index: usize) -> Option<(usize, usize)> {
        if index >= self.pairs {
            return None;
        }
        let at = self.pairs_at + 8 * index;
        let (fc, lcb) = (u32_at(doc, at)? as usize, u32_at(doc, at + 4)? as usize);
        (lcb > 0).then_some((fc, lcb))
    }

    fn set_len(&self, doc: &mut [u8], index: usize, len: usize) {
        let at = self.pairs_at + 8 * index + 4;
        if let Some(b) = doc.get_mut(at..at + 4) {
            b.copy_from_slice(&(len as u32).to_le_bytes());
        }
    }
}

/// The name of the table stream a `WordDocument` stream goes with.
pub(crate) fn table_name(doc: &[u8]) -> Option<&'static str> {
    fib(doc).map(|f| if f.table_1 { "1Table" } else { "0Table" })
}

/// Whether the document is encrypted (its tables cannot be read).
pub(crate) fn encrypted(doc: &[u8]) -> bool {
    fib(doc).is_some_and(|f| f.encrypted)
}

/// An extended string table: its header, and each string's (offset, length in characters)
/// and the extra bytes after it.
struct Sttb {
    head: usize,
    strings: Vec<(usize, usize)>,
    extra: usize,
}

fn sttb(t: &[u8]) -> Option<Sttb> {
    if u16_at(t, 0)? != 0xFFFF {
        return None;
    }
    let count = usize::from(u16_at(t, 2)?);
    let extra = usize::from(u16_at(t, 4)?);
    let mut at = 6;
    let mut strings = Vec::with_capacity(count.min(4096));
    for _ in 0..count {
        let cch = usize::from(u16_at(t, at)?);
        if at + 2 + 2 * cch + extra > t.len() {
            return None;
        }
        strings.push((at + 2, cch));
        at += 2 + 2 * cch + extra;
    }
    Some(Sttb {
        head: 6,
        strings,
        extra,
    })
}

/// A run of counted UTF-16 strings filling the table (the comment owners).
fn xsts(t: &[u8]) -> Option<Vec<(usize, usize)>> {
    let mut at = 0;
    let mut out = Vec::new();
    while at + 2 <= t.len() {
        let cch = usize::from(u16_at(t, at)?);
        if at + 2 + 2 * cch > t.len() {
            return None;
        }
        out.push((at + 2, cch));
        at += 2 + 2 * cch;
    }
    Some(out)
}

fn text(t: &[u8], (at, cch): (usize, usize)) -> String {
    utf16(&t[at..at + 2 * cch]).trim().to_owned()
}

/// The people a Word document's tables name, and whether it has any of the tables that say
/// only who and where.
pub(crate) fn people(doc: &[u8], table: &[u8]) -> Vec<String> {
    let Some(f) = fib(doc) else {
        return Vec::new();
    };
    let slice = |i| {
        f.table(doc, i)
            .and_then(|(fc, lcb)| table.get(fc..fc + lcb))
    };
    let mut out: Vec<String> = Vec::new();
    let mut add = |name: String| {
        if !name.is_empty() && name != UNKNOWN_AUTHOR && !out.contains(&name) {
            out.push(name);
        }
    };
    for i in [STTBF_RMARK, SAVED_BY, STTB_PROT_USER] {
        if let Some(s) = slice(i).and_then(|t| Some((t, sttb(t)?))) {
            // The saved-by list is (author, path) pairs: both are said.
            s.1.strings.iter().for_each(|&r| add(text(s.0, r)));
        }
    }
    if let Some(t) = slice(ATN_OWNERS) {
        xsts(t)
            .unwrap_or_default()
            .into_iter()
            .for_each(|r| add(text(t, r)));
    }
    if let Some(s) = slice(STTB_FNM).and_then(|t| Some((t, sttb(t)?))) {
        for &r in &s.1.strings {
            let path = text(s.0, r);
            let folders = path.rfind(['\\', '/']).map_or("", |i| &path[..i]);
            if !folders.chars().all(|c| c == '_') {
                add(path);
            }
        }
    }
    if let Some(t) = slice(STTBF_ASSOC) {
        // The template's path (1), the author (6) and who saved it last (7).
        if let Some(s) = sttb(t) {
            for i in [1, 6, 7] {
                if let Some(&r) = s.strings.get(i) {
                    let v = text(t, r);
                    if i != 1 || v.contains(['\\', '/']) {
                        add(v);
                    }
                }
            }
        }
    }
    out
}

/// UTF-16 of `s` with its length first.
pub(super) fn xst(s: &str) -> Vec<u8> {
    let units: Vec<u16> = s.encode_utf16().collect();
    let mut out = (units.len() as u16).to_le_bytes().to_vec();
    units
        .iter()
        .for_each(|u| out.extend_from_slice(&u.to_le_bytes()));
    out
}

/// The strings of a table written again as `labels` gives them, in the forms tried in
/// turn (`Author 1`, then `1`, then empty) until they fit in the table's length.
fn relabel(
    old: &[u8],
    strings: &[(usize, usize)],
    head: usize,
    extra: usize,
    labels: &[Vec<String>],
) -> Option<Vec<u8>> {
    for form in labels {
        let mut out = old[..head].to_vec();
        for (&(at, cch), label) in strings.iter().zip(form) {
            out.extend_from_slice(&xst(label));
            out.extend_from_slice(&old[at + 2 * cch..at + 2 * cch + extra]);
        }
        if out.len() <= old.len() {
            return Some(out);
        }
    }
    None
}

/// Writes a document's tables again without the people and places they name; returns what
/// was removed. `doc` is the `WordDocument` stream (its FIB gets the new lengths), `table`
/// the table stream (same length after).
pub(crate) fn strip(doc: &mut [u8], table: &mut [u8], names: &mut Numbering) -> Vec<&'static str> {
    let mut removed = Vec::new();
    let Some(f) = fib(doc) else {
        return removed;
    };
    if f.encrypted {
        return removed;
    }
    let mut replace = |doc: &mut [u8], table: &mut [u8], i: usize, new: &[u8], what| {
        if let Some((fc, lcb)) = f.table(doc, i) {
            if let Some(t) = table.get_mut(fc..fc + lcb) {
                if new.len() <= lcb && (t[..new.len()] != *new || new.len() < lcb) {
                    t[..new.len()].copy_from_slice(new);
                    t[new.len()..].fill(0);
                    f.set_len(doc, i, new.len());
                    if !removed.contains(&what) {
                        removed.push(what);
                    }
                }
            }
        }
    };
    for (i, what) in CLEARED {
        replace(doc, table, i, &[], what);
    }
    let slice = |doc: &[u8], table: &[u8], i| {
        f.table(doc, i)
            .and_then(|(fc, lcb)| table.get(fc..fc + lcb))
            .map(<[u8]>::to_vec)
    };
    let forms = |names: &mut Numbering, old: &[u8], strings: &[(usize, usize)]| {
        // Word's own "Unknown" (changes whose author it does not know) is no one.
        let numbers: Vec<Option<usize>> = strings
            .iter()
            .map(|&r| {
                Some(text(old, r))
                    .filter(|t| t != UNKNOWN_AUTHOR)
                    .map(|t| names.number(&t))
            })
            .collect();
        let form = |f: &dyn Fn(usize) -> String| -> Vec<String> {
            numbers
                .iter()
                .map(|n| n.map_or(UNKNOWN_AUTHOR.into(), f))
                .collect()
        };
        vec![
            form(&|n| format!("Author {n}")),
            form(&|n| n.to_string()),
            vec![String::new(); numbers.len()],
        ]
    };
    if let Some(old) = slice(doc, table, STTBF_RMARK) {
        if let Some(s) = sttb(&old) {
            let labels = forms(names, &old, &s.strings);
            if let Some(new) = relabel(&old, &s.strings, s.head, s.extra, &labels) {
                if new != old {
                    replace(doc, table, STTBF_RMARK, &new, "authors of changes");
                }
            }
        }
    }
    if let Some(old) = slice(doc, table, ATN_OWNERS) {
        if let Some(strings) = xsts(&old) {
            let labels = forms(names, &old, &strings);
            if let Some(new) = relabel(&old, &strings, 0, 0, &labels) {
                if new != old {
                    replace(doc, table, ATN_OWNERS, &new, "authors of comments");
                }
            }
        }
    }
    for (i, what) in [
        (STTBF_ASSOC, PROPERTIES_REMOVED),
        (STTB_PROT_USER, "users allowed to edit"),
    ] {
        if let Some(old) = slice(doc, table, i) {
            if let Some(s) = sttb(&old) {
                let empty = vec![vec![String::new(); s.strings.len()]];
                if let Some(new) = relabel(&old, &s.strings, s.head, s.extra, &empty) {
                    if new != old {
                        replace(doc, table, i, &new, what);
                    }
                }
            }
        }
    }
    // Linked files' paths, in place.
    if let Some((fc, lcb)) = f.table(doc, STTB_FNM) {
        if let Some(t) = table.get_mut(fc..fc + lcb) {
            if let Some(s) = sttb(t) {
                for (at, cch) in s.strings {
                    if super::blank_folders(&mut t[at..at + 2 * cch], 2)
                        && !removed.contains(&"folders of linked files")
                    {
                        removed.push("folders of linked files");
                    }
                }
            }
        }
    }
    if f.pairs > MODIFIED {
        let at = f.pairs_at + 8 * MODIFIED;
        if let Some(time) = doc
            .get_mut(at..at + 8)
            .filter(|t| t.iter().any(|&b| b != 0))
        {
            time.fill(0);
            removed.push("file times");
        }
    }
    // Each comment's initials, in place.
    if let Some((fc, lcb)) = f.table(doc, PLCFAND_REF) {
        let n = lcb.saturating_sub(4) / (4 + ATRD);
        let first = fc + 4 * (n + 1);
        for k in 0..n {
            let at = first + k * ATRD;
            if let Some(initials) = table.get_mut(at..at + 20) {
                if initials.iter().any(|&b| b != 0) {
                    initials.fill(0);
                    if !removed.contains(&"initials of comments") {
                        removed.push("initials of comments");
                    }
                }
            }
        }
    }
    removed
}

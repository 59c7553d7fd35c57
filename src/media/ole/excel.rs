//! Excel 97–2003 workbooks ([MS-XLS]): the `Workbook` stream is a run of records. Three name
//! people: `WriteAccess` (the user name of whoever saved it), `FileSharing` (whoever set a
//! password to modify it) and `Note` (each comment's author). A copy writes them again in
//! place, the same length: sheets are found by their offsets in the stream, so nothing may
//! move. `WriteAccess` becomes spaces, the others `Author 1`, … cut or padded to fit.
//! Pictures are in the drawing group (`MsoDrawingGroup` and the `Continue` records after
//! it), cut into records of at most 8,224 bytes: [`drawings`] joins them so that a photo's
//! metadata can be blanked whole ([`crate::media::pictures`]), and [`put_back`] writes the
//! joined bytes where they came from.

use std::ops::Range;

use super::props::decode;
use super::u16_at;
use crate::media::annotations::Numbering;

const NOTE: u16 = 0x001C;
const FILEPASS: u16 = 0x002F;
const FILE_SHARING: u16 = 0x005B;
const WRITE_ACCESS: u16 = 0x005C;
const CONTINUE: u16 = 0x003C;
const DRAWING_GROUP: u16 = 0x00EB;

/// A name in a record: where its characters are, how many, and whether two bytes each.
struct Name {
    at: usize,
    cch: usize,
    wide: bool,
}

/// The records that name someone, with where the name is.
fn names(wb: &[u8]) -> (Vec<(u16, Name)>, bool) {
    let mut out = Vec::new();
    let mut at = 0;
    let mut encrypted = false;
    while let (Some(kind), Some(len)) = (u16_at(wb, at), u16_at(wb, at + 2)) {
        let body = at + 4;
        let end = body + usize::from(len);
        if end > wb.len() {
            break;
        }
        let name_at = match kind {
            WRITE_ACCESS => Some(body),
            FILE_SHARING => Some(body + 4),
            NOTE => Some(body + 8),
            FILEPASS => {
                // What follows is encrypted: its names cannot be read.
                encrypted = true;
                break;
            }
            _ => None,
        };
        if let Some(n) = name_at {
            if let (Some(cch), Some(&flags)) = (u16_at(wb, n), wb.get(n + 2)) {
                let (cch, wide) = (usize::from(cch), flags & 1 != 0);
                let chars = n + 3;
                if chars + cch * if wide { 2 } else { 1 } <= end {
                    out.push((
                        kind,
                        Name {
                            at: chars,
                            cch,
                            wide,
                        },
                    ));
                }
            }
        }
        at = end;
    }
    (out, encrypted)
}

fn text(wb: &[u8], n: &Name) -> String {
    if n.wide {
        super::props::utf16(&wb[n.at..n.at + 2 * n.cch])
    } else {
        decode(&wb[n.at..n.at + n.cch], 1252)
    }
    .trim()
    .to_owned()
}

/// The records of a workbook, as each one's type and body, up to the end or to encryption.
fn records(wb: &[u8]) -> impl Iterator<Item = (u16, Range<usize>)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let (kind, len) = (u16_at(wb, at)?, u16_at(wb, at + 2)?);
        let body = at + 4..at + 4 + usize::from(len);
        if body.end > wb.len() || kind == FILEPASS {
            return None;
        }
        at = body.end;
        Some((kind, body))
    })
}

/// The bodies of the drawing group's records, joined, and where each came from.
pub(crate) fn drawings(wb: &[u8]) -> (Vec<u8>, Vec<Range<usize>>) {
    let (mut joined, mut pieces) = (Vec::new(), Vec::new());
    let mut in_group = false;
    for (kind, body) in records(wb) {
        in_group = kind == DRAWING_GROUP || (in_group && kind == CONTINUE);
        if in_group {
            joined.extend_from_slice(&wb[body.clone()]);
            pieces.push(body);
        }
    }
    (joined, pieces)
}

/// Writes `joined` (from [`drawings`], changed in place) back where it came from.
pub(crate) fn put_back(wb: &mut [u8], joined: &[u8], pieces: &[Range<usize>]) {
    let mut from = 0;
    for p in pieces {
        wb[p.clone()].copy_from_slice(&joined[from..from + p.len()]);
        from += p.len();
    }
}

/// The people a workbook names, and whether it is encrypted (then not all could be read).
pub(crate) fn people(wb: &[u8]) -> (Vec<String>, bool) {
    let (found, encrypted) = names(wb);
    let mut out: Vec<String> = Vec::new();
    for (_, n) in &found {
        let t = text(wb, n);
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    (out, encrypted)
}

/// Writes the names in a workbook again in place; returns what was removed.
pub(crate) fn strip(wb: &mut [u8], numbers: &mut Numbering) -> Vec<&'static str> {
    let (found, _) = names(wb);
    let mut removed = Vec::new();
    for (kind, n) in found {
        let old = text(wb, &n);
        if old.is_empty() {
            continue;
        }
        let label = if kind == NOTE {
            numbers.label(&old)
        } else {
            String::new()
        };
        let chars = super::fitted(&label, n.cch);
        for (i, c) in chars.iter().enumerate() {
            if n.wide {
                wb[n.at + 2 * i..n.at + 2 * i + 2].copy_from_slice(&c.to_le_bytes());
            } else {
                wb[n.at + i] = *c as u8;
            }
        }
        let what = if kind == NOTE {
            "authors of comments"
        } else {
            "user name"
        };
        if !removed.contains(&what) {
            removed.push(what);
        }
    }
    removed
}

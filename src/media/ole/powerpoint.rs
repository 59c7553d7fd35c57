//! PowerPoint 97–2003 presentations ([MS-PPT]): the `Current User` stream names whoever
//! saved it last, and each comment (a `Comment10Container` record in the `PowerPoint
//! Document` stream, inside a slide's binary tags) its author and initials. A copy writes
//! them again in place, the same length: records are found by their offsets, so nothing may
//! move. The user name becomes spaces, authors `Author 1`, … cut or padded to fit.

use super::props::{decode, utf16};
use super::{u16_at, u32_at};
use crate::media::annotations::Numbering;

const COMMENT: [u8; 4] = [0x0F, 0x00, 0xE0, 0x2E];
const CSTRING: u16 = 0x0FBA;
/// Where the user name starts in the `Current User` stream, and its length's place.
const USER_AT: usize = 28;
const USER_LEN_AT: usize = 20;

/// The user name's 8-bit and UTF-16 ranges in a `Current User` stream.
fn user(cu: &[u8]) -> Option<(std::ops::Range<usize>, Option<std::ops::Range<usize>>)> {
    let len = usize::from(u16_at(cu, USER_LEN_AT)?);
    let ansi = USER_AT..USER_AT + len;
    cu.get(ansi.clone())?;
    let wide = ansi.end + 4..ansi.end + 4 + 2 * len;
    let wide = cu.get(wide.clone()).map(|_| wide);
    Some((ansi, wide))
}

/// Every comment's author and initials: (range of UTF-16 text, whether it is the initials).
fn comments(doc: &[u8]) -> Vec<(std::ops::Range<usize>, bool)> {
    let mut out = Vec::new();
    for at in memchr::memmem::find_iter(doc, &COMMENT) {
        let Some(len) = u32_at(doc, at + 4) else {
            continue;
        };
        let (start, end) = (at + 8, (at + 8).saturating_add(len as usize));
        if end > doc.len() {
            continue;
        }
        let mut found = Vec::new();
        let mut p = start;
        // The children must fill the container exactly, or this was no container.
        while p + 8 <= end {
            let (Some(vi), Some(kind), Some(n)) =
                (u16_at(doc, p), u16_at(doc, p + 2), u32_at(doc, p + 4))
            else {
                break;
            };
            let body = p + 8;
            let next = body.saturating_add(n as usize);
            if next > end {
                break;
            }
            if kind == CSTRING && vi >> 4 != 1 && n % 2 == 0 {
                found.push((body..next, vi >> 4 == 2));
            }
            p = next;
        }
        if p == end {
            out.extend(found);
        }
    }
    out
}

/// The people a presentation names (last user, comment authors).
pub(crate) fn people(current_user: Option<&[u8]>, doc: Option<&[u8]>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some((ansi, _)) = current_user.and_then(user) {
        let name = decode(&current_user.unwrap_or_default()[ansi], 1252);
        out.push(name.trim_end_matches('\0').trim().to_owned());
    }
    if let Some(doc) = doc {
        for (r, initials) in comments(doc) {
            if !initials {
                out.push(utf16(&doc[r]).trim().to_owned());
            }
        }
    }
    out.retain(|n| !n.is_empty());
    out.dedup();
    out
}

/// Blanks the last user's name in a `Current User` stream.
pub(crate) fn strip_user(cu: &mut [u8]) -> bool {
    let Some((ansi, wide)) = user(cu) else {
        return false;
    };
    let before = cu.to_vec();
    cu[ansi].fill(b' ');
    if let Some(w) = wide {
        for c in cu[w].chunks_exact_mut(2) {
            c.copy_from_slice(&[b' ', 0]);
        }
    }
    before != cu
}

/// Numbers comment authors and blanks their initials, in place.
pub(crate) fn strip_comments(doc: &mut [u8], numbers: &mut Numbering) -> bool {
    let mut changed = false;
    for (r, initials) in comments(doc) {
        let old = utf16(&doc[r.clone()]).trim().to_owned();
        let label = if initials || old.is_empty() {
            String::new()
        } else {
            numbers.label(&old)
        };
        let units = super::fitted(&label, r.len() / 2);
        for (c, u) in doc[r].chunks_exact_mut(2).zip(units) {
            let new = u.to_le_bytes();
            changed |= c != new;
            c.copy_from_slice(&new);
        }
    }
    changed
}

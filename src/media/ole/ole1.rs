//! Objects as OLE 1.0 keeps them, which is how RTF embeds them (`\objdata`, in hex): a
//! header naming the object's class, and for a link the linked file's path, then, for an
//! embedded object, its own data: for a Word, Excel or PowerPoint document a whole
//! compound file (read and cleaned as one, [`super::strip_in_place`]), for a file embedded
//! whole a package ([`super::package`]), for anything else bytes whose photos are cleaned
//! ([`crate::media::pictures`]). Everything is done in place, at the same length, so the
//! object's sizes hold.
//!
//! The header, as [MS-OLEDS] 2.2.4 gives it: the version (u32), the format (u32: 1 linked,
//! 2 embedded), the class name, the topic (a link's file path) and the item, each a u32
//! length and that many bytes, then, embedded, the data's size (u32) and the data.

use std::ops::Range;

use super::package::Package;
use super::{blank_folders, u32_at, Compound, MAGIC, PICTURE_LEFT};
use crate::media::pictures::{self, PICTURES_REMOVED};
use crate::media::{push_warning, Warning, UNREAD};

const LINKED: u32 = 1;
const EMBEDDED: u32 = 2;

/// Where an object's parts are.
struct Object {
    /// A link's file path.
    topic: Range<usize>,
    /// From the data's size on (a package starts with it), and the data alone.
    sized: Option<Range<usize>>,
    data: Option<Range<usize>>,
}

fn counted(b: &[u8], at: usize) -> Option<Range<usize>> {
    let len = usize::try_from(u32_at(b, at)?).ok()?;
    let r = at + 4..(at + 4).checked_add(len)?;
    (r.end <= b.len()).then_some(r)
}

fn parse(b: &[u8]) -> Option<Object> {
    let format = u32_at(b, 4)?;
    if format != LINKED && format != EMBEDDED {
        return None;
    }
    let class = counted(b, 8)?;
    let topic = counted(b, class.end)?;
    let item = counted(b, topic.end)?;
    let (sized, data) = if format == EMBEDDED {
        let data = counted(b, item.end)?;
        (Some(item.end..data.end), Some(data))
    } else {
        (None, None)
    };
    Some(Object { topic, sized, data })
}

/// What an object in `b` says of people, places and devices.
pub(crate) fn warnings(b: &[u8]) -> Vec<Warning> {
    let mut out = Vec::new();
    let Some(o) = parse(b) else {
        return pictures::Pictures::find(b).warnings;
    };
    let topic = crate::media::codepage::decode(&b[o.topic.clone()], 1252);
    let topic = topic.trim_end_matches('\0');
    if topic.contains(['\\', '/']) {
        push_warning(&mut out, "owner_name", Some(topic.to_owned()));
    }
    let (Some(sized), Some(data)) = (o.sized, o.data) else {
        return out;
    };
    let data_bytes = &b[data];
    if data_bytes.starts_with(&MAGIC) {
        match Compound::parse(data_bytes) {
            Ok(c) => super::describe(&c, data_bytes, &mut out),
            Err(why) => push_warning(
                &mut out,
                UNREAD,
                Some(format!("a damaged document inside ({why})")),
            ),
        }
    } else if let Some((paths, own)) = super::package_warnings(&b[sized]) {
        for path in paths {
            push_warning(&mut out, "owner_name", Some(path));
        }
        out.extend(own);
    } else {
        out.extend(pictures::Pictures::find(data_bytes).warnings);
    }
    out
}

/// Cleans an object in place; returns what was removed, or why it cannot be.
pub(crate) fn strip(b: &mut [u8]) -> Result<Vec<String>, String> {
    let mut removed = Vec::new();
    let Some(o) = parse(b) else {
        if pictures::clean(b).any() {
            removed.push(PICTURES_REMOVED.to_owned());
        }
        return left(b).map(|()| removed);
    };
    if blank_folders(&mut b[o.topic.clone()], 1) {
        removed.push("folders of linked files".to_owned());
    }
    let (Some(sized), Some(data)) = (o.sized, o.data) else {
        return Ok(removed);
    };
    if b[data.clone()].starts_with(&MAGIC) {
        let inside = super::strip_in_place(&mut b[data]).map_err(|e| e.to_string())?;
        removed.extend(inside);
        return Ok(removed);
    }
    let package = &mut b[sized];
    if Package::parse(package).is_some() {
        let inside = super::strip_package(package)?;
        removed.extend(inside.into_iter().map(str::to_owned));
        return Ok(removed);
    }
    let data = &mut b[data];
    if pictures::clean(data).any() {
        removed.push(PICTURES_REMOVED.to_owned());
    }
    left(data).map(|()| removed)
}

fn left(b: &[u8]) -> Result<(), String> {
    if pictures::leftover(b) {
        Err(PICTURE_LEFT.to_owned())
    } else {
        Ok(())
    }
}

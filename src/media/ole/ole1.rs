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
use super::{blank_folders, u32_at, MAGIC, PICTURE_LEFT};
use crate::media::pictures::{self, PICTURES_REMOVED};
use crate::media::{push_warning, Warning, MOST_DEPTH, TOO_DEEP};

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

/// What an object in `b`, in a file `depth` documents deep, says of people, places and
/// devices.
pub(crate) fn warnings(b: &[u8], depth: usize) -> Vec<Warning> {
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
    let package = (!data_bytes.starts_with(&MAGIC))
        .then(|| super::package_warnings(&b[sized], depth))
        .flatten();
    if let Some((paths, own)) = package {
        for path in paths {
            push_warning(&mut out, "owner_name", Some(path));
        }
        out.extend(own);
    } else {
        out.extend(super::embedded_file(data_bytes, depth).1);
        for w in pictures::Pictures::find(data_bytes).warnings {
            if !out.contains(&w) {
                out.push(w);
            }
        }
    }
    out
}

/// Cleans an object in a file `depth` documents deep in place; returns what was removed, or
/// why it cannot be.
pub(crate) fn strip(b: &mut [u8], depth: usize) -> Result<Vec<String>, String> {
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
        // What the document lost is said as it would be of it alone.
        if depth >= MOST_DEPTH {
            return Err(TOO_DEEP.into());
        }
        let inside = super::strip_in_place(&mut b[data], depth + 1).map_err(|e| e.to_string())?;
        removed.extend(inside);
        return Ok(removed);
    }
    let package = &mut b[sized];
    if Package::parse(package).is_some() {
        let inside = super::strip_package(package, depth)?;
        removed.extend(inside.into_iter().map(str::to_owned));
        return Ok(removed);
    }
    let inside = super::strip_embedded(&mut b[data], depth, "an object")?;
    removed.extend(inside.into_iter().map(str::to_owned));
    Ok(removed)
}

fn left(b: &[u8]) -> Result<(), String> {
    if pictures::leftover(b) {
        Err(PICTURE_LEFT.to_owned())
    } else {
        Ok(())
    }
}

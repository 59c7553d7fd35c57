//! HEIF photos (HEIC from iPhones, AVIF): an ISO base media file whose top-level `meta` box
//! lists the file's items (the picture's tiles, its thumbnail, and its EXIF and XMP, where
//! phones note the place, the device, the owner and the time) and says where each item's
//! bytes are (`iloc`), in the media data or in the `meta`'s own `idat`.
//!
//! A copy keeps every byte where it is: the EXIF and XMP items' bytes turn to zeros where
//! they lie, and nothing else changes, so every offset holds and the picture decodes as
//! before. As for a video's telemetry ([`super::telemetry`]), the index is read first
//! ([`plan`]) and the copy is made in a second pass ([`super::video::strip_image`]). An
//! item whose location cannot be followed is an error: the photo is not sent.

use std::io::{self, Read, Seek};
use std::ops::Range;

use super::strip::bad;
use super::telemetry::{child, index, merged, u32_at, u64_at, Fill, Plan};
use super::video::boxes;

/// Item extents read, at most (a photo has a few dozen).
const MOST_EXTENTS: usize = 100_000;

/// The media types that are HEIF files.
pub fn strippable(media_type: &str) -> bool {
    matches!(media_type, "image/heif" | "image/heic" | "image/avif")
}

/// Finds the EXIF and XMP items of a HEIF file, and where their bytes are.
pub fn plan<R: Read + Seek + ?Sized>(input: &mut R) -> io::Result<Plan> {
    let (media, metas) = index(input, b"meta")?;
    let mut plan = Plan::default();
    for (at, meta) in &metas {
        let inside_meta = *at..*at + meta.len() as u64;
        for (range, what, first) in risky_items(meta, *at).map_err(bad)? {
            let inside = |m: &Range<u64>| m.start <= range.start && range.end <= m.end;
            if !(media.iter().any(inside) || inside(&inside_meta)) {
                return Err(bad("its EXIF or XMP lies outside the media data"));
            }
            // An empty EXIF or XMP where there was one: readers that expect it find it
            // well formed.
            plan.fills.push(fill(what, &range, first));
            plan.zero.push(range);
            if !plan.notes.contains(&what) {
                plan.notes.push(what);
            }
        }
    }
    plan.zero = merged(std::mem::take(&mut plan.zero));
    Ok(plan)
}

/// An EXIF item: where its TIFF header starts (0: right after this), then a big-endian
/// TIFF header and a first directory with no entries.
const EMPTY_EXIF: &[u8] = b"\0\0\0\0MM\0\x2a\0\0\0\x08\0\0\0\0\0\0";
/// An XMP packet that says nothing (followed by spaces).
const EMPTY_XMP: &[u8] = br#"<x:xmpmeta xmlns:x="adobe:ns:meta/"/>"#;

/// What an item's extent holds in the copy: an empty EXIF or XMP at the start of its first
/// extent when there is room for it, zeros (EXIF) or spaces (XMP) everywhere else.
fn fill(what: &'static str, range: &Range<u64>, first: bool) -> Fill {
    let (prefix, pad) = if what == "XMP" {
        (EMPTY_XMP, b' ')
    } else {
        (EMPTY_EXIF, 0)
    };
    let fits = range.end - range.start >= prefix.len() as u64;
    Fill {
        at: range.clone(),
        prefix: if first && fits { prefix } else { b"" },
        pad,
    }
}

/// Where an item's extent is in the file, which item it is (EXIF, XMP), and whether it is
/// the item's first extent.
type Located = (Range<u64>, &'static str, bool);

/// The EXIF and XMP items in a `meta` box's body (which starts at `at` in the file): where
/// their bytes are in the file, which they are, and whether that is an item's first extent.
fn risky_items(meta: &[u8], at: u64) -> Result<Vec<Located>, &'static str> {
    // A full box: version and flags, then boxes.
    let inner = meta.get(4..).ok_or("a damaged meta box")?;
    let inner_at = at + 4;
    let kinds = match child(inner, b"iinf") {
        Some(iinf) => item_kinds(iinf).ok_or("a damaged item list")?,
        None => return Ok(Vec::new()),
    };
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let iloc = child(inner, b"iloc").ok_or("no item locations")?;
    // Where the `idat` box's data is in the file, for items built from it.
    let idat = crate::media::video::spans(inner)
        .find(|s| &s.kind == b"idat")
        .map(|s| inner_at + s.body.0 as u64..inner_at + s.body.1 as u64);
    let mut out = Vec::new();
    for loc in locations(iloc).ok_or("damaged item locations")? {
        let Some(&(_, what)) = kinds.iter().find(|(id, _)| *id == loc.id) else {
            continue;
        };
        if loc.data_reference != 0 {
            return Err("an EXIF or XMP item in another file");
        }
        let base = match loc.method {
            0 => 0,
            1 => {
                idat.as_ref()
                    .ok_or("an item in an idat box that is missing")?
                    .start
            }
            _ => return Err("an EXIF or XMP item built from other items"),
        };
        for (i, (offset, length)) in loc.extents.into_iter().enumerate() {
            if length == 0 {
                return Err("an EXIF or XMP item that runs to the end of the file");
            }
            let start = base
                .checked_add(loc.base_offset)
                .and_then(|s| s.checked_add(offset))
                .ok_or("an item location out of range")?;
            let end = start
                .checked_add(length)
                .ok_or("an item location out of range")?;
            if let (1, Some(idat)) = (loc.method, &idat) {
                if end > idat.end {
                    return Err("an item past the end of its idat box");
                }
            }
            out.push((start..end, what, i == 0));
        }
    }
    Ok(out)
}

/// The items (`infe` entries of `iinf`) that are EXIF or XMP, by ID.
fn item_kinds(iinf: &[u8]) -> Option<Vec<(u32, &'static str)>> {
    let first = if *iinf.first()? == 0 { 6 } else { 8 };
    let mut out = Vec::new();
    for (kind, infe) in boxes(iinf.get(first..)?) {
        if &kind != b"infe" {
            continue;
        }
        let version = *infe.first()?;
        let (id, rest) = match version {
            0..=2 => (u32::from(u16_at(infe, 4)?), infe.get(8..)?),
            _ => (u32_at(infe, 4)?, infe.get(10..)?),
        };
        let what = if version >= 2 {
            let (item_type, names) = rest.split_at_checked(4)?;
            match item_type {
                b"Exif" => Some("EXIF"),
                b"mime" => xmp(names.split(|&b| b == 0).nth(1)),
                _ => None,
            }
        } else {
            // Name, then content type.
            xmp(rest.split(|&b| b == 0).nth(1))
        };
        if let Some(what) = what {
            out.push((id, what));
        }
    }
    Some(out)
}

/// "XMP" when a content type is XMP's.
fn xmp(content_type: Option<&[u8]>) -> Option<&'static str> {
    let t = String::from_utf8_lossy(content_type?).to_lowercase();
    (t.contains("xmp") || t.contains("rdf+xml")).then_some("XMP")
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

/// One item's location (`iloc`).
struct Location {
    id: u32,
    /// 0: in this file; 1: in the `meta`'s `idat`; 2: from other items.
    method: u16,
    data_reference: u16,
    base_offset: u64,
    /// (offset, length); a length of 0 runs to the end of the file.
    extents: Vec<(u64, u64)>,
}

/// The item locations of an `iloc` box (versions 0, 1 and 2).
fn locations(iloc: &[u8]) -> Option<Vec<Location>> {
    let version = *iloc.first()?;
    if version > 2 {
        return None;
    }
    let sizes = iloc.get(4..6)?;
    let (offset_size, length_size) = (sizes[0] >> 4, sizes[0] & 0x0f);
    let base_offset_size = sizes[1] >> 4;
    let index_size = if version == 0 { 0 } else { sizes[1] & 0x0f };
    let mut at = 6;
    let mut take = |n: u8| -> Option<u64> {
        let v = match n {
            0 => 0,
            2 => u64::from(u16_at(iloc, at)?),
            4 => u64::from(u32_at(iloc, at)?),
            8 => u64_at(iloc, at)?,
            _ => return None,
        };
        at += usize::from(n);
        Some(v)
    };
    let count = take(if version < 2 { 2 } else { 4 })?;
    let mut out = Vec::new();
    let mut extents_in_all = 0usize;
    for _ in 0..count {
        let id = u32::try_from(take(if version < 2 { 2 } else { 4 })?).ok()?;
        let method = if version == 0 {
            0
        } else {
            (take(2)? & 0x0f) as u16
        };
        let data_reference = take(2)? as u16;
        let base_offset = take(base_offset_size)?;
        let extent_count = take(2)?;
        let mut extents = Vec::new();
        for _ in 0..extent_count {
            // Zero-sized fields take no bytes: a hostile box could list billions.
            extents_in_all += 1;
            if extents_in_all > MOST_EXTENTS {
                return None;
            }
            take(index_size)?;
            extents.push((take(offset_size)?, take(length_size)?));
        }
        out.push(Location {
            id,
            method,
            data_reference,
            base_offset,
            extents,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::video::strip_image;
    use crate::media::video::tests::{bx, full};

    const EXIF: &[u8] = b"\0\0\0\x06Exif\0\0MM\0\x2a\0\0\0\x08 GPS 43.2389 76.8897 Aigerim";
    const XMP: &[u8] = br#"<x:xmpmeta><rdf:Description City="Zhanaozen"/></x:xmpmeta>"#;
    const PICTURE: &[u8] = &[0xAB; 3000];

    fn infe(id: u16, item_type: &[u8; 4], extra: &[u8]) -> Vec<u8> {
        let mut b = vec![2, 0, 0, 0];
        b.extend_from_slice(&id.to_be_bytes());
        b.extend_from_slice(&[0, 0]);
        b.extend_from_slice(item_type);
        b.push(0); // no name
        b.extend_from_slice(extra);
        bx(b"infe", &b)
    }

    /// An iloc (version 1, 4-byte offsets and lengths, no base offset) of (id, method,
    /// extents).
    /// An item: its ID, how it is located, and its extents (offset, length).
    type Item<'a> = (u16, u16, &'a [(u32, u32)]);

    fn iloc(items: &[Item<'_>]) -> Vec<u8> {
        let mut b = vec![1, 0, 0, 0, 0x44, 0x00];
        b.extend_from_slice(&(items.len() as u16).to_be_bytes());
        for (id, method, extents) in items {
            b.extend_from_slice(&id.to_be_bytes());
            b.extend_from_slice(&method.to_be_bytes());
            b.extend_from_slice(&[0, 0]); // this file
            b.extend_from_slice(&(extents.len() as u16).to_be_bytes());
            for (o, l) in *extents {
                b.extend_from_slice(&o.to_be_bytes());
                b.extend_from_slice(&l.to_be_bytes());
            }
        }
        bx(b"iloc", &b)
    }

    /// A phone's photo: the picture and its EXIF in the media data, its XMP in the `meta`'s
    /// `idat`. `exif_at` moves where the index says the EXIF is; `method` is how the EXIF
    /// is located.
    fn photo_with(exif_at: i64, method: u16) -> Vec<u8> {
        let ftyp = bx(b"ftyp", b"heic\0\0\0\0mif1heic");
        let meta = |mdat_at: u32| {
            let mut iinf = full(&[]);
            iinf.extend_from_slice(&3u16.to_be_bytes());
            iinf.extend(
                [
                    infe(1, b"hvc1", b""),
                    infe(2, b"Exif", b""),
                    infe(3, b"mime", b"application/rdf+xml\0"),
                ]
                .concat(),
            );
            let picture = mdat_at;
            let exif = (i64::from(mdat_at) + PICTURE.len() as i64 + exif_at) as u32;
            let items = [
                (1, 0, &[(picture, PICTURE.len() as u32)][..]),
                (2, method, &[(exif, EXIF.len() as u32)][..]),
                (3, 1, &[(0, XMP.len() as u32)][..]),
            ];
            bx(
                b"meta",
                &[
                    full(&[]),
                    bx(b"hdlr", &[0; 25]),
                    bx(b"iinf", &iinf),
                    iloc(&items),
                    bx(b"idat", XMP),
                ]
                .concat(),
            )
        };
        let mdat_at = (ftyp.len() + meta(0).len() + 8) as u32;
        [ftyp, meta(mdat_at), bx(b"mdat", &[PICTURE, EXIF].concat())].concat()
    }

    fn find(haystack: &[u8], needle: &[u8]) -> usize {
        haystack
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap()
    }

    fn planned(file: &[u8]) -> io::Result<Plan> {
        plan(&mut io::Cursor::new(file))
    }

    #[test]
    fn a_photo_s_exif_and_xmp_are_found_and_emptied_where_they_lie() {
        let file = photo_with(0, 0);
        let plan = planned(&file).unwrap();
        let (exif, xmp) = (find(&file, EXIF) as u64, find(&file, XMP) as u64);
        assert_eq!(
            plan.zero,
            [xmp..xmp + XMP.len() as u64, exif..exif + EXIF.len() as u64]
        );
        let mut copy = Vec::new();
        let removed = strip_image(&mut &file[..], &plan, &mut copy).unwrap();
        assert_eq!(removed, ["EXIF", "XMP"]);
        assert_eq!(copy.len(), file.len());
        let (exif, xmp) = (exif as usize, xmp as usize);
        // Everything but the two items is as it was.
        assert_eq!(copy[..xmp], file[..xmp]);
        assert_eq!(copy[xmp + XMP.len()..exif], file[xmp + XMP.len()..exif]);
        // They hold an empty EXIF and an empty XMP packet now.
        let copied_exif = &copy[exif..exif + EXIF.len()];
        assert_eq!(copied_exif[..EMPTY_EXIF.len()], *EMPTY_EXIF);
        assert!(copied_exif[EMPTY_EXIF.len()..].iter().all(|&b| b == 0));
        let copied_xmp = &copy[xmp..xmp + XMP.len()];
        assert_eq!(copied_xmp[..EMPTY_XMP.len()], *EMPTY_XMP);
        assert!(copied_xmp[EMPTY_XMP.len()..].iter().all(|&b| b == b' '));
        // The empty EXIF is one an EXIF reader takes, with nothing in it.
        let tiff = copied_exif[4..].to_vec();
        let parsed = exif::Reader::new().read_raw(tiff).unwrap();
        assert_eq!(parsed.fields().count(), 0);
    }

    #[test]
    fn an_item_that_cannot_be_followed_stops_the_copy() {
        // Past the media data, and built from other items.
        for (moved, method) in [(10_000, 0), (0, 2)] {
            assert!(planned(&photo_with(moved, method)).is_err());
        }
        // A plan for another file is not carried out.
        let plan = planned(&photo_with(0, 0)).unwrap();
        let mut shorter = photo_with(0, 0);
        shorter.truncate(shorter.len() - 40);
        assert!(strip_image(&mut &shorter[..], &plan, &mut Vec::new()).is_err());
        // Cut anywhere, the index never panics.
        let file = photo_with(0, 0);
        for cut in 0..file.len() {
            let _ = planned(&file[..cut]);
        }
        // A photo without EXIF or XMP needs nothing blanked.
        let bare = [bx(b"ftyp", b"heic\0\0\0\0heic"), bx(b"mdat", PICTURE)].concat();
        assert_eq!(planned(&bare).unwrap(), Plan::default());
    }

    #[test]
    fn hostile_item_locations_are_bounded() {
        // Zero-sized fields take no bytes: 65,535 extents per item cost nothing to claim.
        let mut b = vec![1, 0, 0, 0, 0x00, 0x00];
        b.extend_from_slice(&2000u16.to_be_bytes());
        for id in 0..2000u16 {
            b.extend_from_slice(&id.to_be_bytes());
            b.extend_from_slice(&[0, 0, 0, 0, 0xFF, 0xFF]);
        }
        assert!(locations(&b).is_none());
        assert!(locations(&[3, 0, 0, 0, 0x44, 0]).is_none());
        assert!(locations(&[1, 0, 0, 0, 0x33, 0, 0, 1]).is_none());
    }
}

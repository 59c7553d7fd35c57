//! Property set streams ([MS-OLEPS]): `\x05SummaryInformation` (title, author, last saved
//! by, template, times, software, a thumbnail of the first page) and
//! `\x05DocumentSummaryInformation` (company, manager, the custom properties).

use super::{u16_at, u32_at};
pub(super) use crate::media::codepage::{decode, utf16};

/// What a property set names.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub(crate) owners: Vec<String>,
    pub(crate) time: Option<String>,
    pub(crate) software: Option<String>,
}

const SUMMARY: [u8; 16] = [
    0xE0, 0x85, 0x9F, 0xF2, 0xF9, 0x4F, 0x68, 0x10, 0xAB, 0x91, 0x08, 0x00, 0x2B, 0x27, 0xB3, 0xD9,
];
const DOC_SUMMARY: [u8; 16] = [
    0x02, 0xD5, 0xCD, 0xD5, 0x9C, 0x2E, 0x1B, 0x10, 0x93, 0x97, 0x08, 0x00, 0x2B, 0x2C, 0xF9, 0xAE,
];

const PID_CODEPAGE: u32 = 1;
/// Bytes a property set needs for a header and one section holding only its code page.
const MINIMAL: usize = 72;

/// One section: its format id and its properties as (id, offset of the value in `stream`).
struct Section {
    fmtid: [u8; 16],
    props: Vec<(u32, usize)>,
}

fn sections(stream: &[u8]) -> Vec<Section> {
    let mut out = Vec::new();
    if u16_at(stream, 0) != Some(0xFFFE) {
        return out;
    }
    let count = u32_at(stream, 24).unwrap_or(0).min(4) as usize;
    for i in 0..count {
        let at = 28 + 20 * i;
        let (Some(id), Some(offset)) = (stream.get(at..at + 16), u32_at(stream, at + 16)) else {
            break;
        };
        let mut fmtid = [0u8; 16];
        fmtid.copy_from_slice(id);
        let start = offset as usize;
        let n = u32_at(stream, start + 4).unwrap_or(0) as usize;
        let props = (0..n.min(stream.len() / 8))
            .map_while(|k| {
                let p = start + 8 + 8 * k;
                Some((u32_at(stream, p)?, start + u32_at(stream, p + 4)? as usize))
            })
            .collect();
        out.push(Section { fmtid, props });
    }
    out
}

/// The code page strings of a section are in (1252, Western, where it does not say).
fn codepage(stream: &[u8], s: &Section) -> u16 {
    s.props
        .iter()
        .find(|(id, _)| *id == PID_CODEPAGE)
        .and_then(|&(_, at)| u16_at(stream, at + 4))
        .unwrap_or(1252)
}

/// A string value (`VT_LPSTR` in the section's code page, or `VT_LPWSTR`).
fn string(stream: &[u8], at: usize, codepage: u16) -> Option<String> {
    let kind = u16_at(stream, at)?;
    let len = u32_at(stream, at + 4)? as usize;
    let body = at + 8;
    let text = match kind {
        0x1E if codepage == 1200 => utf16(stream.get(body..body.checked_add(len)?)?),
        0x1E => decode(stream.get(body..body.checked_add(len)?)?, codepage),
        0x1F => utf16(stream.get(body..body.checked_add(len.checked_mul(2)?)?)?),
        _ => return None,
    };
    let text = text.trim_end_matches('\0').trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// A FILETIME value as an ISO 8601 time (`None` for zero or nonsense).
pub(super) fn filetime(stream: &[u8], at: usize) -> Option<String> {
    if u16_at(stream, at)? != 0x40 {
        return None;
    }
    let lo = u64::from(u32_at(stream, at + 4)?);
    let hi = u64::from(u32_at(stream, at + 8)?);
    filetime_text((hi << 32) | lo)
}

/// 100-nanosecond steps since 1601 as an ISO 8601 time.
pub(super) fn filetime_text(ft: u64) -> Option<String> {
    const TO_UNIX: i64 = 11_644_473_600;
    let secs = i64::try_from(ft / 10_000_000).ok()? - TO_UNIX;
    // Before 1980 is no real document's date (zero, or an edit duration).
    if secs < 315_532_800 {
        return None;
    }
    let t = time::OffsetDateTime::from_unix_timestamp(secs).ok()?;
    t.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// What the property set in `stream` says of people, software and times.
pub(crate) fn read(stream: &[u8]) -> Found {
    let mut found = Found::default();
    for s in sections(stream) {
        let cp = codepage(stream, &s);
        for &(id, at) in &s.props {
            match (s.fmtid, id) {
                // Author, last saved by; the template, where it is a path (it can name the
                // user's folder).
                (SUMMARY, 4 | 8) | (DOC_SUMMARY, 14 | 15) => {
                    if let Some(name) = string(stream, at, cp) {
                        if !found.owners.contains(&name) {
                            found.owners.push(name);
                        }
                    }
                }
                (SUMMARY, 7) => {
                    if let Some(t) = string(stream, at, cp).filter(|t| t.contains(['\\', '/'])) {
                        found.owners.push(t);
                    }
                }
                // Last printed, created, last saved.
                (SUMMARY, 11..=13) => found.time = found.time.take().or(filetime(stream, at)),
                (SUMMARY, 18) => found.software = found.software.take().or(string(stream, at, cp)),
                _ => {}
            }
        }
    }
    found
}

/// The same stream with no property but its code page (same length: a compound file's
/// streams keep their sectors), or `None` if it holds nothing else already.
pub(crate) fn blank(stream: &[u8]) -> Option<Vec<u8>> {
    let secs = sections(stream);
    let first = secs.first();
    let cp = first.map_or(1252, |s| codepage(stream, s));
    let fmtid = first.map_or(SUMMARY, |s| s.fmtid);
    let mut out = vec![0u8; stream.len()];
    if stream.len() >= MINIMAL {
        let mut w = Vec::with_capacity(MINIMAL);
        w.extend_from_slice(&0xFFFEu16.to_le_bytes());
        w.extend_from_slice(&[0; 2 + 4 + 16]);
        w.extend_from_slice(&1u32.to_le_bytes());
        w.extend_from_slice(&fmtid);
        w.extend_from_slice(&48u32.to_le_bytes());
        // The section: its size, one property, the code page as a 16-bit integer.
        w.extend_from_slice(&24u32.to_le_bytes());
        w.extend_from_slice(&1u32.to_le_bytes());
        w.extend_from_slice(&PID_CODEPAGE.to_le_bytes());
        w.extend_from_slice(&16u32.to_le_bytes());
        w.extend_from_slice(&2u32.to_le_bytes());
        w.extend_from_slice(&cp.to_le_bytes());
        w.extend_from_slice(&[0; 2]);
        out[..MINIMAL].copy_from_slice(&w);
    }
    (out != stream).then_some(out)
}

//! Cameras record telemetry (GoPro GPMF, CAMM, DJI's, Sony's `rtmd`), a GPS position among
//! it for every moment, as a track of its own whose samples lie in the media data beside the
//! video's and the sound's; and most record a timecode track, the time of day from the
//! camera's clock. A copy without them keeps every byte where it is: each such track's
//! samples turn to zeros and its `trak` box to a `free` box of the same size, so no offset
//! changes and players play the rest as before.
//!
//! Which bytes are the track's is written in its sample tables, in the `moov`, which cameras
//! and phones write after the media data. So the file's index is read first, seeking past
//! the media ([`plan`]), and the copy is made in a second pass that knows what to blank
//! ([`super::video::strip`]). A telemetry track whose tables do not add up, or point outside
//! the media data, is left out of the plan: the copy keeps it, and the check of the copy
//! refuses it.

use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;

use super::video::{boxes, side_track, spans, SideTrack, MOOV_LIMIT};

/// Top-level boxes looked at before giving up on a file (real ones have a handful).
const MOST_TOP_BOXES: usize = 10_000;

/// Chunks of a telemetry track located, at most: bounds the plan's memory (a few MiB) where
/// a hostile index could ask for far more. A camera writes one a second or so: this is
/// days of recording.
const MOST_CHUNKS: usize = 200_000;

/// What a copy without telemetry and timecode blanks.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Where each such `trak` box's type is written in the file: these become `free`.
    pub(super) tracks: Vec<u64>,
    /// Their samples, in order, not overlapping.
    pub(super) zero: Vec<Range<u64>>,
    /// What blanking `zero` removes, when no track says it (a photo's EXIF and XMP items).
    pub(super) notes: Vec<&'static str>,
    /// Written over zeroed bytes, so that what readers expect there is still well formed.
    pub(super) fills: Vec<Fill>,
}

/// Bytes written over a zeroed range: `prefix` first, then `pad` to its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Fill {
    pub(super) at: Range<u64>,
    pub(super) prefix: &'static [u8],
    pub(super) pad: u8,
}

impl Fill {
    /// Writes its part of `buf`, which holds the file's bytes from `from` on.
    pub(super) fn apply(&self, from: u64, buf: &mut [u8]) {
        let to = from + buf.len() as u64;
        let (start, end) = (self.at.start.max(from), self.at.end.min(to));
        for pos in start..end {
            let i = (pos - self.at.start) as usize;
            buf[(pos - from) as usize] = self.prefix.get(i).copied().unwrap_or(self.pad);
        }
    }
}

impl Plan {
    /// Bytes of samples it blanks.
    pub(super) fn zero_len(&self) -> u64 {
        self.zero.iter().map(|r| r.end - r.start).sum()
    }
}

/// Reads an ISO base media file's index to find its telemetry and timecode tracks and their
/// samples. Only box headers and the `moov` are read (at most [`MOOV_LIMIT`] of `moov`s in
/// all, whatever a file claims: the tracks of any further one are left out of the plan).
pub fn plan<R: Read + Seek + ?Sized>(input: &mut R) -> io::Result<Plan> {
    let (media, moovs) = index(input, b"moov")?;
    let mut plan = Plan::default();
    for (base, moov) in &moovs {
        for trak in spans(moov).filter(|s| &s.kind == b"trak") {
            let Some(Ok(samples)) = samples(&moov[trak.body.0..trak.body.1]) else {
                continue;
            };
            let inside = |r: &Range<u64>| {
                r.is_empty() || media.iter().any(|m| m.start <= r.start && r.end <= m.end)
            };
            if samples.iter().all(inside) {
                plan.tracks.push(base + trak.kind_at as u64);
                plan.zero
                    .extend(samples.into_iter().filter(|r| !r.is_empty()));
            }
        }
    }
    plan.zero = merged(std::mem::take(&mut plan.zero));
    Ok(plan)
}

/// Where the media data is, and the boxes read (where each body starts, and its bytes).
pub(super) type Index = (Vec<Range<u64>>, Vec<(u64, Vec<u8>)>);

/// The media data (`mdat` bodies) of an ISO base media file, and the top-level boxes of
/// type `wanted`, each with where its body starts; only box headers and those boxes are read
/// (at most [`MOOV_LIMIT`] of them in all: any further one is left out).
pub(super) fn index<R: Read + Seek + ?Sized>(input: &mut R, wanted: &[u8; 4]) -> io::Result<Index> {
    let len = input.seek(SeekFrom::End(0))?;
    let mut media: Vec<Range<u64>> = Vec::new();
    let mut kept: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut budget = MOOV_LIMIT;
    let mut at = 0u64;
    for _ in 0..MOST_TOP_BOXES {
        if len - at < 8 {
            break;
        }
        input.seek(SeekFrom::Start(at))?;
        let mut header = [0u8; 16];
        input.read_exact(&mut header[..8])?;
        let kind = [header[4], header[5], header[6], header[7]];
        let (size, header_len) =
            match u32::from_be_bytes([header[0], header[1], header[2], header[3]]) {
                0 => (len - at, 8),
                1 => {
                    input.read_exact(&mut header[8..16])?;
                    let mut b = [0u8; 8];
                    b.copy_from_slice(&header[8..16]);
                    (u64::from_be_bytes(b), 16)
                }
                n => (u64::from(n), 8),
            };
        if size < header_len || size > len - at {
            break;
        }
        let body = at + header_len..at + size;
        match &kind {
            b"mdat" => media.push(body),
            k if k == wanted && body.end - body.start <= budget => {
                budget -= body.end - body.start;
                let mut bytes = Vec::new();
                (&mut *input)
                    .take(body.end - body.start)
                    .read_to_end(&mut bytes)?;
                kept.push((body.start, bytes));
            }
            _ => {}
        }
        at += size;
    }
    Ok((media, kept))
}

/// Sorted, with overlapping and touching ranges joined.
pub(super) fn merged(mut ranges: Vec<Range<u64>>) -> Vec<Range<u64>> {
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<Range<u64>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// The first box of a type in `bytes`.
pub(super) fn child<'a>(bytes: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    boxes(bytes).find(|(k, _)| k == kind).map(|(_, b)| b)
}

/// A track's sample table.
fn stbl(trak: &[u8]) -> Option<&[u8]> {
    child(trak, b"mdia")
        .and_then(|m| child(m, b"minf"))
        .and_then(|m| child(m, b"stbl"))
}

/// What a track (a `trak` box's body) holds, when it is telemetry or timecode.
pub(super) fn side_track_of(trak: &[u8]) -> Option<SideTrack> {
    side_track(child(stbl(trak)?, b"stsd")?)
}

/// A track's samples in the file, when it is a telemetry or timecode track (`None` when it
/// is not; an error when its tables do not say where all of them are).
fn samples(trak: &[u8]) -> Option<Result<Vec<Range<u64>>, &'static str>> {
    side_track_of(trak)?;
    Some(locate(stbl(trak)?))
}

pub(super) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

pub(super) fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Each sample's size (`stsz`: one size for all, or one each; `stz2`: 4, 8 or 16 bits
/// each).
enum Sizes<'a> {
    Same(u64),
    Each { table: &'a [u8], bits: u8 },
}

impl Sizes<'_> {
    fn get(&self, i: u64) -> Option<u64> {
        match *self {
            Self::Same(s) => Some(s),
            Self::Each { table, bits } => {
                let i = usize::try_from(i).ok()?;
                Some(match bits {
                    4 => u64::from((*table.get(i / 2)? >> (4 * (1 - i % 2))) & 0x0f),
                    8 => u64::from(*table.get(i)?),
                    16 => u64::from(u16::from_be_bytes(
                        table.get(2 * i..2 * i + 2)?.try_into().ok()?,
                    )),
                    _ => u64::from(u32_at(table, 4 * i)?),
                })
            }
        }
    }

    /// Bytes of samples `from..from + n`.
    fn sum(&self, from: u64, n: u64) -> Option<u64> {
        match *self {
            Self::Same(s) => s.checked_mul(n),
            Self::Each { .. } => {
                (from..from.checked_add(n)?).try_fold(0u64, |acc, i| acc.checked_add(self.get(i)?))
            }
        }
    }
}

/// Sizes and count from `stsz` or `stz2`.
fn sizes(stbl: &[u8]) -> Option<(Sizes<'_>, u64)> {
    if let Some(b) = child(stbl, b"stsz") {
        let (size, count) = (u32_at(b, 4)?, u32_at(b, 8)?);
        if size != 0 {
            return Some((Sizes::Same(u64::from(size)), u64::from(count)));
        }
        let table = b.get(12..12 + 4 * count as usize)?;
        return Some((Sizes::Each { table, bits: 32 }, u64::from(count)));
    }
    let b = child(stbl, b"stz2")?;
    let (bits, count) = (*b.get(7)?, u32_at(b, 8)?);
    let bytes = match bits {
        4 => (count as usize).div_ceil(2),
        8 => count as usize,
        16 => 2 * count as usize,
        _ => return None,
    };
    let table = b.get(12..12 + bytes)?;
    Some((Sizes::Each { table, bits }, u64::from(count)))
}

/// Chunk offsets from `stco` or `co64`.
fn chunk_offsets(stbl: &[u8]) -> Option<Vec<u64>> {
    let (b, wide) = match child(stbl, b"stco") {
        Some(b) => (b, false),
        None => (child(stbl, b"co64")?, true),
    };
    let count = u32_at(b, 4)? as usize;
    if count > MOST_CHUNKS {
        return None;
    }
    let width = if wide { 8 } else { 4 };
    // The count is checked against the box before anything is allocated for it.
    b.get(8..8 + count.checked_mul(width)?)?;
    (0..count)
        .map(|i| match wide {
            true => u64_at(b, 8 + 8 * i),
            false => u32_at(b, 8 + 4 * i).map(u64::from),
        })
        .collect()
}

/// Runs of chunks with the same number of samples (`stsc`): (first chunk, samples each).
fn runs(stbl: &[u8]) -> Option<Vec<(u64, u64)>> {
    let b = child(stbl, b"stsc")?;
    let count = u32_at(b, 4)? as usize;
    b.get(8..8 + count.checked_mul(12)?)?;
    let runs: Vec<(u64, u64)> = (0..count)
        .map(|i| {
            Some((
                u64::from(u32_at(b, 8 + 12 * i)?),
                u64::from(u32_at(b, 12 + 12 * i)?),
            ))
        })
        .collect::<Option<_>>()?;
    let ordered =
        runs.first().is_some_and(|r| r.0 == 1) && runs.windows(2).all(|w| w[0].0 < w[1].0);
    ordered.then_some(runs)
}

/// Where a track's samples are: each chunk's offset, and the sizes of the samples in it.
fn locate(stbl: &[u8]) -> Result<Vec<Range<u64>>, &'static str> {
    let (sizes, count) = sizes(stbl).ok_or("no readable sample sizes")?;
    let offsets = chunk_offsets(stbl).ok_or("no readable chunk offsets, or too many")?;
    let runs = runs(stbl).ok_or("no readable sample-to-chunk table")?;
    let mut out = Vec::with_capacity(offsets.len());
    let (mut sample, mut run, mut each) = (0u64, 0usize, 0u64);
    for (i, &offset) in offsets.iter().enumerate() {
        let chunk = i as u64 + 1;
        while runs.get(run).is_some_and(|r| r.0 <= chunk) {
            each = runs[run].1;
            run += 1;
        }
        let n = each.min(count - sample);
        if n < each {
            return Err("its chunks hold more samples than it has");
        }
        let len = sizes.sum(sample, n).ok_or("a sample size out of range")?;
        let end = offset
            .checked_add(len)
            .ok_or("a chunk past any file's end")?;
        out.push(offset..end);
        sample += n;
    }
    if sample != count {
        return Err("some of its samples are in no chunk");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::video::tests::{bx, full};

    fn stbl(tables: &[Vec<u8>]) -> Vec<u8> {
        let mut stsd = full(&[1]);
        stsd.extend_from_slice(&bx(b"gpmd", &[0; 8]));
        [vec![bx(b"stsd", &stsd)], tables.to_vec()]
            .concat()
            .concat()
    }

    #[test]
    fn samples_are_found_through_chunks_of_varying_sizes() {
        // Five samples: two chunks of two, then one of one.
        let tables = stbl(&[
            bx(b"stsz", &full(&[0, 5, 10, 20, 30, 40, 50])),
            bx(b"stsc", &full(&[2, 1, 2, 1, 3, 1, 1])),
            bx(b"stco", &full(&[3, 1000, 2000, 5000])),
        ]);
        assert_eq!(
            locate(&tables),
            Ok(vec![1000..1030, 2000..2070, 5000..5050])
        );
        // One size for all, 64-bit offsets.
        let mut co64 = full(&[2]);
        co64.extend_from_slice(&(1u64 << 33).to_be_bytes());
        co64.extend_from_slice(&((1u64 << 33) + 100).to_be_bytes());
        let tables = stbl(&[
            bx(b"stsz", &full(&[8, 4])),
            bx(b"stsc", &full(&[1, 1, 2, 1])),
            bx(b"co64", &co64),
        ]);
        assert_eq!(
            locate(&tables),
            Ok(vec![
                (1 << 33)..(1 << 33) + 16,
                (1 << 33) + 100..(1 << 33) + 116
            ])
        );
        // Compact sizes of 4 bits.
        let mut stz2 = full(&[0, 3]);
        stz2[7] = 4;
        stz2.extend_from_slice(&[0x12, 0x30]);
        let tables = stbl(&[
            bx(b"stz2", &stz2),
            bx(b"stsc", &full(&[1, 1, 3, 1])),
            bx(b"stco", &full(&[1, 40])),
        ]);
        assert_eq!(locate(&tables), Ok(vec![Range { start: 40, end: 46 }]));
    }

    #[test]
    fn tables_that_do_not_add_up_locate_nothing() {
        let sizes = bx(b"stsz", &full(&[0, 2, 10, 20]));
        let chunks = bx(b"stco", &full(&[2, 100, 200]));
        for (tables, why) in [
            (
                vec![
                    sizes.clone(),
                    bx(b"stsc", &full(&[1, 1, 2, 1])),
                    chunks.clone(),
                ],
                "more samples",
            ),
            (
                vec![
                    sizes.clone(),
                    bx(b"stsc", &full(&[1, 1, 1, 1])),
                    bx(b"stco", &full(&[1, 100])),
                ],
                "in no chunk",
            ),
            (
                vec![
                    sizes.clone(),
                    bx(b"stsc", &full(&[1, 2, 1, 1])),
                    chunks.clone(),
                ],
                "sample-to-chunk",
            ),
            (
                vec![
                    sizes.clone(),
                    bx(b"stsc", &full(&[1, 0, 1, 1])),
                    chunks.clone(),
                ],
                "sample-to-chunk",
            ),
            (
                vec![
                    sizes.clone(),
                    bx(b"stsc", &full(&[1, 1, 1, 1])),
                    bx(b"stco", &full(&[9, 100])),
                ],
                "chunk offsets",
            ),
            (
                vec![
                    bx(b"stsz", &full(&[0, 9, 10])),
                    bx(b"stsc", &full(&[1, 1, 1, 1])),
                    chunks.clone(),
                ],
                "sample sizes",
            ),
            (
                vec![bx(b"stsc", &full(&[1, 1, 1, 1])), chunks],
                "sample sizes",
            ),
        ] {
            let got = locate(&stbl(&tables));
            assert!(
                got.as_ref().is_err_and(|e| e.contains(why)),
                "{why}: {got:?}"
            );
        }
    }

    #[test]
    fn ranges_are_merged_in_order() {
        assert_eq!(
            merged(vec![50..60, 0..10, 10..20, 55..70, 80..80]),
            vec![0..20, 50..70, 80..80]
        );
    }
}

//! Files embedded whole in a document (Word's and Excel's "Insert > Object > Create from
//! file": OLE 1.0's Package, in an `\x01Ole10Native` stream). Besides the file, it keeps the
//! path the file was inserted from and the temporary path it was packed at, twice (8-bit
//! and UTF-16): both name folders, often the Windows account (`C:\Users\aigerim\Desktop\…`).
//! The copy keeps each path's file name and turns its folders into underscores, at the
//! same length, in place. The embedded file's own metadata is read as a file's is
//! ([`crate::media::Sniffer`]); the copy blanks a photo's ([`crate::media::pictures`]), and
//! a document whose embedded file keeps any is not copied.
//!
//! The layout, as Apache POI's `Ole10Native` reads it: the size of what follows (u32), 2
//! (u16), the label and the path (8-bit, each ending in a zero byte), two u16, the
//! temporary path (u32 length with its zero byte, then the bytes), the file (u32 length,
//! then the bytes), and, optionally, the temporary path, label and path again in UTF-16,
//! each after its length in characters (u32).

use std::ops::Range;

use super::{blank_folders, u32_at};

/// The longest 8-bit path read (Windows' longest, with room).
const LONGEST_PATH: usize = 4096;

/// Where a package's fields are in its stream.
#[derive(Debug)]
pub(crate) struct Package {
    /// The 8-bit paths (without their zero byte).
    narrow: Vec<Range<usize>>,
    /// The UTF-16 texts (temporary path, label, path).
    wide: Vec<Range<usize>>,
    /// The embedded file.
    pub(crate) data: Range<usize>,
}

fn zero_ended(b: &[u8], at: usize) -> Option<Range<usize>> {
    let rest = b.get(at..)?;
    let len = memchr::memchr(0, &rest[..rest.len().min(LONGEST_PATH)])?;
    Some(at..at + len)
}

impl Package {
    /// The package in a stream, if it is one.
    pub(crate) fn parse(b: &[u8]) -> Option<Package> {
        if b.get(4..6)? != [2, 0] || b.get(6).is_none_or(|c| c.is_ascii_control()) {
            return None;
        }
        let label = zero_ended(b, 6)?;
        let path = zero_ended(b, label.end + 1)?;
        let command_len = usize::try_from(u32_at(b, path.end + 5)?).ok()?;
        let command_at = path.end + 9;
        let command = command_at..command_at.checked_add(command_len)?;
        // Its zero byte is part of its length.
        let command = command.start..command.end.saturating_sub(1).max(command.start);
        let data_len = usize::try_from(u32_at(b, command_at + command_len)?).ok()?;
        let data_at = command_at + command_len + 4;
        let data = data_at..data_at.checked_add(data_len)?;
        if data.end > b.len() {
            return None;
        }
        let mut wide = Vec::new();
        let mut at = data.end;
        for _ in 0..3 {
            let Some(chars) = u32_at(b, at).and_then(|n| usize::try_from(n).ok()) else {
                break;
            };
            let Some(end) = chars.checked_mul(2).and_then(|n| n.checked_add(at + 4)) else {
                break;
            };
            if chars == 0 || end > b.len() {
                break;
            }
            wide.push(at + 4..end);
            at = end;
        }
        Some(Package {
            narrow: vec![path, command],
            wide,
            data,
        })
    }

    /// The paths that name folders, as the file holds them.
    pub(crate) fn paths(&self, b: &[u8]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let texts = self
            .narrow
            .iter()
            .map(|r| crate::media::codepage::decode(&b[r.clone()], 1252))
            .chain(self.wide.iter().map(|r| super::props::utf16(&b[r.clone()])));
        for t in texts.filter_map(|t| super::with_folders(&t)) {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }

    /// Turns every path's folders into underscores, where they stand; whether any changed.
    pub(crate) fn blank(&self, b: &mut [u8]) -> bool {
        let mut changed = false;
        for r in &self.narrow {
            changed |= blank_folders(&mut b[r.clone()], 1);
        }
        for r in &self.wide {
            changed |= blank_folders(&mut b[r.clone()], 2);
        }
        changed
    }

    /// The label (the embedded file's name, as the document shows it).
    pub(crate) fn label(b: &[u8]) -> String {
        zero_ended(b, 6)
            .map(|r| crate::media::codepage::decode(&b[r], 1252))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::package;
    use super::*;

    #[test]
    fn a_package_s_paths_keep_their_file_names_and_lose_their_folders() {
        let path = r"C:\Users\Aigerim Nurlanovna\Desktop\witness 7.mp3";
        let temp = r"C:\Users\AIGERI~1\AppData\Local\Temp\{A1B2}\witness 7.mp3";
        let mut b = package("witness 7.mp3", path, temp, b"ID3 the recording");
        let p = Package::parse(&b).expect("a package");
        assert_eq!(&b[p.data.clone()], b"ID3 the recording");
        assert_eq!(p.paths(&b), [path, temp]);
        let before = b.clone();
        assert!(p.blank(&mut b));
        assert_eq!(b.len(), before.len());
        let after = Package::parse(&b).expect("still a package");
        assert_eq!(&b[after.data.clone()], b"ID3 the recording");
        assert_eq!(after.paths(&b), Vec::<String>::new());
        let text = String::from_utf8_lossy(&b);
        let blanked = format!("{}\\witness 7.mp3", "_".repeat(35));
        assert!(text.contains(&blanked), "{text}");
        assert!(!text.contains("Aigerim") && !text.contains("AIGERI"));
        let wide: Vec<u8> = "Aigerim"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(memchr::memmem::find(&b, &wide).is_none());
        assert_eq!(Package::label(&b), "witness 7.mp3");
        assert!(!after.blank(&mut b), "a second pass changes nothing");
    }

    #[test]
    fn other_ole1_objects_and_damaged_packages_are_not_packages() {
        // An equation (its formula right after the type) and Paintbrush's bitmap.
        assert!(Package::parse(b"\x24\0\0\0\x02\0\x01\x01\0\x0a\x01\x12").is_none());
        assert!(Package::parse(b"\x40\x1a\x04\0BM6\x1a\x04\0\0\0").is_none());
        let b = package("a.png", r"C:\a\a.png", r"C:\t\a.png", b"data");
        for cut in 0..b.len() - 40 {
            let _ = Package::parse(&b[..cut]).map(|p| p.paths(&b[..cut]));
        }
        let data_end = Package::parse(&b).unwrap().data.end;
        assert!(Package::parse(&b[..data_end - 1]).is_none());
    }
}

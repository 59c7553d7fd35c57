//! `manifest.json` of an `aigaq-bundle/1`: RFC 8785 bytes, signed as they are.

use serde::{Deserialize, Serialize};

/// The format tag.
pub const FORMAT: &str = "aigaq-bundle/1";

/// The manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// UUIDv7 of this bundle.
    pub bundle_id: String,
    /// RFC 3339 time it was made.
    pub created: String,
    /// Who made it.
    pub sender: Sender,
    /// The range of the sender's ledger the bundle's entries come from.
    pub ledger: LedgerRange,
    /// Every other file in the tar.
    pub entries: Vec<FileEntry>,
}

/// The sending device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sender {
    /// Raw 32-byte Ed25519 public key, standard padded base64.
    pub device_key: String,
    /// `age1…` recipient to send acknowledgements to.
    pub age_recipient: String,
    /// The name the device gives itself, if any (absent when unnamed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// First and last `seq` of the ledger entries in `ledger.jsonl` (0, 0 when none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerRange {
    /// Lowest `seq`.
    pub first: i64,
    /// Highest `seq`.
    pub last: i64,
}

/// One file of the tar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Path inside the tar.
    pub path: String,
    /// Bytes.
    pub size: u64,
    /// Hex SHA-256.
    pub sha256: String,
}

/// A file of the tar as export lists it, borrowed: the list grows with the bundle, so it is
/// written out entry by entry rather than built as values first.
pub(crate) struct EntryRef<'a> {
    /// Path inside the tar.
    pub(crate) path: std::borrow::Cow<'a, str>,
    /// Bytes.
    pub(crate) size: u64,
    /// SHA-256.
    pub(crate) sha256: [u8; 32],
}

impl Manifest {
    /// The RFC 8785 bytes of this manifest with `entries` (its own list is ignored) in
    /// place of its list: the same bytes as [`crate::canonical::to_bytes`] would make of
    /// it with those entries, without the copy of the list that would take.
    pub(crate) fn canonical_with<'a>(
        &self,
        entries: impl Iterator<Item = EntryRef<'a>>,
    ) -> Result<Vec<u8>, serde_json::Error> {
        let mut out = Vec::new();
        self.canonical_chunks(entries, |chunk| out.extend_from_slice(chunk))?;
        Ok(out)
    }

    /// [`Manifest::canonical_with`], handed to `emit` a piece at a time: a reader compares
    /// them with the bytes it received without making a second copy of them.
    pub(crate) fn canonical_chunks<'a>(
        &self,
        entries: impl Iterator<Item = EntryRef<'a>>,
        mut emit: impl FnMut(&[u8]),
    ) -> Result<(), serde_json::Error> {
        use crate::canonical::{to_bytes, write_str, write_value};
        const CHUNK: usize = 64 * 1024;
        // Members in RFC 8785 order: bundle_id, created, entries, format, ledger, sender;
        // an entry's are path, sha256, size.
        let mut out = Vec::with_capacity(CHUNK + 1024);
        out.extend_from_slice(b"{\"bundle_id\":");
        write_str(&self.bundle_id, &mut out);
        out.extend_from_slice(b",\"created\":");
        write_str(&self.created, &mut out);
        out.extend_from_slice(b",\"entries\":[");
        let mut hex = [0u8; 64];
        for (i, e) in entries.enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"path\":");
            write_str(&e.path, &mut out);
            out.extend_from_slice(b",\"sha256\":\"");
            out.extend_from_slice(crate::canonical::hex_into(&e.sha256, &mut hex));
            out.extend_from_slice(b"\",\"size\":");
            write_value(&serde_json::Value::from(e.size), &mut out);
            out.push(b'}');
            if out.len() >= CHUNK {
                emit(&out);
                out.clear();
            }
        }
        out.extend_from_slice(b"],\"format\":");
        write_str(&self.format, &mut out);
        out.extend_from_slice(b",\"ledger\":");
        out.extend_from_slice(&to_bytes(&self.ledger)?);
        out.extend_from_slice(b",\"sender\":");
        out.extend_from_slice(&to_bytes(&self.sender)?);
        out.push(b'}');
        emit(&out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical;

    fn manifest(name: Option<&str>, entries: Vec<FileEntry>) -> Manifest {
        Manifest {
            format: FORMAT.into(),
            bundle_id: "0192d3c4-0000-7000-8000-000000000001".into(),
            created: "2026-11-23T05:00:00Z".into(),
            sender: Sender {
                device_key: "AAAA".into(),
                age_recipient: "age1xyz".into(),
                name: name.map(Into::into),
            },
            ledger: LedgerRange { first: 3, last: 9 },
            entries,
        }
    }

    #[test]
    fn a_long_list_comes_out_in_pieces_that_make_the_whole() {
        let entries: Vec<FileEntry> = (0..3000u64)
            .map(|i| FileEntry {
                path: format!("records/{i:036}/{i:064}.json"),
                size: i * 7,
                sha256: canonical::hex(&[(i % 251) as u8; 32]),
            })
            .collect();
        let whole = canonical::to_bytes(&manifest(Some("Device"), entries.clone())).unwrap();
        let mut pieces = Vec::new();
        manifest(Some("Device"), Vec::new())
            .canonical_chunks(
                entries.iter().map(|f| EntryRef {
                    path: f.path.as_str().into(),
                    size: f.size,
                    sha256: canonical::unhex32(&f.sha256).unwrap(),
                }),
                |chunk| pieces.push(chunk.to_vec()),
            )
            .unwrap();
        assert!(pieces.len() > 3);
        assert_eq!(pieces.concat(), whole);
    }

    #[test]
    fn written_entry_by_entry_it_is_the_canonical_form_of_the_whole() {
        let shas: Vec<[u8; 32]> = (0u8..4).map(|i| [i.wrapping_mul(77); 32]).collect();
        let paths = [
            "ledger.jsonl",
            "records/0192d3c4-0000-7000-8000-00000000000a/ab.json",
            "attachments/\"quoted\"\\é\u{1f600}",
            "records/x/y.json",
        ];
        let sizes = [0u64, 1, 9_007_199_254_740_993, 16 << 30];
        for name in [None, Some("Алматы \"north\" \u{1}"), Some("")] {
            for n in 0..=paths.len() {
                let entries: Vec<FileEntry> = (0..n)
                    .map(|i| FileEntry {
                        path: paths[i].into(),
                        size: sizes[i],
                        sha256: canonical::hex(&shas[i]),
                    })
                    .collect();
                let whole = manifest(name, entries);
                let head = manifest(name, Vec::new());
                let written = head
                    .canonical_with((0..n).map(|i| EntryRef {
                        path: paths[i].into(),
                        size: sizes[i],
                        sha256: shas[i],
                    }))
                    .unwrap();
                assert_eq!(
                    String::from_utf8(written).unwrap(),
                    String::from_utf8(canonical::to_bytes(&whole).unwrap()).unwrap()
                );
            }
        }
    }
}

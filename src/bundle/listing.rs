//! The manifest's list of files as a reader keeps it while the tar streams past: one compact
//! row per file, its name parsed into an id and hashes as bytes, sorted for lookup. A bundle
//! may list 200,000 files; kept as strings, parsed first into a list of its own and then
//! copied into a map, the list took more memory than everything else the reader holds and
//! alone could take an import past 100 MiB.

use std::borrow::Cow;

use serde::Deserialize;

use super::inspect::{hash_key, uuid_key};
use super::manifest::{EntryRef, LedgerRange, Manifest, Sender};

/// A file an `aigaq-bundle/1` can hold, besides its manifest and signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Name {
    /// `ledger.jsonl`
    Ledger,
    /// `records/<uuid>/<revision>.json`
    Record([u8; 16], [u8; 32]),
    /// `attachments/<sha256>`
    Attachment([u8; 32]),
}

impl Name {
    /// The name of a file at `path`; `None` for a path no bundle holds (only the lower-case
    /// forms of ids and hashes are accepted, so each name has exactly one path).
    pub(super) fn parse(path: &str) -> Option<Self> {
        if path == "ledger.jsonl" {
            return Some(Self::Ledger);
        }
        if let Some(sha) = path.strip_prefix("attachments/") {
            return hash_key(sha).map(Self::Attachment);
        }
        let rest = path.strip_prefix("records/")?;
        let (id, file) = rest.split_once('/')?;
        let rev = file.strip_suffix(".json")?;
        Some(Self::Record(uuid_key(id)?, hash_key(rev)?))
    }

    /// The path it was parsed from.
    pub(super) fn path(&self) -> String {
        match self {
            Self::Ledger => "ledger.jsonl".into(),
            Self::Record(id, rev) => format!(
                "records/{}/{}.json",
                uuid::Uuid::from_bytes(*id).hyphenated(),
                crate::canonical::hex(rev)
            ),
            Self::Attachment(sha) => format!("attachments/{}", crate::canonical::hex(sha)),
        }
    }
}

/// A file the manifest lists.
pub(super) struct Listed {
    pub(super) name: Name,
    pub(super) size: u64,
    pub(super) sha256: [u8; 32],
    /// Read from the tar already.
    pub(super) seen: bool,
}

/// Every file the manifest lists, sorted by name.
#[derive(Default)]
pub(super) struct Listing {
    rows: Vec<Listed>,
}

impl Listing {
    pub(super) fn get_mut(&mut self, name: &Name) -> Option<&mut Listed> {
        let at = self.rows.binary_search_by(|r| r.name.cmp(name)).ok()?;
        self.rows.get_mut(at)
    }

    /// A listed file that has not been read, if any.
    pub(super) fn first_unseen(&self) -> Option<Name> {
        self.rows.iter().find(|r| !r.seen).map(|r| r.name)
    }
}

/// `manifest.json` as received: its list borrowed from the bytes, not copied into strings.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Received<'a> {
    format: String,
    bundle_id: String,
    created: String,
    sender: Sender,
    ledger: LedgerRange,
    #[serde(borrow)]
    entries: Vec<ReceivedEntry<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReceivedEntry<'a> {
    #[serde(borrow)]
    path: Cow<'a, str>,
    size: u64,
    #[serde(borrow)]
    sha256: Cow<'a, str>,
}

/// Parses a manifest whose format is known and checks that its bytes are its RFC 8785
/// form, that every hash is lower-case hex and every path one a bundle can hold, each
/// listed once. Returns the manifest without its list (`entries` empty), and the list.
pub(super) fn parse(bytes: &[u8]) -> Result<(Manifest, Listing), String> {
    let received: Received<'_> =
        serde_json::from_slice(bytes).map_err(|e| format!("manifest.json: {e}"))?;
    let mut rows = Vec::with_capacity(received.entries.len());
    for e in &received.entries {
        let Some(sha256) = hash_key(&e.sha256) else {
            return Err(format!(
                "the manifest's SHA-256 of {} is not 64 lower-case hex digits",
                e.path
            ));
        };
        let Some(name) = Name::parse(&e.path) else {
            return Err(format!(
                "the manifest lists {:?}, which is not a file an aigaq-bundle/1 holds",
                e.path
            ));
        };
        rows.push(Listed {
            name,
            size: e.size,
            sha256,
            seen: false,
        });
    }
    let manifest = Manifest {
        format: received.format,
        bundle_id: received.bundle_id,
        created: received.created,
        sender: received.sender,
        ledger: received.ledger,
        entries: Vec::new(),
    };
    // Every member is typed, so the bytes are canonical exactly when they are what writing
    // these values canonically makes.
    let (mut at, mut same) = (0usize, true);
    let entries = received.entries.iter().zip(&rows).map(|(e, r)| EntryRef {
        path: Cow::Borrowed(&e.path),
        size: r.size,
        sha256: r.sha256,
    });
    manifest
        .canonical_chunks(entries, |chunk| {
            same &= bytes.get(at..at + chunk.len()) == Some(chunk);
            at += chunk.len();
        })
        .map_err(|e| format!("manifest.json: {e}"))?;
    if !same || at != bytes.len() {
        return Err("manifest.json is not in RFC 8785 canonical form".into());
    }
    drop(received.entries);
    rows.sort_unstable_by_key(|a| a.name);
    if let Some(twice) = rows.windows(2).find(|w| w[0].name == w[1].name) {
        return Err(format!("the manifest lists {} twice", twice[0].name.path()));
    }
    Ok((manifest, Listing { rows }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_to_their_paths_and_only_canonical_ones_do() {
        let rev = "ab".repeat(32);
        for path in [
            "ledger.jsonl".to_owned(),
            format!("records/01a2052a-71ef-73a4-8e59-5c5180e99d61/{rev}.json"),
            format!("attachments/{rev}"),
        ] {
            assert_eq!(Name::parse(&path).map(|n| n.path()), Some(path));
        }
        for path in [
            format!("records/01A2052A-71EF-73A4-8E59-5C5180E99D61/{rev}.json"),
            format!("records/01a2052a71ef73a48e595c5180e99d61/{rev}.json"),
            format!("records/01a2052a-71ef-73a4-8e59-5c5180e99d61/{rev}"),
            format!(
                "records/01a2052a-71ef-73a4-8e59-5c5180e99d61/{}.json",
                "AB".repeat(32)
            ),
            format!("attachments/{rev}/x"),
            format!("attachments/../{rev}"),
            "manifest.json".into(),
            "ledger.jsonl ".into(),
        ] {
            assert_eq!(Name::parse(&path), None, "{path}");
        }
    }
}

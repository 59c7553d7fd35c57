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

//! Handing testimonies to partner organisations: the organisation's age key (`keygen`), the
//! recipients a device may export to, `aigaq-bundle/1` bundles (export, inspect, import)
//! and the signed acknowledgements that come back (`aigaq-ack/1`).

pub mod ack;
mod age_file;
pub mod export;
mod glance;
pub mod import;
pub mod inspect;
mod listing;
pub mod manifest;
pub mod org_key;
#[cfg(test)]
mod reader_tests;
mod record_check;
mod signatures;
mod tar_out;

pub use age_file::padded_len;

pub use org_key::{OrgKey, Recipient};

/// What went wrong with keys, recipients or bundles.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Not an `age1…` X25519 recipient.
    #[error("{given:?} is not a valid age recipient: give the whole age1… line that the organisation's `aigaq keygen` printed")]
    BadRecipient {
        /// What was given (cut short).
        given: String,
    },
    #[error("that is a secret key (AGE-SECRET-KEY-…), not a recipient: never paste or send it anywhere. Give the public age1… line that `aigaq keygen` printed (it is also in the key file, after \"# public key:\")")]
    /// A secret key where a recipient belongs.
    SecretKeyGiven,
    /// A vault given a bundle it wrote itself.
    #[error("this bundle was written by this very device (its own export); nothing was imported. Bundles are imported into the receiving organisation's vault")]
    OwnBundle,
    /// Empty or overlong name.
    #[error("a name must be 1 to 200 characters, without line breaks or other control characters")]
    BadName,
    /// A name or key already listed.
    #[error(
        "{what} is already in the recipient list as {existing:?}; remove it first to replace it"
    )]
    DuplicateRecipient {
        /// The name or the key.
        what: String,
        /// The name it is listed under.
        existing: String,
    },
    /// No such recipient.
    #[error("no recipient named {name:?}; `aigaq recipient list` shows them")]
    UnknownRecipient {
        /// The name asked for.
        name: String,
    },
    /// Not for this key, or damaged before the age header could be read.
    #[error("could not decrypt {}: it was not encrypted to this organisation's key, or it is damaged; nothing was imported", path.display())]
    Decrypt {
        /// The bundle.
        path: std::path::PathBuf,
    },
    /// A check failed.
    #[error("the bundle failed verification: {reason}; nothing was imported")]
    Invalid {
        /// Which check.
        reason: String,
    },
    /// An acknowledgement not for this device.
    #[error("could not decrypt {} with this device's key: it is not an acknowledgement for this device, or it is damaged; nothing was imported (a bundle is imported with --identity ORG_KEY)", path.display())]
    DecryptAck {
        /// The file.
        path: std::path::PathBuf,
    },
    /// An acknowledgement's check failed.
    #[error("the acknowledgement failed verification: {reason}; nothing was imported")]
    InvalidAck {
        /// Which check.
        reason: String,
    },
    /// Bundles from several devices in one acknowledgement.
    #[error("these bundles come from more than one device; write one acknowledgement per sending device")]
    MixedSenders,
    /// A bundle not imported yet.
    #[error("{} has not been imported into this vault; import it first, then acknowledge it", path.display())]
    NotImported {
        /// The bundle.
        path: std::path::PathBuf,
    },
    /// A sender claims a name another device has.
    #[error("the bundle's sender calls itself {name:?}, but that is the name of another device already known ({known_name:?}, fingerprint {known}); this device's fingerprint is {claimed}. Nothing was imported: check with the sender before trusting it")]
    NameClaimed {
        /// The name claimed.
        name: String,
        /// The name as known.
        known_name: String,
        /// The fingerprint known under that name.
        known: String,
        /// The new device's fingerprint.
        claimed: String,
    },
    /// The OS random source failed.
    #[error("the system's random number generator failed; nothing was written")]
    Randomness,
    /// Nothing to send.
    #[error("nothing to export for {name:?}: no testimony shares with it that it has not received yet (consent.share_with must name it; --all sends everything again)")]
    NothingToExport {
        /// The recipient.
        name: String,
    },
    /// The output exists.
    #[error("{} already exists; choose another file name (nothing was overwritten)", path.display())]
    OutputExists {
        /// The file.
        path: std::path::PathBuf,
    },
    /// An identity file that is not one.
    #[error("{} is not an age identity file (it should hold a line starting with AGE-SECRET-KEY-1)", path.display())]
    BadIdentityFile {
        /// The file.
        path: std::path::PathBuf,
    },
    /// A protected identity file with the wrong passphrase.
    #[error("the passphrase does not open the identity file {}", path.display())]
    IdentityPassphrase {
        /// The file.
        path: std::path::PathBuf,
    },
    /// A protected identity file with no passphrase given.
    #[error("{} is protected by a passphrase: give it with --identity-passphrase-file", path.display())]
    IdentityNeedsPassphrase {
        /// The file.
        path: std::path::PathBuf,
    },
    /// The next testimony to go, with its attachments, is more than one bundle may carry.
    #[error("the next testimony to send, with its attachments, is more than one bundle may carry ({limit} bytes); nothing was written: detach the largest attachments, send them another way, and export again")]
    TestimonyTooLarge {
        /// The most a bundle's records and attachments may take.
        limit: u64,
    },
    /// The ledger entries of what would go are more than a receiver reads: those of one
    /// testimony alone (those of several wait for the next export).
    #[error("the history (ledger) of a testimony to send is {size} bytes, more than one bundle may carry ({limit}); nothing was written")]
    LedgerTooLong {
        /// Bytes of `ledger.jsonl`.
        size: u64,
        /// The most a reader accepts.
        limit: u64,
    },
    #[error("--strip-metadata cannot remove the metadata of {name:?} (SHA-256 {sha256}): {reason}; nothing was written. Detach it (`aigaq detach ID SHA256`) and send it another way, or, if the witness agreed that its metadata may go, export without --strip-metadata")]
    /// An attachment with risky metadata that no derivative can be made of.
    CannotStrip {
        /// Its original name.
        name: String,
        /// Its hash.
        sha256: String,
        /// Why.
        reason: String,
    },
    /// A record set aside between the export's two passes did not come back as it went.
    #[error("a testimony set aside during the export came back different or could not be read back; nothing was written: try again, and run `aigaq check` if it happens again")]
    ExportUnstable,
    /// A helper thread stopped unexpectedly.
    #[error("the work was interrupted (a helper thread stopped unexpectedly); nothing was written or imported: try again")]
    Interrupted,
    /// File input or output.
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: std::path::PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

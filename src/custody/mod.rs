//! Chain of custody: the device's keys and the signed, hash-chained ledger of every change,
//! and its verification.

pub mod device;
pub mod ledger;
#[cfg(test)]
mod tests;
pub mod verifier;

pub use device::DeviceKeys;
pub use ledger::{Entry, VerifyReport};

/// What went wrong with keys or the ledger.
#[derive(Debug, thiserror::Error)]
pub enum CustodyError {
    /// The OS random source failed.
    #[error("the system's random number generator failed; nothing was written")]
    Randomness,
    /// Stored keys do not parse.
    #[error(
        "the device keys stored in the vault are unreadable: the vault was altered or damaged"
    )]
    DeviceKeys,
    /// The vault has no device keys.
    #[error("the vault has no device keys: the vault was altered or damaged")]
    NoDeviceKeys,
    /// The chain is broken at an entry.
    #[error("ledger entry {seq}: {reason}")]
    BadEntry {
        /// The first bad entry.
        seq: i64,
        /// What is wrong with it.
        reason: String,
    },
    /// A stored revision the ledger does not vouch for.
    #[error("testimony {record}: {reason}")]
    BadRecord {
        /// The testimony.
        record: String,
        /// What is wrong.
        reason: String,
    },
}

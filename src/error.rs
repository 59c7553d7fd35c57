//! The one error type the CLI and the app see, with a stable `kind` for the UI and the
//! split between a user's mistake (exit 1) and a failed integrity check (exit 2).

use crate::bundle::BundleError;
use crate::model::InputError;
use crate::store::StoreError;
use crate::vault::VaultError;

/// Any failure of the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The vault as a whole.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// The records.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A testimony given as input.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Keys, recipients, bundles.
    #[error(transparent)]
    Bundle(#[from] BundleError),
}

impl Error {
    /// A stable, machine-readable name for the situation, for the UI to react to.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Vault(e) => match e {
                VaultError::NotFound { .. } => "vault_not_found",
                VaultError::NotAVault { .. } => "not_a_vault",
                VaultError::AlreadyExists { .. } | VaultError::FolderNotEmpty { .. } => {
                    "vault_exists"
                }
                VaultError::WrongPassphrase => "wrong_passphrase",
                VaultError::InUse { .. } => "vault_in_use",
                VaultError::KeyslotsDamaged { .. } | VaultError::DatabaseDamaged { .. } => {
                    "integrity"
                }
                VaultError::NewerFormat { .. } => "newer_format",
                VaultError::EmptyPassphrase
                | VaultError::PassphraseTooShort { .. }
                | VaultError::PassphraseNotText
                | VaultError::PassphraseInUse => "weak_passphrase",
                VaultError::BadKdfParams { .. } => "bad_kdf_params",
                VaultError::BadWipeAfter => "invalid_input",
                VaultError::OutOfMemory { .. } | VaultError::Randomness | VaultError::Io { .. } => {
                    "system"
                }
            },
            Error::Store(e) => match e {
                StoreError::UnknownTestimony { .. } | StoreError::AmbiguousId { .. } => "not_found",
                StoreError::Purged { .. } => "purged",
                StoreError::Input(_) => "invalid_input",
                StoreError::EmptyQuery => "invalid_input",
                StoreError::Damaged { .. } | StoreError::RevisionMismatch { .. } => "integrity",
                StoreError::NewerSchema { .. } => "newer_format",
                StoreError::Custody(c) => match c {
                    crate::custody::CustodyError::Randomness => "system",
                    _ => "integrity",
                },
                StoreError::Bundle(b) => bundle_kind(b),
                StoreError::Blob(b) => match b {
                    crate::store::blobs::BlobError::Damaged { .. } => "integrity",
                    _ => "system",
                },
                StoreError::Source { .. } => "invalid_input",
                StoreError::UnknownAttachment { .. } | StoreError::NotReceived { .. } => {
                    "not_found"
                }
                StoreError::NoPreview { .. }
                | StoreError::ShortAttachmentPrefix { .. }
                | StoreError::AmbiguousAttachment { .. } => "invalid_input",
                StoreError::Database(_) | StoreError::Encode(_) => "system",
            },
            Error::Input(_) => "invalid_input",
            Error::Bundle(b) => bundle_kind(b),
        }
    }

    /// True when stored data failed a check: the CLI exits 2.
    pub fn is_integrity(&self) -> bool {
        self.kind() == "integrity"
    }
}

fn bundle_kind(e: &BundleError) -> &'static str {
    match e {
        BundleError::BadRecipient { .. }
        | BundleError::SecretKeyGiven
        | BundleError::OwnBundle
        | BundleError::BadName
        | BundleError::DuplicateRecipient { .. }
        | BundleError::BadIdentityFile { .. }
        | BundleError::IdentityNeedsPassphrase { .. }
        | BundleError::MixedSenders
        | BundleError::LedgerTooLong { .. }
        | BundleError::TestimonyTooLarge { .. } => "invalid_input",
        BundleError::UnknownRecipient { .. }
        | BundleError::NothingToExport { .. }
        | BundleError::NotImported { .. } => "not_found",
        BundleError::CannotStrip { .. } => "cannot_strip",
        BundleError::IdentityPassphrase { .. } => "wrong_passphrase",
        BundleError::OutputExists { .. } => "exists",
        BundleError::Io { .. }
        | BundleError::Randomness
        | BundleError::Interrupted
        | BundleError::ExportUnstable => "system",
        BundleError::Decrypt { .. }
        | BundleError::Invalid { .. }
        | BundleError::DecryptAck { .. }
        | BundleError::InvalidAck { .. }
        | BundleError::NameClaimed { .. } => "integrity",
    }
}

//! Aigaq core: the encrypted vault, the testimony model and the records store. The CLI and
//! the desktop app are thin layers over this crate; every rule lives here.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bundle;
pub mod canonical;
mod counting;
pub mod custody;
pub mod error;
pub mod hardening;
pub mod media;
pub mod model;
pub mod progress;
pub mod settings;
pub mod store;
pub mod swap;
pub mod vault;

pub use error::Error;
pub use vault::{KdfParams, Passphrase, Vault};

//! One process at a time per vault: an advisory lock on the vault folder itself, so no lock
//! file is left behind and a crashed process releases it with its last file descriptor.

use std::fs::{File, TryLockError};
use std::path::Path;

use super::VaultError;

/// Held while a process works with a vault; released on drop.
#[derive(Debug)]
pub struct VaultLock {
    _dir: File,
}

impl VaultLock {
    /// Takes the lock or says the vault is in use. Never waits.
    pub fn acquire(dir: &Path) -> Result<Self, VaultError> {
        let f = File::open(dir).map_err(|e| VaultError::io("open", dir, e))?;
        match f.try_lock() {
            Ok(()) => Ok(Self { _dir: f }),
            Err(TryLockError::WouldBlock) => Err(VaultError::InUse {
                dir: dir.to_path_buf(),
            }),
            Err(TryLockError::Error(e)) => Err(VaultError::io("lock", dir, e)),
        }
    }
}

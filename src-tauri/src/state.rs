//! What the app keeps between commands: the unlocked vault (if any) and where it lives.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use aigaq::Vault;

use crate::error::CmdError;

/// The unlocked vault, or nothing while locked. Dropping the vault closes the database and
/// wipes its keys (the core does that on drop).
#[derive(Debug, Default)]
pub struct Session(Mutex<Option<Vault>>);

impl Session {
    /// The slot. A panic in another command must not leave the vault impossible to lock,
    /// so a poisoned lock is taken over rather than refused.
    fn slot(&self) -> MutexGuard<'_, Option<Vault>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// True while a vault is open.
    pub fn is_open(&self) -> bool {
        self.slot().is_some()
    }

    /// Keeps `vault` as the session; refuses (and drops it) if one is already open.
    pub fn open(&self, vault: Vault) -> Result<(), CmdError> {
        let mut slot = self.slot();
        if slot.is_some() {
            return Err(CmdError::already_unlocked());
        }
        *slot = Some(vault);
        Ok(())
    }

    /// Drops the vault, if one is open.
    pub fn close(&self) {
        let vault = self.slot().take();
        drop(vault);
    }

    /// Runs `f` on the open vault.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> Result<T, CmdError>,
    ) -> Result<T, CmdError> {
        match self.slot().as_mut() {
            Some(vault) => f(vault),
            None => Err(CmdError::locked()),
        }
    }
}

/// The vault's folder: `AIGAQ_VAULT` when set, else the user's data folder.
#[derive(Debug)]
pub struct VaultFolder(Option<PathBuf>);

impl VaultFolder {
    /// Reads `AIGAQ_VAULT`, falling back to [`aigaq::vault::default_dir`].
    pub fn from_env() -> Self {
        let given = std::env::var_os("AIGAQ_VAULT").filter(|v| !v.is_empty());
        Self(given.map(PathBuf::from).or_else(aigaq::vault::default_dir))
    }

    /// The folder, or the error saying there is none.
    pub fn path(&self) -> Result<&Path, CmdError> {
        self.0.as_deref().ok_or_else(CmdError::no_vault_folder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aigaq::vault::{KdfParams, Passphrase};

    fn light_vault(dir: &Path) -> Vault {
        let pass = Passphrase::new("unit test passphrase".into()).unwrap();
        Vault::init(dir, &pass, KdfParams::new(1, 1).unwrap()).unwrap()
    }

    #[test]
    fn closing_the_session_drops_the_vault_and_releases_it() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path().join("vault");
        let session = Session::default();
        assert_eq!(session.with(|_| Ok(())).unwrap_err().kind, "locked");

        session.open(light_vault(&dir)).unwrap();
        assert!(session.is_open());
        let listed = session.with(|v| Ok(v.store().list()?.len())).unwrap();
        assert_eq!(listed, 0);
        let again = Vault::unlock(
            &dir,
            &Passphrase::new("unit test passphrase".into()).unwrap(),
        );
        assert_eq!(CmdError::from(again.unwrap_err()).kind, "vault_in_use");

        let other = light_vault(&scratch.path().join("other"));
        assert_eq!(session.open(other).unwrap_err().kind, "already_unlocked");

        session.close();
        assert!(!session.is_open());
        assert_eq!(session.with(|_| Ok(())).unwrap_err().kind, "locked");
        let pass = Passphrase::new("unit test passphrase".into()).unwrap();
        assert!(
            Vault::unlock(&dir, &pass).is_ok(),
            "the lock was not released"
        );
    }

    #[test]
    fn the_vault_folder_comes_from_aigaq_vault_or_the_data_folder() {
        let given = VaultFolder(Some(PathBuf::from("/somewhere/vault")));
        assert_eq!(given.path().unwrap(), Path::new("/somewhere/vault"));
        assert_eq!(
            VaultFolder(None).path().unwrap_err().kind,
            "no_vault_folder"
        );
    }
}

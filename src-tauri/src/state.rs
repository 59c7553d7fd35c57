//! What the app keeps between commands: the unlocked vault (if any) and where it lives.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use aigaq::Vault;

use crate::error::CmdError;

/// The unlocked vault, or nothing while locked. Dropping the vault closes the database and
/// wipes its keys (the core does that on drop). Shared with the blocking threads that run
/// long work on it (see [`Session::with_blocking`]). It also counts panic wipes, so an
/// unlock that was deriving its key while the vault was wiped does not open what is left.
#[derive(Debug, Default)]
pub struct Session {
    slot: Arc<Mutex<Option<Vault>>>,
    wipes: AtomicU64,
}

/// The session is held by long work (attaching a large file, a key derivation).
#[derive(Debug, PartialEq, Eq)]
pub struct Busy;

/// Takes the slot. A panic in another command must not leave the vault impossible to lock,
/// so a poisoned lock is taken over rather than refused.
fn take_slot(slot: &Mutex<Option<Vault>>) -> MutexGuard<'_, Option<Vault>> {
    slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `f` on the vault in `slot`, or says it is locked.
fn run_on<T>(
    slot: &Mutex<Option<Vault>>,
    f: impl FnOnce(&mut Vault) -> Result<T, CmdError>,
) -> Result<T, CmdError> {
    match take_slot(slot).as_mut() {
        Some(vault) => f(vault),
        None => Err(CmdError::locked()),
    }
}

impl Session {
    fn slot(&self) -> MutexGuard<'_, Option<Vault>> {
        take_slot(&self.slot)
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

    /// Takes the vault out of the session at once, or says that long work holds it (the
    /// panic wipe does not wait for an attach to finish before destroying the keys).
    pub fn try_take(&self) -> Result<Option<Vault>, Busy> {
        match self.slot.try_lock() {
            Ok(mut slot) => Ok(slot.take()),
            Err(TryLockError::Poisoned(poisoned)) => Ok(poisoned.into_inner().take()),
            Err(TryLockError::WouldBlock) => Err(Busy),
        }
    }

    /// How many panic wipes this process has done; see [`Session::open_unless_wiped`].
    pub fn wipes(&self) -> u64 {
        self.wipes.load(Ordering::SeqCst)
    }

    /// Counts a panic wipe.
    pub fn count_wipe(&self) {
        self.wipes.fetch_add(1, Ordering::SeqCst);
    }

    /// Keeps `vault` as the session unless a panic wipe happened since `wipes` was read
    /// (the unlock was deriving its key meanwhile): then the vault is dropped and `false`
    /// returned, and the caller wipes what is left.
    pub fn open_unless_wiped(&self, vault: Vault, wipes: u64) -> Result<bool, CmdError> {
        let mut slot = self.slot();
        if self.wipes() != wipes {
            drop(slot);
            drop(vault);
            return Ok(false);
        }
        if slot.is_some() {
            return Err(CmdError::already_unlocked());
        }
        *slot = Some(vault);
        Ok(true)
    }

    /// Runs `f` on the open vault.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> Result<T, CmdError>,
    ) -> Result<T, CmdError> {
        run_on(&self.slot, f)
    }

    /// Runs `f` on the open vault on a blocking thread, for work that can take long (such as
    /// streaming a large video into the vault) so the UI thread and the async workers stay
    /// free. The vault stays locked for other commands (and for [`Session::close`]) until
    /// `f` returns.
    pub async fn with_blocking<T, F>(&self, f: F) -> Result<T, CmdError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Vault) -> Result<T, CmdError> + Send + 'static,
    {
        let slot = Arc::clone(&self.slot);
        tauri::async_runtime::spawn_blocking(move || run_on(&slot, f))
            .await
            .map_err(|_| CmdError::interrupted())?
    }
}

/// The vault's folder: `AIGAQ_VAULT` when set, else the user's data folder.
#[derive(Debug)]
pub struct VaultFolder {
    path: Option<PathBuf>,
    default: bool,
}

impl VaultFolder {
    /// Reads `AIGAQ_VAULT`, falling back to [`aigaq::vault::default_dir`].
    pub fn from_env() -> Self {
        match std::env::var_os("AIGAQ_VAULT").filter(|v| !v.is_empty()) {
            Some(given) => Self::given(PathBuf::from(given)),
            None => Self {
                path: aigaq::vault::default_dir(),
                default: true,
            },
        }
    }

    /// A folder the user chose.
    pub fn given(path: PathBuf) -> Self {
        Self {
            path: Some(path),
            default: false,
        }
    }

    /// The folder, or the error saying there is none.
    pub fn path(&self) -> Result<&Path, CmdError> {
        self.path.as_deref().ok_or_else(CmdError::no_vault_folder)
    }

    /// The folder Aigaq made for itself around the default vault folder
    /// (`~/.local/share/aigaq`), which the panic wipe removes too once it is empty. `None`
    /// for a folder the user chose: what is around it is theirs.
    pub fn own_parent(&self) -> Option<&Path> {
        if self.default {
            self.path.as_deref().and_then(Path::parent)
        } else {
            None
        }
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
    fn blocking_work_runs_on_the_open_vault_and_a_panic_leaves_it_usable() {
        let scratch = tempfile::tempdir().unwrap();
        let session = Session::default();
        let locked = tauri::async_runtime::block_on(session.with_blocking(|_| Ok(())));
        assert_eq!(locked.unwrap_err().kind, "locked");

        session
            .open(light_vault(&scratch.path().join("vault")))
            .unwrap();
        let on_other_thread = tauri::async_runtime::block_on(
            session.with_blocking(|v| Ok((std::thread::current().id(), v.store().list()?.len()))),
        )
        .unwrap();
        assert_ne!(on_other_thread.0, std::thread::current().id());
        assert_eq!(on_other_thread.1, 0);

        // The panic message on standard error is expected.
        let panicked = tauri::async_runtime::block_on(
            session.with_blocking(|_| -> Result<(), CmdError> { panic!("boom") }),
        );
        assert_eq!(panicked.unwrap_err().kind, "system");
        assert!(session.with(|v| Ok(v.store().list()?.len())).is_ok());
        session.close();
        assert!(!session.is_open());
    }

    #[test]
    fn the_vault_folder_comes_from_aigaq_vault_or_the_data_folder() {
        let given = VaultFolder::given(PathBuf::from("/somewhere/vault"));
        assert_eq!(given.path().unwrap(), Path::new("/somewhere/vault"));
        assert_eq!(given.own_parent(), None);
        let none = VaultFolder {
            path: None,
            default: true,
        };
        assert_eq!(none.path().unwrap_err().kind, "no_vault_folder");
        assert_eq!(none.own_parent(), None);
        let default = VaultFolder {
            path: Some(PathBuf::from("/home/u/.local/share/aigaq/vault")),
            default: true,
        };
        assert_eq!(
            default.own_parent(),
            Some(Path::new("/home/u/.local/share/aigaq"))
        );
    }
}

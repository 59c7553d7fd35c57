//! A vault on disk: the `keyslots` file and the SQLCipher `vault.db` in one folder.
//! Creating, unlocking and changing the passphrase live here; the records live in
//! [`crate::store`].

mod duress;
pub mod kdf;
pub mod keyslots;
pub mod lock;
pub mod secret;
pub mod wipe;

use std::fs::{self, DirBuilder, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::model::Testimony;
use crate::store::Store;
pub use kdf::KdfParams;
use keyslots::{Keyslots, Opened};
use lock::VaultLock;
pub use secret::{Key, Passphrase};
pub use wipe::{wipe, WipeReport};

/// File name of the key slots.
pub const KEYSLOTS_FILE: &str = "keyslots";
/// File name of the encrypted database.
pub const DATABASE_FILE: &str = "vault.db";

/// What went wrong with a vault as a whole.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The folder is missing.
    #[error("no vault at {}: the folder does not exist; create one with `aigaq init` or give the right --vault", dir.display())]
    NotFound {
        /// The folder asked for.
        dir: PathBuf,
    },
    /// The folder holds no keyslots.
    #[error("{} is not an Aigaq vault (it has no keyslots file); give the right --vault or create one with `aigaq init`", dir.display())]
    NotAVault {
        /// The folder asked for.
        dir: PathBuf,
    },
    /// `init` on an existing vault.
    #[error("{} already holds a vault; nothing was changed", dir.display())]
    AlreadyExists {
        /// The folder asked for.
        dir: PathBuf,
    },
    /// `init` on a folder with other files.
    #[error("{} is not empty; choose an empty or new folder for a vault", dir.display())]
    FolderNotEmpty {
        /// The folder asked for.
        dir: PathBuf,
    },
    /// No slot opened.
    #[error("wrong passphrase: the vault did not open; each failed attempt makes the next one wait longer")]
    WrongPassphrase,
    /// Another process holds the lock.
    #[error("vault is in use by another Aigaq process ({}); close the app or wait for the other command to finish", dir.display())]
    InUse {
        /// The vault folder.
        dir: PathBuf,
    },
    /// Keyslots damaged.
    #[error("the keyslots file is damaged ({reason}); the vault cannot be opened without it: restore the vault from a backup")]
    KeyslotsDamaged {
        /// What was found.
        reason: String,
    },
    /// Database damaged or missing.
    #[error(
        "vault.db is damaged ({reason}); nothing was changed: restore the vault from a backup"
    )]
    DatabaseDamaged {
        /// What was found.
        reason: String,
    },
    /// Written by a newer Aigaq.
    #[error("this vault's {what} has format version {found}, newer than this Aigaq understands: update Aigaq")]
    NewerFormat {
        /// Which file.
        what: &'static str,
        /// The version found.
        found: u32,
    },
    /// `passwd` to a passphrase the vault already has.
    #[error("the new passphrase already opens this vault; choose a different one")]
    PassphraseInUse,
    /// Empty passphrase.
    #[error("the passphrase is empty; type one, or give a file that holds it")]
    EmptyPassphrase,
    /// A wipe limit of zero.
    #[error("--wipe-after must be at least 1 (or `never`)")]
    BadWipeAfter,
    /// Short passphrase.
    #[error("the new passphrase is too short: use at least {min} characters (a few unrelated words are easiest to remember)")]
    PassphraseTooShort {
        /// Minimum number of characters.
        min: usize,
    },
    /// Not UTF-8.
    #[error("the passphrase file is not UTF-8 text")]
    PassphraseNotText,
    /// KDF cost out of bounds.
    #[error("Argon2id cost out of bounds (memory {memory_kib} KiB, {time_cost} passes, {lanes} lanes): use 1 MiB to 4 GiB and 1 to 64 passes")]
    BadKdfParams {
        /// Memory in KiB.
        memory_kib: u32,
        /// Passes.
        time_cost: u32,
        /// Lanes.
        lanes: u32,
    },
    /// The KDF could not get its memory.
    #[error("not enough memory for the key derivation ({memory_kib} KiB); close other programs and try again")]
    OutOfMemory {
        /// Memory in KiB.
        memory_kib: u32,
    },
    /// The OS random source failed.
    #[error("the system's random number generator failed; nothing was written")]
    Randomness,
    /// A file operation failed.
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// To which file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

impl VaultError {
    pub(crate) fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        VaultError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// How long an unlock took, split into the key derivation and everything else.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnlockTimings {
    /// Argon2id.
    pub kdf: Duration,
    /// Reading keyslots, opening the slots and the database, checking the schema.
    pub rest: Duration,
}

/// What is at a vault path, without a passphrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VaultState {
    /// Nothing there yet: `init` may create it.
    Absent,
    /// A vault.
    Present,
    /// Something else.
    NotAVault,
}

/// The folder used when none is given: the user's data folder.
pub fn default_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("aigaq").join("vault"))
}

/// What is at `dir`.
pub fn state(dir: &Path) -> VaultState {
    if dir.join(KEYSLOTS_FILE).is_file() {
        VaultState::Present
    } else if !dir.exists()
        || fs::read_dir(dir)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false)
    {
        VaultState::Absent
    } else {
        VaultState::NotAVault
    }
}

/// The SQLCipher key: HKDF-SHA256 of the master key, so the master key itself never
/// reaches SQLCipher and other keys can later be derived from it independently.
fn database_key(master: &Key) -> Result<Key, VaultError> {
    struct Len32;
    impl ring::hkdf::KeyType for Len32 {
        fn len(&self) -> usize {
            32
        }
    }
    let prk =
        ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, b"aigaq/vault/1").extract(master.bytes());
    let okm = prk
        .expand(&[b"sqlcipher raw key"], Len32)
        .map_err(|_| VaultError::Randomness)?;
    let mut key = Key::zeroed();
    okm.fill(key.bytes_mut())
        .map_err(|_| VaultError::Randomness)?;
    Ok(key)
}

/// Makes a new empty file with mode 0600 (SQLite then keeps the mode and gives its `-wal`
/// and `-shm` files the same one).
fn create_empty_file(path: &Path) -> Result<(), VaultError> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(|_| ())
        .map_err(|e| VaultError::io("create", path, e))
}

/// Makes a folder with mode 0700 unless it exists.
fn ensure_dir(path: &Path) -> Result<(), VaultError> {
    match DirBuilder::new().mode(0o700).create(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(VaultError::io("create", path, e)),
    }
}

/// The wait before the next unlock attempt after `failed` failed ones in a row: 1 s, then
/// doubling, up to 5 minutes.
pub fn delay_after(failed: u32) -> Duration {
    match failed {
        0 => Duration::ZERO,
        n => Duration::from_secs(1u64 << (n - 1).min(9)).min(Duration::from_secs(300)),
    }
}

/// How long the next unlock of the vault in `dir` will wait, and after how many failed
/// attempts (so a front end can say why it waits before asking).
pub fn pending_delay(dir: &Path) -> (Duration, u32) {
    match Keyslots::read(&dir.join(KEYSLOTS_FILE)) {
        Ok(slots) => (delay_after(slots.failed), slots.failed),
        Err(_) => (Duration::ZERO, 0),
    }
}

/// The security settings of an unlocked vault.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SecuritySettings {
    /// The vault wipes itself after this many failed unlocks in a row (`None`: never).
    pub wipe_after: Option<u32>,
    /// Whether a duress passphrase is set.
    pub duress: bool,
    /// Argon2id memory in MiB.
    pub kdf_memory_mib: u32,
    /// Argon2id passes.
    pub kdf_passes: u32,
    /// Whether this computer's swap may put what is in memory on its disk unencrypted.
    pub swap: crate::swap::Swap,
}

/// Refuses to create a vault over an existing one or in a folder with other files.
pub fn check_can_init(dir: &Path) -> Result<(), VaultError> {
    match state(dir) {
        VaultState::Present => Err(VaultError::AlreadyExists { dir: dir.into() }),
        VaultState::NotAVault => Err(VaultError::FolderNotEmpty { dir: dir.into() }),
        VaultState::Absent => Ok(()),
    }
}

/// Refuses a folder that is missing or holds no vault, before any passphrase is asked for.
pub fn check_can_unlock(dir: &Path) -> Result<(), VaultError> {
    if !dir.is_dir() {
        return Err(VaultError::NotFound { dir: dir.into() });
    }
    if !dir.join(KEYSLOTS_FILE).is_file() {
        return Err(VaultError::NotAVault { dir: dir.into() });
    }
    Ok(())
}

/// An unlocked vault. Dropping it closes the database, wipes the keys and releases the lock.
pub struct Vault {
    dir: PathBuf,
    store: Store,
    master: Key,
    slot: usize,
    timings: UnlockTimings,
    _lock: VaultLock,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// Creates a vault in `dir` (made if missing, with mode 0700) and returns it unlocked.
    pub fn init(
        dir: &Path,
        passphrase: &Passphrase,
        params: KdfParams,
    ) -> Result<Vault, crate::Error> {
        passphrase.check_strength()?;
        params.check()?;
        check_can_init(dir)?;
        if !dir.exists() {
            if let Some(parent) = dir.parent() {
                fs::create_dir_all(parent).map_err(|e| VaultError::io("create", parent, e))?;
            }
            DirBuilder::new()
                .mode(0o700)
                .create(dir)
                .map_err(|e| VaultError::io("create", dir, e))?;
        }
        let lock = VaultLock::acquire(dir)?;
        let created = Self::create_files(dir, passphrase, params, lock);
        if created.is_err() {
            let _ = fs::remove_file(dir.join(DATABASE_FILE));
            let _ = fs::remove_file(dir.join(KEYSLOTS_FILE));
        }
        created
    }

    fn create_files(
        dir: &Path,
        passphrase: &Passphrase,
        params: KdfParams,
        lock: VaultLock,
    ) -> Result<Vault, crate::Error> {
        let mut slots = Keyslots::new(params)?;
        let master = Key::random()?;
        let started = Instant::now();
        let kek = params.derive(passphrase, slots.salt())?;
        let kdf = started.elapsed();
        let slot = Keyslots::random_slot(None)?;
        slots.seal(slot, &kek, &master)?;
        // The database file is made first, empty and 0600: SQLite then keeps its mode and
        // gives its -wal and -shm files the same one.
        let db = dir.join(DATABASE_FILE);
        create_empty_file(&db)?;
        let store = Store::create(&db, &database_key(&master)?)?;
        slots.write_atomic(&dir.join(KEYSLOTS_FILE))?;
        Ok(Vault {
            dir: dir.to_path_buf(),
            store,
            master,
            slot,
            timings: UnlockTimings {
                kdf,
                rest: started.elapsed() - kdf,
            },
            _lock: lock,
        })
    }

    /// Opens an existing vault. Checks the folder, takes the lock, waits as long as earlier
    /// failed attempts require, derives the key once and opens the database.
    ///
    /// A wrong passphrase is counted in the keyslots file (and the vault wiped when the
    /// count reaches its limit); the right one resets the count. The duress passphrase
    /// destroys the real vault and opens the decoy in its place, saying nothing.
    pub fn unlock(dir: &Path, passphrase: &Passphrase) -> Result<Vault, crate::Error> {
        let started = Instant::now();
        let (lock, mut slots) = Self::prepare(dir)?;
        let wait = delay_after(slots.failed);
        std::thread::sleep(wait);
        let before_kdf = started.elapsed() - wait;
        let kdf_start = Instant::now();
        let kek = slots.params.derive(passphrase, slots.salt())?;
        let kdf = kdf_start.elapsed();
        let after = Instant::now();
        let ks_path = dir.join(KEYSLOTS_FILE);
        let (master, slot) = match slots.open(&kek) {
            None => {
                slots.failed = slots.failed.saturating_add(1);
                if slots.wipe_after > 0 && slots.failed >= slots.wipe_after {
                    drop(lock);
                    // The limit is reached: the vault goes. The answer stays "wrong
                    // passphrase"; what is left on disk says the rest.
                    wipe::wipe(dir)?;
                } else {
                    slots.write_atomic(&ks_path)?;
                }
                return Err(VaultError::WrongPassphrase.into());
            }
            Some(Opened::Master(master, slot)) => {
                if slots.failed > 0 {
                    slots.failed = 0;
                    slots.write_atomic(&ks_path)?;
                }
                (master, slot)
            }
            Some(Opened::Duress(decoy, _)) => {
                let slot = duress::take_over(dir, &slots, &kek, &decoy)?;
                (decoy, slot)
            }
        };
        let store = Store::open(&dir.join(DATABASE_FILE), &database_key(&master)?)?;
        Ok(Vault {
            dir: dir.to_path_buf(),
            store,
            master,
            slot,
            timings: UnlockTimings {
                kdf,
                rest: before_kdf + after.elapsed(),
            },
            _lock: lock,
        })
    }

    /// Everything before the key derivation: the folder is a vault, not in use, and its
    /// files look whole.
    fn prepare(dir: &Path) -> Result<(VaultLock, Keyslots), VaultError> {
        check_can_unlock(dir)?;
        let ks_path = dir.join(KEYSLOTS_FILE);
        let lock = VaultLock::acquire(dir)?;
        let slots = Keyslots::read(&ks_path)?;
        let db = dir.join(DATABASE_FILE);
        let len = match fs::metadata(&db) {
            Ok(m) => m.len(),
            Err(_) => {
                return Err(VaultError::DatabaseDamaged {
                    reason: "the file is missing".into(),
                })
            }
        };
        if len == 0 || len % 4096 != 0 {
            return Err(VaultError::DatabaseDamaged {
                reason: format!("its size, {len} bytes, is not a whole number of pages"),
            });
        }
        Ok((lock, slots))
    }

    /// Re-seals the master key under a new passphrase. The database is not touched; the
    /// keyslots file is replaced atomically.
    pub fn change_passphrase(&mut self, new: &Passphrase) -> Result<(), VaultError> {
        new.check_strength()?;
        let path = self.dir.join(KEYSLOTS_FILE);
        let mut slots = Keyslots::read(&path)?;
        let kek = slots.params.derive(new, slots.salt())?;
        if slots.open(&kek).is_some() {
            return Err(VaultError::PassphraseInUse);
        }
        slots.seal(self.slot, &kek, &self.master)?;
        slots.write_atomic(&path)
    }

    /// Checks that `passphrase` is this vault's (the one it was unlocked with), before a
    /// security setting changes. A wrong one counts as a failed unlock would not: the vault
    /// is already open.
    pub fn check_passphrase(&self, passphrase: &Passphrase) -> Result<(), VaultError> {
        let slots = Keyslots::read(&self.dir.join(KEYSLOTS_FILE))?;
        let kek = slots.params.derive(passphrase, slots.salt())?;
        match slots.open(&kek) {
            Some(Opened::Master(_, slot)) if slot == self.slot => Ok(()),
            _ => Err(VaultError::WrongPassphrase),
        }
    }

    /// Sets the duress passphrase (replacing an earlier one) with a decoy vault holding
    /// `decoy` (which may be empty).
    pub fn set_duress(
        &mut self,
        passphrase: &Passphrase,
        decoy: &[Testimony],
    ) -> Result<(), crate::Error> {
        let path = self.dir.join(KEYSLOTS_FILE);
        let mut slots = Keyslots::read(&path)?;
        let kek = duress::check_passphrase(&slots, passphrase)?;
        let previous = self.store.duress()?;
        let slot = match previous {
            Some((_, slot)) if slot != self.slot && slot < keyslots::SLOTS => slot,
            _ => Keyslots::random_slot(Some(self.slot))?,
        };
        let key = Key::random()?;
        let attachments = self.store.attachment_dir().to_path_buf();
        let file = duress::make_decoy(&self.dir, &attachments, &key, decoy)?;
        slots.seal_duress(slot, &kek, &key)?;
        let saved = slots
            .write_atomic(&path)
            .map_err(crate::Error::from)
            .and_then(|_| Ok(self.store.set_duress(Some((&file, slot)))?));
        if let Err(e) = saved {
            let _ = fs::remove_file(attachments.join(&file));
            return Err(e);
        }
        if let Some((old, _)) = previous {
            if old != file {
                let _ = fs::remove_file(attachments.join(old));
            }
        }
        Ok(())
    }

    /// Removes the duress passphrase and its decoy.
    pub fn clear_duress(&mut self) -> Result<bool, crate::Error> {
        let Some((file, slot)) = self.store.duress()? else {
            return Ok(false);
        };
        let path = self.dir.join(KEYSLOTS_FILE);
        let mut slots = Keyslots::read(&path)?;
        if slot != self.slot && slot < keyslots::SLOTS {
            slots.clear(slot)?;
            slots.write_atomic(&path)?;
        }
        self.store.set_duress(None)?;
        self.store.blobs.remove(&file);
        Ok(true)
    }

    /// Makes the vault wipe itself after `n` failed unlocks in a row (`None`: never).
    pub fn set_wipe_after(&mut self, n: Option<u32>) -> Result<(), VaultError> {
        if n == Some(0) {
            return Err(VaultError::BadWipeAfter);
        }
        let path = self.dir.join(KEYSLOTS_FILE);
        let mut slots = Keyslots::read(&path)?;
        slots.wipe_after = n.unwrap_or(0);
        slots.write_atomic(&path)
    }

    /// The vault's security settings.
    pub fn security(&self) -> Result<SecuritySettings, crate::Error> {
        let slots = Keyslots::read(&self.dir.join(KEYSLOTS_FILE))?;
        Ok(SecuritySettings {
            wipe_after: (slots.wipe_after > 0).then_some(slots.wipe_after),
            duress: self.store.duress()?.is_some(),
            kdf_memory_mib: slots.params.memory_kib / 1024,
            kdf_passes: slots.params.time_cost,
            swap: crate::swap::check(),
        })
    }

    /// Closes the vault (wiping the keys in memory) and wipes it on disk.
    pub fn wipe(self) -> Result<WipeReport, VaultError> {
        let dir = self.dir.clone();
        drop(self);
        wipe::wipe(&dir)
    }

    /// The records.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The records, for changes.
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// The vault folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How long the unlock took.
    pub fn timings(&self) -> UnlockTimings {
        self.timings
    }

    /// The Argon2id cost this vault uses.
    pub fn kdf_params(&self) -> Result<KdfParams, VaultError> {
        Ok(Keyslots::read(&self.dir.join(KEYSLOTS_FILE))?.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(s: &str) -> Passphrase {
        Passphrase::new(s.into()).unwrap()
    }

    #[test]
    fn one_key_derivation_per_unlock_whatever_the_number_of_slots() {
        let dir = std::env::temp_dir().join(format!("aigaq-slots-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let params = KdfParams::new(8, 1).unwrap();
        let v = Vault::init(&dir, &pass("the main passphrase"), params).unwrap();
        let (master, used) = (v.master.clone(), v.slot);
        drop(v);
        // Fill every other slot with the master key under other passphrases.
        let path = dir.join(KEYSLOTS_FILE);
        let mut slots = Keyslots::read(&path).unwrap();
        for i in (0..keyslots::SLOTS).filter(|i| *i != used) {
            let kek = params
                .derive(&pass(&format!("other passphrase {i}")), slots.salt())
                .unwrap();
            slots.seal(i, &kek, &master).unwrap();
        }
        slots.write_atomic(&path).unwrap();
        for attempt in [
            "the main passphrase",
            "other passphrase 3",
            "wrong passphrase",
        ] {
            let before = kdf::tests::DERIVATIONS.with(|c| c.get());
            let _ = Vault::unlock(&dir, &pass(attempt));
            let after = kdf::tests::DERIVATIONS.with(|c| c.get());
            assert_eq!(after - before, 1, "{attempt}");
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}

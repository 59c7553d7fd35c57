//! The duress passphrase. Someone forced to unlock at a checkpoint gives it instead of the
//! real one: the real vault is destroyed without a word and a normal-looking vault opens,
//! empty or holding decoy testimonies, under the duress passphrase.
//!
//! How: when the duress passphrase is set, a complete decoy vault database is made and kept,
//! encrypted under its own random key, as one more file among the attachments (whose names
//! are random, so it looks like one). Its key is sealed in a free keyslot under the duress
//! passphrase, marked as a duress slot. Unlocking with it swaps the decoy database in for
//! the real one, overwrites the keyslots file in place with one that holds only the decoy's
//! key (the real master key is then gone), and removes the real attachments, whose keys
//! were in the real database. That is a few renames and one small synced write, so it takes
//! about as long as a normal unlock. What it cannot protect against: a copy of the disk
//! taken before, which still holds the real vault.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

use ring::hkdf;

use super::keyslots::Keyslots;
use super::secret::{Key, Passphrase};
use super::{database_key, VaultError, DATABASE_FILE, KEYSLOTS_FILE};
use crate::canonical;
use crate::model::Testimony;
use crate::store::Store;

/// The file name under which the decoy database waits: derived from its key, so only the
/// duress passphrase leads to it.
pub(crate) fn decoy_file_name(decoy: &Key) -> Result<String, VaultError> {
    struct Len16;
    impl hkdf::KeyType for Len16 {
        fn len(&self) -> usize {
            16
        }
    }
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"aigaq/vault/1").extract(decoy.bytes());
    let mut name = [0u8; 16];
    prk.expand(&[b"duress decoy file"], Len16)
        .and_then(|okm| okm.fill(&mut name))
        .map_err(|_| VaultError::Randomness)?;
    Ok(canonical::hex(&name))
}

/// Makes the decoy database at `attachments/<name>`: a fresh store with its own device keys,
/// holding `decoy`. Built in a scratch folder inside the vault and moved in whole.
pub(crate) fn make_decoy(
    vault_dir: &Path,
    attachments: &Path,
    key: &Key,
    decoy: &[Testimony],
) -> Result<String, crate::Error> {
    let name = decoy_file_name(key)?;
    let scratch = vault_dir.join(format!(".decoy-{name}"));
    let _ = fs::remove_dir_all(&scratch);
    fs::create_dir(&scratch).map_err(|e| VaultError::io("create", &scratch, e))?;
    let built = (|| -> Result<(), crate::Error> {
        let db = scratch.join(DATABASE_FILE);
        super::create_empty_file(&db)?;
        let mut store = Store::create(&db, &database_key(key)?)?;
        if !decoy.is_empty() {
            store.add(decoy)?;
        }
        drop(store);
        super::ensure_dir(attachments)?;
        let to = attachments.join(&name);
        fs::rename(&db, &to).map_err(|e| VaultError::io("move", &to, e))?;
        Ok(())
    })();
    let _ = fs::remove_dir_all(&scratch);
    built.map(|_| name)
}

/// Writes `bytes` over the file at `path` in place and syncs it, so the old content's
/// blocks are overwritten rather than only unlinked.
fn overwrite_in_place(path: &Path, bytes: &[u8]) -> Result<(), VaultError> {
    let mut f = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| VaultError::io("open", path, e))?;
    f.write_all(bytes)
        .and_then(|_| f.set_len(bytes.len() as u64))
        .and_then(|_| f.sync_all())
        .map_err(|e| VaultError::io("write", path, e))
}

/// The duress unlock: the decoy takes the real vault's place. Returns the new keyslots'
/// slot of the decoy key. Safe to repeat after an interruption: once the decoy is in place
/// its file is gone from the attachments, and the remaining steps run again.
pub(crate) fn take_over(
    dir: &Path,
    slots: &Keyslots,
    kek: &Key,
    decoy: &Key,
) -> Result<usize, VaultError> {
    let name = decoy_file_name(decoy)?;
    let attachments = dir.join("attachments");
    let waiting = attachments.join(&name);
    let db = dir.join(DATABASE_FILE);
    if waiting.exists() {
        for f in ["vault.db-wal", "vault.db-shm"] {
            let _ = fs::remove_file(dir.join(f));
        }
        fs::rename(&waiting, &db).map_err(|e| VaultError::io("replace", &db, e))?;
    }
    let mut fresh = slots.fresh_like()?;
    let slot = Keyslots::random_slot(None)?;
    fresh.seal(slot, kek, decoy)?;
    overwrite_in_place(&dir.join(KEYSLOTS_FILE), &fresh.to_bytes())?;
    let _ = fs::remove_file(dir.join("keyslots.new"));
    // The real attachments' keys were in the real database; their files go too.
    let _ = fs::remove_dir_all(&attachments);
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(slot)
}

/// Checks a new duress passphrase: strong enough, and not the vault's passphrase.
pub(crate) fn check_passphrase(slots: &Keyslots, duress: &Passphrase) -> Result<Key, VaultError> {
    duress.check_strength()?;
    let kek = slots.params.derive(duress, slots.salt())?;
    if matches!(slots.open(&kek), Some(super::keyslots::Opened::Master(..))) {
        return Err(VaultError::PassphraseInUse);
    }
    Ok(kek)
}

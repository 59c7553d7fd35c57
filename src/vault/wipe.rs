//! Panic wipe. First the keys: the keyslots file is overwritten with random bytes, synced and
//! unlinked, after which the vault cannot be opened with or without the passphrase (the
//! master key existed only there, sealed). Then everything else in the vault folder is
//! overwritten with zeros, synced and removed. Power lost at any point leaves either the
//! untouched vault (before the first sync) or one that cannot be opened, never a half-open
//! one. On flash storage and copy-on-write file systems overwritten blocks may survive; the
//! key destruction does not depend on them, the rest is best effort.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ring::rand::{SecureRandom, SystemRandom};
use serde::Serialize;

use super::{VaultError, DATABASE_FILE, KEYSLOTS_FILE};

/// How a wipe went.
#[derive(Debug, Clone, Serialize)]
pub struct WipeReport {
    /// Time until the keys were gone for good (synced to disk).
    #[serde(serialize_with = "millis")]
    pub keys_destroyed: Duration,
    /// Time until everything was gone.
    #[serde(serialize_with = "millis")]
    pub total: Duration,
    /// Files overwritten and removed.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

/// Whether `dir` holds (what is left of) a vault: a wipe must never empty another folder.
pub fn looks_like_vault(dir: &Path) -> bool {
    [KEYSLOTS_FILE, DATABASE_FILE, "keyslots.new", "attachments"]
        .iter()
        .any(|f| dir.join(f).exists())
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Overwrites a key file with random bytes, syncs and removes it.
fn destroy_key_file(path: &Path) -> Result<(), VaultError> {
    let len = match fs::metadata(path) {
        Ok(m) => m.len() as usize,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(VaultError::io("read", path, e)),
    };
    let mut noise = vec![0u8; len.max(1)];
    SystemRandom::new()
        .fill(&mut noise)
        .map_err(|_| VaultError::Randomness)?;
    let mut f = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| VaultError::io("open", path, e))?;
    f.write_all(&noise[..len])
        .and_then(|_| f.sync_all())
        .map_err(|e| VaultError::io("overwrite", path, e))?;
    drop(f);
    fs::remove_file(path).map_err(|e| VaultError::io("remove", path, e))
}

/// Overwrites a file with zeros, syncs and removes it; returns its size.
fn shred_file(path: &Path) -> io::Result<u64> {
    let len = fs::symlink_metadata(path)?.len();
    if fs::symlink_metadata(path)?.file_type().is_file() {
        let mut f = OpenOptions::new().write(true).open(path)?;
        let zeros = vec![0u8; 1024 * 1024];
        let mut left = len;
        while left > 0 {
            let n = left.min(zeros.len() as u64) as usize;
            f.write_all(&zeros[..n])?;
            left -= n as u64;
        }
        f.sync_all()?;
    }
    fs::remove_file(path)?;
    Ok(len)
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>, dirs: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => {
                files_under(&p, out, dirs);
                dirs.push(p);
            }
            _ => out.push(p),
        }
    }
}

/// Wipes the vault in `dir`, which must not be open in this process (a [`super::Vault`]
/// wipes itself with [`super::Vault::wipe`]). Another process holding it open does not
/// stop the wipe.
pub fn wipe(dir: &Path) -> Result<WipeReport, VaultError> {
    if !dir.is_dir() {
        return Err(VaultError::NotFound { dir: dir.into() });
    }
    if !looks_like_vault(dir) {
        return Err(VaultError::NotAVault { dir: dir.into() });
    }
    let started = Instant::now();
    destroy_key_file(&dir.join("keyslots.new"))?;
    destroy_key_file(&dir.join(KEYSLOTS_FILE))?;
    sync_dir(dir);
    let keys_destroyed = started.elapsed();

    let (mut files, mut dirs) = (Vec::new(), Vec::new());
    files_under(dir, &mut files, &mut dirs);
    let mut report = WipeReport {
        keys_destroyed,
        total: Duration::ZERO,
        files: 0,
        bytes: 0,
    };
    let mut first_error = None;
    for f in &files {
        match shred_file(f) {
            Ok(n) => {
                report.files += 1;
                report.bytes += n;
            }
            Err(e) => {
                first_error.get_or_insert_with(|| VaultError::io("wipe", f, e));
            }
        }
    }
    for d in dirs.iter().chain(std::iter::once(&dir.to_path_buf())) {
        let _ = fs::remove_dir(d);
    }
    if let Some(parent) = dir.parent() {
        sync_dir(parent);
    }
    report.total = started.elapsed();
    match first_error {
        // The keys are gone either way; say what could not be removed.
        Some(e) => Err(e),
        None => Ok(report),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_vault_folder_is_wiped() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("photos");
        fs::create_dir(&other).unwrap();
        fs::write(other.join("a.jpg"), b"x").unwrap();
        assert!(matches!(wipe(&other), Err(VaultError::NotAVault { .. })));
        assert!(other.join("a.jpg").exists());
        assert!(matches!(
            wipe(&dir.path().join("missing")),
            Err(VaultError::NotFound { .. })
        ));
    }
}

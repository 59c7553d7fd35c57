//! The web view's throwaway data folder: a fresh 0700 folder in memory-backed
//! `$XDG_RUNTIME_DIR` when there is one (else the temp folder), emptied on lock and removed
//! when the app exits, so nothing WebKit might write outlives the session.

use std::fs::{self, Permissions};
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tempfile::TempDir;

/// Owns the folder; dropping it (or [`WebviewData::remove`]) deletes it.
#[derive(Debug)]
pub struct WebviewData {
    dir: Mutex<Option<TempDir>>,
    path: PathBuf,
}

impl WebviewData {
    /// Makes a new, empty folder only this user can open.
    pub fn create() -> io::Result<Self> {
        Self::create_in(&base_dir())
    }

    /// Makes a new, empty folder inside `base`.
    pub fn create_in(base: &Path) -> io::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("aigaq-webview-")
            .permissions(Permissions::from_mode(0o700))
            .tempdir_in(base)?;
        let path = dir.path().to_path_buf();
        Ok(Self {
            dir: Mutex::new(Some(dir)),
            path,
        })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Deletes everything inside, keeping the folder itself (the web view still points at it).
    /// WebKit may still be writing there (it is told to clear its data at the same moment),
    /// so a folder that filled up again while it was being removed is tried again.
    pub fn clear(&self) -> io::Result<()> {
        let mut tries = 0;
        loop {
            match self.clear_once() {
                Err(e) if e.kind() == io::ErrorKind::DirectoryNotEmpty && tries < 5 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                done => return done,
            }
        }
    }

    fn clear_once(&self) -> io::Result<()> {
        let entries = match fs::read_dir(&self.path) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let removed = match entry.file_type() {
                Ok(kind) if kind.is_dir() => fs::remove_dir_all(entry.path()),
                Ok(_) => fs::remove_file(entry.path()),
                Err(e) => Err(e),
            };
            match removed {
                Err(e) if e.kind() == io::ErrorKind::NotFound => {} // WebKit removed it first
                other => other?,
            }
        }
        Ok(())
    }

    /// Deletes the folder and everything in it. Safe to call more than once.
    pub fn remove(&self) -> io::Result<()> {
        let taken = self.dir.lock().unwrap_or_else(|p| p.into_inner()).take();
        match taken {
            Some(dir) => dir.close(),
            None => Ok(()),
        }
    }
}

/// `$XDG_RUNTIME_DIR` (a per-user tmpfs on systemd machines) when set, else the temp folder.
fn base_dir() -> PathBuf {
    std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute() && p.is_dir())
        .unwrap_or_else(std::env::temp_dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_is_private_cleared_on_lock_and_gone_after_remove() {
        let base = tempfile::tempdir().unwrap();
        let data = WebviewData::create_in(base.path()).unwrap();
        let mode = fs::metadata(data.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);

        fs::create_dir_all(data.path().join("localstorage/x")).unwrap();
        fs::write(data.path().join("localstorage/x/db"), b"secret").unwrap();
        fs::write(data.path().join("cookies"), b"secret").unwrap();
        data.clear().unwrap();
        assert!(data.path().is_dir());
        assert_eq!(fs::read_dir(data.path()).unwrap().count(), 0);

        fs::write(data.path().join("late"), b"secret").unwrap();
        data.remove().unwrap();
        data.remove().unwrap();
        assert!(!data.path().exists());
        assert_eq!(fs::read_dir(base.path()).unwrap().count(), 0);
    }
}

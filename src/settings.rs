//! The app's small settings file: how it looks and behaves, nothing about what the vault
//! holds. It lives in the user's config folder (`aigaq/settings.json`, mode 0600) and is the
//! only file the app writes outside the vault folder. The wipe removes it too.

use std::fs::{self, DirBuilder, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Largest settings file read.
const MAX_BYTES: u64 = 64 * 1024;

/// The settings, with defaults for anything missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Interface language (`en`, `ru`, `kk`); `None` follows the system.
    pub language: Option<String>,
    /// Lock after this many idle minutes.
    pub auto_lock_minutes: u32,
    /// Show a neutral title and icon ("Notes") and start on a neutral screen.
    pub disguise: bool,
    /// Ask once before the panic wipe.
    pub confirm_wipe: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            language: None,
            auto_lock_minutes: 5,
            disguise: false,
            confirm_wipe: true,
        }
    }
}

/// Bounds on the idle time before locking, in minutes.
pub const AUTO_LOCK_MINUTES: std::ops::RangeInclusive<u32> = 1..=240;

impl Settings {
    /// Where the settings file lives for this user.
    pub fn default_path() -> Option<PathBuf> {
        dirs::config_dir().map(|d| d.join("aigaq").join("settings.json"))
    }

    /// Reads the settings; a missing, unreadable or malformed file gives the defaults (a
    /// settings file must never keep anyone from their vault).
    pub fn load(path: &Path) -> Self {
        let Ok(f) = fs::File::open(path) else {
            return Self::default();
        };
        let mut bytes = Vec::new();
        if io::Read::read_to_end(&mut io::Read::take(f, MAX_BYTES), &mut bytes).is_err() {
            return Self::default();
        }
        let mut s: Self = serde_json::from_slice(&bytes).unwrap_or_default();
        s.auto_lock_minutes = s
            .auto_lock_minutes
            .clamp(*AUTO_LOCK_MINUTES.start(), *AUTO_LOCK_MINUTES.end());
        if !matches!(s.language.as_deref(), None | Some("en" | "ru" | "kk")) {
            s.language = None;
        }
        s
    }

    /// Writes the settings (mode 0600, folder 0700), replacing the file atomically.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        if let Some(dir) = path.parent() {
            DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        }
        let tmp = path.with_extension("json.new");
        let _ = fs::remove_file(&tmp);
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(&serde_json::to_vec_pretty(self).map_err(io::Error::other)?)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    }

    /// Removes the settings file and its folder if empty (part of the wipe).
    pub fn remove(path: &Path) -> io::Result<()> {
        match fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        if let Some(dir) = path.parent() {
            let _ = fs::remove_dir(dir);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn settings_round_trip_private_and_fall_back_to_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("aigaq").join("settings.json");
        assert_eq!(Settings::load(&path), Settings::default());
        let s = Settings {
            language: Some("kk".into()),
            auto_lock_minutes: 2,
            disguise: true,
            confirm_wipe: false,
        };
        s.save(&path).unwrap();
        assert_eq!(Settings::load(&path), s);
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        fs::write(&path, b"{not json").unwrap();
        assert_eq!(Settings::load(&path), Settings::default());
        fs::write(&path, br#"{"auto_lock_minutes": 0, "language": "xx"}"#).unwrap();
        let clamped = Settings::load(&path);
        assert_eq!((clamped.auto_lock_minutes, clamped.language), (1, None));
        Settings::remove(&path).unwrap();
        assert!(!path.exists() && !path.parent().unwrap().exists());
    }
}

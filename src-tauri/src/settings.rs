//! The app's settings: the language it starts in, the idle time before it locks, the
//! disguise, and whether the panic wipe asks first. Kept in memory and saved with the core's
//! [`Settings`] (`~/.config/aigaq/settings.json`, 0600), the only file the app writes
//! outside the vault folder; nothing in it says what the vault holds.

use std::io;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use aigaq::settings::{Settings, AUTO_LOCK_MINUTES};
use tauri::{State, WebviewWindow};

use crate::disguise;
use crate::error::CmdError;
use crate::security::check_current_passphrase;
use crate::state::Session;

/// The settings in use, and where they are saved.
#[derive(Debug)]
pub struct AppSettings {
    path: Option<PathBuf>,
    current: Mutex<Settings>,
}

impl AppSettings {
    /// Reads the user's settings file (the defaults when there is none).
    pub fn load() -> Self {
        Self::at(Settings::default_path())
    }

    /// Reads the settings file at `path`; `None` when the system has no config folder.
    pub fn at(path: Option<PathBuf>) -> Self {
        let current = path.as_deref().map(Settings::load).unwrap_or_default();
        Self {
            path,
            current: Mutex::new(current),
        }
    }

    fn current(&self) -> MutexGuard<'_, Settings> {
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The settings in use.
    pub fn get(&self) -> Settings {
        self.current().clone()
    }

    /// Changes the settings and saves them; nothing changes if they cannot be saved.
    pub fn change(&self, f: impl FnOnce(&mut Settings)) -> Result<Settings, CmdError> {
        let mut current = self.current();
        let mut next = current.clone();
        f(&mut next);
        let path = self.path.as_deref().ok_or_else(|| {
            CmdError::system(
                "this system has no configuration folder to keep the settings in; set XDG_CONFIG_HOME",
            )
        })?;
        next.save(path).map_err(|e| {
            CmdError::system(format!(
                "could not save the settings in {}: {e}",
                path.display()
            ))
        })?;
        *current = next.clone();
        Ok(next)
    }

    /// Part of the panic wipe: removes the settings file, and the defaults come back, except
    /// that the app keeps the look it has (disguised or not) until it is closed, so the
    /// screen after a wipe looks like the screen before it.
    pub fn forget(&self) -> io::Result<()> {
        let mut current = self.current();
        *current = Settings {
            disguise: current.disguise,
            ..Settings::default()
        };
        match &self.path {
            Some(path) => Settings::remove(path),
            None => Ok(()),
        }
    }
}

/// Checks a language code from the page: one of the app's, or none (follow the system).
fn language(code: Option<String>) -> Result<Option<String>, CmdError> {
    match code.as_deref() {
        None | Some("") => Ok(None),
        Some("en" | "ru" | "kk") => Ok(code),
        Some(other) => Err(CmdError::bad_request(format!(
            "language: unknown language {other:?}; use en, ru or kk"
        ))),
    }
}

/// Checks the idle time before locking, in minutes.
fn auto_lock_minutes(minutes: u32) -> Result<u32, CmdError> {
    if AUTO_LOCK_MINUTES.contains(&minutes) {
        Ok(minutes)
    } else {
        Err(CmdError::bad_request(format!(
            "auto_lock_minutes: {minutes} is out of range; use {} to {} minutes",
            AUTO_LOCK_MINUTES.start(),
            AUTO_LOCK_MINUTES.end()
        )))
    }
}

/// The settings in use. Available while locked: the first screen needs the language, the
/// disguise and whether the panic wipe asks first.
#[tauri::command]
pub fn get_settings(settings: State<'_, AppSettings>) -> Settings {
    settings.get()
}

/// Saves the settings that do not weaken the vault's protection: the language to start in,
/// the disguise, and whether the panic wipe asks first. Only while unlocked (the settings
/// screen is reached from the vault). The window's title and icon follow the disguise at
/// once.
#[tauri::command]
pub async fn save_settings(
    language_code: Option<String>,
    disguise: bool,
    confirm_wipe: bool,
    window: WebviewWindow,
    session: State<'_, Session>,
    settings: State<'_, AppSettings>,
) -> Result<Settings, CmdError> {
    if !session.is_open() {
        return Err(CmdError::locked());
    }
    let language = language(language_code)?;
    let saved = settings.change(|s| {
        s.language = language;
        s.disguise = disguise;
        s.confirm_wipe = confirm_wipe;
    })?;
    disguise::apply(&window, saved.disguise);
    Ok(saved)
}

/// Changes the idle time before the vault locks. A security setting: the current
/// passphrase is asked for.
#[tauri::command]
pub async fn set_auto_lock(
    passphrase: String,
    minutes: u32,
    session: State<'_, Session>,
    settings: State<'_, AppSettings>,
) -> Result<Settings, CmdError> {
    let minutes = auto_lock_minutes(minutes)?;
    check_current_passphrase(&session, passphrase).await?;
    settings.change(|s| s.auto_lock_minutes = minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_saved_privately_and_forgotten_by_the_wipe_but_the_look_stays() {
        let scratch = tempfile::tempdir().unwrap();
        let path = scratch.path().join("config/aigaq/settings.json");
        let settings = AppSettings::at(Some(path.clone()));
        assert_eq!(settings.get(), Settings::default());

        let saved = settings
            .change(|s| {
                s.disguise = true;
                s.auto_lock_minutes = 2;
                s.language = Some("kk".into());
            })
            .unwrap();
        assert_eq!(Settings::load(&path), saved);
        assert_eq!(settings.get(), saved);

        settings.forget().unwrap();
        assert!(!path.exists());
        assert!(!path.parent().unwrap().exists(), "the aigaq folder is left");
        let after = settings.get();
        assert!(after.disguise, "the disguise went away with the file");
        assert_eq!(after.auto_lock_minutes, 5);
        assert_eq!(after.language, None);
    }

    #[test]
    fn nothing_changes_when_the_settings_cannot_be_saved() {
        let settings = AppSettings::at(None);
        let e = settings.change(|s| s.disguise = true).unwrap_err();
        assert_eq!(e.kind, "system");
        assert!(!settings.get().disguise);
        settings.forget().unwrap();
    }

    #[test]
    fn only_known_languages_and_minutes_in_range_are_taken() {
        assert_eq!(language(None).unwrap(), None);
        assert_eq!(language(Some(String::new())).unwrap(), None);
        assert_eq!(language(Some("ru".into())).unwrap().as_deref(), Some("ru"));
        assert_eq!(
            language(Some("de".into())).unwrap_err().kind,
            "invalid_input"
        );
        assert_eq!(auto_lock_minutes(1).unwrap(), 1);
        assert_eq!(auto_lock_minutes(240).unwrap(), 240);
        for bad in [0, 241, u32::MAX] {
            let e = auto_lock_minutes(bad).unwrap_err();
            assert_eq!(e.kind, "invalid_input");
            assert!(e.message.contains("1 to 240"), "{}", e.message);
        }
    }
}

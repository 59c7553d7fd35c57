//! The panic wipe: the vault is destroyed (its keys first, by the core), then the settings
//! file, the clipboard's copy and everything the web view kept; the page is reloaded and
//! shows the app as on a first start. Nothing says a wipe happened, and its timings are not
//! reported anywhere.

use std::fs;
use std::path::Path;

use tauri::{Manager, WebviewWindow};

use crate::error::CmdError;
use crate::settings::AppSettings;
use crate::state::{Busy, Session, VaultFolder};
use crate::{clipboard, lockdown};

/// Wipes whatever vault is at `dir`. No folder, or a folder with nothing of a vault in it
/// (the core refuses to empty another folder), leaves nothing to do.
pub fn wipe_folder(dir: Option<&Path>) -> Result<(), CmdError> {
    match dir {
        Some(dir) if dir.exists() && aigaq::vault::wipe::looks_like_vault(dir) => {
            aigaq::vault::wipe(dir).map(drop).map_err(CmdError::from)
        }
        _ => Ok(()),
    }
}

/// Destroys the vault and the settings file. The vault goes first and at once: when long
/// work (an attach) holds the open vault, its folder is wiped under it, keys first, and
/// wiped again once that work lets go, for whatever it wrote meanwhile. Everything is
/// attempted even when a step fails; the first failure is returned.
pub fn wipe_all(
    session: &Session,
    folder: &VaultFolder,
    settings: &AppSettings,
) -> Result<(), CmdError> {
    session.count_wipe();
    let dir = folder.path().ok();
    let vault = match session.try_take() {
        Ok(Some(vault)) => vault.wipe().map(drop).map_err(CmdError::from),
        Ok(None) => wipe_folder(dir),
        Err(Busy) => {
            let first = wipe_folder(dir);
            session.close();
            first.and(wipe_folder(dir))
        }
    };
    if let Some(own) = folder.own_parent() {
        // Only when empty: `~/.local/share/aigaq` would still name the app.
        let _ = fs::remove_dir(own);
    }
    let settings = settings.forget().map_err(|e| {
        CmdError::system(format!(
            "the vault is destroyed, but the settings file could not be removed: {e}"
        ))
    });
    vault.and(settings)
}

/// The panic control and its shortcut. Works locked or unlocked. On success the page is
/// reloaded (so this may never answer); on failure the page is left as it is, to say so.
#[tauri::command]
pub async fn panic_wipe(window: WebviewWindow) -> Result<(), CmdError> {
    let app = window.app_handle().clone();
    // An attach may hold the session; the wipe must not wait behind it on an async worker.
    let wiped = tauri::async_runtime::spawn_blocking(move || {
        wipe_all(
            &app.state::<Session>(),
            &app.state::<VaultFolder>(),
            &app.state::<AppSettings>(),
        )
    })
    .await
    .map_err(|_| CmdError::interrupted())?;
    clipboard::take_back(window.app_handle());
    lockdown::forget_page(&window);
    wiped?;
    window.reload().map_err(|_| CmdError::interrupted())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aigaq::vault::{KdfParams, Passphrase};
    use aigaq::Vault;

    const PASS: &str = "unit test passphrase";

    fn light_vault(dir: &Path) -> Vault {
        let pass = Passphrase::new(PASS.into()).unwrap();
        Vault::init(dir, &pass, KdfParams::new(1, 1).unwrap()).unwrap()
    }

    fn settings_in(scratch: &Path) -> (AppSettings, std::path::PathBuf) {
        let path = scratch.join("config/aigaq/settings.json");
        let settings = AppSettings::at(Some(path.clone()));
        settings.change(|s| s.disguise = true).unwrap();
        (settings, path)
    }

    #[test]
    fn an_open_vault_is_wiped_with_the_settings_and_its_own_folder() {
        let scratch = tempfile::tempdir().unwrap();
        let own = scratch.path().join("data/aigaq");
        let dir = own.join("vault");
        let session = Session::default();
        session.open(light_vault(&dir)).unwrap();
        let folder = VaultFolder::given(dir.clone());
        let (settings, path) = settings_in(scratch.path());

        wipe_all(&session, &folder, &settings).unwrap();
        assert!(!session.is_open());
        assert!(!dir.exists());
        assert!(
            own.exists(),
            "a folder the user chose is not Aigaq's to remove"
        );
        assert!(!path.exists());
        assert!(!scratch.path().join("config/aigaq").exists());
        assert_eq!(session.wipes(), 1);
    }

    #[test]
    fn a_locked_vault_is_wiped_from_its_folder() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path().join("vault");
        drop(light_vault(&dir));
        let (settings, path) = settings_in(scratch.path());
        wipe_all(
            &Session::default(),
            &VaultFolder::given(dir.clone()),
            &settings,
        )
        .unwrap();
        assert!(!dir.exists());
        assert!(!path.exists());
        let pass = Passphrase::new(PASS.into()).unwrap();
        assert!(Vault::unlock(&dir, &pass).is_err());
    }

    #[test]
    fn no_vault_or_a_foreign_folder_is_left_alone_and_the_settings_still_go() {
        let scratch = tempfile::tempdir().unwrap();
        let (settings, path) = settings_in(scratch.path());
        let missing = VaultFolder::given(scratch.path().join("missing"));
        wipe_all(&Session::default(), &missing, &settings).unwrap();
        assert!(!path.exists());

        let photos = scratch.path().join("photos");
        fs::create_dir(&photos).unwrap();
        fs::write(photos.join("a.jpg"), b"x").unwrap();
        wipe_all(
            &Session::default(),
            &VaultFolder::given(photos.clone()),
            &settings,
        )
        .unwrap();
        assert!(photos.join("a.jpg").exists());
    }

    #[test]
    fn the_keys_go_at_once_even_while_long_work_holds_the_vault() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path().join("vault");
        let session = std::sync::Arc::new(Session::default());
        session.open(light_vault(&dir)).unwrap();
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let worker = {
            let session = std::sync::Arc::clone(&session);
            std::thread::spawn(move || {
                session.with(|_| {
                    started_tx.send(()).unwrap();
                    go_rx.recv().unwrap();
                    Ok(())
                })
            })
        };
        started_rx.recv().unwrap();
        assert_eq!(session.try_take().unwrap_err(), Busy);
        let wiper = {
            let session = std::sync::Arc::clone(&session);
            let dir = dir.clone();
            std::thread::spawn(move || {
                let settings = AppSettings::at(None);
                wipe_all(&session, &VaultFolder::given(dir), &settings)
            })
        };
        // The keys are destroyed while the work still holds the vault.
        let keyslots = dir.join(aigaq::vault::KEYSLOTS_FILE);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while keyslots.exists() {
            assert!(
                std::time::Instant::now() < deadline,
                "the keys are still there"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        go_tx.send(()).unwrap();
        worker.join().unwrap().unwrap();
        wiper.join().unwrap().unwrap();
        assert!(!session.is_open());
        assert!(!dir.exists());
    }

    #[test]
    fn an_unlock_that_was_deriving_its_key_during_a_wipe_does_not_open() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path().join("vault");
        let session = Session::default();
        let before = session.wipes();
        session.count_wipe();
        let opened = session
            .open_unless_wiped(light_vault(&dir), before)
            .unwrap();
        assert!(!opened);
        assert!(!session.is_open());
        let now = session.wipes();
        assert!(session
            .open_unless_wiped(light_vault(&scratch.path().join("other")), now)
            .unwrap());
    }
}

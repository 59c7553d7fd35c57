//! The commands the front end may call. Each one parses its input, calls the core and maps
//! the core's error to `{kind, message}`; no rule lives here. Every name below is also listed
//! in `build.rs`, so the capability file decides which of them a window may call.

use std::path::{Path, PathBuf};

use aigaq::model::vocab::Vocabulary;
use aigaq::model::QuickEntry;
use aigaq::store::attachments::{Attached, AttachmentInfo};
use aigaq::store::search::{SearchHit, DEFAULT_LIMIT};
use aigaq::store::{Record, Summary};
use aigaq::vault::{KdfParams, Passphrase, VaultState};
use aigaq::Vault;

use aigaq::progress::Progress;
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{State, WebviewWindow};
use tauri_plugin_dialog::DialogExt;

use crate::error::CmdError;
use crate::lockdown;
use crate::panic::wipe_folder;
use crate::state::{Session, VaultFolder};

/// What the first screen needs to know.
#[derive(Debug, Serialize)]
pub struct VaultStatus {
    /// Whether there is a vault to unlock, room to create one, or something else.
    pub state: VaultState,
    /// Whether a vault is open in this process.
    pub unlocked: bool,
    /// The vault's folder, to show the user where it is.
    pub folder: String,
    /// Failed unlocks in a row since the last good one (0 while unlocked).
    pub failed_attempts: u32,
    /// How long the next unlock waits because of them, in whole seconds (rounded up).
    pub wait_seconds: u64,
}

/// Where the vault is, whether it is open, and how long the next unlock will wait.
#[tauri::command]
pub async fn vault_status(
    session: State<'_, Session>,
    folder: State<'_, VaultFolder>,
) -> Result<VaultStatus, CmdError> {
    let dir = folder.path()?;
    let state = aigaq::vault::state(dir);
    let unlocked = session.is_open();
    let (wait, failed_attempts) = if state == VaultState::Present && !unlocked {
        aigaq::vault::pending_delay(dir)
    } else {
        (std::time::Duration::ZERO, 0)
    };
    Ok(VaultStatus {
        state,
        unlocked,
        folder: dir.display().to_string(),
        failed_attempts,
        wait_seconds: whole_seconds(wait),
    })
}

/// A wait in whole seconds, rounded up: never announce less than the core will wait.
fn whole_seconds(wait: std::time::Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// Creates the vault and keeps it open. The key derivation runs off the UI thread.
#[tauri::command]
pub async fn create_vault(
    passphrase: String,
    session: State<'_, Session>,
    folder: State<'_, VaultFolder>,
) -> Result<(), CmdError> {
    open_session(passphrase, &session, &folder, |dir, pass| {
        Vault::init(dir, pass, KdfParams::DEFAULT)
    })
    .await
}

/// Opens the vault. The key derivation runs off the UI thread.
#[tauri::command]
pub async fn unlock(
    passphrase: String,
    session: State<'_, Session>,
    folder: State<'_, VaultFolder>,
) -> Result<(), CmdError> {
    open_session(passphrase, &session, &folder, Vault::unlock).await
}

/// Runs `open` (create or unlock) on a blocking thread and keeps the vault as the session.
async fn open_session(
    passphrase: String,
    session: &Session,
    folder: &VaultFolder,
    open: fn(&Path, &Passphrase) -> Result<Vault, aigaq::Error>,
) -> Result<(), CmdError> {
    let passphrase = Passphrase::new(passphrase)?;
    if session.is_open() {
        return Err(CmdError::already_unlocked());
    }
    let dir = folder.path()?.to_path_buf();
    let wipes = session.wipes();
    let opening = dir.clone();
    let vault = tauri::async_runtime::spawn_blocking(move || open(&opening, &passphrase))
        .await
        .map_err(|_| CmdError::interrupted())??;
    if session.open_unless_wiped(vault, wipes)? {
        Ok(())
    } else {
        // The panic wipe ran while the key was being derived: what the unlock opened goes too.
        let _ = wipe_folder(Some(&dir));
        Err(CmdError::locked())
    }
}

/// Drops the session (the core wipes the keys), takes back the clipboard's copy, empties
/// the web view's data and reloads it, so nothing the page held survives.
#[tauri::command]
pub async fn lock(window: WebviewWindow) -> Result<(), CmdError> {
    // Closing waits for an attach to finish: not on an async worker.
    tauri::async_runtime::spawn_blocking(move || lockdown::lock(&window))
        .await
        .map_err(|_| CmdError::interrupted())?
}

/// Every testimony, newest first.
#[tauri::command]
pub async fn list_testimonies(session: State<'_, Session>) -> Result<Vec<Summary>, CmdError> {
    session.with(|vault| Ok(vault.store().list()?))
}

/// The testimonies whose text holds every word of `query` (as a prefix), best first.
#[tauri::command]
pub async fn search_testimonies(
    query: String,
    session: State<'_, Session>,
) -> Result<Vec<SearchHit>, CmdError> {
    session.with(|vault| Ok(vault.store().search(&query, DEFAULT_LIMIT)?))
}

/// Saves one testimony from the short form and returns its id. The entry arrives as plain
/// JSON so that a malformed one is reported as `invalid_input` like any other bad input.
#[tauri::command]
pub async fn add_testimony(
    entry: serde_json::Value,
    session: State<'_, Session>,
) -> Result<String, CmdError> {
    let entry: QuickEntry = serde_json::from_value(entry).map_err(CmdError::bad_request)?;
    session.with(|vault| Ok(vault.store_mut().add_quick(entry)?.to_string()))
}

/// One testimony as it is now: its current revision, who acknowledged it, and its
/// attachments with their risky metadata.
#[tauri::command]
pub async fn get_testimony(id: String, session: State<'_, Session>) -> Result<Record, CmdError> {
    session.with(|vault| Ok(vault.store().get(&id)?))
}

/// A testimony's attachments with their risky metadata.
#[tauri::command]
pub async fn list_attachments(
    id: String,
    session: State<'_, Session>,
) -> Result<Vec<AttachmentInfo>, CmdError> {
    session.with(|vault| Ok(vault.store().attachments(&id)?))
}

/// Stores files (chosen in the file chooser or dropped on the window) encrypted with a
/// testimony: all or none. The files are streamed on a blocking thread, so a long video
/// does not freeze the window, which `on_progress` tells how far it got.
#[tauri::command]
pub async fn attach_files(
    id: String,
    paths: Vec<String>,
    on_progress: Channel<Progress>,
    session: State<'_, Session>,
) -> Result<Vec<Attached>, CmdError> {
    let paths = absolute_paths(paths)?;
    session
        .with_blocking(move |vault| {
            let files: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
            let mut report = to_window(&on_progress);
            Ok(vault
                .store_mut()
                .attach_reporting(&id, &files, &mut report)?)
        })
        .await
}

/// Removes an attachment from a testimony (a new revision); its content is deleted from the
/// vault unless something else uses it.
#[tauri::command]
pub async fn detach_attachment(
    id: String,
    sha256: String,
    session: State<'_, Session>,
) -> Result<(), CmdError> {
    session
        .with_blocking(move |vault| {
            vault.store_mut().detach(&id, &sha256)?;
            Ok(())
        })
        .await
}

/// Sends the core's progress reports to the window's progress bar.
pub(crate) fn to_window(channel: &Channel<Progress>) -> impl FnMut(Progress) + '_ {
    |p| {
        // A closed window no longer listens; the work goes on.
        let _ = channel.send(p);
    }
}

/// The web view has no working folder, so a path from it means something only when it is
/// absolute.
pub(crate) fn absolute_paths(paths: Vec<String>) -> Result<Vec<PathBuf>, CmdError> {
    if paths.is_empty() {
        return Err(CmdError::bad_request("no files given"));
    }
    paths
        .into_iter()
        .map(|p| {
            let path = PathBuf::from(p);
            if path.is_absolute() {
                Ok(path)
            } else {
                Err(CmdError::bad_request(format!(
                    "{}: give the file's full path",
                    path.display()
                )))
            }
        })
        .collect()
}

/// Opens the system's file chooser over the window and returns the files picked (none when
/// it is cancelled). The chooser runs from here: the page gets no dialog permission.
#[tauri::command]
pub async fn pick_files(
    title: String,
    window: WebviewWindow,
    session: State<'_, Session>,
) -> Result<Vec<String>, CmdError> {
    if !session.is_open() {
        return Err(CmdError::locked());
    }
    let picked = tauri::async_runtime::spawn_blocking(move || {
        window
            .dialog()
            .file()
            .set_title(title)
            .set_parent(&window)
            .blocking_pick_files()
    })
    .await
    .map_err(|_| CmdError::interrupted())?;
    picked
        .unwrap_or_default()
        .into_iter()
        .map(|file| {
            let path = file.into_path().map_err(CmdError::bad_request)?;
            path.into_os_string().into_string().map_err(|name| {
                CmdError::bad_request(format!(
                    "{}: the file's name is not valid UTF-8; rename it, or attach it with `aigaq attach`",
                    PathBuf::from(name).display()
                ))
            })
        })
        .collect()
}

/// The controlled vocabularies with their en/ru/kk labels.
#[tauri::command]
pub fn vocabularies() -> Vec<Vocabulary> {
    aigaq::model::vocab::all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_announced_wait_is_never_shorter_than_the_real_one() {
        assert_eq!(whole_seconds(Duration::ZERO), 0);
        assert_eq!(whole_seconds(Duration::from_secs(4)), 4);
        assert_eq!(whole_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(whole_seconds(aigaq::vault::delay_after(2)), 2);
        assert_eq!(whole_seconds(aigaq::vault::delay_after(40)), 300);
    }

    #[test]
    fn only_absolute_paths_are_attached() {
        assert_eq!(absolute_paths(vec![]).unwrap_err().kind, "invalid_input");
        let e = absolute_paths(vec!["/a/b.jpg".into(), "note.txt".into()]).unwrap_err();
        assert!(e.message.contains("note.txt"), "{}", e.message);
        assert_eq!(
            absolute_paths(vec!["/a/b.jpg".into()]).unwrap(),
            vec![PathBuf::from("/a/b.jpg")]
        );
    }
}

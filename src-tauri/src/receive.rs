//! The partner organisation's side, as `aigaq keygen`, `import --identity` and `ack` do in
//! the CLI: the organisation's key made, bundles verified and imported with its key file, the list of what
//! was received, and the signed acknowledgement written where the user chooses for the
//! collector. The key file is read for each command and dropped after it, never kept.

use std::path::{Path, PathBuf};

use aigaq::bundle::ack::AckReport;
use aigaq::bundle::import::{ImportedBundle, ReceivedRevision};
use aigaq::bundle::OrgKey;
use aigaq::progress::Progress;
use aigaq::store::received::ReceivedTestimony;
use aigaq::vault::Passphrase;
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{State, WebviewWindow};

use crate::cmd::{absolute_paths, to_window};
use crate::error::CmdError;
use crate::handoff::{ask_where_to_save, ask_where_to_save_as};
use crate::state::Session;

/// The organisation's key from its file, unlocked with `passphrase` when it is protected
/// (an empty passphrase counts as none).
fn org_key(file: &str, passphrase: Option<String>) -> Result<OrgKey, CmdError> {
    let path = Path::new(file);
    if !path.is_absolute() {
        return Err(CmdError::bad_request(format!(
            "{file}: give the key file's full path"
        )));
    }
    let passphrase = match passphrase.filter(|p| !p.is_empty()) {
        Some(p) => Some(Passphrase::new(p)?),
        None => None,
    };
    Ok(OrgKey::read(path, passphrase.as_ref()).map_err(aigaq::Error::from)?)
}

/// A new organisation key, as `aigaq keygen` makes it: where it was saved, and what to give
/// collectors.
#[derive(Debug, Serialize)]
pub struct MadeKey {
    /// The key file.
    pub path: PathBuf,
    /// Its `age1…` recipient, for collectors.
    pub recipient: String,
    /// The recipient's read-aloud fingerprint.
    pub fingerprint: String,
}

/// Makes a new organisation key and saves it where the user chooses (mode 0600, never over
/// a file), protected with `passphrase` unless it is empty; nothing when the user cancels.
#[tauri::command]
pub async fn make_org_key(
    passphrase: String,
    title: String,
    window: WebviewWindow,
    session: State<'_, Session>,
) -> Result<Option<MadeKey>, CmdError> {
    if !session.is_open() {
        return Err(CmdError::locked());
    }
    let protect = if passphrase.is_empty() {
        None
    } else {
        let pass = Passphrase::new(passphrase)?;
        pass.check_strength()?;
        Some(pass)
    };
    let Some(path) = ask_where_to_save_as(window, title, "organisation.key".into()).await? else {
        return Ok(None);
    };
    let key = OrgKey::generate();
    let created = aigaq::store::now();
    tauri::async_runtime::spawn_blocking(move || {
        key.write(&path, &created, protect.as_ref())
            .map_err(aigaq::Error::from)?;
        Ok(Some(MadeKey {
            recipient: key.recipient(),
            fingerprint: key.fingerprint(),
            path,
        }))
    })
    .await
    .map_err(|_| CmdError::interrupted())?
}

/// Verifies bundles and imports them into this vault, all or none, telling `on_progress`
/// how far it got; says from which device each came and what was new.
#[tauri::command]
pub async fn import_bundles(
    key_file: String,
    key_passphrase: Option<String>,
    paths: Vec<String>,
    on_progress: Channel<Progress>,
    session: State<'_, Session>,
) -> Result<Vec<ImportedBundle>, CmdError> {
    let paths = absolute_paths(paths)?;
    session
        .with_blocking(move |vault| {
            let key = org_key(&key_file, key_passphrase)?;
            let bundles: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
            let mut report = to_window(&on_progress);
            Ok(vault
                .store_mut()
                .import_reporting(&bundles, &key, &mut report)?)
        })
        .await
}

/// Every revision this vault received, oldest first.
#[tauri::command]
pub async fn list_received(session: State<'_, Session>) -> Result<Vec<ReceivedRevision>, CmdError> {
    session.with(|vault| Ok(vault.store().received()?))
}

/// One received testimony: every revision held (from whom, in which bundle) with its
/// content, and the attachments they list with whether their content arrived.
#[tauri::command]
pub async fn get_received(
    id: String,
    session: State<'_, Session>,
) -> Result<ReceivedTestimony, CmdError> {
    session.with(|vault| Ok(vault.store().received_testimony(&id)?))
}

/// Asks where to save a signed acknowledgement of `paths` (bundles already imported, from
/// one device) and writes it there, encrypted to that device; nothing when the user
/// cancels.
#[tauri::command]
pub async fn acknowledge_bundles(
    key_file: String,
    key_passphrase: Option<String>,
    paths: Vec<String>,
    title: String,
    window: WebviewWindow,
    session: State<'_, Session>,
) -> Result<Option<AckReport>, CmdError> {
    let paths = absolute_paths(paths)?;
    if !session.is_open() {
        return Err(CmdError::locked());
    }
    let Some(out) = ask_where_to_save(window, title).await? else {
        return Ok(None);
    };
    session
        .with_blocking(move |vault| {
            let key = org_key(&key_file, key_passphrase)?;
            let bundles: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
            Ok(Some(
                vault.store_mut().acknowledge(&bundles, &key, &out, false)?,
            ))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_read_only_from_a_full_path_and_a_wrong_passphrase_is_said() {
        let e = org_key("org.key", None).unwrap_err();
        assert_eq!(e.kind, "invalid_input");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("org.key");
        let key = OrgKey::generate();
        let pass = Passphrase::new("organisation key passphrase".into()).unwrap();
        key.write(&file, "2026-11-24T00:00:00Z", Some(&pass))
            .unwrap();
        let path = file.to_str().unwrap();
        let read = org_key(path, Some("organisation key passphrase".into())).unwrap();
        assert_eq!(read.recipient(), key.recipient());
        let e = org_key(path, Some("another passphrase here".into())).unwrap_err();
        assert_eq!(e.kind, "wrong_passphrase");
        let e = org_key(path, Some(String::new())).unwrap_err();
        assert_eq!(e.kind, "invalid_input", "{}", e.message);
    }
}

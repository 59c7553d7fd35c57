//! Handing testimonies to partner organisations from the app, as `aigaq recipient`,
//! `export`, `import` (of acknowledgements) and `purge --delivered` do in the CLI: the
//! organisations this device knows, who may receive each testimony, the bundle written
//! where the user chooses, the organisations' receipts, and removing what they hold.
//! Each command parses, calls the core and reports; the rules are the core's.

use std::path::PathBuf;

use aigaq::bundle::ack::AckImported;
use aigaq::bundle::export::{random_file_name, ExportOptions, ExportReport};
use aigaq::bundle::Recipient;
use aigaq::progress::Progress;
use aigaq::store::{EditOutcome, PurgePlan};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{State, WebviewWindow};
use tauri_plugin_dialog::DialogExt;

use crate::cmd::{absolute_paths, to_window};
use crate::error::CmdError;
use crate::state::Session;

/// What an organisation needs to tell this device from another: read aloud on a call when
/// the first bundle arrives.
#[derive(Debug, Serialize)]
pub struct ThisDevice {
    /// The name it gives itself in bundles, if any.
    pub name: Option<String>,
    /// Its signing key's fingerprint.
    pub fingerprint: String,
}

/// The organisations this device may export to, by name, and this device's own fingerprint.
#[derive(Debug, Serialize)]
pub struct Recipients {
    pub recipients: Vec<Recipient>,
    pub device: ThisDevice,
}

/// The organisations this device may export to.
#[tauri::command]
pub async fn list_recipients(session: State<'_, Session>) -> Result<Recipients, CmdError> {
    session.with(|vault| {
        let store = vault.store();
        Ok(Recipients {
            recipients: store.recipients()?,
            device: ThisDevice {
                name: store.device_name()?,
                fingerprint: store.device().fingerprint(),
            },
        })
    })
}

/// Adds an organisation by the `age1…` recipient it gave; returns it with the fingerprint
/// to compare with the organisation.
#[tauri::command]
pub async fn add_recipient(
    name: String,
    recipient: String,
    session: State<'_, Session>,
) -> Result<Recipient, CmdError> {
    session.with(|vault| Ok(vault.store_mut().add_recipient(&name, &recipient)?))
}

/// Removes an organisation from the list; what it was sent stays recorded.
#[tauri::command]
pub async fn remove_recipient(name: String, session: State<'_, Session>) -> Result<(), CmdError> {
    session.with(|vault| Ok(vault.store_mut().remove_recipient(&name)?))
}

/// Saves which organisations may receive a testimony; true when that made a new revision.
#[tauri::command]
pub async fn set_share_with(
    id: String,
    names: Vec<String>,
    session: State<'_, Session>,
) -> Result<bool, CmdError> {
    session.with(|vault| {
        let outcome = vault.store_mut().set_share_with(&id, &names)?;
        Ok(matches!(outcome, EditOutcome::Saved(_)))
    })
}

/// How many testimonies a bundle for `recipient` would carry now; `not_found` when none.
#[tauri::command]
pub async fn pending_export(
    recipient: String,
    all: bool,
    session: State<'_, Session>,
) -> Result<usize, CmdError> {
    session.with(|vault| Ok(vault.store().pending_export(&recipient, all)?))
}

/// Asks where to save a bundle for `recipient` (a name that says nothing is offered) and
/// writes it there; nothing when the user cancels. With nothing to send it says so before
/// asking. Export runs on a blocking thread and tells `on_progress` how far it got.
#[tauri::command]
pub async fn export_bundle(
    recipient: String,
    all: bool,
    strip_metadata: bool,
    title: String,
    on_progress: Channel<Progress>,
    window: WebviewWindow,
    session: State<'_, Session>,
) -> Result<Option<ExportReport>, CmdError> {
    session.with(|vault| Ok(vault.store().pending_export(&recipient, all)?))?;
    let Some(out) = ask_where_to_save(window, title).await? else {
        return Ok(None);
    };
    let opts = ExportOptions {
        all,
        armor: false,
        strip_metadata,
    };
    session
        .with_blocking(move |vault| {
            let mut report = to_window(&on_progress);
            let written =
                vault
                    .store_mut()
                    .export_reporting(&recipient, &out, opts, &mut report)?;
            Ok(Some(written))
        })
        .await
}

/// Opens the system's save dialog over the window, offering a random name that says
/// nothing of what the file holds or for whom; `None` when the user cancels.
pub(crate) async fn ask_where_to_save(
    window: WebviewWindow,
    title: String,
) -> Result<Option<PathBuf>, CmdError> {
    let suggested = random_file_name().map_err(aigaq::Error::from)?;
    ask_where_to_save_as(window, title, suggested).await
}

/// Opens the system's save dialog over the window, offering `suggested`; `None` when the
/// user cancels.
pub(crate) async fn ask_where_to_save_as(
    window: WebviewWindow,
    title: String,
    suggested: String,
) -> Result<Option<PathBuf>, CmdError> {
    let chosen = tauri::async_runtime::spawn_blocking(move || {
        window
            .dialog()
            .file()
            .set_title(title)
            .set_file_name(suggested)
            .set_parent(&window)
            .blocking_save_file()
    })
    .await
    .map_err(|_| CmdError::interrupted())?;
    match chosen {
        Some(file) => Ok(Some(file.into_path().map_err(CmdError::bad_request)?)),
        None => Ok(None),
    }
}

/// Verifies acknowledgements the organisations sent back and records what they hold: all
/// or none.
#[tauri::command]
pub async fn import_acknowledgements(
    paths: Vec<String>,
    session: State<'_, Session>,
) -> Result<Vec<AckImported>, CmdError> {
    let paths = absolute_paths(paths)?;
    session
        .with_blocking(move |vault| {
            let files: Vec<&std::path::Path> = paths.iter().map(PathBuf::as_path).collect();
            Ok(vault.store_mut().import_acks(&files)?)
        })
        .await
}

/// What removing the delivered testimonies would remove, and what it keeps.
#[tauri::command]
pub async fn delivered_plan(session: State<'_, Session>) -> Result<PurgePlan, CmdError> {
    session.with(|vault| Ok(vault.store().purge_plan()?))
}

/// Removes the content of every testimony each organisation it may go to has acknowledged
/// (the ledger keeps their hashes); returns what was removed.
#[tauri::command]
pub async fn purge_delivered(session: State<'_, Session>) -> Result<PurgePlan, CmdError> {
    session
        .with_blocking(|vault| Ok(vault.store_mut().purge_delivered()?))
        .await
}

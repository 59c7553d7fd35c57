//! Locking: the session is dropped (the core wipes the keys), the clipboard's copy taken
//! back, the web view's data emptied and the page reloaded, so no testimony stays in the
//! page's memory. The lock button, the idle timer, the desktop's lock and sleep signals and
//! the panic wipe all come through here.

use tauri::{AppHandle, Manager, WebviewWindow};

use crate::clipboard;
use crate::error::CmdError;
use crate::state::Session;
use crate::webview_data::WebviewData;
use crate::MAIN_WINDOW;

/// Locks and reloads the page. Waits for long work (an attach) to let go of the vault.
pub fn lock(window: &WebviewWindow) -> Result<(), CmdError> {
    let app = window.app_handle();
    app.state::<Session>().close();
    clipboard::take_back(app);
    forget_page(window);
    window.reload().map_err(|_| CmdError::interrupted())
}

/// Empties what the web view kept (caches, storage) and its data folder.
pub fn forget_page(window: &WebviewWindow) {
    if let Err(e) = window.clear_all_browsing_data() {
        eprintln!("aigaq: could not clear the web view's data: {e}");
    }
    if let Err(e) = window.app_handle().state::<WebviewData>().clear() {
        eprintln!("aigaq: could not empty the web view's data folder: {e}");
    }
}

/// For the desktop's signals (screen locked, going to sleep): locks if a vault is open. On a
/// blocking thread, since the signals arrive on the UI thread and closing may wait.
pub fn lock_if_open(app: &AppHandle) {
    if !app.state::<Session>().is_open() {
        return;
    }
    let Some(window) = app.get_webview_window(MAIN_WINDOW) else {
        return;
    };
    tauri::async_runtime::spawn_blocking(move || {
        if let Err(e) = lock(&window) {
            eprintln!("aigaq: could not lock the vault: {}", e.message);
        }
    });
}

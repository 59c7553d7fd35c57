//! Copying text (an attachment's SHA-256, or what the user selected and copied in the page)
//! to the desktop's clipboard, and taking it back: after 30 seconds, when the vault locks or
//! is wiped, and when the app exits, each time only if the clipboard still holds what the
//! app put there (what another program copied since is left alone).
//!
//! The text is offered with the `x-kde-passwordManagerHint: secret` mark, which clipboard
//! managers that keep a history (Klipper, and others that honour it) read as "do not
//! record". GTK's clipboard lives on the UI thread; everything here runs there.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tauri::{AppHandle, WebviewWindow};

use crate::error::CmdError;

/// How long a copy stays on the clipboard.
pub const CLEAR_AFTER: Duration = Duration::from_secs(30);

/// Longest text copied (in bytes): a testimony's narrative fits; a whole vault does not.
pub const MAX_COPY_BYTES: usize = 1024 * 1024;

/// The number of the latest copy; each copy gets the next one.
static COPIES: AtomicU64 = AtomicU64::new(0);
/// The number of the copy the clipboard holds now, or 0 when it holds none of ours.
static HELD: AtomicU64 = AtomicU64::new(0);

/// The time before clearing: [`CLEAR_AFTER`], or less when `AIGAQ_CLIPBOARD_CLEAR_SECONDS`
/// asks for less (the end-to-end test does not wait 30 s); never more.
pub fn clear_after() -> Duration {
    clear_after_from(
        std::env::var("AIGAQ_CLIPBOARD_CLEAR_SECONDS")
            .ok()
            .as_deref(),
    )
}

fn clear_after_from(seconds: Option<&str>) -> Duration {
    seconds
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_secs)
        .filter(|d| !d.is_zero() && *d < CLEAR_AFTER)
        .unwrap_or(CLEAR_AFTER)
}

/// Puts `text` on the clipboard and clears it after [`clear_after`].
#[tauri::command]
pub async fn copy_text(text: String, window: WebviewWindow) -> Result<(), CmdError> {
    if text.is_empty() {
        return Err(CmdError::bad_request("nothing to copy"));
    }
    if text.len() > MAX_COPY_BYTES {
        return Err(CmdError::bad_request(format!(
            "the text is too long to copy ({} bytes; at most {MAX_COPY_BYTES})",
            text.len()
        )));
    }
    let copy = COPIES.fetch_add(1, Ordering::SeqCst) + 1;
    let (done, answer) = std::sync::mpsc::channel();
    window
        .run_on_main_thread(move || {
            let _ = done.send(ui::put(text, copy, clear_after()));
        })
        .map_err(|_| CmdError::interrupted())?;
    let put = tauri::async_runtime::spawn_blocking(move || {
        answer.recv_timeout(Duration::from_secs(5)).unwrap_or(false)
    })
    .await
    .map_err(|_| CmdError::interrupted())?;
    if put {
        Ok(())
    } else {
        Err(CmdError::system(
            "the clipboard could not be set; select the text and copy it instead",
        ))
    }
}

/// Clears the clipboard if it still holds the app's copy (on lock, wipe and exit).
pub fn take_back(app: &AppHandle) {
    if HELD.load(Ordering::SeqCst) == 0 {
        return;
    }
    let _ = app.run_on_main_thread(|| ui::clear(None));
}

/// Marks that the clipboard no longer holds copy `copy` (GTK dropped our offer: cleared, or
/// replaced by another copy or another program).
fn released(copy: u64) {
    let _ = HELD.compare_exchange(copy, 0, Ordering::SeqCst, Ordering::SeqCst);
}

#[cfg(target_os = "linux")]
mod ui {
    use super::{released, HELD};
    use gtk::gdk::{Atom, SELECTION_CLIPBOARD};
    use gtk::{glib, Clipboard, TargetEntry, TargetFlags};
    use std::sync::atomic::Ordering;
    use std::time::Duration;

    const TEXT: u32 = 0;
    const HINT: u32 = 1;
    const HINT_TARGET: &str = "x-kde-passwordManagerHint";

    /// Lives inside GTK's offer; dropped when GTK lets the offer go.
    struct Offer {
        copy: u64,
        text: String,
    }

    impl Drop for Offer {
        fn drop(&mut self) {
            released(self.copy);
        }
    }

    pub fn put(text: String, copy: u64, clear_after: Duration) -> bool {
        let clipboard = Clipboard::get(&SELECTION_CLIPBOARD);
        let targets = [
            TargetEntry::new("UTF8_STRING", TargetFlags::empty(), TEXT),
            TargetEntry::new("text/plain;charset=utf-8", TargetFlags::empty(), TEXT),
            TargetEntry::new("STRING", TargetFlags::empty(), TEXT),
            TargetEntry::new("TEXT", TargetFlags::empty(), TEXT),
            TargetEntry::new(HINT_TARGET, TargetFlags::empty(), HINT),
        ];
        let offer = Offer { copy, text };
        let set = clipboard.set_with_data(&targets, move |_, data, info| {
            if info == HINT {
                data.set(&Atom::intern(HINT_TARGET), 8, b"secret");
            } else {
                data.set_text(&offer.text);
            }
        });
        if set {
            HELD.store(copy, Ordering::SeqCst);
            glib::timeout_add_local_once(clear_after, move || clear(Some(copy)));
        }
        set
    }

    /// Clears the clipboard if it holds copy `copy` (any of ours when `None`).
    pub fn clear(copy: Option<u64>) {
        let held = HELD.load(Ordering::SeqCst);
        if held != 0 && copy.is_none_or(|c| c == held) {
            // Ours: GTK drops the offer (and `Offer` marks it released).
            Clipboard::get(&SELECTION_CLIPBOARD).clear();
            HELD.store(0, Ordering::SeqCst);
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod ui {
    use std::time::Duration;

    pub fn put(_text: String, _copy: u64, _clear_after: Duration) -> bool {
        false
    }

    pub fn clear(_copy: Option<u64>) {}
}

/// Clears the clipboard if it holds the app's copy; for the exit, already on the UI thread.
pub fn take_back_now() {
    ui::clear(None);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_cleared_after_30_seconds_at_most() {
        assert_eq!(CLEAR_AFTER, Duration::from_secs(30));
        assert_eq!(clear_after_from(None), CLEAR_AFTER);
        // The variable may only shorten the time.
        assert_eq!(clear_after_from(Some("3")), Duration::from_secs(3));
        for longer in ["0", "30", "31", "3600", "-1", "x", ""] {
            assert_eq!(clear_after_from(Some(longer)), CLEAR_AFTER, "{longer}");
        }
    }

    #[test]
    fn only_the_copy_still_held_is_released() {
        HELD.store(7, Ordering::SeqCst);
        released(6);
        assert_eq!(HELD.load(Ordering::SeqCst), 7);
        released(7);
        assert_eq!(HELD.load(Ordering::SeqCst), 0);
    }
}

//! The Aigaq desktop app: a thin Tauri shell over the `aigaq` core. This file wires the
//! pieces together; the commands are in [`cmd`], [`settings`], [`security`], [`handoff`]
//! (handing testimonies to organisations) and [`receive`] (an organisation's side), the
//! session in [`state`], locking in [`lockdown`] and the panic wipe in [`panic`], the
//! decrypted previews of attachments in [`media`], the clipboard in [`clipboard`], the
//! disguise in [`disguise`], the desktop's lock and sleep signals in [`desktop`], and the
//! web view's throwaway data folder in [`webview_data`].

#![forbid(unsafe_code)]

pub mod clipboard;
pub mod cmd;
pub mod desktop;
pub mod disguise;
pub mod error;
pub mod handoff;
pub mod lockdown;
pub mod media;
pub mod panic;
pub mod receive;
pub mod security;
pub mod settings;
pub mod state;
pub mod webview_data;

use tauri::webview::NewWindowResponse;
use tauri::{AppHandle, Manager, RunEvent, Url, WebviewUrl, WebviewWindowBuilder};

use settings::AppSettings;
use state::{Session, VaultFolder};
use webview_data::WebviewData;

/// Label of the one window; `capabilities/main.json` grants the commands to it alone.
pub const MAIN_WINDOW: &str = "main";

/// Runs the app until its window closes and returns the process exit code.
pub fn run() -> i32 {
    // First of all: a crash must not write memory (keys, testimonies) to disk.
    if let Err(e) = aigaq::hardening::harden_process() {
        eprintln!("aigaq: warning: could not turn off core dumps ({e}); a crash could write memory to disk");
    }
    keep_gtk_from_writing();
    let settings = AppSettings::load();
    disguise::name_program(settings.get().disguise);
    let webview_data = match WebviewData::create() {
        Ok(data) => data,
        Err(e) => {
            eprintln!("aigaq: could not create a private folder for the web view: {e}");
            return 1;
        }
    };
    keep_gstreamer_from_writing(&webview_data);
    let builder = tauri::Builder::default()
        .manage(Session::default())
        .manage(VaultFolder::from_env())
        .manage(webview_data)
        .manage(settings)
        // Only for `pick_files`, called from Rust: the window is granted none of its commands.
        .plugin(tauri_plugin_dialog::init())
        .register_asynchronous_uri_scheme_protocol(media::SCHEME, |ctx, request, responder| {
            let app = ctx.app_handle().clone();
            let webview = ctx.webview_label().to_owned();
            // Decrypting can take a moment, and waits while an attach holds the vault.
            tauri::async_runtime::spawn_blocking(move || {
                responder.respond(media::serve(&app.state::<Session>(), &webview, &request));
            });
        })
        .invoke_handler(tauri::generate_handler![
            cmd::vault_status,
            cmd::create_vault,
            cmd::unlock,
            cmd::lock,
            cmd::list_testimonies,
            cmd::add_testimony,
            cmd::vocabularies,
            cmd::get_testimony,
            cmd::list_attachments,
            cmd::attach_files,
            cmd::detach_attachment,
            cmd::pick_files,
            cmd::search_testimonies,
            settings::get_settings,
            settings::save_settings,
            settings::set_auto_lock,
            security::security_settings,
            security::set_wipe_after,
            security::set_duress,
            security::clear_duress,
            panic::panic_wipe,
            clipboard::copy_text,
            handoff::list_recipients,
            handoff::add_recipient,
            handoff::remove_recipient,
            handoff::set_share_with,
            handoff::pending_export,
            handoff::export_bundle,
            handoff::import_acknowledgements,
            handoff::delivered_plan,
            handoff::purge_delivered,
            receive::make_org_key,
            receive::import_bundles,
            receive::list_received,
            receive::get_received,
            receive::acknowledge_bundles,
        ])
        .setup(|app| {
            keep_file_chooser_from_recording();
            exit_cleanly_on_signals(app.handle().clone());
            open_main_window(app)?;
            desktop::listen(app.handle());
            Ok(())
        });
    let app = match build_quietly(builder) {
        Ok(app) => app,
        Err(why) => {
            eprintln!("aigaq: the app could not start: {why}");
            return 1;
        }
    };
    let webview_folder = app.state::<WebviewData>().path().to_path_buf();
    let code = app.run_return(|handle, event| {
        if let RunEvent::Exit = event {
            handle.state::<Session>().close();
            clipboard::take_back_now();
            if let Err(e) = handle.state::<WebviewData>().remove() {
                eprintln!("aigaq: could not remove the web view's data folder: {e}");
            }
        }
    });
    remove_late_writes(&webview_folder);
    code
}

/// WebKit's network process can still write its caches (HSTS, resource cache) into the web
/// view's folder just after the app removed it at exit; look a few times and remove what
/// reappeared.
fn remove_late_writes(folder: &std::path::Path) {
    for _ in 0..5 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        if folder.exists() {
            if let Err(e) = std::fs::remove_dir_all(folder) {
                eprintln!("aigaq: could not remove the web view's data folder: {e}");
            }
        }
    }
}

/// Builds the app. GTK panics inside Tauri when there is no display to open a window on;
/// that becomes one plain sentence instead of a panic message and backtrace.
fn build_quietly(builder: tauri::Builder<tauri::Wry>) -> Result<tauri::App, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        builder.build(tauri::generate_context!())
    }));
    std::panic::set_hook(hook);
    match built {
        Ok(Ok(app)) => Ok(app),
        Ok(Err(e)) => Err(e.to_string()),
        Err(payload) => {
            let what = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("unknown failure");
            if what.to_ascii_lowercase().contains("initialize gtk") {
                Err(
                    "no graphical display to open a window on (is DISPLAY or WAYLAND_DISPLAY set?)"
                        .into(),
                )
            } else {
                Err(format!("unexpected failure while starting: {what}"))
            }
        }
    }
}

/// A logout, `kill` or Ctrl-C ends the app through the normal exit, so the session is dropped
/// and the web view's folder removed as when the window is closed.
fn exit_cleanly_on_signals(handle: AppHandle) {
    use tokio::signal::unix::{signal, SignalKind};
    for kind in [
        SignalKind::terminate(),
        SignalKind::interrupt(),
        SignalKind::hangup(),
    ] {
        let handle = handle.clone();
        tauri::async_runtime::spawn(async move {
            match signal(kind) {
                Ok(mut stream) => {
                    if stream.recv().await.is_some() {
                        handle.exit(0);
                    }
                }
                Err(e) => eprintln!(
                    "aigaq: cannot listen for signal {}: {e}",
                    kind.as_raw_value()
                ),
            }
        });
    }
}

/// GTK and Mesa write settings and shader caches under the user's home unless told not to.
/// Called before GTK starts; these values are not secrets.
fn keep_gtk_from_writing() {
    std::env::set_var("GSETTINGS_BACKEND", "memory");
    std::env::set_var("MESA_SHADER_CACHE_DISABLE", "true");
}

/// WebKit plays recordings through GStreamer, which keeps a cache of its plugins in the
/// user's cache folder (`~/.cache/gstreamer-1.0`); in the throwaway folder instead, it goes
/// with the rest when the app exits. Called before the web view starts its processes.
fn keep_gstreamer_from_writing(data: &WebviewData) {
    std::env::set_var("GST_REGISTRY", data.path().join("gstreamer-registry.bin"));
}

/// GTK's file chooser adds every file it opens to the user's "recently used" list
/// (`~/.local/share/recently-used.xbel`), which would name the evidence files on disk.
/// With recent files turned off GTK records nothing; it then writes the list back empty
/// (clearing the desktop's recent files), which is the lesser harm.
/// Called on the main thread once GTK has started.
fn keep_file_chooser_from_recording() {
    #[cfg(target_os = "linux")]
    if let Some(settings) = gtk::Settings::default() {
        use gtk::prelude::GtkSettingsExt;
        settings.set_gtk_recent_files_enabled(false);
    }
}

/// The one window: an incognito web view with a throwaway data folder, which may only show
/// the app's own pages and never opens another window. Titled "Notes" in disguise.
fn open_main_window(app: &tauri::App) -> tauri::Result<()> {
    let data_dir = app.state::<WebviewData>().path().to_path_buf();
    let incognito = !under_webdriver();
    let disguised = app.state::<AppSettings>().get().disguise;
    let builder = WebviewWindowBuilder::new(app, MAIN_WINDOW, WebviewUrl::App("index.html".into()));
    let builder = if disguised {
        builder.icon(disguise::neutral_icon())?
    } else {
        builder
    };
    builder
        .title(disguise::title(disguised))
        .inner_size(960.0, 720.0)
        .min_inner_size(520.0, 480.0)
        .incognito(incognito)
        .data_directory(data_dir)
        .on_navigation(is_app_page)
        .on_new_window(|_, _| NewWindowResponse::Deny)
        .build()?;
    Ok(())
}

/// True when `tauri-driver` started the app for an end-to-end test. WebKitGTK automates
/// only the web context Tauri makes for the data folder, while an incognito web view gets a
/// separate ephemeral context that cannot be automated; so under WebDriver the web view
/// keeps its data in the throwaway folder instead, which is emptied on lock and removed on
/// exit all the same. `tauri-driver` sets this variable for the app it starts, and Tauri
/// itself already lets WebDriver automate any app started with it.
fn under_webdriver() -> bool {
    std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true")
}

/// The app's own origin as the bundled front end is served on each platform.
fn is_app_page(url: &Url) -> bool {
    matches!(
        (url.scheme(), url.host_str()),
        ("tauri", Some("localhost")) | ("http" | "https", Some("tauri.localhost"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_apps_own_pages_may_load() {
        for ok in [
            "tauri://localhost/",
            "tauri://localhost/index.html",
            "http://tauri.localhost/",
        ] {
            assert!(is_app_page(&Url::parse(ok).unwrap()), "{ok}");
        }
        for bad in [
            "https://example.org/",
            "http://localhost:1420/",
            "file:///etc/passwd",
            "tauri://evil/",
            "data:text/html,hi",
        ] {
            assert!(!is_app_page(&Url::parse(bad).unwrap()), "{bad}");
        }
    }
}

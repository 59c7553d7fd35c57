//! Locks the vault when the desktop says the screen locks or the machine goes to sleep:
//! logind's `PrepareForSleep` and this session's `Lock` on the system bus, and a screen
//! saver's `ActiveChanged` on the session bus. Through GIO's D-Bus client, which GTK already
//! brings. Only buses that exist are used: nothing is started to get one, and without them
//! only the idle timer locks.

use tauri::AppHandle;

/// Starts listening; called once on the UI thread after GTK started.
pub fn listen(app: &AppHandle) {
    #[cfg(target_os = "linux")]
    linux::listen(app);
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

/// The screen savers whose `ActiveChanged(true)` means the screen is locked.
pub const SCREEN_SAVERS: &[&str] = &[
    "org.freedesktop.ScreenSaver",
    "org.gnome.ScreenSaver",
    "org.mate.ScreenSaver",
    "org.cinnamon.ScreenSaver",
];

/// Whether a session bus is there to use. Without `DBUS_SESSION_BUS_ADDRESS`, GIO would try
/// to start one (X11 autolaunch), which would write files of its own.
pub fn session_bus_given(address: Option<&std::ffi::OsStr>) -> bool {
    address.is_some_and(|a| !a.is_empty())
}

#[cfg(target_os = "linux")]
mod linux {
    use std::cell::RefCell;

    use gtk::gio::prelude::*;
    use gtk::gio::{self, BusType, DBusCallFlags, DBusConnection, DBusSignalFlags};
    use gtk::glib::{self, Variant, VariantTy};
    use tauri::AppHandle;

    use crate::lockdown::lock_if_open;

    const LOGIND: &str = "org.freedesktop.login1";
    const LOGIND_PATH: &str = "/org/freedesktop/login1";

    thread_local! {
        /// The connections stay open for as long as the app runs (GIO's shared connections
        /// close when nobody holds them, and their subscriptions with them).
        static BUSES: RefCell<Vec<DBusConnection>> = const { RefCell::new(Vec::new()) };
    }

    fn keep(bus: &DBusConnection) {
        // A bus that goes away must not take the app with it.
        bus.set_exit_on_close(false);
        BUSES.with(|b| b.borrow_mut().push(bus.clone()));
    }

    /// True for a signal whose only argument is `true`.
    fn says_true(parameters: &Variant) -> bool {
        parameters.get::<(bool,)>() == Some((true,))
    }

    pub fn listen(app: &AppHandle) {
        let on_system = app.clone();
        gio::bus_get(BusType::System, None::<&gio::Cancellable>, move |bus| {
            if let Ok(bus) = bus {
                system(&bus, on_system);
            }
        });
        if super::session_bus_given(std::env::var_os("DBUS_SESSION_BUS_ADDRESS").as_deref()) {
            let on_session = app.clone();
            gio::bus_get(BusType::Session, None::<&gio::Cancellable>, move |bus| {
                if let Ok(bus) = bus {
                    session(&bus, on_session);
                }
            });
        }
    }

    /// logind: the machine is about to sleep, or this session is locked.
    fn system(bus: &DBusConnection, app: AppHandle) {
        keep(bus);
        let on_sleep = app.clone();
        bus.signal_subscribe(
            Some(LOGIND),
            Some("org.freedesktop.login1.Manager"),
            Some("PrepareForSleep"),
            Some(LOGIND_PATH),
            None,
            DBusSignalFlags::NONE,
            move |_, _, _, _, _, parameters| {
                if says_true(parameters) {
                    lock_if_open(&on_sleep);
                }
            },
        );
        let subscriber = bus.clone();
        bus.call(
            Some(LOGIND),
            LOGIND_PATH,
            "org.freedesktop.login1.Manager",
            "GetSessionByPID",
            Some(&(std::process::id(),).to_variant()),
            VariantTy::new("(o)").ok(),
            DBusCallFlags::NONE,
            2000,
            None::<&gio::Cancellable>,
            move |reply| {
                let Some((path,)) = reply
                    .ok()
                    .and_then(|v| v.get::<(glib::variant::ObjectPath,)>())
                else {
                    return; // Not in a logind session: only sleep is heard.
                };
                subscriber.signal_subscribe(
                    Some(LOGIND),
                    Some("org.freedesktop.login1.Session"),
                    Some("Lock"),
                    Some(path.as_str()),
                    None,
                    DBusSignalFlags::NONE,
                    move |_, _, _, _, _, _| lock_if_open(&app),
                );
            },
        );
    }

    /// The screen saver came on. Any sender: at worst another program of this user locks
    /// the vault, which asks for nothing but the passphrase again.
    fn session(bus: &DBusConnection, app: AppHandle) {
        keep(bus);
        for interface in super::SCREEN_SAVERS {
            let app = app.clone();
            bus.signal_subscribe(
                None,
                Some(interface),
                Some("ActiveChanged"),
                None,
                None,
                DBusSignalFlags::NONE,
                move |_, _, _, _, _, parameters| {
                    if says_true(parameters) {
                        lock_if_open(&app);
                    }
                },
            );
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn only_a_true_argument_locks() {
            assert!(says_true(&(true,).to_variant()));
            assert!(!says_true(&(false,).to_variant()));
            assert!(!says_true(&(1u32,).to_variant()));
            assert!(!says_true(&().to_variant()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn no_session_bus_is_started_when_none_is_given() {
        assert!(!session_bus_given(None));
        assert!(!session_bus_given(Some(OsStr::new(""))));
        assert!(session_bus_given(Some(OsStr::new(
            "unix:path=/run/user/1000/bus"
        ))));
    }
}

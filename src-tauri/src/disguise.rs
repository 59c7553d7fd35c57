//! The disguise: with it on, the window is titled "Notes" and has a plain notepad icon, and
//! the page starts on a notes screen. It hides the app from a glance at the screen or the
//! window switcher, not from anyone who looks at the disk or the process list.

use tauri::image::Image;
use tauri::WebviewWindow;

/// The window's title as the app.
pub const APP_TITLE: &str = "Aigaq";
/// The window's title in disguise.
pub const NEUTRAL_TITLE: &str = "Notes";

/// The title for the window.
pub fn title(disguise: bool) -> &'static str {
    if disguise {
        NEUTRAL_TITLE
    } else {
        APP_TITLE
    }
}

/// Before GTK starts: in disguise, the program's name says "notes" too, and with it the
/// X11 `WM_CLASS` ("notes", "Notes": GDK makes the class from the name) that window switchers
/// and docks group and label windows by. GTK reads it once, so a change of the setting
/// applies to it at the next start.
pub fn name_program(disguise: bool) {
    #[cfg(target_os = "linux")]
    if disguise {
        gtk::glib::set_prgname(Some("notes"));
    }
}

/// Sets the window's title and icon.
pub fn apply(window: &WebviewWindow, disguise: bool) {
    let _ = window.set_title(title(disguise));
    let icon = if disguise {
        Some(neutral_icon())
    } else {
        use tauri::Manager;
        window.app_handle().default_window_icon().cloned()
    };
    if let Some(icon) = icon {
        let _ = window.set_icon(icon);
    }
}

/// Side of the neutral icon, in pixels.
const SIDE: u32 = 64;

/// A plain notepad: a pale yellow page with a darker top band and ruled lines, drawn here
/// so that no image decoder is needed.
pub fn neutral_icon() -> Image<'static> {
    let mut rgba = Vec::with_capacity((SIDE * SIDE * 4) as usize);
    for y in 0..SIDE {
        for x in 0..SIDE {
            rgba.extend_from_slice(&pixel(x, y));
        }
    }
    Image::new_owned(rgba, SIDE, SIDE)
}

fn pixel(x: u32, y: u32) -> [u8; 4] {
    let (left, right, top, bottom) = (8, 55, 4, 59);
    if x < left || x > right || y < top || y > bottom {
        return [0, 0, 0, 0];
    }
    if x == left || x == right || y == top || y == bottom {
        [0xb0, 0x8d, 0x1c, 0xff]
    } else if y < top + 10 {
        [0xf2, 0xc9, 0x4c, 0xff]
    } else if (left + 6..=right - 6).contains(&x)
        && y >= 22
        && y < bottom - 2
        && (y - 22).is_multiple_of(8)
    {
        [0x9a, 0x9a, 0x9a, 0xff]
    } else {
        [0xff, 0xf6, 0xc8, 0xff]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_disguise_names_the_window_notes_and_draws_a_whole_icon() {
        assert_eq!(title(true), "Notes");
        assert_eq!(title(false), "Aigaq");
        let icon = neutral_icon();
        assert_eq!((icon.width(), icon.height()), (SIDE, SIDE));
        assert_eq!(icon.rgba().len(), (SIDE * SIDE * 4) as usize);
        // Transparent corners, an opaque page.
        assert_eq!(icon.rgba()[3], 0);
        let centre = ((32 * SIDE + 32) * 4) as usize;
        assert_eq!(icon.rgba()[centre + 3], 0xff);
    }
}

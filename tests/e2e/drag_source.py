"""A small application of its own that offers files to drag, as a file manager does: the
end-to-end test presses on its button and drags (xdotool) onto the app's window, so that the
drop arrives through X11's drag-and-drop protocol like one from the desktop.

    /usr/bin/python3 drag_source.py file:///path/to/file ...
"""

import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, Gtk  # noqa: E402

uris = sys.argv[1:]
window = Gtk.Window(title="aigaq-drag-source")
window.set_default_size(160, 120)
# Right of the app's window (960 wide at the left of a 1280-wide screen), so neither hides
# the other.
window.move(1100, 20)
button = Gtk.Button(label="drag")
button.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
button.drag_source_add_uri_targets()
button.connect("drag-data-get", lambda _w, _ctx, data, _info, _time: data.set_uris(uris))
button.connect("drag-end", lambda *_: Gtk.main_quit())
window.add(button)
window.connect("destroy", Gtk.main_quit)
window.show_all()
Gtk.main()

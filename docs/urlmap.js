// Where gi-docgen links types of other namespaces to.
// SPDX-License-Identifier: LGPL-2.1-or-later
baseURLs = [
  ['GLib', 'https://docs.gtk.org/glib/'],
  ['GObject', 'https://docs.gtk.org/gobject/'],
  ['Gio', 'https://docs.gtk.org/gio/'],
]

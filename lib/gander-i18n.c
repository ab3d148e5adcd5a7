/* gander-i18n.c: libgander binds its own message catalogue
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The library's messages (errors, warnings, health and lint texts) are
 * translated in the "gander" text domain. A program that loads libgander
 * without the gander CLI — a Python or gjs script through GI, the D-Bus
 * daemon — must not have to call bindtextdomain() for it: the library
 * binds the domain itself when it is loaded, before any message is
 * formatted. GANDER_LOCALEDIR overrides the installed catalogue
 * directory (the build tree's po/ under `meson devenv` and in the tests),
 * as it does for the CLI.
 *
 * Binding only records where the catalogue is; the language still comes
 * from the program's locale (setlocale(), LANGUAGE), as gettext wants.
 */
#include "config.h"

#include <glib.h>
#include <libintl.h>

#include "gander-error-private.h"

static void gander_i18n_bind (void) __attribute__ ((constructor));

static void
gander_i18n_bind (void)
{
  gander_i18n_ensure ();
}

/* Also called from gander_error_quark(), so a program linking the static
 * archive (the tests) keeps this object and its constructor. */
void
gander_i18n_ensure (void)
{
  static gsize bound = 0;

  if (g_once_init_enter (&bound))
    {
      const char *localedir = g_getenv ("GANDER_LOCALEDIR");

      bindtextdomain (GETTEXT_PACKAGE,
                      localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&bound, 1);
    }
}

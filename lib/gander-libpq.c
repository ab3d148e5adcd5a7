/* gander-libpq.c: opening libpq at run time
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#define GANDER_LIBPQ_COMPILATION
#include "gander-libpq-private.h"

#include <gmodule.h>

#include "gander-error.h"

/* libpq's soname, stable since PostgreSQL 8.4 */
#define LIBPQ_SONAME "libpq.so.5"

GanderLibpq gander_libpq;

static gboolean has_pipelining;
/* Why loading failed, for every later caller. */
static char *load_error;

/* Where the libpq we were built against lives (pkg-config's libdir),
 * empty when unknown. Tried first, by absolute path, before the loader's
 * search path: given a bare name GModule looks for NAME.la in the current
 * directory first and would follow what such a file says. */
#ifndef GANDER_LIBPQ_LIBDIR
#define GANDER_LIBPQ_LIBDIR ""
#endif

static GModule *
open_libpq (GError **error)
{
  const char *libdir = GANDER_LIBPQ_LIBDIR;
  GModule *module;

  if (*libdir != '\0')
    {
      g_autofree char *path = g_build_filename (libdir, LIBPQ_SONAME, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
          if (module != NULL)
            return module;
          g_debug ("cannot open %s: %s", path, g_module_error ());
        }
    }

  if (g_file_test (LIBPQ_SONAME ".la", G_FILE_TEST_EXISTS))
    {
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED,
                   "PostgreSQL support needs libpq (%s): not loading it "
                   "while the current directory holds a file named %s.la",
                   LIBPQ_SONAME, LIBPQ_SONAME);
      return NULL;
    }
  module = g_module_open (LIBPQ_SONAME, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL)
    g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED,
                 "PostgreSQL support needs libpq (%s): %s",
                 LIBPQ_SONAME, g_module_error ());
  return module;
}

/* Fills @table from @module; FALSE when a required function is missing. */
static gboolean
resolve (GModule      *module,
         GanderLibpq  *table,
         GError      **error)
{
#define RESOLVE_REQUIRED(name) \
  if (!g_module_symbol (module, #name, (gpointer *) &table->name) || table->name == NULL) \
    { \
      g_set_error (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED, \
                   "PostgreSQL support needs libpq (%s): %s", \
                   g_module_name (module), g_module_error ()); \
      return FALSE; \
    }
  GANDER_LIBPQ_REQUIRED_FUNCTIONS (RESOLVE_REQUIRED)
#undef RESOLVE_REQUIRED

  /* all or nothing: one missing means a libpq without pipeline mode */
#ifdef LIBPQ_HAS_PIPELINING
  has_pipelining = TRUE;
#endif
#define RESOLVE_OPTIONAL(name) \
  if (!g_module_symbol (module, #name, (gpointer *) &table->name) || table->name == NULL) \
    has_pipelining = FALSE;
  GANDER_LIBPQ_OPTIONAL_FUNCTIONS (RESOLVE_OPTIONAL)
#undef RESOLVE_OPTIONAL

  return TRUE;
}

static gboolean
load (GError **error)
{
  GanderLibpq table = { 0, };
  GModule *module = open_libpq (error);

  if (module == NULL)
    return FALSE;
  if (!resolve (module, &table, error))
    {
      g_module_close (module);
      return FALSE;
    }

  /* never unloaded: connections, and what libpq registered with the
   * libraries below it (OpenSSL, Kerberos), may outlive any one database
   * object */
  g_module_make_resident (module);
  g_debug ("loaded %s%s", g_module_name (module),
           has_pipelining ? "" : " (without pipeline mode)");
  gander_libpq = table;
  return TRUE;
}

gboolean
gander_libpq_load (GError **error)
{
  static gsize state = 0;
  enum { LOADED = 1, FAILED = 2 };

  if (g_once_init_enter (&state))
    {
      g_autoptr(GError) local_error = NULL;
      gsize result = LOADED;

      if (!load (&local_error))
        {
          load_error = g_strdup (local_error->message);
          result = FAILED;
        }
      g_once_init_leave (&state, result);
    }

  if (state == LOADED)
    return TRUE;
  g_set_error_literal (error, GANDER_ERROR, GANDER_ERROR_NOT_SUPPORTED, load_error);
  return FALSE;
}

gboolean
gander_libpq_has_pipelining (void)
{
  return has_pipelining;
}

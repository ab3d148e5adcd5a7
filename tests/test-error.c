/* test-error.c: the GANDER_ERROR domain crosses D-Bus intact
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "gander.h"
#include "gander-error-private.h"

/* Every code has a distinct registered D-Bus name under our prefix, and an
 * error encoded for the wire comes back as the same domain and code. */
static void
test_error_dbus_round_trip (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                      g_free, NULL);

  for (int code = 0; code < GANDER_ERROR_N_CODES; code++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) back = NULL;
      g_autofree char *name = NULL;

      error = g_error_new (GANDER_ERROR, code, "code %d happened", code);
      name = g_dbus_error_encode_gerror (error);
      g_assert_true (g_str_has_prefix (name, "org.gander.Migrator1.Error."));
      /* an unregistered code would be encoded with the generic GLib prefix */
      g_assert_null (strstr (name, "org.gtk.GDBus.UnmappedGError"));
      g_assert_false (g_hash_table_contains (seen, name));
      g_hash_table_add (seen, g_strdup (name));

      back = g_dbus_error_new_for_dbus_error (name, "code happened");
      g_assert_error (back, GANDER_ERROR, code);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, GANDER_ERROR_N_CODES);
}

static void
test_error_names_stable (void)
{
  g_autoptr(GError) dirty = g_error_new_literal (GANDER_ERROR, GANDER_ERROR_DIRTY, "x");
  g_autoptr(GError) busy = g_error_new_literal (GANDER_ERROR, GANDER_ERROR_BUSY, "x");
  g_autoptr(GError) perm = g_error_new_literal (GANDER_ERROR, GANDER_ERROR_PERMISSION_DENIED, "x");
  g_autofree char *n1 = g_dbus_error_encode_gerror (dirty);
  g_autofree char *n2 = g_dbus_error_encode_gerror (busy);
  g_autofree char *n3 = g_dbus_error_encode_gerror (perm);

  g_assert_cmpstr (n1, ==, "org.gander.Migrator1.Error.Dirty");
  g_assert_cmpstr (n2, ==, "org.gander.Migrator1.Error.Busy");
  g_assert_cmpstr (n3, ==, "org.gander.Migrator1.Error.PermissionDenied");

  {
    g_autoptr(GError) policy = g_error_new_literal (GANDER_ERROR, GANDER_ERROR_POLICY_DENIED, "x");
    g_autoptr(GError) confirm = g_error_new_literal (GANDER_ERROR, GANDER_ERROR_CONFIRMATION_REQUIRED, "x");
    g_autoptr(GError) breaker = g_error_new_literal (GANDER_ERROR, GANDER_ERROR_CIRCUIT_OPEN, "x");
    g_autoptr(GError) config = g_error_new_literal (GANDER_ERROR, GANDER_ERROR_CONFIG, "x");
    g_autofree char *n4 = g_dbus_error_encode_gerror (policy);
    g_autofree char *n5 = g_dbus_error_encode_gerror (confirm);
    g_autofree char *n6 = g_dbus_error_encode_gerror (breaker);
    g_autofree char *n7 = g_dbus_error_encode_gerror (config);

    g_assert_cmpstr (n4, ==, "org.gander.Migrator1.Error.PolicyDenied");
    g_assert_cmpstr (n5, ==, "org.gander.Migrator1.Error.ConfirmationRequired");
    g_assert_cmpstr (n6, ==, "org.gander.Migrator1.Error.CircuitOpen");
    g_assert_cmpstr (n7, ==, "org.gander.Migrator1.Error.Config");
  }
}

static void
test_error_cancelled_helper (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) old = g_error_new_literal (GANDER_ERROR, GANDER_ERROR_CANCELLED, "x");
  g_autoptr(GError) other = g_error_new_literal (GANDER_ERROR, GANDER_ERROR_SQL, "x");

  /* must not crash when the caller passes no error */
  gander_set_cancelled_error (NULL, "cancelled while %s", "testing");

  gander_set_cancelled_error (&error, "cancelled while %s", "testing");
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "cancelled while testing");
  g_assert_true (gander_error_is_cancelled (error));
  g_assert_true (gander_error_is_cancelled (old));
  g_assert_false (gander_error_is_cancelled (other));
  g_assert_false (gander_error_is_cancelled (NULL));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/error/dbus-round-trip", test_error_dbus_round_trip);
  g_test_add_func ("/error/names-stable", test_error_names_stable);
  g_test_add_func ("/error/cancelled-helper", test_error_cancelled_helper);
  return g_test_run ();
}

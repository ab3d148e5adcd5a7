/* gander-duration-private.h: Go-style durations ("1h30m", "500ms")
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * GanderDurationStatus:
 *
 * Why gander_duration_parse_ns() refused a text; the caller words the
 * message (the CLI repeats Go's own English text, the library a translated
 * one in GANDER_ERROR_CONFIG).
 */
typedef enum {
  GANDER_DURATION_OK,
  GANDER_DURATION_INVALID,        /* not [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ nor "0", or out of range */
  GANDER_DURATION_MISSING_UNIT,   /* a number without a unit, such as "5" */
  GANDER_DURATION_UNKNOWN_UNIT,   /* *unit receives the unit, such as "x" in "1x" */
} GanderDurationStatus;

/* time.ParseDuration() in nanoseconds. GLib only: the CLI compiles this
 * file into its stand-alone helpers as well. */
GanderDurationStatus gander_duration_parse_ns (const char  *text,
                                               gint64      *nsec,
                                               char       **unit);

/* Go time.Duration.String() of a GTimeSpan: "1h30m0s", "500ms", "0s". */
char    *gander_format_duration (GTimeSpan    span);

#ifdef GANDER_COMPILATION
/* The library's parser: Go's syntax into microseconds (a non-zero value
 * below 1 µs rounds up to 1 µs, so "500ns" never reads as "no limit");
 * errors are GANDER_ERROR_CONFIG and say what a duration looks like. */
gboolean gander_parse_duration  (const char  *text,
                                 GTimeSpan   *out,
                                 GError     **error);
#endif

G_END_DECLS

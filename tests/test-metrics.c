/* test-metrics.c: GanderMetrics records, formats, parses and writes the
 * Prometheus text format
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <sys/stat.h>

#include <glib/gstdio.h>

#include "gander.h"
#include "gander-test-util.h"

#define BUILD_INFO \
  "# HELP gander_build_info Version of Gander that wrote these metrics; the value is always 1.\n" \
  "# TYPE gander_build_info gauge\n" \
  "gander_build_info{version=\"" PACKAGE_VERSION "\"} 1\n"

static const char * const app_up[] = {
  "profile", "app", "environment", "production", "direction", "up", NULL
};

static double
value_of (GanderMetrics      *metrics,
          const char         *name,
          const char * const *labels)
{
  double value = -1;

  g_assert_true (gander_metrics_lookup (metrics, name, labels, &value));
  return value;
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static void
test_metrics_new (void)
{
  g_autoptr(GanderMetrics) metrics = gander_metrics_new ();
  g_autofree char *text = gander_metrics_to_text (metrics);

  g_assert_cmpstr (text, ==, BUILD_INFO);
}

static void
test_metrics_counter (void)
{
  g_autoptr(GanderMetrics) metrics = gander_metrics_new ();
  const char * const reordered[] = {
    "direction", "up", "environment", "production", "profile", "app", NULL
  };
  const char * const only_reason[] = { "reason", "locked", NULL };
  g_autofree char *text = NULL;

  gander_metrics_inc (metrics, "gander_migrations_applied_total", app_up, 2);
  gander_metrics_inc (metrics, "gander_migrations_applied_total", reordered, 1);
  /* labels left out are "" */
  gander_metrics_inc (metrics, "gander_retries_total", only_reason, 0);

  g_assert_cmpfloat (value_of (metrics, "gander_migrations_applied_total", app_up), ==, 3);
  g_assert_cmpfloat (value_of (metrics, "gander_retries_total", only_reason), ==, 0);
  g_assert_false (gander_metrics_lookup (metrics, "gander_retries_total", NULL, NULL));

  text = gander_metrics_to_text (metrics);
  g_assert_cmpstr (text, ==,
                   BUILD_INFO
                   "# HELP gander_migrations_applied_total Migrations run successfully, by direction.\n"
                   "# TYPE gander_migrations_applied_total counter\n"
                   "gander_migrations_applied_total{profile=\"app\",environment=\"production\",direction=\"up\"} 3\n"
                   "# HELP gander_retries_total Migration attempts repeated after a transient failure, by reason.\n"
                   "# TYPE gander_retries_total counter\n"
                   "gander_retries_total{profile=\"\",environment=\"\",reason=\"locked\"} 0\n");
}

static void
test_metrics_gauge (void)
{
  g_autoptr(GanderMetrics) metrics = gander_metrics_new ();
  const char * const labels[] = { "profile", "app", NULL };
  g_autofree char *text = NULL;

  gander_metrics_set (metrics, "gander_schema_version", labels, 7);
  gander_metrics_set (metrics, "gander_schema_version", labels, 20260101120000);
  gander_metrics_set (metrics, "gander_last_success_timestamp_seconds", labels, 1764501856.25);
  gander_metrics_set (metrics, "gander_dirty", labels, 0);

  text = gander_metrics_to_text (metrics);
  g_assert_nonnull (strstr (text, "\ngander_schema_version{profile=\"app\",environment=\"\"} "
                                  "20260101120000\n"));
  g_assert_nonnull (strstr (text, "\ngander_last_success_timestamp_seconds{profile=\"app\","
                                  "environment=\"\"} 1764501856.25\n"));
  g_assert_nonnull (strstr (text, "\ngander_dirty{profile=\"app\",environment=\"\"} 0\n"));
  g_assert_null (strstr (text, " 7\n"));
}

static void
test_metrics_histogram (void)
{
  g_autoptr(GanderMetrics) metrics = gander_metrics_new ();
  const char * const labels[] = { "profile", "p", "environment", "e", "direction", "up", NULL };
  const double observed[] = { 0.01, 0.0100001, 0.2, 900, 900.5, 0 };
  g_autofree char *text = NULL;
  double sum = 0;

  for (guint i = 0; i < G_N_ELEMENTS (observed); i++)
    {
      gander_metrics_observe (metrics, "gander_migration_duration_seconds", labels, observed[i]);
      sum += observed[i];
    }
  g_assert_cmpfloat (value_of (metrics, "gander_migration_duration_seconds", labels), ==, 6);

  text = gander_metrics_to_text (metrics);
#define B "gander_migration_duration_seconds_bucket{profile=\"p\",environment=\"e\",direction=\"up\","
  g_assert_nonnull (strstr (text,
                            "# TYPE gander_migration_duration_seconds histogram\n"
                            B "le=\"0.01\"} 2\n"     /* bounds are inclusive */
                            B "le=\"0.05\"} 3\n"
                            B "le=\"0.1\"} 3\n"
                            B "le=\"0.5\"} 4\n"
                            B "le=\"1\"} 4\n"
                            B "le=\"5\"} 4\n"
                            B "le=\"10\"} 4\n"
                            B "le=\"30\"} 4\n"
                            B "le=\"60\"} 4\n"
                            B "le=\"300\"} 4\n"
                            B "le=\"900\"} 5\n"
                            B "le=\"+Inf\"} 6\n"
                            "gander_migration_duration_seconds_sum{profile=\"p\",environment=\"e\","
                            "direction=\"up\"} 1800.7200001\n"
                            "gander_migration_duration_seconds_count{profile=\"p\",environment=\"e\","
                            "direction=\"up\"} 6\n"));
#undef B
  g_assert_cmpfloat_with_epsilon (sum, 1800.7200001, 1e-9);
}

/* Label values and HELP texts escape \\, \" and \n; a round trip through
 * the parser gives the same values back. */
static void
test_metrics_escaping (void)
{
  g_autoptr(GanderMetrics) metrics = gander_metrics_new ();
  g_autoptr(GanderMetrics) back = gander_metrics_new ();
  g_autoptr(GError) error = NULL;
  const char * const labels[] = {
    "profile", "we\"ird\\pro\nfile", "environment", "ü}{,=", NULL
  };
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;

  gander_metrics_inc (metrics, "gander_migrations_rolled_back_total", labels, 4);
  text = gander_metrics_to_text (metrics);
  g_assert_nonnull (strstr (text, "gander_migrations_rolled_back_total{profile=\"we\\\"ird\\\\pro\\nfile\","
                                  "environment=\"ü}{,=\"} 4\n"));

  g_assert_true (gander_metrics_merge_text (back, text, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (value_of (back, "gander_migrations_rolled_back_total", labels), ==, 4);
  again = gander_metrics_to_text (back);
  g_assert_cmpstr (again, ==, text);
}

/* Families by name, series by label values, whatever the order of calls. */
static void
test_metrics_stable_order (void)
{
  g_autoptr(GanderMetrics) a = gander_metrics_new ();
  g_autoptr(GanderMetrics) b = gander_metrics_new ();
  const char *profiles[] = { "zeta", "alpha", "mid", "alpha2", "" };
  g_autofree char *text_a = NULL;
  g_autofree char *text_b = NULL;
  const char *prev = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (profiles); i++)
    {
      const char * const labels[] = { "profile", profiles[i], NULL };
      const char * const rev[] = { "profile", profiles[G_N_ELEMENTS (profiles) - 1 - i], NULL };

      gander_metrics_set (a, "gander_schema_version", labels, i);
      gander_metrics_inc (a, "gander_migrations_rolled_back_total", labels, 1);
      gander_metrics_inc (b, "gander_migrations_rolled_back_total", rev, 1);
    }
  for (guint i = G_N_ELEMENTS (profiles); i > 0; i--)
    {
      const char * const labels[] = { "profile", profiles[i - 1], NULL };

      gander_metrics_set (b, "gander_schema_version", labels, i - 1);
    }

  text_a = gander_metrics_to_text (a);
  text_b = gander_metrics_to_text (b);
  g_assert_cmpstr (text_a, ==, text_b);

  /* families sorted by name */
  for (const char *p = strstr (text_a, "# TYPE "); p != NULL; p = strstr (p + 1, "# TYPE "))
    {
      if (prev != NULL)
        g_assert_cmpint (strcmp (prev, p), <, 0);
      prev = p;
    }
  g_assert_true (strstr (text_a, "{profile=\"\",") < strstr (text_a, "{profile=\"alpha\","));
  g_assert_true (strstr (text_a, "{profile=\"alpha\",") < strstr (text_a, "{profile=\"alpha2\","));
}

static void
test_metrics_misuse (void)
{
  g_autoptr(GanderMetrics) metrics = gander_metrics_new ();
  const char * const undeclared[] = { "profile", "p", "version", "1", NULL };
  const char * const odd[] = { "profile", NULL };
  const char * const twice[] = { "profile", "a", "profile", "b", NULL };
  g_autofree char *text = NULL;

  g_test_expect_message ("Gander", G_LOG_LEVEL_CRITICAL, "*unknown metric family “gander_nope”*");
  gander_metrics_inc (metrics, "gander_nope", NULL, 1);
  g_test_expect_message ("Gander", G_LOG_LEVEL_CRITICAL, "*“gander_schema_version” is a gauge, not a counter*");
  gander_metrics_inc (metrics, "gander_schema_version", NULL, 1);
  g_test_expect_message ("Gander", G_LOG_LEVEL_CRITICAL, "*has no label “version” (its labels: profile, environment)*");
  gander_metrics_set (metrics, "gander_dirty", undeclared, 1);
  g_test_expect_message ("Gander", G_LOG_LEVEL_CRITICAL, "*label “profile” of “gander_dirty” has no value*");
  gander_metrics_set (metrics, "gander_dirty", odd, 1);
  g_test_expect_message ("Gander", G_LOG_LEVEL_CRITICAL, "*label “profile” of “gander_dirty” given twice*");
  gander_metrics_set (metrics, "gander_dirty", twice, 1);
  g_test_expect_message ("Gander", G_LOG_LEVEL_CRITICAL, "*value >= 0*");
  gander_metrics_inc (metrics, "gander_retries_total", NULL, -1);
  g_test_expect_message ("Gander", G_LOG_LEVEL_CRITICAL, "*a histogram, not a gauge*");
  gander_metrics_set (metrics, "gander_run_duration_seconds", NULL, 1);
  g_test_assert_expected_messages ();

  /* nothing was recorded */
  text = gander_metrics_to_text (metrics);
  g_assert_cmpstr (text, ==, BUILD_INFO);
}

/* Every series of the earlier text is carried over: counters and
 * histograms are added, gauges kept unless set here, build info replaced,
 * unknown gander_ families kept as they are. */
static void
test_metrics_merge (void)
{
  g_autoptr(GanderMetrics) metrics = gander_metrics_new ();
  g_autoptr(GError) error = NULL;
  const char * const app[] = { "profile", "app", "environment", "production", NULL };
  const char * const other[] = { "profile", "other", "environment", "production", NULL };
  const char * const run[] = {
    "profile", "app", "environment", "production", "operation", "up", "result", "ok", NULL
  };
  const char *previous =
    "# HELP gander_build_info Version of Gander that wrote these metrics.\n"
    "# TYPE gander_build_info gauge\n"
    "gander_build_info{version=\"0.1.9\"} 1\n"
    "# a comment\n"
    "\n"
    "# TYPE gander_migrations_applied_total counter\n"
    "gander_migrations_applied_total{direction=\"up\",environment=\"production\",profile=\"app\"} 5 1700000000000\n"
    "gander_migrations_applied_total{profile=\"app\",environment=\"production\",direction=\"down\",} 1\n"
    "# TYPE gander_schema_version gauge\n"
    "gander_schema_version{profile=\"app\",environment=\"production\"} 3\n"
    "gander_schema_version{profile=\"other\",environment=\"production\"} 9\n"
    "# TYPE gander_run_duration_seconds histogram\n"
    "gander_run_duration_seconds_bucket{profile=\"app\",environment=\"production\",operation=\"up\",result=\"ok\",le=\"0.01\"} 0\n"
    "gander_run_duration_seconds_bucket{profile=\"app\",environment=\"production\",operation=\"up\",result=\"ok\",le=\"0.05\"} 0\n"
    "gander_run_duration_seconds_bucket{profile=\"app\",environment=\"production\",operation=\"up\",result=\"ok\",le=\"0.1\"} 1\n"
    "gander_run_duration_seconds_bucket{profile=\"app\",environment=\"production\",operation=\"up\",result=\"ok\",le=\"0.5\"} 1\n"
    "gander_run_duration_seconds_bucket{profile=\"app\",environment=\"production\",operation=\"up\",result=\"ok\",le=\"1.0\"} 1\n"
    "gander_run_duration_seconds_bucket{profile=\"app\",environment=\"production\",operation=\"up\",result=\"ok\",le=\"5\"} 1\n"
    "gander_run_duration_seconds_bucket{profile=\"app\",environment=\"production\",operation=\"up\",result=\"ok\",le=\"10\"} 1\n"
    "gander_run_duration_seconds_bucket{profile=\"app\",environment=\"production\",operation=\"up\",result=\"ok\",le=\"30\"} 1\n"
    "gander_run_duration_seconds_bucket{profile=\"app\",environment=\"production\",operation=\"up\",result=\"ok\",le=\"60\"} 1\n"
    "gander_run_duration_seconds_bucket{profile=\"app\",environment=\"production\",operation=\"up\",result=\"ok\",le=\"300\"} 1\n"
    "gander_run_duration_seconds_bucket{profile=\"app\",environment=\"production\",operation=\"up\",result=\"ok\",le=\"900\"} 2\n"
    "gander_run_duration_seconds_bucket{profile=\"app\",environment=\"production\",operation=\"up\",result=\"ok\",le=\"+Inf\"} 2\n"
    "gander_run_duration_seconds_sum{profile=\"app\",environment=\"production\",operation=\"up\",result=\"ok\"} 400.25\n"
    "gander_run_duration_seconds_count{profile=\"app\",environment=\"production\",operation=\"up\",result=\"ok\"} 2\n"
    "# HELP gander_archive_size_bytes Size of the last archive.\n"
    "# TYPE gander_archive_size_bytes gauge\n"
    "gander_archive_size_bytes{profile=\"app\"} 1024\n";
  g_autofree char *text = NULL;
  const char *applied, *backup, *build, *run_duration;

  gander_metrics_inc (metrics, "gander_migrations_applied_total", app_up, 2);
  gander_metrics_set (metrics, "gander_schema_version", app, 5);
  gander_metrics_observe (metrics, "gander_run_duration_seconds", run, 0.25);

  g_assert_true (gander_metrics_merge_text (metrics, previous, &error));
  g_assert_no_error (error);

  g_assert_cmpfloat (value_of (metrics, "gander_migrations_applied_total", app_up), ==, 7);
  g_assert_cmpfloat (value_of (metrics, "gander_schema_version", app), ==, 5);
  g_assert_cmpfloat (value_of (metrics, "gander_schema_version", other), ==, 9);
  g_assert_cmpfloat (value_of (metrics, "gander_run_duration_seconds", run), ==, 3);

  text = gander_metrics_to_text (metrics);
  g_assert_nonnull (strstr (text, "gander_migrations_applied_total{profile=\"app\",environment=\"production\",direction=\"down\"} 1\n"));
  g_assert_nonnull (strstr (text, "le=\"0.1\"} 1\n"));
  g_assert_nonnull (strstr (text, "le=\"0.5\"} 2\n"));
  g_assert_nonnull (strstr (text, "le=\"900\"} 3\n"));
  g_assert_nonnull (strstr (text, "le=\"+Inf\"} 3\n"));
  g_assert_nonnull (strstr (text, "gander_run_duration_seconds_sum{profile=\"app\",environment=\"production\",operation=\"up\",result=\"ok\"} 400.5\n"));
  g_assert_null (strstr (text, "0.1.9"));
  g_assert_null (strstr (text, "a comment"));

  /* the unknown family stays, verbatim and in name order */
  applied = strstr (text, "# TYPE gander_migrations_applied_total");
  backup = strstr (text, "# HELP gander_archive_size_bytes Size of the last archive.\n"
                         "# TYPE gander_archive_size_bytes gauge\n"
                         "gander_archive_size_bytes{profile=\"app\"} 1024\n");
  build = strstr (text, "# TYPE gander_build_info");
  run_duration = strstr (text, "# TYPE gander_run_duration_seconds");
  g_assert_nonnull (backup);
  g_assert_true (backup < build && build < applied && applied < run_duration);
}

/* Series written by a Gander with another type, labels or buckets for a
 * family restart instead of failing the merge; a label left out is "". */
static void
test_metrics_merge_incompatible (void)
{
  g_autoptr(GanderMetrics) metrics = gander_metrics_new ();
  g_autoptr(GError) error = NULL;
  const char *previous =
    "# TYPE gander_migrations_pending counter\n"
    "gander_migrations_pending{profile=\"a\",environment=\"\"} 4\n"
    "gander_retries_total{profile=\"a\",reason=\"locked\"} 2\n"
    "gander_retries_total{profile=\"a\",environment=\"\",reason=\"locked\",host=\"h\"} 3\n"
    "gander_retries_total{profile=\"b\",environment=\"\",reason=\"locked\"} 1\n"
    "gander_migration_duration_seconds_bucket{profile=\"a\",environment=\"\",direction=\"up\",le=\"0.25\"} 1\n"
    "gander_migration_duration_seconds_bucket{profile=\"a\",environment=\"\",direction=\"up\",le=\"+Inf\"} 1\n"
    "gander_migration_duration_seconds_sum{profile=\"a\",environment=\"\",direction=\"up\"} 0.2\n"
    "gander_migration_duration_seconds_count{profile=\"a\",environment=\"\",direction=\"up\"} 1\n";
  g_autofree char *text = NULL;
  const char * const a[] = { "profile", "a", "reason", "locked", NULL };
  const char * const b[] = { "profile", "b", "reason", "locked", NULL };

  g_assert_true (gander_metrics_merge_text (metrics, previous, &error));
  g_assert_no_error (error);
  text = gander_metrics_to_text (metrics);
  g_assert_null (strstr (text, "gander_migrations_pending"));
  g_assert_null (strstr (text, "gander_migration_duration_seconds"));
  g_assert_null (strstr (text, "host"));
  g_assert_cmpfloat (value_of (metrics, "gander_retries_total", a), ==, 2);
  g_assert_cmpfloat (value_of (metrics, "gander_retries_total", b), ==, 1);
}

typedef struct
{
  const char *text;
  guint       line;
  const char *what;
} BadText;

static void
test_metrics_merge_corrupt (void)
{
  static const BadText bad[] = {
    { "gander_dirty{profile=\"a\" 1\n", 1, "expected “,” or “}” after label “profile”" },
    { "\n\ngander_dirty{profile=\"a\"}\n", 3, "“” is not a valid value" },
    { "gander_dirty abc\n", 1, "“abc” is not a valid value for gander_dirty" },
    { "gander_dirty{profile=\"a\\tb\"} 1\n", 1, "unknown escape" },
    { "gander_dirty{profile=\"a} 1\n", 1, "no closing quote" },
    { "gander_dirty{profile=a} 1\n", 1, "must be in double quotes" },
    { "gander_dirty{profile=\"a\",profile=\"b\"} 1\n", 1, "label “profile” appears twice" },
    { "gander_dirty{=\"a\"} 1\n", 1, "expected a label name" },
    { "gander_dirty 1 12x\n", 1, "unexpected text after the value" },
    { "{profile=\"a\"} 1\n", 1, "a sample must start with a metric name" },
    { "node_load1 0.5\n", 1, "“node_load1” is not one Gander writes" },
    { "# HELP node_load1 Load.\n", 1, "“node_load1” is not one Gander writes" },
    { "# TYPE gander_dirty gauge\n# TYPE gander_dirty gauge\n", 2, "a second TYPE line" },
    { "gander_dirty 1\n# TYPE gander_dirty gauge\n", 2, "follows its samples" },
    { "# TYPE gander_dirty meter\n", 1, "“meter” is not a metric type" },
    { "# TYPE 9x counter\n", 1, "the TYPE line has no valid metric name" },
    { "gander_dirty{profile=\"a\"} 1\ngander_dirty{environment=\"\",profile=\"a\"} 0\n", 2,
      "a second sample" },
    { "gander_retries_total -1\n", 1, "a counter is a finite number of zero or more" },
    { "gander_retries_total NaN\n", 1, "a counter is a finite number of zero or more" },
    { "gander_dirty{profile=\"\xff\"} 1\n", 1, "not valid UTF-8" },
    { "x\ngander_run_duration_seconds_bucket{le=\"+Inf\"} 1\n", 1, "is not a valid value for x" },
    { "xy 1\n", 1, "“xy” is not one Gander writes" },
    { "gander_run_duration_seconds_bucket{le=\"0.01\"} 1\n"
      "gander_run_duration_seconds_bucket{le=\"+Inf\"} 1\n", 1, "lacks some of its buckets" },
    { "gander_run_duration_seconds_bucket{le=\"0.01\"} 1.5\n", 1, "not a whole number" },
    { "gander_run_duration_seconds_bucket{le=\"abc\"} 1\n", 1, "le=\"abc\" is not a number" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GanderMetrics) metrics = gander_metrics_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *prefix = g_strdup_printf ("line %u: ", bad[i].line);
      g_autofree char *text = NULL;
      g_autofree char *shown = g_strescape (bad[i].text, NULL);

      gander_metrics_inc (metrics, "gander_retries_total", NULL, 1);
      g_test_message ("%s", shown);   /* one line of printable ASCII in the TAP */
      g_assert_false (gander_metrics_merge_text (metrics, bad[i].text, &error));
      g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
      g_assert_true (g_str_has_prefix (error->message, prefix));
      g_assert_nonnull (strstr (error->message, bad[i].what));

      /* nothing was taken over */
      text = gander_metrics_to_text (metrics);
      g_assert_cmpfloat (value_of (metrics, "gander_retries_total", NULL), ==, 1);
      g_assert_null (strstr (text, "gander_dirty"));
    }
}

/* Histogram series built by hand with given cumulative bucket counts. */
static char *
histogram_text (const char *counts[12],
                const char *count)
{
  static const char * const les[] = {
    "0.01", "0.05", "0.1", "0.5", "1", "5", "10", "30", "60", "300", "900", "+Inf"
  };
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < 12; i++)
    g_string_append_printf (text, "gander_run_duration_seconds_bucket{le=\"%s\"} %s\n",
                            les[i], counts[i]);
  g_string_append (text, "gander_run_duration_seconds_sum 3\n");
  if (count != NULL)
    g_string_append_printf (text, "gander_run_duration_seconds_count %s\n", count);
  return g_string_free (text, FALSE);
}

static void
test_metrics_merge_histogram_checks (void)
{
  const char *good[12] = { "0", "0", "1", "1", "1", "1", "1", "1", "1", "1", "1", "2" };
  const char *decreasing[12] = { "0", "0", "2", "1", "1", "1", "1", "1", "1", "1", "1", "2" };
  g_autofree char *ok_text = histogram_text (good, "2");
  g_autofree char *no_count = histogram_text (good, NULL);
  g_autofree char *mismatch = histogram_text (good, "3");
  g_autofree char *not_cumulative = histogram_text (decreasing, "2");
  g_autoptr(GanderMetrics) metrics = gander_metrics_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (gander_metrics_merge_text (metrics, ok_text, &error));
  g_assert_no_error (error);
  g_assert_true (gander_metrics_merge_text (metrics, no_count, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (value_of (metrics, "gander_run_duration_seconds", NULL), ==, 4);

  g_assert_false (gander_metrics_merge_text (metrics, mismatch, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "line 1: the count of histogram "
                                            "gander_run_duration_seconds differs"));
  g_clear_error (&error);
  g_assert_false (gander_metrics_merge_text (metrics, not_cumulative, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "are not cumulative"));
  g_assert_cmpfloat (value_of (metrics, "gander_run_duration_seconds", NULL), ==, 4);
}

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("gander-metrics-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "gander.prom", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gander_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

/* Two processes' worth of runs: the second file holds the sums; the file
 * is 0644 whatever the umask, and no temporary file is left. */
static void
test_metrics_textfile_two_runs (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GStatBuf st;
  mode_t old_umask = umask (077);

  for (guint run = 1; run <= 2; run++)
    {
      g_autoptr(GanderMetrics) metrics = gander_metrics_new ();
      const char * const labels[] = { "profile", "app", NULL };

      gander_metrics_inc (metrics, "gander_migrations_applied_total", app_up, 3);
      gander_metrics_set (metrics, "gander_schema_version", labels, run);
      gander_metrics_observe (metrics, "gander_migration_duration_seconds", app_up, 0.02 * run);
      g_assert_true (gander_metrics_write_textfile (metrics, f->path, &error));
      g_assert_no_error (error);
    }
  umask (old_umask);

  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0644);
  g_assert_cmpuint (count_entries (f->dir), ==, 1);

  text = read_file (f->path);
  g_assert_true (g_str_has_prefix (text, BUILD_INFO));
  g_assert_nonnull (strstr (text, "gander_migrations_applied_total{profile=\"app\",environment=\"production\",direction=\"up\"} 6\n"));
  g_assert_nonnull (strstr (text, "gander_schema_version{profile=\"app\",environment=\"\"} 2\n"));
  g_assert_nonnull (strstr (text, "direction=\"up\",le=\"0.01\"} 0\n"));
  g_assert_nonnull (strstr (text, "direction=\"up\",le=\"0.05\"} 2\n"));
  g_assert_nonnull (strstr (text, "gander_migration_duration_seconds_sum{profile=\"app\",environment=\"production\",direction=\"up\"} 0.06\n"));
  g_assert_nonnull (strstr (text, "gander_migration_duration_seconds_count{profile=\"app\",environment=\"production\",direction=\"up\"} 2\n"));
}

/* One object written after every run (a service) counts each run once. */
static void
test_metrics_textfile_same_object (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GanderMetrics) metrics = gander_metrics_new ();
  g_autoptr(GanderMetrics) other = gander_metrics_new ();
  g_autoptr(GanderMetrics) reread = gander_metrics_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  gander_metrics_inc (metrics, "gander_migrations_applied_total", app_up, 1);
  g_assert_true (gander_metrics_write_textfile (metrics, f->path, &error));
  g_assert_true (gander_metrics_write_textfile (metrics, f->path, &error));
  /* another process writes in between */
  gander_metrics_inc (other, "gander_migrations_applied_total", app_up, 10);
  g_assert_true (gander_metrics_write_textfile (other, f->path, &error));
  gander_metrics_inc (metrics, "gander_migrations_applied_total", app_up, 1);
  g_assert_true (gander_metrics_write_textfile (metrics, f->path, &error));
  g_assert_no_error (error);

  /* the object keeps its own total */
  g_assert_cmpfloat (value_of (metrics, "gander_migrations_applied_total", app_up), ==, 2);

  text = read_file (f->path);
  g_assert_true (gander_metrics_merge_text (reread, text, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (value_of (reread, "gander_migrations_applied_total", app_up), ==, 12);

  /* a merged text counts as written: writing it back adds nothing */
  g_assert_true (gander_metrics_write_textfile (reread, f->path, &error));
  g_assert_no_error (error);
  g_clear_object (&reread);
  reread = gander_metrics_new ();
  g_free (text);
  text = read_file (f->path);
  g_assert_true (gander_metrics_merge_text (reread, text, &error));
  g_assert_cmpfloat (value_of (reread, "gander_migrations_applied_total", app_up), ==, 12);
}

/* A gauge another profile set stays; build info describes the writer. */
static void
test_metrics_textfile_shared_gauges (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GanderMetrics) a = gander_metrics_new ();
  g_autoptr(GanderMetrics) b = gander_metrics_new ();
  g_autoptr(GError) error = NULL;
  const char * const pa[] = { "profile", "a", NULL };
  const char * const pb[] = { "profile", "b", NULL };
  g_autofree char *text = NULL;

  g_assert_true (g_file_set_contents (f->path,
                                      "gander_build_info{version=\"0.0.1\"} 1\n", -1, NULL));
  gander_metrics_set (a, "gander_schema_version", pa, 1);
  g_assert_true (gander_metrics_write_textfile (a, f->path, &error));
  gander_metrics_set (b, "gander_schema_version", pb, 2);
  g_assert_true (gander_metrics_write_textfile (b, f->path, &error));
  g_assert_no_error (error);

  text = read_file (f->path);
  g_assert_nonnull (strstr (text, "gander_schema_version{profile=\"a\",environment=\"\"} 1\n"));
  g_assert_nonnull (strstr (text, "gander_schema_version{profile=\"b\",environment=\"\"} 2\n"));
  g_assert_null (strstr (text, "0.0.1"));
}

/* A file Gander cannot read is left byte for byte; the error names the
 * file and line; the counts are written once the file is moved aside. */
static void
test_metrics_textfile_corrupt (Fixture       *f,
                               gconstpointer  data)
{
  static const char *bad[] = {
    "gander_dirty 0\ngander_retries_total{profile=\"a\" 3\n",
    "# HELP node_cpu_seconds_total CPU time.\nnode_cpu_seconds_total 12\n",
  };
  g_autoptr(GanderMetrics) metrics = gander_metrics_new ();
  g_autofree char *text = NULL;

  gander_metrics_inc (metrics, "gander_migrations_applied_total", app_up, 1);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = g_strdup_printf ("%s:%u: ", f->path, 2 - i);
      g_autofree char *after = NULL;

      g_assert_true (g_file_set_contents (f->path, bad[i], -1, NULL));
      g_assert_false (gander_metrics_write_textfile (metrics, f->path, &error));
      g_assert_error (error, GANDER_ERROR, GANDER_ERROR_PARSE);
      g_assert_true (g_str_has_prefix (error->message, expected));
      g_assert_nonnull (strstr (error->message, "move it aside or delete it"));
      after = read_file (f->path);
      g_assert_cmpstr (after, ==, bad[i]);
      g_assert_cmpuint (count_entries (f->dir), ==, 1);
    }

  g_assert_cmpint (g_unlink (f->path), ==, 0);
  g_assert_true (gander_metrics_write_textfile (metrics, f->path, NULL));
  text = read_file (f->path);
  g_assert_nonnull (strstr (text, "direction=\"up\"} 1\n"));
}

/* A failed write loses nothing: the next one writes it. */
static void
test_metrics_textfile_failure (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GanderMetrics) metrics = gander_metrics_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "no-such-dir", "gander.prom", NULL);
  g_autofree char *text = NULL;

  gander_metrics_inc (metrics, "gander_migrations_applied_total", app_up, 4);
  g_assert_false (gander_metrics_write_textfile (metrics, missing, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "no-such-dir"));
  g_clear_error (&error);

  /* a directory where the file should be: it cannot be read */
  g_assert_cmpint (g_mkdir (f->path, 0755), ==, 0);
  g_assert_false (gander_metrics_write_textfile (metrics, f->path, &error));
  g_assert_error (error, GANDER_ERROR, GANDER_ERROR_IO);
  g_clear_error (&error);
  g_assert_cmpint (g_rmdir (f->path), ==, 0);

  g_assert_true (gander_metrics_write_textfile (metrics, f->path, &error));
  g_assert_no_error (error);
  text = read_file (f->path);
  g_assert_nonnull (strstr (text, "direction=\"up\"} 4\n"));
}

#define N_THREADS 4
#define N_ROUNDS  12

typedef struct
{
  GanderMetrics *shared;
  const char    *path;
} ThreadData;

static gpointer
record_and_write (gpointer user_data)
{
  ThreadData *data = user_data;
  g_autoptr(GanderMetrics) own = gander_metrics_new ();

  for (guint i = 0; i < N_ROUNDS; i++)
    {
      g_autoptr(GError) error = NULL;

      for (guint j = 0; j < 1000; j++)
        gander_metrics_inc (data->shared, "gander_retries_total", NULL, 1);
      gander_metrics_observe (data->shared, "gander_run_duration_seconds", NULL, 0.5);
      gander_metrics_inc (own, "gander_migrations_applied_total", app_up, 1);
      /* each writer reads, merges and replaces the file: none may lose
       * another's counts */
      g_assert_true (gander_metrics_write_textfile (own, data->path, &error));
      g_assert_no_error (error);
    }
  return NULL;
}

static void
test_metrics_threads (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GanderMetrics) shared = gander_metrics_new ();
  g_autoptr(GanderMetrics) reread = gander_metrics_new ();
  g_autoptr(GError) error = NULL;
  ThreadData thread_data = { shared, f->path };
  GThread *threads[N_THREADS];
  g_autofree char *text = NULL;

  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("writer", record_and_write, &thread_data);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  g_assert_cmpfloat (value_of (shared, "gander_retries_total", NULL), ==, N_THREADS * N_ROUNDS * 1000);
  g_assert_cmpfloat (value_of (shared, "gander_run_duration_seconds", NULL), ==, N_THREADS * N_ROUNDS);

  text = read_file (f->path);
  g_assert_true (gander_metrics_merge_text (reread, text, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (value_of (reread, "gander_migrations_applied_total", app_up), ==,
                     N_THREADS * N_ROUNDS);
  g_assert_cmpuint (count_entries (f->dir), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/metrics/new", test_metrics_new);
  g_test_add_func ("/metrics/counter", test_metrics_counter);
  g_test_add_func ("/metrics/gauge", test_metrics_gauge);
  g_test_add_func ("/metrics/histogram", test_metrics_histogram);
  g_test_add_func ("/metrics/escaping", test_metrics_escaping);
  g_test_add_func ("/metrics/stable-order", test_metrics_stable_order);
  g_test_add_func ("/metrics/misuse", test_metrics_misuse);
  g_test_add_func ("/metrics/merge", test_metrics_merge);
  g_test_add_func ("/metrics/merge-incompatible", test_metrics_merge_incompatible);
  g_test_add_func ("/metrics/merge-corrupt", test_metrics_merge_corrupt);
  g_test_add_func ("/metrics/merge-histogram-checks", test_metrics_merge_histogram_checks);
  g_test_add ("/metrics/textfile/two-runs", Fixture, NULL,
              fixture_set_up, test_metrics_textfile_two_runs, fixture_tear_down);
  g_test_add ("/metrics/textfile/same-object", Fixture, NULL,
              fixture_set_up, test_metrics_textfile_same_object, fixture_tear_down);
  g_test_add ("/metrics/textfile/shared-gauges", Fixture, NULL,
              fixture_set_up, test_metrics_textfile_shared_gauges, fixture_tear_down);
  g_test_add ("/metrics/textfile/corrupt", Fixture, NULL,
              fixture_set_up, test_metrics_textfile_corrupt, fixture_tear_down);
  g_test_add ("/metrics/textfile/failure", Fixture, NULL,
              fixture_set_up, test_metrics_textfile_failure, fixture_tear_down);
  g_test_add ("/metrics/threads", Fixture, NULL,
              fixture_set_up, test_metrics_threads, fixture_tear_down);

  return gander_test_run ();
}

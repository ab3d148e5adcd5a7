/* gander-metrics.c: Prometheus metrics of migration runs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "gander-error.h"
#include "gander-metrics.h"

/**
 * GanderMetrics:
 *
 * The Prometheus metrics of migration runs, in the text exposition format
 * 0.0.4: counters, gauges and histograms of a fixed set of families, each
 * with its `# HELP` and `# TYPE` lines built in.
 *
 * #GanderManager records a run's results here; a program serves the text
 * of gander_metrics_to_text() or leaves it in a file for node_exporter's
 * textfile collector with gander_metrics_write_textfile(). Every method may
 * be called from any thread.
 *
 * The families, their labels, and what they count:
 *
 * | family | type | labels |
 * | --- | --- | --- |
 * | `gander_backup_duration_seconds` | gauge: the last backup's time to take and verify | profile, environment |
 * | `gander_backup_last_success_timestamp_seconds` | gauge | profile, environment |
 * | `gander_backup_size_bytes` | gauge: the last backup's size | profile, environment |
 * | `gander_build_info` | gauge (always 1) | version |
 * | `gander_circuit_breaker_state` | gauge: 0 closed, 1 half-open, 2 open | profile, environment |
 * | `gander_dirty` | gauge: 1 while an interrupted migration needs a human | profile, environment |
 * | `gander_health_check_failures_total` | counter: failed health checks | profile, environment, check |
 * | `gander_last_run_timestamp_seconds` | gauge | profile, environment, result |
 * | `gander_last_success_timestamp_seconds` | gauge | profile, environment |
 * | `gander_lint_findings_total` | counter: lint findings in the migrations runs were about to run (not silenced ones) | profile, environment, rule, severity |
 * | `gander_migration_duration_seconds` | histogram | profile, environment, direction |
 * | `gander_migrations_applied_total` | counter | profile, environment, direction |
 * | `gander_migrations_failed_total` | counter | profile, environment, direction, error |
 * | `gander_migrations_pending` | gauge | profile, environment |
 * | `gander_migrations_rolled_back_total` | counter: down migrations run | profile, environment |
 * | `gander_retries_total` | counter | profile, environment, reason |
 * | `gander_run_duration_seconds` | histogram | profile, environment, operation, result |
 * | `gander_schema_version` | gauge | profile, environment |
 *
 * Histogram buckets (seconds): 0.01 0.05 0.1 0.5 1 5 10 30 60 300 900 and
 * `+Inf`. Every series carries every label of its family: a label the
 * caller leaves out has the value "" (an ad-hoc profile has profile ""),
 * which Prometheus treats as the label being absent. A new object holds
 * `gander_build_info{version="…"} 1` and nothing else; a family without
 * series is not written at all. The output is stable: families sorted by
 * name, series by their label values in the order of the table above.
 *
 * # Textfiles and earlier runs
 *
 * A migration run is a short-lived process, so its counters would restart
 * at every run. gander_metrics_write_textfile() therefore reads the file it
 * replaces and carries it over:
 *
 * - counters and histograms of the file are added to what this object
 *   recorded since its previous write to a file (or since it was created),
 *   so each run is counted once however often the object is written;
 * - gauges take the value this object set; a gauge series this object did
 *   not set keeps the file's value (several profiles can share one file);
 *   `gander_build_info` always describes the writer;
 * - series of a known family whose type or labels differ from the ones
 *   above (written by another Gander version) are dropped: their counters
 *   restart, which Prometheus's rate() and increase() treat as a reset;
 * - families named `gander_…` that this version does not know (written by
 *   a newer Gander) are kept as they are;
 * - a file that cannot be parsed, or holds a family not named `gander_…`
 *   (it belongs to another program), is never replaced: the write fails
 *   with %GANDER_ERROR_PARSE naming the line. Move the file aside or delete
 *   it and the next write starts a new one (its counters restart).
 *
 * The new text goes to `PATH.tmp.PID` in the same directory, is synced and
 * renamed over PATH (mode 0644), so a reader sees the old or the new file,
 * never a mix. Writers of files in one directory take turns (flock(2) on
 * the directory), so that concurrent runs never lose each other's counts.
 *
 * Since: 0.2
 */

#define MAX_LABELS 4

typedef enum {
  KIND_COUNTER,
  KIND_GAUGE,
  KIND_HISTOGRAM,
} FamilyKind;

static const char * const kind_names[] = { "counter", "gauge", "histogram" };

typedef enum {
  FAMILY_FLAG_NONE = 0,
  /* The file's series are not carried over: the family describes the
   * process that writes it. */
  FAMILY_FLAG_WRITER = 1 << 0,
} FamilyFlags;

typedef struct
{
  const char  *name;
  FamilyKind   kind;
  FamilyFlags  flags;
  const char  *help;
  const char  *labels[MAX_LABELS + 1];
} FamilyInfo;

/* Sorted by name. The HELP texts are not translated: the output is read by
 * programs, and one file must not change with the locale of its writer. */
static const FamilyInfo families[] = {
  { "gander_backup_duration_seconds", KIND_GAUGE, FAMILY_FLAG_NONE,
    "Time taken to take and verify the last backup.",
    { "profile", "environment", NULL } },
  { "gander_backup_last_success_timestamp_seconds", KIND_GAUGE, FAMILY_FLAG_NONE,
    "Unix time at which the last successful backup was taken.",
    { "profile", "environment", NULL } },
  { "gander_backup_size_bytes", KIND_GAUGE, FAMILY_FLAG_NONE,
    "Size of the last backup's archive.",
    { "profile", "environment", NULL } },
  { "gander_build_info", KIND_GAUGE, FAMILY_FLAG_WRITER,
    "Version of Gander that wrote these metrics; the value is always 1.",
    { "version", NULL } },
  { "gander_circuit_breaker_state", KIND_GAUGE, FAMILY_FLAG_NONE,
    "State of the circuit breaker of the database: 0 closed, 1 half-open, 2 open.",
    { "profile", "environment", NULL } },
  { "gander_dirty", KIND_GAUGE, FAMILY_FLAG_NONE,
    "1 while an interrupted NO TRANSACTION migration needs a human decision "
    "(gander repair clear-dirty), else 0.",
    { "profile", "environment", NULL } },
  { "gander_health_check_failures_total", KIND_COUNTER, FAMILY_FLAG_NONE,
    "Health checks that failed, before or after a run or on demand, by check.",
    { "profile", "environment", "check", NULL } },
  { "gander_last_run_timestamp_seconds", KIND_GAUGE, FAMILY_FLAG_NONE,
    "Unix time at which the last run with this result finished.",
    { "profile", "environment", "result", NULL } },
  { "gander_last_success_timestamp_seconds", KIND_GAUGE, FAMILY_FLAG_NONE,
    "Unix time at which the last successful run finished.",
    { "profile", "environment", NULL } },
  { "gander_lint_findings_total", KIND_COUNTER, FAMILY_FLAG_NONE,
    "Lint findings in the migrations runs were about to run, by rule and severity "
    "(findings silenced by a gander:lint-ignore comment are not counted).",
    { "profile", "environment", "rule", "severity", NULL } },
  { "gander_migration_duration_seconds", KIND_HISTOGRAM, FAMILY_FLAG_NONE,
    "Time taken to apply or roll back one migration.",
    { "profile", "environment", "direction", NULL } },
  { "gander_migrations_applied_total", KIND_COUNTER, FAMILY_FLAG_NONE,
    "Migrations run successfully, by direction.",
    { "profile", "environment", "direction", NULL } },
  { "gander_migrations_failed_total", KIND_COUNTER, FAMILY_FLAG_NONE,
    "Migrations that failed, by direction and Gander error code.",
    { "profile", "environment", "direction", "error", NULL } },
  { "gander_migrations_pending", KIND_GAUGE, FAMILY_FLAG_NONE,
    "Migrations not yet applied to the database.",
    { "profile", "environment", NULL } },
  { "gander_migrations_rolled_back_total", KIND_COUNTER, FAMILY_FLAG_NONE,
    "Down migrations run successfully.",
    { "profile", "environment", NULL } },
  { "gander_retries_total", KIND_COUNTER, FAMILY_FLAG_NONE,
    "Migration attempts repeated after a transient failure, by reason.",
    { "profile", "environment", "reason", NULL } },
  { "gander_run_duration_seconds", KIND_HISTOGRAM, FAMILY_FLAG_NONE,
    "Time taken by one run of a command, by command and result.",
    { "profile", "environment", "operation", "result", NULL } },
  { "gander_schema_version", KIND_GAUGE, FAMILY_FLAG_NONE,
    "Version of the database schema (the highest applied migration).",
    { "profile", "environment", NULL } },
};

#define N_FAMILIES G_N_ELEMENTS (families)

/* Upper bounds in seconds, from 10 ms to 15 min; +Inf is implicit. */
static const double bucket_bounds[] = { .01, .05, .1, .5, 1, 5, 10, 30, 60, 300, 900 };

#define N_BOUNDS  G_N_ELEMENTS (bucket_bounds)
#define N_BUCKETS (N_BOUNDS + 1)

/* Bits of Series.seen while a text is parsed. */
#define SEEN_SUM   (1u << N_BUCKETS)
#define SEEN_COUNT (1u << (N_BUCKETS + 1))
#define SEEN_ALL_BUCKETS ((1u << N_BUCKETS) - 1)

typedef struct
{
  double  value;               /* counter, gauge */
  double  sum;                 /* histogram */
  guint64 counts[N_BUCKETS];   /* histogram, per bucket (not cumulative) */
} Amount;

typedef struct
{
  char     **values;    /* label values, in the family's label order */
  Amount     total;
  /* Counters and histograms: what was recorded here and not yet written
   * to a textfile (write_textfile adds it to the file's amounts). */
  Amount     pending;
  /* Gauges: set by this object, not taken from an earlier text. */
  gboolean   local;

  /* Only while a text is parsed. */
  guint      line;
  guint32    seen;
  double     count;     /* the _count sample of a histogram */
  gboolean   dropped;
} Series;

typedef struct
{
  char    *name;
  GString *text;        /* its lines as read, each ending in "\n" */
} Foreign;

struct _GanderMetrics
{
  GObject  parent_instance;

  GMutex   mutex;
  GTree   *series[N_FAMILIES];   /* char **values → Series */
  GTree   *foreign;              /* name → Foreign */
};

G_DEFINE_FINAL_TYPE (GanderMetrics, gander_metrics, G_TYPE_OBJECT)

static void
series_free (gpointer data)
{
  Series *series = data;

  g_strfreev (series->values);
  g_free (series);
}

static void
foreign_free (gpointer data)
{
  Foreign *foreign = data;

  g_free (foreign->name);
  g_string_free (foreign->text, TRUE);
  g_free (foreign);
}

static int
compare_values (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  const char * const *va = a;
  const char * const *vb = b;

  (void) user_data;
  for (guint i = 0; va[i] != NULL && vb[i] != NULL; i++)
    {
      int cmp = strcmp (va[i], vb[i]);

      if (cmp != 0)
        return cmp;
    }
  /* Within a family every key has the same length. */
  return 0;
}

static int
compare_names (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  return strcmp (a, b);
}

static void
amount_add (Amount       *to,
            const Amount *amount)
{
  to->value += amount->value;
  to->sum += amount->sum;
  for (guint i = 0; i < N_BUCKETS; i++)
    to->counts[i] += amount->counts[i];
}

static guint64
amount_count (const Amount *amount)
{
  guint64 count = 0;

  for (guint i = 0; i < N_BUCKETS; i++)
    count += amount->counts[i];
  return count;
}

static const FamilyInfo *
find_family (const char *name,
             guint      *index)
{
  guint lo = 0, hi = N_FAMILIES;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      int cmp = strcmp (name, families[mid].name);

      if (cmp == 0)
        {
          if (index != NULL)
            *index = mid;
          return &families[mid];
        }
      if (cmp < 0)
        hi = mid;
      else
        lo = mid + 1;
    }
  return NULL;
}

static guint
family_n_labels (const FamilyInfo *info)
{
  guint n = 0;

  while (info->labels[n] != NULL)
    n++;
  return n;
}

static int
family_label_index (const FamilyInfo *info,
                    const char       *label)
{
  for (guint i = 0; info->labels[i] != NULL; i++)
    if (strcmp (info->labels[i], label) == 0)
      return (int) i;
  return -1;
}

static Series *
lookup_series_locked (GanderMetrics      *self,
                      guint               family,
                      const char * const *values,
                      gboolean            create)
{
  Series *series = g_tree_lookup (self->series[family], values);

  if (series == NULL && create)
    {
      guint n = family_n_labels (&families[family]);

      series = g_new0 (Series, 1);
      series->values = g_new0 (char *, n + 1);
      for (guint i = 0; i < n; i++)
        series->values[i] = g_utf8_make_valid (values[i], -1);
      g_tree_insert (self->series[family], series->values, series);
    }
  return series;
}

static void
gander_metrics_finalize (GObject *object)
{
  GanderMetrics *self = GANDER_METRICS (object);

  for (guint i = 0; i < N_FAMILIES; i++)
    g_clear_pointer (&self->series[i], g_tree_unref);
  g_clear_pointer (&self->foreign, g_tree_unref);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (gander_metrics_parent_class)->finalize (object);
}

static void
gander_metrics_class_init (GanderMetricsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gander_metrics_finalize;

  /* find_family() searches the table by halves. */
  for (guint i = 1; i < N_FAMILIES; i++)
    g_assert (strcmp (families[i - 1].name, families[i].name) < 0);
}

static void
gander_metrics_init (GanderMetrics *self)
{
  g_mutex_init (&self->mutex);
  for (guint i = 0; i < N_FAMILIES; i++)
    self->series[i] = g_tree_new_full (compare_values, NULL, NULL, series_free);
  self->foreign = g_tree_new_full (compare_names, NULL, NULL, foreign_free);
}

/**
 * gander_metrics_new:
 *
 * Creates an object that holds `gander_build_info` and no other series.
 *
 * Returns: (transfer full): a new #GanderMetrics
 *
 * Since: 0.2
 */
GanderMetrics *
gander_metrics_new (void)
{
  GanderMetrics *self = g_object_new (GANDER_TYPE_METRICS, NULL);
  const char *labels[] = { "version", PACKAGE_VERSION, NULL };

  gander_metrics_set (self, "gander_build_info", labels, 1);
  return self;
}

/* Resolves @name and @labels for a record of @kind; a programming error
 * (unknown family, wrong kind, undeclared label) is reported with
 * g_critical() and FALSE. */
static gboolean
resolve_record (const char         *func,
                const char         *name,
                const char * const *labels,
                FamilyKind          kind,
                guint              *family,
                const char        **values)
{
  const FamilyInfo *info;
  guint n;

  if (name == NULL || (info = find_family (name, family)) == NULL)
    {
      g_critical ("%s: unknown metric family “%s”", func, name ? name : "(null)");
      return FALSE;
    }
  if (info->kind != kind)
    {
      g_critical ("%s: metric family “%s” is a %s, not a %s",
                  func, name, kind_names[info->kind], kind_names[kind]);
      return FALSE;
    }

  n = family_n_labels (info);
  for (guint i = 0; i < n; i++)
    values[i] = NULL;
  values[n] = NULL;

  for (guint i = 0; labels != NULL && labels[i] != NULL; i += 2)
    {
      int index = family_label_index (info, labels[i]);

      if (index < 0)
        {
          g_autofree char *declared = g_strjoinv (", ", (char **) info->labels);

          g_critical ("%s: metric family “%s” has no label “%s” (its labels: %s)",
                      func, name, labels[i], declared);
          return FALSE;
        }
      if (labels[i + 1] == NULL)
        {
          g_critical ("%s: label “%s” of “%s” has no value", func, labels[i], name);
          return FALSE;
        }
      if (values[index] != NULL)
        {
          g_critical ("%s: label “%s” of “%s” given twice", func, labels[i], name);
          return FALSE;
        }
      values[index] = labels[i + 1];
    }

  for (guint i = 0; i < n; i++)
    if (values[i] == NULL)
      values[i] = "";
  return TRUE;
}

/**
 * gander_metrics_inc:
 * @self: a #GanderMetrics
 * @name: the name of a counter family, such as `gander_retries_total`
 * @labels: (array zero-terminated=1) (nullable): label names and values,
 *   alternating: `{ "profile", "app", "reason", "locked", NULL }`
 * @value: how much to add, zero or more
 *
 * Adds @value to the counter series of @name with @labels, creating it at
 * 0 first (adding 0 only makes the series appear). A label of the family
 * that @labels leaves out has the value "".
 *
 * An unknown family, a family that is not a counter, a label the family
 * does not have or a negative @value is a programming error.
 *
 * Since: 0.2
 */
void
gander_metrics_inc (GanderMetrics      *self,
                    const char         *name,
                    const char * const *labels,
                    double              value)
{
  const char *values[MAX_LABELS + 1];
  Series *series;
  guint family;

  g_return_if_fail (GANDER_IS_METRICS (self));
  g_return_if_fail (!isnan (value) && value >= 0);

  if (!resolve_record (G_STRFUNC, name, labels, KIND_COUNTER, &family, values))
    return;

  g_mutex_lock (&self->mutex);
  series = lookup_series_locked (self, family, values, TRUE);
  series->total.value += value;
  series->pending.value += value;
  g_mutex_unlock (&self->mutex);
}

/**
 * gander_metrics_set:
 * @self: a #GanderMetrics
 * @name: the name of a gauge family, such as `gander_schema_version`
 * @labels: (array zero-terminated=1) (nullable): label names and values,
 *   alternating
 * @value: the new value
 *
 * Sets the gauge series of @name with @labels to @value. A gauge set here
 * replaces the value of the same series in the file
 * gander_metrics_write_textfile() replaces.
 *
 * An unknown family, a family that is not a gauge or a label the family
 * does not have is a programming error.
 *
 * Since: 0.2
 */
void
gander_metrics_set (GanderMetrics      *self,
                    const char         *name,
                    const char * const *labels,
                    double              value)
{
  const char *values[MAX_LABELS + 1];
  Series *series;
  guint family;

  g_return_if_fail (GANDER_IS_METRICS (self));

  if (!resolve_record (G_STRFUNC, name, labels, KIND_GAUGE, &family, values))
    return;

  g_mutex_lock (&self->mutex);
  series = lookup_series_locked (self, family, values, TRUE);
  series->total.value = value;
  series->local = TRUE;
  g_mutex_unlock (&self->mutex);
}

static guint
bucket_index (double value)
{
  for (guint i = 0; i < N_BOUNDS; i++)
    if (value <= bucket_bounds[i])
      return i;
  return N_BOUNDS;
}

/**
 * gander_metrics_observe:
 * @self: a #GanderMetrics
 * @name: the name of a histogram family, such as
 *   `gander_run_duration_seconds`
 * @labels: (array zero-terminated=1) (nullable): label names and values,
 *   alternating
 * @value: the observed value, in seconds for the duration histograms
 *
 * Adds one observation of @value to the histogram series of @name with
 * the given labels: to the first bucket whose upper bound is at least
 * @value, to its sum and to its count.
 *
 * An unknown family, a family that is not a histogram, a label the family
 * does not have or a @value that is NaN is a programming error.
 *
 * Since: 0.2
 */
void
gander_metrics_observe (GanderMetrics      *self,
                        const char         *name,
                        const char * const *labels,
                        double              value)
{
  const char *values[MAX_LABELS + 1];
  Series *series;
  guint family;
  guint bucket;

  g_return_if_fail (GANDER_IS_METRICS (self));
  g_return_if_fail (!isnan (value));

  if (!resolve_record (G_STRFUNC, name, labels, KIND_HISTOGRAM, &family, values))
    return;

  bucket = bucket_index (value);
  g_mutex_lock (&self->mutex);
  series = lookup_series_locked (self, family, values, TRUE);
  series->total.counts[bucket]++;
  series->total.sum += value;
  series->pending.counts[bucket]++;
  series->pending.sum += value;
  g_mutex_unlock (&self->mutex);
}

/**
 * gander_metrics_lookup:
 * @self: a #GanderMetrics
 * @name: the name of a family
 * @labels: (array zero-terminated=1) (nullable): label names and values,
 *   alternating; a label left out has the value ""
 * @value: (out) (optional): the value of a counter or gauge series, or
 *   the number of observations of a histogram series
 *
 * Looks up one series, including the amounts taken over from earlier
 * texts by gander_metrics_merge_text().
 *
 * Returns: %TRUE if the series exists, %FALSE otherwise (and then @value
 *   is 0)
 *
 * Since: 0.2
 */
gboolean
gander_metrics_lookup (GanderMetrics      *self,
                       const char         *name,
                       const char * const *labels,
                       double             *value)
{
  const char *values[MAX_LABELS + 1];
  const FamilyInfo *info;
  Series *series;
  guint family;
  double found = 0;

  g_return_val_if_fail (GANDER_IS_METRICS (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (value != NULL)
    *value = 0;
  info = find_family (name, NULL);
  if (info == NULL
      || !resolve_record (G_STRFUNC, name, labels, info->kind, &family, values))
    return FALSE;

  g_mutex_lock (&self->mutex);
  series = lookup_series_locked (self, family, values, FALSE);
  if (series != NULL)
    found = info->kind == KIND_HISTOGRAM ? (double) amount_count (&series->total)
                                         : series->total.value;
  g_mutex_unlock (&self->mutex);

  if (value != NULL)
    *value = found;
  return series != NULL;
}

/* Output */

static void
append_double (GString *out,
               double   value)
{
  static const char * const formats[] = { "%.15g", "%.16g", "%.17g" };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value))
    g_string_append (out, "NaN");
  else if (isinf (value))
    g_string_append (out, value > 0 ? "+Inf" : "-Inf");
  else if (value == floor (value) && fabs (value) < 1e15)
    g_string_append_printf (out, "%.0f", value);
  else
    {
      /* The shortest of these that reads back as the same double. */
      for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
        {
          g_ascii_formatd (buf, sizeof buf, formats[i], value);
          if (g_ascii_strtod (buf, NULL) == value)
            break;
        }
      g_string_append (out, buf);
    }
}

static void
append_escaped (GString    *out,
                const char *text,
                gboolean    quote)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\\')
        g_string_append (out, "\\\\");
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p == '"' && quote)
        g_string_append (out, "\\\"");
      else
        g_string_append_c (out, *p);
    }
}

/* NAME{label="value",…,le="…"} VALUE\n */
static void
append_sample (GString          *out,
               const FamilyInfo *info,
               const char       *suffix,
               const Series     *series,
               const char       *le,
               double            value)
{
  gboolean any = FALSE;

  g_string_append (out, info->name);
  g_string_append (out, suffix);
  for (guint i = 0; info->labels[i] != NULL; i++)
    {
      g_string_append_c (out, any ? ',' : '{');
      g_string_append_printf (out, "%s=\"", info->labels[i]);
      append_escaped (out, series->values[i], TRUE);
      g_string_append_c (out, '"');
      any = TRUE;
    }
  if (le != NULL)
    {
      g_string_append_c (out, any ? ',' : '{');
      g_string_append_printf (out, "le=\"%s\"", le);
      any = TRUE;
    }
  if (any)
    g_string_append_c (out, '}');
  g_string_append_c (out, ' ');
  append_double (out, value);
  g_string_append_c (out, '\n');
}

static void
append_family_locked (GanderMetrics *self,
                      guint          family,
                      GString       *out)
{
  const FamilyInfo *info = &families[family];
  GTreeNode *node = g_tree_node_first (self->series[family]);

  if (node == NULL)
    return;

  g_string_append_printf (out, "# HELP %s ", info->name);
  append_escaped (out, info->help, FALSE);
  g_string_append_printf (out, "\n# TYPE %s %s\n", info->name, kind_names[info->kind]);

  for (; node != NULL; node = g_tree_node_next (node))
    {
      const Series *series = g_tree_node_value (node);

      if (info->kind != KIND_HISTOGRAM)
        {
          append_sample (out, info, "", series, NULL, series->total.value);
          continue;
        }

      guint64 cumulative = 0;

      for (guint i = 0; i < N_BUCKETS; i++)
        {
          GString *le = g_string_new (NULL);

          cumulative += series->total.counts[i];
          if (i < N_BOUNDS)
            append_double (le, bucket_bounds[i]);
          else
            g_string_append (le, "+Inf");
          append_sample (out, info, "_bucket", series, le->str, (double) cumulative);
          g_string_free (le, TRUE);
        }
      append_sample (out, info, "_sum", series, NULL, series->total.sum);
      append_sample (out, info, "_count", series, NULL, (double) cumulative);
    }
}

static char *
to_text_locked (GanderMetrics *self)
{
  GString *out = g_string_new (NULL);
  GTreeNode *foreign = g_tree_node_first (self->foreign);
  guint family = 0;

  /* Both lists are sorted by name: merge them. */
  while (family < N_FAMILIES || foreign != NULL)
    {
      const Foreign *next = foreign ? g_tree_node_value (foreign) : NULL;

      if (next == NULL
          || (family < N_FAMILIES && strcmp (families[family].name, next->name) < 0))
        append_family_locked (self, family++, out);
      else
        {
          g_string_append_len (out, next->text->str, next->text->len);
          foreign = g_tree_node_next (foreign);
        }
    }
  return g_string_free (out, FALSE);
}

/**
 * gander_metrics_to_text:
 * @self: a #GanderMetrics
 *
 * Formats every series in the Prometheus text exposition format 0.0.4
 * (`text/plain; version=0.0.4`): for each family with series, in the
 * order of their names, a `# HELP` and a `# TYPE` line and its samples.
 * Histograms have cumulative `_bucket` samples up to `le="+Inf"`, `_sum`
 * and `_count`. Label values are escaped (`\\`, `\"`, `\n`).
 *
 * Returns: (transfer full): the text, ending in a newline
 *
 * Since: 0.2
 */
char *
gander_metrics_to_text (GanderMetrics *self)
{
  char *text;

  g_return_val_if_fail (GANDER_IS_METRICS (self), NULL);

  g_mutex_lock (&self->mutex);
  text = to_text_locked (self);
  g_mutex_unlock (&self->mutex);
  return text;
}

/* Input */

typedef struct
{
  const char    *where;       /* file name, or NULL */
  guint          line;
  GanderMetrics *into;        /* what was read: a fresh object */
  GHashTable    *types;       /* family name → type, from TYPE lines */
  GHashTable    *sampled;     /* family names that had samples */
} Parser;

static gboolean parse_fail (Parser     *parser,
                            GError    **error,
                            const char *format,
                            ...) G_GNUC_PRINTF (3, 4);

static gboolean
parse_fail (Parser     *parser,
            GError    **error,
            const char *format,
            ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  if (parser->where != NULL)
    g_set_error (error, GANDER_ERROR, GANDER_ERROR_PARSE, "%s:%u: %s",
                 parser->where, parser->line, what);
  else
    g_set_error (error, GANDER_ERROR, GANDER_ERROR_PARSE, _("line %u: %s"),
                 parser->line, what);
  return FALSE;
}

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

static const char *
skip_blanks (const char *p)
{
  while (is_blank (*p))
    p++;
  return p;
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* (metric names), without ':' for labels */
static const char *
scan_name (const char *p,
           gboolean    colon)
{
  if (!(g_ascii_isalpha (*p) || *p == '_' || (colon && *p == ':')))
    return p;
  while (g_ascii_isalnum (*p) || *p == '_' || (colon && *p == ':'))
    p++;
  return p;
}

static gboolean
parse_double (const char *text,
              double     *value)
{
  char *end = NULL;

  if (*text == '\0')
    return FALSE;
  if (strcmp (text, "+Inf") == 0 || strcmp (text, "Inf") == 0)
    *value = INFINITY;
  else if (strcmp (text, "-Inf") == 0)
    *value = -INFINITY;
  else if (strcmp (text, "NaN") == 0)
    *value = NAN;
  else
    {
      *value = g_ascii_strtod (text, &end);
      if (end == text || *end != '\0')
        return FALSE;
    }
  return TRUE;
}

/* A family that Gander does not write belongs to another program. */
static gboolean
check_ours (Parser      *parser,
            const char  *family,
            GError     **error)
{
  if (g_str_has_prefix (family, "gander_"))
    return TRUE;
  return parse_fail (parser, error,
                     _("metric family “%s” is not one Gander writes: the file "
                       "belongs to another program"), family);
}

static Foreign *
foreign_get (Parser     *parser,
             const char *name)
{
  Foreign *foreign = g_tree_lookup (parser->into->foreign, name);

  if (foreign == NULL)
    {
      foreign = g_new0 (Foreign, 1);
      foreign->name = g_strdup (name);
      foreign->text = g_string_new (NULL);
      g_tree_insert (parser->into->foreign, foreign->name, foreign);
    }
  return foreign;
}

static void
foreign_add_line (Parser     *parser,
                  const char *family,
                  const char *line)
{
  Foreign *foreign = foreign_get (parser, family);

  g_string_append (foreign->text, line);
  g_string_append_c (foreign->text, '\n');
}

/* # HELP name text / # TYPE name type / any other comment */
static gboolean
parse_comment (Parser      *parser,
               const char  *line,
               GError     **error)
{
  const char *p = skip_blanks (line + 1);
  const char *start, *end;
  g_autofree char *name = NULL;
  gboolean help;

  if (g_str_has_prefix (p, "HELP") && is_blank (p[4]))
    help = TRUE;
  else if (g_str_has_prefix (p, "TYPE") && is_blank (p[4]))
    help = FALSE;
  else
    return TRUE;   /* a plain comment */

  start = skip_blanks (p + 4);
  end = scan_name (start, TRUE);
  if (end == start || !(*end == '\0' || is_blank (*end)))
    return parse_fail (parser, error, _("the %s line has no valid metric name"),
                       help ? "HELP" : "TYPE");
  name = g_strndup (start, end - start);
  if (!check_ours (parser, name, error))
    return FALSE;

  if (!help)
    {
      const char *type = skip_blanks (end);
      const char *type_end = type;
      g_autofree char *type_name = NULL;
      const char *known;

      while (*type_end != '\0' && !is_blank (*type_end))
        type_end++;
      type_name = g_strndup (type, type_end - type);
      if (*skip_blanks (type_end) != '\0'
          || !(g_str_equal (type_name, "counter") || g_str_equal (type_name, "gauge")
               || g_str_equal (type_name, "histogram") || g_str_equal (type_name, "summary")
               || g_str_equal (type_name, "untyped")))
        return parse_fail (parser, error,
                           _("“%s” is not a metric type (counter, gauge, histogram, "
                             "summary or untyped)"), type);
      known = g_hash_table_lookup (parser->types, name);
      if (known != NULL)
        return parse_fail (parser, error, _("a second TYPE line for “%s”"), name);
      if (g_hash_table_contains (parser->sampled, name))
        return parse_fail (parser, error, _("the TYPE line of “%s” follows its samples"),
                           name);
      g_hash_table_insert (parser->types, g_strdup (name), g_steal_pointer (&type_name));
    }

  if (find_family (name, NULL) == NULL)
    foreign_add_line (parser, name, line);
  return TRUE;
}

/* The family a sample name belongs to: a known family, a known histogram
 * (NAME_bucket, _sum, _count), or one that TYPE lines declare. */
static char *
sample_family (Parser      *parser,
               const char  *name,
               guint       *known,
               const char **suffix)
{
  static const char * const suffixes[] = { "_bucket", "_sum", "_count" };

  *suffix = "";
  if (find_family (name, known) != NULL)
    return g_strdup (name);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (name, suffixes[i]))
      {
        g_autofree char *base = g_strndup (name, strlen (name) - strlen (suffixes[i]));
        const FamilyInfo *info = find_family (base, known);
        const char *type = g_hash_table_lookup (parser->types, base);

        if (info != NULL && info->kind == KIND_HISTOGRAM)
          {
            *suffix = suffixes[i];
            return g_steal_pointer (&base);
          }
        if (info == NULL && type != NULL
            && (g_str_equal (type, "histogram") || g_str_equal (type, "summary")))
          {
            *known = G_MAXUINT;
            return g_steal_pointer (&base);
          }
      }
  *known = G_MAXUINT;
  return g_strdup (name);
}

/* Records one sample of a known family. */
static gboolean
take_sample (Parser      *parser,
             guint        family,
             const char  *suffix,
             GPtrArray   *label_names,
             GPtrArray   *label_values,
             double       value,
             GError     **error)
{
  const FamilyInfo *info = &families[family];
  const char *type = g_hash_table_lookup (parser->types, info->name);
  const char *values[MAX_LABELS + 1] = { NULL };
  guint n = family_n_labels (info);
  const char *le = NULL;
  Series *series;
  guint32 bit;

  /* Written by a Gander whose family had another type: dropped. */
  if (type != NULL && !g_str_equal (type, kind_names[info->kind]))
    return TRUE;

  for (guint i = 0; i < label_names->len; i++)
    {
      const char *label = g_ptr_array_index (label_names, i);
      int index = family_label_index (info, label);

      if (index >= 0)
        values[index] = g_ptr_array_index (label_values, i);
      else if (g_str_equal (suffix, "_bucket") && g_str_equal (label, "le"))
        le = g_ptr_array_index (label_values, i);
      else
        return TRUE;   /* other labels: dropped */
    }
  if (g_str_equal (suffix, "_bucket") && le == NULL)
    return TRUE;       /* not a bucket: dropped */
  /* A label left out is "", as Prometheus reads it. */
  for (guint i = 0; i < n; i++)
    if (values[i] == NULL)
      values[i] = "";

  series = lookup_series_locked (parser->into, family, values, TRUE);
  if (series->line == 0)
    series->line = parser->line;

  if (info->kind == KIND_HISTOGRAM && g_str_equal (suffix, "_bucket"))
    {
      double bound;
      guint bucket = N_BUCKETS;

      if (!parse_double (le, &bound))
        return parse_fail (parser, error, _("le=\"%s\" is not a number"), le);
      for (guint i = 0; i < N_BUCKETS; i++)
        if (i < N_BOUNDS ? bound == bucket_bounds[i] : isinf (bound) && bound > 0)
          bucket = i;
      if (bucket == N_BUCKETS)
        {
          /* Another bucket layout: the series restarts. */
          series->dropped = TRUE;
          return TRUE;
        }
      if (value < 0 || value != floor (value) || value > 9007199254740992.0)
        return parse_fail (parser, error,
                           _("the bucket count of %s is not a whole number of zero or more"),
                           info->name);
      bit = 1u << bucket;
      series->total.counts[bucket] = (guint64) value;   /* cumulative, for now */
    }
  else if (info->kind == KIND_HISTOGRAM && g_str_equal (suffix, "_count"))
    {
      if (value < 0 || value != floor (value))
        return parse_fail (parser, error,
                           _("the count of %s is not a whole number of zero or more"),
                           info->name);
      bit = SEEN_COUNT;
      series->count = value;
    }
  else if (info->kind == KIND_HISTOGRAM)
    {
      bit = SEEN_SUM;
      series->total.sum = value;
    }
  else
    {
      if (info->kind == KIND_COUNTER && !(value >= 0 && isfinite (value)))
        return parse_fail (parser, error,
                           _("counter %s has the value %g; a counter is a finite "
                             "number of zero or more"), info->name, value);
      bit = 1;
      series->total.value = value;
    }

  if (series->seen & bit)
    return parse_fail (parser, error, _("a second sample for the same series of %s"),
                       info->name);
  series->seen |= bit;
  return TRUE;
}

/* "…" with \\, \" and \n escapes, at *@pp; on success *@pp is past the
 * closing quote. */
static gboolean
parse_label_value (Parser      *parser,
                   const char  *label,
                   const char **pp,
                   char       **value,
                   GError     **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *p = *pp;

  if (*p != '"')
    return parse_fail (parser, error, _("the value of label “%s” must be in double quotes"),
                       label);
  for (p++; *p != '"'; p++)
    {
      if (*p == '\0')
        return parse_fail (parser, error, _("the value of label “%s” has no closing quote"),
                           label);
      if (*p != '\\')
        {
          g_string_append_c (text, *p);
          continue;
        }
      p++;
      if (*p == '\\' || *p == '"')
        g_string_append_c (text, *p);
      else if (*p == 'n')
        g_string_append_c (text, '\n');
      else
        return parse_fail (parser, error,
                           _("the value of label “%s” has an unknown escape (only \\\\, "
                             "\\\" and \\n are allowed)"), label);
    }
  *pp = p + 1;
  *value = g_string_free (g_steal_pointer (&text), FALSE);
  return TRUE;
}

/* name{label="value",…} value [timestamp] */
static gboolean
parse_sample (Parser      *parser,
              const char  *line,
              GError     **error)
{
  g_autoptr(GPtrArray) label_names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) label_values = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *name = NULL;
  g_autofree char *family = NULL;
  g_autofree char *value_text = NULL;
  const char *suffix;
  const char *p = line, *end;
  double value;
  guint known;

  end = scan_name (p, TRUE);
  if (end == p)
    return parse_fail (parser, error, _("a sample must start with a metric name"));
  name = g_strndup (p, end - p);
  p = skip_blanks (end);

  if (*p == '{')
    {
      p = skip_blanks (p + 1);
      while (*p != '}')
        {
          char *label, *label_value = NULL;

          end = scan_name (p, FALSE);
          if (end == p)
            return parse_fail (parser, error, _("expected a label name in the labels of %s"),
                               name);
          label = g_strndup (p, end - p);
          g_ptr_array_add (label_names, label);
          for (guint i = 0; i + 1 < label_names->len; i++)
            if (g_str_equal (g_ptr_array_index (label_names, i), label))
              return parse_fail (parser, error, _("label “%s” appears twice"), label);
          p = skip_blanks (end);
          if (*p != '=')
            return parse_fail (parser, error, _("expected “=” after label “%s”"), label);
          p = skip_blanks (p + 1);
          if (!parse_label_value (parser, label, &p, &label_value, error))
            return FALSE;
          g_ptr_array_add (label_values, label_value);
          p = skip_blanks (p);
          if (*p == ',')
            p = skip_blanks (p + 1);
          else if (*p != '}')
            return parse_fail (parser, error, _("expected “,” or “}” after label “%s”"), label);
        }
      p++;
    }

  p = skip_blanks (p);
  end = p;
  while (*end != '\0' && !is_blank (*end))
    end++;
  value_text = g_strndup (p, end - p);
  if (!parse_double (value_text, &value))
    return parse_fail (parser, error, _("“%s” is not a valid value for %s"), value_text,
                       name);
  p = skip_blanks (end);
  if (*p != '\0')
    {
      /* an optional timestamp, in milliseconds; ignored */
      if (*p == '-')
        p++;
      end = p;
      while (g_ascii_isdigit (*end))
        end++;
      if (end == p || *skip_blanks (end) != '\0')
        return parse_fail (parser, error, _("unexpected text after the value of %s"), name);
    }

  family = sample_family (parser, name, &known, &suffix);
  if (!check_ours (parser, family, error))
    return FALSE;
  g_hash_table_add (parser->sampled, g_strdup (family));

  if (known == G_MAXUINT)
    {
      foreign_add_line (parser, family, line);
      return TRUE;
    }
  return take_sample (parser, known, suffix, label_names, label_values, value, error);
}

/* Histograms: every bucket present, cumulative counts turned into counts
 * per bucket; series of another bucket layout removed. */
static gboolean
parse_finish (Parser  *parser,
              GError **error)
{
  for (guint family = 0; family < N_FAMILIES; family++)
    {
      const FamilyInfo *info = &families[family];
      g_autoptr(GPtrArray) dropped = g_ptr_array_new ();

      if (info->kind != KIND_HISTOGRAM)
        continue;
      for (GTreeNode *node = g_tree_node_first (parser->into->series[family]);
           node != NULL; node = g_tree_node_next (node))
        {
          Series *series = g_tree_node_value (node);
          guint64 *counts = series->total.counts;

          parser->line = series->line;
          if (series->dropped)
            {
              g_ptr_array_add (dropped, series->values);
              continue;
            }
          if ((series->seen & SEEN_ALL_BUCKETS) != SEEN_ALL_BUCKETS)
            return parse_fail (parser, error,
                               _("histogram %s lacks some of its buckets"), info->name);
          if ((series->seen & SEEN_COUNT) && series->count != (double) counts[N_BOUNDS])
            return parse_fail (parser, error,
                               _("the count of histogram %s differs from its +Inf bucket"),
                               info->name);
          for (guint i = N_BOUNDS; i > 0; i--)
            {
              if (counts[i] < counts[i - 1])
                return parse_fail (parser, error,
                                   _("the buckets of histogram %s are not cumulative"),
                                   info->name);
              counts[i] -= counts[i - 1];
            }
        }
      for (guint i = 0; i < dropped->len; i++)
        g_tree_remove (parser->into->series[family], g_ptr_array_index (dropped, i));
    }
  return TRUE;
}

/* Parses @text into a fresh object; NULL and an error naming the line if
 * it is not a text Gander could have written. */
static GanderMetrics *
parse_text (const char  *text,
            const char  *where,
            GError     **error)
{
  g_autoptr(GanderMetrics) into = g_object_new (GANDER_TYPE_METRICS, NULL);
  g_autoptr(GHashTable) types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) sampled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Parser parser = { where, 0, into, types, sampled };
  const char *p = text;

  while (*p != '\0')
    {
      const char *eol = strchr (p, '\n');
      gsize len = eol ? (gsize) (eol - p) : strlen (p);
      g_autofree char *line = NULL;
      const char *start;

      parser.line++;
      while (len > 0 && (is_blank (p[len - 1]) || p[len - 1] == '\r'))
        len--;
      line = g_strndup (p, len);
      p = eol ? eol + 1 : p + strlen (p);

      if (!g_utf8_validate (line, -1, NULL))
        return parse_fail (&parser, error, _("the line is not valid UTF-8")), NULL;

      start = skip_blanks (line);
      if (*start == '\0')
        continue;
      if (*start == '#' ? !parse_comment (&parser, start, error)
                        : !parse_sample (&parser, start, error))
        return NULL;
    }

  if (!parse_finish (&parser, error))
    return NULL;
  return g_steal_pointer (&into);
}

/* Adds what @from read to @self: see the class documentation. */
static void
merge_locked (GanderMetrics *self,
              GanderMetrics *from)
{
  for (guint family = 0; family < N_FAMILIES; family++)
    {
      if (families[family].flags & FAMILY_FLAG_WRITER)
        continue;
      for (GTreeNode *node = g_tree_node_first (from->series[family]);
           node != NULL; node = g_tree_node_next (node))
        {
          const Series *read = g_tree_node_value (node);
          Series *series = lookup_series_locked (self, family,
                                                 (const char * const *) read->values, TRUE);

          if (families[family].kind != KIND_GAUGE)
            amount_add (&series->total, &read->total);
          else if (!series->local)
            series->total.value = read->total.value;
        }
    }

  for (GTreeNode *node = g_tree_node_first (from->foreign);
       node != NULL; node = g_tree_node_next (node))
    {
      const Foreign *read = g_tree_node_value (node);
      Foreign *foreign = g_new0 (Foreign, 1);

      foreign->name = g_strdup (read->name);
      foreign->text = g_string_new_len (read->text->str, read->text->len);
      g_tree_replace (self->foreign, foreign->name, foreign);
    }
}

/**
 * gander_metrics_merge_text:
 * @self: a #GanderMetrics
 * @previous: a text in the exposition format, as gander_metrics_to_text()
 *   or an earlier Gander wrote it
 *
 * Carries the series of @previous over into @self: counters and histograms
 * are added, a gauge is taken unless @self set that series itself, unknown
 * `gander_…` families are kept as they are (see #GanderMetrics for the
 * whole set of rules). Use it to continue the totals of an earlier process,
 * for example when a service starts.
 *
 * What is taken over counts as written already: a later
 * gander_metrics_write_textfile() adds only what @self records after this
 * call to the file's amounts, so merging the text of the file that is
 * written later does not count it twice.
 *
 * @previous is parsed completely before anything changes: on error @self
 * is left as it was.
 *
 * Returns: %TRUE on success; %FALSE with %GANDER_ERROR_PARSE naming the
 *   line if @previous is not a text Gander could have written
 *
 * Since: 0.2
 */
gboolean
gander_metrics_merge_text (GanderMetrics  *self,
                           const char     *previous,
                           GError        **error)
{
  g_autoptr(GanderMetrics) read = NULL;

  g_return_val_if_fail (GANDER_IS_METRICS (self), FALSE);
  g_return_val_if_fail (previous != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  read = parse_text (previous, NULL, error);
  if (read == NULL)
    return FALSE;

  g_mutex_lock (&self->mutex);
  merge_locked (self, read);
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

/* Textfiles */

typedef struct
{
  Series *series;
  Amount  amount;
} Taken;

/* Moves what @self recorded since its last write into @into; the list
 * says how much was taken from where, to give it back if the write fails. */
static GArray *
take_pending (GanderMetrics *self,
              GanderMetrics *into)
{
  GArray *taken = g_array_new (FALSE, FALSE, sizeof (Taken));

  g_mutex_lock (&self->mutex);
  for (guint family = 0; family < N_FAMILIES; family++)
    {
      for (GTreeNode *node = g_tree_node_first (self->series[family]);
           node != NULL; node = g_tree_node_next (node))
        {
          Series *series = g_tree_node_value (node);
          Series *to = lookup_series_locked (into, family,
                                             (const char * const *) series->values, TRUE);

          if (families[family].kind == KIND_GAUGE)
            {
              if (series->local)
                {
                  to->total.value = series->total.value;
                  to->local = TRUE;
                }
              continue;
            }

          Taken entry = { series, series->pending };

          amount_add (&to->total, &series->pending);
          memset (&series->pending, 0, sizeof series->pending);
          g_array_append_val (taken, entry);
        }
    }
  g_mutex_unlock (&self->mutex);
  return taken;
}

static void
give_back (GanderMetrics *self,
           GArray        *taken)
{
  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < taken->len; i++)
    {
      Taken *entry = &g_array_index (taken, Taken, i);

      amount_add (&entry->series->pending, &entry->amount);
    }
  g_mutex_unlock (&self->mutex);
}

static gboolean
set_io_error (GError     **error,
              int          saved_errno,
              const char  *format,
              ...) G_GNUC_PRINTF (3, 4);

static gboolean
set_io_error (GError     **error,
              int          saved_errno,
              const char  *format,
              ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, GANDER_ERROR,
               saved_errno == EACCES || saved_errno == EPERM || saved_errno == EROFS
                 ? GANDER_ERROR_PERMISSION_DENIED : GANDER_ERROR_IO,
               "%s: %s", what, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
write_all (int          fd,
           const char  *data,
           gsize        len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

/* Writes @text to @tmp and renames it over @path. */
static gboolean
replace_file (int          dir_fd,
              const char  *path,
              const char  *tmp,
              const char  *text,
              GError     **error)
{
  int fd;
  int saved;

  fd = g_open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    return set_io_error (error, errno, _("cannot create the metrics file %s"), tmp);

  /* The collector runs as another user: readable whatever the umask. */
  if (fchmod (fd, 0644) < 0
      || !write_all (fd, text, strlen (text))
      || fsync (fd) < 0)
    {
      saved = errno;
      close (fd);
      g_unlink (tmp);
      return set_io_error (error, saved, _("cannot write the metrics file %s"), tmp);
    }
  if (close (fd) < 0)
    {
      saved = errno;
      g_unlink (tmp);
      return set_io_error (error, saved, _("cannot write the metrics file %s"), tmp);
    }
  if (g_rename (tmp, path) < 0)
    {
      saved = errno;
      g_unlink (tmp);
      return set_io_error (error, saved, _("cannot rename %s to %s"), tmp, path);
    }
  /* The rename itself survives a crash once the directory is synced; the
   * new file is complete either way, so a failure here is not an error. */
  (void) fsync (dir_fd);
  return TRUE;
}

/**
 * gander_metrics_write_textfile:
 * @self: a #GanderMetrics
 * @path: (type filename): the file to write, for node_exporter's textfile
 *   collector a `*.prom` file in its directory
 *
 * Replaces @path with the metrics of @self carried over onto those of the
 * file it replaces, as the textfile collector reads them: counters and
 * histograms recorded since the previous write of @self are added to the
 * file's, gauges set by @self replace the file's (see #GanderMetrics for
 * every rule). The text is written to `PATH.tmp.PID`, synced and renamed
 * over @path with mode 0644. Writers of the same directory take turns.
 *
 * A file that cannot be parsed, or that holds metrics of another program,
 * is left as it is and the call fails with %GANDER_ERROR_PARSE naming its
 * line: move the file aside or delete it, and the next write starts a new
 * one.
 *
 * On failure nothing is lost: what @self recorded is written by the next
 * successful call.
 *
 * Returns: %TRUE on success; %FALSE with %GANDER_ERROR_PARSE,
 *   %GANDER_ERROR_IO or %GANDER_ERROR_PERMISSION_DENIED otherwise
 *
 * Since: 0.2
 */
gboolean
gander_metrics_write_textfile (GanderMetrics  *self,
                               const char     *path,
                               GError        **error)
{
  g_autoptr(GanderMetrics) out = NULL;
  g_autoptr(GArray) taken = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *old = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  int dir_fd;
  gboolean ok;

  g_return_val_if_fail (GANDER_IS_METRICS (self), FALSE);
  g_return_val_if_fail (path != NULL && *path != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  dir = g_path_get_dirname (path);
  dir_fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dir_fd < 0)
    return set_io_error (error, errno,
                         _("cannot open the directory %s of the metrics file"), dir);

  /* Read, merge and rename as one step among all writers of the
   * directory: the lock is released when dir_fd is closed. */
  while (flock (dir_fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        int saved = errno;

        close (dir_fd);
        return set_io_error (error, saved, _("cannot lock the directory %s"), dir);
      }

  if (!g_file_get_contents (path, &old, &len, &local_error)
      && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      close (dir_fd);
      g_set_error (error, GANDER_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ACCES)
                     ? GANDER_ERROR_PERMISSION_DENIED : GANDER_ERROR_IO,
                   _("cannot read the metrics file: %s"), local_error->message);
      return FALSE;
    }

  out = g_object_new (GANDER_TYPE_METRICS, NULL);
  if (old != NULL)
    {
      g_autoptr(GanderMetrics) read = NULL;
      g_autoptr(GError) parse_error = NULL;

      if (strlen (old) != len)
        g_set_error (&parse_error, GANDER_ERROR, GANDER_ERROR_PARSE,
                     _("%s holds a NUL byte"), path);
      else
        read = parse_text (old, path, &parse_error);
      if (read == NULL)
        {
          close (dir_fd);
          g_set_error (error, GANDER_ERROR, GANDER_ERROR_PARSE,
                       _("%s. The metrics file was left as it is: move it aside or "
                         "delete it, and the next run starts a new one (its counters "
                         "start again from zero)"), parse_error->message);
          return FALSE;
        }
      merge_locked (out, read);   /* out is not shared yet */
    }

  taken = take_pending (self, out);
  text = gander_metrics_to_text (out);
  tmp = g_strdup_printf ("%s.tmp.%d", path, (int) getpid ());
  ok = replace_file (dir_fd, path, tmp, text, error);
  close (dir_fd);

  if (!ok)
    give_back (self, taken);
  return ok;
}

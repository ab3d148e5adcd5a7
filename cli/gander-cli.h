/* gander-cli.h: pieces shared by the files of the gander tool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <glib/gi18n.h>

G_BEGIN_DECLS

/* Exit statuses, listed in --help and the README. 1 is what goose exits
 * with on any failure; 2 is what Go's flag package exits with on a bad
 * flag, which Gander extends to every way of calling the tool wrongly; 4
 * means the environment's policy refused the command before anything was
 * written. */
enum {
  CLI_EXIT_OK      = 0,
  CLI_EXIT_FAILURE = 1,
  CLI_EXIT_USAGE   = 2,
  CLI_EXIT_PENDING = 3,
  CLI_EXIT_REFUSED = 4,
};

/* What the command line and the environment asked for, after goose's
 * merging rules. */
typedef struct {
  char     *dir;               /* -dir, or GOOSE_MIGRATION_DIR, or "." */
  char     *table;             /* -table, or GOOSE_TABLE, or NULL */
  char     *env_file;          /* -env: NULL = best effort ./.env */
  gboolean  verbose;           /* -v */
  gboolean  sequential;        /* -s */
  gboolean  allow_missing;     /* -allow-missing */
  gboolean  no_versioning;     /* -no-versioning */
  gboolean  no_color;          /* -no-color or NO_COLOR */
  gboolean  show_version;      /* -version */
  gboolean  help;              /* -h, -help */
  gint64    timeout_ns;        /* -timeout, 0 = none */
  gboolean  json;              /* --json */
  gboolean  exit_code;         /* --exit-code */
  gint64    lock_timeout_ms;   /* --lock-timeout, -1 = unset */
  gint64    statement_timeout_ms; /* --statement-timeout, -1 = unset */
  char     *direction;         /* --direction (parse) */
  char     *dialect;           /* --dialect (lint) */
  char     *timeout_text;      /* -timeout as given, for messages */
  char     *lock_timeout_text; /* --lock-timeout as given */
  char     *statement_timeout_text; /* --statement-timeout as given */

  /* issue 8: profiles, environments and the safety pipeline */
  char     *profile;           /* --profile NAME */
  char     *environment;       /* --environment NAME */
  char     *config;            /* --config FILE */
  gboolean  dry_run;           /* --dry-run */
  char     *confirm;           /* --confirm NAME */
  char     *reason;            /* --reason TEXT */
  char     *metrics_file;      /* --metrics-file PATH */
  char     *audit_log;         /* --audit-log PATH */
  gboolean  mark_applied;      /* repair clear-dirty --mark-applied */
  gboolean  dir_given;         /* -dir was on the command line */
  gboolean  allow_missing_given; /* -allow-missing was on the command line */
  char     *table_flag;        /* -table as given (before GOOSE_TABLE) */
  char     *certfile;          /* goose's MySQL TLS flags: ignored, but */
  char     *ssl_cert;          /* a PostgreSQL user is told where they */
  char     *ssl_key;           /* go (libpq's DSN keys) */

  /* issue 9: backups and health checks */
  char     *backup;            /* --backup off|optional|required */
  gboolean  no_backup;         /* --no-backup (= --backup=off) */
  char     *backup_dir;        /* --backup-dir DIR */
  char     *keep;              /* --keep N (backups prune) */
  char     *max_age;           /* --max-age DURATION (backups prune) */

  GPtrArray *args;             /* positional arguments (char *) */
} CliOptions;

void        cli_options_clear         (CliOptions *opts);
void        cli_set_str               (char      **ptr,
                                       const char *value);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliOptions, cli_options_clear)

/* gander-cli-log.c: goose's logger (Go's log package with default flags). */
void        cli_log_set_color         (gboolean    color);
void        cli_log_set_quiet         (gboolean    quiet);
void        cli_log                   (const char *format,
                                       ...) G_GNUC_PRINTF (1, 2);
void        cli_log_always            (const char *format,
                                       ...) G_GNUC_PRINTF (1, 2);
void        cli_log_gray              (const char *format,
                                       ...) G_GNUC_PRINTF (1, 2);
void        cli_warn                  (const char *format,
                                       ...) G_GNUC_PRINTF (1, 2);
/* what a log block holds before it is written out: ~1600 status lines */
#define CLI_LOG_BLOCK_SIZE (128 * 1024)
void        cli_log_block_append      (GString    *block,
                                       const char *format,
                                       ...) G_GNUC_PRINTF (2, 3);
void        cli_log_block_flush       (GString    *block);
void        cli_log_install_lib_writer (gboolean   verbose);

/* gander-cli-gocompat.c: Go behaviours goose users see. */
char       *cli_go_duration_string    (gint64      nsec);
gint64      cli_goose_truncate_duration (gint64    nsec);
gboolean    cli_go_parse_duration     (const char *text,
                                       gint64     *nsec,
                                       GError    **error);
gboolean    cli_go_parse_bool         (const char *text,
                                       gboolean   *value);
char       *cli_go_quote              (const char *text);
const char *cli_nearest_name          (const char         *word,
                                       const char * const *candidates);
char       *cli_go_path_clean         (const char *path);
char       *cli_go_path_join          (const char *dir,
                                       const char *name);
char       *cli_goose_snake_case      (const char *name);
gboolean    cli_goose_is_timestamp    (gint64      version);
char       *cli_go_ansic_time         (const char *db_timestamp);
gboolean    cli_parse_ms_or_duration  (const char *text,
                                       gint64     *msec,
                                       GError    **error);

/* gander-cli-dotenv.c: godotenv v1.5.1. */
GHashTable *cli_dotenv_parse          (const char *contents,
                                       GError    **error);
gboolean    cli_dotenv_load           (const char *path,
                                       GError    **error);

/* gander-cli-files.c: commands that never touch a database. */
int         cli_cmd_create            (CliOptions  *opts,
                                       char       **argv);
int         cli_cmd_fix               (CliOptions  *opts);
int         cli_cmd_validate          (CliOptions  *opts);
int         cli_cmd_env               (CliOptions  *opts);
int         cli_cmd_parse             (CliOptions  *opts,
                                       char       **argv);

/* gander-cli-lint.c: `lint [FILE…]`; @driver: the DRIVER argument or
 * GOOSE_DRIVER, for the dialect when --dialect is not given. */
int         cli_cmd_lint              (CliOptions  *opts,
                                       const char  *driver,
                                       char       **argv);
/* `DRIVER DBSTRING lint [FILE…]` (or with a profile): the profile's rule
 * lists apply; without FILE, the migrations the database has not applied
 * (read only: nothing written, no table or file created). */
struct _GanderProfile;
int         cli_cmd_lint_database     (CliOptions            *opts,
                                       struct _GanderProfile *profile,
                                       const char            *driver,
                                       const char            *dsn,
                                       char                 **argv);
void        cli_lint_add_json_findings (gpointer              builder,
                                        GPtrArray            *findings);
struct _GanderSource;
void        cli_lint_warn_source      (CliOptions           *opts,
                                       struct _GanderSource *source,
                                       GFile                *only);

/* gander-cli-db.c: commands that run against a database (the runner
 * itself is in gander-cli-run.h). */
gboolean    cli_is_db_command         (const char  *command);

/* gander-cli-confirm.c: the confirmation prompt on /dev/tty. */
gboolean    cli_confirm_can_prompt    (void);
char       *cli_confirm_prompt        (const char    *question,
                                       const char    *name,
                                       GCancellable  *cancellable,
                                       GError       **error);
char       *cli_sqlite_path           (const char    *dsn);
char       *cli_confirmation_name     (const char    *profile,
                                       const char    *driver,
                                       const char    *dsn);

/* gander-cli-cancel.c: -timeout and SIGINT/SIGTERM. */
typedef struct _CliCancel CliCancel;

CliCancel    *cli_cancel_new           (gint64     timeout_ns);
GCancellable *cli_cancel_get_cancellable (CliCancel *self);
gboolean      cli_cancel_timed_out     (CliCancel *self);
int           cli_cancel_get_signal    (CliCancel *self);
void          cli_cancel_free          (CliCancel *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliCancel, cli_cancel_free)

/* gander-cli.c */
int         cli_usage_error           (const char *format,
                                       ...) G_GNUC_PRINTF (1, 2);
void        cli_print_json            (gpointer    builder);
void        cli_fatal_message         (const char *prefix,
                                       const char *message);
gboolean    cli_error_is_refusal      (const GError *error);

G_END_DECLS

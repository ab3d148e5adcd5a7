/* gander-backup-private.h: the engines behind GanderBackup
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "gander-backup.h"
#include "gander-backup-info.h"

G_BEGIN_DECLS

/* One engine call: gander-backup.c fills the inputs, the engine the
 * outputs. Dump writes @archive_path (a temporary name in the backup
 * directory, created empty with mode 0600 by the caller), verify checks it
 * per @verify, restore reads it into @database. The caller holds the run
 * lock on @database (open) for dump and restore. Engines report progress
 * with gander_backup_report_progress() and check @cancellable between
 * steps (failing with G_IO_ERROR_CANCELLED); they leave removing the
 * archive after a failure to the caller. */
typedef struct {
  GanderBackup       *backup;          /* gander_backup_report_progress() */
  GanderDatabase     *database;        /* open; run lock held by the caller */
  const char         *table;           /* goose version table as configured, maybe schema.table */
  const char         *archive_path;    /* dump: write here; verify/restore: read here */
  GanderBackupVerify  verify;
  const char         *pg_bindir;       /* nullable */
  guint               lock_wait_timeout_ms;
  GCancellable       *cancellable;
  /* out, set by dump */
  char               *tool_version;
  char               *server_version;
  gint64              version;         /* from the copy's version table (verify may set it) */
  char               *verify_method;   /* set by verify */
  /* in for verify, set by dump: the live database had no version table
   * when it was dumped, so the copy need not have one (PostgreSQL) */
  gboolean            no_version_table;
  /* private to gander-backup.c: copies that @table and @pg_bindir point
   * to, so a property changed meanwhile by another thread does not pull
   * them away under a running engine */
  char               *owned_table;
  char               *owned_pg_bindir;
} GanderBackupJob;

/* Frees the out fields and the owned copies (the other in fields are
 * borrowed). */
void     gander_backup_job_clear         (GanderBackupJob *job);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GanderBackupJob, gander_backup_job_clear)

/* @fraction of the running dump or restore is done (0..1); callable from
 * any thread: #GanderBackup:progress changes in the caller's context. */
void     gander_backup_report_progress   (GanderBackup    *backup,
                                          double           fraction);

gboolean gander_backup_sqlite_dump       (GanderBackupJob *job,
                                          GError         **error);
gboolean gander_backup_sqlite_verify     (GanderBackupJob *job,
                                          GError         **error);
gboolean gander_backup_sqlite_restore    (GanderBackupJob *job,
                                          GError         **error);
gboolean gander_backup_postgres_dump     (GanderBackupJob *job,
                                          GError         **error);
gboolean gander_backup_postgres_verify   (GanderBackupJob *job,
                                          GError         **error);
gboolean gander_backup_postgres_restore  (GanderBackupJob *job,
                                          GError         **error);

/* For the pipeline, which runs in a worker thread of its own: create() and
 * restore() with #GanderBackup:progress delivered in @signal_context (NULL:
 * at once, in the calling thread, as the synchronous calls do). */
GanderBackupInfo *gander_backup_create_full  (GanderBackup     *self,
                                              GMainContext     *signal_context,
                                              GCancellable     *cancellable,
                                              GError          **error);
gboolean          gander_backup_restore_full (GanderBackup     *self,
                                              GanderBackupInfo *info,
                                              GMainContext     *signal_context,
                                              GCancellable     *cancellable,
                                              GError          **error);

/* A manifest from its JSON object (the keys of gander_backup_info_to_json);
 * @manifest_path names the file in errors and locates the archive (the
 * `file` key, in the same directory). GANDER_ERROR_BACKUP when a key is
 * missing or of the wrong type. */
GanderBackupInfo *gander_backup_info_new_from_json (const char  *manifest_path,
                                                    JsonObject  *object,
                                                    GError     **error);

/* The manifest's format version (its `format` key). */
#define GANDER_BACKUP_MANIFEST_FORMAT 1

G_END_DECLS

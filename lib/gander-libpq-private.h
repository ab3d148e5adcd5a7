/* gander-libpq-private.h: libpq, opened at run time
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/* libgander is not linked with libpq: linking it maps libpq and what it
 * drags in (Kerberos, LDAP, GnuTLS, OpenSSL, p11-kit; ~5 MiB of RSS and a
 * good part of the start-up relocations) into every program, also those
 * that only ever use SQLite. gander_libpq_load() opens libpq.so.5 the
 * first time a PostgreSQL database needs it; libpq-fe.h still provides the
 * types and constants, and every call goes through this table. */

/* The functions the PostgreSQL backend calls: X (name). */
#define GANDER_LIBPQ_REQUIRED_FUNCTIONS(X) \
  X (PQcancel) \
  X (PQclear) \
  X (PQcmdStatus) \
  X (PQconnectPoll) \
  X (PQconnectStartParams) \
  X (PQconnectionNeedsPassword) \
  X (PQconninfo) \
  X (PQconninfoFree) \
  X (PQconninfoParse) \
  X (PQconsumeInput) \
  X (PQdb) \
  X (PQerrorMessage) \
  X (PQfinish) \
  X (PQfreeCancel) \
  X (PQfreemem) \
  X (PQgetCancel) \
  X (PQgetCopyData) \
  X (PQgetResult) \
  X (PQgetisnull) \
  X (PQgetvalue) \
  X (PQhost) \
  X (PQisBusy) \
  X (PQntuples) \
  X (PQpass) \
  X (PQport) \
  X (PQputCopyEnd) \
  X (PQresultErrorField) \
  X (PQresultErrorMessage) \
  X (PQresultStatus) \
  X (PQsendQuery) \
  X (PQsendQueryParams) \
  X (PQsetNoticeProcessor) \
  X (PQsocket) \
  X (PQstatus) \
  X (PQtransactionStatus) \
  X (PQuser)

/* Pipeline mode, libpq >= 14. The libpq found at run time may be older
 * than the headers: these are NULL then, and callers do without. */
#ifdef LIBPQ_HAS_PIPELINING
#define GANDER_LIBPQ_OPTIONAL_FUNCTIONS(X) \
  X (PQenterPipelineMode) \
  X (PQexitPipelineMode) \
  X (PQpipelineSync)
#else
#define GANDER_LIBPQ_OPTIONAL_FUNCTIONS(X)
#endif

#define GANDER_LIBPQ_FIELD(name) __typeof__ (name) *name;

typedef struct
{
  GANDER_LIBPQ_REQUIRED_FUNCTIONS (GANDER_LIBPQ_FIELD)
  GANDER_LIBPQ_OPTIONAL_FUNCTIONS (GANDER_LIBPQ_FIELD)
} GanderLibpq;

#undef GANDER_LIBPQ_FIELD

/* Filled in once by the first successful gander_libpq_load(); read it
 * only after that returned TRUE. */
extern GanderLibpq gander_libpq;

/* Opens libpq once per process (thread-safe). Returns FALSE with
 * %GANDER_ERROR_NOT_SUPPORTED when it cannot be loaded, every time. */
gboolean gander_libpq_load            (GError **error);

/* Whether the loaded libpq has pipeline mode. */
gboolean gander_libpq_has_pipelining  (void);

/* The backend keeps plain libpq spelling: each name it uses is sent to
 * the table. A name missing here fails the link of libgander (it is
 * linked with --no-undefined and without libpq) instead of going
 * unnoticed. gander-libpq.c fills the table and must see the real names. */
#ifndef GANDER_LIBPQ_COMPILATION
#define PQcancel (gander_libpq.PQcancel)
#define PQclear (gander_libpq.PQclear)
#define PQcmdStatus (gander_libpq.PQcmdStatus)
#define PQconnectPoll (gander_libpq.PQconnectPoll)
#define PQconnectStartParams (gander_libpq.PQconnectStartParams)
#define PQconnectionNeedsPassword (gander_libpq.PQconnectionNeedsPassword)
#define PQconninfo (gander_libpq.PQconninfo)
#define PQconninfoFree (gander_libpq.PQconninfoFree)
#define PQconninfoParse (gander_libpq.PQconninfoParse)
#define PQconsumeInput (gander_libpq.PQconsumeInput)
#define PQdb (gander_libpq.PQdb)
#define PQerrorMessage (gander_libpq.PQerrorMessage)
#define PQfinish (gander_libpq.PQfinish)
#define PQfreeCancel (gander_libpq.PQfreeCancel)
#define PQfreemem (gander_libpq.PQfreemem)
#define PQgetCancel (gander_libpq.PQgetCancel)
#define PQgetCopyData (gander_libpq.PQgetCopyData)
#define PQgetResult (gander_libpq.PQgetResult)
#define PQgetisnull (gander_libpq.PQgetisnull)
#define PQgetvalue (gander_libpq.PQgetvalue)
#define PQhost (gander_libpq.PQhost)
#define PQisBusy (gander_libpq.PQisBusy)
#define PQntuples (gander_libpq.PQntuples)
#define PQpass (gander_libpq.PQpass)
#define PQport (gander_libpq.PQport)
#define PQputCopyEnd (gander_libpq.PQputCopyEnd)
#define PQresultErrorField (gander_libpq.PQresultErrorField)
#define PQresultErrorMessage (gander_libpq.PQresultErrorMessage)
#define PQresultStatus (gander_libpq.PQresultStatus)
#define PQsendQuery (gander_libpq.PQsendQuery)
#define PQsendQueryParams (gander_libpq.PQsendQueryParams)
#define PQsetNoticeProcessor (gander_libpq.PQsetNoticeProcessor)
#define PQsocket (gander_libpq.PQsocket)
#define PQstatus (gander_libpq.PQstatus)
#define PQtransactionStatus (gander_libpq.PQtransactionStatus)
#define PQuser (gander_libpq.PQuser)
#ifdef LIBPQ_HAS_PIPELINING
#define PQenterPipelineMode (gander_libpq.PQenterPipelineMode)
#define PQexitPipelineMode (gander_libpq.PQexitPipelineMode)
#define PQpipelineSync (gander_libpq.PQpipelineSync)
#endif
#endif

G_END_DECLS

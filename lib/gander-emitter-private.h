/* gander-emitter-private.h: signals and notifications delivered, in order,
 * in the main context of whoever started an operation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* A GanderEmitter carries what a worker thread wants to tell the owner of a
 * GObject: signal emissions and any function that must run where the
 * object's users live (typically: set properties and notify them). Every
 * call queues one item; the items run in the order they were queued, in
 * @context, never in the calling thread. With a NULL context (a
 * synchronous operation) each item runs at once, in the calling thread.
 *
 * Every queued item keeps the instance alive until it has run. The emitter
 * is reference counted so that a queue still draining after the operation
 * ended stays valid: create one per operation, unref it when the operation
 * is over. It never holds a lock while it runs an item, so handlers may
 * call back into the instance. */
typedef struct _GanderEmitter GanderEmitter;

typedef void (*GanderEmitterFunc) (GObject  *instance,
                                   gpointer  data);

GanderEmitter *gander_emitter_new         (GObject       *instance,
                                           GMainContext  *context);
GanderEmitter *gander_emitter_ref         (GanderEmitter *self);
void           gander_emitter_unref       (GanderEmitter *self);

GMainContext  *gander_emitter_get_context (GanderEmitter *self);

/* Runs @func (instance, @data) where the emitter delivers; @destroy (may be
 * NULL) frees @data afterwards, or when the context goes away unrun. */
void           gander_emitter_invoke      (GanderEmitter     *self,
                                           GanderEmitterFunc  func,
                                           gpointer           data,
                                           GDestroyNotify     destroy);

/* Emits @signal_id on the instance with @n_args arguments (not counting
 * the instance) taken from @args; the values are copied. */
void           gander_emitter_emit        (GanderEmitter     *self,
                                           guint              signal_id,
                                           GQuark             detail,
                                           guint              n_args,
                                           const GValue      *args);

/* Notifies @pspec of the instance. */
void           gander_emitter_notify      (GanderEmitter     *self,
                                           GParamSpec        *pspec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GanderEmitter, gander_emitter_unref)

G_END_DECLS

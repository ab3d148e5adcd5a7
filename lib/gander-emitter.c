/* gander-emitter.c: signals and notifications delivered, in order, in the
 * main context of whoever started an operation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gander-emitter-private.h"

typedef struct
{
  GanderEmitterFunc func;
  gpointer          data;
  GDestroyNotify    destroy;
} Item;

struct _GanderEmitter
{
  gatomicrefcount  ref_count;
  GObject         *instance;
  GMainContext    *context;   /* NULL: run items at once */

  GMutex           mutex;
  GQueue           items;     /* Item*, oldest first */
  gboolean         scheduled; /* a source will drain the queue */
};

static void
item_free (Item *item)
{
  if (item->destroy != NULL)
    item->destroy (item->data);
  g_free (item);
}

GanderEmitter *
gander_emitter_new (GObject      *instance,
                    GMainContext *context)
{
  GanderEmitter *self;

  g_return_val_if_fail (G_IS_OBJECT (instance), NULL);

  self = g_new0 (GanderEmitter, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->instance = g_object_ref (instance);
  self->context = context != NULL ? g_main_context_ref (context) : NULL;
  g_mutex_init (&self->mutex);
  g_queue_init (&self->items);
  return self;
}

GanderEmitter *
gander_emitter_ref (GanderEmitter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
gander_emitter_unref (GanderEmitter *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  /* Only reached once no source is pending (a pending one holds a
   * reference), so the queue is empty unless the context went away. */
  g_queue_clear_full (&self->items, (GDestroyNotify) item_free);
  g_mutex_clear (&self->mutex);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->instance);
  g_free (self);
}

GMainContext *
gander_emitter_get_context (GanderEmitter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->context;
}

/* Runs everything queued so far, in order. Items queued while these run
 * get their own source, attached after this one returns to the loop. */
static gboolean
drain (gpointer data)
{
  GanderEmitter *self = data;
  GQueue batch = G_QUEUE_INIT;
  Item *item;

  g_mutex_lock (&self->mutex);
  batch = self->items;
  g_queue_init (&self->items);
  self->scheduled = FALSE;
  g_mutex_unlock (&self->mutex);

  while ((item = g_queue_pop_head (&batch)) != NULL)
    {
      item->func (self->instance, item->data);
      item_free (item);
    }
  return G_SOURCE_REMOVE;
}

void
gander_emitter_invoke (GanderEmitter     *self,
                       GanderEmitterFunc  func,
                       gpointer           data,
                       GDestroyNotify     destroy)
{
  g_autoptr(GSource) source = NULL;
  Item *item;

  g_return_if_fail (self != NULL);
  g_return_if_fail (func != NULL);

  if (self->context == NULL)
    {
      func (self->instance, data);
      if (destroy != NULL)
        destroy (data);
      return;
    }

  item = g_new0 (Item, 1);
  item->func = func;
  item->data = data;
  item->destroy = destroy;

  g_mutex_lock (&self->mutex);
  g_queue_push_tail (&self->items, item);
  if (self->scheduled)
    {
      g_mutex_unlock (&self->mutex);
      return;
    }
  self->scheduled = TRUE;
  g_mutex_unlock (&self->mutex);

  /* Always a source, never g_main_context_invoke(): that would run the
   * item right here, in the worker, whenever the context is the global
   * default one and nobody is iterating it at that moment. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, drain, gander_emitter_ref (self),
                         (GDestroyNotify) gander_emitter_unref);
  g_source_set_static_name (source, "[gander] emitter");
  g_source_attach (source, self->context);
}

typedef struct
{
  guint  signal_id;
  GQuark detail;
  guint  n_values;
  GValue values[];   /* values[0]: the instance */
} Emission;

static void
emission_free (Emission *e)
{
  for (guint i = 0; i < e->n_values; i++)
    g_value_unset (&e->values[i]);
  g_free (e);
}

static void
emission_run (GObject  *instance,
              gpointer  data)
{
  Emission *e = data;

  (void) instance;
  g_signal_emitv (e->values, e->signal_id, e->detail, NULL);
}

void
gander_emitter_emit (GanderEmitter *self,
                     guint          signal_id,
                     GQuark         detail,
                     guint          n_args,
                     const GValue  *args)
{
  Emission *e;

  g_return_if_fail (self != NULL);
  g_return_if_fail (n_args == 0 || args != NULL);

  e = g_malloc0 (sizeof (Emission) + (n_args + 1) * sizeof (GValue));
  e->signal_id = signal_id;
  e->detail = detail;
  e->n_values = n_args + 1;
  g_value_init (&e->values[0], G_OBJECT_TYPE (self->instance));
  g_value_set_object (&e->values[0], self->instance);
  for (guint i = 0; i < n_args; i++)
    {
      g_value_init (&e->values[i + 1], G_VALUE_TYPE (&args[i]));
      g_value_copy (&args[i], &e->values[i + 1]);
    }
  gander_emitter_invoke (self, emission_run, e, (GDestroyNotify) emission_free);
}

static void
notify_run (GObject  *instance,
            gpointer  data)
{
  g_object_notify_by_pspec (instance, data);
}

void
gander_emitter_notify (GanderEmitter *self,
                       GParamSpec    *pspec)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (G_IS_PARAM_SPEC (pspec));

  gander_emitter_invoke (self, notify_run, g_param_spec_ref (pspec),
                         (GDestroyNotify) g_param_spec_unref);
}

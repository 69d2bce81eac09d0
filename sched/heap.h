/* SPDX-License-Identifier: MIT */
/* sched/heap.h - a binary min-heap of values in a GArray, defined per element type.
 *
 * GLib has no priority queue of values; the core, the simulator and the readers each need
 * a few (events, reservations coming due, running jobs in end order, sort buffers).
 * SCHED_DEFINE_HEAP (prefix, Type, Ctx, less) defines three static functions over a GArray
 * whose elements are Type, ordered by `less (ctx, a, b)` (TRUE when *a must come out
 * before *b; ctx may be unused):
 *   void prefix_push (GArray *h, const Ctx *ctx, Type v);   O(log n)
 *   void prefix_pop  (GArray *h, const Ctx *ctx);           O(log n), removes the top
 *   Type *prefix_top (GArray *h);                           the top, NULL when empty
 * Ties come out in no particular order: callers that need determinism put a sequence number
 * in the key, as every heap in sluice does. */
#pragma once
#include <glib.h>

#define SCHED_DEFINE_HEAP(prefix, Type, Ctx, less)                                        \
  G_GNUC_UNUSED static inline Type *prefix##_top (GArray *h)                              \
  {                                                                                       \
    return h->len > 0 ? &g_array_index (h, Type, 0) : NULL;                               \
  }                                                                                       \
                                                                                          \
  G_GNUC_UNUSED static inline void prefix##_push (GArray *h, const Ctx *ctx, Type v)      \
  {                                                                                       \
    g_array_set_size (h, h->len + 1);                                                     \
    Type *d = (Type *) (void *) h->data;                                                  \
    guint i = h->len - 1;                                                                 \
    while (i > 0 && less (ctx, &v, &d[(i - 1) / 2]))                                      \
      {                                                                                   \
        d[i] = d[(i - 1) / 2];                                                            \
        i = (i - 1) / 2;                                                                  \
      }                                                                                   \
    d[i] = v;                                                                             \
  }                                                                                       \
                                                                                          \
  G_GNUC_UNUSED static inline void prefix##_pop (GArray *h, const Ctx *ctx)               \
  {                                                                                       \
    g_assert (h->len > 0);                                                                \
    Type *d = (Type *) (void *) h->data;                                                  \
    Type v = d[h->len - 1];                                                               \
    guint n = h->len - 1, i = 0;                                                          \
    for (;;)                                                                              \
      {                                                                                   \
        guint l = 2 * i + 1, r = l + 1, m = i;                                            \
        const Type *best = &v;                                                            \
        if (l < n && less (ctx, &d[l], best))                                             \
          m = l, best = &d[l];                                                            \
        if (r < n && less (ctx, &d[r], best))                                             \
          m = r, best = &d[r];                                                            \
        if (m == i)                                                                       \
          break;                                                                          \
        d[i] = *best;                                                                     \
        i = m;                                                                            \
      }                                                                                   \
    if (n > 0)                                                                            \
      d[i] = v;                                                                           \
    g_array_set_size (h, n);                                                              \
  }

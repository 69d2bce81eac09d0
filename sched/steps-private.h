/* SPDX-License-Identifier: MIT */
/* sched/steps-private.h - a step function of time kept in blocks, for counting profiles.
 *
 * Values (free CPUs) over time from a first step on: step k holds from its time until the
 * next step's, the last one forever.  Times strictly increase; values are never negative
 * (sched__steps_check).  The steps are kept in blocks of at most 16, each with the least
 * and greatest of its values and an amount added to all of them, so that holding
 * resources over an interval (sched__steps_add) and checking a candidate interval in a
 * search (sched__steps_earliest) cost O(16 + blocks crossed) instead of a pass over every
 * step of the interval: a conservative schedule reserves every queued job in one profile,
 * often over half of its steps, and rebuilds it whenever a job ends before its limit.
 * Internal to sched/ (profile.c). */
#pragma once

#include "sched/types.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SchedSteps SchedSteps;

/* Asked by a search that reached the last step for one more step (appended with
 * sched__steps_append).  Returns FALSE when there is none; `data` is the search's. */
typedef gboolean (*SchedStepsMoreFunc) (gpointer data);

/* Returns (transfer full) a function of one step: `v0` from `t0` on. */
SchedSteps *sched__steps_new (SchedTime t0, gint64 v0);
/* NULL is a no-op. */
void        sched__steps_free (SchedSteps *s);

/* Appends a step at `t` (after the last step's time) with value `v`. */
void        sched__steps_append (SchedSteps *s, SchedTime t, gint64 v);

guint       sched__steps_len (const SchedSteps *s);
SchedTime   sched__steps_first_time (const SchedSteps *s);
gint64      sched__steps_first_value (const SchedSteps *s);
SchedTime   sched__steps_last_time (const SchedSteps *s);
gint64      sched__steps_last_value (const SchedSteps *s);

/* Makes `t` (at or after the first step's time) the start of a step, splitting the step
 * that covers it (both halves keep its value). */
void        sched__steps_split (SchedSteps *s, SchedTime t);

/* Adds `delta` to the value of every step in [from, to), splitting steps at `from` and
 * `to` first; `to` SCHED_TIME_NEVER: to the last step, included (no split there).  A value
 * below 0 is a programming error (g_assert). */
void        sched__steps_add (SchedSteps *s, SchedTime from, SchedTime to, gint64 delta);

/* The time of the earliest step at or after time `lb` such that every step overlapping
 * [its time, its time + dur) has a value of at least `need`.  On reaching the last step
 * it asks `more` (may be NULL) for the next.  SCHED_TIME_NEVER when no step from `lb` on
 * has `need` and `more` has no more.  When the interval of the start found reaches past
 * the last step and `more` has no more, that start is returned with `*open` TRUE (else
 * FALSE): the caller knows whether the last step lasts. */
SchedTime   sched__steps_earliest (SchedSteps *s, gint64 need, SchedTime dur, SchedTime lb,
                                   SchedStepsMoreFunc more, gpointer data, gboolean *open);

/* Drops the steps before the one covering `now` (at or after the first step's time) and
 * moves that step's start to `now`. */
void        sched__steps_advance (SchedSteps *s, SchedTime now);

/* Copies the steps to `times` (SchedTime) and `values` (gint64), for checks. */
void        sched__steps_flatten (const SchedSteps *s, GArray *times, GArray *values);

/* Invariant walker: times increase, values >= 0, block summaries agree (g_assert). */
void        sched__steps_check (const SchedSteps *s);

G_END_DECLS

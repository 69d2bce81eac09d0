/* SPDX-License-Identifier: MIT */
/* sched/qos-private.h - the core's side of QOS and association limits (qos.c):
 * usage counting and the checks at submission and at each pass.  Only sched/ includes it. */
#pragma once
#include "sched/core-private.h"
#include "sched/qos.h"

G_BEGIN_DECLS

typedef enum {
  SCHED_LIMIT_SUBMIT,   /* queued: counts as submitted */
  SCHED_LIMIT_DEQUEUE,  /* left the core (cancelled, or ended after END) */
  SCHED_LIMIT_START,    /* started: its allocation counts as running */
  SCHED_LIMIT_END,      /* ended: its allocation no longer counts */
} SchedLimitEvent;

SchedLimitUsage *sched__limit_usage_new (void);
void             sched__limit_usage_free (SchedLimitUsage *u);

/* Counts `ev` for job `j` (core->limits set). */
void sched__limits_count (SchedCore *core, const SchedJob *j, SchedLimitEvent ev);

/* The QOS a job with spec QOS `qos` in association `assoc` runs under (see qos.h). */
SchedQosId sched__limits_resolve_qos (const SchedCore *core, SchedQosId qos,
                                      SchedAssocId assoc);

/* The per-job limit `s` breaks (it could never run), or SCHED_REASON_NONE. */
SchedReason sched__limits_submit_check (const SchedCore *core, const SchedJobSpec *s,
                                        gint32 part, SchedAssocId assoc, SchedQosId qos);

/* The running-usage limit that keeps `j` from starting now, or SCHED_REASON_NONE. */
SchedReason sched__limits_block (SchedCore *core, const SchedJob *j);

G_END_DECLS

/* SPDX-License-Identifier: MIT */
/* tests/test-common.h - helpers shared by the test programs: an in-memory trace reader and
 * a record collector. */
#pragma once
#include <string.h>
#include "sim/engine.h"
#include "workloads/trace.h"

typedef struct {
  WlReader parent;
  GArray  *jobs;   /* WlJob */
  guint    pos;
} TestArrayReader;

static gboolean
test_array_next (WlReader *r, WlJob *out, gboolean *eof, GError **error)
{
  (void) error;
  TestArrayReader *a = (TestArrayReader *) r;
  if (a->pos >= a->jobs->len)
    {
      *eof = TRUE;
      return TRUE;
    }
  *out = g_array_index (a->jobs, WlJob, a->pos++);
  *eof = FALSE;
  r->counts.read++;
  r->counts.kept++;
  return TRUE;
}

static void
test_array_finalize (WlReader *r)
{
  g_array_free (((TestArrayReader *) r)->jobs, TRUE);
}

static const WlReaderOps test_array_ops = { test_array_next, test_array_finalize };

/* Returns (transfer full) a reader over a copy of `jobs`. */
static inline WlReader *
test_array_reader_new (const WlJob *jobs, guint n)
{
  TestArrayReader *a = g_new0 (TestArrayReader, 1);
  wl__reader_init (&a->parent, &test_array_ops, "array");
  a->jobs = g_array_new (FALSE, FALSE, sizeof (WlJob));
  g_array_append_vals (a->jobs, jobs, n);
  return &a->parent;
}

/* A simple job: `cpus` CPUs anywhere. */
static inline WlJob
test_job (SchedJobId id, SchedTime submit, guint32 cpus, SchedTime limit, SchedTime runtime)
{
  WlJob w;
  memset (&w, 0, sizeof w);
  sched_job_spec_init (&w.spec);
  w.spec.id = id;
  w.spec.submit = submit;
  w.spec.tasks = cpus;
  w.spec.time_limit = limit;
  w.runtime = runtime;
  w.end_state = SCHED_JOB_COMPLETED;
  return w;
}

typedef struct {
  GArray     *records;   /* SchedJobRecord, in emission order */
  SimEngine  *engine;    /* when set, core invariants are checked at each record */
} TestCollector;

static void
test_collect (const SchedJobRecord *rec, gpointer data)
{
  TestCollector *c = data;
  g_array_append_vals (c->records, rec, 1);
  if (c->engine)
    sched__core_check (sim_engine_get_core (c->engine));
}

static inline const SchedJobRecord *
test_find (GArray *records, SchedJobId id)
{
  for (guint i = 0; i < records->len; i++)
    if (g_array_index (records, SchedJobRecord, i).id == id)
      return &g_array_index (records, SchedJobRecord, i);
  return NULL;
}

/* Replays `jobs` on `cluster` under `policy_name` with `opts` (NULL: defaults); returns
 * (transfer full) the records. */
static inline GArray *
test_replay (const SchedCluster *cluster, const char *policy_name, const SimOptions *opts,
             const WlJob *jobs, guint n)
{
  SchedPolicy policy;
  g_assert_true (sched_policy_lookup (policy_name, &policy));
  g_autoptr (SimEngine) e = sim_engine_new (cluster, &policy, opts);
  g_autoptr (WlReader) r = test_array_reader_new (jobs, n);
  TestCollector c = { g_array_new (FALSE, FALSE, sizeof (SchedJobRecord)), e };
  g_autoptr (GError) error = NULL;
  g_assert_true (sim_engine_run (e, r, test_collect, &c, &error));
  g_assert_no_error (error);
  return c.records;
}

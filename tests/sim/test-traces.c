/* SPDX-License-Identifier: MIT */
/* tests/sim/test-traces.c - invariants of replays of every real SWF trace in ../shared/traces
 * under fcfs, easy and conservative: no CPU over-committed at any instant, no job starts
 * before its submit time, every kept job ends exactly once, fcfs starts in queue order,
 * end = start + min (runtime, limit) is respected (runtime <= limit), and determinism (two
 * runs give the same records).  Skips with a message when ../shared is absent.
 *
 * The default run replays each trace under fcfs and easy, and the smaller ones under
 * conservative and slurm too and with the other knob settings (arrivals first, a pass per
 * event); with -m thorough every trace gets every policy and both settings.
 *
 * /sim/traces/slurm-params: on KTH-SP2, the `slurm` policy's parameters move the schedule
 * the way Slurm's documentation says: a bf_window shorter than the longest time limit
 * backfills more (small jobs wait less) and starves the jobs it no longer plans for (the
 * longest wait grows); a small bf_max_job_test or bf_max_job_user, or a rarer
 * bf_interval, backfills less (small jobs wait more). */
#include <glib.h>
#include <string.h>

#include "tests/test-common.h"
#include "workloads/swf.h"

typedef struct {
  GArray  *recs;
  GChecksum *sum;
} Sink;

static void
sink_record (const SchedJobRecord *r, gpointer data)
{
  Sink *s = data;
  g_array_append_vals (s->recs, r, 1);
  g_checksum_update (s->sum, (const guchar *) r, sizeof *r);
}

typedef struct {
  SchedTime t;
  gint64    delta;
} Ev;

static int
ev_cmp (gconstpointer pa, gconstpointer pb)
{
  const Ev *a = pa, *b = pb;
  if (a->t != b->t)
    return a->t < b->t ? -1 : 1;
  return (a->delta > b->delta) - (a->delta < b->delta); /* releases first at equal times */
}

static int
submit_order_cmp (gconstpointer pa, gconstpointer pb)
{
  const SchedJobRecord *a = pa, *b = pb;
  if (a->submit != b->submit)
    return a->submit < b->submit ? -1 : 1;
  return (a->id > b->id) - (a->id < b->id);
}

static char *
replay_params (const char *path, const char *policy_name, const char *params,
               const SimOptions *opts, GArray **recs_out, guint64 *kept, guint64 *capacity)
{
  WlSwfOptions so;
  wl_swf_options_init (&so);
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = wl_swf_reader_open (path, &so, &error);
  g_assert_no_error (error);
  const WlTraceInfo *info = wl_reader_get_info (r);
  gint64 procs = info->max_procs > 0 ? info->max_procs : info->max_nodes;
  g_assert_cmpint (procs, >, 0);
  g_autoptr (SchedCluster) cl = sched_cluster_new_uniform ((guint32) procs, 1, 0, 0);
  SchedPolicy pol;
  g_assert_true (sched_policy_lookup (policy_name, &pol));
  g_auto (GStrv) kv = g_strsplit (params ? params : "", ",", -1);
  for (guint i = 0; kv[i] && *kv[i]; i++)
    {
      g_auto (GStrv) one = g_strsplit (kv[i], "=", 2);
      g_assert_cmpint (sched_policy_set_param (&pol, one[0], one[1]), ==, SCHED_PARAM_OK);
    }
  g_autoptr (SimEngine) e = sim_engine_new (cl, &pol, opts);
  Sink s = { g_array_new (FALSE, FALSE, sizeof (SchedJobRecord)),
             g_checksum_new (G_CHECKSUM_SHA256) };
  g_assert_true (sim_engine_run (e, r, sink_record, &s, &error));
  g_assert_no_error (error);
  *kept = wl_reader_get_counts (r)->kept;
  *capacity = (guint64) procs;
  *recs_out = s.recs;
  char *digest = g_strdup (g_checksum_get_string (s.sum));
  g_checksum_free (s.sum);
  return digest;
}

static char *
replay (const char *path, const char *policy_name, const SimOptions *opts, GArray **recs_out,
        guint64 *kept, guint64 *capacity)
{
  return replay_params (path, policy_name, NULL, opts, recs_out, kept, capacity);
}

/* The invariants of one replay's records. */
static void
check_records (const char *base, const char *policy, const char *knobs, GArray *recs,
               guint64 kept, guint64 cap)
{
  g_assert_cmpuint (recs->len, ==, kept);
  g_autofree Ev *ev = g_new (Ev, 2 * recs->len);
  for (guint i = 0; i < recs->len; i++)
    {
      const SchedJobRecord *r = &g_array_index (recs, SchedJobRecord, i);
      g_assert_cmpint (r->state, !=, SCHED_JOB_PENDING);
      g_assert_cmpint (r->start, >=, r->submit);
      g_assert_cmpint (r->end, >=, r->start);
      g_assert_cmpint (r->end - r->start, <=, r->time_limit);
      if (r->state == SCHED_JOB_TIMEOUT)
        g_assert_cmpint (r->end - r->start, ==, r->time_limit);
      ev[2 * i] = (Ev) { r->start, (gint64) r->cpus };
      ev[2 * i + 1] = (Ev) { r->end, -(gint64) r->cpus };
    }
  qsort (ev, 2 * recs->len, sizeof (Ev), ev_cmp);
  gint64 busy = 0;
  for (guint i = 0; i < 2 * recs->len; i++)
    {
      busy += ev[i].delta;
      if (busy > (gint64) cap)
        g_error ("%s %s (%s): %" G_GINT64_FORMAT " CPUs busy at t=%" G_GINT64_FORMAT " on %"
                 G_GUINT64_FORMAT, base, policy, knobs, busy, ev[i].t, cap);
    }
  g_assert_cmpint (busy, ==, 0);
  if (g_str_equal (policy, "fcfs"))
    {
      /* fcfs: starts follow queue order (submit, then trace order, which is job number
       * order in SWF files) */
      g_array_sort (recs, submit_order_cmp);
      for (guint i = 1; i < recs->len; i++)
        g_assert_cmpint (g_array_index (recs, SchedJobRecord, i).start, >=,
                         g_array_index (recs, SchedJobRecord, i - 1).start);
    }
}

static void
check_trace (gconstpointer data)
{
  const char *path = data;
  g_autofree char *base = g_path_get_basename (path);
  const char *policies[] = { "fcfs", "easy", "conservative", "slurm" };
  gboolean big = strstr (base, "RICC") || strstr (base, "LCG") || strstr (base, "Atlas");
  for (int p = 0; p < 4; p++)
    {
      if (p >= 2 && big && !g_test_thorough ())
        {
          g_test_message ("%s: %s only with -m thorough (slow suite)", base, policies[p]);
          continue;
        }
      GArray *recs = NULL, *recs2 = NULL;
      guint64 kept = 0, cap = 0, kept2 = 0, cap2 = 0;
      g_autofree char *h1 = replay (path, policies[p], NULL, &recs, &kept, &cap);
      check_records (base, policies[p], "defaults", recs, kept, cap);
      g_autofree char *h2 = replay (path, policies[p], NULL, &recs2, &kept2, &cap2);
      g_assert_cmpstr (h1, ==, h2);
      g_array_free (recs, TRUE);
      g_array_free (recs2, TRUE);
      if (big && !g_test_thorough ())
        continue;
      /* the other knob settings published simulators use */
      SimOptions o;
      sim_options_init (&o);
      o.tie_order = SIM_TIE_ARRIVALS_FIRST;
      o.pass_mode = SIM_PASS_PER_EVENT;
      g_free (replay (path, policies[p], &o, &recs, &kept, &cap));
      check_records (base, policies[p], "arrivals-first, per-event", recs, kept, cap);
      g_array_free (recs, TRUE);
    }
}

typedef struct {
  double    small_wait;   /* mean wait of the jobs below the 90th percentile of CPUs */
  double    mean_wait;
  SchedTime max_wait;
} Waits;

static int
u32_cmp (gconstpointer pa, gconstpointer pb)
{
  guint32 a = *(const guint32 *) pa, b = *(const guint32 *) pb;
  return (a > b) - (a < b);
}

static Waits
slurm_waits (const char *path, const char *params)
{
  GArray *recs = NULL;
  guint64 kept = 0, cap = 0;
  g_free (replay_params (path, "slurm", params, NULL, &recs, &kept, &cap));
  check_records ("KTH", "slurm", params, recs, kept, cap);
  g_autofree guint32 *cpus = g_new (guint32, recs->len);
  for (guint i = 0; i < recs->len; i++)
    cpus[i] = g_array_index (recs, SchedJobRecord, i).cpus;
  qsort (cpus, recs->len, sizeof *cpus, u32_cmp);
  guint32 big = cpus[recs->len * 9 / 10];
  Waits w = { 0, 0, 0 };
  guint n_small = 0;
  for (guint i = 0; i < recs->len; i++)
    {
      const SchedJobRecord *r = &g_array_index (recs, SchedJobRecord, i);
      SchedTime wait = r->start - r->submit;
      w.mean_wait += (double) wait / recs->len;
      w.max_wait = MAX (w.max_wait, wait);
      if (r->cpus < big)
        {
          w.small_wait += (double) wait;
          n_small++;
        }
    }
  w.small_wait /= MAX (n_small, 1u);
  g_test_message ("KTH slurm %s: mean wait %.0f s, small jobs %.0f s, longest %" G_GINT64_FORMAT
                  " s", params, w.mean_wait, w.small_wait, w.max_wait);
  g_array_free (recs, TRUE);
  return w;
}

static void
check_slurm_params (gconstpointer data)
{
  const char *path = data;
  /* 4000 minutes covers KTH's longest limit (60 h), as Slurm advises for bf_window (its
   * default, 1 day, does not); 10 minutes is far shorter */
  Waits def = slurm_waits (path, "bf_window=4000");
  Waits narrow = slurm_waits (path, "bf_window=10");
  g_assert_cmpfloat (narrow.small_wait, <, def.small_wait);
  g_assert_cmpint (narrow.max_wait, >, def.max_wait);
  Waits few = slurm_waits (path, "bf_window=4000,bf_max_job_test=5");
  g_assert_cmpfloat (few.small_wait, >, def.small_wait);
  Waits per_user = slurm_waits (path, "bf_window=4000,bf_max_job_user=1");
  g_assert_cmpfloat (per_user.small_wait, >, def.small_wait);
  Waits rare = slurm_waits (path, "bf_window=4000,bf_interval=300");
  g_assert_cmpfloat (rare.mean_wait, >, def.mean_wait);
}

static void
skip_no_shared (void)
{
  g_test_skip ("../shared/traces is absent: real-trace invariants not checked");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  const char *shared = g_getenv ("SLUICE_SHARED");
  g_autofree char *dir = shared ? g_build_filename (shared, "traces", NULL)
                                : g_test_build_filename (G_TEST_DIST, "..", "..", "shared",
                                                         "traces", NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  if (d)
    {
      const char *name;
      while ((name = g_dir_read_name (d)) != NULL)
        if (g_str_has_suffix (name, ".swf.gz") || g_str_has_suffix (name, ".swf"))
          g_ptr_array_add (paths, g_build_filename (dir, name, NULL));
      g_ptr_array_sort (paths, (GCompareFunc) g_strcmp0);
    }
  if (paths->len == 0)
    g_test_add_func ("/sim/traces/absent", skip_no_shared);
  for (guint i = 0; i < paths->len; i++)
    {
      g_autofree char *base = g_path_get_basename (paths->pdata[i]);
      g_autofree char *tp = g_strdup_printf ("/sim/traces/%s", base);
      g_test_add_data_func (tp, paths->pdata[i], check_trace);
      if (g_str_has_prefix (base, "KTH-SP2"))
        g_test_add_data_func ("/sim/traces/slurm-params", paths->pdata[i], check_slurm_params);
    }
  return g_test_run ();
}

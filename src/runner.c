/* SPDX-License-Identifier: MIT */
/* src/runner.c - one simulation run: open the trace, build the cluster, replay, write
 * jobs.csv and summary.json, summarize. */
#include "src/runner.h"
#include "workloads/slurmconf.h"
#include "workloads/slurmparse.h"
#include "workloads/assoc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <glib/gstdio.h>

void
run_config_init (RunConfig *cfg)
{
  memset (cfg, 0, sizeof *cfg);
  wl_swf_options_init (&cfg->swf);
  sim_options_init (&cfg->sim);
  cfg->policy = "easy";
  cfg->tau_s = 10.0;
  cfg->grace_time = -1;
}

guint64
run_peak_rss_kb (void)
{
  struct rusage ru;
  if (getrusage (RUSAGE_SELF, &ru) != 0)
    return 0;
  return (guint64) ru.ru_maxrss;
}

typedef struct {
  AnaMetrics *metrics;
  FILE       *csv;
  gboolean    preempt;   /* jobs.csv has the preemption columns */
} RecordSink;

static void
on_record (const SchedJobRecord *rec, gpointer data)
{
  RecordSink *sink = data;
  ana_metrics_add (sink->metrics, rec);
  if (sink->csv)
    {
      if (G_UNLIKELY (sink->preempt))
        ana_jobs_csv_row_preempt (sink->csv, rec);
      else
        ana_jobs_csv_row (sink->csv, rec);
    }
}

static void
on_progress (const SimStats *st, gpointer data)
{
  gint64 *t0 = data;
  double wall = (double) (g_get_monotonic_time () - *t0) / 1e6;
  g_printerr ("\rsluice sim: %" G_GUINT64_FORMAT " jobs done, %" G_GUINT64_FORMAT
              " queued, virtual day %.1f, %.1f s   ",
              st->finished, (guint64) st->peak_pending,
              (double) (st->last_time - st->first_submit) / 86400.0, wall);
}

/* Priority settings gathered from slurm.conf and --priority-params. */
typedef struct {
  SchedPriorityParams params;
  gboolean            multifactor;  /* PriorityType=priority/multifactor */
} PrioritySetup;

/* Applies one slurm.conf Priority* setting to `ps`; FALSE with `error` for a bad value.
 * Unknown keys are ignored here (slurm.conf warns about them itself). */
static gboolean
priority_set (PrioritySetup *ps, const char *key, const char *value, GError **error)
{
  static const char *const weights[] = { "PriorityWeightAge", "PriorityWeightFairshare",
                                         "PriorityWeightJobSize", "PriorityWeightPartition",
                                         "PriorityWeightQOS" };
  guint32 *wfield[] = { &ps->params.weight_age, &ps->params.weight_fairshare,
                        &ps->params.weight_job_size, &ps->params.weight_partition,
                        &ps->params.weight_qos };
  for (gsize i = 0; i < G_N_ELEMENTS (weights); i++)
    if (g_ascii_strcasecmp (key, weights[i]) == 0)
      {
        guint64 v;
        if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT32, &v, NULL))
          {
            g_set_error (error, SIM_ERROR, SIM_ERROR_INVALID, "%s=%s: expected a whole number",
                         key, value);
            return FALSE;
          }
        *wfield[i] = (guint32) v;
        return TRUE;
      }
  if (g_ascii_strcasecmp (key, "PriorityDecayHalfLife") == 0
      || g_ascii_strcasecmp (key, "PriorityMaxAge") == 0)
    {
      gint64 secs;
      if (!wl_parse_slurm_time (value, &secs, error))
        {
          g_prefix_error (error, "%s: ", key);
          return FALSE;
        }
      if (secs == WL_TIME_UNLIMITED)
        secs = 0;
      if (g_ascii_strcasecmp (key, "PriorityMaxAge") == 0)
        ps->params.max_age = secs;
      else
        ps->params.decay_half_life = secs;
      return TRUE;
    }
  if (g_ascii_strcasecmp (key, "PriorityFavorSmall") == 0)
    {
      ps->params.favor_small = g_ascii_strcasecmp (value, "yes") == 0;
      return TRUE;
    }
  if (g_ascii_strcasecmp (key, "PriorityUsageResetPeriod") == 0)
    {
      if (!sched_priority_reset_from_name (value, &ps->params.usage_reset))
        {
          g_set_error (error, SIM_ERROR, SIM_ERROR_INVALID,
                       "PriorityUsageResetPeriod=%s: expected NONE, NOW, DAILY, WEEKLY, "
                       "MONTHLY, QUARTERLY or YEARLY", value);
          return FALSE;
        }
      return TRUE;
    }
  if (g_ascii_strcasecmp (key, "PriorityFlags") == 0)
    {
      g_autofree char *bad = NULL;
      if (!sched_priority_params_set_flags (&ps->params, value, &bad))
        g_printerr ("sluice: warning: PriorityFlags: \"%s\" is not modeled (ignored)\n",
                    bad ? bad : value);
      return TRUE;
    }
  if (g_ascii_strcasecmp (key, "PriorityType") == 0)
    {
      ps->multifactor = g_ascii_strcasecmp (value, "priority/multifactor") == 0;
      return TRUE;
    }
  return TRUE;
}

/* Preemption settings gathered from slurm.conf and the command line. */
typedef struct {
  SimPreemptType type;
  SimPreemptMode mode;         /* global PreemptMode */
  SchedTime      exempt;       /* PreemptExemptTime */
  GArray        *parts;        /* PartPreempt: partitions with a PreemptMode or GraceTime */
} PreemptSetup;

typedef struct {
  char          *name;
  SimPreemptMode mode;         /* DEFAULT when not given */
  SchedTime      grace;        /* < 0 when not given */
} PartPreempt;

static void
part_preempt_clear (gpointer p)
{
  g_free (((PartPreempt *) p)->name);
}

static void
preempt_setup_init (PreemptSetup *pr)
{
  memset (pr, 0, sizeof *pr);
  pr->parts = g_array_new (FALSE, TRUE, sizeof (PartPreempt));
  g_array_set_clear_func (pr->parts, part_preempt_clear);
}

static void
preempt_setup_clear (PreemptSetup *pr)
{
  g_clear_pointer (&pr->parts, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PreemptSetup, preempt_setup_clear)

/* A PreemptMode value of `where` ("PreemptMode" or "PartitionName=x: PreemptMode"). */
static gboolean
parse_preempt_mode (const char *where, const char *value, SimPreemptMode *out, GError **error)
{
  gboolean suspend = FALSE;
  if (!sim_preempt_mode_from_string (value, out, &suspend))
    {
      g_set_error (error, SIM_ERROR, SIM_ERROR_INVALID,
                   "%s=%s: expected OFF, CANCEL or REQUEUE (optionally with ,GANG)", where,
                   value);
      return FALSE;
    }
  if (suspend)
    g_printerr ("sluice: warning: %s=%s: SUSPEND is not modeled: no preemption there\n",
                where, value);
  return TRUE;
}

/* Reads PreemptType, PreemptMode, PreemptExemptTime and the partitions' PreemptMode and
 * GraceTime from `conf` into `pr`. */
static gboolean
preempt_from_conf (const WlSlurmConf *conf, PreemptSetup *pr, GError **error)
{
  const char *v = wl_slurmconf_get (conf, "PreemptType");
  if (v && !sim_preempt_type_from_name (v, &pr->type))
    {
      g_printerr ("sluice: warning: PreemptType=%s is not modeled: no preemption\n", v);
      pr->type = SIM_PREEMPT_NONE;
    }
  v = wl_slurmconf_get (conf, "PreemptMode");
  if (v && !parse_preempt_mode ("PreemptMode", v, &pr->mode, error))
    return FALSE;
  v = wl_slurmconf_get (conf, "PreemptExemptTime");
  if (v)
    {
      gint64 secs;
      if (!wl_parse_slurm_time (v, &secs, error))
        {
          g_prefix_error (error, "PreemptExemptTime: ");
          return FALSE;
        }
      pr->exempt = secs == WL_TIME_UNLIMITED || secs < 0 ? 0 : secs;
    }
  for (guint i = 0; i < wl_slurmconf_n_partitions (conf); i++)
    {
      const WlSlurmPartition *wp = wl_slurmconf_partition (conf, i);
      PartPreempt pp = { NULL, SIM_PREEMPT_MODE_DEFAULT, -1 };
      const char *m = NULL, *g = NULL;
      if (wp->settings && wl_param_list_lookup (wp->settings, "PreemptMode", &m) && m)
        {
          g_autofree char *where = g_strdup_printf ("PartitionName=%s: PreemptMode", wp->name);
          if (!parse_preempt_mode (where, m, &pp.mode, error))
            return FALSE;
        }
      if (wp->settings && wl_param_list_lookup (wp->settings, "GraceTime", &g) && g)
        {
          guint64 secs;
          if (!g_ascii_string_to_unsigned (g, 10, 0, G_MAXINT32, &secs, NULL))
            {
              g_set_error (error, SIM_ERROR, SIM_ERROR_INVALID,
                           "PartitionName=%s: GraceTime=%s: expected seconds", wp->name, g);
              return FALSE;
            }
          pp.grace = (SchedTime) secs;
        }
      if (pp.mode == SIM_PREEMPT_MODE_DEFAULT && pp.grace < 0)
        continue;
      pp.name = g_strdup (wp->name);
      g_array_append_val (pr->parts, pp);
    }
  return TRUE;
}

/* Puts the command line's overrides over `pr`. */
static gboolean
preempt_overrides (const RunConfig *cfg, PreemptSetup *pr, GError **error)
{
  if (cfg->preempt && !sim_preempt_type_from_name (cfg->preempt, &pr->type))
    {
      g_set_error (error, SIM_ERROR, SIM_ERROR_INVALID,
                   "--preempt: \"%s\": expected partition_prio, qos or none", cfg->preempt);
      return FALSE;
    }
  if (cfg->preempt_mode)
    {
      SimPreemptMode m;
      if (!sim_preempt_mode_from_string (cfg->preempt_mode, &m, NULL)
          || (m != SIM_PREEMPT_MODE_REQUEUE && m != SIM_PREEMPT_MODE_CANCEL))
        {
          g_set_error (error, SIM_ERROR, SIM_ERROR_INVALID,
                       "--preempt-mode: \"%s\": expected requeue or cancel", cfg->preempt_mode);
          return FALSE;
        }
      pr->mode = m;
      for (guint i = 0; i < pr->parts->len; i++)
        g_array_index (pr->parts, PartPreempt, i).mode = SIM_PREEMPT_MODE_DEFAULT;
    }
  if (cfg->grace_time >= 0)
    for (guint i = 0; i < pr->parts->len; i++)
      g_array_index (pr->parts, PartPreempt, i).grace = -1;
  return TRUE;
}

/* The cluster of cfg->cluster_conf; its SchedulerParameters go to `params`, its priority
 * settings to `ps`, its preemption settings to `pr`, the conf itself to *conf_out (for
 * the partitions' QOS and Deny lists, once the limits exist). */
static SchedCluster *
cluster_from_conf (const RunConfig *cfg, WlParamList *params, PrioritySetup *ps,
                   PreemptSetup *pr, WlSlurmConf **conf_out, GError **error)
{
  g_autoptr (WlSlurmConf) conf = wl_slurmconf_load (cfg->cluster_conf, NULL, error);
  if (conf == NULL)
    return NULL;
  const WlParamList *cp = wl_slurmconf_sched_params (conf);
  for (guint i = 0; cp && i < wl_param_list_length (cp); i++)
    wl_param_list_set (params, wl_param_list_key (cp, i), wl_param_list_value (cp, i));
  static const char *const keys[] = {
    "PriorityType", "PriorityWeightAge", "PriorityWeightFairshare", "PriorityWeightJobSize",
    "PriorityWeightPartition", "PriorityWeightQOS", "PriorityDecayHalfLife", "PriorityMaxAge",
    "PriorityFavorSmall", "PriorityUsageResetPeriod", "PriorityFlags",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const char *v = wl_slurmconf_get (conf, keys[i]);
      if (v && !priority_set (ps, keys[i], v, error))
        {
          g_prefix_error (error, "%s: ", cfg->cluster_conf);
          return NULL;
        }
    }
  if (!preempt_from_conf (conf, pr, error))
    {
      g_prefix_error (error, "%s: ", cfg->cluster_conf);
      return NULL;
    }
  SchedCluster *cluster = wl_slurmconf_build_cluster (conf, error);
  if (cluster)
    *conf_out = g_steal_pointer (&conf);
  return cluster;
}

/* Gives `limits` the conf's partition QOS and Deny lists (sched/qos.h), and the command
 * line's --preempt-mode and --grace-time over every QOS's own, as over every partition's.
 * Without limits (no --assoc) there is no QOS to name: a partition QOS is then ignored. */
static gboolean
limits_from_conf (const RunConfig *cfg, const WlSlurmConf *conf, const SchedCluster *cluster,
                  SchedLimits *limits, GError **error)
{
  if (limits == NULL)
    {
      for (guint i = 0; conf && i < wl_slurmconf_n_partitions (conf); i++)
        if (wl_slurmconf_partition (conf, i)->qos)
          g_printerr ("sluice: warning: PartitionName=%s: QOS=%s: ignored without --assoc "
                      "(no QOS is defined)\n", wl_slurmconf_partition (conf, i)->name,
                      wl_slurmconf_partition (conf, i)->qos);
      return TRUE;
    }
  if (conf && !wl_slurmconf_apply_limits (conf, cluster, limits, error))
    return FALSE;
  for (SchedQosId id = 1; (cfg->preempt_mode || cfg->grace_time >= 0)
                          && id <= sched_limits_n_qos (limits); id++)
    {
      SchedQosLimits q = *sched_limits_get_qos (limits, id);
      if (cfg->preempt_mode)
        q.preempt_mode = SCHED_QOS_PREEMPT_CLUSTER;
      if (cfg->grace_time >= 0)
        q.grace_time = -1;
      sched_limits_add_qos (limits, sched_limits_qos_name (limits, id), &q);
    }
  return TRUE;
}

/* The multifactor priority for this run, or NULL when neither the order nor the
 * configuration asks for it.  Returns FALSE with `error` on a bad setting or assoc file. */
static gboolean
make_priority (const RunConfig *cfg, PrioritySetup *ps, const SchedCluster *cluster,
               SchedOrder order, SchedPriority **out, SchedLimits **limits_out,
               GError **error)
{
  *out = NULL;
  *limits_out = NULL;
  if (cfg->priority_params)
    {
      g_auto (GStrv) items = g_strsplit (cfg->priority_params, ",", -1);
      for (guint i = 0; items[i]; i++)
        {
          if (*items[i] == '\0')
            continue;
          g_auto (GStrv) kv = g_strsplit (items[i], "=", 2);
          if (kv[1] == NULL)
            {
              g_set_error (error, SIM_ERROR, SIM_ERROR_INVALID,
                           "--priority-params: \"%s\": expected Key=Value", items[i]);
              return FALSE;
            }
          if (!priority_set (ps, g_strstrip (kv[0]), g_strstrip (kv[1]), error))
            {
              g_prefix_error (error, "--priority-params: ");
              return FALSE;
            }
        }
    }
  if (order != SCHED_ORDER_PRIORITY && !ps->multifactor && cfg->assoc_path == NULL)
    return TRUE;
  ps->params.total_cpus = sched_cluster_total_cpus (cluster);
  ps->params.total_nodes = sched_cluster_n_nodes (cluster);
  g_autoptr (SchedPriority) p = sched_priority_new (&ps->params);
  /* the assoc file's QOS definitions and association limits (sched/qos.h) */
  g_autoptr (SchedLimits) limits = cfg->assoc_path ? sched_limits_new () : NULL;
  WlAssocOptions ao = { NULL, limits };
  if (cfg->assoc_path && !wl_assoc_load (cfg->assoc_path, &ao, p, error))
    return FALSE;
  if (limits_out)
    *limits_out = g_steal_pointer (&limits);
  *out = g_steal_pointer (&p);
  return TRUE;
}

/* Applies SchedulerParameters (slurm.conf's, then --sched-params over them) to `policy`.
 * Options sluice does not model are named once on stderr and ignored; a bad value of one it
 * models is an error. */
static gboolean
apply_sched_params (const RunConfig *cfg, WlParamList *params, SchedPolicy *policy,
                    GError **error)
{
  if (cfg->sched_params && !wl_param_list_update (params, cfg->sched_params, error))
    return FALSE;
  if (!wl_sched_params_check (params, error))
    return FALSE;
  for (guint i = 0; i < wl_param_list_length (params); i++)
    {
      const char *k = wl_param_list_key (params, i), *v = wl_param_list_value (params, i);
      switch (sched_policy_set_param (policy, k, v))
        {
        case SCHED_PARAM_OK:
          break;
        case SCHED_PARAM_UNKNOWN:
          if (!cfg->quiet_params)
            g_printerr ("sluice: warning: SchedulerParameters: \"%s\" is not modeled (ignored)\n", k);
          break;
        case SCHED_PARAM_BAD_VALUE:
          g_set_error (error, SIM_ERROR, SIM_ERROR_INVALID,
                       "SchedulerParameters: %s=%s: expected a whole number in Slurm's range%s",
                       k, v ? v : "", g_str_equal (k, "bf_continue") ? " (bf_continue is a flag)" : "");
          return FALSE;
        }
    }
  return TRUE;
}

static SchedCluster *
make_cluster (const RunConfig *cfg, const WlTraceInfo *info, WlParamList *params,
              PrioritySetup *ps, PreemptSetup *pr, WlSlurmConf **conf, GError **error)
{
  if (cfg->cluster_conf)
    return cluster_from_conf (cfg, params, ps, pr, conf, error);
  if (cfg->procs > 0)
    return sched_cluster_new_uniform (cfg->procs, 1, 0, 0);
  if (cfg->nodes > 0)
    return sched_cluster_new_uniform (cfg->nodes, MAX (cfg->cpus_per_node, 1),
                                      cfg->mem_per_node_mb, cfg->gpus_per_node);
  if (info->machine_list != NULL || info->cpus_per_node > 0)
    return wl_trace_cluster_new (info, error);   /* a CSV or sacct trace's machine */
  gint64 procs = info->max_procs > 0 ? info->max_procs : info->max_nodes;
  if (procs <= 0 || procs > G_MAXUINT32)
    {
      g_set_error (error, SIM_ERROR, SIM_ERROR_INVALID,
                   "%s: the header gives neither MaxProcs nor MaxNodes; say the machine "
                   "size with --procs N (or --nodes N --cpus-per-node C, or --cluster FILE)",
                   cfg->trace_path);
      return NULL;
    }
  return sched_cluster_new_uniform ((guint32) procs, 1, 0, 0);
}

/* Partition names of CSV and sacct traces, looked up in the cluster once it exists (the
 * reader asks on its first record, after make_cluster).  GPU types stay "any". */
static gint64
resolve_name (WlNameKind kind, const char *name, gpointer data)
{
  SchedCluster *const *cluster = data;
  if (kind == WL_NAME_PARTITION && *cluster != NULL)
    return sched_cluster_find_partition (*cluster, name);
  return kind == WL_NAME_PARTITION ? -1 : 0;
}

/* The reader options of cfg (and of its transforms' --synth-limit); partition names
 * resolve in *cluster once it is set. */
static void
reader_options (const RunConfig *cfg, SchedCluster **cluster, WlReaderOptions *ro)
{
  wl_reader_options_init (ro);
  ro->strict = cfg->swf.strict;
  ro->prefer_requested = cfg->swf.prefer_requested;
  ro->keep_zero_runtime = cfg->swf.keep_zero_runtime;
  ro->max_warnings = cfg->swf.max_warnings;
  ro->warn_func = cfg->swf.warn_func;
  ro->warn_data = cfg->swf.warn_data;
  ro->columns = cfg->columns;
  ro->gpus_per_node = cfg->trace_gpus_per_node > 0 ? cfg->trace_gpus_per_node
                      : cfg->nodes > 0 && cfg->gpus_per_node > 0 ? cfg->gpus_per_node : 8;
  ro->resolve = resolve_name;
  ro->resolve_data = cluster;
  ro->scan = cfg->procs == 0 && cfg->nodes == 0 && cfg->cluster_conf == NULL;
  if (cfg->transforms)
    transform_cli_reader_options (cfg->transforms, ro);
}

/* Puts the reader *r (opened with `ro`) behind cfg's transforms, prepared on `cluster`
 * (window dates; --target-load on its CPUs, with a first, silent pass over the trace).
 * FALSE with `error` set (and *r freed). */
static gboolean
apply_transforms (const RunConfig *cfg, const WlReaderOptions *ro,
                  const SchedCluster *cluster, WlReader **r, GError **error)
{
  if (cfg->transforms == NULL)
    return TRUE;
  WlReaderOptions quiet = *ro;
  quiet.max_warnings = 0;   /* the replay says them */
  quiet.scan = FALSE;       /* the machine is known */
  if (!transform_cli_prepare (cfg->transforms, cfg->trace_path, cfg->format, &quiet,
                              sched_cluster_total_cpus (cluster), error))
    {
      g_clear_pointer (r, wl_reader_free);
      return FALSE;
    }
  *r = transform_cli_wrap (cfg->transforms, g_steal_pointer (r), error);
  return *r != NULL;
}

/* "never_started": {"jobs": N, "reasons": {"DependencyNeverSatisfied": n, ...}} (the
 * reasons that occurred, in SchedReason order), before "sim". */
static void
add_never_started (json_t *obj, const RunResult *res)
{
  json_t *ns = json_object ();
  json_object_set_new (ns, "jobs", json_integer ((json_int_t) res->never_started));
  json_t *reasons = json_object ();
  for (guint r = 0; r < SCHED_REASON_N; r++)
    if (res->never_started_by_reason[r] > 0)
      json_object_set_new (reasons, sched_reason_name ((SchedReason) r),
                           json_integer ((json_int_t) res->never_started_by_reason[r]));
  json_object_set_new (ns, "reasons", reasons);
  json_t *sim = json_incref (json_object_get (obj, "sim"));
  if (sim)
    json_object_del (obj, "sim");
  json_object_set_new (obj, "never_started", ns);
  if (res->preempt != SIM_PREEMPT_NONE)
    {
      json_t *pre = json_object ();
      json_object_set_new (pre, "type", json_string (sim_preempt_type_name (res->preempt)));
      json_object_set_new (pre, "preempted", json_integer ((json_int_t) res->preemptions));
      json_object_set_new (pre, "requeued", json_integer ((json_int_t) res->requeued));
      json_object_set_new (pre, "cancelled",
                           json_integer ((json_int_t) res->preempt_cancelled));
      json_object_set_new (obj, "preemption", pre);
    }
  if (sim)
    json_object_set_new (obj, "sim", sim);
}

gboolean
run_simulation (const RunConfig *cfg, RunResult *res, GError **error)
{
  memset (res, 0, sizeof *res);
  SchedPolicy policy;
  if (!sched_policy_lookup (cfg->policy, &policy))
    {
      g_autofree char *names = g_strjoinv (", ", (char **) sched_policy_names ());
      g_set_error (error, SIM_ERROR, SIM_ERROR_INVALID, "unknown policy \"%s\" (expected one of: %s)",
                   cfg->policy, names);
      return FALSE;
    }
  gint64 t0 = g_get_monotonic_time ();
  SchedCluster *named = NULL;      /* for resolve_name, set once the cluster exists */
  WlReaderOptions ro;
  reader_options (cfg, &named, &ro);
  g_autoptr (WlReader) reader = wl_reader_open (cfg->trace_path, cfg->format, &ro, error);
  if (reader == NULL)
    return FALSE;
  g_autoptr (WlParamList) params = wl_param_list_new ();
  PrioritySetup ps = { .multifactor = FALSE };
  sched_priority_params_init (&ps.params);
  g_auto (PreemptSetup) pr;
  preempt_setup_init (&pr);
  g_autoptr (WlSlurmConf) conf = NULL;
  g_autoptr (SchedCluster) cluster = make_cluster (cfg, wl_reader_get_info (reader), params,
                                                   &ps, &pr, &conf, error);
  if (cluster == NULL)
    return FALSE;
  if (!preempt_overrides (cfg, &pr, error))
    return FALSE;
  named = cluster;
  if (!apply_transforms (cfg, &ro, cluster, &reader, error))
    return FALSE;
  if (!apply_sched_params (cfg, params, &policy, error))
    return FALSE;
  if (cfg->order && !sched_order_lookup (cfg->order, &policy.order))
    {
      g_autofree char *names = g_strjoinv (", ", (char **) sched_order_names ());
      g_set_error (error, SIM_ERROR, SIM_ERROR_INVALID, "unknown order \"%s\" (expected one of: %s)",
                   cfg->order, names);
      return FALSE;
    }
  SchedPriority *priority = NULL;
  SchedLimits *limits = NULL;
  if (!make_priority (cfg, &ps, cluster, policy.order, &priority, &limits, error))
    return FALSE;
  if (!limits_from_conf (cfg, conf, cluster, limits, error))
    {
      sched_priority_free (priority);
      sched_limits_free (limits);
      return FALSE;
    }
  /* Slurm orders its queue by priority: with multifactor configured and no --order, so
   * does the slurm policy */
  if (priority && cfg->order == NULL && policy.ops == sched_policy_ops_slurm ())
    policy.order = SCHED_ORDER_PRIORITY;
  /* ... and tries higher PriorityTiers first, which partition_prio preemption relies on:
   * the job a preemption made room for must be the one to take it */
  if (pr.type == SIM_PREEMPT_PARTITION_PRIO && cfg->order == NULL
      && policy.order == SCHED_ORDER_SUBMIT)
    for (guint32 i = 1; i < sched_cluster_n_partitions (cluster); i++)
      if (sched_cluster_partition (cluster, (gint32) i)->priority_tier
          != sched_cluster_partition (cluster, 0)->priority_tier)
        policy.order = SCHED_ORDER_PRIORITY;

  FILE *csv = NULL;
  g_autofree char *csv_path = NULL, *csv_part = NULL;
  if (cfg->out_dir)
    {
      if (g_mkdir_with_parents (cfg->out_dir, 0755) != 0)
        {
          int err = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err),
                       "cannot create output directory %s: %s", cfg->out_dir, g_strerror (err));
          return FALSE;
        }
      /* written as jobs.csv.part and renamed once the run succeeded, so a failed run
       * leaves no truncated jobs.csv behind */
      csv_path = g_build_filename (cfg->out_dir, "jobs.csv", NULL);
      csv_part = g_strconcat (csv_path, ".part", NULL);
      csv = fopen (csv_part, "w");
      if (csv == NULL)
        {
          int err = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err), "cannot write %s: %s",
                       csv_part, g_strerror (err));
          return FALSE;
        }
      setvbuf (csv, NULL, _IOFBF, 1 << 20);
      if (pr.type != SIM_PREEMPT_NONE)
        ana_jobs_csv_header_preempt (csv);
      else
        ana_jobs_csv_header (csv);
    }

  res->capacity_cpus = sched_cluster_total_cpus (cluster);
  RecordSink sink = { ana_metrics_new (res->capacity_cpus, cfg->tau_s), csv,
                      pr.type != SIM_PREEMPT_NONE };
  SimOptions so = cfg->sim;
  so.preempt = pr.type;
  so.preempt_mode = pr.mode;
  so.preempt_exempt = pr.exempt;
  if (cfg->grace_time >= 0)
    so.preempt_grace = cfg->grace_time;
  /* JSON jobs may depend on jobs that ended before the first one with request fields
   * arrives: remember every end from the start (the engine turns this on by itself at the
   * first such job, for JSON found by its first byte) */
  if ((cfg->format && g_ascii_strcasecmp (cfg->format, "json") == 0)
      || ((cfg->format == NULL || g_ascii_strcasecmp (cfg->format, "auto") == 0)
          && wl_json_name_looks_like (cfg->trace_path)))
    so.track_jobs = TRUE;
  if (cfg->progress)
    {
      so.progress = on_progress;
      so.progress_data = &t0;
    }
  g_autoptr (SimEngine) engine = sim_engine_new (cluster, &policy, &so);
  if (priority)
    sim_engine_set_priority (engine, priority);
  if (limits)
    sim_engine_set_limits (engine, limits);
  for (guint i = 0; i < pr.parts->len; i++)
    {
      const PartPreempt *pp = &g_array_index (pr.parts, PartPreempt, i);
      gint32 part = sched_cluster_find_partition (cluster, pp->name);
      if (part >= 0)
        sim_engine_set_partition_preempt (engine, part, pp->mode, pp->grace);
    }
  gboolean ok = sim_engine_run (engine, reader, on_record, &sink, error);
  if (csv && fclose (csv) != 0 && ok)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, "writing jobs.csv failed: %s",
                   g_strerror (errno));
      ok = FALSE;
    }
  if (cfg->progress)
    g_printerr ("\r\033[K");
  if (ok && csv_part && g_rename (csv_part, csv_path) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "cannot rename %s: %s",
                   csv_part, g_strerror (errno));
      ok = FALSE;
    }
  if (!ok)
    {
      if (csv_part)
        g_unlink (csv_part);
      ana_metrics_free (sink.metrics);
      return FALSE;
    }
  double wall = (double) (g_get_monotonic_time () - t0) / 1e6;
  ana_metrics_summarize (sink.metrics, &res->summary);
  ana_metrics_free (sink.metrics);

  const SimStats *st = sim_engine_get_stats (engine);
  res->never_started = st->never_started;
  memcpy (res->never_started_by_reason, st->never_started_by_reason,
          sizeof res->never_started_by_reason);
  res->preempt = pr.type;
  res->preemptions = st->preemptions;
  res->requeued = st->requeued;
  res->preempt_cancelled = st->preempt_cancelled;
  res->counts = *wl_reader_get_counts (reader);
  res->policy = policy.order == SCHED_ORDER_SUBMIT
                  ? g_strdup (cfg->policy)
                  : g_strdup_printf ("%s+%s", cfg->policy, sched_order_name (policy.order));
  res->trace = g_path_get_basename (cfg->trace_path);
  for (guint i = 0; i < WL_SKIP_N; i++)
    res->skip_names[i] = wl_skip_reason_name (i);
  for (guint i = 0; i < WL_ADJ_N; i++)
    res->adjust_names[i] = wl_adjust_reason_name (i);
  SchedTime span = st->first_submit == SCHED_TIME_NEVER ? 0 : st->last_time - st->first_submit;
  res->info = (AnaRunInfo) {
    .policy = res->policy,
    .trace = res->trace,
    .wall_s = wall,
    .speedup = wall > 0 ? (double) span / wall : 0,
    .peak_rss_kb = run_peak_rss_kb (),
    .events = st->events,
    .passes = st->passes,
    .skip_names = res->skip_names,
    .skip_counts = res->counts.skipped,
    .n_skip = WL_SKIP_N,
    .adjust_names = res->adjust_names,
    .adjust_counts = res->counts.adjusted,
    .n_adjust = WL_ADJ_N,
  };

  if (cfg->out_dir)
    {
      g_autofree char *path = g_build_filename (cfg->out_dir, "summary.json", NULL);
      json_t *obj = ana_summary_to_json (&res->summary, &res->info);
      add_never_started (obj, res);
      int rc = json_dump_file (obj, path, ANA_JSON_DUMP_FLAGS | JSON_INDENT (2));
      json_decref (obj);
      if (rc != 0)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, "cannot write %s", path);
          return FALSE;
        }
    }
  return TRUE;
}

void
run_result_clear (RunResult *res)
{
  g_clear_pointer (&res->policy, g_free);
  g_clear_pointer (&res->trace, g_free);
}

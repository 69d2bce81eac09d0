/* SPDX-License-Identifier: MIT */
/* realnet/ctld-requests.c - the controller's answers to clients: submit and alloc (sbatch,
 * srun), job_list (squeue, scontrol show job), node_list, part_list and config (sinfo,
 * scontrol show), cancel (scancel), update_job and update_node (scontrol update, hold,
 * release, requeue) and acct_query (sacct).
 *
 * Each handler checks the request's fields and who asks (users act on their own jobs,
 * administrators on all), changes the state in memory and answers.  The answers to
 * changes of jobs (submit, cancel, update_job) go out with reply_later, after the next
 * commit; the others at once.  squeue's default and long formats are rendered here, with
 * one cached line per job and one cached text per format, so that squeue over 100,000
 * jobs moves text, not records. */
#include "realnet/ctld-private.h"

#include <signal.h>
#include <string.h>

#include "realnet/fmt.h"
#include "realnet/log.h"
#include "realnet/validate.h"
#include "workloads/hostlist.h"
#include "workloads/jobextra.h"

/* ---- submission ---- */

/* Replies `test_only` {"job_id" (the id it would get), "start_time" (null: not within the
 * running jobs' ends), "cpus", "nodes", "partition"} for job `j`, not submitted. */
static void
reply_will_run (RnConn *conn, gint64 seq, Job *j, gint64 now)
{
  SchedAlloc a = { 0 };
  j->spec.id = C->next_id;
  SchedTime t = sched_core_will_run (C->core, now, &j->spec, &a, NULL);
  g_autofree char *nodes = alloc_nodes_string (&a);
  guint64 cpus = a.cpus;
  sched_alloc_clear (&a);
  json_t *b = json_pack ("{s:i,s:o,s:I,s:o,s:s}", "job_id", (int) C->next_id,
                         "start_time", t == SCHED_TIME_NEVER ? json_null () : json_integer (t),
                         "cpus", (json_int_t) (cpus ? cpus : sched_job_spec_cpus (&j->spec)),
                         "nodes", nodes ? json_string (nodes) : json_null (),
                         "partition", job_partition_name (j));
  reply_later (conn, seq, "test_only", b);
}

void
handle_submit (RnConn *conn, RnMsg *msg, gboolean interactive)
{
  gint64 now = now_s ();
  g_autoptr (GError) err = NULL;
  json_t *req = msg->body;
  const char *arr = NULL;
  if (!rn_body_get_string (req, "array", FALSE, &arr, &err))
    {
      reply_error (conn, msg->seq, err->code, "%s", err->message);
      return;
    }
  WlArraySpec aspec;
  if (arr && !interactive && !wl_parse_array (arr, &aspec, &err))
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "Invalid job array specification: %s",
                   err->message);
      return;
    }
  guint n_jobs = arr && !interactive ? aspec.n_tasks : 1;
  Job *first = job_from_request (req, msg->peer.uid, msg->peer.gid, now, &err);
  if (first == NULL || !submit_allowed (first, n_jobs, &err))
    {
      reply_error (conn, msg->seq, err->code, "%s", err->message);
      g_clear_pointer (&first, job_free);
      return;
    }
  if (json_is_true (json_object_get (req, "test_only")))
    {
      /* sbatch --test-only: nothing is submitted; when and where it would start */
      reply_will_run (conn, msg->seq, first, now);
      job_free (first);
      return;
    }
  guint32 id = C->next_id++;
  if (arr && !interactive)
    {
      /* Every task has its own job id from the start (the array's id, then the next
       * ones): stable SLURM_JOB_IDs and one state record per task. */
      gint t = -1;
      gboolean first_used = FALSE;
      while ((t = wl_array_spec_next (&aspec, t)) >= 0)
        {
          Job *j = first_used ? job_from_request (req, msg->peer.uid, msg->peer.gid, now, NULL)
                              : first;
          j->id = first_used ? C->next_id++ : id;
          j->run_qos = first->run_qos;
          first_used = TRUE;
          j->array_job_id = id;
          j->task = t;
          j->array_throttle = aspec.throttle;
          j->core_id = j->id;
          j->spec.id = j->core_id;
          job_set_io_paths (j, req);
          job_register (j);
          g_ptr_array_add (C->waiting, j);
          job_update_record (j);
          job_store (j);
        }
    }
  else
    {
      first->id = first->core_id = first->spec.id = id;
      job_set_io_paths (first, req);
      job_register (first);
      g_ptr_array_add (C->waiting, first);
      job_update_record (first);
      job_store (first);
      if (interactive)
        {
          json_t *iv = json_object_get (req, "interactive");
          Step *s = g_new0 (Step, 1);
          s->job = first;
          s->id = 0;
          s->client = rn_conn_ref (conn);
          s->seq = msg->seq;
          s->label = json_is_true (json_object_get (iv, "label"));
          step_read_input (s, iv);
          first->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
          g_ptr_array_add (first->steps, s);
          first->next_step = 1;
        }
    }
  C->n_submitted++;
  C->need_eligibility = TRUE;
  reply_later (conn, msg->seq, "submitted", json_pack ("{s:i}", "job_id", id));
}

/* ---- request handlers ---- */

gboolean
may_act_on (guint32 uid, const Job *j)
{
  return uid == j->uid || rn_config_is_admin (C->cfg, uid);
}

static gboolean
strv_has (GPtrArray *v, const char *s)
{
  if (v == NULL || v->len == 0)
    return TRUE;
  for (guint i = 0; i < v->len; i++)
    if (g_ascii_strcasecmp (v->pdata[i], s ? s : "") == 0)
      return TRUE;
  return FALSE;
}

static gboolean
state_matches (GPtrArray *states, const Job *j)
{
  if (states == NULL || states->len == 0)
    return TRUE;
  const char *st = job_state_word (j);
  for (guint i = 0; i < states->len; i++)
    {
      const char *w = states->pdata[i];
      if (g_ascii_strcasecmp (w, "all") == 0 || g_ascii_strcasecmp (w, st) == 0)
        return TRUE;
      static const char *const abbrev[][2] = {
        { "PD", "PENDING" }, { "R", "RUNNING" }, { "CD", "COMPLETED" }, { "F", "FAILED" },
        { "CA", "CANCELLED" }, { "TO", "TIMEOUT" }, { "NF", "NODE_FAIL" }, { "CG", "COMPLETING" },
      };
      for (gsize a = 0; a < G_N_ELEMENTS (abbrev); a++)
        if (g_ascii_strcasecmp (w, abbrev[a][0]) == 0 && g_str_equal (st, abbrev[a][1]))
          return TRUE;
    }
  return FALSE;
}

/* "0-3,5%2" from the pending tasks of an array. */
static char *
task_ranges (GPtrArray *tasks, guint32 throttle)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < tasks->len;)
    {
      gint32 a = ((Job *) tasks->pdata[i])->task, b = a;
      guint k = i + 1;
      while (k < tasks->len && ((Job *) tasks->pdata[k])->task == b + 1)
        b = ((Job *) tasks->pdata[k++])->task;
      if (s->len)
        g_string_append_c (s, ',');
      if (a == b)
        g_string_append_printf (s, "%d", a);
      else
        g_string_append_printf (s, "%d-%d", a, b);
      i = k;
    }
  if (throttle)
    g_string_append_printf (s, "%%%u", throttle);
  return g_string_free (s, FALSE);
}

/* ---- squeue's default formats, formatted here ---- */

static const char *const squeue_formats[2] = {
  "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R",
  "%.18i %.9P %.8j %.8u %.8T %.10M %.9l %.6D %R",
};

typedef struct {
  Job        *job;
  char       *ranges;     /* a collapsed array line: its pending tasks, else NULL */
  const char *part;
  int         state_order;
  guint32     prio;
  guint32     base_id;
  gint32      task;
} TextRow;

static int
state_order (const Job *j)
{
  if (j->completing)
    return 8;
  switch (j->state)
    {
    case SCHED_JOB_PENDING: return 0;
    case SCHED_JOB_RUNNING: return 2;
    case SCHED_JOB_COMPLETED: return 6;
    case SCHED_JOB_CANCELLED: return 8;
    case SCHED_JOB_FAILED: return 10;
    case SCHED_JOB_TIMEOUT: return 12;
    case SCHED_JOB_NODE_FAIL: return 14;
    default: return 99;
    }
}

/* squeue's default order P,t,-p; ties by id descending (the last key is reversed), then
 * by array task.  The same order realnet/fmt.c sorts records in. */
static int
cmp_text_rows (gconstpointer pa, gconstpointer pb)
{
  const TextRow *a = pa, *b = pb;
  int c = g_strcmp0 (a->part, b->part);
  if (c)
    return c;
  if (a->state_order != b->state_order)
    return a->state_order < b->state_order ? -1 : 1;
  if (a->prio != b->prio)
    return a->prio > b->prio ? -1 : 1;
  if (a->base_id != b->base_id)
    return a->base_id > b->base_id ? -1 : 1;
  return a->task < b->task ? -1 : a->task > b->task;
}

/* One line of `squeue` in format `which` for `record` (transfer full). */
static char *
format_line (json_t *record, int which, gint64 now)
{
  json_t *one = json_array ();
  json_array_append (one, record);
  static const char *const all[] = { "all", NULL };
  NetSqueueOptions o = { 0 };
  o.format = squeue_formats[which];
  o.no_header = TRUE;
  o.states = all;
  char *text = net_fmt_squeue (one, &o, now, NULL, NULL, NULL);
  json_decref (one);
  return text ? text : g_strdup ("");
}

const char *
job_line (Job *j, int which, gint64 now)
{
  const char *reason = job_reason (j);
  if (j->line[which] && j->line_reason[which] == reason && j->state != SCHED_JOB_RUNNING)
    return j->line[which];
  g_clear_pointer (&j->line[which], g_free);
  json_t *r = job_brief_record (j, reason);
  j->line[which] = format_line (r, which, now);
  j->line_reason[which] = reason;
  json_decref (r);
  return j->line[which];
}

/* job_list with "text_format": the lines of squeue's default (0) or long (1) format,
 * sorted, without header, for the jobs the filters select (pending and running ones
 * unless states are given) — so that squeue over 100,000 jobs moves text, not records. */
static GString *
render_job_text (GPtrArray *cands, int which, GPtrArray *users, GPtrArray *states,
                 GPtrArray *parts, GPtrArray *names, gboolean expand, gint64 now,
                 gboolean *running_out)
{
  gboolean any_running = FALSE;
  g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (TextRow));
  GHashTable *arrays_done = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < cands->len; i++)
    {
      Job *j = cands->pdata[i];
      if (j->dead || !strv_has (users, j->user) || !strv_has (parts, job_partition_name (j))
          || !strv_has (names, j->name))
        continue;
      if (states && states->len ? !state_matches (states, j)
          : (j->state != SCHED_JOB_PENDING && j->state != SCHED_JOB_RUNNING))
        continue;
      TextRow row = { j, NULL, job_partition_name (j), state_order (j), job_priority (j),
                      j->array_job_id ? j->array_job_id : j->id, j->task };
      any_running |= j->state == SCHED_JOB_RUNNING;
      if (!expand && j->array_job_id && j->state == SCHED_JOB_PENDING)
        {
          if (g_hash_table_contains (arrays_done, GUINT_TO_POINTER (j->array_job_id)))
            continue;
          g_hash_table_add (arrays_done, GUINT_TO_POINTER (j->array_job_id));
          GPtrArray *tasks = array_tasks (j->array_job_id);
          g_autoptr (GPtrArray) pend = g_ptr_array_new ();
          for (guint k = 0; k < tasks->len; k++)
            {
              Job *t = tasks->pdata[k];
              if (!t->dead && t->state == SCHED_JOB_PENDING && job_reason (t) == job_reason (j))
                g_ptr_array_add (pend, t);
            }
          if (pend->len > 1)
            row.ranges = task_ranges (pend, j->array_throttle);
        }
      g_array_append_val (rows, row);
    }
  g_hash_table_destroy (arrays_done);
  g_array_sort (rows, cmp_text_rows);
  *running_out = any_running;
  GString *out = g_string_sized_new (rows->len * 90 + 64);
  for (guint i = 0; i < rows->len; i++)
    {
      TextRow *r = &g_array_index (rows, TextRow, i);
      if (r->ranges)
        {
          json_t *rec = job_brief_record (r->job, job_reason (r->job));
          json_object_set_new (rec, "array_tasks", json_string (r->ranges));
          json_object_del (rec, "array_task_id");
          g_autofree char *line = format_line (rec, which, now);
          json_decref (rec);
          g_string_append (out, line);
          g_free (r->ranges);
        }
      else
        g_string_append (out, job_line (r->job, which, now));
    }
  return out;
}

/* The reply body of a text job list: the last one is kept and reused while no job changed
 * (and, when it shows running jobs, within the same second) — a hundred squeue processes at
 * once cost one rendering. */
static void
reply_job_text (RnConn *conn, gint64 seq, GPtrArray *cands, int which, GPtrArray *users,
                GPtrArray *states, GPtrArray *parts, GPtrArray *names, gboolean expand)
{
  gint64 now = now_s ();
  gboolean unfiltered = cands == C->jobs && !expand && (!users || !users->len)
                        && (!states || !states->len) && (!parts || !parts->len)
                        && (!names || !names->len);
  TextCache *tc = &C->text_cache[which];
  g_autofree char *head = g_strdup_printf ("{\"time\":%" G_GINT64_FORMAT "}", now);
  if (unfiltered && tc->body && tc->gen == C->text_gen && (!tc->running || tc->time == now))
    {
      rn_conn_send_attached (conn, "jobs_text", seq, head, strlen (head), tc->body);
      return;
    }
  gboolean running = FALSE;
  GBytes *body = g_string_free_to_bytes (render_job_text (cands, which, users, states, parts,
                                                          names, expand, now, &running));
  rn_conn_send_attached (conn, "jobs_text", seq, head, strlen (head), body);
  if (unfiltered)
    {
      g_clear_pointer (&tc->body, g_bytes_unref);
      tc->body = body;
      tc->gen = C->text_gen;
      tc->time = now;
      tc->running = running;
    }
  else
    g_bytes_unref (body);
}

void
handle_job_list (RnConn *conn, RnMsg *msg)
{
  g_autoptr (GError) err = NULL;
  GPtrArray *ids = NULL, *users = NULL, *states = NULL, *parts = NULL, *names = NULL;
  gboolean expand = FALSE;
  if (!rn_body_get_strv (msg->body, "job_ids", &ids, &err)
      || !rn_body_get_strv (msg->body, "users", &users, &err)
      || !rn_body_get_strv (msg->body, "states", &states, &err)
      || !rn_body_get_strv (msg->body, "partitions", &parts, &err)
      || !rn_body_get_strv (msg->body, "names", &names, &err)
      || !rn_body_get_bool (msg->body, "expand_arrays", FALSE, &expand, &err))
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "job_list: %s", err->message);
      goto out;
    }
  users = user_filter_names (users);
  gint64 now = now_s (), t_start = g_get_monotonic_time ();
  GString *out = g_string_sized_new (4096);
  g_string_append_printf (out, "{\"time\":%" G_GINT64_FORMAT ",\"jobs\":[", now);
  gboolean first = TRUE;
  GPtrArray *cands;
  if (ids && ids->len)
    {
      cands = g_ptr_array_new ();
      for (guint i = 0; i < ids->len; i++)
        {
          g_autoptr (GPtrArray) js = jobs_for_spec (ids->pdata[i]);
          for (guint k = 0; k < js->len; k++)
            g_ptr_array_add (cands, js->pdata[k]);
        }
      if (cands->len == 0)
        {
          g_ptr_array_unref (cands);
          g_string_free (out, TRUE);
          reply_error (conn, msg->seq, RN_ERROR_INVALID_JOB, "Invalid job id specified");
          goto out;
        }
    }
  else
    cands = g_ptr_array_ref (C->jobs);
  const char *text_format = NULL;
  rn_body_get_string (msg->body, "text_format", FALSE, &text_format, NULL);
  if (text_format)
    {
      reply_job_text (conn, msg->seq, cands, g_str_equal (text_format, "long") ? 1 : 0, users,
                      states, parts, names, expand);
      g_ptr_array_unref (cands);
      g_string_free (out, TRUE);
      goto out;
    }
  GHashTable *arrays_done = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < cands->len; i++)
    {
      Job *j = cands->pdata[i];
      if (j->dead || !strv_has (users, j->user) || !strv_has (parts, job_partition_name (j))
          || !strv_has (names, j->name)
          || !state_matches (states, j))
        continue;
      if (!expand && j->array_job_id && j->state == SCHED_JOB_PENDING)
        {
          if (g_hash_table_contains (arrays_done, GUINT_TO_POINTER (j->array_job_id)))
            continue;
          g_hash_table_add (arrays_done, GUINT_TO_POINTER (j->array_job_id));
          GPtrArray *tasks = array_tasks (j->array_job_id);
          g_autoptr (GPtrArray) pend = g_ptr_array_new ();
          for (guint k = 0; k < tasks->len; k++)
            {
              Job *t = tasks->pdata[k];
              if (!t->dead && t->state == SCHED_JOB_PENDING
                  && g_strcmp0 (job_reason (t), job_reason (j)) == 0)
                g_ptr_array_add (pend, t);
            }
          if (pend->len > 1)
            {
              json_t *r = job_record_build (j, now);
              g_autofree char *ranges = task_ranges (pend, j->array_throttle);
              json_object_set_new (r, "array_tasks", json_string (ranges));
              json_object_set_new (r, "array_task_id", json_null ());
              char *text = json_dumps (r, JSON_COMPACT);
              json_decref (r);
              if (!first)
                g_string_append_c (out, ',');
              first = FALSE;
              g_string_append (out, text);
              free (text);
              continue;
            }
        }
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      json_t *r = job_record_build (j, now);
      char *text = json_dumps (r, JSON_COMPACT);
      json_decref (r);
      g_string_append (out, text);
      free (text);
    }
  g_hash_table_destroy (arrays_done);
  g_ptr_array_unref (cands);
  g_string_append (out, "]}");
  rn_conn_send_raw (conn, "jobs", msg->seq, out->str, out->len);
  gint64 took = g_get_monotonic_time () - t_start;
  if (took > 100000)
    rn_log ("job_list: %.3f s for %zu bytes", took / 1e6, out->len);
  g_string_free (out, TRUE);
out:
  g_clear_pointer (&ids, g_ptr_array_unref);
  g_clear_pointer (&users, g_ptr_array_unref);
  g_clear_pointer (&states, g_ptr_array_unref);
  g_clear_pointer (&parts, g_ptr_array_unref);
  g_clear_pointer (&names, g_ptr_array_unref);
}

void
handle_node_list (RnConn *conn, RnMsg *msg)
{
  g_autoptr (GError) err = NULL;
  GPtrArray *want = NULL;
  if (!rn_body_get_strv (msg->body, "nodes", &want, &err))
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "node_list: %s", err->message);
      return;
    }
  json_t *out = json_array ();
  for (guint i = 0; i < C->n_nodes; i++)
    if (strv_has (want, C->nodes[i].conf->name))
      json_array_append_new (out, node_record (&C->nodes[i]));
  if (want && want->len && json_array_size (out) == 0)
    {
      json_decref (out);
      g_ptr_array_unref (want);
      reply_error (conn, msg->seq, RN_ERROR_INVALID_NODE, "Invalid node name specified");
      return;
    }
  g_clear_pointer (&want, g_ptr_array_unref);
  rn_conn_send_new (conn, "nodes", msg->seq,
                    json_pack ("{s:I,s:o}", "time", (json_int_t) now_s (), "nodes", out));
}

void
handle_part_list (RnConn *conn, RnMsg *msg)
{
  json_t *out = json_array ();
  for (guint p = 0; p < wl_slurmconf_n_partitions (C->cfg->conf); p++)
    json_array_append_new (out, partition_record (p));
  rn_conn_send_new (conn, "partitions", msg->seq,
                    json_pack ("{s:I,s:o}", "time", (json_int_t) now_s (), "partitions", out));
}

void
handle_config (RnConn *conn, RnMsg *msg)
{
  json_t *out = json_array ();
  const WlParamList *g = wl_slurmconf_globals (C->cfg->conf);
  for (guint i = 0; i < wl_param_list_length (g); i++)
    json_array_append_new (out, json_pack ("[s,s]", wl_param_list_key (g, i),
                                           wl_param_list_value (g, i) ? wl_param_list_value (g, i) : ""));
  rn_conn_send_new (conn, "config", msg->seq,
                    json_pack ("{s:I,s:o,s:s}", "time", (json_int_t) now_s (), "entries", out,
                               "path", C->cfg->path));
}

void
handle_cancel (RnConn *conn, RnMsg *msg)
{
  g_autoptr (GError) err = NULL;
  GPtrArray *ids = NULL, *states = NULL;
  const char *user = NULL, *name = NULL, *part = NULL;
  g_autofree char *user_named = NULL;
  gint64 sig = 0;
  gboolean full = TRUE;
  g_autoptr (GPtrArray) cands = NULL;
  if (!rn_body_get_strv (msg->body, "job_ids", &ids, &err)
      || !rn_body_get_strv (msg->body, "states", &states, &err)
      || !rn_body_get_string (msg->body, "user", FALSE, &user, &err)
      || !rn_body_get_string (msg->body, "name", FALSE, &name, &err)
      || !rn_body_get_string (msg->body, "partition", FALSE, &part, &err)
      || !rn_body_get_int (msg->body, "signal", FALSE, 0, 64, &sig, &err))
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "cancel: %s", err->message);
      goto out;
    }
  user_named = user ? user_filter_name (user) : NULL;
  user = user_named;
  if (sig != 0 && sig != SIGKILL && sig != SIGTERM)
    full = FALSE;   /* scancel -s: deliver the signal only */
  if (sig == 0)
    sig = SIGTERM;
  json_t *done = json_array (), *errors = json_array ();
  cands = g_ptr_array_new ();
  if (ids && ids->len)
    for (guint i = 0; i < ids->len; i++)
      {
        g_autoptr (GPtrArray) js = jobs_for_spec (ids->pdata[i]);
        if (js->len == 0)
          json_array_append_new (errors, json_pack ("[s,s]", (const char *) ids->pdata[i],
                                                    "Invalid job id specified"));
        for (guint k = 0; k < js->len; k++)
          g_ptr_array_add (cands, js->pdata[k]);
      }
  else if (user || name || part || (states && states->len))
    for (guint i = 0; i < C->jobs->len; i++)
      g_ptr_array_add (cands, C->jobs->pdata[i]);
  for (guint i = 0; i < cands->len; i++)
    {
      Job *j = cands->pdata[i];
      if (j->dead || sched_job_state_is_final (j->state))
        {
          if (ids && ids->len && !j->dead)
            {
              /* slurmctld checks who asks before whether the job is done */
              g_autofree char *id = g_strdup_printf ("%u", j->id);
              json_array_append_new (errors, json_pack ("[s,s]", id,
                                                        may_act_on (msg->peer.uid, j)
                                                        ? "Job/step already completing or completed"
                                                        : "Access/permission denied"));
            }
          continue;
        }
      if ((user && g_strcmp0 (user, j->user) != 0)
          || (name && g_strcmp0 (name, j->name) != 0)
          || (part && g_strcmp0 (part, job_partition_name (j)) != 0)
          || !state_matches (states, j))
        continue;
      g_autofree char *id = j->array_job_id && j->state == SCHED_JOB_PENDING
                              ? g_strdup_printf ("%u_%d", j->array_job_id, j->task)
                              : g_strdup_printf ("%u", j->id);
      if (!may_act_on (msg->peer.uid, j))
        {
          if (ids && ids->len)
            json_array_append_new (errors, json_pack ("[s,s]", id,
                                                      "Access/permission denied"));
          continue;
        }
      g_autoptr (GError) e = NULL;
      if (job_cancel (j, msg->peer.uid, (int) sig, full, &e))
        json_array_append_new (done, json_string (id));
      else
        json_array_append_new (errors, json_pack ("[s,s]", id, e->message));
    }
  reply_later (conn, msg->seq, "ok", json_pack ("{s:o,s:o}", "cancelled", done, "errors", errors));
out:
  g_clear_pointer (&ids, g_ptr_array_unref);
  g_clear_pointer (&states, g_ptr_array_unref);
}

/* Moves what a request decides from `n` (just built from `j`'s new request) into `j`;
 * `n` gets `j`'s old values, for job_free. */
static void
job_take_request (Job *j, Job *n)
{
#define SWAP(f) do { __typeof__ (j->f) t_ = j->f; j->f = n->f; n->f = t_; } while (0)
  SWAP (req_text);
  SWAP (name);
  SWAP (workdir);
  SWAP (account);
  SWAP (qos);
  SWAP (features);
  SWAP (req_nodes);
  SWAP (exc_nodes);
  SWAP (dependency);
  SWAP (deps);
  SWAP (deps_any);
  SWAP (nice);
  SWAP (requeue_ok);
  SWAP (time_limit_rec);
  SWAP (mem_per_cpu_rec);
  SWAP (mem_per_node_rec);
  SWAP (gpus_req);
  SWAP (begin);
#undef SWAP
  SchedJobSpec spec = n->spec;
  spec.id = j->core_id;
  spec.submit = j->submit;
  j->spec = spec;
}

/* Applies `changes` (request fields; a null removes one) to pending job `j`: the new
 * request is checked as a submission is (fields, partition, QOS, limits), and the job
 * waits for eligibility again with it.  FALSE with `error` set when it is refused; the
 * job is then unchanged. */
static gboolean
job_update_request (Job *j, json_t *changes, GError **error)
{
  g_autoptr (json_t) req = job_request (j);
  const char *k;
  json_t *v;
  json_object_foreach (changes, k, v)
    if (json_is_null (v))
      json_object_del (req, k);
    else
      json_object_set (req, k, v);
  if (!rn_validate_request ("submit", req, error))
    return FALSE;
  Job *n = job_from_request (req, j->uid, j->gid, j->submit, error);
  if (n == NULL)
    return FALSE;
  n->id = j->id;
  n->array_job_id = j->array_job_id;
  n->task = j->task;
  submit_count_add (j, -1);
  if (!submit_allowed (n, 1, error))
    {
      submit_count_add (j, +1);
      job_free (n);
      return FALSE;
    }
  j->run_qos = n->run_qos;
  submit_count_add (j, +1);
  g_free (n->req_text);
  n->req_text = json_dumps (req, JSON_COMPACT);
  job_take_request (j, n);
  job_free (n);
  j->request_stored = FALSE;
  job_set_io_paths (j, req);
  /* back to the eligibility checks, then the core, with the new request */
  if (j->in_core)
    {
      sched_core_cancel (C->core, now_s (), j->core_id);
      g_hash_table_remove (C->by_core, GUINT_TO_POINTER (j->core_id));
      j->in_core = FALSE;
    }
  j->refused = FALSE;
  j->wait_reason = NULL;
  if (!g_ptr_array_find (C->waiting, j, NULL))
    g_ptr_array_add (C->waiting, j);
  C->need_eligibility = TRUE;
  return TRUE;
}

void
handle_update_job (RnConn *conn, RnMsg *msg)
{
  g_autoptr (GError) err = NULL;
  const char *id = NULL;
  gint64 tl = 0;
  gboolean has_tl = json_object_get (msg->body, "time_limit") != NULL;
  json_t *hold = json_object_get (msg->body, "hold");
  json_t *changes = json_object_get (msg->body, "request");
  if (json_is_null (changes))
    changes = NULL;
  gboolean requeue = FALSE;
  if (!rn_body_get_string (msg->body, "job_id", TRUE, &id, &err)
      || !rn_body_get_int (msg->body, "time_limit", FALSE, -1, G_MAXINT32, &tl, &err)
      || !rn_body_get_bool (msg->body, "requeue", FALSE, &requeue, &err)
      || (hold && !json_is_boolean (hold)))
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "update_job: %s",
                   err ? err->message : "field \"hold\": expected true or false");
      return;
    }
  g_autoptr (GPtrArray) js = jobs_for_spec (id);
  if (js->len == 0)
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID_JOB, "Invalid job id specified");
      return;
    }
  gboolean admin = rn_config_is_admin (C->cfg, msg->peer.uid);
  gint64 now = now_s ();
  for (guint i = 0; i < js->len; i++)
    {
      Job *j = js->pdata[i];
      if (!may_act_on (msg->peer.uid, j))
        {
          reply_error (conn, msg->seq, RN_ERROR_AUTH, "Access/permission denied");
          return;
        }
      if (hold)
        {
          if (j->state != SCHED_JOB_PENDING)
            {
              reply_error (conn, msg->seq, RN_ERROR_ALREADY_DONE,
                           "Job is no longer pending execution for job %u", j->id);
              return;
            }
          if (json_is_true (hold))
            {
              if (j->in_core)
                {
                  sched_core_cancel (C->core, now, j->core_id);
                  g_hash_table_remove (C->by_core, GUINT_TO_POINTER (j->core_id));
                  j->in_core = FALSE;
                  g_ptr_array_add (C->waiting, j);
                }
              else if (!g_ptr_array_find (C->waiting, j, NULL))
                g_ptr_array_add (C->waiting, j);
              j->hold = admin ? HOLD_ADMIN : HOLD_USER;
            }
          else
            {
              if (j->hold == HOLD_ADMIN && !admin)
                {
                  reply_error (conn, msg->seq, RN_ERROR_AUTH, "Access/permission denied");
                  return;
                }
              if (j->hold != HOLD_NONE && !j->in_core && !g_ptr_array_find (C->waiting, j, NULL))
                g_ptr_array_add (C->waiting, j);
              j->hold = HOLD_NONE;
              j->eligible = now;
            }
          C->need_eligibility = TRUE;
        }
      if (has_tl && j->state == SCHED_JOB_RUNNING)
        {
          /* Slurm: only administrators may raise a limit; anyone may lower their own */
          if (!admin && (tl <= 0 || (j->time_limit_rec > 0 && tl > j->time_limit_rec)))
            {
              reply_error (conn, msg->seq, RN_ERROR_AUTH, "Access/permission denied");
              return;
            }
          j->time_limit_rec = tl > 0 ? tl : -1;
          for (guint32 k = 0; k < j->alloc.n_nodes; k++)
            {
              Node *n = node_of (j->alloc.nodes[k].node);
              if (n->conn)
                rn_conn_send_new (n->conn, "update_limit", 0,
                                  json_pack ("{s:i,s:I}", "job_id", j->id, "time_limit",
                                             (json_int_t) j->time_limit_rec));
            }
          /* the core plans with the new limit: backfill may now use what it frees */
          const SchedPartitionSpec *ps = sched_cluster_partition (C->cluster, j->spec.partition);
          j->spec.time_limit = tl > 0 ? tl : ps->max_time == SCHED_TIME_NEVER
                                                 ? UNLIMITED_SECONDS : ps->max_time;
          sched_core_set_running_limit (C->core, now_s (), j->core_id, j->spec.time_limit);
          C->need_pass = TRUE;
          C->text_gen++;
          schedule_flush ();
          has_tl = FALSE;
        }
      if (has_tl || changes)
        {
          if (j->state != SCHED_JOB_PENDING)
            {
              reply_error (conn, msg->seq, RN_ERROR_ALREADY_DONE,
                           "Job is no longer pending execution for job %u", j->id);
              return;
            }
          /* Slurm: only administrators may raise a limit or lower a nice value */
          json_t *nice = changes ? json_object_get (changes, "nice") : NULL;
          if (!admin && ((has_tl && (tl > j->time_limit_rec || tl < 0) && j->time_limit_rec > 0)
                         || (json_is_integer (nice) && json_integer_value (nice) < 0)))
            {
              reply_error (conn, msg->seq, RN_ERROR_AUTH, "Access/permission denied");
              return;
            }
          g_autoptr (json_t) patch = changes ? json_copy (changes) : json_object ();
          if (has_tl)
            json_object_set_new (patch, "time_limit", json_integer (tl > 0 ? tl : -1));
          g_autoptr (GError) e = NULL;
          if (!job_update_request (j, patch, &e))
            {
              reply_error (conn, msg->seq, e->domain == RN_ERROR ? e->code : RN_ERROR_INVALID,
                           "%s", e->message);
              return;
            }
        }
      if (requeue)
        {
          if (j->state == SCHED_JOB_RUNNING && !j->completing)
            {
              j->requeue_pending = TRUE;
              j->completing = FALSE;
              send_signal (j, SIGTERM, TRUE);
            }
          else if (j->state != SCHED_JOB_PENDING)
            job_requeue_now (j, now);
        }
      job_changed (j);
    }
  reply_later (conn, msg->seq, "ok", json_object ());
}

void
handle_update_node (RnConn *conn, RnMsg *msg)
{
  g_autoptr (GError) err = NULL;
  const char *nodes = NULL, *state = NULL, *reason = NULL;
  if (!rn_body_get_string (msg->body, "nodes", TRUE, &nodes, &err)
      || !rn_body_get_string (msg->body, "state", TRUE, &state, &err)
      || !rn_body_get_string (msg->body, "reason", FALSE, &reason, &err))
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "update_node: %s", err->message);
      return;
    }
  if (!rn_config_is_admin (C->cfg, msg->peer.uid))
    {
      reply_error (conn, msg->seq, RN_ERROR_AUTH, "Access/permission denied");
      return;
    }
  g_autoptr (GPtrArray) names = wl_hostlist_expand_max (nodes, 100000, &err);
  if (names == NULL)
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID_NODE, "Invalid node name specified");
      return;
    }
  gboolean drain = g_ascii_strcasecmp (state, "DRAIN") == 0;
  gboolean resume = g_ascii_strcasecmp (state, "RESUME") == 0
                    || g_ascii_strcasecmp (state, "IDLE") == 0
                    || g_ascii_strcasecmp (state, "UNDRAIN") == 0;
  gboolean down = g_ascii_strcasecmp (state, "DOWN") == 0;
  if (!drain && !resume && !down)
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "Invalid node state specified");
      return;
    }
  if ((drain || down) && (reason == NULL || *reason == '\0'))
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "You must specify a reason when DOWNING or DRAINING a node. Request denied");
      return;
    }
  for (guint i = 0; i < names->len; i++)
    if (!g_hash_table_contains (C->node_by_name, names->pdata[i]))
      {
        reply_error (conn, msg->seq, RN_ERROR_INVALID_NODE, "Invalid node name specified");
        return;
      }
  gint64 now = now_s ();
  for (guint i = 0; i < names->len; i++)
    {
      Node *n = g_hash_table_lookup (C->node_by_name, names->pdata[i]);
      if (drain || down)
        {
          g_free (n->reason);
          n->reason = g_strdup (reason);
          n->reason_uid = msg->peer.uid;
          n->reason_time = now;
          n->drain = drain;
          n->admin_down = down;
        }
      else
        {
          n->drain = FALSE;
          n->admin_down = FALSE;
          g_clear_pointer (&n->reason, g_free);
        }
      node_set_usable (n, now);
      rn_log ("node %s: state %s by uid %u%s%s", n->conf->name, state, msg->peer.uid,
              reason ? ", reason: " : "", reason ? reason : "");
    }
  rn_conn_send_new (conn, "ok", msg->seq, json_object ());
}

static gboolean
acct_collect (json_t *job, gpointer data)
{
  json_t *out = data;
  json_t *copy = json_copy (job);
  const char *k;
  void *tmp;
  json_t *v;
  json_object_foreach_safe (copy, tmp, k, v)
    if (k[0] == '_')
      json_object_del (copy, k);
  json_array_append_new (out, copy);
  return TRUE;
}

void
handle_acct_query (RnConn *conn, RnMsg *msg)
{
  g_autoptr (GError) err = NULL;
  GPtrArray *ids = NULL, *users = NULL, *states = NULL, *parts = NULL, *names = NULL;
  gint64 start = 0, end = 0;
  g_autoptr (GArray) sel = NULL;
  if (!rn_body_get_strv (msg->body, "job_ids", &ids, &err)
      || !rn_body_get_strv (msg->body, "users", &users, &err)
      || !rn_body_get_strv (msg->body, "states", &states, &err)
      || !rn_body_get_strv (msg->body, "partitions", &parts, &err)
      || !rn_body_get_strv (msg->body, "names", &names, &err)
      || !rn_body_get_int (msg->body, "start", FALSE, 0, G_MAXINT64, &start, &err)
      || !rn_body_get_int (msg->body, "end", FALSE, 0, G_MAXINT64, &end, &err))
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "acct_query: %s", err->message);
      goto out;
    }
  users = user_filter_names (users);
  if (C->store == NULL)
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "Slurm accounting storage is disabled");
      goto out;
    }
  RnStoreQuery q = { 0 };
  sel = g_array_new (FALSE, FALSE, sizeof (RnStoreJobSel));
  for (guint i = 0; ids && i < ids->len; i++)
    {
      const char *s = ids->pdata[i];
      char *e;
      guint64 id = g_ascii_strtoull (s, &e, 10);
      RnStoreJobSel js = { (guint32) id, RN_STORE_ANY_TASK };
      if (*e == '_')
        js.array_task_id = (gint64) g_ascii_strtoull (e + 1, &e, 10);
      if (id == 0 || id > G_MAXUINT32 || *e != '\0')
        {
          reply_error (conn, msg->seq, RN_ERROR_INVALID_JOB, "Invalid job id specified: %s", s);
          goto out;
        }
      g_array_append_val (sel, js);
    }
  q.jobs = (const RnStoreJobSel *) (void *) sel->data;
  q.n_jobs = sel->len;
  if (users && users->len)
    g_ptr_array_add (users, NULL);
  if (states && states->len)
    g_ptr_array_add (states, NULL);
  if (parts && parts->len)
    g_ptr_array_add (parts, NULL);
  if (names && names->len)
    g_ptr_array_add (names, NULL);
  q.users = users && users->len ? (const char *const *) users->pdata : NULL;
  q.states = states && states->len ? (const char *const *) states->pdata : NULL;
  q.partitions = parts && parts->len ? (const char *const *) parts->pdata : NULL;
  q.names = names && names->len ? (const char *const *) names->pdata : NULL;
  q.start = start;
  q.end = end;
  json_t *out = json_array ();
  if (!rn_store_query_foreach (C->store, &q, RN_STORE_READ_SKIP_CORRUPT, acct_collect, out,
                               NULL, &err))
    {
      json_decref (out);
      reply_error (conn, msg->seq, RN_ERROR_INTERNAL, "accounting query: %s", err->message);
      goto out;
    }
  rn_conn_send_new (conn, "acct", msg->seq,
                    json_pack ("{s:I,s:o}", "time", (json_int_t) now_s (), "jobs", out));
out:
  g_clear_pointer (&ids, g_ptr_array_unref);
  g_clear_pointer (&users, g_ptr_array_unref);
  g_clear_pointer (&states, g_ptr_array_unref);
  g_clear_pointer (&parts, g_ptr_array_unref);
  g_clear_pointer (&names, g_ptr_array_unref);
}

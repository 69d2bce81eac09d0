/* SPDX-License-Identifier: MIT */
/* realnet/cmds.c - sbatch, squeue, scancel, sinfo, scontrol, srun and sacct: parse the
 * command line as Slurm does, ask the controller (realnet/client.c), print with Slurm's
 * formats (realnet/fmt.c).  Each is `sluice <command>` and, through a link with the
 * command's name, the command itself.  Errors read as Slurm's do ("slurm_load_jobs error:
 * Invalid job id specified") and exit 1. */
#include "realnet/cmds.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "realnet/client.h"
#include "realnet/config.h"
#include "realnet/fmt.h"
#include "realnet/jobreq.h"
#include "workloads/hostlist.h"

extern char **environ;

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Loads the configuration and connects; prints Slurm-like errors. */
static RnClient *
connect_or_die (const char *prog, RnConfig **cfg_out)
{
  g_autoptr (GError) err = NULL;
  RnConfig *cfg = rn_config_load (rn_config_default_path (NULL), FALSE, &err);
  if (cfg == NULL)
    {
      g_printerr ("%s: error: %s\n", prog, err->message);
      return NULL;
    }
  RnClient *c = rn_client_connect (cfg, &err);
  if (c == NULL)
    {
      g_printerr ("%s: error: %s\n", prog, err->message);
      rn_config_free (cfg);
      return NULL;
    }
  *cfg_out = cfg;
  return c;
}

/* The caller's uid in decimal, as a -u entry: the controller names it (the commands make no
 * passwd lookups of their own: sluice-slurm is a static program, see meson.build). */
static const char *
my_uid (void)
{
  static char buf[16];
  g_snprintf (buf, sizeof buf, "%u", (guint) getuid ());
  return buf;
}

static json_t *
split_list (const char *s)
{
  json_t *a = json_array ();
  if (s == NULL)
    return a;
  g_auto (GStrv) parts = g_strsplit (s, ",", -1);
  for (guint i = 0; parts[i]; i++)
    if (*g_strstrip (parts[i]))
      json_array_append_new (a, json_string (parts[i]));
  return a;
}

static void
print_text (char *text)
{
  if (text)
    fputs (text, stdout);
  g_free (text);
}

/* ---- sbatch ---- */

#define VERSION_TEXT "sluice 0.1.0 (slurm 22.05 compatible)\n"

/* -V or --version anywhere before "--": the command prints its version and does nothing
 * else, as Slurm's do. */
static gboolean
wants_version (int argc, char **argv)
{
  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    if (strcmp (argv[i], "-V") == 0 || strcmp (argv[i], "--version") == 0)
      {
        fputs (VERSION_TEXT, stdout);
        return TRUE;
      }
  return FALSE;
}

/* squeue and sinfo -i/--iterate SECONDS: the listing again every SECONDS, each time after
 * a date line, until interrupted.  Returns -1 when `argv` has no such option (run once),
 * else the exit status (1 for a bad number, or a failing listing). */
static int
iterate (int argc, char **argv, const char *prog, int (*once) (int, char **))
{
  const char *secs = NULL;
  GPtrArray *rest = g_ptr_array_new ();
  for (int i = 0; i < argc; i++)
    {
      const char *a = argv[i];
      if (i > 0 && secs == NULL && strcmp (a, "--") != 0)
        {
          if ((strcmp (a, "-i") == 0 || strcmp (a, "--iterate") == 0) && i + 1 < argc)
            {
              secs = argv[++i];
              continue;
            }
          if (g_str_has_prefix (a, "--iterate="))
            {
              secs = a + strlen ("--iterate=");
              continue;
            }
          if (g_str_has_prefix (a, "-i") && a[2] != '\0' && g_ascii_isdigit (a[2]))
            {
              secs = a + 2;
              continue;
            }
        }
      g_ptr_array_add (rest, (gpointer) a);
    }
  if (secs == NULL)
    {
      g_ptr_array_unref (rest);
      return -1;
    }
  gint64 n;
  if (!wl_parse_int (secs, 1, 86400, &n, NULL))
    {
      g_printerr ("%s: error: Invalid --iterate value: %s\n", prog, secs);
      g_ptr_array_unref (rest);
      return 1;
    }
  g_ptr_array_add (rest, NULL);
  g_autoptr (GTimeZone) tz = g_time_zone_new_local ();
  int rc = 0;
  for (;;)
    {
      g_autofree char *d = net_fmt_date_line (now_s (), tz);
      printf ("%s\n", d);
      fflush (stdout);
      rc = once ((int) rest->len - 1, (char **) rest->pdata);
      fflush (stdout);
      if (rc != 0)
        break;
      g_usleep ((gulong) n * G_USEC_PER_SEC);
    }
  g_ptr_array_unref (rest);
  return rc;
}

int
rn_cmd_sbatch (int argc, char **argv)
{
  g_autoptr (GError) err = NULL;
  g_autoptr (NetSbatch) s = net_sbatch_parse_args (argc, (const char *const *) argv, &err);
  if (s == NULL)
    {
      g_printerr ("%s\n", err->message);
      return 1;
    }
  const NetClientFlags *f0 = net_sbatch_get_flags (s);
  if (f0->help || f0->usage)
    {
      printf ("Usage: sbatch [OPTIONS(0)...] [ : [OPTIONS(N)...]] script(0) [args(0)...]\n"
              "Common options: -J NAME -p PARTITION -N NODES -n TASKS -c CPUS -t TIME --mem MB\n"
              "  --gres=gpu[:type]:N -o OUT -e ERR --wrap CMD --array SPEC --dependency SPEC\n"
              "  --hold --begin TIME --exclusive -A ACCOUNT -q QOS -D DIR --export VARS --parsable\n");
      return 0;
    }
  if (f0->version)
    {
      fputs (VERSION_TEXT, stdout);
      return 0;
    }
  g_autofree char *script = NULL;
  if (net_sbatch_needs_script (s))
    {
      const char *path = net_sbatch_get_script_path (s);
      if (path)
        {
          if (!g_file_get_contents (path, &script, NULL, NULL))
            {
              g_printerr ("sbatch: error: Unable to open file %s\n", path);
              return 1;
            }
        }
      else
        {
          GString *in = g_string_new (NULL);
          char buf[65536];
          size_t n;
          while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
            g_string_append_len (in, buf, (gssize) n);
          script = g_string_free (in, FALSE);
        }
    }
  g_autofree char *cwd = g_get_current_dir ();
  g_autoptr (GTimeZone) tz = g_time_zone_new_local ();
  NetJobEnv env = { cwd, (const char *const *) environ, g_get_host_name (), now_s (), tz, 0, 0 };
  NetClientFlags flags = { 0 };
  json_t *req = net_sbatch_build (s, script, &env, &flags, &err);
  if (req == NULL)
    {
      g_printerr ("%s\n", err->message);
      return 1;
    }
  RnConfig *cfg = NULL;
  g_autoptr (RnClient) c = connect_or_die ("sbatch", &cfg);
  if (c == NULL)
    {
      json_decref (req);
      return 1;
    }
  if (flags.test_only)
    json_object_set_new (req, "test_only", json_true ());
  json_t *rep = rn_client_call (c, "submit", req, NULL, &err);
  g_autofree char *part = g_strdup (json_string_value (json_object_get (req, "partition")));
  json_decref (req);
  if (rep == NULL)
    {
      if (err->code == RN_ERROR_INVALID_PARTITION && part)
        g_printerr ("sbatch: error: invalid partition specified: %s\n", part);
      g_printerr ("sbatch: error: Batch job submission failed: %s\n", err->message);
      rn_config_free (cfg);
      return 1;
    }
  gint64 id = json_integer_value (json_object_get (rep, "job_id"));
  if (flags.test_only)
    {
      /* nothing was submitted: when it would start, where */
      json_t *st = json_object_get (rep, "start_time");
      g_autofree char *when = json_is_integer (st)
                              ? net_fmt_timestamp (json_integer_value (st), tz) : NULL;
      const char *nodes = json_string_value (json_object_get (rep, "nodes"));
      const char *p = json_string_value (json_object_get (rep, "partition"));
      g_printerr ("sbatch: Job %" G_GINT64_FORMAT " to start at %s using %" JSON_INTEGER_FORMAT
                  " processors on nodes %s in partition %s\n", id, when ? when : "Unknown",
                  json_integer_value (json_object_get (rep, "cpus")), nodes ? nodes : "(null)",
                  p ? p : "(null)");
      json_decref (rep);
      rn_config_free (cfg);
      return 0;
    }
  json_decref (rep);
  if (flags.parsable)
    printf ("%" G_GINT64_FORMAT "\n", id);
  else if (!flags.quiet)
    printf ("Submitted batch job %" G_GINT64_FORMAT "\n", id);
  fflush (stdout);
  int rc = 0;
  if (flags.wait)
    {
      for (;;)
        {
          g_usleep (200000);
          g_autofree char *ids = g_strdup_printf ("%" G_GINT64_FORMAT, id);
          json_t *b = json_pack ("{s:[s]}", "job_ids", ids);
          json_t *r = rn_client_call (c, "job_list", b, NULL, &err);
          json_decref (b);
          if (r == NULL)
            {
              g_printerr ("sbatch: error: %s\n", err->message);
              rc = 1;
              break;
            }
          json_t *jobs = json_object_get (r, "jobs");
          gboolean done = TRUE;
          size_t i;
          json_t *j;
          json_array_foreach (jobs, i, j)
            {
              const char *st = json_string_value (json_object_get (j, "state"));
              if (g_strcmp0 (st, "PENDING") == 0 || g_strcmp0 (st, "RUNNING") == 0)
                done = FALSE;
              else if (g_strcmp0 (st, "COMPLETED") != 0)
                rc = MAX (rc, (int) MAX (json_integer_value (json_object_get (j, "exit_code")), 1));
            }
          json_decref (r);
          if (done)
            break;
        }
    }
  rn_config_free (cfg);
  return rc;
}

/* ---- squeue ---- */

int
rn_cmd_squeue (int argc, char **argv)
{
  if (wants_version (argc, argv))
    return 0;
  int it = iterate (argc, argv, "squeue", rn_cmd_squeue);
  if (it >= 0)
    return it;
  static const struct option opts[] = {
    { "user", required_argument, NULL, 'u' }, { "jobs", required_argument, NULL, 'j' },
    { "states", required_argument, NULL, 't' }, { "state", required_argument, NULL, 't' },
    { "partition", required_argument, NULL, 'p' }, { "me", no_argument, NULL, 'M' },
    { "format", required_argument, NULL, 'o' }, { "Format", required_argument, NULL, 'O' },
    { "start", no_argument, NULL, 'T' }, { "noheader", no_argument, NULL, 'h' },
    { "long", no_argument, NULL, 'l' }, { "array", no_argument, NULL, 'r' },
    { "sort", required_argument, NULL, 'S' }, { "name", required_argument, NULL, 'n' },
    { "json", no_argument, NULL, 'J' }, { "help", no_argument, NULL, 'H' },
    { "steps", no_argument, NULL, 's' },
    { NULL, 0, NULL, 0 },
  };
  NetSqueueOptions o = { 0 };
  gboolean steps = FALSE;
  const char *users = NULL, *jobs = NULL, *states = NULL, *parts = NULL, *names = NULL;
  gboolean json = FALSE;
  optind = 1;
  opterr = 0;
  int ch;
  while ((ch = getopt_long (argc, argv, "u:j:t:p:o:O:hlrS:n:s", opts, NULL)) != -1)
    switch (ch)
      {
      case 's': steps = TRUE; break;
      case 'u': users = optarg; break;
      case 'j': jobs = optarg; break;
      case 't': states = optarg; break;
      case 'p': parts = optarg; break;
      case 'M': users = my_uid (); break;
      case 'o': o.format = optarg; break;
      case 'O': o.format_long = optarg; break;
      case 'T': o.start = TRUE; break;
      case 'h': o.no_header = TRUE; break;
      case 'l': o.long_output = TRUE; break;
      case 'r': o.array_expand = TRUE; break;
      case 'S': o.sort = optarg; break;
      case 'n': names = optarg; break;
      case 'J': json = TRUE; break;
      case 'H':
        printf ("Usage: squeue [-u USERS] [-j JOBS] [-t STATES] [-p PARTS] [--me] [-o FORMAT]\n"
                "              [-O FIELDS] [--start] [-h] [-l] [-r] [-S SORT] [-n NAMES] [-s] [--json]\n");
        return 0;
      default:
        g_printerr ("squeue: unrecognized option '%s'\nTry \"squeue --help\" for more information\n",
                    argv[optind - 1]);
        return 1;
      }
  if (optind < argc && jobs == NULL)
    jobs = argv[optind];   /* Slurm 22.05 takes a bare job list too */
  RnConfig *cfg = NULL;
  g_autoptr (RnClient) c = connect_or_die ("squeue", &cfg);
  if (c == NULL)
    return 1;
  json_t *body = json_object ();
  if (jobs)
    json_object_set_new (body, "job_ids", split_list (jobs));
  if (users)
    json_object_set_new (body, "users", split_list (users));
  if (parts)
    json_object_set_new (body, "partitions", split_list (parts));
  if (names)
    json_object_set_new (body, "names", split_list (names));
  json_object_set_new (body, "expand_arrays", json_boolean (o.array_expand));
  /* The default formats (plain and -l) in the default order: the controller formats the
   * lines itself from its cache, so 100,000 jobs cost text, not records. */
  gboolean text_mode = o.format == NULL && o.format_long == NULL && o.sort == NULL && !o.start
                  && !json && !steps;
  if (text_mode)
    {
      json_object_set_new (body, "text_format", json_string (o.long_output ? "long" : "default"));
      if (states)
        json_object_set_new (body, "states", split_list (states));
    }
  g_autoptr (GError) err = NULL;
  g_autoptr (GBytes) attached = NULL;
  json_t *rep = rn_client_call_attached (c, "job_list", body, &attached, &err);
  json_decref (body);
  rn_config_free (cfg);
  if (rep == NULL)
    {
      g_printerr ("slurm_load_jobs error: %s\n", err->message);
      return 1;
    }
  gint64 now = json_integer_value (json_object_get (rep, "time"));
  if (text_mode)
    {
      g_autoptr (GTimeZone) tz = g_time_zone_new_local ();
      GString *head = g_string_new (NULL);
      if (o.long_output)
        {
          g_autofree char *d = net_fmt_date_line (now, tz);
          g_string_append_printf (head, "%s\n", d);
        }
      if (!o.no_header)
        {
          NetSqueueOptions ho = o;
          ho.long_output = FALSE;
          ho.format = o.long_output ? "%.18i %.9P %.8j %.8u %.8T %.10M %.9l %.6D %R" : NULL;
          json_t *none = json_array ();
          char *h = net_fmt_squeue (none, &ho, now, tz, NULL, NULL);
          json_decref (none);
          if (h)
            g_string_append (head, h);
          g_free (h);
        }
      fwrite (head->str, 1, head->len, stdout);
      g_string_free (head, TRUE);
      gsize tlen = 0;
      const void *t = attached ? g_bytes_get_data (attached, &tlen) : NULL;
      if (t)
        fwrite (t, 1, tlen, stdout);
      json_decref (rep);
      return 0;
    }
  json_t *list = json_object_get (rep, "jobs");
  if (steps)
    {
      print_text (net_fmt_squeue_steps (list, o.no_header, now));
      json_decref (rep);
      return 0;
    }
  g_auto (GStrv) sv = states ? g_strsplit (states, ",", -1) : NULL;
  o.states = (const char *const *) sv;
  if (json)
    {
      print_text (net_fmt_squeue_json (list, now));
      json_decref (rep);
      return 0;
    }
  g_autoptr (GTimeZone) tz = g_time_zone_new_local ();
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  char *text = net_fmt_squeue (list, &o, now, tz, warnings, &err);
  for (guint i = 0; i < warnings->len; i++)
    g_printerr ("%s\n", (char *) warnings->pdata[i]);
  json_decref (rep);
  if (text == NULL)
    {
      g_printerr ("squeue: error: %s\n", err->message);
      return 1;
    }
  print_text (text);
  return 0;
}

/* ---- scancel ---- */

int
rn_cmd_scancel (int argc, char **argv)
{
  if (wants_version (argc, argv))
    return 0;
  static const struct option opts[] = {
    { "user", required_argument, NULL, 'u' }, { "state", required_argument, NULL, 't' },
    { "signal", required_argument, NULL, 's' }, { "name", required_argument, NULL, 'n' },
    { "partition", required_argument, NULL, 'p' }, { "me", no_argument, NULL, 'M' },
    { "quiet", no_argument, NULL, 'Q' }, { "help", no_argument, NULL, 'H' },
    { "full", no_argument, NULL, 'f' }, { "batch", no_argument, NULL, 'b' },
    { "verbose", no_argument, NULL, 'v' },
    { NULL, 0, NULL, 0 },
  };
  const char *user = NULL, *states = NULL, *sig = NULL, *name = NULL, *part = NULL;
  gboolean quiet = FALSE;
  optind = 1;
  opterr = 0;
  int ch;
  while ((ch = getopt_long (argc, argv, "u:t:s:n:p:Qfbv", opts, NULL)) != -1)
    switch (ch)
      {
      case 'u': user = optarg; break;
      case 't': states = optarg; break;
      case 's': sig = optarg; break;
      case 'n': name = optarg; break;
      case 'p': part = optarg; break;
      case 'M': user = my_uid (); break;
      case 'Q': quiet = TRUE; break;
      case 'f': case 'b': case 'v': break;
      case 'H':
        printf ("Usage: scancel [-u USER] [-t STATES] [-s SIGNAL] [-n NAME] [-p PART] [--me] [job_id[_array_id]...]\n");
        return 0;
      default:
        g_printerr ("scancel: unrecognized option '%s'\nTry \"scancel --help\" for more information\n",
                    argv[optind - 1]);
        return 1;
      }
  if (optind >= argc && !user && !states && !name && !part)
    {
      g_printerr ("scancel: error: No job identification provided\n");
      return 1;
    }
  int signo = 0;
  if (sig)
    {
      const char *sn = g_str_has_prefix (sig, "SIG") ? sig + 3 : sig;
      static const struct { const char *n; int s; } names[] = {
        { "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
        { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "TERM", SIGTERM }, { "CONT", SIGCONT },
        { "STOP", SIGSTOP }, { "TSTP", SIGTSTP },
      };
      char *end;
      long v = strtol (sn, &end, 10);
      if (*sn && *end == '\0' && v > 0 && v < 65)
        signo = (int) v;
      for (gsize i = 0; signo == 0 && i < G_N_ELEMENTS (names); i++)
        if (g_ascii_strcasecmp (sn, names[i].n) == 0)
          signo = names[i].s;
      if (signo == 0)
        {
          g_printerr ("scancel: error: Invalid job signal: %s\n", sig);
          return 1;
        }
    }
  RnConfig *cfg = NULL;
  g_autoptr (RnClient) c = connect_or_die ("scancel", &cfg);
  if (c == NULL)
    return 1;
  json_t *body = json_object ();
  json_t *ids = json_array ();
  for (int i = optind; i < argc; i++)
    {
      json_t *l = split_list (argv[i]);
      json_array_extend (ids, l);
      json_decref (l);
    }
  json_object_set_new (body, "job_ids", ids);
  if (user)
    json_object_set_new (body, "user", json_string (user));
  if (states)
    json_object_set_new (body, "states", split_list (states));
  if (name)
    json_object_set_new (body, "name", json_string (name));
  if (part)
    json_object_set_new (body, "partition", json_string (part));
  if (signo)
    json_object_set_new (body, "signal", json_integer (signo));
  g_autoptr (GError) err = NULL;
  json_t *rep = rn_client_call (c, "cancel", body, NULL, &err);
  json_decref (body);
  rn_config_free (cfg);
  if (rep == NULL)
    {
      g_printerr ("scancel: error: %s\n", err->message);
      return 1;
    }
  int rc = 0;
  size_t i;
  json_t *e;
  json_array_foreach (json_object_get (rep, "errors"), i, e)
    {
      if (!quiet)
        g_printerr ("scancel: error: Kill job error on job id %s: %s\n",
                    json_string_value (json_array_get (e, 0)),
                    json_string_value (json_array_get (e, 1)));
      rc = 1;
    }
  json_decref (rep);
  return rc;
}

/* ---- sinfo ---- */

int
rn_cmd_sinfo (int argc, char **argv)
{
  if (wants_version (argc, argv))
    return 0;
  int it = iterate (argc, argv, "sinfo", rn_cmd_sinfo);
  if (it >= 0)
    return it;
  static const struct option opts[] = {
    { "Node", no_argument, NULL, 'N' }, { "long", no_argument, NULL, 'l' },
    { "summarize", no_argument, NULL, 's' }, { "list-reasons", no_argument, NULL, 'R' },
    { "format", required_argument, NULL, 'o' }, { "noheader", no_argument, NULL, 'h' },
    { "partition", required_argument, NULL, 'p' }, { "json", no_argument, NULL, 'J' },
    { "help", no_argument, NULL, 'H' }, { "nodes", required_argument, NULL, 'n' },
    { NULL, 0, NULL, 0 },
  };
  NetSinfoOptions o = { 0 };
  const char *parts = NULL, *nodes = NULL;
  gboolean json = FALSE;
  optind = 1;
  opterr = 0;
  int ch;
  while ((ch = getopt_long (argc, argv, "NlsRo:hp:n:", opts, NULL)) != -1)
    switch (ch)
      {
      case 'N': o.node_oriented = TRUE; break;
      case 'l': o.long_output = TRUE; break;
      case 's': o.summarize = TRUE; break;
      case 'R': o.list_reasons = TRUE; break;
      case 'o': o.format = optarg; break;
      case 'h': o.no_header = TRUE; break;
      case 'p': parts = optarg; break;
      case 'n': nodes = optarg; break;
      case 'J': json = TRUE; break;
      case 'H':
        printf ("Usage: sinfo [-N] [-l] [-s] [-R] [-o FORMAT] [-h] [-p PARTS] [-n NODES] [--json]\n");
        return 0;
      default:
        g_printerr ("sinfo: unrecognized option '%s'\nTry \"sinfo --help\" for more information\n",
                    argv[optind - 1]);
        return 1;
      }
  RnConfig *cfg = NULL;
  g_autoptr (RnClient) c = connect_or_die ("sinfo", &cfg);
  if (c == NULL)
    return 1;
  g_autoptr (GError) err = NULL;
  json_t *nb = json_object ();
  if (nodes)
    {
      g_autoptr (GPtrArray) names = wl_hostlist_expand_max (nodes, 100000, NULL);
      json_t *a = json_array ();
      for (guint i = 0; names && i < names->len; i++)
        json_array_append_new (a, json_string (names->pdata[i]));
      json_object_set_new (nb, "nodes", a);
    }
  json_t *nrep = rn_client_call (c, "node_list", nb, NULL, &err);
  json_decref (nb);
  json_t *prep = nrep ? rn_client_call (c, "part_list", NULL, NULL, &err) : NULL;
  rn_config_free (cfg);
  if (prep == NULL)
    {
      g_printerr ("slurm_load_partitions: %s\n", err->message);
      if (nrep)
        json_decref (nrep);
      return 1;
    }
  json_t *plist = json_object_get (prep, "partitions");
  if (parts)
    {
      json_t *keep = json_array ();
      g_auto (GStrv) want = g_strsplit (parts, ",", -1);
      size_t i;
      json_t *p;
      json_array_foreach (plist, i, p)
        if (g_strv_contains ((const char *const *) want,
                             json_string_value (json_object_get (p, "name"))))
          json_array_append (keep, p);
      json_object_set_new (prep, "partitions", keep);
      plist = keep;
    }
  json_t *nlist = json_object_get (nrep, "nodes");
  gint64 now = json_integer_value (json_object_get (nrep, "time"));
  if (json)
    print_text (net_fmt_sinfo_json (nlist, plist));
  else
    {
      g_autoptr (GTimeZone) tz = g_time_zone_new_local ();
      g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
      print_text (net_fmt_sinfo (nlist, plist, &o, now, tz, warnings));
      for (guint i = 0; i < warnings->len; i++)
        g_printerr ("%s\n", (char *) warnings->pdata[i]);
    }
  json_decref (nrep);
  json_decref (prep);
  return 0;
}

/* ---- scontrol ---- */

static int
scontrol_show (RnClient *c, RnConfig *cfg, int argc, char **argv)
{
  if (argc < 1)
    {
      g_printerr ("scontrol: error: show what? (job, node, partition, config)\n");
      return 1;
    }
  g_autoptr (GError) err = NULL;
  g_autoptr (GTimeZone) tz = g_time_zone_new_local ();
  const char *what = argv[0], *id = argc > 1 ? argv[1] : NULL;
  if (g_str_has_prefix ("jobs", what) && strlen (what) >= 1 && what[0] == 'j')
    {
      json_t *b = json_pack ("{s:b}", "expand_arrays", TRUE);
      if (id)
        json_object_set_new (b, "job_ids", split_list (id));
      json_t *rep = rn_client_call (c, "job_list", b, NULL, &err);
      json_decref (b);
      if (rep == NULL)
        {
          g_printerr ("slurm_load_jobs error: %s\n", err->message);
          return 1;
        }
      gint64 now = json_integer_value (json_object_get (rep, "time"));
      json_t *jobs = json_object_get (rep, "jobs");
      if (json_array_size (jobs) == 0)
        printf ("No jobs in the system\n");
      size_t i;
      json_t *j;
      json_array_foreach (jobs, i, j)
        print_text (net_fmt_scontrol_job (j, now, tz));
      json_decref (rep);
      return 0;
    }
  if (what[0] == 'n' && g_str_has_prefix ("nodes", what))
    {
      json_t *b = json_object ();
      if (id)
        {
          g_autoptr (GPtrArray) names = wl_hostlist_expand_max (id, 100000, NULL);
          json_t *a = json_array ();
          for (guint i = 0; names && i < names->len; i++)
            json_array_append_new (a, json_string (names->pdata[i]));
          json_object_set_new (b, "nodes", a);
        }
      json_t *rep = rn_client_call (c, "node_list", b, NULL, &err);
      json_decref (b);
      if (rep == NULL)
        {
          g_printerr ("Node %s not found\n", id ? id : "");
          return 1;
        }
      gint64 sport = 6818;
      wl_slurmconf_get_int (cfg->conf, "SlurmdPort", &sport, NULL);
      size_t i;
      json_t *n;
      json_array_foreach (json_object_get (rep, "nodes"), i, n)
        print_text (net_fmt_scontrol_node (n, (guint) sport, tz));
      json_decref (rep);
      return 0;
    }
  if (what[0] == 'p' && g_str_has_prefix ("partitions", what))
    {
      json_t *rep = rn_client_call (c, "part_list", NULL, NULL, &err);
      if (rep == NULL)
        {
          g_printerr ("slurm_load_partitions error: %s\n", err->message);
          return 1;
        }
      size_t i;
      json_t *p;
      gboolean found = FALSE;
      json_array_foreach (json_object_get (rep, "partitions"), i, p)
        if (id == NULL || g_strcmp0 (id, json_string_value (json_object_get (p, "name"))) == 0)
          {
            print_text (net_fmt_scontrol_partition (p));
            found = TRUE;
          }
      json_decref (rep);
      if (!found && id)
        {
          g_printerr ("Partition %s not found\n", id);
          return 1;
        }
      return 0;
    }
  if (what[0] == 'c' && g_str_has_prefix ("config", what))
    {
      json_t *rep = rn_client_call (c, "config", NULL, NULL, &err);
      if (rep == NULL)
        {
          g_printerr ("slurm_load_ctl_conf error: %s\n", err->message);
          return 1;
        }
      print_text (net_fmt_scontrol_config (json_object_get (rep, "entries"),
                                           json_integer_value (json_object_get (rep, "time")), tz));
      json_decref (rep);
      return 0;
    }
  g_printerr ("scontrol: error: invalid entity: %s for keyword: show\n", what);
  return 1;
}

static int
host_cmp (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* scontrol show hostnames [LIST] (one name a line; the job's $SLURM_JOB_NODELIST by
 * default), hostlist LIST (the ranged form), hostlistsorted LIST (sorted, then ranged).
 * LIST is a host list expression or a comma list. */
static int
scontrol_hosts (const char *what, const char *list)
{
  if (list == NULL && g_ascii_strcasecmp (what, "hostnames") == 0)
    list = g_getenv ("SLURM_JOB_NODELIST");
  if (list == NULL)
    {
      g_printerr ("scontrol: error: host list is empty\n");
      return 1;
    }
  g_autoptr (GError) err = NULL;
  g_autoptr (GPtrArray) names = wl_hostlist_expand (list, &err);
  if (names == NULL)
    {
      g_printerr ("scontrol: error: Invalid hostlist: %s (%s)\n", list, err->message);
      return 1;
    }
  if (g_ascii_strcasecmp (what, "hostnames") == 0)
    {
      for (guint i = 0; i < names->len; i++)
        printf ("%s\n", (const char *) names->pdata[i]);
      return 0;
    }
  if (g_ascii_strcasecmp (what, "hostlistsorted") == 0)
    g_ptr_array_sort (names, host_cmp);
  g_autofree char *ranged = wl_hostlist_compress ((const char *const *) names->pdata,
                                                  names->len);
  printf ("%s\n", ranged);
  return 0;
}

/* "Key=Value" words of `scontrol update` into a table (keys lower-cased). */
static GHashTable *
kv_words (int argc, char **argv)
{
  GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (int i = 0; i < argc; i++)
    {
      const char *eq = strchr (argv[i], '=');
      if (eq == NULL)
        continue;
      g_hash_table_insert (t, g_ascii_strdown (argv[i], eq - argv[i]), g_strdup (eq + 1));
    }
  return t;
}

/* `scontrol update JobId=...` keys (lower-cased) that change a pending job's request: the
 * sbatch option that reads the value, and the request fields it decides (all of them are
 * sent: those the option did not set as null, which removes them; an empty value clears
 * them all). */
static const struct {
  const char *key;
  const char *option;
  const char *fields[4];
} job_update_keys[] = {
  { "account", "--account", { "account" } },
  { "comment", "--comment", { "comment" } },
  { "cpuspertask", "--cpus-per-task", { "cpus_per_task" } },
  { "dependency", "--dependency", { "dependency" } },
  { "excnodelist", "--exclude", { "exclude" } },
  { "features", "--constraint", { "constraint" } },
  { "gres", "--gres", { "gpus_per_node", "gpu_type", "gres", "gpus" } },
  { "jobname", "--job-name", { "name" } },
  { "minmemorycpu", "--mem-per-cpu", { "mem_per_cpu_mb", "mem_per_node_mb" } },
  { "minmemorynode", "--mem", { "mem_per_node_mb", "mem_per_cpu_mb" } },
  { "name", "--job-name", { "name" } },
  { "nice", "--nice", { "nice" } },
  { "numnodes", "--nodes", { "nodes_min", "nodes_max" } },
  { "numtasks", "--ntasks", { "ntasks" } },
  { "ntaskspernode", "--ntasks-per-node", { "ntasks_per_node" } },
  { "partition", "--partition", { "partition" } },
  { "qos", "--qos", { "qos" } },
  { "reqnodelist", "--nodelist", { "nodelist" } },
  { "starttime", "--begin", { "begin" } },
  { "stderr", "--error", { "stderr" } },
  { "stdout", "--output", { "stdout" } },
  { "workdir", "--chdir", { "workdir" } },
};

/* The request changes of `scontrol update JobId=... K=V ...` (transfer full), parsed as
 * sbatch parses its options; NULL with the message printed when a key is not supported or
 * a value is bad.  JobId and TimeLimit are not part of it. */
static json_t *
job_update_changes (int argc, char **argv)
{
  json_t *changes = json_object ();
  g_autoptr (GTimeZone) tz = g_time_zone_new_local ();
  g_autofree char *cwd = g_get_current_dir ();
  NetJobEnv env = { cwd, NULL, NULL, now_s (), tz, 0, 0 };
  for (int i = 0; i < argc; i++)
    {
      const char *eq = strchr (argv[i], '=');
      if (eq == NULL)
        continue;
      g_autofree char *key = g_ascii_strdown (argv[i], eq - argv[i]);
      if (g_str_equal (key, "jobid") || g_str_equal (key, "timelimit"))
        continue;
      gsize k = 0;
      while (k < G_N_ELEMENTS (job_update_keys) && !g_str_equal (job_update_keys[k].key, key))
        k++;
      if (k == G_N_ELEMENTS (job_update_keys))
        {
          g_printerr ("Update of this parameter is not supported: %s\nRequest aborted\n",
                      argv[i]);
          json_decref (changes);
          return NULL;
        }
      json_t *req = NULL;
      if (eq[1] != '\0')
        {
          g_autofree char *opt = g_strdup_printf ("%s=%s", job_update_keys[k].option, eq + 1);
          const char *args[] = { "scontrol", opt, "--wrap=true", NULL };
          g_autoptr (GError) err = NULL;
          req = net_sbatch_request (3, args, NULL, &env, NULL, &err);
          if (req == NULL)
            {
              g_printerr ("Invalid %.*s value: %s\n", (int) (eq - argv[i]), argv[i], eq + 1);
              json_decref (changes);
              return NULL;
            }
        }
      for (const char *const *f = job_update_keys[k].fields; *f; f++)
        {
          json_t *v = req ? json_object_get (req, *f) : NULL;
          json_object_set (changes, *f, v ? v : json_null ());
        }
      json_decref (req);
    }
  return changes;
}

static int
scontrol_call (RnClient *c, const char *type, json_t *body, const char *what)
{
  g_autoptr (GError) err = NULL;
  json_t *rep = rn_client_call (c, type, body, NULL, &err);
  json_decref (body);
  if (rep == NULL)
    {
      g_printerr ("%s: %s\n", what, err->message);
      return 1;
    }
  json_decref (rep);
  return 0;
}

int
rn_cmd_scontrol (int argc, char **argv)
{
  if (argc >= 2 && (g_str_equal (argv[1], "-V") || g_str_equal (argv[1], "--version")
                    || g_str_equal (argv[1], "version")))
    {
      fputs (VERSION_TEXT, stdout);
      return 0;
    }
  /* host lists need no controller */
  if (argc >= 3 && g_str_equal (argv[1], "show")
      && (g_ascii_strcasecmp (argv[2], "hostnames") == 0
          || g_ascii_strcasecmp (argv[2], "hostlist") == 0
          || g_ascii_strcasecmp (argv[2], "hostlistsorted") == 0))
    return scontrol_hosts (argv[2], argc > 3 ? argv[3] : NULL);
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      printf ("Usage: scontrol show job|node|partition|config [ID]\n"
              "       scontrol show hostnames [LIST] | hostlist LIST | hostlistsorted LIST\n"
              "       scontrol update NodeName=NODES State=DRAIN|RESUME|DOWN Reason=TEXT\n"
              "       scontrol update JobId=ID TimeLimit=TIME Partition=P NumNodes=N ...\n"
              "       scontrol hold|release|requeue JOBS\n");
      return argc < 2 ? 1 : 0;
    }
  RnConfig *cfg = NULL;
  g_autoptr (RnClient) c = connect_or_die ("scontrol", &cfg);
  if (c == NULL)
    return 1;
  const char *cmd = argv[1];
  int rc = 1;
  if (g_str_equal (cmd, "show"))
    rc = scontrol_show (c, cfg, argc - 2, argv + 2);
  else if (g_str_equal (cmd, "update"))
    {
      g_autoptr (GHashTable) kv = kv_words (argc - 2, argv + 2);
      const char *node = g_hash_table_lookup (kv, "nodename");
      const char *job = g_hash_table_lookup (kv, "jobid");
      if (node)
        {
          const char *st = g_hash_table_lookup (kv, "state");
          if (st == NULL)
            {
              g_printerr ("scontrol: error: update NodeName needs State=\n");
              rc = 1;
            }
          else
            {
              json_t *b = json_pack ("{s:s,s:s}", "nodes", node, "state", st);
              const char *r = g_hash_table_lookup (kv, "reason");
              if (r)
                json_object_set_new (b, "reason", json_string (r));
              rc = scontrol_call (c, "update_node", b, "slurm_update error");
            }
        }
      else if (job)
        {
          const char *tl = g_hash_table_lookup (kv, "timelimit");
          gint64 secs = 0;
          json_t *changes = job_update_changes (argc - 2, argv + 2);
          if (changes == NULL)
            rc = 1;
          else if (tl != NULL && !net_jobreq_parse_time (tl, &secs))
            {
              g_printerr ("Invalid TimeLimit value: %s\n", tl);
              json_decref (changes);
              rc = 1;
            }
          else if (tl == NULL && json_object_size (changes) == 0)
            {
              g_printerr ("scontrol: error: update JobId= needs something to change\n");
              json_decref (changes);
              rc = 1;
            }
          else
            {
              json_t *b = json_pack ("{s:s}", "job_id", job);
              if (tl != NULL)
                json_object_set_new (b, "time_limit", json_integer (secs));
              if (json_object_size (changes) > 0)
                json_object_set_new (b, "request", changes);
              else
                json_decref (changes);
              rc = scontrol_call (c, "update_job", b, "slurm_update error");
            }
        }
      else
        {
          g_printerr ("scontrol: error: update needs NodeName= or JobId=\n");
          rc = 1;
        }
    }
  else if (g_str_equal (cmd, "hold") || g_str_equal (cmd, "release") || g_str_equal (cmd, "requeue")
           || g_str_equal (cmd, "uhold"))
    {
      rc = 0;
      for (int i = 2; i < argc; i++)
        {
          g_auto (GStrv) ids = g_strsplit (argv[i], ",", -1);
          for (guint k = 0; ids[k]; k++)
            {
              json_t *b = json_pack ("{s:s}", "job_id", ids[k]);
              if (g_str_equal (cmd, "requeue"))
                json_object_set_new (b, "requeue", json_true ());
              else
                json_object_set_new (b, "hold", json_boolean (!g_str_equal (cmd, "release")));
              g_autofree char *what = g_strdup_printf ("Job %s", ids[k]);
              rc |= scontrol_call (c, "update_job", b, what);
            }
        }
      if (argc < 3)
        {
          g_printerr ("scontrol: error: %s needs a job id\n", cmd);
          rc = 1;
        }
    }
  else if (g_str_equal (cmd, "ping"))
    {
      rc = scontrol_call (c, "ping", json_object (), "ping");
      printf ("Slurmctld(primary) at %s is %s\n", cfg->ctld_name ? cfg->ctld_name : "localhost",
              rc == 0 ? "UP" : "DOWN");
    }
  else
    g_printerr ("scontrol: error: Invalid keyword: %s\n", cmd);
  rn_config_free (cfg);
  return rc;
}

/* ---- sacct ---- */

int
rn_cmd_sacct (int argc, char **argv)
{
  if (wants_version (argc, argv))
    return 0;
  static const struct option opts[] = {
    { "jobs", required_argument, NULL, 'j' }, { "user", required_argument, NULL, 'u' },
    { "state", required_argument, NULL, 's' }, { "starttime", required_argument, NULL, 'S' },
    { "endtime", required_argument, NULL, 'E' }, { "allocations", no_argument, NULL, 'X' },
    { "parsable", no_argument, NULL, 'p' }, { "parsable2", no_argument, NULL, 'P' },
    { "noheader", no_argument, NULL, 'n' }, { "format", required_argument, NULL, 'o' },
    { "delimiter", required_argument, NULL, 'd' }, { "allusers", no_argument, NULL, 'a' },
    { "partition", required_argument, NULL, 'r' }, { "name", required_argument, NULL, 'N' },
    { "help", no_argument, NULL, 'H' },
    { NULL, 0, NULL, 0 },
  };
  NetSacctOptions o = { 0 };
  const char *jobs = NULL, *users = NULL, *states = NULL, *start = NULL, *end = NULL;
  const char *parts = NULL, *names = NULL;
  gboolean all = getuid () == 0;
  optind = 1;
  opterr = 0;
  int ch;
  while ((ch = getopt_long (argc, argv, "j:u:s:S:E:XpPno:ar:", opts, NULL)) != -1)
    switch (ch)
      {
      case 'j': jobs = optarg; break;
      case 'u': users = optarg; all = TRUE; break;
      case 's': states = optarg; break;
      case 'S': start = optarg; break;
      case 'E': end = optarg; break;
      case 'X': o.no_steps = TRUE; break;
      case 'p': o.parsable = TRUE; break;
      case 'P': o.parsable2 = TRUE; break;
      case 'n': o.no_header = TRUE; break;
      case 'o': o.format = optarg; break;
      case 'd': o.delimiter = optarg; break;
      case 'a': all = TRUE; break;
      case 'r': parts = optarg; break;
      case 'N': names = optarg; break;
      case 'H':
        printf ("Usage: sacct [-j JOBS] [-u USERS] [-s STATES] [-S START] [-E END] [-X] [-p|-P] [-n]\n"
                "             [-o FORMAT] [--delimiter D] [-a] [-r PARTS] [--name NAMES]\n");
        return 0;
      default:
        g_printerr ("sacct: unrecognized option '%s'\nTry \"sacct --help\" for more information\n",
                    argv[optind - 1]);
        return 1;
      }
  g_autoptr (GTimeZone) tz = g_time_zone_new_local ();
  gint64 now = now_s (), t0 = 0, t1 = 0;
  if (start && !net_jobreq_parse_begin (start, now, tz, &t0))
    {
      g_printerr ("sacct: error: Invalid time specification (starttime): %s\n", start);
      return 1;
    }
  if (end && !net_jobreq_parse_begin (end, now, tz, &t1))
    {
      g_printerr ("sacct: error: Invalid time specification (endtime): %s\n", end);
      return 1;
    }
  if (start == NULL && jobs == NULL && states != NULL)
    t0 = now;   /* Slurm: with -s and no -S (nor -j), the jobs in those states now */
  else if (start == NULL && jobs == NULL)
    {
      g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local (now);
      g_autoptr (GDateTime) mid = g_date_time_new (tz, g_date_time_get_year (dt),
                                                   g_date_time_get_month (dt),
                                                   g_date_time_get_day_of_month (dt), 0, 0, 0);
      t0 = g_date_time_to_unix (mid);
      o.skip_ineligible = TRUE;
    }
  if (t0 && !t1)
    t1 = now + 1;   /* up to now, this second included: a job that just ran is shown */
  RnConfig *cfg = NULL;
  g_autoptr (RnClient) c = connect_or_die ("sacct", &cfg);
  if (c == NULL)
    return 1;
  json_t *b = json_object ();
  if (jobs)
    json_object_set_new (b, "job_ids", split_list (jobs));
  if (users)
    json_object_set_new (b, "users", split_list (users));
  else if (!all)
    json_object_set_new (b, "users", json_pack ("[s]", my_uid ()));
  if (states)
    {
      json_t *sl = split_list (states);
      size_t i;
      json_t *s;
      static const char *const ab[][2] = { { "PD", "PENDING" }, { "R", "RUNNING" },
        { "CD", "COMPLETED" }, { "F", "FAILED" }, { "CA", "CANCELLED" }, { "TO", "TIMEOUT" },
        { "NF", "NODE_FAIL" } };
      json_t *full = json_array ();
      json_array_foreach (sl, i, s)
        {
          const char *v = json_string_value (s);
          const char *name = NULL;
          for (gsize k = 0; k < G_N_ELEMENTS (ab); k++)
            if (g_ascii_strcasecmp (v, ab[k][0]) == 0 || g_ascii_strcasecmp (v, ab[k][1]) == 0)
              name = ab[k][1];
          g_autofree char *up = g_ascii_strup (v, -1);
          json_array_append_new (full, json_string (name ? name : up));
        }
      json_decref (sl);
      json_object_set_new (b, "states", full);
    }
  if (parts)
    json_object_set_new (b, "partitions", split_list (parts));
  if (names)
    json_object_set_new (b, "names", split_list (names));
  if (t0)
    json_object_set_new (b, "start", json_integer (t0));
  if (t1)
    json_object_set_new (b, "end", json_integer (t1));
  g_autoptr (GError) err = NULL;
  json_t *rep = rn_client_call (c, "acct_query", b, NULL, &err);
  json_decref (b);
  rn_config_free (cfg);
  if (rep == NULL)
    {
      g_printerr ("%s\n", err->message);
      return 1;
    }
  char *text = net_fmt_sacct (json_object_get (rep, "jobs"), &o,
                              json_integer_value (json_object_get (rep, "time")), tz, &err);
  json_decref (rep);
  if (text == NULL)
    {
      g_printerr ("sacct: error: %s\n", err->message);
      return 1;
    }
  print_text (text);
  return 0;
}

/* ---- srun ---- */

typedef struct {
  GString *buf[2];
} TaskOut;

static volatile sig_atomic_t srun_interrupted;
static volatile sig_atomic_t srun_resized;

static void
srun_on_winch (int sig)
{
  (void) sig;
  srun_resized = 1;
}

static void
srun_on_sigint (int sig)
{
  (void) sig;
  srun_interrupted++;
}

static void
srun_write (FILE *f, const char *data, gsize len)
{
  fwrite (data, 1, len, f);
  fflush (f);
}

int
rn_cmd_srun (int argc, char **argv)
{
  g_autoptr (GError) err = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  g_autoptr (GTimeZone) tz = g_time_zone_new_local ();
  const char *jid = g_getenv ("SLURM_JOB_ID");
  NetJobEnv env = { cwd, (const char *const *) environ, g_get_host_name (), now_s (), tz,
                    jid ? g_ascii_strtoull (jid, NULL, 10) : 0, 0 };
  NetClientFlags flags = { 0 };
  g_auto (GStrv) cmd = NULL;
  gboolean is_step = FALSE;
  json_t *req = net_srun_request (argc, (const char *const *) argv, &env, &flags, &cmd,
                                  &is_step, &err);
  if (req == NULL)
    {
      g_printerr ("%s\n", err->message);
      return 1;
    }
  if (flags.help || flags.usage || flags.version)
    {
      json_decref (req);
      fputs (flags.version ? VERSION_TEXT : "Usage: srun [OPTIONS...] executable [args...]\n",
             stdout);
      return 0;
    }
  RnConfig *cfg = NULL;
  g_autoptr (RnClient) c = connect_or_die ("srun", &cfg);
  if (c == NULL)
    {
      json_decref (req);
      return 1;
    }
  rn_config_free (cfg);
  /* --pty on a terminal: the remote one gets its size, and this one goes raw (keys, ^C
   * included, go to the task) until srun ends */
  gboolean raw = flags.pty && isatty (STDIN_FILENO);
  struct termios saved_tty;
  struct winsize ws;
  if (raw && ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
    {
      json_t *o = is_step ? req : json_object_get (req, "interactive");
      json_object_set_new (o, "rows", json_integer (ws.ws_row));
      json_object_set_new (o, "cols", json_integer (ws.ws_col));
    }
  if (raw && tcgetattr (STDIN_FILENO, &saved_tty) == 0)
    {
      struct termios t = saved_tty;
      cfmakeraw (&t);
      raw = tcsetattr (STDIN_FILENO, TCSANOW, &t) == 0;
    }
  else
    raw = FALSE;
  if (!rn_client_send (c, is_step ? "step" : "alloc", req, &err))
    {
      json_decref (req);
      g_printerr ("srun: error: %s\n", err->message);
      return 1;
    }
  json_decref (req);
  struct sigaction sa = { 0 };
  sa.sa_handler = srun_on_sigint;
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  if (raw)
    {
      struct sigaction wa = { 0 };
      wa.sa_handler = srun_on_winch;
      sigaction (SIGWINCH, &wa, NULL);
    }
  GHashTable *outs = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  gint64 job_id = 0, step_id = -1;
  gboolean started = is_step, said_queued = FALSE, input = flags.input;
  gint64 t_submit = g_get_monotonic_time ();
  int rc = 0;
  for (;;)
    {
      if (srun_interrupted)
        {
          if (job_id && !is_step)
            g_printerr ("srun: Job step aborted: Waiting up to 32 seconds for job step to finish.\n"
                        "srun: error: *** STEP %" G_GINT64_FORMAT ".0 CANCELLED ***\n", job_id);
          rc = 1;
          break;
        }
      int wait_ms = 500;
      if (raw && srun_resized && step_id >= 0)
        {
          /* --pty: the remote terminal follows this one's size (the task gets SIGWINCH) */
          srun_resized = 0;
          struct winsize now_ws;
          if (ioctl (STDIN_FILENO, TIOCGWINSZ, &now_ws) == 0 && now_ws.ws_row && now_ws.ws_col)
            {
              json_t *body = json_pack ("{s:I,s:I,s:i,s:i}", "job_id", (json_int_t) job_id,
                                        "step_id", (json_int_t) step_id, "rows", now_ws.ws_row,
                                        "cols", now_ws.ws_col);
              rn_client_send (c, "winsize", body, NULL);
              json_decref (body);
            }
        }
      if (input && step_id >= 0)
        {
          /* srun's input goes to the step's tasks as it comes; EOF closes their stdin */
          struct pollfd pf[2] = { { STDIN_FILENO, POLLIN, 0 }, { rn_client_fd (c), POLLIN, 0 } };
          if (poll (pf, 2, 500) < 0 && errno != EINTR)
            pf[0].revents = POLLERR;
          if (pf[0].revents)
            {
              char buf[32768];
              ssize_t n = read (STDIN_FILENO, buf, sizeof buf);
              if (n >= 0 || (errno != EINTR && errno != EAGAIN))
                {
                  g_autofree char *b64 = n > 0 ? g_base64_encode ((const guchar *) buf,
                                                                  (gsize) n) : NULL;
                  json_t *body = json_pack ("{s:I,s:I,s:s,s:b}", "job_id", (json_int_t) job_id,
                                            "step_id", (json_int_t) step_id,
                                            "data", b64 ? b64 : "", "eof", n <= 0);
                  rn_client_send (c, "stdin", body, NULL);
                  json_decref (body);
                  input = n > 0;
                }
            }
          wait_ms = pf[1].revents ? 100 : 0;
        }
      RnMsg msg;
      g_autoptr (GError) e2 = NULL;
      if (!rn_client_recv (c, &msg, wait_ms, &e2))
        {
          if (g_error_matches (e2, RN_ERROR, RN_ERROR_TIMEOUT))
            {
              if (!started && job_id && !said_queued
                  && g_get_monotonic_time () - t_submit > 1000000)
                {
                  g_printerr ("srun: job %" G_GINT64_FORMAT " queued and waiting for resources\n",
                              job_id);
                  said_queued = TRUE;
                }
              continue;
            }
          g_printerr ("srun: error: %s\n", e2->message);
          rc = 1;
          break;
        }
      const char *t = msg.type;
      if (g_str_equal (t, "error"))
        {
          const char *m = json_string_value (json_object_get (msg.body, "error"));
          if (is_step)
            g_printerr ("srun: error: Unable to create step for job %s: %s\n", jid, m);
          else
            g_printerr ("srun: error: Unable to allocate resources: %s\n", m);
          rn_msg_clear (&msg);
          rc = 1;
          break;
        }
      if (g_str_equal (t, "submitted"))
        job_id = json_integer_value (json_object_get (msg.body, "job_id"));
      else if (g_str_equal (t, "step_started"))
        {
          job_id = json_integer_value (json_object_get (msg.body, "job_id"));
          step_id = json_integer_value (json_object_get (msg.body, "step_id"));
        }
      else if (g_str_equal (t, "alloc_started"))
        {
          started = TRUE;
          step_id = 0;
          job_id = json_integer_value (json_object_get (msg.body, "job_id"));
          if (said_queued)
            g_printerr ("srun: job %" G_GINT64_FORMAT " has been allocated resources\n", job_id);
        }
      else if (g_str_equal (t, "io"))
        {
          gint64 task = json_integer_value (json_object_get (msg.body, "task"));
          const char *data = json_string_value (json_object_get (msg.body, "data"));
          const char *b64 = json_string_value (json_object_get (msg.body, "b64"));
          gsize blen = 0;
          g_autofree guchar *bytes = data == NULL && b64 ? g_base64_decode (b64, &blen) : NULL;
          gboolean is_err = g_strcmp0 (json_string_value (json_object_get (msg.body, "stream")),
                                       "err") == 0;
          FILE *f = is_err ? stderr : stdout;
          g_autofree char *as_text = NULL;   /* labelled lines are text */
          if (bytes && flags.label)
            data = as_text = g_utf8_make_valid ((const char *) bytes, (gssize) blen);
          if (bytes && !flags.label)
            srun_write (f, (const char *) bytes, blen);
          else if (data && !flags.label)
            srun_write (f, data, strlen (data));
          else if (data)
            {
              TaskOut *to = g_hash_table_lookup (outs, GSIZE_TO_POINTER ((gsize) task + 1));
              if (to == NULL)
                {
                  to = g_new0 (TaskOut, 1);
                  g_hash_table_insert (outs, GSIZE_TO_POINTER ((gsize) task + 1), to);
                }
              GString **b = &to->buf[is_err];
              if (*b == NULL)
                *b = g_string_new (NULL);
              g_string_append (*b, data);
              char *nl;
              while ((nl = strchr ((*b)->str, '\n')) != NULL)
                {
                  gsize n = (gsize) (nl - (*b)->str) + 1;
                  g_autofree char *pre = g_strdup_printf ("%" G_GINT64_FORMAT ": ", task);
                  srun_write (f, pre, strlen (pre));
                  srun_write (f, (*b)->str, n);
                  g_string_erase (*b, 0, (gssize) n);
                }
            }
        }
      else if (g_str_equal (t, "task_exit"))
        {
          gint64 code = json_integer_value (json_object_get (msg.body, "exit_code"));
          gint64 sig = json_integer_value (json_object_get (msg.body, "signal"));
          const char *node = json_string_value (json_object_get (msg.body, "node"));
          gint64 task = json_integer_value (json_object_get (msg.body, "task"));
          if (code != 0)
            g_printerr ("srun: error: %s: task %" G_GINT64_FORMAT ": Exited with exit code %"
                        G_GINT64_FORMAT "\n", node ? node : "?", task, code);
          else if (sig != 0)
            g_printerr ("srun: error: %s: task %" G_GINT64_FORMAT ": %s\n", node ? node : "?",
                        task, g_strsignal ((int) sig));
        }
      else if (g_str_equal (t, "step_done"))
        {
          gint64 code = json_integer_value (json_object_get (msg.body, "exit_code"));
          gint64 sig = json_integer_value (json_object_get (msg.body, "signal"));
          rc = code ? (int) code : sig ? 128 + (int) sig : 0;
          rn_msg_clear (&msg);
          break;
        }
      rn_msg_clear (&msg);
    }
  if (raw)
    tcsetattr (STDIN_FILENO, TCSANOW, &saved_tty);
  /* flush partial labelled lines */
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, outs);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      TaskOut *to = v;
      for (int s = 0; s < 2; s++)
        if (to->buf[s])
          {
            if (to->buf[s]->len)
              fprintf (s ? stderr : stdout, "%zu: %s\n", (gsize) k - 1, to->buf[s]->str);
            g_string_free (to->buf[s], TRUE);
          }
    }
  g_hash_table_destroy (outs);
  return rc;
}

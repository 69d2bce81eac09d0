/* SPDX-License-Identifier: MIT */
/* tests/realnet/test-abuse.c - protocol abuse against running daemons: a controller and two
 * node daemons on loopback (`sluice cluster up` in a temporary folder).
 *
 * Three targets get the same treatment: the controller's TCP port, its Unix socket and node
 * n1's TCP port (its Port= in the generated slurm.conf).  Random bytes, truncated, empty and
 * oversized frames, deeply nested JSON, unknown types and flags, bodies with a wrong field
 * type for every field of every message, bad, stale and replayed signatures; slow clients
 * holding half frames (or nothing) until the partial-frame timeout (10 s) closes them; a
 * connection flood past the limits; other users' jobs.  Throughout, honest clients (the
 * real squeue and sbatch) are served, and the controller's resident memory stays bounded.
 *
 * The cluster is started with a soft RLIMIT_NOFILE of 1024, so the controller's connection
 * budget is 960 (conn.c keeps 64 descriptors in reserve): the flood test reaches it without
 * thousands of sockets.  Tests that need a second uid (65534) run only as root.  Random
 * inputs come from g_test_rand_int: --seed replays a run.  Run by hand:
 * SLUICE_BIN=build/sluice build/tests/realnet_test_abuse */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/realnet/cluster-guard.h"
#include "realnet/client.h"
#include "realnet/config.h"
#include "realnet/proto.h"

static const char *sluice_bin;
static char *dir, *conf, *work, *bindir;
static RnConfig *cfg;
static RnKey key;
static guint16 node_port;
static pid_t ctld_pid;
static gint64 rss_start_kb;
static pid_t daemon_pids[8];   /* from DIR/pids, for on_abort */

/* A failed assertion aborts: take the cluster down with the test. */
static void
on_abort (int sig)
{
  for (gsize i = 0; i < G_N_ELEMENTS (daemon_pids); i++)
    if (daemon_pids[i] > 0)
      kill (daemon_pids[i], SIGKILL);
  signal (sig, SIG_DFL);
  raise (sig);
}

typedef enum { CTLD_TCP, CTLD_UNIX, NODE_TCP, N_TARGETS } Target;
static const char *const target_names[] = { "ctld-tcp", "ctld-unix", "node-tcp" };

/* ---- plumbing ---- */

static gint64
ctld_rss_kb (void)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) ctld_pid);
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  const char *p = strstr (text, "VmRSS:");
  return p ? g_ascii_strtoll (p + 6, NULL, 10) : -1;
}

static int
dial (Target t)
{
  int fd;
  if (t == CTLD_UNIX)
    {
      struct sockaddr_un sa = { .sun_family = AF_UNIX };
      g_strlcpy (sa.sun_path, cfg->socket_path, sizeof sa.sun_path);
      fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      g_assert_cmpint (fd, >=, 0);
      if (connect (fd, (struct sockaddr *) &sa, sizeof sa) != 0)
        g_error ("connect %s: %s", cfg->socket_path, g_strerror (errno));
      return fd;
    }
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  sa.sin_port = htons (t == NODE_TCP ? node_port : cfg->ctld_port);
  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  if (connect (fd, (struct sockaddr *) &sa, sizeof sa) != 0)
    g_error ("connect %s: %s", target_names[t], g_strerror (errno));
  return fd;
}

static void
send_all (int fd, const void *data, gsize len)
{
  const guint8 *d = data;
  while (len > 0)
    {
      ssize_t n = send (fd, d, len, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;   /* the peer hung up: what it sent back is what the test looks at */
      d += n;
      len -= (gsize) n;
    }
}

/* Reads what comes back until the peer closes (TRUE) or `ms` pass (FALSE). */
static gboolean
read_to_close (int fd, int ms, GByteArray *out)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
  for (;;)
    {
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      if (left <= 0)
        return FALSE;
      struct pollfd p = { .fd = fd, .events = POLLIN };
      if (poll (&p, 1, (int) left) <= 0)
        continue;
      guint8 buf[65536];
      ssize_t n = recv (fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return TRUE;
      if (out)
        g_byte_array_append (out, buf, (guint) n);
    }
}

/* The first frame of `bytes` decoded (signed with the key, or unsigned); FALSE if none. */
static gboolean
first_frame (GByteArray *bytes, RnMsg *msg)
{
  if (bytes->len < 4)
    return FALSE;
  guint32 len = rn_frame_peek_length (bytes->data);
  if (bytes->len < 4 + (gsize) len)
    return FALSE;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  if (rn_frame_decode (bytes->data + 4, len, &key, NULL, now, msg, NULL))
    return TRUE;
  rn_msg_clear (msg);
  if (rn_frame_decode (bytes->data + 4, len, NULL, NULL, now, msg, NULL))
    return TRUE;
  rn_msg_clear (msg);
  return FALSE;
}

/* Sends `data` on a new connection to `t`, half-closes, and requires the daemon to close
 * within 5 s.  Returns (transfer full) the first frame it answered with (type "" if none). */
static char *
exchange (Target t, const void *data, gsize len, gint64 *code, char **message)
{
  int fd = dial (t);
  send_all (fd, data, len);
  shutdown (fd, SHUT_WR);
  g_autoptr (GByteArray) got = g_byte_array_new ();
  gboolean closed = read_to_close (fd, 5000, got);
  close (fd);
  if (!closed)
    g_error ("%s: the daemon kept a connection open 5 s after a bad input", target_names[t]);
  RnMsg msg;
  if (!first_frame (got, &msg))
    return g_strdup ("");
  if (code)
    *code = json_integer_value (json_object_get (msg.body, "code"));
  if (message)
    *message = g_strdup (json_string_value (json_object_get (msg.body, "error")));
  char *type = g_strdup (msg.type);
  rn_msg_clear (&msg);
  return type;
}

/* A frame around the envelope `env` (transfer full): signed with `k` when set. */
static GBytes *
frame_of (json_t *env, const RnKey *k, guint8 flags)
{
  char *text = json_dumps (env, JSON_COMPACT);
  json_decref (env);
  gsize tl = strlen (text), pl = 1 + tl + (k ? RN_MAC_LEN : 0);
  guint8 *b = g_malloc (4 + pl);
  b[0] = (guint8) (pl >> 24);
  b[1] = (guint8) (pl >> 16);
  b[2] = (guint8) (pl >> 8);
  b[3] = (guint8) pl;
  b[4] = flags;
  memcpy (b + 5, text, tl);
  free (text);
  if (k)
    {
      GHmac *h = g_hmac_new (G_CHECKSUM_SHA256, k->bytes, RN_KEY_LEN);
      g_hmac_update (h, b + 4, (gssize) (1 + tl));
      gsize n = RN_MAC_LEN;
      g_hmac_get_digest (h, b + 5 + tl, &n);
      g_hmac_unref (h);
    }
  return g_bytes_new_take (b, 4 + pl);
}

/* An envelope of `type` with `body` (transfer full), signed as uid 0 at `ts`. */
static json_t *
envelope (const char *type, json_t *body, gboolean sign, gint64 ts)
{
  json_t *env = json_pack ("{s:i,s:s,s:i,s:o}", "v", 1, "type", type, "seq", 7, "body", body);
  if (sign)
    {
      g_autofree char *nonce = g_strdup_printf ("%08x%08x%08x%08x", g_test_rand_int (),
                                                g_test_rand_int (), g_test_rand_int (),
                                                g_test_rand_int ());
      json_object_set_new (env, "auth", json_pack ("{s:i,s:i,s:I,s:s}", "uid", 0, "gid", 0,
                                                   "ts", (json_int_t) ts, "nonce", nonce));
    }
  return env;
}

/* An honest frame for target `t`: signed on TCP, plain on the Unix socket. */
static GBytes *
honest_frame (Target t, const char *type, json_t *body)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean tcp = t != CTLD_UNIX;
  return frame_of (envelope (type, body, tcp, now), tcp ? &key : NULL, tcp ? RN_FRAME_SIGNED : 0);
}

static char *
exchange_bytes (Target t, GBytes *b, gint64 *code, char **message)
{
  gsize len;
  const void *d = g_bytes_get_data (b, &len);
  return exchange (t, d, len, code, message);
}

/* ---- honest clients ---- */

static uid_t child_uid = 0;

static void
child_setup (gpointer data)
{
  (void) data;
  if (child_uid != 0 && (setgid (child_uid) != 0 || setuid (child_uid) != 0))
    _exit (126);
}

/* Runs a command of bin/ with the cluster's environment; returns its exit status. */
static int
run (const char *cmdline, char **out, char **err)
{
  g_auto (GStrv) argv = NULL;
  g_assert_true (g_shell_parse_argv (cmdline, NULL, &argv, NULL));
  g_auto (GStrv) envp = g_get_environ ();
  envp = g_environ_setenv (envp, "SLUICE_CONF", conf, TRUE);
  g_autofree char *path = g_strdup_printf ("%s:%s", bindir, g_getenv ("PATH"));
  envp = g_environ_setenv (envp, "PATH", path, TRUE);
  int status = -1;
  g_autoptr (GError) error = NULL;
  g_autofree char *o = NULL, *e = NULL;   /* never the test's own stdout: it is TAP */
  g_assert_true (g_spawn_sync (work, argv, envp, G_SPAWN_SEARCH_PATH_FROM_ENVP, child_setup,
                               NULL, &o, &e, &status, &error));
  if (out)
    *out = g_steal_pointer (&o);
  if (err)
    *err = g_steal_pointer (&e);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* A signed ping to node n1's port answers "pong".  Right after a flood the daemon may not
 * yet have read the EOFs of the closed connections (slow under sanitizers), so a "too many"
 * refusal is retried for a few seconds; any other error fails at once. */
static void
assert_node_alive (void)
{
  g_autoptr (GError) err = NULL;
  json_t *rep = NULL;
  char *type = NULL;
  for (int attempt = 0;; attempt++)
    {
      g_autoptr (RnClient) c = rn_client_connect_tcp ("127.0.0.1", node_port, &key, 0, 0, &err);
      g_assert_no_error (err);
      rep = rn_client_call (c, "ping", NULL, &type, &err);
      if (err == NULL || attempt >= 50 || strstr (err->message, "too many") == NULL)
        break;
      g_clear_error (&err);
      g_usleep (100000);
    }
  g_assert_no_error (err);
  g_assert_cmpstr (type, ==, "pong");
  g_free (type);
  json_decref (rep);
}

/* The controller runs, answers squeue, takes a job and keeps its memory. */
static void
assert_alive (void)
{
  g_assert_cmpint (kill (ctld_pid, 0), ==, 0);
  g_autofree char *err = NULL;
  g_assert_cmpint (run ("squeue -h", NULL, &err), ==, 0);
  g_autofree char *out = NULL, *err2 = NULL;
  int rc = run ("sbatch --parsable --hold -J honest --wrap=true", &out, &err2);
  if (rc != 0)
    g_error ("sbatch: %s", err2);
  assert_node_alive ();
  gint64 rss = ctld_rss_kb ();
  g_test_message ("controller RSS %" G_GINT64_FORMAT " kB (at start %" G_GINT64_FORMAT " kB)",
                  rss, rss_start_kb);
  /* ASan's quarantine keeps up to 256 MiB of freed blocks resident */
  gint64 slack_kb = (g_getenv ("ASAN_OPTIONS") ? 768 : 256) * 1024;
  g_assert_cmpint (rss, <, rss_start_kb + slack_kb);
}

/* ---- tests ---- */

static void
test_garbage (void)
{
  for (int t = 0; t < N_TARGETS; t++)
    for (int i = 0; i < 40; i++)
      {
        gsize len = (gsize) g_test_rand_int_range (1, 4096);
        g_autofree guint8 *b = g_malloc (len);
        for (gsize j = 0; j < len; j++)
          b[j] = (guint8) g_test_rand_int_range (0, 256);
        if (i % 2 == 0 && len >= 4)   /* a plausible length prefix, then noise */
          {
            guint32 l = (guint32) g_test_rand_int_range (1, 2 * (int) len);
            b[0] = 0, b[1] = (guint8) (l >> 16), b[2] = (guint8) (l >> 8), b[3] = (guint8) l;
          }
        g_free (exchange ((Target) t, b, len, NULL, NULL));
      }
  assert_alive ();
}

/* One bad frame on target t: the daemon answers an error naming `what` (a substring of its
 * message) and closes. */
static void
expect_error (Target t, GBytes *b, const char *what, gint64 code)
{
  gint64 got = 0;
  g_autofree char *m = NULL;
  g_autofree char *type = exchange_bytes (t, b, &got, &m);
  if (!g_str_equal (type, "error") || (what && (m == NULL || strstr (m, what) == NULL))
      || (code && got != code))
    g_error ("%s: expected an error \"%s\" (code %" G_GINT64_FORMAT "), got %s %" G_GINT64_FORMAT
             " \"%s\"", target_names[t], what ? what : "", code, type, got, m ? m : "");
  g_bytes_unref (b);
}

static void
test_bad_frames (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  for (int ti = 0; ti < N_TARGETS; ti++)
    {
      Target t = (Target) ti;
      gboolean tcp = t != CTLD_UNIX;
      const RnKey *k = tcp ? &key : NULL;
      guint8 flags = tcp ? RN_FRAME_SIGNED : 0;
      /* length prefixes: huge, zero, one past the limit */
      static const guint8 huge[] = { 0xff, 0xff, 0xff, 0xff, 0, '{' };
      static const guint8 zero[] = { 0, 0, 0, 0, 0, 0 };
      static const guint8 over[] = { 0x00, 0x40, 0x00, 0x01, 0 };
      expect_error (t, g_bytes_new_static (huge, sizeof huge), "refused", RN_ERROR_PROTOCOL);
      expect_error (t, g_bytes_new_static (zero, sizeof zero), "refused", RN_ERROR_PROTOCOL);
      expect_error (t, g_bytes_new_static (over, sizeof over), "refused", RN_ERROR_PROTOCOL);
      /* truncated frames: the peer hangs up mid-frame; the daemon closes, says nothing */
      GBytes *whole = honest_frame (t, "ping", json_object ());
      gsize wl;
      const guint8 *wd = g_bytes_get_data (whole, &wl);
      for (gsize cut = 1; cut < wl; cut += 1 + wl / 7)
        {
          g_autofree char *type = exchange (t, wd, cut, NULL, NULL);
          g_assert_cmpstr (type, ==, "");
        }
      g_bytes_unref (whole);
      /* nesting: 33 levels and 100,000 */
      for (int depth = 33; depth <= 100000; depth = depth == 33 ? 100000 : depth + 1)
        {
          GString *text = g_string_new ("{\"v\":1,\"type\":\"ping\",\"body\":{\"x\":");
          for (int i = 0; i < depth; i++)
            g_string_append_c (text, '[');
          for (int i = 0; i < depth; i++)
            g_string_append_c (text, ']');
          g_string_append (text, "}}");
          gsize pl = 1 + text->len + (k ? RN_MAC_LEN : 0);
          guint8 *b = g_malloc (4 + pl);
          b[0] = (guint8) (pl >> 24), b[1] = (guint8) (pl >> 16), b[2] = (guint8) (pl >> 8);
          b[3] = (guint8) pl, b[4] = flags;
          memcpy (b + 5, text->str, text->len);
          if (k)
            {
              GHmac *h = g_hmac_new (G_CHECKSUM_SHA256, k->bytes, RN_KEY_LEN);
              g_hmac_update (h, b + 4, (gssize) (1 + text->len));
              gsize n = RN_MAC_LEN;
              g_hmac_get_digest (h, b + 5 + text->len, &n);
              g_hmac_unref (h);
            }
          g_string_free (text, TRUE);
          expect_error (t, g_bytes_new_take (b, 4 + pl), "nested deeper", RN_ERROR_PROTOCOL);
        }
      /* a frame of exactly the largest size, holding no JSON */
      {
        gsize pl = RN_MAX_REQUEST;
        guint8 *b = g_malloc (4 + pl);
        b[0] = (guint8) (pl >> 24), b[1] = (guint8) (pl >> 16), b[2] = (guint8) (pl >> 8);
        b[3] = (guint8) pl, b[4] = flags;
        memset (b + 5, 'x', pl - 1);
        expect_error (t, g_bytes_new_take (b, 4 + pl), tcp ? "bad signature" : "malformed", 0);
      }
      /* envelopes: unknown type, version, flags, not an object, body not an object */
      expect_error (t, honest_frame (t, "frobnicate", json_object ()), "frobnicate",
                    RN_ERROR_PROTOCOL);
      json_t *v2 = envelope ("ping", json_object (), tcp, now);
      json_object_set_new (v2, "v", json_integer (2));
      expect_error (t, frame_of (v2, k, flags), "version", RN_ERROR_PROTOCOL);
      expect_error (t, frame_of (envelope ("ping", json_object (), tcp, now), k, flags | 0x80),
                    "flags", RN_ERROR_PROTOCOL);
      json_t *arr = envelope ("ping", json_object (), tcp, now);
      json_object_set_new (arr, "body", json_array ());
      expect_error (t, frame_of (arr, k, flags), "body", RN_ERROR_PROTOCOL);
      if (tcp)
        {
          /* unsigned, badly signed, stale, replayed, bad auth fields */
          expect_error (t, frame_of (envelope ("ping", json_object (), FALSE, now), NULL, 0),
                        "unsigned", RN_ERROR_AUTH);
          GBytes *good = honest_frame (t, "ping", json_object ());
          gsize gl;
          guint8 *bad = g_memdup2 (g_bytes_get_data (good, &gl), g_bytes_get_size (good));
          bad[gl - 1] ^= 1;
          expect_error (t, g_bytes_new_take (bad, gl), "bad signature", RN_ERROR_AUTH);
          RnKey other = key;
          other.bytes[0] ^= 0x55;
          expect_error (t, frame_of (envelope ("ping", json_object (), TRUE, now), &other, 1),
                        "bad signature", RN_ERROR_AUTH);
          expect_error (t, frame_of (envelope ("ping", json_object (), TRUE, now - 3600), k, 1),
                        "stale", RN_ERROR_AUTH);
          expect_error (t, frame_of (envelope ("ping", json_object (), TRUE, now + 3600), k, 1),
                        "stale", RN_ERROR_AUTH);
          g_autofree char *first = exchange_bytes (t, good, NULL, NULL);
          g_assert_cmpstr (first, ==, "pong");
          expect_error (t, good, "replayed", RN_ERROR_AUTH);   /* the same bytes again */
          json_t *na = envelope ("ping", json_object (), TRUE, now);
          json_object_set_new (json_object_get (na, "auth"), "nonce", json_string ("short"));
          expect_error (t, frame_of (na, k, 1), "auth", RN_ERROR_AUTH);
          json_t *nu = envelope ("ping", json_object (), TRUE, now);
          json_object_set_new (json_object_get (nu, "auth"), "uid", json_integer (-1));
          expect_error (t, frame_of (nu, k, 1), "auth", RN_ERROR_AUTH);
        }
      else
        expect_error (t, frame_of (envelope ("ping", json_object (), TRUE, now), &key, 1),
                      "signed frame", RN_ERROR_PROTOCOL);
    }
  assert_alive ();
}

/* Every field of every message (docs/realnet.md), with its kind: s string, i integer,
 * n number, b boolean, v string array, I integer array, o object. */
static const struct {
  const char *type, *fields;
} message_fields[] = {
  { "submit", "name:s script:s workdir:s environment:v partition:s ntasks:i cpus_per_task:i "
              "mem_per_node_mb:i time_limit:i array:s dependency:s hold:b begin:i "
              "exclusive:b nice:i interactive:o" },
  { "alloc", "workdir:s interactive:o ntasks:i" },
  { "job_list", "job_ids:v users:v states:v partitions:v names:v expand_arrays:b" },
  { "node_list", "nodes:v" },
  { "part_list", "" },
  { "config", "" },
  { "ping", "" },
  { "cancel", "job_ids:v user:s states:v name:s partition:s signal:i" },
  { "update_job", "job_id:s time_limit:i hold:b requeue:b" },
  { "update_node", "nodes:s state:s reason:s" },
  { "acct_query", "job_ids:v users:v states:v start:i end:i" },
  { "step", "job_id:i argv:v ntasks:i nodes:i label:b" },
  { "register", "name:s port:i cpus:i real_memory:i gpus:i boot_time:i running:I" },
  { "heartbeat", "name:s load:n free_mem:i running:I" },
  { "job_exit", "job_id:i state:s exit_code:i signal:i cpu_seconds:n max_rss_kb:i end_time:i" },
  { "io", "job_id:i step_id:i task:i stream:s data:s" },
  { "task_exit", "job_id:i step_id:i task:i exit_code:i signal:i" },
  { "signal", "job_id:i signal:i cancel:b" },
  { "launch", "job_id:i uid:i gid:i user:s script:s workdir:s environment:v node_names:v "
              "gpu_ids:I tasks_per_node:s time_limit:i ntasks:i cpus_on_node:i stdout:s" },
  { "step_launch", "job_id:i step_id:i argv:v task_ids:I node_names:v ntasks:i" },
};

/* A value of each kind, as JSON text; a field gets every one not of its kind. */
static const struct {
  char        kind;   /* the kind this value satisfies, 0: none */
  const char *json;
} wrong_values[] = {
  { 's', "\"x\"" }, { 'i', "1" }, { 'i', "-9223372036854775808" }, { 'n', "1.5e300" },
  { 'b', "true" }, { 'A', "[]" }, { 'o', "{}" }, { 0, "[1,\"a\",null]" }, { 'v', "[\"a\"]" },
  { 'I', "[1]" }, { 0, "{\"argv\":5}" },
};

static gboolean
value_fits (char kind, char vkind)
{
  if (kind == vkind)
    return TRUE;
  return (kind == 'n' && vkind == 'i')                         /* an integer is a number */
         || ((kind == 'v' || kind == 'I') && vkind == 'A');    /* [] is any array */
}

static void
test_wrong_types (void)
{
  guint sent = 0, errors = 0;
  for (int ti = 0; ti < N_TARGETS; ti++)
    for (gsize m = 0; m < G_N_ELEMENTS (message_fields); m++)
      {
        g_auto (GStrv) fields = g_strsplit (message_fields[m].fields, " ", -1);
        for (guint f = 0; fields[f] && fields[f][0]; f++)
          {
            char *colon = strchr (fields[f], ':');
            g_assert_nonnull (colon);
            *colon = '\0';
            char kind = colon[1];
            for (gsize w = 0; w < G_N_ELEMENTS (wrong_values); w++)
              {
                if (value_fits (kind, wrong_values[w].kind))
                  continue;
                json_t *body = json_object ();
                json_object_set_new (body, fields[f], json_loads (wrong_values[w].json,
                                                                  JSON_DECODE_ANY, NULL));
                g_autoptr (GBytes) b = honest_frame ((Target) ti, message_fields[m].type, body);
                g_autofree char *type = exchange_bytes ((Target) ti, b, NULL, NULL);
                sent++;
                errors += g_str_equal (type, "error");
                /* the validator knows every field but the launch requests' */
                if (!g_str_has_suffix (message_fields[m].type, "launch")
                    && !g_str_equal (type, "error"))
                  g_error ("%s: %s {\"%s\": %s} was answered with \"%s\", not an error",
                           target_names[ti], message_fields[m].type, fields[f],
                           wrong_values[w].json, type);
              }
          }
      }
  g_test_message ("%u frames with a wrong field type, %u answered with an error", sent, errors);
  assert_alive ();
}

/* ---- slow clients ---- */

typedef struct {
  int    fd;
  Target t;
  gint64 opened, closed;   /* monotonic µs; closed 0 while open */
  int    trickle;          /* bytes sent one by one so far (trickling clients) */
} Slow;

static void
poll_closed (GArray *slow)
{
  for (guint i = 0; i < slow->len; i++)
    {
      Slow *s = &g_array_index (slow, Slow, i);
      if (s->closed)
        continue;
      guint8 buf[512];
      ssize_t n = recv (s->fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
        s->closed = g_get_monotonic_time ();
    }
}

static void
test_slow_clients (void)
{
  GArray *slow = g_array_new (FALSE, TRUE, sizeof (Slow));
  static const guint8 half[] = { 0, 0, 0, 100, 0, '{', '"', 'v', '"', ':' };
  const int counts[N_TARGETS] = { 150, 100, 60 };
  for (int t = 0; t < N_TARGETS; t++)
    for (int i = 0; i < counts[t]; i++)
      {
        Slow s = { dial ((Target) t), (Target) t, g_get_monotonic_time (), 0, -1 };
        if (i % 3 == 0)
          ;                                   /* holds the connection, sends nothing */
        else if (i % 3 == 1)
          send_all (s.fd, half, sizeof half); /* half a frame */
        else if (i < 3 * 3)
          s.trickle = 0;                      /* a few send one byte a second */
        else
          send_all (s.fd, half, 3);           /* part of a length prefix */
        g_array_append_val (slow, s);
      }
  /* meanwhile honest clients are served, and not slowly */
  gint64 t0 = g_get_monotonic_time ();
  double worst = 0;
  int honest = 0;
  gboolean all_closed = FALSE;
  gint64 last_trickle = 0;
  while (!all_closed && g_get_monotonic_time () - t0 < 20 * G_USEC_PER_SEC)
    {
      gint64 now = g_get_monotonic_time ();
      if (now - last_trickle >= G_USEC_PER_SEC)
        {
          last_trickle = now;
          for (guint i = 0; i < slow->len; i++)
            {
              Slow *s = &g_array_index (slow, Slow, i);
              if (s->trickle >= 0 && !s->closed && s->trickle < (int) sizeof half)
                send_all (s->fd, half + s->trickle++, 1);
            }
        }
      gint64 a = g_get_monotonic_time ();
      g_autofree char *err = NULL;
      const char *cmd = honest % 2 ? "squeue -h" : "sbatch --hold -J honest --wrap=true";
      if (run (cmd, NULL, &err) != 0)
        g_error ("%s failed while slow clients held connections: %s", cmd, err);
      if (honest % 5 == 0)
        assert_node_alive ();
      worst = MAX (worst, (g_get_monotonic_time () - a) / 1e6);
      honest++;
      poll_closed (slow);
      all_closed = TRUE;
      for (guint i = 0; i < slow->len; i++)
        all_closed = all_closed && g_array_index (slow, Slow, i).closed != 0;
    }
  double latest = 0;
  guint open = 0;
  for (guint i = 0; i < slow->len; i++)
    {
      Slow *s = &g_array_index (slow, Slow, i);
      if (s->closed == 0)
        open++;
      else
        latest = MAX (latest, (s->closed - s->opened) / 1e6);
      close (s->fd);
    }
  g_test_message ("%u slow connections, the last closed after %.1f s; %d honest commands "
                  "meanwhile, the slowest took %.2f s", slow->len, latest, honest, worst);
  g_array_unref (slow);
  g_assert_cmpuint (open, ==, 0);
  g_assert_cmpfloat (latest, <=, 15.0);
  g_assert_cmpfloat (worst, <, 3.0);
  assert_alive ();
}

/* ---- floods ---- */

/* Opens up to `n` connections to `t`; returns how many the daemon refused (it answers those
 * with a "too many" error and closes them).  The accepted ones stay in `fds`. */
static guint
flood (Target t, guint n, GArray *fds)
{
  guint refused = 0;
  for (guint i = 0; i < n; i++)
    {
      int fd = dial (t);
      g_array_append_val (fds, fd);
    }
  /* give the daemon time to accept them all, then look for refusals */
  g_usleep (500000);
  for (guint i = 0; i < fds->len; i++)
    {
      int fd = g_array_index (fds, int, i);
      guint8 buf[512];
      ssize_t r = recv (fd, buf, sizeof buf, MSG_DONTWAIT);
      if (r > 0 && memmem (buf, (gsize) r, "too many", 8) != NULL)
        refused++;
    }
  return refused;
}

static void
close_all (GArray *fds)
{
  for (guint i = 0; i < fds->len; i++)
    close (g_array_index (fds, int, i));
  g_array_set_size (fds, 0);
}

static void
test_flood (void)
{
  g_autoptr (GArray) fds = g_array_new (FALSE, FALSE, sizeof (int));
  /* TCP without the key: at most a quarter of the 960 connections */
  guint refused = flood (CTLD_TCP, 400, fds);
  g_test_message ("400 unauthenticated TCP connections: %u refused", refused);
  g_assert_cmpuint (refused, >=, 400 - 240);
  assert_alive ();   /* over the Unix socket, as this user */
  close_all (fds);
  /* the node daemon has the same budget */
  refused = flood (NODE_TCP, 400, fds);
  g_assert_cmpuint (refused, >=, 400 - 240);
  close_all (fds);
  assert_node_alive ();

  /* past the whole budget: 1,100 connections on the Unix socket */
  refused = flood (CTLD_UNIX, 1100, fds);
  g_test_message ("1100 Unix connections from uid %u: %u refused", (guint) getuid (), refused);
  g_assert_cmpuint (refused, >=, 1100 - 960);
  close_all (fds);
  /* the controller reads the EOFs of the closed connections in its own time (slow under
   * sanitizers): until it has, "too many connections" is the right answer */
  for (int attempt = 0; attempt < 50; attempt++)
    {
      g_autofree char *err = NULL;
      if (run ("squeue -h", NULL, &err) == 0)
        break;
      g_assert_nonnull (strstr (err, "too many"));
      g_usleep (100000);
    }
  assert_alive ();

  if (getuid () != 0)
    {
      g_test_message ("not root: the per-uid budget is not tried");
      return;
    }
  /* another user's flood takes at most 1/8 of the budget; root's squeue goes on */
  int ready[2], release[2];
  g_assert_cmpint (pipe (ready), ==, 0);
  g_assert_cmpint (pipe (release), ==, 0);
  pid_t pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      if (setgid (65534) != 0 || setuid (65534) != 0)
        _exit (126);
      GArray *mine = g_array_new (FALSE, FALSE, sizeof (int));
      guint r = flood (CTLD_UNIX, 300, mine);
      if (write (ready[1], &r, sizeof r) != sizeof r)
        _exit (1);
      char c;
      if (read (release[0], &c, 1) < 0)
        _exit (1);
      _exit (0);
    }
  guint child_refused = 0;
  g_assert_cmpint (read (ready[0], &child_refused, sizeof child_refused), ==,
                   sizeof child_refused);
  g_test_message ("300 Unix connections from uid 65534: %u refused", child_refused);
  g_assert_cmpuint (child_refused, >=, 300 - 120);
  assert_alive ();
  g_assert_cmpint (write (release[1], "x", 1), ==, 1);
  int status;
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  close (ready[0]), close (ready[1]), close (release[0]), close (release[1]);
}

/* ---- other users' jobs ---- */

static void
test_other_users (void)
{
  if (getuid () != 0)
    {
      g_test_skip ("needs root to run a second uid");
      return;
    }
  g_autofree char *out = NULL;
  g_assert_cmpint (run ("sbatch --parsable --hold -J mine --wrap=true", &out, NULL), ==, 0);
  guint id = (guint) g_ascii_strtoull (out, NULL, 10);
  g_assert_cmpuint (id, >, 0);
  const char *attempts[] = { "scancel ", "scontrol hold ", "scontrol release ",
                             "scontrol update TimeLimit=5 JobId=", "scontrol requeue " };
  child_uid = 65534;
  for (gsize i = 0; i < G_N_ELEMENTS (attempts); i++)
    {
      g_autofree char *cmd = g_strdup_printf ("%s%u", attempts[i], id);
      g_autofree char *err = NULL;
      int rc = run (cmd, NULL, &err);
      if (rc == 0 || strstr (err, "Access/permission denied") == NULL)
        g_error ("%s as uid 65534: exit %d: %s", cmd, rc, err);
    }
  /* scancel -u root, and node-daemon messages, from nobody */
  g_autofree char *err = NULL;
  run ("scancel -u root", NULL, &err);
  g_autofree char *drain = NULL;
  int rc = run ("scontrol update NodeName=n1 State=DRAIN Reason=evil", NULL, &drain);
  child_uid = 0;
  g_assert_cmpint (rc, !=, 0);
  g_autofree char *st = NULL;
  g_autofree char *cmd = g_strdup_printf ("squeue -h -j %u -o %%T", id);
  g_assert_cmpint (run (cmd, &st, NULL), ==, 0);
  g_assert_cmpstr (g_strstrip (st), ==, "PENDING");
  g_autofree char *ninfo = NULL;
  run ("sinfo -h -N -n n1 -o %t", &ninfo, NULL);
  g_assert_cmpstr (g_strstrip (ninfo), ==, "idle");

  /* register / job_exit over the Unix socket as nobody */
  pid_t pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      if (setgid (65534) != 0 || setuid (65534) != 0)
        _exit (126);
      const char *types[] = { "register", "heartbeat", "job_exit" };
      for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
        {
          g_autoptr (RnClient) c = rn_client_connect_unix (cfg->socket_path, NULL);
          if (c == NULL)
            _exit (2);
          json_t *body = json_pack ("{s:s,s:i,s:s}", "name", "n1", "job_id", id, "state",
                                    "COMPLETED");
          g_autoptr (GError) e = NULL;
          json_t *rep = rn_client_call (c, types[i], body, NULL, &e);
          json_decref (body);
          if (rep != NULL || e == NULL || e->code != RN_ERROR_AUTH)
            _exit (3);
        }
      _exit (0);
    }
  int status;
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_autofree char *st2 = NULL;
  run (cmd, &st2, NULL);
  g_assert_cmpstr (g_strstrip (st2), ==, "PENDING");
  assert_alive ();
}

/* ---- main ---- */

static guint16
node_port_of (const char *conf_path, const char *node)
{
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (conf_path, &text, NULL, NULL));
  g_autofree char *needle = g_strdup_printf ("NodeName=%s ", node);
  const char *p = strstr (text, needle);
  g_assert_nonnull (p);
  const char *q = strstr (p, " Port=");
  g_assert_nonnull (q);
  return (guint16) g_ascii_strtoull (q + 6, NULL, 10);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);
  sluice_bin = g_getenv ("SLUICE_BIN");
  if (sluice_bin == NULL)
    {
      g_printerr ("SLUICE_BIN must name the sluice binary\n");
      return 1;
    }
  g_autofree char *bin_dir = g_path_get_dirname (sluice_bin);
  bindir = g_build_filename (bin_dir, "bin", NULL);
  dir = g_dir_make_tmp ("sluice-abuse-XXXXXX", NULL);
  chmod (dir, 0755);
  work = g_build_filename (dir, "work", NULL);
  g_mkdir (work, 0777);
  chmod (work, 0777);
  conf = g_build_filename (dir, "slurm.conf", NULL);
  /* the daemons get 1024 descriptors (a budget of 960 connections); this process keeps more */
  struct rlimit rl, saved;
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  if (saved.rlim_max < 4096)
    {
      g_print ("1..0 # SKIP needs a hard RLIMIT_NOFILE of 4096\n");
      return 0;
    }
  rl = saved;
  rl.rlim_cur = 1024;
  setrlimit (RLIMIT_NOFILE, &rl);
  g_autofree char *up = g_strdup_printf ("%s cluster up -q -n 2 --cpus 2 --dir %s", sluice_bin,
                                         dir);
  int status = 0;
  g_autofree char *uperr = NULL, *upout = NULL;
  gboolean started = g_spawn_command_line_sync (up, &upout, &uperr, &status, NULL);
  rl.rlim_cur = MIN (saved.rlim_max, (rlim_t) 8192);
  setrlimit (RLIMIT_NOFILE, &rl);
  if (!started || status != 0)
    {
      g_printerr ("cluster up failed: %s\n", uperr ? uperr : "");
      return 1;
    }
  cluster_guard_arm (sluice_bin, dir);
  cfg = rn_config_load (conf, FALSE, NULL);
  g_autoptr (GError) err = NULL;
  if (!rn_key_load (&key, cfg->key_path, &err))
    g_error ("%s", err->message);
  node_port = node_port_of (conf, "n1");
  g_autofree char *pids = g_build_filename (dir, "pids", NULL);
  g_autofree char *ptext = NULL;
  g_assert_true (g_file_get_contents (pids, &ptext, NULL, NULL));
  ctld_pid = (pid_t) g_ascii_strtoll (ptext, NULL, 10);
  g_auto (GStrv) plines = g_strsplit (ptext, "\n", G_N_ELEMENTS (daemon_pids));
  for (guint i = 0; plines[i] && i < G_N_ELEMENTS (daemon_pids); i++)
    daemon_pids[i] = (pid_t) g_ascii_strtoll (plines[i], NULL, 10);
  signal (SIGABRT, on_abort);
  rss_start_kb = ctld_rss_kb ();

  g_test_add_func ("/abuse/garbage", test_garbage);
  g_test_add_func ("/abuse/bad-frames", test_bad_frames);
  g_test_add_func ("/abuse/wrong-types", test_wrong_types);
  g_test_add_func ("/abuse/other-users", test_other_users);
  g_test_add_func ("/abuse/slow-clients", test_slow_clients);
  g_test_add_func ("/abuse/flood", test_flood);
  int rc = g_test_run ();
  g_autofree char *down = g_strdup_printf ("%s cluster down --dir %s", sluice_bin, dir);
  g_spawn_command_line_sync (down, NULL, NULL, NULL, NULL);
  if (rc == 0 && !g_getenv ("SLUICE_KEEP_CLUSTER"))
    {
      g_autofree char *rm = g_strdup_printf ("rm -rf %s", dir);
      g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL);
    }
  else
    g_printerr ("cluster folder kept: %s\n", dir);
  rn_config_free (cfg);
  return rc;
}

/* SPDX-License-Identifier: MIT */
/* realnet/log.c - the daemons' log lines (see log.h). */
#include "realnet/log.h"

#include <stdio.h>

static char *log_prefix;
static gboolean log_quiet;

void
rn_log_setup (const char *prefix, gboolean quiet)
{
  g_free (log_prefix);
  log_prefix = g_strdup (prefix);
  log_quiet = quiet;
}

void
rn_log (const char *fmt, ...)
{
  if (log_quiet)
    return;
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *m = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_autoptr (GDateTime) dt = g_date_time_new_now_local ();
  g_autofree char *ts = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  if (log_prefix)
    fprintf (stderr, "[%s] %s: %s\n", ts, log_prefix, m);
  else
    fprintf (stderr, "[%s] %s\n", ts, m);
}

void
rn_log_refused (const char *peer, const char *why, gpointer data)
{
  (void) data;
  static gint64 window;
  static guint n, dropped;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  if (now - window >= 60)
    {
      if (dropped)
        rn_log ("refused frames: %u more not logged in the last minute", dropped);
      window = now;
      n = dropped = 0;
    }
  if (n++ < 20)
    rn_log ("refused a frame from %s: %s", peer, why);
  else
    dropped++;
}

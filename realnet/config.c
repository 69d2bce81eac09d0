/* SPDX-License-Identifier: MIT */
/* realnet/config.c - the daemons' and commands' settings from slurm.conf (see config.h). */
#include "realnet/config.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>

const char *
rn_config_default_path (const char *explicit_path)
{
  if (explicit_path && *explicit_path)
    return explicit_path;
  const char *e = g_getenv ("SLUICE_CONF");
  if (e && *e)
    return e;
  e = g_getenv ("SLURM_CONF");
  if (e && *e)
    return e;
  return "/etc/sluice/slurm.conf";
}

static void
quiet_warn (const char *message, gpointer data)
{
  (void) message;
  (void) data;
}

static gboolean
uid_of (const char *name, guint32 *uid)
{
  char *end;
  guint64 n = g_ascii_strtoull (name, &end, 10);
  if (*name && *end == '\0' && n <= G_MAXUINT32)
    {
      *uid = (guint32) n;
      return TRUE;
    }
  struct passwd *pw = getpwnam (name);
  if (pw == NULL)
    return FALSE;
  *uid = pw->pw_uid;
  return TRUE;
}

RnConfig *
rn_config_load (const char *path, gboolean warn, GError **error)
{
  WlSlurmConfOptions opts = { 0 };
  if (!warn)
    opts.warn_func = quiet_warn;
  WlSlurmConf *conf = wl_slurmconf_load (path, &opts, error);
  if (conf == NULL)
    return NULL;
  g_autoptr (RnConfig) cfg = g_new0 (RnConfig, 1);
  cfg->path = g_strdup (path);
  cfg->conf = conf;
  const char *v = wl_slurmconf_cluster_name (conf);
  cfg->cluster_name = g_strdup (v ? v : "cluster");
  const char **hosts = wl_slurmconf_get_all (conf, "SlurmctldHost");
  const char *host = hosts && hosts[0] ? hosts[0] : wl_slurmconf_get (conf, "ControlMachine");
  g_free (hosts);
  if (host == NULL)
    host = "localhost";
  const char *paren = strchr (host, '(');
  if (paren)
    {
      cfg->ctld_name = g_strndup (host, (gsize) (paren - host));
      const char *close = strchr (paren, ')');
      cfg->ctld_addr = close ? g_strndup (paren + 1, (gsize) (close - paren - 1))
                             : g_strdup (paren + 1);
    }
  else
    {
      cfg->ctld_name = g_strdup (host);
      cfg->ctld_addr = g_strdup (host);
    }
  gint64 port = 6817;
  if (!wl_slurmconf_get_int (conf, "SlurmctldPort", &port, error))
    return NULL;
  cfg->ctld_port = (guint16) port;
  v = wl_slurmconf_get (conf, "StateSaveLocation");
  cfg->state_dir = g_strdup (v ? v : "/var/spool/sluice");
  cfg->socket_path = g_build_filename (cfg->state_dir, "ctld.sock", NULL);
  v = wl_slurmconf_get (conf, "AuthKey");
  cfg->key_path = v ? g_strdup (v) : g_build_filename (cfg->state_dir, "sluice.key", NULL);
  v = wl_slurmconf_get (conf, "SlurmdSpoolDir");
  cfg->spool_dir = g_strdup (v ? v : "/var/spool/sluice/d");
  v = wl_slurmconf_get (conf, "SlurmUser");
  if (v && !uid_of (v, &cfg->slurm_user))
    {
      g_set_error (error, RN_ERROR, RN_ERROR_INVALID, "%s: SlurmUser=%s: no such user", path,
                   v);
      return NULL;
    }
  cfg->admins = g_ptr_array_new ();
  v = wl_slurmconf_get (conf, "AuthAdmins");
  if (v)
    {
      g_auto (GStrv) names = g_strsplit (v, ",", -1);
      for (guint i = 0; names[i]; i++)
        {
          guint32 uid;
          if (*g_strstrip (names[i]) && uid_of (names[i], &uid))
            g_ptr_array_add (cfg->admins, GUINT_TO_POINTER (uid));
        }
    }
  cfg->kill_wait = 30;
  cfg->slurmd_timeout = 300;
  cfg->min_job_age = 300;
  if (!wl_slurmconf_get_int (conf, "KillWait", &cfg->kill_wait, error)
      || !wl_slurmconf_get_int (conf, "SlurmdTimeout", &cfg->slurmd_timeout, error)
      || !wl_slurmconf_get_int (conf, "MinJobAge", &cfg->min_job_age, error))
    return NULL;
  cfg->heartbeat = CLAMP (cfg->slurmd_timeout / 3, 1, 30);
  v = wl_slurmconf_get (conf, "EnforcePartLimits");
  if (v != NULL)
    {
      /* one partition per job here, so ALL and ANY mean the same */
      if (g_ascii_strcasecmp (v, "ALL") == 0 || g_ascii_strcasecmp (v, "ANY") == 0
          || g_ascii_strcasecmp (v, "YES") == 0)
        cfg->enforce_part_limits = TRUE;
      else if (g_ascii_strcasecmp (v, "NO") != 0)
        {
          g_set_error (error, RN_ERROR, RN_ERROR_INVALID,
                       "%s: EnforcePartLimits=%s: expected NO, ALL, ANY or YES", path, v);
          return NULL;
        }
    }
  return g_steal_pointer (&cfg);
}

void
rn_config_free (RnConfig *cfg)
{
  if (cfg == NULL)
    return;
  g_free (cfg->path);
  wl_slurmconf_free (cfg->conf);
  g_free (cfg->cluster_name);
  g_free (cfg->ctld_name);
  g_free (cfg->ctld_addr);
  g_free (cfg->state_dir);
  g_free (cfg->socket_path);
  g_free (cfg->key_path);
  g_free (cfg->spool_dir);
  if (cfg->admins)
    g_ptr_array_unref (cfg->admins);
  g_free (cfg);
}

gboolean
rn_config_is_admin (const RnConfig *cfg, guint32 uid)
{
  if (uid == 0 || uid == cfg->slurm_user)
    return TRUE;
  for (guint i = 0; i < cfg->admins->len; i++)
    if (GPOINTER_TO_UINT (cfg->admins->pdata[i]) == uid)
      return TRUE;
  return FALSE;
}

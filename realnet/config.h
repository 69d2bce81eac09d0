/* SPDX-License-Identifier: MIT */
/* realnet/config.h - what the daemons and the commands read from slurm.conf: where the
 * controller listens, where state and the key live, who administers, the timeouts.
 *
 * The file is the one named by $SLUICE_CONF, else $SLURM_CONF, else
 * /etc/sluice/slurm.conf.  Besides Slurm's keys, sluice reads AuthKey= (the key file,
 * default StateSaveLocation/sluice.key) and AuthAdmins= (user names allowed to act on every
 * job, besides root and SlurmUser). */
#pragma once
#include <glib.h>
#include "workloads/slurmconf.h"
#include "realnet/proto.h"

G_BEGIN_DECLS

typedef struct {
  char        *path;          /* the configuration file */
  WlSlurmConf *conf;
  char        *cluster_name;  /* ClusterName, "cluster" if unset */
  char        *ctld_name;     /* SlurmctldHost's name */
  char        *ctld_addr;     /* its address: SlurmctldHost=name(addr), else the name */
  guint16      ctld_port;     /* SlurmctldPort, 6817 */
  char        *state_dir;     /* StateSaveLocation, /var/spool/sluice */
  char        *socket_path;   /* state_dir/ctld.sock */
  char        *key_path;      /* AuthKey, else state_dir/sluice.key */
  char        *spool_dir;     /* SlurmdSpoolDir, /var/spool/sluice/d */
  guint32      slurm_user;    /* SlurmUser's uid, 0 */
  GPtrArray   *admins;        /* uids of AuthAdmins */
  gint64       kill_wait;     /* KillWait, 30 s */
  gint64       slurmd_timeout;/* SlurmdTimeout, 300 s */
  gint64       heartbeat;     /* seconds between node heartbeats: min(30, timeout/3) */
  gint64       min_job_age;   /* MinJobAge, 300 s: finished jobs stay in memory this long */
  gboolean     enforce_part_limits; /* EnforcePartLimits=ALL|ANY|YES: jobs over partition
                                     * limits are rejected at submission (NO: they pend) */
} RnConfig;

/* The configuration file to use: `explicit_path`, else the environment, else the default. */
const char *rn_config_default_path (const char *explicit_path);

/* Loads it (warnings to stderr only when `warn`).  NULL with `error` set. */
RnConfig *rn_config_load (const char *path, gboolean warn, GError **error);
void      rn_config_free (RnConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RnConfig, rn_config_free)

/* TRUE if `uid` may act on every job. */
gboolean rn_config_is_admin (const RnConfig *cfg, guint32 uid);

G_END_DECLS

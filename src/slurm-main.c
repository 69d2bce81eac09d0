/* SPDX-License-Identifier: MIT */
/* src/slurm-main.c - `sluice-slurm`: Slurm's client commands alone, in a small binary that
 * build/bin/sbatch, squeue, ... link to.  It links GLib and jansson but not GIO, GSL or
 * SQLite, so each command starts in about a millisecond: serial `sbatch` loops and scripts
 * that call `squeue` often are bound by the controller, not by process start.  The same
 * commands are also `sluice <command>`. */
#include <glib.h>
#include <jansson.h>
#include <unistd.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "realnet/cmds.h"

static const struct {
  const char *name;
  int (*func) (int argc, char **argv);
} commands[] = {
  { "sbatch", rn_cmd_sbatch }, { "squeue", rn_cmd_squeue }, { "scancel", rn_cmd_scancel },
  { "sinfo", rn_cmd_sinfo }, { "scontrol", rn_cmd_scontrol }, { "srun", rn_cmd_srun },
  { "sacct", rn_cmd_sacct },
};

int
main (int argc, char **argv)
{
  /* Only the character set: loading every locale category reads two dozen files, a good
   * part of a short command's run time (outputs use Slurm's fixed English formats). */
  setlocale (LC_CTYPE, "");
  /* jansson seeds its hash function from /dev/urandom on first use; a client process
   * parses only its controller's replies, so a cheap seed will do. */
  json_object_seed ((size_t) getpid () * 2654435761u ^ (size_t) g_get_real_time ());
  g_autofree char *base = g_path_get_basename (argv[0]);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (base, commands[i].name) == 0)
      return commands[i].func (argc, argv);
  if (argc >= 2)
    for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
      if (strcmp (argv[1], commands[i].name) == 0)
        return commands[i].func (argc - 1, argv + 1);
  fprintf (stderr, "usage: sluice-slurm sbatch|squeue|scancel|sinfo|scontrol|srun|sacct ...\n"
           "(or call it through a link with the command's name)\n");
  return 2;
}

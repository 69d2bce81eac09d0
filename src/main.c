/* SPDX-License-Identifier: MIT */
/* src/main.c - the `sluice` front end: dispatches to subcommands. */
#include <glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "src/commands.h"
#include "realnet/cmds.h"
#include "realnet/ctld.h"

typedef struct {
  const char *name;
  int (*func) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "sim", cmd_sim, "replay a workload trace on a modeled cluster under a policy" },
  { "demo", cmd_demo, "generate a workload and compare fcfs, easy and conservative on it" },
  { "gen", cmd_gen, "generate a synthetic workload (Lublin-Feitelson model) as SWF" },
  { "ctld", rn_ctld_main, "the controller daemon (reads $SLUICE_CONF)" },
  { "noded", rn_noded_main, "a node daemon: --name NODE [--port P]" },
  { "cluster", rn_cmd_cluster, "start or stop a local cluster: up -n N --dir DIR | down --dir DIR" },
  { "sbatch", rn_cmd_sbatch, "submit a batch script (as Slurm's sbatch)" },
  { "squeue", rn_cmd_squeue, "list queued and running jobs (as Slurm's squeue)" },
  { "scancel", rn_cmd_scancel, "cancel or signal jobs (as Slurm's scancel)" },
  { "sinfo", rn_cmd_sinfo, "show partitions and nodes (as Slurm's sinfo)" },
  { "scontrol", rn_cmd_scontrol, "show and update jobs, nodes, partitions (as Slurm's scontrol)" },
  { "srun", rn_cmd_srun, "run a command on allocated nodes (as Slurm's srun)" },
  { "sacct", rn_cmd_sacct, "show accounting records (as Slurm's sacct)" },
  { "loadgen", rn_cmd_loadgen, "load for benchmarks of a running controller" },
  { "convert", cmd_convert, "convert a workload to SWF, CSV or JSON, with transforms" },
};

static void
usage (FILE *f)
{
  fprintf (f, "usage: sluice <command> [options]\n\ncommands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (f, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf (f, "\nRun 'sluice <command> --help' for a command's options.\n");
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");
  /* Invoked through a link named like a Slurm command: be that command. */
  g_autofree char *base = g_path_get_basename (argv[0]);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (base[0] == 's' && strcmp (base, commands[i].name) == 0)
      return commands[i].func (argc, argv);
  if (argc < 2)
    {
      usage (stderr);
      return 2;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0
      || strcmp (argv[1], "help") == 0)
    {
      usage (stdout);
      return 0;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("sluice 0.1.0\n");
      return 0;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      {
        g_autofree char *prog = g_strdup_printf ("sluice %s", commands[i].name);
        argv[1] = prog;
        return commands[i].func (argc - 1, argv + 1);
      }
  fprintf (stderr, "sluice: unknown command \"%s\"\n\n", argv[1]);
  usage (stderr);
  return 2;
}

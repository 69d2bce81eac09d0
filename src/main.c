/* SPDX-License-Identifier: MIT */
/* src/main.c - the `sluice` front end: dispatches to subcommands. */
#include <glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "src/commands.h"

typedef struct {
  const char *name;
  int (*func) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "sim", cmd_sim, "replay a workload trace on a modeled cluster under a policy" },
  { "demo", cmd_demo, "generate a workload and compare fcfs, easy and conservative on it" },
  { "gen", cmd_gen, "generate a synthetic workload (Lublin-Feitelson model) as SWF" },
};

static void
usage (FILE *f)
{
  fprintf (f, "usage: sluice <command> [options]\n\ncommands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (f, "  %-6s %s\n", commands[i].name, commands[i].summary);
  fprintf (f, "\nRun 'sluice <command> --help' for a command's options.\n");
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");
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

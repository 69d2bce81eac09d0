/* SPDX-License-Identifier: MIT */
/* src/commands.h - the subcommands of the `sluice` front end.  Each takes the arguments
 * after the subcommand name (argv[0] is "sluice <cmd>") and returns the exit status. */
#pragma once

int cmd_sim (int argc, char **argv);
int cmd_gen (int argc, char **argv);
int cmd_convert (int argc, char **argv);
int cmd_demo (int argc, char **argv);

/* SPDX-License-Identifier: MIT */
/* realnet/cmds.h - the client commands, with Slurm's names, options and outputs, and the
 * one-command local cluster. */
#pragma once

int rn_cmd_sbatch (int argc, char **argv);
int rn_cmd_squeue (int argc, char **argv);
int rn_cmd_scancel (int argc, char **argv);
int rn_cmd_sinfo (int argc, char **argv);
int rn_cmd_scontrol (int argc, char **argv);
int rn_cmd_srun (int argc, char **argv);
int rn_cmd_sacct (int argc, char **argv);
int rn_cmd_cluster (int argc, char **argv);
int rn_cmd_loadgen (int argc, char **argv);

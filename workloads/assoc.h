/* SPDX-License-Identifier: MIT */
/* workloads/assoc.h - account and user descriptions (the association tree of Slurm's
 * fair-share) read into a SchedPriority (sched/priority.h).
 *
 * Two formats, told apart by the first line that is not blank (or a comment, in the
 * simple format): a line with '|' is a sacctmgr header, anything else the simple format.
 *
 * sacctmgr.  The output of `sacctmgr show assoc -P` (or -p: a trailing '|'), e.g.
 *     sacctmgr show assoc format=Cluster,Account,User,Partition,Share,ParentName -P
 * A header names the fields, in any order and case; the ones read are Account and User
 * (required), Share (or Fairshare), ParentName, Cluster and Partition; others are ignored.
 * A row with an empty User is an account, whose parent is ParentName (empty: root);
 * a row with a User is that user's association with the account.  Share is a number
 * (0 .. 4294967294), "parent" (Fairshare=parent) or empty (1, Slurm's default).  Without a
 * ParentName field the dump must come from the `tree` option, whose Account column is
 * indented by depth: an account's parent is then the nearest account row above it with
 * less indentation; an account row without indentation other than root is an error
 * (WL_ERROR_UNSUPPORTED: the dump does not say where it hangs).  Rows of a Cluster other
 * than opts->cluster are skipped; without opts->cluster a dump naming two clusters is
 * refused (WL_ERROR_UNSUPPORTED).  Partition-specific associations of a user and account
 * (Slurm keeps them apart) are merged: the first row of a user and account counts, later
 * rows of the same pair with another Partition are skipped.
 *
 * Simple.  One association per line, '#' starts a comment, words separated by blanks,
 * keys case-insensitive:
 *     account NAME [parent=ACCOUNT] [shares=N|parent]    parent defaults to root
 *     user NAME account=ACCOUNT [shares=N|parent]
 * shares defaults to 1 (fairshare= and share= are accepted for shares=).  Trace users are
 * numbers: name them by number ("user 17 account=physics").
 *
 * Limits (sched/qos.h), read when opts->limits is given (checked and ignored otherwise).
 * Simple format: "qos NAME key=value..." lines define QOS with Priority, MaxWall (Slurm
 * time), MaxJobsPerUser (MaxJobsPU), MaxSubmitJobsPerUser (MaxSubmitPU), MaxTRESPerUser
 * (MaxTRESPU), MaxTRES (MaxTRESPerJob), GrpTRES, GrpJobs, and the preemption settings
 * Preempt, PreemptMode, GraceTime, PreemptExemptTime and Flags (below); account and user
 * lines take GrpTRES, GrpJobs, MaxJobs, MaxSubmitJobs (MaxSubmit), MaxTRES, MaxWall,
 * DefaultQOS (DefQOS) and QOS (the association's QOS list).  Keys are case-insensitive;
 * counts are whole numbers (-1: none); TRES lists are "cpu=64,gres/gpu=8,mem=100G,node=4"
 * (mem in MB unless suffixed K, M, G, T; other TRES are ignored).  sacctmgr: the same
 * names as header fields of `sacctmgr show assoc -P` ("Def QOS" and "QOS" too) are read
 * from each row; a `sacctmgr show qos -P` table (a header with Name and limit fields:
 * Priority, MaxWall, MaxTRESPU, MaxJobsPU, MaxSubmitPU, MaxTRES, GrpTRES, GrpJobs,
 * Preempt, PreemptMode, GraceTime, PreemptExemptTime, Flags) defines QOS; an empty field
 * is "not set", and the other columns of the dumps are ignored.  After a blank line
 * another table (assoc or qos) may start with its header, so one file can hold both
 * dumps.  A QOS named twice or a DefaultQOS naming no QOS (of the file or already in
 * opts->limits) is an error.
 *
 * QOS preemption settings (sacctmgr(1), used with PreemptType=preempt/qos by sim/):
 *  - Preempt=a,b: the QOS whose jobs this QOS's jobs may preempt.  Each must be a QOS of
 *    the file or of opts->limits; lists must not loop (a QOS preempting itself, or a
 *    preempting b preempting a: "Preempt: preemption loop ...", as slurmdbd refuses).
 *    "Preempt=" (empty) is no list; a file that defines a QOS again sets its list anew;
 *  - PreemptMode: cluster (the default: slurm.conf's), off, cancel, requeue; suspend is
 *    not modeled and taken as off (the QOS's jobs are not preempted); ",gang" and ",within"
 *    are accepted and ignored;
 *  - GraceTime: seconds (sacctmgr's unit), or [days-]hours:minutes:seconds as sacctmgr
 *    shows it; -1: not set;
 *  - PreemptExemptTime: a Slurm time (a bare number is minutes); -1: not set;
 *  - Flags: OverPartQOS (this QOS's limits go before its partition's QOS) and DenyOnLimit
 *    (SchedQosLimits.deny_on_limit) are read; Slurm's other QOS flags (NoDecay, NoReserve,
 *    PartitionMaxNodes, PartitionMinNodes, PartitionTimeLimit, RequiresReservation,
 *    UsageFactorSafe, EnforceUsageThreshold, Relative) are accepted and ignored; anything
 *    else is an error.
 * Association QOS lists: QOS=a,b on an account or user (the QOS its jobs may ask for,
 * inherited by the associations below that have none; Slurm's reason for a job asking
 * another is InvalidQOS).  Every name must be a defined QOS, and a DefaultQOS given with
 * a list must be in it; but a file (and opts->limits) without any QOS definition, such as
 * a `sacctmgr show assoc -P` dump alone whose QOS column says "normal", gets its lists
 * dropped: with no QOS defined a job can ask for none.  In the simple format an
 * association without a list leaves the key out; in a dump its field is empty.
 *
 * Both.  Lines may come in any order (an account may be used before the line defining
 * it); "root" is the tree's root (an account "root" line is accepted and adds nothing).
 * Accounts already in the SchedPriority may be used as parents, and an account given
 * again must keep its parent.  The whole file is checked before anything is added, so a
 * failed load changes nothing.  Errors are WL_ERROR_MALFORMED with "file:line: ..." for a
 * line that does not parse, a duplicate, an unknown parent or account, a parent cycle;
 * WL_ERROR_UNSUPPORTED as said above; WL_ERROR_IO when the file cannot be read.  CRLF, a
 * UTF-8 BOM and a last line without newline are fine.  Costs: O(file) time and memory. */
#pragma once
#include "sched/priority.h"
#include "sched/qos.h"
#include "workloads/trace.h"

G_BEGIN_DECLS

typedef struct {
  const char  *cluster;  /* sacctmgr: keep only this cluster's rows; NULL: any one cluster */
  SchedLimits *limits;   /* (transfer none) receives the QOS definitions and association
                          * limits; NULL: they are checked, then ignored */
} WlAssocOptions;

/* Reads `text` (len bytes, or NUL-terminated when len is -1), named `name` in messages,
 * into `p`.  `opts` may be NULL.  Returns TRUE, or FALSE with `error` set and `p`
 * unchanged. */
gboolean wl_assoc_parse (const char *text, gssize len, const char *name,
                         const WlAssocOptions *opts, SchedPriority *p, GError **error);

/* As wl_assoc_parse for the file `path` (.gz is decompressed; at most 64 MiB). */
gboolean wl_assoc_load (const char *path, const WlAssocOptions *opts, SchedPriority *p,
                        GError **error);

G_END_DECLS

/* SPDX-License-Identifier: MIT */
/* workloads/hostlist.h - Slurm hostlist expressions: expand "n[001-128,200]", compress back.
 *
 * The syntax and the output follow Slurm's hostlist.c (one-dimensional clusters), so that
 * node lists copied from slurm.conf, squeue or sacct mean here what they mean there:
 *  - an expression is a list of host expressions separated by commas or whitespace outside
 *    brackets: "a1,b[1-3] c7";
 *  - a bracket holds a comma list of numbers and ranges lo-hi ("n[1-3,5]"); the numbers are
 *    zero-padded to the width of lo as written ("n[001-010]" gives n001 .. n010, "n[1-10]"
 *    gives n1 .. n10);
 *  - text after the last bracket is a suffix ("n[1-2]-ib" gives n1-ib, n2-ib);
 *  - several brackets expand as a product in Slurm's order: the last bracket varies
 *    fastest, then the first, the second, ... and the one before the last varies slowest
 *    ("a[1-2]b[3-4]" gives a1b3, a1b4, a2b3, a2b4; "a[1-2]b[3-4]c[5-6]" gives a1b3c5,
 *    a1b3c6, a2b3c5, a2b3c6, a1b4c5, ...);
 *  - hosts keep the order written, and duplicates are kept.
 * Stricter than Slurm, with a message instead of a guess: a ']' without '[' (Slurm takes it
 * as part of a name), nested brackets, an empty element ("n[1,,3]", "n[]"), a range written
 * "3-", a start after its end, numbers of more than 18 digits, and more hosts than the
 * limit (WL_HOSTLIST_MAX_HOSTS, checked before anything is allocated) are errors.
 *
 * Compression is what `scontrol show hostlist` prints: hosts stay in the order given; a
 * host joins the previous range when it has the same prefix, the next number and a
 * compatible zero padding (n9,n10 -> n[9-10]; n09,n10 -> n[09-10]; n9,n010 -> n[9,010]);
 * consecutive ranges with the same prefix share one bracket (n1,n2,n3,n5 -> n[1-3,5]; but
 * n1,m1,n2 stays n1,m1,n2); a host without a trailing number is printed as is.
 *
 * Costs: expansion is O(hosts x name length), compression O(total length).  Errors are
 * WL_ERROR_MALFORMED (syntax, with the offending host expression quoted) and
 * WL_ERROR_UNSUPPORTED (too many hosts). */
#pragma once
#include <glib.h>
#include "workloads/trace.h"     /* WL_ERROR */

G_BEGIN_DECLS

/* Default bound on the number of hosts one expression may expand to. */
#define WL_HOSTLIST_MAX_HOSTS 1000000

/* Expands `expr` (at most WL_HOSTLIST_MAX_HOSTS hosts).  Returns (transfer full) an array
 * of newly allocated host names (its free function is g_free) in Slurm's order; an empty or
 * all-blank expression gives an empty array.  Returns NULL with `error` set on a malformed
 * expression (WL_ERROR_MALFORMED: "bad range \"n[5-3]\": start 5 is after end 3",
 * "unbalanced bracket in \"n[1-3\"", ...) or too many hosts (WL_ERROR_UNSUPPORTED). */
GPtrArray *wl_hostlist_expand (const char *expr, GError **error);

/* As wl_hostlist_expand with a bound of `max_hosts` hosts instead. */
GPtrArray *wl_hostlist_expand_max (const char *expr, guint max_hosts, GError **error);

/* Counts the hosts of `expr` without expanding it.  Returns TRUE with *count set, or FALSE
 * with `error` set on a malformed expression (WL_ERROR_MALFORMED).  No bound applies. */
gboolean wl_hostlist_count (const char *expr, guint64 *count, GError **error);

/* Returns (transfer full) the ranged form of `names` (n of them, or NULL-terminated when n
 * is -1), as `scontrol show hostlist` prints it: "n[1-3,5],login1".  No names give "". */
char *wl_hostlist_compress (const char *const *names, gssize n);

/* Returns (transfer full) the ranged form of the hosts of `expr` (what `scontrol show
 * hostlist EXPR` prints), or NULL with `error` set as wl_hostlist_expand does. */
char *wl_hostlist_ranged (const char *expr, GError **error);

G_END_DECLS

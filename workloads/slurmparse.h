/* SPDX-License-Identifier: MIT */
/* workloads/slurmparse.h - value syntax shared by the Slurm-format readers: time strings,
 * booleans and ordered key[=value] parameter lists.
 *
 * Time strings are Slurm's (time_str2secs): "MM", "MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM",
 * "D-HH:MM:SS", and "UNLIMITED", "INFINITE" or "-1" for no limit; fields are not range
 * checked (Slurm reads "90" as 90 minutes and "1:75" as 135 seconds).  A WlParamList is
 * the value of SchedulerParameters and similar keys ("bf_window=60,bf_continue"): an
 * ordered list of keys, each with a value or none (a flag), looked up without regard to
 * case.  Lists are small (tens of entries): lookups are linear. */
#pragma once
#include <glib.h>
#include "sched/types.h"
#include "workloads/trace.h"     /* WL_ERROR */

G_BEGIN_DECLS

/* What wl_parse_slurm_time gives for "UNLIMITED", "INFINITE" and "-1". */
#define WL_TIME_UNLIMITED SCHED_TIME_NEVER

/* Parses a Slurm time string into seconds: *seconds is 0 .. 2^40, or WL_TIME_UNLIMITED
 * (SCHED_TIME_NEVER) for "UNLIMITED", "INFINITE" (any case) and "-1".  Returns FALSE with
 * `error` set (WL_ERROR_MALFORMED, "bad time \"1:2:3:4\": expected ...") otherwise;
 * *seconds is then unchanged. */
gboolean wl_parse_slurm_time (const char *s, gint64 *seconds, GError **error);

/* As wl_parse_slurm_time, rounded up to whole minutes as Slurm stores partition limits and
 * minute-valued keys (time_str2mins): "0:30" gives 60.  UNLIMITED stays unlimited. */
gboolean wl_parse_slurm_time_minutes (const char *s, gint64 *seconds, GError **error);

/* Parses a Slurm boolean: YES, TRUE, UP, 1 or NO, FALSE, DOWN, 0 (any case).  Returns FALSE
 * with `error` set (WL_ERROR_MALFORMED) otherwise. */
gboolean wl_parse_slurm_bool (const char *s, gboolean *out, GError **error);

/* Parses a decimal integer in [min, max] (no sign unless min < 0, no blanks, no suffix).
 * Returns FALSE with `error` set (WL_ERROR_MALFORMED) otherwise. */
gboolean wl_parse_int (const char *s, gint64 min, gint64 max, gint64 *out, GError **error);

/* One generic resource: "gpu:a100:8" (slurm.conf Gres=, sbatch --gres). */
typedef struct {
  char    *name;        /* "gpu" */
  char    *type;        /* "a100", NULL if none */
  guint64  count;       /* 1 when not given */
  gboolean no_consume;
} WlGres;

/* Frees the strings of `g` (a clear function for GArray of WlGres). */
void wl_gres_clear (gpointer g);

/* Parses a comma list of name[:type][:no_consume][:count] items ("gpu:a100:8",
 * "gpu:8", "gpu", "gpu:a100:4,gpu:v100:2,mps:100"); counts may end in K, M, G or T
 * (powers of 1024).  Appends one WlGres per item to `out` (an array of WlGres, which should
 * have wl_gres_clear as its clear function).  Returns FALSE with `error` set
 * (WL_ERROR_MALFORMED, "expected name[:type][:count] items (\"gpu:a100:8\"), got
 * \"gpu::\"") otherwise; the items before the bad one stay appended. */
gboolean wl_parse_gres (const char *s, GArray *out, GError **error);

typedef struct _WlParamList WlParamList;

/* Returns (transfer full) an empty list. */
WlParamList *wl_param_list_new (void);
WlParamList *wl_param_list_copy (const WlParamList *l);
void         wl_param_list_free (WlParamList *l);     /* NULL is a no-op */

/* Parses "k=v,flag,k2=v2" (Slurm's SchedulerParameters syntax) into a new list, as
 * wl_param_list_update on an empty list does.  Returns (transfer full) the list, or NULL
 * with `error` set. */
WlParamList *wl_param_list_parse (const char *s, GError **error);

/* Applies "k=v,flag,..." to `l`: each item replaces the value of a key already there (in
 * its place, case-insensitively) or is appended.  Empty items (",,", a trailing comma) are
 * skipped; blanks around items are ignored.  An item with an empty key ("=5") or a key
 * that is not made of letters, digits, '_', '-' and '.' is an error (WL_ERROR_MALFORMED,
 * "bad parameter \"=5\" in \"...\": expected key or key=value"); `l` is then unchanged.
 * Returns TRUE on success. */
gboolean wl_param_list_update (WlParamList *l, const char *s, GError **error);

/* Appends key=value (value NULL: a flag) even if `key` is already there. */
void wl_param_list_add (WlParamList *l, const char *key, const char *value);
/* Sets `key`: replaces the value of its first occurrence and drops the others, or appends. */
void wl_param_list_set (WlParamList *l, const char *key, const char *value);

/* Index of the last occurrence of `key` (any case), or -1. */
gint wl_param_list_find (const WlParamList *l, const char *key);
/* TRUE if `key` is present; *value (may be NULL) is then its last value, NULL for a flag.
 * The string is (transfer none), valid until `l` changes. */
gboolean wl_param_list_lookup (const WlParamList *l, const char *key, const char **value);

guint       wl_param_list_length (const WlParamList *l);
/* (transfer none) key as written and value (NULL for a flag) of entry `i`. */
const char *wl_param_list_key (const WlParamList *l, guint i);
const char *wl_param_list_value (const WlParamList *l, guint i);

/* Returns (transfer full) "k=v,flag,...", which wl_param_list_parse reads back. */
char *wl_param_list_to_string (const WlParamList *l);

/* Checks the SchedulerParameters keys whose values are numbers (bf_window, bf_resolution,
 * bf_interval, bf_max_job_test, default_queue_depth, sched_interval, ...): each present
 * must have a non-negative integer value.  Returns FALSE with `error` set
 * (WL_ERROR_MALFORMED, "bf_window: expected an integer >= 0, got \"x\"") otherwise.
 * Other keys are not checked: Slurm has many, and adds more. */
gboolean wl_sched_params_check (const WlParamList *l, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WlParamList, wl_param_list_free)

G_END_DECLS

/* SPDX-License-Identifier: MIT */
/* workloads/json-private.h - between the JSON trace reader's stream half (jsontrace.c),
 * its job half (jsonjob.c) and the writer (jsonwrite.c).
 *
 * jsontrace.c finds job objects in the stream and owns the reader's state; jsonjob.c turns
 * one parsed job object into a WlJob plus its WlJobExtra, checking every field; jsonwrite.c
 * writes jobs back out.  A WlJsonCtx lends the job half what it needs of the reader:
 * options, time zone, name numbering and caches.  Only workloads/ and its tests include
 * this. */
#pragma once
#include <jansson.h>
#include "workloads/jsontrace.h"
#include "workloads/rows-private.h"

G_BEGIN_DECLS

/* Largest job object or JSON Lines line, in bytes. */
#define WL_JSON_MAX_ELEMENT (1024 * 1024)

typedef struct {
  const WlReaderOptions *opts;
  const char            *name;        /* for messages */
  GTimeZone             *tz;          /* dates without a zone; NULL = UTC */
  WlNames               *users;
  WlNames               *groups;
  GHashTable           **part_cache;  /* for wl__resolve */
  GHashTable           **type_cache;
  GHashTable            *warned;      /* unknown field names reported (char * set) */
  guint                 *n_warned;    /* warnings sent about unknown fields */
} WlJsonCtx;

typedef enum {
  WL_JSON_JOB_KEEP = 0,   /* out is filled: a job, or an array to expand */
  WL_JSON_JOB_MALFORMED,  /* *msg says why (the caller counts it) */
  WL_JSON_JOB_SKIP,       /* out->skip says why (the caller counts it, per task) */
} WlJsonJobResult;

typedef struct {
  WlJob        job;          /* job.extra is NULL: the extra is in `extra` */
  WlJobExtra  *extra;        /* (transfer full) */
  guint32      adjust_mask;  /* 1 << WlAdjustReason, counted per kept job (task) */
  WlSkipReason skip;         /* for WL_JSON_JOB_SKIP */
  guint32      n_tasks;      /* 1, or the tasks of an array job */
  gboolean     is_array;     /* expand `array`: task i gets id job.spec.id * 1000 + i */
  WlArraySpec  array;
} WlJsonJob;

/* Checks and converts `obj`, the `ordinal`-th job object of the file (1-based), which
 * starts at `line`.  Returns KEEP with `out` filled (free with wl__json_job_clear), SKIP
 * with out->skip and out->n_tasks set, or MALFORMED with *msg (transfer full) "name:line:
 * job 17: field \"ntasks\": expected ..., got ...".  Unknown fields are warned about once
 * each through ctx (strict: MALFORMED). */
WlJsonJobResult wl__json_parse_job (const WlJsonCtx *ctx, json_t *obj, guint64 line,
                                    guint64 ordinal, WlJsonJob *out, char **msg);
void wl__json_job_clear (WlJsonJob *j);

/* Sends `msg` to opts->warn_func (or stderr), the first opts->max_warnings only. */
void wl__json_warn (const WlJsonCtx *ctx, const char *msg);

/* Appends `v` as compact JSON, cut after 40 bytes with "...". */
void wl__json_append_value (GString *m, const json_t *v);

/* Parses a memory size: a JSON number of MB (rounded up), or a string as
 * wl_parse_slurm_mem reads it.  FALSE if it is neither. */
gboolean wl__json_mem (const json_t *v, guint64 *mb, WlMemPer *per);

G_END_DECLS

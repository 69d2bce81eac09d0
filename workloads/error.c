/* SPDX-License-Identifier: MIT */
/* workloads/error.c - the WL_ERROR domain (workloads/trace.h), on its own so that the
 * parsers the client commands use (slurm.conf, hostlists, Slurm values) link without the
 * stream readers and thus without GIO: every command starts a few milliseconds sooner. */
#include "workloads/trace.h"

G_DEFINE_QUARK (wl-error-quark, wl_error)

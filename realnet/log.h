/* SPDX-License-Identifier: MIT */
/* realnet/log.h - the daemons' log: one line per event on stderr (which `sluice cluster up`
 * sends to DIR/log/NAME.log), "[2026-11-25T22:56:32] prefix: message". */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* `prefix` (copied; NULL: none) starts every line; `quiet` drops everything. */
void rn_log_setup (const char *prefix, gboolean quiet);
void rn_log (const char *fmt, ...) G_GNUC_PRINTF (1, 2);
/* An RnRefuseFunc (realnet/conn.h): logs refused frames, at most 20 a minute, then how many
 * were not logged. */
void rn_log_refused (const char *peer, const char *why, gpointer data);

G_END_DECLS

/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz-common.h - what the libFuzzer harnesses share: quiet warnings, fatal GLib
 * criticals, input copies that let ASan see over-reads, and the invariants every trace
 * reader promises its callers.
 *
 * Each harness is one fuzz/fuzz-<surface>.c defining LLVMFuzzerTestOneInput; it takes the
 * input as the file (or string) its parser reads, runs the parser to the end or to its
 * first error, frees everything and aborts (a crash to libFuzzer) when a documented
 * invariant does not hold.  Inputs are plain text, so the seed corpora in fuzz/corpus/
 * stay readable; options are varied by running each input under two configurations. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <gio/gio.h>
#include "workloads/trace.h"

G_BEGIN_DECLS

/* libFuzzer's entry points. */
int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A WlWarnFunc that drops the message (it is still formatted: that is code under test). */
void fuzz_warn_quiet (const char *message, gpointer user_data);

/* Returns (transfer full) a copy of data[0 .. size) followed by a NUL, for the parsers
 * that take C strings.  An input holding a NUL is cut there, as a C string would be. */
char *fuzz_strndup (const uint8_t *data, size_t size);

/* Returns (transfer full) a copy of data[0 .. size) in a block of exactly `size` bytes (no
 * terminator), for the parsers that take (pointer, length): reading past the end is an
 * ASan error instead of a silent read of libFuzzer's buffer. */
char *fuzz_memdup (const uint8_t *data, size_t size);

/* Returns (transfer full) an unbuffered stream over data[0 .. size) (not copied: it must
 * outlive the stream). */
GInputStream *fuzz_stream (const uint8_t *data, size_t size);

/* Receives each job fuzz_drain_reader reads; `job` is valid during the call only. */
typedef void (*FuzzJobFunc) (const WlJob *job, gpointer user_data);

/* Reads `r` (transfer full, freed here) to its end or its first error, checking each job
 * with fuzz_check_job, the submit order when `sorted` (the CSV, sacct and JSON readers
 * pass jobs on in submit order) and, at the end, the counts: read = kept + skipped, and
 * kept = the jobs passed on.  `func` (may be NULL) sees each job.  Returns TRUE when the
 * reader reached the end, FALSE when it stopped with an error. */
gboolean fuzz_drain_reader (WlReader *r, gboolean sorted, FuzzJobFunc func,
                            gpointer user_data);

/* Aborts unless `job` is something the core accepts: time limit > 0, tasks and CPUs per
 * task >= 1, run time >= 0, min_nodes <= max_nodes when bounded, a final end state. */
void fuzz_check_job (const WlJob *job);

G_END_DECLS

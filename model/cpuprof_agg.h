/* cpuprof_agg: the figures of an on-CPU profile window from its stacks and their sample
 * counts: functions by self and total samples, the hottest stacks, and what kind of work
 * (the program's, the GC's, the scheduler's, system calls) each sample was. Pure. */
#ifndef GMPTOP_CPUPROF_AGG_H
#define GMPTOP_CPUPROF_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "model/gstack.h"
#include "model/snapshot_cpuprof.h"

/* One distinct stack of a window and how many samples hit it. */
struct cpuprof_weighted {
    const struct gstack *stack;   /* pooled; frames innermost first; may have none */
    int64_t samples;
};

/* The kind of work a function is, from its name alone (runtime.scanobject: gc). */
enum cpuprof_kind cpuprof_func_kind(const char *func);
/* The kind of work a sample was: the innermost frame that says (a futex under
 * runtime.schedule is the scheduler's; a memmove under runtime.gcDrain is the GC's);
 * in_kernel under a runtime leaf with nothing more telling is a system call. */
enum cpuprof_kind cpuprof_stack_kind(const struct gstack *st, int in_kernel);

/* Functions of the window into out (at most max): the largest by self samples, then by
 * total until max, self descending. A function counts once per sample in total however
 * often it recurses. Returns how many were written. */
size_t cpuprof_top_funcs(const struct cpuprof_weighted *w, size_t n, struct cpuprof_func *out,
                         size_t max);

/* The hottest stacks (w holds each pooled stack once), samples descending. Returns
 * how many were written. */
size_t cpuprof_hot_stacks(const struct cpuprof_weighted *w, size_t n, struct cpuprof_hot *out,
                          size_t max);

#endif

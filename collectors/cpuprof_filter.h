/* cpuprof_filter: the BPF program (bpf/cpufilter.bpf.c) that lets the on-CPU sampler use
 * one cpu-clock event per CPU instead of one per thread of the target: attached to each
 * per-CPU event it keeps the target's samples and drops the others' before the kernel
 * copies their stacks. Per-thread events cost the target at every context switch (the
 * kernel switches the event context and re-arms its hrtimer: about 1 us a switch here),
 * sampled or not; per-CPU events cost it only the samples it is in. */
#ifndef GMPTOP_CPUPROF_FILTER_H
#define GMPTOP_CPUPROF_FILTER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct cpuprof_filter;

/* Load the program for the target pid (as this process's pid namespace numbers it).
 * NULL + why when BPF is missing, refused or gmptop was built without it. */
struct cpuprof_filter *cpuprof_filter_open(pid_t pid, char *why, size_t len);

/* Attach it to one perf event (a per-CPU sampling event, created disabled). 0 or
 * -errno; the link lives until cpuprof_filter_close. */
int cpuprof_filter_attach(struct cpuprof_filter *f, int perf_fd);

/* Samples kept (the target's) and dropped (other tasks') so far, all CPUs. 0 or -errno. */
int cpuprof_filter_counts(struct cpuprof_filter *f, uint64_t *kept, uint64_t *dropped);

/* Detach from every event and unload. Call before closing the events' fds. */
void cpuprof_filter_close(struct cpuprof_filter *f);

#endif

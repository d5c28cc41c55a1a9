/* placement: where a thread or a P of the target runs (CPU, then NUMA node), worked out
 * from one snapshot. Every view of placement (the numa collector's threads and Ps per
 * node, the NUMA, scheduler and cores panes, the JSON) goes through here, so that no
 * two of them can place the same P on different nodes. */
#ifndef GMPTOP_PLACEMENT_H
#define GMPTOP_PLACEMENT_H

#include "model/snapshot.h"

/* NUMA node of a CPU: from the numa section's node CPU lists when they name it, else
 * from the CPU's row, else the only node when the numa section has one; -1 unknown. */
int placement_cpu_node(const struct snapshot *s, int cpu);
/* CPU and node the thread tid last ran on; -1 when unknown. s's threads must be sorted
 * by tid (snapshot_sort_threads). */
void placement_thread(const struct snapshot *s, pid_t tid, int *cpu, int *node);
/* The same for P number idx of s's scheduler sample, through the thread of the M that
 * holds it. Returns that thread's id, 0 when no M holds the P at this instant (idle, or
 * its goroutine is in a syscall: the runtime clears p.m then), or the scheduler was not
 * read; cpu and node are -1 then. */
pid_t placement_p(const struct snapshot *s, size_t idx, int *cpu, int *node);

#endif

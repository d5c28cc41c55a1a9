/* placement: CPU and NUMA node of the target's threads and Ps, from one snapshot. */
#include "model/placement.h"

#include <stdlib.h>
#include <string.h>

/* Whether the cpulist "0-3,8,10-11" names cpu. A list that filled its field may have
 * lost its tail mid-number ("...,12" of "...,127"): the caller does not trust it. */
static bool cpulist_has(const char *list, int cpu)
{
    for (const char *p = list; *p;) {
        char *end;
        long lo = strtol(p, &end, 10), hi = lo;
        if (end == p)
            return false;
        if (*end == '-') {
            const char *q = end + 1;
            hi = strtol(q, &end, 10);
            if (end == q)
                return false;
        }
        if (cpu >= lo && cpu <= hi)
            return true;
        if (*end != ',')
            return false;
        p = end + 1;
    }
    return false;
}

int placement_cpu_node(const struct snapshot *s, int cpu)
{
    if (cpu < 0)
        return -1;
    /* The numa section's lists first: the NUMA pane shows them as each node's CPUs,
     * and its Ps and threads per node must match what it shows. */
    const struct numa_sample *ns = &s->numa;
    for (size_t i = 0; i < ns->nnodes; i++) {
        const char *list = ns->nodes[i].cpus;
        if (strnlen(list, sizeof(ns->nodes[i].cpus)) < sizeof(ns->nodes[i].cpus) - 1 &&
            cpulist_has(list, cpu))
            return ns->nodes[i].node;
    }
    const struct cpu_sample *c = snapshot_find_cpu(s, cpu);
    if (c && c->node >= 0)
        return c->node;
    /* One node (or a kernel without NUMA, where the numa section has node 0 alone):
     * every CPU is on it. */
    return ns->nnodes == 1 ? ns->nodes[0].node : -1;
}

void placement_thread(const struct snapshot *s, pid_t tid, int *cpu, int *node)
{
    *cpu = *node = -1;
    const struct thread_sample *t = tid > 0 ? snapshot_find_thread(s, tid) : NULL;
    if (!t || !(t->have & THREAD_HAVE_CPU))
        return;
    *cpu = t->cpu;
    *node = placement_cpu_node(s, t->cpu);
}

pid_t placement_p(const struct snapshot *s, size_t idx, int *cpu, int *node)
{
    *cpu = *node = -1;
    if (!s->sched.valid || idx >= s->sched.nps || s->sched.ps[idx].m_tid <= 0)
        return 0;
    pid_t tid = s->sched.ps[idx].m_tid;
    placement_thread(s, tid, cpu, node);
    return tid;
}

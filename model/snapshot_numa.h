/* snapshot_numa: the numa section of a snapshot: where the target's memory and threads live per NUMA node. */
#ifndef GMPTOP_SNAPSHOT_NUMA_H
#define GMPTOP_SNAPSHOT_NUMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Kinds of memory, counted per node in base pages (hugetlb converted).
 * heap: Go heap arenas (goroutine stacks are carved from them by the runtime, so they
 * are counted here too); stack: stacks the kernel labels ([stack]); anon: every other
 * anonymous mapping (brk heap, cgo, runtime off-heap); file: file-backed; huge: hugetlb. */
enum numa_kind { NUMA_KIND_HEAP, NUMA_KIND_STACK, NUMA_KIND_ANON, NUMA_KIND_FILE,
                 NUMA_KIND_HUGE, NUMA_KIND_COUNT };

#define NUMA_LIST_LEN 128
#define NUMA_NOTE_LEN 160

struct numa_node_sample {
    int node;
    char cpus[NUMA_LIST_LEN];           /* the node's cpulist, "" when unknown */
    int64_t mem_total_kb, mem_free_kb;  /* nodeN/meminfo; -1 unknown */
    int64_t pages[NUMA_KIND_COUNT];     /* target's pages on the node (last scan); -1 none */
    int64_t pages_total;                /* sum of pages[]; -1 when no scan yet */
    int32_t threads;                    /* target threads whose last CPU is on the node */
    int32_t ps;                         /* Go Ps whose thread last ran on the node */
    double heap_sampled_pct;            /* move_pages: share of sampled heap pages; NAN */
};

struct numa_sample {
    bool valid;               /* false: the collector did not run or could not read */
    struct numa_node_sample *nodes;     /* owned, sorted by node */
    size_t nnodes;
    int32_t *distance;                  /* owned, nnodes*nnodes (row = from); -1 unknown */
    /* Target policy: the one covering most resident pages in the last scan. */
    char policy[64];                    /* "bind:0", "interleave=relative:0-1", "" unknown */
    char policy_mode[24];               /* "bind", "interleave", "default", ... */
    int32_t policy_count;               /* distinct policies seen in the last scan */
    char mems_allowed[NUMA_LIST_LEN];   /* /proc/PID/status Mems_allowed_list */
    char cpus_allowed[NUMA_LIST_LEN];   /* /proc/PID/status Cpus_allowed_list */
    char cpuset[NUMA_LIST_LEN];         /* /proc/PID/cpuset */
    /* Local vs remote: weighted by where the threads (Ps' threads when known) run. */
    double local_pct;                   /* NAN unknown */
    const char *local_basis;            /* "ps", "threads" (static string) or NULL */
    /* numa_maps scan (background). */
    double scan_age_s;                  /* NAN: no scan finished yet */
    double scan_cost_ms;                /* wall time of the last scan; NAN */
    double scan_interval_s;
    int64_t scan_vmas;                  /* lines in the last scan; -1 none */
    char scan_error[NUMA_NOTE_LEN];     /* why the last scan failed, "" when it did not */
    /* move_pages sampling of the resident heap, this refresh. */
    int64_t sampled_pages;              /* resident pages sampled; -1 unavailable */
    int64_t sampled_probes;             /* addresses asked (resident or not); -1 */
    double sample_error_pct;            /* 95% half-width of a node's share, points; NAN */
    double sample_cost_ms;              /* NAN when not run */
    double sample_budget_ms;
    char sample_note[NUMA_NOTE_LEN];    /* why unavailable ("built without libnuma") */
};

/* Free what the section owns (called by snapshot_free). */
static inline void numa_sample_free(struct numa_sample *s)
{
    free(s->nodes);
    free(s->distance);
    s->nodes = NULL;
    s->distance = NULL;
    s->nnodes = 0;
}

#endif

/* numa: the NUMA collector's internals shared by numa.c (topology, per tick) and
 * numa_scan.c (background numa_maps scan, move_pages sampling), and its test hooks. */
#ifndef GMPTOP_COLLECTORS_NUMA_H
#define GMPTOP_COLLECTORS_NUMA_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc/numa_maps.h"
#include "model/snapshot.h"

#define NUMA_SCAN_DEFAULT_S 5.0      /* GMPTOP_NUMA_SCAN_S */
#define NUMA_BUDGET_DEFAULT_MS 2.0   /* GMPTOP_NUMA_BUDGET_MS; 0 turns sampling off */

/* Where /proc and /sys are: "/proc" and "/sys" unless GMPTOP_PROCFS / GMPTOP_SYSFS say
 * otherwise (like node_exporter's --path.procfs/--path.sysfs), so tests can point the
 * collector at fixture trees. */
struct numa_roots {
    char procfs[256];
    char sysfs[256];
};
void numa_roots_from_env(struct numa_roots *r);

/* Addresses known to lie in the Go heap (go_heap_anchors()): the anonymous mapping run
 * around each, cut to whole 64 MiB arenas, is heap wherever the runtime put it. */
#define NUMA_HEAP_ANCHORS 8
struct numa_heap_anchors {
    uint64_t addr[NUMA_HEAP_ANCHORS];
    size_t n;
};

/* One finished numa_maps scan, in base pages. */
struct numa_scan_result {
    bool done;                    /* at least one scan finished */
    int64_t finished_ns;          /* CLOCK_MONOTONIC */
    double cost_ms;
    int64_t vmas;
    uint64_t pages[NUMA_MAPS_MAX_NODES][NUMA_KIND_COUNT];
    uint64_t nodes_seen[NUMA_MAPS_MAX_NODES / 64];
    char policy[64];              /* the policy over most resident pages */
    char policy_mode[24];
    int32_t policy_count;
    char error[NUMA_NOTE_LEN];    /* last failure, "" when the last scan worked */
    int err;                      /* its -errno */
};

/* Scan once: read PROCFS/PID/maps and PROCFS/PID/numa_maps into out. base_kb is the
 * base page size. Returns 0 or -errno (out->error names the call and the errno, and
 * the permission needed for EACCES/EPERM). */
int numa_scan_once(const struct numa_roots *r, pid_t pid, uint64_t base_kb,
                   const struct numa_heap_anchors *heap, struct numa_scan_result *out);

/* true for anonymous memory at an address where the Go runtime puts heap arenas
 * (linux/amd64 and arm64 hints: i<<40 | 0x00c0<<32, growing up) unless it randomises
 * the heap's base (Go 1.26+): heap anchors find it then. */
bool numa_is_go_arena(uint64_t addr);

/* The background scanner: a thread that rescans every interval_s. */
struct numa_scanner;
struct numa_scanner *numa_scanner_start(const struct numa_roots *r, pid_t pid,
                                        uint64_t base_kb,
                                        const struct numa_heap_anchors *heap,
                                        double interval_s, char *reason, size_t len);
/* Copy the latest result (under the scanner's lock). */
void numa_scanner_get(struct numa_scanner *sc, struct numa_scan_result *out);
void numa_scanner_stop(struct numa_scanner *sc);

/* move_pages(2) sampling of the resident Go heap. Each refresh asks about at most
 * NUMA_SAMPLE_PER_REFRESH pages (and stops at budget_ms), continuing one stride
 * permutation of the heap's pages from refresh to refresh; the result pools the last
 * NUMA_SAMPLE_WINDOW refreshes, so a heap of up to 2,048 pages is swept exactly every
 * 4 refreshes and a larger one is estimated from its last 2,048 distinct pages. (Asking
 * about every page of an 8 MB heap each refresh cost 1 ms: a fifth of gmptop's CPU at
 * -d 1.) Returns the resident pages in the pool, or -errno with note filled ("built
 * without libnuma", "move_pages: ..."). */
#define NUMA_SAMPLE_WINDOW 4
#define NUMA_SAMPLE_PER_REFRESH 512
struct numa_sample_result {
    int64_t resident;             /* sampled pages that were present */
    int64_t probes;               /* addresses asked (distinct pages) */
    int64_t population;           /* pages in the heap ranges; probes == it: exact */
    uint64_t on_node[NUMA_MAPS_MAX_NODES];
    double cost_ms;               /* of this refresh's part */
};
/* The sampler between refreshes; zeroed, then rng seeded, before the first. */
struct numa_sampler {
    uint64_t rng;
    uint64_t total, stride, at;   /* the permutation of total pages; total 0: none yet */
    struct numa_sample_result win[NUMA_SAMPLE_WINDOW];
    unsigned newest, filled;
};
int numa_sample_heap(const struct numa_roots *r, pid_t pid,
                     const struct numa_heap_anchors *heap, double budget_ms,
                     struct numa_sampler *sm, struct numa_sample_result *out, char *note,
                     size_t len);

/* Everything but sampling, synchronously: topology from SYSFS, status and cpuset from
 * PROCFS/PID, a fresh numa_maps scan, threads and Ps per node from s->threads and
 * s->sched (filled by the other collectors, or by a test). For tests and tools. */
int numa_collect_once(const struct numa_roots *r, pid_t pid, struct snapshot *s,
                      char *reason, size_t len);

#endif

/* snapshot_cores: the cores section of a snapshot: raw per-CPU (and per-thread) perf counter
 * readings with their enabled/running times and why each one is missing.
 * Rates, ratios and the multiplexing marker are derived from two snapshots (cores_metrics.h). */
#ifndef GMPTOP_SNAPSHOT_CORES_H
#define GMPTOP_SNAPSHOT_CORES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

/* The counters of one CPU or thread. The first CORES_EV_HW_COUNT need a hardware PMU. */
enum cores_ev {
    CORES_EV_CYCLES,          /* core cycles: the group leader */
    CORES_EV_INSTRUCTIONS,
    CORES_EV_L3_MISS,         /* last-level cache misses (Intel LLC, AMD amd_l3 uncore) */
    CORES_EV_L3_ACCESS,       /* last-level cache references */
    CORES_EV_DTLB_MISS,       /* dTLB load misses that walk the page table */
    CORES_EV_CTX_SWITCHES,    /* software: work in a VM too */
    CORES_EV_MIGRATIONS,
    CORES_EV_TASK_CLOCK,      /* software, per thread only: on-CPU ns */
    CORES_EV_COUNT
};
#define CORES_EV_HW_COUNT 5

/* cores_count.err: 0 = read this tick, > 0 = the errno of the failed open or read,
 * < 0 = one of these states. */
enum cores_err {
    CORES_ERR_NO_EVENT = -1,   /* this CPU vendor/model has no event for it */
    CORES_ERR_SHARED = -2,     /* counted per L3 domain: see cores_cpu.l3_reader's row */
    CORES_ERR_IMPLAUSIBLE = -3,/* the kernel returned running > enabled */
    CORES_ERR_STOPPED = -4,    /* read returned end of file: the kernel stopped the event */
    CORES_ERR_UNUSED = -5,     /* not opened in this mode (task clock per CPU) */
    CORES_ERR_BUDGET = -6,     /* not opened: the file-descriptor budget was used up */
};

/* One counter, cumulative since it was opened (a reopen bumps the owner's gen). */
struct cores_count {
    uint64_t value;           /* raw, unscaled */
    uint64_t enabled;         /* ns the event was enabled (PERF_FORMAT_TOTAL_TIME_ENABLED) */
    uint64_t running;         /* ns it really counted; < enabled means multiplexed */
    int16_t err;              /* 0, errno, or enum cores_err */
};

struct cores_cpu {
    int cpu;
    int node;                 /* NUMA node, -1 unknown */
    int l3_domain;            /* cache/index3/id (or first CPU of shared_cpu_list); -1 */
    int l3_reader;            /* CPU whose row holds this CPU's L3 counts (itself on Intel) */
    uint32_t gen;             /* bumped at every (re)open: only equal gens are subtracted */
    struct cores_count c[CORES_EV_COUNT];
};

struct cores_thread {
    pid_t tid;
    uint32_t gen;
    struct cores_count c[CORES_EV_COUNT];
};

#define CORES_TEXT_LEN 320

struct cores_sample {
    bool valid;               /* false: the collector did not run or could not read */
    char pmu[96];             /* "Intel family 6 model 143: LLC = LONGEST_LAT_CACHE (sysfs)" */
    /* Why the hardware columns are n/a (or partly so), in words; "" when all work. */
    char headline[CORES_TEXT_LEN];
    int headline_ev;          /* the counter and error the headline describes (rows with */
    int headline_err;         /* the same failure reuse it as their why); -1 / 0 none */
    int paranoid;             /* /proc/sys/kernel/perf_event_paranoid; -100 unknown */
    bool l3_per_domain;       /* AMD: L3 from the amd_l3 uncore PMU, one count per L3 */
    long fd_limit;            /* RLIMIT_NOFILE soft limit after any raise; -1 unknown */
    int fds;                  /* perf fds held */
    int64_t read_ns;          /* what reading every counter cost this tick */
    struct cores_cpu *cpus;   /* owned; online CPUs, sorted by cpu */
    size_t ncpus;
    /* Per-thread counting (tiptop style), when the pane asked for it. */
    bool per_thread;
    char thread_note[CORES_TEXT_LEN]; /* why it is off or partial (EMFILE, fd budget) */
    struct cores_thread *threads;     /* owned; sorted by tid */
    size_t nthreads;
};

/* Free what the section owns (called by snapshot_free). */
static inline void cores_sample_free(struct cores_sample *s)
{
    free(s->cpus);
    free(s->threads);
    s->cpus = NULL;
    s->threads = NULL;
    s->ncpus = s->nthreads = 0;
}

/* Short event names, used in fixtures, reasons and JSON. */
static inline const char *cores_ev_name(int ev)
{
    static const char *const names[CORES_EV_COUNT] = {
        "cycles", "instructions", "l3_miss", "l3_access", "dtlb_miss",
        "context_switches", "migrations", "task_clock",
    };
    return ev >= 0 && ev < CORES_EV_COUNT ? names[ev] : "?";
}

#endif

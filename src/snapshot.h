/* snapshot: one tick of everything gmptop knows about the target, as plain data. */
#ifndef GMPTOP_SNAPSHOT_H
#define GMPTOP_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Bumped only when an existing field changes meaning; new fields keep the number. */
#define SNAPSHOT_SCHEMA 1

#define SNAPSHOT_COMM_LEN 64
#define SNAPSHOT_VERSION_LEN 48
#define SNAPSHOT_REASON_LEN 160
#define SNAPSHOT_MAX_COLLECTORS 16

/* Bits of thread_sample.have: which raw counters this tick could read. A figure whose
 * bit is clear is unknown (printed as null / "n/a"), never zero. */
enum thread_have {
    THREAD_HAVE_CPU_TIME   = 1u << 0, /* cpu_time_ns */
    THREAD_HAVE_SWITCHES   = 1u << 1, /* nvcsw, nivcsw */
    THREAD_HAVE_MIGRATIONS = 1u << 2, /* migrations */
    THREAD_HAVE_RUN_DELAY  = 1u << 3, /* run_delay_ns */
    THREAD_HAVE_AFFINITY   = 1u << 4, /* affinity */
    THREAD_HAVE_CPU        = 1u << 5, /* cpu (last CPU it ran on) */
};

/* Cumulative counters of one OS thread; rates come from two snapshots (rates.h). */
struct thread_sample {
    pid_t tid;
    char name[16];
    char state;               /* R S D T t Z X I, as in /proc/TID/stat */
    int cpu;                  /* last CPU it ran on */
    uint64_t cpu_time_ns;     /* on-CPU time (schedstat run ns, else utime+stime) */
    uint64_t nvcsw;           /* voluntary context switches */
    uint64_t nivcsw;          /* involuntary context switches */
    uint64_t migrations;      /* se.nr_migrations */
    uint64_t run_delay_ns;    /* time runnable but waiting for a CPU (schedstat) */
    char affinity[64];        /* Cpus_allowed_list, e.g. "0-3,8" */
    uint32_t have;            /* enum thread_have */
};

/* One CPU of the machine, cumulative jiffies from /proc/stat. */
struct cpu_sample {
    int cpu;
    int node;                 /* NUMA node, -1 if unknown */
    uint64_t busy;            /* user+nice+system+irq+softirq+steal */
    uint64_t total;           /* busy + idle + iowait */
    bool online;
};

/* What a collector said about itself this tick. */
struct collector_status {
    char name[24];
    bool available;
    char reason[SNAPSHOT_REASON_LEN]; /* why not, or a short note when available */
};

struct snapshot_meta {
    int schema;
    int64_t time_ns;          /* CLOCK_REALTIME */
    int64_t mono_ns;          /* CLOCK_MONOTONIC, for rates */
    pid_t pid;
    char comm[SNAPSHOT_COMM_LEN];
    char go_version[SNAPSHOT_VERSION_LEN]; /* "go1.22.12"; "" when unknown */
    double uptime_s;          /* target's age; < 0 when unknown */
    bool target_gone;         /* target exited before/while sampling */
};

struct snapshot {
    struct snapshot_meta meta;

    struct thread_sample *threads;  /* owned, sorted by tid once complete */
    size_t nthreads;

    struct cpu_sample *cpus;        /* owned */
    size_t ncpus;

    struct collector_status status[SNAPSHOT_MAX_COLLECTORS];
    size_t nstatus;
};

struct snapshot *snapshot_new(void);
void snapshot_free(struct snapshot *s);
/* Grow-and-append helpers; return a zeroed slot, or NULL on ENOMEM. */
struct thread_sample *snapshot_add_thread(struct snapshot *s);
struct cpu_sample *snapshot_add_cpu(struct snapshot *s);
/* Record a collector's availability this tick (replaces an earlier entry by name). */
void snapshot_set_status(struct snapshot *s, const char *name, bool available,
                         const char *reason);
const struct collector_status *snapshot_status(const struct snapshot *s, const char *name);
/* Sort threads by tid; the session does this after the collectors ran. */
void snapshot_sort_threads(struct snapshot *s);
/* Binary search: needs snapshot_sort_threads() first. */
const struct thread_sample *snapshot_find_thread(const struct snapshot *s, pid_t tid);
const struct cpu_sample *snapshot_find_cpu(const struct snapshot *s, int cpu);

#endif

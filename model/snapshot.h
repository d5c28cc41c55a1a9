/* snapshot: one tick of everything gmptop knows about the target, as plain data. */
#ifndef GMPTOP_SNAPSHOT_H
#define GMPTOP_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/go_timehist.h"
#include "model/snapshot_cores.h"
#include "model/snapshot_numa.h"
#include "model/snapshot_park.h"
#include "model/snapshot_diag.h"
#include "model/snapshot_goroutines.h"
#include "model/snapshot_cpuprof.h"

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

/* Go P status values (runtime/runtime2.go, stable since Go 1.0). */
enum go_p_status { GO_P_IDLE = 0, GO_P_RUNNING, GO_P_SYSCALL, GO_P_GCSTOP, GO_P_DEAD };

/* One P as read from the target this tick (cumulative ticks; rates from two snapshots). */
struct p_sample {
    int32_t id;
    uint32_t status;          /* enum go_p_status */
    uint32_t runq;            /* runqtail - runqhead at the full read */
    uint32_t runq_max;        /* max over the high-rate samples since the last tick */
    double runq_mean;         /* mean over them; NAN when none */
    bool runnext;             /* a goroutine waits in runnext */
    uint32_t schedtick, syscalltick;
    int64_t m_id;             /* -1 when no M holds the P */
    pid_t m_tid;              /* that M's OS thread, 0 when none */
    int64_t curg_goid;        /* goroutine running on it, -1 when none */
    /* Go 1.26+ keeps a P _Prunning while its goroutine is in a syscall: status is then
     * reported as GO_P_SYSCALL, taken from the goroutine's own status. */
    bool g_in_syscall;
    /* Before 1.26 the runtime clears p.m on syscall entry and keeps the P in the M's
     * oldp: m_id/m_tid then name the M that holds the P that way. */
    bool m_from_oldp;
};

/* Goroutine status classes for the census (g.atomicstatus without the scan bit). */
enum go_g_class { GO_G_IDLE, GO_G_RUNNABLE, GO_G_RUNNING, GO_G_SYSCALL, GO_G_WAITING,
                  GO_G_PREEMPTED, GO_G_COPYSTACK,
                  GO_G_LEAKED,  /* Go 1.26+: found unreachable by the GC's leak detector */
                  GO_G_CLASS_COUNT };

/* Who chose GOMAXPROCS. Go 1.25+ tells custom (env or runtime.GOMAXPROCS) from its own
 * automatic value (CPUs, capped by the cgroup limit, updated at run time); before 1.25
 * only the environment and the CPU count can be compared. */
enum gomaxprocs_source {
    GOMAXPROCS_SRC_UNKNOWN = 0,
    GOMAXPROCS_SRC_ENV,       /* GOMAXPROCS in the target's environment */
    GOMAXPROCS_SRC_PROGRAM,   /* runtime.GOMAXPROCS(n) called by the program */
    GOMAXPROCS_SRC_RUNTIME,   /* the runtime's own default */
};

#define SCHED_MAX_REASONS 64
#define SCHED_REASON_LEN 40

struct sched_sample {
    bool valid;               /* false: see status "sched" for why */
    int32_t gomaxprocs;
    int64_t runq_global;
    int32_t idle_p;
    int32_t spinning_m;
    int32_t needspinning;     /* -1 when this Go version has none */
    int64_t threads;          /* Ms ever created minus freed */
    int32_t idle_threads;
    int64_t gc_cycles;        /* -1 unknown */
    int64_t gc_last_pause_ns; /* -1 unknown */
    int32_t gomaxprocs_source; /* enum gomaxprocs_source */
    int32_t gomaxprocs_auto;  /* what the runtime picks by itself (model/go_maxprocs.h:
                               * version, GODEBUG, mask, its cgroup's limit); 0 unknown */
    int32_t gomaxprocs_policy; /* enum go_maxprocs_flags; 0 unknown */
    int64_t goids_allocated;  /* schedt.goidgen: goroutine ids handed out (to P caches in
                               * batches of 16), cumulative; -1 unknown */
    struct p_sample *ps;      /* owned, gomaxprocs entries */
    size_t nps;
    /* census over runtime.allgs */
    bool census_valid;
    int64_t g_total;          /* not dead, less the runtime's own (= runtime.NumGoroutine()) */
    int64_t g_system;         /* the runtime's own goroutines (schedt.ngsys), in by_class
                               * but not in g_total; -1 unknown */
    int64_t g_by_class[GO_G_CLASS_COUNT];
    bool census_sampled;      /* over budget: a stride sample, counts scaled */
    size_t nreasons;
    /* name: interned for the run (snapshot_intern), never NULL below nreasons: a history
     * of snapshots holds each wait reason's name once, not 40 bytes per reason per tick. */
    struct { const char *name; int64_t count; } by_reason[SCHED_MAX_REASONS];
    /* CPU budget context */
    double cpu_quota;         /* cgroup quota in CPUs; NAN when unlimited/unknown */
    int64_t nr_throttled;     /* cgroup cpu.stat, cumulative; -1 unknown */
    int64_t throttled_ns;     /* time throttled, cumulative; -1 unknown */
    int32_t cpus_allowed;     /* CPUs in the process's affinity mask; -1 unknown */
    int32_t cpus_online;
    uint64_t dropped;         /* implausible or partial reads so far (cumulative) */
};

/* A cumulative Go runtime time histogram read this tick (intervals come from two). */
struct timehist_sample {
    bool valid;
    struct go_timehist_layout layout;
    struct go_timehist_raw *raw;   /* owned; go_timehist_raw_size(&layout) bytes */
};

/* What a collector said about itself this tick. */
struct collector_status {
    char name[24];
    bool available;
    /* Why not, or a short note when available (at most SNAPSHOT_REASON_LEN - 1 bytes):
     * owned by the snapshot, set by snapshot_set_status, never NULL once set ("" shared
     * when empty). Most are empty: a history holds the few that say something, not 16
     * buffers of 160 bytes per tick. */
    const char *reason;
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

    struct sched_sample sched;
    struct timehist_sample sched_latency;  /* runtime.sched.timeToRun */
    struct timehist_sample gc_pauses;      /* the runtime's GC pause histogram */
    struct park_sample park;               /* BPF latency (snapshot_park.h) */
    struct cores_sample cores;             /* per-CPU counters (snapshot_cores.h) */
    struct numa_sample numa;               /* memory and threads per node (snapshot_numa.h) */
    struct diag_sample diag;               /* findings of the diagnosis rules */
    struct goroutines_sample goroutines;   /* goroutine groups (snapshot_goroutines.h) */
    struct cpuprof_sample *cpuprof;        /* on-CPU profile; owned, NULL when not taken */

    struct collector_status status[SNAPSHOT_MAX_COLLECTORS];
    size_t nstatus;
    bool detail_shed;               /* details freed as it aged in a history (not recorded):
                                     * snapshot_shed_detail */
};

struct snapshot *snapshot_new(void);
void snapshot_free(struct snapshot *s);
/* Free what only the newest two snapshots are read for (the panes' current view and
 * its interval, the JSON's pair, /metrics), kept out of the older ones a history holds:
 * the on-CPU profile (cpuprof NULL), the wait reasons' latency histograms (park.reasons
 * NULL; the wake histogram and the counters stay), every rule's status and the findings
 * (diag.rules and diag.findings NULL: the engine keeps its own record of past findings).
 * On a loaded server 4.4 + 6.2 + 3.7 KB of a ~29.5 KB snapshot, 1.2 KB more per finding.
 * Sets detail_shed when it freed anything. Charts and rules read older
 * snapshots only for the scheduler, threads, CPUs, cores, NUMA and time histograms. */
void snapshot_shed_detail(struct snapshot *s);
/* Grow-and-append helpers; return a zeroed slot, or NULL on ENOMEM. */
struct thread_sample *snapshot_add_thread(struct snapshot *s);
/* s kept for the run, once however often it is asked for ("?" when out of memory). */
const char *snapshot_intern(const char *s);
struct cpu_sample *snapshot_add_cpu(struct snapshot *s);
/* Record a collector's availability this tick (replaces an earlier entry by name). */
/* Forget every collector's status (their reasons freed). */
void snapshot_clear_status(struct snapshot *s);
void snapshot_set_status(struct snapshot *s, const char *name, bool available,
                         const char *reason);
const struct collector_status *snapshot_status(const struct snapshot *s, const char *name);
/* "running", "leaked", ...: the census class names of the JSON and metrics contract. */
const char *go_g_class_name(enum go_g_class c);
/* "env", "program", "runtime"; NULL for GOMAXPROCS_SRC_UNKNOWN. */
const char *gomaxprocs_source_name(int32_t src);
/* Sort threads by tid; the session does this after the collectors ran. */
void snapshot_sort_threads(struct snapshot *s);
/* Binary search: needs snapshot_sort_threads() first. */
const struct thread_sample *snapshot_find_thread(const struct snapshot *s, pid_t tid);
const struct cpu_sample *snapshot_find_cpu(const struct snapshot *s, int cpu);

#endif

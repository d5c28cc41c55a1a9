/* snapshot_cpuprof: the on-CPU profile section of a snapshot: which functions and
 * goroutines were on the CPU over the snapshot's interval and over the last minute,
 * from cpu-clock samples of the target's threads (collectors/cpuprof.c). */
#ifndef GMPTOP_SNAPSHOT_CPUPROF_H
#define GMPTOP_SNAPSHOT_CPUPROF_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/gstack.h"

#define CPUPROF_TOP_MAX 24        /* functions kept per window */
#define CPUPROF_GS_MAX 32         /* goroutines on the CPU kept per interval */
#define CPUPROF_HOT_MAX 12        /* hottest stacks of the minute kept */
/* How the cpuprof collector's status begins while on-demand profiling is paused (no
 * pane shows the profile): a pane that does show it, live, says it is starting. */
#define CPUPROF_PAUSED_PREFIX "paused: "

/* What a frame of the runtime's own work is, so "the GC eats a core" reads as such. */
enum cpuprof_kind {
    CPUPROF_KIND_USER = 0,        /* the program's code and libraries */
    CPUPROF_KIND_GC,              /* marking, sweeping, assists, write barriers */
    CPUPROF_KIND_SCHED,           /* schedule, findRunnable, stealing, park/ready */
    CPUPROF_KIND_SYSCALL,         /* in or around a system call */
    CPUPROF_KIND_RUNTIME,         /* the rest of the runtime (malloc, maps, channels) */
    CPUPROF_KIND_COUNT
};

struct cpuprof_func {
    const char *func;             /* pooled (gstack_str) */
    const char *file;             /* pooled; "" unknown */
    int32_t kind;                 /* enum cpuprof_kind */
    int64_t self;                 /* samples with it innermost */
    int64_t total;                /* samples with it anywhere on the stack */
};

/* A goroutine seen on the CPU in the interval. */
struct cpuprof_g {
    uint64_t g;                   /* the runtime's g pointer (matched with allgs) */
    int64_t goid;                 /* -1: runtime work on a system stack (g0) */
    const char *start_func;       /* pooled; "" unknown */
    const char *where;            /* pooled: the hottest user frame it was in */
    pid_t tid;                    /* the thread of its last sample */
    int32_t cpu;                  /* the CPU of its last sample */
    int32_t p;                    /* the P its M held then; -1 unknown */
    int64_t samples;
};

struct cpuprof_hot {
    const struct gstack *stack;   /* pooled (frames innermost first) */
    int64_t samples;
};

struct cpuprof_sample {
    bool valid;                   /* false: status "cpuprof" says why */
    double hz;                    /* sampling rate per thread now */
    double interval_s;            /* the window "samples" covers */
    int64_t samples;              /* in the interval, all threads */
    int64_t kernel;               /* of them, taken in the kernel (system calls) */
    int64_t unattributed;         /* with no goroutine (C code, a thread not Go's) */
    int64_t by_kind[CPUPROF_KIND_COUNT];  /* by the innermost frame's kind */
    uint64_t lost_total;          /* dropped by full rings, since attach */
    int32_t threads;              /* threads sampled */
    char events[16];              /* "per-cpu" (one event a CPU, BPF-filtered) or
                                   * "per-thread" (one a thread: costs every switch) */
    double cost_pct;              /* what sampling costs, % of one core: the kernel's work
                                   * per sample (measured constant) x samples/s + this
                                   * collector's own CPU; NAN until first measured */
    double budget_pct;            /* the budget it is governed by (--bpf-budget) */
    double sample_cost_us;        /* one sample's cost to a thread, measured at attach */
    struct cpuprof_func top[CPUPROF_TOP_MAX];    /* interval, self descending */
    uint16_t ntop;
    double minute_s;              /* the longer window (up to 60 s so far) */
    int64_t minute_samples;
    struct cpuprof_func minute[CPUPROF_TOP_MAX]; /* minute, self descending */
    uint16_t nminute;
    struct cpuprof_g gs[CPUPROF_GS_MAX];         /* interval, samples descending */
    uint16_t ngs;
    struct cpuprof_hot hot[CPUPROF_HOT_MAX];     /* minute, samples descending */
    uint16_t nhot;
    char note[160];               /* the governor's or the thread list's word, or "" */
    char export_msg[200];         /* result of the last --profile / W request, or "" */
};

/* Free a profile and give back its hot stacks' references (they are counted in the
 * stack pool: collectors/cpuprof.c and the recording's decoder take one for each). */
void cpuprof_sample_free(struct cpuprof_sample *c);

/* "gc", "scheduler", ...: the names of the JSON and metrics contract. */
static inline const char *cpuprof_kind_name(int32_t k)
{
    static const char *const names[] = { "user", "gc", "scheduler", "syscall", "runtime" };
    return k >= 0 && k < CPUPROF_KIND_COUNT ? names[k] : "user";
}

#endif

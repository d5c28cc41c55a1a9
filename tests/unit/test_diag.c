/* test_diag: every diagnosis rule on synthetic histories just below, at and above its
 * thresholds; the engine keeps a finding's start and remembers it when it ends. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diagnoses/diag.h"
#include "model/go_maxprocs.h"
#include "base/settings.h"
#include "session/session.h"
#include "model/history.h"

#define SEC 1000000000LL

/* What varies per tick in a synthetic history. */
struct tick {
    int gomaxprocs, idle_p, cpus_allowed;
    double quota;
    const char *go_version;                 /* "" when unknown */
    int gomaxprocs_source, gomaxprocs_auto, gomaxprocs_policy;
    long long runq_global, local, threads, g_syscall, g_runnable, g_total, gc_cycles;
    const char *reason;
    long long reason_count;
    long long nr_throttled;
    uint64_t migrations, run_delay_ns;      /* cumulative, of the P's thread */
    uint64_t lat_events, lat_ns;            /* scheduling-latency events added per tick */
    long long leak_group;                   /* > 0: goroutine groups, a leak of this many */
};

static struct go_timehist_layout lat_layout;
static uint64_t lat_counts[GO_TIMEHIST_MAX_COUNTS];

static struct snapshot *make(int i, const struct tick *t)
{
    struct snapshot *s = snapshot_new();
    s->meta.mono_ns = (int64_t)i * SEC;
    s->meta.time_ns = 1700000000LL * SEC + (int64_t)i * SEC;
    struct sched_sample *ss = &s->sched;
    ss->valid = true;
    ss->gomaxprocs = t->gomaxprocs ? t->gomaxprocs : 2;
    ss->idle_p = t->idle_p;
    ss->cpus_allowed = t->cpus_allowed ? t->cpus_allowed : 2;
    ss->cpus_online = 2;
    ss->cpu_quota = t->quota ? t->quota : NAN;
    snprintf(s->meta.go_version, sizeof(s->meta.go_version), "%s",
             t->go_version ? t->go_version : "");
    ss->gomaxprocs_source = t->gomaxprocs_source;
    ss->gomaxprocs_auto = t->gomaxprocs_auto;
    ss->gomaxprocs_policy = t->gomaxprocs_policy;
    ss->runq_global = t->runq_global;
    ss->threads = t->threads ? t->threads : 5;
    ss->gc_cycles = t->gc_cycles;
    ss->nr_throttled = t->nr_throttled;
    ss->throttled_ns = t->nr_throttled >= 0 ? t->nr_throttled * 1000000 : -1;
    ss->nps = (size_t)ss->gomaxprocs;
    ss->ps = calloc(ss->nps, sizeof(*ss->ps));
    for (size_t p = 0; p < ss->nps; p++) {
        ss->ps[p].id = (int32_t)p;
        ss->ps[p].status = GO_P_RUNNING;
        ss->ps[p].m_tid = 100 + (pid_t)p;
    }
    ss->ps[0].runq = (uint32_t)t->local;
    ss->census_valid = true;
    ss->g_total = t->g_total ? t->g_total : 10;
    if (t->leak_group > 0) {
        /* The leak beside a steady group of the rest: pooled stacks, as the reader gives. */
        struct gframe leak = { "main.leak", "/src/app/leak.go", 31, false };
        struct gframe nap = { "main.napper", "/src/app/nap.go", 12, false };
        struct gframe cb = { "main.serve", "/src/app/srv.go", 88, false }, none = { "", "", 0, false };
        struct goroutines_sample *g = &s->goroutines;
        g->valid = true;
        g->refreshed_ns = s->meta.time_ns;
        g->groups = calloc(2, sizeof(*g->groups));
        g->groups[0] = (struct goroutine_group){ gstack_intern(&leak, 1, false, &cb, &none),
                                                 GO_G_WAITING, gstack_str("chan receive"),
                                                 t->leak_group, NAN, 0 };
        g->groups[1] = (struct goroutine_group){ gstack_intern(&nap, 1, false, &cb, &none),
                                                 GO_G_WAITING, gstack_str("sleep"),
                                                 ss->g_total - t->leak_group, NAN, 0 };
        g->ngroups = 2;
    }
    ss->g_by_class[GO_G_SYSCALL] = t->g_syscall;
    ss->g_by_class[GO_G_RUNNABLE] = t->g_runnable;
    if (t->reason) {
        ss->by_reason[0].name = snapshot_intern(t->reason);
        ss->by_reason[0].count = t->reason_count;
        ss->nreasons = 1;
    }
    for (size_t p = 0; p < ss->nps; p++) {
        struct thread_sample *th = snapshot_add_thread(s);
        th->tid = 100 + (pid_t)p;
        th->have = THREAD_HAVE_MIGRATIONS | THREAD_HAVE_RUN_DELAY | THREAD_HAVE_CPU_TIME;
        th->migrations = p == 0 ? t->migrations : 0;
        th->run_delay_ns = p == 0 ? t->run_delay_ns : 0;
    }
    snapshot_sort_threads(s);
    if (t->lat_events) {
        long b = go_timehist_index_of(&lat_layout, (int64_t)t->lat_ns);
        if (b >= 0)
            lat_counts[b] += t->lat_events;
    }
    s->sched_latency.valid = true;
    s->sched_latency.layout = lat_layout;
    s->sched_latency.raw = calloc(1, sizeof(struct go_timehist_raw));
    memcpy(s->sched_latency.raw->counts, lat_counts, sizeof(lat_counts));
    return s;
}

typedef void (*tick_fn)(int i, struct tick *t, double arg);

/* Build n ticks with fn in a history of cap snapshots and run the rule on the result;
 * returns the verdict (why gets an unavailable rule's reason when not NULL). */
static enum diag_verdict run_rule_in(const char *id, int n, tick_fn fn, double arg,
                                     struct diag_finding *f, size_t cap, char *why_out)
{
    const struct diag_rule *r = diag_rule_find(id);
    assert_non_null(r);
    memset(lat_counts, 0, sizeof(lat_counts));
    struct history *h = history_new(cap);
    for (int i = 0; i < n; i++) {
        struct tick t = { .nr_throttled = -1, .gc_cycles = 0 };
        fn(i, &t, arg);
        history_push(h, make(i, &t));
    }
    double thr[DIAG_MAX_THRESHOLDS];
    for (size_t k = 0; k < r->nthresholds; k++)
        thr[k] = r->thresholds[k].def;
    struct diag_ctx c = { .h = h, .thr = thr };
    char why[160] = "";
    memset(f, 0, sizeof(*f));
    enum diag_verdict v = r->check(&c, f, why, sizeof(why));
    if (v == DIAG_FIRE)
        assert_true(strlen(f->message) > 40 && f->severity != DIAG_NONE);
    if (why_out)
        strcpy(why_out, why);
    history_free(h);
    return v;
}

static enum diag_verdict run_rule(const char *id, int n, tick_fn fn, double arg,
                                  struct diag_finding *f)
{
    return run_rule_in(id, n, fn, arg, f, 600, NULL);
}

#define FIRES(id, n, fn, arg) assert_int_equal(run_rule(id, n, fn, arg, &f), DIAG_FIRE)
#define QUIET(id, n, fn, arg) assert_int_equal(run_rule(id, n, fn, arg, &f), DIAG_QUIET)

static void backlog(int i, struct tick *t, double q) { (void)i; t->runq_global = (long long)q; }
static void backlog_idle(int i, struct tick *t, double q)
{
    (void)i;
    t->local = (long long)q;
    t->idle_p = 1;
}

/* Queues read mid-transfer: every third read sees 8 of 62 queued goroutines, while the
 * census counts them all runnable. */
static void backlog_torn(int i, struct tick *t, double runnable)
{
    t->runq_global = i % 3 == 1 ? 0 : 30;
    t->local = i % 3 == 1 ? 8 : 32;
    t->g_runnable = (long long)runnable;
}

static void test_runq_backlog(void **state)
{
    (void)state;
    struct diag_finding f;
    /* 16 per P with 2 Ps = 32 queued, held 5 s = 6 ticks one second apart */
    QUIET("runq_backlog", 10, backlog, 31);
    FIRES("runq_backlog", 6, backlog, 32);
    assert_non_null(strstr(f.message, "all 2 Ps busy"));
    QUIET("runq_backlog", 5, backlog, 500);          /* only 4 s */
    FIRES("runq_backlog", 8, backlog_idle, 40);
    assert_non_null(strstr(f.message, "sat idle"));
    FIRES("runq_backlog", 8, backlog_torn, 62);
    QUIET("runq_backlog", 8, backlog_torn, 0);       /* no census figure: torn reads count */
    QUIET("runq_backlog", 8, backlog_torn, 31);
}

static void procs(int i, struct tick *t, double g)
{
    (void)i;
    t->gomaxprocs = (int)g;
    t->cpus_allowed = 2;
}
static void quota(int i, struct tick *t, double g)
{
    (void)i;
    t->gomaxprocs = (int)g;
    t->quota = 1.5;
}

static void half_cpu(int i, struct tick *t, double g)
{
    (void)i;
    t->gomaxprocs = (int)g;
    t->quota = 0.5;
}

/* Half a CPU on an 8-CPU mask, as the collector sees a Go 1.25+ process whose runtime
 * holds that cgroup's cpu.max open with its quota rule on (go.mod says 1.25+). */
static void go125_half(struct tick *t, int procs, int src)
{
    t->gomaxprocs = procs;
    t->quota = 0.5;
    t->cpus_allowed = 8;
    t->go_version = "go1.25.12";
    t->gomaxprocs_source = src;
    t->gomaxprocs_auto = 2;
    t->gomaxprocs_policy = GO_MAXPROCS_KNOWN | GO_MAXPROCS_CONTAINER | GO_MAXPROCS_UPDATE |
                           GO_MAXPROCS_CGROUP_OPEN;
}

static void rt_own(int i, struct tick *t, double g)
{
    (void)i;
    go125_half(t, (int)g, GOMAXPROCS_SRC_RUNTIME);
}

/* The runtime's 8 over the quota from tick `from` on, where its own rule gives 2 (sysmon
 * rechecks each second). */
static void rt_settling(int i, struct tick *t, double from)
{
    go125_half(t, i >= (int)from ? 8 : 2, GOMAXPROCS_SRC_RUNTIME);
}

static void env_set(int i, struct tick *t, double g)
{
    (void)i;
    go125_half(t, (int)g, GOMAXPROCS_SRC_ENV);
}

static void program_set(int i, struct tick *t, double g)
{
    (void)i;
    go125_half(t, (int)g, GOMAXPROCS_SRC_PROGRAM);
}

/* go.mod older than 1.25: DefaultGODEBUG containermaxprocs=0, the runtime keeps all 8. */
static void old_gomod(int i, struct tick *t, double src)
{
    (void)i;
    go125_half(t, 8, (int)src);
    if ((int)src == GOMAXPROCS_SRC_ENV)
        t->gomaxprocs = 4;
    t->gomaxprocs_auto = 8;
    t->gomaxprocs_policy = GO_MAXPROCS_KNOWN | GO_MAXPROCS_OFF_BY_BUILD;
}

static void godebug_env_off(int i, struct tick *t, double g)
{
    (void)i;
    go125_half(t, (int)g, GOMAXPROCS_SRC_RUNTIME);
    t->gomaxprocs_auto = 8;
    t->gomaxprocs_policy = GO_MAXPROCS_KNOWN | GO_MAXPROCS_OFF_BY_ENV | GO_MAXPROCS_UPDATE;
}

/* The runtime's own 8: the cgroup it started in has no quota (the quota binds above it,
 * or it was moved into a limited group after start). */
static void started_elsewhere(int i, struct tick *t, double g)
{
    (void)i;
    go125_half(t, (int)g, GOMAXPROCS_SRC_RUNTIME);
    t->gomaxprocs_auto = 8;
}

static void go124(int i, struct tick *t, double g)
{
    (void)i;
    go125_half(t, (int)g, GOMAXPROCS_SRC_RUNTIME);
    t->go_version = "go1.24.4";
    t->gomaxprocs_auto = 8;
    t->gomaxprocs_policy = GO_MAXPROCS_KNOWN;
}

static void test_gomaxprocs(void **state)
{
    (void)state;
    struct diag_finding f;
    QUIET("gomaxprocs", 3, procs, 2);
    FIRES("gomaxprocs", 3, procs, 3);
    assert_non_null(strstr(f.message, "GOMAXPROCS is 3"));
    QUIET("gomaxprocs", 3, quota, 2);               /* ceil(1.5) = 2 is right */
    FIRES("gomaxprocs", 3, quota, 3);
    assert_non_null(strstr(f.message, "quota"));
    assert_non_null(strstr(f.message, "Set GOMAXPROCS=2"));
    /* Go 1.25's floor: 2 Ps for half a CPU is the runtime's own choice, not advised
     * down to 1. */
    QUIET("gomaxprocs", 3, half_cpu, 2);
    QUIET("gomaxprocs", 3, half_cpu, 1);
    FIRES("gomaxprocs", 3, half_cpu, 4);
    assert_non_null(strstr(f.message, "Set GOMAXPROCS=2"));

    /* Go 1.25+ with its quota rule on: its own 2 is quiet, and so is 1 set by hand. */
    QUIET("gomaxprocs", 5, rt_own, 2);
    QUIET("gomaxprocs", 5, env_set, 1);
    QUIET("gomaxprocs", 5, env_set, 2);
    /* Over its own rule for 2 s: sysmon is about to correct it; for 4 s it has not. */
    QUIET("gomaxprocs", 6, rt_settling, 3);
    FIRES("gomaxprocs", 6, rt_settling, 1);
    assert_non_null(strstr(f.message, "own rule gives 2"));
    assert_int_equal(f.evidence[4].value, 2);                 /* runtime_default */
    /* Set by hand over the rule: unset it, the runtime picks 2 by itself. */
    FIRES("gomaxprocs", 5, env_set, 4);
    assert_non_null(strstr(f.message, "environment variable sets it"));
    assert_non_null(strstr(f.message, "Unset it: Go 1.25 picks 2 by itself"));
    assert_null(strstr(f.message, "Set GOMAXPROCS="));
    FIRES("gomaxprocs", 5, program_set, 4);
    assert_non_null(strstr(f.message, "Drop the call"));
    /* Its quota rule off by the build's DefaultGODEBUG: say so; the fix is to set it. */
    FIRES("gomaxprocs", 5, old_gomod, GOMAXPROCS_SRC_RUNTIME);
    assert_non_null(strstr(f.message, "DefaultGODEBUG"));
    assert_non_null(strstr(f.message, "GODEBUG=containermaxprocs=1"));
    assert_non_null(strstr(f.message, "Set GOMAXPROCS=2"));
    /* ... where unsetting GOMAXPROCS=4 would give 8, not what the quota wants. */
    FIRES("gomaxprocs", 5, old_gomod, GOMAXPROCS_SRC_ENV);
    assert_non_null(strstr(f.message, "Set GOMAXPROCS=2"));
    assert_null(strstr(f.message, "Unset"));
    FIRES("gomaxprocs", 5, godebug_env_off, 8);
    assert_non_null(strstr(f.message, "containermaxprocs=0 in its environment"));
    FIRES("gomaxprocs", 5, started_elsewhere, 8);
    assert_non_null(strstr(f.message, "cgroup it started in"));
    assert_non_null(strstr(f.message, "Set GOMAXPROCS=2"));
    /* Before 1.25 the runtime ignores quotas: advise the 1.25 rule's 2, never 1. */
    FIRES("gomaxprocs", 5, go124, 8);
    assert_non_null(strstr(f.message, "Go 1.24 ignores CPU quotas"));
    assert_non_null(strstr(f.message, "Set GOMAXPROCS=2"));
    QUIET("gomaxprocs", 5, go124, 2);
}

static void in_syscall(int i, struct tick *t, double n) { (void)i; t->g_syscall = (long long)n; }
static void thread_growth(int i, struct tick *t, double per_tick)
{
    t->threads = 5 + (long long)(i * per_tick);
}

static void test_syscall_block(void **state)
{
    (void)state;
    struct diag_finding f;
    QUIET("syscall_block", 3, in_syscall, 15);
    FIRES("syscall_block", 3, in_syscall, 16);
    QUIET("syscall_block", 10, thread_growth, 1);   /* +9 */
    FIRES("syscall_block", 11, thread_growth, 1);   /* +10 */
    assert_non_null(strstr(f.message, "grew by 10"));
}

static void gc_rate(int i, struct tick *t, double per_s) { t->gc_cycles = (long long)(i * per_s); }

static void test_gc_pressure(void **state)
{
    (void)state;
    struct diag_finding f;
    QUIET("gc_pressure", 12, gc_rate, 4);
    FIRES("gc_pressure", 12, gc_rate, 5);
    assert_non_null(strstr(f.message, "5.0 times per second"));
}

static void mutex_wait(int i, struct tick *t, double n)
{
    (void)i;
    t->reason = "sync.Mutex.Lock";
    t->reason_count = (long long)n;
}

/* 4 waiters, except ticks 1..dips (of 0..5) where the queue emptied for a moment. */
static void mutex_flicker(int i, struct tick *t, double dips)
{
    t->reason = "sync.Mutex.Lock";
    t->reason_count = (i >= 1 && i <= (int)dips) ? 0 : 4;
}

static void test_lock_contention(void **state)
{
    (void)state;
    struct diag_finding f;
    QUIET("lock_contention", 8, mutex_wait, 3);
    FIRES("lock_contention", 6, mutex_wait, 4);
    QUIET("lock_contention", 5, mutex_wait, 40);    /* 4 s only */
    FIRES("lock_contention", 6, mutex_flicker, 2);  /* 4 of 6 ticks: dips are fine */
    QUIET("lock_contention", 6, mutex_flicker, 3);  /* 3 of 6 ticks */
}

static void migrate(int i, struct tick *t, double per_s) { t->migrations = (uint64_t)(i * per_s); }

static void test_migrations(void **state)
{
    (void)state;
    struct diag_finding f;
    QUIET("migrations", 8, migrate, 199);
    FIRES("migrations", 7, migrate, 200);
    assert_non_null(strstr(f.message, "Thread 100"));
}

static void delay(int i, struct tick *t, double ms) { t->run_delay_ns = (uint64_t)(i * ms * 1e6); }

static void test_run_delay(void **state)
{
    (void)state;
    struct diag_finding f;
    QUIET("run_delay", 8, delay, 99);
    FIRES("run_delay", 7, delay, 100);
}

static void throttle(int i, struct tick *t, double per_s) { t->nr_throttled = (long long)(i * per_s); }
static void no_cgroup(int i, struct tick *t, double x) { (void)i; (void)x; t->nr_throttled = -1; }

static void test_cpu_throttle(void **state)
{
    (void)state;
    struct diag_finding f;
    QUIET("cpu_throttle", 6, throttle, 0);
    FIRES("cpu_throttle", 5, throttle, 1);
    assert_int_equal(run_rule("cpu_throttle", 5, no_cgroup, 0, &f), DIAG_UNAVAILABLE);
}

static void latency(int i, struct tick *t, double ms)
{
    (void)i;
    t->lat_events = 1000;
    t->lat_ns = (uint64_t)(ms * 1e6);
}

static void test_sched_latency(void **state)
{
    (void)state;
    struct diag_finding f;
    QUIET("sched_latency", 8, latency, 3.0);        /* bucket bound below 5 ms */
    FIRES("sched_latency", 8, latency, 6.0);
    QUIET("sched_latency", 5, latency, 60.0);       /* 4 s only */
}

static void pileup(int i, struct tick *t, double per_tick)
{
    t->g_total = 500 + (long long)(i * per_tick);
}
static void pileup_groups(int i, struct tick *t, double per_tick)
{
    pileup(i, t, per_tick);
    t->leak_group = 20 + (long long)(i * per_tick);
}
static void sawtooth(int i, struct tick *t, double x)
{
    (void)x;
    t->g_total = 500 + (i % 2 ? 300 : i * 2);
}

static void test_goroutine_pileup(void **state)
{
    (void)state;
    struct diag_finding f;
    FIRES("goroutine_pileup", 182, pileup, 1.0);    /* 500 -> ~680 over 180 s */
    QUIET("goroutine_pileup", 182, pileup, 0.0);
    QUIET("goroutine_pileup", 100, pileup, 5.0);    /* not minutes of history yet */
    QUIET("goroutine_pileup", 182, sawtooth, 0);
    /* A history of 100 one-second ticks cannot hold a 180 s window: the rule says so
     * rather than stay quiet for ever (600 snapshots at -d 0.1). */
    char why[160];
    assert_int_equal(run_rule_in("goroutine_pileup", 100, pileup, 5.0, &f, 100, why),
                     DIAG_UNAVAILABLE);
    assert_non_null(strstr(why, "99 s of history"));
    /* With the goroutines' stacks read, the finding names the group that grows. */
    FIRES("goroutine_pileup", 182, pileup_groups, 1.0);
    assert_non_null(strstr(f.message, "main.leak (leak.go:31), waiting in chan receive, "
                                      "created by main.serve (srv.go:88)"));
    assert_non_null(strstr(f.message, "60.0 a minute"));
    assert_non_null(strstr(f.message, "100% of it one group"));
    FIRES("goroutine_pileup", 182, pileup, 1.0);                  /* no groups: as before */
    assert_null(strstr(f.message, "one group"));
    QUIET("goroutine_pileup", 182, pileup_groups, 0.0);
}

static void plain(int i, struct tick *t, double x) { (void)i; (void)t; (void)x; }

static void test_unavailable_rules(void **state)
{
    (void)state;
    struct diag_finding f;
    assert_int_equal(run_rule("cache_misses", 3, plain, 0, &f), DIAG_UNAVAILABLE);
    assert_int_equal(run_rule("numa_remote", 3, plain, 0, &f), DIAG_UNAVAILABLE);
}

/* NUMA: two nodes, a share of memory remote; one node never fires. */

static enum diag_verdict run_numa(int n, double local, size_t nodes)
{
    const struct diag_rule *r = diag_rule_find("numa_remote");
    struct history *h = history_new(64);
    for (int i = 0; i < n; i++) {
        struct tick t = { .nr_throttled = -1 };
        struct snapshot *s = make(i, &t);
        s->numa.valid = true;
        s->numa.nnodes = nodes;
        s->numa.local_pct = local;
        history_push(h, s);
    }
    double thr[2] = { r->thresholds[0].def, r->thresholds[1].def };
    struct diag_ctx c = { .h = h, .thr = thr };
    struct diag_finding f;
    memset(&f, 0, sizeof(f));
    char why[160];
    enum diag_verdict v = r->check(&c, &f, why, sizeof(why));
    history_free(h);
    return v;
}

/* Cache: CPU 1 runs P0's thread; per tick 1e9 cycles, 1e9 instructions and the given
 * L3 misses per 1000 accesses and dTLB misses. */
static enum diag_verdict run_cache(int n, uint64_t l3_miss_permille, uint64_t dtlb_per_tick)
{
    const struct diag_rule *r = diag_rule_find("cache_misses");
    struct history *h = history_new(64);
    for (int i = 0; i < n; i++) {
        struct tick t = { .nr_throttled = -1 };
        struct snapshot *s = make(i, &t);
        s->threads[0].cpu = 1;
        s->threads[0].have |= THREAD_HAVE_CPU;
        s->cores.valid = true;
        s->cores.ncpus = 2;
        s->cores.cpus = calloc(2, sizeof(*s->cores.cpus));
        for (int c = 0; c < 2; c++) {
            struct cores_cpu *cc = &s->cores.cpus[c];
            cc->cpu = c;
            cc->l3_reader = c;
            uint64_t k = (uint64_t)i, en = k * 1000000000ULL;
            uint64_t v[CORES_EV_COUNT] = { k * 1000000000ULL, k * 1000000000ULL,
                                           k * l3_miss_permille * 1000, k * 1000000,
                                           k * dtlb_per_tick, k * 100, k, 0 };
            for (int e = 0; e < CORES_EV_COUNT; e++)
                cc->c[e] = (struct cores_count){ v[e], en, en, 0 };
        }
        history_push(h, s);
    }
    double thr[3] = { r->thresholds[0].def, r->thresholds[1].def, r->thresholds[2].def };
    struct diag_ctx c = { .h = h, .thr = thr };
    struct diag_finding f;
    memset(&f, 0, sizeof(f));
    char why[160];
    enum diag_verdict v = r->check(&c, &f, why, sizeof(why));
    if (v == DIAG_FIRE)
        assert_non_null(strstr(f.message, "CPU 1"));
    history_free(h);
    return v;
}

static void test_cache_misses(void **state)
{
    (void)state;
    assert_int_equal(run_cache(8, 300, 0), DIAG_FIRE);          /* 30% L3 misses */
    assert_int_equal(run_cache(8, 250, 0), DIAG_QUIET);         /* exactly 25% */
    assert_int_equal(run_cache(8, 0, 2000000), DIAG_FIRE);      /* 0.002 per cycle */
    assert_int_equal(run_cache(8, 0, 1000000), DIAG_QUIET);     /* exactly 0.001 */
    assert_int_equal(run_cache(5, 900, 0), DIAG_QUIET);         /* 4 s only */
}

static void test_numa_remote(void **state)
{
    (void)state;
    assert_int_equal(run_numa(12, 49.0, 2), DIAG_FIRE);    /* 51% remote for 11 s */
    assert_int_equal(run_numa(12, 50.0, 2), DIAG_QUIET);   /* exactly 50% remote */
    assert_int_equal(run_numa(10, 10.0, 2), DIAG_QUIET);   /* 9 s only */
    assert_int_equal(run_numa(12, 0.0, 1), DIAG_QUIET);    /* one node: nothing to say */
}

/* Engine: since is kept while a finding lasts, the end is remembered, settings apply. */
static void test_engine(void **state)
{
    (void)state;
    memset(lat_counts, 0, sizeof(lat_counts));
    struct settings *cfg = settings_new();
    settings_set(cfg, "diag.gc_pressure.enabled", "false");
    settings_set(cfg, "diag.runq_backlog.hold_s", "2");
    struct diag_engine *e = diag_engine_new(cfg);
    struct history *h = history_new(50);
    for (int i = 0; i < 12; i++) {
        struct tick t = { .nr_throttled = -1, .runq_global = i < 8 ? 100 : 0,
                          .gc_cycles = i * 50 };
        history_push(h, make(i, &t));
        diag_engine_run(e, h);
        const struct snapshot *s = history_get(h, 0);
        const struct diag_finding *fb = NULL;
        for (size_t k = 0; k < s->diag.nfindings; k++) {
            assert_string_not_equal(s->diag.findings[k].id, "gc_pressure");
            if (!strcmp(s->diag.findings[k].id, "runq_backlog"))
                fb = &s->diag.findings[k];
        }
        if (i >= 2 && i < 8) {
            assert_non_null(fb);
            assert_int_equal(fb->since_ns, 1700000000LL * SEC + 2 * SEC);
        } else {
            assert_null(fb);
        }
        for (size_t k = 0; k < s->diag.nrules; k++) {
            const struct diag_rule_status *st = &s->diag.rules[k];
            if (!strcmp(st->id, "gc_pressure"))
                assert_int_equal(st->state, DIAG_RULE_DISABLED);
            /* The figure it judged is there every tick, quiet or firing, and the
             * thresholds in force beside it (the alert rules compare the same). */
            if (!strcmp(st->id, "runq_backlog")) {
                assert_int_equal(st->nfigures, 1);
                assert_string_equal(st->figures[0].name, "queued_per_p");
                assert_true(st->figures[0].value == (i < 8 ? 50.0 : 0.0));
                assert_true(st->thr[0] == 16.0 && st->thr[1] == 2.0);
            }
        }
    }
    assert_int_equal(diag_engine_past_count(e), 1);
    assert_string_equal(diag_engine_past_at(e, 0)->f.id, "runq_backlog");
    assert_int_equal(diag_engine_past_at(e, 0)->ended_ns, 1700000000LL * SEC + 8 * SEC);
    struct settings *out = settings_new();
    diag_engine_store(e, out);
    assert_string_equal(settings_get(out, "diag.gc_pressure.enabled"), "false");
    assert_string_equal(settings_get(out, "diag.runq_backlog.hold_s"), "2");
    assert_int_equal(diag_severity_parse("warning"), DIAG_WARN);
    assert_int_equal(diag_severity_parse("bogus"), DIAG_NONE);
    settings_free(out);
    history_free(h);
    diag_engine_free(e);
    settings_free(cfg);
}

/* Settings file: parse errors as file:line, round trip through an atomic save. */
static int warnings;
static void count_warn(void *ctx, const char *msg)
{
    (void)ctx;
    assert_non_null(strstr(msg, "rc:2:"));
    warnings++;
}

static void test_settings(void **state)
{
    (void)state;
    struct settings *c = settings_new();
    const char text[] = "# comment\nnot a setting\n a.b = 1.5 \nflag=yes";
    assert_int_equal(settings_parse(c, text, sizeof(text) - 1, "rc", count_warn, NULL), 1);
    assert_int_equal(warnings, 1);
    bool bad = false;
    assert_float_equal(settings_get_double(c, "a.b", 0, &bad), 1.5, 1e-12);
    assert_true(settings_get_bool(c, "flag", false, &bad));
    assert_false(bad);
    settings_set(c, "x", "notnum");
    assert_float_equal(settings_get_double(c, "x", 7, &bad), 7, 0);
    assert_true(bad);
    char dir[] = "/tmp/gmptop-settings-XXXXXX", path[128], msg[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/sub/gmptoprc", dir);
    assert_int_equal(settings_save(c, path, msg, sizeof(msg)), 0);
    struct settings *d = settings_new();
    assert_int_equal(settings_load(d, path, NULL, NULL), 0);
    assert_string_equal(settings_get(d, "a.b"), "1.5");
    assert_string_equal(settings_get(d, "x"), "notnum");
    settings_free(c);
    settings_free(d);
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
    (void)state;
    char why[128];
    return go_timehist_layout_for("go1.22.12", 160, &lat_layout, why, sizeof(why));
}

/* The history a session keeps by default: in a row over the rules' short holds (10 s x
 * 1.1: 12 at 1 s, 111 at -d 0.1, at least 8), then one every 5 s (or every tick when
 * slower) as far back as the longest rule window needs (180 s of goroutine_pileup x
 * 1.1): a tail of 39 at 1 s and at -d 0.1, 14 at -d 10; 600 in a row when the refresh
 * is unknown; a --history count stays, with no tail; a longer window set in the setup
 * screen grows the tail. Pushing keeps what the plan says, and the reach covers the
 * window. */
static void test_history_follows_rules(void **state)
{
    (void)state;
    struct session s;
    struct collector_config cfg = COLLECTOR_CONFIG_DEFAULT;
    session_init(&s, NULL, &cfg, NULL);
    assert_int_equal(session_set_history(&s, 0, 1.0), 0);
    assert_int_equal(s.history_cap, 12);
    assert_int_equal(s.history_tail, 39);          /* (198 - 11) / 5 + 1 */
    assert_int_equal(s.history_step_ns, 5000000000LL);
    session_set_history(&s, 0, 0.1);
    assert_int_equal(s.history_cap, 111);
    assert_int_equal(s.history_tail, 39);
    session_set_history(&s, 0, 10.0);
    assert_int_equal(s.history_cap, SESSION_DENSE_MIN);
    assert_int_equal(s.history_tail, 14);          /* (198 - 70) / 10 + 1 */
    assert_int_equal(s.history_step_ns, 10000000000LL);
    session_set_history(&s, 0, 0.05);             /* the fastest -d: capped */
    assert_int_equal(s.history_cap, SESSION_HISTORY_MIN);
    session_set_history(&s, 0, 0);                /* a replay: the interval is unknown */
    assert_int_equal(s.history_cap, SESSION_HISTORY);
    assert_int_equal(s.history_tail, 0);

    session_set_history(&s, 0, 1.0);
    const struct diag_rule *pileup = diag_rule_find("goroutine_pileup");
    assert_non_null(pileup);
    size_t rule = 0, thr = 0;
    while (diag_rule_at(rule) != pileup)
        rule++;
    while (strcmp(pileup->thresholds[thr].name, "window_s") != 0)
        thr++;
    diag_engine_set_threshold(s.diag, rule, thr, 300);
    session_thresholds_changed(&s);
    assert_int_equal(s.history_tail, 65);         /* (330 - 11) / 5 + 1 */

    session_set_history(&s, 50, 1.0);              /* --history 50 */
    assert_int_equal(s.history_cap, 50);
    assert_int_equal(s.history_tail, 0);
    diag_engine_set_threshold(s.diag, rule, thr, 400);
    session_thresholds_changed(&s);
    assert_int_equal(s.history_cap, 50);
    session_destroy(&s);

    /* The ring and its tail: 3,000 ticks at 0.1 s into 130 + 94 at 2 s apart; the rows
     * the charts draw are the newest 130 ticks, one each. */
    struct history *h = history_new(130);
    assert_non_null(h);
    assert_int_equal(history_set_tail(h, 94, 2000000000LL), 0);
    for (int t = 0; t < 3000; t++) {
        struct snapshot *snap = snapshot_new();
        assert_non_null(snap);
        snap->meta.mono_ns = 100000000LL * (t + 1);
        history_push(h, snap);
    }
    assert_int_equal(history_len(h), 130 + 94);
    assert_int_equal(history_get(h, 0)->meta.mono_ns, 100000000LL * 3000);
    assert_int_equal(history_get(h, 129)->meta.mono_ns, 100000000LL * 2871);
    for (size_t age = 130; age + 1 < history_len(h); age++)
        assert_true(history_get(h, age)->meta.mono_ns - history_get(h, age + 1)->meta.mono_ns
                    >= 2000000000LL);
    assert_true(history_reach_s(h, 0.1) >= 198.0);
    assert_null(history_get(h, history_len(h)));
    const struct history_ticks *rows = history_ticks(h);
    assert_int_equal(history_ticks_len(rows), HISTORY_TICKS);
    struct history_tick tk;
    assert_int_equal(history_ticks_get(rows, 129, &tk), 0);
    assert_int_equal(tk.mono_ns, 100000000LL * 2871);
    assert_int_equal(history_ticks_get(rows, 130, &tk), -1);
    history_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runq_backlog),
        cmocka_unit_test(test_gomaxprocs),
        cmocka_unit_test(test_syscall_block),
        cmocka_unit_test(test_gc_pressure),
        cmocka_unit_test(test_lock_contention),
        cmocka_unit_test(test_migrations),
        cmocka_unit_test(test_run_delay),
        cmocka_unit_test(test_cpu_throttle),
        cmocka_unit_test(test_sched_latency),
        cmocka_unit_test(test_goroutine_pileup),
        cmocka_unit_test(test_unavailable_rules),
        cmocka_unit_test(test_numa_remote),
        cmocka_unit_test(test_cache_misses),
        cmocka_unit_test(test_engine),
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_history_follows_rules),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

/* test_snapshot: snapshot arrays, the history ring, rates derived from two ticks, and
 * where a thread or a P runs (placement). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model/goroutine_groups.h"
#include "model/gstack.h"
#include "model/history.h"
#include "model/placement.h"
#include "model/rates.h"
#include "model/snapshot.h"

static struct snapshot *make(int64_t mono_ns, int tag)
{
    struct snapshot *s = snapshot_new();
    s->meta.mono_ns = mono_ns;
    s->meta.pid = tag;
    return s;
}

static void test_history_ring(void **state)
{
    (void)state;
    struct history *h = history_new(3);
    assert_null(history_get(h, 0));
    for (int i = 1; i <= 5; i++)
        history_push(h, make(i, i));
    assert_int_equal(history_len(h), 3);
    assert_int_equal(history_get(h, 0)->meta.pid, 5);
    assert_int_equal(history_get(h, 1)->meta.pid, 4);
    assert_int_equal(history_get(h, 2)->meta.pid, 3);
    assert_null(history_get(h, 3));
    history_clear(h);
    assert_int_equal(history_len(h), 0);
    history_push(h, make(9, 9));
    assert_int_equal(history_get(h, 0)->meta.pid, 9);
    history_free(h);
}

/* A history length change at run time: shrinking a wrapped ring keeps the newest in
 * order (the rest freed: ASan would see a leak or a double free), growing keeps all and
 * wraps later; an empty ring resizes too; a snapshot larger than usual is held like any. */
static void test_history_resize(void **state)
{
    (void)state;
    struct history *h = history_new(4);
    assert_int_equal(history_resize(h, 2), 0);          /* empty */
    assert_int_equal(history_len(h), 0);
    assert_int_equal(history_capacity(h), 2);
    assert_int_equal(history_resize(h, 5), 0);
    for (int i = 1; i <= 7; i++) {                        /* wraps: holds 3..7 */
        struct snapshot *s = make(i, i);
        if (i == 6)
            for (int k = 0; k < 5000; k++)               /* a large one */
                assert_non_null(snapshot_add_thread(s));
        history_push(h, s);
    }
    assert_int_equal(history_len(h), 5);
    assert_int_equal(history_resize(h, 3), 0);           /* keeps 5, 6, 7 */
    assert_int_equal(history_len(h), 3);
    assert_int_equal(history_get(h, 0)->meta.pid, 7);
    assert_int_equal(history_get(h, 1)->meta.pid, 6);
    assert_int_equal(history_get(h, 1)->nthreads, 5000);
    assert_int_equal(history_get(h, 2)->meta.pid, 5);
    assert_null(history_get(h, 3));
    assert_int_equal(history_resize(h, 6), 0);           /* grows: all kept */
    assert_int_equal(history_len(h), 3);
    for (int i = 8; i <= 12; i++)
        history_push(h, make(i, i));
    assert_int_equal(history_len(h), 6);
    for (size_t age = 0; age < 6; age++)
        assert_int_equal(history_get(h, age)->meta.pid, 12 - (int)age);
    assert_int_equal(history_resize(h, 0), 0);           /* 0 means 1 */
    assert_int_equal(history_len(h), 1);
    assert_int_equal(history_get(h, 0)->meta.pid, 12);
    history_free(h);
}

/* Details (profile, wait reasons' histograms, rule statuses, findings) are freed as
 * snapshots reach the set age, in the dense ring and on into the tail, and a dense ring
 * shorter than that age sheds them as they leave it; 0 keeps them all. What charts and
 * rules read at any age (the wake histogram, the scheduler) stays. */
static void test_history_detail_ages(void **state)
{
    (void)state;
    struct history *h = history_new(4);
    assert_int_equal(history_set_tail(h, 3, 1), 0);
    history_set_detail_ages(h, 2);
    assert_int_equal(history_detail_ages(h), 2);
    for (int i = 1; i <= 9; i++) {
        struct snapshot *s = make(i, i);
        s->cpuprof = calloc(1, sizeof(*s->cpuprof));
        s->park.reasons = calloc(3, sizeof(*s->park.reasons));
        s->park.nreasons = 3;
        s->park.wake.count = (uint64_t)i;
        s->diag.rules = calloc(12, sizeof(*s->diag.rules));
        s->diag.nrules = 12;
        s->diag.findings = calloc(1, sizeof(*s->diag.findings));
        s->diag.nfindings = 1;
        history_push(h, s);
    }
    assert_int_equal(history_len(h), 7);
    for (size_t age = 0; age < 7; age++) {
        const struct snapshot *s = history_get(h, age);
        bool kept = age < 2;
        assert_true(kept ? s->cpuprof != NULL : s->cpuprof == NULL);
        assert_true(kept ? s->park.reasons != NULL : s->park.reasons == NULL);
        assert_int_equal(s->park.nreasons, kept ? 3 : 0);
        assert_true(kept ? s->diag.rules != NULL : s->diag.rules == NULL);
        assert_int_equal(s->diag.nrules, kept ? 12 : 0);
        assert_true(kept ? s->diag.findings != NULL : s->diag.findings == NULL);
        assert_int_equal(s->diag.nfindings, kept ? 1 : 0);
        assert_int_equal(s->park.wake.count, s->meta.pid);
        assert_true(s->detail_shed == !kept);
    }
    history_free(h);
    /* Nothing to shed: not marked shed (a rewind would decode it again for nothing). */
    struct snapshot *bare = make(1, 1);
    snapshot_shed_detail(bare);
    assert_false(bare->detail_shed);
    snapshot_free(bare);

    h = history_new(1);                                   /* shorter than the age */
    assert_int_equal(history_set_tail(h, 2, 1), 0);
    history_set_detail_ages(h, 2);
    for (int i = 1; i <= 3; i++) {
        struct snapshot *s = make(i, i);
        s->cpuprof = calloc(1, sizeof(*s->cpuprof));
        history_push(h, s);
    }
    assert_non_null(history_get(h, 0)->cpuprof);
    assert_null(history_get(h, 1)->cpuprof);
    history_set_detail_ages(h, 0);
    history_push(h, make(4, 4));
    assert_non_null(history_get(h, 1)->cpuprof);          /* kept from now on */
    assert_null(history_get(h, 2)->cpuprof);              /* shed ones stay shed */
    history_free(h);
}

/* A snapshot at t seconds whose nps Ps hold runq p*10+t (runq_max one more on P0), with
 * census g and one thread that used cpu_ms of CPU so far. */
static struct snapshot *tick_snap(int t, size_t nps, int64_t g, uint64_t cpu_ms)
{
    struct snapshot *s = make(1000000000LL * t, t);
    s->sched.valid = nps > 0;
    s->sched.census_valid = g >= 0;
    s->sched.g_total = g;
    s->sched.nps = nps;
    s->sched.ps = nps ? calloc(nps, sizeof(*s->sched.ps)) : NULL;
    for (size_t p = 0; p < nps; p++)
        s->sched.ps[p].runq = (uint32_t)(p * 10 + (size_t)t);
    if (nps)
        s->sched.ps[0].runq_max = s->sched.ps[0].runq + 1;
    struct thread_sample *th = snapshot_add_thread(s);
    th->tid = 7;
    th->cpu_time_ns = cpu_ms * 1000000ULL;
    th->have = THREAD_HAVE_CPU_TIME;
    return s;
}

/* The rows the charts draw: one per tick pushed, kept past the dense ring (here 4) up to
 * HISTORY_TICKS, at its edges: empty, the first row (no rate), a P count that grows and
 * shrinks, no scheduler, wrapping, growing while wrapped, a clear and a drain. */
static void test_history_ticks(void **state)
{
    (void)state;
    struct history *h = history_new(4);
    const struct history_ticks *t = history_ticks(h);
    struct history_tick tk;
    assert_int_equal(history_ticks_len(t), 0);
    assert_int_equal(history_ticks_get(t, 0, &tk), -1);

    history_push(h, tick_snap(1, 2, 40, 100));
    assert_int_equal(history_ticks_get(t, 0, &tk), 0);
    assert_int_equal(tk.mono_ns, 1000000000LL);
    assert_int_equal(tk.nps, 2);
    assert_int_equal(tk.runq[0], 2);                   /* runq_max over runq */
    assert_int_equal(tk.runq[1], 11);
    assert_true(tk.goroutines == 40.0);
    assert_true(isnan(tk.cpu_pct));                    /* no tick before */
    history_push(h, tick_snap(2, 8, 41, 600));         /* more Ps: the row grows */
    assert_int_equal(history_ticks_get(t, 0, &tk), 0);
    assert_int_equal(tk.nps, 8);
    assert_int_equal(tk.runq[7], 72);
    assert_true(fabs(tk.cpu_pct - 50.0) < 1e-9);       /* 500 ms in 1 s */
    history_push(h, tick_snap(3, 0, -1, 700));         /* the scheduler not read */
    assert_int_equal(history_ticks_get(t, 0, &tk), 0);
    assert_int_equal(tk.nps, 0);
    assert_true(isnan(tk.goroutines));
    assert_int_equal(history_ticks_get(t, 2, &tk), 0); /* the older rows are intact */
    assert_int_equal(tk.nps, 2);
    assert_int_equal(tk.runq[1], 11);
    /* A chart's columns, oldest first: P 7 did not exist in the oldest row nor in the
     * newest (no scheduler); asking for more than there is gives what there is. */
    double v[8];
    assert_int_equal(history_ticks_series(t, 0, 8, TICK_RUNQ, 7, v), 3);
    assert_true(isnan(v[0]) && v[1] == 72.0 && isnan(v[2]));
    assert_int_equal(history_ticks_series(t, 1, 8, TICK_GOROUTINES, 0, v), 2);
    assert_true(v[0] == 40.0 && v[1] == 41.0);
    assert_int_equal(history_ticks_series(t, 1, 1, TICK_CPU_PCT, 0, v), 1);
    assert_true(fabs(v[0] - 50.0) < 1e-9);
    assert_int_equal(history_ticks_series(t, 3, 8, TICK_RUNQ, 0, v), 0);

    /* Past the dense ring and round the rows' ring: the newest HISTORY_TICKS stay. */
    for (int i = 4; i <= HISTORY_TICKS + 30; i++)
        history_push(h, tick_snap(i, (size_t)(1 + i % 3), i, (uint64_t)i * 100));
    assert_int_equal(history_dense_len(h), 4);
    assert_int_equal(history_ticks_len(t), HISTORY_TICKS);
    for (size_t age = 0; age < HISTORY_TICKS; age++) {
        int i = HISTORY_TICKS + 30 - (int)age;
        assert_int_equal(history_ticks_get(t, age, &tk), 0);
        assert_int_equal(tk.mono_ns, 1000000000LL * i);
        assert_int_equal(tk.nps, 1 + i % 3);
        assert_int_equal(tk.runq[tk.nps - 1], (tk.nps - 1) * 10 + (size_t)i + (tk.nps == 1));
        assert_true(fabs(tk.cpu_pct - 10.0) < 1e-9);
    }
    assert_int_equal(history_ticks_get(t, HISTORY_TICKS, &tk), -1);

    /* A longer dense ring grows the rows while they wrap: ages stay, and new ones fill. */
    assert_int_equal(history_resize(h, HISTORY_TICKS + 20), 0);
    assert_int_equal(history_ticks_len(t), HISTORY_TICKS);
    assert_int_equal(history_ticks_get(t, 0, &tk), 0);
    assert_int_equal(tk.mono_ns, 1000000000LL * (HISTORY_TICKS + 30));
    for (int i = HISTORY_TICKS + 31; i <= HISTORY_TICKS + 60; i++)
        history_push(h, tick_snap(i, 3, i, (uint64_t)i * 100));
    assert_int_equal(history_ticks_len(t), HISTORY_TICKS + 20);
    assert_int_equal(history_ticks_get(t, HISTORY_TICKS + 19, &tk), 0);
    assert_int_equal(tk.mono_ns, 1000000000LL * 41);
    assert_int_equal(history_ticks_get(t, 29, &tk), 0);
    assert_int_equal(tk.mono_ns, 1000000000LL * (HISTORY_TICKS + 31));
    assert_int_equal(tk.runq[2], 20 + HISTORY_TICKS + 31);
    /* A shorter one keeps the rows (charts are as wide as they were). */
    assert_int_equal(history_resize(h, 2), 0);
    assert_int_equal(history_ticks_len(t), HISTORY_TICKS + 20);

    history_clear(h);
    assert_int_equal(history_ticks_len(t), 0);
    history_push(h, tick_snap(1, 1, 5, 0));
    assert_int_equal(history_ticks_len(t), 1);
    struct snapshot *out[8];
    assert_int_equal(history_drain(h, out), 1);
    snapshot_free(out[0]);
    assert_int_equal(history_ticks_len(t), 0);
    history_free(h);
}

static void test_snapshot_arrays(void **state)
{
    (void)state;
    struct snapshot *s = snapshot_new();
    for (int i = 0; i < 1000; i++) {
        struct thread_sample *t = snapshot_add_thread(s);
        assert_non_null(t);
        assert_int_equal(t->tid, 0);
        t->tid = 5000 - i;
    }
    snapshot_sort_threads(s);
    assert_int_equal(s->nthreads, 1000);
    assert_int_equal(s->threads[0].tid, 4001);
    assert_non_null(snapshot_find_thread(s, 4500));
    assert_null(snapshot_find_thread(s, 4000));
    for (int i = 0; i < 20; i++)
        snapshot_add_cpu(s)->cpu = i;
    assert_int_equal(snapshot_find_cpu(s, 7)->cpu, 7);
    assert_int_equal(snapshot_find_cpu(s, 7)->node, -1);
    assert_null(snapshot_find_cpu(s, 20));
    snapshot_set_status(s, "threads", false, "needs x");
    snapshot_set_status(s, "threads", true, "");
    assert_int_equal(s->nstatus, 1);
    assert_true(snapshot_status(s, "threads")->available);
    snapshot_free(s);
}

static void add_thread(struct snapshot *s, pid_t tid, uint64_t cpu_ns, uint64_t vcsw,
                       uint64_t migr, uint64_t delay_ns, uint32_t have)
{
    struct thread_sample *t = snapshot_add_thread(s);
    t->tid = tid;
    t->cpu_time_ns = cpu_ns;
    t->nvcsw = vcsw;
    t->nivcsw = vcsw / 2;
    t->migrations = migr;
    t->run_delay_ns = delay_ns;
    t->have = have;
}

static void test_rates(void **state)
{
    (void)state;
    const uint32_t all = THREAD_HAVE_CPU_TIME | THREAD_HAVE_SWITCHES |
                         THREAD_HAVE_MIGRATIONS | THREAD_HAVE_RUN_DELAY;
    struct snapshot *a = make(1000000000LL, 1), *b = make(3000000000LL, 2);
    add_thread(a, 10, 0, 100, 4, 0, all);
    add_thread(b, 10, 1000000000ULL, 300, 10, 500000000ULL, all);   /* 2 s later */
    add_thread(a, 11, 50, 5, 0, 0, all & ~THREAD_HAVE_RUN_DELAY);
    add_thread(b, 11, 40, 5, 0, 0, all);                             /* went backwards */
    add_thread(b, 12, 10, 1, 1, 1, all);                             /* new thread */
    snapshot_sort_threads(a);
    snapshot_sort_threads(b);

    struct thread_rates r;
    rates_thread(a, b, snapshot_find_thread(b, 10), &r);
    assert_float_equal(r.cpu_pct, 50.0, 1e-9);
    assert_float_equal(r.nvcsw_per_s, 100.0, 1e-9);
    assert_float_equal(r.nivcsw_per_s, 50.0, 1e-9);
    assert_float_equal(r.migrations_per_s, 3.0, 1e-9);
    assert_float_equal(r.run_delay_ms_per_s, 250.0, 1e-9);

    rates_thread(a, b, snapshot_find_thread(b, 11), &r);
    assert_true(isnan(r.cpu_pct));             /* counter went backwards: tid reused */
    assert_true(isnan(r.run_delay_ms_per_s));  /* not read before: unknown, not 0 */
    assert_float_equal(r.nvcsw_per_s, 0.0, 1e-9);

    rates_thread(a, b, snapshot_find_thread(b, 12), &r);
    assert_true(isnan(r.cpu_pct) && isnan(r.migrations_per_s));
    rates_thread(NULL, b, snapshot_find_thread(b, 10), &r);
    assert_true(isnan(r.nvcsw_per_s));
    assert_float_equal(rates_interval_s(a, b), 2.0, 1e-9);
    assert_float_equal(rates_interval_s(b, a), 0.0, 1e-9);
    snapshot_free(a);
    snapshot_free(b);
}

static void test_cpu_util(void **state)
{
    (void)state;
    struct snapshot *a = make(0, 1), *b = make(1, 2);
    struct cpu_sample *c = snapshot_add_cpu(a);
    *c = (struct cpu_sample){ .cpu = 0, .node = 0, .busy = 100, .total = 1000, .online = true };
    c = snapshot_add_cpu(b);
    *c = (struct cpu_sample){ .cpu = 0, .node = 0, .busy = 175, .total = 1100, .online = true };
    assert_float_equal(rates_cpu_util(a, b, 0), 75.0, 1e-9);
    assert_true(isnan(rates_cpu_util(a, b, 1)));
    assert_true(isnan(rates_cpu_util(NULL, b, 0)));
    b->cpus[0].total = 1000;        /* no time passed: unknown, not 0 % */
    assert_true(isnan(rates_cpu_util(a, b, 0)));
    snapshot_free(a);
    snapshot_free(b);
}

static void add_cpu_thread(struct snapshot *s, pid_t tid, int cpu)
{
    struct thread_sample *t = snapshot_add_thread(s);
    t->tid = tid;
    t->cpu = cpu;
    t->have = cpu >= 0 ? THREAD_HAVE_CPU : 0;
}

static void set_nodes(struct snapshot *s, size_t n, const char *const *cpus)
{
    s->numa.nodes = calloc(n, sizeof(*s->numa.nodes));
    s->numa.nnodes = n;
    for (size_t i = 0; i < n; i++) {
        s->numa.nodes[i].node = (int)i;
        snprintf(s->numa.nodes[i].cpus, sizeof(s->numa.nodes[i].cpus), "%s", cpus[i]);
    }
}

static void test_placement(void **state)
{
    (void)state;
    struct snapshot *s = make(0, 1);
    add_cpu_thread(s, 10, 0);
    add_cpu_thread(s, 11, 9);
    add_cpu_thread(s, 12, -1);
    s->sched.valid = true;
    s->sched.nps = 4;
    s->sched.ps = calloc(4, sizeof(*s->sched.ps));
    s->sched.ps[0].m_tid = 10;
    s->sched.ps[1].m_tid = 11;
    s->sched.ps[2].m_tid = 0;      /* in a syscall or idle: no M holds it */
    s->sched.ps[3].m_tid = 12;     /* an M whose thread has no CPU yet */
    int cpu, node;

    /* Nothing says where CPUs are: the CPU is known, the node is not. */
    assert_int_equal(placement_p(s, 0, &cpu, &node), 10);
    assert_int_equal(cpu, 0);
    assert_int_equal(node, -1);

    /* CPU rows alone (no numa section, e.g. --collectors without numa). */
    struct cpu_sample *c = snapshot_add_cpu(s);
    *c = (struct cpu_sample){ .cpu = 9, .node = 1, .online = true };
    placement_p(s, 1, &cpu, &node);
    assert_int_equal(cpu, 9);
    assert_int_equal(node, 1);

    /* One numa node and no CPU rows naming a node (the cpus collector off): every CPU
     * is on it, for every caller alike. */
    s->cpus[0].node = -1;
    set_nodes(s, 1, (const char *const[]){ "" });
    placement_p(s, 1, &cpu, &node);
    assert_int_equal(node, 0);
    placement_thread(s, 10, &cpu, &node);
    assert_int_equal(node, 0);
    numa_sample_free(&s->numa);
    s->numa.nnodes = 0;

    /* Two nodes: their CPU lists place the CPUs, before the CPU rows. */
    set_nodes(s, 2, (const char *const[]){ "0-3,8,10-11", "4-7,9" });
    s->cpus[0].node = 0;
    placement_p(s, 1, &cpu, &node);
    assert_int_equal(node, 1);
    assert_int_equal(placement_cpu_node(s, 8), 0);
    assert_int_equal(placement_cpu_node(s, 11), 0);
    assert_int_equal(placement_cpu_node(s, 12), -1);
    assert_int_equal(placement_cpu_node(s, -1), -1);

    /* A list that filled its field may have lost its tail mid-number: not trusted. */
    char *full = s->numa.nodes[1].cpus;
    memset(full, '0', sizeof(s->numa.nodes[1].cpus) - 1);
    full[0] = '4';
    full[1] = ',';
    full[sizeof(s->numa.nodes[1].cpus) - 2] = '9';    /* "4,00...09": reads as 9 */
    full[sizeof(s->numa.nodes[1].cpus) - 1] = '\0';
    assert_int_equal(placement_cpu_node(s, 9), 0);    /* from the CPU row */
    numa_sample_free(&s->numa);
    s->numa.nnodes = 0;

    /* No M, or no scheduler read: no thread, nothing placed. */
    assert_int_equal(placement_p(s, 2, &cpu, &node), 0);
    assert_int_equal(cpu, -1);
    assert_int_equal(node, -1);
    assert_int_equal(placement_p(s, 3, &cpu, &node), 12);
    assert_int_equal(cpu, -1);
    assert_int_equal(placement_p(s, 4, &cpu, &node), 0);
    s->sched.valid = false;
    assert_int_equal(placement_p(s, 0, &cpu, &node), 0);
    assert_int_equal(cpu, -1);
    snapshot_free(s);
}


static struct gframe fr(const char *func, const char *file, int line)
{
    return (struct gframe){ func, file, line, false };
}

/* Equal stacks are one pooled object whoever built their strings; any difference in a
 * frame, the creator or truncation is another stack. */
static void test_gstack_pool(void **state)
{
    (void)state;
    char f1[32], f2[32];
    strcpy(f1, "main.worker");
    strcpy(f2, "main.worker");
    struct gframe a[] = { fr("runtime.gopark", "proc.go", 1), fr(f1, "w.go", 10) };
    struct gframe b[] = { fr("runtime.gopark", "proc.go", 1), fr(f2, "w.go", 10) };
    struct gframe cb = fr("main.main", "m.go", 3), start = fr("main.worker", "", 0);
    const struct gstack *x = gstack_intern(a, 2, false, &cb, &start);
    const struct gstack *y = gstack_intern(b, 2, false, &cb, &start);
    assert_non_null(x);
    assert_ptr_equal(x, y);
    assert_ptr_equal(x->frames[1].func, gstack_str("main.worker"));
    b[1].line = 11;
    assert_ptr_not_equal(gstack_intern(b, 2, false, &cb, &start), x);
    assert_ptr_not_equal(gstack_intern(a, 2, true, &cb, &start), x);
    struct gframe cb2 = fr("main.main", "m.go", 4);
    assert_ptr_not_equal(gstack_intern(a, 2, false, &cb2, &start), x);
    /* Deeper than the limit: cut and marked. */
    struct gframe deep[GSTACK_MAX_FRAMES + 5];
    for (int i = 0; i < GSTACK_MAX_FRAMES + 5; i++)
        deep[i] = fr("main.rec", "r.go", i);
    const struct gstack *d = gstack_intern(deep, GSTACK_MAX_FRAMES + 5, false, &cb, &start);
    assert_int_equal(d->nframes, GSTACK_MAX_FRAMES);
    assert_true(d->truncated);
}

/* Counted stacks leave the pool with their last reference, and every other stack stays
 * findable after removals in the middle of probe runs; a stack also interned for the
 * run stays; the profile's free gives its hot stacks back. */
static void test_gstack_counted(void **state)
{
    (void)state;
    struct gframe none = fr("", "", 0);
    size_t n0, b0, n1, b1;
    gstack_pool_stats(&n0, &b0);
    enum { N = 3000 };
    static const struct gstack *st[N];
    for (int i = 0; i < N; i++) {
        struct gframe f = fr("main.counted", "c.go", 100000 + i);
        st[i] = gstack_intern_ref(&f, 1, false, &none, &none);
        assert_non_null(st[i]);
        assert_ptr_equal(gstack_intern_ref(&f, 1, false, &none, &none), st[i]);  /* 2 refs */
    }
    size_t b_full;
    gstack_pool_stats(&n1, &b_full);
    assert_int_equal(n1, n0 + N);
    for (int i = 0; i < N; i++)
        gstack_release(st[i]);                    /* one ref left each */
    gstack_pool_stats(&n1, &b1);
    assert_int_equal(n1, n0 + N);
    for (int i = 0; i < N; i += 2)                /* every other one goes */
        gstack_release(st[i]);
    gstack_pool_stats(&n1, &b1);
    assert_int_equal(n1, n0 + N / 2);
    assert_true(b1 < b_full);
    for (int i = 1; i < N; i += 2) {              /* the rest are found, not made again */
        struct gframe f = fr("main.counted", "c.go", 100000 + i);
        assert_ptr_equal(gstack_intern_ref(&f, 1, false, &none, &none), st[i]);
        gstack_release(st[i]);
    }
    /* Interned for the run as well: it stays. */
    struct gframe f = fr("main.counted", "c.go", 100001);
    assert_ptr_equal(gstack_intern(&f, 1, false, &none, &none), st[1]);
    for (int i = 1; i < N; i += 2)
        gstack_release(st[i]);
    gstack_pool_stats(&n1, &b1);
    assert_int_equal(n1, n0 + 1);
    gstack_release(st[1]);                        /* a release too many: no effect */
    gstack_pool_stats(&n1, &b1);
    assert_int_equal(n1, n0 + 1);
    /* A profile holds one reference per hot stack and gives them back when freed. */
    struct gframe g = fr("main.hot", "h.go", 1);
    const struct gstack *h = gstack_intern_ref(&g, 1, false, &none, &none);
    struct cpuprof_sample *c = calloc(1, sizeof(*c));
    c->hot[0] = (struct cpuprof_hot){ h, 5 };
    c->nhot = 1;
    gstack_retain(h);
    gstack_release(h);
    cpuprof_sample_free(c);
    gstack_pool_stats(&n1, &b1);
    assert_int_equal(n1, n0 + 1);
}

/* Where a group waits: the program's code, past the runtime and the standard library. */
static void test_gstack_user_frame(void **state)
{
    (void)state;
    struct gframe cb = fr("", "", 0), start = cb;
    struct gframe s1[] = { fr("runtime.gopark", "", 0), fr("sync.runtime_SemacquireMutex", "", 0),
                           fr("sync.(*Mutex).lockSlow", "", 0),
                           fr("github.com/acme/x.(*T).Do", "t.go", 5), fr("main.main", "", 0) };
    const struct gstack *st = gstack_intern(s1, 5, false, &cb, &start);
    assert_string_equal(gstack_user_frame(st)->func, "github.com/acme/x.(*T).Do");
    struct gframe s2[] = { fr("runtime.gopark", "", 0), fr("time.Sleep", "", 0),
                           fr("main.napping", "g.go", 31) };
    assert_string_equal(gstack_user_frame(gstack_intern(s2, 3, false, &cb, &start))->func,
                        "main.napping");
    struct gframe s3[] = { fr("runtime.gopark", "", 0), fr("internal/poll.(*FD).Read", "", 0),
                           fr("net/http.(*conn).serve", "", 0) };
    assert_string_equal(gstack_user_frame(gstack_intern(s3, 3, false, &cb, &start))->func,
                        "net/http.(*conn).serve");
    struct gframe s4[] = { fr("runtime.gopark", "", 0), fr("runtime.bgsweep", "", 0) };
    assert_null(gstack_user_frame(gstack_intern(s4, 2, false, &cb, &start)));
    assert_true(gstack_func_shown("main.napping"));
    assert_true(gstack_func_shown("runtime.Gosched"));
    assert_false(gstack_func_shown("runtime.gopark"));
    assert_false(gstack_func_shown("main.spawn.gowrap1"));
}

/* Growth between two refreshes, and when it cannot be told. */
static void test_group_growth(void **state)
{
    (void)state;
    struct gframe f[] = { fr("main.leak", "l.go", 9) }, cb = fr("", "", 0);
    const struct gstack *st = gstack_intern(f, 1, false, &cb, &cb);
    struct goroutine_group g0 = { st, 4, gstack_str("chan receive"), 10, NAN, 0 };
    struct goroutine_group g1 = g0;
    g1.count = 40;
    struct goroutines_sample a = { .valid = true, .refreshed_ns = 1000000000,
                                   .groups = &g0, .ngroups = 1 };
    struct goroutines_sample b = { .valid = true, .refreshed_ns = 4000000000,
                                   .groups = &g1, .ngroups = 1 };
    assert_ptr_equal(goroutine_group_find(&a, &g1), &g0);
    assert_float_equal(goroutine_group_growth_per_s(&a, &b, &g1), 10.0, 1e-9);
    assert_true(isnan(goroutine_group_growth_per_s(&b, &b, &g1)));   /* same refresh */
    a.ngroups = 0;                                                   /* new group: from 0 */
    assert_float_equal(goroutine_group_growth_per_s(&a, &b, &g1), 40.0 / 3, 1e-9);
    a.other_count = 5;                                               /* may have hidden it */
    assert_true(isnan(goroutine_group_growth_per_s(&a, &b, &g1)));
    assert_string_equal(goroutine_group_status_name(&g1), "waiting");
}

/* Collector statuses own their reasons: set again, cleared, cut at the old length, and
 * a history of snapshots shares the wait reasons' names (ASan checks the frees). */
static void test_status_reasons(void **state)
{
    (void)state;
    struct snapshot *s = snapshot_new();
    assert_non_null(s);
    snapshot_set_status(s, "cores", false, "no hardware PMU in this VM");
    snapshot_set_status(s, "park", true, NULL);
    assert_int_equal(s->nstatus, 2);
    assert_string_equal(snapshot_status(s, "cores")->reason, "no hardware PMU in this VM");
    assert_string_equal(snapshot_status(s, "park")->reason, "");
    snapshot_set_status(s, "cores", true, "");
    assert_string_equal(snapshot_status(s, "cores")->reason, "");
    char long_reason[400];
    memset(long_reason, 'x', sizeof(long_reason) - 1);
    long_reason[sizeof(long_reason) - 1] = '\0';
    snapshot_set_status(s, "park", false, long_reason);
    assert_int_equal(strlen(snapshot_status(s, "park")->reason), SNAPSHOT_REASON_LEN - 1);
    assert_int_equal(s->nstatus, 2);
    snapshot_clear_status(s);
    assert_int_equal(s->nstatus, 0);
    assert_null(snapshot_status(s, "park"));
    snapshot_set_status(s, "park", false, "detached");
    snapshot_free(s);

    const char *a = snapshot_intern("chan receive"), *b = snapshot_intern("chan receive");
    assert_ptr_equal(a, b);
    assert_string_equal(a, "chan receive");
    assert_string_equal(snapshot_intern(NULL), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_history_ring),
        cmocka_unit_test(test_history_resize),
        cmocka_unit_test(test_history_detail_ages),
        cmocka_unit_test(test_history_ticks),
        cmocka_unit_test(test_snapshot_arrays),
        cmocka_unit_test(test_rates),
        cmocka_unit_test(test_cpu_util),
        cmocka_unit_test(test_placement),
        cmocka_unit_test(test_gstack_pool),
        cmocka_unit_test(test_gstack_counted),
        cmocka_unit_test(test_gstack_user_frame),
        cmocka_unit_test(test_group_growth),
        cmocka_unit_test(test_status_reasons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* synth_snapshot: deterministic synthetic snapshots with every section filled, for the
 * recording and exporter tests and the recording benchmark. */
#include "tests/synth_snapshot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnoses/diag.h"

static void fill_timehist(struct timehist_sample *h, int tick, unsigned salt)
{
    char reason[160];
    h->valid = go_timehist_layout_for("go1.22.12", 160, &h->layout, reason,
                                      sizeof(reason)) == 0;
    h->raw = calloc(1, go_timehist_raw_size(&h->layout));
    for (size_t i = 0; i < h->layout.ncounts; i++)
        if (i >= 40 && i < 90)
            h->raw->counts[i] = (uint64_t)(tick + 1) * ((i * 7 + salt) % 13);
    h->raw->underflow = 0;
    h->raw->overflow = (uint64_t)tick;
}

static void fill_sched(struct snapshot *s, int tick, size_t nps)
{
    struct sched_sample *sc = &s->sched;
    sc->valid = true;
    sc->gomaxprocs = (int32_t)nps;
    sc->gomaxprocs_auto = 2;
    sc->runq_global = 3 + tick;
    sc->idle_p = 1;
    sc->spinning_m = 0;
    sc->needspinning = -1;
    sc->threads = 12;
    sc->idle_threads = 2;
    sc->gc_cycles = 40 + tick;
    sc->gc_last_pause_ns = 125000;
    sc->ps = calloc(nps ? nps : 1, sizeof(*sc->ps));
    sc->nps = nps;
    for (size_t i = 0; i < nps; i++) {
        struct p_sample *p = &sc->ps[i];
        p->id = (int32_t)i;
        p->status = i == 0 ? GO_P_IDLE : GO_P_RUNNING;
        p->runq = (uint32_t)(i % 5);
        p->runq_max = p->runq + 2;
        p->runq_mean = i % 3 ? (double)p->runq + 0.25 : NAN;
        p->runnext = i % 2;
        p->schedtick = (uint32_t)(1000 * tick + 17 * i);
        p->syscalltick = (uint32_t)(10 * tick + i);
        p->m_id = i == 0 ? -1 : (int64_t)i;
        p->m_tid = i == 0 ? 0 : (pid_t)(5000 + i);
        p->curg_goid = i == 0 ? -1 : (int64_t)(100 + i);
    }
    sc->census_valid = true;
    sc->g_total = 70;
    for (int c = 0; c < GO_G_CLASS_COUNT; c++)
        sc->g_by_class[c] = c * 3;
    sc->nreasons = 3;
    sc->by_reason[0].name = "chan receive";
    sc->by_reason[0].count = 40;
    sc->by_reason[1].name = "sleep";
    sc->by_reason[1].count = 20;
    sc->by_reason[2].name = "select \"q\"\\";
    sc->by_reason[2].count = 1;
    sc->cpu_quota = NAN;
    sc->nr_throttled = -1;
    sc->throttled_ns = -1;
    sc->cpus_allowed = 2;
    sc->cpus_online = 2;
    sc->dropped = 1;
}

static void fill_diag(struct snapshot *s)
{
    struct diag_sample *d = &s->diag;
    size_t n = diag_rule_count();
    d->rules = calloc(n ? n : 1, sizeof(*d->rules));
    d->findings = calloc(n ? n : 1, sizeof(*d->findings));
    for (size_t i = 0; i < n; i++) {
        const struct diag_rule *r = diag_rule_at(i);
        d->rules[d->nrules].id = r->id;
        d->rules[d->nrules].state = i == 0 ? DIAG_RULE_ACTIVE
                                  : i == 1 ? DIAG_RULE_UNAVAILABLE : DIAG_RULE_QUIET;
        if (i == 1)
            strcpy(d->rules[d->nrules].why, "needs a hardware PMU");
        for (size_t t = 0; t < r->nthresholds; t++)
            d->rules[d->nrules].thr[t] = r->thresholds[t].def;
        if (i == 0) {
            strcpy(d->rules[d->nrules].figures[0].name, "queued_per_p");
            d->rules[d->nrules].figures[0].value = 31.5;
            strcpy(d->rules[d->nrules].figures[1].name, "unmeasured");
            d->rules[d->nrules].figures[1].value = NAN;
            d->rules[d->nrules].nfigures = 2;
        }
        d->nrules++;
    }
    if (n) {
        struct diag_finding *f = &d->findings[d->nfindings++];
        strcpy(f->id, diag_rule_at(0)->id);
        f->severity = DIAG_WARN;
        f->since_ns = 1795780800000000000LL;
        strcpy(f->message, "something is off");
        f->pane = diag_rule_at(0)->pane;
        strcpy(f->evidence[0].key, "runq_global");
        f->evidence[0].value = 12.5;
        strcpy(f->evidence[1].key, "nan");
        f->evidence[1].value = NAN;
        f->nevidence = 2;
    }
}

static void fill_park(struct snapshot *s, int tick)
{
    struct park_sample *p = &s->park;
    p->valid = true;
    p->state = PARK_GOV_SAMPLING;
    strcpy(p->why, "sampling to stay under 2% of a core");
    strcpy(p->probe, "runtime.casgstatus+0x0 (push %rbp, emulated)");
    p->epoch = 7;
    p->budget_pct = 2;
    p->cost_ns = 1100;
    p->events_per_s = NAN;
    p->full_overhead_pct = 3.5;
    p->est_overhead_pct = 1.75;
    p->duty = 0.5;
    p->attached_s = 3.25 * tick;
    for (int i = 0; i < PARK_EV_COUNT; i++)
        p->events[i] = (uint64_t)(tick * 100 + i);
    p->nreasons = 2;
    p->reasons = calloc(2, sizeof(*p->reasons));
    const char *names[] = { "chan receive", "sync.Mutex.Lock" };
    struct park_hist_sample *hs[] = { &p->reasons[0], &p->reasons[1], &p->wake };
    for (int k = 0; k < 3; k++) {
        struct park_hist_sample *h = hs[k];
        h->reason = k < 2 ? (int32_t)(14 + k * 7) : -1;
        snprintf(h->name, sizeof(h->name), "%s", k < 2 ? names[k] : "wake-to-run");
        for (int i = 10; i < 20; i++)
            h->slots[i] = (uint64_t)(tick + 1) * (uint64_t)(i - 9);
        h->slots[SNAPSHOT_PARK_SLOTS - 1] = (uint64_t)k;
        for (int i = 0; i < SNAPSHOT_PARK_SLOTS; i++)
            h->count += h->slots[i];
        h->sum_ns = h->count * 50000;
        h->max_ns = 900000000;
    }
}

static void fill_cores(struct snapshot *s, int tick, size_t ncpus)
{
    struct cores_sample *c = &s->cores;
    c->valid = true;
    strcpy(c->pmu, "synthetic PMU");
    c->headline_ev = -1;
    c->paranoid = 2;
    c->fd_limit = 1024;
    c->fds = (int)(ncpus * CORES_EV_COUNT);
    c->read_ns = 12345;
    c->cpus = calloc(ncpus ? ncpus : 1, sizeof(*c->cpus));
    c->ncpus = ncpus;
    for (size_t i = 0; i < ncpus; i++) {
        struct cores_cpu *cc = &c->cpus[i];
        cc->cpu = (int)i;
        cc->node = 0;
        cc->l3_domain = 0;
        cc->l3_reader = (int)i;
        cc->gen = 1;
        uint64_t t = (uint64_t)(tick + 1) * 1000000000ULL;
        uint64_t k = (uint64_t)tick + 1;      /* tests push thousands of ticks */
        uint64_t v[CORES_EV_COUNT] = { 2000000 * k, 3000000 * k, 1000 * k, 10000 * k, 50 * k,
                                       30 * k, 4 * k, 0 };
        for (int e = 0; e < CORES_EV_COUNT; e++) {
            cc->c[e].value = v[e];
            cc->c[e].enabled = t;
            cc->c[e].running = e == CORES_EV_DTLB_MISS ? t / 2 : t;
            cc->c[e].err = e == CORES_EV_TASK_CLOCK ? CORES_ERR_UNUSED : 0;
        }
    }
    c->per_thread = true;
    strcpy(c->thread_note, "per-thread counters for 2 threads");
    c->threads = calloc(2, sizeof(*c->threads));
    c->nthreads = 2;
    for (int i = 0; i < 2; i++) {
        c->threads[i].tid = 4242 + i;
        c->threads[i].gen = 3;
        c->threads[i].c[CORES_EV_TASK_CLOCK].value = (uint64_t)tick * 5000000;
        c->threads[i].c[CORES_EV_CYCLES].err = 2;   /* ENOENT */
    }
}

static void fill_numa(struct snapshot *s)
{
    struct numa_sample *n = &s->numa;
    n->valid = true;
    n->nnodes = 2;
    n->nodes = calloc(2, sizeof(*n->nodes));
    n->distance = calloc(4, sizeof(*n->distance));
    for (int i = 0; i < 2; i++) {
        struct numa_node_sample *ns = &n->nodes[i];
        ns->node = i;
        strcpy(ns->cpus, i ? "1" : "0");
        ns->mem_total_kb = 4000000;
        ns->mem_free_kb = i ? -1 : 1000000;
        for (int k = 0; k < NUMA_KIND_COUNT; k++)
            ns->pages[k] = k == NUMA_KIND_HUGE ? -1 : 100 * (k + 1) + i;
        ns->pages_total = 1000;
        ns->threads = 3 - i;
        ns->ps = 1;
        ns->heap_sampled_pct = i ? NAN : 62.5;
    }
    n->distance[0] = n->distance[3] = 10;
    n->distance[1] = n->distance[2] = 21;
    strcpy(n->policy, "bind:0");
    strcpy(n->policy_mode, "bind");
    n->policy_count = 1;
    strcpy(n->mems_allowed, "0-1");
    strcpy(n->cpus_allowed, "0-1");
    strcpy(n->cpuset, "/");
    n->local_pct = 75;
    n->local_basis = "ps";
    n->scan_age_s = 0.5;
    n->scan_cost_ms = 2.5;
    n->scan_interval_s = 10;
    n->scan_vmas = 120;
    n->sampled_pages = -1;
    n->sampled_probes = -1;
    n->sample_error_pct = NAN;
    n->sample_cost_ms = NAN;
    n->sample_budget_ms = 5;
    strcpy(n->sample_note, "built without libnuma");
}

/* Goroutine groups: a growing leak, a steady sleeping group with an inlined frame and a
 * recorded wait, and a running group without frames. */
static void fill_goroutines(struct snapshot *s, int tick)
{
    struct goroutines_sample *g = &s->goroutines;
    struct gframe leak[] = {
        { "runtime.gopark", "/usr/lib/go/src/runtime/proc.go", 425, false },
        { "main.leak", "/src/app/leak.go", 31, false },
    };
    struct gframe nap[] = {
        { "runtime.gopark", "/usr/lib/go/src/runtime/proc.go", 425, false },
        { "time.Sleep", "/usr/lib/go/src/runtime/time.go", 195, false },
        { "main.wait", "/src/app/wait.go", 12, true },
        { "main.napper", "/src/app/wait.go", 20, false },
    };
    struct gframe cb = { "main.main", "/src/app/main.go", 40, false };
    struct gframe start = { "main.leak", "", 0, false }, none = { "", "", 0, false };
    g->valid = true;
    g->groups = calloc(3, sizeof(*g->groups));
    if (!g->groups)
        return;
    g->groups[0] = (struct goroutine_group){ gstack_intern(leak, 2, false, &cb, &start), GO_G_WAITING,
                                             gstack_str("chan receive"), 100 + 10 * tick, NAN, 0 };
    start.func = "main.napper";
    g->groups[1] = (struct goroutine_group){ gstack_intern(nap, 4, false, &cb, &start), GO_G_WAITING,
                                             gstack_str("sleep"), 50, 61.5, 0 };
    start.func = "main.worker";
    g->groups[2] = (struct goroutine_group){ gstack_intern(NULL, 0, false, &none, &start), GO_G_RUNNING,
                                             gstack_str(""), 2, NAN, 0 };
    g->ngroups = 3;
    g->total = g->read = 152 + 10 * tick;
    g->stacks_dropped = 1;
    g->dropped_total = 3 + (uint64_t)tick;
    g->refreshed_ns = 1700000000000000000LL + tick * 1000000000LL;
    g->refresh_s = tick ? 1.0 : 0.0;
    g->oncpu_samples = 120;
    g->groups[2].on_cpu_samples = 90;
}

/* An on-CPU profile: a hot user function, the GC, one goroutine on a system stack. */
static void fill_cpuprof(struct snapshot *s, int tick)
{
    struct cpuprof_sample *c = calloc(1, sizeof(*c));
    if (!c)
        return;
    struct gframe hot[] = {
        { "main.hash", "/src/app/hash.go", 17, true },
        { "main.worker", "/src/app/work.go", 40, false },
        { "runtime.goexit", "/usr/lib/go/src/runtime/asm_amd64.s", 1700, false },
    };
    struct gframe none = { "", "", 0, false };
    c->valid = true;
    c->hz = 99;
    c->interval_s = 1.0;
    c->samples = 120 + tick;
    c->kernel = 6;
    c->unattributed = 2;
    c->by_kind[CPUPROF_KIND_USER] = 90 + tick;
    c->by_kind[CPUPROF_KIND_GC] = 30;
    c->lost_total = (uint64_t)tick;
    c->threads = 7;
    c->cost_pct = 0.125;
    c->budget_pct = 2;
    c->sample_cost_us = 14.5;
    c->top[0] = (struct cpuprof_func){ gstack_str("main.hash"), gstack_str("/src/app/hash.go"),
                                       CPUPROF_KIND_USER, 90 + tick, 90 + tick };
    c->top[1] = (struct cpuprof_func){ gstack_str("runtime.scanobject"), gstack_str(""),
                                       CPUPROF_KIND_GC, 30, 30 };
    c->ntop = 2;
    c->minute[0] = c->top[0];
    c->minute[0].self = c->minute[0].total = 5400;
    c->nminute = 1;
    c->minute_s = 60;
    c->minute_samples = 7000;
    c->gs[0] = (struct cpuprof_g){ 0xc000123400, 42, gstack_str("main.worker"),
                                   gstack_str("main.hash"), 4243, 1, 0, 90 + tick };
    c->gs[1] = (struct cpuprof_g){ 0xc000000a00, -1, gstack_str("runtime (system stack)"),
                                   gstack_str("runtime.scanobject"), 4244, 0, -1, 30 };
    c->ngs = 2;
    c->hot[0] = (struct cpuprof_hot){ gstack_intern(hot, 3, false, &none, &none), 5400 };
    c->nhot = 1;
    strcpy(c->note, "rate lowered from 99 to 49 Hz");
    s->cpuprof = c;
}

struct snapshot *synth_snapshot(int tick, size_t nps, size_t nthreads, size_t ncpus)
{
    struct snapshot *s = snapshot_new();
    s->meta.time_ns = 1795780800123000000LL + (int64_t)tick * 1000000000LL;
    s->meta.mono_ns = 5000000000LL + (int64_t)tick * 1000000000LL;
    s->meta.pid = 4242;
    strcpy(s->meta.comm, "synth \"demo\"\\");
    strcpy(s->meta.go_version, "go1.22.12");
    s->meta.uptime_s = 100.0 + tick;
    for (size_t i = 0; i < nthreads; i++) {
        struct thread_sample *t = snapshot_add_thread(s);
        t->tid = (pid_t)(4242 + i);
        snprintf(t->name, sizeof(t->name), "synth-%zu", i % 7);
        t->state = "RSSSD"[i % 5];
        t->cpu = (int)(i % (ncpus ? ncpus : 1));
        t->cpu_time_ns = (uint64_t)tick * (10000000 + i * 1000) + i * 77;
        t->nvcsw = (uint64_t)tick * 50 + i;
        t->nivcsw = (uint64_t)tick * 5 + i / 2;
        t->migrations = (uint64_t)tick * 2 + i % 3;
        t->run_delay_ns = (uint64_t)tick * 100000 + i;
        strcpy(t->affinity, ncpus > 1 ? "0-1" : "0");
        t->have = i % 11 == 5 ? THREAD_HAVE_CPU_TIME
                : THREAD_HAVE_CPU_TIME | THREAD_HAVE_SWITCHES | THREAD_HAVE_MIGRATIONS |
                  THREAD_HAVE_RUN_DELAY | THREAD_HAVE_AFFINITY | THREAD_HAVE_CPU;
    }
    for (size_t i = 0; i < ncpus; i++) {
        struct cpu_sample *c = snapshot_add_cpu(s);
        c->cpu = (int)i;
        c->node = (int)(i % 2);
        c->busy = (uint64_t)tick * 60 + i;
        c->total = (uint64_t)tick * 100 + i * 2;
        c->online = true;
    }
    fill_sched(s, tick, nps);
    fill_timehist(&s->sched_latency, tick, 1);
    fill_timehist(&s->gc_pauses, tick, 5);
    fill_diag(s);
    fill_goroutines(s, tick);
    fill_cpuprof(s, tick);
    fill_park(s, tick);
    fill_cores(s, tick, ncpus);
    fill_numa(s);
    snapshot_set_status(s, "threads", true, "");
    snapshot_set_status(s, "sched", true, "");
    snapshot_set_status(s, "cores", false, "no hardware PMU in this VM");
    return s;
}

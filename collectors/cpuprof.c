/* cpuprof: which functions and goroutines are on the CPU, from cpu-clock samples of the
 * target's threads with their user call chains (cpuprof_perf.c), symbolised with the
 * binary's pcln table (stripped binaries too), attributed to the goroutine in R14 and its
 * P, and kept for a few minutes so the last seconds can be written as a pprof profile. */
#include "config.h"

#include "collectors/collector.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "collectors/budget_ledger.h"
#include "collectors/cpuprof_attr.h"
#include "collectors/cpuprof_int.h"
#include "collectors/cpuprof_perf.h"
#include "collectors/gr_symbols.h"
#include "model/cpuprof_agg.h"
#include "target/go_binary.h"
#include "target/go_offsets.h"
#include "target/target_mem.h"

#define DRAIN_NS 100000000LL          /* the sampler thread empties the rings this often */
#define SYNC_NS 100000000LL           /* and looks for new threads this often: a thread
                                       * the runtime starts is sampled within 100 ms */
#define SYNC_PER_CPU_NS 1000000000LL  /* per-CPU events need no new ones: only the thread
                                       * count and whether it still runs, once a second */
#define MINUTE_NS 60000000000LL
/* What one sample costs the target when it cannot be measured at open (calibration
 * refused): the figure measured on the 2-core VM (scripts/bench-cpuprof.sh), where the
 * timer interrupt is a VM exit; bare metal pays a fraction of it. */
#define SAMPLE_COST_FALLBACK_NS 15000.0
/* What a per-thread event adds to one context switch when it cannot be measured: the
 * figure measured here (cpuprof_perf_switch_cost; 0.8-1.1 us on the 2-core VM). */
#define SWITCH_COST_FALLBACK_NS 1000.0
#define SWITCH_RECHECK_NS 10000000000LL   /* switched off: the switch rate looked at again */
#define MIN_HZ 9.0

struct cpuprof_state {
    pid_t pid;
    char exe[64];
    struct mem_reader mem;
    struct gr_symbols *sym;
    uint64_t bias;
    struct cpuprof_perf *perf;
    const struct collector_config *cfg;
    double hz_wanted, hz;

    bool attribute;                   /* the g/m/p layout is known (attr.off) */
    char attr_why[96];

    pthread_mutex_t lock;             /* everything below */
    struct cpuprof_store store;
    uint64_t lost;
    uint64_t stacks_full;
    int threads;
    char thread_note[96];
    struct cpuprof_attr attr;         /* this drain's samples' goroutines */
    size_t interval_from;             /* ring_total at the last tick */
    int64_t last_tick_ns;
    int64_t next_sync_ns;
    bool gone;
    /* governor */
    int64_t gov_last_ns;
    uint64_t gov_last_total;
    int64_t own_cpu_ns;               /* this collector's CPU since the governor's step */
    double cost_pct;
    double sample_cost_ns;            /* measured at open (cpuprof_perf_calibrate) */
    /* Per-thread events only: what they add to each context switch of the target
     * (measured at open), and its switches (schedstat timeslices) at the last step. */
    double switch_cost_ns;
    int64_t slices_last, slices_last_ns;
    bool switch_off;                  /* events closed: their switch cost alone is over
                                       * the budget; looked at again at switch_check_ns */
    int64_t switch_check_ns;
    int64_t opened_ns;
    char gov_note[160];
    unsigned req_done;
    char export_msg[200];

    pthread_t thread;
    bool thread_running;
    atomic_bool stop;
    atomic_bool paused;               /* on demand and no one reads it: events closed */
    int wake_fd;                      /* eventfd: close and resuming wake the sampler
                                       * thread; or -1 */
};

static int64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static bool cpuprof_probe(char *reason, size_t len)
{
#if !defined(__x86_64__)
    snprintf(reason, len, "on-CPU profiles need x86-64 (frame pointers, g in R14)");
    return false;
#else
    (void)reason;
    (void)len;
    return true;
#endif
}

/* ---- the stack table ------------------------------------------------------------- */

/* Symbolise runtime addresses pcs (innermost first) into a pooled stack. */
static const struct gstack *symbolise(struct cpuprof_state *st, const uint64_t *pcs, size_t n,
                                      bool truncated)
{
    uint64_t link[CPUPROF_MAX_DEPTH + 1];
    struct gframe fr[GSTACK_MAX_FRAMES];
    for (size_t i = 0; i < n; i++)
        link[i] = pcs[i] - st->bias;
    size_t nf = gr_symbols_expand_stack(st->sym, link, n, "(unknown)", fr, GSTACK_MAX_FRAMES,
                                        &truncated);
    struct gframe none = { .func = "", .file = "" };
    /* Counted: the table lets go of it when no kept sample points at it any more. */
    return gstack_intern_ref(fr, nf, truncated, &none, &none);
}

/* The table index of this raw stack, added (and symbolised) when new; 0 when the table
 * is full (index 0 is then the "(stacks table full)" stack made at open). */
static uint32_t stack_of(struct cpuprof_state *st, const uint64_t *pcs, size_t n,
                         bool truncated)
{
    struct cpuprof_store *s = &st->store;
    uint64_t h = cpuprof_store_hash(pcs, n, truncated);
    uint32_t k = cpuprof_store_find(s, h, pcs, n, truncated);
    if (k != UINT32_MAX)
        return k;
    cpuprof_store_maybe_compact(s);
    if (s->nstacks >= CPUPROF_STACKS_CAP) {
        st->stacks_full++;
        return 0;
    }
    if (cpuprof_store_reserve(s, n) != 0)
        return 0;
    const struct gstack *sym = symbolise(st, pcs, n, truncated);
    if (!sym)
        return 0;
    struct cpuprof_rstack r = { .hash = h, .n = (uint32_t)n, .truncated = truncated,
                                .sym = sym,
                                .kind = { (uint8_t)cpuprof_stack_kind(sym, 0),
                                          (uint8_t)cpuprof_stack_kind(sym, 1) } };
    return cpuprof_store_add(s, &r, pcs);
}

/* ---- draining -------------------------------------------------------------------- */

static void on_sample(void *arg, const struct cpuprof_raw *r)
{
    struct cpuprof_state *st = arg;
    if (r->pid != st->pid || !r->nips)
        return;
    uint64_t pcs[CPUPROF_MAX_DEPTH + 1];
    size_t n = 0;
    pcs[n++] = r->ips[0];
    /* A leaf that has not linked its frame (a frameless function, or a prologue or
     * epilogue) leaves its caller out of the frame-pointer chain: the caller's return
     * address is the word at sp then. */
    int32_t delta = -1;
    bool root = false;
    if (r->have_ret && gr_symbols_frame(st->sym, r->ips[0] - st->bias, &delta, &root) &&
        delta == 0 && (r->nips < 2 || r->ips[1] != r->ret) &&
        gr_symbols_frame(st->sym, r->ret - 1 - st->bias, &delta, &root))
        pcs[n++] = r->ret;
    uint32_t i = 1;
    for (; i < r->nips && n < CPUPROF_MAX_DEPTH; i++)
        pcs[n++] = r->ips[i];
    struct cpuprof_ent e = { .t_ns = (int64_t)r->time_ns, .tid = r->tid, .goid = -2, .p = -1,
                             .cpu = (uint16_t)r->cpu, .hz = (uint16_t)st->hz,
                             .kernel = r->in_kernel };
    e.stack = stack_of(st, pcs, n, r->truncated || i < r->nips);
    uint64_t total = st->store.ring_total;
    cpuprof_store_append(&st->store, &e);
    /* Who R14 names is read after the drain, every g of it at once. */
    if (st->attribute && r->have_regs && r->r14 && st->store.ring_total > total)
        cpuprof_attr_note(&st->attr, total, r->r14, r->sp);
}

/* Names each noted sample's goroutine and P. In Go code R14 holds the running g
 * (ABIInternal); the sample's stack pointer must lie in that g's stack, else R14 held
 * something else (C code, a signal handler) and the sample is not attributed. A g with
 * goid 0 is a system stack (g0: scheduler, GC work, system calls off the goroutine's
 * stack). */
static void attribute_drained(struct cpuprof_state *st)
{
    struct cpuprof_store *s = &st->store;
    cpuprof_attr_resolve(&st->attr, &st->mem);
    for (size_t i = 0; i < st->attr.nnotes; i++) {
        const struct cpuprof_gres *g = cpuprof_attr_of(&st->attr, i);
        /* Samples stay in place in the ring (as compact() relies on too). */
        struct cpuprof_ent *e = (struct cpuprof_ent *)cpuprof_store_nth(
            s, s->ring_total - 1 - st->attr.notes[i].seq);
        if (!g || !e)
            continue;                 /* not a g, or the sample has left the ring */
        e->g = g->g;
        e->goid = g->goid;
        e->startpc = g->startpc;
        e->p = g->p;
    }
}

static int64_t sync_period(const struct cpuprof_state *st)
{
    return st->perf && cpuprof_perf_per_cpu(st->perf) ? SYNC_PER_CPU_NS : SYNC_NS;
}

/* Called with lock held. */
static void drain_locked(struct cpuprof_state *st)
{
    if (!st->perf || st->gone)
        return;
    int64_t c0 = thread_cpu_ns(), now = util_mono_ns();
    cpuprof_attr_begin(&st->attr);
    cpuprof_perf_drain(st->perf, on_sample, st, &st->lost);
    attribute_drained(st);
    if (now >= st->next_sync_ns) {
        st->next_sync_ns = now + sync_period(st);
        char note[96] = "";
        int n = cpuprof_perf_sync(st->perf, note, sizeof(note));
        if (n == -ESRCH)
            st->gone = true;
        else
            st->threads = n;
        util_strlcpy(st->thread_note, note, sizeof(st->thread_note));
    }
    st->own_cpu_ns += thread_cpu_ns() - c0;
}

static int resume_locked(struct cpuprof_state *st, int64_t now, char *why, size_t len);

/* The target's context switches a second since the last call (per-thread events:
 * each costs it switch_cost_ns more), or -1 at the first call and when unreadable. */
static double switch_rate_locked(struct cpuprof_state *st, int64_t now)
{
    int64_t s = cpuprof_perf_timeslices(st->pid);
    double rate = -1;
    if (s >= 0 && st->slices_last >= 0 && now > st->slices_last_ns)
        rate = (double)(s > st->slices_last ? s - st->slices_last : 0) /
               ((double)(now - st->slices_last_ns) / 1e9);
    st->slices_last = s;
    st->slices_last_ns = now;
    return rate;
}

/* Per-thread events cost the target at every switch whatever the rate: over the budget
 * on that alone, lowering the rate does nothing, so the events are closed until the
 * switch rate falls. The note says so; the pane shows it as the sampler's reason. */
static void switch_note_locked(struct cpuprof_state *st, double rate, double pct, double room)
{
    snprintf(st->gov_note, sizeof(st->gov_note),
             "off: one event per thread costs %.1f%% of a core at %.0f switches/s x %.2f us, "
             "over the %.1f%% left of the budget; per-CPU events (root) cost nothing there",
             pct, rate, st->switch_cost_ns / 1e3, fmax(0.0, room));
}

static void switch_off_locked(struct cpuprof_state *st, int64_t now, double rate,
                              double pct, double room)
{
    cpuprof_perf_close(st->perf);
    st->perf = NULL;
    st->switch_off = true;
    st->switch_check_ns = now + SWITCH_RECHECK_NS;
    st->gov_last_ns = 0;
    st->cost_pct = NAN;
    ledger_report(LEDGER_CPUPROF, 0.0);
    switch_note_locked(st, rate, pct, room);
}

/* Switched off: every SWITCH_RECHECK_NS the switch rate over the last second decides
 * whether the events may open again (under half the room: not at the edge). */
static void switch_recheck_locked(struct cpuprof_state *st, int64_t now)
{
    /* The rate is taken over the last second before the check: the first call in it
     * only sets where the count starts. */
    if (now < st->switch_check_ns - 1000000000LL)
        return;
    if (st->slices_last_ns < st->switch_check_ns - 1000000000LL) {
        (void)switch_rate_locked(st, now);
        return;
    }
    if (now < st->switch_check_ns)
        return;
    double rate = switch_rate_locked(st, now);
    double room = st->cfg->bpf_budget_pct - ledger_get(LEDGER_PARK) - ledger_get(LEDGER_SELF);
    double pct = rate * st->switch_cost_ns / 1e9 * 100.0;
    char why[COLLECTOR_REASON_LEN];
    if (rate >= 0 && pct < room / 2 && resume_locked(st, now, why, sizeof(why)) == 0) {
        st->switch_off = false;
        st->gov_note[0] = '\0';
        return;
    }
    if (rate >= 0)                    /* still off: the figures as they are now */
        switch_note_locked(st, rate, pct, room);
    st->switch_check_ns = now + SWITCH_RECHECK_NS;
}

/* The governor: what sampling costs (the kernel's work per sample, paid by the target;
 * with per-thread events their cost at each of its context switches too; plus this
 * collector's own CPU) against what --bpf-budget leaves it once the rest of
 * gmptop is counted (budget_ledger.h): the park probe's cost and gmptop's other CPU on
 * busy CPUs. The budget is one promise; a sampler at full rate beside the rest of gmptop
 * (0.8% + 0.6% of a core on a saturated server here) broke a 1% budget on its own. The
 * park probe plans with what the sampler's kernel work leaves (a quarter of the budget
 * at least), so the two share the budget without chasing each other. */
static void govern_locked(struct cpuprof_state *st, int64_t now)
{
    if (st->switch_off) {
        switch_recheck_locked(st, now);
        return;
    }
    /* The first second symbolises every stack it meets: that is not the steady cost. */
    if (!st->perf || now - st->opened_ns < 1000000000LL)
        return;
    bool per_thread = !cpuprof_perf_per_cpu(st->perf);
    if (!st->gov_last_ns) {
        st->gov_last_ns = now;
        st->gov_last_total = st->store.ring_total;
        st->own_cpu_ns = 0;
        if (per_thread)
            (void)switch_rate_locked(st, now);
        return;
    }
    double dt = (double)(now - st->gov_last_ns) / 1e9;
    if (dt < 1.0)
        return;
    double rate = (double)(st->store.ring_total - st->gov_last_total) / dt;
    double kernel_pct = rate * st->sample_cost_ns / 1e9 * 100.0;   /* paid by the target */
    double switches = per_thread ? switch_rate_locked(st, now) : -1;
    double switch_pct = switches > 0 ? switches * st->switch_cost_ns / 1e9 * 100.0 : 0.0;
    kernel_pct += switch_pct;
    double own_pct = (double)st->own_cpu_ns / dt / 1e9 * 100.0;
    st->cost_pct = kernel_pct + own_pct;
    /* The ledger gets what the target pays (the kernel's work per sample): this thread's
     * own CPU is in gmptop's, which the park governor counts where it displaced the
     * target (self_cost.h); here it still counts whole against this sampler's rate. */
    ledger_report(LEDGER_CPUPROF, kernel_pct);
    st->gov_last_ns = now;
    st->gov_last_total = st->store.ring_total;
    st->own_cpu_ns = 0;
    double budget = st->cfg->bpf_budget_pct;
    /* gmptop's CPU on busy CPUs less this collector's own (counted whole above: a little
     * more than the displaced share of it the ledger holds). */
    double others = ledger_get(LEDGER_PARK) + fmax(0.0, ledger_get(LEDGER_SELF) - own_pct);
    double room = budget - others;
    if (budget > 0 && switch_pct > room) {
        switch_off_locked(st, now, switches, switch_pct, room);
        return;
    }
    double hz = cpuprof_gov_hz(st->hz, st->hz_wanted, MIN_HZ, st->cost_pct, room, budget > 0);
    if (hz != st->hz && cpuprof_perf_set_hz(st->perf, hz) == 0)
        st->hz = hz;
    if (st->hz < st->hz_wanted)
        snprintf(st->gov_note, sizeof(st->gov_note),
                 "rate lowered from %.0f to %.0f Hz: sampling cost %.2f%% of a core, %.2f%% "
                 "left of the %.1f%% budget by the rest of gmptop", st->hz_wanted, st->hz,
                 st->cost_pct, fmax(0.0, room), budget);
    else
        st->gov_note[0] = '\0';
}

static void *sampler_main(void *arg)
{
    struct cpuprof_state *st = arg;
    pthread_setname_np(pthread_self(), "gmptop-cpuprof");   /* as top -H and htop show it */
    while (!atomic_load(&st->stop)) {
        /* One wakeup a period (close wakes it through the eventfd); without one, in
         * slices, so closing does not wait out a whole period. */
        if (st->wake_fd >= 0) {
            /* Paused, it sleeps until resumed or closed: no wakeups for nothing. */
            struct pollfd p = { .fd = st->wake_fd, .events = POLLIN };
            uint64_t v;
            if (poll(&p, 1, atomic_load(&st->paused) ? -1 : (int)(DRAIN_NS / 1000000)) > 0)
                (void)!read(st->wake_fd, &v, sizeof(v));
        } else {
            for (int i = 0; i < 5 && !atomic_load(&st->stop); i++) {
                struct timespec ts = { 0, DRAIN_NS / 5 };
                nanosleep(&ts, NULL);
            }
        }
        if (atomic_load(&st->stop))
            break;
        pthread_mutex_lock(&st->lock);
        drain_locked(st);
        govern_locked(st, util_mono_ns());
        pthread_mutex_unlock(&st->lock);
    }
    return NULL;
}

/* ---- the snapshot's figures ------------------------------------------------------ */

struct window {
    struct cpuprof_weighted *w;       /* per pooled stack */
    size_t nw;
    int64_t samples, kernel, unattributed;
    int64_t by_kind[CPUPROF_KIND_COUNT];
};

static int by_sym(const void *a, const void *b)
{
    const struct cpuprof_weighted *x = a, *y = b;
    return x->stack < y->stack ? -1 : x->stack > y->stack;
}

/* Count the newest n samples per pooled stack: per raw stack first (the minute's 12,000
 * samples on a busy server, sorted each refresh, were a tenth of the main thread), then
 * the few thousand raw stacks merged where they symbolise alike. */
static void window_of(struct cpuprof_state *st, size_t n, struct window *win)
{
    struct cpuprof_store *s = &st->store;
    memset(win, 0, sizeof(*win));
    if (!n)
        return;
    size_t ns = s->nstacks;
    uint32_t *count = calloc(ns + 1, sizeof(*count));    /* [ns]: no stack */
    struct cpuprof_weighted *w = count ? calloc(ns + 1 < n ? ns + 1 : n, sizeof(*w)) : NULL;
    if (!w) {
        free(count);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const struct cpuprof_ent *e = cpuprof_store_nth(s, i);
        const struct cpuprof_rstack *r = e->stack < ns ? &s->stacks[e->stack] : NULL;
        win->samples++;
        win->kernel += e->kernel;
        win->unattributed += e->goid == -2;
        count[r ? e->stack : ns]++;
        win->by_kind[r ? r->kind[e->kernel != 0] : cpuprof_stack_kind(NULL, e->kernel)]++;
    }
    size_t nw = 0;
    for (size_t k = 0; k <= ns; k++)
        if (count[k])
            w[nw++] = (struct cpuprof_weighted){ .stack = k < ns ? s->stacks[k].sym : NULL,
                                                 .samples = count[k] };
    free(count);
    qsort(w, nw, sizeof(*w), by_sym);
    size_t m = 0;
    for (size_t i = 0; i < nw; i++) {
        if (m && w[m - 1].stack == w[i].stack)
            w[m - 1].samples += w[i].samples;
        else
            w[m++] = w[i];
    }
    win->w = w;
    win->nw = m;
}

static const char *start_func_of(struct cpuprof_state *st, const struct cpuprof_ent *e)
{
    if (e->goid == -1)
        return gstack_str("runtime (system stack)");
    if (!e->startpc)
        return gstack_str("");
    const char *f = gr_symbols_func(st->sym, e->startpc - st->bias);
    return f ? f : gstack_str("");
}

static void goroutines_of(struct cpuprof_state *st, size_t n, struct cpuprof_sample *out)
{
    const struct cpuprof_store *s = &st->store;
    /* Newest first: the first sample met of a goroutine is its latest. */
    for (size_t i = 0; i < n; i++) {
        const struct cpuprof_ent *e = cpuprof_store_nth(s, i);
        if (e->goid == -2)
            continue;
        size_t j = 0;
        while (j < out->ngs && !(out->gs[j].g == e->g && out->gs[j].goid == e->goid))
            j++;
        if (j == out->ngs) {
            if (out->ngs == CPUPROF_GS_MAX)
                continue;
            out->gs[out->ngs++] = (struct cpuprof_g){
                .g = e->g, .goid = e->goid, .start_func = start_func_of(st, e),
                .where = gstack_str(""), .tid = e->tid, .cpu = e->cpu, .p = e->p };
        }
        out->gs[j].samples++;
    }
    /* WHERE: the program's own frame of the stack each goroutine was seen in most. */
    for (size_t j = 0; j < out->ngs; j++) {
        const struct gstack *best = NULL;
        int64_t best_n = 0;
        struct stack_count { const struct gstack *st; int64_t n; } seen[16];
        size_t nseen = 0;
        for (size_t i = 0; i < n; i++) {
            const struct cpuprof_ent *e = cpuprof_store_nth(s, i);
            if (e->g != out->gs[j].g || e->goid != out->gs[j].goid || e->stack >= s->nstacks)
                continue;
            const struct gstack *sym = s->stacks[e->stack].sym;
            size_t k = 0;
            while (k < nseen && seen[k].st != sym)
                k++;
            if (k == nseen && nseen < 16)
                seen[nseen++] = (struct stack_count){ sym, 0 };
            if (k < nseen && ++seen[k].n > best_n) {
                best_n = seen[k].n;
                best = sym;
            }
        }
        const struct gframe *uf = best ? gstack_user_frame(best) : NULL;
        if (uf)
            out->gs[j].where = uf->func;
        else if (best && best->nframes)
            out->gs[j].where = best->frames[0].func;
    }
    for (size_t i = 1; i < out->ngs; i++)       /* insertion sort: samples descending */
        for (size_t j = i; j > 0 && out->gs[j].samples > out->gs[j - 1].samples; j--) {
            struct cpuprof_g t = out->gs[j];
            out->gs[j] = out->gs[j - 1];
            out->gs[j - 1] = t;
        }
}

static void handle_request_locked(struct cpuprof_state *st, int64_t now)
{
    const struct collector_config *c = st->cfg;
    if (c->profile_req_seq == st->req_done)
        return;
    st->req_done = c->profile_req_seq;
    cpuprof_export(&st->store, st->sym, st->hz, c->profile_req_seconds, now, st->exe,
                   c->profile_req_pprof[0] ? c->profile_req_pprof : NULL,
                   c->profile_req_folded[0] ? c->profile_req_folded : NULL, st->export_msg,
                   sizeof(st->export_msg));
}

/* ---- on demand ------------------------------------------------------------------ */

static bool profile_wanted(const struct collector_config *c, int64_t now)
{
    return c->profile_linger_s <= 0 ||
           (c->profile_shown_ns && now - c->profile_shown_ns <= (int64_t)(c->profile_linger_s * 1e9));
}

/* Nothing shows the profile: close the events (the target stops paying for samples, and
 * their rings go) and drop what was kept, which would read as the last minute when the
 * profile is shown again. The sampler thread sleeps until resume_locked wakes it. */
static void pause_locked(struct cpuprof_state *st)
{
    cpuprof_perf_close(st->perf);
    st->perf = NULL;
    cpuprof_store_clear(&st->store);
    st->interval_from = st->store.ring_total;
    cpuprof_attr_reset(&st->attr);
    st->gov_last_ns = 0;
    st->cost_pct = NAN;
    ledger_report(LEDGER_CPUPROF, 0.0);
    atomic_store(&st->paused, true);
}

static int resume_locked(struct cpuprof_state *st, int64_t now, char *why, size_t len)
{
    st->perf = cpuprof_perf_open(st->pid, st->hz, why, len);
    if (!st->perf)
        return -1;
    int n = cpuprof_perf_sync(st->perf, st->thread_note, sizeof(st->thread_note));
    if (n == -ESRCH)
        st->gone = true;
    st->threads = n > 0 ? n : 0;
    st->next_sync_ns = now + sync_period(st);
    st->opened_ns = now;            /* the governor skips the first second again */
    st->slices_last = -1;
    st->last_tick_ns = 0;
    atomic_store(&st->paused, false);
    if (st->wake_fd >= 0)
        (void)!write(st->wake_fd, &(uint64_t){ 1 }, sizeof(uint64_t));
    return 0;
}

/* 0 when it samples now; else the reason it does not, for the tick's status. */
static int demand_locked(struct cpuprof_state *st, int64_t now, char *reason, size_t len)
{
    if (!profile_wanted(st->cfg, now)) {
        if (!atomic_load(&st->paused))
            pause_locked(st);
        snprintf(reason, len, CPUPROF_PAUSED_PREFIX "the on-CPU profiler samples only while "
                 "the CPU or goroutines pane is open, and for %.0f s after",
                 st->cfg->profile_linger_s);
        return -EAGAIN;
    }
    char why[COLLECTOR_REASON_LEN] = "";
    if (atomic_load(&st->paused) && st->switch_off) {
        /* Wanted again but switched off by its cost: the sampler thread wakes to look
         * at the switch rate, the events stay closed. */
        atomic_store(&st->paused, false);
        if (st->wake_fd >= 0)
            (void)!write(st->wake_fd, &(uint64_t){ 1 }, sizeof(uint64_t));
    } else if (atomic_load(&st->paused) && resume_locked(st, now, why, sizeof(why)) < 0) {
        snprintf(reason, len, "could not start again: %s", why);
        return -EAGAIN;
    }
    if (st->switch_off) {
        snprintf(reason, len, "%s", st->gov_note);
        return -EAGAIN;
    }
    return 0;
}

static int cpuprof_sample(void *state, const struct target *t, struct snapshot *s,
                          char *reason, size_t len)
{
    (void)t;
    struct cpuprof_state *st = state;
    pthread_mutex_lock(&st->lock);
    int rc = demand_locked(st, util_mono_ns(), reason, len);
    if (rc < 0) {
        pthread_mutex_unlock(&st->lock);
        return rc;
    }
    struct cpuprof_sample *out = calloc(1, sizeof(*out));
    if (!out) {
        pthread_mutex_unlock(&st->lock);
        snprintf(reason, len, "out of memory");
        return -ENOMEM;
    }
    int64_t c0 = thread_cpu_ns();
    drain_locked(st);
    int64_t now = util_mono_ns();
    struct cpuprof_store *store = &st->store;
    uint64_t fresh = store->ring_total - st->interval_from;
    size_t nint = fresh < store->ring_len ? (size_t)fresh : store->ring_len;
    size_t nmin = 0;
    while (nmin < store->ring_len && cpuprof_store_nth(store, nmin)->t_ns >= now - MINUTE_NS)
        nmin++;
    struct window wi, wm;
    window_of(st, nint, &wi);
    window_of(st, nmin, &wm);
    out->valid = true;
    out->hz = st->hz;
    out->interval_s = st->last_tick_ns ? (double)(now - st->last_tick_ns) / 1e9 : 0;
    out->samples = wi.samples;
    out->kernel = wi.kernel;
    out->unattributed = wi.unattributed;
    memcpy(out->by_kind, wi.by_kind, sizeof(out->by_kind));
    out->lost_total = st->lost;
    out->threads = st->threads;
    bool per_cpu = cpuprof_perf_per_cpu(st->perf);
    util_strlcpy(out->events, per_cpu ? "per-cpu" : "per-thread", sizeof(out->events));
    out->cost_pct = st->cost_pct;
    out->sample_cost_us = st->sample_cost_ns / 1e3;
    out->budget_pct = st->cfg->bpf_budget_pct;
    out->ntop = (uint16_t)cpuprof_top_funcs(wi.w, wi.nw, out->top, CPUPROF_TOP_MAX);
    int64_t oldest = nmin ? cpuprof_store_nth(store, nmin - 1)->t_ns : now;
    out->minute_s = nmin ? fmin(60.0, (double)(now - oldest) / 1e9) : 0;
    out->minute_samples = wm.samples;
    out->nminute = (uint16_t)cpuprof_top_funcs(wm.w, wm.nw, out->minute, CPUPROF_TOP_MAX);
    out->nhot = (uint16_t)cpuprof_hot_stacks(wm.w, wm.nw, out->hot, CPUPROF_HOT_MAX);
    for (size_t i = 0; i < out->nhot; i++)      /* the snapshot's own references */
        gstack_retain(out->hot[i].stack);
    goroutines_of(st, nint, out);
    free(wi.w);
    free(wm.w);
    handle_request_locked(st, now);
    util_strlcpy(out->export_msg, st->export_msg, sizeof(out->export_msg));
    const char *uo = cpuprof_perf_user_only(st->perf)
                         ? "user-mode time only (perf_event_paranoid 2 without CAP_PERFMON: "
                           "time in system calls is not seen)" : "";
    util_reason(out->note, sizeof(out->note), "%s%s%s%s%s", uo,
                uo[0] && (st->gov_note[0] || st->thread_note[0]) ? "; " : "", st->gov_note,
                st->gov_note[0] && st->thread_note[0] ? "; " : "", st->thread_note);
    st->interval_from = store->ring_total;
    st->last_tick_ns = now;
    gr_symbols_trim(st->sym, now);
    bool gone = st->gone;
    st->own_cpu_ns += thread_cpu_ns() - c0;
    util_reason(reason, len, "%.0f Hz on %d threads, %s%s%s%s%s%s%s", st->hz, st->threads,
                per_cpu ? "one event per CPU" : "one event per thread (per-CPU: ",
                per_cpu ? "" : cpuprof_perf_mode_why(st->perf), per_cpu ? "" : ")",
                st->attribute ? "" : "; goroutines n/a: ", st->attribute ? "" : st->attr_why,
                out->note[0] ? "; " : "", out->note);
    pthread_mutex_unlock(&st->lock);
    cpuprof_sample_free(s->cpuprof);
    s->cpuprof = out;
    return gone ? -ESRCH : 0;
}

/* ---- open and close -------------------------------------------------------------- */

static void cpuprof_close(void *state)
{
    struct cpuprof_state *st = state;
    if (!st)
        return;
    if (st->thread_running) {
        atomic_store(&st->stop, true);
        if (st->wake_fd >= 0)
            (void)!write(st->wake_fd, &(uint64_t){ 1 }, sizeof(uint64_t));
        pthread_join(st->thread, NULL);
    }
    if (st->wake_fd >= 0)
        close(st->wake_fd);
    cpuprof_perf_close(st->perf);
    ledger_report(LEDGER_CPUPROF, 0.0);
    gr_symbols_close(st->sym);
    free(st->store.ring);
    for (size_t i = 0; i < st->store.nstacks; i++)
        gstack_release(st->store.stacks[i].sym);
    free(st->store.stacks);
    free(st->store.pcs);
    free(st->store.index);
    cpuprof_attr_free(&st->attr);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

/* Stack 0 stands for every sample whose stack could not be kept (the table is full). */
static bool store_init(struct cpuprof_state *st)
{
    struct cpuprof_store *s = &st->store;
    struct gframe none = { .func = "", .file = "" };
    struct gframe full = { .func = "(stack table full)", .file = "" };
    const struct gstack *sym = gstack_intern(&full, 1, false, &none, &none);
    s->stacks = calloc(256, sizeof(*s->stacks));
    if (!sym || !s->stacks || !cpuprof_store_index_grow(s))
        return false;
    s->stacks_cap = 256;
    /* The CPU pane's minute, or a --profile run's seconds, and a margin for ticks that
     * come late. */
    s->keep_ns = (int64_t)((fmax(60.0, st->cfg->profile_keep_s) + 10.0) * 1e9);
    s->stacks[0] = (struct cpuprof_rstack){ .hash = 0, .sym = sym,
                                            .kind = { (uint8_t)cpuprof_stack_kind(sym, 0),
                                                      (uint8_t)cpuprof_stack_kind(sym, 1) } };
    s->nstacks = 1;
    return true;
}

/* Where the members that name a sample's goroutine and P live; false + why. */
static bool layout_for_attribution(struct cpuprof_state *st, const struct target *t)
{
    struct go_offsets off;
    char why[COLLECTOR_REASON_LEN] = "";
    if (go_offsets_load(t->bin, st->exe, &off, why, sizeof(why)) != 0) {
        snprintf(st->attr_why, sizeof(st->attr_why), "%.80s", why);
        return false;
    }
    struct cpuprof_attr_layout *l = &st->attr.off;
    *l = (struct cpuprof_attr_layout){
        .g_goid = off.field[GO_G_GOID], .g_startpc = off.field[GO_G_STARTPC],
        .g_stack_lo = off.field[GO_G_STACK_LO], .g_stack_hi = off.field[GO_G_STACK_HI],
        .g_m = off.field[GO_G_M], .m_p = off.field[GO_M_P], .p_id = off.field[GO_P_ID],
    };
    if (l->g_goid < 0 || l->g_startpc < 0 || l->g_stack_lo < 0 || l->g_stack_hi < 0 ||
        l->g_m < 0 || l->m_p < 0 || l->p_id < 0) {
        snprintf(st->attr_why, sizeof(st->attr_why), "the g/m/p layout of %s is unknown",
                 off.go_version);
        return false;
    }
    return true;
}

static void *cpuprof_open(const struct target *t, const struct collector_config *cfg,
                          char *reason, size_t len)
{
    if (cfg->profile_hz <= 0) {
        snprintf(reason, len, "off (--profile-hz 0)");
        return NULL;
    }
    if (!t->bin) {
        snprintf(reason, len, "no Go binary");
        return NULL;
    }
    struct cpuprof_state *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(reason, len, "out of memory");
        return NULL;
    }
    st->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    pthread_mutex_init(&st->lock, NULL);
    st->pid = t->pid;
    st->cfg = cfg;
    st->hz = st->hz_wanted = fmin(cfg->profile_hz, 10000.0);
    st->cost_pct = NAN;                 /* until the governor's first second */
    st->req_done = cfg->profile_req_seq;
    snprintf(st->exe, sizeof(st->exe), "/proc/%d/exe", (int)t->pid);
    st->mem = target_mem_live(&st->pid);
    char why[COLLECTOR_REASON_LEN] = "";
    st->sym = gr_symbols_open(t, &st->mem, why, sizeof(why));
    if (!st->sym) {
        snprintf(reason, len, "%s", why);
        cpuprof_close(st);
        return NULL;
    }
    st->bias = gr_symbols_bias(st->sym);
    st->attribute = layout_for_attribution(st, t);
    /* Starting is resuming from nothing (no thread to lock against yet). */
    if (resume_locked(st, util_mono_ns(), why, sizeof(why)) < 0) {
        snprintf(reason, len, "%s", why);
        cpuprof_close(st);
        return NULL;
    }
    double c = cpuprof_perf_calibrate();
    st->sample_cost_ns = c > 0 ? c : SAMPLE_COST_FALLBACK_NS;
    if (!cpuprof_perf_per_cpu(st->perf)) {
        /* Only per-thread events cost the target at its switches. Measured below 0.1
         * us (noise), the fallback: such a machine pays it all the same. */
        double w = cpuprof_perf_switch_cost();
        st->switch_cost_ns = w > 100 ? w : SWITCH_COST_FALLBACK_NS;
    }
    if (!store_init(st)) {
        snprintf(reason, len, "out of memory");
        cpuprof_close(st);
        return NULL;
    }
    if (pthread_create(&st->thread, NULL, sampler_main, st) == 0)
        st->thread_running = true;
    return st;
}

const struct collector_ops cpuprof_collector = {
    .name = "cpuprof",
    .summary = "on-CPU profile: cpu-clock samples of the target's threads with call stacks",
    .pane = "cpu",
    .probe = cpuprof_probe,
    .open = cpuprof_open,
    .sample = cpuprof_sample,
    .close = cpuprof_close,
};

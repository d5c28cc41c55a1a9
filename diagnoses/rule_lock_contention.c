/* rule_lock_contention: goroutines queue on sync.Mutex / RWMutex. */
#include "diagnoses/rule_util.h"

enum { T_WAITERS, T_HOLD };

/* Wait reasons of sync.Mutex and RWMutex: Go 1.22+ names them; 1.19 calls them all
 * "semacquire" (WaitGroup too, so the count is an upper bound there). */
static const char *const mutex_reasons[] = {
    "sync.Mutex", "sync.RWMutex", "semacquire", NULL,
};

static bool contended(const struct snapshot *prev, const struct snapshot *cur, const double *thr)
{
    (void)prev;
    return cur && cur->sched.valid &&
           rule_waiting_on(&cur->sched, mutex_reasons) >= (long long)thr[T_WAITERS];
}

static enum diag_verdict check(const struct diag_ctx *c, struct diag_finding *f, char *why,
                               size_t len)
{
    if (rule_sched_missing(c->h, why, len))
        return DIAG_UNAVAILABLE;
    const struct sched_sample *s = &history_get(c->h, 0)->sched;
    if (!s->census_valid) {
        snprintf(why, len, "needs the goroutine census (runtime.allgs not readable)");
        return DIAG_UNAVAILABLE;
    }
    diag_figure(c, "waiters", (double)rule_waiting_on(s, mutex_reasons));
    /* Waiters come and go as the lock is handed on: most ticks of the window count. */
    double held = c->thr[T_HOLD];
    if (!diag_mostly(c->h, held, 0.6, contended, c->thr))
        return DIAG_QUIET;
    long long waiters = rule_waiting_on(s, mutex_reasons);
    diag_evidence(f, "goroutines_waiting_on_locks", (double)waiters);
    diag_evidence(f, "gomaxprocs", s->gomaxprocs);
    diag_evidence(f, "held_s", held);
    diag_set(f, DIAG_WARN,
             "%lld goroutines are waiting on a sync.Mutex or RWMutex, and have been for most "
             "of the last %.0f s: one "
             "lock serialises the work, so adding goroutines only lengthens the queue; "
             "shorten the critical section, shard the lock or the data, or use atomics "
             "where a counter is all that is shared.",
             waiters, held);
    return DIAG_FIRE;
}

const struct diag_rule rule_lock_contention = {
    .id = "lock_contention",
    .title = "lock contention",
    .pane = "sched",
    .explain =
        "A sync.Mutex lets one goroutine in at a time. Under contention the others park "
        "(they stop using CPU) and are woken one by one, so the CPU looks idle while "
        "requests wait. gmptop counts goroutines parked on mutexes in the runtime's own "
        "goroutine list; the latency pane (BPF) adds how long each waits. A related cost "
        "no lock shows is false sharing: goroutines updating neighbouring fields fight "
        "over one cache line even without a lock.",
    .thresholds = {
        { "waiters", 4, "goroutines", "goroutines waiting on locks" },
        { "hold_s", 5, "s", "in most (60%) of the ticks over this long" },
    },
    .nthresholds = 2,
    .check = check,
};

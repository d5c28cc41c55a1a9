/* rule_runq_backlog: goroutines pile up in runqueues for seconds: either every P is busy
 * (CPU saturation) or some Ps idle while others queue (stealing not keeping up). */
#include "diagnoses/rule_util.h"

enum { T_QUEUED_PER_P, T_HOLD };

static bool backlog(const struct snapshot *prev, const struct snapshot *cur, const double *thr)
{
    (void)prev;
    return cur && cur->sched.valid && cur->sched.gomaxprocs > 0 &&
           (double)rule_queued(&cur->sched) >= thr[T_QUEUED_PER_P] * cur->sched.gomaxprocs;
}

static enum diag_verdict check(const struct diag_ctx *c, struct diag_finding *f, char *why,
                               size_t len)
{
    if (rule_sched_missing(c->h, why, len))
        return DIAG_UNAVAILABLE;
    const struct sched_sample *now = &history_get(c->h, 0)->sched;
    diag_figure(c, "queued_per_p", now->gomaxprocs > 0
                ? (double)rule_queued(now) / now->gomaxprocs : NAN);
    double held = diag_held_for(c->h, c->thr[T_HOLD], backlog, c->thr);
    if (held < c->thr[T_HOLD])
        return DIAG_QUIET;
    const struct sched_sample *s = &history_get(c->h, 0)->sched;
    long long q = rule_queued(s), local = rule_max_local(s);
    diag_evidence(f, "queued", (double)q);
    diag_evidence(f, "runq_global", (double)s->runq_global);
    diag_evidence(f, "max_local_runq", (double)local);
    diag_evidence(f, "idle_p", s->idle_p);
    diag_evidence(f, "gomaxprocs", s->gomaxprocs);
    diag_evidence(f, "held_s", held);
    if (s->idle_p == 0)
        diag_set(f, DIAG_WARN,
                 "%lld goroutines have waited in runqueues for %.0f s with all %d Ps busy: "
                 "the program wants more CPU than GOMAXPROCS gives it (CPU saturation), so "
                 "every queued goroutine waits; reduce work per request, raise GOMAXPROCS "
                 "if CPUs are free, or add capacity.",
                 q, held, (int)s->gomaxprocs);
    else
        diag_set(f, DIAG_WARN,
                 "%lld goroutines have waited in runqueues for %.0f s while %d of %d Ps "
                 "sat idle: work stealing and spinning Ms are not keeping up (a P's local "
                 "queue holds %lld); look for goroutines that never yield (tight loops) "
                 "or threads blocked with their P.",
                 q, held, (int)s->idle_p, (int)s->gomaxprocs, local);
    return DIAG_FIRE;
}

const struct diag_rule rule_runq_backlog = {
    .id = "runq_backlog",
    .title = "runqueue backlog",
    .pane = "sched",
    .explain =
        "Each P (a licence to run Go code) has a local queue of goroutines ready to run, "
        "and there is one global queue. A few queued goroutines are normal; many, for "
        "seconds, mean goroutines are ready but nobody runs them. If no P is idle, the "
        "program simply needs more CPU than it has. If some Ps are idle while others "
        "queue, work is not being stolen fast enough; 'the CPU is not busy, yet it "
        "stalls' often looks like this when goroutines spin without yielding.",
    .thresholds = {
        { "queued_per_p", 16, "goroutines", "goroutines queued (global + local) per P" },
        { "hold_s", 5, "s", "for at least this long" },
    },
    .nthresholds = 2,
    .check = check,
};

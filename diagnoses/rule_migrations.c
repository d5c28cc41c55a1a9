/* rule_migrations: the threads that run Ps hop between CPUs, losing warm caches. */
#include "diagnoses/rule_util.h"

#include <math.h>

enum { T_PER_S, T_HOLD };

/* Highest migration rate among the threads currently holding a P. */
static double max_p_thread_migrations(const struct snapshot *prev, const struct snapshot *cur,
                                      pid_t *tid)
{
    double best = NAN;
    if (!prev || !cur || !cur->sched.valid)
        return best;
    for (size_t i = 0; i < cur->sched.nps; i++) {
        pid_t t = cur->sched.ps[i].m_tid;
        const struct thread_sample *ts = t > 0 ? snapshot_find_thread(cur, t) : NULL;
        if (!ts)
            continue;
        struct thread_rates r;
        rates_thread(prev, cur, ts, &r);
        if (!isnan(r.migrations_per_s) && (isnan(best) || r.migrations_per_s > best)) {
            best = r.migrations_per_s;
            if (tid)
                *tid = t;
        }
    }
    return best;
}

static bool migrating(const struct snapshot *prev, const struct snapshot *cur, const double *thr)
{
    double m = max_p_thread_migrations(prev, cur, NULL);
    return !isnan(m) && m >= thr[T_PER_S];
}

static enum diag_verdict check(const struct diag_ctx *c, struct diag_finding *f, char *why,
                               size_t len)
{
    if (rule_sched_missing(c->h, why, len))
        return DIAG_UNAVAILABLE;
    const struct snapshot *cur = history_get(c->h, 0);
    if (cur->nthreads == 0) {
        snprintf(why, len, "needs the threads collector");
        return DIAG_UNAVAILABLE;
    }
    diag_figure(c, "per_s", max_p_thread_migrations(history_get(c->h, 1), cur, NULL));
    double held = diag_held_for(c->h, c->thr[T_HOLD], migrating, c->thr);
    if (held < c->thr[T_HOLD])
        return DIAG_QUIET;
    pid_t tid = 0;
    double m = max_p_thread_migrations(history_get(c->h, 1), cur, &tid);
    diag_evidence(f, "migrations_per_s", m);
    diag_evidence(f, "tid", tid);
    diag_set(f, DIAG_INFO,
             "Thread %d, which runs one of the Ps, moved between CPUs %.0f times per second "
             "for %.0f s: each move starts it on cold caches; if the machine is otherwise "
             "quiet, pin latency-critical work (LockOSThread + sched_setaffinity) or give "
             "the process a cpuset.",
             (int)tid, m, held);
    return DIAG_FIRE;
}

const struct diag_rule rule_migrations = {
    .id = "migrations",
    .title = "thread migrations",
    .pane = "threads",
    .explain =
        "The Linux scheduler moves threads between CPUs to balance load. A moved thread "
        "finds its data in another core's cache: it refills from L3 or memory (tens of "
        "nanoseconds a line, more across NUMA nodes). A few moves per second are "
        "normal; hundreds for the threads running Go code cost real time. Pinning helps "
        "only when the CPU you pin to is otherwise free.",
    .thresholds = {
        { "per_s", 200, "1/s", "migrations per second of a thread holding a P" },
        { "hold_s", 5, "s", "for at least this long" },
    },
    .nthresholds = 2,
    .check = check,
};

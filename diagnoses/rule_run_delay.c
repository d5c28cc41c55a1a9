/* rule_run_delay: the target's threads are runnable but wait for a CPU (kernel side). */
#include "diagnoses/rule_util.h"

#include <math.h>

enum { T_MS_PER_S, T_HOLD };

/* Largest run delay (ms per s) among the target's threads. */
static double max_delay(const struct snapshot *prev, const struct snapshot *cur, pid_t *tid)
{
    double best = NAN;
    if (!prev || !cur)
        return best;
    for (size_t i = 0; i < cur->nthreads; i++) {
        struct thread_rates r;
        rates_thread(prev, cur, &cur->threads[i], &r);
        if (!isnan(r.run_delay_ms_per_s) && (isnan(best) || r.run_delay_ms_per_s > best)) {
            best = r.run_delay_ms_per_s;
            if (tid)
                *tid = cur->threads[i].tid;
        }
    }
    return best;
}

static bool delayed(const struct snapshot *prev, const struct snapshot *cur, const double *thr)
{
    double d = max_delay(prev, cur, NULL);
    return !isnan(d) && d >= thr[T_MS_PER_S];
}

static enum diag_verdict check(const struct diag_ctx *c, struct diag_finding *f, char *why,
                               size_t len)
{
    const struct snapshot *cur = history_get(c->h, 0), *prev = history_get(c->h, 1);
    pid_t tid = 0;
    if (!cur || cur->nthreads == 0) {
        snprintf(why, len, "needs the threads collector");
        return DIAG_UNAVAILABLE;
    }
    double now = max_delay(prev, cur, &tid);
    diag_figure(c, "ms_per_s", now);
    if (isnan(now)) {
        if (prev) {
            snprintf(why, len, "run delay not available (no /proc/TID/schedstat)");
            return DIAG_UNAVAILABLE;
        }
        return DIAG_QUIET;
    }
    double held = diag_held_for(c->h, c->thr[T_HOLD], delayed, c->thr);
    if (held < c->thr[T_HOLD])
        return DIAG_QUIET;
    double d = max_delay(prev, cur, &tid);
    diag_evidence(f, "run_delay_ms_per_s", d);
    diag_evidence(f, "tid", tid);
    diag_set(f, DIAG_WARN,
             "Thread %d waited %.0f ms per second for a CPU while ready to run (kernel run "
             "delay) for %.0f s: the machine or the process's cgroup has fewer CPUs free "
             "than it has runnable threads; check other load on the box, the CPU quota, "
             "and GOMAXPROCS.",
             (int)tid, d, held);
    return DIAG_FIRE;
}

const struct diag_rule rule_run_delay = {
    .id = "run_delay",
    .title = "threads waiting for a CPU",
    .pane = "threads",
    .explain =
        "Below the Go scheduler sits the kernel's: a Go thread with work can still wait "
        "for a CPU if other threads (of this or another program) hold them all. The kernel "
        "counts that wait per thread (/proc/TID/schedstat). Go cannot see it; its own "
        "latency figures then look fine while requests are slow.",
    .thresholds = {
        { "ms_per_s", 100, "ms/s", "run delay of any thread" },
        { "hold_s", 5, "s", "for at least this long" },
    },
    .nthresholds = 2,
    .check = check,
};

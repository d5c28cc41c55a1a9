/* rule_sched_latency: runnable goroutines wait long before they run (runtime histogram). */
#include "diagnoses/rule_util.h"

enum { T_P99_MS, T_HOLD };

static bool slow(const struct snapshot *prev, const struct snapshot *cur, const double *thr)
{
    double p99 = rule_sched_latency_p99(prev, cur);
    return p99 >= 0 && p99 / 1e6 >= thr[T_P99_MS];
}

static enum diag_verdict check(const struct diag_ctx *c, struct diag_finding *f, char *why,
                               size_t len)
{
    const struct snapshot *cur = history_get(c->h, 0);
    if (!cur || !cur->sched_latency.valid) {
        snprintf(why, len, "the runtime's scheduling-latency histogram is not readable");
        return DIAG_UNAVAILABLE;
    }
    double now = rule_sched_latency_p99(history_get(c->h, 1), cur);
    diag_figure(c, "p99_ms", now >= 0 ? now / 1e6 : NAN);
    double held = diag_held_for(c->h, c->thr[T_HOLD], slow, c->thr);
    if (held < c->thr[T_HOLD])
        return DIAG_QUIET;
    double p99 = rule_sched_latency_p99(history_get(c->h, 1), cur) / 1e6;
    diag_evidence(f, "p99_ms", p99);
    diag_evidence(f, "held_s", held);
    diag_set(f, DIAG_WARN,
             "Runnable goroutines waited up to %.1f ms (p99, runtime's own histogram) before "
             "running, for %.0f s: they are ready but no P is free; look at the runqueue "
             "backlog and CPU saturation, long-running goroutines that do not yield, and "
             "GC, which takes Ps while marking.",
             p99, held);
    return DIAG_FIRE;
}

const struct diag_rule rule_sched_latency = {
    .id = "sched_latency",
    .title = "scheduling latency",
    .pane = "sched",
    .explain =
        "Scheduling latency is the time from 'this goroutine can run' to 'it runs'. The "
        "Go runtime measures it itself (runtime/metrics /sched/latencies:seconds) and "
        "gmptop reads that histogram from the process's memory at no cost to it. A p99 "
        "in milliseconds means requests wait in queues even though nothing blocks them.",
    .thresholds = {
        { "p99_ms", 5, "ms", "p99 scheduling latency" },
        { "hold_s", 5, "s", "for at least this long" },
    },
    .nthresholds = 2,
    .check = check,
};

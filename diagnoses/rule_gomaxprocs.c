/* rule_gomaxprocs: GOMAXPROCS set against the CPUs the process may really use. */
#include "diagnoses/rule_util.h"

#include <math.h>

enum { T_HOLD };

/* CPUs the process may use: the affinity mask, capped by the cgroup quota. */
static double usable_cpus(const struct sched_sample *s)
{
    double n = s->cpus_allowed > 0 ? s->cpus_allowed : (s->cpus_online > 0 ? s->cpus_online : NAN);
    if (!isnan(s->cpu_quota) && (isnan(n) || s->cpu_quota < n))
        n = s->cpu_quota;
    return n;
}

/* Below the CPUs it may use, while goroutines queue and some CPU is idle. */
static bool starved(const struct snapshot *prev, const struct snapshot *cur, const double *thr)
{
    (void)thr;
    if (!cur || !cur->sched.valid || !prev)
        return false;
    const struct sched_sample *s = &cur->sched;
    double usable = usable_cpus(s);
    if (isnan(usable) || s->gomaxprocs >= (int32_t)floor(usable) || rule_queued(s) == 0)
        return false;
    for (size_t i = 0; i < cur->ncpus; i++) {
        double u = rates_cpu_util(prev, cur, cur->cpus[i].cpu);
        if (!isnan(u) && u < 50.0)
            return true;
    }
    return false;
}

static enum diag_verdict check(const struct diag_ctx *c, struct diag_finding *f, char *why,
                               size_t len)
{
    if (rule_sched_missing(c->h, why, len))
        return DIAG_UNAVAILABLE;
    const struct sched_sample *s = &history_get(c->h, 0)->sched;
    double usable = usable_cpus(s);
    if (isnan(usable)) {
        snprintf(why, len, "the process's CPU mask and quota are unknown");
        return DIAG_UNAVAILABLE;
    }
    diag_evidence(f, "gomaxprocs", s->gomaxprocs);
    diag_evidence(f, "cpus_allowed", s->cpus_allowed);
    diag_evidence(f, "cpu_quota", s->cpu_quota);
    /* Go 1.25 picks ceil(quota) itself: only more than that oversubscribes. */
    if (s->gomaxprocs > (int32_t)ceil(usable - 1e-9)) {
        if (!isnan(s->cpu_quota) && s->cpu_quota <= usable)
            diag_set(f, DIAG_WARN,
                     "GOMAXPROCS is %d but the cgroup quota allows only %.1f CPUs: %d "
                     "threads run Go code and the kernel throttles them when the quota runs "
                     "out, which shows up as latency spikes; set GOMAXPROCS=%d (Go 1.25 "
                     "does this itself; older versions: go.uber.org/automaxprocs).",
                     (int)s->gomaxprocs, s->cpu_quota, (int)s->gomaxprocs,
                     (int)ceil(s->cpu_quota));
        else
            diag_set(f, DIAG_WARN,
                     "GOMAXPROCS is %d but the process may run on only %d CPUs (affinity "
                     "mask): its Ps take turns on those CPUs and preempt each other; set "
                     "GOMAXPROCS=%d.",
                     (int)s->gomaxprocs, (int)s->cpus_allowed, (int)s->cpus_allowed);
        return DIAG_FIRE;
    }
    double held = diag_held_for(c->h, c->thr[T_HOLD], starved, c->thr);
    if (held >= c->thr[T_HOLD]) {
        diag_evidence(f, "queued", (double)rule_queued(s));
        diag_set(f, DIAG_INFO,
                 "GOMAXPROCS is %d while the process may use %.0f CPUs, and for %.0f s "
                 "goroutines have queued while some CPU sat idle: raise GOMAXPROCS to use "
                 "the idle CPUs.",
                 (int)s->gomaxprocs, floor(usable), held);
        return DIAG_FIRE;
    }
    return DIAG_QUIET;
}

const struct diag_rule rule_gomaxprocs = {
    .id = "gomaxprocs",
    .title = "GOMAXPROCS vs usable CPUs",
    .pane = "sched",
    .explain =
        "GOMAXPROCS is how many Ps there are: how many threads may run Go code at once. "
        "It should match the CPUs the process can really use. In a container with a CPU "
        "quota (say 2 CPUs on a 64-core machine) older Go versions still start 64 Ps; "
        "they all run, use up the quota early in each period, and the kernel freezes the "
        "whole process until the next period: long pauses with the CPU 'not busy'. Too "
        "few Ps wastes CPUs while goroutines queue.",
    .thresholds = { { "hold_s", 10, "s", "queueing with idle CPUs for this long" } },
    .nthresholds = 1,
    .check = check,
};

/* rule_cpu_throttle: the cgroup's CPU quota runs out and the kernel freezes the process. */
#include "diagnoses/rule_util.h"

enum { T_PER_S, T_HOLD };

static double throttles_per_s(const struct snapshot *prev, const struct snapshot *cur)
{
    if (!prev || !cur || prev->sched.nr_throttled < 0 || cur->sched.nr_throttled < 0 ||
        cur->sched.nr_throttled < prev->sched.nr_throttled)
        return -1;
    double dt = rates_interval_s(prev, cur);
    return dt > 0 ? (double)(cur->sched.nr_throttled - prev->sched.nr_throttled) / dt : -1;
}

static bool throttled(const struct snapshot *prev, const struct snapshot *cur, const double *thr)
{
    return throttles_per_s(prev, cur) >= thr[T_PER_S];
}

static enum diag_verdict check(const struct diag_ctx *c, struct diag_finding *f, char *why,
                               size_t len)
{
    const struct snapshot *cur = history_get(c->h, 0);
    if (!cur || cur->sched.nr_throttled < 0) {
        snprintf(why, len, "no CPU quota statistics (cgroup cpu.stat) for this process");
        return DIAG_UNAVAILABLE;
    }
    double now = throttles_per_s(history_get(c->h, 1), cur);
    diag_figure(c, "per_s", now >= 0 ? now : NAN);
    double held = diag_held_for(c->h, c->thr[T_HOLD], throttled, c->thr);
    if (held < c->thr[T_HOLD])
        return DIAG_QUIET;
    const struct snapshot *prev = history_get(c->h, 1);
    double per_s = throttles_per_s(prev, cur);
    double ms = (prev->sched.throttled_ns >= 0 && cur->sched.throttled_ns >= 0)
        ? (double)(cur->sched.throttled_ns - prev->sched.throttled_ns) / 1e6 /
          rates_interval_s(prev, cur) : -1;
    diag_evidence(f, "throttled_per_s", per_s);
    diag_evidence(f, "throttled_ms_per_s", ms);
    diag_evidence(f, "cpu_quota", cur->sched.cpu_quota);
    diag_evidence(f, "gomaxprocs", cur->sched.gomaxprocs);
    diag_set(f, DIAG_CRIT,
             "The kernel throttled the process's cgroup %.0f times per second (%.0f ms/s "
             "frozen) for %.0f s: it uses up its CPU quota (%.1f CPUs) before each period "
             "ends and then stops entirely; raise the quota or lower GOMAXPROCS (%d) to the "
             "quota so the Go scheduler queues work instead of the kernel freezing it.",
             per_s, ms, held, cur->sched.cpu_quota, (int)cur->sched.gomaxprocs);
    return DIAG_FIRE;
}

const struct diag_rule rule_cpu_throttle = {
    .id = "cpu_throttle",
    .title = "CPU quota throttling",
    .pane = "sched",
    .explain =
        "A container's CPU limit is a quota per period (for example 50 ms every 100 ms). "
        "When the process's threads use it up early, the kernel stops all of them until "
        "the next period: every request in flight pauses, even though the machine has "
        "idle CPUs. The cgroup's cpu.stat counts these stops (nr_throttled).",
    .thresholds = {
        { "per_s", 1, "1/s", "throttled periods per second" },
        { "hold_s", 3, "s", "for at least this long" },
    },
    .nthresholds = 2,
    .check = check,
};

/* rule_goroutine_pileup: the goroutine count rises steadily for minutes (a leak). */
#include "diagnoses/rule_util.h"

#include <math.h>

enum { T_WINDOW_S, T_GROWTH_PCT, T_MIN_ADDED };

static enum diag_verdict check(const struct diag_ctx *c, struct diag_finding *f, char *why,
                               size_t len)
{
    if (rule_sched_missing(c->h, why, len))
        return DIAG_UNAVAILABLE;
    const struct snapshot *cur = history_get(c->h, 0);
    if (!cur->sched.census_valid) {
        snprintf(why, len, "needs the goroutine census (runtime.allgs not readable)");
        return DIAG_UNAVAILABLE;
    }
    /* A window longer than the history can hold (fast refresh: 600 snapshots at -d 0.1
     * are 60 s) would keep the rule quiet forever: say so instead. */
    const struct snapshot *prev0 = history_get(c->h, 1);
    double interval = prev0 ? (double)(cur->meta.mono_ns - prev0->meta.mono_ns) / 1e9 : 0;
    double reach = interval * (double)(history_capacity(c->h) - 1);
    if (interval > 0 && reach < c->thr[T_WINDOW_S] * 0.9) {
        snprintf(why, len, "its %.0f s window is longer than the %.0f s of history kept at "
                 "this refresh (raise -d)", c->thr[T_WINDOW_S], reach);
        return DIAG_UNAVAILABLE;
    }
    /* Walk back over the window: the count must rise overall and fall rarely. */
    long long newest = cur->sched.g_total, oldest = -1, prev = newest;
    int steps = 0, falls = 0;
    double span = 0;
    for (size_t age = 1; age < history_len(c->h); age++) {
        const struct snapshot *o = history_get(c->h, age);
        double d = (double)(cur->meta.mono_ns - o->meta.mono_ns) / 1e9;
        if (d > c->thr[T_WINDOW_S])
            break;
        if (!o->sched.valid || !o->sched.census_valid)
            continue;
        steps++;
        falls += o->sched.g_total > prev;     /* going back in time: a fall forward */
        prev = o->sched.g_total;
        oldest = o->sched.g_total;
        span = d;
    }
    /* Only a full window counts: minutes of history, not a start-up ramp. */
    bool full = oldest > 0 && span >= c->thr[T_WINDOW_S] * 0.9 && steps >= 3;
    long long added = newest - oldest;
    double pct = full ? 100.0 * (double)added / (double)oldest : NAN;
    diag_figure(c, "growth_pct", pct);
    diag_figure(c, "added", full ? (double)added : NAN);
    diag_figure(c, "falls_pct", full ? 100.0 * falls / steps : NAN);
    if (!full)
        return DIAG_QUIET;
    if (added < (long long)c->thr[T_MIN_ADDED] || pct < c->thr[T_GROWTH_PCT] ||
        falls * 5 > steps)
        return DIAG_QUIET;
    diag_evidence(f, "goroutines", (double)newest);
    diag_evidence(f, "added", (double)added);
    diag_evidence(f, "growth_pct", pct);
    diag_evidence(f, "window_s", span);
    diag_set(f, DIAG_WARN,
             "The goroutine count rose steadily from %lld to %lld (+%.0f%%) over %.0f s: "
             "goroutines are started faster than they finish, usually ones blocked forever "
             "on a channel or a call without a timeout; compare the wait reasons in the "
             "scheduler pane and take a goroutine profile (pprof).",
             oldest, newest, pct, span);
    return DIAG_FIRE;
}

const struct diag_rule rule_goroutine_pileup = {
    .id = "goroutine_pileup",
    .title = "goroutine pile-up",
    .pane = "sched",
    .explain =
        "Goroutines are cheap, so a leak is quiet at first: a goroutine that blocks "
        "forever on a channel nobody writes, or on a network read without a deadline, "
        "never ends. Their number then rises for as long as the program runs, with their "
        "stacks and everything they reference. gmptop counts goroutines from the "
        "runtime's own list each refresh and warns when the count keeps rising for "
        "minutes.",
    .thresholds = {
        { "window_s", 180, "s", "rising over this long" },
        { "growth_pct", 20, "%", "by at least this much" },
        { "min_added", 100, "goroutines", "and at least this many" },
    },
    .nthresholds = 3,
    .check = check,
};

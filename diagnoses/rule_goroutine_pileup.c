/* rule_goroutine_pileup: the goroutine count rises steadily for minutes (a leak), and,
 * where goroutine stacks are read, which group of goroutines it is. */
#include "diagnoses/rule_util.h"

#include <math.h>
#include <string.h>

#include "model/goroutine_groups.h"

enum { T_WINDOW_S, T_GROWTH_PCT, T_MIN_ADDED };

/* The group of now that gained most since then (goroutine groups of two refreshes), and
 * how many it gained; NULL when the groups cannot tell (not read, or then's top groups
 * may have hidden it). */
static const struct goroutine_group *growing_group(const struct goroutines_sample *now,
                                                   const struct goroutines_sample *then,
                                                   long long *gained)
{
    const struct goroutine_group *best = NULL;
    *gained = 0;
    if (!now->valid || !then || !then->valid)
        return NULL;
    for (size_t i = 0; i < now->ngroups; i++) {
        const struct goroutine_group *g = &now->groups[i];
        const struct goroutine_group *o = goroutine_group_find(then, g);
        if (!o && then->other_count > 0)
            continue;
        long long d = g->count - (o ? o->count : 0);
        if (d > *gained) {
            *gained = d;
            best = g;
        }
    }
    return best;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* "main.leak (leak.go:31), waiting in chan receive, created by main.serve (srv.go:88)" */
static void describe(char *buf, size_t len, const struct goroutine_group *g)
{
    const struct gframe *u = gstack_user_frame(g->stack), *cb = &g->stack->created_by;
    char where[300] = "the runtime", creator[300] = "";
    if (u)
        snprintf(where, sizeof(where), "%s (%s:%d)", u->func, base_name(u->file), (int)u->line);
    if (cb->func[0])
        snprintf(creator, sizeof(creator), ", created by %s (%s:%d)", cb->func,
                 base_name(cb->file), (int)cb->line);
    snprintf(buf, len, "%s, %s%s%s%s", where, goroutine_group_status_name(g),
             g->wait_reason[0] ? " in " : "", g->wait_reason, creator);
}

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
    /* A window longer than the history can hold (a --history too short for the refresh)
     * would keep the rule quiet forever: say so instead. */
    const struct snapshot *prev0 = history_get(c->h, 1);
    double interval = prev0 ? (double)(cur->meta.mono_ns - prev0->meta.mono_ns) / 1e9 : 0;
    double reach = history_reach_s(c->h, interval);
    if (interval > 0 && reach < c->thr[T_WINDOW_S] * 0.9) {
        snprintf(why, len, "its %.0f s window is longer than the %.0f s of history kept at "
                 "this refresh (raise --history or -d)", c->thr[T_WINDOW_S], reach);
        return DIAG_UNAVAILABLE;
    }
    /* Walk back over the window: the count must rise overall and fall rarely. */
    long long newest = cur->sched.g_total, oldest = -1, prev = newest;
    int steps = 0, falls = 0;
    double span = 0;
    const struct goroutines_sample *then = NULL;     /* the oldest groups in the window */
    double then_age = 0;
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
        if (o->goroutines.valid && !o->goroutines.stale) {
            then = &o->goroutines;
            then_age = d;
        }
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
    long long gained = 0;
    const struct goroutine_group *g = growing_group(&cur->goroutines, then, &gained);
    if (g && then_age > 0) {
        char who[600];
        describe(who, sizeof(who), g);
        double per_min = (double)gained / then_age * 60.0;
        diag_evidence(f, "group_per_min", per_min);
        diag_evidence(f, "group_count", (double)g->count);
        diag_set(f, DIAG_WARN,
                 "The goroutine count rose steadily from %lld to %lld (+%.0f%%) over %.0f s, "
                 "%.0f%% of it one group growing %.1f a minute to %lld: %s. Goroutines there "
                 "start faster than they finish, usually blocked forever on a channel or a "
                 "call without a timeout; Enter shows the groups, the growing one first.",
                 oldest, newest, pct, span, added > 0 ? 100.0 * (double)gained / (double)added : 0,
                 per_min, (long long)g->count, who);
        return DIAG_FIRE;
    }
    diag_set(f, DIAG_WARN,
             "The goroutine count rose steadily from %lld to %lld (+%.0f%%) over %.0f s: "
             "goroutines are started faster than they finish, usually ones blocked forever "
             "on a channel or a call without a timeout; the goroutines pane (7) shows which "
             "groups grow, where they wait and who starts them.",
             oldest, newest, pct, span);
    return DIAG_FIRE;
}

const struct diag_rule rule_goroutine_pileup = {
    .id = "goroutine_pileup",
    .title = "goroutine pile-up",
    .pane = "goroutines",
    .explain =
        "Goroutines are cheap, so a leak is quiet at first: a goroutine that blocks "
        "forever on a channel nobody writes, or on a network read without a deadline, "
        "never ends. Their number then rises for as long as the program runs, with their "
        "stacks and everything they reference. gmptop counts goroutines from the "
        "runtime's own list each refresh and warns when the count keeps rising for "
        "minutes; from the goroutines' own stacks it names the group that grows: where "
        "its goroutines wait and which go statement starts them.",
    .thresholds = {
        { "window_s", 180, "s", "rising over this long" },
        { "growth_pct", 20, "%", "by at least this much" },
        { "min_added", 100, "goroutines", "and at least this many" },
    },
    .nthresholds = 3,
    .check = check,
};

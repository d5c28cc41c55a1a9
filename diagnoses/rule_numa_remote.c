/* rule_numa_remote: most of the target's memory sits on nodes other than where its
 * threads run. The data comes from the numa collector. */
#include "diagnoses/rule_util.h"

#include <math.h>

enum { T_REMOTE_PCT, T_HOLD };

static double remote_pct(const struct snapshot *s)
{
    if (!s || !s->numa.valid || s->numa.nnodes < 2 || isnan(s->numa.local_pct))
        return NAN;
    return 100.0 - s->numa.local_pct;
}

static bool remote(const struct snapshot *prev, const struct snapshot *cur, const double *thr)
{
    (void)prev;
    double r = remote_pct(cur);
    return !isnan(r) && r > thr[T_REMOTE_PCT];
}

static enum diag_verdict check(const struct diag_ctx *c, struct diag_finding *f, char *why,
                               size_t len)
{
    const struct snapshot *cur = history_get(c->h, 0);
    const struct collector_status *st = cur ? snapshot_status(cur, "numa") : NULL;
    if (!cur || !cur->numa.valid) {
        snprintf(why, len, "needs NUMA data (numa: %s)",
                 st ? (st->reason[0] ? st->reason : "no data") : "collector not running");
        return DIAG_UNAVAILABLE;
    }
    diag_figure(c, "remote_pct", remote_pct(cur));
    /* One node: everything is local by definition, nothing to say (and no guess). */
    if (cur->numa.nnodes < 2 || isnan(cur->numa.local_pct))
        return DIAG_QUIET;
    double held = diag_held_for(c->h, c->thr[T_HOLD], remote, c->thr);
    if (held < c->thr[T_HOLD])
        return DIAG_QUIET;
    double r = remote_pct(cur);
    diag_evidence(f, "remote_pct", r);
    diag_evidence(f, "nodes", (double)cur->numa.nnodes);
    diag_evidence(f, "held_s", held);
    diag_set(f, DIAG_WARN,
             "%.0f%% of the process's memory is on NUMA nodes other than where its threads "
             "run (policy %s), for %.0f s: every access to it crosses the interconnect; "
             "keep threads and memory together with numactl --cpunodebind/--membind or a "
             "cpuset, or start the process on the node that holds its data.",
             r, cur->numa.policy[0] ? cur->numa.policy : "default", held);
    return DIAG_FIRE;
}

const struct diag_rule rule_numa_remote = {
    .id = "numa_remote",
    .title = "remote NUMA memory",
    .pane = "numa",
    .explain =
        "On a machine with several NUMA nodes each CPU socket has its own memory; reading "
        "another node's memory takes longer (often 1.5-2x a local access). If "
        "the Go heap was allocated on one node and the threads now run on another, every "
        "access pays that price. numactl --cpunodebind/--membind or a cpuset keeps them "
        "together. On a machine with one node this rule has nothing to say.",
    .thresholds = {
        { "remote_pct", 50, "%", "share of memory on other nodes" },
        { "hold_s", 10, "s", "for at least this long" },
    },
    .nthresholds = 2,
    .check = check,
};

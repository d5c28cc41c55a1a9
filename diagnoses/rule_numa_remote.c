/* rule_numa_remote: most of the target's memory sits on nodes other than where its
 * threads run. The data comes from the numa collector. */
#include "rule_util.h"

static enum diag_verdict check(const struct diag_ctx *c, struct diag_finding *f, char *why,
                               size_t len)
{
    (void)f;
    const struct snapshot *cur = history_get(c->h, 0);
    const struct collector_status *st = cur ? snapshot_status(cur, "numa") : NULL;
    if (!cur || !cur->numa.valid) {
        snprintf(why, len, "needs NUMA data (numa: %s)",
                 st ? (st->reason[0] ? st->reason : "no data") : "collector not running");
        return DIAG_UNAVAILABLE;
    }
    snprintf(why, len, "NUMA placement not evaluated yet");
    return DIAG_UNAVAILABLE;
}

const struct diag_rule rule_numa_remote = {
    .id = "numa_remote",
    .title = "remote NUMA memory",
    .pane = "numa",
    .explain =
        "On a machine with several NUMA nodes each CPU socket has its own memory; reading "
        "another node's memory takes longer (the seed article says 100 ns and more). If "
        "the Go heap was allocated on one node and the threads now run on another, every "
        "access pays that price. numactl --cpunodebind/--membind or a cpuset keeps them "
        "together.",
    .thresholds = {
        { "remote_pct", 50, "%", "share of memory on other nodes" },
        { "hold_s", 10, "s", "for at least this long" },
    },
    .nthresholds = 2,
    .check = check,
};

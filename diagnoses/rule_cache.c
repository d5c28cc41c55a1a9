/* rule_cache: L3 misses and dTLB misses on the cores running the target's Ps. The data
 * comes from the cores collector (hardware counters); without them the rule says why. */
#include "rule_util.h"

static enum diag_verdict check(const struct diag_ctx *c, struct diag_finding *f, char *why,
                               size_t len)
{
    (void)f;
    const struct snapshot *cur = history_get(c->h, 0);
    const struct collector_status *st = cur ? snapshot_status(cur, "cores") : NULL;
    if (!cur || !cur->cores.valid) {
        snprintf(why, len, "needs hardware counters (cores: %s)",
                 st ? (st->reason[0] ? st->reason : "no data") : "collector not running");
        return DIAG_UNAVAILABLE;
    }
    snprintf(why, len, "hardware counters not evaluated yet");
    return DIAG_UNAVAILABLE;
}

const struct diag_rule rule_cache = {
    .id = "cache_misses",
    .title = "L3 / dTLB misses",
    .pane = "cores",
    .explain =
        "When the data a core needs is not in its caches it waits for memory: an L3 miss "
        "costs tens of nanoseconds, a page-table walk after a dTLB miss more. The seed "
        "article flags an L3 miss ratio above 25% and more than 0.001 dTLB misses per "
        "cycle; huge pages cut dTLB misses, better data locality cuts L3 misses.",
    .thresholds = {
        { "l3_miss_pct", 25, "%", "L3 miss ratio on cores running Ps" },
        { "dtlb_per_cycle", 0.001, "1/cycle", "dTLB misses per cycle" },
        { "hold_s", 5, "s", "for at least this long" },
    },
    .nthresholds = 3,
    .check = check,
};

/* rule_cache: L3 misses and dTLB misses on the cores running the target's Ps. The data
 * comes from the cores collector (hardware counters); without them the rule says why. */
#include "diagnoses/rule_util.h"

#include <math.h>
#include <stdlib.h>

#include "model/cores_metrics.h"
#include "model/placement.h"

enum { T_L3_PCT, T_DTLB, T_HOLD };

/* Worst L3 miss ratio (%) and dTLB misses per cycle on CPUs where a P's thread runs. */
struct cache_worst {
    double l3_pct, dtlb;
    int l3_cpu, dtlb_cpu;
    bool measured;
};

static bool on_p_cpu(const struct snapshot *cur, int cpu)
{
    for (size_t i = 0; i < cur->sched.nps; i++) {
        int c, node;
        placement_p(cur, i, &c, &node);
        if (c == cpu && cur->sched.ps[i].status == GO_P_RUNNING)
            return true;
    }
    return false;
}

static struct cache_worst worst(const struct snapshot *prev, const struct snapshot *cur)
{
    struct cache_worst w = { NAN, NAN, -1, -1, false };
    if (!prev || !cur || !cur->cores.valid || !cur->sched.valid || !cur->cores.ncpus)
        return w;
    struct cores_metrics *m = calloc(cur->cores.ncpus, sizeof(*m));
    if (!m)
        return w;
    cores_metrics_cpus(prev, cur, m);
    for (size_t i = 0; i < cur->cores.ncpus; i++) {
        int cpu = cur->cores.cpus[i].cpu;
        if (!on_p_cpu(cur, cpu))
            continue;
        if (!isnan(m[i].l3_miss_ratio)) {
            w.measured = true;
            if (isnan(w.l3_pct) || 100.0 * m[i].l3_miss_ratio > w.l3_pct) {
                w.l3_pct = 100.0 * m[i].l3_miss_ratio;
                w.l3_cpu = cpu;
            }
        }
        if (!isnan(m[i].dtlb_per_cycle)) {
            w.measured = true;
            if (isnan(w.dtlb) || m[i].dtlb_per_cycle > w.dtlb) {
                w.dtlb = m[i].dtlb_per_cycle;
                w.dtlb_cpu = cpu;
            }
        }
    }
    free(m);
    return w;
}

static bool missing(const struct snapshot *prev, const struct snapshot *cur, const double *thr)
{
    struct cache_worst w = worst(prev, cur);
    return (!isnan(w.l3_pct) && w.l3_pct > thr[T_L3_PCT]) ||
           (!isnan(w.dtlb) && w.dtlb > thr[T_DTLB]);
}

/* Any CPU with hardware counters at all? Otherwise the rule is silent and says why. */
static bool hardware_measured(const struct snapshot *cur, char *why, size_t len)
{
    const struct collector_status *st = snapshot_status(cur, "cores");
    if (!cur->cores.valid) {
        snprintf(why, len, "needs hardware counters (cores: %s)",
                 st ? (st->reason[0] ? st->reason : "no data") : "collector not running");
        return false;
    }
    for (size_t i = 0; i < cur->cores.ncpus; i++)
        for (int e = 0; e < CORES_EV_HW_COUNT; e++)
            if (cur->cores.cpus[i].c[e].err == 0)
                return true;
    snprintf(why, len, "needs hardware counters: %s",
             cur->cores.headline[0] ? cur->cores.headline : "none could be opened");
    return false;
}

static enum diag_verdict check(const struct diag_ctx *c, struct diag_finding *f, char *why,
                               size_t len)
{
    const struct snapshot *cur = history_get(c->h, 0);
    if (!cur || !hardware_measured(cur, why, len))
        return DIAG_UNAVAILABLE;
    if (rule_sched_missing(c->h, why, len))
        return DIAG_UNAVAILABLE;
    struct cache_worst now = worst(history_get(c->h, 1), cur);
    diag_figure(c, "l3_miss_pct", now.l3_pct);
    diag_figure(c, "dtlb_per_cycle", now.dtlb);
    double held = diag_held_for(c->h, c->thr[T_HOLD], missing, c->thr);
    if (held < c->thr[T_HOLD])
        return DIAG_QUIET;
    struct cache_worst w = worst(history_get(c->h, 1), cur);
    diag_evidence(f, "l3_miss_pct", w.l3_pct);
    diag_evidence(f, "l3_cpu", w.l3_cpu);
    diag_evidence(f, "dtlb_per_cycle", w.dtlb);
    diag_evidence(f, "dtlb_cpu", w.dtlb_cpu);
    if (!isnan(w.l3_pct) && w.l3_pct > c->thr[T_L3_PCT])
        diag_set(f, DIAG_WARN,
                 "CPU %d, which runs one of the Ps, misses L3 on %.0f%% of its cache accesses "
                 "(above %.0f%%) for %.0f s: the working set does not fit in cache or moves "
                 "between cores; improve locality (smaller, contiguous data; fewer pointers), "
                 "avoid false sharing, and keep goroutines' data near their threads.",
                 w.l3_cpu, w.l3_pct, c->thr[T_L3_PCT], held);
    else
        diag_set(f, DIAG_WARN,
                 "CPU %d, which runs one of the Ps, takes %.4f dTLB misses per cycle (above "
                 "%.4f) for %.0f s: page-table walks eat cycles; a large heap on 4 KiB "
                 "pages is the usual cause; enable transparent huge pages for the heap.",
                 w.dtlb_cpu, w.dtlb, c->thr[T_DTLB], held);
    return DIAG_FIRE;
}

const struct diag_rule rule_cache = {
    .id = "cache_misses",
    .title = "L3 / dTLB misses",
    .pane = "cores",
    .explain =
        "When the data a core needs is not in its caches it waits for memory: an L3 miss "
        "costs tens of nanoseconds, a page-table walk after a dTLB miss more. This rule "
        "flags an L3 miss ratio above 25% and more than 0.001 dTLB misses per cycle "
        "(both settable); huge pages cut dTLB misses, better data locality cuts L3 misses. These "
        "figures need the CPU's hardware counters, which many virtual machines hide: "
        "then this rule stays silent and says so.",
    .thresholds = {
        { "l3_miss_pct", 25, "%", "L3 miss ratio on cores running Ps" },
        { "dtlb_per_cycle", 0.001, "1/cycle", "dTLB misses per cycle" },
        { "hold_s", 5, "s", "for at least this long" },
    },
    .nthresholds = 3,
    .check = check,
};

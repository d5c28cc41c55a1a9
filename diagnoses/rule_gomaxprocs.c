/* rule_gomaxprocs: GOMAXPROCS set against the CPUs the process may really use. */
#include "diagnoses/rule_util.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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

/* The most Ps the CPU budget justifies, by the runtime's own rule (Go 1.25+,
 * defaultGOMAXPROCS): the affinity mask, capped by the quota rounded up but never below
 * 2 ("a limit less than 2 is rounded up to 2"). gmptop flags only more than this, and
 * never advises less than the runtime would choose. */
static int32_t runtime_limit(const struct sched_sample *s)
{
    int32_t cpus = s->cpus_allowed > 0 ? s->cpus_allowed : s->cpus_online;
    if (isnan(s->cpu_quota) || s->cpu_quota <= 0)
        return cpus;
    int32_t q = (int32_t)ceil(s->cpu_quota - 1e-9);
    if (q < 2)
        q = 2;
    return cpus > 0 && cpus < q ? cpus : q;
}

static enum diag_verdict check(const struct diag_ctx *c, struct diag_finding *f, char *why,
                               size_t len)
{
    if (rule_sched_missing(c->h, why, len))
        return DIAG_UNAVAILABLE;
    const struct snapshot *cur = history_get(c->h, 0);
    const struct sched_sample *s = &cur->sched;
    double usable = usable_cpus(s);
    int32_t limit = runtime_limit(s);
    if (isnan(usable) || limit <= 0) {
        snprintf(why, len, "the process's CPU mask and quota are unknown");
        return DIAG_UNAVAILABLE;
    }
    diag_evidence(f, "gomaxprocs", s->gomaxprocs);
    diag_evidence(f, "cpus_allowed", s->cpus_allowed);
    diag_evidence(f, "cpu_quota", s->cpu_quota);
    diag_evidence(f, "runtime_limit", limit);
    if (s->gomaxprocs > limit) {
        bool quota = !isnan(s->cpu_quota) && s->cpu_quota > 0 &&
                     (s->cpus_allowed <= 0 || s->cpu_quota < s->cpus_allowed);
        const char *src = gomaxprocs_source_name(s->gomaxprocs_source);
        int minor = util_go_minor(cur->meta.go_version);
        char who[160];
        if (src && strcmp(src, "env") == 0)
            snprintf(who, sizeof(who), "the GOMAXPROCS environment variable sets it");
        else if (src && strcmp(src, "program") == 0)
            snprintf(who, sizeof(who), "the program sets it with runtime.GOMAXPROCS");
        else if (minor >= 25)
            snprintf(who, sizeof(who), "Go %d.%d would size it to the quota itself, but its "
                     "container-aware default is off (GODEBUG containermaxprocs=0, or a "
                     "go.mod older than go 1.25)", 1, minor);
        else if (minor > 0)
            snprintf(who, sizeof(who), "Go before 1.25 ignores the quota; Go 1.25+ sizes "
                     "GOMAXPROCS to it itself (older: go.uber.org/automaxprocs)");
        else
            snprintf(who, sizeof(who), "the runtime's default ignored the quota");
        if (quota)
            diag_set(f, DIAG_WARN,
                     "GOMAXPROCS is %d but the cgroup quota allows only %.1f CPUs: %d "
                     "threads run Go code and the kernel throttles them when the quota runs "
                     "out, which shows up as latency spikes; %s. Set GOMAXPROCS=%d, what "
                     "Go 1.25+ chooses for this quota.",
                     (int)s->gomaxprocs, s->cpu_quota, (int)s->gomaxprocs, who, (int)limit);
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
        "whole process until the next period: long pauses with the CPU 'not busy'. Go "
        "1.25+ sizes GOMAXPROCS to the quota itself (rounded up, at least 2) and follows "
        "the limit while running, so gmptop flags only more Ps than that rule gives. Too "
        "few Ps wastes CPUs while goroutines queue.",
    .thresholds = { { "hold_s", 10, "s", "queueing with idle CPUs for this long" } },
    .nthresholds = 1,
    .check = check,
};

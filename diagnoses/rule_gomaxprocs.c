/* rule_gomaxprocs: GOMAXPROCS set against the CPUs the process may really use. */
#include "diagnoses/rule_util.h"
#include "base/util.h"
#include "model/go_maxprocs.h"

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

/* The most Ps the CPU budget justifies: the runtime's own rule (Go 1.25+,
 * model/go_maxprocs.h) applied to the limit that really binds, the tightest quota on the
 * process's cgroup path, which may sit above the cgroup the runtime reads. gmptop flags
 * only more Ps than this and never advises fewer than the runtime would choose. */
static int32_t runtime_limit(const struct sched_sample *s)
{
    struct go_maxprocs_in in = {
        .go_minor = 25,
        .cpus = s->cpus_allowed > 0 ? s->cpus_allowed : s->cpus_online,
        .quota = s->cpu_quota,
        .containermaxprocs = 1,
    };
    return go_maxprocs_default(&in);
}

/* Why there are more Ps than limit, and the fix: never a value the runtime would pick
 * by itself (then the fix is to let it). */
struct cause { char why[200]; char fix[160]; };

static void runtime_cause(const struct sched_sample *s, int minor, int32_t limit,
                          struct cause *c)
{
    int32_t pol = s->gomaxprocs_policy, aut = s->gomaxprocs_auto;
    snprintf(c->fix, sizeof(c->fix), "Set GOMAXPROCS=%d", (int)limit);
    if (minor > 0 && minor < 25)
        snprintf(c->why, sizeof(c->why), "Go 1.%d ignores CPU quotas (Go 1.25+ sizes "
                 "GOMAXPROCS to the quota itself, min 2)", minor);
    else if (minor <= 0 || !(pol & GO_MAXPROCS_KNOWN))
        snprintf(c->why, sizeof(c->why), "The runtime's default ignored the quota");
    else if (pol & GO_MAXPROCS_OFF_BY_ENV)
        snprintf(c->why, sizeof(c->why), "GODEBUG containermaxprocs=0 in its environment "
                 "turns off Go 1.%d's quota-sized default", minor);
    else if (pol & GO_MAXPROCS_OFF_BY_BUILD) {
        snprintf(c->why, sizeof(c->why), "Its build's DefaultGODEBUG turns off Go 1.%d's "
                 "quota-sized default (containermaxprocs=0: go.mod older than go 1.25, or "
                 "a //go:debug line)", minor);
        snprintf(c->fix, sizeof(c->fix), "Set GOMAXPROCS=%d or GODEBUG=containermaxprocs=1, "
                 "or raise go.mod's go line", (int)limit);
    } else if (aut > 0 && s->gomaxprocs == aut)
        snprintf(c->why, sizeof(c->why), "Go 1.%d follows only the quota of the cgroup it "
                 "started in; the tighter one is above that, or it moved since", minor);
    else if (!(pol & GO_MAXPROCS_UPDATE))
        snprintf(c->why, sizeof(c->why), "With GODEBUG updatemaxprocs=0 the runtime does "
                 "not follow quota changes after start");
    else
        snprintf(c->why, sizeof(c->why), "Go 1.%d's own rule gives %d here, yet the runtime "
                 "has kept %d", minor, (int)aut, (int)s->gomaxprocs);
}

/* A custom value over the limit: unset it where the runtime would choose well itself. */
static void custom_cause(const struct sched_sample *s, int minor, int32_t limit, bool env,
                         struct cause *c)
{
    int32_t aut = s->gomaxprocs_auto;
    snprintf(c->why, sizeof(c->why), "%s", env ? "The GOMAXPROCS environment variable sets it"
                                               : "The program sets it with runtime.GOMAXPROCS");
    if (minor >= 25 && aut > 0 && aut <= limit)
        snprintf(c->fix, sizeof(c->fix), "%s: Go 1.%d picks %d by itself here", env
                 ? "Unset it" : "Drop the call (or call runtime.SetDefaultGOMAXPROCS)",
                 minor, (int)aut);
    else if (env)
        snprintf(c->fix, sizeof(c->fix), "Set GOMAXPROCS=%d", (int)limit);
    else
        snprintf(c->fix, sizeof(c->fix), "Pass %d to runtime.GOMAXPROCS", (int)limit);
}

/* More Ps than the binding limit allows, by the runtime's own rule. */
static bool over_limit(const struct snapshot *prev, const struct snapshot *cur,
                       const double *thr)
{
    (void)prev;
    (void)thr;
    int32_t limit = cur && cur->sched.valid ? runtime_limit(&cur->sched) : -1;
    return limit > 0 && cur->sched.gomaxprocs > limit;
}

/* sysmon re-applies the runtime's default each second (Go 1.25+, updatemaxprocs on, no
 * custom value): a runtime value over the limit for less than this is one it is about to
 * correct by itself. */
#define SYSMON_SETTLE_S 3.0

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
    /* Ps over the runtime rule's limit, and whether goroutines queue beside idle CPUs
     * with fewer Ps than usable CPUs (1/0): the two findings this rule makes. */
    diag_figure(c, "excess_ps", s->gomaxprocs > limit ? (double)(s->gomaxprocs - limit) : 0);
    diag_figure(c, "starved", starved(history_get(c->h, 1), cur, c->thr) ? 1 : 0);
    diag_evidence(f, "gomaxprocs", s->gomaxprocs);
    diag_evidence(f, "cpus_allowed", s->cpus_allowed);
    diag_evidence(f, "cpu_quota", s->cpu_quota);
    diag_evidence(f, "runtime_limit", limit);
    diag_evidence(f, "runtime_default", s->gomaxprocs_auto > 0 ? s->gomaxprocs_auto : NAN);
    int minor = util_go_minor(cur->meta.go_version);
    const char *src = gomaxprocs_source_name(s->gomaxprocs_source);
    bool custom = src && strcmp(src, "runtime") != 0;
    int32_t pol = s->gomaxprocs_policy;
    if (s->gomaxprocs > limit && !custom && minor >= 25 && (pol & GO_MAXPROCS_UPDATE) &&
        s->gomaxprocs_auto > 0 &&
        s->gomaxprocs_auto <= limit &&
        diag_held_for(c->h, SYSMON_SETTLE_S, over_limit, c->thr) < SYSMON_SETTLE_S)
        return DIAG_QUIET;
    if (s->gomaxprocs > limit) {
        bool quota = !isnan(s->cpu_quota) && s->cpu_quota > 0 &&
                     (s->cpus_allowed <= 0 || s->cpu_quota < s->cpus_allowed);
        struct cause cs;
        if (custom)
            custom_cause(s, minor, limit, strcmp(src, "env") == 0, &cs);
        else if (quota)
            runtime_cause(s, minor, limit, &cs);
        else {
            snprintf(cs.why, sizeof(cs.why), "%s", src ? "The runtime sized it to the CPU "
                     "mask at start, which has shrunk since" : "Who set it is unknown");
            snprintf(cs.fix, sizeof(cs.fix), "Set GOMAXPROCS=%d", (int)limit);
        }
        if (quota)
            diag_set(f, DIAG_WARN,
                     "GOMAXPROCS is %d on a %.1f-CPU quota, over the %d of Go 1.25+'s rule: "
                     "the kernel throttles its threads when the quota runs out (latency "
                     "spikes). %s. %s.",
                     (int)s->gomaxprocs, s->cpu_quota, (int)limit, cs.why, cs.fix);
        else
            diag_set(f, DIAG_WARN,
                     "GOMAXPROCS is %d but the process may run on only %d CPUs (affinity "
                     "mask): its Ps take turns on those CPUs and preempt each other. %s. %s.",
                     (int)s->gomaxprocs, (int)s->cpus_allowed, cs.why, cs.fix);
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
        "the limit while running, so gmptop flags only more Ps than that rule gives, and "
        "never advises a value the runtime picks by itself. The runtime's rule is off for "
        "a build whose go.mod says go 1.24 or older (DefaultGODEBUG containermaxprocs=0) "
        "or with GODEBUG containermaxprocs=0, and it reads only the quota of the cgroup "
        "it started in. Too few Ps wastes CPUs while goroutines queue.",
    .thresholds = { { "hold_s", 10, "s", "queueing with idle CPUs for this long" } },
    .nthresholds = 1,
    .check = check,
};

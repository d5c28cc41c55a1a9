/* rule_util: small figures several rules derive from a snapshot or two. */
#include "diagnoses/rule_util.h"

#include <stdio.h>
#include <string.h>

long long rule_queued(const struct sched_sample *s)
{
    long long n = s->runq_global;
    for (size_t i = 0; i < s->nps; i++)
        n += (long long)s->ps[i].runq + (s->ps[i].runnext ? 1 : 0);
    if (s->census_valid && s->g_by_class[GO_G_RUNNABLE] > n)
        n = s->g_by_class[GO_G_RUNNABLE];
    return n;
}

long long rule_max_local(const struct sched_sample *s)
{
    long long m = 0;
    for (size_t i = 0; i < s->nps; i++)
        if ((long long)s->ps[i].runq > m)
            m = s->ps[i].runq;
    return m;
}

const char *rule_sched_missing(const struct history *h, char *why, size_t len)
{
    const struct snapshot *cur = history_get(h, 0);
    if (cur && cur->sched.valid)
        return NULL;
    const struct collector_status *st = cur ? snapshot_status(cur, "sched") : NULL;
    snprintf(why, len, "needs the scheduler (sched collector: %s)",
             st ? (st->reason[0] ? st->reason : "no data") : "not running");
    return why;
}

long long rule_waiting_on(const struct sched_sample *s, const char *const *needles)
{
    long long n = 0;
    if (!s->census_valid)
        return -1;
    for (size_t i = 0; i < s->nreasons; i++)
        for (const char *const *p = needles; *p; p++)
            if (strstr(s->by_reason[i].name, *p)) {
                n += s->by_reason[i].count;
                break;
            }
    return n;
}

double rule_sched_latency_p99(const struct snapshot *prev, const struct snapshot *cur)
{
    static struct go_timehist_interval iv;
    char why[96];
    if (!prev || !cur || !prev->sched_latency.valid || !cur->sched_latency.valid ||
        prev->sched_latency.layout.ncounts != cur->sched_latency.layout.ncounts ||
        go_timehist_interval(&cur->sched_latency.layout, prev->sched_latency.raw,
                             cur->sched_latency.raw, &iv, why, sizeof(why)) != 0 ||
        iv.total == 0)
        return -1.0;
    return iv.p99_ns == GO_TIMEHIST_INF ? 1e18 : (double)iv.p99_ns;
}

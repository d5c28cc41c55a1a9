/* rule_util: what rules share: figures derived from a snapshot or two, and judging the
 * history and filling a finding. The engine runs rules; rules never call the engine. */
#include "diagnoses/rule_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"

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

/* ---- judging the history, filling a finding ------------------------------------- */

double diag_held_for(const struct history *h, double seconds,
                     bool (*pred)(const struct snapshot *prev, const struct snapshot *cur,
                                  const double *thr),
                     const double *thr)
{
    const struct snapshot *newest = history_get(h, 0);
    if (!newest)
        return 0.0;
    double held = -1.0;
    for (size_t age = 0; age < history_len(h); age++) {
        const struct snapshot *cur = history_get(h, age);
        if (!pred(history_get(h, age + 1), cur, thr))
            break;
        held = (double)(newest->meta.mono_ns - cur->meta.mono_ns) / 1e9;
        if (held >= seconds)
            break;
    }
    return held < 0 ? 0.0 : held + 1e-9;
}

bool diag_mostly(const struct history *h, double seconds, double share,
                 bool (*pred)(const struct snapshot *prev, const struct snapshot *cur,
                              const double *thr),
                 const double *thr)
{
    const struct snapshot *newest = history_get(h, 0);
    if (!newest || !pred(history_get(h, 1), newest, thr))
        return false;
    /* Ticks are never exactly periodic: the window is covered once some snapshot is at
     * least `seconds` old; that one and all newer ones are counted. */
    size_t yes = 0, all = 0;
    bool covered = false;
    for (size_t age = 0; age < history_len(h) && !covered; age++) {
        const struct snapshot *cur = history_get(h, age);
        covered = (double)(newest->meta.mono_ns - cur->meta.mono_ns) / 1e9 >= seconds - 1e-6;
        all++;
        yes += pred(history_get(h, age + 1), cur, thr);
    }
    return covered && (double)yes >= share * (double)all;
}

const struct snapshot *diag_oldest_sched(const struct history *h, double window_s,
                                         double *span)
{
    const struct snapshot *cur = history_get(h, 0), *old = NULL;
    *span = 0;
    for (size_t age = 1; cur && age < history_len(h); age++) {
        const struct snapshot *o = history_get(h, age);
        double d = (double)(cur->meta.mono_ns - o->meta.mono_ns) / 1e9;
        if (d > window_s)
            break;
        if (o->sched.valid) {
            old = o;
            *span = d;
        }
    }
    return old;
}

void diag_set(struct diag_finding *f, enum diag_severity sev, const char *fmt, ...)
{
    f->severity = sev;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof(f->message), fmt, ap);
    va_end(ap);
}

void diag_evidence(struct diag_finding *f, const char *key, double value)
{
    if (f->nevidence >= DIAG_MAX_EVIDENCE)
        return;
    util_strlcpy(f->evidence[f->nevidence].key, key, sizeof(f->evidence[0].key));
    f->evidence[f->nevidence++].value = value;
}

void diag_figure(const struct diag_ctx *c, const char *name, double value)
{
    struct diag_rule_status *st = c->out;
    if (!st)
        return;
    /* A rule may report a figure twice in one tick (a helper and the check): keep the last. */
    for (int i = 0; i < st->nfigures; i++)
        if (strcmp(st->figures[i].name, name) == 0) {
            st->figures[i].value = value;
            return;
        }
    if (st->nfigures >= DIAG_MAX_FIGURES)
        return;
    util_strlcpy(st->figures[st->nfigures].name, name, sizeof(st->figures[0].name));
    st->figures[st->nfigures++].value = value;
}

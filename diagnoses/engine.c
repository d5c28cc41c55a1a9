/* engine: runs the diagnosis rules after each tick and keeps each finding's start. */
#include "diagnoses/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/settings.h"
#include "base/util.h"

#define DIAG_PAST_MAX 32

struct rule_run {
    bool enabled;
    double thr[DIAG_MAX_THRESHOLDS];
    bool active;
    struct diag_finding last;     /* the finding as last seen, for the "ended" list */
};

struct diag_engine {
    struct rule_run *run;
    size_t nrules;
    struct diag_finding *scratch;  /* this tick's findings, nrules long; the snapshot gets
                                    * an exact-size copy (most ticks have none, and a
                                    * finding is 700 bytes: an hour of history adds up) */
    struct diag_past past[DIAG_PAST_MAX];   /* ring, newest at past_head - 1 */
    size_t npast, past_head;
};

enum diag_severity diag_severity_parse(const char *s)
{
    if (!strcmp(s, "info"))
        return DIAG_INFO;
    if (!strcmp(s, "warn") || !strcmp(s, "warning"))
        return DIAG_WARN;
    if (!strcmp(s, "crit") || !strcmp(s, "critical"))
        return DIAG_CRIT;
    return DIAG_NONE;
}

struct diag_engine *diag_engine_new(const struct settings *cfg)
{
    struct diag_engine *e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    e->nrules = diag_rule_count();
    e->run = calloc(e->nrules ? e->nrules : 1, sizeof(*e->run));
    e->scratch = calloc(e->nrules ? e->nrules : 1, sizeof(*e->scratch));
    if (!e->run || !e->scratch) {
        free(e->run);
        free(e->scratch);
        free(e);
        return NULL;
    }
    for (size_t i = 0; i < e->nrules; i++) {
        const struct diag_rule *r = diag_rule_at(i);
        char key[128];
        snprintf(key, sizeof(key), "diag.%s.enabled", r->id);
        e->run[i].enabled = cfg ? settings_get_bool(cfg, key, true, NULL) : true;
        for (size_t t = 0; t < r->nthresholds; t++) {
            snprintf(key, sizeof(key), "diag.%s.%s", r->id, r->thresholds[t].name);
            e->run[i].thr[t] = cfg ? settings_get_double(cfg, key, r->thresholds[t].def, NULL)
                                   : r->thresholds[t].def;
        }
    }
    return e;
}

void diag_engine_free(struct diag_engine *e)
{
    if (!e)
        return;
    free(e->run);
    free(e->scratch);
    free(e);
}

void diag_engine_reset(struct diag_engine *e)
{
    for (size_t i = 0; i < e->nrules; i++)
        e->run[i].active = false;
    e->npast = e->past_head = 0;
}

static void remember_past(struct diag_engine *e, const struct diag_finding *f, int64_t now)
{
    e->past[e->past_head] = (struct diag_past){ .f = *f, .ended_ns = now };
    e->past_head = (e->past_head + 1) % DIAG_PAST_MAX;
    if (e->npast < DIAG_PAST_MAX)
        e->npast++;
}

static int by_severity(const void *a, const void *b)
{
    const struct diag_finding *x = a, *y = b;
    if (x->severity != y->severity)
        return (int)y->severity - (int)x->severity;
    return (x->since_ns > y->since_ns) - (x->since_ns < y->since_ns);
}

void diag_engine_run(struct diag_engine *e, struct history *h)
{
    struct snapshot *cur = history_newest(h);
    if (!cur)
        return;
    struct diag_sample *d = &cur->diag;
    diag_sample_free(d);
    memset(d, 0, sizeof(*d));
    d->rules = calloc(e->nrules ? e->nrules : 1, sizeof(*d->rules));
    if (!d->rules)
        return;
    size_t nfound = 0;
    int64_t now = cur->meta.time_ns;
    for (size_t i = 0; i < e->nrules; i++) {
        const struct diag_rule *r = diag_rule_at(i);
        struct rule_run *run = &e->run[i];
        struct diag_rule_status *st = &d->rules[d->nrules++];
        st->id = r->id;
        for (size_t t = 0; t < r->nthresholds && t < DIAG_MAX_THRESHOLDS; t++)
            st->thr[t] = run->thr[t];
        enum diag_verdict v = DIAG_QUIET;
        struct diag_finding f;
        memset(&f, 0, sizeof(f));
        if (!run->enabled) {
            st->state = DIAG_RULE_DISABLED;
        } else if (cur->meta.target_gone) {
            st->state = DIAG_RULE_QUIET;     /* the last tick of a dead process proves nothing */
        } else {
            struct diag_ctx c = { .h = h, .thr = run->thr, .out = st };
            v = r->check(&c, &f, st->why, sizeof(st->why));
            st->state = v == DIAG_FIRE ? DIAG_RULE_ACTIVE
                      : v == DIAG_UNAVAILABLE ? DIAG_RULE_UNAVAILABLE : DIAG_RULE_QUIET;
        }
        if (v == DIAG_FIRE) {
            util_strlcpy(f.id, r->id, sizeof(f.id));
            f.pane = r->pane;
            f.since_ns = run->active ? run->last.since_ns : now;
            run->active = true;
            run->last = f;
            e->scratch[nfound++] = f;
        } else if (run->active) {
            run->active = false;
            remember_past(e, &run->last, now);
        }
    }
    /* The rules ran once d->rules is there (record_diag relies on it); findings only
     * when there are some: a finding is 1.2 KB, and most ticks of a history have none. */
    if (nfound == 0)
        return;
    d->findings = malloc(nfound * sizeof(*d->findings));
    if (!d->findings) {
        free(d->rules);
        d->rules = NULL;
        d->nrules = 0;
        return;
    }
    memcpy(d->findings, e->scratch, nfound * sizeof(*d->findings));
    d->nfindings = nfound;
    qsort(d->findings, d->nfindings, sizeof(*d->findings), by_severity);
}

size_t diag_engine_past_count(const struct diag_engine *e) { return e->npast; }

const struct diag_past *diag_engine_past_at(const struct diag_engine *e, size_t i)
{
    if (i >= e->npast)
        return NULL;
    return &e->past[(e->past_head + DIAG_PAST_MAX - 1 - i) % DIAG_PAST_MAX];
}

bool diag_engine_enabled(const struct diag_engine *e, size_t rule)
{
    return rule < e->nrules && e->run[rule].enabled;
}

void diag_engine_set_enabled(struct diag_engine *e, size_t rule, bool on)
{
    if (rule < e->nrules)
        e->run[rule].enabled = on;
}

double diag_engine_threshold(const struct diag_engine *e, size_t rule, size_t thr)
{
    return rule < e->nrules && thr < DIAG_MAX_THRESHOLDS ? e->run[rule].thr[thr] : 0.0;
}

void diag_engine_set_threshold(struct diag_engine *e, size_t rule, size_t thr, double v)
{
    if (rule < e->nrules && thr < DIAG_MAX_THRESHOLDS)
        e->run[rule].thr[thr] = v;
}

void diag_engine_store(const struct diag_engine *e, struct settings *cfg)
{
    for (size_t i = 0; i < e->nrules; i++) {
        const struct diag_rule *r = diag_rule_at(i);
        char key[128];
        snprintf(key, sizeof(key), "diag.%s.enabled", r->id);
        settings_set(cfg, key, e->run[i].enabled ? "true" : "false");
        for (size_t t = 0; t < r->nthresholds; t++) {
            snprintf(key, sizeof(key), "diag.%s.%s", r->id, r->thresholds[t].name);
            settings_set_double(cfg, key, e->run[i].thr[t]);
        }
    }
}

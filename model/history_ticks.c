/* history_ticks: see history_ticks.h. */
#include "model/history_ticks.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/rates.h"

struct tick_row {
    int64_t mono_ns;
    double goroutines, cpu_pct;
    uint32_t nps, cap;         /* runq holds cap; a slot's array is reused as it wraps */
    uint32_t *runq;
};

struct history_ticks {
    struct tick_row *rows;
    size_t cap, len, head;     /* head: the newest row's slot */
};

struct history_ticks *history_ticks_new(size_t capacity)
{
    struct history_ticks *t = calloc(1, sizeof(*t));
    if (!t || history_ticks_reserve(t, capacity) != 0) {
        free(t);
        return NULL;
    }
    return t;
}

void history_ticks_free(struct history_ticks *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->cap; i++)
        free(t->rows[i].runq);
    free(t->rows);
    free(t);
}

static struct tick_row *row_at(const struct history_ticks *t, size_t age)
{
    return &t->rows[(t->head + t->cap - age) % t->cap];
}

int history_ticks_reserve(struct history_ticks *t, size_t capacity)
{
    if (capacity < HISTORY_TICKS)
        capacity = HISTORY_TICKS;
    if (capacity <= t->cap)
        return 0;
    struct tick_row *rows = calloc(capacity, sizeof(*rows));
    if (!rows)
        return -ENOMEM;
    /* Every slot moves (its array with it, to be reused): the len live rows oldest
     * first from 0, so the newest is at len - 1, then the unused ones after them. */
    for (size_t age = 0; age < t->cap; age++)
        rows[age < t->len ? t->len - 1 - age : age] = *row_at(t, age);
    free(t->rows);
    t->rows = rows;
    t->cap = capacity;
    t->head = t->len ? t->len - 1 : 0;
    return 0;
}

int history_ticks_push(struct history_ticks *t, const struct snapshot *prev,
                       const struct snapshot *cur)
{
    size_t at = t->len == 0 ? 0 : (t->head + 1) % t->cap;
    struct tick_row *r = &t->rows[at];
    const struct sched_sample *s = &cur->sched;
    uint32_t nps = s->valid && s->ps ? (uint32_t)s->nps : 0;
    if (nps > r->cap) {
        uint32_t *q = realloc(r->runq, nps * sizeof(*q));
        if (!q) {
            /* Drop the oldest row rather than keep a wrong one. */
            if (t->len == t->cap)
                t->len--;
            return -ENOMEM;
        }
        r->runq = q;
        r->cap = nps;
    }
    r->mono_ns = cur->meta.mono_ns;
    r->goroutines = s->valid && s->census_valid ? (double)s->g_total : NAN;
    r->cpu_pct = rates_process_cpu(prev, cur);
    r->nps = nps;
    for (uint32_t i = 0; i < nps; i++) {
        const struct p_sample *p = &s->ps[i];
        r->runq[i] = p->runq_max > p->runq ? p->runq_max : p->runq;
    }
    t->head = at;
    if (t->len < t->cap)
        t->len++;
    return 0;
}

size_t history_ticks_len(const struct history_ticks *t) { return t->len; }

int history_ticks_get(const struct history_ticks *t, size_t age, struct history_tick *out)
{
    if (age >= t->len)
        return -1;
    const struct tick_row *r = row_at(t, age);
    *out = (struct history_tick){ .mono_ns = r->mono_ns, .goroutines = r->goroutines,
                                  .cpu_pct = r->cpu_pct, .nps = r->nps, .runq = r->runq };
    return 0;
}

void history_ticks_clear(struct history_ticks *t)
{
    t->len = t->head = 0;      /* the rows' arrays stay, to be reused */
}

size_t history_ticks_series(const struct history_ticks *t, size_t age, size_t n,
                            enum history_tick_figure f, size_t idx, double *vals)
{
    size_t avail = t && t->len > age ? t->len - age : 0;
    if (n > avail)
        n = avail;
    for (size_t k = 0; k < n; k++) {
        const struct tick_row *r = row_at(t, age + k);
        double v = f == TICK_GOROUTINES ? r->goroutines
                   : f == TICK_CPU_PCT  ? r->cpu_pct
                   : idx < r->nps       ? (double)r->runq[idx]
                                        : NAN;
        vals[n - 1 - k] = v;
    }
    return n;
}

/* history: a fixed-size ring of the most recent snapshots, and a sparser tail of older
 * ones; panes and rules read it. */
#include "model/history.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/history_ticks.h"

/* A ring of snapshot pointers: head the newest, len of cap used. */
struct ring {
    struct snapshot **slot;
    size_t cap, len, head;
};

struct history {
    struct ring dense;    /* every snapshot, newest first */
    struct ring tail;     /* older ones leaving dense, at least step_ns apart */
    int64_t step_ns;
    size_t detail_ages;   /* snapshot_shed_detail at this age; 0 never */
    struct history_ticks *ticks;  /* what the charts draw, a row per tick pushed */
};

static const struct snapshot *ring_get(const struct ring *r, size_t age)
{
    return age < r->len ? r->slot[(r->head + r->cap - age) % r->cap] : NULL;
}

/* Append s; the oldest is handed back when the ring was full (NULL otherwise). */
static struct snapshot *ring_push(struct ring *r, struct snapshot *s)
{
    size_t at = r->len == 0 ? 0 : (r->head + 1) % r->cap;
    struct snapshot *out = r->len == r->cap ? r->slot[at] : NULL;
    r->slot[at] = s;
    r->head = at;
    if (r->len < r->cap)
        r->len++;
    return out;
}

static void ring_clear(struct ring *r)
{
    for (size_t i = 0; i < r->cap; i++) {
        snapshot_free(r->slot[i]);
        r->slot[i] = NULL;
    }
    r->len = r->head = 0;
}

/* Reallocate to cap, keeping the newest min(len, cap); the older ones are freed. */
static int ring_resize(struct ring *r, size_t cap)
{
    struct snapshot **slot = cap ? calloc(cap, sizeof(*slot)) : NULL;
    if (cap && !slot)
        return -ENOMEM;
    size_t keep = r->len < cap ? r->len : cap;
    for (size_t age = keep; age-- > 0;)     /* oldest kept first: the newest at keep - 1 */
        slot[keep - 1 - age] = (struct snapshot *)ring_get(r, age);
    for (size_t age = keep; age < r->len; age++)
        snapshot_free((struct snapshot *)ring_get(r, age));
    free(r->slot);
    r->slot = slot;
    r->cap = cap;
    r->len = keep;
    r->head = keep ? keep - 1 : 0;
    return 0;
}

struct history *history_new(size_t capacity)
{
    struct history *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    if (ring_resize(&h->dense, capacity ? capacity : 1) != 0 ||
        !(h->ticks = history_ticks_new(capacity))) {
        free(h->dense.slot);
        free(h);
        return NULL;
    }
    return h;
}

size_t history_capacity(const struct history *h) { return h->dense.cap; }

int history_set_tail(struct history *h, size_t capacity, int64_t step_ns)
{
    if (ring_resize(&h->tail, capacity) != 0)
        return -ENOMEM;
    h->step_ns = step_ns;
    return 0;
}

double history_reach_s(const struct history *h, double interval_s)
{
    double step = (double)h->step_ns / 1e9;
    return interval_s * (double)(h->dense.cap - 1) +
           (double)h->tail.cap * (step > interval_s ? step : interval_s);
}

void history_clear(struct history *h)
{
    ring_clear(&h->dense);
    ring_clear(&h->tail);
    history_ticks_clear(h->ticks);
}

size_t history_drain(struct history *h, struct snapshot **out)
{
    size_t n = history_len(h);
    for (size_t i = 0; i < n; i++)          /* oldest first */
        out[i] = (struct snapshot *)history_get(h, n - 1 - i);
    memset(h->dense.slot, 0, h->dense.cap * sizeof(*h->dense.slot));
    if (h->tail.cap)
        memset(h->tail.slot, 0, h->tail.cap * sizeof(*h->tail.slot));
    h->dense.len = h->dense.head = h->tail.len = h->tail.head = 0;
    history_ticks_clear(h->ticks);
    return n;
}

void history_free(struct history *h)
{
    if (!h)
        return;
    history_clear(h);
    free(h->dense.slot);
    free(h->tail.slot);
    history_ticks_free(h->ticks);
    free(h);
}

void history_set_detail_ages(struct history *h, size_t n) { h->detail_ages = n; }
size_t history_detail_ages(const struct history *h) { return h->detail_ages; }

void history_push(struct history *h, struct snapshot *s)
{
    /* Out of memory, the row is left out and the chart a tick shorter. */
    (void)history_ticks_push(h->ticks, ring_get(&h->dense, 0), s);
    struct snapshot *old = ring_push(&h->dense, s);
    /* The details are 14 KB of a ~29.5 KB snapshot on a loaded server, for what nothing
     * reads past age 1: 0.7 MB over the 51 a live history holds at 1 s. */
    if (h->detail_ages && h->detail_ages < h->dense.len)
        snapshot_shed_detail((struct snapshot *)ring_get(&h->dense, h->detail_ages));
    else if (h->detail_ages && old)
        snapshot_shed_detail(old);    /* a dense ring no longer than detail_ages */
    if (!old)
        return;
    /* Leaving the dense ring: kept in the tail when it is step_ns past the tail's
     * newest (a new run, whose clock went back, starts the tail afresh). */
    const struct snapshot *t = ring_get(&h->tail, 0);
    int64_t gap = t ? old->meta.mono_ns - t->meta.mono_ns : INT64_MAX;
    if (h->tail.cap && (gap >= h->step_ns || gap < 0))
        old = ring_push(&h->tail, old);
    snapshot_free(old);
}

size_t history_len(const struct history *h) { return h->dense.len + h->tail.len; }

size_t history_dense_len(const struct history *h) { return h->dense.len; }

int history_resize(struct history *h, size_t capacity)
{
    if (history_ticks_reserve(h->ticks, capacity) != 0)
        return -ENOMEM;
    return ring_resize(&h->dense, capacity ? capacity : 1);
}

const struct history_ticks *history_ticks(const struct history *h) { return h->ticks; }

struct snapshot *history_newest(struct history *h)
{
    return h->dense.len ? h->dense.slot[h->dense.head] : NULL;
}

const struct snapshot *history_get(const struct history *h, size_t age)
{
    if (age < h->dense.len)
        return ring_get(&h->dense, age);
    return ring_get(&h->tail, age - h->dense.len);
}

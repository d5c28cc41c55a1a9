/* history: a fixed-size ring of the most recent snapshots; panes and rules read it. */
#include "model/history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct history {
    struct snapshot **ring;
    size_t capacity;
    size_t len;
    size_t head;          /* index of the newest entry */
};

struct history *history_new(size_t capacity)
{
    if (capacity == 0)
        capacity = 1;
    struct history *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->ring = calloc(capacity, sizeof(*h->ring));
    if (!h->ring) {
        free(h);
        return NULL;
    }
    h->capacity = capacity;
    return h;
}

size_t history_capacity(const struct history *h) { return h->capacity; }

void history_clear(struct history *h)
{
    for (size_t i = 0; i < h->capacity; i++) {
        snapshot_free(h->ring[i]);
        h->ring[i] = NULL;
    }
    h->len = 0;
    h->head = 0;
}

size_t history_drain(struct history *h, struct snapshot **out)
{
    size_t n = h->len;
    for (size_t i = 0; i < n; i++)          /* oldest first */
        out[i] = (struct snapshot *)history_get(h, n - 1 - i);
    memset(h->ring, 0, h->capacity * sizeof(*h->ring));
    h->len = 0;
    h->head = 0;
    return n;
}

void history_free(struct history *h)
{
    if (!h)
        return;
    history_clear(h);
    free(h->ring);
    free(h);
}

void history_push(struct history *h, struct snapshot *s)
{
    size_t slot = h->len == 0 ? 0 : (h->head + 1) % h->capacity;
    snapshot_free(h->ring[slot]);  /* the oldest, when full */
    h->ring[slot] = s;
    h->head = slot;
    if (h->len < h->capacity)
        h->len++;
}

size_t history_len(const struct history *h) { return h->len; }

int history_resize(struct history *h, size_t capacity)
{
    if (capacity == 0)
        capacity = 1;
    struct snapshot **ring = calloc(capacity, sizeof(*ring));
    if (!ring)
        return -ENOMEM;
    size_t keep = h->len < capacity ? h->len : capacity;
    /* Oldest kept first, so the newest lands at keep - 1 (the new head). */
    for (size_t age = keep; age-- > 0;)
        ring[keep - 1 - age] = (struct snapshot *)history_get(h, age);
    for (size_t age = keep; age < h->len; age++)
        snapshot_free((struct snapshot *)history_get(h, age));
    free(h->ring);
    h->ring = ring;
    h->capacity = capacity;
    h->len = keep;
    h->head = keep ? keep - 1 : 0;
    return 0;
}

struct snapshot *history_newest(struct history *h)
{
    return h->len ? h->ring[h->head] : NULL;
}

const struct snapshot *history_get(const struct history *h, size_t age)
{
    if (age >= h->len)
        return NULL;
    return h->ring[(h->head + h->capacity - age) % h->capacity];
}

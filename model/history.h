/* history: a fixed-size ring of the most recent snapshots; panes and rules read it. */
#ifndef GMPTOP_HISTORY_H
#define GMPTOP_HISTORY_H

#include <stddef.h>
#include "model/snapshot.h"

struct history;

struct history *history_new(size_t capacity);
void history_free(struct history *h);
/* Takes ownership of s; frees the oldest snapshot when full. */
void history_push(struct history *h, struct snapshot *s);
size_t history_len(const struct history *h);
/* How many snapshots it holds at most: with the refresh interval, the longest window a
 * rule can judge. */
size_t history_capacity(const struct history *h);
/* age 0 = newest, 1 = the one before, ...; NULL when out of range. */
const struct snapshot *history_get(const struct history *h, size_t age);
void history_clear(struct history *h);
/* Move the snapshots out, oldest first, into out (room for history_len) and leave h
 * empty: the caller owns them. Returns how many. */
size_t history_drain(struct history *h, struct snapshot **out);
/* Hold at most capacity snapshots from now on: the newest min(len, capacity) stay, in
 * order, older ones are freed. 0, or -ENOMEM with nothing changed. */
int history_resize(struct history *h, size_t capacity);
/* The newest snapshot, writable: only for attaching derived data (diagnoses) to it. */
struct snapshot *history_newest(struct history *h);

#endif

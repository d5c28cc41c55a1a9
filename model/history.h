/* history: a fixed-size ring of the most recent snapshots, and optionally a tail of older
 * ones kept sparser (one every few seconds), for rules that judge minutes without every
 * tick; panes and rules read it, ages running through the ring and on into the tail. */
#ifndef GMPTOP_HISTORY_H
#define GMPTOP_HISTORY_H

#include <stddef.h>
#include "model/history_ticks.h"
#include "model/snapshot.h"

struct history;

struct history *history_new(size_t capacity);
void history_free(struct history *h);
/* Takes ownership of s; frees the oldest snapshot when full. */
void history_push(struct history *h, struct snapshot *s);
size_t history_len(const struct history *h);
/* Of them, how many in a row, one per tick (ages 0 to this - 1). */
size_t history_dense_len(const struct history *h);
/* A row of figures per tick pushed, at least HISTORY_TICKS of them (more when the dense
 * ring is longer), whatever the ring and its tail keep: what a chart with a column per
 * tick draws. */
const struct history_ticks *history_ticks(const struct history *h);
/* How many consecutive snapshots it holds at most (the dense ring; not the tail). */
size_t history_capacity(const struct history *h);
/* Keep up to capacity snapshots that leave the dense ring, each at least step_ns after
 * the one kept before it (0: no tail, the default). 0, or -ENOMEM. */
int history_set_tail(struct history *h, size_t capacity, int64_t step_ns);
/* The longest span (s) it covers when full, at a refresh of interval_s: the longest
 * window a rule can judge. */
double history_reach_s(const struct history *h, double interval_s);
/* age 0 = newest, 1 = the one before, ... through the dense ring and on into the tail
 * (where the one before may be seconds older); NULL when out of range. */
const struct snapshot *history_get(const struct history *h, size_t age);
void history_clear(struct history *h);
/* Move the snapshots out, oldest first, into out (room for history_len) and leave h
 * empty: the caller owns them. Returns how many. */
size_t history_drain(struct history *h, struct snapshot **out);
/* Hold at most capacity snapshots in the dense ring from now on: the newest
 * min(len, capacity) stay, in order, older ones are freed (the tail is left as it is).
 * 0, or -ENOMEM with nothing changed. */
int history_resize(struct history *h, size_t capacity);
/* Free each snapshot's details (snapshot_shed_detail: the on-CPU profile, the wait
 * reasons' histograms, the rules' statuses and findings) as it reaches age n (0, the
 * default: keep them all). What reads them reads the newest or the one before (the
 * panes, the JSON, /metrics); a replay, which shows any age, keeps them. Already older
 * ones are left as they are. */
void history_set_detail_ages(struct history *h, size_t n);
size_t history_detail_ages(const struct history *h);
/* The newest snapshot, writable: only for attaching derived data (diagnoses) to it. */
struct snapshot *history_newest(struct history *h);

#endif

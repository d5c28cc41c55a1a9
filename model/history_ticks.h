/* history_ticks: the few figures the charts draw, one row per tick, kept for more ticks
 * than the history keeps decoded snapshots in a row: a chart column is a tick, and
 * drawing one needs a row of numbers, not a 15 KB snapshot. history.c owns one. */
#ifndef GMPTOP_HISTORY_TICKS_H
#define GMPTOP_HISTORY_TICKS_H

#include <stddef.h>
#include <stdint.h>
#include "model/snapshot.h"

/* Rows kept at least: the widest chart a history's default dense ring used to give. */
#define HISTORY_TICKS 130

/* One tick as the charts see it. */
struct history_tick {
    int64_t mono_ns;
    double goroutines;         /* sched.g_total; NAN when the census was not read */
    double cpu_pct;            /* the process's CPU % since the tick before; NAN */
    size_t nps;                /* Ps read (0: the scheduler was not) */
    const uint32_t *runq;      /* per P: the longest local runqueue the tick saw */
};

struct history_ticks;

struct history_ticks *history_ticks_new(size_t capacity);
void history_ticks_free(struct history_ticks *t);
/* Append cur's row (prev: the snapshot before it, for rates; NULL none). 0, or -ENOMEM
 * with the oldest row dropped instead of a wrong one kept. */
int history_ticks_push(struct history_ticks *t, const struct snapshot *prev,
                       const struct snapshot *cur);
size_t history_ticks_len(const struct history_ticks *t);
/* Hold at least capacity rows from now on (never fewer than HISTORY_TICKS): the newest
 * stay. 0, or -ENOMEM with nothing changed. */
int history_ticks_reserve(struct history_ticks *t, size_t capacity);
/* Row at age (0 newest) into out; 0, or -1 when out of range. out->runq stays valid
 * until the next push, clear or reserve. */
int history_ticks_get(const struct history_ticks *t, size_t age, struct history_tick *out);
void history_ticks_clear(struct history_ticks *t);

/* The figure a chart draws, per tick. */
enum history_tick_figure {
    TICK_RUNQ,                 /* P idx's longest runqueue; NAN where it did not exist */
    TICK_GOROUTINES,
    TICK_CPU_PCT,
};
/* One figure (idx: the P, for TICK_RUNQ) of the up to n ticks ending at age, oldest
 * first into vals: a chart's columns. Returns how many (0 when age is past the rows). */
size_t history_ticks_series(const struct history_ticks *t, size_t age, size_t n,
                            enum history_tick_figure f, size_t idx, double *vals);

#endif

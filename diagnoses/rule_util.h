/* rule_util: small figures several rules derive from a snapshot or two. */
#ifndef GMPTOP_RULE_UTIL_H
#define GMPTOP_RULE_UTIL_H

#include <stdbool.h>
#include "diagnoses/diag.h"
#include "model/rates.h"
#include <math.h>
#include <stdio.h>

/* Goroutines queued: global runqueue plus every P's local runqueue (and runnext), or the
 * census's runnable count when that is higher. The queues are read one after another
 * while goroutines move between them (a P grabbing a batch from the global queue), so
 * their sum can miss most of them for one read; a runnable goroutine stays runnable
 * wherever it is queued. */
long long rule_queued(const struct sched_sample *s);
/* Largest local runqueue of any P. */
long long rule_max_local(const struct sched_sample *s);
/* The reason a scheduler-based rule cannot run now, or NULL when the newest snapshot
 * has scheduler data. */
const char *rule_sched_missing(const struct history *h, char *why, size_t len);
/* Wait-reason count of the census whose name contains any of the needles. */
long long rule_waiting_on(const struct sched_sample *s, const char *const *needles);
/* p99 of the runtime's scheduling-latency histogram between two snapshots (ns); < 0
 * when unknown or empty. */
double rule_sched_latency_p99(const struct snapshot *prev, const struct snapshot *cur);

/* ---- judging the history, filling a finding ------------------------------------- */

/* Snapshots of the last `seconds` (newest first) that all satisfy pred; returns how many
 * seconds back the condition has held without a break (0 if not now). */
double diag_held_for(const struct history *h, double seconds,
                     bool (*pred)(const struct snapshot *prev, const struct snapshot *cur,
                                  const double *thr),
                     const double *thr);
/* Whether pred held now and in at least share (0..1) of the snapshots of the last
 * `seconds`, with history covering that whole window: for signals that flicker from
 * tick to tick (goroutines parked on a lock) where one dip should not reset the clock. */
bool diag_mostly(const struct history *h, double seconds, double share,
                 bool (*pred)(const struct snapshot *prev, const struct snapshot *cur,
                              const double *thr),
                 const double *thr);
/* The oldest snapshot no more than window_s older than the newest that has scheduler
 * data; *span gets the seconds between them. NULL when there is none. */
const struct snapshot *diag_oldest_sched(const struct history *h, double window_s,
                                         double *span);
void diag_set(struct diag_finding *f, enum diag_severity sev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_evidence(struct diag_finding *f, const char *key, double value);
/* Report a figure the rule judges this tick (every tick, quiet or firing; NAN when it
 * cannot be measured now): name it after the threshold it is compared with. */
void diag_figure(const struct diag_ctx *c, const char *name, double value);

#endif

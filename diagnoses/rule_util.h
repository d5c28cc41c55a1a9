/* rule_util: small figures several rules derive from a snapshot or two. */
#ifndef GMPTOP_RULE_UTIL_H
#define GMPTOP_RULE_UTIL_H

#include <stdbool.h>
#include "diagnoses/diag.h"
#include "model/rates.h"
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

#endif

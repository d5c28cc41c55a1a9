/* json_sched: the "sched" section of a snapshot's JSON (part of the documented output contract). */
#ifndef GMPTOP_JSON_SCHED_H
#define GMPTOP_JSON_SCHED_H

#include <json-c/json.h>
#include "model/snapshot.h"

/* NULL (JSON null) when the scheduler could not be read this tick. */
json_object *json_sched(const struct snapshot *prev, const struct snapshot *cur);

/* A runtime time histogram: {source, total, buckets[] {le_ns, count}, p50_ns, p90_ns,
 * p99_ns, max_ns} over the last interval, and since_start {total, buckets[]} cumulative.
 * Only non-empty buckets are listed; le_ns is the exclusive upper bound (null = +Inf).
 * NULL when the histogram was not read. */
json_object *json_timehist(const struct timehist_sample *prev,
                           const struct timehist_sample *cur, const char *source);

#endif

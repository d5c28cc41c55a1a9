/* json_sections: one function per optional snapshot section, each NULL (JSON null) when
 * its collector did not run; batch.c adds them under their contract keys. */
#ifndef GMPTOP_JSON_SECTIONS_H
#define GMPTOP_JSON_SECTIONS_H

#include <json-c/json.h>
#include "model/snapshot.h"

json_object *json_cores(const struct snapshot *prev, const struct snapshot *cur);  /* "cores" */
json_object *json_numa(const struct snapshot *prev, const struct snapshot *cur);   /* "numa" */
json_object *json_park(const struct snapshot *prev, const struct snapshot *cur);   /* "park" */
/* "wake_to_run": the BPF runnable->running histogram. */
json_object *json_wake_to_run(const struct snapshot *prev, const struct snapshot *cur);
/* "goroutine_groups", "goroutine_groups_sampled", "goroutine_stacks_dropped" and
 * "goroutine_groups_info", added to root (nulls when the groups were not read). */
void json_goroutines_add(json_object *root, const struct snapshot *prev,
                         const struct snapshot *cur);
/* "cpu_profile": the on-CPU profile of the snapshot's interval and last minute. */
json_object *json_cpuprof(const struct snapshot *cur);

#endif

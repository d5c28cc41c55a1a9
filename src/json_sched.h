/* json_sched: the "sched" section of a snapshot's JSON (issue #3 contract). */
#ifndef GMPTOP_JSON_SCHED_H
#define GMPTOP_JSON_SCHED_H

#include <json-c/json.h>
#include "snapshot.h"

/* NULL (JSON null) when the scheduler could not be read this tick. */
json_object *json_sched(const struct snapshot *prev, const struct snapshot *cur);

#endif

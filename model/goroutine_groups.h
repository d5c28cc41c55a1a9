/* goroutine_groups: questions about goroutine groups across snapshots (which group is
 * which, how fast one grows), shared by the pane, the JSON and the leak rule. */
#ifndef GMPTOP_GOROUTINE_GROUPS_H
#define GMPTOP_GOROUTINE_GROUPS_H

#include "model/snapshot_goroutines.h"

/* The group of s with g's identity (same pooled stack, status, wait reason), or NULL. */
const struct goroutine_group *goroutine_group_find(const struct goroutines_sample *s,
                                                   const struct goroutine_group *g);

/* Goroutines per second that g (a group of newer) gained since older, from the two
 * refreshes' times. A group absent from older counts from 0 when older kept every group
 * (nothing summed in "other"). NAN when not measurable: either invalid, the same
 * refresh, or older's top groups may have hidden it. */
double goroutine_group_growth_per_s(const struct goroutines_sample *older,
                                    const struct goroutines_sample *newer,
                                    const struct goroutine_group *g);

/* "waiting", "runnable", ...: the group's status in the census's words. */
const char *goroutine_group_status_name(const struct goroutine_group *g);

#endif

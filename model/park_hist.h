/* park_hist: last-interval and since-attach views of the BPF park histograms held in
 * snapshots (cumulative log2 slots), with quantiles; shared by the JSON and the pane. */
#ifndef GMPTOP_PARK_HIST_H
#define GMPTOP_PARK_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/snapshot.h"

#define PARK_HIST_INF UINT64_MAX

/* Bounds of slot i in ns: [lower, le), edges at 1.25 ms x 2^(i-21) (bpf/park.h says
 * why); le is PARK_HIST_INF for the last slot, lower 0 for the first. */
uint64_t park_slot_lower_ns(size_t i);
uint64_t park_slot_le_ns(size_t i);

/* Whether prev and cur hold the same cumulative maps (same target and attach epoch), so
 * cur - prev is the last interval. */
bool park_same_epoch(const struct snapshot *prev, const struct snapshot *cur);

/* The reason histogram with g.waitreason == reason in s, or NULL. */
const struct park_hist_sample *park_find_reason(const struct park_sample *s, int32_t reason);

/* out = cur - prev (prev NULL: cur itself). A counter that went down (maps restarted)
 * gives -1 and out zeroed. max_ns: cur's exact maximum when it was set in this interval,
 * else the upper bound of the highest non-empty slot, capped at cur's maximum. */
int park_hist_delta(const struct park_hist_sample *prev, const struct park_hist_sample *cur,
                    struct park_hist_sample *out);

/* Upper bound (le) of the slot holding quantile permille/1000 of h's events; for the
 * open-ended last slot, h->max_ns. 0 when h is empty: callers show n/a then. */
uint64_t park_hist_quantile_ns(const struct park_hist_sample *h, unsigned permille);

/* The slot with the most events (the lowest of equals); -1 when empty. */
int park_hist_fullest(const struct park_hist_sample *h);

#endif

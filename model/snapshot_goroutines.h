/* snapshot_goroutines: the goroutines section of a snapshot: goroutines grouped by
 * stack, status and wait reason, read from the target's allgs and their own stacks. */
#ifndef GMPTOP_SNAPSHOT_GOROUTINES_H
#define GMPTOP_SNAPSHOT_GOROUTINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "model/gstack.h"

/* Groups kept per snapshot, largest first; the rest are summed in other_*. */
#define GOROUTINE_GROUPS_MAX 128

struct goroutine_group {
    const struct gstack *stack;  /* pooled (model/gstack.h), never freed; no frames when
                                  * the goroutine was running (its saved registers are
                                  * stale): creator and start function still say who */
    int32_t status;              /* enum go_g_class */
    const char *wait_reason;     /* pooled; "" when not waiting */
    int64_t count;               /* goroutines; scaled when the read was a sample */
    double max_wait_s;           /* longest wait the runtime recorded (g.waitsince is set
                                  * by the GC's stack scan); NAN when none recorded */
    int64_t on_cpu_samples;      /* on-CPU profile samples of its goroutines in the tick
                                  * the groups were read (of oncpu_samples) */
};

struct goroutines_sample {
    bool valid;                  /* false: see status "goroutines" for why */
    int64_t total;               /* user goroutines seen (allgs less the runtime's own) */
    int64_t read;                /* of them, read this refresh (< total: a sample) */
    bool sampled;                /* counts scaled by total / read */
    int64_t stacks_dropped;      /* stacks that changed under the read: not shown */
    int64_t stacks_unreadable;   /* walks that failed for another reason (bad pc/sp) */
    uint64_t dropped_total;      /* both, cumulative since attach */
    int64_t other_count;         /* goroutines in the groups past GOROUTINE_GROUPS_MAX */
    int32_t other_groups;
    double refresh_s;            /* seconds since the previous refresh (0 first) */
    int64_t oncpu_samples;       /* the profile's samples in that tick; -1 no profile */
    int64_t refreshed_ns;        /* CLOCK_REALTIME of the read these groups come from */
    bool stale;                  /* the groups of an earlier refresh, carried over */
    struct goroutine_group *groups;  /* owned; ngroups entries, count descending */
    size_t ngroups;
};

/* dst = src with its own groups array (the stacks are pooled, shared). 0 or -1. */
static inline int goroutines_sample_copy(struct goroutines_sample *dst,
                                         const struct goroutines_sample *src)
{
    *dst = *src;
    dst->groups = NULL;
    if (!src->ngroups)
        return 0;
    dst->groups = malloc(src->ngroups * sizeof(*src->groups));
    if (!dst->groups) {
        dst->ngroups = 0;
        dst->valid = false;
        return -1;
    }
    for (size_t i = 0; i < src->ngroups; i++)
        dst->groups[i] = src->groups[i];
    return 0;
}

static inline void goroutines_sample_free(struct goroutines_sample *g)
{
    free(g->groups);
    g->groups = NULL;
    g->ngroups = 0;
}

#endif

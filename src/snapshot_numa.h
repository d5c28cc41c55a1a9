/* snapshot_numa: the numa section of a snapshot: where the target's memory and threads live per NUMA node (issue #6). */
#ifndef GMPTOP_SNAPSHOT_NUMA_H
#define GMPTOP_SNAPSHOT_NUMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct numa_sample {
    bool valid;               /* false: the collector did not run or could not read */
};

/* Free what the section owns (called by snapshot_free). */
static inline void numa_sample_free(struct numa_sample *s) { (void)s; }

#endif

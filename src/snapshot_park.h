/* snapshot_park: the park section of a snapshot: goroutine park and wake-to-run latency from BPF uprobes (issue #4). */
#ifndef GMPTOP_SNAPSHOT_PARK_H
#define GMPTOP_SNAPSHOT_PARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct park_sample {
    bool valid;               /* false: the collector did not run or could not read */
};

/* Free what the section owns (called by snapshot_free). */
static inline void park_sample_free(struct park_sample *s) { (void)s; }

#endif

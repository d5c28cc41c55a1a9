/* snapshot_cores: the cores section of a snapshot: per-CPU hardware and software counters (issue #5). */
#ifndef GMPTOP_SNAPSHOT_CORES_H
#define GMPTOP_SNAPSHOT_CORES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cores_sample {
    bool valid;               /* false: the collector did not run or could not read */
};

/* Free what the section owns (called by snapshot_free). */
static inline void cores_sample_free(struct cores_sample *s) { (void)s; }

#endif

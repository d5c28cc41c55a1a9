/* cpu_spark: the header's sparkline of the whole process's CPU %, one point per tick,
 * kept by the app as ticks come and rebuilt from a history after a seek or a rewind. */
#ifndef GMPTOP_CPU_SPARK_H
#define GMPTOP_CPU_SPARK_H

#include <stddef.h>

#include "model/history.h"
#include "model/snapshot.h"

#define CPU_SPARK_LEN 64

struct cpu_spark {
    double v[CPU_SPARK_LEN];   /* process CPU % per tick, oldest first; NAN: no rate */
    size_t n;
};

/* Append the point between prev and cur (the oldest goes when full). */
void cpu_spark_push(struct cpu_spark *c, const struct snapshot *prev,
                    const struct snapshot *cur);
/* The points of the newest CPU_SPARK_LEN snapshots of h (NULL: none). */
void cpu_spark_rebuild(struct cpu_spark *c, const struct history *h);

#endif

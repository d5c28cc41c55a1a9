/* cpu_spark: see cpu_spark.h. */
#include "tui/cpu_spark.h"

#include <math.h>
#include <string.h>

#include "model/rates.h"

void cpu_spark_push(struct cpu_spark *c, const struct snapshot *prev,
                    const struct snapshot *cur)
{
    if (c->n == CPU_SPARK_LEN) {
        memmove(c->v, c->v + 1, (CPU_SPARK_LEN - 1) * sizeof(double));
        c->n--;
    }
    c->v[c->n++] = rates_process_cpu(prev, cur);
}

void cpu_spark_rebuild(struct cpu_spark *c, const struct history *h)
{
    c->n = h ? history_ticks_series(history_ticks(h), 0, CPU_SPARK_LEN, TICK_CPU_PCT, 0, c->v)
             : 0;
}

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
    const struct history_ticks *t = h ? history_ticks(h) : NULL;
    size_t n = t ? history_ticks_len(t) : 0;
    c->n = 0;
    for (size_t age = n < CPU_SPARK_LEN ? n : CPU_SPARK_LEN; age-- > 0;) {
        struct history_tick tk;
        c->v[c->n++] = history_ticks_get(t, age, &tk) == 0 ? tk.cpu_pct : NAN;
    }
}

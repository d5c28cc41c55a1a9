/* cpu_spark: see cpu_spark.h. */
#include "tui/cpu_spark.h"

#include <math.h>
#include <string.h>

#include "model/rates.h"

/* Whole-process CPU % between two snapshots; NAN when no thread had a rate. */
static double process_cpu(const struct snapshot *prev, const struct snapshot *cur)
{
    double sum = NAN;
    if (cur && prev) {
        for (size_t i = 0; i < cur->nthreads; i++) {
            struct thread_rates r;
            rates_thread(prev, cur, &cur->threads[i], &r);
            if (!isnan(r.cpu_pct))
                sum = isnan(sum) ? r.cpu_pct : sum + r.cpu_pct;
        }
    }
    return sum;
}

void cpu_spark_push(struct cpu_spark *c, const struct snapshot *prev,
                    const struct snapshot *cur)
{
    if (c->n == CPU_SPARK_LEN) {
        memmove(c->v, c->v + 1, (CPU_SPARK_LEN - 1) * sizeof(double));
        c->n--;
    }
    c->v[c->n++] = process_cpu(prev, cur);
}

void cpu_spark_rebuild(struct cpu_spark *c, const struct history *h)
{
    size_t n = h ? history_len(h) : 0;
    c->n = 0;
    for (size_t age = n < CPU_SPARK_LEN ? n : CPU_SPARK_LEN; age-- > 0;)
        c->v[c->n++] = process_cpu(history_get(h, age + 1), history_get(h, age));
}

/* export_prom_cpuprof: the on-CPU profile in /metrics: the CPU seconds of the functions
 * that used the most over the last minute (20 series at most, the rest as "other"), the
 * split by kind of work, and the sampler's own state. */
#include "export/export_prom_sections.h"

#include <stdio.h>

#define PROM_CPU_FUNCS 20

void prom_cpuprof(struct prom *w, const struct snapshot *cur)
{
    const struct cpuprof_sample *c = cur->cpuprof;
    if (!c || !c->valid)
        return;
    char lbl[1024];
    prom_family(w, "gmptop_cpu_profile_hz", "gauge",
                "On-CPU samples a second of each target thread (cpu-clock; lowered by the "
                "governor when over --bpf-budget).");
    prom_sample(w, "", NULL, c->hz);
    prom_family(w, "gmptop_cpu_profile_samples", "gauge",
                "On-CPU samples of the target in the last refresh interval.");
    prom_sample(w, "", NULL, (double)c->samples);
    prom_family(w, "gmptop_cpu_profile_lost_total", "counter",
                "On-CPU samples the kernel dropped (a full ring) since attach.");
    prom_sample(w, "", NULL, (double)c->lost_total);
    prom_family(w, "gmptop_cpu_kind_ratio", "gauge",
                "Share of the last interval's on-CPU samples by kind of work: the "
                "program's (user), the GC's, the scheduler's, system calls, the rest of "
                "the runtime.");
    for (int k = 0; k < CPUPROF_KIND_COUNT && c->samples > 0; k++)
        prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 1, "kind", cpuprof_kind_name(k)),
                    (double)c->by_kind[k] / (double)c->samples);
    if (c->hz <= 0)
        return;
    prom_family(w, "gmptop_cpu_func_self_seconds", "gauge",
                "CPU seconds spent in the function itself (self) over the last minute of "
                "on-CPU samples; the 20 largest, the rest under func=\"other\".");
    int64_t shown = 0;
    size_t n = 0;
    for (size_t i = 0; i < c->nminute && n < PROM_CPU_FUNCS; i++) {
        const struct cpuprof_func *f = &c->minute[i];
        if (f->self <= 0)
            continue;
        prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 2, "func", f->func, "kind",
                                       cpuprof_kind_name(f->kind)),
                    (double)f->self / c->hz);
        shown += f->self;
        n++;
    }
    if (c->minute_samples > shown)
        prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 2, "func", "other", "kind", "other"),
                    (double)(c->minute_samples - shown) / c->hz);
}

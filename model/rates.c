/* rates: per-second figures derived from two snapshots (never stored twice). */
#include "model/rates.h"

#include <math.h>

double rates_interval_s(const struct snapshot *prev, const struct snapshot *cur)
{
    if (!prev || !cur || cur->meta.mono_ns <= prev->meta.mono_ns)
        return 0.0;
    return (double)(cur->meta.mono_ns - prev->meta.mono_ns) / 1e9;
}

/* A counter that went backwards (tid reused by a new thread) gives no rate. */
static double per_s(uint64_t before, uint64_t after, double dt)
{
    if (after < before || dt <= 0.0)
        return NAN;
    return (double)(after - before) / dt;
}

void rates_thread(const struct snapshot *prev, const struct snapshot *cur,
                  const struct thread_sample *t, struct thread_rates *out)
{
    out->cpu_pct = out->nvcsw_per_s = out->nivcsw_per_s = NAN;
    out->migrations_per_s = out->run_delay_ms_per_s = NAN;

    double dt = rates_interval_s(prev, cur);
    const struct thread_sample *p = prev ? snapshot_find_thread(prev, t->tid) : NULL;
    if (!p || dt <= 0.0)
        return;
    uint32_t both = p->have & t->have;
    if (both & THREAD_HAVE_CPU_TIME)
        out->cpu_pct = per_s(p->cpu_time_ns, t->cpu_time_ns, dt) / 1e7;
    if (both & THREAD_HAVE_SWITCHES) {
        out->nvcsw_per_s = per_s(p->nvcsw, t->nvcsw, dt);
        out->nivcsw_per_s = per_s(p->nivcsw, t->nivcsw, dt);
    }
    if (both & THREAD_HAVE_MIGRATIONS)
        out->migrations_per_s = per_s(p->migrations, t->migrations, dt);
    if (both & THREAD_HAVE_RUN_DELAY)
        out->run_delay_ms_per_s = per_s(p->run_delay_ns, t->run_delay_ns, dt) / 1e6;
}

double rates_process_cpu(const struct snapshot *prev, const struct snapshot *cur)
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

void rates_p(const struct snapshot *prev, const struct snapshot *cur, size_t idx,
             double *sched_per_s, double *syscall_per_s)
{
    *sched_per_s = *syscall_per_s = NAN;
    double dt = rates_interval_s(prev, cur);
    if (dt <= 0.0 || !prev->sched.valid || !cur->sched.valid || idx >= cur->sched.nps ||
        idx >= prev->sched.nps)
        return;
    const struct p_sample *a = &prev->sched.ps[idx], *b = &cur->sched.ps[idx];
    /* The ticks are uint32 in the runtime and wrap: unsigned subtraction is right. */
    *sched_per_s = (double)(uint32_t)(b->schedtick - a->schedtick) / dt;
    *syscall_per_s = (double)(uint32_t)(b->syscalltick - a->syscalltick) / dt;
}

const char *rates_p_status_name(uint32_t status)
{
    static const char *const names[] = { "idle", "running", "syscall", "gcstop", "dead" };
    return status < sizeof(names) / sizeof(names[0]) ? names[status] : "?";
}

double rates_goroutines_created(const struct snapshot *prev, const struct snapshot *cur)
{
    double dt = rates_interval_s(prev, cur);
    if (dt <= 0 || !prev->sched.valid || !cur->sched.valid || prev->sched.goids_allocated < 0 ||
        cur->sched.goids_allocated < prev->sched.goids_allocated)
        return NAN;
    return (double)(cur->sched.goids_allocated - prev->sched.goids_allocated) / dt;
}

double rates_cpu_util(const struct snapshot *prev, const struct snapshot *cur, int cpu)
{
    if (!prev || !cur)
        return NAN;
    const struct cpu_sample *a = snapshot_find_cpu(prev, cpu);
    const struct cpu_sample *b = snapshot_find_cpu(cur, cpu);
    if (!a || !b || !a->online || !b->online)
        return NAN;
    if (b->total <= a->total || b->busy < a->busy)
        return NAN;
    double u = 100.0 * (double)(b->busy - a->busy) / (double)(b->total - a->total);
    return u > 100.0 ? 100.0 : u;
}

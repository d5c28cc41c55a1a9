/* rates: per-second figures derived from two snapshots (never stored twice). */
#ifndef GMPTOP_RATES_H
#define GMPTOP_RATES_H

#include <stdbool.h>
#include "model/snapshot.h"

/* Every field is NAN when it cannot be measured (missing counter, no previous sample,
 * thread new this tick); callers print NAN as null / "n/a", never as 0. */
struct thread_rates {
    double cpu_pct;           /* % of one CPU */
    double nvcsw_per_s;
    double nivcsw_per_s;
    double migrations_per_s;
    double run_delay_ms_per_s;
};

/* prev may be NULL (first tick). */
void rates_thread(const struct snapshot *prev, const struct snapshot *cur,
                  const struct thread_sample *t, struct thread_rates *out);
/* The whole process's CPU % between two snapshots (its threads' sum); NAN when no
 * thread had a rate. */
double rates_process_cpu(const struct snapshot *prev, const struct snapshot *cur);
/* Per-second schedtick and syscalltick of P number idx of cur (NAN when the P was not
 * in prev, or the scheduler was not read in either). */
void rates_p(const struct snapshot *prev, const struct snapshot *cur, size_t idx,
             double *sched_per_s, double *syscall_per_s);
/* Name of a P status ("idle", "running", "syscall", "gcstop", "dead"). */
const char *rates_p_status_name(uint32_t status);

/* Goroutines created per second from schedt.goidgen (ids go to per-P caches in batches
 * of 16, so the figure is exact to 16 x GOMAXPROCS per interval); NAN when unknown. */
double rates_goroutines_created(const struct snapshot *prev, const struct snapshot *cur);

/* Utilisation % of one CPU between two snapshots; NAN when unknown. */
double rates_cpu_util(const struct snapshot *prev, const struct snapshot *cur, int cpu);
/* Seconds between the two snapshots (monotonic); 0 when prev is NULL. */
double rates_interval_s(const struct snapshot *prev, const struct snapshot *cur);

#endif

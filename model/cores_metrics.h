/* cores_metrics: per-CPU and per-thread figures derived from two snapshots' cores sections
 * (IPC, L3 and dTLB rates, switches, multiplexing), their colour levels and why-texts. */
#ifndef GMPTOP_CORES_METRICS_H
#define GMPTOP_CORES_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "model/snapshot.h"

/* Colour thresholds (config keys cores.l3_red, cores.l3_yellow, cores.dtlb_red). */
struct cores_thresholds {
    double l3_red_pct;        /* L3 miss ratio above this (%) is red */
    double l3_yellow_pct;     /* ... above this yellow */
    double dtlb_red;          /* dTLB misses per cycle above this are red */
};
#define CORES_THRESHOLDS_DEFAULT { 25.0, 10.0, 0.001 }

enum cores_level { CORES_LEVEL_NONE, CORES_LEVEL_OK, CORES_LEVEL_WARN, CORES_LEVEL_CRIT };

/* Every figure is NAN when it cannot be measured; why then says the first reason. */
struct cores_metrics {
    bool available;           /* every hardware counter of the row was read this tick */
    bool multiplexed;         /* a hardware counter ran for less time than enabled */
    bool implausible;         /* a reading was dropped as impossible */
    double running_pct;       /* least running/enabled of its hardware counters, % */
    double util_pct;          /* CPU: busy % (/proc/stat); thread: task clock % */
    double ipc;
    double l3_miss_ratio;     /* 0..1; per L3 domain on AMD */
    double l3_mpki;           /* L3 misses per 1000 instructions */
    double dtlb_mpki;
    double dtlb_per_cycle;
    double ctx_switches_per_s;
    double migrations_per_s;
    char why[CORES_TEXT_LEN]; /* "" when everything was measured */
};

/* out[i] for cur->cores.cpus[i] (cur->cores.ncpus entries). prev may be NULL. */
void cores_metrics_cpus(const struct snapshot *prev, const struct snapshot *cur,
                        struct cores_metrics *out);
/* Metrics of cur->cores.threads[i]. */
void cores_metrics_thread(const struct snapshot *prev, const struct snapshot *cur, size_t i,
                          struct cores_metrics *out);

enum cores_level cores_level_l3(double ratio, const struct cores_thresholds *t);
enum cores_level cores_level_dtlb(double per_cycle, const struct cores_thresholds *t);

/* Words for one counter's error (err as in cores_count.err) in the context of s. */
void cores_err_text(const struct cores_sample *s, int ev, int err, char *buf, size_t len);

#endif

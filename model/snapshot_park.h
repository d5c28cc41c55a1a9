/* snapshot_park: the park section of a snapshot: goroutine park and wake-to-run latency from BPF uprobes. */
#ifndef GMPTOP_SNAPSHOT_PARK_H
#define GMPTOP_SNAPSHOT_PARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Same as PARK_SLOTS in bpf/park.h (checked at compile time by collectors/park.c):
 * log2 slots with edges at 1.25 ms x 2^(i-21) (src/park_hist.h), the last open-ended. */
#define SNAPSHOT_PARK_SLOTS 40
#define SNAPSHOT_PARK_REASON_LEN 40
#define SNAPSHOT_PARK_WHY_LEN 320

/* Cumulative since the probe was first attached: intervals come from two snapshots
 * with the same epoch (src/park_hist.h). */
struct park_hist_sample {
    int32_t reason;              /* g.waitreason value; -1 for wake-to-run */
    char name[SNAPSHOT_PARK_REASON_LEN];
    uint64_t count;
    uint64_t sum_ns;
    uint64_t max_ns;             /* exact, since attach */
    uint64_t slots[SNAPSHOT_PARK_SLOTS];
};

/* What the overhead governor is doing (collectors/park_governor.c). */
enum park_gov_state {
    PARK_GOV_UNAVAILABLE = 0,    /* not attached: see why */
    PARK_GOV_ON,                 /* attached all the time */
    PARK_GOV_SAMPLING,           /* attach/detach duty cycle to stay under the budget */
    PARK_GOV_OFF,                /* detached: too costly even sampled; re-measured now and then */
};

/* Mirrors enum park_counter in bpf/park.h. */
enum park_event {
    PARK_EV_CALLS, PARK_EV_PARK_START, PARK_EV_PARK_END, PARK_EV_RUNNABLE, PARK_EV_RUN,
    PARK_EV_NO_START, PARK_EV_STALE, PARK_EV_BAD_REASON, PARK_EV_COUNT
};

struct park_sample {
    bool valid;               /* false: the collector did not run or could not read */
    enum park_gov_state state;
    char why[SNAPSHOT_PARK_WHY_LEN]; /* the governor's or the loader's sentence */
    char probe[96];           /* "runtime.casgstatus+0x0 (push %rbp, emulated)" */
    uint64_t epoch;           /* changes when the maps restart (new attach of a target) */
    double budget_pct;        /* --bpf-budget, % of one core */
    double cost_ns;           /* measured per-event cost at start; NAN unknown */
    double events_per_s;      /* casgstatus calls per second while attached; NAN unknown */
    double full_overhead_pct; /* events_per_s x cost: overhead if attached all the time */
    double est_overhead_pct;  /* what the target pays now (x duty), by the model */
    double gov_cost_ns;       /* per event as the governor uses it (measured or cost_ns) */
    bool cost_measured;       /* gov_cost_ns is the meter's: cost + its error */
    bool ref_windows;         /* on, and off 100 ms every 10 s for the meter to compare */
    double measured_overhead_pct; /* the meter: what the target paid over its window; NAN */
    double measured_err_pct;      /* one standard error of that; NAN */
    double measured_cost_ns;      /* the meter's cost per event on this target; NAN */
    double measured_cost_err_ns;
    double self_overhead_pct; /* gmptop's own CPU that came out of busy CPUs, % of one
                               * core: counted in the budget with the probes'; NAN */
    double duty;              /* fraction of time attached, 0..1 */
    double attached_s;        /* seconds attached since the first attach */
    uint64_t events[PARK_EV_COUNT];   /* cumulative counters since the first attach */
    struct park_hist_sample *reasons; /* owned; only reasons seen, by reason number */
    size_t nreasons;
    struct park_hist_sample wake;     /* runnable -> running */
};

/* Free what the section owns (called by snapshot_free). */
static inline void park_sample_free(struct park_sample *s)
{
    free(s->reasons);
    s->reasons = NULL;
    s->nreasons = 0;
}

#endif

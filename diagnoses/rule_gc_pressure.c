/* rule_gc_pressure: the garbage collector runs too often, pauses too long, or makes
 * goroutines wait (mark assists). */
#include "diagnoses/rule_util.h"

#include <math.h>

enum { T_CYCLES, T_PAUSE_MS, T_ASSIST, T_WINDOW_S };

static const char *const assist_reasons[] = { "GC assist", NULL };

/* Largest GC pause bucket bound seen over the window, from the runtime's histogram. */
static double pause_p99_ms(const struct snapshot *old, const struct snapshot *cur)
{
    static struct go_timehist_interval iv;
    char why[96];
    if (!old || !old->gc_pauses.valid || !cur->gc_pauses.valid ||
        old->gc_pauses.layout.ncounts != cur->gc_pauses.layout.ncounts ||
        go_timehist_interval(&cur->gc_pauses.layout, old->gc_pauses.raw, cur->gc_pauses.raw,
                             &iv, why, sizeof(why)) != 0 || iv.total == 0)
        return NAN;
    return iv.p99_ns == GO_TIMEHIST_INF ? INFINITY : (double)iv.p99_ns / 1e6;
}

static enum diag_verdict check(const struct diag_ctx *c, struct diag_finding *f, char *why,
                               size_t len)
{
    if (rule_sched_missing(c->h, why, len))
        return DIAG_UNAVAILABLE;
    const struct snapshot *cur = history_get(c->h, 0);
    double span;
    const struct snapshot *old = diag_oldest_sched(c->h, c->thr[T_WINDOW_S], &span);
    long long assists = rule_waiting_on(&cur->sched, assist_reasons);
    diag_figure(c, "assist_goroutines", cur->sched.census_valid ? (double)assists : NAN);
    diag_figure(c, "cycles_per_s", NAN);
    diag_figure(c, "pause_ms", NAN);
    if (!old || cur->sched.gc_cycles < 0 || old->sched.gc_cycles < 0) {
        if (cur->sched.gc_cycles < 0) {
            snprintf(why, len, "GC cycle count not readable in this binary");
            return DIAG_UNAVAILABLE;
        }
        return DIAG_QUIET;
    }
    if (span < 1.0)
        return DIAG_QUIET;
    /* numgc is a uint32 in the runtime: the difference wraps like it does. */
    double per_s = (double)(uint32_t)(cur->sched.gc_cycles - old->sched.gc_cycles) / span;
    double p99 = pause_p99_ms(old, cur);
    diag_figure(c, "cycles_per_s", per_s);
    diag_figure(c, "pause_ms", p99);
    bool often = per_s >= c->thr[T_CYCLES];
    bool long_pause = !isnan(p99) && p99 > c->thr[T_PAUSE_MS];
    bool assisting = assists >= (long long)c->thr[T_ASSIST];
    if (!often && !long_pause && !assisting)
        return DIAG_QUIET;
    diag_evidence(f, "gc_per_s", per_s);
    diag_evidence(f, "pause_p99_ms", p99);
    diag_evidence(f, "goroutines_in_assist", (double)assists);
    if (long_pause)
        diag_set(f, DIAG_CRIT,
                 "GC pauses reached %.1f ms (p99 over %.0f s, above %.0f ms) with %.1f GC "
                 "cycles per second: every goroutine stops for that long; cut allocation in "
                 "hot paths (reuse buffers, sync.Pool) or raise GOGC / set GOMEMLIMIT.",
                 p99, span, c->thr[T_PAUSE_MS], per_s);
    else if (often)
        diag_set(f, DIAG_WARN,
                 "The GC ran %.1f times per second over the last %.0f s (threshold %.0f): "
                 "marking takes CPU from the program and mark assists slow the goroutines "
                 "that allocate; allocate less (reuse buffers, avoid short-lived pointers) "
                 "or raise GOGC.",
                 per_s, span, c->thr[T_CYCLES]);
    else
        diag_set(f, DIAG_WARN,
                 "%lld goroutines are waiting on GC assist: they allocate faster than the "
                 "collector marks, so the runtime makes them do marking work first; "
                 "allocate less in hot paths or raise GOGC.",
                 assists);
    return DIAG_FIRE;
}

const struct diag_rule rule_gc_pressure = {
    .id = "gc_pressure",
    .title = "GC pressure",
    .pane = "sched",
    .explain =
        "Go's garbage collector runs concurrently, but it is not free: it takes a quarter "
        "of the Ps while marking, stops every goroutine briefly at the start and end of "
        "a cycle, and makes goroutines that allocate quickly help with marking ('mark "
        "assist'). A burst of short-lived objects (say, parsing JSON in a loop) makes "
        "cycles frequent. Look when pauses reach 10 ms together with a jump in the "
        "number of cycles: either alone is often normal.",
    .thresholds = {
        { "cycles_per_s", 5, "1/s", "GC cycles per second" },
        { "pause_ms", 10, "ms", "p99 GC pause" },
        { "assist_goroutines", 4, "goroutines", "goroutines waiting on GC assist" },
        { "window_s", 10, "s", "window for the rates" },
    },
    .nthresholds = 4,
    .check = check,
};

/* park_governor: keeps the park probe's cost to the target under --bpf-budget by
 * estimating overhead = events/s x cost per event, then sampling with an attach/detach
 * duty cycle, or detaching, when it would be over. The cost per event is the one the
 * meter (park_meter.c) measures on the target once it has one, the calibration's until
 * then: a trap costs a busy server several times what it costs a ping-pong loop, and
 * differs between kernels and CPUs by more still. Pure arithmetic. */
#include "collectors/park_probe.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void park_gov_init(struct park_gov *g, double budget_pct, double cost_ns)
{
    memset(g, 0, sizeof(*g));
    g->budget_pct = budget_pct;
    g->cost_ns = cost_ns;
    g->calib_ns = cost_ns;
    g->measured_pct = NAN;
    g->measured_err_pct = NAN;
    g->rate = NAN;
    g->duty = 1.0;
    g->window_factor = 1.0;
    g->state = PARK_GOV_ON;
    snprintf(g->why, sizeof(g->why), "attached; measuring the event rate");
}

double park_gov_full_pct(const struct park_gov *g)
{
    if (isnan(g->rate) || !(g->cost_ns >= 0))
        return NAN;
    return g->rate * g->cost_ns / 1e9 * 100.0;
}

int64_t park_gov_retry_ns(double full_pct, double budget_pct)
{
    if (!(full_pct > 0) || !(budget_pct > 0))
        return PARK_GOV_RETRY_NS;
    double ns = (double)PARK_GOV_PROBE_NS * full_pct / (budget_pct * PARK_GOV_RETRY_SHARE);
    if (ns < (double)PARK_GOV_RETRY_NS)
        return PARK_GOV_RETRY_NS;
    if (ns > (double)PARK_GOV_RETRY_MAX_NS)
        return PARK_GOV_RETRY_MAX_NS;
    return (int64_t)ns;
}

double park_gov_est_pct(const struct park_gov *g)
{
    double full = park_gov_full_pct(g);
    if (isnan(full))
        return NAN;
    if (g->state == PARK_GOV_OFF)   /* one short re-measurement per retry period */
        return full * g->window_factor * (double)PARK_GOV_PROBE_NS /
               (double)(g->retry_ns ? g->retry_ns : PARK_GOV_RETRY_NS);
    return full * g->duty;
}

static void apply_measured(struct park_gov *g, const struct park_meter_est *e,
                           double attached_frac)
{
    g->measured_pct = g->measured_err_pct = NAN;
    if (!e->valid) {
        /* Detached for the whole window (off, between re-measurements): the target paid
         * nothing. The last measured cost per event stays the best knowledge there is. */
        if (e->attached_s == 0 && e->detached_s * 1e9 >= PARK_METER_MIN_NS)
            g->measured_pct = g->measured_err_pct = 0.0;
        return;
    }
    g->cost_measured = g->cost_sure = false;
    g->cost_ns = g->calib_ns;
    g->measured_pct = 100.0 * e->attached_cores * attached_frac;
    if (isfinite(e->cores_err))
        g->measured_err_pct = 100.0 * e->cores_err * attached_frac;
    /* The error is the batches' spread; before there is one (three 5 s batches) the
     * tick counts' own noise is all there is. */
    bool spread = isfinite(e->cost_err_ns);
    double err = spread ? e->cost_err_ns
                        : isfinite(e->cost_count_err_ns) ? e->cost_count_err_ns : 0.0;
    /* Noise errs toward the budget: the cost plus one error. A cost the meter cannot
     * tell from zero leaves the calibration's. Before the meter is sure, its figure less
     * its error counts when above the calibration's: on a target that pays more than
     * the calibration said, 15 s on the calibration's figure were 15 s over the budget
     * (a ping-pong at a 5% budget paid 6-6.5% of a core, and lost 6-9%). Its figure as
     * it stood (no error before the spread's) did too; in CI one of 19.5 us an event, 3x
     * the calibration's, put a feed off that the calibration sampled at 18%, and a
     * figure from 100 ms attached cannot tell the machine from noise: one tick more of
     * system time there is 0.1 of a core. */
    if (isfinite(e->cost_ns) && spread && e->cost_ns > 0 && err < 0.5 * e->cost_ns) {
        g->cost_ns = e->cost_ns + err;
        g->cost_measured = g->cost_sure = true;
        return;
    }
    double low = e->cost_ns - err;
    if (isfinite(low) && low > g->calib_ns) {
        g->cost_ns = low;
        g->cost_measured = true;
    }
}

void park_gov_set_others(struct park_gov *g, double others_pct)
{
    g->others_pct = isfinite(others_pct) && others_pct > 0 ? others_pct : 0.0;
}

void park_gov_set_self(struct park_gov *g, double self_pct)
{
    g->self_pct = isfinite(self_pct) && self_pct > 0 ? self_pct : 0.0;
}

double park_gov_budget(const struct park_gov *g)
{
    double left = g->budget_pct - g->others_pct - g->self_pct;
    if (left < g->budget_pct * 0.25)
        left = g->budget_pct * 0.25;
    return g->budget_pct >= 100.0 ? left : left * PARK_GOV_PLAN_SHARE;
}

static void explain(struct park_gov *g, double full)
{
    double us = g->cost_ns / 1e3, budget = park_gov_budget(g);
    const char *src = g->cost_measured ? "measured" : "calibrated";
    switch (g->state) {
    case PARK_GOV_ON:
        snprintf(g->why, sizeof(g->why),
                 "attached: %.0f events/s x %.2f us (%s) = %.2f%% of a core, within the "
                 "%.1f%% budget", g->rate, us, src, full, budget);
        break;
    case PARK_GOV_SAMPLING:
        snprintf(g->why, sizeof(g->why),
                 "sampling: attached %.0f%% of the time, because %.0f events/s x %.2f us "
                 "(%s) = %.2f%% of a core is over the %.1f%% budget", g->duty * 100.0,
                 g->rate, us, src, full, budget);
        break;
    case PARK_GOV_OFF:
        snprintf(g->why, sizeof(g->why),
                 "detached: %.0f events/s x %.2f us (%s) = %.1f%% of a core; even %.0f%% "
                 "sampling is over the %.1f%% budget; re-measured every %.0f s", g->rate, us,
                 src, full, PARK_GOV_MIN_DUTY * 100.0, budget, (double)g->retry_ns / 1e9);
        if (g->window_factor > 1.05) {
            size_t n = strlen(g->why);
            snprintf(g->why + n, sizeof(g->why) - n, " (its windows cost %.1fx that, measured)",
                     g->window_factor);
        }
        break;
    case PARK_GOV_UNAVAILABLE:
        break;
    }
    bool others = g->others_pct > 0.005, self = g->self_pct > 0.005;
    if ((others || self) && g->state != PARK_GOV_UNAVAILABLE) {
        char o[64] = "", m[64] = "";
        if (others)
            snprintf(o, sizeof(o), " %.2f%% for the on-CPU sampler", g->others_pct);
        if (self)
            snprintf(m, sizeof(m), "%s %.2f%% for gmptop's own CPU on busy CPUs",
                     others ? "," : "", g->self_pct);
        size_t n = strlen(g->why);
        snprintf(g->why + n, sizeof(g->why) - n, " (%.1f%% less%s%s)", g->budget_pct, o, m);
    }
    if (g->budget_note && g->state != PARK_GOV_UNAVAILABLE) {
        size_t n = strlen(g->why);
        snprintf(g->why + n, sizeof(g->why) - n, " (%s)", g->budget_note);
    }
    if (g->budget_pct < 100.0 && g->state != PARK_GOV_UNAVAILABLE) {
        size_t n = strlen(g->why);
        snprintf(g->why + n, sizeof(g->why) - n, "; planned at %d/%d of it, for the traps' "
                 "harm to the program's own code that no meter sees", PARK_GOV_PLAN_NUM,
                 PARK_GOV_PLAN_DEN);
    }
}

/* The sentence follows the cost it names: off, the governor does not step again until
 * its next re-measurement, and its sentence said "calibrated" beside a JSON
 * cost_source of "measured" for up to that long. */
static void reexplain_if_changed(struct park_gov *g, double cost_before, bool measured_before)
{
    if (g->state == PARK_GOV_UNAVAILABLE || g->why[0] == '\0' ||
        (g->cost_ns == cost_before && g->cost_measured == measured_before))
        return;
    double full = park_gov_full_pct(g);
    if (!isnan(full))
        explain(g, full);
}

void park_gov_set_measured(struct park_gov *g, const struct park_meter_est *e,
                           double attached_frac)
{
    double cost_before = g->cost_ns;
    bool measured_before = g->cost_measured;
    apply_measured(g, e, attached_frac);
    /* Off, the windows are spaced by the meter's cost per event as it stands, sure or
     * not: spacing them further only errs toward the budget, and before the meter is
     * sure (15 s) the calibration's figure spaced them by a fraction of what they cost:
     * 1.2-1.9% of a core measured on a saturated server against 0.17-0.33% planned. */
    if (e->valid && isfinite(e->cost_ns) && e->cost_ns > 0 && g->cost_ns > 0)
        g->window_factor = fmin(10.0, fmax(1.0, e->cost_ns / g->cost_ns));
    reexplain_if_changed(g, cost_before, measured_before);
}

/* Off between windows: the next one moves with what the windows are now known to cost
 * (the meter's factor, the budget the rest of gmptop leaves), from the last decision. */
static void respace(struct park_gov *g)
{
    double full = park_gov_full_pct(g);
    if (isnan(full))
        return;
    int64_t ns = park_gov_retry_ns(full * g->window_factor, park_gov_budget(g));
    if (ns == g->retry_ns)
        return;
    g->retry_at_ns += ns - g->retry_ns;
    g->retry_ns = ns;
    explain(g, full);
}

void park_gov_update(struct park_gov *g, uint64_t events, int64_t attached_ns, int64_t now_ns)
{
    if (g->state == PARK_GOV_UNAVAILABLE)
        return;
    /* Off: only a re-measurement window counts; what was attached before the probe came
     * off (up to one governor step) would otherwise read as one and flap the state. */
    if (g->state == PARK_GOV_OFF && now_ns < g->retry_at_ns) {
        respace(g);
        return;
    }
    /* A few ms of attachment says little about the rate: keep the last estimate. */
    if (attached_ns >= 20000000) {
        double r = (double)events * 1e9 / (double)attached_ns;
        /* Up at once (the target pays now), down smoothed (do not flap on a lull);
         * after a detached spell the old rate is stale: the window replaces it. */
        bool fresh = isnan(g->rate) || r > g->rate || g->state == PARK_GOV_OFF;
        g->rate = fresh ? r : 0.5 * g->rate + 0.5 * r;
    }
    double full = park_gov_full_pct(g);
    if (isnan(full))
        return;
    double budget = park_gov_budget(g);
    double target = full <= budget ? 1.0 : budget / full;
    /* Off stays off until a re-measurement window has measured something. */
    if (g->state == PARK_GOV_OFF && attached_ns < 20000000) {
        if (now_ns > g->retry_at_ns + PARK_GOV_PROBE_NS)
            g->retry_at_ns = now_ns + g->retry_ns;   /* the window was missed */
        return;
    }
    if (target < PARK_GOV_MIN_DUTY) {
        g->state = PARK_GOV_OFF;
        g->duty = 0.0;
        g->retry_ns = park_gov_retry_ns(full * g->window_factor, budget);
        g->retry_at_ns = now_ns + g->retry_ns;
    } else {
        /* Rising duty at most doubles per refresh, so a burst after a lull is caught
         * before it costs much; falling takes effect at once. */
        double cur = g->state == PARK_GOV_OFF ? PARK_GOV_MIN_DUTY : g->duty;
        g->duty = target > cur * 2.0 ? cur * 2.0 : target;
        if (g->duty > 1.0)
            g->duty = 1.0;
        g->state = g->duty >= 1.0 ? PARK_GOV_ON : PARK_GOV_SAMPLING;
    }
    /* A whole core (--bpf-budget 100, the most) leaves nothing to enforce: no reference
     * windows, so the probe stays on and its counts miss nothing. */
    g->ref_due = g->state == PARK_GOV_ON && g->budget_pct < 100.0 &&
                 full * PARK_GOV_REF_MARGIN >= budget;
    explain(g, full);
}

int64_t park_gov_ref_ns(const struct park_gov *g)
{
    return g->cost_sure ? PARK_GOV_REF_NS : PARK_GOV_REF_UNSURE_NS;
}

bool park_gov_want_attached(const struct park_gov *g, int64_t period_start_ns, int64_t now_ns)
{
    switch (g->state) {
    case PARK_GOV_ON:
        if (g->ref_due && (period_start_ns / PARK_GOV_PERIOD_NS) % PARK_GOV_REF_EVERY == 0)
            return now_ns - period_start_ns >= park_gov_ref_ns(g);
        return true;
    case PARK_GOV_SAMPLING:
        return (double)(now_ns - period_start_ns) < g->duty * (double)PARK_GOV_PERIOD_NS;
    case PARK_GOV_OFF:
        return now_ns >= g->retry_at_ns && now_ns < g->retry_at_ns + PARK_GOV_PROBE_NS;
    case PARK_GOV_UNAVAILABLE:
        break;
    }
    return false;
}

int64_t park_gov_next_change_ns(const struct park_gov *g, int64_t period_start_ns,
                                int64_t now_ns)
{
    int64_t next_period = period_start_ns + PARK_GOV_PERIOD_NS;
    int64_t t = next_period;
    switch (g->state) {
    case PARK_GOV_ON:
        if (g->ref_due && (period_start_ns / PARK_GOV_PERIOD_NS) % PARK_GOV_REF_EVERY == 0)
            t = period_start_ns + park_gov_ref_ns(g);
        break;
    case PARK_GOV_SAMPLING:
        t = period_start_ns + (int64_t)(g->duty * (double)PARK_GOV_PERIOD_NS);
        break;
    case PARK_GOV_OFF:
        t = now_ns < g->retry_at_ns ? g->retry_at_ns : g->retry_at_ns + PARK_GOV_PROBE_NS;
        break;
    case PARK_GOV_UNAVAILABLE:
        break;
    }
    return t > now_ns ? t : next_period > now_ns ? next_period : now_ns + 1000000;
}

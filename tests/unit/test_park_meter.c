/* Unit tests for the park probe's meter (collectors/park_meter.c) and the governor driven
 * by it, against a simulated target whose probe costs what the test says, not what the
 * calibration said: a saturated two-core server whose work (and so its events and its
 * system calls) shrinks by what the probe takes, its CPU times read in 10 ms ticks as
 * /proc gives them. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "collectors/park_probe.h"
#include "collectors/self_cost.h"
#include "base/util.h"

#define MS 1000000LL
#define S 1000000000LL

static void test_meter_arithmetic(void **st)
{
    (void)st;
    struct park_meter m;
    struct park_meter_est e;
    park_meter_init(&m, 0, 1e7);
    assert_false(park_meter_estimate(&m, &e));
    assert_false(e.valid);
    /* Attached only: nothing to compare with. */
    park_meter_add(&m, true, S / 2, 0.5e9, 0.6e9, 100000, S / 2);
    assert_false(park_meter_estimate(&m, &e));
    assert_float_equal(e.attached_s, 0.5, 1e-9);
    /* Detached: user 1.2 cores, system 0.8; attached: user 1.0, system 1.2. Scaled by
     * the work done, 0.8 x 1.0 / 1.2 of the system time is the program's own; the rest,
     * 0.533 cores, is the probe: 2.67 us for each of 200k events/s. */
    park_meter_add(&m, false, S / 2, 0.6e9, 0.4e9, 0, S);
    assert_true(park_meter_estimate(&m, &e));
    assert_float_equal(e.attached_cores, 1.2 - 0.8 / 1.2, 1e-9);
    assert_float_equal(e.cost_ns, (1.2 - 0.8 / 1.2) / 200000.0 * 1e9, 1e-6);
    assert_true(isnan(e.cores_err));             /* one batch: no error yet */
    /* A program that does no user work detached: system times compared as they are. */
    park_meter_init(&m, 0, 1e7);
    park_meter_add(&m, false, S, 0, 0.1e9, 0, S);
    park_meter_add(&m, true, S, 0, 0.3e9, 1000, 2 * S);
    assert_true(park_meter_estimate(&m, &e));
    assert_float_equal(e.attached_cores, 0.2, 1e-9);
    /* Empty intervals are ignored. */
    park_meter_add(&m, true, 0, 1e9, 1e9, 5, 2 * S);
    assert_true(park_meter_estimate(&m, &e));
    assert_float_equal(e.attached_cores, 0.2, 1e-9);
    /* A channel ping-pong on one core: detached, a core of user work; attached, the
     * traps leave it 1% of its work, and their own time, tick-sampled, reads 0.77 of a
     * core. The work lost (0.99 of a core) is the larger figure, and the cost. */
    park_meter_init(&m, 0, 1e7);
    park_meter_add(&m, false, S, 1.0e9, 0.0, 0, S);
    park_meter_add(&m, true, S, 0.01e9, 0.77e9, 175000, 2 * S);
    assert_true(park_meter_estimate(&m, &e));
    assert_true(e.lost_work);
    assert_float_equal(e.attached_cores, 0.99, 1e-9);
    assert_float_equal(e.cost_ns, 0.99 / 175000.0 * 1e9, 1e-6);
}

/* The first figures, before the batches' spread says anything, come from a few ticks of
 * CPU time: their error is the counts' own. */
static void test_meter_first_seconds(void **st)
{
    (void)st;
    struct park_meter m;
    struct park_meter_est e;
    struct park_gov g;
    /* A feed at 11.4k events/s, 1.1 cores of user work, sampled: 400 ms detached with
     * one tick of system time, 100 ms attached with two. Taken as it stands that is
     * 15.5 us an event, 2.6x the calibration's 6 us; one tick either way in the 100 ms
     * is 0.1 of a core, so the figure's error is nearly all of it, and the
     * calibration's cost stays. */
    park_meter_init(&m, 0, 1e7);
    park_meter_add(&m, false, 400 * MS, 0.44e9, 0.01e9, 0, 400 * MS);
    park_meter_add(&m, true, 100 * MS, 0.10e9, 0.02e9, 1140, 500 * MS);
    assert_true(park_meter_estimate(&m, &e));
    assert_true(isnan(e.cost_err_ns));
    assert_float_equal(e.cost_ns, (0.2 - 0.025 * (1.0 / 1.1)) / 11400.0 * 1e9, 1e-3);
    assert_true(e.cost_count_err_ns > 0.9 * e.cost_ns);
    park_gov_init(&g, 2.0, 6000.0);
    park_gov_set_measured(&g, &e, 0.2);
    assert_false(g.cost_measured);
    assert_float_equal(g.cost_ns, 6000.0, 1e-9);
    /* A ping-pong on one core, the same 100 ms: it did no work attached, so the figure
     * (a core lost, 5.7 us an event) stands well clear of its counts' error and counts
     * at once over a calibration of 2 us. */
    park_meter_init(&m, 0, 1e7);
    park_meter_add(&m, false, 200 * MS, 0.2e9, 0.0, 0, 200 * MS);
    park_meter_add(&m, true, 100 * MS, 0.0, 0.08e9, 17500, 300 * MS);
    assert_true(park_meter_estimate(&m, &e));
    assert_true(e.lost_work);
    assert_float_equal(e.cost_ns, 1e9 / 175000.0, 1e-3);
    assert_true(e.cost_count_err_ns < 0.15 * e.cost_ns);
    park_gov_init(&g, 2.0, 2000.0);
    park_gov_set_measured(&g, &e, 0.33);
    assert_true(g.cost_measured);
    assert_false(g.cost_sure);
    assert_float_equal(g.cost_ns, e.cost_ns - e.cost_count_err_ns, 1e-6);
}

static void test_meter_window_and_error(void **st)
{
    (void)st;
    struct park_meter m;
    struct park_meter_est e;
    park_meter_init(&m, 0, 1e7);
    /* 40 s at 2 us an event, then 40 s at 4 us: the window (30 s) ends up with only
     * the second, and identical batches give a zero error. */
    int64_t t = 0;
    for (int phase = 0; phase < 2; phase++) {
        double cost = phase ? 4000.0 : 2000.0;
        for (int i = 0; i < 40; i++) {
            t += S / 2;
            park_meter_add(&m, false, S / 2, 0.5e9, 0.25e9, 0, t);
            t += S / 2;
            /* 100k events/s x cost, no change of work */
            park_meter_add(&m, true, S / 2, 0.5e9, 0.25e9 + 0.5 * 100000 * cost, 50000, t);
        }
    }
    assert_true(park_meter_estimate(&m, &e));
    assert_float_equal(e.cost_ns, 4000.0, 1e-3);
    assert_float_equal(e.attached_cores, 0.4, 1e-9);
    assert_float_equal(e.cost_err_ns, 0.0, 1e-3);
    assert_true(e.attached_s + e.detached_s <= 30.0 + 1e-9);
    /* A noisy batch gives an error. Until the error is under half the cost the
     * governor takes the meter's figure less its error where that is above the
     * calibration's (a target that pays more than calibrated is not left over the
     * budget while the meter firms up), and the calibration's otherwise. */
    t += S / 2;
    park_meter_add(&m, true, S / 2, 0.5e9, 0.9e9, 50000, t);
    assert_true(park_meter_estimate(&m, &e));
    assert_true(e.cost_err_ns > 0);
    struct park_gov g;
    struct park_meter_est noisy = e;
    noisy.cost_err_ns = noisy.cost_ns * 0.6;
    park_gov_init(&g, 2.0, 3000.0);
    park_gov_set_measured(&g, &noisy, 0.5);
    assert_false(g.cost_measured);
    assert_float_equal(g.cost_ns, 3000.0, 1e-9);
    assert_float_equal(g.measured_pct, 100.0 * noisy.attached_cores * 0.5, 1e-9);
    park_gov_init(&g, 2.0, 700.0);
    park_gov_set_measured(&g, &noisy, 0.5);
    assert_true(g.cost_measured);
    assert_false(g.cost_sure);
    assert_float_equal(g.cost_ns, noisy.cost_ns * 0.4, 1e-6);
    assert_int_equal(park_gov_ref_ns(&g), PARK_GOV_REF_UNSURE_NS);
    noisy.cost_err_ns = noisy.cost_ns * 0.1;
    park_gov_set_measured(&g, &noisy, 0.5);
    assert_true(g.cost_measured);
    assert_true(g.cost_sure);
    assert_float_equal(g.cost_ns, noisy.cost_ns * 1.1, 1e-6);
    assert_int_equal(park_gov_ref_ns(&g), PARK_GOV_REF_NS);
    /* A window without both states keeps the last measured cost; detached all along,
     * the target paid nothing; too little of either, nothing is said. */
    struct park_meter_est none = { .valid = false, .detached_s = 30.0 };
    park_gov_set_measured(&g, &none, 0.0);
    assert_true(g.cost_measured);
    assert_float_equal(g.cost_ns, noisy.cost_ns * 1.1, 1e-6);
    assert_float_equal(g.measured_pct, 0.0, 1e-12);
    none.detached_s = 0.05;
    park_gov_set_measured(&g, &none, 0.0);
    assert_true(isnan(g.measured_pct));

    /* Off, the governor does not step until its next re-measurement: a cost measured
     * meanwhile is named in its sentence at once, as cost_source says. */
    struct park_gov off;
    park_gov_init(&off, 2.0, 700.0);
    park_gov_update(&off, 1000000, 1000000000, 1000000000);   /* 1M/s x 0.7 us: 70% */
    assert_int_equal(off.state, PARK_GOV_OFF);
    assert_non_null(strstr(off.why, "(calibrated)"));
    park_gov_set_measured(&off, &noisy, 0.0);
    assert_true(off.cost_measured);
    assert_non_null(strstr(off.why, "(measured)"));
    assert_int_equal(off.state, PARK_GOV_OFF);
}

/* ---- the simulated target ------------------------------------------------------------ */

struct sim {
    double cost_ns;          /* what an event really costs, ns of kernel time */
    double events_full;      /* events/s at full speed, without the probe */
    double user_cores, sys_cores;   /* its CPU without the probe (saturated: 2 cores) */
    double user_ns, sys_ns;  /* cumulative, exact */
    double events;           /* cumulative probe hits */
    double paid_ns;          /* cumulative cost of the probe */
};

/* Advance dt with the probe attached or not. The probe's time comes out of the work. */
static void sim_run(struct sim *s, bool attached, int64_t dt)
{
    double work = 1.0;       /* share of full-speed work done */
    if (attached) {
        double k = s->events_full * s->cost_ns / 1e9;   /* cores if work stayed 1 */
        work = 1.0 / (1.0 + k / (s->user_cores + s->sys_cores));
    }
    double p = attached ? s->events_full * work * s->cost_ns / 1e9 : 0.0;
    s->user_ns += s->user_cores * work * (double)dt;
    s->sys_ns += (s->sys_cores * work + p) * (double)dt;
    if (attached)
        s->events += s->events_full * work * (double)dt / 1e9;
    s->paid_ns += p * (double)dt;
}

/* CPU times as /proc/PID/stat gives them: whole 10 ms ticks. */
static double ticks(double ns) { return floor(ns / 1e7) * 1e7; }

struct driver {
    struct park_gov g;
    struct park_meter m;
    bool attached;
    int64_t mark_t;
    double mark_u, mark_s, mark_ev;
    int64_t next_step, ev_att_ns;    /* the governor step's own bookkeeping */
    double ev_read;
};

/* A saturated two-core server whose events really cost cost_ns each, watched by a
 * governor with budget_pct and a calibration that said calib_ns. */
static void sim_start(struct sim *s, struct driver *d, double cost_ns, double events_full,
                      double budget_pct, double calib_ns)
{
    *s = (struct sim){ .cost_ns = cost_ns, .events_full = events_full, .user_cores = 1.2,
                       .sys_cores = 0.8 };
    *d = (struct driver){ .attached = true, .next_step = PARK_GOV_FIRST_STEP_NS };
    park_gov_init(&d->g, budget_pct, calib_ns);
    park_meter_init(&d->m, 0, 1e7);
}

static void drv_mark(struct driver *d, struct sim *s, int64_t now)
{
    park_meter_add(&d->m, d->attached, now - d->mark_t, ticks(s->user_ns) - d->mark_u,
                   ticks(s->sys_ns) - d->mark_s, (uint64_t)(s->events - d->mark_ev), now);
    d->mark_t = now;
    d->mark_u = ticks(s->user_ns);
    d->mark_s = ticks(s->sys_ns);
    d->mark_ev = s->events;
}

/* Run the governor's loop as collectors/park.c does (a step every 200 ms, marks at each
 * attach and detach) for secs; returns what the target paid over the last 30 s, in %
 * of one core. */
static double drive(struct driver *d, struct sim *s, int64_t *t, int secs)
{
    const int64_t tick = 10 * MS;
    int64_t end = *t + (int64_t)secs * S, period = *t - *t % PARK_GOV_PERIOD_NS;
    double paid_at = 0;
    int64_t window = end - 30 * S;
    for (; *t < end; *t += tick) {
        if (*t == window)
            paid_at = s->paid_ns;
        if (*t >= d->next_step) {
            drv_mark(d, s, *t);
            struct park_meter_est e;
            park_meter_estimate(&d->m, &e);
            double span = e.attached_s + e.detached_s;
            park_gov_set_measured(&d->g, &e, span > 0 ? e.attached_s / span : 0);
            park_gov_update(&d->g, (uint64_t)(s->events - d->ev_read), d->ev_att_ns, *t);
            d->ev_read = s->events;
            d->ev_att_ns = 0;
            d->next_step = *t + PARK_GOV_STEP_NS;
        }
        while (*t - period >= PARK_GOV_PERIOD_NS)
            period += PARK_GOV_PERIOD_NS;
        bool want = park_gov_want_attached(&d->g, period, *t);
        if (want != d->attached) {
            drv_mark(d, s, *t);
            d->attached = want;
        }
        sim_run(s, d->attached, tick);
        if (d->attached)
            d->ev_att_ns += tick;
    }
    return (s->paid_ns - paid_at) / (30.0 * S) * 100.0;
}

static void test_governor_follows_measured_cost(void **st)
{
    (void)st;
    /* The calibration said 0.6 us; on this target an event costs 1.5 us (the issue's
     * server paid several times the calibrated cost). 200k events/s: 30% of a core if
     * attached all the time; the model believed 12%. Budget 5%. */
    struct sim s;
    struct driver d;
    sim_start(&s, &d, 1500, 200000, 5.0, 600.0);
    int64_t t = 0;
    double paid = drive(&d, &s, &t, 60);
    assert_true(d.g.cost_measured);
    assert_int_equal(d.g.state, PARK_GOV_SAMPLING);
    /* The target pays the budget, not 2.5 times it; the meter says so within 25%. */
    assert_true(paid <= 5.0 * 1.15);
    assert_true(paid >= 5.0 * 0.6);
    assert_true(fabs(d.g.measured_pct - paid) <= 0.25 * paid);
    assert_true(fabs(d.g.cost_ns - 1500.0) <= 0.3 * 1500.0);
    assert_non_null(strstr(d.g.why, "(measured)"));
    double duty_before = d.g.duty;

    /* Mid-run the cost per event doubles (say the load moved to a NUMA node the kernel's
     * trap path misses in): within 45 s the governor halves its duty and the target
     * again pays no more than the budget. */
    s.cost_ns = 3000;
    paid = drive(&d, &s, &t, 45);
    assert_true(d.g.duty <= duty_before * 0.65);
    assert_true(paid <= 5.0 * 1.15);
    assert_true(fabs(d.g.cost_ns - 3000.0) <= 0.3 * 3000.0);

    /* And a cost that falls back lets the duty climb again. */
    s.cost_ns = 1500;
    drive(&d, &s, &t, 45);
    assert_true(d.g.duty >= duty_before * 0.75);
}

static void test_governor_reference_windows(void **st)
{
    (void)st;
    /* Attached all the time by the model (0.6 us x 20k/s = 1.2% of a 2% budget), but an
     * event really costs 6 us: 12% of a core. Reference windows (off 300 ms in every
     * 10 s while the meter is unsure: 100 ms windows gave it 10 ticks of CPU time each,
     * and a model this far off went uncorrected for minutes) give the meter a
     * comparison; the governor then samples, and over the first 40 s the target paid
     * little more than the budget. */
    struct sim s;
    struct driver d;
    sim_start(&s, &d, 6000, 20000, 2.0, 600.0);
    int64_t t = 0;
    double paid = drive(&d, &s, &t, 40);
    assert_true(paid < 2.0 * 1.25);
    assert_true(d.g.cost_measured);
    assert_true(d.g.cost_sure);
    assert_int_equal(d.g.state, PARK_GOV_SAMPLING);
    paid = drive(&d, &s, &t, 40);
    assert_true(paid <= 2.0 * 1.2);
    /* Far below the budget by the model (a quiet target), no reference windows: the
     * probe stays on and long waits are never cut. */
    struct park_gov g;
    park_gov_init(&g, 2.0, 600.0);
    park_gov_update(&g, 1000, S, S);     /* 1k/s x 0.6 us = 0.06% */
    assert_int_equal(g.state, PARK_GOV_ON);
    assert_false(g.ref_due);
    assert_true(park_gov_want_attached(&g, 0, 1));
}

static void test_governor_shares_the_budget(void **st)
{
    (void)st;
    /* The on-CPU sampler takes 0.7% of the 2% budget: 1.3% is left, and the park probe
     * plans with 2/3 of that (PARK_GOV_PLAN_SHARE). */
    const double share = PARK_GOV_PLAN_SHARE;
    struct park_gov g;
    park_gov_init(&g, 2.0, 1000.0);
    park_gov_set_others(&g, 0.7);
    assert_float_equal(park_gov_budget(&g), 1.3 * share, 1e-9);
    park_gov_update(&g, 26000, S, S);             /* 2.6% attached: a third of the time */
    assert_int_equal(g.state, PARK_GOV_SAMPLING);
    assert_float_equal(g.duty, 1.3 * share / 2.6, 1e-9);
    assert_non_null(strstr(g.why, "2.0% less 0.70% for the on-CPU sampler"));
    /* Others over the whole budget leave the probe a quarter of it, not nothing. */
    park_gov_set_others(&g, 5.0);
    assert_float_equal(park_gov_budget(&g), 0.5 * share, 1e-9);
    park_gov_set_others(&g, NAN);
    assert_float_equal(park_gov_budget(&g), 2.0 * share, 1e-9);
    /* A whole core (the most) limits nothing: no share held back. */
    park_gov_init(&g, 100.0, 1000.0);
    assert_float_equal(park_gov_budget(&g), 100.0, 1e-9);
}

static void test_governor_counts_gmptop_itself(void **st)
{
    (void)st;
    /* gmptop's own CPU took 0.8% of a core from busy CPUs, the sampler 0.4%: the probe
     * plans with 0.8% of the 2% budget, and why says where the rest went. */
    const double share = PARK_GOV_PLAN_SHARE;
    struct park_gov g;
    park_gov_init(&g, 2.0, 1000.0);
    park_gov_set_others(&g, 0.4);
    park_gov_set_self(&g, 0.8);
    assert_float_equal(park_gov_budget(&g), 0.8 * share, 1e-9);
    park_gov_update(&g, 16000, S, S);             /* 1.6% attached: a third of the time */
    assert_int_equal(g.state, PARK_GOV_SAMPLING);
    assert_float_equal(g.duty, 0.8 * share / 1.6, 1e-9);
    assert_non_null(strstr(g.why, "(2.0% less 0.40% for the on-CPU sampler, 0.80% for "
                                  "gmptop's own CPU on busy CPUs)"));
    /* Alone, and over the budget by itself: the probe keeps a quarter. */
    park_gov_set_others(&g, 0.0);
    park_gov_set_self(&g, 3.0);
    assert_float_equal(park_gov_budget(&g), 0.5 * share, 1e-9);
    park_gov_update(&g, 16000, S, 2 * S);
    assert_non_null(strstr(g.why, "(2.0% less 3.00% for gmptop's own CPU on busy CPUs)"));
    park_gov_set_self(&g, NAN);
    assert_float_equal(park_gov_budget(&g), 2.0 * share, 1e-9);
}

static void test_self_cost_arithmetic(void **st)
{
    (void)st;
    /* 2 CPUs: gmptop used 2% of one. Saturated by others: all of it displaced them. */
    assert_float_equal(self_cost_displaced(0.02, 2.0, 2.0), 0.02, 1e-12);
    /* Half the machine idle: the others kept busy about half of what gmptop left. */
    assert_float_equal(self_cost_displaced(0.02, 1.0, 2.0), 0.02 * (0.98 / 1.98), 1e-12);
    assert_float_equal(self_cost_displaced(0.02, 0.02, 2.0), 0.0, 1e-12);   /* only gmptop */
    assert_float_equal(self_cost_displaced(0.0, 2.0, 2.0), 0.0, 1e-12);
    assert_float_equal(self_cost_displaced(NAN, 2.0, 2.0), 0.0, 1e-12);
    /* Busy read a little over the CPUs (jiffies are sampled): capped at what it used. */
    assert_float_equal(self_cost_displaced(0.02, 2.1, 2.0), 0.02, 1e-12);
    /* gmptop alone on one CPU. */
    assert_float_equal(self_cost_displaced(1.0, 1.0, 1.0), 1.0, 1e-12);

    double busy, total;
    /* A kernel's line: user nice system idle iowait irq softirq steal guest guest_nice. */
    assert_int_equal(self_cost_parse_stat("cpu  100 5 50 1000 20 3 2 40 30 0", &busy, &total),
                     0);
    assert_float_equal(total, 1180.0, 1e-9);       /* steal and guest left out */
    assert_float_equal(busy, 160.0, 1e-9);
    assert_int_equal(self_cost_parse_stat("cpu  1 2 3 4", &busy, &total), 0);  /* 2.4 */
    assert_float_equal(busy, 6.0, 1e-9);
    assert_int_equal(self_cost_parse_stat("cpu0 1 2 3 4 5 6 7 8", &busy, &total), -1);
    assert_int_equal(self_cost_parse_stat("cpu  x", &busy, &total), -1);
    assert_int_equal(self_cost_parse_stat("", &busy, &total), -1);
}

/* The real path: this process's CPU clock and the real /proc/stat. Spinning for a
 * second, the test's own CPU reads as about one core; what it displaced is between
 * nothing and all of it, whatever else the machine runs. */
static void test_self_cost_reads_this_process(void **st)
{
    (void)st;
    struct self_cost c;
    self_cost_init(&c);
    int64_t t0 = util_mono_ns();
    assert_true(isnan(self_cost_update(&c, t0)));
    volatile uint64_t x = 0;
    int64_t now;
    while ((now = util_mono_ns()) - t0 < SELF_COST_EVERY_NS + 100000000LL)
        x += (uint64_t)now;
    double pct = self_cost_update(&c, now);
    assert_true(isfinite(pct));
    assert_true(c.self_pct > 50.0 && c.self_pct < 110.0);
    assert_true(pct >= 0.0 && pct <= c.self_pct + 1e-9);
    /* Asked again within the second: the same figure, nothing read. */
    assert_float_equal(self_cost_update(&c, now + 1), pct, 0.0);
}

static void test_governor_wakes_when_the_answer_changes(void **st)
{
    (void)st;
    const int64_t P = PARK_GOV_PERIOD_NS, start = 7 * P;
    struct park_gov g;
    park_gov_init(&g, 2.0, 1000.0);
    /* On: the next period, or the end of a reference window. */
    assert_int_equal(park_gov_next_change_ns(&g, start, start + 10), start + P);
    g.ref_due = true;
    int64_t ref_start = 10 * P;               /* every PARK_GOV_REF_EVERY periods */
    assert_int_equal(park_gov_next_change_ns(&g, ref_start, ref_start + 10),
                     ref_start + park_gov_ref_ns(&g));
    assert_int_equal(park_gov_next_change_ns(&g, ref_start, ref_start + park_gov_ref_ns(&g)),
                     ref_start + P);
    /* Sampling at 30%: the end of the attached part, then the next period. */
    park_gov_update(&g, 66667, S, S);        /* 6.67% attached: 30% */
    assert_int_equal(g.state, PARK_GOV_SAMPLING);
    int64_t end = start + (int64_t)(g.duty * (double)P);
    assert_int_equal(park_gov_next_change_ns(&g, start, start + 10), end);
    assert_int_equal(park_gov_next_change_ns(&g, start, end + 1), start + P);
    /* Off: the re-measurement window's start, then its end. */
    park_gov_update(&g, 10000000, S, 2 * S);
    assert_int_equal(g.state, PARK_GOV_OFF);
    assert_int_equal(park_gov_next_change_ns(&g, start, start), g.retry_at_ns);
    assert_int_equal(park_gov_next_change_ns(&g, start, g.retry_at_ns),
                     g.retry_at_ns + PARK_GOV_PROBE_NS);
    /* Never now or before. */
    assert_true(park_gov_next_change_ns(&g, start, g.retry_at_ns + P * 100) >
                g.retry_at_ns + P * 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meter_arithmetic),
        cmocka_unit_test(test_meter_first_seconds),
        cmocka_unit_test(test_meter_window_and_error),
        cmocka_unit_test(test_governor_follows_measured_cost),
        cmocka_unit_test(test_governor_reference_windows),
        cmocka_unit_test(test_governor_shares_the_budget),
        cmocka_unit_test(test_governor_counts_gmptop_itself),
        cmocka_unit_test(test_self_cost_arithmetic),
        cmocka_unit_test(test_self_cost_reads_this_process),
        cmocka_unit_test(test_governor_wakes_when_the_answer_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

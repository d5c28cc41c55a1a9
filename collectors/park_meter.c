/* park_meter: what the park probe costs the target, measured on the target itself rather
 * than predicted from a calibration workload. The probe's work (the breakpoint trap, the
 * BPF program, running the probed instruction) is kernel time charged to the thread that
 * hit it, so the governor's own duty cycle is an experiment: compare the target's system
 * time per second while attached with while detached, after scaling the detached figure
 * by the user time (the program's own work) of each, since a program slowed by the probe
 * also makes fewer system calls; and compare the user time itself, which is the work a
 * program whose every step waits on the traps does not get done. Pure arithmetic over
 * counts the caller reads. */
#include "collectors/park_probe.h"

#include <math.h>
#include <string.h>

void park_meter_init(struct park_meter *m, int64_t now_ns, double tick_ns)
{
    memset(m, 0, sizeof(*m));
    m->batch_start_ns = now_ns;
    m->tick_ns = tick_ns > 0 ? tick_ns : 1e7;
}

void park_meter_add(struct park_meter *m, bool attached, int64_t wall_ns, double user_ns,
                    double sys_ns, uint64_t events, int64_t now_ns)
{
    if (wall_ns <= 0)
        return;
    if (now_ns - m->batch_start_ns >= PARK_METER_BATCH_NS) {
        /* Close the open batch; the oldest falls out of the window. */
        m->head = (m->head + 1) % PARK_METER_BATCHES;
        if (m->nclosed < PARK_METER_BATCHES - 1)
            m->nclosed++;
        memset(&m->b[m->head], 0, sizeof(m->b[m->head]));
        m->batch_start_ns = now_ns;
    }
    struct park_meter_batch *b = &m->b[m->head];
    int k = attached ? 1 : 0;
    b->wall_ns[k] += (double)wall_ns;
    b->user_ns[k] += user_ns > 0 ? user_ns : 0;
    b->sys_ns[k] += sys_ns > 0 ? sys_ns : 0;
    if (attached)
        b->events += (double)events;
}

/* The estimate from the sums of the batches in use, leaving out batch skip (-1: none). */
struct pooled { double w[2], u[2], s[2], ev; };

static void pool(const struct park_meter *m, int skip, struct pooled *p)
{
    memset(p, 0, sizeof(*p));
    for (int i = 0; i <= m->nclosed; i++) {
        int idx = (m->head - i + PARK_METER_BATCHES) % PARK_METER_BATCHES;
        if (idx == skip)
            continue;
        const struct park_meter_batch *b = &m->b[idx];
        for (int k = 0; k < 2; k++) {
            p->w[k] += b->wall_ns[k];
            p->u[k] += b->user_ns[k];
            p->s[k] += b->sys_ns[k];
        }
        p->ev += b->events;
    }
}

/* Cores the probe takes while attached, and ns per event, by one of two figures
 * (kind); false without both states.
 * - METER_TRAP, the trap time: the system time attached beyond what the program's own
 *   work would make (detached system time scaled by user time attached / detached);
 * - METER_LOST, the work lost: the share of its own (user) work the program did not do
 *   while attached, times the CPU that work takes. A program whose every step waits on
 *   the traps (a channel ping-pong on one core) loses 99% of its work attached while
 *   the traps' own time, tick-sampled, reads 77-100% of a core; a server whose offered
 *   load the probe does not slow loses no work, and its trap time is the cost. */
enum meter_kind { METER_TRAP, METER_LOST, METER_KINDS };

static bool estimate(const struct pooled *p, enum meter_kind kind, double *cores,
                     double *cost_ns)
{
    if (p->w[0] < PARK_METER_MIN_NS || p->w[1] < PARK_METER_MIN_NS)
        return false;
    double u1 = p->u[1] / p->w[1], s1 = p->s[1] / p->w[1];
    double u0 = p->u[0] / p->w[0], s0 = p->s[0] / p->w[0];
    if (kind == METER_LOST) {
        *cores = u0 > 0 ? (1.0 - u1 / u0) * (u0 + s0) : 0.0;
    } else {
        /* Without user time detached there is nothing to scale by: the system time then
         * is what the program does without the probe, whatever it runs. */
        double expected = u0 > 0 ? s0 * (u1 / u0) : s0;
        *cores = s1 - expected;
    }
    double rate = p->ev * 1e9 / p->w[1];
    *cost_ns = rate > 0 ? *cores / rate * 1e9 : NAN;
    return true;
}

/* A figure's error, in cores, from the counting alone. /proc splits a thread's CPU time,
 * known to the ns, into user and system by where the timer tick found it: of a state's
 * n ticks, the k found in the kernel are a binomial count (variance k (1 - k/n), and one
 * tick more for the readings' rounding), and its user time moves by as much the other
 * way. Both figures then vary as (T0/u0)^2 (var s1 + (u1/u0)^2 var s0), T0 = u0 + s0 the
 * CPU used detached. This is what the first seconds' figures lack (the batches' spread
 * needs three of them): from 100 ms attached, one tick more is 0.1 of a core. */
static double count_err(const struct pooled *p, enum meter_kind kind, double tick_ns)
{
    double v[2];
    for (int k = 0; k < 2; k++) {
        double n = (p->u[k] + p->s[k]) / tick_ns, ns = p->s[k] / tick_ns;
        double var = n > 0 ? ns * (1.0 - ns / n) : 0.0;    /* ticks found in the kernel */
        v[k] = (var + 1.0) * tick_ns * tick_ns / (p->w[k] * p->w[k]);
    }
    double u0 = p->u[0] / p->w[0], s0 = p->s[0] / p->w[0], u1 = p->u[1] / p->w[1];
    if (!(u0 > 0))   /* the trap figure compares the system times as they are; no work
                      * detached leaves none to lose */
        return kind == METER_TRAP ? sqrt(v[1] + v[0]) : 0.0;
    double g = (u0 + s0) / u0, r = u1 / u0;
    return g * sqrt(v[1] + r * r * v[0]);
}

/* One figure over the window (all), with its error from how much it moves when one
 * batch is left out (the jackknife over loo[0..nloo), the window less each batch in
 * turn): the tick-sampled CPU times and the load itself are what vary. False without
 * both states; the errors stay NAN under three usable leave-outs. */
static bool estimate_with_error(const struct pooled *all, const struct pooled *loo, int nloo,
                                enum meter_kind kind, double *cores, double *cost,
                                double *cores_err, double *cost_err)
{
    *cores_err = *cost_err = NAN;
    if (!estimate(all, kind, cores, cost))
        return false;
    double loo_c[PARK_METER_BATCHES], loo_k[PARK_METER_BATCHES];
    int used = 0;
    for (int i = 0; i < nloo; i++) {
        double c, k;
        /* A batch that holds nearly all of one state (the 100 ms re-measurements of a
         * detached probe) cannot be left out; the others still say how the figure moves. */
        if (!estimate(&loo[i], kind, &c, &k))
            continue;
        loo_c[used] = c;
        loo_k[used] = k;
        used++;
    }
    if (used < 3)
        return true;
    double mc = 0, mk = 0;
    for (int i = 0; i < used; i++) {
        mc += loo_c[i];
        mk += loo_k[i];
    }
    mc /= used;
    mk /= used;
    double vc = 0, vk = 0;
    for (int i = 0; i < used; i++) {
        vc += (loo_c[i] - mc) * (loo_c[i] - mc);
        vk += (loo_k[i] - mk) * (loo_k[i] - mk);
    }
    *cores_err = sqrt(vc * (used - 1) / used);
    *cost_err = isnan(vk) ? NAN : sqrt(vk * (used - 1) / used);
    return true;
}

bool park_meter_estimate(const struct park_meter *m, struct park_meter_est *out)
{
    memset(out, 0, sizeof(*out));
    out->attached_cores = out->cost_ns = out->cores_err = out->cost_err_ns = NAN;
    out->cost_count_err_ns = NAN;
    struct pooled all;
    pool(m, -1, &all);
    out->attached_s = all.w[1] / 1e9;
    out->detached_s = all.w[0] / 1e9;
    /* The leave-one-batch-out pools, once for both figures (none under 3 batches). */
    struct pooled loo[PARK_METER_BATCHES];
    int nloo = m->nclosed + 1 >= 3 ? m->nclosed + 1 : 0;
    for (int i = 0; i < nloo; i++)
        pool(m, (m->head - i + PARK_METER_BATCHES) % PARK_METER_BATCHES, &loo[i]);
    double c[METER_KINDS], k[METER_KINDS], ce[METER_KINDS], ke[METER_KINDS];
    for (int i = 0; i < METER_KINDS; i++)
        if (!estimate_with_error(&all, loo, nloo, (enum meter_kind)i, &c[i], &k[i], &ce[i],
                                 &ke[i]))
            return false;
    /* The larger figure is what the target pays: each misses what the other sees. */
    int pick = c[METER_LOST] > c[METER_TRAP] ? METER_LOST : METER_TRAP;
    out->valid = true;
    out->lost_work = pick == METER_LOST;
    out->attached_cores = c[pick];
    out->cost_ns = k[pick];
    out->cores_err = ce[pick];
    out->cost_err_ns = ke[pick];
    double rate = all.ev * 1e9 / all.w[1];
    out->cost_count_err_ns = rate > 0 ? count_err(&all, (enum meter_kind)pick, m->tick_ns) /
                                            rate * 1e9 : NAN;
    return true;
}

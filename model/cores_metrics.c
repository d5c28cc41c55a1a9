/* cores_metrics: per-CPU and per-thread figures derived from two snapshots' cores sections. */
#include "model/cores_metrics.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/rates.h"
#include "base/util.h"

/* Beyond these a reading is a glitch, not a measurement: no x86 or Arm core retires more
 * than 8 instructions a cycle or runs above 10 GHz, and no CPU switches tasks 10 million
 * times a second. */
#define MAX_IPC 10.0
#define MAX_CYCLES_PER_NS 10.0
#define MAX_SWITCHES_PER_S 1e7

enum cores_level cores_level_l3(double ratio, const struct cores_thresholds *t)
{
    if (isnan(ratio))
        return CORES_LEVEL_NONE;
    double pct = ratio * 100.0;
    return pct > t->l3_red_pct ? CORES_LEVEL_CRIT
         : pct > t->l3_yellow_pct ? CORES_LEVEL_WARN : CORES_LEVEL_OK;
}

enum cores_level cores_level_dtlb(double per_cycle, const struct cores_thresholds *t)
{
    if (isnan(per_cycle))
        return CORES_LEVEL_NONE;
    return per_cycle > t->dtlb_red ? CORES_LEVEL_CRIT : CORES_LEVEL_OK;
}

static const char *errno_word(int err)
{
    switch (err) {
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EINVAL: return "EINVAL";
    case ENODEV: return "ENODEV";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case ESRCH: return "ESRCH";
    case EBUSY: return "EBUSY";
    default: return strerror(err);
    }
}

void cores_err_text(const struct cores_sample *s, int ev, int err, char *buf, size_t len)
{
    const char *name = cores_ev_name(ev);
    /* A row failing the way the headline describes gets the headline itself. */
    if (err > 0 && err == s->headline_err && s->headline[0]
        && (ev == s->headline_ev
            || (s->headline_ev == CORES_EV_CYCLES && ev < CORES_EV_HW_COUNT))) {
        util_strlcpy(buf, s->headline, len);
        return;
    }
    switch (err) {
    case 0:
        buf[0] = '\0';
        return;
    case CORES_ERR_NO_EVENT:
        snprintf(buf, len, "%s: no such event on this CPU%s", name,
                 s->l3_per_domain && (ev == CORES_EV_L3_MISS || ev == CORES_EV_L3_ACCESS)
                     ? " (amd_l3 counts whole L3 domains, not threads)" : "");
        return;
    case CORES_ERR_IMPLAUSIBLE:
        snprintf(buf, len, "%s: implausible reading (running time > enabled time)", name);
        return;
    case CORES_ERR_STOPPED:
        snprintf(buf, len, "%s: counter stopped (read returned nothing: CPU offline or "
                 "event in error state)", name);
        return;
    case CORES_ERR_BUDGET:
        snprintf(buf, len, "not counted: file-descriptor budget used up (RLIMIT_NOFILE %ld)",
                 s->fd_limit);
        return;
    case CORES_ERR_SHARED:
    case CORES_ERR_UNUSED:
        buf[0] = '\0';
        return;
    default:
        break;
    }
    if (err == EACCES || err == EPERM)
        snprintf(buf, len, "%s: %s: no permission (perf_event_paranoid %d; needs root or "
                 "CAP_PERFMON)", name, errno_word(err), s->paranoid);
    else if (err == EMFILE || err == ENFILE)
        snprintf(buf, len, "%s: %s: too many open files (RLIMIT_NOFILE %ld, %d perf fds)",
                 name, errno_word(err), s->fd_limit, s->fds);
    else if (err == ENOENT || err == EOPNOTSUPP || err == EINVAL || err == ENODEV)
        snprintf(buf, len, "%s: %s: not supported here", name, errno_word(err));
    else if (err == ESRCH)
        snprintf(buf, len, "thread exited");
    else
        snprintf(buf, len, "%s: %s", name, errno_word(err));
}

static void set_why(struct cores_metrics *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_why(struct cores_metrics *m, const char *fmt, ...)
{
    if (m->why[0])
        return;               /* the first reason is the one worth reading */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->why, sizeof(m->why), fmt, ap);
    va_end(ap);
}

static void metrics_init(struct cores_metrics *m)
{
    memset(m, 0, sizeof(*m));
    m->running_pct = m->util_pct = m->ipc = m->l3_miss_ratio = m->l3_mpki = NAN;
    m->dtlb_mpki = m->dtlb_per_cycle = m->ctx_switches_per_s = m->migrations_per_s = NAN;
}

/* One counter's scaled delta between a and b (a may be NULL); NAN + why when unknown. */
static double delta(const struct cores_sample *s, const struct cores_count *a,
                    const struct cores_count *b, int ev, struct cores_metrics *m)
{
    char text[CORES_TEXT_LEN];
    if (b->err) {
        cores_err_text(s, ev, b->err, text, sizeof(text));
        if (text[0])
            set_why(m, "%s", text);
        return NAN;
    }
    if (!a) {
        set_why(m, "first sample: rates need two");
        return NAN;
    }
    if (a->err)
        return NAN;
    if (b->value < a->value || b->enabled < a->enabled || b->running < a->running
        || b->running - a->running > b->enabled - a->enabled) {
        m->implausible = true;
        set_why(m, "%s: implausible reading (a counter or time went backwards)",
                cores_ev_name(ev));
        return NAN;
    }
    uint64_t de = b->enabled - a->enabled, dr = b->running - a->running;
    if (dr == 0) {
        set_why(m, "%s: did not run this interval (running = 0: the PMU had no free "
                "counter)", cores_ev_name(ev));
        return NAN;
    }
    if (ev < CORES_EV_HW_COUNT) {
        if (dr < de)
            m->multiplexed = true;
        double pct = 100.0 * (double)dr / (double)de;
        if (isnan(m->running_pct) || pct < m->running_pct)
            m->running_pct = pct;
    }
    double dv = (double)(b->value - a->value);
    return dr == de ? dv : dv * ((double)de / (double)dr);
}

/* An open that failed with an errno says more than anything read later: why first. */
static void errno_why(const struct cores_sample *s, const struct cores_count *c,
                      struct cores_metrics *m)
{
    for (int ev = 0; ev < CORES_EV_COUNT; ev++) {
        if (c[ev].err > 0) {
            char text[CORES_TEXT_LEN];
            cores_err_text(s, ev, c[ev].err, text, sizeof(text));
            set_why(m, "%s", text);
            return;
        }
    }
}

static double ratio(double num, double den)
{
    return isnan(num) || isnan(den) || den <= 0 ? NAN : num / den;
}

/* Figures from the counter deltas d[] (NAN where unknown) of one row. */
static void derive(const double *d, double instr_domain, double dt, uint64_t enabled_ns,
                   struct cores_metrics *m)
{
    double cyc = d[CORES_EV_CYCLES], ins = d[CORES_EV_INSTRUCTIONS];
    if (!isnan(cyc) && enabled_ns > 0 && cyc / (double)enabled_ns > MAX_CYCLES_PER_NS) {
        m->implausible = true;
        set_why(m, "implausible: %.1f GHz of cycles", cyc / (double)enabled_ns);
        cyc = NAN;
    }
    m->ipc = ratio(ins, cyc);
    if (!isnan(m->ipc) && m->ipc > MAX_IPC) {
        m->implausible = true;
        set_why(m, "implausible: IPC %.1f (no core retires more than %.0f a cycle)", m->ipc,
                MAX_IPC);
        m->ipc = ins = cyc = NAN;
        instr_domain = NAN;
    }
    double miss = d[CORES_EV_L3_MISS], acc = d[CORES_EV_L3_ACCESS];
    if (!isnan(miss) && !isnan(acc) && miss > acc) {
        m->implausible = true;
        set_why(m, "implausible: %.0f L3 misses > %.0f L3 accesses", miss, acc);
        miss = acc = NAN;
    }
    m->l3_miss_ratio = ratio(miss, acc);
    m->l3_mpki = ratio(miss * 1000.0, instr_domain);
    m->dtlb_mpki = ratio(d[CORES_EV_DTLB_MISS] * 1000.0, ins);
    m->dtlb_per_cycle = ratio(d[CORES_EV_DTLB_MISS], cyc);
    double cs = ratio(d[CORES_EV_CTX_SWITCHES], dt), mig = ratio(d[CORES_EV_MIGRATIONS], dt);
    if ((!isnan(cs) && cs > MAX_SWITCHES_PER_S) || (!isnan(mig) && mig > MAX_SWITCHES_PER_S)) {
        m->implausible = true;
        set_why(m, "implausible: %.0f switches or migrations a second", fmax(cs, mig));
        cs = mig = NAN;
    }
    m->ctx_switches_per_s = cs;
    m->migrations_per_s = mig;
}

static const struct cores_cpu *find_cpu(const struct cores_sample *s, int cpu)
{
    size_t lo = 0, hi = s->ncpus;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->cpus[mid].cpu == cpu)
            return &s->cpus[mid];
        if (s->cpus[mid].cpu < cpu)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static bool hw_available(const struct cores_count *c)
{
    for (int ev = 0; ev < CORES_EV_HW_COUNT; ev++)
        if (c[ev].err != 0 && c[ev].err != CORES_ERR_SHARED)
            return false;
    return true;
}

/* Deltas of every counter of one CPU row (prev row matched by number and gen); returns
 * the ns the cycles counter was enabled in between (0 when unknown). */
static uint64_t cpu_deltas(const struct snapshot *prev, const struct snapshot *cur,
                           const struct cores_cpu *b, double *d, struct cores_metrics *m)
{
    const struct cores_cpu *a = prev && prev->cores.valid ? find_cpu(&prev->cores, b->cpu)
                                                          : NULL;
    errno_why(&cur->cores, b->c, m);
    if (a && a->gen != b->gen) {
        set_why(m, "counters reopened: rates need two samples");
        a = NULL;
    } else if (!a && prev && prev->cores.valid) {
        set_why(m, "CPU came online since the last sample: rates need two samples");
    }
    for (int ev = 0; ev < CORES_EV_COUNT; ev++)
        d[ev] = ev == CORES_EV_TASK_CLOCK ? NAN
              : delta(&cur->cores, a ? &a->c[ev] : NULL, &b->c[ev], ev, m);
    const struct cores_count *ca = a ? &a->c[CORES_EV_CYCLES] : NULL;
    const struct cores_count *cb = &b->c[CORES_EV_CYCLES];
    return ca && cb->enabled > ca->enabled ? cb->enabled - ca->enabled : 0;
}

void cores_metrics_cpus(const struct snapshot *prev, const struct snapshot *cur,
                        struct cores_metrics *out)
{
    const struct cores_sample *s = &cur->cores;
    double dt = rates_interval_s(prev, cur);
    if (s->ncpus == 0)
        return;
    /* Deltas first: an L3 domain's MPKI needs the instructions of all its CPUs. */
    double (*d)[CORES_EV_COUNT] = calloc(s->ncpus, sizeof(*d));
    uint64_t *en = calloc(s->ncpus, sizeof(*en));
    if (!d || !en) {
        free(d);
        free(en);
        for (size_t i = 0; i < s->ncpus; i++) {
            metrics_init(&out[i]);
            set_why(&out[i], "out of memory");
        }
        return;
    }
    for (size_t i = 0; i < s->ncpus; i++) {
        metrics_init(&out[i]);
        en[i] = cpu_deltas(prev, cur, &s->cpus[i], d[i], &out[i]);
    }
    for (size_t i = 0; i < s->ncpus; i++) {
        const struct cores_cpu *c = &s->cpus[i];
        struct cores_metrics *m = &out[i];
        double dd[CORES_EV_COUNT];
        memcpy(dd, d[i], sizeof(dd));
        double instr = dd[CORES_EV_INSTRUCTIONS];
        if (s->l3_per_domain) {
            /* The uncore counts the whole L3: its misses over all its CPUs' work. */
            const struct cores_cpu *r = c->l3_reader >= 0 ? find_cpu(s, c->l3_reader) : NULL;
            size_t ri = r ? (size_t)(r - s->cpus) : 0;
            dd[CORES_EV_L3_MISS] = r ? d[ri][CORES_EV_L3_MISS] : NAN;
            dd[CORES_EV_L3_ACCESS] = r ? d[ri][CORES_EV_L3_ACCESS] : NAN;
            instr = r ? 0.0 : NAN;
            for (size_t j = 0; j < s->ncpus && r; j++)
                if (s->cpus[j].l3_reader == c->l3_reader)
                    instr += d[j][CORES_EV_INSTRUCTIONS];
            if (!r)
                set_why(m, "L3: the CPU that counts this L3 domain is offline");
        }
        derive(dd, instr, dt, en[i], m);
        m->util_pct = rates_cpu_util(prev, cur, c->cpu);
        m->available = hw_available(c->c);
        if (m->available && !m->multiplexed && !m->implausible && !isnan(m->ipc))
            m->why[0] = '\0';
    }
    free(d);
    free(en);
}

static const struct cores_thread *find_thread(const struct cores_sample *s, pid_t tid)
{
    size_t lo = 0, hi = s->nthreads;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->threads[mid].tid == tid)
            return &s->threads[mid];
        if (s->threads[mid].tid < tid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void cores_metrics_thread(const struct snapshot *prev, const struct snapshot *cur, size_t i,
                          struct cores_metrics *m)
{
    metrics_init(m);
    if (i >= cur->cores.nthreads)
        return;
    const struct cores_thread *b = &cur->cores.threads[i];
    const struct cores_thread *a = prev && prev->cores.valid
                                 ? find_thread(&prev->cores, b->tid) : NULL;
    if (a && a->gen != b->gen)
        a = NULL;
    errno_why(&cur->cores, b->c, m);
    double d[CORES_EV_COUNT];
    for (int ev = 0; ev < CORES_EV_COUNT; ev++)
        d[ev] = delta(&cur->cores, a ? &a->c[ev] : NULL, &b->c[ev], ev, m);
    double dt = rates_interval_s(prev, cur);
    uint64_t en = a && b->c[CORES_EV_CYCLES].enabled > a->c[CORES_EV_CYCLES].enabled
                ? b->c[CORES_EV_CYCLES].enabled - a->c[CORES_EV_CYCLES].enabled : 0;
    derive(d, d[CORES_EV_INSTRUCTIONS], dt, en, m);
    double tc = d[CORES_EV_TASK_CLOCK];
    m->util_pct = !isnan(tc) && dt > 0 ? 100.0 * tc / (dt * 1e9) : NAN;
    m->available = hw_available(b->c);
}

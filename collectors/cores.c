/* cores collector: one perf group per online CPU (cycles leader, instructions, L3, dTLB)
 * plus software switches and migrations, read with enabled/running times each tick. */
#include "collectors/cores.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "collectors/pmu.h"
#include "proc/proc_parse.h"
#include "base/util.h"

enum { G_HW, G_HW2, G_L3, G_SW, G_COUNT };

struct cpu_state {
    bool open;
    uint32_t gen;
    int node, l3_domain, l3_reader;
    struct perf_group g[G_COUNT];
    int16_t err[CORES_EV_COUNT];   /* why an event is not counted (from open) */
};

struct thr_state {
    pid_t tid;
    uint32_t gen;
    bool seen;
    struct perf_group g[G_COUNT];
    int16_t err[CORES_EV_COUNT];
};

struct cores_state {
    const struct perf_backend *b;
    struct perf_backend *fixture;  /* owned when the environment chose a fixture */
    const struct collector_config *cfg;  /* the session's; NULL: no per-thread counts */
    struct pmu_info pmu;
    int paranoid;
    bool have_perfmon;             /* CAP_PERFMON or CAP_SYS_ADMIN in effect */
    struct cpu_state *cpus;        /* indexed by CPU number */
    size_t ncap;
    uint64_t online[PMU_MAX_CPUS / 64];
    uint32_t next_gen;
    int fds;
    long fd_limit;
    bool tried_raise;
    char headline[CORES_TEXT_LEN];
    int headline_ev, headline_err;
    pid_t pid;
    struct thr_state *thr;
    size_t nthr, thr_cap;
    char thread_note[CORES_TEXT_LEN];
    bool thread_user_only;         /* per-thread hardware counts exclude the kernel */
};

static void threads_close_all(struct cores_state *st);

static bool bit(const uint64_t *b, long i)
{
    return i >= 0 && i < PMU_MAX_CPUS && (b[i / 64] >> (i % 64)) & 1;
}

/* ---- machine facts ------------------------------------------------------------------ */

static long read_root(const struct cores_state *st, const char *path, char *buf, size_t n)
{
    char full[600];
    snprintf(full, sizeof(full), "%s%s", st->b->root, path);
    return proc_read_file(full, buf, n);
}

static int read_paranoid(const struct cores_state *st)
{
    char buf[32];
    if (read_root(st, "/proc/sys/kernel/perf_event_paranoid", buf, sizeof(buf)) < 0)
        return -100;
    return atoi(buf);
}

/* CAP_PERFMON (38) or CAP_SYS_ADMIN (21) in CapEff: either opens per-CPU counters. */
static bool read_perfmon_cap(void)
{
    return util_has_cap(38) || util_has_cap(21);
}

static int cpu_node(const struct cores_state *st, int cpu)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/sys/devices/system/cpu/cpu%d", st->b->root, cpu);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int node = -1;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strncmp(de->d_name, "node", 4) == 0 && de->d_name[4] >= '0' && de->d_name[4] <= '9')
            node = atoi(de->d_name + 4);
    closedir(d);
    return node;
}

/* The L3 a CPU shares: cache/indexN with level 3, its id (or first sharing CPU). */
static int cpu_l3(const struct cores_state *st, int cpu)
{
    char path[160], buf[4096];
    for (int i = 0; i < 10; i++) {
        snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cache/index%d/level", cpu, i);
        if (read_root(st, path, buf, sizeof(buf)) < 0 || atoi(buf) != 3)
            continue;
        snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cache/index%d/id", cpu, i);
        if (read_root(st, path, buf, sizeof(buf)) >= 0)
            return atoi(buf);
        snprintf(path, sizeof(path),
                 "/sys/devices/system/cpu/cpu%d/cache/index%d/shared_cpu_list", cpu, i);
        if (read_root(st, path, buf, sizeof(buf)) >= 0)
            return atoi(buf);
        return -1;
    }
    return -1;
}

/* Raise the soft RLIMIT_NOFILE towards the hard one when the counters need more fds
 * (Go does the same at start-up); returns the limit in force. */
static long raise_fd_limit(long want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    if ((long)rl.rlim_cur >= want || rl.rlim_cur == rl.rlim_max)
        return (long)rl.rlim_cur;
    rlim_t old = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || (long)rl.rlim_max > want
                  ? (rlim_t)want : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        return (long)old;
    return (long)rl.rlim_cur;
}

/* ---- opening ------------------------------------------------------------------------- */

static int ensure_cpus(struct cores_state *st, size_t n)
{
    if (n <= st->ncap)
        return 0;
    size_t cap = st->ncap ? st->ncap : 64;
    while (cap < n)
        cap *= 2;
    struct cpu_state *p = realloc(st->cpus, cap * sizeof(*p));
    if (!p)
        return -ENOMEM;
    memset(p + st->ncap, 0, (cap - st->ncap) * sizeof(*p));
    st->cpus = p;
    st->ncap = cap;
    return 0;
}

static int16_t add_event(struct cores_state *st, struct perf_group *g,
                         struct perf_group *overflow, int ev, const struct perf_event_attr *a,
                         pid_t pid, int cpu)
{
    int r = perf_group_add(st->b, g, a, cores_ev_name(ev), pid, cpu, ev);
    /* A member the group cannot take (more events than counters: EINVAL at open) gets
     * a group of its own, which the kernel then multiplexes. */
    if ((r == -EINVAL || r == -E2BIG) && g->n > 0 && overflow)
        r = perf_group_add(st->b, overflow, a, cores_ev_name(ev), pid, cpu, ev);
    if (r == 0)
        st->fds++;
    return (int16_t)(r < 0 ? -r : 0);
}

/* Hardware events of one CPU or thread; uncore L3 is handled by the caller. */
static void open_hw(struct cores_state *st, struct perf_group *g, int16_t *err, pid_t pid,
                    int cpu, bool user_only)
{
    for (int ev = 0; ev < CORES_EV_HW_COUNT; ev++) {
        const struct pmu_event *pe = &st->pmu.ev[ev];
        if (!pe->present) {
            err[ev] = CORES_ERR_NO_EVENT;
            continue;
        }
        if (pe->uncore)
            continue;
        struct perf_event_attr a;
        perf_attr_init(&a, pe->type, pe->config, pe->config1);
        a.exclude_kernel = user_only;
        a.exclude_hv = user_only;
        err[ev] = add_event(st, &g[G_HW], &g[G_HW2], ev, &a, pid, cpu);
    }
}

static void open_sw(struct cores_state *st, struct perf_group *g, int16_t *err, pid_t pid,
                    int cpu)
{
    static const uint64_t sw_config[CORES_EV_COUNT] = {
        [CORES_EV_CTX_SWITCHES] = PERF_COUNT_SW_CONTEXT_SWITCHES,
        [CORES_EV_MIGRATIONS] = PERF_COUNT_SW_CPU_MIGRATIONS,
        [CORES_EV_TASK_CLOCK] = PERF_COUNT_SW_TASK_CLOCK,
    };
    for (int ev = CORES_EV_CTX_SWITCHES; ev < CORES_EV_COUNT; ev++) {
        /* task-clock of a CPU counts only while the event's task runs: meaningless
         * system-wide, so CPUs take utilisation from /proc/stat instead. */
        if (ev == CORES_EV_TASK_CLOCK && pid <= 0) {
            err[ev] = CORES_ERR_UNUSED;
            continue;
        }
        struct perf_event_attr a;
        perf_attr_init(&a, PERF_TYPE_SOFTWARE, sw_config[ev], 0);
        err[ev] = add_event(st, &g[G_SW], NULL, ev, &a, pid, cpu);
    }
}

static int find_l3_reader(const struct cores_state *st, int cpu, int domain)
{
    if (!st->pmu.have_l3_cpumask || domain < 0)
        return -1;
    if (bit(st->pmu.l3_cpumask, cpu))
        return cpu;
    for (size_t c = 0; c < st->ncap; c++)
        if (bit(st->pmu.l3_cpumask, (long)c) && cpu_l3(st, (int)c) == domain)
            return (int)c;
    return -1;
}

static void open_cpu(struct cores_state *st, int cpu)
{
    struct cpu_state *cs = &st->cpus[cpu];
    memset(cs, 0, sizeof(*cs));
    for (int i = 0; i < G_COUNT; i++)
        perf_group_init(&cs->g[i]);
    cs->open = true;
    cs->gen = ++st->next_gen;
    cs->node = cpu_node(st, cpu);
    cs->l3_domain = cpu_l3(st, cpu);
    cs->l3_reader = cpu;
    open_hw(st, cs->g, cs->err, -1, cpu, false);
    if (st->pmu.ev[CORES_EV_L3_MISS].uncore) {
        cs->l3_reader = find_l3_reader(st, cpu, cs->l3_domain);
        for (int ev = CORES_EV_L3_MISS; ev <= CORES_EV_L3_ACCESS; ev++) {
            const struct pmu_event *pe = &st->pmu.ev[ev];
            if (!pe->present)
                continue;
            if (cs->l3_reader != cpu) {
                cs->err[ev] = cs->l3_reader >= 0 ? CORES_ERR_SHARED : CORES_ERR_NO_EVENT;
                continue;
            }
            struct perf_event_attr a;
            perf_attr_init(&a, pe->type, pe->config, pe->config1);
            cs->err[ev] = add_event(st, &cs->g[G_L3], NULL, ev, &a, -1, cpu);
        }
    }
    open_sw(st, cs->g, cs->err, -1, cpu);
}

static void close_groups(struct cores_state *st, struct perf_group *g)
{
    for (int i = 0; i < G_COUNT; i++) {
        st->fds -= g[i].n;
        perf_group_close(st->b, &g[i]);
    }
}

static void close_cpu(struct cores_state *st, int cpu)
{
    close_groups(st, st->cpus[cpu].g);
    st->cpus[cpu].open = false;
}

/* ---- the headline: why hardware columns are n/a, in words ----------------------------- */

static void permission_text(const struct cores_state *st, int err, const char *what,
                            char *out, size_t len)
{
    char par[48] = "unknown";
    if (st->paranoid > -100)
        snprintf(par, sizeof(par), "%d", st->paranoid);
    snprintf(out, len,
             "no permission for %s: perf_event_open returned %s; perf_event_paranoid is %s "
             "(per-CPU counting needs 0 or lower) and gmptop lacks CAP_PERFMON: run as root, "
             "or setcap cap_perfmon+ep, or sysctl kernel.perf_event_paranoid=0",
             what, perf_errno_name(err), par);
}

/* A sentence for one failed counter (shared by the headline and the per-thread note). */
static void err_text(const struct cores_state *st, int ev, int err, char *out, size_t len)
{
    const char *name = cores_ev_name(ev);
    switch (perf_err_classify(err)) {
    case PERF_ERR_PERMISSION:
        permission_text(st, err, name, out, len);
        return;
    case PERF_ERR_UNSUPPORTED:
        if (ev < CORES_EV_HW_COUNT && !st->pmu.core_pmu[0])
            snprintf(out, len,
                     "no `cpu` PMU under /sys/bus/event_source/devices, hardware events "
                     "return %s: hardware counters are not exposed to this %s",
                     perf_errno_name(err),
                     st->pmu.hypervisor ? "VM" : "machine (no PMU driver in the kernel?)");
        else if (ev < CORES_EV_HW_COUNT)
            snprintf(out, len, "%s: perf_event_open returned %s: not supported by this "
                     "CPU's PMU (%s)", name, perf_errno_name(err), st->pmu.ev[ev].source);
        else    /* a software event: no PMU encoding to name */
            snprintf(out, len, "%s: perf_event_open returned %s: this kernel does not "
                     "offer the software event", name, perf_errno_name(err));
        return;
    case PERF_ERR_FD_LIMIT:
        snprintf(out, len, "%s: perf_event_open returned %s: out of file descriptors "
                 "(RLIMIT_NOFILE %ld, %d perf fds open; raise ulimit -n)",
                 name, perf_errno_name(err), st->fd_limit, st->fds);
        return;
    case PERF_ERR_BUSY:
        snprintf(out, len, "%s: perf_event_open returned EBUSY: another tool holds the "
                 "counters exclusively", name);
        return;
    default:
        snprintf(out, len, "%s: perf_event_open returned %s", name, perf_errno_name(err));
        return;
    }
}

static void build_headline(struct cores_state *st)
{
    /* The first error of each event over the online CPUs decides the sentence. */
    int first_err[CORES_EV_COUNT] = { 0 };
    int ok[CORES_EV_COUNT] = { 0 };
    for (size_t c = 0; c < st->ncap; c++) {
        if (!st->cpus[c].open)
            continue;
        for (int ev = 0; ev < CORES_EV_COUNT; ev++) {
            int e = st->cpus[c].err[ev];
            if (e == 0 || e == CORES_ERR_SHARED || e == CORES_ERR_UNUSED)
                ok[ev]++;
            else if (!first_err[ev])
                first_err[ev] = e;
        }
    }
    char *h = st->headline;
    size_t len = sizeof(st->headline);
    h[0] = '\0';
    st->headline_ev = -1;
    st->headline_err = 0;
    if (first_err[CORES_EV_CYCLES] > 0 && !ok[CORES_EV_CYCLES]) {
        err_text(st, CORES_EV_CYCLES, first_err[CORES_EV_CYCLES], h, len);
        st->headline_ev = CORES_EV_CYCLES;
        st->headline_err = first_err[CORES_EV_CYCLES];
    } else {
        /* Cycles work: name the first event that does not, with its reason. */
        for (int ev = 0; ev < CORES_EV_HW_COUNT && !h[0]; ev++) {
            if (!first_err[ev])
                continue;
            st->headline_ev = ev;
            st->headline_err = first_err[ev];
            if (first_err[ev] == CORES_ERR_NO_EVENT)
                snprintf(h, len, "%s n/a: %s", cores_ev_name(ev),
                         st->pmu.ev[ev].why[0] ? st->pmu.ev[ev].why : "no event on this CPU");
            else if (first_err[ev] > 0)
                err_text(st, ev, first_err[ev], h, len);
        }
    }
    int sw = first_err[CORES_EV_CTX_SWITCHES] ? CORES_EV_CTX_SWITCHES
           : first_err[CORES_EV_MIGRATIONS] ? CORES_EV_MIGRATIONS : -1;
    if (sw >= 0 && first_err[sw] > 0) {
        char t[CORES_TEXT_LEN];
        err_text(st, sw, first_err[sw], t, sizeof(t));
        size_t n = strlen(h);
        snprintf(h + n, len - n, "%s%s", n ? "; " : "", t);
    }
}

/* ---- per-thread counting (tiptop style) -------------------------------------------- */

int cores_fds_per_thread(const void *state)
{
    const struct cores_state *st = state;
    int n = 3;    /* switches, migrations, task clock */
    for (int ev = 0; ev < CORES_EV_HW_COUNT; ev++)
        n += st->pmu.ev[ev].present && !st->pmu.ev[ev].uncore;
    return n;
}


/* ---- collector interface --------------------------------------------------------------- */

void *cores_open_backend(const struct perf_backend *b, const struct target *t,
                         const struct collector_config *cfg, char *reason, size_t len)
{
    struct cores_state *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(reason, len, "calloc: %s", strerror(errno));
        return NULL;
    }
    st->b = b;
    st->cfg = cfg;
    st->pid = t ? t->pid : 0;
    pmu_detect(b->root, &st->pmu);
    st->paranoid = read_paranoid(st);
    st->have_perfmon = b->root[0] ? false : read_perfmon_cap();
    int r = b->online(b->ctx, st->online, PMU_MAX_CPUS);
    if (r < 0) {
        snprintf(reason, len, "online CPUs: %s", strerror(-r));
        free(st);
        return NULL;
    }
    long ncpu = 0, maxcpu = -1;
    for (long c = 0; c < PMU_MAX_CPUS; c++)
        if (bit(st->online, c)) {
            ncpu++;
            maxcpu = c;
        }
    /* Each CPU holds up to 7 fds: make room before the first EMFILE. */
    st->fd_limit = raise_fd_limit(64 + ncpu * (CORES_EV_COUNT + 1));
    if (ensure_cpus(st, (size_t)(maxcpu + 1)) < 0) {
        snprintf(reason, len, "calloc: %s", strerror(ENOMEM));
        free(st);
        return NULL;
    }
    for (long c = 0; c <= maxcpu; c++)
        if (bit(st->online, c))
            open_cpu(st, (int)c);
    build_headline(st);
    return st;
}

static void *cores_open(const struct target *t, const struct collector_config *cfg,
                        char *reason, size_t len)
{
    const char *fixture = getenv("GMPTOP_PERF_REPLAY");
    if (!fixture || !*fixture)
        return cores_open_backend(&perf_backend_real, t, cfg, reason, len);
    struct perf_backend *b = perf_fixture_open(fixture, reason, len);
    if (!b)
        return NULL;
    struct cores_state *st = cores_open_backend(b, t, cfg, reason, len);
    if (!st) {
        perf_fixture_free(b);
        return NULL;
    }
    st->fixture = b;
    return st;
}

static void cores_close(void *state)
{
    struct cores_state *st = state;
    if (!st)
        return;
    threads_close_all(st);
    free(st->thr);
    for (size_t c = 0; c < st->ncap; c++)
        if (st->cpus[c].open)
            close_cpu(st, (int)c);
    free(st->cpus);
    perf_fixture_free(st->fixture);
    free(st);
}

/* Follow hot-plug: close CPUs that went offline, open those that came (back) online. */
static int sync_online(struct cores_state *st, size_t *nonline)
{
    uint64_t now[PMU_MAX_CPUS / 64];
    int r = st->b->online(st->b->ctx, now, PMU_MAX_CPUS);
    if (r < 0)
        return r;
    bool changed = false;
    long maxcpu = -1;
    *nonline = 0;
    for (long c = 0; c < PMU_MAX_CPUS; c++)
        if (bit(now, c)) {
            maxcpu = c;
            (*nonline)++;
        }
    if (ensure_cpus(st, (size_t)(maxcpu + 1)) < 0)
        return -ENOMEM;
    for (size_t c = 0; c < st->ncap; c++) {
        bool on = bit(now, (long)c);
        if (st->cpus[c].open && !on) {
            close_cpu(st, (int)c);
            changed = true;
        } else if (!st->cpus[c].open && on) {
            open_cpu(st, (int)c);
            changed = true;
        }
    }
    memcpy(st->online, now, sizeof(now));
    if (changed)
        build_headline(st);
    return 0;
}

/* Read every group of one CPU or thread into counts (err from open kept). */
static void read_groups(struct cores_state *st, const struct perf_group *g,
                        const int16_t *open_err, struct cores_count *c)
{
    struct perf_reading rd[CORES_EV_COUNT];
    bool got[CORES_EV_COUNT] = { false };
    int16_t rerr[CORES_EV_COUNT] = { 0 };
    memset(rd, 0, sizeof(rd));
    for (int i = 0; i < G_COUNT; i++) {
        if (g[i].n == 0)
            continue;
        int r = perf_group_read(st->b, &g[i], rd, got, CORES_EV_COUNT);
        if (r < 0)
            for (int m = 0; m < g[i].n; m++)
                rerr[g[i].slot[m]] = (int16_t)(r == -ENODATA ? CORES_ERR_STOPPED : -r);
    }
    for (int ev = 0; ev < CORES_EV_COUNT; ev++) {
        c[ev].value = rd[ev].value;
        c[ev].enabled = rd[ev].enabled;
        c[ev].running = rd[ev].running;
        c[ev].err = open_err[ev];
        if (c[ev].err == 0 && rerr[ev])
            c[ev].err = rerr[ev];
        else if (c[ev].err == 0 && !got[ev])
            c[ev].err = CORES_ERR_STOPPED;
        else if (c[ev].err == 0 && rd[ev].running > rd[ev].enabled)
            c[ev].err = CORES_ERR_IMPLAUSIBLE;
    }
}

static void threads_close_all(struct cores_state *st)
{
    for (size_t i = 0; i < st->nthr; i++)
        close_groups(st, st->thr[i].g);
    st->nthr = 0;
}

static int cmp_thr(const void *a, const void *b)
{
    pid_t x = ((const struct thr_state *)a)->tid, y = ((const struct thr_state *)b)->tid;
    return (x > y) - (x < y);
}

/* Only the first n rows are sorted (the ones kept from the last tick). */
static struct thr_state *thr_find(struct cores_state *st, size_t n, pid_t tid)
{
    struct thr_state key = { .tid = tid };
    return n ? bsearch(&key, st->thr, n, sizeof(key), cmp_thr) : NULL;
}

/* Room for need more fds under RLIMIT_NOFILE (raising the soft limit if it can). */
static bool thread_budget(struct cores_state *st, int need)
{
    long want = st->fds + need + 32;   /* 32 for everything else gmptop opens */
    if (st->fd_limit >= 0 && want > st->fd_limit)
        st->fd_limit = raise_fd_limit(want + 64L * need);
    return st->fd_limit < 0 || want <= st->fd_limit;
}

/* Open one thread's counters; false when the thread is already gone. */
static bool open_thread(struct cores_state *st, struct thr_state *th, pid_t tid)
{
    memset(th, 0, sizeof(*th));
    for (int i = 0; i < G_COUNT; i++)
        perf_group_init(&th->g[i]);
    th->tid = tid;
    th->gen = ++st->next_gen;
    th->seen = true;
    open_hw(st, th->g, th->err, tid, -1, st->thread_user_only);
    /* perf_event_paranoid 2 lets a user count its own threads in user space only. */
    if (!st->thread_user_only
        && perf_err_classify(th->err[CORES_EV_CYCLES]) == PERF_ERR_PERMISSION) {
        close_groups(st, th->g);
        st->thread_user_only = true;
        open_hw(st, th->g, th->err, tid, -1, true);
    }
    for (int ev = 0; ev < CORES_EV_HW_COUNT; ev++)
        if (st->pmu.ev[ev].present && st->pmu.ev[ev].uncore)
            th->err[ev] = CORES_ERR_NO_EVENT;
    open_sw(st, th->g, th->err, tid, -1);
    if (th->err[CORES_EV_CTX_SWITCHES] == ESRCH) {
        close_groups(st, th->g);
        return false;
    }
    return true;
}

static int add_thread(struct cores_state *st, pid_t tid, int need)
{
    if (st->nthr == st->thr_cap) {
        size_t cap = st->thr_cap ? st->thr_cap * 2 : 32;
        struct thr_state *p = realloc(st->thr, cap * sizeof(*p));
        if (!p)
            return -ENOMEM;
        st->thr = p;
        st->thr_cap = cap;
    }
    struct thr_state *th = &st->thr[st->nthr];
    if (!thread_budget(st, need)) {
        /* Kept as a row without counters, so the pane can say why. */
        memset(th, 0, sizeof(*th));
        th->tid = tid;
        th->seen = true;
        for (int i = 0; i < G_COUNT; i++)
            perf_group_init(&th->g[i]);
        for (int ev = 0; ev < CORES_EV_COUNT; ev++)
            th->err[ev] = CORES_ERR_BUDGET;
        st->nthr++;
        return 0;
    }
    if (open_thread(st, th, tid))
        st->nthr++;
    return 0;
}

/* Says, every tick, how many threads lack counters for the fd budget or EMFILE. */
static void thread_note(struct cores_state *st)
{
    size_t total = st->nthr, skipped = 0;
    int emfile = 0;
    for (size_t i = 0; i < st->nthr; i++) {
        skipped += st->thr[i].err[CORES_EV_CTX_SWITCHES] == CORES_ERR_BUDGET;
        for (int ev = 0; ev < CORES_EV_COUNT; ev++)
            if (perf_err_classify(st->thr[i].err[ev]) == PERF_ERR_FD_LIMIT) {
                emfile++;
                break;
            }
    }
    char *n = st->thread_note;
    size_t len = sizeof(st->thread_note), used = 0;
    n[0] = '\0';
    if (skipped)
        used += (size_t)snprintf(n, len, "per-thread counters on %zu of %zu threads: each "
                                 "needs %d file descriptors and RLIMIT_NOFILE is %ld "
                                 "(ulimit -n)", total - skipped, total,
                                 cores_fds_per_thread(st), st->fd_limit);
    if (emfile && used < len)
        used += (size_t)snprintf(n + used, len - used, "%sperf_event_open returned EMFILE "
                                 "(too many open files) for %d threads, RLIMIT_NOFILE %ld",
                                 used ? "; " : "", emfile, st->fd_limit);
    if (st->thread_user_only && used < len)
        used += (size_t)snprintf(n + used, len - used, "%shardware counts are user space "
                                 "only (perf_event_paranoid %d)", used ? "; " : "",
                                 st->paranoid);
    /* A thread's event lives on one core PMU (cpu_core): time on cpu_atom is not seen. */
    if (st->pmu.hybrid && used < len)
        snprintf(n + used, len - used, "%shybrid CPU: per-thread hardware counts cover the "
                 "cpu_core (P) cores only", used ? "; " : "");
}

static void threads_sample(struct cores_state *st, struct snapshot *s)
{
    struct cores_sample *cs = &s->cores;
    cs->per_thread = st->cfg && st->cfg->cores_per_thread;
    if (!cs->per_thread) {
        threads_close_all(st);
        return;
    }
    if (s->nthreads == 0) {
        threads_close_all(st);
        snprintf(cs->thread_note, sizeof(cs->thread_note), "per-thread counting needs "
                 "the threads collector (it lists the target's threads)");
        return;
    }
    for (size_t i = 0; i < st->nthr; i++)
        st->thr[i].seen = false;
    int need = cores_fds_per_thread(st);
    size_t old = st->nthr;
    for (size_t i = 0; i < s->nthreads; i++) {
        pid_t tid = s->threads[i].tid;
        struct thr_state *th = tid > 0 ? thr_find(st, old, tid) : NULL;
        /* A row parked for the budget gets another chance once fds are free. */
        if (th && th->err[CORES_EV_CTX_SWITCHES] == CORES_ERR_BUDGET
            && thread_budget(st, need)) {
            open_thread(st, th, tid);
            th->seen = true;
        } else if (th) {
            th->seen = true;
        } else if (tid > 0 && add_thread(st, tid, need) < 0) {
            break;
        }
    }
    size_t w = 0;
    for (size_t i = 0; i < st->nthr; i++) {
        if (!st->thr[i].seen) {
            close_groups(st, st->thr[i].g);
            continue;
        }
        st->thr[w++] = st->thr[i];
    }
    st->nthr = w;
    qsort(st->thr, st->nthr, sizeof(*st->thr), cmp_thr);
    thread_note(st);
    util_strlcpy(cs->thread_note, st->thread_note, sizeof(cs->thread_note));
    cs->threads = calloc(st->nthr ? st->nthr : 1, sizeof(*cs->threads));
    if (!cs->threads)
        return;
    for (size_t i = 0; i < st->nthr; i++) {
        struct cores_thread *row = &cs->threads[cs->nthreads++];
        row->tid = st->thr[i].tid;
        row->gen = st->thr[i].gen;
        read_groups(st, st->thr[i].g, st->thr[i].err, row->c);
    }
}

static int cores_sample(void *state, const struct target *t, struct snapshot *s,
                        char *reason, size_t len)
{
    struct cores_state *st = state;
    (void)t;
    if (st->b->tick)
        st->b->tick(st->b->ctx);
    size_t nonline = 0;
    int r = sync_online(st, &nonline);
    if (r < 0) {
        snprintf(reason, len, "online CPUs: %s", strerror(-r));
        return r;
    }
    struct cores_sample *cs = &s->cores;
    cores_sample_free(cs);
    cs->cpus = calloc(nonline ? nonline : 1, sizeof(*cs->cpus));
    if (!cs->cpus) {
        snprintf(reason, len, "calloc: %s", strerror(ENOMEM));
        return -ENOMEM;
    }
    int64_t t0 = util_mono_ns();
    size_t counted = 0;
    for (size_t c = 0; c < st->ncap && cs->ncpus < nonline; c++) {
        const struct cpu_state *cp = &st->cpus[c];
        if (!cp->open)
            continue;
        struct cores_cpu *row = &cs->cpus[cs->ncpus++];
        row->cpu = (int)c;
        row->node = cp->node;
        row->l3_domain = cp->l3_domain;
        row->l3_reader = cp->l3_reader;
        row->gen = cp->gen;
        read_groups(st, cp->g, cp->err, row->c);
        for (int ev = 0; ev < CORES_EV_COUNT; ev++)
            counted += row->c[ev].err == 0;
    }
    cs->read_ns = util_mono_ns() - t0;
    threads_sample(st, s);
    cs->valid = true;
    util_strlcpy(cs->headline, st->headline, sizeof(cs->headline));
    cs->headline_ev = st->headline_ev;
    cs->headline_err = st->headline_err;
    snprintf(cs->pmu, sizeof(cs->pmu), "%s", st->pmu.table);
    cs->paranoid = st->paranoid;
    cs->l3_per_domain = st->pmu.ev[CORES_EV_L3_MISS].uncore;
    cs->fd_limit = st->fd_limit;
    cs->fds = st->fds;
    util_strlcpy(reason, st->headline, len);
    if (counted == 0 && nonline > 0) {
        /* Nothing at all could be counted: say so as unavailable, rows keep the why. */
        int e = 0;
        for (size_t c = 0; c < st->ncap && !e; c++)
            if (st->cpus[c].open && st->cpus[c].err[CORES_EV_CTX_SWITCHES] > 0)
                e = st->cpus[c].err[CORES_EV_CTX_SWITCHES];
        return -(e ? e : ENOENT);
    }
    return 0;
}

static bool cores_probe(char *reason, size_t len)
{
    if (access("/proc/sys/kernel/perf_event_paranoid", R_OK) != 0) {
        snprintf(reason, len, "kernel without perf events (access "
                 "/proc/sys/kernel/perf_event_paranoid: %s)", strerror(errno));
        return false;
    }
    struct pmu_info *p = malloc(sizeof(*p));
    if (!p) {
        snprintf(reason, len, "malloc: %s", strerror(ENOMEM));
        return false;
    }
    pmu_detect("", p);
    if (p->core_pmu[0])
        snprintf(reason, len, "%s", p->table);
    else
        snprintf(reason, len, "software events only: no `cpu` PMU under %s%s", PMU_DEVICES,
                 p->hypervisor ? " (a VM)" : "");
    free(p);
    return true;
}

const struct collector_ops cores_collector = {
    .name = "cores",
    .summary = "per-CPU perf counters: IPC, L3 and dTLB misses, switches, migrations",
    .pane = "cores",
    .probe = cores_probe,
    .open = cores_open,
    .sample = cores_sample,
    .close = cores_close,
};

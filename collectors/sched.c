/* sched: the Go scheduler read live from the target's memory (Ps, Ms, global queue,
 * goroutine census), plus a background sampler of every P's runqueue at --sched-hz. */
#include "config.h"

#include "collectors/collector.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "target/go_binary.h"
#include "target/go_globals.h"
#include "target/go_offsets.h"
#include "proc/proc_parse.h"
#include "base/util.h"
#include "collectors/sched_quota.h"
#include "collectors/sched_read.h"
#include "collectors/goroutines_read.h"

/* Runqueue statistics the sampler thread accumulates between two ticks. */
struct runq_stats {
    uint32_t max[SCHED_MAX_PS];
    uint64_t sum[SCHED_MAX_PS];
    uint32_t n[SCHED_MAX_PS];
};

/* Where one runtime time histogram lives and how it is laid out. */
struct hist_source {
    bool ok;
    uint64_t addr;                       /* of the timeHistogram in the target */
    struct go_timehist_layout layout;
    struct go_timehist_members members;  /* offsets inside the timeHistogram */
    uint8_t buf[GO_TIMEHIST_MAX_RAW * 8 + 64];
};

struct sched_state {
    pid_t pid;
    struct mem_reader mem;
    struct go_offsets off;
    struct sched_layout layout;
    struct sched_scratch scratch;
    int64_t census_budget_ns;
    /* goroutine groups: read once a second at most, carried into the ticks between */
    struct gr_reader *groups;
    char groups_why[COLLECTOR_REASON_LEN];
    int64_t groups_budget_ns;
    int64_t groups_next_ns;
    struct goroutines_sample groups_last;
    uint64_t dropped;
    char note[COLLECTOR_REASON_LEN];
    struct hist_source lat, gcp;
    int32_t env_gomaxprocs;        /* GOMAXPROCS=n in the target's environment, else 0 */
    uint64_t ncpu;                 /* runtime.ncpu's address (Go < 1.25), 0 unknown */
    int32_t ncpu_value;            /* its value, read once: set at start-up; 0 not yet */
    struct sched_quota_cache quota;

    /* sampler thread */
    pthread_t thread;
    bool thread_running;
    atomic_bool stop;
    double hz;
    pthread_mutex_t lock;          /* guards pptrs/npptrs and stats */
    uint64_t pptrs[SCHED_MAX_PS];
    size_t npptrs;
    struct runq_stats stats;
    pid_t sampler_pid;
    struct mem_reader sampler_mem;
};

/* GOMAXPROCS from /proc/PID/environ (the environment the program started with, which
 * is what the runtime read); 0 when unset, not a positive number, or unreadable. */
static int32_t env_gomaxprocs(pid_t pid)
{
    char path[64], buf[65536];
    snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
    long n = proc_read_file(path, buf, sizeof(buf) - 1);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    for (const char *e = buf; e < buf + n; e += strlen(e) + 1) {
        if (strncmp(e, "GOMAXPROCS=", 11) != 0)
            continue;
        char *end;
        long v = strtol(e + 11, &end, 10);
        return end != e + 11 && *end == '\0' && v > 0 && v <= SCHED_MAX_PS ? (int32_t)v : 0;
    }
    return 0;
}

/* Who set GOMAXPROCS. Go 1.25+ says custom or automatic (sched_read); a custom value
 * equal to the environment's came from it. Older runtimes keep no flag: the runtime's
 * own choice was runtime.ncpu, and a value equal to neither that nor the environment's
 * was set by the program. */
static void gomaxprocs_source(struct sched_state *st, struct sched_sample *out)
{
    int32_t env = st->env_gomaxprocs;
    if (out->gomaxprocs_source == GOMAXPROCS_SRC_PROGRAM) {
        if (env > 0 && env == out->gomaxprocs)
            out->gomaxprocs_source = GOMAXPROCS_SRC_ENV;
        return;
    }
    if (out->gomaxprocs_source != GOMAXPROCS_SRC_UNKNOWN)
        return;
    int32_t ncpu = 0;
    if (!st->ncpu_value && st->ncpu && target_mem_read(&st->mem, st->ncpu, &ncpu, 4) == 0 &&
        ncpu > 0)
        st->ncpu_value = ncpu;
    ncpu = st->ncpu_value;
    if (env > 0 && env == out->gomaxprocs)
        out->gomaxprocs_source = GOMAXPROCS_SRC_ENV;
    else if (ncpu > 0)
        out->gomaxprocs_source = ncpu == out->gomaxprocs && env <= 0 ? GOMAXPROCS_SRC_RUNTIME
                                                                   : GOMAXPROCS_SRC_PROGRAM;
}

static bool sched_probe(char *reason, size_t len)
{
    (void)reason;
    (void)len;
    return true;
}

static void *sampler_main(void *arg)
{
    struct sched_state *st = arg;
    pthread_setname_np(pthread_self(), "gmptop-runq");   /* as top -H and htop show it */
    int64_t period = (int64_t)(1e9 / st->hz);
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    uint64_t pptrs[SCHED_MAX_PS];
    uint32_t runq[SCHED_MAX_PS];
    while (!atomic_load(&st->stop)) {
        next.tv_nsec += period;
        while (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            next.tv_sec++;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        pthread_mutex_lock(&st->lock);
        size_t n = st->npptrs;
        memcpy(pptrs, st->pptrs, n * sizeof(pptrs[0]));
        pthread_mutex_unlock(&st->lock);
        if (n == 0)
            continue;
        if (sched_read_runqs(&st->sampler_mem, &st->off, pptrs, n, runq) < 0)
            continue;
        pthread_mutex_lock(&st->lock);
        /* Only count samples for the P set they were read from. */
        if (st->npptrs == n && memcmp(st->pptrs, pptrs, n * sizeof(pptrs[0])) == 0) {
            for (size_t i = 0; i < n; i++) {
                if (runq[i] == UINT32_MAX)
                    continue;
                if (runq[i] > st->stats.max[i])
                    st->stats.max[i] = runq[i];
                st->stats.sum[i] += runq[i];
                st->stats.n[i]++;
            }
        }
        pthread_mutex_unlock(&st->lock);
    }
    return NULL;
}

static uint64_t global_addr(const struct go_offsets *off, enum go_global g, uint64_t bias)
{
    return off->global[g] ? off->global[g] + bias : 0;
}

static int resolve_layout(struct sched_state *st, const struct target *t, char *reason,
                          size_t len)
{
    char path[64], why[COLLECTOR_REASON_LEN] = "";
    snprintf(path, sizeof(path), "/proc/%d/exe", (int)t->pid);
    if (go_offsets_load(t->bin, path, &st->off, why, sizeof(why)) != 0) {
        snprintf(reason, len, "%s", why);
        return -ENOTSUP;
    }
    util_strlcpy(st->note, why, sizeof(st->note));
    if (sched_layout_check(&st->off, reason, len) < 0)
        return -ENOTSUP;
    uint64_t bias = 0;
    int rc = go_binary_load_bias(t->bin, t->pid, &bias);
    if (rc < 0) {
        snprintf(reason, len, "cannot find the load address of %s: %s", t->exe,
                 strerror(-rc));
        return rc;
    }
    /* Stripped binary: find the globals from the code that uses them, and keep only
     * those whose contents check out in the live process. */
    if (!st->off.global[GO_GLOBAL_ALLP] || !st->off.global[GO_GLOBAL_SCHED]) {
        char gwhy[COLLECTOR_REASON_LEN] = "";
        if (go_globals_resolve(path, t->bin, &st->off, &st->mem, bias, t->pid, gwhy,
                               sizeof(gwhy)) != 0) {
            snprintf(reason, len, "%s: runtime globals not found in the stripped binary: %s",
                     st->off.go_version, gwhy);
            return -ENOTSUP;
        }
        util_strlcpy(st->note, "stripped: globals found from code references and verified",
                     sizeof(st->note));
    }
    struct sched_layout *l = &st->layout;
    l->off = &st->off;
    l->allp = global_addr(&st->off, GO_GLOBAL_ALLP, bias);
    l->sched = global_addr(&st->off, GO_GLOBAL_SCHED, bias);
    l->gomaxprocs = global_addr(&st->off, GO_GLOBAL_GOMAXPROCS, bias);
    l->allgs = global_addr(&st->off, GO_GLOBAL_ALLGS, bias);
    l->memstats = global_addr(&st->off, GO_GLOBAL_MEMSTATS, bias);
    l->allm = global_addr(&st->off, GO_GLOBAL_ALLM, bias);
    st->ncpu = global_addr(&st->off, GO_GLOBAL_NCPU, bias);
    if (!l->allp || !l->sched || !l->gomaxprocs) {
        snprintf(reason, len, "%s: runtime.allp/sched not found (%s)", st->off.go_version,
                 why[0] ? why : "no symbols");
        return -ENOTSUP;
    }
    uint64_t wrs = global_addr(&st->off, GO_GLOBAL_WAITREASONSTRINGS, bias);
    int64_t nwr = st->off.field[GO_WAITREASONSTRINGS_LEN];
    if (wrs && nwr > 0)
        sched_read_reasons(&st->mem, l, wrs, (size_t)nwr);
    return 0;
}

/* Set up one histogram source: base is the containing global's runtime address and
 * off the histogram's offset in it. A layout that does not match the version is left
 * off (ok = false), never guessed. */
static void hist_setup(struct sched_state *st, struct hist_source *h, uint64_t base,
                       int64_t off)
{
    const struct go_offsets *o = &st->off;
    char why[128];
    h->ok = false;
    if (!base || off < 0 || o->field[GO_TIMEHIST_NBUCKETS] <= 0)
        return;
    if (go_timehist_layout_for(o->go_version, (size_t)o->field[GO_TIMEHIST_NBUCKETS],
                               &h->layout, why, sizeof(why)) != 0)
        return;
    h->members = (struct go_timehist_members){
        .counts = o->field[GO_TIMEHIST_COUNTS], .underflow = o->field[GO_TIMEHIST_UNDERFLOW],
        .overflow = o->field[GO_TIMEHIST_OVERFLOW], .size = o->field[GO_TIMEHIST_SIZE],
    };
    if (h->members.size <= 0 || (size_t)h->members.size > sizeof(h->buf))
        return;
    h->addr = base + (uint64_t)off;
    h->ok = true;
}

static void hist_read(struct sched_state *st, struct hist_source *h,
                      struct timehist_sample *out)
{
    out->valid = false;
    if (!h->ok || target_mem_read(&st->mem, h->addr, h->buf, (size_t)h->members.size) != 0)
        return;
    out->raw = malloc(go_timehist_raw_size(&h->layout));
    if (!out->raw)
        return;
    char why[128];
    if (go_timehist_raw_from_bytes(&h->layout, h->buf, (size_t)h->members.size, &h->members,
                                   out->raw, why, sizeof(why)) != 0) {
        free(out->raw);
        out->raw = NULL;
        return;
    }
    out->layout = h->layout;
    out->valid = true;
}

static void sched_close(void *state);

static void *sched_open(const struct target *t, const struct collector_config *cfg,
                        char *reason, size_t len)
{
    struct sched_state *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(reason, len, "out of memory");
        return NULL;
    }
    st->pid = t->pid;
    st->sampler_pid = t->pid;
    st->mem = target_mem_live(&st->pid);
    st->sampler_mem = target_mem_live(&st->sampler_pid);
    st->census_budget_ns = cfg->census_budget_ns;
    st->hz = cfg->sched_hz;
    st->env_gomaxprocs = env_gomaxprocs(t->pid);
    pthread_mutex_init(&st->lock, NULL);
    if (!t->bin || resolve_layout(st, t, reason, len) < 0) {
        if (!t->bin)
            snprintf(reason, len, "no Go binary");
        sched_close(st);
        return NULL;
    }
    hist_setup(st, &st->lat, st->layout.sched, st->off.field[GO_SCHED_TIMETORUN]);
    /* The GC pause histogram moved from memstats (1.19) into schedt (1.22+). */
    if (st->off.field[GO_SCHED_STWTOTALTIMEGC] >= 0)
        hist_setup(st, &st->gcp, st->layout.sched, st->off.field[GO_SCHED_STWTOTALTIMEGC]);
    else
        hist_setup(st, &st->gcp, st->layout.memstats, st->off.field[GO_MSTATS_GCPAUSEDIST]);
    /* Derived layouts cover the scheduler and the census, not the runtime's histograms:
     * say so rather than show an empty latency line without a reason. */
    if (st->off.source == GO_OFFSETS_DERIVED && !st->lat.ok) {
        size_t used = strlen(st->note);
        snprintf(st->note + used, sizeof(st->note) - used, "%shistograms n/a: not derived",
                 used ? "; " : "");
    }
    st->groups_budget_ns = cfg->groups_budget_ns;
    if (st->groups_budget_ns > 0)
        st->groups = gr_reader_open(t, &st->mem, &st->layout, st->groups_why,
                                    sizeof(st->groups_why));
    else
        snprintf(st->groups_why, sizeof(st->groups_why), "off (budget 0)");
    /* A thread of our own so the samples are spread evenly whatever the TUI is doing. */
    if (st->hz > 0 && pthread_create(&st->thread, NULL, sampler_main, st) == 0)
        st->thread_running = true;
    return st;
}

/* Fold the sampler's statistics into the rows of this tick and restart them. */
static void merge_runq_stats(struct sched_state *st, struct sched_sample *out)
{
    pthread_mutex_lock(&st->lock);
    bool same = st->npptrs == st->scratch.npptrs &&
                memcmp(st->pptrs, st->scratch.pptrs, st->npptrs * sizeof(uint64_t)) == 0;
    for (size_t i = 0; same && i < out->nps; i++) {
        struct p_sample *p = &out->ps[i];
        uint32_t n = st->stats.n[i];
        if (st->stats.max[i] > p->runq_max && n)
            p->runq_max = st->stats.max[i];
        p->runq_mean = (double)(st->stats.sum[i] + p->runq) / (double)(n + 1);
    }
    for (size_t i = 0; !same && i < out->nps; i++)
        out->ps[i].runq_mean = out->ps[i].runq;
    memset(&st->stats, 0, sizeof(st->stats));
    st->npptrs = st->scratch.npptrs;
    memcpy(st->pptrs, st->scratch.pptrs, st->npptrs * sizeof(uint64_t));
    pthread_mutex_unlock(&st->lock);
}

static void read_gc(struct sched_state *st, struct sched_sample *out)
{
    out->gc_cycles = -1;
    out->gc_last_pause_ns = -1;
    const struct go_offsets *o = &st->off;
    int64_t numgc = o->field[GO_MSTATS_NUMGC], pause = o->field[GO_MSTATS_PAUSE_NS];
    int64_t plen = o->field[GO_MSTATS_PAUSE_NS_LEN];
    if (!st->layout.memstats || numgc < 0 || pause < 0 || plen <= 0)
        return;
    uint32_t n;
    if (target_mem_read(&st->mem, st->layout.memstats + (uint64_t)numgc, &n, 4) != 0)
        return;
    out->gc_cycles = n;
    if (n == 0)
        return;
    uint64_t ns;
    uint64_t slot = ((uint64_t)n + (uint64_t)plen - 1) % (uint64_t)plen;
    if (target_mem_read(&st->mem, st->layout.memstats + (uint64_t)pause + slot * 8, &ns, 8) == 0)
        out->gc_last_pause_ns = (int64_t)ns;
}

/* Goroutine groups once a second (stacks are costlier than the census); the ticks in
 * between carry the last read, marked stale. */
static void sample_groups(struct sched_state *st, struct snapshot *s)
{
    if (!st->groups) {
        snapshot_set_status(s, "goroutines", false, st->groups_why);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
    char why[COLLECTOR_REASON_LEN] = "";
    if (now >= st->groups_next_ns) {
        st->groups_next_ns = now + 950000000LL;   /* a 1 s refresh is never skipped */
        if (gr_reader_read(st->groups, st->groups_budget_ns, s->cpuprof, &st->groups_last,
                           why, sizeof(why)) < 0) {
            goroutines_sample_free(&st->groups_last);
            st->groups_last.valid = false;
        }
        goroutines_sample_copy(&s->goroutines, &st->groups_last);
    } else {
        goroutines_sample_copy(&s->goroutines, &st->groups_last);
        s->goroutines.stale = true;
    }
    if (!s->goroutines.valid) {
        snapshot_set_status(s, "goroutines", false, why[0] ? why : "not read");
        return;
    }
    if (s->goroutines.sampled)
        snprintf(why, sizeof(why), "sampled: %lld of %lld goroutines read",
                 (long long)s->goroutines.read, (long long)s->goroutines.total);
    snapshot_set_status(s, "goroutines", true, why);
}

static int sched_sample(void *state, const struct target *t, struct snapshot *s,
                        char *reason, size_t len)
{
    struct sched_state *st = state;
    struct sched_sample *out = &s->sched;
    int rc = -EAGAIN;
    /* Reads race with the running scheduler; a torn read is retried twice, then the
     * tick is dropped and counted — never shown. */
    for (int attempt = 0; attempt < 3 && rc == -EAGAIN; attempt++)
        rc = sched_read(&st->mem, &st->layout, &st->scratch, out, reason, len);
    if (rc == -EAGAIN)
        st->dropped++;
    out->dropped = st->dropped;
    sched_quota_read_cached("", t->pid, t->bin ? go_binary_version(t->bin) : NULL,
                            t->bin ? go_binary_default_godebug(t->bin) : "", &st->quota,
                            util_mono_ns(), out);
    if (rc < 0) {
        out->valid = false;
        return rc == -ESRCH ? -ESRCH : (rc == -EAGAIN ? -EAGAIN : rc);
    }
    merge_runq_stats(st, out);
    gomaxprocs_source(st, out);
    read_gc(st, out);
    hist_read(st, &st->lat, &s->sched_latency);
    hist_read(st, &st->gcp, &s->gc_pauses);
    char why[COLLECTOR_REASON_LEN] = "";
    if (sched_read_census(&st->mem, &st->layout, &st->scratch, st->census_budget_ns, out,
                          why, sizeof(why)) < 0)
        out->census_valid = false;
    sample_groups(st, s);
    static const char *const from[] = {
        [GO_OFFSETS_DWARF] = "layout from DWARF",
        [GO_OFFSETS_TABLE] = "layout from the offset table",
        [GO_OFFSETS_DERIVED] = "layout derived from the binary, verified live",
    };
    snprintf(reason, len, "%s%s%s", from[st->off.source], st->note[0] ? "; " : "", st->note);
    return 0;
}

static void sched_close(void *state)
{
    struct sched_state *st = state;
    if (!st)
        return;
    if (st->thread_running) {
        atomic_store(&st->stop, true);
        pthread_join(st->thread, NULL);
    }
    gr_reader_close(st->groups);
    sched_quota_cache_close(&st->quota);
    goroutines_sample_free(&st->groups_last);
    sched_scratch_free(&st->scratch);
    sched_layout_free(&st->layout);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

const struct collector_ops sched_collector = {
    .name = "sched",
    .summary = "Go scheduler from the target's memory: Ps, Ms, runqueues, goroutines",
    .pane = "sched",
    .probe = sched_probe,
    .open = sched_open,
    .sample = sched_sample,
    .close = sched_close,
};

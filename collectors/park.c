/* park: goroutine park and wake-to-run latency per wait reason from one BPF uprobe on
 * runtime.casgstatus, kept under an overhead budget by the governor (park_governor.c). */
#include "config.h"

#include "collectors/collector.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "target/go_binary.h"
#include "target/go_globals.h"
#include "target/go_offsets.h"
#include "base/util.h"
#include "collectors/budget_ledger.h"
#include "collectors/bpf_log.h"
#include "collectors/park_probe.h"
#include "collectors/self_cost.h"
#include "collectors/sched_read.h"
#include "proc/proc_parse.h"

#ifdef HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/park.h"
#include "bpf/park.skel.h"

_Static_assert(PARK_SLOTS == SNAPSHOT_PARK_SLOTS, "bpf/park.h and snapshot_park.h slots");
_Static_assert((int)PARK_C_COUNT == (int)PARK_EV_COUNT, "bpf/park.h and snapshot_park.h counters");

#define CALIB_ROUNDS 5
#define CALIB_CYCLES 100          /* x 3 events per cycle, per round */

struct park_state {
    pid_t pid;
    int pidfd;                    /* -1 when pidfd_open is missing: poll kill(pid, 0) */
    char exe[64];                 /* /proc/PID/exe: the kernel follows it to the inode */
    uint64_t file_off;            /* where the uprobe goes */
    struct park_probe_point point;
    struct park_bpf *skel;
    int ncpu;
    struct park_hist *hbuf;       /* ncpu values of one per-CPU map entry */
    struct park_counters *cbuf;
    struct park_counters *cbuf_gov;  /* the governor thread's own */
    char (*names)[SCHED_REASON_LEN];
    size_t nnames;
    uint64_t epoch;
    double cost_ns;

    /* shared with the governor thread, under lock */
    pthread_mutex_t lock;
    struct park_gov gov;
    struct bpf_link *link;
    struct bpf_link *calib_link;  /* destroyed by the governor thread, or at close */
    int64_t attached_since_ns;    /* when link was made */
    int64_t attached_total_ns;    /* closed windows */
    bool target_gone;
    char attach_err[COLLECTOR_REASON_LEN];

    int64_t attached_read_ns;     /* attached total at the last governor step */
    uint64_t calls_read;          /* PARK_C_CALLS at the last governor step */

    /* The meter (park_meter.c): the target's CPU times at the last mark, which the
     * governor thread sets at every attach, detach and step. */
    struct park_meter meter;
    struct park_meter_est meter_est;
    struct self_cost self;        /* the governor thread's own */
    double self_pct;              /* its figure: gmptop's own CPU on busy CPUs; NAN */
    int wake_fd;                  /* eventfd: close wakes the governor thread; or -1 */
    int64_t mark_ns;
    double mark_user_ns, mark_sys_ns;
    uint64_t mark_calls;
    bool mark_ok;
    pthread_t thread;
    bool thread_running;
    atomic_bool stop;
};

/* The capability BPF uprobes need that this process lacks, or NULL when it has them:
 * CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN (kernels before 5.8 know only that one).
 * Effective bits, not the uid: root in a container or under a reduced bounding set
 * lacks them too. */
static const char *missing_cap(void)
{
    /* Numbers, not CAP_BPF/CAP_PERFMON: older uapi headers lack those names. */
    bool sys_admin = util_has_cap(21), perfmon = util_has_cap(38), bpf = util_has_cap(39);
    if (sys_admin || (bpf && perfmon))
        return NULL;
    return !bpf ? "CAP_BPF" : "CAP_PERFMON";
}

static bool park_probe_fn(char *reason, size_t len)
{
    const char *cap = missing_cap();
    if (cap) {
        snprintf(reason, len, "needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN) to place "
                 "uprobes; this gmptop has no %s (%s)", cap,
                 geteuid() == 0 ? "root, but the capability is not in its set"
                                : "run it as root, e.g. with sudo");
        return false;
    }
    if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
        snprintf(reason, len, "the kernel has no BTF (/sys/kernel/btf/vmlinux: %s); "
                 "CONFIG_DEBUG_INFO_BTF is needed", strerror(errno));
        return false;
    }
    return true;
}

static int64_t attached_ns_locked(const struct park_state *st, int64_t now)
{
    return st->attached_total_ns + (st->link ? now - st->attached_since_ns : 0);
}

/* Called with lock held. */
static void attach_locked(struct park_state *st)
{
    LIBBPF_OPTS(bpf_uprobe_opts, uo, .retprobe = false);
    /* A new window: starts recorded before it may have ended unseen. */
    __atomic_add_fetch(&st->skel->bss->gen, 1, __ATOMIC_RELAXED);
    int64_t t0 = util_mono_ns();
    struct bpf_link *l = bpf_program__attach_uprobe_opts(st->skel->progs.on_casgstatus,
                                                         st->pid, st->exe, st->file_off, &uo);
    if (!l) {
        int e = errno;
        char msg[512], bpf_msg[160];
        bpf_log_last(bpf_msg, sizeof(bpf_msg));
        snprintf(msg, sizeof(msg), "attach uprobe at %s+0x%llx: %s%s%s", st->exe,
                 (unsigned long long)st->file_off, strerror(e), bpf_msg[0] ? "; " : "",
                 bpf_msg);
        util_strlcpy(st->attach_err, msg, sizeof(st->attach_err));
        return;
    }
    st->attach_err[0] = '\0';
    st->link = l;
    /* The breakpoint went in somewhere during the call (several ms here). */
    st->attached_since_ns = t0 + (util_mono_ns() - t0) / 2;
}

/* Stop the attached-time clock and hand back the link to destroy outside the lock:
 * destroying it waits for the kernel to retire the uprobe (about 100 ms here), long after
 * the breakpoint itself is gone, and samples must not wait for that. */
static struct bpf_link *detach_begin_locked(struct park_state *st)
{
    struct bpf_link *l = st->link;
    if (l) {
        st->attached_total_ns += util_mono_ns() - st->attached_since_ns;
        st->link = NULL;
    }
    return l;
}

static void detach_locked(struct park_state *st)
{
    bpf_link__destroy(detach_begin_locked(st));
}

/* Waits up to timeout_ms, less when close wakes it; whether the target exited. */
static bool target_exited(struct park_state *st, int timeout_ms)
{
    if (st->pidfd >= 0) {
        struct pollfd p[2] = { { .fd = st->pidfd, .events = POLLIN },
                               { .fd = st->wake_fd, .events = POLLIN } };
        return poll(p, st->wake_fd >= 0 ? 2 : 1, timeout_ms) > 0 &&
               (p[0].revents & (POLLIN | POLLHUP | POLLERR));
    }
    usleep((useconds_t)timeout_ms * 1000);
    return kill(st->pid, 0) != 0 && errno == ESRCH;
}

static int read_counters(struct park_state *st, struct park_counters *buf,
                         uint64_t out[PARK_C_COUNT]);

/* The unit /proc/PID/stat gives CPU times in, in ns (USER_HZ; 100 where unsaid). */
static double stat_tick_ns(void)
{
    static double ns;
    if (ns == 0.0) {
        long tck = sysconf(_SC_CLK_TCK);
        ns = 1e9 / (double)(tck > 0 ? tck : 100);
    }
    return ns;
}

/* The target's user and system CPU time so far, in ns (all its threads). */
static bool target_cpu_ns(pid_t pid, double *user_ns, double *sys_ns)
{
    struct proc_stat ps;
    if (target_read_stat(pid, &ps) != 0)
        return false;
    *user_ns = (double)ps.utime * stat_tick_ns();
    *sys_ns = (double)ps.stime * stat_tick_ns();
    return true;
}

/* The probe's calls so far, or UINT64_MAX when the counters map cannot be read. */
static uint64_t calls_now(struct park_state *st)
{
    uint64_t ev[PARK_C_COUNT];
    return read_counters(st, st->cbuf_gov, ev) < 0 ? UINT64_MAX : ev[PARK_C_CALLS];
}

/* Close the meter's interval since the last mark, during which the probe was attached
 * or not (was_attached), and start the next; calls: the probe's calls so far (from
 * calls_now, or the governor step's own read of the counters). Called with lock held
 * (or before the governor thread starts), at every attach and detach (before the one
 * and right after the breakpoint goes) and governor step. */
static void meter_mark_locked(struct park_state *st, bool was_attached, int64_t now,
                              uint64_t calls)
{
    double u, sy;
    if (calls == UINT64_MAX || !target_cpu_ns(st->pid, &u, &sy)) {
        st->mark_ok = false;
        return;
    }
    if (st->mark_ok)
        park_meter_add(&st->meter, was_attached, now - st->mark_ns, u - st->mark_user_ns,
                       sy - st->mark_sys_ns, calls - st->mark_calls, now);
    st->mark_ok = true;
    st->mark_ns = now;
    st->mark_user_ns = u;
    st->mark_sys_ns = sy;
    st->mark_calls = calls;
}

/* One governor decision from the events and attached time since the last one. */
static void governor_step(struct park_state *st, int64_t now)
{
    uint64_t ev[PARK_C_COUNT];
    if (read_counters(st, st->cbuf_gov, ev) < 0)
        return;
    double self = self_cost_update(&st->self, now);
    ledger_report(LEDGER_SELF, self);
    pthread_mutex_lock(&st->lock);
    st->self_pct = self;
    meter_mark_locked(st, st->link != NULL, now, ev[PARK_C_CALLS]);
    park_meter_estimate(&st->meter, &st->meter_est);
    double span = st->meter_est.attached_s + st->meter_est.detached_s;
    park_gov_set_measured(&st->gov, &st->meter_est,
                          span > 0 ? st->meter_est.attached_s / span : 0.0);
    park_gov_set_others(&st->gov, ledger_get(LEDGER_CPUPROF));
    park_gov_set_self(&st->gov, self);
    int64_t att = attached_ns_locked(st, now);
    park_gov_update(&st->gov, ev[PARK_C_CALLS] - st->calls_read, att - st->attached_read_ns,
                    now);
    ledger_report(LEDGER_PARK, park_gov_est_pct(&st->gov));
    st->calls_read = ev[PARK_C_CALLS];
    st->attached_read_ns = att;
    pthread_mutex_unlock(&st->lock);
}

/* Decides (every period, the first time soon after the attach, whatever the refresh
 * interval), attaches and detaches on the governor's schedule, and removes the probe the
 * moment the target exits (its pidfd turns readable): nothing outlives either process. */
static void *gov_main(void *arg)
{
    struct park_state *st = arg;
    pthread_setname_np(pthread_self(), "gmptop-park");   /* as top -H and htop show it */
    pthread_mutex_lock(&st->lock);
    struct bpf_link *calib = st->calib_link;
    st->calib_link = NULL;
    pthread_mutex_unlock(&st->lock);
    bpf_link__destroy(calib);
    int64_t period_start = util_mono_ns();
    int64_t next_step = period_start + PARK_GOV_FIRST_STEP_NS;
    while (!atomic_load(&st->stop)) {
        int64_t now = util_mono_ns();
        if (now >= next_step) {
            governor_step(st, now);
            pthread_mutex_lock(&st->lock);
            bool attached = st->link != NULL;
            pthread_mutex_unlock(&st->lock);
            next_step = now + (attached ? PARK_GOV_STEP_NS : PARK_GOV_IDLE_STEP_NS);
        }
        while (now - period_start >= PARK_GOV_PERIOD_NS)
            period_start += PARK_GOV_PERIOD_NS;
        pthread_mutex_lock(&st->lock);
        bool want = park_gov_want_attached(&st->gov, period_start, now);
        struct bpf_link *gone = NULL;
        if (want && !st->link) {
            meter_mark_locked(st, false, now, calls_now(st));
            attach_locked(st);
            /* Attached, the target pays from now: the next decision comes soon. */
            if (next_step > now + PARK_GOV_STEP_NS)
                next_step = now + PARK_GOV_STEP_NS;
        } else if (!want && st->link) {
            gone = detach_begin_locked(st);
            meter_mark_locked(st, true, util_mono_ns(), calls_now(st));
        }
        int64_t next = park_gov_next_change_ns(&st->gov, period_start, now);
        pthread_mutex_unlock(&st->lock);
        bpf_link__destroy(gone);
        if (next_step < next)
            next = next_step;
        int64_t wait_ms = (next - now + 999999) / 1000000;
        if (wait_ms < 1)
            wait_ms = 1;
        /* Without a pidfd the exit is polled for: not much later than it happens. */
        if (st->pidfd < 0 && wait_ms > 50)
            wait_ms = 50;
        if (target_exited(st, (int)wait_ms)) {
            pthread_mutex_lock(&st->lock);
            detach_locked(st);
            st->target_gone = true;
            pthread_mutex_unlock(&st->lock);
            break;
        }
    }
    return NULL;
}

static int read_counters(struct park_state *st, struct park_counters *buf,
                         uint64_t out[PARK_C_COUNT])
{
    uint32_t zero = 0;
    size_t sz = (size_t)st->ncpu * sizeof(*buf);
    memset(out, 0, sizeof(uint64_t) * PARK_C_COUNT);
    int rc = bpf_map__lookup_elem(st->skel->maps.counters, &zero, sizeof(zero), buf, sz, 0);
    if (rc)
        return rc < 0 ? rc : -EIO;
    for (int c = 0; c < st->ncpu; c++)
        for (int k = 0; k < PARK_C_COUNT; k++)
            out[k] += buf[c].c[k];
    return 0;
}

static int read_hist(struct park_state *st, uint32_t idx, struct park_hist_sample *out)
{
    size_t sz = (size_t)st->ncpu * sizeof(*st->hbuf);
    memset(out, 0, sizeof(*out));
    int rc = bpf_map__lookup_elem(st->skel->maps.hists, &idx, sizeof(idx), st->hbuf, sz, 0);
    if (rc)
        return rc < 0 ? rc : -EIO;
    for (int c = 0; c < st->ncpu; c++) {
        const struct park_hist *h = &st->hbuf[c];
        out->count += h->count;
        out->sum_ns += h->sum_ns;
        if (h->max_ns > out->max_ns)
            out->max_ns = h->max_ns;
        for (int i = 0; i < PARK_SLOTS; i++)
            out->slots[i] += h->slots[i];
    }
    return 0;
}

/* Zero the per-CPU maps after calibration, so counts start at the target's attach. */
static int reset_maps(struct park_state *st)
{
    memset(st->hbuf, 0, (size_t)st->ncpu * sizeof(*st->hbuf));
    memset(st->cbuf, 0, (size_t)st->ncpu * sizeof(*st->cbuf));
    for (uint32_t i = 0; i < PARK_NHISTS; i++)
        if (bpf_map__update_elem(st->skel->maps.hists, &i, sizeof(i), st->hbuf,
                                 (size_t)st->ncpu * sizeof(*st->hbuf), BPF_ANY))
            return -errno;
    uint32_t zero = 0;
    if (bpf_map__update_elem(st->skel->maps.counters, &zero, sizeof(zero), st->cbuf,
                             (size_t)st->ncpu * sizeof(*st->cbuf), BPF_ANY))
        return -errno;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* This thread's CPU time: what the calibration's loops cost, without the time another
 * task held the CPU. Timed by the wall clock, a loaded machine (the saturated server
 * the probe is meant for, a parallel build) preempted most rounds and the median round
 * read 18-36 us an event where the probe costs 0.6-4 us: the governor then detached. */
static int64_t thread_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return util_mono_ns();
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Time the probe on a function of gmptop's own with the same kind of first instruction
 * as the target's probe point, running the same program on the same kind of arguments:
 * what the trap, the instruction's emulation or single-step and the program cost here. */
static int calibrate(struct park_state *st, const uint8_t *fake_g, char *reason, size_t len)
{
    void (*fn)(void) = park_calib_fn(st->point.kind);
    uint64_t off;
    int rc = park_self_offset((const void *)fn, &off, reason, len);
    if (rc < 0)
        return rc;
    int64_t base[CALIB_ROUNDS], with[CALIB_ROUNDS];
    uint64_t gp = (uint64_t)(uintptr_t)fake_g;
    for (int r = 0; r < CALIB_ROUNDS; r++) {
        int64_t t0 = thread_cpu_ns();
        for (int i = 0; i < CALIB_CYCLES; i++) {
            park_calib_call(fn, gp, PARK_G_RUNNING, PARK_G_WAITING);
            park_calib_call(fn, gp, PARK_G_WAITING, PARK_G_RUNNABLE);
            park_calib_call(fn, gp, PARK_G_RUNNABLE, PARK_G_RUNNING);
        }
        base[r] = thread_cpu_ns() - t0;
    }
    LIBBPF_OPTS(bpf_uprobe_opts, uo, .retprobe = false);
    struct bpf_link *l = bpf_program__attach_uprobe_opts(st->skel->progs.on_casgstatus,
                                                         getpid(), "/proc/self/exe", off, &uo);
    if (!l) {
        int e = errno;
        char bpf_msg[160];
        bpf_log_last(bpf_msg, sizeof(bpf_msg));
        snprintf(reason, len, "attach the calibration uprobe: %s%s%s", strerror(e),
                 bpf_msg[0] ? "; " : "", bpf_msg);
        return -e;
    }
    for (int r = 0; r < CALIB_ROUNDS; r++) {
        int64_t t0 = thread_cpu_ns();
        for (int i = 0; i < CALIB_CYCLES; i++) {
            park_calib_call(fn, gp, PARK_G_RUNNING, PARK_G_WAITING);
            park_calib_call(fn, gp, PARK_G_WAITING, PARK_G_RUNNABLE);
            park_calib_call(fn, gp, PARK_G_RUNNABLE, PARK_G_RUNNING);
        }
        with[r] = thread_cpu_ns() - t0;
    }
    /* Nothing calls the calibration function again; the governor thread destroys the
     * link, so the ~100 ms the kernel takes to retire a uprobe does not delay the attach. */
    st->calib_link = l;
    uint64_t ev[PARK_C_COUNT];
    rc = read_counters(st, st->cbuf, ev);
    if (rc == 0 && ev[PARK_C_CALLS] != (uint64_t)CALIB_ROUNDS * CALIB_CYCLES * 3) {
        snprintf(reason, len, "calibration saw %llu of %d probe hits",
                 (unsigned long long)ev[PARK_C_CALLS], CALIB_ROUNDS * CALIB_CYCLES * 3);
        return -EIO;
    }
    qsort(base, CALIB_ROUNDS, sizeof(base[0]), cmp_i64);
    qsort(with, CALIB_ROUNDS, sizeof(with[0]), cmp_i64);
    /* Medians: one preempted round does not move the figure. */
    double d = (double)(with[CALIB_ROUNDS / 2] - base[CALIB_ROUNDS / 2]);
    st->cost_ns = d > 0 ? d / (CALIB_CYCLES * 3.0) : 0.0;
    bpf_map__delete_elem(st->skel->maps.starts, &gp, sizeof(gp), 0);
    bpf_map__delete_elem(st->skel->maps.runnable, &gp, sizeof(gp), 0);
    return reset_maps(st);
}

/* Wait reason names from runtime.waitReasonStrings (stripped: found from code). */
static void load_names(struct park_state *st, const struct target *t, struct go_offsets *off)
{
    uint64_t bias = 0;
    if (go_binary_load_bias(t->bin, t->pid, &bias) < 0)
        return;
    pid_t pid = t->pid;
    struct mem_reader mem = target_mem_live(&pid);
    if (!off->global[GO_GLOBAL_WAITREASONSTRINGS]) {
        char why[COLLECTOR_REASON_LEN];
        go_globals_resolve(st->exe, t->bin, off, &mem, bias, t->pid, why, sizeof(why));
    }
    int64_t n = off->field[GO_WAITREASONSTRINGS_LEN];
    if (!off->global[GO_GLOBAL_WAITREASONSTRINGS] || n <= 0)
        return;
    struct sched_layout l = { .off = off };
    if (sched_read_reasons(&mem, &l, off->global[GO_GLOBAL_WAITREASONSTRINGS] + bias,
                           (size_t)n) == 0) {
        st->names = l.reasons;
        st->nnames = l.nreasons;
    }
}

static void park_close(void *state);

/* Where the probe goes: runtime.casgstatus, past its stack check, on an emulated
 * instruction when one comes before the arguments are touched. */
static int place_probe(struct park_state *st, const struct target *t, char *reason, size_t len)
{
    uint64_t addr = 0, size = 0;
    if (go_binary_lookup(t->bin, "runtime.casgstatus", &addr, &size) < 0) {
        snprintf(reason, len, "runtime.casgstatus not found in %s", t->exe);
        return -ENOENT;
    }
    uint8_t code[64];
    size_t n = size && size < sizeof(code) ? (size_t)size : sizeof(code);
    int rc = park_read_code(st->exe, addr, code, n, reason, len);
    if (rc < 0)
        return rc;
    char why[COLLECTOR_REASON_LEN];
    if (park_entry_check(code, n, true, why, sizeof(why)) != 0) {   /* casgstatus: nosplit */
        snprintf(reason, len, "runtime.casgstatus at 0x%" PRIx64 ": %s; not attaching", addr,
                 why);
        return -ENOEXEC;
    }
    park_probe_choose(code, n, &st->point);
    return park_file_offset(st->exe, addr + st->point.offset, &st->file_off, reason, len);
}

static void *park_open(const struct target *t, const struct collector_config *cfg,
                       char *reason, size_t len)
{
    if (!(cfg->bpf_budget_pct > 0)) {
        snprintf(reason, len, "off (--bpf-budget 0)");
        return NULL;
    }
    if (!t->bin) {
        snprintf(reason, len, "no Go binary");
        return NULL;
    }
    if (strcmp(go_binary_arch(t->bin), "amd64") != 0) {
        snprintf(reason, len, "the probe reads amd64 register arguments; this is a "
                 "GOARCH=%s program", go_binary_arch(t->bin));
        return NULL;
    }
    int minor = util_go_minor(go_binary_version(t->bin));
    if (minor >= 0 && minor < 17) {
        snprintf(reason, len, "%s passes arguments on the stack; the probe reads Go 1.17+ "
                 "register arguments", go_binary_version(t->bin));
        return NULL;
    }
    struct park_state *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(reason, len, "out of memory");
        return NULL;
    }
    static uint64_t epochs;
    st->epoch = ++epochs;
    st->pid = t->pid;
    st->pidfd = -1;
    st->wake_fd = -1;
    pthread_mutex_init(&st->lock, NULL);
    snprintf(st->exe, sizeof(st->exe), "/proc/%d/exe", (int)t->pid);
    bpf_log_quiet();

    struct go_offsets off;
    char why[COLLECTOR_REASON_LEN] = "";
    if (go_offsets_load(t->bin, st->exe, &off, why, sizeof(why)) != 0 ||
        off.field[GO_G_WAITREASON] < 0) {
        snprintf(reason, len, "g.waitreason offset unknown: %s", why[0] ? why : "no layout");
        goto fail;
    }
    if (place_probe(st, t, reason, len) < 0)
        goto fail;
    st->ncpu = libbpf_num_possible_cpus();
    if (st->ncpu <= 0) {
        snprintf(reason, len, "cannot count the possible CPUs: %s", strerror(-st->ncpu));
        goto fail;
    }
    st->hbuf = calloc((size_t)st->ncpu, sizeof(*st->hbuf));
    st->cbuf = calloc((size_t)st->ncpu, sizeof(*st->cbuf));
    st->cbuf_gov = calloc((size_t)st->ncpu, sizeof(*st->cbuf_gov));
    st->skel = park_bpf__open();
    char bpf_msg[160];
    if (!st->hbuf || !st->cbuf || !st->cbuf_gov || !st->skel) {
        bpf_log_last(bpf_msg, sizeof(bpf_msg));
        snprintf(reason, len, "open the BPF object: %s", st->skel ? "out of memory"
                 : (bpf_msg[0] ? bpf_msg : strerror(errno)));
        goto fail;
    }
    st->skel->rodata->waitreason_off = (uint32_t)off.field[GO_G_WAITREASON];
    int rc = park_bpf__load(st->skel);
    if (rc) {
        snprintf(reason, len, "load the BPF program: %s%s%s", strerror(-rc),
                 bpf_log_last(bpf_msg, sizeof(bpf_msg))[0] ? "; " : "", bpf_msg);
        goto fail;
    }
    uint8_t fake_g[512] = { 0 };
    if (off.field[GO_G_WAITREASON] < (int64_t)sizeof(fake_g))
        fake_g[off.field[GO_G_WAITREASON]] = 1;
    if (calibrate(st, fake_g, reason, len) < 0)
        goto fail;
    load_names(st, t, &off);
    st->pidfd = (int)syscall(SYS_pidfd_open, t->pid, 0);
    st->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    self_cost_init(&st->self);
    st->self_pct = NAN;
    park_gov_init(&st->gov, cfg->bpf_budget_pct, st->cost_ns);
    park_meter_init(&st->meter, util_mono_ns(), stat_tick_ns());
    meter_mark_locked(st, false, util_mono_ns(), calls_now(st));
    st->gov.budget_note = cfg->bpf_budget_note;
    /* Attached before open returns: what follows the attach is seen from its start. */
    attach_locked(st);
    if (!st->link) {
        snprintf(reason, len, "%s", st->attach_err);
        goto fail;
    }
    if (pthread_create(&st->thread, NULL, gov_main, st) != 0) {
        snprintf(reason, len, "pthread_create: %s", strerror(errno));
        goto fail;
    }
    st->thread_running = true;
    return st;
fail:
    park_close(st);
    return NULL;
}

static const char *reason_name(const struct park_state *st, uint32_t r, char *buf, size_t len)
{
    if (r < st->nnames && st->names[r][0])
        return st->names[r];
    snprintf(buf, len, "reason %u", r);
    return buf;
}

static int park_sample(void *state, const struct target *t, struct snapshot *s,
                       char *reason, size_t len)
{
    (void)t;
    struct park_state *st = state;
    struct park_sample *out = &s->park;
    uint64_t ev[PARK_C_COUNT];
    int rc = read_counters(st, st->cbuf, ev);
    if (rc < 0) {
        snprintf(reason, len, "read the counters map: %s", strerror(-rc));
        return rc;
    }
    size_t cap = 0, n = 0;
    for (uint32_t i = 0; i < PARK_MAX_REASONS; i++) {
        struct park_hist_sample h;
        if (read_hist(st, i, &h) < 0 || h.count == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            struct park_hist_sample *nr = realloc(out->reasons, cap * sizeof(*nr));
            if (!nr)
                break;
            out->reasons = nr;
        }
        h.reason = (int32_t)i;
        char buf[24];
        util_strlcpy(h.name, reason_name(st, i, buf, sizeof(buf)), sizeof(h.name));
        out->reasons[n++] = h;
    }
    out->nreasons = n;
    read_hist(st, PARK_HIST_WAKE, &out->wake);
    out->wake.reason = -1;
    util_strlcpy(out->wake.name, "wake-to-run", sizeof(out->wake.name));
    memcpy(out->events, ev, sizeof(out->events));

    int64_t now = util_mono_ns();
    pthread_mutex_lock(&st->lock);
    int64_t att = attached_ns_locked(st, now);
    out->state = st->gov.state;
    out->duty = st->gov.state == PARK_GOV_OFF ? 0.0 : st->gov.duty;
    out->events_per_s = st->gov.rate;
    out->full_overhead_pct = park_gov_full_pct(&st->gov);
    out->est_overhead_pct = park_gov_est_pct(&st->gov);
    out->gov_cost_ns = st->gov.cost_ns;
    out->cost_measured = st->gov.cost_measured;
    out->ref_windows = st->gov.state == PARK_GOV_ON && st->gov.ref_due;
    out->measured_overhead_pct = st->gov.measured_pct;
    out->measured_err_pct = st->gov.measured_err_pct;
    out->measured_cost_ns = st->meter_est.valid ? st->meter_est.cost_ns : NAN;
    out->measured_cost_err_ns = st->meter_est.valid ? st->meter_est.cost_err_ns : NAN;
    out->self_overhead_pct = st->self_pct;
    if (st->target_gone) {
        out->state = PARK_GOV_UNAVAILABLE;
        snprintf(out->why, sizeof(out->why), "the target exited; the probe is removed");
    } else if (st->attach_err[0]) {
        snprintf(out->why, sizeof(out->why), "%s", st->attach_err);
    } else {
        snprintf(out->why, sizeof(out->why), "%s", st->gov.why);
    }
    bool gone = st->target_gone;
    pthread_mutex_unlock(&st->lock);

    out->valid = true;
    snprintf(out->probe, sizeof(out->probe), "runtime.casgstatus+0x%x (%s%s)",
             st->point.offset, st->point.insn,
             st->point.kind == PARK_INSN_EMULATED ? ", emulated" : ", single-stepped");
    out->epoch = st->epoch;
    out->budget_pct = st->gov.budget_pct;
    out->cost_ns = st->cost_ns;
    out->attached_s = (double)att / 1e9;
    snprintf(reason, len, "%s", out->why);
    return gone ? -ESRCH : 0;
}

static void park_close(void *state)
{
    struct park_state *st = state;
    if (!st)
        return;
    if (st->thread_running) {
        atomic_store(&st->stop, true);
        if (st->wake_fd >= 0)
            (void)!write(st->wake_fd, &(uint64_t){ 1 }, sizeof(uint64_t));
        pthread_join(st->thread, NULL);
    }
    detach_locked(st);
    ledger_report(LEDGER_PARK, 0.0);
    ledger_report(LEDGER_SELF, 0.0);
    if (st->wake_fd >= 0)
        close(st->wake_fd);
    bpf_link__destroy(st->calib_link);
    if (st->skel)
        park_bpf__destroy(st->skel);
    if (st->pidfd >= 0)
        close(st->pidfd);
    pthread_mutex_destroy(&st->lock);
    free(st->names);
    free(st->hbuf);
    free(st->cbuf);
    free(st->cbuf_gov);
    free(st);
}

#else /* !HAVE_BPF */

static bool park_probe_fn(char *reason, size_t len)
{
    snprintf(reason, len, "gmptop was built without BPF (configure --disable-bpf, or "
             "libbpf, clang or bpftool missing)");
    return false;
}

static void *park_open(const struct target *t, const struct collector_config *cfg,
                       char *reason, size_t len)
{
    (void)t;
    (void)cfg;
    park_probe_fn(reason, len);
    return NULL;
}

static int park_sample(void *state, const struct target *t, struct snapshot *s,
                       char *reason, size_t len)
{
    (void)state;
    (void)t;
    (void)s;
    return park_probe_fn(reason, len) ? 0 : -ENOTSUP;
}

static void park_close(void *state) { (void)state; }

#endif

const struct collector_ops park_collector = {
    .name = "park",
    .summary = "goroutine park and wake-to-run latency per wait reason (BPF uprobe)",
    .pane = "latency",
    .probe = park_probe_fn,
    .open = park_open,
    .sample = park_sample,
    .close = park_close,
};

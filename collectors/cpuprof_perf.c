/* cpuprof_perf: cpu-clock sampling with user call chains through perf rings: one event
 * per CPU with a BPF filter that keeps the target's samples where BPF is allowed, else
 * one event per thread of the target. */
#define _GNU_SOURCE /* sched_setaffinity, sched_getcpu (the switch-cost calibration) */
#include "collectors/cpuprof_perf.h"

#include <dirent.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "collectors/cpuprof_filter.h"
#include "proc/proc_parse.h"

/* x86-64 perf register numbers (asm/perf_regs.h; not every libc ships it). */
#define REG_X86_SP 7
#define REG_X86_R14 22
#define REGS_MASK ((1ULL << REG_X86_SP) | (1ULL << REG_X86_R14))
#define STACK_DUMP 8                /* the word at sp: a leaf's return address */
#define RING_PAGES 8                /* data pages per thread: 32 KiB, ~50 samples of
                                     * 64 frames; drained every 100 ms at <= 1 kHz */
#define RING_PAGES_CPU 16           /* per CPU: two threads' worth (a CPU's samples may
                                     * come from any of the target's threads) */

/* One event and its ring: a thread's (tid, cpu -1) or a CPU's (tid -1). */
struct thread_ring {
    pid_t tid;
    int cpu;
    int fd;
    void *map;
    bool seen;                      /* in the latest thread list */
};

struct cpuprof_perf {
    pid_t pid;
    double hz;
    bool user_only;                 /* kernel-mode time not sampled (paranoid 2) */
    bool per_cpu;                   /* one event per CPU, filtered by BPF */
    struct cpuprof_filter *filter;
    char mode_why[192];             /* why per-thread: what refused per-CPU */
    int threads;                    /* per-CPU: the target's threads at the last sync */
    size_t page, pages;             /* data pages per ring */
    struct thread_ring *t;
    size_t n, cap;
    cpuprof_sample_fn fn;           /* per-CPU drain: the caller's, behind a pid check */
    void *fn_arg;
    uint8_t scratch[65536];         /* one record that wraps the ring end */
};

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

int cpuprof_perf_parse(const void *rec, size_t len, struct cpuprof_raw *out)
{
    const uint8_t *p = rec, *end = p + len;
    struct perf_event_header h;
    if (len < sizeof(h))
        return -EINVAL;
    memcpy(&h, p, sizeof(h));
    if (h.type != PERF_RECORD_SAMPLE || h.size > len || h.size < sizeof(h))
        return -EINVAL;
    end = p + h.size;
    p += sizeof(h);
    /* IP, TID, TIME, CPU: 8 + 8 + 8 + 8, then the call chain count. */
    if (end - p < 40)
        return -EINVAL;
    memset(out, 0, offsetof(struct cpuprof_raw, ips));
    out->ip = rd64(p);
    uint32_t u32[2];
    memcpy(u32, p + 8, 8);
    out->pid = (pid_t)u32[0];
    out->tid = (pid_t)u32[1];
    out->time_ns = rd64(p + 16);
    memcpy(u32, p + 24, 8);
    out->cpu = u32[0];
    out->in_kernel = (h.misc & PERF_RECORD_MISC_CPUMODE_MASK) == PERF_RECORD_MISC_KERNEL;
    uint64_t nr = rd64(p + 32);
    p += 40;
    if (nr > (uint64_t)(end - p) / 8)
        return -EINVAL;
    bool user = false;
    for (uint64_t i = 0; i < nr; i++) {
        uint64_t ip = rd64(p + i * 8);
        if (ip >= (uint64_t)PERF_CONTEXT_MAX) {
            user = ip == (uint64_t)PERF_CONTEXT_USER;
            continue;
        }
        if (!user)
            continue;
        if (out->nips == CPUPROF_MAX_DEPTH) {
            out->truncated = true;
            continue;
        }
        out->ips[out->nips++] = ip;
    }
    p += nr * 8;
    if (end - p < 8)
        return -EINVAL;
    uint64_t abi = rd64(p);
    p += 8;
    if (abi != PERF_SAMPLE_REGS_ABI_NONE) {
        if (end - p < 16)
            return -EINVAL;
        out->sp = rd64(p);          /* registers in bit order: SP (7), R14 (22) */
        out->r14 = rd64(p + 8);
        out->have_regs = abi == PERF_SAMPLE_REGS_ABI_64;
        p += 16;
    }
    if (end - p < 8)
        return -EINVAL;
    uint64_t size = rd64(p);
    p += 8;
    if (size) {
        if (size > (uint64_t)(end - p) || end - p - (ptrdiff_t)size < 8)
            return -EINVAL;
        uint64_t dyn = rd64(p + size);
        if (dyn >= 8 && size >= 8) {
            out->ret = rd64(p);
            out->have_ret = true;
        }
    }
    return 0;
}

static int sys_perf_open(struct perf_event_attr *a, pid_t tid, int cpu)
{
    long fd = syscall(SYS_perf_event_open, a, tid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
    return fd < 0 ? -errno : (int)fd;
}

static void attr_fill(struct perf_event_attr *a, double hz, bool user_only)
{
    memset(a, 0, sizeof(*a));
    a->size = sizeof(*a);
    a->type = PERF_TYPE_SOFTWARE;
    a->config = PERF_COUNT_SW_CPU_CLOCK;
    a->freq = 1;
    a->sample_freq = (uint64_t)(hz + 0.5);
    a->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
                     PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
    a->sample_regs_user = REGS_MASK;
    a->sample_stack_user = STACK_DUMP;
    /* User frames only: kernel frames would need kallsyms and a looser paranoid level,
     * and a system call's time is the user frame's that made it, as in pprof. */
    a->exclude_callchain_kernel = 1;
    a->sample_max_stack = CPUPROF_MAX_DEPTH + 8;   /* <= kernel.perf_event_max_stack (127) */
    a->use_clockid = 1;
    a->clockid = CLOCK_MONOTONIC;
    a->disabled = 0;
    /* perf_event_paranoid 2 lets a user sample its own process in user mode only. */
    a->exclude_kernel = user_only;
    a->exclude_hv = user_only;
}

void cpuprof_perf_explain(int err, char *why, size_t len)
{
    char par[16] = "?", buf[32];
    if (proc_read_file("/proc/sys/kernel/perf_event_paranoid", buf, sizeof(buf) - 1) > 0)
        snprintf(par, sizeof(par), "%d", atoi(buf));
    switch (err) {
    case EACCES:
    case EPERM:
        snprintf(why, len, "perf_event_open refused (%s): needs CAP_PERFMON (or root), or "
                 "kernel.perf_event_paranoid <= 1 for a process of the same user "
                 "(it is %s)", err == EACCES ? "EACCES" : "EPERM", par);
        break;
    case ENOENT:
    case EOPNOTSUPP:
    case EINVAL:
    case ENOSYS:
        snprintf(why, len, "the kernel cannot sample cpu-clock with user call chains "
                 "(perf_event_open: %s)", strerror(err));
        break;
    case EMFILE:
    case ENFILE:
        snprintf(why, len, "out of file descriptors for the per-thread samplers (%s)",
                 strerror(err));
        break;
    default:
        snprintf(why, len, "perf_event_open: %s", strerror(err));
    }
}

/* A thread's event (cpu -1) or a CPU's (tid -1). A CPU's starts disabled: it samples
 * every task there until its filter is attached. */
static int ring_open(struct cpuprof_perf *p, pid_t tid, int cpu, struct thread_ring *r)
{
    struct perf_event_attr a;
    attr_fill(&a, p->hz, p->user_only);
    a.disabled = tid < 0;
    int fd = sys_perf_open(&a, tid, cpu);
    if (fd < 0)
        return fd;
    void *m = mmap(NULL, p->page * (1 + p->pages), PROT_READ | PROT_WRITE, MAP_SHARED,
                   fd, 0);
    if (m == MAP_FAILED) {
        int e = errno;
        close(fd);
        return -e;
    }
    *r = (struct thread_ring){ .tid = tid, .cpu = cpu, .fd = fd, .map = m, .seen = true };
    return 0;
}

static void ring_close(struct cpuprof_perf *p, struct thread_ring *r)
{
    if (r->map)
        munmap(r->map, p->page * (1 + p->pages));
    if (r->fd >= 0)
        close(r->fd);
    r->map = NULL;
    r->fd = -1;
}

static bool ring_room(struct cpuprof_perf *p)
{
    if (p->n < p->cap)
        return true;
    struct thread_ring *nt = realloc(p->t, 2 * p->cap * sizeof(*nt));
    if (!nt)
        return false;
    p->t = nt;
    p->cap *= 2;
    return true;
}

static void rings_close(struct cpuprof_perf *p)
{
    /* The filter's links first: they hold the events. */
    cpuprof_filter_close(p->filter);
    p->filter = NULL;
    for (size_t i = 0; i < p->n; i++)
        ring_close(p, &p->t[i]);
    p->n = 0;
}

/* One event per CPU (offline CPUs refuse theirs: skipped), each behind the filter, then
 * enabled. 0, or -1 with why in p->mode_why and nothing left open. */
static int percpu_open(struct cpuprof_perf *p)
{
    char *why = p->mode_why;
    size_t len = sizeof(p->mode_why);
    p->filter = cpuprof_filter_open(p->pid, why, len);
    if (!p->filter)
        return -1;
    p->pages = RING_PAGES_CPU;
    long ncpu = sysconf(_SC_NPROCESSORS_CONF);
    for (int c = 0; c < ncpu && c < 4096; c++) {
        if (!ring_room(p)) {
            snprintf(why, len, "out of memory");
            goto fail;
        }
        int rc = ring_open(p, -1, c, &p->t[p->n]);
        if (rc == -ENODEV || rc == -ENXIO)
            continue;
        if (rc < 0) {
            snprintf(why, len, "per-CPU events refused on CPU %d: %s", c, strerror(-rc));
            goto fail;
        }
        p->n++;
        rc = cpuprof_filter_attach(p->filter, p->t[p->n - 1].fd);
        if (rc < 0) {
            snprintf(why, len, "the per-CPU filter did not attach: %s", strerror(-rc));
            goto fail;
        }
    }
    if (!p->n) {
        snprintf(why, len, "no CPU took a per-CPU event");
        goto fail;
    }
    for (size_t i = 0; i < p->n; i++)
        if (ioctl(p->t[i].fd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
            snprintf(why, len, "enable the per-CPU event: %s", strerror(errno));
            goto fail;
        }
    p->per_cpu = true;
    return 0;
fail:
    rings_close(p);
    return -1;
}

struct cpuprof_perf *cpuprof_perf_open(pid_t pid, double hz, char *why, size_t len)
{
    struct cpuprof_perf *p = calloc(1, sizeof(*p));
    if (!p) {
        snprintf(why, len, "out of memory");
        return NULL;
    }
    p->pid = pid;
    p->hz = hz;
    p->page = (size_t)sysconf(_SC_PAGESIZE);
    p->cap = 16;
    p->t = calloc(p->cap, sizeof(*p->t));
    if (!p->t) {
        free(p);
        snprintf(why, len, "out of memory");
        return NULL;
    }
    /* GMPTOP_CPUPROF_PER_THREAD=1: the per-thread events even where per-CPU ones work
     * (scripts/bench-governor.sh compares the two). */
    const char *force = getenv("GMPTOP_CPUPROF_PER_THREAD");
    if (force && strcmp(force, "1") == 0)
        snprintf(p->mode_why, sizeof(p->mode_why), "GMPTOP_CPUPROF_PER_THREAD=1");
    else if (percpu_open(p) == 0)
        return p;
    p->pages = RING_PAGES;
    int rc = ring_open(p, pid, -1, &p->t[0]);
    if (rc == -EACCES || rc == -EPERM) {
        p->user_only = true;
        if (ring_open(p, pid, -1, &p->t[0]) == 0)
            rc = 0;
        else
            p->user_only = false;
    }
    if (rc < 0) {
        if (rc == -ESRCH)
            snprintf(why, len, "the target exited");
        else
            cpuprof_perf_explain(-rc, why, len);
        free(p->t);
        free(p);
        return NULL;
    }
    p->n = 1;
    return p;
}

void cpuprof_perf_close(struct cpuprof_perf *p)
{
    if (!p)
        return;
    rings_close(p);
    free(p->t);
    free(p);
}

/* The rings are kept sorted by tid between syncs: a lookup in the first nsorted. */
static struct thread_ring *find_ring(struct cpuprof_perf *p, size_t nsorted, pid_t tid)
{
    size_t lo = 0, hi = nsorted;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->t[mid].tid == tid)
            return &p->t[mid];
        if (p->t[mid].tid < tid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int by_tid(const void *a, const void *b)
{
    const struct thread_ring *x = a, *y = b;
    return (x->tid > y->tid) - (x->tid < y->tid);
}

/* Per-CPU events follow the target's threads by themselves: only whether it still runs
 * and how many threads it has. The task directory's link count is the thread count + 2,
 * from a stat(2) that touches no thread (/proc/PID/stat sums over every thread: 3.5x the
 * time on the loaded server, 10 times a second). A zombie keeps its leader counted, so
 * at one thread the state decides. */
static int percpu_sync(struct cpuprof_perf *p, char *note, size_t len)
{
    char path[64];
    struct stat sb;
    snprintf(path, sizeof(path), "/proc/%d/task", (int)p->pid);
    if (stat(path, &sb) != 0)
        return -ESRCH;
    long threads = sb.st_nlink > 2 ? (long)sb.st_nlink - 2 : 0;
    if (threads <= 1) {
        char buf[1024];
        struct proc_stat ps;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)p->pid);
        long n = proc_read_file(path, buf, sizeof(buf) - 1);
        if (n <= 0 || proc_parse_stat(buf, (size_t)n, &ps) < 0 || ps.state == 'Z' ||
            ps.state == 'X')
            return -ESRCH;
        threads = ps.num_threads;
    }
    if (note && len)
        note[0] = '\0';
    p->threads = threads > 0 ? (int)threads : 1;
    return p->threads;
}

int cpuprof_perf_sync(struct cpuprof_perf *p, char *note, size_t len)
{
    if (p->per_cpu)
        return percpu_sync(p, note, len);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/task", (int)p->pid);
    DIR *d = opendir(path);
    if (!d)
        return -ESRCH;
    for (size_t i = 0; i < p->n; i++)
        p->t[i].seen = false;
    size_t nsorted = p->n;
    int refused = 0, last_err = 0;
    size_t over = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *endp;
        long tid = strtol(e->d_name, &endp, 10);
        if (*endp || tid <= 0)
            continue;
        struct thread_ring *r = find_ring(p, nsorted, (pid_t)tid);
        if (r) {
            r->seen = true;
            continue;
        }
        if (p->n >= CPUPROF_MAX_THREADS) {
            over++;
            continue;
        }
        if (!ring_room(p))
            break;
        int rc = ring_open(p, (pid_t)tid, -1, &p->t[p->n]);
        if (rc == 0)
            p->n++;
        else if (rc != -ESRCH) {
            refused++;
            last_err = -rc;
        }
    }
    closedir(d);
    /* Exited threads: their rings were drained before this call; close them. */
    size_t w = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (p->t[i].seen)
            p->t[w++] = p->t[i];
        else
            ring_close(p, &p->t[i]);
    }
    p->n = w;
    qsort(p->t, p->n, sizeof(*p->t), by_tid);
    if (note && len) {
        note[0] = '\0';
        if (over)
            snprintf(note, len, "%zu threads past the %d sampled are not", over,
                     CPUPROF_MAX_THREADS);
        else if (refused)
            snprintf(note, len, "%d threads refused the sampler (%s)", refused,
                     strerror(last_err));
    }
    return p->n ? (int)p->n : -ESRCH;
}

long cpuprof_ring_walk(const uint8_t *data, uint64_t size, uint64_t tail, uint64_t head,
                       uint8_t *scratch, cpuprof_sample_fn fn, void *arg, uint64_t *lost,
                       struct cpuprof_raw *raw)
{
    long got = 0;
    if (!size || size & (size - 1) || head - tail > size)
        return 0;                   /* not a ring the kernel made: read nothing */
    while (tail < head) {
        struct perf_event_header h;
        uint64_t off = tail % size;
        /* Records are 8-byte aligned and the header is 8 bytes: it never wraps. */
        if (size - off < sizeof(h))
            break;
        memcpy(&h, data + off, sizeof(h));
        if (h.size < sizeof(h) || h.size > head - tail)
            break;                  /* a torn ring: drop the rest of it */
        const uint8_t *rec = data + off;
        if (off + h.size > size) {
            size_t first = (size_t)(size - off);   /* h.size < 64 KiB: scratch holds it */
            memcpy(scratch, data + off, first);
            memcpy(scratch + first, data, h.size - first);
            rec = scratch;
        }
        if (h.type == PERF_RECORD_SAMPLE) {
            if (cpuprof_perf_parse(rec, h.size, raw) == 0) {
                fn(arg, raw);
                got++;
            }
        } else if (h.type == PERF_RECORD_LOST && h.size >= sizeof(h) + 16) {
            *lost += rd64(rec + sizeof(h) + 8);
        }
        tail += h.size;
    }
    return got;
}

static long ring_drain(struct cpuprof_perf *p, struct thread_ring *r, cpuprof_sample_fn fn,
                       void *arg, uint64_t *lost, struct cpuprof_raw *raw)
{
    struct perf_event_mmap_page *mp = r->map;
    uint64_t head = __atomic_load_n(&mp->data_head, __ATOMIC_ACQUIRE);
    long got = cpuprof_ring_walk((uint8_t *)r->map + p->page, (uint64_t)p->page * p->pages,
                                 mp->data_tail, head, p->scratch, fn, arg, lost, raw);
    __atomic_store_n(&mp->data_tail, head, __ATOMIC_RELEASE);
    return got;
}

/* Interruptions of a thread reading the clock in a loop for ns: how many gaps between
 * 1 and 500 us, and their total. Longer gaps are the thread being switched out for
 * another (the machine is busy), not an interrupt: left out. */
static void clock_gaps(int64_t ns, long *n, int64_t *total)
{
    int64_t start = util_mono_ns(), last = start;
    *n = 0;
    *total = 0;
    for (;;) {
        int64_t now = util_mono_ns();
        if (now - last > 1000 && now - last < 500000) {
            (*n)++;
            *total += now - last;
        }
        last = now;
        if (now - start > ns)
            return;
    }
}

static void count_one(void *arg, const struct cpuprof_raw *r)
{
    (void)r;
    (*(long *)arg)++;
}

double cpuprof_perf_calibrate(void)
{
    static uint8_t scratch[65536];
    static struct cpuprof_raw raw;
    long n0, n1, samples = 0;
    int64_t t0, t1;
    clock_gaps(30000000, &n0, &t0);
    struct perf_event_attr a;
    attr_fill(&a, 5000, false);
    int fd = sys_perf_open(&a, (pid_t)syscall(SYS_gettid), -1);
    if (fd < 0) {
        attr_fill(&a, 5000, true);
        fd = sys_perf_open(&a, (pid_t)syscall(SYS_gettid), -1);
    }
    if (fd < 0)
        return -1;
    size_t page = (size_t)sysconf(_SC_PAGESIZE), len = page * (1 + 64);
    void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        close(fd);
        return -1;
    }
    clock_gaps(30000000, &n1, &t1);
    ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
    struct perf_event_mmap_page *mp = m;
    uint64_t head = __atomic_load_n(&mp->data_head, __ATOMIC_ACQUIRE), lost = 0;
    cpuprof_ring_walk((uint8_t *)m + page, (uint64_t)page * 64, mp->data_tail, head, scratch,
                      count_one, &samples, &lost, &raw);
    munmap(m, len);
    close(fd);
    if (samples < 20 || t1 <= t0)
        return -1;
    return (double)(t1 - t0) / (double)samples;
}

/* Per-CPU rings: the filter keeps only the target's samples; this check is for the
 * samples an event took before its filter was attached (none: they start disabled)
 * and for a filter that ever let another task through. */
static void target_only(void *arg, const struct cpuprof_raw *r)
{
    struct cpuprof_perf *p = arg;
    if (r->pid == p->pid)
        p->fn(p->fn_arg, r);
}

/* ---- what per-thread events cost at a context switch ------------------------------ */

struct bounce {
    int to_peer[2], to_main[2];
    int rounds;
    pid_t peer_tid;
    int cpu;
};

static void pin_to(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    (void)sched_setaffinity(0, sizeof(set), &set);
}

static void *bounce_peer(void *arg)
{
    struct bounce *b = arg;
    pin_to(b->cpu);
    __atomic_store_n(&b->peer_tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
    char c;
    while (read(b->to_peer[0], &c, 1) == 1 && c)
        if (write(b->to_main[1], &c, 1) != 1)
            break;
    return NULL;
}

/* ns for b->rounds round trips, each two context switches on this CPU. */
static int64_t bounce_ns(struct bounce *b)
{
    char c = 1;
    int64_t t0 = util_mono_ns();
    for (int i = 0; i < b->rounds; i++)
        if (write(b->to_peer[1], &c, 1) != 1 || read(b->to_main[0], &c, 1) != 1)
            return -1;
    return util_mono_ns() - t0;
}

/* One run with a per-thread cpu-clock event on each of the two threads (no ring: the
 * switch cost is the event's, sampled or not); -1 when they cannot be opened. */
static int64_t switch_run_with_events(struct bounce *b)
{
    struct perf_event_attr a;
    attr_fill(&a, 99, false);
    pid_t me = (pid_t)syscall(SYS_gettid);
    int fa = sys_perf_open(&a, me, -1), fb = sys_perf_open(&a, b->peer_tid, -1);
    if (fa < 0 || fb < 0) {
        attr_fill(&a, 99, true);
        if (fa < 0)
            fa = sys_perf_open(&a, me, -1);
        if (fb < 0)
            fb = sys_perf_open(&a, b->peer_tid, -1);
    }
    int64_t ns = fa >= 0 && fb >= 0 ? bounce_ns(b) : -1;
    if (fa >= 0)
        close(fa);
    if (fb >= 0)
        close(fb);
    return ns;
}

double cpuprof_perf_switch_cost(void)
{
    cpu_set_t old;
    if (sched_getaffinity(0, sizeof(old), &old) < 0)
        return -1;
    struct bounce b = { .to_peer = { -1, -1 }, .to_main = { -1, -1 }, .rounds = 2000 };
    b.cpu = sched_getcpu();
    if (b.cpu < 0 || pipe(b.to_peer) < 0 || pipe(b.to_main) < 0) {
        for (int i = 0; i < 2; i++) {
            if (b.to_peer[i] >= 0)
                close(b.to_peer[i]);
            if (b.to_main[i] >= 0)
                close(b.to_main[i]);
        }
        return -1;
    }
    pin_to(b.cpu);
    double cost = -1;
    pthread_t t;
    if (pthread_create(&t, NULL, bounce_peer, &b) == 0) {
        while (!__atomic_load_n(&b.peer_tid, __ATOMIC_ACQUIRE))
            sched_yield();
        /* Three runs with events between four without; the quickest of each kind: a
         * VM's noise only ever adds time (single runs read 1-6 us here). */
        int64_t off = bounce_ns(&b), on = -1;
        for (int i = 0; i < 3 && off > 0; i++) {
            int64_t t_on = switch_run_with_events(&b);
            int64_t t_off = bounce_ns(&b);
            if (t_on <= 0 || t_off <= 0) {
                on = -1;
                break;
            }
            on = on < 0 || t_on < on ? t_on : on;
            off = t_off < off ? t_off : off;
        }
        char stop = 0;
        (void)!write(b.to_peer[1], &stop, 1);
        pthread_join(t, NULL);
        if (off > 0 && on > 0)
            cost = (double)(on - off) / (2.0 * b.rounds);
    }
    sched_setaffinity(0, sizeof(old), &old);
    for (int i = 0; i < 2; i++) {
        close(b.to_peer[i]);
        close(b.to_main[i]);
    }
    return cost;
}

int64_t cpuprof_perf_timeslices(pid_t pid)
{
    char path[96], buf[128];
    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int64_t sum = 0;
    bool any = false;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%d/task/%.16s/schedstat", (int)pid, e->d_name);
        long n = proc_read_file(path, buf, sizeof(buf) - 1);
        unsigned long long run, wait, slices;
        if (n > 0 && sscanf(buf, "%llu %llu %llu", &run, &wait, &slices) == 3) {
            sum += (int64_t)slices;
            any = true;
        }
    }
    closedir(d);
    return any ? sum : -1;
}

long cpuprof_perf_drain(struct cpuprof_perf *p, cpuprof_sample_fn fn, void *arg,
                        uint64_t *lost)
{
    static __thread struct cpuprof_raw raw;
    long n = 0;
    if (p->per_cpu) {
        p->fn = fn;
        p->fn_arg = arg;
        fn = target_only;
        arg = p;
    }
    for (size_t i = 0; i < p->n; i++)
        n += ring_drain(p, &p->t[i], fn, arg, lost, &raw);
    return n;
}

bool cpuprof_perf_user_only(const struct cpuprof_perf *p) { return p->user_only; }

bool cpuprof_perf_per_cpu(const struct cpuprof_perf *p) { return p->per_cpu; }

const char *cpuprof_perf_mode_why(const struct cpuprof_perf *p) { return p->mode_why; }

int cpuprof_perf_set_hz(struct cpuprof_perf *p, double hz)
{
    if (hz < 1)
        hz = 1;
    /* The kernel turns a cpu-clock event's frequency into a fixed period when it is
     * created (hrtimer events need no feedback) and clears attr.freq: from then on
     * PERF_EVENT_IOC_PERIOD takes a period in ns, not a rate. */
    uint64_t period = (uint64_t)(1e9 / hz + 0.5);
    int err = 0;
    for (size_t i = 0; i < p->n; i++)
        if (ioctl(p->t[i].fd, PERF_EVENT_IOC_PERIOD, &period) < 0)
            err = -errno;
    if (!err)
        p->hz = hz;
    return err;
}

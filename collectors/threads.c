/* threads collector: the target's OS threads, from the files of its pinned
 * /proc/PID/task directory. Not libproc2's thread select: in 4.0.2 it reads each
 * thread's statm and the leader's stat, statm and status beside the stat asked for, and
 * /proc/uptime, whatever the items (strace); on the loaded server at -d 1 that was
 * ~0.45 ms a refresh, 9% of gmptop's CPU, for nothing shown. The process picker, which
 * lists every process, keeps libproc2. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_ISSET */
#include "collectors/collector.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/proc_parse.h"
#include "base/util.h"

struct threads_state {
    pid_t pid;
    int task_fd;              /* /proc/PID/task: pins this process, not a reused pid */
    DIR *task_dir;            /* the same directory, listed again (rewound) each tick */
    uint64_t ns_per_tick;
    char buf[8192];           /* sched and status are ~1.5 KiB */
};

static bool threads_probe(char *reason, size_t len)
{
    if (access("/proc/self/task", R_OK | X_OK) != 0) {
        snprintf(reason, len, "access /proc/self/task: %s", strerror(errno));
        return false;
    }
    return true;
}

static void *threads_open(const struct target *t, const struct collector_config *cfg,
                          char *reason, size_t len)
{
    (void)cfg;
    if (!t || t->pid <= 0) {
        snprintf(reason, len, "no target process");
        return NULL;
    }
    struct threads_state *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(reason, len, "calloc: %s", strerror(errno));
        return NULL;
    }
    st->pid = t->pid;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/task", (int)t->pid);
    st->task_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (st->task_fd < 0) {
        snprintf(reason, len, "open %s: %s", path, strerror(errno));
        free(st);
        return NULL;
    }
    long hz = sysconf(_SC_CLK_TCK);
    st->ns_per_tick = hz > 0 ? 1000000000ULL / (uint64_t)hz : 0;
    int dfd = openat(st->task_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    st->task_dir = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!st->task_dir) {
        snprintf(reason, len, "open %s: %s", path, strerror(errno));
        if (dfd >= 0)
            close(dfd);
        close(st->task_fd);
        free(st);
        return NULL;
    }
    return st;
}

static void threads_close(void *state)
{
    struct threads_state *st = state;
    if (!st)
        return;
    if (st->task_dir)
        closedir(st->task_dir);
    if (st->task_fd >= 0)
        close(st->task_fd);
    free(st);
}

/* Read task/TID/NAME through the pinned task directory. Returns length or -errno. */
static long read_task_file(struct threads_state *st, pid_t tid, const char *name)
{
    char rel[48];
    snprintf(rel, sizeof(rel), "%d/%s", (int)tid, name);
    int fd = openat(st->task_fd, rel, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t n = 0;
    long ret = 0;
    while (n < sizeof(st->buf) - 1) {
        ssize_t r = read(fd, st->buf + n, sizeof(st->buf) - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            ret = -errno;
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    st->buf[n] = '\0';
    return ret < 0 ? ret : (long)n;
}

static bool vanished(long r) { return r == -ENOENT || r == -ESRCH; }

/* Append "a" or "a-b" (with a leading comma after the first) if it fits. */
static bool append_range(char *out, size_t size, size_t *pos, int lo, int hi)
{
    char part[32];
    int n = lo == hi ? snprintf(part, sizeof(part), "%s%d", *pos ? "," : "", lo)
                     : snprintf(part, sizeof(part), "%s%d-%d", *pos ? "," : "", lo, hi);
    if (n < 0 || *pos + (size_t)n >= size)
        return false;
    memcpy(out + *pos, part, (size_t)n + 1);
    *pos += (size_t)n;
    return true;
}

/* The thread's CPU affinity as a kernel-style list ("0-3,8"), like Cpus_allowed_list;
 * a list too long for out ends in ",..." so it never reads as a smaller set. */
static bool affinity_list(pid_t tid, char *out, size_t size)
{
    cpu_set_t set;
    if (size < 8 || sched_getaffinity(tid, sizeof(set), &set) != 0)
        return false;
    size_t pos = 0;
    out[0] = '\0';
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, &set))
            continue;
        int hi = c;
        while (hi + 1 < CPU_SETSIZE && CPU_ISSET(hi + 1, &set))
            hi++;
        if (!append_range(out, size - 4, &pos, c, hi)) {
            memcpy(out + pos, ",...", 5);
            return true;
        }
        c = hi;
    }
    return pos > 0;
}

/* Fill the counters that come from the per-thread files. Returns false when the thread
 * is gone (it exited between the listing and now). */
static bool read_thread_files(struct threads_state *st, struct thread_sample *ts)
{
    long n;

    n = read_task_file(st, ts->tid, "schedstat");
    if (vanished(n))
        return false;
    struct proc_schedstat ss;
    if (n >= 0 && proc_parse_schedstat(st->buf, (size_t)n, &ss) == 0) {
        ts->cpu_time_ns = ss.run_ns;
        ts->run_delay_ns = ss.run_delay_ns;
        ts->have |= THREAD_HAVE_CPU_TIME | THREAD_HAVE_RUN_DELAY;
    }

    n = read_task_file(st, ts->tid, "sched");
    if (vanished(n))
        return false;
    struct proc_sched sc;
    if (n >= 0 && proc_parse_sched(st->buf, (size_t)n, &sc) == 0) {
        if (sc.have_migrations) {
            ts->migrations = sc.nr_migrations;
            ts->have |= THREAD_HAVE_MIGRATIONS;
        }
        if (sc.have_voluntary && sc.have_involuntary) {
            ts->nvcsw = sc.nr_voluntary;
            ts->nivcsw = sc.nr_involuntary;
            ts->have |= THREAD_HAVE_SWITCHES;
        }
        if (!(ts->have & THREAD_HAVE_CPU_TIME) && sc.have_exec_runtime) {
            ts->cpu_time_ns = (uint64_t)(sc.sum_exec_runtime_ms * 1e6);
            ts->have |= THREAD_HAVE_CPU_TIME;
        }
    }

    /* sched_getaffinity costs a syscall where TID/status costs ~8 us to read and
     * parse, so status is only read when the cheap sources failed. */
    if (affinity_list(ts->tid, ts->affinity, sizeof(ts->affinity)))
        ts->have |= THREAD_HAVE_AFFINITY;
    if ((ts->have & (THREAD_HAVE_AFFINITY | THREAD_HAVE_SWITCHES))
        == (THREAD_HAVE_AFFINITY | THREAD_HAVE_SWITCHES))
        return true;

    n = read_task_file(st, ts->tid, "status");
    if (vanished(n))
        return false;
    struct proc_status ps;
    if (n >= 0 && proc_parse_status(st->buf, (size_t)n, &ps) == 0) {
        if (!(ts->have & THREAD_HAVE_AFFINITY) && ps.have_cpus_allowed) {
            util_strlcpy(ts->affinity, ps.cpus_allowed_list, sizeof(ts->affinity));
            ts->have |= THREAD_HAVE_AFFINITY;
        }
        if (!(ts->have & THREAD_HAVE_SWITCHES) && ps.have_ctxt) {
            ts->nvcsw = ps.vol_ctxt;
            ts->nivcsw = ps.nonvol_ctxt;
            ts->have |= THREAD_HAVE_SWITCHES;
        }
    }
    return true;
}

/* The thread's row from TID/stat (and its CPU time in clock ticks); false when it is gone or its stat is unreadable. */
static bool thread_from_stat(struct threads_state *st, pid_t tid, struct thread_sample *ts,
                             uint64_t *ticks)
{
    memset(ts, 0, sizeof(*ts));
    long n = read_task_file(st, tid, "stat");
    struct proc_stat ps;
    if (n <= 0 || proc_parse_stat(st->buf, (size_t)n, &ps) != 0)
        return false;
    ts->tid = tid;
    util_strlcpy(ts->name, ps.comm, sizeof(ts->name));
    ts->state = ps.state;
    ts->cpu = ps.processor;
    if (ts->cpu >= 0)
        ts->have |= THREAD_HAVE_CPU;
    *ticks = ps.utime + ps.stime;
    return true;
}

static int threads_sample(void *state, const struct target *t, struct snapshot *s,
                          char *reason, size_t len)
{
    struct threads_state *st = state;
    (void)t;
    unsigned pid = (unsigned)st->pid;
    rewinddir(st->task_dir);
    int alive = 0;
    struct dirent *de;
    while ((de = readdir(st->task_dir))) {
        char *end;
        long tid = strtol(de->d_name, &end, 10);
        if (*end || end == de->d_name || tid <= 0)
            continue;                      /* "." and ".." */
        struct thread_sample ts;
        uint64_t ticks;
        if (!thread_from_stat(st, (pid_t)tid, &ts, &ticks) || !read_thread_files(st, &ts))
            continue;
        /* Tick-based time only when schedstat and sched were unreadable: schedstat is
         * nanoseconds, ticks are 10 ms steps. */
        if (!(ts.have & THREAD_HAVE_CPU_TIME) && st->ns_per_tick) {
            ts.cpu_time_ns = ticks * st->ns_per_tick;
            ts.have |= THREAD_HAVE_CPU_TIME;
        }
        struct thread_sample *slot = snapshot_add_thread(s);
        if (!slot) {
            snprintf(reason, len, "snapshot_add_thread: %s", strerror(ENOMEM));
            return -ENOMEM;
        }
        *slot = ts;
        if (ts.state != 'Z' && ts.state != 'X')
            alive++;
    }
    /* The listing failed (ENOENT, ESRCH: the process is gone), no thread listed, every
     * listed one gone, or only a zombie left waiting for its parent: the process has
     * exited. */
    if (alive == 0) {
        snprintf(reason, len, "process %u has exited", pid);
        return -ESRCH;
    }
    return 0;
}

const struct collector_ops threads_collector = {
    .name = "threads",
    .summary = "OS threads: state, last CPU, CPU time, switches, migrations, run delay",
    .pane = "threads",
    .probe = threads_probe,
    .open = threads_open,
    .sample = threads_sample,
    .close = threads_close,
};

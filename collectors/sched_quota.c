/* sched_quota: the CPU budget a Go process really has (affinity mask, cgroup quota). */
#include "config.h"

#include "collectors/sched_quota.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/go_maxprocs.h"
#include "proc/proc_parse.h"

int sched_quota_parse_cpu_max(const char *text, double *cpus)
{
    char quota[32];
    unsigned long long period;
    if (sscanf(text, "%31s %llu", quota, &period) != 2 || period == 0)
        return -EINVAL;
    if (strcmp(quota, "max") == 0) {
        *cpus = NAN;
        return 0;
    }
    char *end;
    unsigned long long q = strtoull(quota, &end, 10);
    if (*end || q == 0)
        return -EINVAL;
    *cpus = (double)q / (double)period;
    return 0;
}

/* cgroup CPU state of one process: the tightest quota on its path and the throttling
 * counters of its own group. */
struct cg_cpu {
    double quota;             /* CPUs, NAN = none */
    int64_t nr_throttled;     /* -1 unknown */
    int64_t throttled_ns;
    /* The cpu.stat files the counters came from, for the ticks between full reads. */
    int nstat;
    char stat_path[SCHED_QUOTA_STAT_FILES][SCHED_QUOTA_PATH];
};

static void min_quota(struct cg_cpu *c, double q)
{
    if (!isnan(q) && (isnan(c->quota) || q < c->quota))
        c->quota = q;
}

/* "key value" lines of cpu.stat: v2 has throttled_usec, v1 throttled_time (ns). */
static void parse_cpu_stat(char *buf, struct cg_cpu *c)
{
    char *save = NULL;
    for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        long long v;
        char key[64];
        if (sscanf(l, "%63s %lld", key, &v) != 2)
            continue;
        if (strcmp(key, "nr_throttled") == 0)
            c->nr_throttled = v;
        else if (strcmp(key, "throttled_usec") == 0)
            c->throttled_ns = v * 1000;
        else if (strcmp(key, "throttled_time") == 0)
            c->throttled_ns = v;
    }
}

static void read_cpu_stat(const char *path, struct cg_cpu *c)
{
    char buf[1024];
    if (proc_read_file(path, buf, sizeof(buf)) <= 0)
        return;
    if (c->nstat < SCHED_QUOTA_STAT_FILES &&
        (size_t)snprintf(c->stat_path[c->nstat], SCHED_QUOTA_PATH, "%s", path) < SCHED_QUOTA_PATH)
        c->nstat++;
    parse_cpu_stat(buf, c);
}

/* cgroup v2: cpu.max in the group's directory. true when the file was there. */
static bool limit_v2(const char *dir, struct cg_cpu *c)
{
    char path[4300], buf[128];
    double q;
    snprintf(path, sizeof(path), "%s/cpu.max", dir);
    if (proc_read_file(path, buf, sizeof(buf)) <= 0 || sched_quota_parse_cpu_max(buf, &q) != 0)
        return false;
    min_quota(c, q);
    return true;
}

/* cgroup v1: cpu.cfs_quota_us / cpu.cfs_period_us (a quota of -1 means none). */
static bool limit_v1(const char *dir, struct cg_cpu *c)
{
    char path[4300], buf[64];
    long long quota, period;
    snprintf(path, sizeof(path), "%s/cpu.cfs_quota_us", dir);
    if (proc_read_file(path, buf, sizeof(buf)) <= 0 || sscanf(buf, "%lld", &quota) != 1)
        return false;
    snprintf(path, sizeof(path), "%s/cpu.cfs_period_us", dir);
    if (quota > 0 && proc_read_file(path, buf, sizeof(buf)) > 0 &&
        sscanf(buf, "%lld", &period) == 1 && period > 0)
        min_quota(c, (double)quota / (double)period);
    return true;
}

/* Walk from the group up to the root of the hierarchy mounted at mnt, taking the
 * tightest limit: a parent's quota binds its children too. The throttling counters are
 * the group's own. Returns whether any level had a limit file. */
static bool walk_up(const char *mnt, const char *cgpath,
                    bool (*limit)(const char *dir, struct cg_cpu *c), struct cg_cpu *c)
{
    char rel[4096], dir[4300], path[4400];
    bool any = false;
    snprintf(rel, sizeof(rel), "%s", cgpath);
    for (bool first = true;; first = false) {
        snprintf(dir, sizeof(dir), "%s%s", mnt, strcmp(rel, "/") == 0 ? "" : rel);
        any |= limit(dir, c);
        if (first) {
            snprintf(path, sizeof(path), "%s/cpu.stat", dir);
            read_cpu_stat(path, c);
        }
        char *slash = strrchr(rel, '/');
        if (!slash || strcmp(rel, "/") == 0)
            break;
        if (slash == rel)
            strcpy(rel, "/");
        else
            *slash = '\0';
    }
    return any;
}

/* v1 controllers are mounted under their own list ("cpu,cpuacct") or alone ("cpu"). */
static void v1_group(const char *root, const char *controllers, const char *cg,
                     struct cg_cpu *c)
{
    char mnt[512];
    snprintf(mnt, sizeof(mnt), "%s/sys/fs/cgroup/%s", root, controllers);
    if (walk_up(mnt, cg, limit_v1, c))
        return;
    snprintf(mnt, sizeof(mnt), "%s/sys/fs/cgroup/cpu", root);
    walk_up(mnt, cg, limit_v1, c);
}

static void cgroup_cpu(const char *root, pid_t pid, struct cg_cpu *c)
{
    char path[256], buf[8192], mnt[512];
    c->quota = NAN;
    c->nr_throttled = c->throttled_ns = -1;
    c->nstat = 0;
    snprintf(path, sizeof(path), "%s/proc/%d/cgroup", root, (int)pid);
    if (proc_read_file(path, buf, sizeof(buf)) <= 0)
        return;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c1 = *c2 = '\0';
        const char *controllers = c1 + 1, *cg = c2 + 1;
        bool cpu_ctl = false;
        char list[256];
        snprintf(list, sizeof(list), "%s", controllers);
        char *s2 = NULL;
        for (char *t = strtok_r(list, ",", &s2); t; t = strtok_r(NULL, ",", &s2))
            cpu_ctl |= strcmp(t, "cpu") == 0;
        if (strcmp(line, "0") == 0 && controllers[0] == '\0') {
            /* Unified hierarchy: at the top on pure v2, under unified/ on hybrid. */
            snprintf(mnt, sizeof(mnt), "%s/sys/fs/cgroup", root);
            if (!walk_up(mnt, cg, limit_v2, c)) {
                snprintf(mnt, sizeof(mnt), "%s/sys/fs/cgroup/unified", root);
                walk_up(mnt, cg, limit_v2, c);
            }
        } else if (cpu_ctl) {
            v1_group(root, controllers, cg, c);
        }
    }
}

/* CPUs in the process's affinity mask; -1 unknown. A fixture root has no process to
 * ask: its status file says. */
static int32_t cpus_allowed(const char *root, pid_t pid)
{
    if (root[0] == '\0') {
        cpu_set_t set;
        return sched_getaffinity(pid, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : -1;
    }
    char path[256], buf[4096];
    struct proc_status ps;
    snprintf(path, sizeof(path), "%s/proc/%d/status", root, (int)pid);
    long n = proc_read_file(path, buf, sizeof(buf));
    if (n > 0 && proc_parse_status(buf, (size_t)n, &ps) == 0 && ps.have_cpus_allowed)
        return proc_parse_cpulist(ps.cpus_allowed_list, NULL, 4096);
    return -1;
}

/* NAME's value in the environment the process started with (what its runtime read);
 * false when absent or unreadable. */
static bool environ_get(const char *root, pid_t pid, const char *name, char *out, size_t len)
{
    char path[4200], buf[65536];
    snprintf(path, sizeof(path), "%s/proc/%d/environ", root, (int)pid);
    long n = proc_read_file(path, buf, sizeof(buf) - 1);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    size_t nl = strlen(name);
    for (const char *e = buf; e < buf + n; e += strlen(e) + 1) {
        if (strncmp(e, name, nl) == 0 && e[nl] == '=') {
            snprintf(out, len, "%s", e + nl + 1);
            return true;
        }
    }
    return false;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

/* Read a file the target holds open, through its /proc/PID/fd link: that reaches the
 * very file the runtime opened, in whatever mount namespace, even after the process
 * moved to another cgroup. */
static long fd_read(const char *fddir, const char *fd, char *buf, size_t len)
{
    char path[4400];
    if ((size_t)snprintf(path, sizeof(path), "%.4096s/%.255s", fddir, fd) >= sizeof(path))
        return -1;
    return proc_read_file(path, buf, len);
}

/* Fds below this are searched: the runtime opens its cgroup file in schedinit, before
 * any code of the program runs, so it gets one of the lowest free numbers. */
#define RUNTIME_FD_LIMIT 256

/* The cgroup CPU limit file the Go runtime keeps open (Go 1.25+ with containermaxprocs
 * on: cgroup.OpenCPU at start, read again by every update): cpu.max on v2,
 * cpu.cfs_quota_us and cpu.cfs_period_us on v1. Returns 1 with *quota (NAN: no limit or
 * unreadable, as the runtime then keeps the CPU count), 0 when no such file is open, -1
 * when the fds cannot be listed. */
static int runtime_cgroup_fd(const char *root, pid_t pid, double *quota)
{
    char fddir[4096], link[4200], path[4400], buf[128];
    snprintf(fddir, sizeof(fddir), "%s/proc/%d/fd", root, (int)pid);
    DIR *d = opendir(fddir);
    if (!d)
        return -1;
    long long v1_quota = 0, v1_period = 0;
    bool v1q = false, v1p = false, v2 = false;
    *quota = NAN;
    struct dirent *de;
    while (!v2 && (de = readdir(d))) {
        char *end;
        long fd = strtol(de->d_name, &end, 10);
        if (*end || end == de->d_name || fd >= RUNTIME_FD_LIMIT)
            continue;
        snprintf(path, sizeof(path), "%s/%s", fddir, de->d_name);
        ssize_t n = readlink(path, link, sizeof(link) - 1);
        if (n <= 0)
            continue;
        link[n] = '\0';
        if (ends_with(link, "/cpu.max")) {
            v2 = true;
            double q;
            if (fd_read(fddir, de->d_name, buf, sizeof(buf)) > 0 &&
                sched_quota_parse_cpu_max(buf, &q) == 0)
                *quota = q;
        } else if (ends_with(link, "/cpu.cfs_quota_us") || ends_with(link, "/cpu.cfs_period_us")) {
            bool is_q = ends_with(link, "/cpu.cfs_quota_us");
            long long x;
            if (fd_read(fddir, de->d_name, buf, sizeof(buf)) > 0 &&
                sscanf(buf, "%lld", &x) == 1) {
                *(is_q ? &v1_quota : &v1_period) = x;
                *(is_q ? &v1q : &v1p) = true;
            }
        }
    }
    closedir(d);
    if (!v2 && v1q && v1p && v1_quota > 0 && v1_period > 0)
        *quota = (double)v1_quota / (double)v1_period;
    return v2 || v1q || v1p ? 1 : 0;
}

/* containermaxprocs / updatemaxprocs as the runtime settles them at start: on by
 * default, then DefaultGODEBUG, then the GODEBUG environment, later settings winning;
 * any positive integer means on. */
static bool godebug_on(const char *build, const char *env, const char *key, bool *by_env)
{
    int32_t v = 1;
    *by_env = false;
    go_maxprocs_godebug(build, key, &v);
    if (env && go_maxprocs_godebug(env, key, &v))
        *by_env = true;
    return v > 0;
}

void sched_quota_read_policy(const char *root, pid_t pid, const char *go_version,
                             const char *default_godebug, struct sched_sample *out)
{
    int minor = 0;
    out->gomaxprocs_auto = 0;
    out->gomaxprocs_policy = 0;
    if (!go_version || sscanf(go_version, "go1.%d", &minor) != 1 || minor <= 0 ||
        out->cpus_allowed <= 0)
        return;
    struct go_maxprocs_in in = { .go_minor = minor, .cpus = out->cpus_allowed,
                                 .quota = NAN, .containermaxprocs = 0 };
    int32_t flags = GO_MAXPROCS_KNOWN;
    if (minor >= 25) {
        char env[4096];
        const char *genv = environ_get(root, pid, "GODEBUG", env, sizeof(env)) ? env : NULL;
        bool by_env;
        bool container = godebug_on(default_godebug, genv, "containermaxprocs", &by_env);
        if (container)
            flags |= GO_MAXPROCS_CONTAINER;
        else
            flags |= by_env ? GO_MAXPROCS_OFF_BY_ENV : GO_MAXPROCS_OFF_BY_BUILD;
        if (godebug_on(default_godebug, genv, "updatemaxprocs", &by_env))
            flags |= GO_MAXPROCS_UPDATE;
        in.containermaxprocs = container;
        if (container) {
            /* The runtime's own cgroup, not the tightest limit above it: it reads only
             * the file it opened at start. */
            int rc = runtime_cgroup_fd(root, pid, &in.quota);
            if (rc < 0)
                return;
            if (rc > 0)
                flags |= GO_MAXPROCS_CGROUP_OPEN;
        }
    }
    out->gomaxprocs_auto = go_maxprocs_default(&in);
    out->gomaxprocs_policy = flags;
}

void sched_quota_read_cached(const char *root, pid_t pid, const char *go_version,
                             const char *default_godebug, struct sched_quota_cache *qc,
                             int64_t now_ns, struct sched_sample *out)
{
    int32_t allowed = cpus_allowed(root, pid);
    if (!qc->read_ns || now_ns - qc->read_ns >= SCHED_QUOTA_REREAD_NS || allowed != qc->allowed) {
        /* Everything: the cgroup trees, the CPUs, the policy. */
        struct cg_cpu c;
        cgroup_cpu(root, pid, &c);
        qc->read_ns = now_ns;
        qc->quota = c.quota;
        qc->online = (int32_t)sysconf(_SC_NPROCESSORS_ONLN);
        qc->allowed = allowed;
        /* The files stay open: a cgroup file's open costs more than its read. */
        sched_quota_cache_close(qc);
        for (int i = 0; i < c.nstat; i++)
            qc->stat_fd[qc->nfd++] = open(c.stat_path[i], O_RDONLY | O_CLOEXEC);
        out->cpu_quota = c.quota;
        out->nr_throttled = c.nr_throttled;
        out->throttled_ns = c.throttled_ns;
        out->cpus_online = qc->online;
        out->cpus_allowed = allowed;
        sched_quota_read_policy(root, pid, go_version, default_godebug, out);
        qc->gomaxprocs_auto = out->gomaxprocs_auto;
        qc->gomaxprocs_policy = out->gomaxprocs_policy;
        return;
    }
    /* Between: only the throttling counters move each tick. */
    struct cg_cpu c = { .quota = qc->quota, .nr_throttled = -1, .throttled_ns = -1 };
    for (int i = 0; i < qc->nfd; i++) {
        char buf[1024];
        ssize_t n = qc->stat_fd[i] >= 0 ? pread(qc->stat_fd[i], buf, sizeof(buf) - 1, 0) : -1;
        if (n > 0) {
            buf[n] = '\0';
            parse_cpu_stat(buf, &c);
        }
    }
    out->cpu_quota = qc->quota;
    out->nr_throttled = c.nr_throttled;
    out->throttled_ns = c.throttled_ns;
    out->cpus_online = qc->online;
    out->cpus_allowed = allowed;
    out->gomaxprocs_auto = qc->gomaxprocs_auto;
    out->gomaxprocs_policy = qc->gomaxprocs_policy;
}

void sched_quota_cache_close(struct sched_quota_cache *qc)
{
    for (int i = 0; i < qc->nfd; i++)
        if (qc->stat_fd[i] >= 0)
            close(qc->stat_fd[i]);
    qc->nfd = 0;
}

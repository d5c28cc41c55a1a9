/* perf_fixture: a perf backend that answers opens and group reads from a fixture file of
 * raw readings, so the cores collector can be tested (and demonstrated) without a PMU.
 *
 * Fixture format, one directive per line, '#' starts a comment:
 *   root DIR                 fake /proc and /sys tree, relative to the fixture file
 *   cpus LIST                online CPUs from the next tick on ("0-3,6")
 *   maxfds N                 opens beyond N open fds fail with EMFILE
 *   fail EV TARGET ERRNO     opens of EV (or *) on TARGET fail with ERRNO (ENOENT, ...)
 *   failread EV TARGET ERRNO [from=N]   reads of EV's group fail from tick N (1-based;
 *                            fails apply from the open, tick 0, by default)
 *   tick SECONDS             a new reading, taken SECONDS after the start
 *   cpu=N KEY=VALUE ...      cumulative readings of CPU N in this tick
 *   tid=N KEY=VALUE ...      the same for a thread
 * TARGET is cpu=N, tid=N or *. KEYs are event names (cycles, instructions, l3_miss,
 * l3_access, dtlb_miss, context_switches, migrations, task_clock) and the group times
 * enabled=NS running=NS (hardware group; software groups always run) and l3_enabled,
 * l3_running (the uncore group; default: enabled/running). A target missing from a tick
 * reads as end of file (a stopped event). After the last tick, readings keep growing by
 * the last tick's step, so a demo can run for as long as it likes.
 * Under the root, a PMU directory with a cpus file (hybrid Intel's cpu_core, cpu_atom)
 * refuses, with ENOENT as the kernel does, events typed for it on other CPUs. */
#include "collectors/perf.h"
#include "collectors/pmu.h"
#include "collectors/pmu_encode.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proc/proc_parse.h"
#include "model/snapshot_cores.h"
#include "base/util.h"

#define REPLAY_CPUS 1024
#define REPLAY_WORDS (REPLAY_CPUS / 64)
#define REPLAY_FD0 100
#define REPLAY_MAX_FDS 65536

enum { T_ENABLED, T_RUNNING, T_L3_ENABLED, T_L3_RUNNING, T_COUNT };

struct row {
    int cpu;                  /* -1 for a thread row */
    pid_t tid;
    uint64_t v[CORES_EV_COUNT];
    uint64_t t[T_COUNT];
    bool have_t[T_COUNT];
};

struct tick {
    double secs;
    uint64_t online[REPLAY_WORDS];
    struct row *rows;
    size_t nrows;
};

struct fail {
    char ev[24];              /* "*" for any */
    int cpu;                  /* -2 any, -1 not a CPU target */
    pid_t tid;                /* -2 any, 0 not a thread target */
    int err;
    bool on_read;
    int from;                 /* first tick (1-based) it applies to */
};

struct fdent {
    bool used;
    int ev;
    int cpu;
    pid_t tid;
    int leader;               /* fd of the group leader (itself for a leader) */
};

struct fixture {
    struct perf_backend b;
    char root[512];
    char name[600];
    uint64_t online0[REPLAY_WORDS];
    struct tick *ticks;
    size_t nticks;
    long cur;                 /* index of the current tick; -1 before the first */
    struct fail *fails;
    size_t nfails;
    struct fdent *fds;
    size_t nfd;
    int open_fds, max_fds;
};

static int ev_index(const char *name)
{
    for (int i = 0; i < CORES_EV_COUNT; i++)
        if (strcmp(cores_ev_name(i), name) == 0)
            return i;
    return -1;
}

/* "cpu=N", "tid=N" or "*" -> fail target. */
static bool parse_target(const char *s, int *cpu, pid_t *tid)
{
    if (strcmp(s, "*") == 0) {
        *cpu = -2;
        *tid = -2;
        return true;
    }
    if (strncmp(s, "cpu=", 4) == 0) {
        *cpu = atoi(s + 4);
        *tid = 0;
        return *cpu >= 0;
    }
    if (strncmp(s, "tid=", 4) == 0) {
        *tid = atoi(s + 4);
        *cpu = -1;
        return *tid > 0;
    }
    return false;
}

static bool add_fail(struct fixture *r, char **tok, int ntok, bool on_read)
{
    if (ntok < 4)
        return false;
    struct fail f = { .from = 0, .on_read = on_read };
    util_strlcpy(f.ev, tok[1], sizeof(f.ev));
    if (strcmp(f.ev, "*") != 0 && ev_index(f.ev) < 0)
        return false;
    if (!parse_target(tok[2], &f.cpu, &f.tid))
        return false;
    f.err = perf_errno_parse(tok[3]);
    if (f.err == 0)
        return false;
    if (ntok > 4 && strncmp(tok[4], "from=", 5) == 0)
        f.from = atoi(tok[4] + 5);
    struct fail *p = realloc(r->fails, (r->nfails + 1) * sizeof(*p));
    if (!p)
        return false;
    r->fails = p;
    r->fails[r->nfails++] = f;
    return true;
}

static bool add_row(struct fixture *r, char **tok, int ntok)
{
    if (r->nticks == 0)
        return false;
    struct tick *t = &r->ticks[r->nticks - 1];
    struct row row = { .cpu = -1 };
    if (strncmp(tok[0], "cpu=", 4) == 0)
        row.cpu = atoi(tok[0] + 4);
    else
        row.tid = atoi(tok[0] + 4);
    if (row.cpu < -1 || row.cpu >= REPLAY_CPUS || row.tid < 0)
        return false;
    static const char *const tnames[T_COUNT] = { "enabled", "running", "l3_enabled",
                                                 "l3_running" };
    for (int i = 1; i < ntok; i++) {
        char *eq = strchr(tok[i], '=');
        if (!eq)
            return false;
        *eq = '\0';
        char *end;
        unsigned long long v = strtoull(eq + 1, &end, 0);
        if (end == eq + 1 || *end)
            return false;
        int ev = ev_index(tok[i]);
        bool known = ev >= 0;
        if (known)
            row.v[ev] = v;
        for (int k = 0; k < T_COUNT && !known; k++) {
            if (strcmp(tok[i], tnames[k]) == 0) {
                row.t[k] = v;
                row.have_t[k] = known = true;
            }
        }
        if (!known)
            return false;
    }
    struct row *p = realloc(t->rows, (t->nrows + 1) * sizeof(*p));
    if (!p)
        return false;
    t->rows = p;
    t->rows[t->nrows++] = row;
    return true;
}

static bool parse_line(struct fixture *r, char *line, const char *dir, uint64_t *online)
{
    char *tok[32];
    int ntok = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, " \t", &save); t && ntok < 32;
         t = strtok_r(NULL, " \t", &save))
        tok[ntok++] = t;
    if (ntok == 0)
        return true;
    if (strcmp(tok[0], "root") == 0 && ntok == 2) {
        int n = snprintf(r->root, sizeof(r->root), "%s/%s", dir, tok[1]);
        return n > 0 && (size_t)n < sizeof(r->root);
    }
    if (strcmp(tok[0], "cpus") == 0 && ntok == 2) {
        memset(online, 0, REPLAY_WORDS * sizeof(uint64_t));
        return proc_parse_cpulist(tok[1], online, REPLAY_CPUS) >= 0;
    }
    if (strcmp(tok[0], "maxfds") == 0 && ntok == 2) {
        r->max_fds = atoi(tok[1]);
        return r->max_fds > 0;
    }
    if (strcmp(tok[0], "fail") == 0)
        return add_fail(r, tok, ntok, false);
    if (strcmp(tok[0], "failread") == 0)
        return add_fail(r, tok, ntok, true);
    if (strcmp(tok[0], "tick") == 0 && ntok == 2) {
        struct tick *p = realloc(r->ticks, (r->nticks + 1) * sizeof(*p));
        if (!p)
            return false;
        r->ticks = p;
        struct tick *t = &r->ticks[r->nticks++];
        memset(t, 0, sizeof(*t));
        t->secs = atof(tok[1]);
        memcpy(t->online, online, sizeof(t->online));
        return true;
    }
    if (strncmp(tok[0], "cpu=", 4) == 0 || strncmp(tok[0], "tid=", 4) == 0)
        return add_row(r, tok, ntok);
    return false;
}

static const struct row *find_row(const struct fixture *r, long tick, int cpu, pid_t tid)
{
    if (tick < 0 || (size_t)tick >= r->nticks)
        return NULL;
    const struct tick *t = &r->ticks[tick];
    for (size_t i = 0; i < t->nrows; i++)
        if (cpu >= 0 ? t->rows[i].cpu == cpu : t->rows[i].tid == tid)
            return &t->rows[i];
    return NULL;
}

static const struct fail *find_fail(const struct fixture *r, int ev, int cpu, pid_t tid,
                                    bool on_read)
{
    long tick1 = r->cur + 1;
    for (size_t i = 0; i < r->nfails; i++) {
        const struct fail *f = &r->fails[i];
        if (f->on_read != on_read || tick1 < f->from)
            continue;
        if (strcmp(f->ev, "*") != 0 && strcmp(f->ev, cores_ev_name(ev)) != 0)
            continue;
        if (f->cpu == -2 || (cpu >= 0 && f->cpu == cpu) || (cpu < 0 && f->tid == tid))
            return f;
    }
    return NULL;
}

/* Like the kernel on hybrid Intel: an event typed for one core PMU (cpu_core) opened on a
 * CPU outside that PMU's cpus list is refused with ENOENT. Generic and software types
 * are routed to the right PMU by the kernel, so only PMU-typed events are checked. */
static bool pmu_refuses_cpu(const struct fixture *r, uint32_t type, int cpu)
{
    if (cpu < 0 || type == PERF_TYPE_HARDWARE || type == PERF_TYPE_HW_CACHE ||
        type == PERF_TYPE_SOFTWARE)
        return false;
    char dir[600];
    snprintf(dir, sizeof(dir), "%s" PMU_DEVICES, r->root);
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool refuse = false;
    struct dirent *de;
    while (!refuse && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || pmu_type(r->root, de->d_name) != (int)type)
            continue;
        uint64_t bits[REPLAY_WORDS];
        if (pmu_cpulist(r->root, de->d_name, "cpus", bits, REPLAY_CPUS) >= 0 &&
            cpu < REPLAY_CPUS)
            refuse = !((bits[cpu / 64] >> (cpu % 64)) & 1);
    }
    closedir(d);
    return refuse;
}

static int fixture_open(void *ctx, struct perf_event_attr *attr, const char *evname,
                       pid_t pid, int cpu, int group_fd)
{
    struct fixture *r = ctx;
    int ev = ev_index(evname);
    if (ev < 0)
        return -ENOENT;
    if ((pid > 0) == (cpu >= 0))
        return -EINVAL;       /* like the kernel: a CPU or a thread, here never both */
    if (attr && pmu_refuses_cpu(r, attr->type, cpu))
        return -ENOENT;
    const struct fail *f = find_fail(r, ev, cpu, pid > 0 ? pid : 0, false);
    if (f)
        return -f->err;
    if (r->max_fds && r->open_fds >= r->max_fds)
        return -EMFILE;
    size_t slot = 0;
    while (slot < r->nfd && r->fds[slot].used)
        slot++;
    if (slot == r->nfd) {
        if (r->nfd >= REPLAY_MAX_FDS)
            return -EMFILE;
        size_t n = r->nfd ? r->nfd * 2 : 64;
        struct fdent *p = realloc(r->fds, n * sizeof(*p));
        if (!p)
            return -ENOMEM;
        memset(p + r->nfd, 0, (n - r->nfd) * sizeof(*p));
        r->fds = p;
        r->nfd = n;
    }
    int fd = REPLAY_FD0 + (int)slot;
    if (group_fd >= 0) {
        size_t ls = (size_t)(group_fd - REPLAY_FD0);
        if (group_fd < REPLAY_FD0 || ls >= r->nfd || !r->fds[ls].used)
            return -EBADF;
    }
    r->fds[slot] = (struct fdent){ true, ev, cpu, pid > 0 ? pid : 0,
                                   group_fd >= 0 ? group_fd : fd };
    r->open_fds++;
    return fd;
}

static struct fdent *fd_entry(struct fixture *r, int fd)
{
    size_t s = (size_t)(fd - REPLAY_FD0);
    return fd >= REPLAY_FD0 && s < r->nfd && r->fds[s].used ? &r->fds[s] : NULL;
}

/* Readings of a row at the current tick, extrapolated past the last tick. */
static void row_values(const struct fixture *r, const struct fdent *e, uint64_t *v,
                       uint64_t *t, bool *have_t, bool *found)
{
    long last = (long)r->nticks - 1;
    long cur = r->cur > last ? last : r->cur;
    const struct row *a = find_row(r, cur, e->cpu, e->tid);
    *found = a != NULL;
    if (!a)
        return;
    memcpy(v, a->v, sizeof(a->v));
    memcpy(t, a->t, sizeof(a->t));
    memcpy(have_t, a->have_t, sizeof(a->have_t));
    const struct row *b = r->cur > last ? find_row(r, last - 1, e->cpu, e->tid) : NULL;
    if (!b)
        return;
    uint64_t k = (uint64_t)(r->cur - last);
    for (int i = 0; i < CORES_EV_COUNT; i++)
        v[i] += k * (a->v[i] - b->v[i]);
    for (int i = 0; i < T_COUNT; i++)
        t[i] += k * (a->t[i] - b->t[i]);
}

static ssize_t fixture_read(void *ctx, int fd, void *buf, size_t len)
{
    struct fixture *r = ctx;
    struct fdent *e = fd_entry(r, fd);
    if (!e || e->leader != fd)
        return -EBADF;
    const struct fail *f = find_fail(r, e->ev, e->cpu, e->tid, true);
    if (f)
        return -f->err;
    uint64_t v[CORES_EV_COUNT] = { 0 }, t[T_COUNT] = { 0 };
    bool have_t[T_COUNT] = { false }, found;
    row_values(r, e, v, t, have_t, &found);
    if (!found)
        return 0;
    /* Software groups always run; hardware groups take the fixture's times. */
    bool sw = e->ev >= CORES_EV_HW_COUNT;
    bool l3 = e->ev == CORES_EV_L3_MISS || e->ev == CORES_EV_L3_ACCESS;
    uint64_t def = have_t[T_ENABLED] ? t[T_ENABLED] : (uint64_t)perf_fixture_time_ns(&r->b);
    uint64_t en = def, run = have_t[T_RUNNING] && !sw ? t[T_RUNNING] : def;
    if (l3 && have_t[T_L3_ENABLED])
        en = t[T_L3_ENABLED];
    if (l3 && have_t[T_L3_RUNNING])
        run = t[T_L3_RUNNING];
    uint64_t out[3 + 2 * PERF_GROUP_MAX];
    size_t nr = 0;
    for (size_t s = 0; s < r->nfd && nr < PERF_GROUP_MAX; s++) {
        if (!r->fds[s].used || r->fds[s].leader != fd)
            continue;
        out[3 + 2 * nr] = v[r->fds[s].ev];
        out[4 + 2 * nr] = REPLAY_FD0 + s + 1000;
        nr++;
    }
    out[0] = nr;
    out[1] = en;
    out[2] = run;
    size_t bytes = (3 + 2 * nr) * sizeof(uint64_t);
    if (len < bytes)
        return -ENOSPC;
    memcpy(buf, out, bytes);
    return (ssize_t)bytes;
}

static int fixture_id(void *ctx, int fd, uint64_t *id)
{
    struct fixture *r = ctx;
    if (!fd_entry(r, fd))
        return -EBADF;
    *id = (uint64_t)fd + 1000;
    return 0;
}

static int fixture_close(void *ctx, int fd)
{
    struct fixture *r = ctx;
    struct fdent *e = fd_entry(r, fd);
    if (!e)
        return -EBADF;
    e->used = false;
    r->open_fds--;
    /* Like the kernel, members of a closed leader become their own groups. */
    for (size_t s = 0; s < r->nfd; s++)
        if (r->fds[s].used && r->fds[s].leader == fd)
            r->fds[s].leader = REPLAY_FD0 + (int)s;
    return 0;
}

static int fixture_online(void *ctx, uint64_t *bits, size_t nbits)
{
    struct fixture *r = ctx;
    const uint64_t *src = r->online0;
    if (r->cur >= 0 && r->nticks)
        src = r->ticks[r->cur < (long)r->nticks ? r->cur : (long)r->nticks - 1].online;
    memset(bits, 0, (nbits + 63) / 64 * sizeof(uint64_t));
    for (size_t c = 0; c < nbits && c < REPLAY_CPUS; c++)
        if ((src[c / 64] >> (c % 64)) & 1)
            bits[c / 64] |= 1ULL << (c % 64);
    return 0;
}

static int fixture_tick(void *ctx)
{
    struct fixture *r = ctx;
    r->cur++;
    return 0;
}

int64_t perf_fixture_time_ns(const struct perf_backend *b)
{
    const struct fixture *r = b->ctx;
    if (r->nticks == 0 || r->cur < 0)
        return 0;
    long last = (long)r->nticks - 1;
    if (r->cur <= last)
        return (int64_t)(r->ticks[r->cur].secs * 1e9);
    double step = last > 0 ? r->ticks[last].secs - r->ticks[last - 1].secs : 1.0;
    return (int64_t)((r->ticks[last].secs + step * (double)(r->cur - last)) * 1e9);
}

static void fixture_free(struct fixture *r)
{
    for (size_t i = 0; i < r->nticks; i++)
        free(r->ticks[i].rows);
    free(r->ticks);
    free(r->fails);
    free(r->fds);
    free(r);
}

void perf_fixture_free(struct perf_backend *b)
{
    if (b)
        fixture_free(b->ctx);
}

static void online_from_root(struct fixture *r)
{
    char path[600], buf[4096];
    snprintf(path, sizeof(path), "%s/sys/devices/system/cpu/online", r->root);
    if (proc_read_file(path, buf, sizeof(buf)) < 0
        || proc_parse_cpulist(buf, r->online0, REPLAY_CPUS) <= 0)
        r->online0[0] = 1;    /* CPU 0 alone */
}

struct perf_backend *perf_fixture_open(const char *path, char *reason, size_t len)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        snprintf(reason, len, "fopen %s: %s", path, strerror(errno));
        return NULL;
    }
    struct fixture *r = calloc(1, sizeof(*r));
    if (!r) {
        fclose(f);
        snprintf(reason, len, "calloc: %s", strerror(ENOMEM));
        return NULL;
    }
    r->cur = -1;
    char dir[512];
    util_strlcpy(dir, path, sizeof(dir));
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        util_strlcpy(dir, ".", sizeof(dir));
    uint64_t online[REPLAY_WORDS] = { 0 };
    bool have_cpus = false;
    char line[1024];
    int lineno = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        line[strcspn(line, "\r\n")] = '\0';
        bool cpus_line = strncmp(line, "cpus", 4) == 0 && r->nticks == 0;
        if (!parse_line(r, line, dir, online)) {
            snprintf(reason, len, "%s:%d: cannot parse this line", path, lineno);
            fclose(f);
            fixture_free(r);
            return NULL;
        }
        if (cpus_line) {
            memcpy(r->online0, online, sizeof(online));
            have_cpus = true;
        }
    }
    fclose(f);
    if (!have_cpus) {
        online_from_root(r);
        memcpy(online, r->online0, sizeof(online));
        /* Ticks parsed before we knew: give them the root's set. */
        for (size_t i = 0; i < r->nticks; i++)
            memcpy(r->ticks[i].online, r->online0, sizeof(online));
    }
    if (r->nticks == 0) {
        snprintf(reason, len, "%s: no tick lines", path);
        fixture_free(r);
        return NULL;
    }
    snprintf(r->name, sizeof(r->name), "fixture %s", path);
    r->b = (struct perf_backend){
        .name = r->name, .root = r->root, .open = fixture_open, .read = fixture_read,
        .id = fixture_id, .close = fixture_close, .online = fixture_online,
        .tick = fixture_tick, .ctx = r,
    };
    return &r->b;
}

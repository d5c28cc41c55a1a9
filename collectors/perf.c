/* perf: the real perf_event_open backend, group open/read and multiplex scaling. */
#include "collectors/perf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc/proc_parse.h"

static int real_open(void *ctx, struct perf_event_attr *attr, const char *ev, pid_t pid,
                     int cpu, int group_fd)
{
    (void)ctx;
    (void)ev;
    long fd = syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, PERF_FLAG_FD_CLOEXEC);
    return fd < 0 ? -errno : (int)fd;
}

static ssize_t real_read(void *ctx, int fd, void *buf, size_t len)
{
    (void)ctx;
    for (;;) {
        ssize_t n = read(fd, buf, len);
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return -errno;
    }
}

static int real_id(void *ctx, int fd, uint64_t *id)
{
    (void)ctx;
    return ioctl(fd, PERF_EVENT_IOC_ID, id) < 0 ? -errno : 0;
}

static int real_close(void *ctx, int fd)
{
    (void)ctx;
    return close(fd) < 0 ? -errno : 0;
}

static int real_online(void *ctx, uint64_t *bits, size_t nbits)
{
    (void)ctx;
    char buf[4096];
    long n = proc_read_file("/sys/devices/system/cpu/online", buf, sizeof(buf));
    if (n < 0)
        return (int)n;
    return proc_parse_cpulist(buf, bits, nbits) < 0 ? -EINVAL : 0;
}

const struct perf_backend perf_backend_real = {
    .name = "perf_event_open",
    .root = "",
    .open = real_open,
    .read = real_read,
    .id = real_id,
    .close = real_close,
    .online = real_online,
    .tick = NULL,
    .ctx = NULL,
};

enum perf_err_class perf_err_classify(int err)
{
    if (err < 0)
        err = -err;
    switch (err) {
    case 0:          return PERF_ERR_NONE;
    case EACCES:
    case EPERM:      return PERF_ERR_PERMISSION;
    case ENOENT:
    case EOPNOTSUPP:
    case EINVAL:
    case ENODEV:
    case ENOSYS:     return PERF_ERR_UNSUPPORTED;
    case EMFILE:
    case ENFILE:     return PERF_ERR_FD_LIMIT;
    case ESRCH:      return PERF_ERR_GONE;
    case EBUSY:      return PERF_ERR_BUSY;
    default:         return PERF_ERR_OTHER;
    }
}

static const struct { int err; const char *name; } errno_names[] = {
    { EACCES, "EACCES" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" },
    { EOPNOTSUPP, "EOPNOTSUPP" }, { EINVAL, "EINVAL" }, { ENODEV, "ENODEV" },
    { ENOSYS, "ENOSYS" }, { EMFILE, "EMFILE" }, { ENFILE, "ENFILE" }, { ESRCH, "ESRCH" },
    { EBUSY, "EBUSY" }, { E2BIG, "E2BIG" }, { ENOMEM, "ENOMEM" }, { EIO, "EIO" },
    { ENODATA, "ENODATA" }, { EFAULT, "EFAULT" },
};

const char *perf_errno_name(int err)
{
    static char buf[24];
    if (err < 0)
        err = -err;
    for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
        if (errno_names[i].err == err)
            return errno_names[i].name;
    snprintf(buf, sizeof(buf), "errno %d", err);
    return buf;
}

int perf_errno_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
        if (strcmp(errno_names[i].name, name) == 0)
            return errno_names[i].err;
    return 0;
}

void perf_group_init(struct perf_group *g)
{
    memset(g, 0, sizeof(*g));
    for (int i = 0; i < PERF_GROUP_MAX; i++)
        g->fd[i] = -1;
}

void perf_attr_init(struct perf_event_attr *a, uint32_t type, uint64_t config,
                    uint64_t config1)
{
    memset(a, 0, sizeof(*a));
    a->size = sizeof(*a);
    a->type = type;
    a->config = config;
    a->config1 = config1;
    /* Every member carries the group format: the leader's read returns them all, and
     * the IDs let us match values to events whatever order the kernel lists them. */
    a->read_format = PERF_FORMAT_GROUP | PERF_FORMAT_ID | PERF_FORMAT_TOTAL_TIME_ENABLED
                   | PERF_FORMAT_TOTAL_TIME_RUNNING;
}

int perf_group_add(const struct perf_backend *b, struct perf_group *g,
                   const struct perf_event_attr *attr, const char *ev, pid_t pid, int cpu,
                   int slot)
{
    if (g->n >= PERF_GROUP_MAX)
        return -E2BIG;
    struct perf_event_attr a = *attr;
    a.disabled = 0;
    int leader = g->n ? g->fd[0] : -1;
    int fd = b->open(b->ctx, &a, ev, pid, cpu, leader);
    if (fd < 0)
        return fd;
    uint64_t id = 0;
    int r = b->id(b->ctx, fd, &id);
    if (r < 0) {
        b->close(b->ctx, fd);
        return r;
    }
    g->fd[g->n] = fd;
    g->id[g->n] = id;
    g->slot[g->n] = slot;
    g->n++;
    return 0;
}

int perf_group_read(const struct perf_backend *b, const struct perf_group *g,
                    struct perf_reading *out, bool *got, size_t nslots)
{
    if (g->n == 0)
        return -EBADF;
    /* nr, time_enabled, time_running, then { value, id } per member. */
    uint64_t buf[3 + 2 * PERF_GROUP_MAX];
    ssize_t n = b->read(b->ctx, g->fd[0], buf, sizeof(buf));
    if (n < 0)
        return (int)n;
    if (n == 0)
        return -ENODATA;
    if ((size_t)n < 3 * sizeof(uint64_t))
        return -EIO;
    uint64_t nr = buf[0];
    if (nr > PERF_GROUP_MAX || (size_t)n < (3 + 2 * nr) * sizeof(uint64_t))
        return -EIO;
    for (uint64_t i = 0; i < nr; i++) {
        uint64_t value = buf[3 + 2 * i], id = buf[4 + 2 * i];
        for (int m = 0; m < g->n; m++) {
            if (g->id[m] != id || g->slot[m] < 0 || (size_t)g->slot[m] >= nslots)
                continue;
            out[g->slot[m]].value = value;
            out[g->slot[m]].enabled = buf[1];
            out[g->slot[m]].running = buf[2];
            got[g->slot[m]] = true;
        }
    }
    return 0;
}

void perf_group_close(const struct perf_backend *b, struct perf_group *g)
{
    /* Members first: closing the leader first would promote them to singletons. */
    for (int i = g->n - 1; i >= 0; i--)
        if (g->fd[i] >= 0)
            b->close(b->ctx, g->fd[i]);
    perf_group_init(g);
}

double perf_scaled_delta(const struct perf_reading *a, const struct perf_reading *b)
{
    if (b->value < a->value || b->enabled < a->enabled || b->running < a->running)
        return NAN;
    uint64_t de = b->enabled - a->enabled, dr = b->running - a->running;
    if (dr == 0 || dr > de)
        return NAN;
    double dv = (double)(b->value - a->value);
    return dr == de ? dv : dv * ((double)de / (double)dr);
}

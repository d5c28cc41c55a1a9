/* perf: perf_event_open groups read with TOTAL_TIME_ENABLED/RUNNING, behind a backend that
 * is either the real syscalls or fixture files of raw readings (tests, demos without a PMU). */
#ifndef GMPTOP_PERF_H
#define GMPTOP_PERF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/perf_event.h>

/* The syscalls the collector needs, so a fixture backend can stand in for the kernel. Every
 * function returns >= 0 or -errno. */
struct perf_backend {
    const char *name;         /* "perf_event_open" or "fixture FILE" */
    /* Prefix for /proc and /sys paths: "" on the real machine, a fixture tree otherwise. */
    const char *root;
    /* ev names the event (cores_ev_name()) so a fixture backend can find its readings. */
    int (*open)(void *ctx, struct perf_event_attr *attr, const char *ev, pid_t pid, int cpu,
                int group_fd);
    ssize_t (*read)(void *ctx, int fd, void *buf, size_t len);
    int (*id)(void *ctx, int fd, uint64_t *id);
    int (*close)(void *ctx, int fd);
    /* Online CPUs into bits (nbits wide): re-read every tick (hot-plug). */
    int (*online)(void *ctx, uint64_t *bits, size_t nbits);
    /* Replay only (NULL for real): move to the next reading; called once per sample. */
    int (*tick)(void *ctx);
    void *ctx;
};

extern const struct perf_backend perf_backend_real;

/* Fixture: a backend fed by a file of raw readings (format in perf_fixture.c).
 * NULL + reason when the file cannot be read or parsed. */
struct perf_backend *perf_fixture_open(const char *path, char *reason, size_t len);
void perf_fixture_free(struct perf_backend *b);
/* The time (ns) the current fixture tick says it was taken, for building snapshots. */
int64_t perf_fixture_time_ns(const struct perf_backend *b);

/* What a failed open or read means for the user. Permission is checked first: the
 * kernel answers EACCES before it looks at whether the event exists. */
enum perf_err_class {
    PERF_ERR_NONE,
    PERF_ERR_PERMISSION,      /* EACCES, EPERM */
    PERF_ERR_UNSUPPORTED,     /* ENOENT, EOPNOTSUPP, EINVAL, ENODEV, ENOSYS */
    PERF_ERR_FD_LIMIT,        /* EMFILE, ENFILE */
    PERF_ERR_GONE,            /* ESRCH: the thread exited */
    PERF_ERR_BUSY,            /* EBUSY: another user holds the counters exclusively */
    PERF_ERR_OTHER,
};
enum perf_err_class perf_err_classify(int err);
/* "ENOENT", "EACCES", ... (or "errno N"). */
const char *perf_errno_name(int err);
/* errno for a name as written in fixtures ("ENOENT"), or 0 when unknown. */
int perf_errno_parse(const char *name);

#define PERF_GROUP_MAX 8

/* One group: the leader and members are read with one read(). */
struct perf_group {
    int fd[PERF_GROUP_MAX];
    uint64_t id[PERF_GROUP_MAX];
    int slot[PERF_GROUP_MAX]; /* caller's index for each member */
    int n;                    /* members open; fd[0] is the leader */
};

struct perf_reading {
    uint64_t value, enabled, running;
};

void perf_group_init(struct perf_group *g);
/* Open one event into g (as leader when g is empty). pid = -1, cpu >= 0 counts a CPU;
 * pid > 0, cpu = -1 counts a thread. Returns 0 or -errno; a full group is -E2BIG. */
int perf_group_add(const struct perf_backend *b, struct perf_group *g,
                   const struct perf_event_attr *attr, const char *ev, pid_t pid, int cpu,
                   int slot);
/* Read the group once; out and got are indexed by slot (nslots wide). Returns 0,
 * -errno, or -ENODATA when read returned end of file (the event stopped). */
int perf_group_read(const struct perf_backend *b, const struct perf_group *g,
                    struct perf_reading *out, bool *got, size_t nslots);
void perf_group_close(const struct perf_backend *b, struct perf_group *g);

/* Attr for a counter that starts at once and reads as part of a group. */
void perf_attr_init(struct perf_event_attr *a, uint32_t type, uint64_t config,
                    uint64_t config1);

/* The count over an interval scaled for multiplexing: Δvalue × Δenabled / Δrunning.
 * NAN when it did not run (Δrunning = 0) or the readings are implausible (a counter
 * or a time going backwards, running > enabled). */
double perf_scaled_delta(const struct perf_reading *a, const struct perf_reading *b);

#endif

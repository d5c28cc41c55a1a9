/* sched_quota: the CPU budget a Go process really has (affinity mask, cgroup quota),
 * to set GOMAXPROCS against. */
#ifndef GMPTOP_SCHED_QUOTA_H
#define GMPTOP_SCHED_QUOTA_H

#include <stdint.h>
#include <sys/types.h>
#include "model/snapshot.h"

/* Fill gomaxprocs_auto and gomaxprocs_policy: the GOMAXPROCS the target's runtime
 * picks by itself (model/go_maxprocs.h) from its version, the DefaultGODEBUG build
 * setting and its GODEBUG environment, the CPUs of its affinity mask (cpus_allowed, so
 * after sched_quota_read) and the cgroup CPU limit file it holds open. Both stay 0 when
 * unknown (version unknown, mask unknown, or its fds unreadable). */
void sched_quota_read_policy(const char *root, pid_t pid, const char *go_version,
                             const char *default_godebug, struct sched_sample *out);

/* Fill cpu_quota, nr_throttled, throttled_ns, cpus_allowed, cpus_online,
 * gomaxprocs_auto and gomaxprocs_policy of out. root is the filesystem root for /proc and
 * /sys/fs/cgroup ("" for the real one; tests pass a fixture tree). Reading everything
 * (the process's cgroup file, every level's limit files on the v2 and v1 trees, the
 * environment, the fds) took ~130 us a tick on the loaded server, so it is done every
 * SCHED_QUOTA_REREAD_NS and whenever the affinity mask changed; between, only the
 * cpu.stat files the last full read found (throttling moves each tick), kept open. A
 * limit or GODEBUG changed at run time shows within 5 s. The cache starts zeroed;
 * sched_quota_cache_close closes its files. */
#define SCHED_QUOTA_STAT_FILES 2
#define SCHED_QUOTA_PATH 4400
#define SCHED_QUOTA_REREAD_NS 5000000000LL
struct sched_quota_cache {
    int64_t read_ns;               /* CLOCK_MONOTONIC of the last full read; 0 never */
    double quota;
    int32_t online, allowed;       /* allowed: the affinity mask's CPUs then */
    int32_t gomaxprocs_auto, gomaxprocs_policy;
    int nfd;                       /* stat_fd[0..nfd) are open (or -1: failed) */
    int stat_fd[SCHED_QUOTA_STAT_FILES];
};
void sched_quota_read_cached(const char *root, pid_t pid, const char *go_version,
                             const char *default_godebug, struct sched_quota_cache *qc,
                             int64_t now_ns, struct sched_sample *out);
void sched_quota_cache_close(struct sched_quota_cache *qc);

/* cgroup v2 cpu.max ("max 100000", "250000 100000") -> CPUs, NAN for no limit.
 * Returns 0 or -EINVAL. */
int sched_quota_parse_cpu_max(const char *text, double *cpus);

#endif

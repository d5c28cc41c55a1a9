/* sched_quota: the CPU budget a Go process really has (affinity mask, cgroup quota),
 * to set GOMAXPROCS against. */
#ifndef GMPTOP_SCHED_QUOTA_H
#define GMPTOP_SCHED_QUOTA_H

#include <sys/types.h>
#include "model/snapshot.h"

/* Fill cpu_quota, cpus_allowed and cpus_online of out. root is the filesystem root for
 * /proc and /sys/fs/cgroup ("" for the real one; tests pass a fixture tree). */
void sched_quota_read_at(const char *root, pid_t pid, struct sched_sample *out);
void sched_quota_read(pid_t pid, struct sched_sample *out);

/* Fill gomaxprocs_auto and gomaxprocs_policy: the GOMAXPROCS the target's runtime
 * picks by itself (model/go_maxprocs.h) from its version, the DefaultGODEBUG build
 * setting and its GODEBUG environment, the CPUs of its affinity mask (cpus_allowed, so
 * after sched_quota_read) and the cgroup CPU limit file it holds open. Both stay 0 when
 * unknown (version unknown, mask unknown, or its fds unreadable). */
void sched_quota_read_policy(const char *root, pid_t pid, const char *go_version,
                             const char *default_godebug, struct sched_sample *out);

/* cgroup v2 cpu.max ("max 100000", "250000 100000") -> CPUs, NAN for no limit.
 * Returns 0 or -EINVAL. */
int sched_quota_parse_cpu_max(const char *text, double *cpus);

#endif

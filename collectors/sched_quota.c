/* sched_quota: the CPU budget a Go process really has (affinity mask, cgroup quota). */
#include "config.h"

#include "sched_quota.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/proc_parse.h"

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

/* The tightest quota on the path from the process's cgroup up to the root: a parent's
 * limit binds its children too. */
static double v2_quota(const char *root, const char *cgpath)
{
    char dir[4096], path[4200], buf[128];
    double best = NAN;
    snprintf(dir, sizeof(dir), "%s", cgpath);
    for (;;) {
        snprintf(path, sizeof(path), "%s/sys/fs/cgroup%s/cpu.max", root,
                 strcmp(dir, "/") == 0 ? "" : dir);
        double q;
        if (proc_read_file(path, buf, sizeof(buf)) > 0 &&
            sched_quota_parse_cpu_max(buf, &q) == 0 && !isnan(q) && (isnan(best) || q < best))
            best = q;
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir) {
            if (strcmp(dir, "/") == 0)
                break;
            strcpy(dir, "/");
            continue;
        }
        *slash = '\0';
    }
    return best;
}

static double v1_quota(const char *root, const char *cgpath)
{
    char path[4200], buf[64];
    long long quota, period;
    snprintf(path, sizeof(path), "%s/sys/fs/cgroup/cpu,cpuacct%s/cpu.cfs_quota_us", root, cgpath);
    if (proc_read_file(path, buf, sizeof(buf)) <= 0 || sscanf(buf, "%lld", &quota) != 1)
        return NAN;
    snprintf(path, sizeof(path), "%s/sys/fs/cgroup/cpu,cpuacct%s/cpu.cfs_period_us", root, cgpath);
    if (proc_read_file(path, buf, sizeof(buf)) <= 0 || sscanf(buf, "%lld", &period) != 1 ||
        quota <= 0 || period <= 0)
        return NAN;
    return (double)quota / (double)period;
}

static double cgroup_quota(const char *root, pid_t pid)
{
    char path[256], buf[8192];
    snprintf(path, sizeof(path), "%s/proc/%d/cgroup", root, (int)pid);
    if (proc_read_file(path, buf, sizeof(buf)) <= 0)
        return NAN;
    double best = NAN;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c2 = '\0';
        const char *controllers = c1 + 1, *cg = c2 + 1;
        double q = NAN;
        if (strcmp(line, "0") == 0 && controllers[0] == '\0')
            q = v2_quota(root, cg);
        else if (strstr(controllers, "cpu") && !strstr(controllers, "cpuset"))
            q = v1_quota(root, cg);
        if (!isnan(q) && (isnan(best) || q < best))
            best = q;
    }
    return best;
}

void sched_quota_read_at(const char *root, pid_t pid, struct sched_sample *out)
{
    out->cpu_quota = cgroup_quota(root, pid);
    out->cpus_online = (int32_t)sysconf(_SC_NPROCESSORS_ONLN);
    out->cpus_allowed = -1;
    if (root[0] == '\0') {
        cpu_set_t set;
        if (sched_getaffinity(pid, sizeof(set), &set) == 0)
            out->cpus_allowed = CPU_COUNT(&set);
    } else {
        char path[256], buf[4096];
        struct proc_status ps;
        snprintf(path, sizeof(path), "%s/proc/%d/status", root, (int)pid);
        long n = proc_read_file(path, buf, sizeof(buf));
        if (n > 0 && proc_parse_status(buf, (size_t)n, &ps) == 0 && ps.have_cpus_allowed)
            out->cpus_allowed = proc_parse_cpulist(ps.cpus_allowed_list, NULL, 4096);
    }
}

void sched_quota_read(pid_t pid, struct sched_sample *out)
{
    sched_quota_read_at("", pid, out);
}

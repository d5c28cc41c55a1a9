/* cpuprof_filter: loader of bpf/cpufilter.bpf.c, the per-CPU sampler's target filter. */
#include "config.h"

#include "collectors/cpuprof_filter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_BPF
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/cpufilter.h"
#include "bpf/cpufilter.skel.h"
#include "collectors/bpf_log.h"

struct cpuprof_filter {
    struct cpufilter_bpf *skel;
    struct bpf_link **links;
    size_t nlinks, cap;
    int ncpu;
    uint64_t *vals;                 /* ncpu values of one per-CPU counter */
};

struct cpuprof_filter *cpuprof_filter_open(pid_t pid, char *why, size_t len)
{
    struct stat ns;
    if (stat("/proc/self/ns/pid", &ns) < 0) {
        snprintf(why, len, "no /proc/self/ns/pid: %s", strerror(errno));
        return NULL;
    }
    struct cpuprof_filter *f = calloc(1, sizeof(*f));
    if (!f) {
        snprintf(why, len, "out of memory");
        return NULL;
    }
    f->ncpu = libbpf_num_possible_cpus();
    if (f->ncpu > 0)
        f->vals = calloc((size_t)f->ncpu, sizeof(*f->vals));
    bpf_log_quiet();
    f->skel = f->vals ? cpufilter_bpf__open() : NULL;
    int rc = -ENOMEM;
    if (f->skel) {
        f->skel->rodata->pidns_dev = (uint64_t)ns.st_dev;
        f->skel->rodata->pidns_ino = (uint64_t)ns.st_ino;
        f->skel->rodata->target_tgid = (uint32_t)pid;
        rc = cpufilter_bpf__load(f->skel);
    }
    if (rc) {
        char msg[160];
        snprintf(why, len, "the BPF filter did not load: %s%s%s", strerror(rc < 0 ? -rc : rc),
                 bpf_log_last(msg, sizeof(msg))[0] ? "; " : "", msg);
        cpuprof_filter_close(f);
        return NULL;
    }
    return f;
}

int cpuprof_filter_attach(struct cpuprof_filter *f, int perf_fd)
{
    if (f->nlinks == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 16;
        struct bpf_link **l = realloc(f->links, cap * sizeof(*l));
        if (!l)
            return -ENOMEM;
        f->links = l;
        f->cap = cap;
    }
    struct bpf_link *l = bpf_program__attach_perf_event(f->skel->progs.keep_target, perf_fd);
    if (!l)
        return errno ? -errno : -EINVAL;
    f->links[f->nlinks++] = l;
    return 0;
}

static int sum_counter(struct cpuprof_filter *f, uint32_t slot, uint64_t *out)
{
    size_t sz = (size_t)f->ncpu * sizeof(*f->vals);
    int rc = bpf_map__lookup_elem(f->skel->maps.counts, &slot, sizeof(slot), f->vals, sz, 0);
    if (rc)
        return rc;
    *out = 0;
    for (int i = 0; i < f->ncpu; i++)
        *out += f->vals[i];
    return 0;
}

int cpuprof_filter_counts(struct cpuprof_filter *f, uint64_t *kept, uint64_t *dropped)
{
    int rc = sum_counter(f, CPUFILTER_KEPT, kept);
    return rc ? rc : sum_counter(f, CPUFILTER_DROPPED, dropped);
}

void cpuprof_filter_close(struct cpuprof_filter *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nlinks; i++)
        bpf_link__destroy(f->links[i]);
    free(f->links);
    cpufilter_bpf__destroy(f->skel);
    free(f->vals);
    free(f);
}

#else /* !HAVE_BPF */

struct cpuprof_filter *cpuprof_filter_open(pid_t pid, char *why, size_t len)
{
    (void)pid;
    snprintf(why, len, "this gmptop was built without BPF");
    return NULL;
}

int cpuprof_filter_attach(struct cpuprof_filter *f, int perf_fd)
{
    (void)f;
    (void)perf_fd;
    return -ENOSYS;
}

int cpuprof_filter_counts(struct cpuprof_filter *f, uint64_t *kept, uint64_t *dropped)
{
    (void)f;
    *kept = *dropped = 0;
    return -ENOSYS;
}

void cpuprof_filter_close(struct cpuprof_filter *f)
{
    (void)f;
}

#endif

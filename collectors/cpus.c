/* cpus collector: per-CPU busy/total jiffies, NUMA node and online flag (/proc, /sys). */
#include "collectors/collector.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/proc_parse.h"

/* CPU numbers above this are not tracked (Linux's own NR_CPUS default maximum). */
#define CPUS_MAX 8192
#define CPU_WORDS (CPUS_MAX / 64)

#define SYS_NODE_DIR "/sys/devices/system/node"
#define SYS_CPU_DIR "/sys/devices/system/cpu"

struct cpus_state {
    short node[CPUS_MAX];     /* -1 unknown; read once at open (nodes do not move) */
    uint64_t present[CPU_WORDS];
    bool have_present;
    uint64_t online[CPU_WORDS];
    bool have_online;
    uint64_t seen[CPU_WORDS]; /* CPUs listed in /proc/stat this tick */
    struct snapshot *snap;    /* target of the /proc/stat callback */
    int add_err;
    char *stat_buf;           /* grows when /proc/stat outgrows it */
    size_t stat_size;
    char small[4096];
};

static bool bit_test(const uint64_t *b, long i)
{
    return i >= 0 && i < CPUS_MAX && (b[i / 64] >> (i % 64)) & 1;
}

/* Parse a sysfs CPU list file into bits; false if missing or malformed. */
static bool read_cpulist(const char *path, char *buf, size_t size, uint64_t *bits)
{
    long n = proc_read_file(path, buf, size);
    return n >= 0 && proc_parse_cpulist(buf, bits, CPUS_MAX) >= 0;
}

static void read_nodes(struct cpus_state *st)
{
    for (int i = 0; i < CPUS_MAX; i++)
        st->node[i] = -1;
    DIR *d = opendir(SYS_NODE_DIR);
    if (!d)
        return;            /* no NUMA support in the kernel: every node stays unknown */
    struct dirent *de;
    uint64_t bits[CPU_WORDS];
    while ((de = readdir(d)) != NULL) {
        char *end;
        if (strncmp(de->d_name, "node", 4) != 0 || de->d_name[4] < '0'
            || de->d_name[4] > '9')
            continue;
        long node = strtol(de->d_name + 4, &end, 10);
        if (*end != '\0' || node < 0 || node > 32767)
            continue;
        char path[300];
        snprintf(path, sizeof(path), SYS_NODE_DIR "/%s/cpulist", de->d_name);
        if (!read_cpulist(path, st->small, sizeof(st->small), bits))
            continue;
        for (long c = 0; c < CPUS_MAX; c++)
            if (bit_test(bits, c))
                st->node[c] = (short)node;
    }
    closedir(d);
}

static bool cpus_probe(char *reason, size_t len)
{
    if (access("/proc/stat", R_OK) != 0) {
        snprintf(reason, len, "access /proc/stat: %s", strerror(errno));
        return false;
    }
    return true;
}

static void *cpus_open(const struct target *t, const struct collector_config *cfg,
                       char *reason, size_t len)
{
    (void)cfg;
    (void)t;
    struct cpus_state *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(reason, len, "calloc: %s", strerror(errno));
        return NULL;
    }
    read_nodes(st);
    st->have_present = read_cpulist(SYS_CPU_DIR "/present", st->small, sizeof(st->small),
                                    st->present);
    st->stat_size = 16384;
    st->stat_buf = malloc(st->stat_size);
    if (!st->stat_buf) {
        snprintf(reason, len, "malloc: %s", strerror(errno));
        free(st);
        return NULL;
    }
    return st;
}

static void cpus_close(void *state)
{
    struct cpus_state *st = state;
    if (!st)
        return;
    free(st->stat_buf);
    free(st);
}

static void on_cpu(void *ctx, int cpu, uint64_t busy, uint64_t total)
{
    struct cpus_state *st = ctx;
    struct cpu_sample *c = snapshot_add_cpu(st->snap);
    if (!c) {
        st->add_err = -ENOMEM;
        return;
    }
    c->cpu = cpu;
    c->node = cpu >= 0 && cpu < CPUS_MAX ? st->node[cpu] : -1;
    c->busy = busy;
    c->total = total;
    /* Only online CPUs appear in /proc/stat; the sysfs file just confirms it. */
    c->online = st->have_online ? bit_test(st->online, cpu) : true;
    if (cpu >= 0 && cpu < CPUS_MAX)
        st->seen[cpu / 64] |= 1ULL << (cpu % 64);
}

static int cmp_cpu(const void *a, const void *b)
{
    const struct cpu_sample *x = a, *y = b;
    return (x->cpu > y->cpu) - (x->cpu < y->cpu);
}

/* Read /proc/stat whole, growing the buffer when the interrupt lines outgrow it. */
static long read_proc_stat(struct cpus_state *st, char *reason, size_t len)
{
    for (;;) {
        long n = proc_read_file("/proc/stat", st->stat_buf, st->stat_size);
        if (n != -EFBIG || st->stat_size >= (64u << 20)) {
            if (n < 0)
                snprintf(reason, len, "read /proc/stat: %s", strerror((int)-n));
            return n;
        }
        char *p = realloc(st->stat_buf, st->stat_size * 2);
        if (!p) {
            snprintf(reason, len, "realloc: %s", strerror(errno));
            return -ENOMEM;
        }
        st->stat_buf = p;
        st->stat_size *= 2;
    }
}

static int cpus_sample(void *state, const struct target *t, struct snapshot *s,
                       char *reason, size_t len)
{
    struct cpus_state *st = state;
    (void)t;
    /* CPUs can be hot-plugged between ticks, so online is re-read every time. */
    st->have_online = read_cpulist(SYS_CPU_DIR "/online", st->small, sizeof(st->small),
                                   st->online);
    long n = read_proc_stat(st, reason, len);
    if (n < 0)
        return (int)n;
    memset(st->seen, 0, sizeof(st->seen));
    st->snap = s;
    st->add_err = 0;
    int r = proc_parse_cpu_stat(st->stat_buf, (size_t)n, on_cpu, st);
    st->snap = NULL;
    if (r < 0) {
        snprintf(reason, len, "/proc/stat: unexpected cpu line format");
        return r;
    }
    if (st->add_err) {
        snprintf(reason, len, "snapshot_add_cpu: %s", strerror(-st->add_err));
        return st->add_err;
    }
    /* Present but offline CPUs get a row too, with no counters, so panes can show
     * them as offline rather than silently dropping them. */
    if (st->have_present) {
        for (long c = 0; c < CPUS_MAX; c++) {
            if (!bit_test(st->present, c) || bit_test(st->seen, c))
                continue;
            struct cpu_sample *cs = snapshot_add_cpu(s);
            if (!cs) {
                snprintf(reason, len, "snapshot_add_cpu: %s", strerror(ENOMEM));
                return -ENOMEM;
            }
            cs->cpu = (int)c;
            cs->node = st->node[c];
            cs->online = false;
        }
    }
    if (s->ncpus > 1)
        qsort(s->cpus, s->ncpus, sizeof(*s->cpus), cmp_cpu);
    return 0;
}

const struct collector_ops cpus_collector = {
    .name = "cpus",
    .summary = "per-CPU busy time (/proc/stat), NUMA node and online state (sysfs)",
    .pane = "header",
    .probe = cpus_probe,
    .open = cpus_open,
    .sample = cpus_sample,
    .close = cpus_close,
};

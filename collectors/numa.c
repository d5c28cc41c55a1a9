/* numa collector: where the target's memory and threads live per NUMA node (topology
 * from sysfs, policy and allowed sets from procfs, memory from numa_scan.c). */
#include "config.h"

#include "collectors/collector.h"
#include "collectors/numa.h"
#include "collectors/go_heap.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/placement.h"
#include "target/go_binary.h"
#include "proc/proc_parse.h"
#include "base/util.h"

#define MAX_NODES NUMA_MAPS_MAX_NODES

struct numa_topo {
    size_t n;
    int node[MAX_NODES];                  /* sorted */
    char cpus[MAX_NODES][NUMA_LIST_LEN];
    int32_t distance[MAX_NODES * MAX_NODES];
};

struct numa_state {
    struct numa_roots roots;
    pid_t pid;
    uint64_t base_kb;
    struct numa_topo topo;
    struct numa_scanner *scanner;
    double interval_s, budget_ms;
    struct numa_sampler sampler;
    /* The Go heap is told apart by the arena hints of 64-bit Go (0x00c0<<32 + i<<40);
     * a 32-bit program's arenas are just anonymous memory to us: heap unknown. */
    const char *no_arenas;     /* why not (GOARCH), or NULL */
    struct numa_heap_anchors heap;   /* objects in the Go heap, wherever it is */
    char buf[8192];
};

void numa_roots_from_env(struct numa_roots *r)
{
    const char *p = getenv("GMPTOP_PROCFS"), *s = getenv("GMPTOP_SYSFS");
    util_strlcpy(r->procfs, p && *p ? p : "/proc", sizeof(r->procfs));
    util_strlcpy(r->sysfs, s && *s ? s : "/sys", sizeof(r->sysfs));
}

static double env_double(const char *name, double def, double min)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return def;
    char *end;
    double d = strtod(v, &end);
    return *end == '\0' && d >= min && isfinite(d) ? d : def;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void trim_nl(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
}

/* Nodes, their CPUs and distances; read once (they do not change while we watch). */
static void read_topology(struct numa_state *st)
{
    struct numa_topo *t = &st->topo;
    char dir[320], path[400];
    t->n = 0;
    snprintf(dir, sizeof(dir), "%s/devices/system/node", st->roots.sysfs);
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL && t->n < MAX_NODES) {
        char *end;
        if (strncmp(de->d_name, "node", 4) != 0 || de->d_name[4] < '0' || de->d_name[4] > '9')
            continue;
        long node = strtol(de->d_name + 4, &end, 10);
        if (*end == '\0' && node >= 0 && node < MAX_NODES)
            t->node[t->n++] = (int)node;
    }
    if (d)
        closedir(d);
    qsort(t->node, t->n, sizeof(int), cmp_int);
    for (size_t i = 0; i < t->n * t->n; i++)
        t->distance[i] = -1;
    for (size_t i = 0; i < t->n; i++) {
        snprintf(path, sizeof(path), "%s/node%d/cpulist", dir, t->node[i]);
        t->cpus[i][0] = '\0';
        if (proc_read_file(path, st->buf, sizeof(st->buf)) >= 0) {
            trim_nl(st->buf);
            util_strlcpy(t->cpus[i], st->buf, sizeof(t->cpus[i]));
        }
        /* One distance per online node, in node order (drivers/base/node.c). */
        snprintf(path, sizeof(path), "%s/node%d/distance", dir, t->node[i]);
        if (proc_read_file(path, st->buf, sizeof(st->buf)) < 0)
            continue;
        char *p = st->buf;
        for (size_t j = 0; j < t->n; j++) {
            char *end;
            long v = strtol(p, &end, 10);
            if (end == p || v < 0 || v > 255)
                break;
            t->distance[i * t->n + j] = (int32_t)v;
            p = end;
        }
    }
}

/* "Node 0 MemTotal:  24599020 kB" lines. */
static void read_meminfo(struct numa_state *st, int node, int64_t *total, int64_t *free_kb)
{
    char path[400];
    *total = *free_kb = -1;
    if (node < 0) {
        snprintf(path, sizeof(path), "%s/meminfo", st->roots.procfs);
    } else {
        snprintf(path, sizeof(path), "%s/devices/system/node/node%d/meminfo",
                 st->roots.sysfs, node);
    }
    if (proc_read_file(path, st->buf, sizeof(st->buf)) < 0)
        return;
    for (char *line = st->buf; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *k = line;
        if (node >= 0 && strncmp(k, "Node ", 5) == 0) {
            k += 5;
            while (*k >= '0' && *k <= '9')
                k++;
            while (*k == ' ')
                k++;
        }
        long long v;
        if (sscanf(k, "MemTotal: %lld", &v) == 1 && v >= 0)
            *total = v;
        else if (sscanf(k, "MemFree: %lld", &v) == 1 && v >= 0)
            *free_kb = v;
        line = nl ? nl + 1 : NULL;
    }
}

static void read_process(struct numa_state *st, struct numa_sample *out)
{
    char path[320];
    struct proc_status ps;
    snprintf(path, sizeof(path), "%s/%d/status", st->roots.procfs, (int)st->pid);
    long n = proc_read_file(path, st->buf, sizeof(st->buf));
    if (n >= 0 && proc_parse_status(st->buf, (size_t)n, &ps) == 0) {
        if (ps.have_mems_allowed)
            util_strlcpy(out->mems_allowed, ps.mems_allowed_list, sizeof(out->mems_allowed));
        if (ps.have_cpus_allowed)
            util_strlcpy(out->cpus_allowed, ps.cpus_allowed_list, sizeof(out->cpus_allowed));
    }
    snprintf(path, sizeof(path), "%s/%d/cpuset", st->roots.procfs, (int)st->pid);
    if (proc_read_file(path, st->buf, sizeof(st->buf)) >= 0) {
        trim_nl(st->buf);
        util_strlcpy(out->cpuset, st->buf, sizeof(out->cpuset));
    }
}

static struct numa_node_sample *find_row(struct numa_sample *ns, int node)
{
    for (size_t i = 0; i < ns->nnodes; i++)
        if (ns->nodes[i].node == node)
            return &ns->nodes[i];
    return NULL;
}

/* Threads and Ps per node; returns the weights for local_pct and their basis. */
static const char *count_threads(struct snapshot *s, double *w)
{
    struct numa_sample *ns = &s->numa;
    double wt[MAX_NODES] = { 0 }, wp[MAX_NODES] = { 0 }, nt = 0, np = 0;
    /* The session sorts the threads after every collector has run; placement_p() looks
     * them up by tid now. Sorting twice costs little and changes nothing. */
    snapshot_sort_threads(s);
    for (size_t i = 0; i < s->nthreads; i++) {
        const struct thread_sample *th = &s->threads[i];
        int node = (th->have & THREAD_HAVE_CPU) ? placement_cpu_node(s, th->cpu) : -1;
        struct numa_node_sample *row = node >= 0 ? find_row(ns, node) : NULL;
        if (row) {
            row->threads++;
            wt[row - ns->nodes]++;
            nt++;
        }
    }
    /* The same placement the panes and the JSON show for each P, so that the Ps
     * column is always the count of the Ps they place on that node. */
    for (size_t i = 0; s->sched.valid && i < s->sched.nps; i++) {
        int cpu, node;
        placement_p(s, i, &cpu, &node);
        struct numa_node_sample *row = node >= 0 ? find_row(ns, node) : NULL;
        if (row) {
            row->ps++;
            wp[row - ns->nodes]++;
            np++;
        }
    }
    /* The Ps' threads run the Go code, so they say best where memory is used. */
    const double *src = np > 0 ? wp : wt;
    double sum = np > 0 ? np : nt;
    for (size_t i = 0; i < ns->nnodes; i++)
        w[i] = sum > 0 ? src[i] / sum : 0;
    return sum > 0 ? (np > 0 ? "ps" : "threads") : NULL;
}

static int build_rows(struct numa_state *st, const struct numa_scan_result *scan,
                      struct numa_sample *ns)
{
    const struct numa_topo *t = &st->topo;
    int list[MAX_NODES];
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        list[n++] = t->node[i];
    /* Memory on a node sysfs did not list still gets a row (fixtures, hotplug). */
    for (int node = 0; scan->done && node < MAX_NODES; node++) {
        if (!((scan->nodes_seen[node / 64] >> (node % 64)) & 1))
            continue;
        bool known = false;
        for (size_t i = 0; i < n; i++)
            known |= list[i] == node;
        if (!known)
            list[n++] = node;
    }
    if (n == 0)
        list[n++] = 0;      /* no NUMA in the kernel: the whole machine is node 0 */
    qsort(list, n, sizeof(int), cmp_int);
    ns->nodes = calloc(n, sizeof(*ns->nodes));
    ns->distance = malloc(n * n * sizeof(*ns->distance));
    if (!ns->nodes || !ns->distance)
        return -ENOMEM;
    ns->nnodes = n;
    for (size_t i = 0; i < n; i++) {
        struct numa_node_sample *row = &ns->nodes[i];
        row->node = list[i];
        row->heap_sampled_pct = NAN;
        int ti = -1;
        for (size_t j = 0; j < t->n; j++)
            if (t->node[j] == list[i])
                ti = (int)j;
        if (ti >= 0)
            util_strlcpy(row->cpus, t->cpus[ti], sizeof(row->cpus));
        row->mem_total_kb = row->mem_free_kb = -1;
        if (t->n == 0 || ti >= 0)   /* no sysfs nodes: /proc/meminfo is node 0's */
            read_meminfo(st, t->n ? list[i] : -1, &row->mem_total_kb, &row->mem_free_kb);
        row->pages_total = scan->done ? 0 : -1;
        for (int k = 0; k < NUMA_KIND_COUNT; k++) {
            row->pages[k] = scan->done ? (int64_t)scan->pages[list[i]][k] : -1;
            if (scan->done)
                row->pages_total += row->pages[k];
        }
        for (size_t j = 0; j < n; j++) {
            int tj = -1;
            for (size_t q = 0; q < t->n; q++)
                if (t->node[q] == list[j])
                    tj = (int)q;
            ns->distance[i * n + j] = ti >= 0 && tj >= 0 ? t->distance[ti * t->n + tj] : -1;
        }
    }
    return 0;
}

static void fill_sampling(struct numa_sample *ns, const struct numa_sample_result *sr)
{
    ns->sampled_pages = sr->resident;
    ns->sampled_probes = sr->probes;
    ns->sample_cost_ms = sr->cost_ms;
    if (sr->resident <= 0)
        return;
    double n = (double)sr->resident, worst = 0;
    for (size_t i = 0; i < ns->nnodes; i++) {
        int node = ns->nodes[i].node;
        double k = node < MAX_NODES ? (double)sr->on_node[node] : 0;
        ns->nodes[i].heap_sampled_pct = 100.0 * k / n;
        /* 95% normal interval on a Laplace-smoothed share: never claims 0 error. */
        double p = (k + 1) / (n + 2), half = 196.0 * sqrt(p * (1 - p) / n);
        /* Finite population: a sweep of every heap page is exact. */
        if (sr->population > 0 && sr->probes <= sr->population)
            half *= sqrt(1.0 - (double)sr->probes / (double)sr->population);
        if (half > worst)
            worst = half;
    }
    ns->sample_error_pct = worst;
}

static void fill_local(struct snapshot *s)
{
    struct numa_sample *ns = &s->numa;
    double w[MAX_NODES] = { 0 }, m[MAX_NODES] = { 0 }, total = 0;
    ns->local_basis = count_threads(s, w);
    ns->local_pct = NAN;
    if (!ns->local_basis)
        return;
    for (size_t i = 0; i < ns->nnodes; i++) {
        m[i] = ns->nodes[i].pages_total > 0 ? (double)ns->nodes[i].pages_total : 0;
        total += m[i];
    }
    if (total <= 0 && ns->sampled_pages > 0) {
        for (size_t i = 0; i < ns->nnodes; i++) {
            m[i] = isnan(ns->nodes[i].heap_sampled_pct) ? 0 : ns->nodes[i].heap_sampled_pct;
            total += m[i];
        }
    }
    if (total <= 0)
        return;
    /* A thread on node i finds m[i]/total of the memory local, if it touches all of it
     * evenly: an estimate, not a measurement of accesses. */
    double local = 0;
    for (size_t i = 0; i < ns->nnodes; i++)
        local += w[i] * m[i] / total;
    ns->local_pct = 100.0 * local;
}

static int fill(struct numa_state *st, const struct numa_scan_result *scan,
                const struct numa_sample_result *sr, const char *note, struct snapshot *s,
                char *reason, size_t len)
{
    struct numa_sample *ns = &s->numa;
    numa_sample_free(ns);
    memset(ns, 0, sizeof(*ns));
    ns->local_pct = ns->scan_age_s = ns->scan_cost_ms = NAN;
    ns->sample_error_pct = ns->sample_cost_ms = NAN;
    ns->sampled_pages = ns->sampled_probes = ns->scan_vmas = -1;
    ns->scan_interval_s = st->interval_s;
    ns->sample_budget_ms = st->budget_ms;
    if (build_rows(st, scan, ns) < 0) {
        numa_sample_free(ns);
        snprintf(reason, len, "calloc: %s", strerror(ENOMEM));
        return -ENOMEM;
    }
    read_process(st, ns);
    if (scan->done) {
        ns->scan_age_s = (double)(util_mono_ns() - scan->finished_ns) / 1e9;
        ns->scan_cost_ms = scan->cost_ms;
        ns->scan_vmas = scan->vmas;
        util_strlcpy(ns->policy, scan->policy, sizeof(ns->policy));
        util_strlcpy(ns->policy_mode, scan->policy_mode, sizeof(ns->policy_mode));
        ns->policy_count = scan->policy_count;
    }
    util_strlcpy(ns->scan_error, scan->error, sizeof(ns->scan_error));
    if (sr)
        fill_sampling(ns, sr);
    util_strlcpy(ns->sample_note, note ? note : "", sizeof(ns->sample_note));
    if (st->no_arenas) {
        for (size_t i = 0; i < ns->nnodes; i++)
            ns->nodes[i].pages[NUMA_KIND_HEAP] = -1;
        snprintf(ns->sample_note, sizeof(ns->sample_note), "Go heap not told apart for a "
                 "GOARCH=%s program (counted as anon)", st->no_arenas);
    }
    fill_local(s);
    ns->valid = true;
    if (scan->error[0])
        snprintf(reason, len, "%s", scan->error);
    return 0;
}

static bool numa_probe(char *reason, size_t len)
{
    if (getenv("GMPTOP_PROCFS") == NULL && access("/proc/self/numa_maps", R_OK) != 0) {
        snprintf(reason, len, "access /proc/self/numa_maps: %s (kernel without NUMA?)",
                 strerror(errno));
        return false;
    }
#ifndef HAVE_NUMA
    snprintf(reason, len, "numa_maps only: move_pages sampling built without libnuma");
#endif
    return true;
}

static struct numa_state *state_new(const struct numa_roots *r, pid_t pid)
{
    struct numa_state *st = calloc(1, sizeof(*st));
    if (!st)
        return NULL;
    st->roots = *r;
    st->pid = pid;
    long ps = sysconf(_SC_PAGESIZE);
    st->base_kb = ps > 0 ? (uint64_t)ps / 1024 : 4;
    st->interval_s = env_double("GMPTOP_NUMA_SCAN_S", NUMA_SCAN_DEFAULT_S, 0.05);
    st->budget_ms = env_double("GMPTOP_NUMA_BUDGET_MS", NUMA_BUDGET_DEFAULT_MS, 0);
    st->sampler.rng = (uint64_t)util_mono_ns() ^ ((uint64_t)pid << 32);
    read_topology(st);
    return st;
}

static void *numa_open(const struct target *t, const struct collector_config *cfg,
                       char *reason, size_t len)
{
    (void)cfg;
    if (!t || t->pid <= 0) {
        snprintf(reason, len, "no target process");
        return NULL;
    }
    struct numa_roots r;
    numa_roots_from_env(&r);
    struct numa_state *st = state_new(&r, t->pid);
    if (!st) {
        snprintf(reason, len, "calloc: %s", strerror(errno));
        return NULL;
    }
    const char *arch = t->bin ? go_binary_arch(t->bin) : "amd64";
    if (strcmp(arch, "amd64") != 0 && strcmp(arch, "arm64") != 0)
        st->no_arenas = arch;
    /* Go 1.26 randomises where the heap starts: find it from objects known to be in
     * it. Without them (runtime globals unknown) the 0x00c0<<32 hints still work for
     * the versions that use them. */
    char why[COLLECTOR_REASON_LEN];
    if (!st->no_arenas && t->bin) {
        int n = go_heap_anchors(t, st->heap.addr, NUMA_HEAP_ANCHORS, why, sizeof(why));
        st->heap.n = n > 0 ? (size_t)n : 0;
    }
    st->scanner = numa_scanner_start(&r, t->pid, st->base_kb, &st->heap, st->interval_s,
                                     reason, len);
    if (!st->scanner) {
        free(st);
        return NULL;
    }
    return st;
}

static int numa_sample(void *state, const struct target *t, struct snapshot *s,
                       char *reason, size_t len)
{
    struct numa_state *st = state;
    (void)t;
    struct numa_scan_result *scan = malloc(sizeof(*scan));
    if (!scan) {
        snprintf(reason, len, "malloc: %s", strerror(errno));
        return -ENOMEM;
    }
    numa_scanner_get(st->scanner, scan);
    struct numa_sample_result sr;
    char note[NUMA_NOTE_LEN] = "";
    int rc = numa_sample_heap(&st->roots, st->pid, &st->heap, st->budget_ms, &st->sampler, &sr,
                              note, sizeof(note));
    /* A failed or unavailable sample is unknown (null), never 0 pages. */
    int frc = fill(st, scan, rc >= 0 ? &sr : NULL, note, s, reason, len);
    free(scan);
    if (frc < 0)
        return frc;
    if (rc == -ESRCH || !target_alive(t)) {
        snprintf(reason, len, "target exited");
        return -ESRCH;
    }
    /* Sampling trouble is shown in the pane; the collector itself still works. */
    if (!reason[0] && note[0] && rc < 0)
        snprintf(reason, len, "%s", note);
    return 0;
}

static void numa_close(void *state)
{
    struct numa_state *st = state;
    if (!st)
        return;
    numa_scanner_stop(st->scanner);
    free(st);
}

int numa_collect_once(const struct numa_roots *r, pid_t pid, struct snapshot *s,
                      char *reason, size_t len)
{
    struct numa_state *st = state_new(r, pid);
    struct numa_scan_result *scan = malloc(sizeof(*scan));
    int rc = -ENOMEM;
    if (st && scan) {
        numa_scan_once(r, pid, st->base_kb, NULL, scan);
        rc = fill(st, scan, NULL, "not sampled (numa_collect_once)", s, reason, len);
        if (rc == 0 && scan->err)
            rc = scan->err;
    } else {
        snprintf(reason, len, "calloc: %s", strerror(ENOMEM));
    }
    free(scan);
    free(st);
    return rc;
}

const struct collector_ops numa_collector = {
    .name = "numa",
    .summary = "memory per NUMA node by kind (numa_maps scan + move_pages sampling), "
               "threads and Ps per node, policy, node meminfo and distances",
    .pane = "numa",
    .probe = numa_probe,
    .open = numa_open,
    .sample = numa_sample,
    .close = numa_close,
};

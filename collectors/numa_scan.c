/* numa_scan: the NUMA collector's memory sources: a background numa_maps scan (exact,
 * costly) and move_pages(2) sampling of the resident Go heap (cheap, each refresh). */
#include "config.h"

#include "collectors/numa.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_NUMA
#include <numa.h>
#include <numaif.h>
#endif

#include "base/util.h"

#define MAX_POLICIES 16
#define SAMPLE_MAX_RANGES 256
#define SAMPLE_BATCH_MAX 4096

struct vma {
    uint64_t start, end;
    bool readable, writable, guard;   /* guard: ---p */
    bool named;                       /* has a path or [name] */
    bool go_heap;                     /* named by Go 1.25+ as its heap (decoratemappings) */
};

struct vma_list {
    struct vma *v;
    size_t n, cap;
};

/* Go 1.25+ names its mappings where the kernel allows (CONFIG_ANON_VMA_NAME):
 * "[anon: Go: heap]" is mapped heap, "[anon: Go: heap reservation]" reserved for it;
 * its other names ("page summary", "gc bits", ...) are its metadata: anon to us. */
static bool go_heap_name(const char *name, size_t n)
{
    static const char *const heap[] = { "[anon: Go: heap]", "[anon: Go: heap reservation]" };
    while (n > 0 && (name[n - 1] == '\n' || name[n - 1] == ' '))
        n--;
    for (size_t i = 0; i < sizeof(heap) / sizeof(heap[0]); i++)
        if (n == strlen(heap[i]) && memcmp(name, heap[i], n) == 0)
            return true;
    return false;
}

/* Read a whole /proc file, growing *buf; /proc sizes are unknown until read. */
static long read_all(const char *path, char **buf, size_t *cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t len = 0;
    for (;;) {
        /* 16 KB holds a Go program's maps and numa_maps; a block that size stays in
         * malloc's heap, where a 256 KB one was mapped and unmapped on each read. */
        if (*cap - len < 4096) {
            size_t ncap = *cap ? *cap * 2 : 16384;
            char *p = realloc(*buf, ncap);
            if (!p) {
                close(fd);
                return -ENOMEM;
            }
            *buf = p;
            *cap = ncap;
        }
        ssize_t r = read(fd, *buf + len, *cap - len - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            return -e;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    (*buf)[len] = '\0';
    return (long)len;
}

/* "start-end perms offset dev inode [path]" lines -> list; malformed lines skipped. */
static int parse_maps(const char *buf, size_t len, struct vma_list *out)
{
    out->n = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *line = buf + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + 1;
        char *end;
        uint64_t a = strtoull(line, &end, 16);
        if (end == line || *end != '-')
            continue;
        const char *q = end + 1;
        uint64_t b = strtoull(q, &end, 16);
        if (end == q || *end != ' ' || (size_t)(end + 5 - line) > n)
            continue;
        if (out->n == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 256;
            struct vma *v = realloc(out->v, cap * sizeof(*v));
            if (!v)
                return -ENOMEM;
            out->v = v;
            out->cap = cap;
        }
        struct vma *v = &out->v[out->n++];
        v->start = a;
        v->end = b;
        v->readable = end[1] == 'r';
        v->writable = end[2] == 'w';
        v->guard = end[1] == '-' && end[2] == '-' && end[3] == '-';
        /* The path is the sixth field; anonymous mappings have none. */
        int fields = 0;
        bool in = false;
        v->named = false;
        v->go_heap = false;
        for (size_t i = 0; i < n; i++) {
            bool sp = line[i] == ' ';
            if (!sp && !in && ++fields == 6) {
                v->named = true;
                v->go_heap = go_heap_name(line + i, n - i);
                break;
            }
            in = !sp;
        }
    }
    return 0;
}

bool numa_is_go_arena(uint64_t addr)
{
    /* runtime/malloc.go (mallocinit): hints at uintptr(i)<<40 | 0x00c0<<32 for
     * i = 0..0x7f, tried from i = 0 up; the heap grows up from a hint, at most 256 GiB
     * before the next. The kernel's mmap area (libraries, thread stacks) sits just
     * under 128 TiB, so hints past 64 TiB are left out: a Go heap that had to go there
     * counts as anon rather than a library as heap. */
    uint64_t low = addr & ((1ULL << 40) - 1);
    return addr < (0x40ULL << 40) && low >= (0xc0ULL << 32);
}

/* Heap ranges of one scan: the anchored runs, [lo, hi). */
#define MAX_HEAP_RUNS NUMA_HEAP_ANCHORS
#define ARENA_BYTES (64ULL << 20)   /* heapArenaBytes on 64-bit Linux */
struct heap_runs {
    uint64_t lo[MAX_HEAP_RUNS], hi[MAX_HEAP_RUNS];
    size_t n;
};

/* Anonymous memory that can be part of the heap: unnamed, or named heap by Go. */
static bool heap_like(const struct vma *v)
{
    return !v->named || v->go_heap;
}

/* The run of address-contiguous unnamed mappings around each anchor, cut to whole
 * arenas: the runtime reserves the heap 64 MiB arena by arena, reserved-but-unused
 * parts as PROT_NONE, so the run is the heap, and the cut keeps out a neighbour that
 * happens to touch it (a cut that would lose the anchor is not made). */
static void find_heap_runs(const struct vma_list *maps, const struct numa_heap_anchors *a,
                           struct heap_runs *out)
{
    out->n = 0;
    for (size_t k = 0; a && k < a->n && out->n < MAX_HEAP_RUNS; k++) {
        uint64_t x = a->addr[k];
        size_t i = 0;
        while (i < maps->n && maps->v[i].end <= x)
            i++;
        if (i == maps->n || maps->v[i].start > x || !heap_like(&maps->v[i]))
            continue;
        size_t lo = i, hi = i;
        while (lo > 0 && heap_like(&maps->v[lo - 1]) && maps->v[lo - 1].end == maps->v[lo].start)
            lo--;
        while (hi + 1 < maps->n && heap_like(&maps->v[hi + 1]) &&
               maps->v[hi + 1].start == maps->v[hi].end)
            hi++;
        uint64_t s = maps->v[lo].start, e = maps->v[hi].end;
        uint64_t cs = (s + ARENA_BYTES - 1) & ~(ARENA_BYTES - 1), ce = e & ~(ARENA_BYTES - 1);
        if (cs <= x && x < ce)
            s = cs, e = ce;
        bool dup = false;
        for (size_t j = 0; j < out->n; j++)
            dup |= out->lo[j] == s && out->hi[j] == e;
        if (!dup) {
            out->lo[out->n] = s;
            out->hi[out->n++] = e;
        }
    }
}

static bool in_heap(const struct heap_runs *h, uint64_t addr)
{
    if (numa_is_go_arena(addr))
        return true;
    for (size_t i = 0; i < h->n; i++)
        if (addr >= h->lo[i] && addr < h->hi[i])
            return true;
    return false;
}

struct scan_ctx {
    struct numa_scan_result *out;
    const struct vma_list *maps;
    struct heap_runs heap;
    size_t cursor;
    uint64_t base_kb, page;
    struct { char text[64]; char mode[24]; uint64_t weight; } pol[MAX_POLICIES];
    size_t npol;
};

static const struct vma *find_vma(struct scan_ctx *c, uint64_t addr, size_t *idx)
{
    const struct vma_list *m = c->maps;
    /* Both files list VMAs in address order, so a forward cursor almost always hits. */
    while (c->cursor < m->n && m->v[c->cursor].start < addr)
        c->cursor++;
    if (c->cursor < m->n && m->v[c->cursor].start == addr) {
        *idx = c->cursor;
        return &m->v[c->cursor];
    }
    return NULL;
}

static enum numa_kind classify(struct scan_ctx *c, const struct numa_maps_entry *e)
{
    if (e->huge)
        return NUMA_KIND_HUGE;
    switch (e->backing) {
    case NUMA_BACK_FILE:  return NUMA_KIND_FILE;
    case NUMA_BACK_STACK: return NUMA_KIND_STACK;
    case NUMA_BACK_HEAP:  return NUMA_KIND_ANON;   /* brk: C malloc, not the Go heap */
    case NUMA_BACK_ANON:  break;
    }
    size_t i = 0;
    const struct vma *v = find_vma(c, e->addr, &i);
    if (v && v->go_heap)
        return NUMA_KIND_HEAP;
    if (v && v->named)
        return NUMA_KIND_ANON;                     /* [vdso], [vvar], shm without file= */
    if (in_heap(&c->heap, e->addr))
        return NUMA_KIND_HEAP;
    /* A pthread stack (cgo, or a C library's thread) sits right above a one-page
     * PROT_NONE guard. */
    if (v && i > 0) {
        const struct vma *g = &c->maps->v[i - 1];
        if (g->guard && g->end == v->start && g->end - g->start == c->page)
            return NUMA_KIND_STACK;
    }
    return NUMA_KIND_ANON;
}

static void add_policy(struct scan_ctx *c, const struct numa_maps_entry *e, uint64_t pages)
{
    size_t i = 0;
    while (i < c->npol && strcmp(c->pol[i].text, e->policy) != 0)
        i++;
    if (i == c->npol) {
        if (c->npol == MAX_POLICIES)
            return;
        c->npol++;
        util_strlcpy(c->pol[i].text, e->policy, sizeof(c->pol[i].text));
        const char *mode = e->mode == NUMA_MODE_UNKNOWN ? e->policy : numa_maps_mode_name(e->mode);
        util_strlcpy(c->pol[i].mode, mode, sizeof(c->pol[i].mode));
        c->pol[i].weight = 0;
    }
    /* +1: a process with no resident pages yet still has a policy. */
    c->pol[i].weight += pages + 1;
}

static int on_entry(void *ctx, const struct numa_maps_entry *e)
{
    struct scan_ctx *c = ctx;
    enum numa_kind k = classify(c, e);
    c->out->vmas++;
    for (int n = 0; n < NUMA_MAPS_MAX_NODES; n++) {
        if (!((e->nodes_present[n / 64] >> (n % 64)) & 1))
            continue;
        c->out->pages[n][k] += numa_maps_base_pages(e, n, c->base_kb);
        c->out->nodes_seen[n / 64] |= 1ULL << (n % 64);
    }
    add_policy(c, e, numa_maps_base_pages(e, -1, c->base_kb));
    return 0;
}

static void scan_fail(struct numa_scan_result *out, const char *call, const char *path,
                      int err)
{
    const char *hint = err == EACCES || err == EPERM
        ? " (needs the target's user, root or CAP_SYS_PTRACE)" : "";
    /* The errno is the point: when it all does not fit, drop the path's head, never the
     * error (a fixture root or chroot can make the path long). */
    const char *msg = strerror(err);
    int room = (int)sizeof(out->error) - 1 -
               (int)(strlen(call) + strlen(msg) + strlen(hint) + 3);
    int plen = (int)strlen(path);
    if (room >= 4 && plen > room)
        snprintf(out->error, sizeof(out->error), "%s ...%s: %s%s", call,
                 path + plen - (room - 3), msg, hint);
    else
        snprintf(out->error, sizeof(out->error), "%s %s: %s%s", call, path, msg, hint);
    out->err = -err;
}

int numa_scan_once(const struct numa_roots *r, pid_t pid, uint64_t base_kb,
                   const struct numa_heap_anchors *heap, struct numa_scan_result *out)
{
    int64_t t0 = util_mono_ns();
    memset(out, 0, sizeof(*out));
    char path[320];
    char *buf = NULL;
    size_t cap = 0;
    struct vma_list maps = { NULL, 0, 0 };
    int rc = 0;

    snprintf(path, sizeof(path), "%s/%d/maps", r->procfs, (int)pid);
    long n = read_all(path, &buf, &cap);
    /* maps only refines the kinds (ends, guards, names): go on without it. */
    if (n >= 0 && parse_maps(buf, (size_t)n, &maps) < 0)
        maps.n = 0;
    snprintf(path, sizeof(path), "%s/%d/numa_maps", r->procfs, (int)pid);
    n = read_all(path, &buf, &cap);
    if (n < 0) {
        scan_fail(out, n == -ENOMEM ? "realloc" : "read", path, (int)-n);
        rc = (int)n;
        goto done;
    }
    struct scan_ctx *c = calloc(1, sizeof(*c));
    if (!c) {
        scan_fail(out, "calloc", "scan", ENOMEM);
        rc = -ENOMEM;
        goto done;
    }
    c->out = out;
    c->maps = &maps;
    find_heap_runs(&maps, heap, &c->heap);
    c->base_kb = base_kb ? base_kb : 4;
    c->page = c->base_kb * 1024;
    numa_maps_parse(buf, (size_t)n, on_entry, c, NULL);
    size_t best = 0;
    for (size_t i = 1; i < c->npol; i++)
        if (c->pol[i].weight > c->pol[best].weight)
            best = i;
    if (c->npol) {
        util_strlcpy(out->policy, c->pol[best].text, sizeof(out->policy));
        util_strlcpy(out->policy_mode, c->pol[best].mode, sizeof(out->policy_mode));
    }
    out->policy_count = (int32_t)c->npol;
    free(c);
    out->done = true;
done:
    free(buf);
    free(maps.v);
    out->finished_ns = util_mono_ns();
    out->cost_ms = (double)(out->finished_ns - t0) / 1e6;
    return rc;
}

/* ---- background scanner ------------------------------------------------------------ */

struct numa_scanner {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
    struct numa_roots roots;
    pid_t pid;
    uint64_t base_kb;
    struct numa_heap_anchors heap;
    double interval_s;
    struct numa_scan_result latest;   /* guarded by lock */
    struct numa_scan_result work;     /* the thread's own */
};

static void publish(struct numa_scanner *sc, int rc)
{
    pthread_mutex_lock(&sc->lock);
    if (rc == 0) {
        sc->latest = sc->work;
    } else {
        /* Keep the last good figures (with their age) and say why they are old. */
        memcpy(sc->latest.error, sc->work.error, sizeof(sc->latest.error));
        sc->latest.err = sc->work.err;
    }
    pthread_mutex_unlock(&sc->lock);
}

static void *scanner_main(void *arg)
{
    struct numa_scanner *sc = arg;
    pthread_setname_np(pthread_self(), "gmptop-numa");   /* as top -H and htop show it */
    pthread_mutex_lock(&sc->lock);
    while (!sc->stop) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        double whole = (double)(int64_t)sc->interval_s;
        until.tv_sec += (time_t)whole;
        until.tv_nsec += (long)((sc->interval_s - whole) * 1e9);
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!sc->stop && pthread_cond_timedwait(&sc->wake, &sc->lock, &until) == 0)
            ;
        if (sc->stop)
            break;
        pthread_mutex_unlock(&sc->lock);
        int rc = numa_scan_once(&sc->roots, sc->pid, sc->base_kb, &sc->heap, &sc->work);
        publish(sc, rc);
        pthread_mutex_lock(&sc->lock);
    }
    pthread_mutex_unlock(&sc->lock);
    return NULL;
}

struct numa_scanner *numa_scanner_start(const struct numa_roots *r, pid_t pid,
                                        uint64_t base_kb,
                                        const struct numa_heap_anchors *heap,
                                        double interval_s, char *reason, size_t len)
{
    struct numa_scanner *sc = calloc(1, sizeof(*sc));
    if (!sc) {
        snprintf(reason, len, "calloc: %s", strerror(errno));
        return NULL;
    }
    sc->roots = *r;
    sc->pid = pid;
    sc->base_kb = base_kb;
    if (heap)
        sc->heap = *heap;
    sc->interval_s = interval_s > 0.05 ? interval_s : 0.05;
    /* The first scan runs here so the first tick already has exact figures. */
    int rc = numa_scan_once(r, pid, base_kb, &sc->heap, &sc->work);
    sc->latest = sc->work;
    if (rc < 0 && (rc == -EACCES || rc == -EPERM || rc == -ENOENT || rc == -ESRCH)) {
        snprintf(reason, len, "%s", sc->work.error);
        free(sc);
        return NULL;
    }
    pthread_mutex_init(&sc->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sc->wake, &ca);
    pthread_condattr_destroy(&ca);
    int e = pthread_create(&sc->thread, NULL, scanner_main, sc);
    if (e != 0) {
        snprintf(reason, len, "pthread_create: %s", strerror(e));
        pthread_cond_destroy(&sc->wake);
        pthread_mutex_destroy(&sc->lock);
        free(sc);
        return NULL;
    }
    return sc;
}

void numa_scanner_get(struct numa_scanner *sc, struct numa_scan_result *out)
{
    pthread_mutex_lock(&sc->lock);
    *out = sc->latest;
    pthread_mutex_unlock(&sc->lock);
}

void numa_scanner_stop(struct numa_scanner *sc)
{
    if (!sc)
        return;
    pthread_mutex_lock(&sc->lock);
    sc->stop = true;
    pthread_cond_signal(&sc->wake);
    pthread_mutex_unlock(&sc->lock);
    pthread_join(sc->thread, NULL);
    pthread_cond_destroy(&sc->wake);
    pthread_mutex_destroy(&sc->lock);
    free(sc);
}

/* ---- move_pages sampling --------------------------------------------------------------- */

#ifdef HAVE_NUMA
static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ULL;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

/* The Go heap's writable arena ranges, from PROCFS/PID/maps. */
static long heap_ranges(const struct numa_roots *r, pid_t pid,
                        const struct numa_heap_anchors *anchors, struct vma *out, size_t max,
                        uint64_t *pages, uint64_t page, char *note, size_t len)
{
    char path[320];
    snprintf(path, sizeof(path), "%s/%d/maps", r->procfs, (int)pid);
    char *buf = NULL;
    size_t cap = 0;
    struct vma_list maps = { NULL, 0, 0 };
    long n = read_all(path, &buf, &cap);
    if (n < 0) {
        snprintf(note, len, "read %s: %s", path, strerror((int)-n));
        free(buf);
        return n;
    }
    int rc = parse_maps(buf, (size_t)n, &maps);
    free(buf);
    if (rc < 0) {
        snprintf(note, len, "parse maps: %s", strerror(-rc));
        free(maps.v);
        return rc;
    }
    size_t k = 0;
    *pages = 0;
    struct heap_runs heap;
    find_heap_runs(&maps, anchors, &heap);
    for (size_t i = 0; i < maps.n && k < max; i++) {
        const struct vma *v = &maps.v[i];
        if (!v->writable || v->end <= v->start ||
            !(v->go_heap || (!v->named && in_heap(&heap, v->start))))
            continue;
        out[k++] = *v;
        *pages += (v->end - v->start) / page;
    }
    free(maps.v);
    return (long)k;
}
#endif

#ifdef HAVE_NUMA
/* Start a permutation of total pages when there is none or the heap changed size: a
 * stride coprime to total from a random start visits every page once per cycle. The
 * window's pages were of the old heap: it starts again. */
static void sampler_restart(struct numa_sampler *sm, uint64_t total)
{
    if (sm->total == total)
        return;
    sm->total = total;
    sm->stride = total > 1 ? (xorshift(&sm->rng) % (total - 1)) + 1 : 1;
    sm->at = xorshift(&sm->rng) % total;
    while (gcd(sm->stride, total) != 1)
        sm->stride = sm->stride % (total - 1) + 1;
    sm->filled = 0;
}

/* This refresh's share: all of a small heap, else a quarter of a heap that a window
 * sweeps, else NUMA_SAMPLE_PER_REFRESH. */
static uint64_t refresh_quota(uint64_t total, unsigned *window)
{
    if (total <= NUMA_SAMPLE_PER_REFRESH) {
        *window = 1;
        return total;
    }
    *window = NUMA_SAMPLE_WINDOW;
    uint64_t quarter = (total + NUMA_SAMPLE_WINDOW - 1) / NUMA_SAMPLE_WINDOW;
    return quarter < NUMA_SAMPLE_PER_REFRESH ? quarter : NUMA_SAMPLE_PER_REFRESH;
}

/* The pool: this refresh and the ones before it in the window, at most total probes. */
static void sampler_pool(struct numa_sampler *sm, const struct numa_sample_result *now,
                         unsigned window, struct numa_sample_result *out)
{
    sm->newest = (sm->newest + 1) % NUMA_SAMPLE_WINDOW;
    sm->win[sm->newest] = *now;
    if (sm->filled < NUMA_SAMPLE_WINDOW)
        sm->filled++;
    out->resident = out->probes = 0;
    memset(out->on_node, 0, sizeof(out->on_node));
    unsigned n = sm->filled < window ? sm->filled : window;
    for (unsigned k = 0; k < n; k++) {
        const struct numa_sample_result *w =
            &sm->win[(sm->newest + NUMA_SAMPLE_WINDOW - k) % NUMA_SAMPLE_WINDOW];
        if (out->probes >= (int64_t)sm->total)
            break;                   /* the cycle is complete: older pages come again */
        out->resident += w->resident;
        out->probes += w->probes;
        for (size_t i = 0; i < NUMA_MAPS_MAX_NODES; i++)
            out->on_node[i] += w->on_node[i];
    }
    /* Quarters rounded up ask about up to 3 pages twice a cycle: still a sweep. */
    if (out->probes > (int64_t)sm->total)
        out->probes = (int64_t)sm->total;
}
#endif

int numa_sample_heap(const struct numa_roots *r, pid_t pid,
                     const struct numa_heap_anchors *heap, double budget_ms,
                     struct numa_sampler *sm, struct numa_sample_result *out, char *note,
                     size_t len)
{
    memset(out, 0, sizeof(*out));
    out->cost_ms = NAN;
#ifndef HAVE_NUMA
    (void)r;
    (void)heap;
    (void)pid;
    (void)budget_ms;
    (void)sm;
    snprintf(note, len, "built without libnuma");
    return -ENOTSUP;
#else
    if (budget_ms <= 0) {
        snprintf(note, len, "sampling off (GMPTOP_NUMA_BUDGET_MS=0)");
        return -ENOTSUP;
    }
    /* 10% kept back for the last batch running long and the bookkeeping after it. */
    int64_t t0 = util_mono_ns(), budget_ns = (int64_t)(budget_ms * 0.9e6);
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), total = 0;
    struct vma ranges[SAMPLE_MAX_RANGES];
    long nr = heap_ranges(r, pid, heap, ranges, SAMPLE_MAX_RANGES, &total, page, note, len);
    if (nr < 0)
        return (int)nr;
    if (nr == 0 || total == 0) {
        snprintf(note, len, "no Go heap arena mapped");
        sm->total = 0;
        out->cost_ms = (double)(util_mono_ns() - t0) / 1e6;
        return 0;
    }
    sampler_restart(sm, total);
    unsigned window;
    uint64_t limit = refresh_quota(total, &window);
    struct numa_sample_result now = { 0 };
    void *pages[SAMPLE_BATCH_MAX];
    int status[SAMPLE_BATCH_MAX];
    size_t batch = 128;              /* grows once the cost per page is known */
    int64_t spent = util_mono_ns() - t0;
    while (spent < budget_ns && (uint64_t)now.probes < limit) {
        if (batch > limit - (uint64_t)now.probes)
            batch = (size_t)(limit - (uint64_t)now.probes);
        for (size_t i = 0; i < batch; i++) {
            uint64_t pick = sm->at;
            sm->at = (sm->at + sm->stride) % total;
            long j = 0;
            while (j < nr - 1 && pick >= (ranges[j].end - ranges[j].start) / page) {
                pick -= (ranges[j].end - ranges[j].start) / page;
                j++;
            }
            pages[i] = (void *)(uintptr_t)(ranges[j].start + pick * page);
        }
        int64_t b0 = util_mono_ns();
        if (numa_move_pages(pid, batch, pages, NULL, status, 0) < 0) {
            int e = errno;
            const char *hint = e == EPERM || e == EACCES
                ? " (needs the target's user, root or CAP_SYS_NICE)" : "";
            snprintf(note, len, "move_pages: %s%s", strerror(e), hint);
            out->cost_ms = (double)(util_mono_ns() - t0) / 1e6;
            return -e;
        }
        int64_t b1 = util_mono_ns();
        now.probes += (int64_t)batch;
        for (size_t i = 0; i < batch; i++) {
            if (status[i] < 0)
                continue;            /* -ENOENT not present, -EFAULT unmapped */
            now.resident++;
            if (status[i] < NUMA_MAPS_MAX_NODES)
                now.on_node[status[i]]++;
        }
        spent = b1 - t0;
        /* Size the next batch to what is left of the budget at this cost per page. */
        double per_page = (double)(b1 - b0) / (double)batch;
        double left = (double)(budget_ns - spent);
        double fit = per_page > 0 ? left / per_page * 0.7 : SAMPLE_BATCH_MAX;
        /* No single call may take more than a quarter of the budget: one call cannot
         * be stopped, so a slow one (page faults in the walk, preemption) would
         * overrun by its whole length. */
        double quarter = per_page > 0 ? (double)budget_ns / 4 / per_page : SAMPLE_BATCH_MAX;
        if (fit > quarter)
            fit = quarter;
        batch = fit < 16 ? 0 : fit > SAMPLE_BATCH_MAX ? SAMPLE_BATCH_MAX : (size_t)fit;
        if (batch == 0)
            break;
    }
    sampler_pool(sm, &now, window, out);
    out->population = (int64_t)total;
    out->cost_ms = (double)(util_mono_ns() - t0) / 1e6;
    return (int)(out->resident > INT32_MAX ? INT32_MAX : out->resident);
#endif
}

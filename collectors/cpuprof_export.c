/* cpuprof_export: the last seconds of on-CPU samples as files people already read: a
 * gzipped pprof profile (`go tool pprof BINARY FILE`), with the goroutine, P and thread of
 * each sample as labels, and folded stacks for flame-graph tools. */
#include "collectors/cpuprof_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "collectors/cpuprof_perf.h"
#include "collectors/gr_symbols.h"
#include "base/pprof_write.h"

struct agg {
    uint32_t stack;
    int32_t p;
    pid_t tid;
    int64_t goid;
    int64_t count;
    int64_t nanos;                    /* CPU time the samples stand for (their rates) */
};

static int agg_cmp(const void *a, const void *b)
{
    const struct agg *x = a, *y = b;
    if (x->stack != y->stack)
        return x->stack < y->stack ? -1 : 1;
    if (x->goid != y->goid)
        return x->goid < y->goid ? -1 : 1;
    if (x->p != y->p)
        return x->p < y->p ? -1 : 1;
    return (x->tid > y->tid) - (x->tid < y->tid);
}

/* The samples of the window, one entry per (stack, goroutine, P, thread). */
static struct agg *window(const struct cpuprof_store *st, int64_t from_ns, size_t *n,
                          int64_t *first_ns)
{
    size_t k = 0;
    while (k < st->ring_len && cpuprof_store_nth(st, k)->t_ns >= from_ns)
        k++;
    struct agg *a = calloc(k ? k : 1, sizeof(*a));
    if (!a)
        return NULL;
    *first_ns = k ? cpuprof_store_nth(st, k - 1)->t_ns : from_ns;
    for (size_t i = 0; i < k; i++) {
        const struct cpuprof_ent *e = cpuprof_store_nth(st, i);
        a[i] = (struct agg){ e->stack, e->p, e->tid, e->goid, 1,
                             (int64_t)(1e9 / (e->hz ? e->hz : 99)) };
    }
    qsort(a, k, sizeof(*a), agg_cmp);
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        if (m && agg_cmp(&a[m - 1], &a[i]) == 0) {
            a[m - 1].count++;
            a[m - 1].nanos += a[i].nanos;
        }
        else
            a[m++] = a[i];
    }
    *n = m;
    return a;
}

static int write_pprof(const struct cpuprof_store *st, struct gr_symbols *sym, double hz,
                       const struct agg *a, size_t n, int64_t start_real, int64_t dur_ns,
                       const char *exe, const char *path, char *why, size_t len)
{
    struct pprof *p = pprof_new((int64_t)(1e9 / (hz > 0 ? hz : 99)));
    if (!p) {
        snprintf(why, len, "out of memory");
        return -ENOMEM;
    }
    uint64_t bias = gr_symbols_bias(sym), lo = UINT64_MAX, hi = 0;
    /* One location per pc of a kept stack (at most CPUPROF_MAX_DEPTH + 1: the leaf's
     * caller from the word at sp), wrappers left out. */
    uint64_t locs[CPUPROF_MAX_DEPTH + 1];
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct cpuprof_rstack *r = &st->stacks[a[i].stack];
        size_t nl = 0;
        for (uint32_t j = 0; j < r->n && nl < CPUPROF_MAX_DEPTH + 1; j++) {
            uint64_t pc = st->pcs[r->off + j];
            /* A return address's call is the instruction before it. */
            uint64_t addr = j ? pc - 1 : pc;
            struct gframe fr[16];
            struct pprof_line lines[16];
            int k = gr_symbols_expand(sym, pc - bias, j > 0, fr, 16);
            if (k == 0)
                continue;           /* a wrapper: left out, as runtime/pprof does */
            if (k < 0) {
                lines[0] = (struct pprof_line){ "(unknown)", "", 0 };
                k = 1;
            } else {
                for (int q = 0; q < k; q++)
                    lines[q] = (struct pprof_line){ fr[q].func, fr[q].file, fr[q].line };
            }
            uint64_t id = pprof_location(p, addr, lines, (size_t)k);
            if (!id) {
                rc = -ENOMEM;
                break;
            }
            locs[nl++] = id;
            lo = addr < lo ? addr : lo;
            hi = addr > hi ? addr : hi;
        }
        if (!r->n) {            /* stack 0: the table was full */
            struct pprof_line full = { "(stack table full)", "", 0 };
            uint64_t id = pprof_location(p, 0, &full, 1);
            if (id)
                locs[nl++] = id;
        }
        struct pprof_label lab[3];
        size_t nlab = 0;
        if (a[i].goid >= 0)
            lab[nlab++] = (struct pprof_label){ .key = "goroutine", .num = a[i].goid };
        else if (a[i].goid == -1)
            lab[nlab++] = (struct pprof_label){ .key = "goroutine", .str = "system stack" };
        if (a[i].p >= 0)
            lab[nlab++] = (struct pprof_label){ .key = "p", .num = a[i].p };
        lab[nlab++] = (struct pprof_label){ .key = "thread", .num = a[i].tid };
        if (rc == 0 && pprof_sample(p, locs, nl, a[i].count, a[i].nanos, lab, nlab) != 0)
            rc = -ENOMEM;
    }
    if (rc == 0) {
        if (hi >= lo)
            pprof_set_mapping(p, lo & ~0xfffULL, (hi | 0xfffULL) + 1, exe, "");
        rc = pprof_write(p, path, start_real, dur_ns, why, len);
    } else {
        snprintf(why, len, "out of memory");
    }
    pprof_free(p);
    return rc;
}

/* Folded stacks: "outer;...;inner count", inlined calls as frames of their own. */
static int write_folded(const struct cpuprof_store *st, const struct agg *a, size_t n,
                        const char *path, char *why, size_t len)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        int e = errno;
        snprintf(why, len, "%s: %s", path, strerror(e));
        return -e;
    }
    for (size_t i = 0; i < n;) {
        /* The window is sorted by stack: sum a stack's entries, one line each. */
        const struct gstack *sym = st->stacks[a[i].stack].sym;
        int64_t c = 0;
        size_t j = i;
        while (j < n && a[j].stack == a[i].stack)
            c += a[j++].count;
        i = j;
        if (!sym || !sym->nframes)
            continue;
        for (size_t k = sym->nframes; k-- > 0;)
            fprintf(f, "%s%s", sym->frames[k].func, k ? ";" : "");
        fprintf(f, " %lld\n", (long long)c);
    }
    if (fclose(f) != 0) {
        int e = errno;
        snprintf(why, len, "%s: %s", path, strerror(e));
        return -e;
    }
    return 0;
}

int cpuprof_export(const struct cpuprof_store *st, struct gr_symbols *sym, double hz,
                   double seconds, int64_t now_ns, const char *exe, const char *path,
                   const char *folded, char *msg, size_t len)
{
    if (seconds <= 0)
        seconds = 10;
    size_t n = 0;
    int64_t first = 0;
    struct agg *a = window(st, now_ns - (int64_t)(seconds * 1e9), &n, &first);
    if (!a) {
        snprintf(msg, len, "profile not written: out of memory");
        return -ENOMEM;
    }
    int64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += a[i].count;
    int64_t start_real = util_real_ns() - (now_ns - first);
    double covered = (double)(now_ns - first) / 1e9;
    char why[256] = "";
    int rc = 0;
    if (path)
        rc = write_pprof(st, sym, hz, a, n, start_real, now_ns - first, exe, path, why,
                         sizeof(why));
    if (rc == 0 && folded)
        rc = write_folded(st, a, n, folded, why, sizeof(why));
    free(a);
    if (rc < 0) {
        snprintf(msg, len, "profile not written: %s", why);
        return rc;
    }
    snprintf(msg, len, "wrote %lld samples (%.1f s%s) to %s%s%s", (long long)total,
             covered < seconds ? covered : seconds,
             covered + 1 < seconds ? ", all that was kept" : "", path ? path : folded,
             path && folded ? " and " : "", path && folded ? folded : "");
    return 0;
}

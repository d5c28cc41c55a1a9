/* sched_read: decode the Go scheduler's state from the target's memory, trusting nothing. */
#include "collectors/sched_read.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"

#define F(l, f) ((l)->off->field[f])
#define W(l, f) ((l)->off->width[f])

/* Grow *buf to hold n elements of size elem; false on ENOMEM or absurd sizes. */
static bool reserve(void **buf, size_t *cap, size_t n, size_t elem)
{
    if (n <= *cap)
        return true;
    if (n > (SIZE_MAX / 2) / elem)
        return false;
    size_t want = n < 64 ? 64 : n + n / 2;
    void *p = realloc(*buf, want * elem);
    if (!p)
        return false;
    *buf = p;
    *cap = want;
    return true;
}

void sched_scratch_free(struct sched_scratch *sc)
{
    free(sc->pptrs);
    free(sc->ptrs);
    free(sc->bytes);
    free(sc->reqs);
    memset(sc, 0, sizeof(*sc));
}

/* Little-endian unsigned integer of the member's width (1, 2, 4 or 8 bytes). */
static uint64_t get_uint(const uint8_t *base, int64_t off, uint8_t width)
{
    uint64_t v = 0;
    if (width == 0 || width > 8)
        width = 8;
    for (int i = width - 1; i >= 0; i--)
        v = (v << 8) | base[off + i];
    return v;
}

static uint64_t get_u64(const uint8_t *p) { return get_uint(p, 0, 8); }

/* Every member the full read uses; checked once at open so reads never index by -1. */
static const enum go_field required[] = {
    GO_P_ID, GO_P_STATUS, GO_P_SCHEDTICK, GO_P_SYSCALLTICK, GO_P_M, GO_P_RUNQHEAD,
    GO_P_RUNQTAIL, GO_P_RUNNEXT, GO_SCHED_NMIDLE, GO_SCHED_MNEXT, GO_SCHED_NMFREED,
    GO_SCHED_NPIDLE, GO_SCHED_NMSPINNING, GO_SCHED_SIZE, GO_M_ID, GO_M_PROCID, GO_M_CURG,
    GO_G_ATOMICSTATUS, GO_G_GOID, GO_G_WAITREASON,
};

int sched_layout_check(const struct go_offsets *off, char *why, size_t len)
{
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        if (off->field[required[i]] < 0) {
            const struct go_field_spec *sp = go_field_spec(required[i]);
            snprintf(why, len, "%s: %s.%s not found in this Go version's layout",
                     off->go_version, sp->owner, sp->path);
            return -ENOTSUP;
        }
    }
    if (go_offsets_sched_runqsize(off) < 0) {
        snprintf(why, len, "%s: no global runqueue size in runtime.schedt", off->go_version);
        return -ENOTSUP;
    }
    return 0;
}

void sched_layout_free(struct sched_layout *l)
{
    free(l->reasons);
    l->reasons = NULL;
    l->nreasons = 0;
}

int sched_read_reasons(const struct mem_reader *mem, struct sched_layout *l,
                       uint64_t addr, size_t n)
{
    if (n == 0 || n > 256)
        return -EINVAL;
    uint8_t *hdr = malloc(n * 16);
    char (*names)[SCHED_REASON_LEN] = calloc(n, sizeof(*names));
    if (!hdr || !names) {
        free(hdr);
        free(names);
        return -ENOMEM;
    }
    int rc = target_mem_read(mem, addr, hdr, n * 16);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint64_t p = get_u64(hdr + i * 16), slen = get_u64(hdr + i * 16 + 8);
        if (slen == 0) {
            snprintf(names[i], SCHED_REASON_LEN, "reason %zu", i);
            continue;
        }
        if (slen >= SCHED_REASON_LEN)
            slen = SCHED_REASON_LEN - 1;
        if (target_mem_read(mem, p, names[i], slen) != 0) {
            snprintf(names[i], SCHED_REASON_LEN, "reason %zu", i);
            continue;
        }
        names[i][slen] = '\0';
        for (size_t k = 0; k < slen; k++)     /* the names go to JSON and the screen */
            if ((unsigned char)names[i][k] < 0x20 || (unsigned char)names[i][k] > 0x7e)
                names[i][k] = '?';
    }
    free(hdr);
    if (rc != 0) {
        free(names);
        return rc;
    }
    free(l->reasons);
    l->reasons = names;
    l->nreasons = n;
    return 0;
}

/* Issue reqs; map the reader's answer to 0 / -EAGAIN (partial) / -errno. */
static int read_all(const struct mem_reader *mem, const struct mem_req *reqs, size_t n,
                    char *why, size_t len, const char *what)
{
    if (n == 0)
        return 0;
    int rc = mem->readv(mem->ctx, reqs, n);
    if (rc < 0) {
        if (rc == -ESRCH)
            snprintf(why, len, "process gone while reading %s", what);
        else
            snprintf(why, len, "process_vm_readv (%s): %s", what, strerror(-rc));
        return rc;
    }
    if ((size_t)rc < n) {
        snprintf(why, len, "partial read of %s (%d of %zu)", what, rc, n);
        return -EAGAIN;
    }
    return 0;
}

/* Byte span [lo, hi) covering the given members of one struct. */
static void span_of(const struct sched_layout *l, const enum go_field *fs, size_t n,
                    int64_t *lo, int64_t *hi)
{
    *lo = INT64_MAX;
    *hi = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t o = F(l, fs[i]);
        if (o < 0)
            continue;
        int64_t w = W(l, fs[i]) ? W(l, fs[i]) : 8;
        if (o < *lo)
            *lo = o;
        if (o + w > *hi)
            *hi = o + w;
    }
}

static int read_globals(const struct mem_reader *mem, const struct sched_layout *l,
                        struct sched_scratch *sc, uint8_t *allp_hdr, int32_t *gomaxprocs,
                        char *why, size_t len)
{
    size_t ssize = (size_t)F(l, GO_SCHED_SIZE);
    if (ssize == 0 || ssize > 65536) {
        snprintf(why, len, "implausible runtime.schedt size %zu", ssize);
        return -ENOTSUP;
    }
    if (!reserve((void **)&sc->bytes, &sc->bytes_cap, ssize, 1))
        return -ENOMEM;
    struct mem_req q[3] = {
        { l->allp, allp_hdr, 24 },
        { l->gomaxprocs, gomaxprocs, 4 },
        { l->sched, sc->bytes, ssize },
    };
    return read_all(mem, q, 3, why, len, "allp, gomaxprocs, sched");
}

static void decode_schedt(const struct sched_layout *l, const uint8_t *s,
                          struct sched_sample *out)
{
    out->runq_global = (int32_t)get_uint(s, go_offsets_sched_runqsize(l->off),
                                         W(l, GO_SCHED_RUNQSIZE) ? W(l, GO_SCHED_RUNQSIZE) : 4);
    out->idle_p = (int32_t)get_uint(s, F(l, GO_SCHED_NPIDLE), W(l, GO_SCHED_NPIDLE));
    out->spinning_m = (int32_t)get_uint(s, F(l, GO_SCHED_NMSPINNING), W(l, GO_SCHED_NMSPINNING));
    out->needspinning = F(l, GO_SCHED_NEEDSPINNING) >= 0
        ? (int32_t)get_uint(s, F(l, GO_SCHED_NEEDSPINNING), W(l, GO_SCHED_NEEDSPINNING)) : -1;
    out->idle_threads = (int32_t)get_uint(s, F(l, GO_SCHED_NMIDLE), W(l, GO_SCHED_NMIDLE));
    int64_t mnext = (int64_t)get_uint(s, F(l, GO_SCHED_MNEXT), W(l, GO_SCHED_MNEXT));
    int64_t freed = (int64_t)get_uint(s, F(l, GO_SCHED_NMFREED), W(l, GO_SCHED_NMFREED));
    out->threads = mnext - freed;
    out->g_system = F(l, GO_SCHED_NGSYS) >= 0
        ? (int64_t)get_uint(s, F(l, GO_SCHED_NGSYS), W(l, GO_SCHED_NGSYS) ? W(l, GO_SCHED_NGSYS) : 4)
        : -1;
    size_t ssize = (size_t)F(l, GO_SCHED_SIZE);
    int64_t gen = F(l, GO_SCHED_GOIDGEN), custom = F(l, GO_SCHED_CUSTOMGOMAXPROCS);
    out->goids_allocated = gen >= 0 && (size_t)gen + 8 <= ssize
        ? (int64_t)(get_uint(s, gen, 8) & INT64_MAX) : -1;
    /* Go 1.25+: false means the runtime's automatic value; the collector tells the
     * environment from runtime.GOMAXPROCS() for a custom one. */
    out->gomaxprocs_source = GOMAXPROCS_SRC_UNKNOWN;
    if (custom >= 0 && (size_t)custom < ssize)
        out->gomaxprocs_source = s[custom] ? GOMAXPROCS_SRC_PROGRAM : GOMAXPROCS_SRC_RUNTIME;
}

static bool schedt_plausible(const struct sched_sample *o, char *why, size_t len)
{
    if (o->runq_global < 0 || o->runq_global > (int64_t)SCHED_MAX_GS ||
        o->idle_p < 0 || o->idle_p > o->gomaxprocs ||
        o->spinning_m < 0 || o->spinning_m > o->gomaxprocs ||
        o->threads < 1 || o->threads > 100000 ||
        o->idle_threads < 0 || o->idle_threads > o->threads) {
        snprintf(why, len, "implausible schedt (runq %lld, idle Ps %d, spinning %d, "
                 "threads %lld)", (long long)o->runq_global, o->idle_p, o->spinning_m,
                 (long long)o->threads);
        return false;
    }
    return true;
}

static const enum go_field p_fields[] = {
    GO_P_ID, GO_P_STATUS, GO_P_SCHEDTICK, GO_P_SYSCALLTICK, GO_P_M, GO_P_RUNQHEAD,
    GO_P_RUNQTAIL,
};
static const enum go_field m_fields[] = { GO_M_ID, GO_M_PROCID, GO_M_CURG };
static const enum go_field curg_fields[] = { GO_G_ATOMICSTATUS, GO_G_GOID };
static const enum go_field allm_fields[] = { GO_M_ID, GO_M_PROCID, GO_M_ALLLINK, GO_M_OLDP };

#define G_STATUS_SYSCALL 3u
#define G_STATUS_DEAD 6u
#define G_STATUS_SCAN 0x1000u
#define SCHED_MAX_MS 10000   /* a longer allm list is taken as garbage (or a cycle) */

/* Visit each M on runtime.allm with the span of its members fs (which must include
 * alllink) read in one go: b[offset] is the member at that offset. Stops when cb says
 * so, at the list's end, at an unreadable M, or after SCHED_MAX_MS (garbage or a
 * cycle). Nothing when allm or a member's layout is unknown. */
typedef bool (*allm_cb)(void *ctx, const uint8_t *b);
static void allm_each(const struct mem_reader *mem, const struct sched_layout *l,
                      const enum go_field *fs, size_t nfs, allm_cb cb, void *ctx)
{
    for (size_t i = 0; i < nfs; i++)
        if (F(l, fs[i]) < 0)
            return;
    int64_t lo, hi;
    span_of(l, fs, nfs, &lo, &hi);
    uint8_t mb[1024];
    uint64_t m = 0;
    if (!l->allm || hi - lo > (int64_t)sizeof(mb) || target_mem_read(mem, l->allm, &m, 8) != 0)
        return;
    const uint8_t *b = mb - lo;
    for (size_t n = 0; m && n < SCHED_MAX_MS; n++) {
        if (target_mem_read(mem, m + (uint64_t)lo, mb, (size_t)(hi - lo)) != 0 || !cb(ctx, b))
            return;
        m = get_uint(b, F(l, GO_M_ALLLINK), 8);
    }
}

struct oldp_ctx {
    const struct sched_layout *l;
    const uint64_t *pptrs;
    struct sched_sample *out;
    size_t orphans;
};

static bool oldp_visit(void *ctx, const uint8_t *b)
{
    struct oldp_ctx *c = ctx;
    const struct sched_layout *l = c->l;
    uint64_t oldp = get_uint(b, F(l, GO_M_OLDP), 8);
    for (size_t i = 0; oldp && i < c->out->nps; i++) {
        struct p_sample *p = &c->out->ps[i];
        if (c->pptrs[i] != oldp || p->status != GO_P_SYSCALL || p->m_id >= 0)
            continue;
        int64_t id = (int64_t)get_uint(b, F(l, GO_M_ID), W(l, GO_M_ID));
        uint64_t tid = get_uint(b, F(l, GO_M_PROCID), 8);
        if (id >= 0 && id <= 1000000 && tid > 0 && tid <= 0x7fffffff) {
            p->m_id = id;
            p->m_tid = (pid_t)tid;
            p->m_from_oldp = true;
            c->orphans--;
        }
    }
    return c->orphans > 0;
}

/* Before Go 1.26 a P in a syscall has no p.m: the M that entered the syscall keeps it in
 * m.oldp. Walk allm once and name that M for each such P. Best effort: a P whose M is
 * not found (it left the syscall meanwhile) keeps "no M". */
static void find_oldp_holders(const struct mem_reader *mem, const struct sched_layout *l,
                              struct sched_scratch *sc, struct sched_sample *out)
{
    struct oldp_ctx c = { l, sc->pptrs, out, 0 };
    for (size_t i = 0; i < out->nps; i++)
        if (out->ps[i].status == GO_P_SYSCALL && out->ps[i].m_id < 0)
            c.orphans++;
    if (c.orphans)
        allm_each(mem, l, allm_fields, sizeof(allm_fields) / sizeof(allm_fields[0]),
                  oldp_visit, &c);
}

/* Read each P (one span + runnext), then each P's M, then each M's curg (goid, status). */
static int read_ps(const struct mem_reader *mem, const struct sched_layout *l,
                   struct sched_scratch *sc, struct sched_sample *out, char *why, size_t len)
{
    size_t n = out->nps;
    int64_t plo, phi, mlo, mhi, glo, ghi;
    span_of(l, p_fields, sizeof(p_fields) / sizeof(p_fields[0]), &plo, &phi);
    span_of(l, m_fields, sizeof(m_fields) / sizeof(m_fields[0]), &mlo, &mhi);
    span_of(l, curg_fields, sizeof(curg_fields) / sizeof(curg_fields[0]), &glo, &ghi);
    size_t pspan = (size_t)(phi - plo), mspan = (size_t)(mhi - mlo), gspan = (size_t)(ghi - glo);
    size_t per = pspan + 8 + mspan + gspan;   /* P span, runnext, M span, curg span */
    if (!reserve((void **)&sc->bytes, &sc->bytes_cap, n * per, 1) ||
        !reserve((void **)&sc->reqs, &sc->reqs_cap, 2 * n, sizeof(*sc->reqs)))
        return -ENOMEM;
    uint8_t *pb = sc->bytes, *mb = sc->bytes + n * (pspan + 8), *gb = mb + n * mspan;

    for (size_t i = 0; i < n; i++) {
        sc->reqs[2 * i] = (struct mem_req){ sc->pptrs[i] + (uint64_t)plo, pb + i * (pspan + 8), pspan };
        sc->reqs[2 * i + 1] = (struct mem_req){ sc->pptrs[i] + (uint64_t)F(l, GO_P_RUNNEXT),
                                                pb + i * (pspan + 8) + pspan, 8 };
    }
    int rc = read_all(mem, sc->reqs, 2 * n, why, len, "Ps");
    if (rc < 0)
        return rc;

    uint64_t mptr[SCHED_MAX_PS];
    size_t nm = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *b = pb + i * (pspan + 8) - plo;
        struct p_sample *p = &out->ps[i];
        p->id = (int32_t)get_uint(b, F(l, GO_P_ID), W(l, GO_P_ID));
        p->status = (uint32_t)get_uint(b, F(l, GO_P_STATUS), W(l, GO_P_STATUS));
        p->schedtick = (uint32_t)get_uint(b, F(l, GO_P_SCHEDTICK), W(l, GO_P_SCHEDTICK));
        p->syscalltick = (uint32_t)get_uint(b, F(l, GO_P_SYSCALLTICK), W(l, GO_P_SYSCALLTICK));
        uint32_t head = (uint32_t)get_uint(b, F(l, GO_P_RUNQHEAD), 4);
        uint32_t tail = (uint32_t)get_uint(b, F(l, GO_P_RUNQTAIL), 4);
        p->runq = tail - head;
        p->runq_max = p->runq;
        p->runq_mean = NAN;
        p->runnext = get_u64(b + plo + pspan) != 0;
        p->m_id = -1;
        p->curg_goid = -1;
        if (p->id != (int32_t)i || p->status > GO_P_DEAD || p->runq > SCHED_MAX_RUNQ) {
            snprintf(why, len, "implausible P %zu (id %d, status %u, runq %u)", i, p->id,
                     p->status, p->runq);
            return -EAGAIN;
        }
        mptr[i] = get_uint(b, F(l, GO_P_M), 8);
        if (mptr[i]) {
            sc->reqs[nm++] = (struct mem_req){ mptr[i] + (uint64_t)mlo, mb + i * mspan, mspan };
        }
    }
    rc = read_all(mem, sc->reqs, nm, why, len, "Ms");
    if (rc < 0)
        return rc;

    size_t ng = 0;
    uint64_t gptr[SCHED_MAX_PS];
    for (size_t i = 0; i < n; i++) {
        gptr[i] = 0;
        if (!mptr[i])
            continue;
        const uint8_t *b = mb + i * mspan - mlo;
        struct p_sample *p = &out->ps[i];
        p->m_id = (int64_t)get_uint(b, F(l, GO_M_ID), W(l, GO_M_ID));
        uint64_t tid = get_uint(b, F(l, GO_M_PROCID), 8);
        if (p->m_id < 0 || p->m_id > 1000000 || tid > 0x7fffffff) {
            snprintf(why, len, "implausible M on P %zu (id %lld, tid %llu)", i,
                     (long long)p->m_id, (unsigned long long)tid);
            return -EAGAIN;
        }
        p->m_tid = (pid_t)tid;
        gptr[i] = get_uint(b, F(l, GO_M_CURG), 8);
        if (gptr[i])
            sc->reqs[ng++] = (struct mem_req){ gptr[i] + (uint64_t)glo, gb + i * gspan, gspan };
    }
    rc = read_all(mem, sc->reqs, ng, why, len, "running goroutines");
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (!gptr[i])
            continue;
        struct p_sample *p = &out->ps[i];
        const uint8_t *g = gb + i * gspan - glo;
        p->curg_goid = (int64_t)get_uint(g, F(l, GO_G_GOID), 8);
        uint32_t gst = (uint32_t)get_uint(g, F(l, GO_G_ATOMICSTATUS), 4) & ~G_STATUS_SCAN;
        /* Go 1.26+ leaves the P _Prunning for a syscall; the G's status tells. */
        if (p->status == GO_P_RUNNING && gst == G_STATUS_SYSCALL) {
            p->status = GO_P_SYSCALL;
            p->g_in_syscall = true;
        }
    }
    find_oldp_holders(mem, l, sc, out);
    return 0;
}

int sched_read(const struct mem_reader *mem, const struct sched_layout *l,
               struct sched_scratch *sc, struct sched_sample *out, char *why, size_t len)
{
    uint8_t allp_hdr[24];
    int32_t gomaxprocs = 0;
    out->valid = false;
    int rc = read_globals(mem, l, sc, allp_hdr, &gomaxprocs, why, len);
    if (rc < 0)
        return rc;
    uint64_t arr = get_u64(allp_hdr), n = get_u64(allp_hdr + 8), cap = get_u64(allp_hdr + 16);
    /* allp changes length only inside procresize (stop-the-world); a mismatch with
     * gomaxprocs means we read in the middle of one: drop, do not guess. */
    if (n == 0 || n > SCHED_MAX_PS || cap < n || (uint64_t)gomaxprocs != n || !arr) {
        snprintf(why, len, "implausible allp (len %llu, cap %llu, gomaxprocs %d)",
                 (unsigned long long)n, (unsigned long long)cap, gomaxprocs);
        return -EAGAIN;
    }
    out->gomaxprocs = gomaxprocs;
    decode_schedt(l, sc->bytes, out);
    if (!schedt_plausible(out, why, len))
        return -EAGAIN;

    if (!reserve((void **)&sc->pptrs, &sc->pptrs_cap, n, sizeof(uint64_t)))
        return -ENOMEM;
    struct mem_req q = { arr, sc->pptrs, n * 8 };
    rc = read_all(mem, &q, 1, why, len, "allp array");
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (!sc->pptrs[i]) {
            snprintf(why, len, "allp[%zu] is nil", i);
            return -EAGAIN;
        }
    }
    sc->npptrs = n;
    struct p_sample *ps = realloc(out->ps, n * sizeof(*ps));
    if (!ps)
        return -ENOMEM;
    out->ps = ps;
    out->nps = n;
    memset(ps, 0, n * sizeof(*ps));
    rc = read_ps(mem, l, sc, out, why, len);
    if (rc < 0) {
        sc->npptrs = 0;
        return rc;
    }
    out->valid = true;
    return 0;
}

int sched_read_runqs(const struct mem_reader *mem, const struct go_offsets *off,
                     const uint64_t *pptrs, size_t n, uint32_t *runq)
{
    struct mem_req reqs[SCHED_MAX_PS];
    uint32_t ht[SCHED_MAX_PS][2];
    int64_t head = off->field[GO_P_RUNQHEAD], tail = off->field[GO_P_RUNQTAIL];
    if (n == 0 || n > SCHED_MAX_PS || head < 0 || tail != head + 4)
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        reqs[i] = (struct mem_req){ pptrs[i] + (uint64_t)head, ht[i], 8 };
    int rc = mem->readv(mem->ctx, reqs, n);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        uint32_t q = (size_t)rc > i ? ht[i][1] - ht[i][0] : UINT32_MAX;
        runq[i] = q <= SCHED_MAX_RUNQ ? q : UINT32_MAX;
    }
    return 0;
}
static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* g.atomicstatus values (runtime2.go); the scan bit 0x1000 is masked off. */
int sched_g_class(uint32_t st)
{
    switch (st & ~0x1000u) {
    case 0: return GO_G_IDLE;
    case 1: return GO_G_RUNNABLE;
    case 2: return GO_G_RUNNING;
    case 3: return GO_G_SYSCALL;
    case 4: return GO_G_WAITING;
    case 8: return GO_G_COPYSTACK;
    case 9: return GO_G_PREEMPTED;
    case 10: return GO_G_LEAKED;        /* Go 1.26+ */
    case 6: return -1;                  /* dead: free for reuse, not a goroutine */
    case 11: return -3;                 /* Go 1.26+ _Gdeadextra: parked on a cgo extra M */
    default: return -2;                 /* not a status: garbage */
    }
}

static void census_count(const struct sched_layout *l, struct sched_sample *out,
                         const uint8_t *b, int64_t lo, int64_t *reason_counts,
                         size_t *bad)
{
    uint32_t st = (uint32_t)get_uint(b - lo, F(l, GO_G_ATOMICSTATUS), 4);
    int c = sched_g_class(st);
    if (c == -2) {
        (*bad)++;
        return;
    }
    /* runtime.NumGoroutine() counts the goroutine each cgo extra M keeps (it is not in
     * the free lists); so does the total, in no status class. Before 1.26 it is plain
     * _Gdead: extra_m_goroutines() finds those through allm. */
    if (c == -3) {
        out->g_total++;
        return;
    }
    if (c < 0)
        return;
    out->g_total++;
    out->g_by_class[c]++;
    if (c == GO_G_WAITING) {
        unsigned r = (unsigned)get_uint(b - lo, F(l, GO_G_WAITREASON), 1);
        if (r < SCHED_MAX_REASONS)
            reason_counts[r]++;
    }
}

/* Goroutines parked on cgo extra Ms before Go 1.26: such an M (in allm) keeps its
 * goroutine as curg in status _Gdead, and runtime.NumGoroutine() counts it (it is not
 * in the free lists). A working M's curg is never dead. From 1.26 it has its own
 * status, _Gdeadextra, counted with the census. */
struct extra_m_ctx {
    const struct mem_reader *mem;
    const struct sched_layout *l;
    int64_t n;
};

static bool extra_m_visit(void *ctx, const uint8_t *b)
{
    struct extra_m_ctx *c = ctx;
    uint64_t curg = get_uint(b, F(c->l, GO_M_CURG), 8);
    uint32_t st = 0;
    if (curg &&
        target_mem_read(c->mem, curg + (uint64_t)F(c->l, GO_G_ATOMICSTATUS), &st, 4) == 0 &&
        (st & ~G_STATUS_SCAN) == G_STATUS_DEAD)
        c->n++;
    return true;
}

static int64_t extra_m_goroutines(const struct mem_reader *mem, const struct sched_layout *l)
{
    static const enum go_field fs[] = { GO_M_CURG, GO_M_ALLLINK };
    struct extra_m_ctx c = { mem, l, 0 };
    allm_each(mem, l, fs, sizeof(fs) / sizeof(fs[0]), extra_m_visit, &c);
    return c.n;
}

/* A step coprime with n visits every index once in a spread-out order, so a census cut
 * short by the budget is a sample across the whole of allgs, not its oldest part. */
static size_t spread_step(size_t n)
{
    static const size_t primes[] = { 7919, 6007, 4001, 2003, 101 };
    for (size_t i = 0; i < sizeof(primes) / sizeof(primes[0]); i++)
        if (primes[i] < n && n % primes[i] != 0)
            return primes[i];
    return 1;
}

int sched_read_census(const struct mem_reader *mem, const struct sched_layout *l,
                      struct sched_scratch *sc, int64_t budget_ns, struct sched_sample *out,
                      char *why, size_t len)
{
    int64_t start = now_ns();
    out->census_valid = false;
    if (!l->allgs) {
        snprintf(why, len, "runtime.allgs address unknown");
        return -ENOTSUP;
    }
    uint8_t hdr[24];
    if (target_mem_read(mem, l->allgs, hdr, sizeof(hdr)) != 0) {
        snprintf(why, len, "cannot read runtime.allgs");
        return -EAGAIN;
    }
    uint64_t arr = get_u64(hdr), n = get_u64(hdr + 8), cap = get_u64(hdr + 16);
    if (n > SCHED_MAX_GS || cap < n || (n && !arr)) {
        snprintf(why, len, "implausible allgs (len %llu, cap %llu)", (unsigned long long)n,
                 (unsigned long long)cap);
        return -EAGAIN;
    }
    if (!reserve((void **)&sc->ptrs, &sc->ptrs_cap, n ? n : 1, sizeof(uint64_t)))
        return -ENOMEM;
    struct mem_req q = { arr, sc->ptrs, n * 8 };
    if (n && read_all(mem, &q, 1, why, len, "allgs") < 0)
        return -EAGAIN;

    static const enum go_field g_fields[] = { GO_G_ATOMICSTATUS, GO_G_WAITREASON };
    int64_t lo, hi;
    span_of(l, g_fields, 2, &lo, &hi);
    size_t gspan = (size_t)(hi - lo), chunk = 256;
    if (!reserve((void **)&sc->bytes, &sc->bytes_cap, chunk * gspan, 1) ||
        !reserve((void **)&sc->reqs, &sc->reqs_cap, chunk, sizeof(*sc->reqs)))
        return -ENOMEM;

    int64_t reason_counts[SCHED_MAX_REASONS] = { 0 };
    memset(out->g_by_class, 0, sizeof(out->g_by_class));
    out->g_total = 0;
    size_t step = spread_step((size_t)n), idx = 0, done = 0, bad = 0;
    while (done < n) {
        size_t k = 0;
        for (; k < chunk && done + k < n; k++) {
            sc->reqs[k] = (struct mem_req){ sc->ptrs[idx] + (uint64_t)lo, sc->bytes + k * gspan, gspan };
            idx = (idx + step) % n;
        }
        int got = mem->readv(mem->ctx, sc->reqs, k);
        if (got < 0)
            return got;
        /* A g freed between reading allgs and reading it is skipped, not counted. */
        for (int i = 0; i < got; i++)
            census_count(l, out, sc->bytes + (size_t)i * gspan, lo, reason_counts, &bad);
        done += k;
        if (now_ns() - start > budget_ns)
            break;
    }
    if (bad * 10 > done + 10) {
        snprintf(why, len, "allgs holds %zu implausible goroutine statuses of %zu", bad, done);
        return -EAGAIN;
    }
    out->census_sampled = done < n;
    if (out->census_sampled && done > 0) {
        double scale = (double)n / (double)done;
        out->g_total = (int64_t)llround((double)out->g_total * scale);
        for (int c = 0; c < GO_G_CLASS_COUNT; c++)
            out->g_by_class[c] = (int64_t)llround((double)out->g_by_class[c] * scale);
        for (int r = 0; r < SCHED_MAX_REASONS; r++)
            reason_counts[r] = (int64_t)llround((double)reason_counts[r] * scale);
    }
    out->nreasons = 0;
    for (size_t r = 0; r < SCHED_MAX_REASONS; r++) {
        if (!reason_counts[r])
            continue;
        char name[SCHED_REASON_LEN];
        if (r < l->nreasons && l->reasons)
            util_strlcpy(name, l->reasons[r], sizeof(name));
        else
            snprintf(name, sizeof(name), "reason %zu", r);
        out->by_reason[out->nreasons].name = snapshot_intern(name);
        out->by_reason[out->nreasons++].count = reason_counts[r];
    }
    /* runtime.NumGoroutine() leaves out the runtime's own goroutines; so does the total.
     * (ngsys is read with the Ps, a moment earlier: a system goroutine starting in
     * between is the only skew, and they start at init and on GC enablement.) */
    if (out->g_system > 0 && out->g_system <= out->g_total)
        out->g_total -= out->g_system;
    out->g_total += extra_m_goroutines(mem, l);
    out->census_valid = true;
    return 0;
}

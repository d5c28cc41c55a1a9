/* goroutines_read: goroutine groups from the target's memory. Each goroutine is read
 * twice around its stack (status, saved sp/pc, id): one that changed meanwhile was
 * running, and its stack is dropped and counted, never shown torn. */
#include "collectors/goroutines_read.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collectors/gr_symbols.h"
#include "target/go_offsets.h"

#define CHUNK 32                /* goroutines per batch of reads: the batch's copies and
                                 * stacks stay resident (~150 KB); 128 held ~600 KB on a
                                 * loaded server for a few syscalls less per refresh */
#define STACK_COPY 4096         /* stack bytes read with the batch, from sp up */
#define GROUP_SLOTS 4096        /* distinct raw stacks per refresh (power of two) */
#define GROUP_SLOTS_MIN 64
#define RAW_MAX 2048            /* kept; further ones count in "other" */
#define SYSTEM_SLOTS 1024
#define G_SPAN_MAX 640          /* bytes of runtime.g read (its members used lie within) */

#define F(l, f) ((l)->off->field[f])

static const enum go_field needed[] = {
    GO_G_ATOMICSTATUS, GO_G_GOID, GO_G_WAITREASON, GO_G_STACK_LO, GO_G_STACK_HI,
    GO_G_SCHED_SP, GO_G_SCHED_PC, GO_G_GOPC, GO_G_STARTPC,
};

/* Goroutines with the same raw stack (link-time pcs), creator, status and wait reason. */
struct raw_group {
    uint64_t hash;              /* 0: empty slot */
    int32_t status;
    uint32_t reason;
    uint64_t gopc, startpc;
    uint16_t npcs;
    bool truncated;
    int64_t count;
    int64_t max_wait_ns;        /* -1 none recorded */
    int64_t oncpu;              /* on-CPU samples of its goroutines (gr_reader_read) */
    uint64_t *pcs;              /* into the arena */
};

struct system_slot {
    uint64_t startpc;
    bool system, known;
};

_Static_assert(GROUP_SLOTS >= 2 * RAW_MAX, "the group table must stay half empty");

struct gr_reader {
    const struct mem_reader *mem;
    const struct sched_layout *l;
    struct gr_symbols *sym;
    uint64_t bias;
    int64_t lo, span;           /* the g members read: [lo, lo + span) */
    uint64_t *gptrs;
    size_t gcap;
    uint8_t gbuf[CHUNK][G_SPAN_MAX];
    uint8_t again[CHUNK][16];   /* g.sched.sp and .pc, read again after the stack */
    int64_t again_off;          /* of sched.sp in g */
    uint8_t stack[CHUNK][STACK_COPY];
    size_t stack_len[CHUNK];    /* bytes of stack copied; 0: none to read */
    bool stack_failed[CHUNK];   /* a parked goroutine whose stack could not be read */
    struct mem_req reqs[CHUNK];
    bool ok[CHUNK];
    struct raw_group groups[GROUP_SLOTS];
    size_t slots;               /* of groups[], in use this refresh: a power of two */
    size_t ngroups;
    uint64_t *arena;            /* RAW_MAX * GSTACK_MAX_FRAMES pcs */
    size_t arena_used;
    struct system_slot system[SYSTEM_SLOTS];
    size_t cursor;              /* where the next refresh starts in allgs */
    uint64_t dropped_total;
    int64_t last_ns;
    const struct cpuprof_sample *oncpu;   /* this refresh's profile; NULL none */
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint64_t le(const uint8_t *p, int w)
{
    uint64_t v = 0;
    for (int i = w - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* A member of the g image b (read from lo). */
static uint64_t gfield(const struct gr_reader *r, const uint8_t *b, enum go_field f, int w)
{
    return le(b + (F(r->l, f) - r->lo), w);
}

struct gr_reader *gr_reader_open(const struct target *t, const struct mem_reader *mem,
                                 const struct sched_layout *l, char *why, size_t len)
{
    struct gr_symbols *sym = gr_symbols_open(t, mem, why, len);
    return sym ? gr_reader_new(sym, mem, l, why, len) : NULL;
}

struct gr_reader *gr_reader_new(struct gr_symbols *sym, const struct mem_reader *mem,
                                const struct sched_layout *l, char *why, size_t len)
{
    int64_t lo = INT64_MAX, hi = 0;
    for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
        int64_t o = l->off->field[needed[i]];
        if (o < 0) {
            const struct go_field_spec *sp = go_field_spec(needed[i]);
            snprintf(why, len, "%s.%s not in this Go version's layout", sp->owner, sp->path);
            gr_symbols_close(sym);
            return NULL;
        }
        lo = o < lo ? o : lo;
        hi = o + 8 > hi ? o + 8 : hi;
    }
    int64_t ws = l->off->field[GO_G_WAITSINCE];
    if (ws >= 0 && ws + 8 > hi)
        hi = ws + 8;
    if (ws >= 0 && ws < lo)
        lo = ws;
    /* gobuf keeps pc right after sp: both come back in one 16-byte read. */
    if (!l->allgs || hi - lo > G_SPAN_MAX ||
        l->off->field[GO_G_SCHED_PC] != l->off->field[GO_G_SCHED_SP] + 8) {
        snprintf(why, len, !l->allgs ? "runtime.allgs address unknown"
                                     : "runtime.g members too far apart");
        gr_symbols_close(sym);
        return NULL;
    }
    struct gr_reader *r = calloc(1, sizeof(*r));
    if (!r || !(r->arena = malloc(RAW_MAX * GSTACK_MAX_FRAMES * sizeof(uint64_t)))) {
        free(r);
        gr_symbols_close(sym);
        snprintf(why, len, "out of memory");
        return NULL;
    }
    r->sym = sym;
    r->mem = mem;
    r->l = l;
    r->bias = gr_symbols_bias(r->sym);
    r->lo = lo;
    r->span = hi - lo;
    r->again_off = l->off->field[GO_G_SCHED_SP];
    return r;
}

void gr_reader_close(struct gr_reader *r)
{
    if (!r)
        return;
    gr_symbols_close(r->sym);
    free(r->gptrs);
    free(r->arena);
    free(r);
}

/* Read every request that can be read: the live reader stops at the first failure (a
 * goroutine freed meanwhile), so go on after it. ok[i] says which were filled. */
static int read_each(const struct mem_reader *mem, const struct mem_req *reqs, size_t n,
                     bool *ok)
{
    size_t i = 0;
    while (i < n) {
        int got = mem->readv(mem->ctx, reqs + i, n - i);
        if (got < 0)
            return got;
        for (int k = 0; k < got; k++)
            ok[i + (size_t)k] = true;
        i += (size_t)got;
        if (i < n)
            ok[i++] = false;
    }
    return 0;
}

/* Whether the goroutine started at startpc is the runtime's own (the runtime's
 * isSystemGoroutine: started in package runtime, but for runtime.main). */
static bool is_system(struct gr_reader *r, uint64_t startpc)
{
    struct system_slot *s = &r->system[(startpc >> 4) & (SYSTEM_SLOTS - 1)];
    if (!s->known || s->startpc != startpc) {
        const char *f = gr_symbols_func(r->sym, startpc - r->bias);
        s->startpc = startpc;
        s->known = true;
        s->system = f && strncmp(f, "runtime.", 8) == 0 && strcmp(f, "runtime.main") != 0 &&
                    strcmp(f, "runtime.corostart") != 0;
    }
    return s->system;
}

struct walk_ctx {
    struct gr_reader *r;
    const uint8_t *copy;
    uint64_t copy_at;
    size_t copy_len;
};

static int walk_read(struct walk_ctx *w, uint64_t addr, uint64_t *out)
{
    if (addr >= w->copy_at && addr - w->copy_at + 8 <= w->copy_len) {
        *out = le(w->copy + (addr - w->copy_at), 8);
        return 0;
    }
    return target_mem_read(w->r->mem, addr, out, 8) == 0 ? 0 : -1;
}

/* Walk from the saved pc/sp: every frame's pc inside a function, its sp inside the
 * goroutine's stack and above the last. 1 done, 0 truncated, < 0 a bad frame. */
static int walk(struct walk_ctx *w, uint64_t pc, uint64_t sp, uint64_t lo, uint64_t hi,
                uint64_t *pcs, uint16_t *n)
{
    *n = 0;
    for (;;) {
        if (*n >= GSTACK_MAX_FRAMES)
            return 0;
        if (sp < lo || sp >= hi)
            return -1;
        uint64_t lpc = pc - w->r->bias;
        int32_t delta;
        bool root;
        if (!gr_symbols_frame(w->r->sym, lpc, &delta, &root))
            return -1;
        pcs[(*n)++] = lpc;
        if (root)
            return 1;
        uint64_t ra_at = sp + (uint64_t)delta, ra;
        if (ra_at < sp || ra_at + 8 > hi || walk_read(w, ra_at, &ra) < 0)
            return -1;
        pc = ra;
        sp = ra_at + 8;
    }
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

/* Count one goroutine into its raw group; false when the table is full. */
static bool group_add(struct gr_reader *r, const struct raw_group *g, const uint64_t *pcs,
                      int64_t wait_ns, int64_t oncpu)
{
    uint64_t h = mix(mix(mix(mix(0x51ed27, (uint64_t)g->status), g->reason), g->gopc),
                     g->startpc);
    h = mix(h, g->truncated);
    for (size_t i = 0; i < g->npcs; i++)
        h = mix(h, pcs[i]);
    h |= 1;
    size_t i = (size_t)h & (r->slots - 1);
    for (;; i = (i + 1) & (r->slots - 1)) {
        struct raw_group *e = &r->groups[i];
        if (!e->hash)
            break;
        if (e->hash == h && e->status == g->status && e->reason == g->reason &&
            e->gopc == g->gopc && e->startpc == g->startpc && e->npcs == g->npcs &&
            e->truncated == g->truncated &&
            memcmp(e->pcs, pcs, g->npcs * sizeof(pcs[0])) == 0) {
            e->count++;
            e->oncpu += oncpu;
            if (wait_ns > e->max_wait_ns)
                e->max_wait_ns = wait_ns;
            return true;
        }
    }
    if (r->ngroups >= RAW_MAX)
        return false;
    struct raw_group *e = &r->groups[i];
    *e = *g;
    e->hash = h;
    e->count = 1;
    e->oncpu = oncpu;
    e->max_wait_ns = wait_ns;
    e->pcs = r->arena + r->arena_used;
    memcpy(e->pcs, pcs, g->npcs * sizeof(pcs[0]));
    r->arena_used += g->npcs;
    r->ngroups++;
    return true;
}

struct tick {
    int64_t now;                /* CLOCK_MONOTONIC: the runtime's nanotime() */
    int64_t visited, user, other;
};

/* One goroutine of a batch: classify, walk, group. */
/* The on-CPU samples of the goroutine at g in this refresh's profile. */
static int64_t oncpu_of(const struct gr_reader *r, uint64_t g)
{
    if (!r->oncpu)
        return 0;
    int64_t n = 0;
    for (size_t i = 0; i < r->oncpu->ngs; i++)
        if (r->oncpu->gs[i].g == g)
            n += r->oncpu->gs[i].samples;
    return n;
}

static void take_one(struct gr_reader *r, struct tick *t, struct goroutines_sample *out,
                     size_t k, uint64_t gaddr)
{
    const uint8_t *b = r->gbuf[k];
    uint32_t st = (uint32_t)gfield(r, b, GO_G_ATOMICSTATUS, 4);
    int c = sched_g_class(st);
    if (c < 0)
        return;
    uint64_t startpc = gfield(r, b, GO_G_STARTPC, 8);
    if (is_system(r, startpc))
        return;
    t->user++;
    struct raw_group g = { .status = c, .gopc = gfield(r, b, GO_G_GOPC, 8) - r->bias,
                           .startpc = startpc - r->bias };
    g.reason = c == GO_G_WAITING ? (uint32_t)gfield(r, b, GO_G_WAITREASON, 1) : UINT32_MAX;
    int64_t wait_ns = -1;
    if ((c == GO_G_WAITING || c == GO_G_SYSCALL) && F(r->l, GO_G_WAITSINCE) >= 0) {
        int64_t since = (int64_t)gfield(r, b, GO_G_WAITSINCE, 8);
        if (since > 0 && since <= t->now)
            wait_ns = t->now - since;
    }
    uint64_t pcs[GSTACK_MAX_FRAMES];
    if (r->stack_failed[k]) {
        out->stacks_unreadable++;
        return;
    }
    if (r->stack_len[k]) {
        /* The goroutine must not have run while its stack was read: a goroutine that
         * ran (or a g reused) has saved another sp or pc since. */
        if (!r->ok[k] || le(r->again[k], 8) != gfield(r, b, GO_G_SCHED_SP, 8) ||
            le(r->again[k] + 8, 8) != gfield(r, b, GO_G_SCHED_PC, 8)) {
            out->stacks_dropped++;
            return;
        }
        uint64_t sp = gfield(r, b, GO_G_SCHED_SP, 8);
        struct walk_ctx w = { r, r->stack[k], sp, r->stack_len[k] };
        int rc = walk(&w, gfield(r, b, GO_G_SCHED_PC, 8), sp, gfield(r, b, GO_G_STACK_LO, 8),
                      gfield(r, b, GO_G_STACK_HI, 8), pcs, &g.npcs);
        if (rc < 0) {
            out->stacks_unreadable++;
            return;
        }
        g.truncated = rc == 0;
    }
    if (!group_add(r, &g, pcs, wait_ns, oncpu_of(r, gaddr)))
        t->other++;
}

/* Whose stack can be read from its saved registers: not one running now (its saved
 * sp/pc are stale) nor one whose stack is being moved. */
static bool parked(int c)
{
    return c == GO_G_WAITING || c == GO_G_RUNNABLE || c == GO_G_SYSCALL ||
           c == GO_G_PREEMPTED || c == GO_G_LEAKED;
}

/* Read one batch of goroutines: their g, their stacks, their g again. */
static int read_batch(struct gr_reader *r, const uint64_t *gs, size_t n)
{
    for (size_t k = 0; k < n; k++)
        r->reqs[k] = (struct mem_req){ gs[k] + (uint64_t)r->lo, r->gbuf[k], (size_t)r->span };
    int rc = read_each(r->mem, r->reqs, n, r->ok);
    if (rc < 0)
        return rc;
    size_t ns = 0;
    size_t idx[CHUNK];
    for (size_t k = 0; k < n; k++) {
        r->stack_len[k] = 0;
        r->stack_failed[k] = false;
        if (!r->ok[k]) {
            memset(r->gbuf[k], 0xff, (size_t)r->span);   /* no status: skipped */
            continue;
        }
        const uint8_t *b = r->gbuf[k];
        uint64_t sp = gfield(r, b, GO_G_SCHED_SP, 8), hi = gfield(r, b, GO_G_STACK_HI, 8);
        uint64_t lo = gfield(r, b, GO_G_STACK_LO, 8);
        if (!parked(sched_g_class((uint32_t)gfield(r, b, GO_G_ATOMICSTATUS, 4))))
            continue;
        if (sp < lo || sp >= hi || hi - lo > (1u << 30)) {
            r->stack_failed[k] = true;
            continue;
        }
        size_t want = hi - sp < STACK_COPY ? (size_t)(hi - sp) : STACK_COPY;
        r->reqs[ns] = (struct mem_req){ sp, r->stack[k], want };
        r->stack_len[k] = want;
        idx[ns++] = k;
    }
    bool sok[CHUNK];
    if ((rc = read_each(r->mem, r->reqs, ns, sok)) < 0)
        return rc;
    for (size_t i = 0; i < ns; i++)
        if (!sok[i]) {
            r->stack_len[idx[i]] = 0;
            r->stack_failed[idx[i]] = true;
        }
    /* Only the saved sp and pc again (16 bytes, one request each): copying whole gs
     * twice was most of the cost at 100k goroutines. */
    for (size_t i = 0; i < ns; i++)
        r->reqs[i] = (struct mem_req){ gs[idx[i]] + (uint64_t)r->again_off, r->again[idx[i]],
                                       16 };
    bool again_ok[CHUNK];
    if ((rc = read_each(r->mem, r->reqs, ns, again_ok)) < 0)
        return rc;
    for (size_t i = 0; i < ns; i++)
        r->ok[idx[i]] = r->ok[idx[i]] && again_ok[i];
    return 0;
}

/* The symbolised, pooled stack of a raw group. */
static const struct gstack *symbolize(struct gr_reader *r, const struct raw_group *g)
{
    struct gframe fr[GSTACK_MAX_FRAMES];
    bool truncated = g->truncated;
    size_t n = gr_symbols_expand_stack(r->sym, g->pcs, g->npcs, "?", fr, GSTACK_MAX_FRAMES,
                                       &truncated);
    /* The `go` statement, as the runtime prints it under "created by": only where the
     * runtime would show its function (never the runtime's own start-up code). */
    struct gframe cb = { 0 }, start = { 0 }, tmp[8];
    if (g->gopc && gr_symbols_expand(r->sym, g->gopc, true, tmp, 8) > 0 &&
        gstack_func_shown(tmp[0].func))
        cb = tmp[0];
    start.func = gr_symbols_func(r->sym, g->startpc);
    return gstack_intern(fr, n, truncated, &cb, &start);
}

static int by_identity(const void *a, const void *b)
{
    const struct goroutine_group *x = a, *y = b;
    if (x->stack != y->stack)
        return (uintptr_t)x->stack < (uintptr_t)y->stack ? -1 : 1;
    if (x->status != y->status)
        return x->status < y->status ? -1 : 1;
    if (x->wait_reason != y->wait_reason)
        return (uintptr_t)x->wait_reason < (uintptr_t)y->wait_reason ? -1 : 1;
    return 0;
}

static int by_count(const void *a, const void *b)
{
    const struct goroutine_group *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return by_identity(a, b);
}

static const char *reason_name(const struct gr_reader *r, uint32_t reason)
{
    if (reason == UINT32_MAX)
        return gstack_str("");
    if (reason < r->l->nreasons && r->l->reasons)
        return gstack_str(r->l->reasons[reason]);
    char buf[32];
    snprintf(buf, sizeof(buf), "reason %u", reason);
    return gstack_str(buf);
}

/* Raw groups -> symbolised groups: those whose stacks read the same once symbolised (two
 * pcs on one line) merge; largest first; past GOROUTINE_GROUPS_MAX into other_*. */
static int finish(struct gr_reader *r, const struct tick *t, double scale,
                  struct goroutines_sample *out)
{
    struct goroutine_group *gs = calloc(r->ngroups ? r->ngroups : 1, sizeof(*gs));
    if (!gs)
        return -ENOMEM;
    size_t n = 0;
    int64_t lost = t->other;
    for (size_t i = 0; i < r->slots; i++) {
        const struct raw_group *g = &r->groups[i];
        if (!g->hash)
            continue;
        const struct gstack *st = symbolize(r, g);
        if (!st) {              /* the pool is full: counted, not shown */
            lost += g->count;
            continue;
        }
        gs[n++] = (struct goroutine_group){
            .stack = st, .status = g->status, .wait_reason = reason_name(r, g->reason),
            .count = g->count, .on_cpu_samples = g->oncpu,
            .max_wait_s = g->max_wait_ns >= 0 ? (double)g->max_wait_ns / 1e9 : NAN,
        };
    }
    qsort(gs, n, sizeof(*gs), by_identity);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && by_identity(&gs[m - 1], &gs[i]) == 0) {
            gs[m - 1].count += gs[i].count;
            gs[m - 1].on_cpu_samples += gs[i].on_cpu_samples;
            if (isnan(gs[m - 1].max_wait_s) || gs[i].max_wait_s > gs[m - 1].max_wait_s)
                gs[m - 1].max_wait_s = gs[i].max_wait_s;
            continue;
        }
        gs[m++] = gs[i];
    }
    for (size_t i = 0; i < m; i++)
        gs[i].count = (int64_t)llround((double)gs[i].count * scale);
    qsort(gs, m, sizeof(*gs), by_count);
    out->other_count = (int64_t)llround((double)lost * scale);
    out->other_groups = lost ? 1 : 0;
    while (m > GOROUTINE_GROUPS_MAX) {
        out->other_count += gs[--m].count;
        out->other_groups++;
    }
    out->groups = gs;
    out->ngroups = m;
    return 0;
}

static int read_groups(struct gr_reader *r, int64_t start, int64_t budget_ns,
                       struct goroutines_sample *out, char *why, size_t len);

int gr_reader_read(struct gr_reader *r, int64_t budget_ns, const struct cpuprof_sample *oncpu,
                   struct goroutines_sample *out, char *why, size_t len)
{
    r->oncpu = oncpu && oncpu->valid ? oncpu : NULL;
    int rc = read_groups(r, mono_ns(), budget_ns, out, why, len);
    /* After the read, not before: the pages of the table it faulted in go back now
     * rather than staying mapped until the next refresh. */
    gr_symbols_trim(r->sym, mono_ns());
    /* The read's scratch buffers (a batch's copies and stacks, the group table) stay
     * resident: giving them back after each read cost more CPU than the rest of a
     * refresh's goroutine read, since a page fault takes ~11 us in this kind of VM and
     * the next read touches them all again. */
    return rc;
}

static int read_groups(struct gr_reader *r, int64_t start, int64_t budget_ns,
                       struct goroutines_sample *out, char *why, size_t len)
{
    goroutines_sample_free(out);
    memset(out, 0, sizeof(*out));
    uint8_t hdr[24];
    int rc = target_mem_read(r->mem, r->l->allgs, hdr, sizeof(hdr));
    if (rc == -ESRCH)
        return rc;
    if (rc != 0) {
        snprintf(why, len, "cannot read runtime.allgs");
        return -EAGAIN;
    }
    uint64_t arr = le(hdr, 8), n = le(hdr + 8, 8), cap = le(hdr + 16, 8);
    if (n > SCHED_MAX_GS || cap < n || (n && !arr)) {
        snprintf(why, len, "implausible allgs (len %llu, cap %llu)", (unsigned long long)n,
                 (unsigned long long)cap);
        return -EAGAIN;
    }
    if (n > r->gcap) {
        uint64_t *p = realloc(r->gptrs, n * sizeof(*p));
        if (!p)
            return -ENOMEM;
        r->gptrs = p;
        r->gcap = n;
    }
    if (n && target_mem_read(r->mem, arr, r->gptrs, n * 8) != 0) {
        snprintf(why, len, "cannot read the allgs array");
        return -EAGAIN;
    }
    /* Twice as many slots as there can be groups (one a goroutine, RAW_MAX at most), so
     * the table never fills; only those are cleared and probed. A program with a few
     * dozen goroutines touches a few KB of the table instead of all 288 KB of it each
     * refresh (the reader is allocated on its own pages: untouched ones stay free). */
    r->slots = GROUP_SLOTS_MIN;
    while (r->slots < GROUP_SLOTS && r->slots < 2 * (n < RAW_MAX ? n : RAW_MAX))
        r->slots *= 2;
    memset(r->groups, 0, r->slots * sizeof(r->groups[0]));
    r->ngroups = 0;
    r->arena_used = 0;
    struct tick t = { .now = mono_ns() };
    /* A stride coprime with n spreads a cut-short read over the whole of allgs; the
     * next refresh goes on from where this one stopped. */
    static const size_t primes[] = { 7919, 6007, 4001, 2003, 101 };
    size_t step = 1;
    for (size_t i = 0; i < sizeof(primes) / sizeof(primes[0]) && step == 1; i++)
        if (primes[i] < n && n % primes[i] != 0)
            step = primes[i];
    size_t idx = n ? r->cursor % n : 0;
    uint64_t batch[CHUNK];
    while ((uint64_t)t.visited < n) {
        size_t k = 0;
        for (; k < CHUNK && (uint64_t)(t.visited + (int64_t)k) < n; k++) {
            batch[k] = r->gptrs[idx];
            idx = (idx + step) % n;
        }
        if ((rc = read_batch(r, batch, k)) < 0)
            return rc;
        for (size_t i = 0; i < k; i++)
            take_one(r, &t, out, i, batch[i]);
        t.visited += (int64_t)k;
        if (mono_ns() - start > budget_ns)
            break;
    }
    r->cursor = idx;
    double scale = t.visited > 0 && (uint64_t)t.visited < n ? (double)n / (double)t.visited
                                                           : 1.0;
    if ((rc = finish(r, &t, scale, out)) < 0)
        return rc;
    out->valid = true;
    out->oncpu_samples = r->oncpu ? r->oncpu->samples : -1;
    out->sampled = (uint64_t)t.visited < n;
    out->read = t.user;
    out->total = (int64_t)llround((double)t.user * scale);
    r->dropped_total += (uint64_t)(out->stacks_dropped + out->stacks_unreadable);
    out->dropped_total = r->dropped_total;
    out->refresh_s = r->last_ns ? (double)(t.now - r->last_ns) / 1e9 : 0.0;
    r->last_ns = t.now;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    out->refreshed_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
    return 0;
}

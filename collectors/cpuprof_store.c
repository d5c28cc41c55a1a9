/* cpuprof_store: the on-CPU sampler's samples (a ring as long as its window needs) and
 * the table of the distinct raw stacks they point at, which sheds the stacks no kept
 * sample points at any more; see cpuprof_int.h. */
#include "collectors/cpuprof_int.h"

#include <stdlib.h>
#include <string.h>

/* The table is compacted when it reaches this many stacks, and then at twice what is
 * left: a busy server met ~1,400 new raw stacks in its first minute and ~500 a minute
 * by the third (every distinct chain of return addresses is one), while a minute's
 * samples point at far fewer. */
#define STORE_COMPACT_MIN 4096

void cpuprof_store_append(struct cpuprof_store *s, const struct cpuprof_ent *e)
{
    /* Samples past what anything reads leave first, so the ring holds what the window
     * needs at the rate samples come, not the most it may hold: kept to the cap, it was
     * 7.3 MB (131,072 samples of 56 bytes) once 11 minutes of a busy server had filled
     * it, where a minute and a bit takes 0.9 MB. */
    while (s->ring_len && cpuprof_store_nth(s, s->ring_len - 1)->t_ns < e->t_ns - s->keep_ns)
        s->ring_len--;
    if (s->ring_len == s->ring_cap) {
        if (s->ring_cap < CPUPROF_RING_CAP) {
            /* Grow while it is below the cap. Full, the oldest is at head (at 0 unless
             * old samples left and it wrapped): the newer ones before it move past the
             * old end, so the samples stay in order from head on. */
            size_t cap = s->ring_cap ? s->ring_cap * 2 : 1024;
            struct cpuprof_ent *nr = realloc(s->ring, cap * sizeof(*nr));
            if (nr) {
                memcpy(nr + s->ring_cap, nr, s->ring_head * sizeof(*nr));
                s->ring_head += s->ring_cap;
                s->ring = nr;
                s->ring_cap = cap;
            }
        }
    }
    if (!s->ring_cap)
        return;
    s->ring[s->ring_head] = *e;
    s->ring_head = (s->ring_head + 1) % s->ring_cap;
    if (s->ring_len < s->ring_cap)
        s->ring_len++;
    s->ring_total++;
}

uint64_t cpuprof_store_hash(const uint64_t *pcs, size_t n, bool truncated)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ (truncated ? 0x9e37 : 0);
    for (size_t i = 0; i < n; i++) {
        h ^= pcs[i];
        h *= 0x100000001b3ULL;
        h ^= h >> 29;
    }
    return h | 1;
}

/* Put stack k, of that hash, in the first free slot of its probe run. */
static void index_put(uint32_t *ix, size_t cap, uint64_t hash, size_t k)
{
    size_t h = hash & (cap - 1);
    while (ix[h])
        h = (h + 1) & (cap - 1);
    ix[h] = (uint32_t)k + 1;
}

/* Fill an index of cap slots (a power of two, > nstacks) from the table. */
static void index_fill(struct cpuprof_store *s, uint32_t *ix, size_t cap)
{
    for (size_t i = 0; i < s->nstacks; i++)
        index_put(ix, cap, s->stacks[i].hash, i);
}

bool cpuprof_store_index_grow(struct cpuprof_store *s)
{
    size_t cap = s->index_cap ? s->index_cap * 2 : 1024;
    uint32_t *ix = calloc(cap, sizeof(*ix));
    if (!ix)
        return false;
    index_fill(s, ix, cap);
    free(s->index);
    s->index = ix;
    s->index_cap = cap;
    return true;
}

uint32_t cpuprof_store_find(const struct cpuprof_store *s, uint64_t hash, const uint64_t *pcs,
                            size_t n, bool truncated)
{
    if (!s->index_cap)
        return UINT32_MAX;
    size_t i = hash & (s->index_cap - 1);
    while (s->index[i]) {
        const struct cpuprof_rstack *r = &s->stacks[s->index[i] - 1];
        if (r->hash == hash && r->n == n && r->truncated == truncated &&
            memcmp(&s->pcs[r->off], pcs, n * sizeof(*pcs)) == 0)
            return s->index[i] - 1;
        i = (i + 1) & (s->index_cap - 1);
    }
    return UINT32_MAX;
}

int cpuprof_store_reserve(struct cpuprof_store *s, size_t n)
{
    if ((s->nstacks + 1) * 2 > s->index_cap && !cpuprof_store_index_grow(s))
        return -1;
    if (s->nstacks == s->stacks_cap) {
        size_t cap = s->stacks_cap ? s->stacks_cap * 2 : 256;
        struct cpuprof_rstack *ns = realloc(s->stacks, cap * sizeof(*ns));
        if (!ns)
            return -1;
        s->stacks = ns;
        s->stacks_cap = cap;
    }
    if (s->npcs + n > s->pcs_cap) {
        size_t cap = s->pcs_cap ? s->pcs_cap : 4096;
        while (cap < s->npcs + n)
            cap *= 2;
        uint64_t *np = realloc(s->pcs, cap * sizeof(*np));
        if (!np)
            return -1;
        s->pcs = np;
        s->pcs_cap = cap;
    }
    return 0;
}

uint32_t cpuprof_store_add(struct cpuprof_store *s, const struct cpuprof_rstack *r,
                           const uint64_t *pcs)
{
    if (r->n)                      /* a stack of none: pcs may be empty, and NULL */
        memcpy(&s->pcs[s->npcs], pcs, r->n * sizeof(*pcs));
    struct cpuprof_rstack *slot = &s->stacks[s->nstacks];
    *slot = *r;
    slot->off = (uint32_t)s->npcs;
    s->npcs += r->n;
    index_put(s->index, s->index_cap, r->hash, s->nstacks);
    return (uint32_t)s->nstacks++;
}

/* An array of cap elements of size sz holding used: cut to a quarter or less of its
 * capacity when that is all it uses (a big block goes back to the system). */
static void *shrink(void *p, size_t used, size_t *cap, size_t sz, size_t floor)
{
    if (*cap <= floor || used > *cap / 4)
        return p;
    size_t want = *cap;
    while (want / 2 >= used && want / 2 >= floor)
        want /= 2;
    void *q = realloc(p, want * sz);
    if (!q)
        return p;
    *cap = want;
    return q;
}

static bool compact(struct cpuprof_store *s)
{
    uint32_t *map = malloc(s->nstacks * sizeof(*map));
    if (!map)
        return false;
    /* Stack 0 stays (the table's "full" stand-in); then those a kept sample names. */
    for (size_t i = 0; i < s->nstacks; i++)
        map[i] = i == 0 ? 1 : 0;
    for (size_t i = 0; i < s->ring_len; i++) {
        uint32_t k = cpuprof_store_nth(s, i)->stack;
        if (k < s->nstacks)
            map[k] = 1;
    }
    /* In place, in order: a stack and its pcs only ever move down. */
    size_t n = 0, npcs = 0;
    for (size_t i = 0; i < s->nstacks; i++) {
        if (!map[i]) {
            gstack_release(s->stacks[i].sym);    /* the pool frees it with its last holder */
            continue;
        }
        struct cpuprof_rstack r = s->stacks[i];
        if (r.n)
            memmove(&s->pcs[npcs], &s->pcs[r.off], r.n * sizeof(*s->pcs));
        r.off = (uint32_t)npcs;
        npcs += r.n;
        s->stacks[n] = r;
        map[i] = (uint32_t)n++;
    }
    for (size_t i = 0; i < s->ring_len; i++) {
        struct cpuprof_ent *e = (struct cpuprof_ent *)cpuprof_store_nth(s, i);
        e->stack = e->stack < s->nstacks ? map[e->stack] : 0;
    }
    free(map);
    s->nstacks = n;
    s->npcs = npcs;
    s->compacted++;
    s->compact_at = 2 * n > STORE_COMPACT_MIN ? 2 * n : STORE_COMPACT_MIN;
    s->stacks = shrink(s->stacks, n, &s->stacks_cap, sizeof(*s->stacks), 256);
    s->pcs = shrink(s->pcs, npcs, &s->pcs_cap, sizeof(*s->pcs), 4096);
    /* The index: at its size, or smaller when far fewer are left. */
    size_t cap = 1024;
    while (cap < 2 * (n + 1))
        cap *= 2;
    uint32_t *ix = calloc(cap, sizeof(*ix));
    if (ix) {
        free(s->index);
        s->index = ix;
        s->index_cap = cap;
    } else {
        memset(s->index, 0, s->index_cap * sizeof(*s->index));
    }
    index_fill(s, s->index, s->index_cap);
    return true;
}

bool cpuprof_store_maybe_compact(struct cpuprof_store *s)
{
    if (s->nstacks < (s->compact_at ? s->compact_at : STORE_COMPACT_MIN))
        return false;
    return compact(s);
}

void cpuprof_store_clear(struct cpuprof_store *s)
{
    free(s->ring);
    s->ring = NULL;
    s->ring_cap = s->ring_len = s->ring_head = 0;
    if (s->nstacks > 1)
        (void)compact(s);           /* no sample names any stack now: stack 0 stays */
}

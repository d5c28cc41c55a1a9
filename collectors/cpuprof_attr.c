/* cpuprof_attr: the goroutine and P behind each sample of a drain, read in batches. */
#include "config.h"

#include "collectors/cpuprof_attr.h"

#include <stdlib.h>
#include <string.h>

void cpuprof_attr_begin(struct cpuprof_attr *a)
{
    memcpy(a->prev, a->gs, a->ngs * sizeof(a->gs[0]));
    a->nprev = a->ngs;
    a->ngs = 0;
    a->nnotes = 0;
}

void cpuprof_attr_note(struct cpuprof_attr *a, uint64_t seq, uint64_t g, uint64_t sp)
{
    if (a->nnotes == a->notes_cap) {
        size_t cap = a->notes_cap ? a->notes_cap * 2 : 256;
        struct cpuprof_attr_note *n = realloc(a->notes, cap * sizeof(*n));
        if (!n)
            return;                   /* the sample stays unattributed */
        a->notes = n;
        a->notes_cap = cap;
    }
    a->notes[a->nnotes++] = (struct cpuprof_attr_note){ .seq = seq, .g = g, .sp = sp,
                                                        .gi = -1 };
}

/* Reads reqs[0..n), groups of `per` requests each; a group with a request left unread
 * (an unmapped address: R14 held no g) is marked bad and the reads go on after it. */
static void read_groups(const struct mem_reader *mem, struct mem_req *reqs, size_t n,
                        size_t per, bool *bad)
{
    size_t k = 0;
    while (k < n) {
        int c = mem->readv(mem->ctx, reqs + k, n - k);
        if (c < 0) {                  /* gone, or no permission: nothing more is read */
            for (size_t j = k / per; j < n / per; j++)
                bad[j] = true;
            return;
        }
        k += (size_t)c;
        if (k < n) {
            bad[k / per] = true;
            k = (k / per + 1) * per;
        }
    }
}

/* The distinct gs of the notes, each note pointing at its own. */
static void collect_gs(struct cpuprof_attr *a)
{
    for (size_t i = 0; i < a->nnotes; i++) {
        struct cpuprof_attr_note *n = &a->notes[i];
        for (size_t j = 0; j < a->ngs && n->gi < 0; j++)
            if (a->gs[j].g == n->g)
                n->gi = (int32_t)j;
        if (n->gi < 0 && a->ngs < CPUPROF_ATTR_GS) {
            a->gs[a->ngs] = (struct cpuprof_gres){ .g = n->g, .goid = -2, .p = -1 };
            n->gi = (int32_t)a->ngs++;
        }
    }
}

void cpuprof_attr_resolve(struct cpuprof_attr *a, const struct mem_reader *mem)
{
    collect_gs(a);
    size_t n = a->ngs;
    if (!n)
        return;
    enum { LO, HI, GOID, STARTPC, M, FIELDS };
    uint64_t v[CPUPROF_ATTR_GS][FIELDS], link[CPUPROF_ATTR_GS];
    int32_t pid[CPUPROF_ATTR_GS];
    size_t at[CPUPROF_ATTR_GS];
    bool bad[CPUPROF_ATTR_GS] = { false };
    struct mem_req req[CPUPROF_ATTR_GS * FIELDS];
    const int64_t field[FIELDS] = { a->off.g_stack_lo, a->off.g_stack_hi, a->off.g_goid,
                                    a->off.g_startpc, a->off.g_m };
    memset(v, 0, sizeof(v));
    for (size_t i = 0; i < n; i++)
        for (size_t f = 0; f < FIELDS; f++)
            req[i * FIELDS + f] = (struct mem_req){ .addr = a->gs[i].g + (uint64_t)field[f],
                                                    .buf = &v[i][f], .len = 8 };
    read_groups(mem, req, n * FIELDS, FIELDS, bad);

    /* Each running g's M, then that M's P, then the P's id: a pointer chase, one batch
     * a step. A g that has parked since has no M (nor P). */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        struct cpuprof_gres *r = &a->gs[i];
        uint64_t lo = v[i][LO], hi = v[i][HI];
        if (bad[i] || lo >= hi || hi - lo > (1ULL << 30))
            continue;                 /* unreadable: sp is never inside [0, 0) */
        r->sp_lo = lo;
        r->sp_hi = hi;
        r->goid = v[i][GOID] == 0 ? -1 : (int64_t)v[i][GOID];
        r->startpc = v[i][STARTPC];
        if (v[i][M]) {
            link[k] = 0;
            at[k] = i;
            req[k] = (struct mem_req){ .addr = v[i][M] + (uint64_t)a->off.m_p,
                                       .buf = &link[k], .len = 8 };
            k++;
        }
    }
    bool bad_link[CPUPROF_ATTR_GS] = { false };
    read_groups(mem, req, k, 1, bad_link);
    size_t np = 0;
    for (size_t j = 0; j < k; j++) {
        if (bad_link[j] || !link[j])
            continue;
        at[np] = at[j];
        pid[np] = -1;
        req[np] = (struct mem_req){ .addr = link[j] + (uint64_t)a->off.p_id, .buf = &pid[np],
                                    .len = 4 };
        np++;
    }
    bool bad_p[CPUPROF_ATTR_GS] = { false };
    read_groups(mem, req, np, 1, bad_p);
    for (size_t j = 0; j < np; j++)
        if (!bad_p[j] && pid[j] >= 0 && pid[j] < 1 << 20)
            a->gs[at[j]].p = pid[j];

    /* Read up to a drain after its samples: a g that parked since has no P; the P it had
     * at the drain before is the better answer. */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; a->gs[i].p < 0 && j < a->nprev; j++)
            if (a->prev[j].g == a->gs[i].g && a->prev[j].goid == a->gs[i].goid)
                a->gs[i].p = a->prev[j].p;
}

const struct cpuprof_gres *cpuprof_attr_of(const struct cpuprof_attr *a, size_t i)
{
    if (i >= a->nnotes || a->notes[i].gi < 0)
        return NULL;
    const struct cpuprof_gres *r = &a->gs[a->notes[i].gi];
    uint64_t sp = a->notes[i].sp;
    return sp >= r->sp_lo && sp < r->sp_hi ? r : NULL;
}

void cpuprof_attr_reset(struct cpuprof_attr *a)
{
    a->ngs = a->nprev = a->nnotes = 0;
}

void cpuprof_attr_free(struct cpuprof_attr *a)
{
    free(a->notes);
    a->notes = NULL;
    a->nnotes = a->notes_cap = 0;
}

/* cpuprof_int: what the on-CPU sampler keeps between ticks, shared by its collector
 * (cpuprof.c) and its file writers (cpuprof_export.c). Not for other modules. */
#ifndef GMPTOP_CPUPROF_INT_H
#define GMPTOP_CPUPROF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/gstack.h"

struct gr_symbols;

#define CPUPROF_RING_CAP (1u << 17)   /* samples kept at most: ~5 min of 2 busy threads
                                       * at 99 Hz... the most a file can cover */
#define CPUPROF_STACKS_CAP 65536      /* distinct raw stacks kept; past it: "(full)" */

/* One sample as kept: which raw stack, and who was on the CPU. */
struct cpuprof_ent {
    int64_t t_ns;                     /* CLOCK_MONOTONIC */
    uint32_t stack;                   /* index into the stack table */
    pid_t tid;
    uint64_t g;                       /* the g pointer; 0 none */
    int64_t goid;                     /* -1 a system stack (g0), -2 none */
    uint64_t startpc;                 /* the goroutine's start function (runtime address) */
    int32_t p;                        /* P id, -1 unknown */
    uint16_t cpu;
    uint16_t hz;                      /* the rate it was taken at (the governor moves it) */
    uint8_t kernel;                   /* taken in the kernel */
};

/* One distinct raw stack: runtime addresses, innermost first. */
struct cpuprof_rstack {
    uint64_t hash;
    uint32_t off, n;                  /* into the pc pool */
    bool truncated;
    const struct gstack *sym;         /* symbolised: pooled, never NULL once made */
    /* cpuprof_stack_kind of sym for a sample taken in user mode [0] and in the kernel
     * [1], settled when the stack is first seen: classifying by name prefixes is dear
     * (a hundred strncmp a frame) and a window counts every sample each refresh. */
    uint8_t kind[2];
};

struct cpuprof_store {
    struct cpuprof_ent *ring;
    size_t ring_cap, ring_len, ring_head;   /* oldest at (head - len) mod cap */
    uint64_t ring_total;                    /* samples ever appended */
    int64_t keep_ns;                        /* older ones than this behind the newest go */
    struct cpuprof_rstack *stacks;
    size_t nstacks, stacks_cap;
    uint64_t *pcs;
    size_t npcs, pcs_cap;
    uint32_t *index;                        /* open addressing: stack index + 1, 0 empty */
    size_t index_cap;
    size_t compact_at;                      /* stacks that start a compaction; 0 default */
    uint64_t compacted;                     /* compactions so far */
};

/* The i-th newest sample (0 newest); NULL past what is kept. */
static inline const struct cpuprof_ent *cpuprof_store_nth(const struct cpuprof_store *s,
                                                          size_t i)
{
    if (i >= s->ring_len)
        return NULL;
    return &s->ring[(s->ring_head + s->ring_cap - 1 - i) % s->ring_cap];
}

/* ---- cpuprof_store.c ---- */
/* Keep e, the newest sample: those more than keep_ns older leave first, and the ring
 * grows (to CPUPROF_RING_CAP) only when what is left fills it; at the cap the oldest
 * goes. */
void cpuprof_store_append(struct cpuprof_store *s, const struct cpuprof_ent *e);
uint64_t cpuprof_store_hash(const uint64_t *pcs, size_t n, bool truncated);
bool cpuprof_store_index_grow(struct cpuprof_store *s);
/* The index of the raw stack pcs (hash: cpuprof_store_hash of it); UINT32_MAX none. */
uint32_t cpuprof_store_find(const struct cpuprof_store *s, uint64_t hash, const uint64_t *pcs,
                            size_t n, bool truncated);
/* Room for one more stack of n pcs. 0, or -1 out of memory. */
int cpuprof_store_reserve(struct cpuprof_store *s, size_t n);
/* Add r (hash, n, truncated, sym, kind; off is set here) with its pcs after a
 * successful reserve; its index. */
uint32_t cpuprof_store_add(struct cpuprof_store *s, const struct cpuprof_rstack *r,
                           const uint64_t *pcs);
/* When the table has grown to its mark, keep only stack 0 and the stacks a kept sample
 * points at (the samples renumbered, the arrays cut when mostly empty): distinct raw
 * stacks are met all along on a busy program, and without this the table (and its
 * pcs) grew for the whole run. Indices held outside the ring are invalid after a
 * true return. */
bool cpuprof_store_maybe_compact(struct cpuprof_store *s);
/* Drop every sample (the ring's memory too; ring_total stays) and every stack but 0:
 * the profiler paused, and what it kept is no one's now. */
void cpuprof_store_clear(struct cpuprof_store *s);

/* The sampler's next rate (cpuprof_gov.c). Sampling at hz costs cost_pct of one core
 * (the kernel's work per sample and the collector's own CPU); room_pct is what the
 * budget leaves it once the rest of gmptop is counted (may be 0 or less). Over the
 * room the rate falls in proportion, not under min_hz; under a third of it the rate
 * doubles back towards hz_wanted. limited false (--bpf-budget 0): hz_wanted. */
double cpuprof_gov_hz(double hz, double hz_wanted, double min_hz, double cost_pct,
                      double room_pct, bool limited);

/* Write the samples of the last seconds as a gzipped pprof profile (path) and/or as
 * folded stacks (folded); NULL skips one. 0, or -errno + msg; msg also says what was
 * written on success. */
int cpuprof_export(const struct cpuprof_store *st, struct gr_symbols *sym, double hz,
                   double seconds, int64_t now_ns, const char *exe, const char *path,
                   const char *folded, char *msg, size_t len);

#endif

/* cpuprof_attr: which goroutine, and which P, each on-CPU sample of a drain ran, from the
 * g its R14 named: the samples are noted as they are drained and the gs read afterwards,
 * all of them in three batched reads (a g's stack bounds, id, start and M; each M's P;
 * each P's id) rather than three reads for every g. */
#ifndef GMPTOP_CPUPROF_ATTR_H
#define GMPTOP_CPUPROF_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/target_mem.h"

#define CPUPROF_ATTR_GS 64            /* distinct gs resolved per drain */

/* Where the fields live: byte offsets in g, m and p (all >= 0). */
struct cpuprof_attr_layout {
    int64_t g_goid, g_startpc, g_stack_lo, g_stack_hi, g_m, m_p, p_id;
};

struct cpuprof_gres {
    uint64_t g, sp_lo, sp_hi;
    int64_t goid;                     /* -1: a system stack (g0); -2: not known */
    uint64_t startpc;
    int32_t p;                        /* -1: unknown */
};

struct cpuprof_attr_note {
    uint64_t seq;                     /* the sample's place in the store (ring_total) */
    uint64_t g, sp;
    int32_t gi;                       /* its g in gs[], or -1 (more than fit) */
};

struct cpuprof_attr {
    struct cpuprof_attr_layout off;
    struct cpuprof_gres gs[CPUPROF_ATTR_GS];
    size_t ngs;
    struct cpuprof_gres prev[CPUPROF_ATTR_GS];   /* the drain before: a P seen then, for
                                                  * a g whose M has since let it go */
    size_t nprev;
    struct cpuprof_attr_note *notes;
    size_t nnotes, notes_cap;
};

/* A new drain: this drain's gs become the ones before. */
void cpuprof_attr_begin(struct cpuprof_attr *a);

/* The sample stored as number seq ran with R14 = g and stack pointer sp. */
void cpuprof_attr_note(struct cpuprof_attr *a, uint64_t seq, uint64_t g, uint64_t sp);

/* Reads the noted gs. Then note i's g is cpuprof_attr_of(a, i): NULL where R14 held no g
 * (its stack does not hold sp: C code, a signal handler), or it could not be read. */
void cpuprof_attr_resolve(struct cpuprof_attr *a, const struct mem_reader *mem);
const struct cpuprof_gres *cpuprof_attr_of(const struct cpuprof_attr *a, size_t i);

/* Forget every g (events reopened) and free the notes. */
void cpuprof_attr_reset(struct cpuprof_attr *a);
void cpuprof_attr_free(struct cpuprof_attr *a);

#endif
